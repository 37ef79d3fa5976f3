"""CMO notes: writing them, the list per PW with filters, and the cross-PW research list and
export (author roles, never names)."""

from __future__ import annotations

import csv
import io

import pytest

from cases.models import CmoNote
from tests.factories import (
    ActivityFactory,
    CmoNoteFactory,
    MembershipFactory,
    PersonFactory,
    PracticeCaseFactory,
    ResearchGrantFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def _data(**extra):
    data = {
        "source": "focus_group",
        "date": "2026-10-01",
        "context": "In de wekelijkse lunch",
        "mechanism": "vragen studenten door op elkaars casus",
        "outcome": "wat leidt tot gezamenlijk leren",
    }
    data.update(extra)
    return data


def test_a_member_writes_a_note_about_a_case_with_tags_and_their_role(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace)
    client.force_login(member)
    response = client.post(f"/pw/{workplace.slug}/notes/new/", _data(case=case.pk, tags=["LOS-3"]))
    assert response.status_code == 302
    assert response["Location"] == f"/pw/{workplace.slug}/cases/{case.pk}/"
    note = CmoNote.objects.get()
    assert (note.workplace, note.case, note.author) == (workplace, case, member.person)
    assert note.author_role == Role.STUDENT
    assert sorted(note.tag_codes()) == ["LOS", "LOS-3"]
    page = client.get(f"/pw/{workplace.slug}/cases/{case.pk}/").content.decode()
    assert "vragen studenten door op elkaars casus" in page


def test_a_note_about_an_activity_or_the_workplace_itself(client, workplace, member):
    activity = ActivityFactory(workplace=workplace)
    client.force_login(member)
    client.post(f"/pw/{workplace.slug}/notes/new/", _data(activity=activity.pk))
    client.post(f"/pw/{workplace.slug}/notes/new/", _data())
    notes = CmoNote.objects.order_by("pk")
    assert [n.activity for n in notes] == [activity, None]
    assert notes[1].subject() == workplace


def test_a_note_about_both_a_case_and_an_activity_is_refused(client, workplace, member):
    case = PracticeCaseFactory(workplace=workplace)
    activity = ActivityFactory(workplace=workplace)
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/notes/new/", _data(case=case.pk, activity=activity.pk)
    )
    assert response.status_code == 400
    assert "not both" in str(response.context["form"].non_field_errors())
    assert not CmoNote.objects.exists()


def test_a_case_or_activity_of_another_workplace_cannot_be_chosen(
    client, workplace, other_workplace, member
):
    foreign_case = PracticeCaseFactory(workplace=other_workplace)
    foreign_activity = ActivityFactory(workplace=other_workplace)
    client.force_login(member)
    for data in (_data(case=foreign_case.pk), _data(activity=foreign_activity.pk)):
        response = client.post(f"/pw/{workplace.slug}/notes/new/", data)
        assert response.status_code == 400
    assert not CmoNote.objects.exists()


def test_missing_context_mechanism_or_outcome_re_renders_with_errors(client, workplace, member):
    client.force_login(member)
    response = client.post(
        f"/pw/{workplace.slug}/notes/new/", _data(context="", mechanism="", outcome="")
    )
    assert response.status_code == 400
    assert {"context", "mechanism", "outcome"} <= set(response.context["form"].errors)
    assert "In de wekelijkse lunch" not in response.content.decode()  # it was emptied
    assert not CmoNote.objects.exists()


def test_outsider_gets_404_on_the_list_and_the_form(client, workplace, outsider):
    CmoNoteFactory(workplace=workplace)
    client.force_login(outsider)
    assert client.get(f"/pw/{workplace.slug}/notes/").status_code == 404
    assert client.post(f"/pw/{workplace.slug}/notes/new/", _data()).status_code == 404
    assert CmoNote.objects.count() == 1


def test_the_list_filters_by_element_and_source(client, workplace, member):
    vor = CmoNoteFactory(workplace=workplace, source="interview", outcome="VOR-uitkomst")
    vor.elements.set(["VOR"])
    los = CmoNoteFactory(workplace=workplace, source="observation", outcome="LOS-uitkomst")
    los.elements.set(["LOS"])
    client.force_login(member)
    url = f"/pw/{workplace.slug}/notes/"
    by_element = client.get(url, {"element": "VOR"}).content.decode()
    assert "VOR-uitkomst" in by_element and "LOS-uitkomst" not in by_element
    by_source = client.get(url, {"source": "observation"}).content.decode()
    assert "LOS-uitkomst" in by_source and "VOR-uitkomst" not in by_source


def test_the_list_answers_htmx_with_only_the_results(client, workplace, member):
    CmoNoteFactory(workplace=workplace, outcome="Zichtbaar")
    client.force_login(member)
    url = f"/pw/{workplace.slug}/notes/"
    full = client.get(url).content.decode()
    partial = client.get(url, headers={"HX-Request": "true", "HX-Target": "cmo-results"})
    assert "<html" in full and "Zichtbaar" in full
    assert "<html" not in partial.content.decode() and "Zichtbaar" in partial.content.decode()


def test_researchers_see_the_authors_role_not_their_name(client, workplace, researcher, member):
    CmoNoteFactory(workplace=workplace, author=PersonFactory(name="Roos Dekker"))
    client.force_login(researcher)
    html = client.get(f"/pw/{workplace.slug}/notes/").content.decode()
    assert "Roos Dekker" not in html and "student" in html
    client.force_login(member)
    assert "Roos Dekker" in client.get(f"/pw/{workplace.slug}/notes/").content.decode()


def test_the_list_query_count_does_not_grow_with_notes(
    client, workplace, member, django_assert_num_queries
):
    client.force_login(member)
    CmoNoteFactory(workplace=workplace)
    url = f"/pw/{workplace.slug}/notes/"
    client.get(url)
    # session, user and person, workplace, roles (memberships, grants), count, notes, elements,
    # aspects
    with django_assert_num_queries(9) as small:
        client.get(url)
    for _ in range(10):
        note = CmoNoteFactory(workplace=workplace, case=PracticeCaseFactory(workplace=workplace))
        note.elements.set(["GOC"])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_staff_without_a_membership_cannot_author_a_note(client, workplace, staff):
    client.force_login(staff)
    assert client.post(f"/pw/{workplace.slug}/notes/new/", _data()).status_code == 403


# --- Across workplaces ------------------------------------------------------------------------
def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_members_without_research_access_may_not_open_the_cross_workplace_list(client, member):
    client.force_login(member)
    assert client.get("/notes/").status_code == 403
    assert client.get("/notes/export.csv").status_code == 403


def test_a_researcher_sees_only_the_notes_of_granted_workplaces(
    client, workplace, other_workplace, researcher
):
    CmoNoteFactory(workplace=workplace, outcome="In A")
    CmoNoteFactory(workplace=other_workplace, outcome="In B")
    client.force_login(researcher)
    html = client.get("/notes/").content.decode()
    assert "In A" in html and "In B" not in html
    rows = _rows(client.get("/notes/export.csv"))
    assert len(rows) == 2 and rows[1][6] == "In A"


def test_the_export_has_roles_and_no_names_of_clients_or_authors(client, workplace, staff):
    client_person = MembershipFactory(
        workplace=workplace, role=Role.CLIENT, person=PersonFactory(name="Cliënt Jansen")
    ).person
    case = PracticeCaseFactory(workplace=workplace, title="Valpreventie", lead=client_person)
    case.participants.set([client_person])
    note = CmoNoteFactory(
        workplace=workplace, case=case, author=client_person, author_role=Role.CLIENT,
        context='=HYPERLINK("x")',
    )  # fmt: skip
    note.elements.set(["LeA"])
    client.force_login(staff)
    response = client.get("/notes/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Jansen" not in body
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][3] == "case: Valpreventie"
    assert rows[1][4].startswith("'=")  # no formula injection
    assert rows[1][7] == "LeA"
    assert rows[1][9] == "client / experience expert"


def test_the_export_follows_the_filters(client, workplace, other_workplace, staff):
    CmoNoteFactory(workplace=workplace, source="interview")
    CmoNoteFactory(workplace=other_workplace, source="document")
    client.force_login(staff)
    assert len(_rows(client.get("/notes/export.csv"))) == 3
    assert len(_rows(client.get("/notes/export.csv", {"source": "document"}))) == 2
    rows = _rows(client.get("/notes/export.csv", {"workplace": workplace.slug}))
    assert len(rows) == 2 and rows[1][0] == workplace.name


def test_a_research_grant_for_every_workplace_sees_all_notes(client, workplace, other_workplace):
    CmoNoteFactory(workplace=workplace)
    CmoNoteFactory(workplace=other_workplace)
    user = ResearchGrantFactory(workplace=None).user
    client.force_login(user)
    assert len(_rows(client.get("/notes/export.csv"))) == 3


def test_an_expired_grant_gives_no_cross_workplace_access(client):
    import datetime as dt

    user = UserFactory()
    ResearchGrantFactory(user=user, expires_on=dt.date(2020, 1, 1))
    client.force_login(user)
    assert client.get("/notes/").status_code == 403


def test_member_user_helper_is_a_plain_member(workplace):
    # guards the fixture assumption above: member_user gives no research grant
    assert not member_user(workplace).research_grants.exists()


def test_the_author_corrects_a_note_and_a_stale_tab_gets_a_conflict(client, workplace, member):
    from django.test import Client

    client.force_login(member)
    client.post(f"/pw/{workplace.slug}/notes/new/", _data(tags=["LOS-3"]))
    note = CmoNote.objects.get()
    url = f"/pw/{workplace.slug}/notes/{note.pk}/edit/"
    assert url in client.get(f"/pw/{workplace.slug}/notes/").content.decode()
    assert 'name="version" value="1"' in client.get(url).content.decode()
    other_tab = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_tab.force_login(member)
    fixed = _data(outcome="wat leidt tot samen leren", tags=["LOS-3"], version=1)
    assert client.post(url, fixed).status_code == 302
    stale = other_tab.post(url, _data(outcome="een oudere versie", version=1))
    assert stale.status_code == 409
    assert "not saved" in stale.content.decode() and "een oudere versie" in stale.content.decode()
    note.refresh_from_db()
    assert (note.outcome, note.version) == ("wat leidt tot samen leren", 2)
    assert sorted(note.tag_codes()) == ["LOS", "LOS-3"]
    assert note.author == member.person and note.author_role == Role.STUDENT  # unchanged


def test_only_the_author_edits_a_note(client, workplace, member):
    note = CmoNoteFactory(workplace=workplace, author=member.person)
    url = f"/pw/{workplace.slug}/notes/{note.pk}/edit/"
    for user in (member_user(workplace, Role.BRIDGE_BUILDER), UserFactory(is_staff=True)):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, _data(outcome="overschreven", version=1)).status_code == 403
        assert url not in client.get(f"/pw/{workplace.slug}/notes/").content.decode()
    note.refresh_from_db()
    assert note.outcome != "overschreven"
