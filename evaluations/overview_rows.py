"""The overview across PWs: one row per PW (its cells for a school year and its trend), built
in Python (600 cells through the template engine cost more than the rest of the page) and
kept in the cache per PW.

A row is made only from the PW's name and slug, the summaries its closed yearly cycles stored
when they closed (``element_scores``, ``respondent_count``) with their instrument version's
bands, the school year, the minimum group and the language. The cache key holds every one of
those except the stored scores, which change only with a cycle's ``results_revision``
(erasure and retention bump it) or its close (which bumps its ``version``), both in the key:
a row is never read stale, and nothing needs deleting. A page of cached rows reads no stored
scores at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from elements.models import ELEMENT_CODES
from evaluations import charts, results, trends
from evaluations.models import CycleKind, CycleStatus, EvaluationCycle
from evaluations.templatetags.results import band_label, score
from werkplaats.links import pattern

CACHE_SECONDS = 7 * 24 * 3600  # a key names everything a row is made from; this bounds its stay
# What a row is made from, besides the stored scores (read only for rows not in the cache).
FIELDS = (
    "pk",
    "workplace_id",
    "school_year",
    "version",  # bumped by every save and by the close that stored the scores
    "results_revision",
    "respondent_count",
    "instrument_version__strength_from",
    "instrument_version__concern_below",
    "instrument_version_id",
)


def rows_for(workplaces: list, year: str) -> list[dict]:
    """The overview's rows, one per PW in the order given: from the cache where a PW's row is
    there, the others built (one more query, for their stored scores) and kept. Two queries
    whatever the number of PWs, one when every row is cached."""
    closed = EvaluationCycle.objects.filter(
        workplace__in=workplaces, kind=CycleKind.YEARLY, status=CycleStatus.CLOSED
    ).order_by("opens_at")
    history: dict[int, list[dict]] = {}
    for cycle in closed.values(*FIELDS):
        history.setdefault(cycle["workplace_id"], []).append(cycle)
    minimum = settings.EVALUATION_MIN_GROUP
    keys = {wp.pk: _key(wp, history.get(wp.pk, []), year, minimum) for wp in workplaces}
    cached = cache.get_many(keys.values())
    missing = [wp for wp in workplaces if keys[wp.pk] not in cached]
    if missing:
        scores = dict(closed.filter(workplace__in=missing).values_list("pk", "element_scores"))
        links = {
            "dashboard": pattern("evaluations:dashboard", None, None),
            "results": pattern("evaluations:results", None),
        }
        built = {}
        for wp in missing:
            own = [{**c, "element_scores": scores.get(c["pk"])} for c in history.get(wp.pk, [])]
            row = build_row(wp, own, year, minimum)
            row["html"] = row_html(row, links)
            built[keys[wp.pk]] = {k: v for k, v in row.items() if k != "workplace"}
        cache.set_many(built, CACHE_SECONDS)
        cached.update(built)
    return [{**cached[keys[wp.pk]], "workplace": wp} for wp in workplaces]


def _key(workplace, own: list[dict], year: str, minimum: int) -> str:
    made_from = repr(
        (
            workplace.pk,
            workplace.slug,
            workplace.name,
            year,
            minimum,
            translation.get_language(),
            [tuple(c[f] for f in FIELDS) for c in own],
        )
    )
    return "overview-row:" + hashlib.sha256(made_from.encode()).hexdigest()


def spark_html(overall: list[tuple[str, float | None]], changed: set[int] = frozenset()) -> str:
    """A PW's trend as a small inline SVG, built here for the same reason as the cells."""
    chart = charts.trend_lines(
        [y for y, _v in overall],
        [("", [v for _y, v in overall])],
        width=160,
        height=48,
        breaks={"": set(changed)},
    )
    line = chart["lines"][0]
    label = esc("; ".join(f"{year}: {score(value)}" for year, value in overall))
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="2" class="series-0"/>' for x, y in line["dots"])
    lines = "".join(
        f'<polyline points="{esc(points)}" class="trend-line series-0"/>'
        for points in line["segments"]
    )
    w, h = chart["width"], chart["height"]
    html = (
        f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}">'
        f"{lines}{dots}</svg>"
    )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - numbers, and the label escaped


def cell_html(value: float | None, band: str, cycle: dict | None) -> str:
    """One heat-table cell's content, built here: 600 cells through the template engine
    cost more than the whole rest of the page."""
    if value is not None:
        html = f"{esc(score(value))} {esc(band_label(band))}"
    elif cycle:
        few = _("fewer than %(minimum)s responses") % {"minimum": settings.EVALUATION_MIN_GROUP}
        html = f'<span class="meta">{esc(few)}</span>'
    else:
        html = '<span class="meta">—</span>'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value is escaped


def build_row(workplace, own: list[dict], year: str, minimum: int) -> dict:
    """One PW's row of the overview: its cells for the school year (mean and band per
    element, from the summary written at close) and its overall trend line."""
    cycle = next((c for c in reversed(own) if c["school_year"] == year), None)
    enough = cycle is not None and (cycle["respondent_count"] or 0) >= minimum
    cells = []
    for code in ELEMENT_CODES:
        value = trends.stored_mean(cycle["element_scores"], code) if enough else None
        band = (
            results.band_between(
                value,
                cycle["instrument_version__strength_from"],
                cycle["instrument_version__concern_below"],
            )
            if cycle
            else ""
        )
        cells.append(
            {"code": code, "mean": value, "band": band, "html": cell_html(value, band, cycle)}
        )
    overall = [
        (
            c["school_year"],
            trends.overall_mean(c["element_scores"])
            if (c["respondent_count"] or 0) >= minimum
            else None,
        )
        for c in own
    ]
    # The overall line breaks where the instrument changed: its means are not alike.
    changed = {
        i for i in range(1, len(own))
        if own[i]["instrument_version_id"] != own[i - 1]["instrument_version_id"]
    }  # fmt: skip
    return {
        "workplace": workplace,
        "cycle_pk": cycle["pk"] if cycle else None,
        "enough": enough,
        "cells": cells,
        "trend": overall,
        "spark": spark_html(overall, changed) if overall else "",
    }


def row_html(row: dict, links: dict[str, Callable[..., str]]) -> SafeString:
    """One PW's ``<tr>`` of the overview, built here (100 rows of seven cells through the
    template engine cost a third of the page): its name linking to the year's dashboard (or
    to its results when it has none that year), the cells and the trend."""
    workplace = row["workplace"]
    if row["cycle_pk"]:
        href = links["dashboard"](workplace.slug, row["cycle_pk"])
    else:
        href = links["results"](workplace.slug)
    cells = "".join(
        f'<td class="heat-cell band-bg-{esc(cell["band"] or "none")}">{cell["html"]}</td>'
        for cell in row["cells"]
    )
    name = f'<a href="{esc(href)}">{esc(workplace.name)}</a>'
    html = f'<tr><th scope="row">{name}</th>{cells}<td>{row["spark"]}</td></tr>'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - names escaped, cells built safe
