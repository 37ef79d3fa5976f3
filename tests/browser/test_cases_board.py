"""The demo student starts a practice case, moves it on the board and adds an output; the
manager's count of this school year's outputs goes up. The board passes axe-core."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations
from tests.browser.test_overview import log_in
from werkplaats.demo_data import DEMO_DOMAIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PW = "/pw/revalidatie-de-linde"


def _outputs_line(page, base: str) -> str:
    page.goto(f"{base}{PW}/")
    return page.locator("#case-counts").inner_text()


def _counts(line: str) -> tuple[int, int]:
    """(outputs this school year, running cases) from the hub's case counts."""
    outputs = re.search(r"(\d+) opbrengst(?:en)? dit schooljaar", line)
    running = re.search(r"(\d+) lopende cas(?:us|ussen)", line)
    return int(outputs.group(1)), int(running.group(1)) if running else 0


def test_student_creates_a_case_and_an_output_and_the_managers_count_goes_up(
    live_server,
    another_browser,
    demo,
):
    base = live_server.url
    manager = another_browser()
    log_in(manager, base, f"manager@{DEMO_DOMAIN}")
    manager.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    outputs_before, running_before = _counts(_outputs_line(manager, base))

    student = another_browser(bypass_csp=True)
    log_in(student, base, f"student@{DEMO_DOMAIN}", f"{PW}/cases/new/")
    student.locator('input[name="title"]').fill("Cliënten bij de overdracht")
    student.locator('textarea[name="question"]').fill("Hoe betrekken we cliënten?")
    student.locator('select[name="kind"]').select_option("graduation")
    student.get_by_role("button", name="Opslaan").click()
    student.get_by_role("heading", name="Cliënten bij de overdracht", level=1).wait_for()

    # The board, with htmx: the move swaps the board and announces itself.
    student.goto(f"{base}{PW}/cases/")
    assert axe_violations(student) == []
    card = student.locator(".case-card", has_text="Cliënten bij de overdracht")
    card.get_by_role("button", name="Naar loopt").click()
    student.locator("#board-status", has_text="verplaatst").wait_for(state="attached")
    assert student.locator("#column-running + ul", has_text="Cliënten bij de overdracht").count()

    student.get_by_role("link", name="Cliënten bij de overdracht").click()
    student.locator('select[name="kind"]').select_option("graduation_work")
    student.locator('input[name="title"]').fill("Afstudeerverslag overdracht")
    student.locator('input[name="date"]').fill(timezone.localdate().isoformat())
    student.get_by_role("button", name="Opbrengst toevoegen").click()
    student.get_by_text("Afstudeerverslag overdracht").first.wait_for()
    assert axe_violations(student) == []

    # The demo has cases and outputs of its own: the student's case and output come on top.
    assert _counts(_outputs_line(manager, base)) == (outputs_before + 1, running_before + 1)


def test_case_pages_have_no_axe_violations(live_server, page, demo):
    """One login for the six pages (they only read): each page's failure names it."""
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    for path in ["cases/new/", "notes/", "notes/new/", "pool/", "pool/new/", "studies/"]:
        response = page.goto(f"{live_server.url}{PW}/{path}")
        assert response.status == 200, path
        assert axe_violations(page) == [], path


def test_moving_a_case_works_under_the_enforced_content_security_policy(
    live_server,
    strict_page,
    demo,
):
    from cases.models import CaseStatus, PracticeCase
    from werkplaats.models import Workplace

    workplace = Workplace.objects.get(slug="revalidatie-de-linde")
    lead = workplace.memberships.filter(role="student").first().person
    case = PracticeCase.objects.create(
        workplace=workplace, title="Onder CSP verplaatst", question="?", kind="research", lead=lead
    )
    page = strict_page
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}", f"{PW}/cases/")
    card = page.locator(".case-card", has_text="Onder CSP verplaatst")
    card.get_by_role("button", name="Naar afgerond").click()
    # Only htmx's out-of-band swap fills the status region; a full reload leaves it empty.
    page.locator("#board-status", has_text="Onder CSP verplaatst").wait_for(state="attached")
    case.refresh_from_db()
    assert case.status == CaseStatus.FINISHED
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
