"""The PW's own records around its cycles: the evaluation plan, the hard indicators, the
characteristics self-scan, instrument versions and improvement actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from elements.models import Aspect, Element
from evaluations.common import EditConflict, EvaluationError, _check_version, _claim
from evaluations.counts import counted_indicators
from evaluations.models import (
    CharacteristicScan,
    DeliveryStatus,
    EvaluationCycle,
    EvaluationPlan,
    ImprovementAction,
    IndicatorValue,
    Instrument,
    InstrumentVersion,
    Item,
    MailDelivery,
)
from werkplaats import notifications, versioning
from werkplaats.models import Activity, NotificationKind, Organisation, Person, Workplace
from werkplaats.values import KEEP, Keep, RowValues


# --- The plan ---------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PlanValues(RowValues):
    """A PW's evaluation plan, as ``save_plan`` takes it."""

    yearly_month: int | Keep = KEEP
    yearly_days: int | Keep = KEEP
    check_ins: int | Keep = KEEP
    check_in_days: int | Keep = KEEP
    instrument: Instrument | None | Keep = KEEP
    check_in_instrument: Instrument | None | Keep = KEEP


def save_plan(
    *, workplace: Workplace, values: PlanValues, expected_version: int | None
) -> EvaluationPlan:
    """Save a PW's evaluation plan (``versioning``: the version the form was opened with is
    claimed; a PW without a plan yet is at version 0); EditConflict, with nothing saved, if
    someone else saved it since, or made the first plan while this form made one too."""
    with transaction.atomic():
        plan = EvaluationPlan.objects.filter(workplace=workplace).first()
        if plan is not None:
            try:
                return versioning.save_versioned(plan, values, expected_version)
            except versioning.EditConflict as conflict:
                raise EditConflict(str(conflict)) from None
        try:
            with transaction.atomic():
                return values.write(EvaluationPlan(workplace=workplace))
        except IntegrityError:  # two first saves at once: the other one made the plan
            raise EditConflict(str(versioning.SAVED_MEANWHILE)) from None


# --- Hard indicators and the characteristics self-scan ----------------------------------------
# A form over several rows claims a version column of the cycle (``versioning.claim``), which
# also locks the cycle row until the save commits, as every write to the cycle does.
def save_indicators(*, cycle: EvaluationCycle, values: dict[str, int], version: int | None) -> None:
    """Store the hard indicators; a value equal to the counted one is marked counted.
    ``version`` is the cycle's ``indicators_version`` the form was shown with."""
    if cycle.is_frozen:
        raise EvaluationError(_("This cycle is closed and can no longer be changed."))
    counted = counted_indicators(cycle)
    now = timezone.now()
    with transaction.atomic():
        _claim(cycle, version, "indicators_version")
        for key, value in values.items():
            IndicatorValue.objects.update_or_create(
                cycle=cycle,
                key=key,
                defaults={"value": value, "counted": counted.get(key) == value, "updated_at": now},
            )


def save_scan(
    *, cycle: EvaluationCycle, rows: dict[int, tuple[str, str]], version: int | None
) -> None:
    """Store the self-scan: characteristic number → (status, evidence). ``version`` is the
    cycle's ``scan_version`` the form was shown with."""
    if cycle.is_frozen:
        raise EvaluationError(_("This cycle is closed and can no longer be changed."))
    now = timezone.now()
    with transaction.atomic():
        _claim(cycle, version, "scan_version")
        for number, (status, evidence) in rows.items():
            CharacteristicScan.objects.update_or_create(
                cycle=cycle,
                characteristic_id=number,
                defaults={"status": status, "evidence": evidence.strip(), "updated_at": now},
            )


# --- Instruments ------------------------------------------------------------------------------
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
@dataclass(frozen=True, kw_only=True)
class ActionValues(RowValues):
    """An improvement action's own fields, as ``save_action`` takes them."""

    cycle: EvaluationCycle | None | Keep = KEEP
    element: Element | None | Keep = KEEP
    aspect: Aspect | None | Keep = KEEP
    title: str | Keep = KEEP
    owner: Person | None | Keep = KEEP
    organisation: Organisation | Keep = KEEP
    due_on: dt.date | None | Keep = KEEP
    status: str | Keep = KEEP
    activities: Iterable[Activity] | Keep = KEEP


def save_action(
    *,
    workplace: Workplace,
    values: ActionValues,
    action: ImprovementAction | None = None,
    expected_version: int | None = None,
    by=None,
) -> ImprovementAction:
    """Create (``action`` None) or edit an improvement action; an edit made on an outdated
    form (``expected_version``) raises EditConflict instead of overwriting. A new owner is
    told (unless they assigned it to themselves)."""
    with transaction.atomic():
        if action is None:
            action = values.write(ImprovementAction(workplace=workplace))
            _notify_owner(action, by)
            return action
        current = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        _check_version(current.version, expected_version)
        action.version = current.version + 1
        values.write(action, edit=True, also=["version"])
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
