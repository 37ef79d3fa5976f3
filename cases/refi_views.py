"""REFI-QDA downloads of a PW for qualitative-analysis software (NVivo, ATLAS.ti, MAXQDA,
QualCoder): the codebook of the LOS model (``.qdc``) and the project with the PW's CMO notes
and coded case-study fragments (``.qdpx``). See ``cases.refi_qda`` for what they hold.

Access as the research CSV: staff and research grants on the PW (``CONDUCT_RESEARCH``, the
action that also guards the coded fragments); other members get 403, anyone outside the PW
404. Every download is written to the audit log.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cases import refi_qda
from werkplaats import audit, policy

A = policy.Action


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def refi_codebook(request: HttpRequest, slug: str) -> HttpResponse:
    """The six elements and their aspects as a REFI-QDA codebook."""
    workplace = policy.workplace_for(request.user, slug, A.CONDUCT_RESEARCH)
    audit.record(request, "export.refi_codebook", workplace=workplace)
    return _download(
        refi_qda.codebook_xml(),
        "application/xml; charset=utf-8",
        f"{workplace.slug}-los-codebook.qdc",
    )


@require_GET
def refi_project(request: HttpRequest, slug: str) -> HttpResponse:
    """The PW's CMO notes and coded fragments as a REFI-QDA project, coded to the elements."""
    workplace = policy.workplace_for(request.user, slug, A.CONDUCT_RESEARCH)
    audit.record(request, "export.refi_project", workplace=workplace)
    return _download(
        refi_qda.project_qdpx(workplace), "application/zip", f"{workplace.slug}-los-project.qdpx"
    )
