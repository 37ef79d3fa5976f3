"""The notifications benchmark: ratios to the trivial page, inbox queries that do not grow,
digests per minute with the queries per batch bounded, and nothing left behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from werkplaats.management.commands.benchmark_notifications import DOMAIN, SLUG
from werkplaats.models import Notification, NotificationDigest, Person, User, Workplace

pytestmark = pytest.mark.django_db


def run(recipients: int, inbox: int) -> str:
    out = StringIO()
    call_command(
        "benchmark_notifications", recipients=recipients, inbox=inbox, repeat=2, stdout=out
    )
    return out.getvalue()


def number(output: str, pattern: str) -> float:
    match = re.search(pattern, output, re.M)
    assert match, output
    return float(match.group(1).replace(",", ""))


def test_the_benchmark_reports_ratios_rates_and_bounded_queries_and_cleans_up(settings):
    settings.DEBUG = True
    small, large = run(15, 40), run(450, 120)
    inbox = r"^inbox: median [\d.]+ ms, (\d+) queries$"
    assert number(small, inbox) == number(large, inbox)
    assert re.search(r"^ratio inbox / trivial page: [\d.]+$", large, re.M)
    assert number(large, r"^Sent (\d+) digests") == 450
    assert number(large, r"([\d,]+) recipients per minute") > 0
    # 450 recipients are 3 batches of 200: per batch the same few queries as for one batch.
    per_batch = r"\(([\d.]+) per batch\)"
    assert number(large, per_batch) <= number(small, per_batch) + 1
    assert not Workplace.objects.filter(slug=SLUG).exists()
    assert not Person.objects.filter(email__endswith=f"@{DOMAIN}").exists()
    assert not User.objects.filter(email__endswith=f"@{DOMAIN}").exists()
    assert not Notification.objects.exists() and not NotificationDigest.objects.exists()
