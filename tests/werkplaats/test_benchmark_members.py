"""The members benchmark: medians, ratios to the trivial page, queries that do not grow with
the PW, the import's time per 1,000 rows, and nothing left behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from werkplaats.management.commands.benchmark_members import DOMAIN, SLUG
from werkplaats.models import Person, User, Workplace

pytestmark = pytest.mark.django_db


def run(people: int, rows: int) -> str:
    out = StringIO()
    call_command("benchmark_members", people=people, rows=rows, repeat=2, stdout=out)
    return out.getvalue()


def queries(output: str, page: str) -> int:
    match = re.search(rf"^{re.escape(page)}: median [\d.]+ ms, (\d+) queries$", output, re.M)
    assert match, output
    return int(match.group(1))


def test_the_benchmark_reports_ratios_and_constant_queries_and_cleans_up(settings):
    settings.DEBUG = True
    small, large = run(20, 30), run(120, 40)
    for page in ("members page", "members page, everyone ever"):
        assert queries(small, page) == queries(large, page)
        assert re.search(rf"^ratio {re.escape(page)} / trivial page: [\d.]+$", large, re.M)
    assert re.search(r"^Imported 40 cohort rows in [\d.]+ s \([\d.]+ s per 1,000 rows", large, re.M)
    assert not Workplace.objects.filter(slug=SLUG).exists()
    assert not Person.objects.filter(email__endswith=f"@{DOMAIN}").exists()
    assert not User.objects.filter(email__endswith=f"@{DOMAIN}").exists()
