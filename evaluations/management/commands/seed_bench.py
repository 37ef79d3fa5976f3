"""Generate a large evaluation history in PostgreSQL for ``make bench``.

100 PWs × 6 school years × 2 cycles (yearly and check-in, both with the 30-statement LOS-scan)
× 60 respondents with full answers: 72,000 responses and 2,160,000 answer rows by default.
People, invitations and responses go in with bulk inserts; the answers and the tallies that
closing a cycle writes are generated inside the database (INSERT ... SELECT), which takes
seconds instead of minutes. Idempotent: existing benchmark PWs ("bench-…") are removed first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/werkplaats_bench \\
        .venv/bin/python manage.py seed_bench
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from evaluations.models import (
    CycleKind,
    CycleStatus,
    EvaluationCycle,
    InstrumentVersion,
    Invitation,
    Response,
)
from werkplaats.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Sector,
    User,
    Workplace,
    school_year_of,
)

PREFIX = "bench-"
BATCH = 5000
BENCH_MANAGER = "bench-manager@bench.example"
ROLE_MIX = (
    [Role.STUDENT] * 20
    + [Role.PROFESSIONAL] * 15
    + [Role.SUPPORTER] * 12
    + ([Role.CLIENT] * 8 + [Role.BRIDGE_BUILDER] * 2 + [Role.MANAGER] * 3)
)


class Command(BaseCommand):
    help = "Generate 100 PWs × 6 years × 2 cycles × 60 respondents of answers (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workplaces", type=int, default=100)
        parser.add_argument("--years", type=int, default=6)
        parser.add_argument("--respondents", type=int, default=60)
        parser.add_argument(
            "--if-missing", action="store_true", help="Keep benchmark data that is already there."
        )

    def handle(self, *args, workplaces: int, years: int, respondents: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench needs PostgreSQL: set DATABASE_URL=postgres://...")
        there = Workplace.objects.filter(slug__startswith=PREFIX).count()
        if options["if_missing"] and there >= workplaces:
            self.stdout.write(f"Benchmark data is there ({there} PWs): kept.")
            return
        started = time.monotonic()
        with transaction.atomic():
            self.clear()
            cycles = self.structure(workplaces, years, respondents)
            answers = self.answers(cycles)
            self.tallies(cycles)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Benchmark data: {workplaces} PWs, {len(cycles)} cycles, "
            f"{len(cycles) * respondents} responses, {answers} answers "
            f"in {time.monotonic() - started:.0f} s."
        )

    def clear(self) -> None:
        bench = Workplace.objects.filter(slug__startswith=PREFIX)
        EvaluationCycle.objects.filter(workplace__in=bench).delete()
        Person.objects.filter(memberships__workplace__in=bench).delete()
        bench.delete()
        User.objects.filter(email=BENCH_MANAGER).delete()

    def structure(self, count: int, years: int, respondents: int) -> list[EvaluationCycle]:
        """PWs, their people and memberships, closed cycles, invitations and responses.

        Long on purpose: one INSERT … SELECT after another in the order the foreign keys
        need, each depending on the ids the one before wrote; split, it would only pass
        those id lists around."""
        hei, _ = Organisation.objects.get_or_create(
            name="Bench hogeschool", defaults={"kind": OrganisationKind.HIGHER_EDUCATION}
        )
        public, _ = Organisation.objects.get_or_create(
            name="Bench zorgorganisatie", defaults={"kind": OrganisationKind.PUBLIC}
        )
        workplaces = Workplace.objects.bulk_create(
            Workplace(
                name=f"Bench PW {n:03d}",
                slug=f"{PREFIX}{n:03d}",
                sector=Sector.REHABILITATION,
                started_on=dt.date(2015, 9, 1),
            )
            for n in range(1, count + 1)
        )
        for workplace in workplaces:
            workplace.partners.add(hei, public)
        roles = [ROLE_MIX[i % len(ROLE_MIX)] for i in range(respondents)]
        people = Person.objects.bulk_create(
            (Person(name=f"Bench {w.slug} {i}") for w in workplaces for i in range(respondents)),
            batch_size=BATCH,
        )
        start = dt.date(2015, 9, 1)
        Membership.objects.bulk_create(
            (
                Membership(person=person, workplace=workplaces[n // respondents],
                           role=roles[n % respondents], starts_on=start)
                for n, person in enumerate(people)
            ),
            batch_size=BATCH,
        )  # fmt: skip
        manager = User.objects.create_user(BENCH_MANAGER, "bench-password-not-for-use")
        people[respondents - 1].user = manager  # the last person of bench-001 is a manager
        people[respondents - 1].save(update_fields=["user"])
        version = InstrumentVersion.objects.get(instrument__code="los-scan", number=1)
        this_year = int(school_year_of(timezone.localdate())[:4])
        cycles = []
        for workplace in workplaces:
            for back in range(years, 0, -1):
                first = this_year - back
                label = f"{first}-{first + 1}"
                for kind, month in ((CycleKind.CHECK_IN, 11), (CycleKind.YEARLY, 5)):
                    year = first if month >= 9 else first + 1
                    opens = timezone.make_aware(dt.datetime(year, month, 1))
                    cycles.append(
                        EvaluationCycle(
                            workplace=workplace, kind=kind, label=label, school_year=label,
                            instrument_version=version, opens_at=opens,
                            closes_at=opens + dt.timedelta(days=21),
                            status=CycleStatus.CLOSED, opened_at=opens,
                            closed_at=opens + dt.timedelta(days=21),
                        )
                    )  # fmt: skip
        cycles = EvaluationCycle.objects.bulk_create(cycles, batch_size=BATCH)
        by_workplace: dict[int, list[Person]] = {}
        for n, person in enumerate(people):
            by_workplace.setdefault(workplaces[n // respondents].pk, []).append(person)
        invitations = Invitation.objects.bulk_create(
            (
                Invitation(cycle=cycle, person=person, role=roles[i])
                for cycle in cycles
                for i, person in enumerate(by_workplace[cycle.workplace_id])
            ),
            batch_size=BATCH,
        )
        Response.objects.bulk_create(
            (
                Response(invitation=inv, cycle_id=inv.cycle_id, role=inv.role,
                         instrument_version=version, submitted_at=timezone.now(),
                         went_well="Samen leren", could_be_better="Meer tijd")
                for inv in invitations
            ),
            batch_size=BATCH,
        )  # fmt: skip
        return cycles

    def answers(self, cycles: list[EvaluationCycle]) -> int:
        """Every response answers every item: 0 (don't know) now and then, else 1..5 with a
        mean that differs per role and element, generated by PostgreSQL."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO evaluations_answer (response_id, item_id, value)
                SELECT r.id, i.id,
                       CASE WHEN random() < 0.05 THEN 0
                            ELSE LEAST(5, GREATEST(1, round(
                                3.4 + (CASE WHEN r.role = 'student' AND i.element_id = 'VOR'
                                            THEN -0.8 ELSE 0 END)
                                + (random() + random() + random() - 1.5) * 1.2)))::int
                       END
                FROM evaluations_response r
                JOIN evaluations_item i ON i.version_id = r.instrument_version_id
                WHERE r.cycle_id = ANY(%s)
                """,
                [[c.pk for c in cycles]],
            )
            return cursor.rowcount

    def tallies(self, cycles: list[EvaluationCycle]) -> None:
        """What closing each cycle would have written (``tallies.tally_cycle``), in one go."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO evaluations_itemtally (cycle_id, role, item_id, n0, n1, n2, n3, n4, n5)
                SELECT r.cycle_id, r.role, a.item_id,
                       count(*) FILTER (WHERE a.value = 0), count(*) FILTER (WHERE a.value = 1),
                       count(*) FILTER (WHERE a.value = 2), count(*) FILTER (WHERE a.value = 3),
                       count(*) FILTER (WHERE a.value = 4), count(*) FILTER (WHERE a.value = 5)
                FROM evaluations_answer a
                JOIN evaluations_response r ON r.id = a.response_id
                WHERE r.cycle_id = ANY(%s) AND r.submitted_at IS NOT NULL
                GROUP BY r.cycle_id, r.role, a.item_id
                """,
                [[c.pk for c in cycles]],
            )
            # The per-cycle summaries closing writes: respondents and {element: [sum, n]}.
            cursor.execute(
                """
                UPDATE evaluations_evaluationcycle c SET
                    respondent_count = (SELECT count(*) FROM evaluations_response r
                                        WHERE r.cycle_id = c.id AND r.submitted_at IS NOT NULL),
                    element_scores = (
                        SELECT jsonb_object_agg(
                                   e.element_id, jsonb_build_array(e.weighted, e.answered))
                        FROM (SELECT i.element_id,
                                     sum(t.n1 + 2 * t.n2 + 3 * t.n3 + 4 * t.n4 + 5 * t.n5)
                                         AS weighted,
                                     sum(t.n1 + t.n2 + t.n3 + t.n4 + t.n5) AS answered
                              FROM evaluations_itemtally t
                              JOIN evaluations_item i ON i.id = t.item_id
                              WHERE t.cycle_id = c.id GROUP BY i.element_id) e)
                WHERE c.id = ANY(%s)
                """,
                [[c.pk for c in cycles]],
            )
