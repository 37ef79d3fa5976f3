"""Shared learning goals: privacy, permissions, the timeline, support, the wall, reminders,
counts, and bad input."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from elements.models import Aspect, Element
from tests.factories import GoalFactory, MembershipFactory, PersonFactory, member_user
from tests.mail_faults import refuse
from werkplaats.goal_services import goal_counts, schedule_reminders, send_due_reminders
from werkplaats.models import (
    GoalReminder,
    GoalStatus,
    GoalSupport,
    GoalUpdate,
    GoalVisibility,
    LearningGoal,
    Notification,
    Role,
    SupportStatus,
    UpdateKind,
)
from werkplaats.notifications import send_pending

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def student(workplace):
    return member_user(workplace, Role.STUDENT, name="Noor Bakker", email="noor@voorbeeld.example")


@pytest.fixture
def supporter(workplace):
    return member_user(workplace, Role.SUPPORTER, name="Joris Smit")


def goals_url(workplace, suffix=""):
    return f"/pw/{workplace.slug}/goals/{suffix}"


def new_goal(client, workplace, **data):
    payload = {"title": "Feedback vragen", "visibility": "workplace", "status": "active", **data}
    return client.post(goals_url(workplace, "new/"), payload)


# --- Creating and editing -------------------------------------------------------------------
def test_a_student_creates_a_goal_with_elements_and_a_co_owner(client, workplace, student):
    duo = MembershipFactory(workplace=workplace, role=Role.STUDENT).person
    client.force_login(student)
    response = new_goal(
        client, workplace, tags=["LOS-4"], co_owners=[duo.pk],
        target_date=(TODAY() + dt.timedelta(days=30)).isoformat(),
    )  # fmt: skip
    assert response.status_code == 302
    goal = LearningGoal.objects.get()
    assert goal.owner == student.person and list(goal.co_owners.all()) == [duo]
    assert goal.school_year and goal.status == GoalStatus.ACTIVE
    assert sorted(goal.tag_codes()) == ["LOS", "LOS-4"]
    assert set(goal.reminders.values_list("kind", flat=True)) == {"week_before", "on_the_day"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"target_date": "2020-01-01"}, "target_date"),
        ({"tags": ["ABC"]}, "tags"),
    ],
)
def test_bad_goal_input_gets_a_field_error_and_saves_nothing(
    client, workplace, student, data, field
):
    client.force_login(student)
    response = new_goal(client, workplace, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not LearningGoal.objects.exists()


def test_a_co_owner_from_another_workplace_is_refused(client, workplace, other_workplace, student):
    stranger = MembershipFactory(workplace=other_workplace).person
    client.force_login(student)
    response = new_goal(client, workplace, co_owners=[stranger.pk])
    assert response.status_code == 400 and not LearningGoal.objects.exists()


def test_only_owners_edit_a_goal(client, workplace, student, supporter):
    goal = GoalFactory(workplace=workplace, owner=student.person, title="Oud")
    client.force_login(supporter)
    assert client.get(goals_url(workplace, f"{goal.pk}/edit/")).status_code == 403
    response = client.post(goals_url(workplace, f"{goal.pk}/edit/"), {"title": "Gekaapt"})
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.title == "Oud"
    client.force_login(student)
    client.post(
        goals_url(workplace, f"{goal.pk}/edit/"),
        {"title": "Nieuw", "visibility": "workplace", "status": "active", "version": 1},
    )
    goal.refresh_from_db()
    assert goal.title == "Nieuw"


def test_two_owners_editing_at_once_get_a_conflict_not_a_lost_edit(
    client, workplace, student, supporter
):
    """A co-owner saves while the owner has the form open: the owner's save is refused with
    409 and their input kept; nothing of theirs overwrites the co-owner's edit."""
    from django.test import Client

    co_owner = member_user(workplace, Role.STUDENT)
    goal = GoalFactory(workplace=workplace, owner=student.person, title="Oud")
    goal.co_owners.add(co_owner.person)
    url = goals_url(workplace, f"{goal.pk}/edit/")
    client.force_login(student)
    other = Client()
    other.force_login(co_owner)
    mine, theirs = client.get(url), other.get(url)
    assert 'name="version" value="1"' in mine.content.decode()
    fields = {"visibility": "workplace", "status": "active", "version": 1}
    assert other.post(url, {**fields, "title": "Van de mede-eigenaar"}).status_code == 302
    response = client.post(url, {**fields, "title": "Van de eigenaar"})
    assert response.status_code == 409
    assert "Somebody else changed this goal" in response.content.decode() or (
        "iemand anders" in response.content.decode().lower()
    )
    assert 'value="Van de eigenaar"' in response.content.decode()  # their input is kept
    goal.refresh_from_db()
    assert (goal.title, goal.version) == ("Van de mede-eigenaar", 2)
    assert theirs.status_code == 200
    # Reloaded, the owner saves against version 2.
    assert client.post(url, {**fields, "title": "Samen", "version": 2}).status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.version) == ("Samen", 3)


def test_closing_a_goal_makes_an_open_edit_form_stale(client, workplace, student):
    goal = GoalFactory(workplace=workplace, owner=student.person, status=GoalStatus.ACTIVE)
    client.force_login(student)
    url = goals_url(workplace, f"{goal.pk}/")
    client.post(f"{url}close/", {"status": "achieved", "reflection": "Gelukt"})
    response = client.post(
        f"{url}edit/", {"title": "Later", "visibility": "workplace", "version": 1}
    )
    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED and goal.title != "Later"


# --- Privacy --------------------------------------------------------------------------------
def test_a_goal_for_supporters_only_is_invisible_to_everyone_else(
    client, workplace, student, supporter, owner, outsider
):
    private = GoalFactory(
        workplace=workplace, owner=student.person, title="Privé doel",
        visibility=GoalVisibility.SUPPORTERS,
    )  # fmt: skip
    GoalSupport.objects.create(goal=private, person=supporter.person, status="accepted")
    for user, sees in [(student, True), (supporter, True), (owner, False), (outsider, False)]:
        client.force_login(user)
        detail = client.get(goals_url(workplace, f"{private.pk}/"))
        assert detail.status_code == (200 if sees else 404), user
        wall = client.get(goals_url(workplace, "wall/"))
        assert "Privé doel" not in wall.content.decode()  # the wall never shows it
    assert private in LearningGoal.objects.visible_to(supporter)
    assert private not in LearningGoal.objects.visible_to(owner)


def test_drafts_are_seen_by_their_owners_only(client, workplace, student, owner):
    draft = GoalFactory(workplace=workplace, owner=student.person, status=GoalStatus.DRAFT)
    assert draft in LearningGoal.objects.visible_to(student)
    assert draft not in LearningGoal.objects.visible_to(owner)


def test_nobody_outside_the_workplace_sees_a_shared_goal(client, workplace, student, outsider):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    client.force_login(outsider)
    assert client.get(goals_url(workplace, f"{goal.pk}/")).status_code == 404
    assert goal not in LearningGoal.objects.visible_to(outsider)


# --- Support, feedback, replies, closing ----------------------------------------------------
def test_asking_for_support_then_accepting(client, workplace, student, supporter):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    client.force_login(student)
    client.post(goals_url(workplace, f"{goal.pk}/ask/"), {"person": supporter.person.pk})
    support = GoalSupport.objects.get()
    assert support.status == SupportStatus.REQUESTED
    client.force_login(supporter)
    page = client.get(goals_url(workplace)).content.decode()
    assert goal.title in page  # the request shows on their "my goals"
    client.post(goals_url(workplace, f"{goal.pk}/answer/"), {"answer": "yes"})
    support.refresh_from_db()
    assert support.status == SupportStatus.ACCEPTED
    wall = client.get(goals_url(workplace, "wall/")).content.decode()
    assert "Joris Smit" in wall  # who supports whom


def test_a_supporter_from_another_workplace_cannot_be_asked(
    client, workplace, other_workplace, student
):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    stranger = MembershipFactory(workplace=other_workplace).person
    client.force_login(student)
    response = client.post(goals_url(workplace, f"{goal.pk}/ask/"), {"person": stranger.pk})
    assert response.status_code == 400
    assert not GoalSupport.objects.exists()


def test_feedback_is_addressed_to_the_owner_who_can_reply(client, workplace, student, supporter):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    client.force_login(supporter)
    client.post(goals_url(workplace, f"{goal.pk}/update/"), {"text": "Goed bezig!"})
    feedback = GoalUpdate.objects.get()
    assert feedback.kind == UpdateKind.FEEDBACK and feedback.author == supporter.person
    client.force_login(student)
    page = client.get(goals_url(workplace, f"{goal.pk}/")).content.decode()
    assert "Goed bezig!" in page
    client.post(
        goals_url(workplace, f"{goal.pk}/update/"),
        {"text": "Dank je, ik ga het proberen", "reply_to": feedback.pk},
    )
    reply = GoalUpdate.objects.get(kind=UpdateKind.REPLY)
    assert reply.reply_to == feedback
    client.post(goals_url(workplace, f"{goal.pk}/update/"), {"text": "Gelukt vandaag"})
    assert GoalUpdate.objects.filter(kind=UpdateKind.PROGRESS).count() == 1


def test_feedback_that_is_too_long_is_refused_not_truncated(client, workplace, student, supporter):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    client.force_login(supporter)
    response = client.post(goals_url(workplace, f"{goal.pk}/update/"), {"text": "x" * 2001})
    assert response.status_code == 400
    assert "2000" in response.content.decode()
    assert not GoalUpdate.objects.exists()


def test_only_owners_reply_and_close(client, workplace, student, supporter):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    feedback = GoalUpdate.objects.create(
        goal=goal, author=supporter.person, kind=UpdateKind.FEEDBACK, text="Top"
    )
    client.force_login(supporter)
    reply = {"text": "antwoord namens de student", "reply_to": feedback.pk}
    assert client.post(goals_url(workplace, f"{goal.pk}/update/"), reply).status_code == 403
    close = {"status": "achieved", "reflection": "klaar"}
    assert client.post(goals_url(workplace, f"{goal.pk}/close/"), close).status_code == 403
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACTIVE


def test_closing_a_goal_records_the_reflection_and_drops_unsent_reminders(
    client, workplace, student
):
    goal = GoalFactory(
        workplace=workplace, owner=student.person, target_date=TODAY() + dt.timedelta(days=20)
    )
    schedule_reminders(goal)
    assert goal.reminders.count() == 2
    client.force_login(student)
    client.post(
        goals_url(workplace, f"{goal.pk}/close/"),
        {"status": "achieved", "reflection": "Ik vraag nu vanzelf om feedback."},
    )
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.updates.get().kind == UpdateKind.REFLECTION
    assert goal.reminders.count() == 0


# --- The wall -------------------------------------------------------------------------------
def test_the_wall_is_one_grid_narrowed_by_person_role_and_element(
    client, workplace, student, supporter
):
    a = GoalFactory(workplace=workplace, owner=student.person, title="Doel van Noor")
    a.elements.add("VOR")
    b = GoalFactory(workplace=workplace, owner=supporter.person, title="Doel van Joris")
    b.elements.add("LOS")
    b.co_owners.add(student.person)
    GoalFactory(workplace=workplace, owner=student.person, title="Bereikt",
                status=GoalStatus.ACHIEVED)  # fmt: skip
    former = PersonFactory(name="Oud-lid")
    MembershipFactory(workplace=workplace, person=former, starts_on=dt.date(2020, 1, 1),
                      ends_on=dt.date(2021, 1, 1))  # fmt: skip
    GoalFactory(workplace=workplace, owner=former, title="Van een oud-lid")
    client.force_login(student)
    response = client.get(goals_url(workplace, "wall/"))
    html = response.content.decode()
    assert html.count('class="goal-grid wall-grid"') == 1  # one grid, not a section per person
    assert [g.title for g in response.context["goals"]] == ["Doel van Joris", "Doel van Noor"]
    assert "Bereikt" not in html and "Van een oud-lid" not in html

    def titles(query):
        page = client.get(goals_url(workplace, f"wall/?{query}"))
        return [g.title for g in page.context["goals"]]

    assert titles("element=LOS") == ["Doel van Joris"]
    assert titles("role=student") == ["Doel van Noor"]
    assert titles(f"person={supporter.person.pk}") == ["Doel van Joris"]
    # A co-owner's goals are theirs too.
    assert titles(f"person={student.person.pk}") == ["Doel van Joris", "Doel van Noor"]
    # A person outside this PW is not a choice: the filter is ignored, not a 500.
    assert client.get(goals_url(workplace, "wall/?person=999999")).status_code == 200


def test_the_wall_orders_by_person_newest_or_target_date(client, workplace, student, supporter):
    later = GoalFactory(workplace=workplace, owner=student.person, title="Later",
                        target_date=TODAY() + dt.timedelta(days=60))  # fmt: skip
    soon = GoalFactory(workplace=workplace, owner=supporter.person, title="Binnenkort",
                       target_date=TODAY() + dt.timedelta(days=5))  # fmt: skip
    open_ended = GoalFactory(workplace=workplace, owner=student.person, title="Zonder datum")
    LearningGoal.objects.filter(pk=open_ended.pk).update(
        created_at=timezone.now() + dt.timedelta(minutes=1)
    )
    client.force_login(student)

    def titles(order):
        page = client.get(goals_url(workplace, f"wall/?order={order}"))
        return [g.title for g in page.context["goals"]]

    assert titles("target") == [soon.title, later.title, open_ended.title]
    assert titles("newest")[0] == open_ended.title
    assert titles("person")[0] == soon.title  # "Joris Smit" sorts before "Noor Bakker"


def test_the_wall_uses_a_constant_number_of_queries(
    client, workplace, student, django_assert_max_num_queries
):
    client.force_login(student)
    GoalFactory(workplace=workplace, owner=student.person).elements.add("VOR")
    url = goals_url(workplace, "wall/")
    client.get(url)
    with django_assert_max_num_queries(19) as first:
        client.get(url)
    expected = len(first.captured_queries)
    for i in range(15):
        goal = GoalFactory(workplace=workplace, owner=student.person, title=f"Doel {i}")
        goal.elements.add("LOS")
        GoalSupport.objects.create(goal=goal, person=PersonFactory(), status="accepted")
    with django_assert_max_num_queries(expected):
        client.get(url)


@pytest.mark.parametrize(
    "codes",
    [[], ["VOR"], ["LOS-2"], ["LOS", "LOS-2", "VOR"], ["GOC-1", "GOC-3", "SRI"], ["LOS", "VOR-1"]],
)
def test_a_cards_tags_are_those_the_template_tag_shows(workplace, student, codes):
    """The cards read tags in bulk (``goal_cards._tags``); they are the same as ``tags_shown``
    gives for one goal: aspects with their text, elements without any of their aspects."""
    from elements.tagging import TagSelection, set_tags
    from werkplaats.goal_cards import _tags
    from werkplaats.templatetags.werkplaats_tags import tags_shown

    goal = GoalFactory(workplace=workplace, owner=student.person)
    set_tags(goal, TagSelection.from_codes(codes))
    other = GoalFactory(workplace=workplace, owner=student.person)
    other.elements.add("SRI")
    fresh = LearningGoal.objects.get(pk=goal.pk)
    assert _tags([goal.pk, other.pk])[goal.pk] == tags_shown(fresh)


def test_a_card_shows_its_people_tags_and_only_accepted_supporters(client, workplace, student):
    co_owner = member_user(workplace, Role.STUDENT, name="Bram <Co>")
    goal = GoalFactory(
        workplace=workplace,
        owner=student.person,
        title="Gesprek <voeren>",
        target_date=dt.date(2027, 3, 5),
    )
    goal.co_owners.add(co_owner.person)
    goal.aspects.add("LOS-2")
    goal.elements.add("LOS", "VOR")
    GoalSupport.objects.create(
        goal=goal, person=PersonFactory(name="Anna Steun"), status="accepted"
    )
    GoalSupport.objects.create(
        goal=goal, person=PersonFactory(name="Piet Vraag"), status="requested"
    )
    client.force_login(student)
    html = client.get(goals_url(workplace, "wall/"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    card = html[html.index('<article class="goal-card">') : html.index("</article>")]
    assert f'<a href="/pw/{workplace.slug}/goals/{goal.pk}/">Gesprek &lt;voeren&gt;</a>' in card
    assert f'<span class="goal-people">{student.person.name}, Bram &lt;Co&gt;</span>' in card
    assert "streefdatum 5 " in card and " 2027" in card, card
    los2 = Aspect.objects.get(code="LOS-2")
    vor = Element.objects.get(code="VOR")
    assert card.index(">LOS-2</span>") < card.index(">VOR</span>")  # aspects, then elements
    assert ">LOS</span>" not in card  # covered by its aspect
    assert str(los2.text) in card and str(vor.name) in card
    assert "Ondersteund door Anna Steun" in card and "Piet Vraag" not in card


# --- Reminders ------------------------------------------------------------------------------
def due_goal(workplace, student, **kwargs):
    goal = GoalFactory(workplace=workplace, owner=student.person, **kwargs)
    GoalReminder.objects.create(goal=goal, kind="on_the_day", due_on=TODAY())
    return goal


def remind(today=None, later=dt.timedelta(0)):
    """Beat's hourly task: due reminders become notifications, then their mails go out."""
    due = send_due_reminders(today=today)
    send_pending(now=timezone.now() + later)
    return due


def test_a_due_reminder_is_sent_once_even_when_the_sweep_runs_twice(workplace, student):
    due_goal(workplace, student, target_date=TODAY())
    assert remind() == 1
    assert remind() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["noor@voorbeeld.example"]
    note = Notification.objects.get(kind="goal-reminder")
    assert f"http://127.0.0.1:8000/notifications/{note.pk}/open/" in mail.outbox[0].body
    assert note.link == f"/pw/{workplace.slug}/goals/{note.goal_id}/"
    reminder = GoalReminder.objects.get()
    assert reminder.sent_at is not None and reminder.recipients == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_a_reminder_once(workplace, student):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL; the claim is tested sequentially above")
    for _ in range(5):
        due_goal(workplace, student, target_date=TODAY())
    results = []

    def sweep():
        results.append(remind())
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 5
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(mail="sent").count() == 5


def test_a_failed_send_is_retried_later_not_lost(workplace, student, monkeypatch):
    due_goal(workplace, student, target_date=TODAY())
    refuse(monkeypatch, [student.person.email])
    assert remind() == 1
    note = Notification.objects.get(kind="goal-reminder")
    assert note.mail == "pending" and "mailbox busy" in note.last_error and not mail.outbox
    monkeypatch.undo()
    remind(later=dt.timedelta(minutes=5))
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert note.mail == "sent"


def test_a_failed_send_to_one_co_owner_does_not_remind_the_others_again(
    workplace, student, monkeypatch
):
    """Issue 17: the co-owners already reached got the reminder again on the retry. Now each
    owner's notification is its own row with its own mail."""
    goal = due_goal(workplace, student, target_date=TODAY())
    first = member_user(workplace, Role.STUDENT, email="eerste@voorbeeld.example").person
    second = member_user(workplace, Role.STUDENT, email="tweede@voorbeeld.example").person
    goal.co_owners.add(first, second)
    refuse(monkeypatch, [second.email])
    assert remind() == 1
    reached = sorted(m.to[0] for m in mail.outbox)
    assert reached == sorted([student.person.email, first.email])
    reminder = GoalReminder.objects.get()
    assert reminder.sent_at is not None and reminder.recipients == 3
    monkeypatch.undo()
    for minutes in (5, 60, 24 * 60):
        assert (
            remind(today=TODAY() + dt.timedelta(days=1), later=dt.timedelta(minutes=minutes)) == 0
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [student.person.email, first.email, second.email]
    )


def test_a_changed_target_date_rearms_the_reminder_for_the_new_date(workplace, student):
    goal = GoalFactory(
        workplace=workplace, owner=student.person, target_date=TODAY() + dt.timedelta(days=7)
    )
    schedule_reminders(goal)
    assert send_due_reminders() == 1  # the week-before reminder is due today
    goal.target_date = TODAY() + dt.timedelta(days=7)
    schedule_reminders(goal)
    assert send_due_reminders() == 0  # same date: not again
    goal.target_date = TODAY() + dt.timedelta(days=21)
    schedule_reminders(goal)
    assert GoalReminder.objects.get(kind="week_before").sent_at is None


def test_reminders_go_out_in_the_owners_language(workplace):
    english = member_user(workplace, Role.STUDENT, email="sam@example.org", preferred_language="en")
    due_goal(workplace, english, title="Learn to ask", target_date=TODAY())
    remind()
    assert mail.outbox[0].subject == "The target date of your goal is near · " + workplace.name


# --- Counts for the yearly evaluation -------------------------------------------------------
def test_counts_per_role_and_element_include_private_goals_without_showing_them(
    workplace, student, supporter, django_assert_num_queries
):
    year = "2026-2027"
    shared = GoalFactory(workplace=workplace, owner=student.person, school_year=year)
    shared.elements.add("LOS")
    private = GoalFactory(
        workplace=workplace, owner=student.person, school_year=year,
        visibility=GoalVisibility.SUPPORTERS, status=GoalStatus.ACHIEVED,
    )  # fmt: skip
    private.elements.add("LOS", "VOR")
    GoalUpdate.objects.create(goal=private, author=supporter.person, kind="feedback", text="x")
    GoalFactory(workplace=workplace, owner=supporter.person, school_year=year)
    GoalFactory(workplace=workplace, owner=student.person, school_year="2025-2026")
    GoalFactory(workplace=workplace, owner=student.person, school_year=year,
                status=GoalStatus.DRAFT)  # fmt: skip
    with django_assert_num_queries(3):
        counts = goal_counts(workplace=workplace, school_year=year)
    assert counts["total"] == {
        "shared": 3, "shared_with_workplace": 2, "achieved": 1, "with_feedback": 1
    }  # fmt: skip
    assert counts["per_role"]["student"] == {
        "shared": 2, "shared_with_workplace": 1, "achieved": 1, "with_feedback": 1
    }  # fmt: skip
    assert counts["per_role"]["supporter"]["shared"] == 1
    assert counts["per_role"]["client"]["shared"] == 0
    assert counts["per_element"]["LOS"]["shared"] == 2
    assert counts["per_element"]["VOR"] == {
        "shared": 1, "shared_with_workplace": 0, "achieved": 1, "with_feedback": 1
    }  # fmt: skip


def test_a_draft_is_kept_out_of_the_wall_until_it_is_made_active(client, workplace, student, owner):
    client.force_login(student)
    new_goal(client, workplace, title="Nog een idee", status="draft")
    client.get(goals_url(workplace))  # shows (and so clears) the "saved" message
    goal = LearningGoal.objects.get()
    assert goal.status == GoalStatus.DRAFT
    client.force_login(owner)
    assert "Nog een idee" not in client.get(goals_url(workplace, "wall/")).content.decode()
    assert client.get(goals_url(workplace, f"{goal.pk}/")).status_code == 404
    client.force_login(student)
    client.post(
        goals_url(workplace, f"{goal.pk}/edit/"),
        {"title": "Nog een idee", "visibility": "workplace", "status": "active", "version": 1},
    )
    client.force_login(owner)
    assert "Nog een idee" in client.get(goals_url(workplace, "wall/")).content.decode()


def test_the_goal_page_uses_a_constant_number_of_queries(
    client, workplace, student, supporter, django_assert_max_num_queries
):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    GoalUpdate.objects.create(goal=goal, author=supporter.person, kind="feedback", text="a")
    client.force_login(student)
    url = goals_url(workplace, f"{goal.pk}/")
    client.get(url)
    with django_assert_max_num_queries(24) as first:
        client.get(url)
    expected = len(first.captured_queries)
    for i in range(12):
        helper = MembershipFactory(workplace=workplace, role=Role.SUPPORTER).person
        GoalSupport.objects.create(goal=goal, person=helper, status="accepted")
        GoalUpdate.objects.create(goal=goal, author=helper, kind="feedback", text=f"tip {i}")
    with django_assert_max_num_queries(expected):
        client.get(url)


# --- Review findings, kept as regressions ---------------------------------------------------
def test_a_draft_stays_private_even_for_someone_asked_to_support_it(
    client, workplace, student, supporter
):
    draft = GoalFactory(workplace=workplace, owner=student.person, status=GoalStatus.DRAFT)
    GoalSupport.objects.create(goal=draft, person=supporter.person)  # e.g. asked before
    co_owner = member_user(workplace, Role.STUDENT)
    draft.co_owners.add(co_owner.person)
    assert draft not in LearningGoal.objects.visible_to(supporter)
    assert draft in LearningGoal.objects.visible_to(co_owner)
    client.force_login(student)
    page = client.get(goals_url(workplace, f"{draft.pk}/")).content.decode()
    assert "Vraag iemand om dit doel te ondersteunen" not in page  # no asking on a draft
    response = client.post(
        goals_url(workplace, f"{draft.pk}/ask/"), {"person": supporter.person.pk}
    )
    assert response.status_code in (400, 403)


def test_a_declined_request_cannot_be_turned_into_support_by_the_person_asked(
    client, workplace, student, supporter
):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    GoalSupport.objects.create(goal=goal, person=supporter.person, status=SupportStatus.DECLINED)
    client.force_login(supporter)
    response = client.post(goals_url(workplace, f"{goal.pk}/answer/"), {"answer": "yes"})
    assert response.status_code == 404
    assert GoalSupport.objects.get().status == SupportStatus.DECLINED


def test_staff_who_are_not_members_cannot_create_goals_in_a_workplace(client, workplace):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    PersonFactory(user=staff)
    client.force_login(staff)
    assert new_goal(client, workplace).status_code == 403
    assert not LearningGoal.objects.exists()


def test_closing_twice_adds_one_reflection_and_keeps_the_first_outcome(client, workplace, student):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    client.force_login(student)
    url = goals_url(workplace, f"{goal.pk}/close/")
    client.post(url, {"status": "achieved", "reflection": "eerste"})
    client.post(url, {"status": "stopped", "reflection": "tweede"})
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    assert goal.updates.filter(kind=UpdateKind.REFLECTION).count() == 1


def test_a_target_date_moved_closer_drops_the_week_before_reminder(workplace, student):
    goal = GoalFactory(
        workplace=workplace, owner=student.person, target_date=TODAY() + dt.timedelta(days=30)
    )
    schedule_reminders(goal)
    goal.target_date = TODAY() + dt.timedelta(days=3)
    schedule_reminders(goal)
    assert set(goal.reminders.values_list("kind", flat=True)) == {"on_the_day"}


def test_moving_the_date_away_and_back_does_not_send_the_same_reminder_twice(workplace, student):
    goal = GoalFactory(workplace=workplace, owner=student.person, target_date=TODAY())
    schedule_reminders(goal)
    assert remind() == 1
    goal.target_date = TODAY() + dt.timedelta(days=10)
    schedule_reminders(goal)
    goal.target_date = TODAY()
    schedule_reminders(goal)
    assert remind() == 0
    assert len(mail.outbox) == 1


def test_counts_per_role_use_the_roles_held_in_that_school_year(workplace):
    person = PersonFactory()
    MembershipFactory(workplace=workplace, person=person, role=Role.STUDENT,
                      starts_on=dt.date(2022, 9, 1), ends_on=dt.date(2023, 8, 31))  # fmt: skip
    MembershipFactory(workplace=workplace, person=person, role=Role.PROFESSIONAL,
                      starts_on=dt.date(2026, 9, 1))  # fmt: skip
    GoalFactory(workplace=workplace, owner=person, school_year="2026-2027")
    counts = goal_counts(workplace=workplace, school_year="2026-2027")
    assert counts["per_role"]["professional"]["shared"] == 1
    assert counts["per_role"]["student"]["shared"] == 0


def test_the_admin_neither_lists_nor_opens_private_goals(client, workplace, student):
    from tests.factories import UserFactory

    GoalFactory(workplace=workplace, owner=student.person, title="Gedeeld doel")
    private = GoalFactory(workplace=workplace, owner=student.person, title="Angst overwinnen",
                          visibility=GoalVisibility.SUPPORTERS)  # fmt: skip
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get("/admin/werkplaats/learninggoal/?q=angst").content.decode()
    assert "Angst overwinnen" not in listing
    assert "Gedeeld doel" in client.get("/admin/werkplaats/learninggoal/").content.decode()
    assert client.get(f"/admin/werkplaats/learninggoal/{private.pk}/change/").status_code == 302


def test_closing_is_offered_last_and_folded_and_open_after_an_error(client, workplace, student):
    goal = GoalFactory(workplace=workplace, owner=student.person)
    client.force_login(student)
    page = client.get(goals_url(workplace, f"{goal.pk}/")).content.decode()
    assert '<details class="close-goal">' in page
    assert page.index("close-goal") > page.index("update-form")  # after writing progress
    response = client.post(goals_url(workplace, f"{goal.pk}/close/"), {"status": "achieved"})
    assert '<details class="close-goal" open>' in response.content.decode()


def test_a_wall_card_shows_the_aspect_not_only_its_element(client, workplace, student):
    goal = GoalFactory(workplace=workplace, owner=student.person, title="Samen onderzoeken")
    goal.elements.add("LOS", "VOR")
    goal.aspects.add("LOS-2")  # LOS through its aspect; VOR as a whole element
    client.force_login(student)
    html = client.get(goals_url(workplace, "wall/")).content.decode()
    card = html[html.index('<article class="goal-card">') : html.index("</article>")]
    assert Aspect.objects.get(code="LOS-2").text_nl in card
    assert Element.objects.get(code="VOR").name_nl in card
    # LOS itself is not listed again beside its aspect.
    assert Element.objects.get(code="LOS").name_nl not in card


def test_the_huddle_view_is_the_wall_without_navigation_in_large_type(client, workplace, student):
    GoalFactory(workplace=workplace, owner=student.person, title="Doel van Noor").elements.add(
        "LOS"
    )
    GoalFactory(workplace=workplace, owner=student.person, title="Ander doel").elements.add("VOR")
    client.force_login(student)
    wall = client.get(goals_url(workplace, "wall/?element=LOS")).content.decode()
    assert f'href="{goals_url(workplace, "wall/huddle/")}?element=LOS"' in wall
    response = client.get(goals_url(workplace, "wall/huddle/?element=LOS"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<body hx-headers" in html and 'class="huddle"' in html
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert "Doel van Noor" in html and "Ander doel" not in html  # the filters carry over
    assert f'href="{goals_url(workplace, "wall/")}?element=LOS"' in html  # and back


def test_the_goal_form_reads_top_to_bottom_with_a_name_search_for_co_owners(
    client, workplace, student
):
    client.force_login(student)
    html = client.get(goals_url(workplace, "new/")).content.decode()
    order = ["id_title", "id_description", "id_why", "id_how", "id_co_owners", "id_target_date"]
    positions = [html.index(f'id="{name}') for name in order]
    assert positions == sorted(positions)
    assert 'class="form-stack"' in html
    assert 'data-filter-list="id_co_owners"' in html  # the activity form's name search
