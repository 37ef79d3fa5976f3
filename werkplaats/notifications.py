"""Notifications: one ledger for everything that waits for somebody, an inbox, mails, digests.

1. An event writes one ``Notification`` row per recipient in the transaction that decides it
   (``notify``). The key is unique per recipient, so an event written twice, a retried task or
   two workers at once still make one row each.
2. How a recipient hears of it is decided once, when the row is written, from their settings:
   in the app only, at once by mail, in their digest, or not at all. People without an e-mail
   address get nothing by mail; their inbox shows it when they log in.
3. A mail is sent from the row after claiming it with a conditional UPDATE (``deliver``); the
   status write after the mail server accepted it is its own short statement, right after the
   server's reply (the connection's QUIT comes after it). A failed send to one recipient never
   touches another recipient's row. A row left "sending" past ``STALE_CLAIM`` (its sender died
   between the claim and the status write) is marked uncertain and never sent again: it may
   have arrived, and its notification is in the inbox either way.
4. A digest is a ``NotificationDigest`` row per person and period; the notifications it
   carries are attached to it under a row lock, then it is claimed and sent once.
5. Evaluation mails (invitations, reminders, results, actions due) keep their own token-bearing
   ledger in ``evaluations``: for those kinds the notification is written beside the ledger row
   and records whether that mail goes out (``MailState.LEDGER``) or waits for the digest.

Mails are discreet (a lock screen may show them): they name the kind and the PW, never a goal,
a person or an answer; the detail is behind the login.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from werkplaats.delivery import (
    claim,
    close_quietly,
    error_text,
    is_permanent,
    message_id,
    quietly_closed,
    send_open,
)
from werkplaats.models import (
    Channel,
    DigestFrequency,
    GoalStatus,
    LearningGoal,
    MailState,
    Membership,
    Notification,
    NotificationDigest,
    NotificationKind,
    NotificationSettings,
    Person,
    Role,
)

logger = logging.getLogger(__name__)

K = NotificationKind
ALL_CHANNELS = [Channel.IMMEDIATE, Channel.DIGEST, Channel.IN_APP, Channel.OFF]
# What each kind does unless the person chose otherwise: what needs action comes at once.
DEFAULTS: dict[str, str] = {
    K.SUPPORT_ASKED: Channel.IMMEDIATE,
    K.SUPPORT_ANSWERED: Channel.DIGEST,
    K.FEEDBACK: Channel.DIGEST,
    K.REPLY: Channel.DIGEST,
    K.GOAL_ACHIEVED: Channel.DIGEST,
    K.GOAL_REMINDER: Channel.IMMEDIATE,
    K.EVALUATION_OPEN: Channel.IMMEDIATE,
    K.EVALUATION_REMINDER: Channel.IMMEDIATE,
    K.EVALUATION_CLOSING: Channel.IN_APP,
    K.RESULTS_READY: Channel.IMMEDIATE,
    K.ACTION_ASSIGNED: Channel.DIGEST,
    K.ACTION_DUE: Channel.IMMEDIATE,
    K.ADDED_TO_WORKPLACE: Channel.DIGEST,
    K.CASE_OUTPUT: Channel.DIGEST,
}
# The choices a person has per kind. An evaluation invitation cannot be switched off (only its
# reminders can); a reminder in a digest would come too late, so reminders have no digest.
CHOICES: dict[str, list[str]] = dict.fromkeys(DEFAULTS, ALL_CHANNELS)
CHOICES[K.EVALUATION_OPEN] = [Channel.IMMEDIATE]
CHOICES[K.EVALUATION_REMINDER] = [Channel.IMMEDIATE, Channel.IN_APP, Channel.OFF]
CHOICES[K.EVALUATION_CLOSING] = [Channel.IN_APP, Channel.OFF]
CHOICES[K.GOAL_REMINDER] = [Channel.IMMEDIATE, Channel.IN_APP, Channel.OFF]
# Kinds whose mail is the evaluation ledger's (it carries a personal answer link).
LEDGER_KINDS = {K.EVALUATION_OPEN, K.EVALUATION_REMINDER, K.RESULTS_READY, K.ACTION_DUE}

STALE_CLAIM = dt.timedelta(minutes=15)  # longer than the task time limit
MAX_ATTEMPTS = 5
DIGEST_HOUR = 7  # local time: the daily digest comes in the morning, the weekly on Monday
UNREAD_TTL = 300
UNSUBSCRIBE_SALT = "werkplaats.notifications.unsubscribe"


# --- Settings ---------------------------------------------------------------------------------
def channel_of(choices: dict | None, kind: str) -> str:
    chosen = (choices or {}).get(kind)
    return chosen if chosen in CHOICES[kind] else DEFAULTS[kind]


def settings_of(person_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    """The saved settings of these people (one query); a person without a row has defaults."""
    return {
        s.person_id: s for s in NotificationSettings.objects.filter(person_id__in=set(person_ids))
    }


def default_digest(roles: Iterable[str]) -> str:
    """Weekly for students, daily for everyone who holds another role too."""
    roles = set(roles)
    return DigestFrequency.WEEKLY if roles and roles <= {Role.STUDENT} else DigestFrequency.DAILY


# --- Writing ----------------------------------------------------------------------------------
def notify(
    kind: str,
    recipients: Iterable[Person | None],
    *,
    key: str,
    workplace=None,
    goal: LearningGoal | None = None,
    link: str = "",
    by_ledger: bool = False,
) -> int:
    """Write the notification of one event for each recipient, in the caller's transaction.
    ``key`` names the event; with the recipient it is unique, so writing it again adds
    nothing. Returns how many recipients hear of it (rows may already have existed)."""
    people = {p.pk: p for p in recipients if p is not None}
    if not people:
        return 0
    saved = settings_of(people)
    rows = []
    for person in people.values():
        choices = saved[person.pk].channels if person.pk in saved else None
        channel = channel_of(choices, kind)
        if channel == Channel.OFF:
            continue
        if channel == Channel.IN_APP or not person.email:
            mail = MailState.NONE
        elif channel == Channel.DIGEST:
            mail = MailState.DIGEST
        else:
            mail = MailState.LEDGER if by_ledger else MailState.PENDING
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                key=key,
                workplace=workplace,
                goal=goal,
                link=link,
                mail=mail,
            )  # fmt: skip
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    users = [p.user_id for p in people.values() if p.user_id]
    to_mail = any(row.mail == MailState.PENDING for row in rows)
    transaction.on_commit(lambda: _after_commit(users, to_mail))
    return len(rows)


def _after_commit(user_ids: list[int], to_mail: bool) -> None:
    forget_unread(user_ids)
    if to_mail:
        try:
            from werkplaats.tasks import send_notifications

            send_notifications.delay()
        except Exception:  # noqa: BLE001 — the broker is down: beat's sweep sends it later
            logger.warning("could not queue the notification sender; beat will send it")


def goal_link(goal: LearningGoal) -> str:
    return reverse("werkplaats:goal-detail", args=[goal.workplace.slug, goal.pk])


def goal_owners(goal: LearningGoal) -> list[Person]:
    return [goal.owner, *goal.co_owners.all()]


# --- The unread count (one cached number per user) --------------------------------------------
def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    """The user's unread notifications: from the cache, else one query."""
    if not user.is_authenticated:
        return 0
    key = _unread_key(user.pk)
    try:
        count = cache.get(key)
    except Exception:  # noqa: BLE001 — the cache (Redis) is down: count, never fail the page
        logger.warning("cache unavailable for the unread count")
        return Notification.objects.filter(recipient__user=user, read_at=None).count()
    if count is None:
        count = Notification.objects.filter(recipient__user=user, read_at=None).count()
        try:
            cache.set(key, count, UNREAD_TTL)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable for the unread count")
    return count


def forget_unread(user_ids: Iterable[int]) -> None:
    """Drop cached counts after a write. Should the cache be down, a count may lag for at
    most ``UNREAD_TTL`` seconds once it is back."""
    keys = [_unread_key(uid) for uid in user_ids if uid]
    if keys:
        try:
            cache.delete_many(keys)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: unread counts may lag for a few minutes")


def mark_read(*, person: Person, pk: int | None = None) -> int:
    """Mark one notification (or all, without ``pk``) of this person read."""
    rows = Notification.objects.filter(recipient=person, read_at=None)
    if pk is not None:
        rows = rows.filter(pk=pk)
    changed = rows.update(read_at=timezone.now())
    forget_unread([person.user_id])
    return changed


def visible_goal_ids(user, notifications) -> set[int]:
    """The goals of these notifications the user may still see (one query): a notification
    never shows the title of a goal its reader may not read (any more)."""
    ids = {n.goal_id for n in notifications if n.goal_id}
    if not ids:
        return set()
    return set(
        LearningGoal.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    )


# --- Sending at once --------------------------------------------------------------------------
def _claimable(now: dt.datetime):
    return Notification.objects.filter(mail=MailState.PENDING, next_attempt_at__lte=now)


UNCERTAIN_ERROR = "uncertain: the sender stopped between the claim and the status write"


def mark_uncertain(now: dt.datetime) -> int:
    """Rows left "sending" past the stale-claim window: the mail server may have accepted the
    mail before its sender died. They are not sent again (a routine mail twice is worse than
    once in the inbox only); the admin counts them."""
    return Notification.objects.filter(
        mail=MailState.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(mail=MailState.UNCERTAIN, last_error=UNCERTAIN_ERROR)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def deliver(pk: int, now: dt.datetime | None = None) -> str:
    """Mail one notification, once: sent, skipped, failed, retry, or taken (another sender
    has it, or it is not due)."""
    now = now or timezone.now()
    claimed = claim(
        _claimable(now).filter(pk=pk),
        mail=MailState.SENDING, claimed_at=now, attempts=F("attempts") + 1,
    )  # fmt: skip
    if claimed != 1:
        return "taken"
    note = Notification.objects.select_related("recipient", "workplace", "goal").get(pk=pk)
    ours = Notification.objects.filter(pk=pk, mail=MailState.SENDING, claimed_at=now)
    reason = _no_longer_useful(note)
    if reason:
        ours.update(mail=MailState.SKIPPED, last_error=reason)
        return "skipped"
    with quietly_closed() as connection:
        try:
            send_open(_message(note), connection)
        except Exception as exc:  # noqa: BLE001 — every failure is recorded on the row
            error = error_text(exc)
            logger.warning("notification %s failed: %s", pk, type(exc).__name__)
            if is_permanent(exc) or note.attempts >= MAX_ATTEMPTS:
                ours.update(mail=MailState.FAILED, last_error=error)
                if is_permanent(exc):
                    mark_bounced(note.recipient_id, now)
                return "failed"
            ours.update(
                mail=MailState.PENDING,
                last_error=error,
                next_attempt_at=now + backoff(note.attempts),
            )
            return "retry"
        # Right after the server's reply, before the QUIT: the smallest window there is.
        ours.update(mail=MailState.SENT, sent_at=timezone.now(), last_error="")
        return "sent"


def mark_bounced(person_id: int, now: dt.datetime) -> None:
    """The mail server refused this address for good: the PW's bridge-builder sees it on the
    members page; changing the address clears it."""
    Person.objects.filter(pk=person_id).update(email_bounced_at=now)


def _no_longer_useful(note: Notification) -> str:
    if not note.recipient.email:
        return "no e-mail address"
    if note.kind == K.GOAL_REMINDER and (
        note.goal is None or note.goal.status != GoalStatus.ACTIVE
    ):
        return "goal no longer active"
    if (
        note.kind == K.SUPPORT_ASKED
        and note.goal is not None
        and note.goal.status == GoalStatus.DRAFT
    ):
        return "goal is a draft"
    return ""


def send_pending(now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every notification mail that is due (beat runs it every few minutes; a commit
    that wrote one also queues it at once). Safe to run twice or in parallel."""
    now = now or timezone.now()
    outcome: dict[str, int] = {}
    if uncertain := mark_uncertain(now):
        outcome["uncertain"] = uncertain
    for pk in list(
        _claimable(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ):
        result = deliver(pk, now)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def _urls(person: Person, kind: str) -> dict[str, str]:
    token = signing.dumps([person.pk, kind], salt=UNSUBSCRIBE_SALT, compress=True)
    return {
        "inbox_url": settings.SITE_URL + reverse("notifications:inbox"),
        "settings_url": settings.SITE_URL + reverse("notifications:settings"),
        "unsubscribe_url": settings.SITE_URL + reverse("notifications:unsubscribe", args=[token]),
    }


def _headers(unsubscribe_url: str) -> dict[str, str]:
    # RFC 8058: a mail client may unsubscribe with one POST, without opening a page.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _message(note: Notification) -> EmailMultiAlternatives:
    """The mail of one notification in the recipient's language: the kind and the PW, and a
    link to the thing behind the login."""
    person = note.recipient
    with translation.override(person.preferred_language):
        context = {
            "person": person,
            "notes": [note],
            "title": NotificationKind(note.kind).label,
            **_urls(person, note.kind),
        }
        context["open_url"] = settings.SITE_URL + reverse("notifications:open", args=[note.pk])
        subject = str(context["title"])
        if note.workplace_id:
            subject = f"{subject} · {note.workplace.name}"
        text = render_to_string("notifications/mail.txt", context)
        html = render_to_string("notifications/mail.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [person.email],
        headers={
            **_headers(context["unsubscribe_url"]),
            "Message-ID": message_id(f"notification-{note.kind}", note.pk),
        },
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    return message


# --- Digests ----------------------------------------------------------------------------------
def digest_period(frequency: str, now: dt.datetime) -> tuple[str, dt.datetime]:
    """The period a digest sent now belongs to, and when it began: the day from 07:00 local,
    or the ISO week from Monday 07:00. A digest carries what waited before its period began,
    and there is one per person and period, however often (or late) the task runs."""
    local = timezone.localtime(now)
    start = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if local < start:
        start -= dt.timedelta(days=1)
    if frequency == DigestFrequency.WEEKLY:
        start -= dt.timedelta(days=start.weekday())
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}", start
    return start.date().isoformat(), start


def queue_digests(now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Make the digest rows that are due and attach their waiting notifications; a bounded
    number of queries per batch of people (not per person). Returns the digests made."""
    now = now or timezone.now()
    _, today_began = digest_period(DigestFrequency.DAILY, now)  # no period began later
    made = 0
    after = 0
    while True:
        people = list(
            Notification.objects.filter(
                mail=MailState.DIGEST, recipient_id__gt=after, created_at__lt=today_began
            )
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:batch]
        )
        if not people:
            return made
        after = people[-1]
        made += _queue_batch(people, now)


def _queue_batch(people: list[int], now: dt.datetime) -> int:
    saved = settings_of(people)
    roles: dict[int, set[str]] = {}
    undecided = [pid for pid in people if not (pid in saved and saved[pid].digest)]
    for pid, role in (
        Membership.objects.current(timezone.localdate(now))
        .filter(person_id__in=undecided)
        .values_list("person_id", "role")
    ):
        roles.setdefault(pid, set()).add(role)
    periods: dict[tuple[str, dt.datetime], list[int]] = {}
    never = []
    for pid in people:
        frequency = saved[pid].digest if pid in saved and saved[pid].digest else None
        frequency = frequency or default_digest(roles.get(pid, ()))
        if frequency == DigestFrequency.NEVER:
            never.append(pid)
        else:
            periods.setdefault(digest_period(frequency, now), []).append(pid)
    with transaction.atomic():
        if never:  # they chose the inbox only
            Notification.objects.filter(mail=MailState.DIGEST, recipient_id__in=never).update(
                mail=MailState.NONE
            )
        made = 0
        for (period, began), ids in periods.items():
            waiting = Notification.objects.filter(
                mail=MailState.DIGEST, recipient_id__in=ids, created_at__lt=began
            )
            due = set(waiting.values_list("recipient_id", flat=True).distinct())
            made += len(
                NotificationDigest.objects.bulk_create(
                    [NotificationDigest(person_id=pid, period=period) for pid in sorted(due)],
                    ignore_conflicts=True,
                )
            )
            # Lock the open digests first: a sender claims a digest only after the
            # notifications attached to it are committed, so none is attached unseen.
            open_digests = NotificationDigest.objects.filter(
                person_id__in=due, period=period, status=MailState.PENDING
            )
            list(open_digests.select_for_update().values_list("pk", flat=True))
            match = open_digests.filter(person_id=OuterRef("recipient_id"))
            waiting.filter(Exists(match)).update(
                mail=MailState.DIGESTED, digest_id=Subquery(match.values("pk")[:1])
            )
    return made


def send_digests(now: dt.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Queue what is due, then send every open digest once (one SMTP connection per batch). A
    digest whose sender died mid-send is marked uncertain, never sent again: its notifications
    are in the inbox, and a second digest is worse than a lost one."""
    now = now or timezone.now()
    queue_digests(now)
    uncertain = NotificationDigest.objects.filter(
        status=MailState.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=MailState.UNCERTAIN, last_error=UNCERTAIN_ERROR)
    outcome: dict[str, int] = {"uncertain": uncertain} if uncertain else {}
    after = 0
    while True:
        ids = list(
            NotificationDigest.objects.filter(status=MailState.PENDING, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return outcome
        after = ids[-1]
        for result in _send_digest_batch(ids, timezone.now()):
            outcome[result] = outcome.get(result, 0) + 1


def _send_digest_batch(ids: list[int], now: dt.datetime) -> list[str]:
    """Claim a batch in one statement, read its people and notifications in two, send over one
    connection; each accepted mail is marked sent by its own statement right after (the QUIT
    comes after the whole batch)."""
    claim(
        NotificationDigest.objects.filter(pk__in=ids, status=MailState.PENDING),
        status=MailState.SENDING, claimed_at=now, attempts=F("attempts") + 1,
    )  # fmt: skip
    digests = list(
        NotificationDigest.objects.filter(
            pk__in=ids, status=MailState.SENDING, claimed_at=now
        ).select_related("person")
    )
    notes: dict[int, list[Notification]] = {}
    for note in (
        Notification.objects.filter(digest_id__in=[d.pk for d in digests])
        .select_related("workplace")
        .order_by("created_at", "pk")
    ):
        notes.setdefault(note.digest_id, []).append(note)
    results = []
    with quietly_closed() as connection:
        for digest in digests:
            results.append(_send_digest(digest, notes.get(digest.pk, []), connection, now))
    return results


def _send_digest(digest: NotificationDigest, items: list[Notification], connection, now) -> str:
    ours = NotificationDigest.objects.filter(pk=digest.pk, claimed_at=now, status=MailState.SENDING)
    if not items or not digest.person.email:
        ours.update(status=MailState.SKIPPED, last_error="nothing to send")
        return "skipped"
    try:
        send_open(_digest_message(digest, items), connection)
    except Exception as exc:  # noqa: BLE001 — recorded on the row
        close_quietly(connection)  # the next digest of the batch opens a fresh one
        error = error_text(exc)
        logger.warning("digest %s failed: %s", digest.pk, type(exc).__name__)
        if is_permanent(exc) or digest.attempts >= MAX_ATTEMPTS:
            ours.update(status=MailState.FAILED, last_error=error)
            if is_permanent(exc):
                mark_bounced(digest.person_id, now)
            return "failed"
        ours.update(status=MailState.PENDING, last_error=error)  # the next run (an hour later)
        return "retry"
    ours.update(status=MailState.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _digest_message(digest: NotificationDigest, items: list[Notification]):
    person = digest.person
    with translation.override(person.preferred_language):
        context = {
            "person": person,
            "notes": items,
            "digest": True,
            "title": _("What waits for you in Werkplaats"),
            **_urls(person, "digest"),
        }
        subject = _("Werkplaats: %(count)s new for you") % {"count": len(items)}
        text = render_to_string("notifications/mail.txt", context)
        html = render_to_string("notifications/mail.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [person.email],
        headers={
            **_headers(context["unsubscribe_url"]),
            "Message-ID": message_id("digest", digest.pk),
        },
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    return message


# --- Unsubscribing ----------------------------------------------------------------------------
def read_unsubscribe_token(token: str) -> tuple[Person, str] | None:
    try:
        person_pk, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind != "digest" and kind not in DEFAULTS:
        return None
    person = Person.objects.filter(pk=person_pk).first()
    return (person, kind) if person else None


def unsubscribe(person: Person, kind: str) -> None:
    """One click from a mail: no more mail of this kind (it stays in the inbox), or no more
    digest. An evaluation invitation cannot be switched off."""
    with transaction.atomic():
        row, _ = NotificationSettings.objects.select_for_update().get_or_create(person=person)
        if kind == "digest":
            row.digest = DigestFrequency.NEVER
        elif Channel.IN_APP in CHOICES[kind]:
            row.channels = {**row.channels, kind: Channel.IN_APP}
        else:
            return
        row.version += 1
        row.save()
