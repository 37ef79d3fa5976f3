"""How the mail ledger reads a real SMTP server's replies (issue 22, item 2): a 5xx refusal is
permanent, a 4xx one (greylisting, a full mailbox, a rate limit) is retried with the backoff,
at RCPT as after DATA. The server is aiosmtpd on a free local port, answering per address."""

from __future__ import annotations

import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller

from evaluations import cycles, mailing
from evaluations.models import DeliveryStatus, MailDelivery, MailKind
from tests.evaluations.test_schedule import at, clock, pw  # noqa: F401 - fixtures
from werkplaats.delivery import is_permanent

pytestmark = pytest.mark.django_db


class Replies:
    """An SMTP handler that answers RCPT and DATA with the reply set for the address."""

    def __init__(self):
        self.at_rcpt: dict[str, str] = {}
        self.at_data: dict[str, str] = {}
        self.accepted: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.at_rcpt.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for address in envelope.rcpt_tos:
            if address in self.at_data:
                return self.at_data[address]
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    replies = Replies()
    controller = Controller(replies, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield replies
    controller.stop()


@pytest.fixture
def invitation_row(clock, pw):  # noqa: F811 - the fixtures imported above
    workplace, people = pw
    clock.move_to(at("2027-05-01 08:00"))
    cycles.run_schedule(at("2027-05-01 08:00"))
    return MailDelivery.objects.get(person=people["student"], kind=MailKind.INVITATION)


def test_a_greylisting_451_at_rcpt_is_retried_then_delivered(smtp_server, invitation_row):
    address = invitation_row.person.email
    smtp_server.at_rcpt[address] = "451 4.7.1 Greylisted, try again later"
    assert mailing.deliver(invitation_row.pk, at("2027-05-01 08:00")) == "retry"
    invitation_row.refresh_from_db()
    assert (invitation_row.status, invitation_row.attempts) == (DeliveryStatus.PENDING, 1)
    assert invitation_row.next_attempt_at == at("2027-05-01 08:00:30")
    assert "SMTPRecipientsRefused" in invitation_row.last_error
    del smtp_server.at_rcpt[address]
    assert mailing.deliver(invitation_row.pk, at("2027-05-01 08:01")) == "sent"
    assert smtp_server.accepted == [address]


def test_a_550_at_rcpt_is_permanent(smtp_server, invitation_row):
    smtp_server.at_rcpt[invitation_row.person.email] = "550 5.1.1 No such user"
    assert mailing.deliver(invitation_row.pk, at("2027-05-01 08:00")) == "failed"
    invitation_row.refresh_from_db()
    assert (invitation_row.status, invitation_row.attempts) == (DeliveryStatus.FAILED, 1)
    assert smtp_server.accepted == []


def test_a_451_after_data_is_retried(smtp_server, invitation_row):
    smtp_server.at_data[invitation_row.person.email] = "451 4.3.0 Mailbox temporarily full"
    assert mailing.deliver(invitation_row.pk, at("2027-05-01 08:00")) == "retry"
    invitation_row.refresh_from_db()
    assert invitation_row.status == DeliveryStatus.PENDING
    smtp_server.at_data.clear()
    assert mailing.deliver(invitation_row.pk, at("2027-05-01 08:01")) == "sent"
    assert smtp_server.accepted == [invitation_row.person.email]


def test_a_554_after_data_is_permanent(smtp_server, invitation_row):
    smtp_server.at_data[invitation_row.person.email] = "554 5.7.1 Message refused"
    assert mailing.deliver(invitation_row.pk, at("2027-05-01 08:00")) == "failed"


@pytest.mark.parametrize(
    ("codes", "permanent"),
    [([550], True), ([451], False), ([550, 451], False), ([550, 553], True)],
)
def test_a_refusal_is_permanent_only_when_every_recipient_got_5xx(codes, permanent):
    refused = {f"r{i}@example.org": (code, b"x") for i, code in enumerate(codes)}
    assert is_permanent(smtplib.SMTPRecipientsRefused(refused)) is permanent
