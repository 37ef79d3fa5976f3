"""Account invitations: a member with an e-mail address and no login gets a one-time link to
set a password (issue 14). People without e-mail (often clients) never need an account: they
answer evaluations by personal link.

The invitation row is its own mail ledger row, sent the way the evaluation mails are (issue 20,
``werkplaats/delivery.py``):
1. ``invite`` writes the row (and revokes the person's earlier links) in the caller's
   transaction, and queues the send after commit.
2. ``send_invitation`` claims the row (pending, with the link it was given) with a conditional
   UPDATE committed on its own, sends it with the row's own Message-ID, and marks it sent right
   after the mail server's reply, before the connection's QUIT; a temporary SMTP error puts it
   back to pending for the next sweep, a 5xx refusal marks it failed (shown on the members
   page).
3. A claim left "sending" past ``STALE_CLAIM`` (the sender died between the server's accept and
   the status write, so the mail may have arrived) is settled by the sweep, never taken over:
   the first time it goes back to pending and is sent once more (a lost invitation is worse
   than a repeat: it is the only way to an account), with the same Message-ID, and
   ``uncertain_at`` records it; if it is left stale again it becomes "uncertain" and is never
   resent (shown on the members page, counted in the admin). The raw token is not stored, so
   the resend carries a fresh link; the first mail's link keeps working next to it (its hash is
   kept in ``earlier_token_hash``) until either is used, the invitation is revoked or replaced,
   or it expires.
4. ``accept`` claims the link (unused, unrevoked, unexpired) with a conditional UPDATE, so a
   link used twice, or after revocation, gets the same neutral page as an unknown link.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from werkplaats.delivery import (
    UNCERTAIN_KEPT,
    UNCERTAIN_RESENT,
    claim,
    error_text,
    hash_token,
    is_permanent,
    message_id,
    quietly_closed,
    send_open,
)
from werkplaats.models import AccountInvitation, InvitationStatus, Person, User, Workplace

logger = logging.getLogger(__name__)

VALID_FOR = dt.timedelta(days=7)
STALE_CLAIM = dt.timedelta(minutes=15)  # longer than the task time limit
MAX_ATTEMPTS = 5


class InvitationError(Exception):
    """An invitation that cannot be made; the message is for the user."""


def invite(*, person: Person, workplace: Workplace | None, by) -> tuple[AccountInvitation, str]:
    """Invite a person with an e-mail address and no active login; earlier links stop working.
    Returns the row and the raw token (only ever in the mail). Runs in one transaction."""
    if not person.email:
        raise InvitationError(_("This person has no e-mail address to send an invitation to."))
    if person.user_id and not person.user.is_active:
        raise InvitationError(
            _("This person's account was deactivated by staff; ask them to re-activate it.")
        )
    if person.user_id and person.user.has_usable_password():
        raise InvitationError(_("This person already has an account."))
    if not person.user_id and _account_with_address(person.email):
        # Never tie somebody else's login (staff, a researcher) to this person: an
        # invitation only makes a new account or sets the person's own one.
        raise InvitationError(
            _("An account with this e-mail address exists already; ask staff to link it.")
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        AccountInvitation.objects.filter(person=person).usable(now).update(revoked_at=now)
        invitation = AccountInvitation.objects.create(
            person=person,
            workplace=workplace,
            invited_by=by if getattr(by, "is_authenticated", False) else None,
            token_hash=hash_token(token),
            expires_at=now + VALID_FOR,
        )
        # The raw token lives only in the queued task's arguments and the mail.
        transaction.on_commit(lambda: _queue_send(invitation.pk, token))
    return invitation, token


def _queue_send(pk: int, token: str) -> None:
    from werkplaats.tasks import send_account_invitation

    send_account_invitation.delay(pk, token)


def revoke(*, invitation: AccountInvitation) -> bool:
    """Revoke a link that still works; False if it was already used, revoked or expired."""
    return bool(
        AccountInvitation.objects.filter(pk=invitation.pk)
        .usable()
        .update(revoked_at=timezone.now())
    )


def _claimable(now: dt.datetime):
    """Rows a sender may claim: pending with a link that still works. A stale claim is not
    taken over here: ``settle_stale_claims`` settles it first."""
    return AccountInvitation.objects.usable(now).filter(status=InvitationStatus.PENDING)


def settle_stale_claims(now: dt.datetime) -> int:
    """Rows left "sending" past ``STALE_CLAIM``: the mail server may or may not have accepted
    the mail before its sender died, and nothing can tell which. A row never uncertain before
    whose link still works goes back to pending, to be sent once more (same Message-ID, a
    fresh link from ``send_pending``; the first link is kept working in
    ``earlier_token_hash``); every other row (one already resent, or whose link no longer
    works) becomes uncertain and stays so. Returns the rows settled."""
    settled = 0
    stale = AccountInvitation.objects.filter(
        status=InvitationStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    # One definition of a link that still works (``usable``): a dead link is not resent.
    resend = set(stale.usable(now).filter(uncertain_at=None).values_list("pk", flat=True))
    for pk, claimed_at, uncertain_at in stale.values_list("pk", "claimed_at", "uncertain_at"):
        ours = AccountInvitation.objects.filter(
            pk=pk, status=InvitationStatus.SENDING, claimed_at=claimed_at
        )
        if pk in resend:
            # The claim checked the link, so token_hash is the link in the mail that may
            # have arrived.
            settled += ours.update(
                status=InvitationStatus.PENDING, uncertain_at=now,
                earlier_token_hash=F("token_hash"), last_error=UNCERTAIN_RESENT,
            )  # fmt: skip
        else:
            settled += ours.update(
                status=InvitationStatus.UNCERTAIN, uncertain_at=uncertain_at or now,
                last_error=UNCERTAIN_KEPT,
            )  # fmt: skip
        logger.warning("account invitation %s: uncertain (its sender stopped mid-send)", pk)
    return settled


def send_invitation(pk: int, token: str, now: dt.datetime | None = None) -> str:
    """Send one invitation mail, once: sent, retry, failed or taken (another sender has it,
    or the link no longer works).

    1. Claim the row with a conditional UPDATE (pending, this link), committed on its own.
    2. Send over a connection opened first; mark it sent right after the server's reply,
       before the QUIT (``quietly_closed``), with nothing in between. A permanent refusal is
       failed, a temporary one pending again. A sender that dies between the send and the
       write leaves the row "sending": ``settle_stale_claims`` decides what happens then.
    """
    now = now or timezone.now()
    # The token must still be the row's: a sweep that gave the row a fresh link makes an
    # older queued send a no-op instead of a mail with a dead link.
    claimed = claim(
        _claimable(now).filter(pk=pk, token_hash=hash_token(token)),
        status=InvitationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1,
    )  # fmt: skip
    if claimed != 1:
        return "taken"
    invitation = AccountInvitation.objects.select_related("person", "workplace").get(pk=pk)
    ours = AccountInvitation.objects.filter(pk=pk, status=InvitationStatus.SENDING, claimed_at=now)
    with quietly_closed() as connection:
        try:
            send_open(_message(invitation, token), connection)
        except SoftTimeLimitExceeded:
            # The mail server may or may not have taken it: keep the claim; after the
            # stale-claim time the row is settled as an uncertain case.
            raise
        except Exception as exc:  # noqa: BLE001 — every failure is recorded on the row
            error = error_text(exc)
            logger.warning("account invitation %s failed: %s", pk, type(exc).__name__)
            permanent = is_permanent(exc) or invitation.attempts >= MAX_ATTEMPTS
            status = InvitationStatus.FAILED if permanent else InvitationStatus.PENDING
            ours.update(status=status, last_error=error)
            return "failed" if permanent else "retry"
        # Right after the server's reply, before the QUIT: nothing else in between. Only our
        # own claim is marked.
        ours.update(status=InvitationStatus.SENT, sent_at=timezone.now(), last_error="")
        return "sent"


def _message(invitation: AccountInvitation, token: str) -> EmailMultiAlternatives:
    person = invitation.person
    with translation.override(person.preferred_language):
        context = {
            "person": person,
            "workplace": invitation.workplace,
            "url": settings.SITE_URL + reverse("account-invitation", args=[token]),
            "expires_at": invitation.expires_at,
        }
        subject = _("You are invited to Werkplaats")
        text = render_to_string("registration/invitation_mail.txt", context)
        html = render_to_string("registration/invitation_mail.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [person.email],
        headers={"Message-ID": message_id("account-invitation", invitation.pk)},
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    return message


def _account_with_address(email: str) -> bool:
    """Is there a login with this address already? Compared exactly on the lower-cased
    address: a case-insensitive database match (PostgreSQL's UPPER) would equate look-alike
    letters such as the dotless ı with i."""
    address = email.strip().lower()
    return any(
        existing.lower() == address
        for existing in User.objects.filter(email__iexact=address).values_list("email", flat=True)
    )


def invitation_for_token(token: str) -> AccountInvitation | None:
    """The invitation of a link that still works, else None (unknown, used, revoked, expired
    all look the same). The link of a mail resent in an uncertain case works, and so does the
    first mail's (``earlier_token_hash``)."""
    if not token or len(token) > 100:
        return None
    hashed = hash_token(token)
    return (
        AccountInvitation.objects.usable()
        .select_related("person__user")
        .filter(Q(token_hash=hashed) | Q(earlier_token_hash=hashed))
        .first()
    )


def accept(*, invitation: AccountInvitation, password: str) -> User | None:
    """Use the link once: create the person's account with this password (or set the password
    of the person's own account without a usable one). Never another login with the same
    address: that is refused, and the link stays unused.
    None if the link was used or revoked in the meantime (a double submit, a second tab)."""
    now = timezone.now()
    with transaction.atomic():
        if not (AccountInvitation.objects.filter(pk=invitation.pk).usable(now).update(used_at=now)):
            return None
        # of=self: PostgreSQL cannot lock the nullable side of the join to the account.
        person = (
            Person.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=invitation.person_id)
        )
        user = person.user
        if user is None:
            if _account_with_address(person.email):
                transaction.set_rollback(True)  # the link stays unused
                return None
            user = User(email=person.email.lower())
        user.set_password(password)
        user.save()
        if person.user_id != user.pk:
            person.user = user
            person.save(update_fields=["user"])
    return user


def send_pending(now: dt.datetime | None = None) -> int:
    """Send what a failed or killed sender left (beat). Stale claims are settled first (see
    ``settle_stale_claims``). The token is only in the first task, so a retry, and the one
    resend of an uncertain case, issue a fresh link on the same row: after a failed send the
    old link stops working (no mail carried it), after an uncertain one it keeps working
    (``earlier_token_hash``: that mail may have arrived)."""
    now = now or timezone.now()
    settle_stale_claims(now)
    sent = 0
    # Rows the first send has had time for: a fresh row's queued task still holds its link.
    waiting = _claimable(now).filter(created_at__lt=now - dt.timedelta(minutes=5))
    for pk in list(waiting.values_list("pk", flat=True)[:200]):
        token = secrets.token_urlsafe(32)
        changed = _claimable(now).filter(pk=pk).update(token_hash=hash_token(token))
        if changed and send_invitation(pk, token, now) == "sent":
            sent += 1
    return sent
