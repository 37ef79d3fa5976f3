"""The privacy page: open to everyone, Dutch and English, linked from every page and from the
start of every questionnaire, with the configured retention period."""

import pytest

from evaluations import tokens
from tests.factories import CycleFactory, invitation_for
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def test_the_privacy_page_is_open_and_in_dutch_and_english(client, settings):
    settings.EVALUATION_RETENTION_DAYS = 365
    dutch = client.get("/privacy/").content.decode()
    assert "Wie ziet wat" in dutch and "365" in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/privacy/").content.decode()
    assert "Who sees what" in english and "365" in english


def test_every_page_and_every_questionnaire_link_to_it(client, workplace):
    assert 'href="/privacy/"' in client.get("/accounts/login/").content.decode()
    invitation = invitation_for(CycleFactory(workplace=workplace), Role.CLIENT, email=None)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    assert 'href="/privacy/"' in client.get(f"/answer/{invitation.pk}/").content.decode()


def test_the_processing_register_is_kept_in_the_repository():
    from pathlib import Path

    register = Path(__file__).resolve().parents[2] / "docs" / "processing-register.md"
    text = register.read_text()
    assert "article 30" in text and "Retention" in text and "EVALUATION_RETENTION_DAYS" in text
