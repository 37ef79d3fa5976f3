"""The nine characteristics as a checklist, with automatic evidence for 1, 4, 5 and 8."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, OrganisationFactory, WorkplaceFactory, member_user
from werkplaats.models import OrganisationKind, Role

pytestmark = pytest.mark.django_db


def statuses(client, workplace):
    response = client.get(f"/pw/{workplace.slug}/characteristics/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {row["characteristic"].number: row for row in response.context["rows"]}, response


def test_all_nine_are_listed_and_unknown_ones_go_to_the_self_scan(client, workplace, owner):
    client.force_login(owner)
    rows, _ = statuses(client, workplace)
    assert list(rows) == list(range(1, 10))
    for number in (2, 3, 6, 7, 9):
        assert rows[number]["status"] == "self_scan"
        assert rows[number]["facts"] == []


def test_a_complete_pw_shows_its_evidence(client, workplace):
    bridge_builder = member_user(workplace, Role.BRIDGE_BUILDER)
    for role in (Role.STUDENT, Role.STUDENT, Role.STUDENT, Role.PROFESSIONAL, Role.CLIENT):
        MembershipFactory(workplace=workplace, role=role)
    MembershipFactory(workplace=workplace, role=Role.MANAGER)
    client.force_login(bridge_builder)
    rows, response = statuses(client, workplace)
    assert rows[1]["status"] == "met"
    assert rows[4]["status"] == "met"
    assert rows[8]["status"] == "met"
    assert rows[5]["status"] == "self_scan"
    assert rows[5]["facts"] == ["3 of 7 current people are students (43%)."]
    assert "Present according to the data" in response.content.decode()


def test_missing_partners_clients_and_managers_are_shown_as_not_present(client):
    workplace = WorkplaceFactory(partners=[OrganisationFactory(kind=OrganisationKind.PUBLIC)])
    user = member_user(workplace, Role.BRIDGE_BUILDER)
    MembershipFactory(workplace=workplace, role=Role.STUDENT)
    client.force_login(user)
    rows, response = statuses(client, workplace)
    assert rows[1]["status"] == "not_met"
    assert "Higher-education institutions: none recorded" in rows[1]["facts"]
    assert rows[4]["status"] == "not_met"
    assert "Current clients and experience experts: 0" in rows[4]["facts"]
    assert rows[8]["status"] == "not_met"
    assert "Not present according to the data" in response.content.decode()


def test_former_members_do_not_count_as_evidence(client, workplace, owner):
    import datetime as dt

    MembershipFactory(
        workplace=workplace,
        role=Role.CLIENT,
        starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2021, 1, 1),
    )
    client.force_login(owner)
    rows, _ = statuses(client, workplace)
    assert "Current clients and experience experts: 0" in rows[4]["facts"]


def test_checklist_query_count_is_constant(client, workplace, owner, django_assert_num_queries):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/characteristics/"
    client.get(url)
    # session, user and person, workplace, roles (membership + grants), partners, role counts,
    # people count, characteristics
    with django_assert_num_queries(9) as first:
        client.get(url)
    for role in list(Role) * 3:
        MembershipFactory(workplace=workplace, role=role)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)
