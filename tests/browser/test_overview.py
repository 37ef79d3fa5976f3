"""The demo bridge-builder logs in and sees the PW overview; pages pass axe-core checks."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from werkplaats.demo_data import DEMO_DOMAIN, DEMO_PASSWORD
from werkplaats.models import Activity, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, email: str, path: str = "/") -> None:
    """Open ``path`` (the home page unless another is named) logged in as ``email``: a session
    made as Django's test client makes one, its cookie given to the browser (half the time of
    the form; the tests of logging in use ``log_in_with_form``). A test that starts on another
    page opens that one first, not the home page on the way."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    page.goto(f"{base}{path}")


def log_in_with_form(page, base: str, email: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_bridge_builder_logs_in_and_sees_the_workplace_overview(live_server, page, demo):
    log_in_with_form(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    card = page.get_by_role("link", name="PW Revalidatie De Linde", exact=True)
    assert card.is_visible()
    # A bridge-builder of De Linde sees only De Linde, with its people counted per role.
    assert page.get_by_role("link", name="PW Revalidatie Oostpoort").count() == 0
    assert page.locator(".card").count() == 1
    assert "28 personen" in page.locator(".card").inner_text()
    card.click()
    page.get_by_role("heading", name="PW Revalidatie De Linde", level=1).wait_for()
    assert page.get_by_role("heading", name="Partnerorganisaties").is_visible()
    assert page.locator(".role-block").count() == 6


def test_main_pages_have_no_axe_violations(live_server, page, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []
    log_in_with_form(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/pw/revalidatie-de-linde/")
    assert axe_violations(page) == []
    for path in (
        "/privacy/",
        "/pw/revalidatie-de-linde/evaluations/",
        "/pw/revalidatie-de-linde/agenda/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert axe_violations(page) == [], path


def test_keyboard_user_reaches_the_content_through_the_skip_link(live_server, page, demo):
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_wrong_password_shows_a_clear_message(live_server, page, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill(f"student@{DEMO_DOMAIN}")
    page.get_by_label("Wachtwoord").fill("niet-het-goede")
    page.get_by_role("button", name="Inloggen").click()
    alert = page.get_by_role("alert")
    assert "Voer een juiste e-mailadres en wachtwoord in" in alert.inner_text()


def test_model_page_is_keyboard_navigable_and_passes_axe(live_server, page, demo):
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}", "/pw/revalidatie-de-linde/model/")
    assert axe_violations(page) == []
    # The six elements are links in model order: LOS, GOC, then the four supports.
    links = page.locator(".los-grid a")
    assert links.count() == 6
    codes = [links.nth(i).locator(".los-code").inner_text() for i in range(6)]
    assert codes == ["LOS", "GOC", "SRI", "VMM", "LeA", "VOR"]
    links.nth(0).focus()
    for _ in range(5):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip().startswith("VOR")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Vormgeven en onderhouden van relaties", level=1).wait_for()
    assert "/pw/revalidatie-de-linde/model/VOR/" in page.url
    assert axe_violations(page) == []


def test_characteristics_checklist_passes_axe(live_server, page, demo):
    log_in(
        page, live_server.url, f"manager@{DEMO_DOMAIN}", "/pw/revalidatie-de-linde/characteristics/"
    )
    assert page.locator(".check").count() == 9
    assert axe_violations(page) == []


def tab_to(page, condition: str, *, backwards: bool = False, limit: int = 300) -> None:
    """Press Tab (or Shift+Tab) until the focused element satisfies a JS condition on `el`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({condition}); }})()"
        ):
            return
        page.keyboard.press(key)
    raise AssertionError(f"keyboard focus never reached: {condition}")


def strip_count(page, code: str) -> int:
    item = page.locator(".strip-item", has=page.locator(".los-code", has_text=code))
    return int(item.locator(".strip-count").inner_text())


def test_bridge_builder_logs_an_activity_with_the_keyboard_only(live_server, page, demo):
    log_in(
        page,
        live_server.url,
        f"bruggenbouwer@{DEMO_DOMAIN}",
        "/pw/revalidatie-de-linde/activities/",
    )
    before = strip_count(page, "VOR")
    rows_before = page.locator("#activity-rows tr").count()
    # Keyboard only from the top of the page: open "Elements and participants", tick VOR.
    tab_to(page, "el.tagName === 'SUMMARY'")
    page.keyboard.press("Enter")
    tab_to(page, "el.type === 'checkbox' && el.value === 'VOR'")
    page.keyboard.press("Space")
    # Back to the title, type it, Enter saves.
    tab_to(page, "el.name === 'title'", backwards=True)
    page.keyboard.type("Koffie met de nieuwe stagiairs")
    page.keyboard.press("Enter")
    # htmx swaps in the new row and the strip without a page reload; the form resets.
    page.locator("#activity-rows tr", has_text="Koffie met de nieuwe stagiairs").wait_for()
    assert page.locator("#activity-rows tr").count() == rows_before + 1
    assert strip_count(page, "VOR") == before + 1
    assert page.locator("#id_title").input_value() == ""
    assert "Koffie met de nieuwe stagiairs" in page.get_by_role("status").first.inner_text()
    assert axe_violations(page) == []


def test_filters_update_the_list_and_the_address(live_server, page, demo):
    log_in(page, live_server.url, f"manager@{DEMO_DOMAIN}", "/pw/revalidatie-de-linde/activities/")
    total = page.locator("#activity-rows tr").count()
    page.get_by_label("Niveau").select_option("strategic")
    page.wait_for_url("**level=strategic**")
    page.wait_for_function(f"document.querySelectorAll('#activity-rows tr').length < {total}")
    strategic = Activity.objects.filter(
        workplace__slug="revalidatie-de-linde", level="strategic"
    ).count()
    assert page.locator("#activity-rows tr").count() == strategic
    page.go_back()
    page.wait_for_function(f"document.querySelectorAll('#activity-rows tr').length == {total}")


def test_participants_can_be_found_by_name(live_server, page, demo):
    log_in(
        page,
        live_server.url,
        f"bruggenbouwer@{DEMO_DOMAIN}",
        "/pw/revalidatie-de-linde/activities/new/",
    )
    search = page.get_by_role("searchbox", name="Zoek op naam")
    everyone = page.locator("#id_participants > div:visible").count()
    assert everyone > 20
    search.fill("yilmaz")
    visible = page.locator("#id_participants > div:visible")
    assert visible.count() == 1
    assert "Wouter Yilmaz" in visible.inner_text()


def test_an_activity_is_edited_inline_without_leaving_the_list(live_server, page, demo):
    log_in(
        page,
        live_server.url,
        f"bruggenbouwer@{DEMO_DOMAIN}",
        "/pw/revalidatie-de-linde/activities/",
    )
    row = page.locator("#activity-rows tr").first
    row_id = row.get_attribute("id")
    row.get_by_role("link", name="Bewerken").click()
    form_row = page.locator(f"#{row_id}")
    form_row.get_by_label("Titel").fill("Intervisie (bijgewerkt)")
    form_row.get_by_role("button", name="Opslaan").click()
    page.locator(f"#{row_id}", has_text="Intervisie (bijgewerkt)").wait_for()
    assert page.locator(f"#{row_id} form").count() == 0
    assert page.url.endswith("/activities/")
    assert axe_violations(page) == []


def test_student_shares_a_goal_and_sees_the_supporters_feedback(live_server, page, demo):
    log_in(page, live_server.url, f"student@{DEMO_DOMAIN}", "/pw/revalidatie-de-linde/goals/")
    page.get_by_role("link", name="Nieuw doel").click()
    page.get_by_label("Doel", exact=False).first.fill("Elke dag één vraag stellen aan een cliënt")
    page.get_by_label("de hele werkplaats").check()
    page.get_by_label("Actief: nu delen").check()
    page.get_by_role("checkbox", name="LOS-3 · Elkaar opbouwend-kritisch bevragen").check()
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("heading", name="Elke dag één vraag stellen aan een cliënt").wait_for()
    goal_url = page.url
    # Ask the demo supporter.
    supporter = page.get_by_label("Vraag iemand om dit doel te ondersteunen")
    name = User.objects.get(email=f"ondersteuner@{DEMO_DOMAIN}").person.name
    option = supporter.locator("option", has_text=name).first
    supporter.select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Vragen").click()
    page.get_by_text("is gevraagd om dit doel te ondersteunen").wait_for()
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, live_server.url, f"ondersteuner@{DEMO_DOMAIN}", "/pw/revalidatie-de-linde/goals/")
    page.get_by_role("button", name="Ja, ik ondersteun").click()
    page.goto(goal_url)
    page.get_by_label("Je bericht").fill("Mooi doel! Begin bij de cliënt die je al kent.")
    page.get_by_role("button", name="Feedback geven").click()
    page.get_by_text("Je bericht is toegevoegd.").wait_for()
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, live_server.url, f"student@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    page.goto(goal_url)
    timeline = page.locator(".timeline")
    assert "Mooi doel! Begin bij de cliënt die je al kent." in timeline.inner_text()
    assert f"{name} (ondersteunt)" in page.locator("#support-title + ul").inner_text()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/pw/revalidatie-de-linde/goals/wall/")
    assert "Elke dag één vraag stellen aan een cliënt" in page.content()
    assert axe_violations(page) == []


def test_the_content_security_policy_lets_the_site_work(live_server, strict_page, demo):
    page = strict_page
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    response = page.goto(f"{live_server.url}/pw/revalidatie-de-linde/activities/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.get_by_label("Titel").fill("Onder CSP vastgelegd")
    page.keyboard.press("Enter")  # htmx (served from this site) must still swap the row in
    page.locator("#activity-rows tr", has_text="Onder CSP vastgelegd").wait_for()
    # Only htmx's out-of-band swap fills this status region; a full reload leaves it empty.
    assert "Onder CSP vastgelegd" in page.locator("#activity-status").text_content()
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
