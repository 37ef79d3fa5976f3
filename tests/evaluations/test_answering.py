"""Answering through the secret link: resume, save as you go, submit once, bad input refused."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.utils import timezone

from evaluations import answering, common, tokens
from evaluations.models import Answer, ElementComment, Item, Response
from tests.factories import CycleFactory, invitation_for
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cycle):
    return invitation_for(cycle, Role.CLIENT, email=None)


@pytest.fixture
def link(invitation):
    return f"/e/{tokens.issue_token(invitation)}/"


def without_csrf(response) -> bytes:
    """The page minus what differs per request: CSRF tokens and the requested path."""
    body = re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', b"", response.content)
    return re.sub(rb"/e/[A-Za-z0-9_\-]+/", b"/e/PATH/", body)


def checked_values(page: str, item) -> list[str]:
    """The values of the checked radio buttons of one item on a questionnaire page."""
    inputs = re.findall(rf'<input[^>]*name="item-{item.pk}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i]


def items_of(cycle, element):
    return list(Item.objects.filter(version=cycle.instrument_version, element=element))


def test_the_link_opens_the_questionnaire_without_an_account(client, invitation, link):
    landing = client.get(link)
    assert landing.status_code == 302
    assert landing["Location"] == f"/answer/{invitation.pk}/"
    intro = client.get(landing["Location"])
    assert intro.status_code == 200
    text = intro.content.decode()
    assert "Niemand ziet jouw eigen antwoorden: niet de bruggenbouwer" in text
    assert "Resultaten worden alleen getoond voor groepen van minstens 3 mensen" in text


def test_the_intro_states_the_threshold_in_force(client, settings, link):
    settings.EVALUATION_MIN_GROUP = 5
    text = client.get(client.get(link)["Location"]).content.decode()
    assert "Resultaten worden alleen getoond voor groepen van minstens 5 mensen" in text


def test_unknown_revoked_and_expired_links_look_the_same(client, cycle, invitation):
    token = tokens.issue_token(invitation)
    unknown = client.get("/e/" + "x" * 43 + "/")
    revoked_token = tokens.issue_token(invitation)
    tokens.new_link(invitation=invitation)  # revokes both earlier tokens
    revoked = client.get(f"/e/{revoked_token}/")
    assert client.get(f"/e/{token}/").status_code == 404
    closed = CycleFactory(workplace=cycle.workplace, status="closed")
    expired = client.get(f"/e/{tokens.issue_token(invitation_for(closed))}/")
    assert unknown.status_code == revoked.status_code == expired.status_code == 404
    assert without_csrf(unknown) == without_csrf(revoked) == without_csrf(expired)


def test_guessing_links_is_throttled_per_address_apart_from_logins(
    client, settings, invitation, link
):
    settings.EVALUATION_TOKEN_FAILURES = 3
    for n in range(3):
        assert client.get(f"/e/guess{n:040d}/").status_code == 404
    assert client.get("/e/another-guess-0000000000000000000000000/").status_code == 429
    # A valid link from the same address (an office network, a NAT) still opens.
    opened = client.get(link)
    assert (opened.status_code, opened["Location"]) == (302, f"/answer/{invitation.pk}/")
    assert client.get(f"/e/{link.split('/')[2]}/stop/").status_code == 200
    assert client.get("/e/guess-after-a-good-link-00000000000000000/").status_code == 429
    assert client.get("/e/x/stop/").status_code == 429
    other = client.get("/e/guess-elsewhere-000000000000000000000000/", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 404  # another address is not affected
    # The login page is not locked by link guessing.
    assert client.get("/accounts/login/").status_code == 200


def test_the_raw_token_never_reaches_the_logs(client, caplog, invitation):
    token = tokens.issue_token(invitation)
    from werkplaats.security import RedactTokens

    line = '"GET /e/%s/ HTTP/1.1" 302'
    record = logging.LogRecord("django.server", logging.INFO, "", 0, line, (token,), None)
    RedactTokens().filter(record)
    assert token not in record.getMessage()
    assert "/e/[redacted]/" in record.getMessage()
    with caplog.at_level(logging.WARNING):
        client.get("/e/" + "y" * 43 + "/")
    assert "y" * 43 not in caplog.text or all(
        "[redacted]" in r.getMessage() for r in caplog.records if "/e/" in r.getMessage()
    )


def test_answers_are_saved_as_given_and_the_respondent_resumes(client, cycle, invitation, link):
    client.get(link)
    los = items_of(cycle, "LOS")
    # With htmx each change is saved at once; the reply is the status for the live region.
    saved = client.post(
        f"/answer/{invitation.pk}/1/",
        {f"item-{los[0].pk}": "4", f"item-{los[1].pk}": "0", "comment": "Fijn team"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "Saved" in saved.content.decode() or "Opgeslagen" in saved.content.decode()
    assert "<html" not in saved.content.decode()
    response = Response.objects.get(invitation=invitation)
    assert dict(Answer.objects.filter(response=response).values_list("item", "value")) == {
        los[0].pk: 4,
        los[1].pk: 0,
    }
    assert ElementComment.objects.get(response=response).text == "Fijn team"
    # A new browser session: the link again, and the page shows what was saved.
    client.cookies.clear()
    client.get(link)
    page = client.get(f"/answer/{invitation.pk}/1/").content.decode()
    assert checked_values(page, los[0]) == ["4"]
    assert checked_values(page, los[1]) == ["0"]
    assert "Fijn team" in page


def test_clients_read_the_plain_language_statements(client, cycle, invitation, link):
    client.get(link)
    item = items_of(cycle, "LOS")[0]
    page = client.get(f"/answer/{invitation.pk}/1/").content.decode()
    assert item.plain_nl in page
    assert item.text_nl not in page


def test_others_read_the_standard_statements(client, cycle):
    invitation = invitation_for(cycle, Role.PROFESSIONAL)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    item = items_of(cycle, "LOS")[0]
    page = client.get(f"/answer/{invitation.pk}/1/").content.decode()
    assert item.text_nl in page


@pytest.mark.parametrize("value", ["6", "-1", "vier", "99999999999999999999"])
def test_out_of_range_answers_are_refused_and_nothing_is_stored(
    client, cycle, invitation, link, value
):
    client.get(link)
    los = items_of(cycle, "LOS")
    page = client.post(
        f"/answer/{invitation.pk}/1/",
        {f"item-{los[0].pk}": "3", f"item-{los[1].pk}": value, "comment": "mijn tekst"},
    )
    assert page.status_code == 200
    assert Answer.objects.count() == 0
    body = page.content.decode()
    assert "mijn tekst" in body  # nothing typed is lost
    assert "errorlist" in body


def test_an_item_of_another_instrument_version_is_refused(cycle, invitation):
    from evaluations.models import InstrumentVersion

    check_in = InstrumentVersion.objects.get(instrument__code="los-check-in")
    response = answering.start_response(invitation=invitation)
    foreign = Item.objects.filter(version=check_in).first()
    mine = Item.objects.filter(version=cycle.instrument_version).first()
    with pytest.raises(common.EvaluationError):
        answering.save_answers(response=response, answers={mine.pk: 3, foreign.pk: 3})
    assert Answer.objects.count() == 0


def test_without_javascript_the_pages_move_on_and_submit_once(client, cycle, invitation, link):
    client.get(link)
    pages = 6
    for step in range(1, pages + 1):
        element = ["LOS", "GOC", "SRI", "VMM", "LeA", "VOR"][step - 1]
        data = {f"item-{item.pk}": "5" for item in items_of(cycle, element)}
        moved = client.post(f"/answer/{invitation.pk}/{step}/", {**data, "next": "1"})
        assert moved.status_code == 302
        assert moved["Location"] == f"/answer/{invitation.pk}/{step + 1}/"
    final = client.get(f"/answer/{invitation.pk}/7/")
    assert "7" in final.content.decode()
    done = client.post(
        f"/answer/{invitation.pk}/7/",
        {"went_well": "Samen leren", "could_be_better": "Meer tijd", "submit": "1"},
    )
    assert done.status_code == 302 and done["Location"] == f"/answer/{invitation.pk}/done/"
    response = Response.objects.get(invitation=invitation)
    first_submit = response.submitted_at
    assert first_submit is not None
    assert Answer.objects.filter(response=response).count() == 30
    # Submitting again (second tab) keeps the first moment; answers may still change.
    client.post(f"/answer/{invitation.pk}/7/", {"went_well": "Anders", "submit": "1"})
    response.refresh_from_db()
    assert response.submitted_at == first_submit
    assert response.went_well == "Anders"
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_after_closing_nothing_is_stored(client, cycle, invitation, link):
    client.get(link)
    los = items_of(cycle, "LOS")
    cycle.closes_at = timezone.now() - dt.timedelta(minutes=1)
    cycle.save(update_fields=["closes_at"])
    refused = client.post(f"/answer/{invitation.pk}/1/", {f"item-{los[0].pk}": "4"})
    assert refused.status_code == 410
    assert Answer.objects.count() == 0
    response = answering.start_response(invitation=invitation)
    with pytest.raises(common.EvaluationError):
        answering.submit_response(response=response)


def test_another_browser_cannot_open_someone_elses_answers(client, cycle, invitation, link):
    assert client.get(f"/answer/{invitation.pk}/").status_code == 404
    assert client.get(f"/answer/{invitation.pk}/1/").status_code == 404
    client.get(link)
    other = invitation_for(cycle, Role.STUDENT)
    assert client.get(f"/answer/{other.pk}/1/").status_code == 404


def test_a_logged_in_member_answers_from_the_home_page(client, cycle):
    invitation = invitation_for(cycle, Role.STUDENT)
    user = invitation.person.user
    client.force_login(user)
    home = client.get("/").content.decode()
    assert f"/answer/{invitation.pk}/" in home
    url = f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/answer/"
    assert client.get(url)["Location"] == f"/answer/{invitation.pk}/"
    assert client.get(f"/answer/{invitation.pk}/1/").status_code == 200


def test_a_member_without_an_invitation_gets_404(client, cycle, member):
    client.force_login(member)
    assert (
        client.get(f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/answer/").status_code == 404
    )


def test_stopping_reminders_asks_first(client, invitation, link):
    token = link.split("/")[2]
    page = client.get(f"/e/{token}/stop/")
    assert page.status_code == 200
    invitation.refresh_from_db()
    assert invitation.reminders_stopped_at is None  # a mail scanner's GET changes nothing
    client.post(f"/e/{token}/stop/")
    invitation.refresh_from_db()
    assert invitation.reminders_stopped_at is not None


def test_the_intro_promises_a_time_computed_from_the_statements(client, cycle):
    from evaluations.respond_views import answering_minutes

    assert answering_minutes(0) == 3 and answering_minutes(12) == 5
    assert answering_minutes(30) == 10 and answering_minutes(31) == 10
    assert answering_minutes(33) == 11
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    page = client.get(f"/answer/{invitation.pk}/").content.decode()
    statements = cycle.instrument_version.items.count()
    assert f"Het duurt ongeveer {answering_minutes(statements)} minuten." in page


def test_a_changed_comment_replaces_the_saved_one(client, cycle, invitation, link):
    client.get(link)
    los = items_of(cycle, "LOS")
    for text in ("Eerste versie", "  Tweede versie  "):
        client.post(
            f"/answer/{invitation.pk}/1/",
            {f"item-{los[0].pk}": "4", "comment": text},
            headers={"HX-Request": "true"},
        )
    response = Response.objects.get(invitation=invitation)
    comments = ElementComment.objects.filter(response=response)
    assert list(comments.values_list("element", "text")) == [("LOS", "Tweede versie")]
