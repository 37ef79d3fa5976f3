"""My workplaces and the PW home: content, roles, flags, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats.models import OrganisationKind, Role

pytestmark = pytest.mark.django_db


def test_home_lists_my_workplaces_with_people_counted_per_role(client, workplace, other_workplace):
    user = member_user(workplace, Role.BRIDGE_BUILDER)
    for role, count in [(Role.STUDENT, 3), (Role.CLIENT, 2)]:
        for _ in range(count):
            MembershipFactory(workplace=workplace, role=role)
    MembershipFactory(workplace=other_workplace, role=Role.STUDENT)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert workplace.name in html
    assert other_workplace.name not in html
    (row,) = response.context["rows"]
    counts = {code: count for code, _label, count in row["roles"]}
    assert counts == {
        "student": 3,
        "professional": 0,
        "bridge_builder": 1,
        "supporter": 0,
        "client": 2,
        "manager": 0,
    }
    assert row["people"] == 6


def test_former_and_future_members_are_not_counted(client, workplace, owner):
    today = timezone.localdate()
    MembershipFactory(workplace=workplace, starts_on=today + dt.timedelta(days=3))
    MembershipFactory(
        workplace=workplace,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=1),
    )
    client.force_login(owner)
    (row,) = client.get("/").context["rows"]
    assert row["people"] == 1


def test_a_person_with_two_roles_counts_once_in_the_total(client, workplace):
    user = member_user(workplace, Role.PROFESSIONAL)
    MembershipFactory(person=user.person, workplace=workplace, role=Role.BRIDGE_BUILDER)
    client.force_login(user)
    (row,) = client.get("/").context["rows"]
    assert row["people"] == 1
    assert {c: n for c, _l, n in row["roles"]}["bridge_builder"] == 1


def test_home_without_workplaces_explains_what_to_do(client, workplace):
    client.force_login(UserFactory())
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "not a current member of any professional workplace" in response.content.decode()
    assert response.context["rows"] == []


def test_workplace_home_shows_partners_members_by_role_and_no_flags(client, workplace, owner):
    MembershipFactory(workplace=workplace, role=Role.STUDENT, person=PersonFactory(name="Noor Bos"))
    MembershipFactory(workplace=workplace, role=Role.CLIENT, person=PersonFactory(name="Iris Kok"))
    client.force_login(owner)
    response = client.get(f"/pw/{workplace.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    for partner in workplace.partners.all():
        assert partner.name in html
    assert "Noor Bos" in html and "Iris Kok" in html
    assert response.context["flags"]["missing_partner_kinds"] == []
    assert not response.context["flags"]["no_bridge_builder"]


def test_workplace_home_flags_an_incomplete_partnership_and_missing_roles(client):
    workplace = WorkplaceFactory(partners=[OrganisationFactory(kind=OrganisationKind.PUBLIC)])
    user = member_user(workplace, Role.MANAGER)
    client.force_login(user)
    response = client.get(f"/pw/{workplace.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    flags = response.context["flags"]
    assert [str(kind) for kind in flags["missing_partner_kinds"]] == [
        str(OrganisationKind.HIGHER_EDUCATION.label)
    ]
    assert flags["no_bridge_builder"] and flags["no_students"] and flags["no_clients"]
    assert "characteristic 1" in response.content.decode()


def test_contact_details_are_shown_to_coordinators_only(client, workplace, owner, member):
    MembershipFactory(
        workplace=workplace,
        person=PersonFactory(name="Lotte Smit", email="lotte@voorbeeld.example"),
    )
    client.force_login(owner)
    assert "lotte@voorbeeld.example" in client.get(f"/pw/{workplace.slug}/").content.decode()
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/").content.decode()
    assert "Lotte Smit" in html
    assert "lotte@voorbeeld.example" not in html


def test_research_access_shows_counts_but_no_names(client, workplace, researcher):
    MembershipFactory(workplace=workplace, person=PersonFactory(name="Bram Visser"))
    client.force_login(researcher)
    response = client.get(f"/pw/{workplace.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bram Visser" not in html
    assert response.context["people"] == 1


def _fill(workplace, n):
    for i in range(n):
        MembershipFactory(workplace=workplace, role=list(Role)[i % len(Role)])


def test_home_query_count_does_not_grow_with_workplaces(client, django_assert_num_queries):
    user = member_user(WorkplaceFactory(), Role.BRIDGE_BUILDER)
    client.force_login(user)
    client.get("/")  # warm up session and language machinery
    # session, user and person, the policy's one look-up (memberships, research grants), workplaces,
    # partners (prefetch), role counts, people counts; home panels: my
    # goals (the member PWs come from the policy's look-up and the PWs above; the quick form's
    # activity kinds are reference data, read once per process), support requests and unread
    # notifications (waiting), open evaluations, actions due, running cycles and the latest
    # results (evaluations), recent activities (through the index)
    with django_assert_num_queries(16):
        client.get("/")
    for _ in range(4):
        workplace = WorkplaceFactory()
        MembershipFactory(person=user.person, workplace=workplace, role=Role.MANAGER)
        _fill(workplace, 7)
    # the same with five PWs to log in: a button per PW instead of the quick form
    with django_assert_num_queries(16):
        response = client.get("/")
    assert len(response.context["rows"]) == 5


def test_workplace_home_query_count_does_not_grow_with_members(
    client, workplace, owner, django_assert_num_queries
):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/"
    client.get(url)
    # session, user and person, workplace, roles (membership + grants), partners, the members (their
    # rows give the counts per role and the people), case summary (running cases and this
    # year's outputs), the audit event (members' names were shown); the
    # hub: activities this school year, the latest five, shared goals, open actions
    with django_assert_num_queries(13) as small:
        client.get(url)
    _fill(workplace, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["people"] == 31


def test_every_kind_of_field_gets_a_label_a_lone_checkbox_too():
    """``includes/field.html`` labels a lone checkbox with its own label (a fieldset legend
    does not name the box for a screen reader) and groups multiple checkboxes in a fieldset."""
    import re

    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        agree = forms.BooleanField(label="Ik ga akkoord", help_text="Verplicht")
        days = forms.MultipleChoiceField(
            label="Dagen", choices=[("ma", "maandag")], widget=forms.CheckboxSelectMultiple
        )
        name = forms.CharField(label="Naam")

    form = Form()
    html = {
        name: render_to_string("includes/field.html", {"f": form[name]}) for name in form.fields
    }
    assert re.search(r'<input type="checkbox" name="agree"[^>]*id="id_agree"', html["agree"])
    assert (
        '<label for="id_agree">Ik ga akkoord <span aria-hidden="true">*</span></label>'
        in html["agree"]
    )
    assert "<fieldset" not in html["agree"]
    assert "<legend>Dagen</legend>" in html["days"]
    assert '<label for="id_name">Naam' in html["name"]


def test_the_home_page_leads_with_each_roles_job(client, workplace):
    from evaluations import answering
    from tests.factories import ActivityFactory, CycleFactory, GoalFactory, invitation_for
    from werkplaats.models import Activity

    builder = member_user(workplace, Role.BRIDGE_BUILDER)
    student = member_user(workplace, Role.STUDENT)
    GoalFactory(workplace=workplace, owner=student.person, title="Feedback durven vragen")
    ActivityFactory(workplace=workplace, title="Intervisie over een casus")
    cycle = CycleFactory(workplace=workplace)
    answered = invitation_for(cycle, Role.STUDENT)
    answering.submit_response(response=answering.start_response(invitation=answered))
    invitation_for(cycle, Role.STUDENT)
    client_invitation = invitation_for(cycle, Role.CLIENT)

    client.force_login(builder)
    page = client.get("/").content.decode()
    quick = f'action="/pw/{workplace.slug}/activities/quick/"'
    assert quick in page and "Intervisie over een casus" in page
    assert "1 van de 3 hebben geantwoord (33%)" in page
    kind = page.split('name="kind"')[1].split('value="')[1].split('"')[0]
    response = client.post(
        f"/pw/{workplace.slug}/activities/quick/",
        {"date": "2026-11-30", "kind": kind, "title": "Vanaf de startpagina"},
    )
    assert response.status_code == 302 and Activity.objects.filter(title="Vanaf de startpagina")

    client.force_login(student)
    page = client.get("/").content.decode()
    assert quick not in page and "Feedback durven vragen" in page

    client.force_login(client_invitation.person.user)
    page = client.get("/").content.decode()
    assert "Er zijn vragen voor jou" in page and "Vragen beantwoorden" in page
    assert page.index("Er zijn vragen voor jou") < page.index("Mijn doelen")


def test_recent_activities_of_several_pws_are_the_newest_and_cost_the_same_queries(
    client, django_assert_num_queries
):
    """Issue 16: the home's recent activities come from each PW's newest rows (the index),
    not from sorting all of them; the newest across my PWs first, whatever the history."""
    import datetime as dt

    from tests.factories import ActivityFactory
    from werkplaats.home_sections import RECENT

    user = member_user(WorkplaceFactory(), Role.BRIDGE_BUILDER)
    other = WorkplaceFactory()
    MembershipFactory(person=user.person, workplace=other, role=Role.MANAGER)
    today = dt.date.today()
    first = user.person.memberships.exclude(workplace=other).get().workplace
    ActivityFactory(workplace=first, date=today, title="Vandaag in de eerste")
    ActivityFactory(workplace=other, date=today - dt.timedelta(days=1), title="Gisteren")
    client.force_login(user)
    client.get("/")

    def recent(response):
        panels = {panel.key: context for panel, context in response.context["panels"]}
        return [a.title for a in panels["recent"]["recent"]]

    with django_assert_num_queries(16) as few:
        titles = recent(client.get("/"))
    assert titles[:2] == ["Vandaag in de eerste", "Gisteren"]
    for n in range(30):
        ActivityFactory(workplace=other, date=today - dt.timedelta(days=10 + n))
    with django_assert_num_queries(len(few.captured_queries)):
        again = recent(client.get("/"))
    assert again[:2] == titles[:2] and len(again) == RECENT


def test_a_home_card_shows_the_pw_its_people_per_role_and_a_missing_partner(client):
    """The cards are built in Python (werkplaats/workplace_cards.py): every part is there,
    escaped, in the reader's language, and the flag only where a partner kind is missing."""
    whole = WorkplaceFactory(name="PW <Heel>", started_on=dt.date(2019, 9, 1))
    lacking = WorkplaceFactory(
        name="PW Half", partners=[OrganisationFactory(kind=OrganisationKind.HIGHER_EDUCATION)]
    )
    user = member_user(whole, Role.MANAGER)
    MembershipFactory(person=user.person, workplace=lacking, role=Role.STUDENT)
    MembershipFactory(workplace=whole, role=Role.STUDENT)
    client.force_login(user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    cards = html.split('<li class="card">')[1:]
    assert len(cards) == 2
    heel = next(card for card in cards if "Heel" in card)
    half = next(card for card in cards if "PW Half" in card)
    assert "PW &lt;Heel&gt;" in heel and "<Heel>" not in heel
    assert "sinds 2019 · 2 personen" in heel
    assert '<th scope="row">Manager</th><td>1</td>' in heel
    assert '<th scope="row">Student</th><td>1</td>' in heel
    assert "ontbreekt een hogeschool" not in heel
    assert "ontbreekt een hogeschool" in half and "1 persoon" in half
    assert "Let op:" in half and "Attention" not in half  # the flag's label in Dutch too


def test_the_pw_home_counts_people_the_same_from_the_member_rows_and_from_the_database(client):
    """A reader of the member list gets the counts from those rows; research access (no
    names) gets them from the database: the same figures, a person with two roles in both."""
    from tests.factories import ResearchGrantFactory

    workplace = WorkplaceFactory()
    manager = member_user(workplace, Role.MANAGER)
    both = PersonFactory()
    MembershipFactory(person=both, workplace=workplace, role=Role.PROFESSIONAL)
    MembershipFactory(person=both, workplace=workplace, role=Role.BRIDGE_BUILDER)
    MembershipFactory(workplace=workplace, role=Role.STUDENT)
    MembershipFactory(
        workplace=workplace, role=Role.STUDENT, ends_on=timezone.localdate() - dt.timedelta(1),
        starts_on=dt.date(2020, 9, 1),
    )  # fmt: skip
    researcher = ResearchGrantFactory(workplace=workplace).user
    seen = {}
    for name, user in (("members", manager), ("counts only", researcher)):
        client.force_login(user)
        context = client.get(f"/pw/{workplace.slug}/").context
        seen[name] = (context["people"], [(r["code"], r["count"]) for r in context["roles"]])
    assert seen["members"] == seen["counts only"]
    people, roles = seen["members"]
    assert people == 3
    assert dict(roles)[Role.BRIDGE_BUILDER] == 1 and dict(roles)[Role.PROFESSIONAL] == 1
    assert dict(roles)[Role.STUDENT] == 1 and dict(roles)[Role.MANAGER] == 1
