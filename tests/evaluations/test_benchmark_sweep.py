"""The sweep benchmark: every invitation queued once and sent once, rates printed, the
queries per mail bounded whatever the size, and nothing left behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from evaluations.management.commands.benchmark_sweep import DOMAIN, SLUG
from evaluations.models import EvaluationCycle, Invitation, MailDelivery
from werkplaats.models import Person, Workplace

pytestmark = pytest.mark.django_db


def run(count: int) -> str:
    out = StringIO()
    call_command("benchmark_sweep", invitations=count, stdout=out)
    return out.getvalue()


def number(output: str, pattern: str) -> float:
    match = re.search(pattern, output, re.M)
    assert match, output
    return float(match.group(1).replace(",", ""))


def test_the_sweep_benchmark_sends_each_invitation_once_and_cleans_up(settings):
    settings.DEBUG = True
    small, large = run(12), run(60)
    assert number(large, r"^Queued (\d+) invitation rows") == 60
    assert number(large, r"^Sent (\d+) invitations") == 60
    assert number(large, r"([\d,]+) invitations per minute") > 0
    per_mail = r"([\d.]+) queries per mail$"
    assert number(large, per_mail) <= number(small, per_mail) + 0.5  # constant per mail
    assert number(large, r"nothing due: \d+ ms, queued (\d+)$") == 0
    assert not Workplace.objects.filter(slug=SLUG).exists()
    assert not Person.objects.filter(email__endswith=f"@{DOMAIN}").exists()
    assert not EvaluationCycle.objects.filter(label="Benchmark").exists()
    assert Invitation.objects.count() == MailDelivery.objects.count() == 0


def test_the_sweep_benchmark_refuses_production_without_the_flag(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="allow-production"):
        call_command("benchmark_sweep", invitations=1, stdout=StringIO())
