"""Tallies: how often each answer (0 = don't know, 1..5) was given to each item by each role.

A closed cycle's tallies are written once when it closes (``tally_cycle``: ``ItemTally`` rows and
the cycle's per-element summary, the one write of the results); an open cycle's are counted
live in one aggregate query. ``evaluations.results`` reads them, with the privacy rules.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count

from evaluations.models import Answer, EvaluationCycle, Item, ItemTally, Response

VALUES = (0, 1, 2, 3, 4, 5)
Counts = list[int]  # six numbers: how often 0 (don't know), 1, ..., 5 was answered


def _empty() -> Counts:
    return [0] * 6


def mean(counts: Counts) -> float | None:
    """The mean of the 1..5 answers; "don't know" is excluded. None without any answer."""
    answered = sum(counts[1:])
    if not answered:
        return None
    return sum(value * counts[value] for value in range(1, 6)) / answered


# --- Tallies ---------------------------------------------------------------------------------
def tally_cycle(cycle: EvaluationCycle) -> int:
    """Store the cycle's tallies (replacing earlier ones); run when it closes. One INSERT of
    aggregated rows, computed by the database."""
    rows = _live_tallies([cycle.pk])
    elements = dict(
        Item.objects.filter(version=cycle.instrument_version_id).values_list("pk", "element")
    )
    scores: dict[str, list[int]] = {}
    for (_cycle, _role, item_id), c in rows.items():
        score = scores.setdefault(elements[item_id], [0, 0])
        score[0] += sum(value * c[value] for value in range(1, 6))
        score[1] += sum(c[1:])
    respondents = Response.objects.filter(cycle=cycle, submitted_at__isnull=False).count()
    with transaction.atomic():
        ItemTally.objects.filter(cycle=cycle).delete()
        ItemTally.objects.bulk_create(
            ItemTally(
                cycle_id=cycle_id, role=role, item_id=item_id, **{f"n{v}": c[v] for v in VALUES}
            )
            for (cycle_id, role, item_id), c in rows.items()
        )
        EvaluationCycle.objects.filter(pk=cycle.pk).update(
            respondent_count=respondents, element_scores=scores
        )
    cycle.respondent_count, cycle.element_scores = respondents, scores
    return len(rows)


def _live_tallies(cycle_ids: list[int]) -> dict[tuple[int, str, int], Counts]:
    rows = (
        Answer.objects.filter(response__cycle__in=cycle_ids, response__submitted_at__isnull=False)
        .values("response__cycle", "response__role", "item", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tallies: dict[tuple[int, str, int], Counts] = defaultdict(_empty)
    for row in rows:
        key = (row["response__cycle"], row["response__role"], row["item"])
        tallies[key][row["value"]] += row["n"]
    return tallies


def tallies_for(cycle_ids: list[int], closed_ids: set[int]) -> dict[tuple[int, str, int], Counts]:
    """Stored tallies for closed cycles, live ones for the rest (at most two queries)."""
    tallies: dict[tuple[int, str, int], Counts] = {}
    stored = [pk for pk in cycle_ids if pk in closed_ids]
    if stored:
        for t in ItemTally.objects.filter(cycle__in=stored).values_list(
            "cycle", "role", "item", "n0", "n1", "n2", "n3", "n4", "n5"
        ):
            tallies[(t[0], t[1], t[2])] = list(t[3:])
    live = [pk for pk in cycle_ids if pk not in closed_ids]
    if live:
        tallies.update(_live_tallies(live))
    return tallies
