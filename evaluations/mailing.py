"""The mail ledger: deciding which mails are due (ledger rows and their notifications), and
sending them, once, with backoff; stale claims become uncertain."""

from __future__ import annotations

import datetime as dt
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluations.common import MAX_ATTEMPTS, REMINDER_KINDS, STALE_CLAIM, _current_people
from evaluations.counts import response_rates
from evaluations.models import (
    AccessToken,
    ActionStatus,
    CycleStatus,
    DeliveryStatus,
    EvaluationCycle,
    ImprovementAction,
    Invitation,
    MailDelivery,
    MailKind,
    Response,
)
from evaluations.tokens import issue_token
from werkplaats import notifications
from werkplaats.delivery import (
    UNCERTAIN_KEPT,
    UNCERTAIN_RESENT,
    claim,
    error_text,
    hash_token,
    message_id,
    quietly_closed,
    send_open,
)
from werkplaats.delivery import is_permanent as _is_permanent
from werkplaats.models import (
    Channel,
    MailState,
    Notification,
    NotificationKind,
    Person,
    Role,
)

logger = logging.getLogger(__name__)


# --- Deciding ---------------------------------------------------------------------------------
# The evaluation mails that are also notifications in the recipient's inbox.
NOTIFIED = {
    MailKind.INVITATION: NotificationKind.EVALUATION_OPEN,
    MailKind.REMINDER_1: NotificationKind.EVALUATION_REMINDER,
    MailKind.REMINDER_2: NotificationKind.EVALUATION_REMINDER,
    MailKind.REMINDER_3: NotificationKind.EVALUATION_REMINDER,
    MailKind.RESULTS_READY: NotificationKind.RESULTS_READY,
    MailKind.ACTION_DUE: NotificationKind.ACTION_DUE,
}


def _queue(cycle: EvaluationCycle, person_id: int, kind: str, invitation=None, **extra) -> bool:
    """Write one ledger row, and its notification in the same transaction; False if that
    mail was already decided (unique key)."""
    try:
        with transaction.atomic():
            mail = MailDelivery.objects.create(
                cycle=cycle, person_id=person_id, kind=kind, invitation=invitation, **extra
            )
            if kind in NOTIFIED:
                _notify(mail)
    except IntegrityError:
        return False
    return True


def _notify(mail: MailDelivery) -> None:
    """The inbox's side of a ledger row. The recipient's settings decide here, once, whether
    the ledger mails it (``MailState.LEDGER``), the digest carries it, or only the app shows
    it; ``deliver`` then honours that decision."""
    cycle = mail.cycle
    slug = cycle.workplace.slug
    if mail.kind == MailKind.RESULTS_READY:
        link = reverse("evaluations:dashboard", args=[slug, cycle.pk])
    elif mail.kind == MailKind.ACTION_DUE:
        link = reverse("evaluations:agenda", args=[slug])
    else:
        link = reverse("evaluations:respond", args=[mail.invitation_id])
    notifications.notify(
        NOTIFIED[mail.kind], Person.objects.filter(pk=mail.person_id),
        key=f"evaluation-mail:{mail.pk}", workplace=cycle.workplace, link=link, by_ledger=True,
    )  # fmt: skip


def _chosen_elsewhere(mail: MailDelivery) -> str:
    """Why the ledger must not mail this row: its recipient chose the app only or the digest
    for it, or switched that kind off (an invitation cannot be switched off)."""
    if mail.kind not in NOTIFIED:
        return ""
    state = (
        Notification.objects.filter(recipient_id=mail.person_id, key=f"evaluation-mail:{mail.pk}")
        .values_list("mail", flat=True)
        .first()
    )
    if state is None:  # switched off when it was decided (or decided before notifications)
        chosen = notifications.settings_of([mail.person_id]).get(mail.person_id)
        off = notifications.channel_of(chosen and chosen.channels, NOTIFIED[mail.kind])
        return "switched off by the recipient" if off == Channel.OFF else ""
    if state == MailState.LEDGER or (state == MailState.NONE and not mail.person.email):
        return ""  # no address: recorded as undeliverable below, for the bridge-builder
    return "in the recipient's digest" if state == MailState.DIGEST else "in the app only"


def _queue_for_role(cycle: EvaluationCycle, role: str, kind: str) -> int:
    people = _current_people(cycle, [role]).keys()
    return sum(_queue(cycle, person_id, kind) for person_id in people)


def queue_due_mails(cycle: EvaluationCycle, now: dt.datetime) -> int:
    """Ledger rows for what is due in an open cycle: invitations, the latest due reminder for
    each person who has not submitted, and the halfway digest. Earlier reminders whose moment
    passed unsent (an outage) are not sent any more: only the latest one is."""
    queued = 0
    invitations = list(
        cycle.invitations.annotate(
            submitted=Count("response", filter=Q(response__submitted_at__isnull=False))
        )
    )
    mails: dict[int, dict[str, MailDelivery]] = {}
    for mail in cycle.mails.exclude(invitation=None):
        mails.setdefault(mail.invitation_id, {})[mail.kind] = mail
    moments = cycle.reminder_moments()
    due = [(n, moment) for n, moment in moments if moment <= now]
    for invitation in invitations:
        sent = mails.get(invitation.pk, {})
        if MailKind.INVITATION not in sent:
            queued += _queue(cycle, invitation.person_id, MailKind.INVITATION, invitation)
            continue
        if not due or invitation.submitted or invitation.reminders_stopped_at:
            continue
        number, moment = due[-1]
        invited = sent[MailKind.INVITATION]
        if invited.sent_at is None or invited.sent_at >= moment:
            continue  # invited after this reminder's moment: it would remind of nothing
        if any(REMINDER_KINDS[n] in sent for n in range(number, 4)):
            continue
        queued += _queue(cycle, invitation.person_id, REMINDER_KINDS[number], invitation)
    if now >= cycle.halfway():
        queued += _queue_for_role(cycle, Role.BRIDGE_BUILDER, MailKind.DIGEST)
    if now >= cycle.closes_at - CLOSING_NOTICE:
        _notify_closing(cycle, [i for i in invitations if not i.submitted])
    return queued


CLOSING_NOTICE = dt.timedelta(days=2)


def _notify_closing(cycle: EvaluationCycle, invitations: list[Invitation]) -> None:
    """Two days before the end, everyone invited who has not submitted finds it in the inbox
    (the reminders are the mails); once per person and cycle."""
    key = f"evaluation-closing:{cycle.pk}"
    told = Notification.objects.filter(key=key).values("recipient_id")
    people = Person.objects.filter(pk__in=[i.person_id for i in invitations]).exclude(pk__in=told)
    notifications.notify(
        NotificationKind.EVALUATION_CLOSING, people, key=key, workplace=cycle.workplace,
        link=reverse("werkplaats:home"),
    )  # fmt: skip


# --- Sending ----------------------------------------------------------------------------------
class TransientMailError(Exception):
    """The mail server failed for now; the row is pending again with a later attempt time."""


def backoff(attempts: int) -> dt.timedelta:
    """Seconds before the next try: 30, 60, 120, 240, capped at 4 minutes."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 240))


def resent_when_uncertain(mail: MailDelivery) -> bool:
    """Kinds whose loss is worse than a second copy: the invitation (it carries the only link
    for someone without an account) and the last reminder before the cycle closes. Earlier
    reminders, the digest, results and actions are not resent."""
    if mail.kind == MailKind.INVITATION:
        return True
    numbers = {kind: n for n, kind in REMINDER_KINDS.items()}
    moments = mail.cycle.reminder_moments()
    return mail.kind in numbers and bool(moments) and numbers[mail.kind] == moments[-1][0]


def settle_stale_claims(now: dt.datetime) -> int:
    """Rows left "sending" past ``STALE_CLAIM``: the mail server may or may not have accepted
    the mail before its sender died, and nothing can tell which. An invitation or a last
    reminder that was never uncertain before goes back to pending, to be sent once more with
    the same Message-ID; every other row (and one already resent) becomes uncertain and stays
    so. Both are shown on the cycle page and counted in the admin. Returns the rows settled."""
    settled = 0
    for mail in MailDelivery.objects.stale(now, STALE_CLAIM).select_related("cycle"):
        ours = MailDelivery.objects.filter(
            pk=mail.pk, status=DeliveryStatus.SENDING, claimed_at=mail.claimed_at
        )
        if mail.uncertain_at is None and resent_when_uncertain(mail):
            settled += ours.update(
                status=DeliveryStatus.PENDING, next_attempt_at=now, uncertain_at=now,
                last_error=UNCERTAIN_RESENT,
            )  # fmt: skip
        else:
            settled += ours.update(
                status=DeliveryStatus.UNCERTAIN, uncertain_at=mail.uncertain_at or now,
                last_error=UNCERTAIN_KEPT,
            )  # fmt: skip
        logger.warning("evaluation mail %s: uncertain (its sender stopped mid-send)", mail.pk)
    return settled


def deliver(pk: int, now: dt.datetime | None = None) -> str:
    """Send one ledger row, once. Returns what happened: sent, skipped, failed, retry, or
    taken (another sender has it or it is not due).

    1. Claim the row with a conditional UPDATE (pending and due), committed on its own.
    2. Skip it if it is no longer useful (cycle closed, already submitted, reminders stopped).
    3. Send; mark it sent right after the server's reply (the QUIT comes after). A permanent
       refusal is recorded as failed (shown to the bridge-builder), a temporary one goes back
       to pending with a later attempt time. A sender that dies between the send and the
       write leaves the row "sending": ``settle_stale_claims`` decides what happens then.
    """
    now = now or timezone.now()
    claimed = claim(
        MailDelivery.objects.claimable(now).filter(pk=pk),
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1,
    )  # fmt: skip
    if claimed != 1:
        return "taken"
    mail = MailDelivery.objects.select_related(
        "cycle__workplace", "person", "invitation", "cycle__instrument_version", "action"
    ).get(pk=pk)
    reason = _no_longer_useful(mail, now) or _chosen_elsewhere(mail)
    if reason:
        MailDelivery.objects.filter(pk=pk).update(status=DeliveryStatus.SKIPPED, last_error=reason)
        return "skipped"
    if not mail.person.email:
        MailDelivery.objects.filter(pk=pk).update(
            status=DeliveryStatus.FAILED, last_error="no e-mail address"
        )
        return "failed"
    token = None
    ours = MailDelivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING, claimed_at=now)
    with quietly_closed() as connection:
        try:
            if mail.invitation_id:
                token = issue_token(mail.invitation)
            send_open(_build_message(mail, token), connection)
        except SoftTimeLimitExceeded:
            # The mail server may or may not have taken it: keep the link and the claim;
            # after the stale-claim time the row is settled as uncertain.
            raise
        except Exception as exc:  # noqa: BLE001 — every failure is recorded on the row
            if token:
                AccessToken.objects.filter(token_hash=hash_token(token)).delete()
            error = error_text(exc)
            logger.warning("evaluation mail %s failed: %s", pk, type(exc).__name__)
            if _is_permanent(exc) or mail.attempts >= MAX_ATTEMPTS:
                ours.update(status=DeliveryStatus.FAILED, last_error=error)
                return "failed"
            ours.update(
                status=DeliveryStatus.PENDING,
                last_error=error,
                next_attempt_at=now + backoff(mail.attempts),
            )
            return "retry"
        # Right after the server's reply, before the QUIT: nothing else in between. Only
        # our own claim is marked.
        ours.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
        return "sent"


def _no_longer_useful(mail: MailDelivery, now: dt.datetime) -> str:
    cycle = mail.cycle
    if mail.kind == MailKind.ACTION_DUE:
        action = mail.action
        if action.status not in (ActionStatus.PLANNED, ActionStatus.RUNNING):
            return "action closed"
        return "" if action.due_on >= timezone.localdate(now) else "due date passed"
    if mail.kind in (MailKind.REVIEW_DRAFT,):
        return "" if cycle.status == CycleStatus.DRAFT else "cycle no longer a draft"
    if mail.kind == MailKind.RESULTS_READY:
        return ""
    if not cycle.is_open(now):
        return "cycle not open"
    if mail.invitation_id and mail.kind != MailKind.INVITATION:
        invitation = mail.invitation
        if invitation.reminders_stopped_at:
            return "reminders stopped"
        if Response.objects.filter(invitation=invitation, submitted_at__isnull=False).exists():
            return "already submitted"
    return ""


def send_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Deliver every row that may be sent now, in this process (tests, management command)."""
    outcome: dict[str, int] = {}
    now = now or timezone.now()
    settle_stale_claims(now)
    for pk in MailDelivery.objects.claimable(now).values_list("pk", flat=True):
        result = deliver(pk, now)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def _build_message(mail: MailDelivery, token: str | None) -> EmailMultiAlternatives:
    """The mail in the recipient's language, as text and HTML."""
    person, cycle = mail.person, mail.cycle
    with translation.override(person.preferred_language):
        context = {
            "person": person,
            "cycle": cycle,
            "workplace": cycle.workplace,
            "kind": mail.kind,
            "closes": timezone.localtime(cycle.closes_at),
        }
        if token:
            context["answer_url"] = settings.SITE_URL + reverse("evaluations:token", args=[token])
            context["stop_url"] = settings.SITE_URL + reverse(
                "evaluations:stop-reminders", args=[token]
            )
        elif mail.kind == MailKind.ACTION_DUE:
            context["action"] = mail.action
            context["cycle_url"] = settings.SITE_URL + reverse(
                "evaluations:agenda", args=[cycle.workplace.slug]
            )
        elif mail.kind == MailKind.RESULTS_READY:
            context["cycle_url"] = settings.SITE_URL + reverse(
                "evaluations:dashboard", args=[cycle.workplace.slug, cycle.pk]
            )
        else:
            context["cycle_url"] = settings.SITE_URL + reverse(
                "evaluations:cycle-detail", args=[cycle.workplace.slug, cycle.pk]
            )
        if mail.kind == MailKind.DIGEST:
            context["rates"] = response_rates(cycle)
        subjects = {
            MailKind.INVITATION: _("Invitation: the evaluation of %(workplace)s"),
            MailKind.REMINDER_1: _("Reminder: the evaluation of %(workplace)s"),
            MailKind.REMINDER_2: _("Reminder: the evaluation of %(workplace)s"),
            MailKind.REMINDER_3: _("Last reminder: the evaluation of %(workplace)s"),
            MailKind.REVIEW_DRAFT: _("Please review the coming evaluation of %(workplace)s"),
            MailKind.DIGEST: _("Halfway: response to the evaluation of %(workplace)s"),
            MailKind.RESULTS_READY: _("The results of the evaluation of %(workplace)s are ready"),
            MailKind.ACTION_DUE: _("An improvement action of %(workplace)s is due in a week"),
        }
        subject = subjects[mail.kind] % {"workplace": cycle.workplace.name}
        text = render_to_string("evaluations/mail/message.txt", context)
        html = render_to_string("evaluations/mail/message.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [person.email],
        headers={"Message-ID": message_id(f"evaluation-{mail.kind}", mail.pk)},
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    return message


# --- Improvement-action reminders -------------------------------------------------------------
ACTION_REMINDER_DAYS = 7


def queue_action_reminders(now: dt.datetime) -> int:
    """A reminder to the owner a week before an open action's due date (ledger row, once)."""
    today = timezone.localdate(now)
    due = ImprovementAction.objects.filter(
        status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING],
        owner__isnull=False,
        due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=ACTION_REMINDER_DAYS),
    ).exclude(mails__kind=MailKind.ACTION_DUE)
    return sum(
        _queue(action.cycle, action.owner_id, MailKind.ACTION_DUE, action=action)
        for action in due.select_related("cycle")
    )
