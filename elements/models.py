"""The LOS model as reference data: six elements, their aspects, the nine PW characteristics.

Rows come from data migrations and carry stable codes (``LOS``, ``LOS-1``, characteristic 1..9)
that other tables, exports and evaluation items rely on. The admin may correct wording but never
add, delete or recode a row. Texts are stored in Dutch and English; ``name``, ``text`` and
friends pick the active language.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The stable codes, in display order. Other apps may use these without a query.
ELEMENT_CODES: tuple[str, ...] = ("LOS", "GOC", "SRI", "VMM", "LeA", "VOR")


def in_active_language(obj, field: str) -> str:
    """``obj.<field>_en`` when English is active (if filled), else ``obj.<field>_nl``."""
    language = (get_language() or "nl")[:2]
    value = getattr(obj, f"{field}_en" if language == "en" else f"{field}_nl")
    return value or getattr(obj, f"{field}_nl")


class ElementGroup(models.TextChoices):
    CORE = "core", _("core")
    INSTRUMENTAL = "instrumental", _("instrumental support")
    INTERPERSONAL = "interpersonal", _("interpersonal support")


class Element(models.Model):
    """One of the six elements of the LOS model."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    explanation_nl = models.TextField(_("explanation (Dutch)"))
    explanation_en = models.TextField(_("explanation (English)"))
    group = models.CharField(_("group"), max_length=16, choices=ElementGroup.choices)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        help_text=_("A dark colour (#rrggbb): white text on it must keep a contrast of 4.5:1."),
    )
    plain_name_nl = models.CharField(
        _("plain name (Dutch)"),
        max_length=120,
        blank=True,
        help_text=_(
            "The title clients read in the questionnaire: plain language (B1), no code. "
            "Empty: the name is shown."
        ),
    )
    plain_name_en = models.CharField(
        _("plain name (English)"),
        max_length=120,
        blank=True,
        help_text=_(
            "The title clients read in the questionnaire: plain language (B1), no code. "
            "Empty: the name is shown."
        ),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("element")
        verbose_name_plural = _("elements")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def name(self) -> str:
        return in_active_language(self, "name")

    @property
    def explanation(self) -> str:
        return in_active_language(self, "explanation")

    @property
    def plain_name(self) -> str:
        """The plain-language (B1) title in the active language, else the official name.

        Unlike ``in_active_language`` this does not fall back to the Dutch plain title when
        English is active: an English reader gets the English name rather than Dutch words.
        """
        language = (get_language() or "nl")[:2]
        plain = self.plain_name_en if language == "en" else self.plain_name_nl
        return plain or self.name

    def title_for(self, role: str) -> str:
        """The plain title for clients, the official name for everyone else (as
        ``Item.wording_for``)."""
        from evaluations.models import PLAIN_LANGUAGE_ROLES  # evaluations depends on elements

        return self.plain_name if role in PLAIN_LANGUAGE_ROLES else self.name


class Aspect(models.Model):
    """An aspect of an element: the basis of evaluation items and of fine-grained tagging."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    element = models.ForeignKey(
        Element, verbose_name=_("element"), on_delete=models.PROTECT, related_name="aspects"
    )
    text_nl = models.CharField(_("text (Dutch)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["element__order", "order"]
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        constraints = [
            models.UniqueConstraint(fields=["element", "order"], name="aspect_element_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.text}"

    @property
    def text(self) -> str:
        return in_active_language(self, "text")


class Characteristic(models.Model):
    """One of the nine characteristics a PW can be checked against."""

    number = models.PositiveSmallIntegerField(_("number"), primary_key=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"))
    description_en = models.TextField(_("description (English)"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("PW characteristic")
        verbose_name_plural = _("PW characteristics")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return in_active_language(self, "title")

    @property
    def description(self) -> str:
        return in_active_language(self, "description")
