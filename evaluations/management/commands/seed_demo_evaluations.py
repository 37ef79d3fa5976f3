"""Demo evaluations for the demo workplaces (run by ``seed_demo``; idempotent per PW).

Per PW: an evaluation plan (yearly in May, 21 days), the closed yearly cycles of the two previous
school years with answers of most members, and in the first PW an open check-in, so the home
page shows "Evaluations waiting for you" and the cycle page a response rate. Answers are
generated deterministically, with the groups experiencing the elements differently (students
lower on VOR, clients higher on GOC), as the yearly conversation expects. Each closed yearly
cycle has its hard indicators (the counted ones, so ``seed_demo_cases`` runs first) and the
self-scan of the nine characteristics, filled in as while the cycle ran.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from evaluations.common import ROLE_PRIORITY
from evaluations.counts import counted_indicators
from evaluations.cycles import _local_midnight
from evaluations.models import (
    Answer,
    CharacteristicScan,
    CycleKind,
    CycleStatus,
    EvaluationCycle,
    EvaluationPlan,
    Indicator,
    IndicatorValue,
    Instrument,
    Invitation,
    Item,
    Response,
    ScanStatus,
)
from evaluations.records import save_indicators, save_scan
from evaluations.tallies import tally_cycle
from werkplaats.demo_data import CASES, DEMO_WORKPLACE
from werkplaats.models import Membership, Workplace, school_year_of

# Role-specific leaning per element, added to a base of 3.6 (scale 1..5).
LEANING = {
    "student": {"VOR": -0.9, "SRI": -0.4},
    "client": {"GOC": 0.5, "VMM": -0.5},
    "professional": {"VMM": -0.6, "LeA": 0.3},
    "manager": {"SRI": 0.5},
}
OPEN_ANSWERS = [
    ("Dat studenten en cliënten echt meedenken.", "Er is te weinig tijd om samen te reflecteren."),
    ("De sfeer: je mag fouten maken.", "Niet iedereen weet wie de bruggenbouwer is."),
    ("We leren van elkaar, ook van de cliënten.", "De ruimte is vaak bezet."),
]
# Clients and experience experts who took part without being members (workshops, lessons):
# entered by hand on top of the counted clients, so the form shows both kinds of value.
CLIENTS_WITHOUT_MEMBERSHIP = 3
# The self-scan per characteristic: (status, evidence); for 4 a PW without client members
# has them only partly. The earlier year is a little weaker on 7 and 9.
SCAN = {
    1: (ScanStatus.PRESENT, "Samenwerkingsovereenkomst tussen de hogeschool en de "
        "zorgorganisatie; de werkplaats is op de afdeling zelf."),
    2: (ScanStatus.PARTLY, "De stuurgroep met beide partners legt verantwoording af; de "
        "begroting loopt nog via één partner."),
    3: (ScanStatus.PRESENT, "Studenten werken mee in de dagelijkse zorg, in direct contact met "
        "cliënten."),
    4: (ScanStatus.PRESENT, "Studenten, professionals en cliënten doen mee; de bruggenbouwer "
        "en de werkbegeleiders zijn er al jaren."),
    5: (ScanStatus.PRESENT, "Elk schooljaar een nieuwe groep studenten, die vragen stelt bij "
        "vaste routines."),
    6: (ScanStatus.PARTLY, "Klinische lessen en workshops verbinden onderwijs en praktijk; "
        "onderzoek is nog minder zichtbaar."),
    7: (ScanStatus.PRESENT, "Leerdoelen van studenten en doelen van het team staan op de "
        "doelenmuur en komen in het overleg terug."),
    8: (ScanStatus.PRESENT, "Een bruggenbouwer en werkbegeleiders als rolmodel, vastgelegd in "
        "de taakomschrijving."),
    9: (ScanStatus.PARTLY, "Er wordt veel samen geleerd; cliënten denken nog niet overal als "
        "gelijkwaardige partner mee."),
}  # fmt: skip
SCAN_WITHOUT_CLIENTS = (
    ScanStatus.PARTLY,
    "Cliënten doen mee in workshops, maar zijn nog geen vaste deelnemers van de werkplaats.",
)


class Command(BaseCommand):
    help = "Create demo evaluation plans, cycles and answers for the demo workplaces."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo data only with DEBUG on, or pass --allow-production.")
        instrument = Instrument.objects.get(code="los-scan")
        check_in = Instrument.objects.get(code="los-check-in")
        created = 0
        with transaction.atomic():
            for workplace in Workplace.objects.filter(slug__in=[case.slug for case in CASES]):
                first = workplace.slug == DEMO_WORKPLACE
                created += self.seed(workplace, instrument, check_in, first=first)
                closed = list(
                    workplace.cycles.filter(
                        kind=CycleKind.YEARLY, status=CycleStatus.CLOSED
                    ).order_by("opens_at")
                )
                for cycle in closed:
                    self.fill_in(cycle, earlier=cycle != closed[-1])
        self.stdout.write(self.style.SUCCESS(f"Demo evaluations ready: {created} new cycles."))

    def seed(self, workplace, instrument, check_in, *, first: bool) -> int:
        EvaluationPlan.objects.get_or_create(
            workplace=workplace,
            defaults={"instrument": instrument, "check_in_instrument": check_in},
        )
        if workplace.cycles.exists():
            return 0
        today = timezone.localdate()
        rng = random.Random(workplace.slug)
        members = self.members(workplace)
        created = 0
        this_year = int(school_year_of(today)[:4])
        for start in (this_year - 2, this_year - 1):
            year = f"{start}-{start + 1}"
            opens = _local_midnight(dt.date(start + 1, 5, 1))
            cycle = EvaluationCycle.objects.create(
                workplace=workplace,
                kind=CycleKind.YEARLY,
                label=year,
                school_year=year,
                instrument_version=instrument.latest_version(),
                opens_at=opens,
                closes_at=opens + dt.timedelta(days=21),
                status=CycleStatus.CLOSED,
                opened_at=opens,
                closed_at=opens + dt.timedelta(days=21),
            )
            # Later years go a little better: the PW works on what it learned.
            self.answer(cycle, members, rng, share=0.75, uplift=0.2 * (start - this_year + 2))
            tally_cycle(cycle)
            created += 1
        if first:
            opens = timezone.now() - dt.timedelta(days=3)
            cycle = EvaluationCycle.objects.create(
                workplace=workplace,
                kind=CycleKind.CHECK_IN,
                label=f"{school_year_of(today)} · 1",
                school_year=school_year_of(today),
                instrument_version=check_in.latest_version(),
                opens_at=opens,
                closes_at=opens + dt.timedelta(days=14),
                status=CycleStatus.OPEN,
                opened_at=opens,
            )
            self.answer(cycle, members, rng, share=0.4, uplift=0.3, skip_logins=True)
            created += 1
        return created

    def fill_in(self, cycle: EvaluationCycle, *, earlier: bool) -> None:
        """The hard indicators and the self-scan of a closed yearly cycle, once each.

        The bridge-builder fills both in while the cycle is open (a closed cycle is frozen);
        the demo makes its cycles closed, so it opens this one for the moment of the saves,
        which go through the same services as the forms."""
        has_indicators = IndicatorValue.objects.filter(cycle=cycle).exists()
        has_scan = CharacteristicScan.objects.filter(cycle=cycle).exists()
        if has_indicators and has_scan:
            return
        counted = counted_indicators(cycle)
        EvaluationCycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
        cycle.status = CycleStatus.OPEN
        if not has_indicators:
            values = dict(counted)
            values[Indicator.CLIENTS] += CLIENTS_WITHOUT_MEMBERSHIP
            save_indicators(cycle=cycle, values=values, version=cycle.indicators_version)
        if not has_scan:
            rows = dict(SCAN)
            if not counted[Indicator.CLIENTS]:
                rows[4] = SCAN_WITHOUT_CLIENTS
            if earlier:
                rows[7] = (ScanStatus.PARTLY, "De doelen van het team zijn nog niet voor "
                           "iedereen zichtbaar.")  # fmt: skip
                rows[9] = (ScanStatus.PARTLY, rows[9][1])
            save_scan(cycle=cycle, rows=rows, version=cycle.scan_version)
        EvaluationCycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
        cycle.status = CycleStatus.CLOSED

    def members(self, workplace) -> dict[int, tuple[str, bool]]:
        """person id → (role they answer as, has a login)."""
        chosen: dict[int, tuple[str, bool]] = {}
        rows = (
            Membership.objects.current()
            .filter(workplace=workplace)
            .values_list("person_id", "role", "person__user")
        )
        for person_id, role, user_id in rows:
            if person_id not in chosen or ROLE_PRIORITY.index(role) < ROLE_PRIORITY.index(
                chosen[person_id][0]
            ):
                chosen[person_id] = (role, user_id is not None)
        return chosen

    def answer(self, cycle, members, rng, *, share, uplift, skip_logins=False) -> None:
        """Invite every member; let about ``share`` of them answer (bulk inserts)."""
        invitations = Invitation.objects.bulk_create(
            Invitation(cycle=cycle, person_id=pid, role=role)
            for pid, (role, _login) in sorted(members.items())
        )
        items = list(Item.objects.filter(version=cycle.instrument_version))
        answers = []
        for invitation in invitations:
            has_login = members[invitation.person_id][1]
            if (skip_logins and has_login) or rng.random() > share:
                continue  # demo logins keep their check-in open to try it
            went_well, could_be_better = rng.choice(OPEN_ANSWERS)
            response = Response.objects.create(
                invitation=invitation,
                cycle=cycle,
                role=invitation.role,
                instrument_version=cycle.instrument_version,
                went_well=went_well,
                could_be_better=could_be_better,
                submitted_at=cycle.opens_at + dt.timedelta(days=rng.randint(0, 10)),
            )
            leaning = LEANING.get(invitation.role, {})
            for item in items:
                if rng.random() < 0.06:
                    value = 0  # don't know
                else:
                    mean = 3.6 + uplift + leaning.get(item.element_id, 0)
                    value = min(5, max(1, round(rng.gauss(mean, 0.8))))
                answers.append(Answer(response=response, item=item, value=value))
        Answer.objects.bulk_create(answers, batch_size=2000)
