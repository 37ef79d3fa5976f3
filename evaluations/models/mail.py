"""The mail ledger: one row per (cycle, person, kind), decided once and sent once."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models.cycles import EvaluationCycle, Invitation
from werkplaats.models import Person


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
