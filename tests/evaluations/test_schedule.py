"""The cycle end to end with a frozen clock: plan → draft → open → invite → remind → close.

The sweep (``run_schedule``) decides; ``send_due`` sends what was decided, as the Celery task
does per row. Everything is computed from the database, so a sweep can run twice, or after a
long outage, and still send each mail exactly once.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from evaluations import answering, cycles, invitations, mailing
from evaluations.models import (
    AccessToken,
    CycleStatus,
    DeliveryStatus,
    EvaluationCycle,
    EvaluationPlan,
    Instrument,
    MailDelivery,
    MailKind,
    Response,
)
from tests.factories import MembershipFactory, PersonFactory, WorkplaceFactory
from werkplaats.delivery import hash_token
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def sweep(now: dt.datetime) -> cycles.SweepResult:
    result = cycles.run_schedule(now)
    mailing.send_due(now)
    return result


def kinds_sent_to(person) -> list[str]:
    return sorted(
        MailDelivery.objects.filter(person=person, status=DeliveryStatus.SENT).values_list(
            "kind", flat=True
        )
    )


@pytest.fixture
def clock():
    with time_machine.travel(at("2027-04-10 08:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def pw(clock):
    """A PW with a yearly evaluation in May (21 days) and one person of each kind we need."""
    workplace = WorkplaceFactory(slug="pw-plan")
    EvaluationPlan.objects.create(
        workplace=workplace,
        yearly_month=5,
        yearly_days=21,
        instrument=Instrument.objects.get(code="los-scan"),
    )
    people = {}
    for key, role, extra in [
        ("bridge_builder", Role.BRIDGE_BUILDER, {}),
        ("manager", Role.MANAGER, {"preferred_language": "en"}),
        ("student", Role.STUDENT, {}),
        ("student2", Role.STUDENT, {}),
        ("client", Role.CLIENT, {"email": None}),
    ]:
        person = PersonFactory(**extra)
        MembershipFactory(person=person, workplace=workplace, role=role)
        people[key] = person
    return workplace, people


def test_the_whole_cycle_runs_from_the_plan(clock, pw):
    workplace, people = pw
    # Three weeks before: nothing yet.
    assert sweep(at("2027-04-10 08:00")).created == 0

    # Two weeks before the 1st of May: a draft, and the bridge-builder is asked to review it.
    clock.move_to(at("2027-04-17 09:00"))
    assert sweep(at("2027-04-17 09:00")).created == 1
    cycle = EvaluationCycle.objects.get(workplace=workplace)
    assert (cycle.status, cycle.label, cycle.school_year) == ("draft", "2026-2027", "2026-2027")
    assert cycle.opens_at == at("2027-05-01 00:00")
    assert cycle.closes_at == at("2027-05-22 00:00")
    assert kinds_sent_to(people["bridge_builder"]) == [MailKind.REVIEW_DRAFT]
    assert [m.to for m in mail.outbox] == [[people["bridge_builder"].email]]

    # It opens on its date: everybody is invited, those with an address get the mail.
    clock.move_to(at("2027-05-01 00:05"))
    result = sweep(at("2027-05-01 00:05"))
    cycle.refresh_from_db()
    assert (result.opened, cycle.status) == (1, CycleStatus.OPEN)
    assert cycle.invitations.count() == 5
    invitation_mails = [
        m for m in mail.outbox if "Uitnodiging" in m.subject or "Invitation" in m.subject
    ]
    assert len(invitation_mails) == 4
    no_address = MailDelivery.objects.get(person=people["client"], kind=MailKind.INVITATION)
    assert (no_address.status, no_address.last_error) == ("failed", "no e-mail address")

    # The halfway digest goes to the bridge-builder, once.
    clock.move_to(at("2027-05-11 13:00"))
    sweep(at("2027-05-11 13:00"))
    sweep(at("2027-05-11 13:05"))
    assert kinds_sent_to(people["bridge_builder"]).count(MailKind.DIGEST) == 1

    # One student submits; reminders go only to those who did not.
    student_invitation = cycle.invitations.get(person=people["student"])
    response = answering.start_response(invitation=student_invitation)
    clock.move_to(at("2027-05-12 10:00"))
    assert answering.submit_response(response=response)

    clock.move_to(at("2027-05-15 00:10"))
    sweep(at("2027-05-15 00:10"))
    assert MailKind.REMINDER_1 in kinds_sent_to(people["student2"])
    assert MailKind.REMINDER_1 not in kinds_sent_to(people["student"])
    assert not MailDelivery.objects.filter(person=people["client"], kind__startswith="reminder")

    clock.move_to(at("2027-05-20 00:10"))
    sweep(at("2027-05-20 00:10"))
    assert kinds_sent_to(people["student2"]).count(MailKind.REMINDER_2) == 1

    # It closes at its end; managers hear the results are ready (in their language).
    clock.move_to(at("2027-05-22 00:01"))
    outbox_before = len(mail.outbox)
    result = sweep(at("2027-05-22 00:01"))
    cycle.refresh_from_db()
    assert (result.closed, cycle.status) == (1, CycleStatus.CLOSED)
    new = mail.outbox[outbox_before:]
    assert [m.to for m in new] == [[people["manager"].email]]
    assert new[0].subject.startswith("The results of the evaluation")


def test_a_second_sweep_sends_nothing_twice(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    for _ in range(3):
        sweep(at("2027-05-01 08:00"))
    assert len(mail.outbox) == 4  # the invitations; the draft was opened at once, no review
    assert MailDelivery.objects.filter(kind=MailKind.INVITATION).count() == 5


def test_after_an_outage_only_the_latest_useful_reminder_goes(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    sweep(at("2027-05-01 08:00"))
    # Broker and worker down from the 2nd to the 21st: both reminder moments passed.
    clock.move_to(at("2027-05-21 09:00"))
    sweep(at("2027-05-21 09:00"))
    assert kinds_sent_to(people["student"]) == [MailKind.INVITATION, MailKind.REMINDER_2]
    # Down until after the end: the cycle closes, and no "2 days left" goes out any more.
    clock.move_to(at("2027-05-23 09:00"))
    sweep(at("2027-05-23 09:00"))
    assert kinds_sent_to(people["student"]) == [MailKind.INVITATION, MailKind.REMINDER_2]
    assert EvaluationCycle.objects.get().status == CycleStatus.CLOSED


def test_an_outage_past_the_whole_cycle_sends_no_reminder_at_all(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    sweep(at("2027-05-01 08:00"))
    clock.move_to(at("2027-05-25 09:00"))
    sweep(at("2027-05-25 09:00"))
    assert kinds_sent_to(people["student"]) == [MailKind.INVITATION]


def test_a_decided_but_unsent_mail_is_still_due_on_the_next_sweep(clock, pw):
    """The task that should have sent it was lost (worker killed, broker flushed)."""
    clock.move_to(at("2027-05-01 08:00"))
    result = cycles.run_schedule(at("2027-05-01 08:00"))  # decided, never sent
    assert len(result.to_send) == 5
    assert len(mail.outbox) == 0
    later = cycles.run_schedule(at("2027-05-01 09:00"))
    assert sorted(later.to_send) == sorted(result.to_send)
    mailing.send_due(at("2027-05-01 09:00"))
    assert len(mail.outbox) == 4


def test_a_stale_invitation_claim_is_resent_once_but_a_fresh_one_is_not(clock, pw):
    clock.move_to(at("2027-05-01 08:00"))
    cycles.run_schedule(at("2027-05-01 08:00"))
    row = MailDelivery.objects.filter(kind=MailKind.INVITATION).exclude(person__email=None)[0]
    MailDelivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=at("2027-05-01 07:55")
    )
    assert mailing.deliver(row.pk, at("2027-05-01 08:00")) == "taken"  # a live sender has it
    assert mailing.deliver(row.pk, at("2027-05-01 08:20")) == "taken"  # not settled yet
    mailing.settle_stale_claims(at("2027-05-01 08:20"))  # that sender died: uncertain
    assert mailing.deliver(row.pk, at("2027-05-01 08:20")) == "sent"  # an invitation: once
    assert mailing.deliver(row.pk, at("2027-05-01 08:40")) == "taken"


def test_a_temporary_mail_error_is_retried_with_backoff(clock, pw, monkeypatch):
    clock.move_to(at("2027-05-01 08:00"))
    cycles.run_schedule(at("2027-05-01 08:00"))
    row = MailDelivery.objects.filter(kind=MailKind.INVITATION).exclude(person__email=None)[0]
    original = mailing.EmailMultiAlternatives.send

    def down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(mailing.EmailMultiAlternatives, "send", down)
    assert mailing.deliver(row.pk, at("2027-05-01 08:00")) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == at("2027-05-01 08:00:30")
    assert "SMTPServerDisconnected" in row.last_error
    assert AccessToken.objects.filter(invitation=row.invitation).count() == 0  # link withdrawn
    assert mailing.deliver(row.pk, at("2027-05-01 08:00:10")) == "taken"  # not yet due
    monkeypatch.setattr(mailing.EmailMultiAlternatives, "send", original)
    assert mailing.deliver(row.pk, at("2027-05-01 08:01")) == "sent"
    assert len(mail.outbox) == 1


def test_a_refused_address_is_recorded_not_retried_and_shown(clock, pw, monkeypatch, client):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    cycles.run_schedule(at("2027-05-01 08:00"))
    row = MailDelivery.objects.get(person=people["student2"], kind=MailKind.INVITATION)

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({people["student2"].email: (550, b"no such user")})

    monkeypatch.setattr(mailing.EmailMultiAlternatives, "send", refused)
    assert mailing.deliver(row.pk, at("2027-05-01 08:00")) == "failed"
    row.refresh_from_db()
    assert row.status == "failed"
    assert cycles.run_schedule(at("2027-05-01 09:00")).to_send.count(row.pk) == 0
    # The bridge-builder sees it on the cycle page.
    from tests.factories import UserFactory

    user = UserFactory()
    people["bridge_builder"].user = user
    people["bridge_builder"].save(update_fields=["user"])
    client.force_login(user)
    cycle = EvaluationCycle.objects.get()
    page = client.get(f"/pw/{workplace.slug}/evaluations/{cycle.pk}/")
    assert "de mailserver weigerde het adres" in page.content.decode()  # in plain words
    assert people["student2"].name in page.content.decode()


def test_every_mail_link_is_a_fresh_token_stored_only_as_a_hash(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    sweep(at("2027-05-01 08:00"))
    message = next(m for m in mail.outbox if m.to == [people["student"].email])
    token = re.search(r"/e/([A-Za-z0-9_\-]+)/", message.body).group(1)
    assert len(token) >= 43  # 32 bytes in URL-safe base64: 256 bits
    stored = AccessToken.objects.get(invitation__person=people["student"])
    assert stored.token_hash == hash_token(token)
    assert token not in str(list(AccessToken.objects.values()))
    assert f"/e/{token}/stop/" in message.body
    html = message.alternatives[0][0]
    assert f"/e/{token}/" in html
    # The English-speaking manager's invitation is in English, the others in Dutch.
    manager_mail = next(m for m in mail.outbox if m.to == [people["manager"].email])
    assert manager_mail.subject.startswith("Invitation")
    assert message.subject.startswith("Uitnodiging")


def test_stopped_reminders_and_submitted_answers_skip_a_decided_reminder(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    sweep(at("2027-05-01 08:00"))
    cycle = EvaluationCycle.objects.get()
    clock.move_to(at("2027-05-15 01:00"))
    cycles.run_schedule(at("2027-05-15 01:00"))  # reminders decided, not yet sent
    invitations.stop_reminders(invitation=cycle.invitations.get(person=people["student"]))
    response = answering.start_response(invitation=cycle.invitations.get(person=people["student2"]))
    answering.submit_response(response=response)
    mailing.send_due(at("2027-05-15 01:00"))
    for key in ("student", "student2"):
        reminder = MailDelivery.objects.get(person=people[key], kind=MailKind.REMINDER_1)
        assert reminder.status == "skipped"


def test_a_late_member_is_invited_and_a_resend_goes_once(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    sweep(at("2027-05-01 08:00"))
    cycle = EvaluationCycle.objects.get()
    late = PersonFactory()
    MembershipFactory(person=late, workplace=workplace, role=Role.PROFESSIONAL)
    invitations.add_invitation(cycle=cycle, person=late, role=Role.PROFESSIONAL)
    sweep(at("2027-05-01 09:00"))
    assert kinds_sent_to(late) == [MailKind.INVITATION]
    invitation = cycle.invitations.get(person=late)
    assert invitations.resend_invitation(invitation=invitation)
    assert not invitations.resend_invitation(invitation=invitation)  # double click
    sweep(at("2027-05-01 09:05"))
    assert len([m for m in mail.outbox if m.to == [late.email]]) == 2
    # Reminders only for moments after the person was invited.
    assert Response.objects.count() == 0


def test_check_ins_follow_the_plan_and_skip_the_yearly_month(pw):
    workplace, people = pw
    plan = workplace.plan
    plan.check_ins = "quarter"
    plan.yearly_month = 3
    plan.check_in_instrument = Instrument.objects.get(code="los-check-in")
    plan.save()
    planned = cycles.planned_cycles(plan, "2026-2027")
    assert [(c.kind, c.label, c.opens_at.date().isoformat()) for c in planned] == [
        ("yearly", "2026-2027", "2027-03-01"),
        ("check_in", "2026-2027 · 1", "2026-10-01"),
        ("check_in", "2026-2027 · 2", "2026-12-01"),
        ("check_in", "2026-2027 · 3", "2027-06-01"),
    ]
    assert planned[1].instrument.code == "los-check-in"
