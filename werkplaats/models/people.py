"""People and their memberships of PWs, the account invitations that give them a login, and
cohort imports between their steps."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkplaats.models.choices import Language, Role
from werkplaats.models.workplaces import Workplace


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
