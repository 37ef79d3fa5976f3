"""Time the dashboards on the data of ``seed_bench``, as ratios against a trivial page.

Renders, in one run and in this process, the trivial one-query ``/healthz``, a PW's yearly
dashboard (as the benchmark manager) and the overview across all PWs (as staff), and prints
the median of each and its ratio to ``/healthz``. Never an absolute goal: the ratio is what
compares across machines. The aim is a dashboard within 10× the trivial page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from evaluations.management.commands.seed_bench import BENCH_MANAGER, PREFIX
from evaluations.models import CycleKind, EvaluationCycle
from werkplaats.management.commands.benchmark_activities import median_ms
from werkplaats.models import User


class Command(BaseCommand):
    help = "Median render times of the dashboards and their ratio to /healthz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=15)

    def handle(self, *args, repeat: int, **options):
        manager = User.objects.filter(email=BENCH_MANAGER).first()
        cycle = (
            EvaluationCycle.objects.filter(workplace__slug=f"{PREFIX}001", kind=CycleKind.YEARLY)
            .order_by("-opens_at")
            .first()
        )
        if manager is None or cycle is None:
            raise CommandError("No benchmark data: run manage.py seed_bench first.")
        staff, _ = User.objects.get_or_create(
            email="bench-staff@bench.example", defaults={"is_staff": True}
        )
        dashboard_url = reverse("evaluations:dashboard", args=[cycle.workplace.slug, cycle.pk])
        overview_url = reverse("evaluations:overview") + f"?year={cycle.school_year}"
        as_manager, as_staff, anonymous = Client(), Client(), Client()
        as_manager.force_login(manager)
        as_staff.force_login(staff)

        def check(response, name: str) -> None:
            if response.status_code != 200:
                raise CommandError(f"{name} answered {response.status_code}")

        # Production settings measure production speed (DEBUG off: cached templates); only the
        # HTTPS redirect is lifted, as this client speaks plain HTTP in-process.
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: templates are re-read every render; use make bench.")
        plain_static = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }  # no collectstatic manifest needed for an in-process benchmark
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
            STORAGES=plain_static,
        ):
            with CaptureQueriesContext(connection) as queries:
                check(as_manager.get(dashboard_url), "dashboard")
            dashboard_queries = len(queries.captured_queries)
            health = median_ms(lambda: check(anonymous.get(reverse("healthz")), "healthz"), repeat)
            medians = {
                "PW dashboard": median_ms(
                    lambda: check(as_manager.get(dashboard_url), "dashboard"), repeat
                ),
                "overview across PWs": median_ms(
                    lambda: check(as_staff.get(overview_url), "overview"), repeat
                ),
            }
        cycles = EvaluationCycle.objects.filter(workplace__slug__startswith=PREFIX).count()
        self.stdout.write(f"cycles: {cycles}; queries per dashboard: {dashboard_queries}")
        self.stdout.write(f"healthz (one query): median {health:.2f} ms")
        for name, ms in medians.items():
            self.stdout.write(f"{name}: median {ms:.2f} ms, ratio to healthz {ms / health:.1f}")
