"""Organisations, professional workplaces (PW) and research access to them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkplaats.models.choices import OrganisationKind, Sector


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
        """The PWs a user may open: the policy's answer (current memberships, research
        grants; staff see all), so "who sees which PW" is defined once."""
        # Imported here: the policy imports these models.
        from werkplaats import policy

        return policy.workplaces_where(user, policy.Action.VIEW_WORKPLACE, within=self)


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
        return self.lacking({partner.kind for partner in self.partners.all()})

    @staticmethod
    def lacking(kinds: set[str]) -> list[str]:
        """Of the partner kinds characteristic 1 requires, those not among ``kinds``."""
        required = [OrganisationKind.HIGHER_EDUCATION, OrganisationKind.PUBLIC]
        return [kind for kind in required if kind not in kinds]

    def is_partnership_complete(self) -> bool:
        return not self.missing_partner_kinds()


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
