"""The policy table, action by persona, and the admin's own gates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    MembershipFactory,
    PersonFactory,
    ResearchGrantFactory,
    UserFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats import policy
from werkplaats.models import Membership, Role, Workplace

pytestmark = pytest.mark.django_db
A = policy.Action

# Who may do what in their own PW; written out so a change to policy.RULES shows up here.
EXPECTED = {
    A.VIEW_WORKPLACE: {*Role.values, "research", "staff"},
    A.VIEW_MEMBERS: {*Role.values, "staff"},
    A.MANAGE_MEMBERS: {"bridge_builder", "manager", "staff"},
    A.VIEW_CONTACT: {"bridge_builder", "manager", "supporter", "staff"},
    A.EDIT_WORKPLACE: {"bridge_builder", "manager", "staff"},
    A.VIEW_ACTIVITIES: {*Role.values, "staff"},
    A.LOG_ACTIVITY: {"bridge_builder", "manager", "supporter", "staff"},
    # A goal has an owner and a note an author: members only, staff rights are no membership.
    A.KEEP_GOALS: {*Role.values},
    A.MANAGE_EVALUATIONS: {"bridge_builder", "manager", "staff"},
    A.READ_RESULTS: {"bridge_builder", "manager", "supporter", "research", "staff"},
    A.READ_RESEARCH: {*Role.values, "research", "staff"},
    A.VIEW_CASES: {*Role.values, "staff"},
    A.MANAGE_CASES: {*Role.values, "staff"} - {"client"},
    A.DELETE_OUTPUTS: {"bridge_builder", "manager", "staff"},
    A.VIEW_POOL: {*Role.values, "staff"},
    A.MANAGE_POOL: {"bridge_builder", "manager", "supporter", "staff"},
    A.CONDUCT_RESEARCH: {"research", "staff"},
    A.WRITE_NOTES: {*Role.values} - {"client"},
    A.EXPORT_RESEARCH: {"research", "staff"},
}
PERSONAS = [*Role.values, "research", "staff", "outsider", "former", "inactive", "anonymous"]


def test_the_expected_table_covers_every_action():
    assert set(EXPECTED) == set(A)


@pytest.fixture
def world():
    pw = WorkplaceFactory()
    other = WorkplaceFactory()
    users = {role: member_user(pw, role) for role in Role.values}
    users["research"] = ResearchGrantFactory(workplace=pw).user
    users["staff"] = UserFactory(is_staff=True)
    users["outsider"] = member_user(other, Role.MANAGER)
    former = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=former),
        workplace=pw,
        role=Role.MANAGER,
        starts_on=dt.date(2020, 1, 1),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    users["former"] = former
    inactive = member_user(pw, Role.MANAGER)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    users["inactive"] = inactive
    from django.contrib.auth.models import AnonymousUser

    users["anonymous"] = AnonymousUser()
    return pw, users


@pytest.mark.parametrize("action", list(A))
def test_each_action_is_allowed_to_exactly_the_expected_personas(world, action):
    pw, users = world
    allowed = {name for name in PERSONAS if policy.can(users[name], action, pw)}
    assert allowed == EXPECTED[action]


@pytest.mark.parametrize("action", list(A))
def test_the_queryset_of_workplaces_answers_as_can_does_for_every_persona(world, action):
    """``workplaces_where`` (the overviews across PWs) and ``can`` (one PW) are one rule."""
    pw, users = world
    other = Workplace.objects.exclude(pk=pw.pk).get()
    everywhere = ResearchGrantFactory(workplace=None).user
    two_roles = member_user(pw, Role.CLIENT)
    MembershipFactory(person=two_roles.person, workplace=other, role=Role.MANAGER)
    people = {**users, "research everywhere": everywhere, "client here, manager there": two_roles}
    for name, user in people.items():
        expected = {wp for wp in (pw, other) if policy.can(user, action, wp)}
        assert set(policy.workplaces_where(user, action)) == expected, name
        if action == A.VIEW_WORKPLACE:
            assert set(Workplace.objects.visible_to(user)) == expected, name


def test_the_cross_workplace_research_pages_are_for_staff_and_current_grants(world):
    _pw, users = world
    allowed = {name for name in PERSONAS if policy.may_research_across(users[name])}
    assert allowed == {"research", "staff"}
    expired = ResearchGrantFactory(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert not policy.may_research_across(expired.user)


def test_a_future_membership_gives_no_rights_yet(world):
    pw, _users = world
    user = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=user),
        workplace=pw,
        role=Role.BRIDGE_BUILDER,
        starts_on=timezone.localdate() + dt.timedelta(days=1),
    )
    assert not policy.can(user, A.VIEW_WORKPLACE, pw)


def test_an_expired_research_grant_gives_no_rights(world):
    pw, _users = world
    user = ResearchGrantFactory(
        workplace=pw, expires_on=timezone.localdate() - dt.timedelta(days=1)
    ).user
    assert not policy.can(user, A.READ_RESULTS, pw)


def test_a_research_grant_for_all_workplaces_covers_each_one(world):
    pw, _users = world
    user = ResearchGrantFactory(workplace=None).user
    assert policy.can(user, A.READ_RESULTS, pw)
    assert not policy.can(user, A.VIEW_MEMBERS, pw)


def test_roles_are_looked_up_once_per_request_and_workplace(world, django_assert_num_queries):
    pw, users = world
    user = users["supporter"]
    with django_assert_num_queries(2):  # memberships, research grants
        for action in A:
            policy.can(user, action, pw)


@pytest.mark.parametrize("persona", ["client", "supporter", "manager", "staff"])
def test_names_and_contact_details_follow_the_policy_on_the_workplace_page(client, world, persona):
    pw, users = world
    MembershipFactory(
        workplace=pw, person=PersonFactory(name="Roos Dekker", email="roos@voorbeeld.example")
    )
    client.force_login(users[persona])
    html = client.get(f"/pw/{pw.slug}/").content.decode()
    assert "Roos Dekker" in html
    shows_contact = persona in EXPECTED[A.VIEW_CONTACT]
    assert ("roos@voorbeeld.example" in html) is shows_contact


# --- The admin: only superusers hand out rights ---------------------------------------------
def test_staff_without_superuser_cannot_grant_themselves_rights(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="change_user"),
        Permission.objects.get(codename="view_user"),
    )
    client.force_login(staff)
    url = f"/admin/werkplaats/user/{staff.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    client.post(
        url,
        {"email": staff.email, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_staff_without_superuser_cannot_change_a_superuser(client):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_user"))
    boss = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(f"/admin/werkplaats/user/{boss.pk}/change/")
    assert 'name="email"' not in page.content.decode()  # read-only at most
    client.post(f"/admin/werkplaats/user/{boss.pk}/change/", {"email": "overgenomen@x.example"})
    boss.refresh_from_db()
    assert boss.email != "overgenomen@x.example"
    assert client.get(f"/admin/werkplaats/user/{boss.pk}/password/").status_code == 403


def test_admin_inline_refuses_two_overlapping_rows_for_the_same_role(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    pw = WorkplaceFactory()
    client.force_login(superuser)
    row = {"workplace": pw.pk, "role": Role.STUDENT, "starts_on": "2026-09-01", "ends_on": ""}
    data = {
        "name": "Jesse Mulder",
        "email": "jesse@voorbeeld.example",
        "preferred_language": "nl",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i in range(2):
        data.update({f"memberships-{i}-{key}": value for key, value in row.items()})
    data["memberships-1-starts_on"] = "2026-10-01"
    response = client.post("/admin/werkplaats/person/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "same role in the same period" in response.content.decode()
    assert not Membership.objects.exists()
