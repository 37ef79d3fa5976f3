"""A cycle's frozen results as the dashboard shows them (summary, response, elements, aspects,
open answers, trend), rendered once per cycle and language and kept in the cache (issue 16).

An entry holds a fingerprint of everything its HTML was rendered from: the privacy minimums,
the cycle's close and results revision (erasure and retention bump it), the cycle it is
compared with, the closed cycles of its kind that make its trend (a later close adds a row),
and the revision of the reference data (an element's wording). A read checks it, so nothing
stale is shown. A close renders the entry in every language (``warm``, a task), so the first
dashboard after a close reads it; a render finds it missing only after an eviction.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from elements import reference
from elements.models import ELEMENT_CODES
from evaluations import charts, results, trends
from evaluations.models import CycleStatus, EvaluationCycle
from werkplaats.models import Role, Workplace

logger = logging.getLogger(__name__)
CACHE_SECONDS = 7 * 24 * 3600  # an entry is checked on every read; this only bounds its stay


def cycles_of(workplace: Workplace | int):
    """A PW's cycles with results (open or closed), newest first: what the dashboard lists."""
    return (
        EvaluationCycle.objects.filter(workplace=workplace)
        .exclude(status=CycleStatus.DRAFT)
        .select_related("instrument_version__instrument")
        .order_by("-opens_at")
    )


def previous_in(cycle: EvaluationCycle, cycles: list[EvaluationCycle]) -> EvaluationCycle | None:
    """``results.previous_cycle(cycle)`` picked from ``cycles`` (all the PW's cycles with
    results) instead of asked of the database."""
    earlier = [
        c
        for c in cycles
        if c.kind == cycle.kind
        and c.status == CycleStatus.CLOSED
        and c.opens_at < cycle.opens_at
        and (c.respondent_count or 0) >= settings.EVALUATION_MIN_GROUP
    ]
    return max(earlier, key=lambda c: c.opens_at, default=None)


def fingerprint(
    cycle: EvaluationCycle, previous: EvaluationCycle | None, cycles: list[EvaluationCycle]
) -> str:
    """What the frozen HTML of ``cycle`` was rendered from (see the module's docstring)."""
    trend = [c for c in cycles if c.kind == cycle.kind and c.status == CycleStatus.CLOSED]
    return ":".join(
        str(part)
        for part in (
            settings.EVALUATION_MIN_GROUP,
            settings.EVALUATION_MIN_GROUP_TEXT,
            cycle.results_revision,
            cycle.closed_at.isoformat() if cycle.closed_at else "",
            previous.pk if previous else "",
            previous.closed_at.isoformat() if previous and previous.closed_at else "",
            ",".join(f"{c.pk}.{c.results_revision}" for c in sorted(trend, key=lambda c: c.pk)),
            reference.revision(),
        )
    )


def html(workplace: Workplace, cycle: EvaluationCycle, cycles, *, open_all: bool = False) -> str:
    """The frozen part of ``cycle``'s dashboard in the active language: from the cache when a
    closed cycle's entry still fits, else rendered (and kept, when closed). ``open_all`` (the
    print view) opens every folded section and is never cached."""
    cycles = list(cycles)
    closed = cycle.status == CycleStatus.CLOSED
    if not closed or open_all:
        return render(workplace, cycle, open_all=open_all)
    key = results.results_cache_key(cycle.pk, translation.get_language() or "")
    mark = fingerprint(cycle, previous_in(cycle, cycles), cycles)
    cached = cache.get(key)
    if cached and cached[0] == mark:
        return cached[1]
    rendered = render(workplace, cycle)
    cache.set(key, (mark, rendered), CACHE_SECONDS)
    return rendered


def warm(cycle_id: int) -> int:
    """Render a closed cycle's frozen results into the cache in every language (after its
    close, or after erasure or retention changed its open answers); the number rendered."""
    closed = EvaluationCycle.objects.filter(pk=cycle_id, status=CycleStatus.CLOSED)
    workplace = Workplace.objects.filter(cycles__in=closed).first()
    if workplace is None:
        return 0
    cycles = list(cycles_of(workplace))
    cycle = next(c for c in cycles if c.pk == cycle_id)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            html(workplace, cycle, cycles)
    return len(settings.LANGUAGES)


def warm_later(cycle_ids) -> None:
    """Queue ``warm`` for these cycles (after a commit). The broker down costs only speed:
    the first dashboard renders what the task would have."""
    from evaluations.tasks import warm_dashboard  # the tasks module imports this one

    for pk in cycle_ids:
        try:
            warm_dashboard.delay(pk)
        except Exception:  # noqa: BLE001 - a render on the next read does the same
            logger.warning("could not queue warm_dashboard(%s)", pk)


def render(workplace: Workplace, cycle: EvaluationCycle, *, open_all: bool = False) -> str:
    """The frozen part rendered now, in the active language (about ten queries)."""
    data = results.cycle_results(cycle)
    trend = trends.trend(cycle)
    breaks = trends.trend_breaks(trend)
    shown_roles = [role for role in Role if role.value in data.roles]
    # Every group that answered gets a column; a hidden one says "fewer than N responses".
    answered_roles = [role for role in Role if data.respondents.get(role.value)]
    element_rows = [
        {"result": e, "roles": [(role, e.per_role.get(role.value)) for role in answered_roles]}
        for e in data.elements
    ]
    labels = [e.element.code for e in data.elements]
    series = [(_("All respondents"), [e.score.mean for e in data.elements])] + [
        (role.label, [e.per_role[role.value].mean for e in data.elements]) for role in shown_roles
    ]
    return render_to_string(
        "evaluations/_results.html",
        {
            "workplace": workplace,
            "cycle": cycle,
            "data": data,
            "summary": results.summary(data) if data.visible else [],
            "discuss": results.to_discuss(data) if data.visible else [],
            "went_well": results.group_answers(data.went_well),
            "could_be_better": results.group_answers(data.could_be_better),
            "rates": [
                (
                    role,
                    data.invited.get(role.value, 0),
                    data.respondents.get(role.value, 0),
                    data.rate(role.value),
                    data.assisted.get(role.value),
                )
                for role in Role
                if data.invited.get(role.value)
            ],
            "shown_roles": shown_roles,
            "answered_roles": answered_roles,
            "element_rows": element_rows,
            "radar": charts.radar(labels, series) if data.visible else None,
            "trend": trend,
            "trend_chart": charts.trend_lines(
                [c.label for c, _means in trend],
                [(code, [means.get(code) for _c, means in trend]) for code in ELEMENT_CODES],
                breaks=breaks,
            ),
            "trend_breaks": sorted(
                {(trend[i - 1][0].label, trend[i][0].label) for idx in breaks.values() for i in idx}
            ),
            "broken_elements": sorted(breaks, key=ELEMENT_CODES.index),
            "element_codes": ELEMENT_CODES,
            "minimum": settings.EVALUATION_MIN_GROUP,
            "text_minimum": settings.EVALUATION_MIN_GROUP_TEXT,
            "open_all": open_all,
            "texts_withheld": data.visible and set(data.respondents) - data.speaking,
        },
    )
