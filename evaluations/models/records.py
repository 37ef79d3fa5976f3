"""The PW's own records of a cycle: hard indicators, the self-scan, the tallies written at
close and improvement actions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elements.models import Aspect, Element
from evaluations.models.cycles import EvaluationCycle
from evaluations.models.instruments import Item
from werkplaats.models import Person, Role, Workplace


class Indicator(models.TextChoices):
    STUDENTS = "students", _("students")
    GRADUATION = "graduation_assignments", _("graduation assignments")
    POLICY_PLAN = "policy_plan", _("outputs taken into the policy plan")
    PUBLICATIONS = "publications", _("publications")
    CLIENTS = "clients_involved", _("clients involved")
    # Counted from the value-creation stories of the PW's cases (cases.ValueStory).
    VALUE_STORIES = "value_stories", _("value-creation stories")
    REALISED_VALUE = "realised_value_stories", _("stories of realised value")


class IndicatorValue(models.Model):
    """A hard indicator of a yearly cycle: counted by the application or entered by hand."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    value = models.PositiveIntegerField(_("value"))
    counted = models.BooleanField(_("counted by the application"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "key"], name="indicator_cycle_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class ScanStatus(models.TextChoices):
    PRESENT = "present", _("present")
    PARTLY = "partly", _("partly present")
    ABSENT = "absent", _("absent")


class CharacteristicScan(models.Model):
    """The PW's self-scan of one of the nine characteristics, in a yearly cycle."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="scans")
    characteristic = models.ForeignKey(
        "elements.Characteristic", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=8, choices=ScanStatus.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["characteristic"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "characteristic"], name="scan_cycle_characteristic_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.characteristic_id}: {self.status}"


class ItemTally(models.Model):
    """How often each answer was given to one item by one role in one cycle (submitted
    responses only): the summary dashboards read. Written when a cycle closes, so a dashboard
    does not get slower as the answer history grows; open cycles are counted live."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="tallies")
    role = models.CharField(max_length=20, choices=Role.choices)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    n0 = models.PositiveIntegerField(default=0)  # don't know / not applicable
    n1 = models.PositiveIntegerField(default=0)
    n2 = models.PositiveIntegerField(default=0)
    n3 = models.PositiveIntegerField(default=0)
    n4 = models.PositiveIntegerField(default=0)
    n5 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "role", "item"], name="tally_cycle_role_item")
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.role} · {self.item_id}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    RUNNING = "running", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class ImprovementAction(models.Model):
    """One action of the improvement agenda (verbeteragenda) made after a cycle closed."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("workplace"), on_delete=models.CASCADE, related_name="actions"
    )
    cycle = models.ForeignKey(
        EvaluationCycle,
        verbose_name=_("from the evaluation"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    element = models.ForeignKey(
        Element, verbose_name=_("element"), on_delete=models.PROTECT, related_name="+"
    )
    aspect = models.ForeignKey(
        Aspect,
        verbose_name=_("aspect"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(  # empty once the owner was erased; the action stays
        Person, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True,
        related_name="actions",
    )  # fmt: skip
    organisation = models.ForeignKey(
        "werkplaats.Organisation",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    activities = models.ManyToManyField(
        "werkplaats.Activity", verbose_name=_("activities that carried it out"), blank=True
    )
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        indexes = [models.Index(fields=["workplace", "cycle"], name="action_workplace_cycle_idx")]

    def __str__(self) -> str:
        return self.title
