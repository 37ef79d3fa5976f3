"""Issue 20 for the notification ledger: the status write comes right after the mail server's
reply (before the QUIT), its claim is committed on its own, every mail carries the row's
deterministic Message-ID, and a claim left by a dead sender becomes "uncertain", never resent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from tests.factories import GoalFactory, member_user
from werkplaats import delivery, goal_services, notifications
from werkplaats.models import MailState, Notification, NotificationDigest, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(workplace):
    return member_user(workplace, Role.STUDENT, name="Noor Bakker", email="noor@voorbeeld.example")


@pytest.fixture
def goal(workplace, student):
    return GoalFactory(workplace=workplace, owner=student.person, title="Om hulp durven vragen")


def asked(workplace, goal, student, name="Joris Smit", email="joris@voorbeeld.example"):
    supporter = member_user(workplace, Role.SUPPORTER, name=name, email=email)
    goal_services.ask_support(goal=goal, person=supporter.person, by=student.person)
    return Notification.objects.get(recipient=supporter.person)


def sent_again(note: Notification) -> None:
    Notification.objects.filter(pk=note.pk).update(mail=MailState.PENDING)


def test_the_message_id_is_the_rows_own_the_same_on_every_send(workplace, goal, student):
    first = asked(workplace, goal, student)
    second = asked(workplace, goal, student, name="Anna de Vries", email="anna@voorbeeld.example")
    assert notifications.deliver(first.pk) == "sent"
    sent_again(first)
    assert notifications.deliver(first.pk) == "sent"
    assert notifications.deliver(second.pk) == "sent"
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids[0] == ids[1] != ids[2]
    # On the message as it goes over the wire, too (Django would otherwise make a random one).
    assert mail.outbox[0].message()["Message-ID"] == ids[0]
    assert ids[0] == delivery.message_id("notification-support-asked", first.pk)
    assert ids[0].startswith(f"<notification-support-asked.{first.pk}.")
    assert ids[0].endswith(f"@{delivery.mail_domain()}>")


def test_the_message_id_takes_the_sites_domain(settings):
    settings.SITE_URL = "https://werkplaats.example.nl"
    made = delivery.message_id("digest", 7)
    assert made.startswith("<digest.7.") and made.endswith("@werkplaats.example.nl>")
    assert made != delivery.message_id("digest", 8) != delivery.message_id("other", 7)
    settings.SECRET_KEY = "another-secret-key-of-a-proper-length-for-the-test-0123456789"
    assert delivery.message_id("digest", 7) != made  # not to be guessed without the key


def test_the_status_is_written_before_the_connection_is_closed(
    workplace, goal, student, monkeypatch
):
    note = asked(workplace, goal, student)
    at_quit = []
    monkeypatch.setattr(
        EmailBackend,
        "close",
        lambda self: at_quit.append(Notification.objects.get(pk=note.pk).mail),
        raising=False,
    )
    assert notifications.deliver(note.pk) == "sent"
    assert at_quit == [MailState.SENT]


def test_a_digest_batch_writes_each_status_before_the_one_quit(
    workplace, goal, student, monkeypatch
):
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    goal_services.add_update(goal=goal, author=colleague, text="Een")
    now = timezone.now() + dt.timedelta(days=8)
    at_quit = []

    def close(self):
        at_quit.append(list(NotificationDigest.objects.values_list("status", flat=True)))

    monkeypatch.setattr(EmailBackend, "close", close, raising=False)
    assert notifications.send_digests(now) == {"sent": 1}
    assert at_quit == [[MailState.SENT]]
    digest = NotificationDigest.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id("digest", digest.pk)


def test_a_sender_inside_a_transaction_refuses_before_it_sends(workplace, goal, student):
    """In a caller's transaction the status written after the send would wait for (and die
    with) the caller's commit: the claim is durable, so nothing is sent."""
    note = asked(workplace, goal, student)
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.deliver(note.pk)
    assert not mail.outbox
    assert Notification.objects.get(pk=note.pk).mail == MailState.PENDING


def test_a_stale_claim_becomes_uncertain_and_is_not_resent(workplace, goal, student):
    note = asked(workplace, goal, student)
    now = timezone.now()
    Notification.objects.filter(pk=note.pk).update(mail=MailState.SENDING, claimed_at=now)
    assert notifications.send_pending(now + dt.timedelta(minutes=14)) == {}
    assert notifications.send_pending(now + dt.timedelta(minutes=16)) == {"uncertain": 1}
    assert notifications.send_pending(now + dt.timedelta(days=1)) == {}
    note.refresh_from_db()
    assert note.mail == MailState.UNCERTAIN
    assert not mail.outbox


def test_an_uncertain_digest_is_not_resent(workplace, goal, student):
    colleague = member_user(workplace, Role.PROFESSIONAL).person
    goal_services.add_update(goal=goal, author=colleague, text="Een")
    now = timezone.now() + dt.timedelta(days=8)
    notifications.queue_digests(now)
    NotificationDigest.objects.update(status=MailState.SENDING, claimed_at=now)
    assert notifications.send_digests(now + dt.timedelta(minutes=20)) == {"uncertain": 1}
    assert notifications.send_digests(now + dt.timedelta(days=2)) == {}
    assert NotificationDigest.objects.get().status == MailState.UNCERTAIN
    assert not mail.outbox


def test_the_admin_counts_the_uncertain_rows(client, workplace, goal, student):
    from tests.factories import UserFactory

    note = asked(workplace, goal, student)
    Notification.objects.filter(pk=note.pk).update(mail=MailState.UNCERTAIN)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/werkplaats/notification/", {"mail": "uncertain"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "(1)" in page.content.decode()  # the state filter's facet count
    assert client.get("/admin/werkplaats/notificationdigest/").status_code == 200
