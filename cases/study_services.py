"""Writes and tables of case studies (Yin): a study of a PW, its data-collection moments, the
anonymised fragments coded to the model, the summaries per element, and the tables across
cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Sum

from cases.models import (
    CaseStudy,
    CollectionMethod,
    DataCollection,
    ElementSummary,
    Fragment,
    RespondentGroup,
)
from elements.models import Element
from elements.tagging import TagSelection
from werkplaats.models import Workplace
from werkplaats.values import KEEP, Keep, RowValues


@dataclass(frozen=True, kw_only=True)
class CaseStudyValues(RowValues):
    title: str | Keep = KEEP
    starts_on: dt.date | Keep = KEEP
    ends_on: dt.date | Keep = KEEP
    description: str | Keep = KEEP


def create_case_study(*, workplace: Workplace, by, values: CaseStudyValues) -> CaseStudy:
    """Save a new case study of a PW."""
    with transaction.atomic():
        return values.write(CaseStudy(workplace=workplace, created_by=by))


@dataclass(frozen=True, kw_only=True)
class CollectionValues(RowValues):
    method: str | Keep = KEEP
    group: str | Keep = KEEP
    date: dt.date | Keep = KEEP
    respondents: int | None | Keep = KEEP


def add_collection(*, case_study: CaseStudy, values: CollectionValues) -> DataCollection:
    """Save a data-collection moment of a case study."""
    with transaction.atomic():
        return values.write(DataCollection(case_study=case_study))


@dataclass(frozen=True, kw_only=True)
class FragmentValues(RowValues):
    text: str | Keep = KEEP
    group: str | Keep = KEEP
    collection: DataCollection | None | Keep = KEEP
    tags: TagSelection | Iterable[str] | Keep = KEEP


def add_fragment(*, case_study: CaseStudy, by, values: FragmentValues) -> Fragment:
    """Save an anonymised fragment with its codes (elements and aspects)."""
    with transaction.atomic():
        return values.write(Fragment(case_study=case_study, coded_by=by))


def set_summary(*, case_study: CaseStudy, element: Element, recognition: str, summary: str):
    """Create or replace the within-case summary of one element (one row per element)."""
    with transaction.atomic():
        row, _created = ElementSummary.objects.update_or_create(
            case_study=case_study,
            element=element,
            defaults={"recognition": recognition, "summary": summary},
        )
    return row


def respondent_table(case_study: CaseStudy) -> dict:
    """The article's table 1 for a case study: respondents per group and method (one query).

    {"methods": [(code, label)], "rows": [{"group": label, "cells": [n per method],
     "total": n}], "totals": [n per method], "total": n, "moments": n}; groups without
    respondents are left out, methods always shown in a fixed order.
    """
    cells: dict[tuple[str, str], int] = {}
    moments = 0
    for row in (
        DataCollection.objects.filter(case_study=case_study)
        .values("group", "method")
        .annotate(n=Sum("respondents"), moments=Count("pk"))
        .order_by()
    ):
        cells[(row["group"], row["method"])] = row["n"] or 0
        moments += row["moments"]
    methods = list(CollectionMethod)
    rows = []
    for group in RespondentGroup:
        values = [cells.get((group.value, m.value), 0) for m in methods]
        if any((group.value, m.value) in cells for m in methods):
            rows.append({"group": group.label, "cells": values, "total": sum(values)})
    totals = [sum(r["cells"][i] for r in rows) for i in range(len(methods))]
    return {
        "methods": [(m.value, m.label) for m in methods],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "moments": moments,
    }


def cross_case_matrix(case_studies) -> list[dict]:
    """Elements × case studies: each cell the recognition, summary and fragment count.

    Three queries whatever the number of case studies: elements, summaries, fragment counts.
    [{"element": Element, "cells": [{"summary": ElementSummary | None, "fragments": n}]}]
    """
    studies = list(case_studies)
    ids = [s.pk for s in studies]
    summaries = {
        (row.case_study_id, row.element_id): row
        for row in ElementSummary.objects.filter(case_study_id__in=ids)
    }
    through = Fragment.elements.through
    counts = {
        (row["fragment__case_study_id"], row["element_id"]): row["n"]
        for row in through.objects.filter(fragment__case_study_id__in=ids)
        .values("fragment__case_study_id", "element_id")
        .annotate(n=Count("fragment_id"))
        .order_by()
    }
    return [
        {
            "element": element,
            "cells": [
                {
                    "summary": summaries.get((study.pk, element.code)),
                    "fragments": counts.get((study.pk, element.code), 0),
                }
                for study in studies
            ],
        }
        for element in Element.objects.all()
    ]
