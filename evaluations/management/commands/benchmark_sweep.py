"""Benchmark the evaluation mail sweep (issue 16): a cycle of ``--invitations`` people.

Fills a dedicated PW ("benchmark-sweep") with that many members, each invited to one open
yearly cycle, then times what beat does: queueing the ledger rows (``queue_due_mails``),
sending them through Django's in-memory mail backend (``send_due``: claim, one-time answer
link, the mail, the status write), and a sweep with nothing left to do. It prints rows and
invitations per minute and the queries per mail. Everything it made is deleted afterwards.
On a scratch database:

    DEBUG=true .venv/bin/python manage.py benchmark_sweep --invitations 10000
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from evaluations.mailing import queue_due_mails, send_due
from evaluations.models import (
    CycleKind,
    CycleStatus,
    EvaluationCycle,
    InstrumentVersion,
    Invitation,
    MailKind,
)
from werkplaats.models import Membership, Person, Role, Sector, Workplace

SLUG = "benchmark-sweep"
DOMAIN = "benchmark-sweep.example"


class Command(BaseCommand):
    help = "Time the evaluation mail sweep for one cycle: rows queued and mails sent per minute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--invitations", type=int, default=10_000, help="People invited.")
        parser.add_argument("--allow-production", action="store_true", help="Run with DEBUG off.")

    def handle(self, *args, invitations: int, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("This writes many rows; with DEBUG off pass --allow-production.")
        cleanup()
        try:
            cycle = self.fill(invitations)
            self.sweep(cycle, invitations)
        finally:
            cleanup()
            self.stdout.write(f"Deleted the benchmark PW '{SLUG}' and its people.")

    def fill(self, count: int) -> EvaluationCycle:
        """The PW, its members and an open yearly cycle that invited them all."""
        now = timezone.now()
        version = InstrumentVersion.objects.filter(instrument__code="los-scan").order_by("number")
        with transaction.atomic():
            workplace = Workplace.objects.create(
                name="PW Benchmark uitnodigingen", slug=SLUG, sector=Sector.OTHER,
                started_on=dt.date(2020, 9, 1),
            )  # fmt: skip
            people = Person.objects.bulk_create(
                (Person(name=f"Deelnemer {n:05d}", email=f"d{n}@{DOMAIN}") for n in range(count)),
                batch_size=2000,
            )
            Membership.objects.bulk_create(
                (
                    Membership(
                        person=p,
                        workplace=workplace,
                        role=Role.STUDENT,
                        starts_on=dt.date(2020, 9, 1),
                    )  # fmt: skip
                    for p in people
                ),
                batch_size=2000,
            )
            cycle = EvaluationCycle.objects.create(
                workplace=workplace, kind=CycleKind.YEARLY, label="Benchmark",
                school_year="2026-2027", instrument_version=version.first(),
                opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=21),
                status=CycleStatus.OPEN, opened_at=now,
            )  # fmt: skip
            Invitation.objects.bulk_create(
                (Invitation(cycle=cycle, person=p, role=Role.STUDENT) for p in people),
                batch_size=2000,
            )
        self.stdout.write(f"Filled {count} members, each invited to one open cycle")
        return cycle

    @override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    def sweep(self, cycle: EvaluationCycle, count: int) -> None:
        from django.core import mail

        mail.outbox = []
        now = timezone.now()
        counted: list[int] = []

        def counter(execute, sql, params, many, context):
            counted.append(1)  # DEBUG's query log keeps 9,000 at most: count them here
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            queued = queue_due_mails(cycle, now)
            queueing = time.perf_counter() - started
            queue_queries = len(counted)
            counted.clear()
            started = time.perf_counter()
            outcome = send_due(timezone.now())  # the rows are due from when they were queued
            sending = time.perf_counter() - started
            send_queries = len(counted)
            counted.clear()
            started = time.perf_counter()
            again = queue_due_mails(cycle, now)
            idle = time.perf_counter() - started
        sent = outcome.get("sent", 0)
        invited = sum(1 for m in mail.outbox if m.to)
        if queued != count or sent != count or invited != count or again:
            raise CommandError(
                f"expected {count} invitations: queued {queued}, sent {sent} ({outcome}), "
                f"mails {invited}, queued again {again}"
            )
        self.stdout.write(
            f"Queued {queued} {MailKind.INVITATION} rows in {queueing:.2f} s: "
            f"{queued / queueing * 60:,.0f} rows per minute, {queue_queries} queries"
        )
        self.stdout.write(
            f"Sent {sent} invitations in {sending:.2f} s: {sent / sending * 60:,.0f} "
            f"invitations per minute, {send_queries / sent:.1f} queries per mail"
        )
        self.stdout.write(f"A sweep with nothing due: {idle * 1000:.0f} ms, queued {again}")
        mail.outbox = []


def cleanup() -> None:
    with transaction.atomic():
        Workplace.objects.filter(slug=SLUG).delete()
        Person.objects.filter(email__endswith=f"@{DOMAIN}").delete()
