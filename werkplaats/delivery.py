"""What the mail ledgers share (the evaluation mails and the account invitations): how a
link's token is stored, and which SMTP failures are permanent."""

from __future__ import annotations

import hashlib
import smtplib


def hash_token(raw: str) -> str:
    """A link's token as stored: its SHA-256, never the token itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


def is_permanent(exc: Exception) -> bool:
    """A 5xx reply is permanent, anything else is worth another try. ``smtplib`` raises
    ``SMTPRecipientsRefused`` when every recipient is refused, also for a temporary 451
    (greylisting, a full mailbox, a rate limit): it carries a code per recipient, and only
    when every one of them is 5xx is the refusal permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [reply[0] for reply in exc.recipients.values()]
        return bool(codes) and all(isinstance(c, int) and 500 <= c < 600 for c in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600
