"""CSV and XLSX exports of the activity log, with element codes in columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook

from elements.models import ELEMENT_CODES
from werkplaats.models import Activity, Role


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


def _safe(value):
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def activities_csv(activities: Iterable[Activity]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(activity_header())
    for row in activity_rows(activities):
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def activities_xlsx(activities: Iterable[Activity]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Activities"))
    sheet.append(activity_header())
    for row in activity_rows(activities):
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
