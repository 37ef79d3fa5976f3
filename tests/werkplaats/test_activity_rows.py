"""The activity list's rows are built in Python (``werkplaats/activity_rows.py``, issue 16):
the same HTML as the template partial they replaced, in Dutch and English, for every state of
a row, with every value escaped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

from tests.factories import ActivityFactory, PersonFactory
from werkplaats.activity_rows import row_html
from werkplaats.models import ActivityHeadcount, Role

pytestmark = pytest.mark.django_db

# The template partial the rows replace, as it stood.
TEMPLATE = (Path(__file__).parent / "replaced" / "activity_row.html").read_text()


def normalised(html: str) -> str:
    return re.sub(r"> <", "><", re.sub(r"\s+", " ", str(html))).strip()


def template_row(activity, workplace, can_log: bool) -> str:
    context = {"activity": activity, "workplace": workplace, "can_log": can_log}
    return engines["django"].from_string(TEMPLATE).render(context)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("can_log", [True, False])
def test_each_state_of_a_row_is_the_html_the_template_made(workplace, language, can_log):
    named = ActivityFactory(
        workplace=workplace, title='Intervisie <b>"&"</b>', start_time=dt.time(9, 30),
        tags=["LOS", "GOC-2"],
    )  # fmt: skip
    named.participants.set([PersonFactory(name="Sam <de> Vries"), PersonFactory(name="Ali")])
    ActivityHeadcount.objects.create(activity=named, role=Role.STUDENT, count=12)
    counted = ActivityFactory(workplace=workplace, title="Stuurgroep", tags=[])
    ActivityHeadcount.objects.create(activity=counted, role=Role.CLIENT, count=3)
    people_only = ActivityFactory(workplace=workplace, title="Overleg", tags=["VOR"])
    people_only.participants.set([PersonFactory(name="Noor")])
    bare = ActivityFactory(workplace=workplace, title="Leeg", tags=[])
    with translation.override(language):
        for activity in (named, counted, people_only, bare):
            built = row_html(activity, workplace.slug, can_log)
            assert normalised(built) == normalised(template_row(activity, workplace, can_log))
    assert "Sam &lt;de&gt; Vries" in str(row_html(named, workplace.slug, can_log))
    assert "<b>" not in str(row_html(named, workplace.slug, can_log))
