"""The goal wall for the morning huddle (issue 19): one dense grid, a huddle view for a
projector, and 30 goals printed on at most two A4 pages. Screenshots go to
``var/screenshots/`` (artefacts for people to look at, not compared)."""

from __future__ import annotations

import re

import pytest

from elements.models import Aspect
from tests.browser.conftest import axe_violations
from tests.browser.test_homes import SCREENSHOTS
from tests.browser.test_overview import log_in
from werkplaats.demo_data import DEMO_DOMAIN
from werkplaats.models import GoalStatus, GoalVisibility, LearningGoal, Membership, Workplace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PW = "revalidatie-de-linde"


def fill_wall(total: int = 30) -> None:
    """Give the demo PW ``total`` shared, active goals, each with an aspect and a co-owner."""
    workplace = Workplace.objects.get(slug=PW)
    people = [m.person for m in Membership.objects.current().filter(workplace=workplace)]
    aspects = list(Aspect.objects.all())
    shown = LearningGoal.objects.filter(
        workplace=workplace, status=GoalStatus.ACTIVE, visibility=GoalVisibility.WORKPLACE
    )
    for i in range(total - shown.count()):
        aspect = aspects[i % len(aspects)]
        goal = LearningGoal.objects.create(
            workplace=workplace,
            owner=people[i % len(people)],
            title=f"Leerdoel {i + 1}: beter leren vragen stellen aan elkaar in het overleg",
            status=GoalStatus.ACTIVE,
            visibility=GoalVisibility.WORKPLACE,
        )
        goal.co_owners.add(people[(i + 1) % len(people)])
        goal.elements.add(aspect.element_id)
        goal.aspects.add(aspect)
    assert shown.count() == total


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_thirty_goals_print_on_at_most_two_a4_pages(live_server, page, demo):
    fill_wall(30)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, f"student@{DEMO_DOMAIN}", f"/pw/{PW}/goals/wall/")
    assert page.locator(".wall-grid .goal-card").count() == 30
    # Cards sit side by side across the full width: at least four in the first row.
    tops = page.locator(".wall-grid .goal-card").evaluate_all(
        "cards => cards.map(c => c.getBoundingClientRect().top)"
    )
    assert tops[:4] == [tops[0]] * 4
    # The print button needs the script, which shows it.
    assert page.get_by_role("button", name="Afdrukken").is_visible()
    pages = pdf_pages(page.pdf(format="A4"))
    assert 1 <= pages <= 2, pages


def test_the_wall_and_the_huddle_view_pass_axe_and_fit_the_width(live_server, page, demo):
    """At 1366 and 390 px in one logged-in tab; a failure names the width."""
    fill_wall(12)
    log_in(page, live_server.url, f"student@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = "h => parseFloat(getComputedStyle(h).fontSize)"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/pw/{PW}/goals/wall/")
        on_the_wall = page.locator(".goal-card h3").first.evaluate(size)
        page.get_by_role("link", name="Huddle-weergave voor een beamer").click()
        page.locator(".huddle-head h1").wait_for()
        assert page.locator(".site-header").count() == 0, width
        # Large type: the card titles are half as large again as on the wall itself, or more.
        assert page.locator(".goal-card h3").first.evaluate(size) >= 1.5 * on_the_wall, width
        assert axe_violations(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"huddle-{width}.png"), full_page=True)
        page.get_by_role("link", name="Terug naar de muur").click()
        page.get_by_role("heading", name="Doelenmuur", level=1).wait_for()
        assert axe_violations(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
