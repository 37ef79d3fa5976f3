"""Assisted answering (issue 18): a respondent (or the helper) ticks that someone helped; only
that it was assisted is stored. The dashboard counts it per shown group, the research CSV
carries it."""

from __future__ import annotations

import re

import pytest

from evaluations import tokens
from evaluations.models import Response
from tests.evaluations.test_dashboard import answered_cycle, research_rows
from tests.factories import ResearchGrantFactory, invitation_for, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(workplace):
    return member_user(workplace, Role.MANAGER)


def test_the_last_page_asks_and_stores_that_someone_helped(client, cycle):
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    page = client.get(f"/answer/{invitation.pk}/7/").content.decode()
    assert "Iemand heeft me geholpen" in page and "niet wie" in page
    client.post(f"/answer/{invitation.pk}/7/", {"assisted": "on", "submit": "1"})
    response = Response.objects.get(invitation=invitation)
    assert response.assisted and response.submitted_at
    again = client.get(f"/answer/{invitation.pk}/7/").content.decode()
    assert re.search(r'<input[^>]*name="assisted"[^>]*checked', again)  # kept on coming back
    client.post(f"/answer/{invitation.pk}/7/", {"submit": "1"})  # unticked on a second visit
    response.refresh_from_db()
    assert not response.assisted
    # Who helped is not asked, so it cannot be stored.
    assert "helper" not in again.lower() and "wie hielp" not in again.lower()


def helped(cycle, role, count):
    pks = Response.objects.filter(cycle=cycle, role=role).values_list("pk", flat=True)[:count]
    Response.objects.filter(pk__in=list(pks)).update(assisted=True)


def test_the_dashboard_counts_assisted_responses_only_for_shown_groups(client, workplace, manager):
    cycle = answered_cycle(
        workplace,
        groups={Role.CLIENT: [4, 4, 4, 4], Role.PROFESSIONAL: [3, 3, 3], Role.MANAGER: [5, 5, 5]},
    )
    helped(cycle, Role.CLIENT, 2)
    helped(cycle, Role.MANAGER, 1)
    client.force_login(manager)
    page = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/")
    rates = {role.value: assisted for role, *_counts, assisted in page.context["rates"]}
    assert rates == {"client": 2, "professional": 0, "manager": 1}
    assert "Met hulp beantwoord" in page.content.decode()


def test_a_hidden_group_shows_no_assisted_count(client, workplace, manager):
    cycle = answered_cycle(workplace, groups={Role.CLIENT: [4, 4], Role.PROFESSIONAL: [3] * 4})
    helped(cycle, Role.CLIENT, 2)
    client.force_login(manager)
    page = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/")
    rates = {role.value: assisted for role, *_counts, assisted in page.context["rates"]}
    assert rates["client"] is None  # two clients: not shown, not even how many had help


def test_the_research_csv_carries_the_flag(client, workplace):
    cycle = answered_cycle(workplace, groups={Role.STUDENT: [4, 4, 4]})
    helped(cycle, Role.STUDENT, 1)
    client.force_login(ResearchGrantFactory(workplace=workplace).user)
    body = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/research.csv").content.decode()
    assert sorted(row["assisted"] for row in research_rows(body)) == ["0", "0", "1"]
