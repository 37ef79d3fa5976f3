"""The yearly dashboards: one PW's results per cycle, the overview across PWs, and exports.

Access: ``READ_RESULTS`` (bridge-builders, managers, supporters, research access, staff) through
the policy; a student or client gets 403, another PW 404. Only aggregates are shown, with the
privacy rules of ``evaluations.results``; the research CSV (staff and research access only)
has one row per response under a pseudonym that is stable within a cycle only.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from elements import reference
from elements.models import ELEMENT_CODES
from evaluations import frozen_results, overview_rows, results, trends
from evaluations.dashboard_live import live_parts
from evaluations.models import (
    Answer,
    CycleKind,
    CycleStatus,
    EvaluationCycle,
    Item,
    Response,
)
from werkplaats import audit, policy, tabular
from werkplaats.models import Role, school_year_of

READ = policy.Action.READ_RESULTS


@require_GET
def results_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest cycle's dashboard (closed first), or a page saying there is none yet."""
    workplace = policy.workplace_for(request.user, slug, READ)
    cycles = list(frozen_results.cycles_of(workplace))
    asked = request.GET.get("cycle", "")
    chosen = next((c for c in cycles if str(c.pk) == asked), None)
    chosen = chosen or next((c for c in cycles if c.status == CycleStatus.CLOSED), None)
    chosen = chosen or (cycles[0] if cycles else None)
    if chosen is None:
        return render(request, "evaluations/results_none.html", {"workplace": workplace})
    return redirect("evaluations:dashboard", workplace.slug, chosen.pk)


@require_GET
def dashboard(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A cycle's results: response, the six elements (radar and table), aspects weakest first,
    change, trend, role gaps, open answers, indicators, self-scan, activities and goals, and
    the improvement actions. A constant number of queries, whatever the number of cycles.

    A closed cycle's results are frozen, so their rendered HTML is kept in the cache per cycle
    and language (``frozen_results``: checked against a fingerprint on every read, rendered
    when the cycle closes); what can still change (indicators, self-scan, actions, the
    activity log) is rendered live."""
    workplace = policy.workplace_for(request.user, slug, READ)
    cycles = list(frozen_results.cycles_of(workplace))
    cycle = next((c for c in cycles if c.pk == pk), None)
    if cycle is None:
        raise Http404("No such cycle")
    closed = cycle.status == CycleStatus.CLOSED
    previous = frozen_results.previous_in(cycle, cycles) if closed else None
    # The print view (for printing without JavaScript) has every folded section open: it is
    # rendered afresh, never from or into the cache.
    print_view = request.GET.get("print") == "1"
    results_html = frozen_results.html(workplace, cycle, cycles, open_all=print_view)

    return render(
        request,
        "evaluations/dashboard.html",
        {
            "workplace": workplace,
            "cycle": cycle,
            "cycles": cycles,
            "previous": previous,
            "results_html": results_html,
            **live_parts(workplace=workplace, cycle=cycle, cycles=cycles, previous=previous),
            "today": timezone.localdate(),
            "print_view": print_view,
            "can_research": policy.can(request.user, policy.Action.EXPORT_RESEARCH, workplace),
        },
    )


# --- Exports -----------------------------------------------------------------------------------
@require_GET
def export_xlsx(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """All aggregates of a cycle as a workbook: response, elements, aspects, trend."""
    workplace = policy.workplace_for(request.user, slug, READ)
    cycle = frozen_results.cycles_of(workplace).filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle")
    audit.record(request, "export.results", workplace=workplace, obj=cycle)
    data = results.cycle_results(cycle, with_open_answers=False)
    shown = [role for role in Role if role.value in data.roles]

    def aspect_rows():
        for e in data.elements:
            for a in e.aspects:
                counts = a.counts if data.visible else [None] * 6
                scores = [_round(a.score.mean), _round(a.delta)]
                yield [a.code, a.item.text, *scores, *counts[1:], counts[0]]

    sheets = [
        tabular.Table(
            [_("Role"), _("Invited"), _("Responded"), _("Rate")],
            [
                [role.label, invited, data.respondents.get(role.value, 0), data.rate(role.value)]
                for role in Role
                if (invited := data.invited.get(role.value))
            ],
            title=_("Response"),
        ),
        tabular.Table(
            [_("Element"), _("Mean"), _("Band"), _("Change"), *[r.label for r in shown]],
            (
                [
                    e.element.code,
                    _round(e.score.mean),
                    e.score.band,
                    _round(e.delta),
                    *[_round(e.per_role[r.value].mean) for r in shown],
                ]
                for e in data.elements
            ),
            title=_("Elements"),
        ),
        tabular.Table(
            [_("Aspect"), _("Statement"), _("Mean"), _("Change"), *"12345", _("Don't know")],
            aspect_rows(),
            title=_("Aspects"),
        ),
        tabular.Table(
            [_("Cycle"), *ELEMENT_CODES],
            (
                [c.label, *[_round(means.get(code)) for code in ELEMENT_CODES]]
                for c, means in trends.trend(cycle)
            ),
            title=_("Trend"),
        ),
    ]
    return tabular.xlsx_response(f"{workplace.slug}-{cycle.pk}-results.xlsx", sheets)


def _round(value: float | None) -> float | None:
    """As the dashboard shows it: one decimal, half up (a number cell in the sheet)."""
    from evaluations.results import one_decimal

    rounded = one_decimal(value)
    return None if rounded is None else float(rounded)


def pseudonym(cycle_id: int, response_id: int) -> str:
    """Stable within a cycle, unrelated across cycles, not reversible without the key
    (``RESEARCH_PSEUDONYM_KEY``, outside the database; by default ``SECRET_KEY``, giving the
    same pseudonyms as before that setting existed): HMAC-SHA256."""
    message = f"respondent:{cycle_id}:{response_id}".encode()
    key = settings.RESEARCH_PSEUDONYM_KEY.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:12]


@require_GET
def research_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One row per submitted response of a closed cycle, for staff and research access:
    pseudonym, role (or "other"), PW code, version and item scores; no names, no open answers.
    Which rows are exported follows ``results.research_groups``; a last comment line says how
    many rows were withheld and why. An open cycle has no row-level export (404): its rows
    would change, one respondent at a time, while answers still come in."""
    workplace = policy.workplace_for(request.user, slug, READ)
    policy.require(request.user, policy.Action.EXPORT_RESEARCH, workplace)
    cycle = frozen_results.cycles_of(workplace).filter(pk=pk, status=CycleStatus.CLOSED).first()
    if cycle is None:
        raise Http404("No closed cycle")
    audit.record(request, "export.research", workplace=workplace, obj=cycle)
    table, withheld = _research_table(workplace, cycle)
    # One closed cycle's responses, already in memory: a whole file, no byte order mark (R and
    # pandas read UTF-8 as it is).
    response = tabular.csv_response(
        f"{workplace.slug}-{cycle.pk}-research.csv",
        table,
        bom=False,
        stream=False,
    )
    response["X-Withheld-Rows"] = str(withheld)
    return response


def _research_table(workplace, cycle) -> tuple[tabular.Table, int]:
    """The research CSV's rows (``results.research_groups`` decides which are exported, in
    pseudonym order) and how many were withheld, in three queries."""
    items = list(
        Item.objects.filter(version=cycle.instrument_version_id).order_by("element__order", "order")
    )
    responses = list(
        Response.objects.filter(cycle=cycle, submitted_at__isnull=False).values_list(
            "pk", "role", "assisted"
        )
    )
    counts: dict[str, int] = {}
    for _pk, role, _assisted in responses:
        counts[role] = counts.get(role, 0) + 1
    groups = results.research_groups(counts)
    exported = [row for row in responses if row[1] in groups.labels]
    answers: dict[int, dict[int, int]] = {}
    for response_id, item_id, value in Answer.objects.filter(
        response__cycle=cycle,
        response__submitted_at__isnull=False,
        response__role__in=list(groups.labels),
    ).values_list("response", "item", "value"):
        answers.setdefault(response_id, {})[item_id] = value
    version = cycle.instrument_version
    ordered = sorted(exported, key=lambda r: pseudonym(cycle.pk, r[0]))
    header = ["respondent", "role", "pw", "cycle", "kind", "instrument", "version", "assisted",
              *[item.aspect_id or item.element_id for item in items]]  # fmt: skip

    def rows():
        for response_id, role, assisted in ordered:
            given = answers.get(response_id, {})
            yield [
                pseudonym(cycle.pk, response_id),
                groups.labels[role],
                workplace.slug,
                cycle.label,
                cycle.kind,
                version.instrument.code,
                version.number,
                int(assisted),
                *[_csv_value(given.get(item.pk)) for item in items],
            ]

    # A comment line after the rows, in English like the column names, so the file itself
    # says what is missing.
    withheld = [
        f"{groups.withheld} of {len(responses)} responses withheld: their group, or what "
        f"would remain of it, has fewer than {settings.EVALUATION_MIN_GROUP} respondents"
    ]
    comments = withheld if groups.withheld else ()
    return tabular.Table(header, rows(), comments=comments), groups.withheld


def _csv_value(value: int | None) -> str:
    if value is None:
        return ""
    return "NA" if value == 0 else str(value)


# --- Across PWs --------------------------------------------------------------------------------
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Elements × PWs for a school year (a heat table) and each PW's trend, for the PWs whose
    results the user may read. A constant number of queries, whatever the number of PWs."""
    workplaces = list(policy.workplaces_where(request.user, READ).order_by("name"))
    years = list(
        EvaluationCycle.objects.filter(
            workplace__in=workplaces, kind=CycleKind.YEARLY, status=CycleStatus.CLOSED
        )
        .values_list("school_year", flat=True)
        .distinct()
        .order_by("-school_year")
    )  # the choice of school years
    year = request.GET.get("year") or (years[0] if years else school_year_of(timezone.localdate()))
    if years and year not in years:
        year = years[0]
    rows = overview_rows.rows_for(workplaces, year)
    return render(
        request,
        "evaluations/overview.html",
        {
            "rows": rows,
            "years": years,
            "year": year,
            "elements": reference.elements(),
            "minimum": settings.EVALUATION_MIN_GROUP,
        },
    )
