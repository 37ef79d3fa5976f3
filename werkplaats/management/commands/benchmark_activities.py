"""Benchmark the activity list of a PW with many activities.

Fills a dedicated PW ("benchmark-activities") with ``--count`` activities (bulk inserts), renders
the list page several ways and ``/healthz`` in the same run, and reports medians and the ratio of
each list variant to healthz (never an absolute time, so results compare across machines). The
benchmark PW, its user and people are deleted afterwards unless ``--keep``. On a scratch database:

    DEBUG=true .venv/bin/python manage.py benchmark_activities --count 100000
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from elements.models import ELEMENT_CODES
from werkplaats.models import (
    Activity,
    ActivityKind,
    Level,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Sector,
    User,
    Workplace,
)
from werkplaats.services import activity_log_changed

SLUG = "benchmark-activities"
DOMAIN = "benchmark-activities.example"
ORGANISATIONS = {
    "Benchmark hogeschool": OrganisationKind.HIGHER_EDUCATION,
    "Benchmark zorgorganisatie": OrganisationKind.PUBLIC,
}
BATCH_SIZE = 5000
MEMBERS = 30
DAYS = 5 * 365
MEMBER_ROLES = [Role.STUDENT, Role.PROFESSIONAL, Role.SUPPORTER, Role.CLIENT]


class Command(BaseCommand):
    help = "Time the activity list with many activities, as a ratio against /healthz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100_000, help="Activities to create.")
        parser.add_argument("--repeat", type=int, default=15, help="Timed renders per page.")
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data.")
        parser.add_argument("--allow-production", action="store_true", help="Run with DEBUG off.")

    def handle(self, *args, count: int, repeat: int, keep: bool, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("This writes many rows; with DEBUG off pass --allow-production.")
        if Workplace.objects.filter(slug=SLUG).exists():
            self.stdout.write("Removing a benchmark PW left by an earlier run.")
            cleanup()
        try:
            user, workplace = self.setup()
            started = time.perf_counter()
            self.fill(workplace, count)
            self.stdout.write(f"Filled {count} activities in {time.perf_counter() - started:.1f} s")
            self.measure(user, workplace, repeat)
        finally:
            if keep:
                self.stdout.write(f"Kept the benchmark PW '{SLUG}' (--keep).")
            else:
                cleanup()
                self.stdout.write(f"Deleted the benchmark PW '{SLUG}', its user and people.")

    def setup(self) -> tuple[User, Workplace]:
        start = timezone.localdate() - dt.timedelta(days=DAYS + 30)
        with transaction.atomic():
            workplace = Workplace.objects.create(
                name="PW Benchmark", slug=SLUG, sector=Sector.OTHER, started_on=start
            )
            partners = [
                Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]
                for name, kind in ORGANISATIONS.items()
            ]
            workplace.partners.set(partners)
            user = User.objects.create_user(f"bridge-builder@{DOMAIN}")  # unusable password
            builder = Person.objects.create(name="Bridge-builder", user=user, email=user.email)
            people = Person.objects.bulk_create(
                Person(name=f"Benchmark member {n:02d}", email=f"member{n}@{DOMAIN}")
                for n in range(MEMBERS)
            )
            roles = [Role.BRIDGE_BUILDER] + [MEMBER_ROLES[n % 4] for n in range(MEMBERS)]
            Membership.objects.bulk_create(
                Membership(person=person, workplace=workplace, role=role, starts_on=start)
                for person, role in zip([builder, *people], roles, strict=True)
            )
        return user, workplace

    def fill(self, workplace: Workplace, count: int) -> None:
        """Bulk-insert activities newest first over ~5 years, with elements and participants."""
        kinds = list(ActivityKind.objects.order_by("pk").values_list("pk", flat=True))
        members = Person.objects.filter(email__endswith=f"@{DOMAIN}").order_by("pk")
        people = list(members.values_list("pk", flat=True))
        if not kinds:
            raise CommandError("No activity kinds: run the migrations first.")
        levels = list(Level.values)
        today = timezone.localdate()
        tagged = Activity.elements.through
        joined = Activity.participants.through
        for first in range(0, count, BATCH_SIZE):
            numbers = range(first, min(first + BATCH_SIZE, count))
            with transaction.atomic():
                activities = Activity.objects.bulk_create(
                    Activity(
                        workplace=workplace,
                        date=today - dt.timedelta(days=i * DAYS // count),
                        kind_id=kinds[i % len(kinds)],
                        title=f"Benchmark activity {i}",
                        level=levels[i % len(levels)],
                    )
                    for i in numbers
                )
                elements, participants = [], []
                for i, activity in zip(numbers, activities, strict=True):
                    codes = [ELEMENT_CODES[i % 6]]
                    if i % 2:  # an offset of 1..5 never repeats the first code
                        codes.append(ELEMENT_CODES[(i + 1 + (i // 6) % 5) % 6])
                    elements += [tagged(activity_id=activity.pk, element_id=c) for c in codes]
                    participants += [
                        joined(activity_id=activity.pk, person_id=people[(i + 7 * k) % len(people)])
                        for k in range(1 + i % 3)
                    ]
                tagged.objects.bulk_create(elements, batch_size=BATCH_SIZE)
                joined.objects.bulk_create(participants, batch_size=BATCH_SIZE)
        if connection.vendor == "postgresql":  # fresh planner statistics, as autovacuum would
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def measure(self, user: User, workplace: Workplace, repeat: int) -> None:
        url = reverse("werkplaats:activity-list", kwargs={"slug": workplace.slug})
        today = timezone.localdate()
        year = {"date_from": today - dt.timedelta(days=365), "date_to": today}
        variants = {"list": {}, "list element=VOR, one year": {"element": "VOR", **year},
                    "list page 50": {"page": 50}}  # fmt: skip
        client = Client()
        client.force_login(user)
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            health = median_ms(lambda: check(client.get(reverse("healthz")), "healthz"), repeat)
            medians = {
                name: median_ms(lambda p=params, n=name: check(client.get(url, p), n), repeat)
                for name, params in variants.items()
            }

            def cold_list() -> None:
                # The first render after somebody logged an activity: no cached summary.
                activity_log_changed(workplace.pk)
                check(client.get(url), "list (cold)")

            medians["list, first render after a change"] = median_ms(cold_list, repeat)
            with CaptureQueriesContext(connection) as queries:
                check(client.get(url), "list")
        self.stdout.write(f"healthz: median {health:.2f} ms")
        for name, ms in medians.items():
            self.stdout.write(f"{name}: median {ms:.2f} ms")
            self.stdout.write(f"ratio {name} / healthz: {ms / health:.1f}")
        self.stdout.write(f"SQL queries per list render: {len(queries)}")


def check(response, name: str) -> None:
    if response.status_code != 200:
        raise CommandError(f"{name} answered {response.status_code}, expected 200")


def median_ms(render: Callable[[], None], repeat: int) -> float:
    """Warm up once, then the median of ``repeat`` timed renders in milliseconds."""
    render()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        render()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def cleanup() -> None:
    """Delete the benchmark PW (its activities cascade), its user, people and partners."""
    with transaction.atomic():
        Workplace.objects.filter(slug=SLUG).delete()
        Person.objects.filter(email__endswith=f"@{DOMAIN}").delete()
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
        Organisation.objects.filter(name__in=ORGANISATIONS, workplaces=None).delete()
