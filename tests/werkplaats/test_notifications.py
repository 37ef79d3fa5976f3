"""Notifications: every event tells exactly the right people once, mails are discreet and go
out once per recipient, the digest, the inbox with its unread count, settings, unsubscribing."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations import answering, mailing
from evaluations.models import DeliveryStatus, MailDelivery, MailKind
from tests.factories import (
    CycleFactory,
    GoalFactory,
    PracticeCaseFactory,
    invitation_for,
    member_user,
)
from tests.mail_faults import refuse
from werkplaats import goal_services, notifications
from werkplaats.models import (
    GoalStatus,
    GoalSupport,
    GoalVisibility,
    MailState,
    Notification,
    NotificationDigest,
    NotificationSettings,
    Person,
    Role,
    SupportStatus,
    UpdateKind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(workplace):
    return member_user(workplace, Role.STUDENT, name="Noor Bakker", email="noor@voorbeeld.example")


@pytest.fixture
def supporter(workplace):
    return member_user(
        workplace, Role.SUPPORTER, name="Joris Smit", email="joris@voorbeeld.example"
    )


@pytest.fixture
def goal(workplace, student):
    return GoalFactory(workplace=workplace, owner=student.person, title="Om hulp durven vragen")


def kinds(person: Person) -> list[str]:
    return sorted(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


def choose(person: Person, **channels) -> None:
    NotificationSettings.objects.update_or_create(
        person=person, defaults={"channels": {k.replace("_", "-"): v for k, v in channels.items()}}
    )


# --- Events -----------------------------------------------------------------------------------
def test_asking_support_tells_the_person_asked_at_once_and_discreetly(goal, student, supporter):
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    assert kinds(supporter.person) == ["support-asked"] and kinds(student.person) == []
    note = Notification.objects.get()
    assert note.mail == MailState.PENDING and note.goal == goal
    assert notifications.send_pending() == {"sent": 1}
    [message] = mail.outbox
    assert message.to == ["joris@voorbeeld.example"]
    assert message.subject == "Je wordt gevraagd een doel te steunen · " + goal.workplace.name
    # Discreet: neither the goal nor the asker is named, in text or HTML.
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "Om hulp durven vragen" not in text and "Bakker" not in text
    assert f"/notifications/{note.pk}/open/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")


def test_asking_twice_tells_once_and_asking_again_after_a_no_tells_again(goal, student, supporter):
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    assert kinds(supporter.person) == ["support-asked"]
    support = GoalSupport.objects.get()
    goal_services.answer_support(support=support, accept=False, by=supporter.person)
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    assert kinds(supporter.person) == ["support-asked", "support-asked"]


def test_an_answer_tells_every_owner_and_a_second_click_changes_nothing(
    workplace, goal, student, supporter
):
    duo = member_user(workplace, Role.STUDENT).person
    goal.co_owners.add(duo)
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    support = GoalSupport.objects.get()
    stale = GoalSupport.objects.get()
    goal_services.answer_support(support=support, accept=True, by=supporter.person)
    with pytest.raises(goal_services.NotAllowed):  # the same answer posted from an old page
        goal_services.answer_support(support=stale, accept=False, by=supporter.person)
    assert GoalSupport.objects.get().status == SupportStatus.ACCEPTED
    assert kinds(student.person) == kinds(duo) == ["support-answered"]
    assert Notification.objects.get(recipient=duo).mail == MailState.DIGEST


def test_feedback_tells_the_owners_and_a_reply_tells_the_author(goal, student, supporter):
    feedback = goal_services.add_update(goal=goal, author=supporter.person, text="Mooi begin")
    assert kinds(student.person) == ["feedback"] and kinds(supporter.person) == []
    goal_services.add_update(goal=goal, author=student.person, text="Dank!", reply_to=feedback)
    assert kinds(supporter.person) == ["reply"]
    goal_services.add_update(goal=goal, author=student.person, text="Voortgang")
    assert Notification.objects.count() == 2  # progress tells nobody


def test_an_achieved_goal_tells_those_who_support_it_only(workplace, goal, student, supporter):
    asked = member_user(workplace, Role.PROFESSIONAL).person
    declined = member_user(workplace, Role.PROFESSIONAL).person
    GoalSupport.objects.create(goal=goal, person=supporter.person, status=SupportStatus.ACCEPTED)
    GoalSupport.objects.create(goal=goal, person=asked, status=SupportStatus.REQUESTED)
    GoalSupport.objects.create(goal=goal, person=declined, status=SupportStatus.DECLINED)
    goal_services.close_goal(
        goal=goal, status=GoalStatus.ACHIEVED, reflection="Gelukt", by=student.person
    )
    assert kinds(supporter.person) == ["goal-achieved"]
    assert kinds(asked) == kinds(declined) == kinds(student.person) == []


def test_the_inbox_never_shows_a_goal_its_reader_may_no_longer_see(
    client, workplace, goal, student
):
    colleague = member_user(workplace, Role.PROFESSIONAL)
    feedback = goal_services.add_update(goal=goal, author=colleague.person, text="Goed zo")
    goal_services.add_update(goal=goal, author=student.person, text="Dank", reply_to=feedback)
    client.force_login(colleague)
    assert "Om hulp durven vragen" in client.get("/notifications/").content.decode()
    goal.visibility = GoalVisibility.SUPPORTERS  # the colleague is no supporter
    goal.save()
    page = client.get("/notifications/").content.decode()
    assert "Een reactie op je feedback" in page and "Om hulp durven vragen" not in page
    assert "Om hulp durven vragen" not in client.get("/").content.decode()


def test_evaluation_mails_are_notifications_and_honour_the_settings(workplace):
    cycle = CycleFactory(workplace=workplace)
    keen = invitation_for(cycle, Role.STUDENT, email="a@voorbeeld.example").person
    quiet = invitation_for(cycle, Role.STUDENT, email="b@voorbeeld.example").person
    choose(quiet, evaluation_reminder="off")
    mailing.queue_due_mails(cycle, timezone.now())
    assert kinds(keen) == kinds(quiet) == ["evaluation-open"]
    assert Notification.objects.filter(mail=MailState.LEDGER).count() == 2
    mailing.send_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@voorbeeld.example", "b@voorbeeld.example"]
    # A reminder is a ledger row for both; the one who switched reminders off gets no mail.
    for person in (keen, quiet):
        mailing._queue(cycle, person.pk, MailKind.REMINDER_1, cycle.invitations.get(person=person))
    mailing.send_due()
    reminded = MailDelivery.objects.filter(kind=MailKind.REMINDER_1)
    assert reminded.get(person=keen).status == DeliveryStatus.SENT
    assert reminded.get(person=quiet).status == DeliveryStatus.SKIPPED
    assert kinds(quiet) == ["evaluation-open"]  # and not in the inbox either


def test_results_in_the_digest_are_not_mailed_by_the_ledger_too(workplace):
    cycle = CycleFactory(workplace=workplace)
    manager = member_user(workplace, Role.MANAGER, email="m@voorbeeld.example").person
    choose(manager, results_ready="digest")
    mailing._queue_for_role(cycle, Role.MANAGER, MailKind.RESULTS_READY)
    mailing.send_due()
    assert MailDelivery.objects.get().status == DeliveryStatus.SKIPPED and not mail.outbox
    note = Notification.objects.get(recipient=manager)
    assert note.kind == "results-ready" and note.mail == MailState.DIGEST
    assert note.link == f"/pw/{workplace.slug}/results/{cycle.pk}/"
    notifications.send_digests(timezone.now() + dt.timedelta(days=1))
    assert [m.to for m in mail.outbox] == [["m@voorbeeld.example"]]


def test_two_days_before_the_end_those_who_did_not_submit_find_it_in_the_inbox(workplace):
    cycle = CycleFactory(workplace=workplace)
    waiting = invitation_for(cycle).person
    done = invitation_for(cycle)
    answering.submit_response(response=answering.start_response(invitation=done))
    mailing.queue_due_mails(cycle, timezone.now())
    assert Notification.objects.filter(kind="evaluation-closing").count() == 0
    near_the_end = cycle.closes_at - dt.timedelta(days=1)
    for _ in range(2):  # the sweep runs every few minutes
        mailing.queue_due_mails(cycle, near_the_end)
    closing = Notification.objects.filter(kind="evaluation-closing")
    assert [n.recipient for n in closing] == [waiting]
    assert closing.get().mail == MailState.NONE  # in the app only: the reminders are the mails


def test_an_action_assigned_a_person_added_and_a_case_output_tell_who_they_concern(
    client, workplace, owner
):
    from cases.services import OutputValues, add_output
    from werkplaats.people_services import add_member

    membership = add_member(
        workplace=workplace, name="Sam de Vries", email="sam@voorbeeld.example",
        role=Role.PROFESSIONAL, starts_on=timezone.localdate(),
    )  # fmt: skip
    assert kinds(membership.person) == ["added"]
    lead = member_user(workplace, Role.PROFESSIONAL)
    case = PracticeCaseFactory(workplace=workplace, lead=lead.person)

    values = OutputValues(title="Werkkaart", kind="product", date=timezone.localdate())
    add_output(case=case, by=owner, values=values)
    assert kinds(lead.person) == ["case-output"]
    add_output(case=case, by=lead, values=values)  # their own output tells them nothing
    assert kinds(lead.person) == ["case-output"]


def test_an_improvement_action_tells_its_new_owner_once(client, workplace, owner):
    from evaluations.models import ImprovementAction

    cycle = CycleFactory(workplace=workplace, status="closed")
    professional = member_user(workplace, Role.PROFESSIONAL).person
    client.force_login(owner)
    data = {
        "cycle": cycle.pk, "element": "LOS", "title": "Intervisie elke maand",
        "owner": professional.pk, "organisation": workplace.partners.first().pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=40)).isoformat(),
        "status": "planned",
    }  # fmt: skip
    response = client.post(f"/pw/{workplace.slug}/agenda/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert kinds(professional) == ["action-assigned"]
    action = ImprovementAction.objects.get()
    response = client.post(
        f"/pw/{workplace.slug}/agenda/{action.pk}/edit/",
        {**data, "title": "Intervisie elke week", "version": action.version},
    )
    assert response.status_code == 302
    assert kinds(professional) == ["action-assigned"]  # same owner: not again


# --- Mail faults ------------------------------------------------------------------------------
def test_a_refused_address_is_marked_failed_and_shown_others_still_get_theirs(
    client, workplace, goal, student, supporter, owner, monkeypatch
):
    other = member_user(workplace, Role.SUPPORTER, email="ander@voorbeeld.example")
    refuse(monkeypatch, ["joris@voorbeeld.example"], smtplib.SMTPRecipientsRefused(
        {"joris@voorbeeld.example": (550, b"no such user")}
    ))  # fmt: skip
    for person in (supporter.person, other.person):
        goal_services.ask_support(goal=goal, person=person, by=student.person)
    assert notifications.send_pending() == {"failed": 1, "sent": 1}
    assert [m.to for m in mail.outbox] == [["ander@voorbeeld.example"]]
    failed = Notification.objects.get(recipient=supporter.person)
    assert failed.mail == MailState.FAILED and "550" in failed.last_error
    assert Person.objects.get(pk=supporter.person.pk).email_bounced_at is not None
    assert notifications.send_pending(timezone.now() + dt.timedelta(days=1)) == {}
    client.force_login(owner)
    page = client.get(f"/pw/{workplace.slug}/members/").content.decode()
    assert "E-mail geweigerd" in page


def test_a_temporary_failure_retries_with_backoff_and_sends_once(
    goal, student, supporter, monkeypatch
):
    refuse(monkeypatch, ["joris@voorbeeld.example"], smtplib.SMTPRecipientsRefused(
        {"joris@voorbeeld.example": (451, b"try later")}
    ))  # fmt: skip
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    assert notifications.send_pending() == {"retry": 1}
    assert notifications.send_pending() == {}  # not due before its backoff
    monkeypatch.undo()
    later = timezone.now() + dt.timedelta(minutes=5)
    assert notifications.send_pending(later) == {"sent": 1}
    assert notifications.send_pending(later + dt.timedelta(hours=1)) == {}
    assert len(mail.outbox) == 1


def test_a_killed_sender_leaves_a_claim_that_becomes_uncertain_when_stale(goal, student, supporter):
    """Issue 20: the mail may have been accepted before the sender died; a routine
    notification is not sent again (it is in the inbox either way)."""
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    note = Notification.objects.get()
    now = timezone.now()
    Notification.objects.filter(pk=note.pk).update(mail=MailState.SENDING, claimed_at=now)
    assert notifications.send_pending(now + dt.timedelta(minutes=5)) == {}  # still alive
    assert notifications.deliver(note.pk, now + dt.timedelta(minutes=5)) == "taken"
    assert notifications.send_pending(now + dt.timedelta(minutes=16)) == {"uncertain": 1}
    note.refresh_from_db()
    assert note.mail == MailState.UNCERTAIN and "uncertain" in note.last_error
    assert notifications.send_pending(now + dt.timedelta(hours=2)) == {}
    assert notifications.deliver(note.pk, now + dt.timedelta(hours=2)) == "taken"
    assert not mail.outbox


def test_a_person_without_an_address_gets_no_mail_and_finds_it_in_the_inbox(
    client, workplace, goal, student
):
    client_member = member_user(workplace, Role.CLIENT, email=None)
    goal_services.ask_support(goal=goal, person=client_member.person, by=student.person)
    assert Notification.objects.get().mail == MailState.NONE
    assert notifications.send_pending() == {} and not mail.outbox
    client.force_login(client_member)
    home = client.get("/").content.decode()
    assert "Om hulp durven vragen" in home and "Wacht op jou" in home


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_mail_each_notification_once(workplace):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL; the claim is tested sequentially above")
    import threading

    owner = member_user(workplace, Role.STUDENT, email="eigenaar@voorbeeld.example")
    for i in range(12):
        goal = GoalFactory(workplace=workplace, owner=owner.person)
        helper = member_user(workplace, Role.SUPPORTER, email=f"h{i}@voorbeeld.example")
        goal_services.ask_support(goal=goal, person=helper.person, by=owner.person)
    outcomes = []

    def send():
        outcomes.append(notifications.send_pending())
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(o.get("sent", 0) for o in outcomes) == 12
    assert len(mail.outbox) == 12 and len({m.to[0] for m in mail.outbox}) == 12


# --- Digests ----------------------------------------------------------------------------------
def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def test_the_digest_comes_daily_for_staff_roles_and_weekly_for_students(
    workplace, goal, student, supporter
):
    professional = member_user(workplace, Role.PROFESSIONAL, email="pro@voorbeeld.example")
    GoalSupport.objects.create(goal=goal, person=professional.person, status="accepted")
    with time_machine.travel(at("2026-12-02 12:00"), tick=False):  # a Wednesday
        goal_services.add_update(goal=goal, author=professional.person, text="Goed")
        goal_services.add_update(goal=goal, author=supporter.person, text="Ook goed")
        update = goal.updates.filter(kind=UpdateKind.FEEDBACK).first()
        goal_services.add_update(goal=goal, author=student.person, text="Dank", reply_to=update)
    notifications.send_digests(at("2026-12-03 07:30"))
    assert [m.to for m in mail.outbox] == [["pro@voorbeeld.example"]]  # the reply, daily
    assert "1 nieuw" in mail.outbox[0].subject
    notifications.send_digests(at("2026-12-03 09:30"))  # the hourly task again: nothing new
    assert len(mail.outbox) == 1
    notifications.send_digests(at("2026-12-06 09:30"))  # Sunday: the student's week not over
    assert len(mail.outbox) == 1
    notifications.send_digests(at("2026-12-07 07:10"))  # Monday morning
    assert [m.to for m in mail.outbox][1:] == [["noor@voorbeeld.example"]]
    body = mail.outbox[1].body
    assert body.count("Nieuwe feedback op je doel") == 2 and "Goed" not in body
    assert "/notifications/unsubscribe/" in body
    assert NotificationDigest.objects.filter(status=MailState.SENT).count() == 2


def test_a_notification_after_the_days_digest_waits_for_the_next_one(workplace, goal, student):
    student_person = student.person
    choose(student_person, feedback="digest")
    NotificationSettings.objects.filter(person=student_person).update(digest="daily")
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    with time_machine.travel(at("2026-12-02 06:00"), tick=False):
        goal_services.add_update(goal=goal, author=colleague, text="Een")
    notifications.send_digests(at("2026-12-02 08:00"))
    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        goal_services.add_update(goal=goal, author=colleague, text="Twee")
    notifications.send_digests(at("2026-12-02 10:00"))  # the same day: its digest went
    assert len(mail.outbox) == 1
    notifications.send_digests(at("2026-12-03 08:00"))
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(mail=MailState.DIGESTED).count() == 2


def test_a_digest_whose_sender_died_is_not_sent_again(workplace, goal, student):
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    goal_services.add_update(goal=goal, author=colleague, text="Een")
    now = timezone.now() + dt.timedelta(days=8)
    notifications.queue_digests(now)
    digest = NotificationDigest.objects.get()
    NotificationDigest.objects.filter(pk=digest.pk).update(status=MailState.SENDING, claimed_at=now)
    notifications.send_digests(now + dt.timedelta(minutes=20))
    digest.refresh_from_db()
    assert digest.status == MailState.UNCERTAIN and "uncertain" in digest.last_error
    assert not mail.outbox


def test_never_means_the_inbox_only(workplace, goal, student):
    NotificationSettings.objects.create(person=student.person, digest="never")
    goal_services.add_update(goal=goal, author=member_user(workplace).person, text="x")
    notifications.send_digests(timezone.now() + dt.timedelta(days=8))
    assert not mail.outbox and Notification.objects.get().mail == MailState.NONE


def test_the_digest_is_in_the_recipients_language(workplace, goal):
    sam = member_user(workplace, Role.STUDENT, email="sam@example.org", preferred_language="en")
    goal.co_owners.add(sam.person)
    goal_services.add_update(goal=goal, author=member_user(workplace).person, text="x")
    notifications.send_digests(timezone.now() + dt.timedelta(days=8))
    english = next(m for m in mail.outbox if m.to == ["sam@example.org"])
    assert english.subject == "Werkplaats: 1 new for you" and "New feedback on your goal" in (
        english.body
    )


def test_the_digest_runs_a_bounded_number_of_queries_per_batch(workplace):
    def run(n: int) -> int:
        author = member_user(workplace, Role.PROFESSIONAL).person
        for i in range(n):
            owner = member_user(workplace, Role.PROFESSIONAL, email=f"p{n}-{i}@voorbeeld.example")
            goal = GoalFactory(workplace=workplace, owner=owner.person)
            goal_services.add_update(goal=goal, author=author, text="x")
        with CaptureQueriesContext(connection) as queries:
            result = notifications.send_digests(timezone.now() + dt.timedelta(days=1))
        assert result == {"sent": n}
        return len(queries.captured_queries)

    ten, forty = run(10), run(40)
    # Everything but the one status write per accepted mail is per batch, not per person.
    assert forty - ten == 30


# --- The inbox --------------------------------------------------------------------------------
def test_the_inbox_lists_my_notifications_newest_first_and_never_anyone_elses(
    client, workplace, goal, student, supporter
):
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    goal_services.add_update(goal=goal, author=supporter.person, text="x")
    mine = Notification.objects.get(recipient=student.person)
    theirs = Notification.objects.get(recipient=supporter.person)
    client.force_login(student)
    page = client.get("/notifications/").content.decode()
    assert "Nieuwe feedback op je doel" in page and "steunen" not in page
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = client.get(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == mine.link
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_mark_read_with_htmx_and_without_and_mark_all(client, workplace, goal, student):
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    for text in ("een", "twee", "drie"):
        goal_services.add_update(goal=goal, author=colleague, text=text)
    first, second, third = Notification.objects.order_by("pk")
    client.force_login(student)
    response = client.post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert response.status_code == 200 and f'id="notification-{first.pk}"' in row
    assert "notification-unread" not in row
    response = client.post(f"/notifications/{second.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.filter(read_at=None).get() == third
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(read_at=None).exists()


def test_the_unread_count_is_cached_and_follows_new_and_read_notifications(
    client, workplace, goal, student, django_capture_on_commit_callbacks
):
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    client.force_login(student)
    client.get("/privacy/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/privacy/")
    assert not any("werkplaats_notification" in q["sql"] for q in queries.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        goal_services.add_update(goal=goal, author=colleague, text="een")
        goal_services.add_update(goal=goal, author=colleague, text="twee")
    page = client.get("/privacy/").content.decode()
    assert '<span class="badge">2<span class="visually-hidden"> ongelezen' in page
    client.post("/notifications/read-all/")
    assert 'class="badge"' not in client.get("/privacy/").content.decode()


def test_the_inbox_runs_a_constant_number_of_queries(
    client, workplace, goal, student, django_assert_num_queries
):
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    client.force_login(student)
    goal_services.add_update(goal=goal, author=colleague, text="een")
    client.get("/notifications/")
    # session, user and person, count (pager), the page with PW and goal, visible goals;
    # the unread count comes from the cache
    with django_assert_num_queries(5):
        client.get("/notifications/")
    for i in range(40):
        other = GoalFactory(workplace=workplace, owner=student.person, title=f"Doel {i}")
        goal_services.add_update(goal=other, author=colleague, text="x")
    client.get("/privacy/")  # the count was forgotten by the new rows; fill it again
    with django_assert_num_queries(5):
        page = client.get("/notifications/")
    assert page.content.decode().count('class="notification notification-unread"') == 30


# --- Settings and unsubscribing ---------------------------------------------------------------
def test_settings_are_saved_per_kind_and_an_old_form_is_refused(client, student):
    client.force_login(student)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {f"kind_{k}": v for k, v in notifications.DEFAULTS.items() if f"kind_{k}" in form.fields}
    data.update(digest="daily", version=form.initial["version"], **{"kind_feedback": "off"})
    assert client.post("/notifications/settings/", data).status_code == 302
    saved = NotificationSettings.objects.get(person=student.person)
    assert saved.channels["feedback"] == "off" and saved.digest == "daily"
    assert "evaluation-open" not in saved.channels  # cannot be switched off
    again = client.post("/notifications/settings/", {**data, "kind_feedback": "digest"})
    assert again.status_code == 409  # opened before the save above
    assert NotificationSettings.objects.get(person=student.person).channels["feedback"] == "off"
    bad = client.post("/notifications/settings/", {**data, "kind_feedback": "loud"})
    assert bad.status_code == 400 and bad.context["form"].errors["kind_feedback"]


def test_feedback_switched_off_is_not_written(workplace, goal, student):
    choose(student.person, feedback="off")
    goal_services.add_update(goal=goal, author=member_user(workplace).person, text="x")
    assert not Notification.objects.exists()


def test_one_click_unsubscribe_works_without_login_or_csrf_and_a_get_changes_nothing(
    goal, student, supporter
):
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    notifications.send_pending()
    url = (
        mail.outbox[0]
        .extra_headers["List-Unsubscribe"]
        .strip("<>")
        .replace("http://127.0.0.1:8000", "")
    )
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(url).status_code == 200
    assert not NotificationSettings.objects.filter(person=supporter.person).exists()
    response = browser.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    saved = NotificationSettings.objects.get(person=supporter.person)
    assert saved.channels == {"support-asked": "in-app"}
    forged = signing.dumps([student.person.pk, "support-asked"], salt="another purpose")
    assert browser.post(f"/notifications/unsubscribe/{forged}/").status_code == 404
    assert not NotificationSettings.objects.filter(person=student.person).exists()


def test_the_evaluation_invitation_cannot_be_unsubscribed(student):
    token = signing.dumps(
        [student.person.pk, "evaluation-open"], salt=notifications.UNSUBSCRIBE_SALT, compress=True
    )
    Client().post(f"/notifications/unsubscribe/{token}/")
    saved = NotificationSettings.objects.filter(person=student.person).first()
    assert saved is None or "evaluation-open" not in saved.channels


def test_a_new_address_clears_the_refusal(workplace):
    person = member_user(workplace, Role.STUDENT, email="oud@voorbeeld.example").person
    Person.objects.filter(pk=person.pk).update(email_bounced_at=timezone.now())
    person = Person.objects.get(pk=person.pk)
    person.name = "Andere naam"
    person.save()
    assert Person.objects.get(pk=person.pk).email_bounced_at is not None
    person.email = "nieuw@voorbeeld.example"
    person.save()
    assert Person.objects.get(pk=person.pk).email_bounced_at is None


def test_pages_and_notifications_work_while_the_cache_is_down(
    client, workplace, goal, student, monkeypatch, django_capture_on_commit_callbacks
):
    class Down:
        def __getattr__(self, name):
            def down(*args, **kwargs):
                raise ConnectionError("redis is down")

            return down

    colleague = member_user(workplace, Role.PROFESSIONAL).person
    monkeypatch.setattr(notifications, "cache", Down())
    with django_capture_on_commit_callbacks(execute=True):
        goal_services.add_update(goal=goal, author=colleague, text="een")
    client.force_login(student)
    page = client.get("/privacy/")
    assert page.status_code == 200 and '<span class="badge">1<' in page.content.decode()


def test_the_home_page_shows_my_actions_due_soon_and_not_later_ones(client, workplace, owner):
    from evaluations.models import ImprovementAction

    cycle = CycleFactory(workplace=workplace, status="closed")
    today = timezone.localdate()
    for title, days, status in [
        ("Intervisie plannen", 10, "planned"), ("Te laat", -3, "running"),
        ("Later", 40, "planned"), ("Klaar", 5, "done"),
    ]:  # fmt: skip
        ImprovementAction.objects.create(
            workplace=workplace, cycle=cycle, element_id="LOS", title=title, owner=owner.person,
            organisation=workplace.partners.first(), due_on=today + dt.timedelta(days=days),
            status=status,
        )  # fmt: skip
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert "Je verbeteracties die binnenkort klaar moeten zijn" in page
    assert "Intervisie plannen" in page and "Te laat" in page
    assert "Later" not in page and "Klaar" not in page
