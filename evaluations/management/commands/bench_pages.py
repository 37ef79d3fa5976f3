"""The speed budget (issue 16): every key page against a trivial logged-in page of the same run.

On the data of ``seed_bench`` (100 PWs x 6 school years x 2 cycles x 60 respondents) plus, once,
100,000 activities in ``bench-001`` and 200 active goals and 500 members in ``bench-002``
(reused when present), this renders each page in this process and prints, per page: the
median and p95 time, its queries, its ratio to the trivial page (the privacy page, logged in:
session, user, base template, one query) and to ``/healthz``, and PASS or FAIL against the
budget: 3x the trivial page, 4x for a first render after a write or a cycle close. Then the
GET pages again through gunicorn (two workers, production settings; ``werkplaats/load.py``),
two threads asking each for ten seconds: median and p95 of the requests, requests a second,
the same ratios and budget. It exits non-zero when a page fails, so it can run in CI on
demand. Ratios, never absolute times: they compare across machines. ``make bench`` runs it
with production settings.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language

from elements.models import ELEMENT_CODES
from evaluations import frozen_results, results, tokens
from evaluations.management.commands.seed_bench import BENCH_MANAGER, PREFIX
from evaluations.models import CycleKind, CycleStatus, EvaluationCycle, Invitation, Item
from werkplaats import load
from werkplaats.models import (
    Activity,
    ActivityKind,
    GoalStatus,
    GoalVisibility,
    LearningGoal,
    Level,
    Membership,
    Person,
    Role,
    User,
    Workplace,
    school_year_bounds,
)
from werkplaats.services import activity_log_changed

ACTIVITIES = 100_000
GOALS = 200
MEMBERS = 500
BUDGET, BUDGET_COLD = 3.0, 4.0
TRIVIAL = "trivial page (privacy, logged in)"
HEALTHZ = "/healthz"
DOMAIN = "bench-pages.example"


@dataclass
class Page:
    name: str
    render: Callable[[], object]  # returns the response
    budget: float = BUDGET
    before: Callable[[], None] | None = None  # run untimed before each render (cold pages)


@dataclass
class Row:
    name: str
    median: float
    p95: float
    queries: int
    budget: float | None


class Command(BaseCommand):
    help = "Every key page as a ratio to a trivial logged-in page; exits 1 when one fails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20, help="Timed renders per page.")
        parser.add_argument(
            "--server-seconds",
            type=float,
            default=10,
            help="Seconds of load per page under gunicorn with production settings (0: skip).",
        )
        parser.add_argument("--threads", type=int, default=2, help="Load generator threads.")
        parser.add_argument(
            "--memory-renders",
            type=int,
            default=1000,
            help="Dashboard renders after which this process's memory is reported (0: skip).",
        )

    def handle(
        self, *args, repeat: int, memory_renders: int, server_seconds: float, threads: int,
        **options,
    ) -> None:  # fmt: skip
        if connection.vendor != "postgresql":
            raise CommandError("bench_pages needs PostgreSQL: set DATABASE_URL (make bench).")
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: templates are re-read every render; use make bench.")
        world = self.world()
        plain_static = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }  # no collectstatic manifest needed in-process
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
            STORAGES=plain_static,
        ):
            pages = self.pages(world)
            rows = [self.measure(page, repeat) for page in pages]
            if memory_renders:
                self.memory(world, memory_renders)
        failed = self.report(rows)
        if server_seconds:
            self.stdout.write(
                f"\nUnder gunicorn ({load.WORKERS} workers, production settings), {threads} "
                f"threads asking each page for {server_seconds:g} s:"
            )
            served = self.report(self.under_load(pages, server_seconds, threads), server=True)
            failed += [f"{name} (gunicorn)" for name in served]
        if failed:
            raise CommandError(f"{len(failed)} page(s) over budget: {', '.join(failed)}")

    # --- The data ----------------------------------------------------------------------------
    def world(self) -> dict:
        manager = User.objects.filter(email=BENCH_MANAGER).first()
        if manager is None:
            raise CommandError("No benchmark data: run manage.py seed_bench first (make bench).")
        first = Workplace.objects.get(slug=f"{PREFIX}001")
        second = Workplace.objects.get(slug=f"{PREFIX}002")
        staff, _ = User.objects.get_or_create(
            email=f"staff@{DOMAIN}", defaults={"is_staff": True, "is_superuser": False}
        )
        if not Activity.objects.filter(workplace=first).exists():
            started = time.perf_counter()
            fill_activities(first, ACTIVITIES)
            self.stdout.write(
                f"Filled {ACTIVITIES} activities in {time.perf_counter() - started:.1f} s"
            )
        owner = fill_goals_and_members(second)
        # The planner's statistics as autovacuum keeps them on a running server (a scratch
        # cluster may run without it): the goals and members were added after seed_bench's
        # ANALYZE, and a planner that thinks the goals table empty loops 200 times (2.8 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yearly = (
            EvaluationCycle.objects.filter(workplace=first, kind=CycleKind.YEARLY)
            .filter(status=CycleStatus.CLOSED)
            .order_by("-opens_at")
            .first()
        )
        invitation = open_cycle_invitation(f"{PREFIX}003")
        first_yearly = (
            EvaluationCycle.objects.filter(workplace=first, kind=CycleKind.YEARLY)
            .filter(status=CycleStatus.CLOSED)
            .order_by("opens_at")
            .first()
        )
        return {
            "first_yearly": first_yearly,
            "researcher": researcher_of(10),
            "manager": manager,
            "staff": staff,
            "owner": owner,
            "first": first,
            "second": second,
            "yearly": yearly,
            "invitation": invitation,
            "goal": LearningGoal.objects.filter(workplace=second, owner=owner.person).first(),
        }

    # --- The pages ---------------------------------------------------------------------------
    def pages(self, w: dict) -> list[Page]:
        """Every page of the budget with its client and its PASS bound.

        Long on purpose: it is the table the README's speed section lists, one row a page,
        read top to bottom."""
        manager, staff, owner = (login(w[k]) for k in ("manager", "staff", "owner"))
        anonymous = Client()
        first, second, yearly = w["first"].slug, w["second"].slug, w["yearly"]
        year = yearly.school_year
        begins, ends = school_year_bounds(year)
        year_range = {"date_from": begins.isoformat(), "date_to": ends.isoformat()}
        respondent, invitation = Client(), w["invitation"]
        respondent.get(f"/e/{tokens.issue_token(invitation)}/")  # the link opens the session
        item = Item.objects.filter(version=invitation.cycle.instrument_version).first()
        dashboard = reverse("evaluations:dashboard", args=[first, yearly.pk])

        def get(client, url, data=None):
            def render():
                return client.get(url, data)

            # What the load generator needs to ask the same page of gunicorn.
            render.client, render.path = client, f"{url}?{urlencode(data)}" if data else url
            return render

        def forget_dashboard():
            cache.delete(results.results_cache_key(yearly.pk, get_language() or "nl"))

        def close_again():
            """What a close leaves: the old render gone, the close's task rendered it anew."""
            forget_dashboard()
            frozen_results.warm(yearly.pk)

        # Growth (informational): the same pages with less history and fewer PWs.
        oldest = w["first_yearly"]
        dashboard_first = reverse("evaluations:dashboard", args=[first, oldest.pk])

        def forget_first():
            cache.delete(results.results_cache_key(oldest.pk, get_language() or "nl"))

        return [
            Page(TRIVIAL, get(manager, reverse("privacy")), budget=None),
            Page(HEALTHZ, get(anonymous, reverse("healthz")), budget=None),
            Page("home (member of 1 PW)", get(manager, reverse("werkplaats:home"))),
            Page("home (staff, 100 PWs)", get(staff, reverse("werkplaats:home"))),
            Page("PW home", get(manager, f"/pw/{first}/")),
            Page("activity list (100k)", get(manager, f"/pw/{first}/activities/")),
            Page(
                "activity list, element + school year",
                get(manager, f"/pw/{first}/activities/", {"element": "VOR", **year_range}),
            ),
            Page(
                "activity list, first render after a write",
                get(manager, f"/pw/{first}/activities/"),
                budget=BUDGET_COLD,
                before=lambda: log_one_activity(w["first"], w["manager"]),
            ),
            Page("goal wall (200 goals)", get(owner, f"/pw/{second}/goals/wall/")),
            Page("my goals", get(owner, f"/pw/{second}/goals/")),
            Page("a goal page", get(owner, f"/pw/{second}/goals/{w['goal'].pk}/")),
            Page("members page (500)", get(staff, f"/pw/{second}/members/")),
            Page("cycle list", get(manager, f"/pw/{first}/evaluations/")),
            Page(
                "cycle page (60 invitations)", get(manager, f"/pw/{first}/evaluations/{yearly.pk}/")
            ),
            Page("questionnaire step", get(respondent, f"/answer/{invitation.pk}/1/")),
            Page(
                "questionnaire autosave (POST)",
                lambda: respondent.post(
                    f"/answer/{invitation.pk}/1/",
                    {f"item-{item.pk}": "4"},
                    headers={"HX-Request": "true"},
                ),
            ),
            Page("PW dashboard (warm)", get(manager, dashboard)),
            Page(
                "PW dashboard (first render after a close)",
                get(manager, dashboard),
                budget=BUDGET_COLD,
                before=close_again,
            ),
            Page(
                "PW dashboard (cold: its cache entry evicted)",
                get(manager, dashboard),
                budget=None,
                before=forget_dashboard,
            ),
            Page(
                "overview across PWs", get(staff, reverse("evaluations:overview"), {"year": year})
            ),
            Page("cases board", get(manager, f"/pw/{first}/cases/")),
            Page("CMO notes list", get(manager, f"/pw/{first}/notes/")),
            Page("inbox", get(manager, reverse("notifications:inbox"))),
            Page(
                f"growth: dashboard of year 1 of 6 ({oldest.school_year}), warm",
                get(manager, dashboard_first),
                budget=None,
            ),
            Page(
                f"growth: dashboard of year 1 of 6 ({oldest.school_year}), cold",
                get(manager, dashboard_first),
                budget=None,
                before=forget_first,
            ),
            Page(
                "growth: overview across 10 PWs (research access)",
                get(login(w["researcher"]), reverse("evaluations:overview"), {"year": year}),
                budget=None,
            ),
        ]

    def measure(self, page: Page, repeat: int) -> Row:
        response = page.render()
        status = getattr(response, "status_code", 200)
        if status not in (200, 204):
            raise CommandError(f"{page.name} answered {status}")
        if page.before:
            page.before()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            page.render()
        # Read now: the log is emptied when the next request starts.
        count = len(queries.captured_queries)
        times = []
        for _ in range(repeat):
            if page.before:
                page.before()
            started = time.perf_counter()
            page.render()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return Row(page.name, statistics.median(times), p95, count, page.budget)

    def memory(self, w: dict, renders: int) -> None:
        """This process's resident memory before and after ``renders`` warm dashboard renders
        (what a gunicorn worker holds after as many requests: one worker, one process)."""
        client = login(w["manager"])
        url = reverse("evaluations:dashboard", args=[w["first"].slug, w["yearly"].pk])
        for _ in range(20):
            client.get(url)
        before = resident_mb()
        for _ in range(renders):
            client.get(url)
        after = resident_mb()
        self.stdout.write(
            f"memory: {before:.0f} MB resident before, {after:.0f} MB after {renders} warm "
            f"dashboard renders ({after - before:+.1f} MB)"
        )

    def under_load(self, pages: list[Page], seconds: float, threads: int) -> list[Row]:
        """The GET pages again, through gunicorn: median and p95 of every request's time, and
        requests a second in place of queries. Cold pages are left out (each request would
        need the cache emptied first)."""
        name = settings.SESSION_COOKIE_NAME
        rows = []
        with load.served() as port:
            for page in pages:
                path = getattr(page.render, "path", None)
                if path is None or page.before is not None:
                    continue
                jar = page.render.client.cookies
                cookies = {name: jar[name].value} if name in jar else {}
                times = sorted(load.load(port, path, cookies, seconds, threads))
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                rate = round(len(times) / seconds)
                rows.append(Row(page.name, statistics.median(times), p95, rate, page.budget))
        return rows

    def report(self, rows: list[Row], server: bool = False) -> list[str]:
        floor = next(r.median for r in rows if r.name == TRIVIAL)
        health = next(r.median for r in rows if r.name == HEALTHZ)
        width = max(len(r.name) for r in rows)
        self.stdout.write(
            f"{'page':<{width}}  {'median':>8}  {'p95':>8}  "
            f"{'req/s' if server else 'queries':>7}  {'x trivial':>9}  {'x healthz':>9}  budget"
        )
        failed = []
        for r in rows:
            ratio = r.median / floor
            verdict = ""
            if r.budget is not None:
                verdict = f"{'PASS' if ratio <= r.budget else 'FAIL'} ({r.budget:g}x)"
                if ratio > r.budget:
                    failed.append(r.name)
            self.stdout.write(
                f"{r.name:<{width}}  {r.median:7.1f}ms  {r.p95:7.1f}ms  {r.queries:>7}  "
                f"{ratio:9.1f}  {r.median / health:9.1f}  {verdict}"
            )
        return failed


def log_one_activity(workplace: Workplace, user: User) -> None:
    """A write as the app makes it: the quick form through the service (strip counters moved,
    cached summaries dropped)."""
    from werkplaats.services import ActivityValues, create_activity

    kind = ActivityKind.objects.filter(active=True).first()
    values = ActivityValues(date=timezone.localdate(), title="Bench", kind=kind,
                            level=Level.OPERATIONAL, tags=["VOR"])  # fmt: skip
    create_activity(workplace=workplace, by=user, values=values)


def resident_mb() -> float:
    """This process's resident set size in MB (Linux: /proc; elsewhere the peak, from
    getrusage)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def researcher_of(count: int) -> User:
    """A user with research access to the first ``count`` benchmark PWs (once)."""
    from werkplaats.models import ResearchGrant

    user, made = User.objects.get_or_create(email=f"researcher{count}@{DOMAIN}")
    if made:
        ResearchGrant.objects.bulk_create(
            ResearchGrant(user=user, workplace=wp, purpose="Benchmark")
            for wp in Workplace.objects.filter(slug__startswith=PREFIX).order_by("slug")[:count]
        )
    return user


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill_activities(workplace: Workplace, count: int) -> None:
    """``count`` activities over five years with one or two elements each, in three INSERT …
    SELECT statements (seconds, not minutes)."""
    kinds = list(ActivityKind.objects.order_by("pk").values_list("pk", flat=True))
    levels = list(Level.values)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO werkplaats_activity (workplace_id, date, kind_id, title, description,
                level, boundary_objects, learned, follow_up, created_at, updated_at, version)
            SELECT %s, CURRENT_DATE - (g * 1825 / %s), (%s::int[])[1 + g %% %s],
                'Benchmark activity ' || g, '', (%s::text[])[1 + g %% %s], '', '', '', %s, %s, 1
            FROM generate_series(0, %s - 1) AS g""",
            [workplace.pk, count, kinds, len(kinds), levels, len(levels), now, now, count],
        )
        codes = list(ELEMENT_CODES)
        cursor.execute(
            """INSERT INTO werkplaats_activity_elements (activity_id, element_id)
            SELECT id, (%s::text[])[1 + id %% 6] FROM werkplaats_activity WHERE workplace_id = %s
            UNION ALL
            SELECT id, (%s::text[])[1 + (id + 1 + (id / 6) %% 5) %% 6] FROM werkplaats_activity
            WHERE workplace_id = %s AND id %% 2 = 1""",
            [codes, workplace.pk, codes, workplace.pk],
        )
        cursor.execute("ANALYZE werkplaats_activity; ANALYZE werkplaats_activity_elements")
    activity_log_changed(workplace.pk)


def fill_goals_and_members(workplace: Workplace) -> User:
    """500 current members and 200 active, shared goals in ``workplace`` (once); returns the
    user who owns goals there."""
    email = f"owner@{DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    start = dt.date(2015, 9, 1)
    with transaction.atomic():
        user = User.objects.create_user(email)
        owner = Person.objects.create(name="Bench Owner", email=email, user=user)
        people = Person.objects.bulk_create(
            Person(name=f"Bench member {n:03d}", email=f"member{n}@{DOMAIN}")
            for n in range(MEMBERS)
        )
        roles = [Role.STUDENT, Role.PROFESSIONAL, Role.SUPPORTER, Role.CLIENT]
        Membership.objects.bulk_create(
            [Membership(person=owner, workplace=workplace, role=Role.STUDENT, starts_on=start)]
            + [
                Membership(person=p, workplace=workplace, role=roles[n % 4], starts_on=start)
                for n, p in enumerate(people)
            ]
        )
        owners = [owner, *people[:49]]
        goals = LearningGoal.objects.bulk_create(
            LearningGoal(
                workplace=workplace,
                owner=owners[n % len(owners)],
                title=f"Leerdoel {n}: beter leren vragen stellen in het overleg",
                status=GoalStatus.ACTIVE,
                visibility=GoalVisibility.WORKPLACE,
                school_year="2026-2027",
            )
            for n in range(GOALS)
        )
        LearningGoal.elements.through.objects.bulk_create(
            LearningGoal.elements.through(learninggoal_id=g.pk, element_id=ELEMENT_CODES[n % 6])
            for n, g in enumerate(goals)
        )
    return user


def open_cycle_invitation(slug: str) -> Invitation:
    """An open cycle in ``slug`` with one invitation to answer (once)."""
    workplace = Workplace.objects.get(slug=slug)
    cycle = EvaluationCycle.objects.filter(workplace=workplace, status=CycleStatus.OPEN).first()
    if cycle is None:
        closed = EvaluationCycle.objects.filter(workplace=workplace).order_by("-opens_at").first()
        now = timezone.now()
        cycle = EvaluationCycle.objects.create(
            workplace=workplace,
            kind=CycleKind.CHECK_IN,
            label="bench open check-in",
            school_year=closed.school_year,
            instrument_version=closed.instrument_version,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=3650),
            status=CycleStatus.OPEN,
        )
    invitation = cycle.invitations.first()
    if invitation is None:
        member = Membership.objects.filter(workplace=workplace).select_related("person").first()
        invitation = Invitation.objects.create(cycle=cycle, person=member.person, role=member.role)
    return invitation
