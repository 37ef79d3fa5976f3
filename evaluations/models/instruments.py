"""Instruments: the questionnaires, their versions and their statements."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elements.models import Aspect, Element, in_active_language
from werkplaats.models import Role

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
        return self.responses.exists()


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
