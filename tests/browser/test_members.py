"""The demo bridge-builder imports a five-person cohort from an XLSX file, ends one placement
and invites one person, who sets a password and logs in (issue 14). The new pages pass
axe-core."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from openpyxl import Workbook

from tests.browser.conftest import axe_violations
from tests.browser.test_overview import log_in
from werkplaats.demo_data import DEMO_DOMAIN
from werkplaats.models import Membership, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PW = "/pw/revalidatie-de-linde"
COHORT = [
    ("Fenna Visser", "fenna.visser@hogeschool.example"),
    ("Gijs de Wit", "gijs.dewit@hogeschool.example"),
    ("Hira Bakker", "hira.bakker@hogeschool.example"),
    ("Ivo Smit", "ivo.smit@hogeschool.example"),
    ("Jet Mulder", "jet.mulder@hogeschool.example"),
]


@pytest.fixture
def cohort_file(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Naam", "E-mailadres", "Rol", "Startdatum"])
    for name, email in COHORT:
        sheet.append([name, email, "student", "01-09-2026"])
    path = tmp_path / "cohort-september.xlsx"
    book.save(path)
    return path


def test_a_cohort_is_imported_one_placement_ended_and_one_person_invited(
    live_server,
    page,
    another_browser,
    demo,
    cohort_file,
    settings,
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the invitation mail is sent in-process
    base = live_server.url
    log_in(page, base, f"bruggenbouwer@{DEMO_DOMAIN}", f"{PW}/members/")
    assert axe_violations(page) == []

    # The demo has a rollover due (last year's students ended on 31 August).
    page.goto(f"{base}{PW}/members/rollover/")
    assert page.locator("fieldset.rollover-row").count() >= 1
    assert axe_violations(page) == []

    # Upload, keep the guessed columns, preview, import.
    page.goto(f"{base}{PW}/members/import/")
    page.locator('input[type="file"]').set_input_files(str(cohort_file))
    page.locator('main form button[type="submit"]').click()
    page.locator('select[name="name"]').wait_for()
    assert axe_violations(page) == []
    page.locator('main form button[type="submit"]').click()
    page.locator('button[name="action"][value="import"]').wait_for()
    assert "Fenna Visser" in page.content()
    assert axe_violations(page) == []
    page.locator('button[name="action"][value="import"]').click()
    page.locator('ul[role="status"]').wait_for()
    assert "5" in page.locator('ul[role="status"] li').first.inner_text()
    assert (
        Membership.objects.filter(
            workplace__slug="revalidatie-de-linde", person__email__endswith="@hogeschool.example"
        ).count()
        == 5
    )

    # End Gijs's placement today.
    page.goto(f"{base}{PW}/members/?q=Gijs")
    page.locator("tr", has_text="Gijs de Wit").locator('a[href$="/end/"]').click()
    page.locator('input[name="ends_on"]').wait_for()
    assert axe_violations(page) == []
    page.locator('main form button[type="submit"]').click()
    page.locator("h1").wait_for()
    assert Membership.objects.get(person__name="Gijs de Wit").ends_on is not None

    # Invite Hira; she sets a password from the mail and logs in.
    page.goto(f"{base}{PW}/members/?q=Hira")
    page.locator("tr", has_text="Hira Bakker").locator('form[action$="/invite/"] button').click()
    page.locator("#member-status", has_text="Hira Bakker").wait_for()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["hira.bakker@hogeschool.example"]
    link = re.search(r"(/accounts/invitation/[A-Za-z0-9_\-]+/)", mail.outbox[0].body).group(1)

    hira = another_browser(bypass_csp=True)
    hira.goto(f"{base}{link}")
    hira.locator('input[name="new_password1"]').wait_for()
    assert axe_violations(hira) == []
    hira.locator('input[name="new_password1"]').fill("een-lang-wachtwoord-voor-hira")
    hira.locator('input[name="new_password2"]').fill("een-lang-wachtwoord-voor-hira")
    hira.locator('main form button[type="submit"]').click()
    hira.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    assert Person.objects.get(name="Hira Bakker").user.check_password(
        "een-lang-wachtwoord-voor-hira"
    )
    hira.goto(f"{base}{link}")  # the link works once
    assert "werkt niet" in hira.content() or "does not work" in hira.content()
