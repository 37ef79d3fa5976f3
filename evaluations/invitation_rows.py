"""The cycle page's rows of invited people, built in Python: a yearly cycle invites 60 people
or more, and 60 rows through the template engine cost two thirds of the page (issue 16). The
same HTML as the template it replaces, from the same message ids."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.middleware.csrf import get_token
from django.utils.formats import date_format
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from evaluations.models import (
    CycleStatus,
    EvaluationCycle,
    Invitation,
    MailDelivery,
    MailKind,
    Response,
)
from werkplaats.links import pattern


def invitations_of(cycle: EvaluationCycle) -> list[Invitation]:
    """The cycle's invitations as the rows need them: person, whether they started and
    submitted, and their invitation mails; by role, then name."""
    return list(
        cycle.invitations.select_related("person")
        .annotate(
            started=Exists(Response.objects.filter(invitation=OuterRef("pk"))),
            submitted=Exists(
                Response.objects.filter(invitation=OuterRef("pk"), submitted_at__isnull=False)
            ),
        )
        .prefetch_related(
            Prefetch(
                "mails",
                queryset=MailDelivery.objects.filter(kind=MailKind.INVITATION),
                to_attr="invitation_mails",
            )
        )
        .order_by("role", "person__name")
    )


def rows_html(request, invitations: list[Invitation], cycle: EvaluationCycle, slug: str) -> str:
    """Every ``<tr>`` of the table: name, role, the invitation mail's state and, while the
    cycle is open, sending again or a personal link. ``invitations`` carry their
    ``invitation_mails``, ``started`` and ``submitted`` (``views.cycle_detail``)."""
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(get_token(request))}">'
    links = {
        "resend": pattern("evaluations:resend", slug, cycle.pk, None),
        "new-link": pattern("evaluations:new-link", slug, cycle.pk, None),
    }
    csrf_or_none = csrf if cycle.status == CycleStatus.OPEN else None
    # The words once a page: ``get_FOO_display`` builds its dict of choices on every call.
    role = Invitation._meta.get_field("role").flatchoices
    status = MailDelivery._meta.get_field("status").flatchoices
    labels = {
        "role": {value: esc(label) for value, label in role},
        "status": {value: esc(label) for value, label in status},
    }
    rows = "".join(row_html(i, links, csrf_or_none, labels) for i in invitations)
    return mark_safe(rows)  # noqa: S308  # nosec B308 B703 - every row is built escaped


def row_html(invitation: Invitation, links: dict, csrf: str | None, labels: dict) -> SafeString:
    """One row; ``csrf`` is the token's hidden input while the cycle is open (None: closed,
    no actions column); ``labels`` the roles' and mail states' words, escaped."""
    person = invitation.person
    # The messages outside the f-strings, where xgettext (make messages) finds them.
    name = esc(person.name) if person else '<span class="meta">' + esc(_("anonymised")) + "</span>"
    mails = [
        labels["status"].get(mail.status, esc(mail.status))
        + (f" ({esc(date_format(template_localtime(mail.sent_at), 'j M H:i'))})"
           if mail.sent_at else "")
        for mail in invitation.invitation_mails
    ]  # fmt: skip
    state = "".join(mails) or esc(_("not yet"))
    if person and not person.email:
        state += " · " + esc(_("no e-mail address"))
    if invitation.reminders_stopped_at:
        state += " · " + esc(_("no more reminders"))
    role = labels["role"].get(invitation.role, esc(invitation.role))
    cells = f'<th scope="row">{name}</th><td>{role}</td><td>{state}</td>'
    if csrf is not None:
        cells += f'<td class="row-actions">{_actions(invitation, links, csrf)}</td>'
    return mark_safe(f"<tr>{cells}</tr>")  # noqa: S308  # nosec B308 B703 - escaped above


def _actions(invitation: Invitation, links: dict, csrf: str) -> str:
    person = invitation.person
    if person is None:
        return ""
    named = {"name": esc(person.name)}
    if person.email:
        url = links["resend"](invitation.pk)
        label = _('Send again<span class="visually-hidden"> to %(name)s</span>')
    elif not invitation.submitted:
        url = links["new-link"](invitation.pk)
        label = (
            _('Link to continue<span class="visually-hidden"> for %(name)s</span>')
            if invitation.started
            else _('Personal link<span class="visually-hidden"> for %(name)s</span>')
        )
    else:
        return ""
    return (
        f'<form method="post" action="{esc(url)}">{csrf}'
        f'<button type="submit" class="button-secondary">{label % named}</button></form>'
    )
