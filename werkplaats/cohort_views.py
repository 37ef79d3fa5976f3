"""The cohort import (issue 14): upload a CSV or XLSX file, say which column holds what,
preview every row with its errors and what importing it does, then import all valid rows
in one transaction, or nothing. Access: ``MANAGE_MEMBERS``; an upload is its uploader's."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from werkplaats import audit, people_services, policy
from werkplaats.cohort_import import (
    MAX_BYTES,
    ImportFileError,
    Table,
    guess_mapping,
    parse_rows,
    read_table,
)
from werkplaats.models import CohortImport, Workplace
from werkplaats.people_forms import CohortMappingForm, CohortUploadForm

MANAGE = policy.Action.MANAGE_MEMBERS
KEEP_UPLOADS = dt.timedelta(days=1)


def _upload(request: HttpRequest, workplace: Workplace, pk: int) -> CohortImport:
    return get_object_or_404(
        CohortImport, pk=pk, workplace=workplace, uploaded_by=request.user,
        created_at__gte=timezone.now() - KEEP_UPLOADS,
    )  # fmt: skip


def purge_cohort_uploads() -> int:
    """Delete uploads older than a day (their cells name people): on every upload and daily
    from beat."""
    deleted, _rows = CohortImport.objects.filter(
        created_at__lt=timezone.now() - KEEP_UPLOADS
    ).delete()
    return deleted


def _table(upload: CohortImport) -> Table:
    return Table(**upload.table)


@require_http_methods(["GET", "POST"])
def cohort_upload(request: HttpRequest, slug: str) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    form = CohortUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_BYTES:
                    raise ImportFileError(_("The file is larger than 10 MB."))
                table = read_table(upload.read(), upload.name)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                purge_cohort_uploads()
                saved = CohortImport.objects.create(
                    workplace=workplace,
                    uploaded_by=request.user,
                    file_name=upload.name[:200],
                    table=asdict(table),
                    mapping=guess_mapping(table.headers),
                )
                audit.record(request, "members.import_uploaded", workplace=workplace, obj=saved)
                return redirect("werkplaats:cohort-map", workplace.slug, saved.pk)
    return render(
        request, "werkplaats/cohort_upload.html", {"workplace": workplace, "form": form},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def cohort_map(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    upload = _upload(request, workplace, pk)
    table = _table(upload)
    initial = {k: "" if v is None else str(v) for k, v in upload.mapping.items()}
    form = CohortMappingForm(request.POST or None, headers=table.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload.mapping = form.mapping()
        upload.save(update_fields=["mapping"])
        return redirect("werkplaats:cohort-preview", workplace.slug, upload.pk)
    return render(
        request,
        "werkplaats/cohort_map.html",
        {"workplace": workplace, "upload": upload, "form": form, "table": table,
         "sample": table.rows[:3]},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _parsed(upload: CohortImport):
    mapping = {k: (None if v is None else int(v)) for k, v in upload.mapping.items()}
    return parse_rows(_table(upload), mapping, default_start=timezone.localdate())


@require_http_methods(["GET", "POST"])
def cohort_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, MANAGE)
    upload = _upload(request, workplace, pk)
    try:
        rows = _parsed(upload)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("werkplaats:cohort-map", workplace.slug, upload.pk)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        upload.delete()
        messages.info(request, _("Nothing was imported."))
        return redirect("werkplaats:members", workplace.slug)
    if request.method == "POST" and request.POST.get("action") == "import":
        try:
            report = people_services.import_cohort(workplace=workplace, rows=rows)
        except people_services.PeopleError as error:
            messages.error(request, str(error))
            return redirect("werkplaats:cohort-preview", workplace.slug, upload.pk)
        audit.record(request, "members.imported", workplace=workplace, obj=upload)
        upload.delete()
        return render(
            request, "werkplaats/cohort_report.html", {"workplace": workplace, "report": report}
        )
    planned = {p.row.line: p for p in people_services.plan_import(workplace, rows)}
    preview = [(row, planned.get(row.line)) for row in rows]
    counts = {
        "add": sum(1 for p in planned.values() if p.action == people_services.ADD),
        "match": sum(1 for p in planned.values() if p.action == people_services.MATCH),
        "skip": sum(1 for p in planned.values() if p.action == people_services.SKIP)
        + sum(1 for r in rows if r.errors),
    }
    return render(
        request,
        "werkplaats/cohort_preview.html",
        {"workplace": workplace, "upload": upload, "preview": preview, "counts": counts,
         "notes": upload.table.get("notes", []),
         "importable": counts["add"] + counts["match"]},
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip
