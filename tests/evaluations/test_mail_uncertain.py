"""Issue 20 for the evaluation mail ledger: a deterministic Message-ID per row, the status
written right after the server's reply (before the QUIT), and a claim left by a dead sender
settled as "uncertain": resent once for an invitation and the last reminder, never for the
rest; shown to the bridge-builder on the cycle page and counted in the admin."""

# ruff: noqa: F811 - pytest fixtures imported from the schedule tests
from __future__ import annotations

import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from evaluations import cycles, mailing
from evaluations.models import DeliveryStatus, EvaluationCycle, MailDelivery, MailKind
from tests.evaluations.test_schedule import at, clock, pw, sweep  # noqa: F401 - fixtures
from tests.evaluations.test_smtp_replies import smtp_server  # noqa: F401 - a fixture
from tests.factories import UserFactory
from werkplaats import delivery

pytestmark = pytest.mark.django_db


def died_after_the_accept(row: MailDelivery, when) -> None:
    """What a worker SIGKILLed between the server's accept and the status write leaves."""
    MailDelivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=when, sent_at=None
    )


def ids_to(address: str) -> list[str]:
    return [m.extra_headers["Message-ID"] for m in mail.outbox if m.to == [address]]


@pytest.fixture
def invited(clock, pw):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    sweep(at("2027-05-01 08:00"))
    return people


def test_every_mail_carries_its_rows_message_id(invited):
    rows = MailDelivery.objects.filter(kind=MailKind.INVITATION, status=DeliveryStatus.SENT)
    assert rows.count() == 4 == len(mail.outbox)
    ids = {m.to[0]: m.extra_headers["Message-ID"] for m in mail.outbox}
    for row in rows.select_related("person"):
        assert ids[row.person.email] == delivery.message_id("evaluation-invitation", row.pk)
    assert len(set(ids.values())) == 4  # different rows, different ids
    assert mail.outbox[0].message()["Message-ID"] in ids.values()  # on the wire, too


def test_a_stale_claim_becomes_uncertain(invited):
    row = MailDelivery.objects.get(person=invited["bridge_builder"], kind=MailKind.INVITATION)
    died_after_the_accept(row, at("2027-05-01 08:00"))
    assert mailing.settle_stale_claims(at("2027-05-01 08:14")) == 0  # the sender may be alive
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENDING and row.uncertain_at is None
    assert mailing.settle_stale_claims(at("2027-05-01 08:16")) == 1
    row.refresh_from_db()
    assert row.uncertain_at == at("2027-05-01 08:16") and "uncertain" in row.last_error


def test_an_uncertain_invitation_is_resent_once_with_the_same_message_id(clock, invited):
    student = invited["student"]
    row = MailDelivery.objects.get(person=student, kind=MailKind.INVITATION)
    died_after_the_accept(row, at("2027-05-01 08:00"))
    clock.move_to(at("2027-05-01 08:20"))
    result = cycles.run_schedule(at("2027-05-01 08:20"))
    assert row.pk in result.to_send  # pending once more
    mailing.send_due(at("2027-05-01 08:20"))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.uncertain_at == at("2027-05-01 08:20")
    first, again = ids_to(student.email)
    assert first == again  # a mail client can recognise the copy
    # The resend's sender dies too: now it stays uncertain, never a third mail.
    died_after_the_accept(row, at("2027-05-01 08:20"))
    clock.move_to(at("2027-05-01 09:00"))
    sweep(at("2027-05-01 09:00"))
    clock.move_to(at("2027-05-02 09:00"))
    sweep(at("2027-05-02 09:00"))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.UNCERTAIN
    assert len(ids_to(student.email)) == 2


def test_an_uncertain_invitation_whose_resend_is_refused_is_failed_and_not_resent(
    clock, invited, monkeypatch
):
    student = invited["student"]
    row = MailDelivery.objects.get(person=student, kind=MailKind.INVITATION)
    died_after_the_accept(row, at("2027-05-01 08:00"))

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({student.email: (550, b"no such user")})

    monkeypatch.setattr(mailing.EmailMultiAlternatives, "send", refused)
    clock.move_to(at("2027-05-01 08:20"))
    assert sweep(at("2027-05-01 08:20")).to_send == [row.pk]
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.uncertain_at is not None
    monkeypatch.undo()
    clock.move_to(at("2027-05-01 10:00"))
    assert row.pk not in sweep(at("2027-05-01 10:00")).to_send
    assert len(ids_to(student.email)) == 1  # the first one only


def test_a_routine_reminder_is_not_resent_but_the_last_one_is(clock, invited):
    student = invited["student"]
    clock.move_to(at("2027-05-15 09:00"))  # the first of two reminders (7 and 2 days before)
    sweep(at("2027-05-15 09:00"))
    first = MailDelivery.objects.get(person=student, kind=MailKind.REMINDER_1)
    assert first.status == DeliveryStatus.SENT
    died_after_the_accept(first, at("2027-05-15 09:00"))
    clock.move_to(at("2027-05-15 10:00"))
    sweep(at("2027-05-15 10:00"))
    first.refresh_from_db()
    assert first.status == DeliveryStatus.UNCERTAIN
    assert len(ids_to(student.email)) == 2  # the invitation and one first reminder

    clock.move_to(at("2027-05-20 09:00"))  # the last reminder before closing
    sweep(at("2027-05-20 09:00"))
    last = MailDelivery.objects.get(person=student, kind=MailKind.REMINDER_2)
    died_after_the_accept(last, at("2027-05-20 09:00"))
    clock.move_to(at("2027-05-20 10:00"))
    sweep(at("2027-05-20 10:00"))
    last.refresh_from_db()
    assert last.status == DeliveryStatus.SENT and last.uncertain_at is not None
    assert len(ids_to(student.email)) == 4
    assert ids_to(student.email)[2] == ids_to(student.email)[3]


def test_an_uncertain_digest_is_not_resent(clock, invited):
    bridge_builder = invited["bridge_builder"]
    clock.move_to(at("2027-05-12 09:00"))  # past halfway: the response-rate digest
    sweep(at("2027-05-12 09:00"))
    digest = MailDelivery.objects.get(person=bridge_builder, kind=MailKind.DIGEST)
    before = len(ids_to(bridge_builder.email))
    died_after_the_accept(digest, at("2027-05-12 09:00"))
    for moment in ("2027-05-12 10:00", "2027-05-13 10:00"):
        clock.move_to(at(moment))
        sweep(at(moment))
    digest.refresh_from_db()
    assert digest.status == DeliveryStatus.UNCERTAIN
    assert len(ids_to(bridge_builder.email)) == before


def uncertain_paragraph(page) -> str:
    found = re.search(r'<p id="uncertain-mails">(.*?)</p>', page.content.decode(), re.S)
    return found.group(1) if found else ""


def test_the_cycle_page_shows_the_uncertain_cases_to_the_bridge_builder_only(
    client, clock, invited
):
    for key in ("student", "student2"):
        row = MailDelivery.objects.get(person=invited[key], kind=MailKind.INVITATION)
        died_after_the_accept(row, at("2027-05-01 08:00"))
    clock.move_to(at("2027-05-01 08:20"))
    mailing.settle_stale_claims(at("2027-05-01 08:20"))
    cycle = EvaluationCycle.objects.get()
    url = f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/"
    bridge_builder = invited["bridge_builder"]
    bridge_builder.user = UserFactory()
    bridge_builder.save(update_fields=["user"])
    client.force_login(bridge_builder.user)
    page = client.get(url)
    assert page.status_code == 200
    assert " 2 " in uncertain_paragraph(page)
    assert invited["student"].name in page.content.decode()

    client_person = invited["client"]
    client_person.user = UserFactory()
    client_person.save(update_fields=["user"])
    client.force_login(client_person.user)
    page = client.get(url)
    assert page.status_code in (403, 404)
    assert not uncertain_paragraph(page)


def test_the_admin_counts_the_uncertain_cases(client, invited):
    row = MailDelivery.objects.get(person=invited["student"], kind=MailKind.INVITATION)
    died_after_the_accept(row, at("2027-05-01 07:00"))
    mailing.settle_stale_claims(at("2027-05-01 08:00"))  # an invitation: pending once more
    digest = MailDelivery.objects.get(person=invited["student2"], kind=MailKind.INVITATION)
    MailDelivery.objects.filter(pk=digest.pk).update(
        status=DeliveryStatus.UNCERTAIN, uncertain_at=at("2027-05-01 08:00")
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = "/admin/evaluations/maildelivery/"
    page = client.get(listing, {"status": "uncertain"})
    assert page.context["cl"].result_count == 1
    assert client.get(listing, {"uncertain": "yes"}).context["cl"].result_count == 2
    assert "(2)" in client.get(listing).content.decode()  # the facet count of the filter


def test_over_smtp_the_status_is_written_before_the_quit(smtp_server, clock, pw, monkeypatch):
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    cycles.run_schedule(at("2027-05-01 08:00"))
    row = MailDelivery.objects.get(person=people["student"], kind=MailKind.INVITATION)
    real_close, at_quit = SMTPBackend.close, []

    def close(self):
        if self.connection is not None:
            at_quit.append(MailDelivery.objects.get(pk=row.pk).status)
        return real_close(self)

    monkeypatch.setattr(SMTPBackend, "close", close)
    assert mailing.deliver(row.pk, at("2027-05-01 08:00")) == "sent"
    assert smtp_server.accepted == [people["student"].email]
    assert at_quit == [DeliveryStatus.SENT]  # accepted and recorded, then QUIT
