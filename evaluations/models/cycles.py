"""The evaluation cycle: the plan, cycles, invitations, answer links, responses and answers."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from elements.models import Element
from evaluations.models.instruments import Instrument, InstrumentVersion, Item
from werkplaats.models import Person, Role, Workplace


class CycleKind(models.TextChoices):
    YEARLY = "yearly", _("yearly structural evaluation")
    CHECK_IN = "check_in", _("periodic check-in")


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CheckIns(models.TextChoices):
    NONE = "none", _("no check-ins")
    SEMESTER = "semester", _("per semester")
    QUARTER = "quarter", _("per quarter")


def default_roles() -> list[str]:
    return list(Role.values)


def default_offsets() -> list[int]:
    return [7, 2]


class EvaluationPlan(models.Model):
    """When a PW evaluates: its yearly cycle and optional check-ins (school year 1 Sept–31 Aug)."""

    workplace = models.OneToOneField(
        Workplace, verbose_name=_("workplace"), on_delete=models.CASCADE, related_name="plan"
    )
    yearly_month = models.PositiveSmallIntegerField(
        _("month of the yearly evaluation"),
        default=5,
        choices=list(MONTHS.items()),
    )
    yearly_days = models.PositiveSmallIntegerField(
        _("days the yearly evaluation is open"), default=21
    )
    check_ins = models.CharField(
        _("check-ins"), max_length=10, choices=CheckIns.choices, default=CheckIns.NONE
    )
    check_in_days = models.PositiveSmallIntegerField(_("days a check-in is open"), default=10)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument of the yearly evaluation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    check_in_instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument of the check-ins"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking

    class Meta:
        verbose_name = _("evaluation plan")
        verbose_name_plural = _("evaluation plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(yearly_month__gte=1, yearly_month__lte=12), name="plan_month_valid"
            ),
            models.CheckConstraint(
                condition=Q(yearly_days__gte=3, yearly_days__lte=92), name="plan_yearly_days_valid"
            ),
            models.CheckConstraint(
                condition=Q(check_in_days__gte=3, check_in_days__lte=31),
                name="plan_check_in_days_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.workplace)


class CycleQuerySet(models.QuerySet):
    def visible_to(self, user) -> CycleQuerySet:
        return self.filter(workplace__in=Workplace.objects.visible_to(user))


class EvaluationCycle(models.Model):
    """One round of evaluation of a PW, draft → open → closed. Closing freezes it."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("workplace"), on_delete=models.CASCADE, related_name="cycles"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CycleKind.choices)
    label = models.CharField(_("label"), max_length=60, help_text=_("For example 2026-2027."))
    school_year = models.CharField(_("school year"), max_length=9)
    instrument_version = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("instrument version"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    invited_roles = models.JSONField(_("invited roles"), default=default_roles)
    reminder_days = models.JSONField(_("reminders (days before closing)"), default=default_offsets)
    status = models.CharField(
        _("status"), max_length=8, choices=CycleStatus.choices, default=CycleStatus.DRAFT
    )
    from_plan = models.BooleanField(_("created from the plan"), default=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking
    # The hard indicators and the self-scan are forms over several rows: each claims its own
    # version here, so editing one does not conflict with the other or with the cycle itself.
    indicators_version = models.PositiveIntegerField(default=1, editable=False)
    scan_version = models.PositiveIntegerField(default=1, editable=False)
    # Written with the tallies when the cycle closes: what trends and overviews read, so they
    # do not aggregate answers again. element_scores: {code: [sum of 1..5 answers, answers]}.
    respondent_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    element_scores = models.JSONField(null=True, blank=True, editable=False)
    # Bumped when open answers of a closed cycle are deleted (erasure, retention): the cached
    # rendered results carry it, so a render that raced the deletion is never served.
    results_revision = models.PositiveIntegerField(default=0, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        constraints = [
            # Makes creating cycles from the plan idempotent, also for two sweeps at once.
            models.UniqueConstraint(
                fields=["workplace", "kind", "label"], name="cycle_workplace_kind_label_unique"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="cycle_closes_after_opening"
            ),  # fmt: skip
        ]
        indexes = [
            # The sweep looks for drafts to open and open cycles to close.
            models.Index(fields=["status", "opens_at"], name="cycle_status_opens_idx"),
            models.Index(fields=["status", "closes_at"], name="cycle_status_closes_idx"),
            # A PW's newest closed cycle (the home page, the previous cycle, trends): read
            # backwards through this index instead of sorting the PW's cycles.
            models.Index(
                fields=["workplace", "status", "closes_at"], name="cycle_wp_status_closes_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workplace} · {self.get_kind_display()} {self.label}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == CycleStatus.OPEN and self.opens_at <= now < self.closes_at

    @property
    def is_frozen(self) -> bool:
        return self.status == CycleStatus.CLOSED

    def reminder_moments(self) -> list[tuple[int, dt.datetime]]:
        """(number, moment) of each reminder, earliest first; at most three."""
        days = sorted({int(d) for d in self.reminder_days if 0 < int(d) < 60}, reverse=True)[:3]
        return [(n, self.closes_at - dt.timedelta(days=d)) for n, d in enumerate(days, start=1)]

    def halfway(self) -> dt.datetime:
        return self.opens_at + (self.closes_at - self.opens_at) / 2


class Invitation(models.Model):
    """One invited person in one cycle, with the role they answer in."""

    cycle = models.ForeignKey(
        EvaluationCycle,
        verbose_name=_("cycle"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    # Empty once anonymised (retention or erasure): the answers stay, nobody's name with them.
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)
    reminders_stopped_at = models.DateTimeField(_("reminders stopped"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["cycle", "person__name"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person"], name="invitation_cycle_person_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.person}"


class AccessToken(models.Model):
    """A secret link to one invitation. Only the SHA-256 of the token is stored; every mail
    carries a fresh token, so all links sent keep working until the cycle closes."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self) -> str:
        return f"token {self.pk} · {self.invitation_id}"


class Response(models.Model):
    """One person's answers in one cycle. Saved as they are given; submitted once."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="response"
    )  # one response per invitation, enforced by the database
    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="responses")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    went_well = models.TextField(_("What goes well, what do you value?"), blank=True)
    could_be_better = models.TextField(_("What is difficult, what could be better?"), blank=True)
    # That someone helped, never who: the respondent (or the helper) ticks it (issue 18).
    assisted = models.BooleanField(_("answered with help"), default=False)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["cycle", "role"], name="response_cycle_role_idx"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Answer(models.Model):
    """One rating: 1–5, or 0 for "don't know / not applicable" (excluded from means)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"], name="answer_response_item_unique"
            ),
            models.CheckConstraint(condition=Q(value__lte=5), name="answer_value_in_scale"),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class ElementComment(models.Model):
    """The optional comment a respondent gives on one element."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "element"], name="elementcomment_response_element_unique"
            )
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} · {self.element_id}"
