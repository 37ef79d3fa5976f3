"""Read helpers shared by views: aggregates computed in the database, never in loops."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, QuerySet
from django.utils import timezone

from werkplaats.models import Membership, Role, Workplace


def role_counts(workplaces: QuerySet[Workplace] | list[Workplace], *, on: dt.date | None = None):
    """Current people per role for each PW, in one query: {workplace_id: {role: count}}.

    A person holding a role twice (two overlapping periods cannot exist, see Membership.clean)
    counts once; a person with two roles counts in both.
    """
    ids = [wp.pk for wp in workplaces]
    rows = (
        Membership.objects.current(on or timezone.localdate())
        .filter(workplace_id__in=ids)
        .values("workplace_id", "role")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["workplace_id"]][row["role"]] = row["people"]
    return counts


def people_counts(workplaces: QuerySet[Workplace] | list[Workplace], *, on: dt.date | None = None):
    """Distinct current people per PW, in one query: {workplace_id: count}."""
    ids = [wp.pk for wp in workplaces]
    rows = (
        Membership.objects.current(on or timezone.localdate())
        .filter(workplace_id__in=ids)
        .values("workplace_id")
        .annotate(people=Count("person", distinct=True))
        .order_by()
    )
    return {row["workplace_id"]: row["people"] for row in rows}


def role_table(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(role code, label, count) for every role, in the fixed role order, zeros included."""
    return [(role.value, role.label, counts.get(role.value, 0)) for role in Role]
