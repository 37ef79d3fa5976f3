"""The life of evaluation cycles: plan → planned cycles, creating, opening, closing and saving
them, and the schedule sweep.

Everything that is due is computed from the database (``run_schedule``), never from when beat
happened to fire: after the broker or worker was down, the next sweep catches up with what was
missed and skips what is no longer useful (a "2 days left" reminder after closing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import frozen_results
from evaluations.common import (
    CHECK_IN_MONTHS,
    DRAFT_AHEAD,
    EvaluationError,
    _check_version,
)
from evaluations.invitations import invite_members
from evaluations.mailing import (
    _queue_for_role,
    queue_action_reminders,
    queue_due_mails,
    settle_stale_claims,
)
from evaluations.models import (
    CycleKind,
    CycleStatus,
    EvaluationCycle,
    EvaluationPlan,
    Instrument,
    InstrumentVersion,
    MailDelivery,
    MailKind,
)
from evaluations.tallies import tally_cycle
from werkplaats.models import Role, Workplace, school_year_bounds, school_year_of
from werkplaats.values import KEEP, Keep, RowValues


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


# --- Cycle life -------------------------------------------------------------------------------
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
        # The results page rendered ahead, so the first manager to open it waits no longer.
        transaction.on_commit(lambda: frozen_results.warm_later([cycle.pk]))
    return True


@dataclass(frozen=True, kw_only=True)
class CycleValues(RowValues):
    """A cycle's own fields, as ``save_cycle`` takes them."""

    kind: str | Keep = KEEP
    label: str | Keep = KEEP
    school_year: str | Keep = KEEP
    instrument_version: InstrumentVersion | Keep = KEEP
    opens_at: dt.datetime | Keep = KEEP
    closes_at: dt.datetime | Keep = KEEP
    invited_roles: list[str] | Keep = KEEP
    reminder_days: list[int] | Keep = KEEP


def save_cycle(
    *,
    workplace: Workplace,
    values: CycleValues,
    cycle: EvaluationCycle | None = None,
    expected_version: int | None = None,
) -> EvaluationCycle:
    """Create (``cycle`` None, as a draft) or edit a cycle. A closed cycle is frozen; an edit
    made on an outdated form (``expected_version``) raises EditConflict instead of
    overwriting."""
    try:
        with transaction.atomic():
            if cycle is None:
                return values.write(EvaluationCycle(workplace=workplace))
            return _edit_cycle(cycle, values, expected_version)
    except IntegrityError:
        raise EvaluationError(
            _("This PW already has a cycle of this kind with this label.")
        ) from None


def _edit_cycle(
    cycle: EvaluationCycle, values: CycleValues, expected_version: int | None
) -> EvaluationCycle:
    current = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    if current.status == CycleStatus.CLOSED:
        raise EvaluationError(_("This cycle is closed and can no longer be changed."))
    _check_version(current.version, expected_version)
    cycle.version = current.version + 1
    values.write(cycle, edit=True, also=["version"])
    if current.status == CycleStatus.OPEN:
        invite_members(cycle)  # roles may have been added
    return cycle


# --- The sweep --------------------------------------------------------------------------------
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
