"""Notifications: one ledger for everything that waits for somebody, the digests that gather
them, and each person's choices."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkplaats.models.goals import LearningGoal
from werkplaats.models.people import Person
from werkplaats.models.workplaces import Workplace


# --- Notifications: one ledger for everything that waits for somebody -------------------------
class NotificationKind(models.TextChoices):
    SUPPORT_ASKED = "support-asked", _("You are asked to support a goal")
    SUPPORT_ANSWERED = "support-answered", _("An answer to your support request")
    FEEDBACK = "feedback", _("New feedback on your goal")
    REPLY = "reply", _("A reply to your feedback")
    GOAL_ACHIEVED = "goal-achieved", _("A goal you support was achieved")
    GOAL_REMINDER = "goal-reminder", _("The target date of your goal is near")
    EVALUATION_OPEN = "evaluation-open", _("An evaluation waits for you")
    EVALUATION_REMINDER = "evaluation-reminder", _("Reminder: an evaluation waits for you")
    EVALUATION_CLOSING = "evaluation-closing", _("An evaluation closes in two days")
    RESULTS_READY = "results-ready", _("The results of an evaluation are ready")
    ACTION_ASSIGNED = "action-assigned", _("An improvement action was assigned to you")
    ACTION_DUE = "action-due", _("Your improvement action is due in a week")
    ADDED_TO_WORKPLACE = "added", _("You were added to a professional workplace")
    CASE_OUTPUT = "case-output", _("A case you lead has a new output")


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", _("in the app and by e-mail at once")
    DIGEST = "digest", _("in the app and in my digest")
    IN_APP = "in-app", _("in the app only")
    OFF = "off", _("not at all")


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly (on Monday)")
    NEVER = "never", _("never")


class MailState(models.TextChoices):
    NONE = "none", _("no e-mail")
    PENDING = "pending", _("to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    DIGEST = "digest", _("waits for the digest")
    DIGESTED = "digested", _("in a digest")
    LEDGER = "ledger", _("sent as an evaluation mail")
    SKIPPED = "skipped", _("skipped")
    # Left "sending" past the stale-claim window: it may have arrived; never sent again.
    UNCERTAIN = "uncertain", _("uncertain")


class Notification(models.Model):
    """One thing that waits for one person: a row per (event, recipient), written in the
    transaction that decides it (the key is unique per recipient, so an event written twice
    is still one notification). The inbox lists the rows; a mail is sent from the row after
    claiming it with a conditional UPDATE, so it goes out at most once per recipient."""

    recipient = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    key = models.CharField(max_length=120)
    workplace = models.ForeignKey(
        Workplace, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("professional workplace"),
    )  # fmt: skip
    goal = models.ForeignKey(
        LearningGoal, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail = models.CharField(
        _("e-mail"), max_length=10, choices=MailState.choices, default=MailState.NONE
    )
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    digest = models.ForeignKey(
        "NotificationDigest", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="notifications",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_key_unique")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], name="notification_unread_idx", condition=Q(read_at=None)
            ),
            models.Index(
                fields=["next_attempt_at"],
                name="notification_mail_idx",
                condition=Q(mail__in=["pending", "sending"]),
            ),
            models.Index(
                fields=["recipient"], name="notification_digest_idx", condition=Q(mail="digest")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.recipient}"


class NotificationDigest(models.Model):
    """One digest mail: a person's notifications of one period, claimed before it is sent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=12)  # "2026-12-02" (daily) or "2026-W49" (weekly)
    status = models.CharField(max_length=10, choices=MailState.choices, default=MailState.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="digest_person_period")
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="digest_unsent_idx",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"digest {self.period} · {self.person}"


class NotificationSettings(models.Model):
    """A person's choices: per kind how they hear of it, and how often their digest comes.
    A kind missing from ``channels`` uses its default (see ``notifications.DEFAULTS``)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="notification_settings"
    )
    channels = models.JSONField(default=dict, blank=True)
    digest = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"notification settings · {self.person}"
