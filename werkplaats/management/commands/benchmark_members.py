"""Benchmark the members page and the cohort import (issue 14).

Fills a dedicated PW ("benchmark-members") with ``--people`` people over ten school years
(a cohort of students a year, staff that stay), renders the members page several ways and a
trivial logged-in page (the privacy page: session, user and the base template) in the same
run, and reports medians, query counts and ratios to the trivial page (never an absolute
goal). Then imports ``--rows`` cohort rows through the import service and reports the time
per 1,000 rows. Everything it made is deleted afterwards. On a scratch database:

    DEBUG=true .venv/bin/python manage.py benchmark_members --people 500 --rows 2000
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from werkplaats import people_services
from werkplaats.benchmarking import TRIVIAL, measure_pages
from werkplaats.cohort_import import Table, guess_mapping, parse_rows
from werkplaats.models import Membership, Person, Role, Sector, User, Workplace

SLUG = "benchmark-members"
DOMAIN = "benchmark-members.example"
YEARS = 10


class Command(BaseCommand):
    help = "Time the members page and the cohort import, as ratios against a trivial page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=500, help="People in the PW.")
        parser.add_argument("--rows", type=int, default=2000, help="Cohort rows to import.")
        parser.add_argument("--repeat", type=int, default=15, help="Timed renders per page.")
        parser.add_argument("--allow-production", action="store_true", help="Run with DEBUG off.")

    def handle(self, *args, people: int, rows: int, repeat: int, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("This writes many rows; with DEBUG off pass --allow-production.")
        cleanup()
        try:
            user, workplace = self.fill(people)
            self.measure(user, workplace, repeat)
            self.time_import(workplace, rows)
        finally:
            cleanup()
            self.stdout.write(f"Deleted the benchmark PW '{SLUG}', its user and people.")

    def fill(self, count: int) -> tuple[User, Workplace]:
        today = timezone.localdate()
        first_year = today.year - YEARS
        with transaction.atomic():
            workplace = Workplace.objects.create(
                name="PW Benchmark leden", slug=SLUG, sector=Sector.OTHER,
                started_on=dt.date(first_year, 9, 1),
            )  # fmt: skip
            user = User.objects.create_user(f"bridge-builder@{DOMAIN}")
            builder = Person.objects.create(name="Bridge-builder", user=user, email=user.email)
            Membership.objects.create(
                person=builder, workplace=workplace, role=Role.BRIDGE_BUILDER,
                starts_on=dt.date(first_year, 9, 1),
            )  # fmt: skip
            people = Person.objects.bulk_create(
                Person(name=f"Benchmark lid {n:04d}", email=f"lid{n}@{DOMAIN}")
                for n in range(count)
            )
            memberships = []
            for n, person in enumerate(people):
                year = first_year + n % YEARS
                if n % 5:  # students: one school year each
                    memberships.append(Membership(
                        person=person, workplace=workplace, role=Role.STUDENT,
                        starts_on=dt.date(year, 9, 1), ends_on=dt.date(year + 1, 8, 31),
                    ))  # fmt: skip
                else:  # staff stay
                    memberships.append(Membership(
                        person=person, workplace=workplace, role=Role.PROFESSIONAL,
                        starts_on=dt.date(year, 9, 1),
                    ))  # fmt: skip
            Membership.objects.bulk_create(memberships, batch_size=1000)
        self.stdout.write(f"Filled {count} people over {YEARS} school years")
        return user, workplace

    def measure(self, user: User, workplace: Workplace, repeat: int) -> None:
        client = Client()
        client.force_login(user)
        base = f"/pw/{workplace.slug}/members/"
        pages = {
            TRIVIAL: "/privacy/",
            "members page": base,
            "members page, everyone ever": f"{base}?status=all",
            "members page, former students, page 5": f"{base}?status=former&role=student&page=5",
        }
        measure_pages(client, pages, repeat, self.stdout.write)

    def time_import(self, workplace: Workplace, count: int) -> None:
        headers = ["naam", "e-mail", "rol", "start"]
        rows = [
            [f"Cohort {n}", f"cohort{n}@{DOMAIN}", "student", "01-09-2026"] for n in range(count)
        ]
        table = Table(headers=headers, rows=rows, line_numbers=list(range(2, count + 2)))
        started = time.perf_counter()
        parsed = parse_rows(table, guess_mapping(headers), default_start=timezone.localdate())
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            report = people_services.import_cohort(workplace=workplace, rows=parsed)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Imported {report.added} cohort rows in {seconds:.2f} s "
            f"({seconds * 1000 / max(count, 1):.2f} s per 1,000 rows, {len(queries)} queries)"
        )


def cleanup() -> None:
    with transaction.atomic():
        Workplace.objects.filter(slug=SLUG).delete()
        Person.objects.filter(email__endswith=f"@{DOMAIN}").delete()
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
