"""Retention: two years after a cycle closed its invitations are anonymised and its open texts
deleted; the figures every dashboard shows stay exactly the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluations import results, retention, tallies, tokens
from evaluations.models import AccessToken, ElementComment, Invitation, MailDelivery, Response
from tests.evaluations.test_results import respond
from tests.factories import CycleFactory, invitation_for, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def closed_cycle(workplace, *, days_ago: int):
    now = timezone.now()
    cycle = CycleFactory(
        workplace=workplace,
        opens_at=now - dt.timedelta(days=days_ago + 21),
        closes_at=now - dt.timedelta(days=days_ago),
    )
    for value in (2, 4, 5):
        response = respond(cycle, Role.STUDENT, {"LOS-1": value}, comment={"LOS": "Sanne hielp"},
                           went_well="Met Sanne")  # fmt: skip
        tokens.issue_token(response.invitation)
        MailDelivery.objects.create(
            cycle=cycle, person=response.invitation.person, invitation=response.invitation,
            kind="invitation", status="sent",
        )  # fmt: skip
    cycle.status = "closed"
    cycle.save(update_fields=["status"])
    tallies.tally_cycle(cycle)
    return cycle


def test_old_invitations_are_anonymised_and_the_figures_stay(client, workplace):
    old = closed_cycle(workplace, days_ago=800)
    recent = closed_cycle(workplace, days_ago=100)
    before = results.cycle_results(old)
    names = list(old.invitations.values_list("person__name", flat=True))

    assert retention.apply_retention() == 3
    assert retention.apply_retention() == 0  # a second run changes nothing

    assert not Invitation.objects.filter(cycle=old, person__isnull=False).exists()
    assert not AccessToken.objects.filter(invitation__cycle=old).exists()
    assert not MailDelivery.objects.filter(cycle=old).exists()
    assert not ElementComment.objects.filter(response__cycle=old).exists()
    assert set(Response.objects.filter(cycle=old).values_list("went_well", flat=True)) == {""}
    after = results.cycle_results(old)
    assert [e.score for e in after.elements] == [e.score for e in before.elements]
    assert after.respondents == before.respondents
    # The recent cycle is untouched.
    assert Invitation.objects.filter(cycle=recent, person__isnull=False).count() == 3
    assert ElementComment.objects.filter(response__cycle=recent).count() == 3
    # The bridge-builder's cycle page no longer names anybody.
    client.force_login(member_user(workplace, Role.BRIDGE_BUILDER))
    page = client.get(f"/pw/{workplace.slug}/evaluations/{old.pk}/").content.decode()
    assert all(name not in page for name in names)
    assert "geanonimiseerd" in page or "anonymised" in page


def test_the_retention_period_is_configurable(workplace, settings):
    closed_cycle(workplace, days_ago=100)
    assert retention.apply_retention() == 0
    settings.EVALUATION_RETENTION_DAYS = 30
    assert retention.apply_retention() == 3


def test_anonymising_keeps_the_dashboard_for_a_cycle_without_stored_tallies(workplace):
    cycle = closed_cycle(workplace, days_ago=800)
    type(cycle).objects.filter(pk=cycle.pk).update(respondent_count=None, element_scores=None)
    cycle.tallies.all().delete()
    retention.apply_retention()
    cycle.refresh_from_db()
    assert cycle.respondent_count == 3
    assert results.cycle_results(cycle).element("LOS").score.mean == pytest.approx(11 / 3)


def test_a_deleted_person_leaves_an_anonymous_invitation(workplace, cycle):
    invitation = invitation_for(cycle, Role.CLIENT)
    invitation.person.delete()
    invitation.refresh_from_db()
    assert invitation.person is None


def test_open_answers_leave_the_cached_dashboard_too(
    client, workplace, django_capture_on_commit_callbacks, settings
):
    """A closed cycle's dashboard is cached; its open answers must not outlive retention
    there (nor erasure, which anonymises the same way)."""
    settings.EVALUATION_MIN_GROUP_TEXT = 3  # the three students' words are on the page
    from django.core.cache import cache

    old = closed_cycle(workplace, days_ago=800)
    client.force_login(member_user(workplace, Role.MANAGER))
    url = f"/pw/{workplace.slug}/results/{old.pk}/"
    assert "Met Sanne" in client.get(url).content.decode()  # rendered and cached
    assert cache.get(results.results_cache_key(old.pk, "nl")) is not None
    with django_capture_on_commit_callbacks(execute=True):
        retention.apply_retention()
    assert cache.get(results.results_cache_key(old.pk, "nl")) is None
    html = client.get(url).content.decode()
    assert "Met Sanne" not in html and "Sanne hielp" not in html


def test_a_render_that_raced_the_anonymisation_is_never_served(client, workplace, settings):
    """A dashboard rendered from the state before retention committed and cached after the
    cache was cleared: the cycle's results revision no longer matches, so it is re-rendered."""
    settings.EVALUATION_MIN_GROUP_TEXT = 3
    from django.core.cache import cache

    old = closed_cycle(workplace, days_ago=800)
    client.force_login(member_user(workplace, Role.MANAGER))
    url = f"/pw/{workplace.slug}/results/{old.pk}/"
    assert "Met Sanne" in client.get(url).content.decode()
    retention.apply_retention()  # on-commit callbacks not run: the stale render stays cached
    assert "Met Sanne" in cache.get(results.results_cache_key(old.pk, "nl"))[1]
    assert "Met Sanne" not in client.get(url).content.decode()
    assert "Met Sanne" not in cache.get(results.results_cache_key(old.pk, "nl"))[1]
