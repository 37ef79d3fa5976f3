"""Case studies (research): a PW studied as a case, its data-collection moments (the article's
table 1), coded fragments (researchers and staff only), within-case summaries per element, and
the cross-case matrix.

Access: members of the PW and researchers read case studies and summaries (READ_RESEARCH);
only research access and staff see and add fragments, moments and summaries (CONDUCT_RESEARCH).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import study_services as services
from cases.forms import CaseStudyForm, DataCollectionForm, FragmentForm, SummaryForm
from cases.models import CaseStudy, ElementSummary, Fragment
from cases.views import research_scope
from elements.models import Element
from werkplaats import policy
from werkplaats.models import Workplace

A = policy.Action


# --- Case studies -----------------------------------------------------------------------------
def _study(workplace: Workplace, pk: int) -> CaseStudy:
    try:
        return CaseStudy.objects.get(pk=pk, workplace=workplace)
    except CaseStudy.DoesNotExist:
        raise Http404("No such case study") from None


@require_GET
def study_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The case studies of a PW: members and researchers see them (fragments excepted)."""
    workplace = policy.workplace_for(request.user, slug, A.READ_RESEARCH)
    return render(
        request,
        "cases/study_list.html",
        {
            "workplace": workplace,
            "studies": CaseStudy.objects.filter(workplace=workplace),
            "can_conduct": policy.can(request.user, A.CONDUCT_RESEARCH, workplace),
        },
    )


@require_http_methods(["GET", "POST"])
def study_new(request: HttpRequest, slug: str) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, A.CONDUCT_RESEARCH)
    form = CaseStudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        study = services.create_case_study(
            workplace=workplace,
            by=request.user,
            values=services.CaseStudyValues.of(form.cleaned_data),
        )
        return redirect("cases:study-detail", slug=workplace.slug, pk=study.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/study_form.html", {"workplace": workplace, "form": form}, status=status
    )


def _study_page(request, workplace, study, *, forms=None, status=200) -> HttpResponse:
    """Table 1, the within-case summaries per element and, for researchers, the coded
    fragments as evidence and the forms to add to them."""
    can_conduct = policy.can(request.user, A.CONDUCT_RESEARCH, workplace)
    summaries = {s.element_id: s for s in ElementSummary.objects.filter(case_study=study)}
    evidence: dict[str, list[Fragment]] = {}
    if can_conduct:
        fragments = Fragment.objects.filter(case_study=study).prefetch_related(
            "elements", "aspects"
        )
        for fragment in fragments:
            for element in fragment.elements.all():
                evidence.setdefault(element.code, []).append(fragment)
    elements = [
        {"element": e, "summary": summaries.get(e.code), "fragments": evidence.get(e.code, [])}
        for e in Element.objects.all()
    ]
    forms = forms or {}
    context = {
        "workplace": workplace,
        "study": study,
        "table": services.respondent_table(study),
        "elements": elements,
        "can_conduct": can_conduct,
    }
    if can_conduct:
        context.update(
            moment_form=forms.get("moment") or DataCollectionForm(),
            fragment_form=forms.get("fragment") or FragmentForm(case_study=study),
            summary_form=forms.get("summary") or SummaryForm(),
        )
    return render(request, "cases/study_detail.html", context, status=status)


@require_GET
def study_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, A.READ_RESEARCH)
    return _study_page(request, workplace, _study(workplace, pk))


@require_POST
def study_moment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, A.CONDUCT_RESEARCH)
    study = _study(workplace, pk)
    form = DataCollectionForm(request.POST)
    if not form.is_valid():
        return _study_page(request, workplace, study, forms={"moment": form}, status=400)
    services.add_collection(
        case_study=study, values=services.CollectionValues.of(form.cleaned_data)
    )
    return redirect("cases:study-detail", slug=workplace.slug, pk=study.pk)


@require_POST
def study_fragment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, A.CONDUCT_RESEARCH)
    study = _study(workplace, pk)
    form = FragmentForm(request.POST, case_study=study)
    if not form.is_valid():
        return _study_page(request, workplace, study, forms={"fragment": form}, status=400)
    services.add_fragment(
        case_study=study, by=request.user, values=services.FragmentValues.of(form.cleaned_data)
    )
    return redirect("cases:study-detail", slug=workplace.slug, pk=study.pk)


@require_POST
def study_summary(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace = policy.workplace_for(request.user, slug, A.CONDUCT_RESEARCH)
    study = _study(workplace, pk)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return _study_page(request, workplace, study, forms={"summary": form}, status=400)
    services.set_summary(case_study=study, **form.cleaned_data)
    return redirect("cases:study-detail", slug=workplace.slug, pk=study.pk)


@require_GET
def study_matrix(request: HttpRequest) -> HttpResponse:
    """Cross-case analysis: elements × the case studies of every PW the user may see."""
    workplaces = research_scope(request)
    studies = list(
        CaseStudy.objects.filter(workplace__in=workplaces)
        .select_related("workplace")
        .order_by("workplace__name", "starts_on", "pk")
    )
    return render(
        request,
        "cases/study_matrix.html",
        {"studies": studies, "matrix": services.cross_case_matrix(studies)},
    )
