"""The demo manager opens the yearly dashboard of the demo PW, sees the radar and the summary,
switches to last year, and prints it to PDF; the dashboard passes axe-core."""

from __future__ import annotations

import pytest

from evaluations.models import CycleKind, CycleStatus, EvaluationCycle
from tests.browser.conftest import axe_violations
from tests.browser.test_overview import demo, log_in  # noqa: F401 — fixture and helper
from werkplaats.management.commands.seed_demo import DEMO_DOMAIN, DEMO_WORKPLACE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_reads_switches_and_prints_the_yearly_dashboard(live_server, page, demo):  # noqa: F811
    yearly = list(
        EvaluationCycle.objects.filter(
            workplace__slug=DEMO_WORKPLACE, kind=CycleKind.YEARLY, status=CycleStatus.CLOSED
        ).order_by("-opens_at")
    )
    assert len(yearly) == 2
    latest, last_year = yearly
    log_in(page, live_server.url, f"manager@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    page.goto(f"{live_server.url}/pw/{DEMO_WORKPLACE}/results/")
    page.get_by_role(
        "heading", name=f"Resultaten: jaarlijkse structurele evaluatie {latest.label}"
    ).wait_for()
    assert page.locator("svg polygon.radar-series").count() >= 1
    summary = page.get_by_role("region", name="In het kort")
    assert "Sterkste element" in summary.inner_text()
    assert axe_violations(page) == []
    # Switch to last year with the cycle chooser (the form submits itself on change).
    page.get_by_label("Cyclus", exact=True).select_option(str(last_year.pk))
    page.get_by_role(
        "heading", name=f"Resultaten: jaarlijkse structurele evaluatie {last_year.label}"
    ).wait_for()
    assert f"/results/{last_year.pk}/" in page.url
    pdf = page.pdf(format="A4")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000
