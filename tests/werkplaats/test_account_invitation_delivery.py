"""Issue 20 for the account invitations: the row's own deterministic Message-ID, the status
written right after the mail server's reply (before the QUIT) after a claim committed on its
own, and a claim left by a dead sender settled, never taken over: resent once (marked, both
links working), then "uncertain" and never resent; shown on the members page and counted in
the admin."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from tests.factories import MembershipFactory, PersonFactory, UserFactory
from werkplaats import account_invitations, delivery
from werkplaats.models import AccountInvitation, InvitationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(workplace, coordinator):
    """An invitation just made (its queued send not run), and its link's token."""
    person = PersonFactory(name="Noor Nieuw", email="noor@voorbeeld.example")
    MembershipFactory(person=person, workplace=workplace)
    return account_invitations.invite(person=person, workplace=workplace, by=coordinator)


def died_after_the_accept(invitation: AccountInvitation, when: dt.datetime) -> None:
    """What a worker SIGKILLed between the server's accept and the status write leaves."""
    AccountInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SENDING, claimed_at=when, sent_at=None
    )


def ids() -> list[str]:
    return [m.extra_headers["Message-ID"] for m in mail.outbox]


def token_in(message) -> str:
    return message.body.split("/accounts/invitation/")[1].split("/")[0]


def test_the_mail_carries_the_rows_own_message_id(invited, workplace, coordinator):
    invitation, token = invited
    assert account_invitations.send_invitation(invitation.pk, token) == "sent"
    assert ids() == [delivery.message_id("account-invitation", invitation.pk)]
    assert ids()[0].startswith(f"<account-invitation.{invitation.pk}.")
    # On the message as it goes over the wire, too (Django would otherwise make a random one).
    assert mail.outbox[0].message()["Message-ID"] == ids()[0]
    # Sending again makes a new row, so a new id.
    again, again_token = account_invitations.invite(
        person=invitation.person, workplace=workplace, by=coordinator
    )
    assert account_invitations.send_invitation(again.pk, again_token) == "sent"
    assert ids()[1] == delivery.message_id("account-invitation", again.pk) != ids()[0]


def test_the_status_is_written_before_the_connection_is_closed(invited, monkeypatch):
    invitation, token = invited
    at_quit = []
    monkeypatch.setattr(
        EmailBackend,
        "close",
        lambda self: at_quit.append(AccountInvitation.objects.get(pk=invitation.pk).status),
        raising=False,
    )
    assert account_invitations.send_invitation(invitation.pk, token) == "sent"
    assert at_quit == [InvitationStatus.SENT]


def test_a_sender_inside_a_transaction_refuses_before_it_sends(invited):
    """In a caller's transaction the status written after the send would wait for (and die
    with) the caller's commit: the claim is durable, so nothing is sent."""
    invitation, token = invited
    with pytest.raises(RuntimeError), transaction.atomic():
        account_invitations.send_invitation(invitation.pk, token)
    assert not mail.outbox
    assert AccountInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_a_stale_claim_is_resent_once_marked_and_both_links_work(invited):
    invitation, first_token = invited
    now = timezone.now()
    assert account_invitations.send_invitation(invitation.pk, first_token, now) == "sent"
    died_after_the_accept(invitation, now)
    assert account_invitations.send_pending(now + dt.timedelta(minutes=14)) == 0  # alive?
    assert AccountInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.SENDING
    assert account_invitations.send_pending(now + dt.timedelta(minutes=16)) == 1
    row = AccountInvitation.objects.get(pk=invitation.pk)
    assert row.status == InvitationStatus.SENT
    assert row.uncertain_at == now + dt.timedelta(minutes=16)
    assert row.last_error == ""  # sent; the uncertain case is in uncertain_at
    assert len(mail.outbox) == 2 and ids()[0] == ids()[1]  # a mail client sees the copy
    second_token = token_in(mail.outbox[1])
    assert second_token != first_token  # the raw token is not stored: a fresh link
    # Either mail may be the one that arrived: both links lead to this invitation, once.
    assert account_invitations.invitation_for_token(first_token) == row
    assert account_invitations.invitation_for_token(second_token) == row
    assert account_invitations.accept(invitation=row, password="lang-en-sterk-wachtwoord-42")
    assert account_invitations.invitation_for_token(first_token) is None
    assert account_invitations.invitation_for_token(second_token) is None


def test_a_second_stale_claim_becomes_uncertain_and_is_not_resent(invited):
    invitation, token = invited
    now = timezone.now()
    account_invitations.send_invitation(invitation.pk, token, now)
    died_after_the_accept(invitation, now)
    resent_at = now + dt.timedelta(minutes=16)
    assert account_invitations.send_pending(resent_at) == 1
    died_after_the_accept(invitation, resent_at)  # the resend's sender dies too
    for later in (dt.timedelta(minutes=40), dt.timedelta(hours=2), dt.timedelta(days=1)):
        assert account_invitations.send_pending(now + later) == 0
    row = AccountInvitation.objects.get(pk=invitation.pk)
    assert row.status == InvitationStatus.UNCERTAIN
    assert row.uncertain_at == resent_at  # when it first became uncertain
    assert row.last_error == account_invitations.UNCERTAIN_KEPT
    assert len(mail.outbox) == 2  # the first mail and its one resend, never a third
    # Still a working link: either mail may have arrived.
    assert account_invitations.invitation_for_token(token_in(mail.outbox[1])) == row


def test_a_stale_claim_whose_link_no_longer_works_is_not_resent(invited):
    invitation, token = invited
    now = timezone.now()
    account_invitations.send_invitation(invitation.pk, token, now)
    died_after_the_accept(invitation, now)
    assert account_invitations.revoke(invitation=invitation)
    assert account_invitations.settle_stale_claims(now + dt.timedelta(minutes=16)) == 1
    assert AccountInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.UNCERTAIN
    assert account_invitations.send_pending(now + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_a_refused_resend_is_failed_and_not_resent(invited, monkeypatch):
    invitation, token = invited
    now = timezone.now()
    account_invitations.send_invitation(invitation.pk, token, now)
    died_after_the_accept(invitation, now)

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"noor@voorbeeld.example": (550, b"no such user")})

    monkeypatch.setattr(account_invitations.EmailMultiAlternatives, "send", refused)
    assert account_invitations.send_pending(now + dt.timedelta(minutes=16)) == 0
    row = AccountInvitation.objects.get(pk=invitation.pk)
    assert row.status == InvitationStatus.FAILED and row.uncertain_at is not None
    monkeypatch.undo()
    assert account_invitations.send_pending(now + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1  # the first one only


def test_the_members_page_shows_an_uncertain_invitation(manage, workplace, invited):
    invitation, _token = invited
    AccountInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.UNCERTAIN, uncertain_at=timezone.now()
    )
    page = manage.get(f"/pw/{workplace.slug}/members/").content.decode()
    notice = page.split('id="uncertain-invitations"')[1].split("</div>")[0]
    assert "Noor Nieuw" in notice
    assert "misschien niet aangekomen" in notice  # plainly, in the user's language
    assert "konden niet worden bezorgd" not in page  # not a refused one
    # Once the link is used (the mail did arrive), there is nothing to ask about.
    AccountInvitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
    page = manage.get(f"/pw/{workplace.slug}/members/").content.decode()
    assert 'id="uncertain-invitations"' not in page


def test_the_admin_counts_the_uncertain_invitations(client, invited):
    invitation, token = invited
    AccountInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.UNCERTAIN, uncertain_at=timezone.now()
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = "/admin/werkplaats/accountinvitation/"
    page = client.get(url, {"status": "uncertain"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "(1)" in page.content.decode()  # the state filter's facet count
    assert client.get(url, {"uncertain": "yes"}).context["cl"].result_count == 1
    assert client.get(url, {"uncertain": "no"}).context["cl"].result_count == 0
    detail = client.get(f"{url}{invitation.pk}/change/").content.decode()
    assert invitation.token_hash not in detail  # never the link's hash
