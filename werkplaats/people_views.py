"""The members pages of a PW (issue 14): the list with quick actions, adding a person, ending
and changing a membership, account invitations, the cohort import and the school-year
rollover; and a new PW for staff.

Access: ``MANAGE_MEMBERS`` (bridge-builders, managers, staff) through ``policy.workplace_for``;
the PW home keeps its read-only list for everyone else. Every action also works without
JavaScript; with htmx a quick action swaps the member's row. Audit events name ids only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from werkplaats import account_invitations, audit, member_rows, people_services, policy
from werkplaats.models import (
    AccountInvitation,
    InvitationStatus,
    Membership,
    Person,
    Workplace,
    school_year_of,
)
from werkplaats.people_forms import (
    AddMemberForm,
    ChangeRoleForm,
    EndMembershipForm,
    MemberFilterForm,
    NewWorkplaceForm,
    RolloverForm,
)

MANAGE = policy.Action.MANAGE_MEMBERS
PER_PAGE = 50
STATUS_LABELS = {
    "no_email": gettext_lazy("no e-mail address"),
    "none": gettext_lazy("no account"),
    "invited": gettext_lazy("invited"),
    "active": gettext_lazy("active"),
    "deactivated": gettext_lazy("deactivated"),
}


def _rows(memberships, today):
    """What each row of the members page shows."""
    rows = []
    for m in memberships:
        status = people_services.account_status(m.person, invited=m.invited)
        rows.append(
            {
                "membership": m,
                "person": m.person,
                "phase": "upcoming"
                if m.starts_on > today
                else ("former" if m.ends_on and m.ends_on < today else "current"),
                "school_year": school_year_of(m.starts_on),
                "account": status,
                "account_label": STATUS_LABELS[status],
                "may_invite": status in ("none", "invited"),
            }
        )
    return rows


@require_http_methods(["GET"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """Current, upcoming and former members with role, dates, school year and account."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    today = timezone.localdate()
    filters = MemberFilterForm(request.GET or None)
    chosen = filters.values()
    status = chosen["status"]
    memberships = people_services.member_rows(
        workplace,
        today=today,
        status=status if status in ("current", "upcoming", "former") else "",
        role=chosen["role"],
    )
    if not status:  # by default: who is here now and who is coming
        memberships = memberships.exclude(ends_on__lt=today)
    if chosen["q"]:
        memberships = memberships.filter(person__name__icontains=chosen["q"])
    page = Paginator(memberships, PER_PAGE).get_page(request.GET.get("page"))
    audit.record(request, "members.viewed", workplace=workplace)
    boundary = people_services.rollover_boundary(today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "workplace": workplace,
        "filters": filters,
        "page_obj": page,
        "rows": member_rows.add_html(request, workplace, _rows(page.object_list, today)),
        "query": query.urlencode(),
        "rollover_due": people_services.rollover_candidates(workplace, boundary).exists(),
        "boundary": boundary,
    }
    if not request.htmx:  # the notices are on the full page only
        # Invitations that did not arrive (refused) or may not have (uncertain: the sender
        # stopped mid-send, twice), in one query; a link used or revoked needs nothing.
        undelivered = list(
            AccountInvitation.objects.filter(
                workplace=workplace,
                status__in=[InvitationStatus.FAILED, InvitationStatus.UNCERTAIN],
                revoked_at=None,
                used_at=None,
            ).select_related("person")
        )
        context["failed_invitations"] = [
            i for i in undelivered if i.status == InvitationStatus.FAILED
        ]
        context["uncertain_invitations"] = [
            i for i in undelivered if i.status == InvitationStatus.UNCERTAIN
        ]
    template = "werkplaats/members.html#results" if request.htmx else "werkplaats/members.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a person; an e-mail address that is known already offers that person instead."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    form = AddMemberForm(request.POST or None)
    existing = False
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = people_services.add_member(
                    workplace=workplace, name=data["name"], email=data["email"] or None,
                    role=data["role"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                    language=data["preferred_language"], use_existing=data["use_existing"],
                )  # fmt: skip
            except people_services.PersonExists:
                existing = True
                form.data = form.data.copy()
                form.data["use_existing"] = "True"
                status = 200
            except people_services.PeopleError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                audit.record(request, "member.added", workplace=workplace, obj=membership)
                messages.success(
                    request,
                    _("%(name)s is added as %(role)s.")
                    % {"name": membership.person.name, "role": membership.get_role_display()},
                )
                return redirect("werkplaats:members", workplace.slug)
    return render(
        request,
        "werkplaats/member_add.html",
        {"workplace": workplace, "form": form, "existing": existing},
        status=status,
    )


def _membership(workplace: Workplace, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("person"), pk=pk, workplace=workplace
    )


def _back(request: HttpRequest, workplace: Workplace) -> HttpResponse:
    return redirect(reverse("werkplaats:members", args=[workplace.slug]))


def _membership_change(request: HttpRequest, slug: str, pk: int, *, form_class, apply, kind):
    """The end and role-change pages: one form on one membership; ``apply(membership, data)``
    writes (raising PeopleError for a conflict, 409) and returns (audited object, message)."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    membership = _membership(workplace, pk)
    form = form_class(request.POST or None, membership=membership)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changed, text = apply(membership, form.cleaned_data)
            except people_services.PeopleError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                audit.record(request, f"member.{kind}", workplace=workplace, obj=changed)
                messages.success(request, text)
                return _back(request, workplace)
    return render(
        request,
        "werkplaats/membership_change.html",
        {"workplace": workplace, "form": form, "membership": membership, "kind": kind},
        status=status,
    )


def _end(membership: Membership, data: dict):
    people_services.end_membership(
        membership=membership, ends_on=data["ends_on"], seen_ends_on=data["seen_ends_on"]
    )
    text = _("The membership of %(name)s ends on %(date)s.") % {
        "name": membership.person.name,
        "date": membership.ends_on.isoformat(),
    }
    return membership, text


def _role(membership: Membership, data: dict):
    new = people_services.change_role(
        membership=membership, role=data["role"], from_date=data["from_date"]
    )
    text = _("%(name)s is %(role)s from %(date)s.") % {
        "name": membership.person.name,
        "role": new.get_role_display(),
        "date": new.starts_on.isoformat(),
    }
    return new, text


@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """End a membership on a date (never deleting it)."""
    return _membership_change(
        request, slug, pk, form_class=EndMembershipForm, apply=_end, kind="ended"
    )


@require_http_methods(["GET", "POST"])
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Another role from a date: a new membership, the old one ends the day before."""
    return _membership_change(
        request, slug, pk, form_class=ChangeRoleForm, apply=_role, kind="role_changed"
    )


def _member_person(workplace: Workplace, pk: int) -> Person:
    """A person who is (or was) a member of this PW; anyone else: 404."""
    person = Person.objects.filter(pk=pk, memberships__workplace=workplace).select_related("user")
    found = person.first()
    if found is None:
        raise Http404("No such member")
    return found


def _quick_answer(
    request: HttpRequest, workplace: Workplace, person: Person, text: str, *, ok: bool
) -> HttpResponse:
    """After a quick action: with htmx, the member's row again and the status for the live
    region; without JavaScript, the message and back to the members page."""
    row_pk = request.POST.get("row", "")
    if request.htmx and row_pk.isascii() and row_pk.isdecimal():
        memberships = people_services.member_rows(workplace).filter(pk=int(row_pk), person=person)
        rows = member_rows.add_html(request, workplace, _rows(memberships, timezone.localdate()))
        if rows:
            context = {"workplace": workplace, "row": rows[0], "status": text}
            return render(request, "werkplaats/member_row_saved.html", context)
    (messages.success if ok else messages.error)(request, text)
    return _back(request, workplace)


@require_POST
def member_invite(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send (or send again) an invitation to set a password; an earlier link stops working."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    person = _member_person(workplace, pk)
    try:
        invitation, _token = account_invitations.invite(
            person=person, workplace=workplace, by=request.user
        )
    except account_invitations.InvitationError as error:
        return _quick_answer(request, workplace, person, str(error), ok=False)
    audit.record(request, "member.invited", workplace=workplace, obj=invitation)
    text = _("An invitation is on its way to %(name)s.") % {"name": person.name}
    return _quick_answer(request, workplace, person, text, ok=True)


@require_POST
def member_invite_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The person's invitation link stops working."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    person = _member_person(workplace, pk)
    revoked = 0
    for invitation in AccountInvitation.objects.filter(person=person).usable():
        revoked += account_invitations.revoke(invitation=invitation)
        audit.record(request, "member.invitation_revoked", workplace=workplace, obj=invitation)
    if revoked:
        text = _("The invitation link of %(name)s no longer works.") % {"name": person.name}
    else:
        text = _("%(name)s has no invitation link that still works.") % {"name": person.name}
    return _quick_answer(request, workplace, person, text, ok=bool(revoked))


@require_http_methods(["GET", "POST"])
def rollover(request: HttpRequest, slug: str) -> HttpResponse:
    """The school-year rollover: decide per person, apply in one transaction."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    boundary = people_services.rollover_boundary(timezone.localdate())
    candidates = list(people_services.rollover_candidates(workplace, boundary))
    form = RolloverForm(request.POST or None, candidates=candidates, boundary=boundary)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                summary = people_services.apply_rollover(
                    workplace=workplace, boundary=boundary, decisions=form.decisions()
                )
            except people_services.PeopleError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                audit.record(request, "members.rolled_over", workplace=workplace)
                messages.success(
                    request,
                    _(
                        "The new school year is set: %(continued)s continue, %(ended)s end on "
                        "%(date)s, %(changed)s change role."
                    )
                    % {
                        "continued": summary.continued,
                        "ended": summary.ended,
                        "changed": summary.changed,
                        "date": boundary.isoformat(),
                    },
                )
                return _back(request, workplace)
    return render(
        request,
        "werkplaats/rollover.html",
        {"workplace": workplace, "form": form, "boundary": boundary},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def workplace_new(request: HttpRequest) -> HttpResponse:
    """Staff start a PW; its first bridge-builder takes it from there."""
    if not policy.may_create_workplaces(request.user):
        raise PermissionDenied
    form = NewWorkplaceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = people_services.create_workplace(
                    name=data["name"], sector=data["sector"], started_on=data["started_on"],
                    partners=list(data["partners"]), description=data["description"],
                    bridge_builder_name=data["bridge_builder_name"],
                    bridge_builder_email=data["bridge_builder_email"],
                )  # fmt: skip
            except people_services.PeopleError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                audit.record(request, "workplace.created", workplace=made.workplace)
                messages.success(request, _("%(name)s is started.") % {"name": made.workplace.name})
                for note in made.notes:
                    messages.info(request, note)
                return redirect("werkplaats:members", made.workplace.slug)
    return render(request, "werkplaats/workplace_new.html", {"form": form}, status=status)
