"""Shared learning goals: the goal, its supporters, its timeline and its reminders; and the
school year a date falls in."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elements.tagging import Tagged, TaggedQuerySet
from werkplaats.models.people import Membership, Person
from werkplaats.models.workplaces import Workplace


# --- Shared learning goals --------------------------------------------------------------------
class GoalStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    ACHIEVED = "achieved", _("achieved")
    STOPPED = "stopped", _("stopped")


class GoalVisibility(models.TextChoices):
    WORKPLACE = "workplace", _("the whole workplace")
    SUPPORTERS = "supporters", _("only my supporters")


def school_year_start(day: dt.date) -> dt.date:
    """1 September of the Dutch school year (1 Sept – 31 Aug) a date falls in."""
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def school_year_of(day: dt.date) -> str:
    """The label of the school year a date falls in, e.g. "2026-2027"."""
    start = school_year_start(day).year
    return f"{start}-{start + 1}"


def school_year_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a school year given by its label ("2026-2027")."""
    start = int(label[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


class LearningGoalQuerySet(TaggedQuerySet):
    def visible_to(self, user) -> LearningGoalQuerySet:
        """Goals a user may read: their own (as owner, co-owner or supporter) everywhere, and
        the non-draft goals shared with a whole PW they are a current member of. A goal shared
        only with supporters stays invisible to everyone else, staff included."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        person = Person.objects.filter(user=user).values("pk")
        member_of = Membership.objects.current().filter(person__user=user).values("workplace_id")
        # Supporters (asked or agreed; the owner chose to show it to them) never see drafts.
        supporting = Q(
            support__person__in=person,
            support__status__in=[SupportStatus.ACCEPTED, SupportStatus.REQUESTED],
        ) & ~Q(status=GoalStatus.DRAFT)
        own = Q(owner__in=person) | Q(co_owners__in=person) | supporting
        shared = Q(
            visibility=GoalVisibility.WORKPLACE,
            workplace__in=member_of,
        ) & ~Q(status=GoalStatus.DRAFT)
        return self.filter(pk__in=self.model.objects.filter(own | shared).values("pk"))


class LearningGoal(Tagged):
    """A (learning) goal of a member, shared with the PW or with supporters only."""

    workplace = models.ForeignKey(
        Workplace, verbose_name=_("professional workplace"), on_delete=models.CASCADE,
        related_name="goals",
    )  # fmt: skip
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="goals"
    )
    co_owners = models.ManyToManyField(
        Person, verbose_name=_("co-owners"), blank=True, related_name="shared_goals",
        help_text=_("For a goal of a duo or a team."),
    )  # fmt: skip
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    why = models.TextField(_("why it matters"), blank=True)
    how = models.TextField(_("how I will reach it"), blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    visibility = models.CharField(
        _("shared with"), max_length=16, choices=GoalVisibility.choices,
        default=GoalVisibility.WORKPLACE,
    )  # fmt: skip
    school_year = models.CharField(_("school year"), max_length=9, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: an owner or co-owner saves against the version they opened.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LearningGoalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("learning goal")
        verbose_name_plural = _("learning goals")
        indexes = [
            models.Index(fields=["workplace", "status", "visibility"], name="goal_wp_status_idx"),
            models.Index(fields=["workplace", "school_year"], name="goal_wp_year_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def owner_ids(self) -> set[int]:
        return {self.owner_id, *(p.pk for p in self.co_owners.all())}


class SupportStatus(models.TextChoices):
    REQUESTED = "requested", _("asked")
    ACCEPTED = "accepted", _("supports")
    DECLINED = "declined", _("declined")


class GoalSupport(models.Model):
    """A member asked to support a goal, and their answer."""

    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="support")
    person = models.ForeignKey(
        Person, verbose_name=_("supporter"), on_delete=models.CASCADE, related_name="supporting"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SupportStatus.choices, default=SupportStatus.REQUESTED
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("support")
        constraints = [
            models.UniqueConstraint(fields=["goal", "person"], name="goalsupport_goal_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"


class UpdateKind(models.TextChoices):
    PROGRESS = "progress", _("progress")
    FEEDBACK = "feedback", _("feedback")
    REPLY = "reply", _("reply")
    REFLECTION = "reflection", _("closing reflection")


FEEDBACK_MAX_LENGTH = 2000


class GoalUpdate(models.Model):
    """One entry of a goal's timeline: progress, feedback, a reply, or the closing reflection."""

    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        Person, verbose_name=_("author"), on_delete=models.CASCADE, related_name="goal_updates"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices)
    text = models.TextField(_("text"), max_length=FEEDBACK_MAX_LENGTH)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("goal update")
        verbose_name_plural = _("goal updates")
        indexes = [models.Index(fields=["goal", "created_at"], name="goalupdate_goal_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.goal}"


class ReminderKind(models.TextChoices):
    WEEK_BEFORE = "week_before", _("a week before the target date")
    ON_THE_DAY = "on_the_day", _("on the target date")


class GoalReminder(models.Model):
    """When a goal's reminder falls due: a row, claimed when due, that then writes one
    notification per owner (the ledger sends them), so a rerun never reminds twice."""

    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The due date the last sent reminder was for: moving the target date away and back again
    # must not send the same reminder twice.
    sent_for = models.DateField(null=True, blank=True)
    # How many owners the notification went to (each owner's mail is its own ledger row).
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "kind"], name="goalreminder_goal_kind")
        ]
        indexes = [
            # The beat scanner looks for due, unsent reminders.
            models.Index(
                fields=["due_on"], name="goalreminder_due_idx", condition=Q(sent_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.goal}"
