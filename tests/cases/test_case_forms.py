"""Creating and editing cases: members only as lead or participant, errors, edit conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import CaseStatus, PracticeCase
from tests.factories import MembershipFactory, PersonFactory, PracticeCaseFactory
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def _data(lead, **extra):
    data = {
        "title": "Cliënten bij de overdracht",
        "question": "Hoe betrekken we cliënten bij de overdracht?",
        "kind": "research",
        "status": "idea",
        "lead": lead.pk,
        "starts_on": "2026-09-15",
    }
    data.update(extra)
    return data


def test_a_student_starts_a_case_with_participants_and_elements(client, workplace, member):
    co_researcher = MembershipFactory(workplace=workplace, role=Role.CLIENT).person
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/cases/new/",
        _data(member.person, participants=[co_researcher.pk], tags=["LOS-2", "VOR"]),
    )
    case = PracticeCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pw/{workplace.slug}/cases/{case.pk}/"
    assert case.workplace == workplace and case.lead == member.person
    assert list(case.participants.all()) == [co_researcher]
    assert sorted(case.tag_codes()) == ["LOS", "LOS-2", "VOR"]
    assert case.created_by == member


def test_the_new_case_form_proposes_the_user_as_lead(client, workplace, member):
    client.force_login(member)
    response = client.get(f"/pw/{workplace.slug}/cases/new/")
    assert response.context["form"]["lead"].value() == member.person.pk


def test_a_lead_who_is_not_a_current_member_is_refused_with_a_clear_error(
    client, workplace, other_workplace, member
):
    stranger = MembershipFactory(workplace=other_workplace).person
    former = MembershipFactory(
        workplace=workplace,
        starts_on=dt.date(2020, 1, 1),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    ).person
    client.force_login(member)
    for person in (stranger, former, PersonFactory()):
        response = client.post(f"/pw/{workplace.slug}/cases/new/", _data(person))
        assert response.status_code == 400
        assert "The lead must be a current member of this workplace." in str(
            response.context["form"].errors["lead"]
        )
    assert not PracticeCase.objects.exists()


def test_a_participant_from_another_workplace_is_refused(
    client, workplace, other_workplace, member
):
    stranger = MembershipFactory(workplace=other_workplace).person
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/cases/new/", _data(member.person, participants=[stranger.pk])
    )
    assert response.status_code == 400
    assert "participants" in response.context["form"].errors
    assert not PracticeCase.objects.exists()


def test_the_form_re_renders_with_field_errors_and_keeps_the_input(client, workplace, member):
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/cases/new/",
        _data(member.person, title="", ends_on="2026-09-01"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors and "ends_on" in errors
    html = response.content.decode()
    assert "Hoe betrekken we cliënten bij de overdracht?" in html
    assert 'id="id_title_error"' in html


def test_edit_saves_and_bumps_the_version(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace, lead=member.person)
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/cases/{case.pk}/edit/",
        _data(member.person, title="Nieuwe titel", status="running", version=1),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.status, case.version) == ("Nieuwe titel", CaseStatus.RUNNING, 2)


def test_a_concurrent_edit_is_detected_and_nothing_is_saved(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace, lead=member.person, title="Origineel")
    client.force_login(member)
    # Somebody else moves the case after this form was opened at version 1.
    PracticeCase.objects.filter(pk=case.pk).update(status=CaseStatus.RUNNING, version=2)
    response = client.post(
        f"/pw/{workplace.slug}/cases/{case.pk}/edit/",
        _data(member.person, title="Mijn versie", version=1),
    )
    assert response.status_code == 409
    assert "Somebody else changed this case" in response.content.decode()
    case.refresh_from_db()
    assert (case.title, case.status, case.version) == ("Origineel", CaseStatus.RUNNING, 2)


def test_a_lead_who_has_left_stays_possible_on_an_edit(client, workplace, member):
    left = MembershipFactory(
        workplace=workplace,
        starts_on=dt.date(2020, 1, 1),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    ).person
    case = PracticeCaseFactory(workplace=workplace, lead=left)
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/cases/{case.pk}/edit/", _data(left, title="Afgerond", version=1)
    )
    assert response.status_code == 302


def test_outsider_gets_404_on_new_edit_and_detail(client, workplace, outsider):
    case = PracticeCaseFactory(workplace=workplace)
    client.force_login(outsider)
    assert client.get(f"/pw/{workplace.slug}/cases/new/").status_code == 404
    assert client.get(f"/pw/{workplace.slug}/cases/{case.pk}/").status_code == 404
    response = client.post(
        f"/pw/{workplace.slug}/cases/{case.pk}/edit/", _data(case.lead, title="x", version=1)
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.title != "x"


def test_the_case_page_shows_people_outputs_and_elements(client, workplace, member):
    supervisor = MembershipFactory(workplace=workplace, role=Role.SUPPORTER).person
    case = PracticeCaseFactory(workplace=workplace, lead=member.person)
    case.supervisors.set([supervisor])
    case.elements.set(["GOC"])
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/cases/{case.pk}/").content.decode()
    assert member.person.name in html and supervisor.name in html
    assert "GOC" in html
    assert "No outputs yet." in html


def test_the_case_page_query_count_does_not_grow_with_people_and_outputs(
    client, workplace, member, django_assert_num_queries
):
    from tests.factories import CmoNoteFactory, OutputFactory

    case = PracticeCaseFactory(workplace=workplace, lead=member.person)
    # One of each, so every prefetch runs (Django skips a prefetch with nothing to fetch for).
    CmoNoteFactory(workplace=workplace, case=case).elements.set(["VOR"])
    client.force_login(member)
    url = f"/pw/{workplace.slug}/cases/{case.pk}/"
    client.get(url)
    # session, user and person, workplace, roles (2), case, case again with: elements, aspects,
    # participants, supervisors, outputs, CMO notes with their elements and aspects, value
    # stories (none: their own prefetches are skipped)
    with django_assert_num_queries(16) as small:
        client.get(url)
    for _ in range(5):
        case.participants.add(MembershipFactory(workplace=workplace).person)
        OutputFactory(case=case)
        CmoNoteFactory(workplace=workplace, case=case).elements.set(["LOS"])
    case.elements.set(["LOS", "GOC"])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
