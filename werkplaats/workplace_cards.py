"""A PW's card on the home page, built in Python: a staff member sees every PW (100 in the
benchmark), and 100 cards with their role tables cost about 20 ms through the template engine
(issue 16); the same HTML from format_html costs a fraction. The texts are the template's own
(the same message ids), so the translations stay as they are."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def card_html(row: dict) -> SafeString:
    """One row of ``views.home``: the PW, its people per role and its partnership flag."""
    wp = row["workplace"]
    people = row["people"]
    meta = " · ".join(
        [
            str(capfirst(wp.get_sector_display())),
            _("since %(year)s") % {"year": wp.started_on.year},
            ngettext("%(people)s person", "%(people)s people", people) % {"people": people},
        ]
    )
    flag = (
        format_html(
            '<p class="flag"><span class="flag-label">{}</span> {}</p>',
            _("Attention:"),
            _("the partnership lacks a higher-education institution or a public organisation."),
        )
        if row["missing_partner_kinds"]
        else ""
    )
    return format_html(
        '<li class="card"><h2><a href="{}">{}</a></h2><p class="meta">{}</p>{}'
        '<table class="role-counts"><caption class="visually-hidden">{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table></li>",
        wp.get_absolute_url(),
        wp.name,
        meta,
        flag,
        _("Current people per role in %(name)s") % {"name": wp.name},
        _("Role"),
        _("People"),
        format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            ((capfirst(label), count) for _code, label, count in row["roles"]),
        ),
    )
