"""A row of the activity list, built in Python: the list shows 25 activities, and 25 rows
through the template engine cost more than the SQL of the whole page (issue 16). The same HTML
as the template partial it replaces, from the same message ids; the htmx answers (a row after
an inline edit or a cancel) use it too, through the ``activity_row`` tag."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, get_urlconf
from django.utils.formats import date_format, time_format
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from werkplaats.links import pattern
from werkplaats.models import Activity


def row_html(activity: Activity, slug: str, can_log: bool) -> SafeString:
    """One ``<tr>`` of the list: date, title with kind and participants, level, elements
    and, for those who log activities, edit, duplicate and delete."""
    title = esc(activity.title)
    when = esc(date_format(activity.date, "j M Y"))
    if activity.start_time:
        when += f'<br><span class="meta">{esc(time_format(activity.start_time, "H:i"))}</span>'
    what = f'<strong>{title}</strong><br><span class="meta">{esc(activity.kind.name)}</span>'
    people = ", ".join(esc(person.name) for person in activity.participants.all())
    counts = ", ".join(esc(str(count)) for count in activity.headcounts.all())
    if people or counts:
        joined = f"{people}; {counts}" if people and counts else people or counts
        what += f'<br><span class="participants">{joined}</span>'
    tags = (
        "".join(
            f'<span class="tag" style="--el-colour: {esc(e.colour)}">{esc(e.code)}</span> '
            for e in activity.elements.all()
        )
        or '<span class="meta">–</span>'
    )
    cells = [
        f'<td class="nowrap">{when}</td>',
        f"<td>{what}</td>",
        f"<td>{esc(activity.get_level_display())}</td>",
        f"<td>{tags}</td>",
    ]
    if can_log:
        cells.append(_actions(activity, slug, title))
    html = f'<tr id="activity-{activity.pk}">{"".join(cells)}</tr>'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value above is escaped


@functools.lru_cache(maxsize=256)
def _links(slug: str, prefix: str, urlconf) -> tuple:
    """A PW's edit, duplicate and delete links, reversed once (not three times a row); the
    script prefix and the URLconf are in the key, as they are in every reversed path."""
    return (
        pattern("werkplaats:activity-edit", slug, None),
        pattern("werkplaats:activity-new", slug)(),
        pattern("werkplaats:activity-delete", slug, None),
    )


def _actions(activity: Activity, slug: str, title: str) -> str:
    edit_link, copy, delete_link = _links(slug, get_script_prefix(), get_urlconf())
    edit, copy, delete = esc(edit_link(activity.pk)), esc(copy), esc(delete_link(activity.pk))
    hidden = f'<span class="visually-hidden"> {title}</span>'
    confirm = esc(_("Delete the activity “%(title)s”?") % {"title": activity.title})
    # The messages outside the f-strings, where xgettext (make messages) finds them.
    edit_label, copy_label, delete_label = esc(_("Edit")), esc(_("Duplicate")), esc(_("Delete"))
    return (
        '<td class="actions">'
        f'<a href="{edit}" hx-get="{edit}" hx-target="closest tr" hx-swap="outerHTML">'
        f"{edit_label}{hidden}</a> "
        f'<a href="{copy}?from={activity.pk}">{copy_label}{hidden}</a> '
        f'<a href="{delete}" hx-post="{delete}" hx-confirm="{confirm}">'
        f"{delete_label}{hidden}</a>"
        "</td>"
    )
