"""Read helpers shared by views: aggregates computed in the database, never in loops."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from elements.tagging import TagSelection
from werkplaats import activity_counts
from werkplaats.models import (
    Activity,
    ActivityHeadcount,
    ActivityKind,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Workplace,
)
from werkplaats.values import KEEP, Keep, RowValues
from werkplaats.versioning import EditConflict, save_versioned  # noqa: F401 - re-exported


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


@dataclass(frozen=True)
class Evidence:
    """What the data says about one PW characteristic."""

    status: str  # "met", "not_met" or "self_scan" (no automatic evidence)
    facts: list[str]


def characteristic_evidence(
    workplace: Workplace, partners: list[Organisation]
) -> dict[int, Evidence]:
    """Automatic evidence for characteristics 1, 4, 5 and 8 (three queries in all).

    1: a higher-education institution and a public organisation among the partners.
    4: current students, professionals and clients.
    5: the share of students among the current people (shown; the team judges "relatively many").
    8: a current bridge-builder and a role model; the application knows no separate role-model
       role, so it asks for a bridge-builder and a manager (the model's role models, LeA-3).
    """
    counts = role_counts([workplace]).get(workplace.pk, {})
    people = people_counts([workplace]).get(workplace.pk, 0)
    kinds = {partner.kind for partner in partners}
    evidence: dict[int, Evidence] = {}

    hei = [p.name for p in partners if p.kind == OrganisationKind.HIGHER_EDUCATION]
    public = [p.name for p in partners if p.kind == OrganisationKind.PUBLIC]
    evidence[1] = Evidence(
        "met"
        if {OrganisationKind.HIGHER_EDUCATION, OrganisationKind.PUBLIC} <= kinds
        else "not_met",
        [
            _("Higher-education institutions: %(names)s")
            % {"names": ", ".join(hei) or _("none recorded")},
            _("Public organisations: %(names)s")
            % {"names": ", ".join(public) or _("none recorded")},
        ],
    )

    open_roles = {
        Role.STUDENT: _("Current students: %(count)s"),
        Role.PROFESSIONAL: _("Current professionals: %(count)s"),
        Role.CLIENT: _("Current clients and experience experts: %(count)s"),
    }
    evidence[4] = Evidence(
        "met" if all(counts.get(role) for role in open_roles) else "not_met",
        [text % {"count": counts.get(role, 0)} for role, text in open_roles.items()],
    )

    students = counts.get(Role.STUDENT, 0)
    share = round(100 * students / people) if people else 0
    evidence[5] = Evidence(
        "self_scan",
        [
            _("%(students)s of %(people)s current people are students (%(share)s%%).")
            % {"students": students, "people": people, "share": share}
        ],
    )

    bridge_builders = counts.get(Role.BRIDGE_BUILDER, 0)
    managers = counts.get(Role.MANAGER, 0)
    evidence[8] = Evidence(
        "met" if bridge_builders and managers else "not_met",
        [
            _("Current bridge-builders: %(count)s") % {"count": bridge_builders},
            _("Current managers (a role model in the model): %(count)s") % {"count": managers},
        ],
    )
    return evidence


# --- Activity log -----------------------------------------------------------------------------
def _save_headcounts(activity: Activity, counts: Mapping[str, int]) -> None:
    activity.headcounts.all().delete()
    ActivityHeadcount.objects.bulk_create(
        ActivityHeadcount(activity=activity, role=role, count=count)
        for role, count in counts.items()
        if count
    )


@dataclass(frozen=True, kw_only=True)
class ActivityValues(RowValues):
    """An activity's own fields, as ``create_activity`` and ``update_activity`` take them."""

    date: dt.date | Keep = KEEP
    start_time: dt.time | None | Keep = KEEP
    duration_minutes: int | None | Keep = KEEP
    kind: ActivityKind | Keep = KEEP
    title: str | Keep = KEEP
    level: str | Keep = KEEP
    participants: Iterable[Person] | Keep = KEEP
    description: str | Keep = KEEP
    boundary_objects: str | Keep = KEEP
    learned: str | Keep = KEEP
    follow_up: str | Keep = KEEP
    tags: TagSelection | Iterable[str] | Keep = KEEP


def create_activity(
    *,
    workplace: Workplace,
    by,
    values: ActivityValues,
    headcounts: Mapping[str, int] | None = None,
) -> Activity:
    """Save a new activity with its tags, participants and counts per role (one transaction).
    ``by`` is the user who logs it (anonymous for a seeder without an account)."""
    with transaction.atomic():
        activity = Activity(workplace=workplace, created_by=by if by.is_authenticated else None)
        values.write(activity)
        _save_headcounts(activity, headcounts or {})
        activity_counts.apply(workplace.pk, None, activity_counts.state_of(activity))
        _log_changed(workplace.pk)
    return activity


def update_activity(
    *,
    activity: Activity,
    values: ActivityValues,
    expected_version: int | None,
    headcounts: Mapping[str, int] | None = None,
) -> Activity:
    """Save an edited activity (``headcounts`` None keeps the stored counts); EditConflict,
    nothing saved, if it changed since the form showing ``expected_version`` was opened."""
    with transaction.atomic():
        # The stored state, read under the row's lock: a concurrent save waits for this one.
        stored = Activity.objects.select_for_update().get(pk=activity.pk)
        before = activity_counts.state_of(stored)
        save_versioned(activity, values, expected_version)
        if headcounts is not None:
            _save_headcounts(activity, headcounts)
        activity_counts.apply(activity.workplace_id, before, activity_counts.state_of(activity))
        _log_changed(activity.workplace_id)
    return activity


def delete_activity(*, activity: Activity) -> None:
    """Delete an activity with its tags, participants and counts (cascade; nothing dangles)."""
    workplace_id = activity.workplace_id
    with transaction.atomic():
        stored = Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if stored is None:
            return
        before = activity_counts.state_of(stored)
        activity.delete()
        activity_counts.apply(workplace_id, before, None)
        _log_changed(workplace_id)


# --- Cached summaries of the activity log -----------------------------------------------------
# The per-element strip and the total count scan every activity of the filtered set; with
# 100,000 activities that is most of a list render. They are cached per PW and filter, under a
# version number that every write to the PW's activities bumps (after commit). If the version
# key is evicted a fresh, unique one is made, so a stale summary is never served.
SUMMARY_TIMEOUT = 60 * 60


def _activity_version_key(workplace_id: int) -> str:
    return f"werkplaats:activity-version:{workplace_id}"


def activity_log_changed_after_commit(workplace_id: int) -> None:
    """For writes outside these services (admin, imports): invalidate now, and after commit
    count the PW's strip afresh (the admin saves the tags after the row)."""
    activity_log_changed(workplace_id, recount=False)
    transaction.on_commit(lambda: activity_log_changed(workplace_id))


def _log_changed(workplace_id: int) -> None:
    """Bump now (this request sees its own write) and again after commit (so a summary another
    request computed from the not-yet-committed state is abandoned too)."""
    activity_log_changed(workplace_id, recount=False)
    transaction.on_commit(lambda: activity_log_changed(workplace_id, recount=False))


def activity_log_changed(workplace_id: int, *, recount: bool = True) -> None:
    """For writers that bypass the services (seeders, bulk imports), after they commit: the
    PW's strip counters counted afresh, its cached summaries dropped."""
    if recount:
        activity_counts.rebuild(workplace_id)
    cache.set(_activity_version_key(workplace_id), time.time_ns(), None)


def activity_summary(workplace: Workplace, activities, filter_key: str, counted=None) -> dict:
    """{"total": n, "per_element": {code: n}} for a filtered activity queryset: from the
    counters when the filter is ``counted`` (whole school years and at most an element, see
    ``ActivityFilterForm.counted``), else counted and cached."""
    if counted is not None:
        years, element = counted
        return activity_counts.summary(workplace.pk, years, element)
    version = cache.get_or_set(_activity_version_key(workplace.pk), time.time_ns, None)
    digest = hashlib.sha256(filter_key.encode()).hexdigest()[:24]
    key = f"werkplaats:activity-summary:{workplace.pk}:{version}:{digest}"
    summary = cache.get(key)
    if summary is None:
        summary = {"total": activities.count(), "per_element": activities.count_per_element()}
        cache.set(key, summary, SUMMARY_TIMEOUT)
    return summary
