"""The PW's own records around its cycles: the evaluation plan, the hard indicators, the
characteristics self-scan, instrument versions and improvement actions."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.common import EditConflict, EvaluationError, _check_version
from evaluations.counts import counted_indicators
from evaluations.models import (
    CharacteristicScan,
    DeliveryStatus,
    EvaluationCycle,
    EvaluationPlan,
    ImprovementAction,
    IndicatorValue,
    InstrumentVersion,
    Item,
    MailDelivery,
)
from werkplaats import notifications
from werkplaats.models import NotificationKind


def _saved_meanwhile() -> EditConflict:
    return EditConflict(
        _("Someone else saved this page after you opened it. Your changes are not saved: "
          "copy what you need, then reload the page to see theirs.")
    )  # fmt: skip


# --- The plan ---------------------------------------------------------------------------------
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


# --- Hard indicators and the characteristics self-scan ----------------------------------------
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
