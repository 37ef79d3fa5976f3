"""Pages of practice cases: the board per PW, a case page, forms, outputs and their files.

Access: every view starts from ``policy.workplace_for`` (404 outside the user's PWs, 403 when
the role may not do the action); a case or output is then looked up inside that PW only, so an
id from another PW gives 404 as well.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import services
from cases.forms import MoveForm, OutputForm, PracticeCaseForm, content_type_for
from cases.models import CaseStatus, Output, PracticeCase
from werkplaats import policy
from werkplaats.models import Person, Workplace

A = policy.Action


def _case(workplace: Workplace, pk: int) -> PracticeCase:
    """A case of this PW only: another PW's id gives 404."""
    try:
        return PracticeCase.objects.select_related("lead").get(pk=pk, workplace=workplace)
    except PracticeCase.DoesNotExist:
        raise Http404("No such case") from None


def _board_context(request: HttpRequest, workplace: Workplace) -> dict:
    """The cases of a PW grouped by status, in a constant number of queries."""
    cases = (
        PracticeCase.objects.filter(workplace=workplace)
        .select_related("lead")
        .prefetch_related("elements")
        .annotate(output_count=Count("outputs"))
        .order_by("title", "pk")
    )
    columns = {status: [] for status in CaseStatus}
    for case in cases:
        columns[CaseStatus(case.status)].append(case)
    return {
        "workplace": workplace,
        "columns": [
            {"status": status, "cases": items, "moves": [s for s in CaseStatus if s != status]}
            for status, items in columns.items()
        ],
        "can_manage": policy.can(request.user, A.MANAGE_CASES, workplace),
    }


@require_GET
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """All cases of a PW in columns by status, with buttons to move them."""
    workplace = policy.workplace_for(request.user, slug, A.VIEW_CASES)
    context = _board_context(request, workplace)
    if request.htmx and request.htmx.target == "case-board":
        return render(request, "cases/board.html#board", context)
    return render(request, "cases/board.html", context)


@require_POST
def case_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move a case to another status. Without JavaScript: back to the board (PRG); with htmx
    the board is swapped in place and the status region announces the move."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose a valid status."), status=400, content_type="text/plain")
    try:
        services.move_case(
            case=case, status=form.cleaned_data["status"], version=form.cleaned_data["version"]
        )
    except services.EditConflict:
        text = _(
            "Somebody else changed “%(title)s” in the meantime; the board now shows the "
            "latest state. Try again if needed."
        ) % {"title": case.title}
        level = messages.WARNING
    else:
        text = _("“%(title)s” moved to %(status)s.") % {
            "title": case.title,
            "status": case.get_status_display(),
        }
        level = messages.SUCCESS
    if request.htmx:
        context = _board_context(request, workplace)
        context["announcement"] = text
        return render(request, "cases/board_moved.html", context)
    messages.add_message(request, level, text)
    return redirect("cases:board", slug=workplace.slug)


@require_GET
def case_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A case with its people, outputs and linked elements."""
    workplace = policy.workplace_for(request.user, slug, A.VIEW_CASES)
    case = _case(workplace, pk)
    return _detail(request, workplace, case)


def _detail(request, workplace, case, *, output_form=None, status=200) -> HttpResponse:
    case = (
        PracticeCase.objects.filter(pk=case.pk)
        .select_related("lead")
        .prefetch_related(
            "elements",
            "aspects",
            Prefetch("participants", queryset=Person.objects.order_by("name")),
            Prefetch("supervisors", queryset=Person.objects.order_by("name")),
            Prefetch("outputs", queryset=Output.objects.order_by("-date", "-pk")),
        )
        .get()
    )
    can_manage = policy.can(request.user, A.MANAGE_CASES, workplace)
    if can_manage and output_form is None:
        output_form = OutputForm(case=case)
    context = {
        "workplace": workplace,
        "case": case,
        "can_manage": can_manage,
        "output_form": output_form if can_manage else None,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, slug: str) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    initial = {}
    person = Person.objects.filter(user=request.user).first()
    if person is not None:
        initial["lead"] = person.pk
    form = PracticeCaseForm(request.POST or None, initial=initial, workplace=workplace)
    if request.method == "POST" and form.is_valid():
        case = services.create_case(form=form, workplace=workplace, by=request.user)
        messages.success(request, _("Case “%(title)s” saved.") % {"title": case.title})
        return redirect("cases:case-detail", slug=workplace.slug, pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/case_form.html", {"workplace": workplace, "form": form, "case": None},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit with optimistic locking: a save over somebody else's newer save is refused."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    form = PracticeCaseForm(request.POST or None, instance=case, workplace=workplace)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_case(form=form)
            except services.EditConflict:
                form.add_error(
                    None,
                    _(
                        "Somebody else changed this case after you opened it. Your changes are "
                        "not saved. Copy what you need, then reload the page to see their "
                        "version."
                    ),
                )
                status = 409
            else:
                messages.success(request, _("Case “%(title)s” saved.") % {"title": case.title})
                return redirect("cases:case-detail", slug=workplace.slug, pk=case.pk)
        else:
            status = 400
    return render(
        request, "cases/case_form.html", {"workplace": workplace, "form": form, "case": case},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def output_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add an output; GET shows the form on its own page (the case page has it too)."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    if request.method == "POST":
        form = OutputForm(request.POST, request.FILES, case=case)
        if form.is_valid():
            output = services.add_output(form=form, case=case, by=request.user)
            messages.success(request, _("Output “%(title)s” added.") % {"title": output.title})
            return redirect("cases:case-detail", slug=workplace.slug, pk=case.pk)
        return _detail(request, workplace, case, output_form=form, status=400)
    return render(
        request, "cases/output_form.html",
        {"workplace": workplace, "case": case, "form": OutputForm(case=case)},
    )  # fmt: skip


@require_GET
def output_file(request: HttpRequest, slug: str, pk: int, output_pk: int) -> FileResponse:
    """The uploaded file of an output, only to those who may see the case, as an attachment."""
    workplace = policy.workplace_for(request.user, slug, A.VIEW_CASES)
    output = Output.objects.filter(pk=output_pk, case_id=pk, case__workplace=workplace).first()
    if output is None or not output.file:
        raise Http404("No such file")
    try:
        handle = output.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=output.file_name or output.file.name.rsplit("/", 1)[-1],
        content_type=content_type_for(output.file.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
