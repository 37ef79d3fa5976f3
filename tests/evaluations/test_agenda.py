"""The improvement agenda: who may read and write it, validation, conflicts, and the owner's
reminder a week before the due date (once, through the mail ledger)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from evaluations import cycles, mailing
from evaluations.models import ImprovementAction, MailDelivery, MailKind
from tests.factories import (
    ActivityFactory,
    CycleFactory,
    MembershipFactory,
    PersonFactory,
    member_user,
)
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(workplace):
    return CycleFactory(workplace=workplace, status="closed")


def data(workplace, closed, owner_person, **overrides):
    return {
        "cycle": closed.pk,
        "element": "VOR",
        "aspect": "VOR-2",
        "title": "Maandelijkse lunch met studenten en cliënten",
        "owner": owner_person.pk,
        "organisation": workplace.partners.first().pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "status": "planned",
        **overrides,
    }


def test_a_bridge_builder_adds_an_action_and_a_supporter_reads_it(client, workplace, closed, owner):
    activity = ActivityFactory(workplace=workplace)
    client.force_login(owner)
    response = client.post(
        f"/pw/{workplace.slug}/agenda/new/",
        {**data(workplace, closed, owner.person), "activities": [activity.pk]},
    )
    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    assert (action.workplace, action.element_id, list(action.activities.all())) == (
        workplace,
        "VOR",
        [activity],
    )
    supporter = member_user(workplace, Role.SUPPORTER)
    client.force_login(supporter)
    page = client.get(f"/pw/{workplace.slug}/agenda/")
    assert "Maandelijkse lunch" in page.content.decode()
    assert client.get(f"/pw/{workplace.slug}/agenda/new/").status_code == 403


@pytest.mark.parametrize(
    "overrides",
    [
        {"aspect": "LOS-1"},  # not an aspect of VOR
        {"organisation": ""},
        {"due_on": "morgen"},
        {"status": "forgotten"},
        {"title": ""},
    ],
)
def test_bad_actions_are_refused_with_field_errors(client, workplace, closed, owner, overrides):
    client.force_login(owner)
    response = client.post(
        f"/pw/{workplace.slug}/agenda/new/", data(workplace, closed, owner.person, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ImprovementAction.objects.exists()


def test_an_owner_outside_the_pw_or_another_pws_organisation_is_refused(
    client, workplace, other_workplace, closed, owner
):
    client.force_login(owner)
    stranger = PersonFactory()
    MembershipFactory(person=stranger, workplace=other_workplace, role=Role.MANAGER)
    for overrides in (
        {"owner": stranger.pk},
        {"organisation": other_workplace.partners.first().pk},
        {"cycle": CycleFactory(workplace=other_workplace, status="closed").pk},
    ):
        response = client.post(
            f"/pw/{workplace.slug}/agenda/new/", data(workplace, closed, owner.person, **overrides)
        )
        assert response.status_code == 200, overrides
    assert not ImprovementAction.objects.exists()


def test_an_outdated_edit_is_a_conflict(client, workplace, closed, owner):
    client.force_login(owner)
    client.post(f"/pw/{workplace.slug}/agenda/new/", data(workplace, closed, owner.person))
    action = ImprovementAction.objects.get()
    url = f"/pw/{workplace.slug}/agenda/{action.pk}/edit/"
    form = data(workplace, closed, owner.person, version=action.version)
    assert client.post(url, {**form, "status": "running"}).status_code == 302
    assert client.post(url, {**form, "status": "dropped"}).status_code == 409
    action.refresh_from_db()
    assert action.status == "running"


def test_an_outsider_gets_404(client, workplace, closed, outsider, owner):
    client.force_login(owner)
    client.post(f"/pw/{workplace.slug}/agenda/new/", data(workplace, closed, owner.person))
    action = ImprovementAction.objects.get()
    client.force_login(outsider)
    assert client.get(f"/pw/{workplace.slug}/agenda/").status_code == 404
    assert (
        client.get(
            f"/pw/{outsider.person.memberships.first().workplace.slug}/agenda/{action.pk}/edit/"
        ).status_code
        == 404
    )


def test_the_owner_is_reminded_once_a_week_before_the_due_date(workplace, closed, owner):
    action = ImprovementAction.objects.create(
        workplace=workplace,
        cycle=closed,
        element_id="VOR",
        title="Lunch",
        owner=owner.person,
        organisation=workplace.partners.first(),
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    cycles.run_schedule()
    assert not MailDelivery.objects.filter(kind=MailKind.ACTION_DUE).exists()
    later = timezone.now() + dt.timedelta(days=4)
    for _ in range(2):
        cycles.run_schedule(later)
        mailing.send_due(later)
    assert MailDelivery.objects.get(action=action).status == "sent"
    assert [m.to for m in mail.outbox] == [[owner.person.email]]
    assert "Lunch" in mail.outbox[0].body
    assert f"/pw/{workplace.slug}/agenda/" in mail.outbox[0].body


def test_a_done_action_is_not_reminded(workplace, closed, owner):
    action = ImprovementAction.objects.create(
        workplace=workplace, cycle=closed, element_id="LOS", title="Klaar",
        owner=owner.person, organisation=workplace.partners.first(),
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    cycles.run_schedule()
    ImprovementAction.objects.filter(pk=action.pk).update(status="done")
    mailing.send_due()
    assert MailDelivery.objects.get(action=action).status == "skipped"
    assert mail.outbox == []
