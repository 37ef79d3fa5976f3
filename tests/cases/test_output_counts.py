"""The hard indicators per school year, and the counts on the PW home."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import CaseStatus, OutputKind
from cases.services import output_counts
from tests.factories import OutputFactory, PracticeCaseFactory

pytestmark = pytest.mark.django_db


def _output(workplace, kind, date):
    case = PracticeCaseFactory(workplace=workplace, starts_on=dt.date(2025, 1, 1))
    return OutputFactory(case=case, kind=kind, date=date)


def test_output_counts_count_the_school_year_from_september_to_august(workplace, other_workplace):
    _output(workplace, OutputKind.GRADUATION_WORK, dt.date(2026, 9, 1))  # first day
    _output(workplace, OutputKind.GRADUATION_WORK, dt.date(2027, 8, 31))  # last day
    _output(workplace, OutputKind.PUBLICATION, dt.date(2027, 1, 10))
    _output(workplace, OutputKind.POLICY_PLAN, dt.date(2027, 3, 3))
    _output(workplace, OutputKind.PRESENTATION, dt.date(2027, 3, 3))
    _output(workplace, OutputKind.PUBLICATION, dt.date(2026, 8, 31))  # previous year
    _output(workplace, OutputKind.PUBLICATION, dt.date(2027, 9, 1))  # next year
    _output(other_workplace, OutputKind.PUBLICATION, dt.date(2027, 1, 10))  # other PW

    counts = output_counts(workplace=workplace, school_year="2026-2027")

    assert counts["graduation_assignments"] == 2
    assert counts["publications"] == 1
    assert counts["policy_plan"] == 1
    assert counts["total"] == 5
    assert counts["per_kind"] == {
        "graduation_work": 2,
        "publication": 1,
        "presentation": 1,
        "product": 0,
        "teaching_material": 0,
        "policy_plan": 1,
    }
    previous = output_counts(workplace=workplace, school_year="2025-2026")
    assert previous["publications"] == 1 and previous["total"] == 1


def test_output_counts_of_an_empty_year_are_zeros_for_every_kind(workplace):
    counts = output_counts(workplace=workplace, school_year="2030-2031")
    assert counts["total"] == 0
    assert set(counts["per_kind"]) == set(OutputKind.values)
    assert not any(counts["per_kind"].values())


def test_output_counts_is_one_query(workplace, django_assert_num_queries):
    _output(workplace, OutputKind.PUBLICATION, dt.date(2027, 1, 10))
    with django_assert_num_queries(1):
        output_counts(workplace=workplace, school_year="2026-2027")


@time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC), tick=False)
def test_the_workplace_home_shows_running_cases_and_this_years_outputs(client, workplace, member):
    running = PracticeCaseFactory(
        workplace=workplace, status=CaseStatus.RUNNING, starts_on=dt.date(2025, 1, 1)
    )
    PracticeCaseFactory(workplace=workplace, status=CaseStatus.RUNNING)
    PracticeCaseFactory(workplace=workplace, status=CaseStatus.IDEA)
    OutputFactory(case=running, date=dt.date(2026, 10, 1))
    OutputFactory(case=running, date=dt.date(2027, 1, 5))
    OutputFactory(case=running, date=dt.date(2026, 6, 1))  # last school year
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/").content.decode()
    assert "2 running cases" in html
    assert "2 outputs this school year" in html
    assert f"/pw/{workplace.slug}/cases/" in html
