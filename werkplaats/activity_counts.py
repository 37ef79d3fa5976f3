"""Counters for the activity list's strip and total (issue 16), kept on write.

Without them, the first list render after any write scanned every tag row of the PW (about
230 ms of SQL at 100,000 activities). ``ActivityElementCount`` holds, per PW and school year,
the number of activities with each pair of elements (and all activities). The services change
them in the write's own transaction by the difference between an activity's old and new
(school year, elements); writers that bypass the services (the admin, imports, seeders) call
``rebuild`` for the PW after they commit. The list reads them when its filters are whole school
years and at most an element (the default list, "this school year", element + school year);
any other filter still counts the selected rows (cached, ``services.activity_summary``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.db.models.functions import ExtractMonth, ExtractYear

from elements.models import ELEMENT_CODES
from werkplaats.models import Activity, ActivityElementCount, school_year_of

ALL = ""  # the element code of the "all activities" row

State = tuple[str, frozenset[str]]  # (school year, element codes) of one activity


def state_of(activity: Activity) -> State:
    """The activity's school year and elements as stored now (one query)."""
    codes = frozenset(activity.elements.values_list("code", flat=True))
    return school_year_of(activity.date), codes


def _keys(state: State) -> Iterable[tuple[str, str, str]]:
    year, codes = state
    yield year, ALL, ALL
    for a in codes:
        for b in codes:
            yield year, a, b


def apply(workplace_id: int, old: State | None, new: State | None) -> None:
    """Move the counters from an activity's old state to its new one (None: it did not exist
    before, or does not any more). Call inside the write's transaction."""
    delta: Counter = Counter()
    if old is not None:
        delta.subtract(_keys(old))
    if new is not None:
        delta.update(_keys(new))
    changes = {key: n for key, n in delta.items() if n}
    if not changes:
        return
    ActivityElementCount.objects.bulk_create(
        [
            ActivityElementCount(
                workplace_id=workplace_id, school_year=y, element=a, with_element=b
            )
            for y, a, b in changes
        ],
        ignore_conflicts=True,
    )
    by_step: dict[int, Q] = {}
    for (year, a, b), step in changes.items():
        key = Q(school_year=year, element=a, with_element=b)
        by_step[step] = by_step[step] | key if step in by_step else key
    for step, keys in by_step.items():
        ActivityElementCount.objects.filter(keys, workplace_id=workplace_id).update(
            count=F("count") + step
        )


def _school_year_start():
    """The first calendar year of an activity's school year, in SQL (September starts it)."""
    return Case(
        When(month__gte=9, then=F("year")),
        default=F("year") - 1,
        output_field=IntegerField(),
    )


def rebuild(workplace_id: int, *, activity_model=Activity, count_model=ActivityElementCount):
    """Count the PW's activities afresh (two grouped queries) and replace its rows. The models
    are parameters so the data migration can call it with its historical ones."""
    activities = activity_model.objects.filter(workplace_id=workplace_id).annotate(
        year=ExtractYear("date"), month=ExtractMonth("date")
    )
    totals = activities.annotate(start=_school_year_start()).values("start").annotate(
        n=Count("pk")
    )  # fmt: skip
    through = activity_model.elements.through
    pairs = (
        through.objects.filter(activity__workplace_id=workplace_id)
        .annotate(year=ExtractYear("activity__date"), month=ExtractMonth("activity__date"))
        .annotate(start=_school_year_start())
        .values("start", "element_id", "activity__elements")
        .annotate(n=Count("activity_id"))
        .order_by()
    )
    rows = [
        count_model(
            workplace_id=workplace_id,
            school_year=_label(t["start"]),
            element=ALL,
            with_element=ALL,
            count=t["n"],
        )  # fmt: skip
        for t in totals.order_by()
    ] + [
        count_model(
            workplace_id=workplace_id,
            school_year=_label(p["start"]),
            element=p["element_id"],
            with_element=p["activity__elements"],
            count=p["n"],
        )  # fmt: skip
        for p in pairs
    ]
    with transaction.atomic():
        count_model.objects.filter(workplace_id=workplace_id).delete()
        count_model.objects.bulk_create(rows)


def _label(start: int) -> str:
    return f"{start}-{start + 1}"


Years = tuple[str | None, str | None]  # first and last school year, None meaning open


def whole_years(date_from: dt.date | None, date_to: dt.date | None) -> Years | None:
    """The school years a date filter covers when it runs from a school year's first day (or
    from the start) to a school year's last day (or on): (first, last), None meaning open.
    None when the filter cuts a school year."""
    if date_from and (date_from.month, date_from.day) != (9, 1):
        return None
    if date_to and (date_to.month, date_to.day) != (8, 31):
        return None
    first = school_year_of(date_from) if date_from else None
    last = school_year_of(date_to) if date_to else None
    return first, last


def summary(workplace_id: int, years: Years, element: str | None) -> dict:
    """{"total": n, "per_element": {code: n}} from the counters (one grouped query): all
    activities in the school years, or those tagged with ``element``."""
    rows = ActivityElementCount.objects.filter(workplace_id=workplace_id)
    first, last = years
    if first:
        rows = rows.filter(school_year__gte=first)
    if last:
        rows = rows.filter(school_year__lte=last)
    if element:
        rows = rows.filter(element=element)
    else:
        rows = rows.filter(Q(element=ALL) | Q(element=F("with_element")))
    per_element = dict.fromkeys(ELEMENT_CODES, 0)
    total = 0
    for row in rows.values("with_element").annotate(n=Sum("count")).order_by():
        if row["with_element"] == ALL:
            total = row["n"]
        else:
            per_element[row["with_element"]] = row["n"]
    if element:
        total = per_element.get(element, 0)
    return {"total": total, "per_element": per_element}
