"""Small formatting helpers for result pages: scores, changes and band words."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def score(value) -> str:
    """A mean with one decimal in the active language's notation, or an em dash."""
    from evaluations.results import shown

    return shown(value)


_BAND_LABELS: dict[tuple[str, str], str] = {}


@register.simple_tag
def band_label(band: str):
    """The band in words with a shape, so it never depends on colour alone (built once per
    band and language: the overview shows 600)."""
    key = (get_language(), band)
    if key not in _BAND_LABELS:
        _BAND_LABELS[key] = _band_label(band)
    return _BAND_LABELS[key]


def _band_label(band: str):
    labels = {
        "strength": ("▲", _("strength")),
        "discuss": ("●", _("worth discussing")),
        "concern": ("▼", _("concern")),
    }
    if band not in labels:
        return ""
    shape, word = labels[band]
    return format_html(
        '<span class="band band-{}"><span aria-hidden="true">{}</span> {}</span>', band, shape, word
    )


@register.simple_tag
def change(delta):
    """+0.3 ↑ / −0.2 ↓ / "unchanged" when it rounds to 0.0, with words for screen readers."""
    from evaluations.results import shown, unchanged

    if delta is None:
        return format_html('<span class="change">{}</span>', _("no earlier cycle"))
    if unchanged(delta):
        return format_html('<span class="change change-same">= {}</span>', _("unchanged"))
    up = delta > 0
    return format_html(
        '<span class="change change-{}"><span aria-hidden="true">{}</span> {}{} '
        '<span class="visually-hidden">{}</span></span>',
        "up" if up else "down",
        "↑" if up else "↓",
        "+" if up else "−",
        shown(abs(delta)),
        _("higher") if up else _("lower"),
    )


@register.filter
def stack(aspect) -> list[dict]:
    """The segments of an aspect's stacked 1–5 bar."""
    from evaluations.charts import stacked

    return stacked(aspect.percentages())


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def agenda_summary(workplace) -> dict:
    """{"open": n}: the PW's improvement actions still planned or running (one query), for
    the PW home of the core app (which never imports this app)."""
    from evaluations.models import ActionStatus, ImprovementAction

    return {
        "open": ImprovementAction.objects.filter(
            workplace=workplace, status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING]
        ).count()
    }
