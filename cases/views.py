"""Pages of practice cases: the board per PW, a case page, forms, outputs and their files.

Access: every view starts from ``policy.workplace_for`` (404 outside the user's PWs, 403 when
the role may not do the action); a case or output is then looked up inside that PW only, so an
id from another PW gives 404 as well.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import services
from cases.forms import (
    CmoFilterForm,
    CmoNoteForm,
    MoveForm,
    OutputForm,
    PoolConsentForm,
    PracticeCaseForm,
    content_type_for,
)
from cases.models import (
    CONSENT_TEXT,
    CONSENT_TEXT_VERSION,
    CaseStatus,
    CmoNote,
    Output,
    PoolConsent,
    PracticeCase,
    ValueStory,
)
from werkplaats import audit, policy, tabular
from werkplaats.models import Membership, Person, Role, Workplace
from werkplaats.versioning import invalid_status

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


def _detail(
    request, workplace, case, *, output_form=None, upload_error=None, status=200
) -> HttpResponse:
    case = (
        PracticeCase.objects.filter(pk=case.pk)
        .select_related("lead")
        .prefetch_related(
            "elements",
            "aspects",
            Prefetch("participants", queryset=Person.objects.order_by("name")),
            Prefetch("supervisors", queryset=Person.objects.order_by("name")),
            Prefetch("outputs", queryset=Output.objects.order_by("-date", "-pk")),
            Prefetch(
                "cmo_notes",
                queryset=CmoNote.objects.select_related(
                    "author", "case", "activity"
                ).prefetch_related("elements", "aspects"),
            ),
            Prefetch(
                "value_stories",
                queryset=ValueStory.objects.select_related("author").prefetch_related(
                    "elements",
                    "aspects",
                    Prefetch("outputs", queryset=Output.objects.order_by("-date", "-pk")),
                ),
            ),
        )
        .get()
    )
    can_manage = policy.can(request.user, A.MANAGE_CASES, workplace)
    deletable = {
        o.pk for o in case.outputs.all() if services.may_delete_output(request.user, o, workplace)
    }
    if can_manage and output_form is None:
        output_form = OutputForm(case=case)
    context = {
        "workplace": workplace,
        "case": case,
        "can_manage": can_manage,
        "can_write_notes": policy.can(request.user, A.WRITE_NOTES, workplace),
        "deletable": deletable,
        "output_form": output_form if can_manage else None,
        "upload_error": upload_error,
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
        case = services.create_case(
            workplace=workplace, by=request.user, values=services.CaseValues.of(form.cleaned_data)
        )
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
                services.update_case(
                    case=case,
                    values=services.CaseValues.of(form.cleaned_data),
                    expected_version=form.cleaned_data["version"],
                )
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
            status = invalid_status(form)
    return render(
        request, "cases/case_form.html", {"workplace": workplace, "form": form, "case": case},
        status=status,
    )  # fmt: skip


UPLOAD_MARGIN = 64 * 1024  # room for the other form fields around the file


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@require_http_methods(["GET", "POST"])
def output_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add an output; GET shows the form on its own page (the case page has it too)."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    if request.method == "POST":
        # Refuse a body far over the limit before reading it: the form's own size check runs
        # only after the whole upload has been written to a temporary file.
        if _content_length(request) > OutputForm.max_bytes() + UPLOAD_MARGIN:
            error = _("The file is too large: at most %(size)s.") % {
                "size": filesizeformat(OutputForm.max_bytes())
            }
            return _detail(request, workplace, case, upload_error=error, status=413)
        form = OutputForm(request.POST, request.FILES, case=case)
        if form.is_valid():
            output = services.add_output(
                case=case, by=request.user, values=services.OutputValues.of(form.cleaned_data)
            )
            messages.success(request, _("Output “%(title)s” added.") % {"title": output.title})
            return redirect("cases:case-detail", slug=workplace.slug, pk=case.pk)
        return _detail(request, workplace, case, output_form=form, status=400)
    return render(
        request, "cases/output_form.html",
        {"workplace": workplace, "case": case, "form": OutputForm(case=case)},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def output_delete(request: HttpRequest, slug: str, pk: int, output_pk: int) -> HttpResponse:
    """Delete an output (a wrong upload, a file that names a client): GET asks for
    confirmation, POST deletes; the stored file goes once the deletion commits."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    case = _case(workplace, pk)
    output = get_object_or_404(Output.objects.select_related("case__lead"), pk=output_pk, case=case)
    if not services.may_delete_output(request.user, output, workplace):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_output(output=output, by=request.user, request=request)
        messages.success(request, _("Output “%(title)s” deleted.") % {"title": output.title})
        return redirect("cases:case-detail", slug=workplace.slug, pk=case.pk)
    return render(
        request, "cases/output_confirm_delete.html",
        {"workplace": workplace, "case": case, "output": output},
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


# --- CMO notes --------------------------------------------------------------------------------
NOTES_PER_PAGE = 50


def _notes(queryset):
    """Everything a note row shows, in a constant number of queries."""
    return queryset.select_related("workplace", "case", "activity", "author").prefetch_related(
        "elements", "aspects"
    )


@require_GET
def cmo_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The CMO notes of a PW, newest first, filtered by element and source. Authors are named
    only to those who may see member names; research access sees the author's role."""
    workplace = policy.workplace_for(request.user, slug, A.READ_RESEARCH)
    filters = CmoFilterForm(request.GET or None)
    notes = _notes(filters.apply(CmoNote.objects.filter(workplace=workplace)))
    page = Paginator(notes.order_by("-date", "-pk"), NOTES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "workplace": workplace,
        "filters": filters,
        "page_obj": page,
        "query": query.urlencode(),
        "show_names": policy.can(request.user, A.VIEW_MEMBERS, workplace),
        "can_write": policy.can(request.user, A.WRITE_NOTES, workplace),
    }
    if request.htmx and request.htmx.target == "cmo-results":
        return render(request, "cases/cmo_list.html#results", context)
    return render(request, "cases/cmo_list.html", context)


@require_http_methods(["GET", "POST"])
def cmo_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Write a CMO note; ``?case=<id>`` or ``?activity=<id>`` chooses what it is about."""
    workplace = policy.workplace_for(request.user, slug, A.WRITE_NOTES)
    # A note has an author: a current member (the policy already said so; staff need a
    # membership too).
    author = Person.objects.filter(
        user=request.user,
        memberships__in=Membership.objects.current().filter(workplace=workplace),
    ).first()
    if author is None:
        raise PermissionDenied
    initial = {k: request.GET[k] for k in ("case", "activity") if request.GET.get(k, "").isdigit()}
    form = CmoNoteForm(request.POST or None, initial=initial, workplace=workplace)
    if request.method == "POST" and form.is_valid():
        note = services.create_cmo_note(
            workplace=workplace,
            author=author,
            values=services.CmoNoteValues.of(form.cleaned_data),
        )
        messages.success(request, _("CMO note saved."))
        if note.case_id:
            return redirect("cases:case-detail", slug=workplace.slug, pk=note.case_id)
        return redirect("cases:cmo-list", slug=workplace.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/cmo_form.html", {"workplace": workplace, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def cmo_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The author corrects their note; a save over a newer version is refused (409)."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_CASES)
    note = get_object_or_404(CmoNote.objects.select_related("author"), pk=pk, workplace=workplace)
    if not services.may_edit_cmo_note(request.user, note):
        raise PermissionDenied
    form = CmoNoteForm(request.POST or None, instance=note, workplace=workplace)
    status = 200
    if request.method == "POST":
        status = invalid_status(form)
        if form.is_valid():
            try:
                note = services.update_cmo_note(
                    note=note,
                    values=services.CmoNoteValues.of(form.cleaned_data),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                )
            except services.EditConflict:
                form.add_error(
                    None,
                    _(
                        "You saved this note somewhere else after opening it here. These "
                        "changes are not saved: copy what you need, then reload the page."
                    ),
                )
                status = 409
            else:
                messages.success(request, _("CMO note saved."))
                if note.case_id:
                    return redirect("cases:case-detail", slug=workplace.slug, pk=note.case_id)
                return redirect("cases:cmo-list", slug=workplace.slug)
    return render(
        request, "cases/cmo_form.html", {"workplace": workplace, "form": form, "note": note},
        status=status,
    )  # fmt: skip


def research_scope(request: HttpRequest):
    """The PWs whose notes a staff member or researcher may read across PWs; 403 for others."""
    if not policy.may_research_across(request.user):
        raise PermissionDenied
    return policy.workplaces_where(request.user, A.READ_RESEARCH)


def _all_notes(request: HttpRequest):
    workplaces = research_scope(request)
    filters = CmoFilterForm(request.GET or None)
    notes = filters.apply(CmoNote.objects.filter(workplace__in=workplaces))
    slug = request.GET.get("workplace")
    if slug:
        notes = notes.filter(workplace__slug=slug)
    return filters, workplaces, _notes(notes).order_by("workplace__name", "-date", "-pk")


@require_GET
def cmo_all(request: HttpRequest) -> HttpResponse:
    """CMO notes across every PW the user may see, for cross-case analysis (no names)."""
    filters, workplaces, notes = _all_notes(request)
    page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/cmo_all.html",
        {
            "filters": filters,
            "workplaces": workplaces.order_by("name"),
            "chosen": request.GET.get("workplace", ""),
            "page_obj": page,
            "query": query.urlencode(),
        },
    )


@require_GET
def cmo_export(request: HttpRequest) -> HttpResponse:
    """The filtered cross-PW notes as CSV, streamed: the author's role, never a person's name."""
    _filters, _workplaces, notes = _all_notes(request)
    audit.record(request, "export.cmo_notes")

    def rows():
        for note in notes.iterator(chunk_size=500):
            if note.case_id:
                about = _("case: %(title)s") % {"title": note.case.title}
            elif note.activity_id:
                about = _("activity: %(title)s") % {"title": note.activity.title}
            else:
                about = _("the workplace")
            yield (
                note.workplace.name, note.date.isoformat(), note.get_source_display(),
                about, note.context, note.mechanism, note.outcome,
                " ".join(sorted(e.code for e in note.elements.all())),
                " ".join(sorted(a.code for a in note.aspects.all())),
                Role(note.author_role).label if note.author_role else "",
            )  # fmt: skip

    header = [
        _("Workplace"), _("Date"), _("Source"), _("About"), _("Context"), _("Mechanism"),
        _("Outcome"), _("Elements"), _("Aspects"), _("Author's role"),
    ]  # fmt: skip
    stamp = timezone.localdate().isoformat()
    return tabular.csv_response(f"cmo-notes-{stamp}.csv", tabular.Table(header, rows()))


# --- Experience-expert pool -------------------------------------------------------------------
@require_GET
def pool(request: HttpRequest, slug: str) -> HttpResponse:
    """Experience experts with a standing consent that names this PW, with how to reach them.
    A withdrawn consent disappears from here at once; coordinators see that it was withdrawn,
    never the contact details."""
    workplace = policy.workplace_for(request.user, slug, A.VIEW_POOL)
    audit.record(request, "pool.viewed", workplace=workplace)
    consents = PoolConsent.objects.filter(workplaces=workplace).select_related("person")
    can_manage = policy.can(request.user, A.MANAGE_POOL, workplace)
    withdrawn = []
    if can_manage:
        withdrawn = list(consents.filter(withdrawn_at__isnull=False).order_by("-withdrawn_at")[:50])
    return render(
        request,
        "cases/pool.html",
        {
            "workplace": workplace,
            "consents": list(consents.active()),
            "withdrawn": withdrawn,
            "can_manage": can_manage,
        },
    )


def _pool_workplaces(user):
    """PWs in which this user may record consent (the form's choices)."""
    return policy.workplaces_where(user, A.MANAGE_POOL).order_by("name")


@require_http_methods(["GET", "POST"])
def pool_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a consent: explicit, dated, with the logged-in user as registrar."""
    workplace = policy.workplace_for(request.user, slug, A.MANAGE_POOL)
    form = PoolConsentForm(
        request.POST or None, workplace=workplace, workplaces=_pool_workplaces(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.register_consent(
                registered_by=request.user, values=services.ConsentValues.of(form.cleaned_data)
            )
        except services.ConsentRefused as refused:
            form.add_error(None, str(refused))
        else:
            audit.record(request, "pool.consent_recorded", workplace=workplace, obj=consent)
            messages.success(
                request, _("Consent of %(name)s recorded.") % {"name": consent.person.name}
            )
            return redirect("cases:pool", slug=workplace.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/pool_form.html",
        {
            "workplace": workplace,
            "form": form,
            "consent_text": CONSENT_TEXT,
            "consent_version": CONSENT_TEXT_VERSION,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def pool_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw a consent (coordinators, supporters, or the person themself). GET asks for
    confirmation, the path without JavaScript; POST withdraws, at once and for good."""
    # The person themself may always withdraw, also after leaving the PW ("at any moment").
    consent = (
        PoolConsent.objects.filter(pk=pk, person__user=request.user, workplaces__slug=slug)
        .select_related("person")
        .first()
    )
    own = consent is not None
    if own:
        workplace = consent.workplaces.get(slug=slug)
    else:
        workplace = policy.workplace_for(request.user, slug, A.VIEW_POOL)
        consent = (
            PoolConsent.objects.filter(pk=pk, workplaces=workplace).select_related("person").first()
        )
        if consent is None:
            raise Http404("No such consent")
        if not policy.can(request.user, A.MANAGE_POOL, workplace):
            raise PermissionDenied
    if request.method == "POST":
        audit.record(request, "pool.consent_withdrawn", workplace=workplace, obj=consent)
        if services.withdraw_consent(consent=consent, by=request.user):
            messages.success(
                request,
                _("The consent of %(name)s is withdrawn; they are no longer in the pool.")
                % {"name": consent.person.name},
            )
        else:
            messages.info(request, _("This consent was already withdrawn."))
        if own and not policy.can(request.user, A.VIEW_POOL, workplace):
            return redirect("werkplaats:home")
        return redirect("cases:pool", slug=workplace.slug)
    return render(request, "cases/pool_withdraw.html", {"workplace": workplace, "consent": consent})
