"""A client answers the check-in through the link with the keyboard, closes the page halfway,
returns, finishes; the bridge-builder sees the clients' response go up. Pages pass axe-core."""

from __future__ import annotations

import pytest

from evaluations import tokens
from evaluations.models import CycleStatus, EvaluationCycle, Invitation
from tests.browser.conftest import axe_violations
from tests.browser.test_overview import log_in, tab_to
from werkplaats.demo_data import DEMO_DOMAIN, DEMO_WORKPLACE
from werkplaats.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clients_responded(page, url: str) -> int:
    page.goto(url)
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Cliënt / ervaringsdeskundige"))
    return int(row.locator("td").nth(1).inner_text())


def choose_with_keyboard(page, presses: int) -> None:
    """Tab into the first unanswered statement and move along the scale with the arrow keys."""
    tab_to(page, "el.type === 'radio' && !el.closest('fieldset').querySelector(':checked')")
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
    page.get_by_role("status").filter(has_text="Opgeslagen om").wait_for()


def test_a_client_answers_with_the_keyboard_resumes_and_the_rate_goes_up(
    live_server,
    another_browser,
    page,
    demo,
):
    cycle = EvaluationCycle.objects.get(workplace__slug=DEMO_WORKPLACE, status=CycleStatus.OPEN)
    invitation = Invitation.objects.filter(cycle=cycle, role=Role.CLIENT, response=None).first()
    token = tokens.issue_token(invitation)
    cycle_url = f"{live_server.url}/pw/{DEMO_WORKPLACE}/evaluations/{cycle.pk}/"

    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    before = clients_responded(page, cycle_url)
    assert axe_violations(page) == []

    # The client opens the link on their own device: no account, no session.
    client = another_browser(bypass_csp=True)
    client.goto(f"{live_server.url}/e/{token}/")
    client.get_by_role("heading", name="Wie ziet wat").wait_for()
    assert "/e/" not in client.url  # the token left the address bar
    assert axe_violations(client) == []
    tab_to(client, "el.textContent.trim() === 'Beginnen'")
    client.keyboard.press("Enter")
    client.get_by_text("Stap 1 van 7").wait_for()
    assert axe_violations(client) == []
    choose_with_keyboard(client, 3)  # the fourth option: "4 · eens"
    tab_to(client, "el.textContent.trim() === 'Opslaan en verder'")
    client.keyboard.press("Enter")
    client.get_by_text("Stap 2 van 7").wait_for()
    choose_with_keyboard(client, 4)
    client.context.close()  # halfway: the browser is closed

    # Later, in a fresh browser, the same link resumes with the saved answers.
    client = another_browser(bypass_csp=True)
    client.goto(f"{live_server.url}/e/{token}/")
    tab_to(client, "el.textContent.trim() === 'Verder'")
    client.keyboard.press("Enter")
    client.get_by_text("Stap 1 van 7").wait_for()
    assert client.locator("input[type=radio]:checked").get_attribute("value") == "4"
    tab_to(client, "el.textContent.trim() === 'Opslaan en verder'")
    client.keyboard.press("Enter")
    client.get_by_text("Stap 2 van 7").wait_for()
    assert client.locator("input[type=radio]:checked").get_attribute("value") == "5"
    for step in range(3, 8):
        tab_to(client, "el.textContent.trim() === 'Opslaan en verder'")
        client.keyboard.press("Enter")
        client.get_by_text(f"Stap {step} van 7").wait_for()
        if step < 7:
            choose_with_keyboard(client, 2)
    client.get_by_role("heading", name="Twee open vragen").wait_for()
    assert axe_violations(client) == []
    client.get_by_label("Wat gaat goed? Wat waardeer je in deze werkplaats?").fill(
        "Dat ik mee mag denken."
    )
    tab_to(client, "el.textContent.trim() === 'Mijn antwoorden insturen'")
    client.keyboard.press("Enter")
    client.get_by_role("heading", name="Bedankt!").wait_for()
    client.context.close()

    assert clients_responded(page, cycle_url) == before + 1
