"""The dashboard's live parts (issue 17: the read model out of the view): what can still
change after a cycle closed, read on every render beside the cached frozen results. The
school year's activities and goals per element against the element scores, the hard
indicators (this year and the previous yearly cycle), the self-scan, and the improvement
actions of the previous cycle with the change of their element. A constant number of
queries, whatever the history."""

from __future__ import annotations

from django.conf import settings

from elements.models import ELEMENT_CODES
from evaluations import trends
from evaluations.models import (
    CharacteristicScan,
    CycleKind,
    CycleStatus,
    EvaluationCycle,
    ImprovementAction,
    IndicatorValue,
    ScanStatus,
)
from werkplaats import activity_counts
from werkplaats.goal_services import goal_counts_per_element
from werkplaats.models import Workplace


def live_parts(
    *, workplace: Workplace, cycle: EvaluationCycle, cycles: list[EvaluationCycle],
    previous: EvaluationCycle | None,
) -> dict:  # fmt: skip
    """The template's context for the live sections of ``cycle``'s dashboard; ``cycles`` are
    the PW's cycles (newest first, as the view lists them), ``previous`` the comparable cycle
    before it (or None)."""
    closed = cycle.status == CycleStatus.CLOSED
    scores = (
        cycle.element_scores
        if closed and (cycle.respondent_count or 0) >= settings.EVALUATION_MIN_GROUP
        else None
    )
    before = previous.element_scores if previous else None
    # The activity strip's counters for the school year (kept on every write), not a count of
    # the year's tag rows on every render (36 ms at 100,000 activities).
    year = (cycle.school_year, cycle.school_year)
    activities = activity_counts.summary(workplace.pk, year, None)["per_element"]
    goals = goal_counts_per_element(workplace=workplace, school_year=cycle.school_year)
    investment = [
        {
            "code": code,
            "mean": trends.stored_mean(scores, code),
            "activities": activities.get(code, 0),
            "goals": goals.get(code, {}).get("shared", 0),
        }
        for code in ELEMENT_CODES
    ]
    deltas = {
        code: (
            trends.stored_mean(scores, code) - trends.stored_mean(before, code)
            if trends.stored_mean(scores, code) is not None
            and trends.stored_mean(before, code) is not None
            else None
        )
        for code in ELEMENT_CODES
    }
    previous_year, indicators, scans = _yearly(cycle, cycles)
    # One query whether or not there is an earlier cycle (a constant count for any history).
    actions = [
        (action, deltas.get(action.element_id))
        for action in ImprovementAction.objects.filter(
            workplace=workplace, cycle__kind=cycle.kind, cycle__opens_at__lt=cycle.opens_at
        ).select_related("owner", "organisation", "element")
        if previous and action.cycle_id == previous.pk
    ]
    return {
        "investment": investment if scores else [],
        "indicators": indicators,
        "previous_year": previous_year,
        "scans": scans,
        "scan_counts": [
            (status.label, sum(1 for s in scans if s.status == status)) for status in ScanStatus
        ],
        "actions": actions,
    }


def _yearly(cycle: EvaluationCycle, cycles: list[EvaluationCycle]):
    """A yearly cycle's hard indicators (with the previous closed yearly cycle's) and its
    self-scan: (previous yearly cycle, indicators by key, scan rows). Two queries."""
    previous_year = None
    indicators: dict = {}
    scans: list = []
    if cycle.kind == CycleKind.YEARLY:
        previous_year = next(
            (
                c
                for c in cycles
                if c.kind == CycleKind.YEARLY
                and c.opens_at < cycle.opens_at
                and c.status == CycleStatus.CLOSED
            ),
            None,
        )
        wanted = [cycle.pk] + ([previous_year.pk] if previous_year else [])
        for row in IndicatorValue.objects.filter(cycle__in=wanted):
            entry = indicators.setdefault(row.key, {"label": row.get_key_display()})
            entry["now" if row.cycle_id == cycle.pk else "before"] = row
        scans = list(
            CharacteristicScan.objects.filter(cycle=cycle).select_related("characteristic")
        )
    return previous_year, indicators, scans
