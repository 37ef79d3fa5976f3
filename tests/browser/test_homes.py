"""The home page of each demo role leads with what that role does first (issue 19), at 1366
and 390 px, passes axe-core, and leaves a screenshot in ``var/screenshots/`` (a test artefact
for people to look at, not compared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import axe_violations
from tests.browser.test_overview import log_in
from werkplaats.demo_data import DEMO_DOMAIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# What each role's home shows first: a heading (or a form) that belongs to its job.
LEADS = {
    "bruggenbouwer": "#quick-log form",
    "manager": "#latest-results-title",
    "student": "#my-goals-title",
    "ondersteuner": "#my-goals-title",
    "client": "#my-goals-title",
    "beheer": "#running-title",
}


@pytest.mark.parametrize("login", list(LEADS))
def test_each_role_home_leads_with_its_job_and_passes_axe(live_server, page, demo, login):
    """At both widths in one session: the home read again at the phone's width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, f"{login}@{DEMO_DOMAIN}")
    for width in (1366, 390):
        if width != 1366:
            page.set_viewport_size({"width": width, "height": 900})
            page.reload()
        page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
        assert page.locator(LEADS[login]).count() == 1, width
        assert axe_violations(page) == [], width
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"home-{login}-{width}.png"), full_page=True)


def test_the_pw_home_the_dashboard_and_the_wall_pass_axe_at_both_widths(live_server, page, demo):
    from evaluations.models import EvaluationCycle

    closed = EvaluationCycle.objects.filter(
        workplace__slug="revalidatie-de-linde", status="closed"
    ).latest("closes_at")
    pw = "/pw/revalidatie-de-linde"
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = [
        ("pw-home", f"{pw}/"),
        ("dashboard", f"{pw}/results/{closed.pk}/"),
        ("wall", f"{pw}/goals/wall/"),
    ]
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages:
            page.goto(f"{live_server.url}{path}")
            page.locator("h1").wait_for()
            assert axe_violations(page) == [], (name, width)
            # Wide tables scroll inside their own region; the page itself never sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    # The PW home is a hub: the sections grouped with counts, names behind a disclosure.
    page.goto(f"{live_server.url}{pw}/")
    for heading in ("Elke dag", "Elk jaar", "Onderzoek", "Onlangs"):
        assert page.get_by_role("heading", name=heading, level=2).count() == 1
    assert not page.locator(".member-names .role-block").first.is_visible()
    page.locator(".member-names summary").click()
    assert page.locator(".member-names .role-block").first.is_visible()
