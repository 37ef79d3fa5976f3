"""Writes of the evaluation cycle: plan → cycles, invitations, tokens, answers, the mail ledger.

Everything that is due is computed from the database (``run_schedule``), never from when beat
happened to fire: after the broker or worker was down, the next sweep catches up with what was
missed and skips what is no longer useful (a "2 days left" reminder after closing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evaluations.models import (
    NOT_APPLICABLE,
    AccessToken,
    ActionStatus,
    Answer,
    CharacteristicScan,
    CheckIns,
    CycleKind,
    CycleStatus,
    DeliveryStatus,
    ElementComment,
    EvaluationCycle,
    EvaluationPlan,
    ImprovementAction,
    Indicator,
    IndicatorValue,
    Instrument,
    InstrumentVersion,
    Invitation,
    Item,
    MailDelivery,
    MailKind,
    Response,
)
from evaluations.results import forget_cached_results, tally_cycle
from werkplaats import notifications, versioning
from werkplaats.delivery import claim, hash_token, message_id, quietly_closed, send_open
from werkplaats.delivery import is_permanent as _is_permanent
from werkplaats.models import (
    Channel,
    MailState,
    Membership,
    Notification,
    NotificationKind,
    Person,
    Role,
    school_year_bounds,
    school_year_of,
)

logger = logging.getLogger(__name__)

DRAFT_AHEAD = dt.timedelta(days=14)  # cycles from the plan appear as drafts this long before
STALE_CLAIM = dt.timedelta(minutes=15)  # above the task time limit: the claimer has died
MAX_ATTEMPTS = 5
TOKEN_BYTES = 32  # 256 bits from secrets; the issue asks for at least 128
# Whom an invitation counts as when a person holds several roles: the role whose voice is
# rarest in the PW first (clients, then students...), so small groups are not thinned out.
ROLE_PRIORITY = [
    Role.CLIENT,
    Role.STUDENT,
    Role.PROFESSIONAL,
    Role.SUPPORTER,
    Role.BRIDGE_BUILDER,
    Role.MANAGER,
]
CHECK_IN_MONTHS = {CheckIns.SEMESTER: (11, 3), CheckIns.QUARTER: (10, 12, 3, 6)}
REMINDER_KINDS = {1: MailKind.REMINDER_1, 2: MailKind.REMINDER_2, 3: MailKind.REMINDER_3}


class EvaluationError(Exception):
    """A write that the state of the cycle does not allow; the message is for the user."""


class EditConflict(EvaluationError, versioning.EditConflict):
    """Someone else changed the row since the form was opened: the one conflict of
    ``werkplaats.versioning``, with the message evaluation views show as an error."""


def _check_version(current: int, expected: int | None) -> None:
    """A missing or malformed version is a conflict too, never a pass."""
    try:
        versioning.check_version(current, expected)
    except versioning.EditConflict as conflict:
        raise EditConflict(str(conflict)) from None


# --- Tokens -----------------------------------------------------------------------------------
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


# --- Plan → cycles ----------------------------------------------------------------------------
@dataclass
class PlannedCycle:
    kind: str
    label: str
    school_year: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    instrument: Instrument


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _date_in_school_year(school_year: str, month: int) -> dt.date:
    start, _end = school_year_bounds(school_year)
    return dt.date(start.year if month >= 9 else start.year + 1, month, 1)


def planned_cycles(plan: EvaluationPlan, school_year: str) -> list[PlannedCycle]:
    """The cycles a plan asks for in one school year: the yearly one and the check-ins
    (a check-in in the month of the yearly cycle is left out)."""
    opens = _date_in_school_year(school_year, plan.yearly_month)
    cycles = [
        PlannedCycle(
            kind=CycleKind.YEARLY,
            label=school_year,
            school_year=school_year,
            opens_at=_local_midnight(opens),
            closes_at=_local_midnight(opens + dt.timedelta(days=plan.yearly_days)),
            instrument=plan.instrument,
        )
    ]
    months = [m for m in CHECK_IN_MONTHS.get(plan.check_ins, ()) if m != plan.yearly_month]
    months.sort(key=lambda m: _date_in_school_year(school_year, m))
    instrument = plan.check_in_instrument or plan.instrument
    for number, month in enumerate(months, start=1):
        opens = _date_in_school_year(school_year, month)
        cycles.append(
            PlannedCycle(
                kind=CycleKind.CHECK_IN,
                label=f"{school_year} · {number}",
                school_year=school_year,
                opens_at=_local_midnight(opens),
                closes_at=_local_midnight(opens + dt.timedelta(days=plan.check_in_days)),
                instrument=instrument,
            )
        )
    return cycles


def create_cycles_from_plans(now: dt.datetime) -> list[EvaluationCycle]:
    """Create, as drafts, the planned cycles that open within two weeks (or are already open
    but were missed). The unique (workplace, kind, label) makes a second run a no-op."""
    today = timezone.localdate(now)
    years = sorted({school_year_of(today), school_year_of(today + DRAFT_AHEAD)})
    created = []
    for plan in EvaluationPlan.objects.select_related("workplace", "instrument"):
        existing = set(
            EvaluationCycle.objects.filter(workplace=plan.workplace_id).values_list("kind", "label")
        )
        for year in years:
            for planned in planned_cycles(plan, year):
                if (planned.kind, planned.label) in existing:
                    continue
                if not (planned.opens_at - DRAFT_AHEAD <= now < planned.closes_at):
                    continue
                version = planned.instrument.latest_version()
                if version is None:
                    continue
                try:
                    with transaction.atomic():
                        cycle = EvaluationCycle.objects.create(
                            workplace=plan.workplace,
                            kind=planned.kind,
                            label=planned.label,
                            school_year=planned.school_year,
                            instrument_version=version,
                            opens_at=planned.opens_at,
                            closes_at=planned.closes_at,
                            from_plan=True,
                        )
                        if planned.opens_at > now:
                            _queue_for_role(cycle, Role.BRIDGE_BUILDER, MailKind.REVIEW_DRAFT)
                except IntegrityError:
                    continue  # another sweep created it a moment ago
                created.append(cycle)
    return created


# --- Cycle life --------------------------------------------------------------------------------
def _current_people(cycle: EvaluationCycle, roles) -> dict[int, str]:
    """person id → the role they are invited as, for the current members in ``roles``."""
    rows = (
        Membership.objects.current(timezone.localdate())
        .filter(workplace=cycle.workplace_id, role__in=list(roles))
        .values_list("person_id", "role")
    )
    chosen: dict[int, str] = {}
    for person_id, role in rows:
        if person_id not in chosen or ROLE_PRIORITY.index(role) < ROLE_PRIORITY.index(
            chosen[person_id]
        ):
            chosen[person_id] = role
    return chosen


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


def invite_members(cycle: EvaluationCycle) -> int:
    """One invitation (and its invitation mail) per current member in the invited roles."""
    people = _current_people(cycle, cycle.invited_roles)
    already = set(cycle.invitations.values_list("person_id", flat=True))
    new = [
        Invitation(cycle=cycle, person_id=pid, role=role)
        for pid, role in people.items()
        if pid not in already
    ]
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    for invitation in cycle.invitations.filter(mails=None):
        _queue(cycle, invitation.person_id, MailKind.INVITATION, invitation)
    return len(new)


def open_cycle(*, cycle: EvaluationCycle, now: dt.datetime | None = None) -> bool:
    """draft → open, inviting the members. False if it was not a draft (nothing happens)."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = EvaluationCycle.objects.filter(pk=cycle.pk, status=CycleStatus.DRAFT).update(
            status=CycleStatus.OPEN, opened_at=now, version=F("version") + 1
        )
        if not changed:
            return False
        cycle.refresh_from_db()
        if cycle.opens_at > now:  # opened by hand before its date: it opens now
            cycle.opens_at = now
            cycle.save(update_fields=["opens_at"])
        invite_members(cycle)
    return True


def close_cycle(*, cycle: EvaluationCycle, now: dt.datetime | None = None) -> bool:
    """open → closed (frozen); managers hear that results are ready. False if not open."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = EvaluationCycle.objects.filter(pk=cycle.pk, status=CycleStatus.OPEN).update(
            status=CycleStatus.CLOSED,
            closed_at=now,
            closes_at=min(now, cycle.closes_at),
            version=F("version") + 1,
        )
        if not changed:
            return False
        cycle.refresh_from_db()
        tally_cycle(cycle)  # the frozen summary the dashboards read
        _queue_for_role(cycle, Role.MANAGER, MailKind.RESULTS_READY)
    return True


def save_cycle(*, form, workplace, expected_version: int | None = None) -> EvaluationCycle:
    """Create or edit a cycle from a valid CycleForm. A closed cycle is frozen; an edit made
    on an outdated form raises EditConflict instead of overwriting."""
    try:
        with transaction.atomic():
            return _save_cycle(form=form, workplace=workplace, expected_version=expected_version)
    except IntegrityError:
        raise EvaluationError(
            _("This PW already has a cycle of this kind with this label.")
        ) from None


def _save_cycle(*, form, workplace, expected_version: int | None) -> EvaluationCycle:
    cycle = form.save(commit=False)
    if cycle.pk is None:
        cycle.workplace = workplace
        cycle.save()
        return cycle
    current = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    if current.status == CycleStatus.CLOSED:
        raise EvaluationError(_("This cycle is closed and can no longer be changed."))
    _check_version(current.version, expected_version)
    cycle.version = current.version + 1
    cycle.save(update_fields=[*form.Meta.fields, "version"])
    if cycle.status == CycleStatus.OPEN:
        invite_members(cycle)  # roles may have been added
    return cycle


def add_invitation(*, cycle: EvaluationCycle, person: Person, role: str) -> Invitation:
    """Invite a late member of an open cycle (the invitation mail follows on the next send)."""
    if cycle.status != CycleStatus.OPEN:
        raise EvaluationError(_("Only an open cycle can take more invitations."))
    with transaction.atomic():
        invitation, _created = Invitation.objects.get_or_create(
            cycle=cycle, person=person, defaults={"role": role}
        )
        _queue(cycle, person.pk, MailKind.INVITATION, invitation)
    return invitation


def resend_invitation(*, invitation: Invitation) -> bool:
    """Send the invitation mail again (a deliberate act of a bridge-builder). The ledger row
    goes back to pending once; a double click finds it pending and changes nothing."""
    if invitation.cycle.status != CycleStatus.OPEN:
        raise EvaluationError(_("Only an open cycle can send invitations."))
    now = timezone.now()
    changed = MailDelivery.objects.filter(
        invitation=invitation,
        kind=MailKind.INVITATION,
        status__in=[
            DeliveryStatus.SENT,
            DeliveryStatus.FAILED,
            DeliveryStatus.SKIPPED,
            DeliveryStatus.UNCERTAIN,
        ],
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, attempts=0, last_error="")
    if not changed and not invitation.mails.filter(kind=MailKind.INVITATION).exists():
        return _queue(invitation.cycle, invitation.person_id, MailKind.INVITATION, invitation)
    return bool(changed)


def stop_reminders(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, reminders_stopped_at=None).update(
        reminders_stopped_at=timezone.now()
    )


# --- The sweep ---------------------------------------------------------------------------------
@dataclass
class SweepResult:
    created: int = 0
    opened: int = 0
    closed: int = 0
    queued: int = 0
    to_send: list[int] = field(default_factory=list)


def run_schedule(now: dt.datetime | None = None) -> SweepResult:
    """One sweep (beat runs it every few minutes; safe to run twice or in parallel):
    1. create the planned cycles that are two weeks ahead, as drafts;
    2. open drafts whose moment came; close open cycles whose end passed;
    3. decide the mails that are due now (ledger rows);
    4. return the ledger rows that may be sent now."""
    now = now or timezone.now()
    result = SweepResult(created=len(create_cycles_from_plans(now)))
    for cycle in EvaluationCycle.objects.filter(
        status=CycleStatus.DRAFT, opens_at__lte=now, closes_at__gt=now
    ):
        result.opened += open_cycle(cycle=cycle, now=now)
    for cycle in EvaluationCycle.objects.filter(status=CycleStatus.OPEN, closes_at__lte=now):
        result.closed += close_cycle(cycle=cycle, now=now)
    for cycle in EvaluationCycle.objects.filter(
        status=CycleStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ):
        result.queued += queue_due_mails(cycle, now)
    result.queued += queue_action_reminders(now)
    # Rows written just now carry the wall-clock time, a moment after ``now``.
    send_now = max(now, timezone.now())
    settle_stale_claims(send_now)
    result.to_send = list(
        MailDelivery.objects.claimable(send_now).values_list("pk", flat=True)[:500]
    )
    return result


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


# --- Sending -----------------------------------------------------------------------------------
class TransientMailError(Exception):
    """The mail server failed for now; the row is pending again with a later attempt time."""


def backoff(attempts: int) -> dt.timedelta:
    """Seconds before the next try: 30, 60, 120, 240, capped at 4 minutes."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 240))


# An uncertain case: the sender stopped between its claim and the status write.
UNCERTAIN_RESENT = "uncertain: the sender stopped mid-send; sent once more"
UNCERTAIN_KEPT = "uncertain: the sender stopped mid-send; not sent again"


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
            error = f"{type(exc).__name__}: {str(exc)[:150]}"
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


# --- Answering ---------------------------------------------------------------------------------
def start_response(*, invitation: Invitation) -> Response:
    """The invitation's response, created on first use. The one-to-one key makes two tabs (or
    two requests at once) end up with the same row."""
    existing = Response.objects.filter(invitation=invitation).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Response.objects.create(
                invitation=invitation,
                cycle=invitation.cycle,
                role=invitation.role,
                instrument_version=invitation.cycle.instrument_version,
            )
    except IntegrityError:
        return Response.objects.get(invitation=invitation)


def _lock_open(cycle: EvaluationCycle) -> None:
    """Lock the cycle row for the rest of the transaction and refuse unless it is open: a
    close (which updates the same row) then waits for this write, or this write sees it."""
    locked = EvaluationCycle.objects.select_for_update().only("status", "opens_at", "closes_at")
    if not locked.get(pk=cycle.pk).is_open():
        raise EvaluationError(_("This evaluation is closed; answers can no longer be changed."))


def save_answers(
    *,
    response: Response,
    answers: dict[int, int],
    comments: dict[str, str] | None = None,
) -> None:
    """Store ratings (item id → 0..5) and element comments; all or nothing.

    Items must belong to the response's instrument version; values outside 0..5 are refused.
    """
    items = dict(
        Item.objects.filter(
            version=response.instrument_version_id, pk__in=list(answers)
        ).values_list("pk", "element_id")
    )
    for item_id, value in answers.items():
        if item_id not in items:
            raise EvaluationError(_("This question is not part of your questionnaire."))
        if value != NOT_APPLICABLE and not 1 <= value <= 5:
            raise EvaluationError(_("Choose an answer from 1 to 5, or “don't know”."))
    with transaction.atomic():
        _lock_open(response.cycle)
        if answers:
            Answer.objects.bulk_create(
                [Answer(response=response, item_id=i, value=v) for i, v in answers.items()],
                update_conflicts=True,
                unique_fields=["response", "item"],
                update_fields=["value"],
            )
        for element, text in (comments or {}).items():
            ElementComment.objects.update_or_create(
                response=response, element_id=element, defaults={"text": text.strip()}
            )
        Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())


def save_open_answers(
    *, response: Response, went_well: str, could_be_better: str, assisted: bool = False
) -> None:
    """The open questions and whether the respondent answered with help (not who helped)."""
    with transaction.atomic():
        _lock_open(response.cycle)
        Response.objects.filter(pk=response.pk).update(
            went_well=went_well.strip(),
            could_be_better=could_be_better.strip(),
            assisted=assisted,
            updated_at=timezone.now(),
        )


def submit_response(*, response: Response) -> bool:
    """Mark the response submitted: it counts from now on. False if it already was (double
    click, second tab, two requests at once: exactly one wins the conditional UPDATE)."""
    with transaction.atomic():
        _lock_open(response.cycle)
        return bool(
            Response.objects.filter(pk=response.pk, submitted_at=None).update(
                submitted_at=timezone.now()
            )
        )


# --- Reading -----------------------------------------------------------------------------------
def response_rates(cycle: EvaluationCycle) -> list[dict]:
    """Invited, responded (submitted) and rate per role, in role order; one query."""
    rows = {
        row["role"]: row
        for row in cycle.invitations.values("role")
        .annotate(
            invited=Count("pk"),
            responded=Count("response", filter=Q(response__submitted_at__isnull=False)),
        )
        .order_by()
    }
    result = []
    for role in Role:
        row = rows.get(role.value)
        if row:
            result.append(
                {
                    "role": role,
                    "invited": row["invited"],
                    "responded": row["responded"],
                    "rate": round(100 * row["responded"] / row["invited"]),
                }
            )
    return result


def total_rate(rates: list[dict]) -> dict:
    invited = sum(r["invited"] for r in rates)
    responded = sum(r["responded"] for r in rates)
    return {
        "invited": invited,
        "responded": responded,
        "rate": round(100 * responded / invited) if invited else 0,
    }


# --- Hard indicators and the characteristics self-scan ---------------------------------------
def counted_indicators(cycle: EvaluationCycle) -> dict[str, int]:
    """What the application can count itself for the cycle's school year: distinct students
    and clients who were members at some time in that year, and the outputs of the PW's
    practice cases dated in it (graduation work, publications, changes taken into the policy
    plan), and their value-creation stories that happened in it (all, and those of realised
    value). Three queries."""
    from cases.models import ValueCycle
    from cases.services import output_counts, value_story_counts

    start, end = school_year_bounds(cycle.school_year)
    in_year = Membership.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start),
        workplace=cycle.workplace_id,
        starts_on__lte=end,
    )
    counts = in_year.aggregate(
        students=Count("person", distinct=True, filter=Q(role=Role.STUDENT)),
        clients=Count("person", distinct=True, filter=Q(role=Role.CLIENT)),
    )
    outputs = output_counts(workplace=cycle.workplace, school_year=cycle.school_year)
    stories = value_story_counts(workplace=cycle.workplace, school_year=cycle.school_year)
    return {
        Indicator.STUDENTS: counts["students"],
        Indicator.CLIENTS: counts["clients"],
        Indicator.GRADUATION: outputs["graduation_assignments"],
        Indicator.PUBLICATIONS: outputs["publications"],
        Indicator.POLICY_PLAN: outputs["policy_plan"],
        Indicator.VALUE_STORIES: stories["total"],
        Indicator.REALISED_VALUE: stories["per_kind"][ValueCycle.REALISED],
    }


def _saved_meanwhile() -> EditConflict:
    return EditConflict(
        _("Someone else saved this page after you opened it. Your changes are not saved: "
          "copy what you need, then reload the page to see theirs.")
    )  # fmt: skip


def plan_stamp(plan: EvaluationPlan | None) -> str:
    """What a plan form saw: a digest of the plan's stored values ("new" if there is none)."""
    if plan is None or plan.pk is None:
        return "new"
    values = "|".join(str(getattr(plan, f.attname)) for f in plan._meta.concrete_fields)
    return hashlib.sha256(values.encode()).hexdigest()[:16]


def save_plan(*, form, seen: str) -> EvaluationPlan:
    """Save a PW's evaluation plan from a valid PlanForm; EditConflict, with nothing saved, if
    someone else saved the plan since the form was shown with ``seen`` (``plan_stamp``)."""
    workplace = form.instance.workplace
    with transaction.atomic():
        current = EvaluationPlan.objects.select_for_update().filter(workplace=workplace).first()
        if plan_stamp(current) != seen:
            raise _saved_meanwhile()
        if current is not None:
            form.instance.pk = current.pk
        try:
            with transaction.atomic():
                return form.save()
        except IntegrityError:  # two first saves at once: the other one made the plan
            raise _saved_meanwhile() from None


def rows_stamp(rows) -> str:
    """What a form of several rows saw: how many there were and when the last one changed.
    A save naming another stamp would overwrite someone else's edit."""
    seen = rows.aggregate(count=Count("pk"), last=Max("updated_at"))
    return f"{seen['count']}:{seen['last'].isoformat() if seen['last'] else ''}"


def _claim_rows(cycle: EvaluationCycle, rows, seen: str | None) -> None:
    """Lock the cycle (every write to it takes this lock) and check nobody saved these rows
    since the form showed them; EditConflict otherwise."""
    EvaluationCycle.objects.select_for_update().only("pk").get(pk=cycle.pk)
    if seen is not None and seen != rows_stamp(rows):
        raise _saved_meanwhile()


def save_indicators(
    *, cycle: EvaluationCycle, values: dict[str, int], seen: str | None = None
) -> None:
    """Store the hard indicators; a value equal to the counted one is marked counted.
    ``seen`` is the stamp the form was shown with (``rows_stamp``)."""
    if cycle.is_frozen:
        raise EvaluationError(_("This cycle is closed and can no longer be changed."))
    counted = counted_indicators(cycle)
    now = timezone.now()
    with transaction.atomic():
        _claim_rows(cycle, IndicatorValue.objects.filter(cycle=cycle), seen)
        for key, value in values.items():
            IndicatorValue.objects.update_or_create(
                cycle=cycle,
                key=key,
                defaults={"value": value, "counted": counted.get(key) == value, "updated_at": now},
            )


def save_scan(
    *, cycle: EvaluationCycle, rows: dict[int, tuple[str, str]], seen: str | None = None
) -> None:
    """Store the self-scan: characteristic number → (status, evidence). ``seen`` as for
    ``save_indicators``."""
    if cycle.is_frozen:
        raise EvaluationError(_("This cycle is closed and can no longer be changed."))
    now = timezone.now()
    with transaction.atomic():
        _claim_rows(cycle, CharacteristicScan.objects.filter(cycle=cycle), seen)
        for number, (status, evidence) in rows.items():
            CharacteristicScan.objects.update_or_create(
                cycle=cycle,
                characteristic_id=number,
                defaults={"status": status, "evidence": evidence.strip(), "updated_at": now},
            )


# --- Instruments -------------------------------------------------------------------------------
def new_instrument_version(*, version: InstrumentVersion) -> InstrumentVersion:
    """A copy of a version with the next number, to edit when the old one is locked."""
    with transaction.atomic():
        number = (
            InstrumentVersion.objects.filter(instrument=version.instrument_id)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        ) + 1
        copy = InstrumentVersion.objects.create(
            instrument=version.instrument,
            number=number,
            strength_from=version.strength_from,
            concern_below=version.concern_below,
        )
        Item.objects.bulk_create(
            Item(
                version=copy,
                element_id=item.element_id,
                aspect_id=item.aspect_id,
                order=item.order,
                text_nl=item.text_nl,
                text_en=item.text_en,
                plain_nl=item.plain_nl,
                plain_en=item.plain_en,
            )
            for item in version.items.all()
        )
    return copy


# --- The improvement agenda -------------------------------------------------------------------
ACTION_REMINDER_DAYS = 7


def save_action(
    *, form, workplace, expected_version: int | None = None, by=None
) -> ImprovementAction:
    """Create or edit an improvement action from a valid ActionForm; an edit made on an
    outdated form raises EditConflict instead of overwriting. A new owner is told (unless
    they assigned it to themselves)."""
    with transaction.atomic():
        action = form.save(commit=False)
        if action.pk is None:
            action.workplace = workplace
            action.save()
            form.save_m2m()
            _notify_owner(action, by)
            return action
        current = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        _check_version(current.version, expected_version)
        action.version = current.version + 1
        action.save(update_fields=[*(f for f in form.Meta.fields if f != "activities"), "version"])
        form.save_m2m()
        if current.due_on != action.due_on:  # a new date deserves a new reminder
            MailDelivery.objects.filter(action=action, status=DeliveryStatus.SENT).delete()
        if current.owner_id != action.owner_id:
            _notify_owner(action, by)
    return action


def _notify_owner(action: ImprovementAction, by) -> None:
    owner = action.owner
    if owner is None or (by is not None and owner.user_id == by.pk):
        return
    notifications.notify(
        NotificationKind.ACTION_ASSIGNED, [owner], key=f"action-assigned:{action.pk}:{owner.pk}",
        workplace=action.workplace,
        link=reverse("evaluations:agenda", args=[action.workplace.slug]),
    )  # fmt: skip


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


# --- Retention ---------------------------------------------------------------------------------
def apply_retention(now: dt.datetime | None = None) -> int:
    """Anonymise the invitations of cycles closed longer ago than EVALUATION_RETENTION_DAYS:
    1. close any stored tallies gap (a closed cycle without them gets them first);
    2. delete the links, the mail ledger and the open texts (answers to open questions and
       element comments, which may name people);
    3. cut the invitation from the person. The ratings stay, unlinked, and so do the tallies
       and summaries, so every dashboard shows the same figures as before.
    Returns how many invitations were anonymised; running it again changes nothing."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.EVALUATION_RETENTION_DAYS)
    cycles = EvaluationCycle.objects.filter(
        status=CycleStatus.CLOSED, closes_at__lt=limit, invitations__anonymised_at__isnull=True
    ).distinct()
    anonymised = 0
    for cycle in cycles:
        with transaction.atomic():
            MailDelivery.objects.filter(cycle=cycle).delete()  # also the coordinators' mails
            anonymised += anonymise_invitations(cycle.invitations.filter(person__isnull=False), now)
    return anonymised


def anonymise_invitations(invitations, now: dt.datetime) -> int:
    """What retention and erasure both do to invitations: closed cycles without stored tallies
    get them first (so results stay the same), then the links, the invitation mails and the
    open texts go, and the invitations no longer point to a person. Their cycles' results
    revision is bumped (a cached render from before no longer matches, even one that raced
    this) and the cached renders are dropped once this commits. Returns how many."""
    cycle_ids = list(
        EvaluationCycle.objects.filter(invitations__in=invitations)
        .values_list("pk", flat=True)
        .distinct()
    )
    EvaluationCycle.objects.filter(pk__in=cycle_ids).update(
        results_revision=F("results_revision") + 1
    )
    transaction.on_commit(lambda: forget_cached_results(cycle_ids))
    for cycle in EvaluationCycle.objects.filter(
        invitations__in=invitations, status=CycleStatus.CLOSED, respondent_count__isnull=True
    ).distinct():
        tally_cycle(cycle)
    AccessToken.objects.filter(invitation__in=invitations).delete()
    MailDelivery.objects.filter(invitation__in=invitations).delete()
    ElementComment.objects.filter(response__invitation__in=invitations).delete()
    Response.objects.filter(invitation__in=invitations).update(went_well="", could_be_better="")
    return invitations.update(person=None, anonymised_at=now)


# --- Personal data (registered in apps.py) ---------------------------------------------------
def export_personal_data(person: Person) -> dict:
    """The person's invitations, with their answers and open texts, and their actions."""
    invitations = []
    for invitation in Invitation.objects.filter(person=person).select_related("cycle__workplace"):
        response = Response.objects.filter(invitation=invitation).first()
        invitations.append(
            {
                "workplace": invitation.cycle.workplace.name,
                "cycle": invitation.cycle.label,
                "role": invitation.role,
                "submitted_at": response.submitted_at.isoformat()
                if response and response.submitted_at
                else None,
                "answers": {
                    (a.item.aspect_id or a.item.element_id): a.value
                    for a in response.answers.select_related("item")
                }
                if response
                else {},
                "comments": {c.element_id: c.text for c in response.comments.all()}
                if response
                else {},
                "went_well": response.went_well if response else "",
                "could_be_better": response.could_be_better if response else "",
                "assisted": response.assisted if response else False,
            }
        )
    actions = [
        {"title": a.title, "element": a.element_id, "due_on": a.due_on.isoformat()}
        for a in ImprovementAction.objects.filter(owner=person)
    ]
    return {"invitations": invitations, "improvement_actions": actions}


def erase_personal_data(person: Person) -> None:
    """Unlink the person's invitations like retention does (their ratings stay, unlinked, so
    aggregates stay correct); delete their links, mails and open texts."""
    MailDelivery.objects.filter(person=person).delete()  # also mails as a coordinator
    anonymise_invitations(Invitation.objects.filter(person=person), timezone.now())
