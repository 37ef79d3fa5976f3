"""Account invitations: a member with an e-mail address and no login gets a one-time link to
set a password (issue 14). People without e-mail (often clients) never need an account: they
answer evaluations by personal link.

The invitation row is its own mail ledger row, sent the way the evaluation mails are:
1. ``invite`` writes the row (and revokes the person's earlier links) in the caller's
   transaction, and queues the send after commit.
2. ``send_invitation`` claims the row with a conditional UPDATE (pending, or a stale claim),
   sends, and marks it sent in its own short write; a temporary SMTP error puts it back to
   pending for the next sweep, a 5xx refusal marks it failed (shown on the members page).
3. ``accept`` claims the link (unused, unrevoked, unexpired) with a conditional UPDATE, so a
   link used twice, or after revocation, gets the same neutral page as an unknown link.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from werkplaats.delivery import hash_token, is_permanent
from werkplaats.models import AccountInvitation, InvitationStatus, Person, User, Workplace

logger = logging.getLogger(__name__)

VALID_FOR = dt.timedelta(days=7)
STALE_CLAIM = dt.timedelta(minutes=15)
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
    return AccountInvitation.objects.usable(now).filter(
        Q(status=InvitationStatus.PENDING)
        | Q(status=InvitationStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )


def send_invitation(pk: int, token: str, now: dt.datetime | None = None) -> str:
    """Send one invitation mail, once: sent, retry, failed or taken (another sender has it,
    or the link no longer works)."""
    now = now or timezone.now()
    # The token must still be the row's: a sweep that gave the row a fresh link makes an
    # older queued send a no-op instead of a mail with a dead link.
    claimed = (
        _claimable(now)
        .filter(pk=pk, token_hash=hash_token(token))
        .update(status=InvitationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return "taken"
    invitation = AccountInvitation.objects.select_related("person", "workplace").get(pk=pk)
    ours = AccountInvitation.objects.filter(pk=pk, status=InvitationStatus.SENDING, claimed_at=now)
    try:
        _message(invitation, token).send()
    except Exception as exc:  # noqa: BLE001 — every failure is recorded on the row
        error = f"{type(exc).__name__}: {str(exc)[:150]}"
        logger.warning("account invitation %s failed: %s", pk, type(exc).__name__)
        permanent = is_permanent(exc) or invitation.attempts >= MAX_ATTEMPTS
        status = InvitationStatus.FAILED if permanent else InvitationStatus.PENDING
        ours.update(status=status, last_error=error)
        return "failed" if permanent else "retry"
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
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [person.email])
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
    all look the same)."""
    if not token or len(token) > 100:
        return None
    return (
        AccountInvitation.objects.usable()
        .select_related("person__user")
        .filter(token_hash=hash_token(token))
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
    """Retry what a failed or killed sender left (beat): the token is only in the first task,
    so a retry issues a fresh link on the same row; an old link then stops working."""
    now = now or timezone.now()
    sent = 0
    # Rows the first send has had time for: a fresh row's queued task still holds its link.
    waiting = _claimable(now).filter(created_at__lt=now - dt.timedelta(minutes=5))
    for pk in list(waiting.values_list("pk", flat=True)[:200]):
        token = secrets.token_urlsafe(32)
        changed = _claimable(now).filter(pk=pk).update(token_hash=hash_token(token))
        if changed and send_invitation(pk, token, now) == "sent":
            sent += 1
    return sent
