"""The case board: grouping by status, moves with and without htmx, stale moves, queries."""

from __future__ import annotations

import pytest

from cases.models import CaseStatus, PracticeCase
from tests.factories import OutputFactory, PracticeCaseFactory, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def _board(workplace):
    return f"/pw/{workplace.slug}/cases/"


def _move(workplace, case):
    return f"/pw/{workplace.slug}/cases/{case.pk}/move/"


def test_cases_appear_in_the_column_of_their_status(client, workplace, member):
    PracticeCaseFactory(workplace=workplace, title="Overdracht", status=CaseStatus.RUNNING)
    PracticeCaseFactory(workplace=workplace, title="Valpreventie", status=CaseStatus.IDEA)
    client.force_login(member)
    response = client.get(_board(workplace))
    assert response.status_code == 200
    columns = {
        c["status"]: [case.title for case in c["cases"]] for c in response.context["columns"]
    }
    assert columns[CaseStatus.RUNNING] == ["Overdracht"]
    assert columns[CaseStatus.IDEA] == ["Valpreventie"]
    assert columns[CaseStatus.FINISHED] == []


def test_the_board_shows_only_cases_of_its_own_workplace(
    client, workplace, other_workplace, member
):
    PracticeCaseFactory(workplace=other_workplace, title="Geheim project B")
    client.force_login(member)
    assert "Geheim project B" not in client.get(_board(workplace)).content.decode()


def test_outsider_gets_404_on_the_board_and_a_move(client, workplace, outsider):
    case = PracticeCaseFactory(workplace=workplace)
    client.force_login(outsider)
    assert client.get(_board(workplace)).status_code == 404
    response = client.post(_move(workplace, case), {"status": "running", "version": 1})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.IDEA


def test_a_case_of_another_workplace_gives_404_through_this_workplace(
    client, workplace, other_workplace, member
):
    foreign = PracticeCaseFactory(workplace=other_workplace)
    client.force_login(member)
    response = client.post(_move(workplace, foreign), {"status": "running", "version": 1})
    assert response.status_code == 404
    assert client.get(f"/pw/{workplace.slug}/cases/{foreign.pk}/").status_code == 404


def test_a_client_sees_the_board_but_may_not_move_cases(client, workplace):
    case = PracticeCaseFactory(workplace=workplace)
    user = member_user(workplace, Role.CLIENT)
    client.force_login(user)
    response = client.get(_board(workplace))
    assert response.status_code == 200
    assert "/move/" not in response.content.decode()
    assert (
        client.post(_move(workplace, case), {"status": "running", "version": 1}).status_code == 403
    )


def test_moving_without_javascript_redirects_to_the_board(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace)
    client.force_login(member)
    response = client.post(_move(workplace, case), {"status": "running", "version": 1})
    assert response.status_code == 302
    assert response["Location"] == _board(workplace)
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.RUNNING, 2)


def test_moving_with_htmx_swaps_the_board_and_announces_the_move(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace, title="Overdracht")
    client.force_login(member)
    response = client.post(
        _move(workplace, case),
        {"status": "finished", "version": 1},
        headers={"HX-Request": "true", "HX-Target": "case-board"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="case-board"' in html
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html and "Overdracht" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.FINISHED


def test_a_move_from_a_stale_board_changes_nothing(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace)
    PracticeCase.objects.filter(pk=case.pk).update(status=CaseStatus.RUNNING, version=2)
    client.force_login(member)
    response = client.post(_move(workplace, case), {"status": "idea", "version": 1}, follow=True)
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.RUNNING, 2)
    assert any(m.level_tag == "warning" for m in response.context["messages"])


def test_a_move_to_an_unknown_status_is_refused(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace)
    client.force_login(member)
    response = client.post(_move(workplace, case), {"status": "weg", "version": 1})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.IDEA


def test_the_board_partial_is_served_to_htmx_and_the_full_page_otherwise(client, workplace, member):
    PracticeCaseFactory(workplace=workplace)
    client.force_login(member)
    full = client.get(_board(workplace)).content.decode()
    partial = client.get(
        _board(workplace), headers={"HX-Request": "true", "HX-Target": "case-board"}
    ).content.decode()
    assert "<html" in full and 'id="case-board"' in full
    assert "<html" not in partial and 'id="case-board"' in partial


def test_the_board_query_count_does_not_grow_with_cases(
    client, workplace, member, django_assert_num_queries
):
    client.force_login(member)
    PracticeCaseFactory(workplace=workplace)
    client.get(_board(workplace))
    # session, user and person, workplace, roles (memberships, grants), cases, their elements
    with django_assert_num_queries(7) as small:
        client.get(_board(workplace))
    for _ in range(10):
        case = PracticeCaseFactory(workplace=workplace)
        OutputFactory(case=case)
        case.elements.set(["LOS", "VOR"])
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(_board(workplace))
    assert sum(len(c["cases"]) for c in response.context["columns"]) == 11
