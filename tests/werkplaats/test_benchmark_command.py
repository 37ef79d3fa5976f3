"""The activity-list benchmark: reports medians and ratios, a constant query count, cleans up."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from werkplaats.management.commands.benchmark_activities import DOMAIN, SLUG
from werkplaats.models import Activity, Person, User, Workplace

pytestmark = pytest.mark.django_db

VARIANTS = ["list", "list element=VOR, one year", "list page 50"]


def run_benchmark(count: int) -> str:
    out = StringIO()
    call_command("benchmark_activities", count=count, repeat=2, stdout=out, allow_production=True)
    return out.getvalue()


def query_count(output: str) -> int:
    match = re.search(r"^SQL queries per list render: (\d+)$", output, re.MULTILINE)
    assert match, output
    return int(match.group(1))


def test_benchmark_reports_medians_and_ratios_with_a_query_count_independent_of_size():
    small = run_benchmark(300)
    assert "Filled 300 activities in " in small
    assert re.search(r"^healthz: median [\d.]+ ms$", small, re.MULTILINE), small
    for name in VARIANTS:
        assert re.search(rf"^{re.escape(name)}: median [\d.]+ ms$", small, re.MULTILINE), small
        assert re.search(rf"^ratio {re.escape(name)} / healthz: [\d.]+$", small, re.MULTILINE)
    large = run_benchmark(1200)
    assert query_count(small) == query_count(large)
    assert query_count(small) < 25


def test_benchmark_without_keep_leaves_nothing_of_its_workplace_behind():
    output = run_benchmark(300)
    assert f"Deleted the benchmark PW '{SLUG}'" in output
    assert not Workplace.objects.filter(slug=SLUG).exists()
    assert not Activity.objects.exists()
    assert not Person.objects.filter(email__endswith=f"@{DOMAIN}").exists()
    assert not User.objects.filter(email__endswith=f"@{DOMAIN}").exists()
