"""The activity strip's counters (issue 16): whatever the app writes, the list's total and strip
read from them equal a count of the rows, for every filter they answer; other writers are put
right by a recount (the hook, the nightly task, the migration)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from elements.models import ELEMENT_CODES
from tests.factories import ActivityFactory, WorkplaceFactory, member_user
from werkplaats import activity_counts
from werkplaats.forms import ActivityFilterForm
from werkplaats.models import Activity, ActivityElementCount, ActivityKind, Role, school_year_bounds
from werkplaats.services import (
    ActivityValues,
    create_activity,
    delete_activity,
    update_activity,
)

pytestmark = pytest.mark.django_db

DATES = [dt.date(2024, 10, 1), dt.date(2025, 8, 31), dt.date(2025, 9, 1), dt.date(2026, 3, 1)]
YEARS = ["2024-2025", "2025-2026"]
TAGS = st.lists(st.sampled_from([*ELEMENT_CODES, "LOS-2", "VOR-1"]), max_size=4, unique=True)


def scanned(workplace, years, element):
    """What the list showed before the counters: a count of the selected rows."""
    activities = Activity.objects.filter(workplace=workplace)
    first, last = years
    if first:
        activities = activities.filter(date__gte=school_year_bounds(first)[0])
    if last:
        activities = activities.filter(date__lte=school_year_bounds(last)[1])
    if element:
        activities = activities.tagged_with(element)
    return {"total": activities.count(), "per_element": activities.count_per_element()}


def every_counted_filter():
    for years in [(None, None), *((y, y) for y in YEARS), (YEARS[1], None), (None, YEARS[0])]:
        for element in [None, *ELEMENT_CODES]:
            yield years, element


def assert_counters_match(workplace):
    for years, element in every_counted_filter():
        counted = activity_counts.summary(workplace.pk, years, element)
        assert counted == scanned(workplace, years, element), (years, element)


def values(date, tags, kind):
    return ActivityValues(date=date, kind=kind, title="Intervisie", level="operational", tags=tags)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(DATES), TAGS),
        st.tuples(st.just("update"), st.integers(0, 5), st.sampled_from(DATES), TAGS),
        st.tuples(st.just("delete"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=8,
)


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(operations=OPERATIONS)
def test_the_counters_equal_a_count_after_any_writes_through_the_services(operations):
    workplace = WorkplaceFactory()
    user = member_user(workplace, Role.BRIDGE_BUILDER)
    kind = ActivityKind.objects.get(code="intervision")
    for operation in operations:
        existing = list(Activity.objects.filter(workplace=workplace).order_by("pk"))
        if operation[0] == "create":
            _, date, tags = operation
            create_activity(workplace=workplace, by=user, values=values(date, tags, kind))
        elif existing and operation[0] == "update":
            _, index, date, tags = operation
            activity = existing[index % len(existing)]
            update_activity(
                activity=activity,
                values=values(date, tags, kind),
                expected_version=activity.version,
            )
        elif existing and operation[0] == "delete":
            delete_activity(activity=existing[operation[1] % len(existing)])
        assert_counters_match(workplace)


def test_a_recount_puts_right_what_bypassed_the_services():
    workplace = WorkplaceFactory()
    activity = ActivityFactory(workplace=workplace, date=DATES[0], tags=["LOS", "GOC-1"])
    ActivityFactory(workplace=workplace, date=DATES[2], tags=["VOR"])
    assert_counters_match(workplace)
    activity.elements.set(["SRI"])  # behind the services' back
    Activity.objects.filter(pk=activity.pk).update(date=DATES[3])
    assert activity_counts.summary(workplace.pk, (None, None), "SRI")["total"] == 0  # stale
    activity_counts.rebuild(workplace.pk)
    assert_counters_match(workplace)


def test_the_nightly_task_recounts_every_workplace():
    from werkplaats.tasks import recount_activity_strips

    workplaces = [WorkplaceFactory(), WorkplaceFactory()]
    for workplace in workplaces:
        ActivityFactory(workplace=workplace, date=DATES[1], tags=["LeA"])
    ActivityElementCount.objects.all().delete()
    assert recount_activity_strips() == WorkplaceFactory._meta.model.objects.count()
    for workplace in workplaces:
        assert_counters_match(workplace)


@pytest.mark.parametrize(
    ("query", "counted"),
    [
        ("", ((None, None), None)),
        ("date_from=2025-09-01", (("2025-2026", None), None)),
        (
            "date_from=2025-09-01&date_to=2026-08-31&element=LOS",
            (("2025-2026", "2025-2026"), "LOS"),
        ),
        ("date_from=2025-09-02", None),
        ("date_to=2026-08-30", None),
        ("element=LOS-2", ((None, None), None)),  # not a choice: no filter at all applies
        ("level=strategic", None),
    ],
)
def test_which_filters_the_counters_answer(query, counted):
    from django.http import QueryDict

    workplace = WorkplaceFactory()
    filters = ActivityFilterForm(QueryDict(query) or None, workplace=workplace)
    assert filters.counted() == counted
