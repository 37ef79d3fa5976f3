"""Running a PW's evaluation cycles: the plan, cycles, invitations, indicators and self-scan.

Access: every view asks ``policy.workplace_for(user, slug, MANAGE_EVALUATIONS)``: 404 outside
the user's PWs, 403 for roles other than bridge-builders, managers and staff. Cycles come from
the PW's own queryset, so a cycle of another PW is a 404. These pages name the invited people
but never show who answered what: response figures are counts per role.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from elements.models import Characteristic
from evaluations import counts, cycles, invitation_rows, invitations, records, tokens
from evaluations.common import EditConflict, EvaluationError
from evaluations.forms import CycleForm, IndicatorForm, LateInvitationForm, PlanForm, ScanForm
from evaluations.models import (
    CycleKind,
    CycleStatus,
    DeliveryStatus,
    EvaluationCycle,
    EvaluationPlan,
    Instrument,
    Invitation,
    Response,
)
from werkplaats import audit, policy
from werkplaats.models import Workplace, school_year_of
from werkplaats.services import characteristic_evidence
from werkplaats.versioning import invalid_status

MANAGE = policy.Action.MANAGE_EVALUATIONS


def _cycle(workplace: Workplace, pk: int) -> EvaluationCycle:
    try:
        return EvaluationCycle.objects.select_related("instrument_version__instrument").get(
            workplace=workplace, pk=pk
        )
    except EvaluationCycle.DoesNotExist:
        raise Http404("No such cycle") from None


def _count_per_cycle(rows):
    """The number of ``rows`` of the outer query's cycle, as a subquery (0 when none)."""
    counted = rows.filter(cycle=OuterRef("pk")).order_by().values("cycle").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


@require_GET
def cycle_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The PW's cycles with their response figures, and its evaluation plan."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    # Each count in its own subquery: joining invitations and responses in one query made a
    # cross product per cycle (60 x 60 rows each, 72 ms for 12 cycles at the benchmark scale).
    listed = (
        EvaluationCycle.objects.filter(workplace=workplace)
        .select_related("instrument_version__instrument")
        .annotate(
            invited=_count_per_cycle(Invitation.objects.all()),
            responded=_count_per_cycle(Response.objects.filter(submitted_at__isnull=False)),
        )
    )
    plan = EvaluationPlan.objects.filter(workplace=workplace).first()
    return render(
        request,
        "evaluations/cycle_list.html",
        {"workplace": workplace, "cycles": listed, "plan": plan},
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    plan = EvaluationPlan.objects.filter(workplace=workplace).first() or EvaluationPlan(
        workplace=workplace, instrument=Instrument.objects.filter(code="los-scan").first()
    )
    # A new plan is version 0: saving it after a colleague made the plan is a conflict.
    form = PlanForm(
        request.POST or None, instance=plan, initial={"version": plan.version if plan.pk else 0}
    )
    status = 200
    if request.method == "POST":
        status = invalid_status(form)
        if form.is_valid():
            try:
                records.save_plan(
                    workplace=workplace,
                    values=records.PlanValues.of(form.cleaned_data),
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("The evaluation plan is saved."))
                return redirect("evaluations:cycle-list", workplace.slug)
    return render(
        request, "evaluations/plan_form.html", {"workplace": workplace, "form": form},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest, slug: str) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    now = timezone.localtime()
    instrument = Instrument.objects.filter(code="los-scan").first()
    opens = (now + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    initial = {
        "kind": CycleKind.YEARLY,
        "label": school_year_of(now.date()),
        "school_year": school_year_of(now.date()),
        "instrument_version": instrument.latest_version() if instrument else None,
        "opens_at": opens,
        "closes_at": opens + dt.timedelta(days=21),
    }
    form = CycleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycles.save_cycle(
                workplace=workplace, values=cycles.CycleValues.of(form.cleaned_data)
            )
        except EvaluationError as error:
            form.add_error("label", str(error))
        else:
            messages.success(request, _("The cycle is created as a draft."))
            return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)
    return render(
        request,
        "evaluations/cycle_form.html",
        {"workplace": workplace, "form": form, "cycle": None},
    )


@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit a draft, or extend an open cycle; a closed cycle is frozen."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    cycle = _cycle(workplace, pk)
    if cycle.is_frozen:
        messages.error(request, _("This cycle is closed and can no longer be changed."))
        return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            cycles.save_cycle(
                workplace=workplace,
                values=cycles.CycleValues.of(form.cleaned_data),
                cycle=cycle,
                expected_version=form.cleaned_data["version"],
            )
        except EvaluationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The cycle is saved."))
            return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)
    return render(
        request,
        "evaluations/cycle_form.html",
        {"workplace": workplace, "form": form, "cycle": cycle},
        status=409 if form.non_field_errors() else 200,
    )


def failure_reason(error: str) -> str:
    """Why a mail failed, in the reader's language (the row keeps the server's own words)."""
    if error == "no e-mail address":
        return _("no e-mail address")
    if any(code in error for code in ("550", "551", "553", "554", "Refused")):
        return _("the mail server refused the address")
    return _("the mail server did not accept it")


@require_GET
def cycle_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Who is invited, the response rate per role, mails that failed; the cycle's actions."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    cycle = _cycle(workplace, pk)
    rates = counts.response_rates(cycle)
    invited = invitation_rows.invitations_of(cycle)
    # Undeliverable mails, except to people who answered anyway (on paper, a personal link),
    # and mails whose sender stopped mid-send (issue 20: they may have arrived, even twice).
    mails = list(
        cycle.mails.filter(Q(status=DeliveryStatus.FAILED) | Q(uncertain_at__isnull=False))
        .annotate(
            answered=Exists(
                Response.objects.filter(
                    invitation=OuterRef("invitation"), submitted_at__isnull=False
                )
            )
        )
        .select_related("person")
        .order_by("person__name", "kind")
    )
    failed = [
        (mail, failure_reason(mail.last_error))
        for mail in mails
        if mail.status == DeliveryStatus.FAILED and not mail.answered
    ]
    uncertain = [mail for mail in mails if mail.uncertain_at]
    late_form = LateInvitationForm(cycle=cycle) if cycle.status == CycleStatus.OPEN else None
    audit.record(request, "invitations.viewed", workplace=workplace, obj=cycle)
    return render(
        request,
        "evaluations/cycle_detail.html",
        {
            "workplace": workplace,
            "cycle": cycle,
            "rates": rates,
            "total": counts.total_rate(rates),
            "invitations": invited,
            "invitation_rows": invitation_rows.rows_html(request, invited, cycle, workplace.slug),
            "failed": failed,
            "uncertain": uncertain,
            "late_form": late_form,
        },
    )


@require_POST
def cycle_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Open a draft now, or close an open cycle now."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    cycle = _cycle(workplace, pk)
    action = request.POST.get("action")
    if action == "open" and cycles.open_cycle(cycle=cycle):
        messages.success(request, _("The cycle is open; the invitations are being sent."))
    elif action == "close" and cycles.close_cycle(cycle=cycle):
        messages.success(request, _("The cycle is closed; its answers are frozen."))
    else:
        messages.error(request, _("Nothing changed: the cycle's status had already changed."))
    return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)


@require_POST
def invite_late(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    cycle = _cycle(workplace, pk)
    form = LateInvitationForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            invitation = invitations.add_invitation(
                cycle=cycle, person=form.cleaned_data["person"], role=form.cleaned_data["role"]
            )
        except EvaluationError as error:
            messages.error(request, str(error))
        else:
            audit.record(request, "invitation.added", workplace=workplace, obj=invitation)
            messages.success(
                request,
                _("%(name)s is invited.") % {"name": form.cleaned_data["person"].name},
            )
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors) or _("Choose a member who is not invited yet."))
    return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)


def _invitation(cycle: EvaluationCycle, invitation_pk: int) -> Invitation:
    try:
        return cycle.invitations.select_related("person", "cycle").get(pk=invitation_pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation") from None


@require_POST
def resend(request: HttpRequest, slug: str, pk: int, invitation_pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    invitation = _invitation(_cycle(workplace, pk), invitation_pk)
    try:
        queued = invitations.resend_invitation(invitation=invitation)
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        if queued:
            audit.record(request, "invitation.resent", workplace=workplace, obj=invitation)
            messages.success(
                request,
                _("The invitation to %(name)s will be sent again.")
                % {"name": invitation.person.name},
            )
        else:
            messages.info(request, _("That invitation is already waiting to be sent."))
    return redirect("evaluations:cycle-detail", workplace.slug, pk)


@require_POST
def new_link(request: HttpRequest, slug: str, pk: int, invitation_pk: int) -> HttpResponse:
    """A personal link to hand over (e.g. to a client without e-mail); shown once only.

    For someone who has not started it is simply issued. For someone who started and lost
    their link, a link to continue the same response is issued only after the bridge-builder
    confirms the person asked for it (the link opens the answers given so far); it is audited
    apart. Someone who submitted gets none, and neither does anyone with an e-mail address
    (their invitation can be sent again)."""
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    cycle = _cycle(workplace, pk)
    invitation = _invitation(cycle, invitation_pk)
    if not cycle.is_open():
        messages.error(request, _("Only an open cycle has links."))
        return redirect("evaluations:cycle-detail", workplace.slug, pk)
    response = Response.objects.filter(invitation=invitation).first()
    if invitation.person is None or invitation.person.email or (response and response.submitted_at):
        messages.error(
            request,
            _("A personal link is only for someone without e-mail who has not submitted yet."),
        )
        return redirect("evaluations:cycle-detail", workplace.slug, pk)
    context = {"workplace": workplace, "cycle": cycle, "invitation": invitation}
    if response is not None and request.POST.get("confirm") != "yes":
        return render(request, "evaluations/new_link_confirm.html", context)
    token = tokens.new_link(invitation=invitation)
    action = "invitation.resume_link_issued" if response else "invitation.link_issued"
    audit.record(request, action, workplace=workplace, obj=invitation)
    # The raw token is shown this once and never stored.
    link = request.build_absolute_uri(reverse("evaluations:token", args=[token]))
    return render(
        request,
        "evaluations/new_link.html",
        {**context, "link": link, "resumes": response is not None},
    )


def _yearly_cycle(request: HttpRequest, slug: str, pk: int) -> tuple[Workplace, EvaluationCycle]:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    cycle = _cycle(workplace, pk)
    if cycle.kind != CycleKind.YEARLY:
        raise Http404("Only yearly cycles hold indicators and the self-scan")
    return workplace, cycle


@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The hard indicators of the school year, counted values pre-filled and marked."""
    workplace, cycle = _yearly_cycle(request, slug, pk)
    counted = counts.counted_indicators(cycle)
    stored = {row.key: row for row in cycle.indicators.all()}
    initial = {**counted, **{key: row.value for key, row in stored.items()}}
    initial["version"] = cycle.indicators_version
    form = IndicatorForm(request.POST or None, initial=initial, counted=counted)
    status = 200
    if request.method == "POST":
        status = invalid_status(form)
        if form.is_valid():
            version = form.cleaned_data.pop("version")
            values = {k: v for k, v in form.cleaned_data.items() if v is not None}
            try:
                records.save_indicators(cycle=cycle, values=values, version=version)
            except EvaluationError as error:
                form.add_error(None, str(error))
                status = 409 if isinstance(error, EditConflict) else 400
            else:
                messages.success(request, _("The indicators are saved."))
                return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)
    return render(
        request,
        "evaluations/indicators.html",
        {"workplace": workplace, "cycle": cycle, "form": form, "stored": stored},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The self-scan of the nine characteristics, with the evidence the app can compute."""
    workplace, cycle = _yearly_cycle(request, slug, pk)
    characteristics = list(Characteristic.objects.all())
    evidence = characteristic_evidence(workplace, list(workplace.partners.all()))
    stored = {row.characteristic_id: row for row in cycle.scans.all()}
    initial = {}
    for ch in characteristics:
        row = stored.get(ch.number)
        auto = evidence.get(ch.number)
        if row:
            initial[f"status-{ch.number}"] = row.status
            initial[f"evidence-{ch.number}"] = row.evidence
        elif auto and auto.status != "self_scan":
            initial[f"status-{ch.number}"] = "present" if auto.status == "met" else "absent"
            initial[f"evidence-{ch.number}"] = "\n".join(str(fact) for fact in auto.facts)
    initial["version"] = cycle.scan_version
    form = ScanForm(request.POST or None, initial=initial, characteristics=characteristics)
    status = 200
    if request.method == "POST":
        status = invalid_status(form)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                records.save_scan(cycle=cycle, rows=form.rows(), version=version)
            except EvaluationError as error:
                form.add_error(None, str(error))
                status = 409 if isinstance(error, EditConflict) else 400
            else:
                messages.success(request, _("The self-scan is saved."))
                return redirect("evaluations:cycle-detail", workplace.slug, cycle.pk)
    rows = [
        (ch, form[f"status-{ch.number}"], form[f"evidence-{ch.number}"], ch.number in stored)
        for ch in characteristics
    ]
    return render(
        request,
        "evaluations/scan.html",
        {"workplace": workplace, "cycle": cycle, "form": form, "rows": rows},
        status=status,
    )
