"""GDPR access, portability and erasure: staff export everything held about one person (JSON
and readable HTML), and erase them everywhere while the evaluation results stay correct; no
trace of their name or e-mail remains in the database."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from evaluations import results, tallies
from evaluations.models import ImprovementAction, Invitation
from tests.admin_forms import admin_post_data
from tests.evaluations.test_results import respond
from tests.factories import (
    ActivityFactory,
    CmoNoteFactory,
    CycleFactory,
    GoalFactory,
    PoolConsentFactory,
    PracticeCaseFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import Person, Role, User
from werkplaats.personal_data import export_person

pytestmark = pytest.mark.django_db

NAME = "Zwaantje Zeldzaamnaam"
EMAIL = "zwaantje.zeldzaam@voorbeeld.example"


@pytest.fixture
def zwaantje(workplace):
    """A client-student with data everywhere: goals, activities, a case, a note, a consent,
    an improvement action, and answers in a closed evaluation with two other people."""
    user = member_user(workplace, Role.STUDENT, name=NAME, email=EMAIL)
    person = user.person
    goal = GoalFactory(workplace=workplace, owner=person, title="Doel van Zwaantje")
    from werkplaats import goal_services

    colleague = member_user(workplace, Role.PROFESSIONAL).person
    goal_services.add_update(goal=goal, author=colleague, text="Feedback voor Zwaantje")
    activity = ActivityFactory(workplace=workplace)
    activity.participants.add(person)
    case = PracticeCaseFactory(workplace=workplace, lead=person)
    CmoNoteFactory(workplace=workplace, author=person, case=case)
    consent = PoolConsentFactory(person=person, contact_details="06-99998888")
    consent.workplaces.set([workplace])
    cycle = CycleFactory(workplace=workplace)
    respond(cycle, Role.STUDENT, {"LOS-1": 5}, went_well="Fijn")
    respond(cycle, Role.STUDENT, {"LOS-1": 3})
    own = respond(cycle, Role.STUDENT, {"LOS-1": 1}, went_well="Zwaantje vindt het fijn")
    Invitation.objects.filter(pk=own.invitation_id).update(person=person)
    cycle.status = "closed"
    cycle.save(update_fields=["status"])
    tallies.tally_cycle(cycle)
    ImprovementAction.objects.create(
        workplace=workplace, cycle=cycle, element_id="LOS", title="Actie",
        owner=person, organisation=workplace.partners.first(), due_on=cycle.closes_at.date(),
    )  # fmt: skip
    return person, cycle


def text_in_database(needle: str) -> list[str]:
    """Every table and text column holding ``needle`` (case-insensitive)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                quoted = connection.ops.quote_name
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quoted(table)} "  # noqa: S608 — names from the schema
                    f"WHERE LOWER(CAST({quoted(column.name)} AS TEXT)) LIKE %s",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def test_staff_export_everything_held_about_a_person(client, zwaantje):
    person, cycle = zwaantje
    data = export_person(person)
    assert data["person"]["email"] == EMAIL
    assert data["werkplaats"]["learning_goals"][0]["title"] == "Doel van Zwaantje"
    assert data["evaluations"]["invitations"][0]["answers"] == {"LOS-1": 1}
    assert data["cases"]["pool_consents"][0]["contact_details"] == "06-99998888"
    assert [n["kind"] for n in data["werkplaats"]["notifications"]] == ["feedback"]
    client.force_login(UserFactory(is_staff=True))
    page = client.get(f"/staff/people/{person.pk}/data/")
    assert NAME in page.content.decode()
    download = client.get(f"/staff/people/{person.pk}/data/?format=json")
    assert json.loads(download.content)["person"]["name"] == NAME
    assert "attachment" in download["Content-Disposition"]


def test_erasure_leaves_no_trace_and_the_results_stay(
    client, zwaantje, workplace, django_capture_on_commit_callbacks, settings
):
    settings.EVALUATION_MIN_GROUP_TEXT = 3  # the small group's words are on the dashboard
    person, cycle = zwaantje
    before = results.cycle_results(cycle)
    dashboard = f"/pw/{workplace.slug}/results/{cycle.pk}/"
    client.force_login(member_user(workplace, Role.MANAGER))
    assert "Zwaantje vindt" in client.get(dashboard).content.decode()  # and now cached
    client.logout()
    # They logged in, later mistyped their passphrase, and staff corrected their name in the admin.
    login, passphrase = person.user.email, "een lange wachtzin om in te loggen"
    person.user.set_password(passphrase)
    person.user.save()
    logged_in = client.post("/accounts/login/", {"username": login, "password": passphrase})
    assert logged_in.status_code == 302
    client.logout()
    client.post("/accounts/login/", {"username": login.upper(), "password": "typfout"})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/werkplaats/person/{person.pk}/change/")
    edit = client.post(f"/admin/werkplaats/person/{person.pk}/change/", admin_post_data(page))
    assert edit.status_code == 302
    found = text_in_database(login)
    assert "axes_accesslog.username" in found and "axes_accessattempt.username" in found
    assert text_in_database(NAME)  # the check can find them
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/people/{person.pk}/erase/", {"confirm": "erase"})
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not User.objects.filter(email=EMAIL).exists()
    assert text_in_database(NAME) == []
    assert text_in_database(EMAIL) == []
    assert text_in_database(login) == []
    assert text_in_database("Zwaantje vindt") == []  # their open answer
    assert text_in_database("06-99998888") == []
    after = results.cycle_results(cycle)
    assert after.element("LOS").score == before.element("LOS").score
    assert after.respondents == before.respondents
    assert ImprovementAction.objects.get().owner is None
    client.force_login(member_user(workplace, Role.MANAGER))
    assert "Zwaantje vindt" not in client.get(dashboard).content.decode()  # nor in the cache


def test_only_staff_reach_the_personal_data_pages(client, zwaantje, workplace):
    person, _cycle = zwaantje
    client.force_login(member_user(workplace, Role.MANAGER))
    assert client.get(f"/staff/people/{person.pk}/data/").status_code == 404
    assert client.post(f"/staff/people/{person.pk}/erase/", {"confirm": "erase"}).status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()
