"""CSV and XLSX exports of the activity log, with element codes in columns."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from elements.models import ELEMENT_CODES
from werkplaats.models import Activity, Role
from werkplaats.tabular import Table


def activity_header() -> list[str]:
    return [
        _("Date"),
        _("Start time"),
        _("Duration (minutes)"),
        _("Kind"),
        _("Title"),
        _("Level"),
        _("Participants"),
        *[_("Unnamed: %(role)s") % {"role": role.label} for role in Role],
        *ELEMENT_CODES,
        _("Aspects"),
        _("Boundary objects"),
        _("Learned or agreed"),
        _("Follow-up"),
        _("Description"),
    ]


def activity_rows(activities: Iterable[Activity]) -> Iterable[list]:
    """One row per activity; expects kind, elements, aspects, participants, headcounts loaded."""
    for activity in activities:
        elements = {e.code for e in activity.elements.all()}
        counts = {h.role: h.count for h in activity.headcounts.all()}
        yield [
            activity.date,
            activity.start_time,
            activity.duration_minutes,
            activity.kind.name,
            activity.title,
            activity.get_level_display(),
            "; ".join(p.name for p in activity.participants.all()),
            *[counts.get(role.value, 0) for role in Role],
            *[1 if code in elements else 0 for code in ELEMENT_CODES],
            " ".join(sorted(a.code for a in activity.aspects.all())),
            activity.boundary_objects,
            activity.learned,
            activity.follow_up,
            activity.description,
        ]


def activity_table(activities: Iterable[Activity]) -> Table:
    """The activity log as a table for `werkplaats.tabular` (CSV or a one-sheet workbook)."""
    return Table(activity_header(), activity_rows(activities), title=_("Activities"))
