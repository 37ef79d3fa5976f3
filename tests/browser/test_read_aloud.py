"""Read aloud on the questionnaire (issue 18): with a voice for the page's language, a button
per statement and one for the page, with pause and stop, all by keyboard; without a voice the
buttons stay hidden and a sentence says why. The browser's speech synthesis is replaced by a
recorder (headless Chromium has no voices), so the test sees exactly what would be spoken."""

from __future__ import annotations

import pytest

from evaluations import tokens
from tests.browser.conftest import axe_violations
from tests.factories import CycleFactory, WorkplaceFactory, invitation_for
from tests.reference import reload_reference_data
from werkplaats.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_SPEECH = """
window.__spoken = []; window.__calls = [];
const voices = %s;
const fake = {
  getVoices: () => voices,
  speak: (u) => window.__spoken.push([u.text, u.lang]),
  cancel: () => window.__calls.push('cancel'),
  pause: () => window.__calls.push('pause'),
  resume: () => window.__calls.push('resume'),
  addEventListener: () => {},
  onvoiceschanged: null,
};
Object.defineProperty(window, 'speechSynthesis', {value: fake, configurable: true});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""


@pytest.fixture
def client_link(live_server, db):
    reload_reference_data()  # a transactional test starts without the migrations' rows
    cycle = CycleFactory(workplace=WorkplaceFactory(name="PW De Linde", slug="de-linde"))
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    return invitation, f"{live_server.url}/e/{tokens.issue_token(invitation)}/"


def test_a_client_has_statements_read_aloud_in_plain_dutch(live_server, page, client_link):
    invitation, link = client_link
    page.add_init_script(FAKE_SPEECH % "[{lang: 'nl-NL', name: 'Nederlands'}]")
    page.goto(link)
    page.get_by_role("button", name="Lees deze pagina voor").wait_for()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/answer/{invitation.pk}/1/")
    first = page.locator("[data-read-one]").first
    first.focus()
    page.keyboard.press("Enter")
    spoken = page.evaluate("window.__spoken")
    statement = invitation.cycle.instrument_version.items.filter(element="LOS").first()
    assert spoken == [[statement.wording_for(Role.CLIENT), "nl-NL"]]
    # The whole page: the plain title, the instruction and every statement, nothing typed.
    page.get_by_role("button", name="Lees deze pagina voor").click()
    texts = [text for text, _lang in page.evaluate("window.__spoken")[1:]]
    assert texts[0] == "Samen leren en onderzoeken" and len(texts) == 2 + 5
    page.get_by_role("button", name="Pauze").click()
    assert page.get_by_role("button", name="Pauze").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Stoppen").click()
    assert page.evaluate("window.__calls").count("pause") == 1
    assert page.evaluate("window.__calls")[-1] == "cancel"
    assert axe_violations(page) == []


def test_without_a_voice_the_buttons_stay_hidden_and_it_says_why(live_server, page, client_link):
    invitation, link = client_link
    page.add_init_script(FAKE_SPEECH % "[{lang: 'en-GB', name: 'English'}]")  # no Dutch voice
    page.goto(link)
    page.goto(f"{live_server.url}/answer/{invitation.pk}/1/")
    assert page.get_by_text("Voorlezen kan hier niet").is_visible()
    assert not page.locator("[data-read-page]").is_visible()
    assert not page.locator("[data-read-one]").first.is_visible()


def test_a_client_alone_in_the_group_is_warned_and_answers_with_help(
    live_server, page, client_link
):
    """Issue 18: the small-group warning before starting, and "answered with help" ticked
    with the keyboard on the last page; both pages pass axe-core."""
    from evaluations.models import Response

    invitation, link = client_link  # the only client invited: a group of one
    page.goto(link)
    warning = page.get_by_role("region", name="Je groep is klein")
    assert "niet apart getoond" in warning.inner_text()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/answer/{invitation.pk}/7/")
    helped = page.get_by_label("Iemand heeft me geholpen bij het invullen")
    helped.focus()
    page.keyboard.press("Space")
    assert helped.is_checked()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Mijn antwoorden insturen").click()
    page.get_by_role("heading", level=1).wait_for()
    response = Response.objects.get(invitation=invitation)
    assert response.assisted and response.submitted_at is not None
