"""Layout defects seen at 1366 and 390 px (issue 19): nothing overflows its card."""

from __future__ import annotations

import pytest

from tests.browser.test_overview import log_in
from werkplaats.demo_data import DEMO_DOMAIN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PW = "/pw/revalidatie-de-linde"

OVERFLOWING = """(selector) => [...document.querySelectorAll(selector)].filter((box) =>
    [...box.querySelectorAll('*')].some((el) =>
        el.getBoundingClientRect().right > box.getBoundingClientRect().right + 0.5)
).length"""


@pytest.mark.parametrize("width", [1366, 390])
def test_addresses_on_the_pw_home_stay_inside_their_cards(
    live_server,
    page,
    demo,
    width,
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}", f"{PW}/")
    assert page.locator(".role-block a[href^='mailto:']").count() > 0
    assert page.evaluate(OVERFLOWING, ".role-block") == 0
    page.goto(f"{live_server.url}/")
    assert page.evaluate(OVERFLOWING, ".card") == 0


def test_action_cells_stay_in_the_table_and_the_chosen_period_is_marked(
    live_server,
    page,
    demo,
):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, f"bruggenbouwer@{DEMO_DOMAIN}", f"{PW}/activities/")
    cells = page.locator("td.actions")
    assert cells.count() > 0
    assert set(cells.evaluate_all("cells => cells.map(c => getComputedStyle(c).display)")) == {
        "table-cell"
    }
    page.get_by_role("link", name="Dit schooljaar").click()
    page.wait_for_url("**date_from=**")
    assert page.locator(".presets a[aria-current]").inner_text() == "Dit schooljaar"
