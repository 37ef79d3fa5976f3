"""A respondent whose group is too small to be shown is told so before starting (issue 18)."""

from __future__ import annotations

import pytest

from evaluations import tokens
from tests.factories import invitation_for
from werkplaats.models import Role

pytestmark = pytest.mark.django_db
WARNING = "Je groep is klein"


def intro(client, invitation) -> str:
    landing = client.get(f"/e/{tokens.issue_token(invitation)}/")
    return client.get(landing["Location"]).content.decode()


def test_a_client_alone_in_their_group_is_warned_and_told_why(client, cycle):
    client_invitation = invitation_for(cycle, Role.CLIENT, email=None)
    for _ in range(3):
        invitation_for(cycle, Role.STUDENT)
    html = intro(client, client_invitation)
    assert WARNING in html
    assert "niet apart getoond" in html and "cliënt" in html


def test_a_group_at_the_threshold_gets_no_warning(client, cycle):
    students = [invitation_for(cycle, Role.STUDENT) for _ in range(3)]
    assert WARNING not in intro(client, students[0])


def test_the_warning_follows_the_threshold_in_force(client, cycle, settings):
    students = [invitation_for(cycle, Role.STUDENT) for _ in range(3)]
    settings.EVALUATION_MIN_GROUP = 4
    assert WARNING in intro(client, students[0])
