"""The core domain: people, organisations, professional workplaces (PW) and memberships."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from elements.models import in_active_language
from elements.tagging import Tagged, TaggedQuerySet


# --- Accounts ---------------------------------------------------------------------------------
class UserManager(BaseUserManager):
    """Users log in with their email address."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A login. The person behind it (name, roles) is a ``Person``; clients often have none."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    # Part of the session hash: raising it ends every session of this user (logout does).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session hash (password-based) plus the session epoch."""
        return salted_hmac(
            "werkplaats.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def end_all_sessions(self) -> None:
        """Invalidate every session of this user, on every device."""
        User.objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])

    def get_full_name(self) -> str:
        person = getattr(self, "person", None)
        return person.name if person else self.email

    def get_short_name(self) -> str:
        return self.get_full_name()


# --- Reference choices ------------------------------------------------------------------------
class Role(models.TextChoices):
    """The six roles people hold in a PW (see DOMAIN.md, stakeholders)."""

    STUDENT = "student", _("student")
    PROFESSIONAL = "professional", _("professional")
    BRIDGE_BUILDER = "bridge_builder", _("bridge-builder")
    SUPPORTER = "supporter", _("supporter")
    CLIENT = "client", _("client / experience expert")
    MANAGER = "manager", _("manager")


class OrganisationKind(models.TextChoices):
    HIGHER_EDUCATION = "higher_education", _("higher-education institution")
    PUBLIC = "public", _("public organisation")
    OTHER = "other", _("other")


class Sector(models.TextChoices):
    YOUTH_CARE = "youth_care", _("youth care")
    REHABILITATION = "rehabilitation", _("rehabilitation")
    PUBLIC_HEALTH = "public_health", _("public health")
    SOCIAL_CARE = "social_care", _("social care")
    OTHER = "other", _("other")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


# --- Organisations and workplaces -------------------------------------------------------------
class Organisation(models.Model):
    """A partner organisation: a hogeschool, a public (care) organisation or another party."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class WorkplaceQuerySet(models.QuerySet):
    def visible_to(self, user) -> WorkplaceQuerySet:
        """The PWs a user may open: current memberships, research grants; staff see all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self.all()
        today = timezone.localdate()
        member_of = Membership.objects.current(today).filter(person__user=user)
        granted = ResearchGrant.objects.current(today).filter(user=user)
        # One query: a grant without a workplace opens every PW.
        return self.filter(
            Q(pk__in=member_of.values("workplace_id"))
            | Q(pk__in=granted.exclude(workplace=None).values("workplace_id"))
            | Q(Exists(granted.filter(workplace=None)))
        )


class Workplace(models.Model):
    """A professionele werkplaats (PW): a durable partnership located in practice."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in web addresses"), max_length=80, unique=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    started_on = models.DateField(_("started on"))
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partner organisations"),
        related_name="workplaces",
        blank=True,
    )

    objects = WorkplaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("professional workplace")
        verbose_name_plural = _("professional workplaces")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("werkplaats:workplace-detail", kwargs={"slug": self.slug})

    def missing_partner_kinds(self) -> list[str]:
        """Partner kinds characteristic 1 requires but this PW lacks (uses prefetched partners)."""
        kinds = {partner.kind for partner in self.partners.all()}
        required = [OrganisationKind.HIGHER_EDUCATION, OrganisationKind.PUBLIC]
        return [kind for kind in required if kind not in kinds]

    def is_partnership_complete(self) -> bool:
        return not self.missing_partner_kinds()


# --- People -----------------------------------------------------------------------------------
class Person(models.Model):
    """Somebody taking part in one or more PW; may or may not have a user account."""

    name = models.CharField(_("name"), max_length=200)
    # NULL, not "", means "no email": the unique constraint below then ignores people without one.
    email = models.EmailField(_("email address"), blank=True, null=True)  # noqa: DJ001
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.DUTCH
    )
    # The mail server refused the address for good (shown to the PW's bridge-builder).
    email_bounced_at = models.DateTimeField(
        _("e-mail refused on"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # Email is optional (clients often have none) but unique, whatever its case.
            models.UniqueConstraint(
                Lower("email"),
                name="person_email_ci_unique",
                condition=Q(email__isnull=False),
                violation_error_message=_("Another person already uses this email address."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A new address is worth trying again: the refusal was about the old one.
        loaded = self.__dict__.get("_loaded_email", self.__dict__.get("email"))
        if self.email_bounced_at and loaded != self.__dict__.get("email", loaded):
            self.email_bounced_at = None
        super().save(*args, **kwargs)
        if "email" in self.__dict__:
            self._loaded_email = self.email

    def clean(self) -> None:
        super().clean()
        if self.email == "":
            self.email = None  # blank means "no email", never a duplicate of another blank
        if self.email:
            self.email = self.email.strip().lower()

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        if "email" in person.__dict__:  # a deferred address is not loaded for this
            person._loaded_email = person.email
        return person


def in_force(start: dt.date, end: dt.date | None = None, prefix: str = "") -> Q:
    """The one definition of a membership in force: on ``start`` (a day), or at some time
    from ``start`` to ``end`` (a period, both days included): started by then and not ended
    before. ``prefix`` reaches it through a relation (``"memberships__"``)."""
    return Q(**{f"{prefix}starts_on__lte": end or start}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": start})
    )


class MembershipQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> MembershipQuerySet:
        """Memberships in force on a date (today by default): started and not yet ended."""
        return self.filter(in_force(on or timezone.localdate()))

    def during(self, start: dt.date, end: dt.date) -> MembershipQuerySet:
        """Memberships in force at some time in a period (a school year, say)."""
        return self.filter(in_force(start, end))


class Membership(models.Model):
    """A person holding one role in one PW for a period. One person may hold many."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("professional workplace"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty while the role continues.")
    )
    # The school-year end (31 August) for which a bridge-builder decided in the rollover what
    # happens to this membership: it is not asked about again for that year.
    rollover_decided = models.DateField(null=True, blank=True, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["workplace", "role", "person__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # The full no-overlap rule is in clean() and the admin formset; this catches the
            # commonest duplicate (same start) even when both arrive at once.
            models.UniqueConstraint(
                fields=["person", "workplace", "role", "starts_on"],
                name="membership_unique_start",
                violation_error_message=_(
                    "This person already holds this role in this workplace from that date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
        ]
        indexes = [
            # "Current members of this PW by role" and "my PWs" are the hot filters.
            models.Index(fields=["workplace", "role", "starts_on"], name="membership_wp_role_idx"),
            models.Index(fields=["person", "starts_on"], name="membership_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.workplace}"

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    def clean(self) -> None:
        super().clean()
        if not (self.person_id and self.workplace_id and self.role and self.starts_on):
            return
        overlapping = Membership.objects.filter(
            person_id=self.person_id, workplace_id=self.workplace_id, role=self.role
        ).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
        if self.ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=self.ends_on)
        if overlapping.exists():
            raise ValidationError(
                _("This person already holds this role in this workplace during that period.")
            )


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("could not be delivered")
    # Left "sending" past the stale-claim window a second time (after its one resend): it may
    # have arrived, or not; never sent again (``account_invitations.settle_stale_claims``).
    UNCERTAIN = "uncertain", _("uncertain")


class AccountInvitationQuerySet(models.QuerySet):
    def usable(self, now: dt.datetime | None = None) -> AccountInvitationQuerySet:
        """Invitations whose link still works: not used, not revoked, not expired."""
        now = now or timezone.now()
        return self.filter(used_at=None, revoked_at=None, expires_at__gt=now)


class AccountInvitation(models.Model):
    """An invitation to set a password and log in: one row per link, which is also the mail's
    ledger row (claimed with a conditional UPDATE before sending, as the evaluation mails).
    Only the SHA-256 hash of the link's token is stored; the link works once, for 7 days,
    and not after it was revoked or replaced. A claim left by a sender that died mid-send is
    settled, never taken over: resent once (``uncertain_at``), then "uncertain"."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="account_invitations")
    workplace = models.ForeignKey(
        Workplace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The link of a mail that may have arrived before its sender died (an uncertain case):
    # the one resend carries a fresh link, and this one keeps working next to it.
    earlier_token_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    # When its sender was first found dead mid-send: an uncertain case, resent at most once.
    uncertain_at = models.DateTimeField(null=True, blank=True)

    objects = AccountInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("account invitation")
        verbose_name_plural = _("account invitations")
        indexes = [
            # The members page asks, per person, for the newest usable invitation.
            models.Index(fields=["person", "-created_at"], name="accountinv_person_idx"),
            # The sender looks for rows to send.
            models.Index(
                fields=["status"],
                name="accountinv_pending_idx",
                condition=Q(status="pending"),
            ),
            # A link that was resent in an uncertain case is looked up by its earlier hash too.
            models.Index(fields=["earlier_token_hash"], name="accountinv_earlier_idx"),
        ]

    def __str__(self) -> str:
        return f"account invitation #{self.pk}"


class CohortImport(models.Model):
    """An uploaded cohort file between its steps (map the columns, preview, import): the
    file's cells, not the file. Deleted once imported or cancelled, and after a day."""

    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    table = models.JSONField()
    mapping = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"cohort import #{self.pk}"


# --- Research access --------------------------------------------------------------------------
class ResearchGrantQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> ResearchGrantQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))


class ResearchGrant(models.Model):
    """Read access for a researcher to aggregated results of one PW, or of all (no PW)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.CASCADE,
        related_name="research_grants",
    )
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("professional workplace"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="research_grants",
        help_text=_("Leave empty to grant access to all workplaces."),
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    objects = ResearchGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("research access")
        verbose_name_plural = _("research access")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workplace"],
                name="researchgrant_user_workplace_unique",
                condition=Q(workplace__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user"],
                name="researchgrant_user_all_unique",
                condition=Q(workplace__isnull=True),
                violation_error_message=_("This user already has access to all workplaces."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.workplace or _("all workplaces")
        return f"{self.user} · {scope}"


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


class AuditEvent(models.Model):
    """Who did what to whose personal data, when (UTC): views of pages with clients' data,
    exports, erasures and failed logins. Ids only: never names, e-mail addresses or tokens."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=40)
    workplace_id = models.PositiveIntegerField(_("workplace"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object"), max_length=40, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["action", "at"], name="audit_action_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


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
