"""Across cycles: the per-element means of a PW's closed cycles (one query, read from the
summaries written at close, so it does not grow with history) and where a trend line breaks
because the statements changed."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from elements.models import ELEMENT_CODES
from evaluations.models import CycleStatus, EvaluationCycle, Item
from evaluations.results import item_code, wording


def stored_mean(scores: dict | None, code: str) -> float | None:
    """An element's mean from a closed cycle's stored ``element_scores``."""
    weighted, answered = (scores or {}).get(code, (0, 0))
    return weighted / answered if answered else None


def overall_mean(scores: dict | None) -> float | None:
    """All answers of a closed cycle together (every element weighted by its answers)."""
    values = (scores or {}).values()
    answered = sum(n for _w, n in values)
    return sum(w for w, _n in values) / answered if answered else None


def trend(cycle: EvaluationCycle) -> list[tuple[EvaluationCycle, dict[str, float | None]]]:
    """Per closed cycle of the same kind (oldest first): the mean of each element, or None
    when fewer than the minimum responded. One query, whatever the number of years: it reads
    the summaries written when each cycle closed."""
    minimum = settings.EVALUATION_MIN_GROUP
    cycles = EvaluationCycle.objects.filter(
        workplace=cycle.workplace_id, kind=cycle.kind, status=CycleStatus.CLOSED
    ).order_by("opens_at")
    return [
        (
            c,
            {
                code: stored_mean(c.element_scores, code)
                if (c.respondent_count or 0) >= minimum
                else None
                for code in ELEMENT_CODES
            },
        )
        for c in cycles
    ]


def trend_breaks(trend_rows) -> dict[str, set[int]]:
    """{element code: indices into ``trend_rows`` where the element's statements differ from
    the cycle before (another instrument version with a statement added, removed or
    reworded)}: the trend line of that element breaks there. One query, and none while every
    cycle used the same version."""
    versions = [c.instrument_version_id for c, _means in trend_rows]
    if len(set(versions)) < 2:
        return {}
    statements: dict[tuple[int, str], set] = defaultdict(set)
    for item in Item.objects.filter(version__in=set(versions)):
        statements[(item.version_id, item.element_id)].add((item_code(item), wording(item)))
    breaks: dict[str, set[int]] = defaultdict(set)
    for i in range(1, len(versions)):
        if versions[i] == versions[i - 1]:
            continue
        for code in ELEMENT_CODES:
            if statements[(versions[i], code)] != statements[(versions[i - 1], code)]:
                breaks[code].add(i)
    return dict(breaks)
