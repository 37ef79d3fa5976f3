"""The cycle page's rows of invited people are built in Python (``evaluations/invitation_rows``,
issue 16): the same HTML as the template they replaced, in Dutch and English, for every state
of a row (mail sent or not, no address, no more reminders, started or submitted, anonymised),
open and closed, with every value escaped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

from evaluations.invitation_rows import invitations_of, rows_html
from evaluations.models import MailDelivery, MailKind, Response
from tests.factories import CycleFactory, invitation_for

pytestmark = pytest.mark.django_db
TEMPLATE = (Path(__file__).parent / "replaced" / "invitation_row.html").read_text()
CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def normalised(html: str) -> str:
    return re.sub(r"> <", "><", re.sub(r"\s+", " ", CSRF.sub("", str(html)))).strip()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("status", ["open", "closed"])
def test_each_state_of_a_row_is_the_html_the_template_made(workplace, language, status):
    cycle = CycleFactory(workplace=workplace)
    mailed = invitation_for(cycle, "student", name='Sam <de> "Vries"')
    MailDelivery.objects.create(
        cycle=cycle, person=mailed.person, invitation=mailed, kind=MailKind.INVITATION,
        status="sent", sent_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9, 5)),
    )  # fmt: skip
    pending = invitation_for(cycle, "professional", name="Ali")
    MailDelivery.objects.create(cycle=cycle, person=pending.person, invitation=pending,
                                kind=MailKind.INVITATION, status="pending")  # fmt: skip
    no_address = invitation_for(cycle, "client", name="Noor", email=None)
    started = invitation_for(cycle, "client", name="Kees", email=None)
    Response.objects.create(invitation=started, cycle=cycle, role="client",
                            instrument_version=cycle.instrument_version)  # fmt: skip
    submitted = invitation_for(cycle, "client", name="Fenna", email=None)
    Response.objects.create(invitation=submitted, cycle=cycle, role="client",
                            instrument_version=cycle.instrument_version,
                            submitted_at=timezone.now())  # fmt: skip
    stopped = invitation_for(cycle, "supporter", name="Joke")
    stopped.reminders_stopped_at = timezone.now()
    stopped.save()
    anonymised = invitation_for(cycle, "supporter", name="Weg")
    anonymised.person = None
    anonymised.save()
    assert no_address.person.email is None
    cycle.status = status
    request = RequestFactory().get("/")
    template = engines["django"].from_string(TEMPLATE)
    with translation.override(language):
        rows = invitations_of(cycle)
        built = str(rows_html(request, rows, cycle, workplace.slug))
        made = "".join(
            template.render({"invitation": i, "workplace": workplace, "cycle": cycle}) for i in rows
        )
    assert normalised(built) == normalised(made)
    assert len(rows) == 7 and built.count("<tr>") == 7
    assert "Sam &lt;de&gt; &quot;Vries&quot;" in built and "<de>" not in built
    if status == "open":
        assert built.count('name="csrfmiddlewaretoken"') == 5  # two mailed, two links, Joke
