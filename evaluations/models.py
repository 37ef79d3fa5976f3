"""Structural evaluation: instruments, cycles, invitations, responses and the mail ledger.

The flow (DOMAIN.md, "Evaluation: the structural cycle"):
1. A PW's ``EvaluationPlan`` says when its yearly cycle and optional check-ins run.
2. The beat sweep (``cycles.run_schedule``) creates each ``EvaluationCycle`` from the plan as a
   draft two weeks ahead, opens it on its date (inviting the current members) and closes it.
3. Every invited person gets one ``Invitation``; they answer through a secret link
   (``AccessToken``, stored as a hash only) or, with an account, from their home page.
4. ``Response`` holds one person's answers (one per invitation, enforced by the database).
5. Every mail is a row in ``MailDelivery`` with a unique (cycle, person, kind) key, so a mail is
   decided once and sent once, whatever beat or the broker did.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from elements.models import Aspect, Element, in_active_language
from werkplaats.models import Person, Role, Workplace

NOT_APPLICABLE = 0  # the stored value of "don't know / not applicable"
SCALE = (1, 2, 3, 4, 5)
PLAIN_LANGUAGE_ROLES = frozenset({Role.CLIENT})  # clients and experience experts


class Instrument(models.Model):
    """A questionnaire, e.g. the LOS-scan; its wording lives in numbered versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self, "name")

    def latest_version(self) -> InstrumentVersion | None:
        return self.versions.order_by("-number").first()


class InstrumentVersion(models.Model):
    """One frozen wording of an instrument. Once a response uses it, it never changes:
    an edit makes a new version (``records.new_instrument_version``)."""

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Interpretation bands used by the dashboards: >= strength is a strength, < concern a concern.
    strength_from = models.DecimalField(
        _("strength from"), max_digits=3, decimal_places=1, default=4.0
    )
    concern_below = models.DecimalField(
        _("concern below"), max_digits=3, decimal_places=1, default=3.0
    )

    class Meta:
        ordering = ["instrument", "-number"]
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrumentversion_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(concern_below__lte=models.F("strength_from")),
                name="instrumentversion_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return _("%(instrument)s, version %(number)s") % {
            "instrument": self.instrument,
            "number": self.number,
        }

    def is_locked(self) -> bool:
        """Responses use this version: its items may no longer change."""
        return Response.objects.filter(instrument_version=self).exists()


class Item(models.Model):
    """A statement answered on the 1–5 agreement scale (or "don't know")."""

    version = models.ForeignKey(
        InstrumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="items"
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
    order = models.PositiveSmallIntegerField(_("order"))
    text_nl = models.CharField(_("statement (Dutch)"), max_length=300)
    text_en = models.CharField(_("statement (English)"), max_length=300)
    plain_nl = models.CharField(
        _("plain-language statement (Dutch, B1)"),
        max_length=300,
        help_text=_("Shown to clients and experience experts."),
    )
    plain_en = models.CharField(_("plain-language statement (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "element__order", "order"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="item_version_order_unique")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_active_language(self, "text")

    def wording_for(self, role: str) -> str:
        """The plain-language wording for clients, the standard one for everyone else."""
        if role in PLAIN_LANGUAGE_ROLES:
            return in_active_language(self, "plain") or self.text
        return self.text


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


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("invitation")
    REMINDER_1 = "reminder-1", _("first reminder")
    REMINDER_2 = "reminder-2", _("second reminder")
    REMINDER_3 = "reminder-3", _("third reminder")
    REVIEW_DRAFT = "review-draft", _("review the draft cycle")
    DIGEST = "digest", _("response-rate digest")
    RESULTS_READY = "results-ready", _("results ready")
    ACTION_DUE = "action-due", _("improvement action due")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("skipped")  # its moment passed (e.g. after an outage)
    FAILED = "failed", _("failed")
    # Left "sending" past the stale-claim window (the sender died between the claim and the
    # status write): it may have arrived. Not sent again (``mailing.settle_stale_claims``).
    UNCERTAIN = "uncertain", _("uncertain")


class DeliveryQuerySet(models.QuerySet):
    def claimable(self, now: dt.datetime) -> DeliveryQuerySet:
        """Rows a sender may claim: pending and due. A stale claim is not taken over here: it
        is settled first (uncertain, or pending once more for an invitation)."""
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)

    def stale(self, now: dt.datetime, stale_after: dt.timedelta) -> DeliveryQuerySet:
        """Rows claimed so long ago (longer than the task time limit) that the claimer died."""
        return self.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - stale_after)


class MailDelivery(models.Model):
    """The mail ledger: one row per (cycle, person, kind), written in the transaction that
    decides the mail is due. Sending claims the row with a conditional UPDATE first."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="mails")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="mails"
    )
    action = models.ForeignKey(
        "ImprovementAction", on_delete=models.CASCADE, null=True, blank=True, related_name="mails"
    )
    kind = models.CharField(max_length=16, choices=MailKind.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    # When its sender was first found dead mid-send: an uncertain case, resent at most once.
    uncertain_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("mail")
        verbose_name_plural = _("mails")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person", "kind"],
                name="maildelivery_cycle_person_kind_unique",
                condition=Q(action__isnull=True),
            ),
            # An improvement action's reminder: once per action and kind.
            models.UniqueConstraint(
                fields=["action", "kind"],
                name="maildelivery_action_kind_unique",
                condition=Q(action__isnull=False),
            ),
        ]
        indexes = [
            # The sender's sweep looks for unsent rows only.
            models.Index(
                fields=["next_attempt_at"],
                name="maildelivery_pending_idx",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person} · {self.get_status_display()}"


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
