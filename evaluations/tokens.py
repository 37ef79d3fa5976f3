"""The secret link tokens of invitations: issuing them, new links, and finding a token's
invitation."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from evaluations.common import TOKEN_BYTES
from evaluations.models import AccessToken, Invitation
from werkplaats.delivery import hash_token


def issue_token(invitation: Invitation) -> str:
    """A fresh secret link token for an invitation; only its hash is stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    AccessToken.objects.create(invitation=invitation, token_hash=hash_token(raw))
    return raw


def new_link(*, invitation: Invitation) -> str:
    """A new link for somebody without e-mail (handed over in person); older links stop."""
    with transaction.atomic():
        invitation.tokens.filter(revoked_at=None).update(revoked_at=timezone.now())
        return issue_token(invitation)


def invitation_for_token(raw: str, now: dt.datetime | None = None) -> Invitation | None:
    """The invitation of a valid token: known, not revoked, cycle open. None otherwise, with
    no difference between unknown, revoked and expired (the caller answers all alike)."""
    now = now or timezone.now()
    if not raw or len(raw) > 100:
        return None
    token = (
        AccessToken.objects.select_related("invitation__cycle", "invitation__person")
        .filter(token_hash=hash_token(raw), revoked_at=None)
        .first()
    )
    if token is None or not token.invitation.cycle.is_open(now):
        return None
    return token.invitation
