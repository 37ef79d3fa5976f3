"""The activity log: what happened in a PW and made learning visible, and its counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elements.models import in_active_language
from elements.tagging import Tagged, TaggedQuerySet
from werkplaats.models.choices import Role
from werkplaats.models.people import Person
from werkplaats.models.workplaces import Workplace


# --- Activity log -----------------------------------------------------------------------------
class Level(models.TextChoices):
    OPERATIONAL = "operational", _("operational")
    TACTICAL = "tactical", _("tactical")
    STRATEGIC = "strategic", _("strategic")


class ActivityKind(models.Model):
    """A kind of activity (workshop, intervision, ...); staff maintain the list in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive kinds stay on old activities only.")
    )

    class Meta:
        ordering = ["order", "name_nl"]
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self, "name")


class ActivityQuerySet(TaggedQuerySet):
    def visible_to(self, user) -> ActivityQuerySet:
        """Activities of the PWs the user may see (the list view narrows to one PW)."""
        return self.filter(workplace__in=Workplace.objects.visible_to(user))


class Activity(Tagged):
    """Something that happened in a PW and made learning visible."""

    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("professional workplace"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    kind = models.ForeignKey(
        ActivityKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, default=Level.OPERATIONAL
    )
    participants = models.ManyToManyField(
        Person, verbose_name=_("participants"), blank=True, related_name="activities"
    )
    boundary_objects = models.TextField(
        _("boundary objects used"),
        blank=True,
        help_text=_("Things that helped cross boundaries: a case, a protocol, a film, a tool."),
    )
    learned = models.TextField(_("what was learned or agreed"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: a save must name the version it started from (see services).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            # The list: newest first within a PW, optionally narrowed by kind or level.
            models.Index(
                fields=["workplace", "-date", "-start_time", "-id"], name="activity_wp_date_idx"
            ),
            models.Index(fields=["workplace", "kind", "-date"], name="activity_wp_kind_idx"),
            models.Index(fields=["workplace", "level", "-date"], name="activity_wp_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} · {self.title}"


class ActivityHeadcount(models.Model):
    """Unnamed participants of an activity, counted per role (e.g. 12 students)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="headcounts", verbose_name=_("activity")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    count = models.PositiveIntegerField(_("number"))

    class Meta:
        verbose_name = _("unnamed participants")
        verbose_name_plural = _("unnamed participants")
        constraints = [
            models.UniqueConstraint(fields=["activity", "role"], name="headcount_activity_role")
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.get_role_display()}"


class ActivityElementCount(models.Model):
    """The activity list's strip and total without a scan (issue 16): per PW and school year,
    how many activities carry ``element`` and ``with_element`` both. ``element ==
    with_element`` counts the activities tagged with it; both empty count all activities. The
    services keep it on every write, in the write's transaction (``activity_counts``); other
    writers (admin, imports, seeders) rebuild the PW's rows after commit."""

    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(max_length=9)
    element = models.CharField(max_length=8, blank=True)
    with_element = models.CharField(max_length=8, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workplace", "school_year", "element", "with_element"],
                name="activitycount_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.element}+{self.with_element}: {self.count}"
