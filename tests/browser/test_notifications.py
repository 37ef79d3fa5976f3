"""The demo student asks the demo supporter for support; the supporter finds the request on
the home page and in the inbox, answers and gives feedback; the student sees the unread count
and the feedback (issue 15). The inbox and the settings page pass axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_overview import log_in
from werkplaats.demo_data import DEMO_DOMAIN
from werkplaats.models import Notification, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PW = "/pw/revalidatie-de-linde"
TITLE = "Om hulp durven vragen in het team"


def test_a_support_request_and_feedback_reach_each_other_through_the_inbox(
    live_server,
    page,
    demo,
):
    base = live_server.url
    supporter = Person.objects.get(user__email=f"ondersteuner@{DEMO_DOMAIN}")
    student = Person.objects.get(user__email=f"student@{DEMO_DOMAIN}")
    # The demo may already have told the student something (an output of their case).
    unread_before = Notification.objects.filter(recipient=student, read_at=None).count()
    log_in(page, base, f"student@{DEMO_DOMAIN}", f"{PW}/goals/new/")
    page.locator("input[name=title]").fill(TITLE)
    page.locator('main form button[type="submit"]').last.click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    page.locator('form[action$="/ask/"] select').select_option(str(supporter.pk))
    page.locator('form[action$="/ask/"] button[type="submit"]').click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    assert Notification.objects.filter(recipient=supporter, kind="support-asked").count() == 1

    # The supporter: the request waits on the home page and in the inbox.
    page.context.clear_cookies()
    log_in(page, base, f"ondersteuner@{DEMO_DOMAIN}")
    waiting = page.locator("section", has=page.get_by_role("heading", name="Wacht op jou"))
    waiting.wait_for()
    assert TITLE in waiting.inner_text()
    assert page.locator(".site-nav .badge").count() == 1
    page.get_by_role("link", name="Meldingen").first.click()
    page.get_by_role("heading", name="Meldingen", level=1).wait_for()
    assert "Je wordt gevraagd een doel te steunen" in page.content()
    assert axe_violations(page) == []
    page.goto(f"{base}/notifications/settings/")
    page.get_by_role("heading", name="Instellingen voor meldingen", level=1).wait_for()
    assert axe_violations(page) == []

    page.goto(f"{base}/")
    waiting.locator('button[name="answer"][value="yes"]').click()
    page.get_by_text("Dank je voor je antwoord").wait_for()
    page.goto(f"{base}{PW}/goals/wall/")
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("heading", name=TITLE, level=1).wait_for()
    page.locator("form.update-form textarea").fill("Mooi dat je dit aandurft: vraag het Lotte.")
    page.locator("form.update-form button[type=submit]").click()
    page.get_by_text("Mooi dat je dit aandurft").wait_for()

    # The student: two more unread (the answer and the feedback), the feedback behind them.
    page.context.clear_cookies()
    log_in(page, base, f"student@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    badge = page.locator(".site-nav .badge")
    assert badge.inner_text().split()[0] == str(unread_before + 2)
    page.get_by_role("link", name="Meldingen").first.click()
    page.get_by_role("heading", name="Meldingen", level=1).wait_for()
    page.locator("main .notification-list").get_by_role(
        "link", name="Nieuwe feedback op je doel"
    ).click()
    page.get_by_text("Mooi dat je dit aandurft").wait_for()
    assert page.locator(".site-nav .badge").inner_text().split()[0] == str(unread_before + 1)
