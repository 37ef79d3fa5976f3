"""A row of the members page, built in Python: the page shows 50 memberships, and 50 rows
through the template engine (a partial with two forms each) cost more than the rest of the
page (issue 16). The same HTML as the template it replaces, from the same message ids; the
htmx answers of the quick actions (invite, revoke) use it for the one row they send back."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def add_html(request, workplace, rows: list[dict]) -> list[dict]:
    """Give each row of ``people_views._rows`` its ``html``; returns the rows."""
    if not rows:
        return rows
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(get_token(request))}">'
    words = {
        "upcoming": esc(_("upcoming")),
        "former": esc(_("former")),
        "refused": esc(_("E-mail refused")),
        "end": esc(_("End")),
        "role": esc(_("Change role")),
        "again": esc(_("Send again")),
        "invite": esc(_("Invite to Werkplaats")),
        "revoke": esc(_("Revoke invitation")),
    }
    slug = workplace.slug
    for row in rows:
        row["html"] = _row(row, slug, csrf, words)
    return rows


def _row(row: dict, slug: str, csrf: str, words: dict[str, str]) -> SafeString:
    membership, person = row["membership"], row["person"]
    name = esc(person.name)
    hidden_name = f'<span class="visually-hidden"> {name}</span>'
    who = name + (f'<br><span class="meta">{esc(person.email)}</span>' if person.email else "")
    role = esc(capfirst(membership.get_role_display()))
    if row["phase"] != "current":
        role += f' <span class="meta">({words[row["phase"]]})</span>'
    ends = esc(date_format(membership.ends_on, "j M Y")) if membership.ends_on else "—"
    account = esc(row["account_label"])
    if person.email_bounced_at and person.email:
        account += f'<br><span class="flag">{words["refused"]}</span>'
    actions = []
    if row["phase"] != "former":
        end = reverse("werkplaats:membership-end", args=[slug, membership.pk])
        change = reverse("werkplaats:membership-role", args=[slug, membership.pk])
        actions.append(f'<a href="{esc(end)}">{words["end"]}{hidden_name}</a>')
        actions.append(f'<a href="{esc(change)}">{words["role"]}{hidden_name}</a>')
    if row["may_invite"]:
        label = words["again"] if row["account"] == "invited" else words["invite"]
        url = reverse("werkplaats:member-invite", args=[slug, person.pk])
        actions.append(_quick_form(url, membership.pk, csrf, label + hidden_name))
    if row["account"] == "invited":
        url = reverse("werkplaats:member-invite-revoke", args=[slug, person.pk])
        actions.append(_quick_form(url, membership.pk, csrf, words["revoke"] + hidden_name))
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every value is escaped above
        f'<tr id="membership-{membership.pk}"><th scope="row">{who}</th><td>{role}</td>'
        f"<td>{esc(date_format(membership.starts_on, 'j M Y'))}</td><td>{ends}</td>"
        f"<td>{esc(row['school_year'])}</td><td>{account}</td>"
        f'<td class="actions">{" ".join(actions)}</td></tr>'
    )


def _quick_form(url: str, row_pk: int, csrf: str, button: str) -> str:
    """An invite or revoke button: a plain form, posted by htmx in place when it can."""
    return (
        f'<form method="post" action="{esc(url)}" class="inline-form" hx-post="{esc(url)}" '
        f'hx-target="#membership-{row_pk}" hx-swap="outerHTML">{csrf}'
        f'<input type="hidden" name="row" value="{row_pk}">'
        f'<button type="submit" class="button-secondary">{button}</button></form>'
    )
