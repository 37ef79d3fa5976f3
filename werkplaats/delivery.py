"""What the mail ledgers share (the evaluation mails, the notifications and digests, the account
invitations): how a link's token is stored, which SMTP failures are permanent, a row's
deterministic Message-ID, and the SMTP connection that is closed only after the status write.

The window SMTP cannot close: the server accepts a mail (its reply to DATA) and the sender dies
before it records that. The ledgers keep that window as small as it can be: the row is claimed
in a committed transaction of its own before the mail goes (``claim``), the connection is open
before the send, and the status is written by one autocommitted statement right after the
server's reply; only then is the connection closed (QUIT, ``quietly_closed``). A row left
"sending" past the stale-claim window is "uncertain" (see each ledger): it may have arrived.
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils.crypto import salted_hmac

MESSAGE_ID_SALT = "werkplaats.delivery.message-id"


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


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: the site's host, else the From address's."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if not host:
        host = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return host or "werkplaats.invalid"


def message_id(kind: str, pk: int) -> str:
    """The Message-ID of one ledger row: ``<kind.pk.hmac@domain>``. Derived from the row only,
    so every send of the row (a retry, the one resend of an uncertain case) carries the same
    id and a mail client or relay can recognise a second copy; the HMAC (keyed by the secret
    key) keeps the ids of other rows from being guessed."""
    tag = salted_hmac(MESSAGE_ID_SALT, f"{kind}.{pk}").hexdigest()[:16]
    return f"<{kind}.{pk}.{tag}@{mail_domain()}>"


# The two endings of an uncertain case (the sender stopped between its claim and the status
# write), as the ledgers record them.
UNCERTAIN_RESENT = "uncertain: the sender stopped mid-send; sent once more"
UNCERTAIN_KEPT = "uncertain: the sender stopped mid-send; not sent again"


def error_text(exc: Exception) -> str:
    """A failed send as a ledger row records it: the exception's type and the start of its
    message (the mail server's reply)."""
    return f"{type(exc).__name__}: {str(exc)[:150]}"


def claim(rows, **fields) -> int:
    """Claim ledger rows with one conditional UPDATE, committed before any mail goes. Durable:
    called inside a caller's transaction it raises before sending, because there the status
    written after the send would wait for the caller's commit (and die with it)."""
    with transaction.atomic(durable=True):
        return rows.update(**fields)


def send_open(message, connection) -> None:
    """Send one message over ``connection``, opened first if it is not: ``send`` then returns
    right after the server's reply to the message, without the QUIT a connection opened by
    ``send`` itself would add before the caller could record the accept."""
    connection.open()
    message.connection = connection
    message.send()


def close_quietly(connection) -> None:
    """QUIT; a failure changes nothing, the accepted mails are recorded already."""
    with suppress(Exception):
        connection.close()


@contextmanager
def quietly_closed(connection=None) -> Iterator:
    """An SMTP connection for the sends of a block, closed (QUIT) when the block ends, after
    the status writes, never between a server's accept and its write. A failing QUIT changes
    nothing: the mails were accepted and recorded."""
    connection = connection or get_connection()
    try:
        yield connection
    finally:
        close_quietly(connection)
