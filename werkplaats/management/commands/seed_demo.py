"""Demo data: four PWs modelled on the case study of the LOS article (seeds, table 1).

Idempotent: running it again creates nothing new and changes nothing that exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from elements.tagging import TagSelection, set_tags
from werkplaats.forms import ActivityForm
from werkplaats.models import (
    Activity,
    ActivityHeadcount,
    ActivityKind,
    GoalSupport,
    GoalUpdate,
    LearningGoal,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Sector,
    SupportStatus,
    UpdateKind,
    User,
    Workplace,
    school_year_of,
    school_year_start,
)
from werkplaats.services import activity_log_changed, create_activity

DEMO_PASSWORD = "werkplaats-demo"  # noqa: S105 - printed demo logins, refused with DEBUG off
DEMO_DOMAIN = "demo.werkplaats.example"

FIRST_NAMES = [
    "Sanne",
    "Daan",
    "Fleur",
    "Bram",
    "Lotte",
    "Jesse",
    "Noor",
    "Thijs",
    "Eva",
    "Ruben",
    "Iris",
    "Milan",
    "Femke",
    "Sem",
    "Anouk",
    "Lars",
    "Roos",
    "Joris",
    "Maud",
    "Stijn",
    "Yara",
    "Niels",
    "Esmee",
    "Koen",
    "Lieke",
    "Tim",
    "Zoë",
    "Wouter",
    "Amira",
    "Hugo",
    "Nadia",
    "Pieter",
    "Ilse",
    "Mohamed",
    "Marloes",
    "Joost",
    "Fatima",
    "Gijs",
    "Hanna",
    "Rick",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "van Dijk",
    "Willems",
    "Verhoeven",
    "Schouten",
    "El Amrani",
    "Yilmaz",
    "Kuipers",
    "Maas",
    "Verbeek",
    "Postma",
    "Huisman",
    "Koster",
    "van Wijk",
    "Hermans",
    "Claassen",
    "Lambregts",
]


# Role mix per case (table 1 of the article: students, supporters, professionals, management,
# clients), plus one professional who is also the PW's bridge-builder.
@dataclass(frozen=True)
class Case:
    slug: str
    name: str
    sector: str
    started: int
    partners: tuple[tuple[str, str], ...]
    mix: dict[str, int]
    description: str


HEI = OrganisationKind.HIGHER_EDUCATION
PUBLIC = OrganisationKind.PUBLIC

CASES = [
    Case(
        "jeugdhulp-de-vlinderboom",
        "PW Jeugdhulp De Vlinderboom",
        Sector.YOUTH_CARE,
        2014,
        (("Hogeschool Zuiderkempen, Pedagogiek", HEI), ("Jeugdhulp De Vlinderboom", PUBLIC)),
        {Role.STUDENT: 2, Role.SUPPORTER: 3, Role.PROFESSIONAL: 3, Role.MANAGER: 1},
        "Studenten pedagogiek en jeugdprofessionals werken samen op de leefgroepen en "
        "onderzoeken hoe jongeren meer regie krijgen over hun hulpverleningsplan.",
    ),
    Case(
        "revalidatie-de-linde",
        "PW Revalidatie De Linde",
        Sector.REHABILITATION,
        2012,
        (
            ("Hogeschool Zuiderkempen, Mens en Gezondheid", HEI),
            ("Revalidatiecentrum De Linde", PUBLIC),
        ),
        {Role.STUDENT: 7, Role.SUPPORTER: 9, Role.PROFESSIONAL: 4, Role.MANAGER: 1, Role.CLIENT: 7},
        "Studenten fysiotherapie en ergotherapie, therapeuten en cliënten leren samen op de "
        "afdeling. Ervaringsdeskundigen denken mee over klinische lessen en workshops.",
    ),
    Case(
        "gezond-in-de-wijk",
        "PW Gezond in de Wijk",
        Sector.PUBLIC_HEALTH,
        2015,
        (
            ("Hogeschool Zuiderkempen, HRM en Toegepaste Psychologie", HEI),
            ("GGD Brabant-Oost", PUBLIC),
        ),
        {Role.STUDENT: 9, Role.SUPPORTER: 5, Role.PROFESSIONAL: 5, Role.MANAGER: 1},
        "Studenten toegepaste psychologie en jeugdartsen onderzoeken samen hoe gezondheids"
        "voorlichting in de wijk beter aansluit bij gezinnen.",
    ),
    Case(
        "revalidatie-oostpoort",
        "PW Revalidatie Oostpoort",
        Sector.REHABILITATION,
        2018,
        (("Paramedische Hogeschool Zuiderkempen", HEI), ("Revalidatiekliniek Oostpoort", PUBLIC)),
        {Role.STUDENT: 6, Role.SUPPORTER: 4, Role.PROFESSIONAL: 7, Role.MANAGER: 1},
        "Een jonge werkplaats waar studenten en therapeuten klinisch redeneren hardop oefenen, "
        "samen met cliënt en werkbegeleider.",
    ),
]

# (days ago, kind, title, level, element/aspect codes, unnamed participants per role).
# Nothing touches VOR in the last three months: the strip shows that gap at a glance.
DEMO_ACTIVITIES = [
    (
        2,
        "intervision",
        "Intervisie over een lastig gesprek",
        "operational",
        ["LOS-3", "LOS-5"],
        {Role.STUDENT: 4},
    ),
    (
        5,
        "clinical-reasoning",
        "Hardop redeneren bij mevrouw De Bruin",
        "operational",
        ["LOS-2", "LOS-4"],
        {},
    ),
    (
        9,
        "workshop-prepared",
        "Workshop valpreventie met ervaringsdeskundigen",
        "operational",
        ["LOS-1", "GOC-2"],
        {Role.STUDENT: 12, Role.CLIENT: 3},
    ),
    (16, "multidisciplinary", "MDO revalidatiedoelen", "operational", ["SRI-4", "LOS-2"], {}),
    (
        23,
        "steering-group",
        "Stuurgroep: jaarplan en begroting",
        "strategic",
        ["SRI-1", "VMM-5", "LeA-3"],
        {},
    ),
    (
        30,
        "clinical-lesson",
        "Klinische les spasticiteit",
        "operational",
        ["LOS-2"],
        {Role.STUDENT: 9},
    ),
    (
        41,
        "workshop-statements",
        "Stellingenworkshop: wie is de expert?",
        "tactical",
        ["GOC-3", "GOC-4", "LeA-2"],
        {Role.STUDENT: 10, Role.PROFESSIONAL: 4},
    ),
    (55, "training", "Training feedback geven", "operational", ["LOS-4"], {Role.STUDENT: 7}),
    (68, "visit", "Bezoek aan de PW in Oostpoort", "tactical", ["GOC-2", "VMM-1"], {}),
    (
        120,
        "informal-lunch",
        "Lunch met de nieuwe studenten",
        "operational",
        ["VOR-1", "VOR-5"],
        {Role.STUDENT: 7},
    ),
]
# The school year before this one, the year of the demo's latest closed evaluation cycle: (days
# after 1 September, kind, title, level, tags, unnamed participants per role). Every element is
# worked on, so the dashboard of that cycle sets its scores beside what the PW invested.
PAST_ACTIVITIES = [
    (
        18,
        "steering-group",
        "Stuurgroep: ambities voor het nieuwe schooljaar",
        "strategic",
        ["SRI-1", "SRI-2", "LeA-1"],
        {Role.MANAGER: 2},
    ),
    (
        30,
        "informal-lunch",
        "Kennismakingslunch met studenten en cliënten",
        "operational",
        ["VOR-1", "VOR-5"],
        {Role.STUDENT: 8, Role.CLIENT: 4},
    ),
    (
        58,
        "clinical-lesson",
        "Klinische les: pijn en bewegen",
        "operational",
        ["LOS-2", "LOS-3"],
        {Role.STUDENT: 10},
    ),
    (
        85,
        "intervision",
        "Intervisie: fouten mogen maken",
        "operational",
        ["GOC-3", "LOS-5"],
        {Role.STUDENT: 5},
    ),
    (
        140,
        "workshop-prepared",
        "Workshop 'Regie over je revalidatie' met ervaringsdeskundigen",
        "operational",
        ["GOC-2", "LOS-1"],
        {Role.STUDENT: 12, Role.CLIENT: 3},
    ),
    (
        170,
        "multidisciplinary",
        "Overleg: rooster en ruimte voor studenten",
        "tactical",
        ["VMM-4", "VMM-5"],
        {},
    ),
    (
        200,
        "training",
        "Training coachend begeleiden voor werkbegeleiders",
        "tactical",
        ["LeA-3", "LOS-4"],
        {Role.SUPPORTER: 6},
    ),
    (
        235,
        "visit",
        "Werkbezoek van de bestuurders van beide partners",
        "strategic",
        ["VOR-4", "SRI-1"],
        {Role.MANAGER: 3},
    ),
    (
        265,
        "workshop-statements",
        "Stellingenworkshop: van wie is de werkplaats?",
        "tactical",
        ["GOC-4", "VOR-3"],
        {Role.STUDENT: 9, Role.PROFESSIONAL: 5},
    ),
    (
        290,
        "steering-group",
        "Stuurgroep: evaluatie en verbeteragenda",
        "strategic",
        ["SRI-5", "LeA-4"],
        {},
    ),
]
PAST_LEARNED = [
    "Elke student kiest in de eerste week een werkbegeleider en een leerdoel.",
    "Cliënten schuiven voortaan vaker aan bij de klinische les.",
    "De stuurgroep bespreekt de evaluatie voortaan in juni, vóór de nieuwe planning.",
]

DEMO_GOALS = [
    (
        "Ik wil leren hardop klinisch te redeneren bij de cliënt",
        "Dan kan de cliënt meedenken over de behandeling.",
        ["LOS-2", "LOS-5"],
    ),
    (
        "Feedback vragen aan mijn werkbegeleider na elke behandeling",
        "Ik durf nog niet goed om feedback te vragen.",
        ["LOS-4"],
    ),
    (
        "Een workshop voorbereiden met een ervaringsdeskundige",
        "Zo leer ik van het perspectief van de cliënt.",
        ["GOC-2", "VOR-1"],
    ),
]
DEMO_LEARNED = [
    "Afgesproken dat studenten hun leerdoel bij de start van de dag delen.",
    "We vragen cliënten vaker wat zij van de les vinden.",
    "Het overleg werkt beter met een vaste agenda.",
]

# The demo logins, all in "PW Revalidatie De Linde": the login is <label>@DEMO_DOMAIN.
DEMO_LOGINS = [
    ("bruggenbouwer", Role.BRIDGE_BUILDER),
    ("manager", Role.MANAGER),
    ("student", Role.STUDENT),
    ("client", Role.CLIENT),
    ("ondersteuner", Role.SUPPORTER),
]
DEMO_WORKPLACE = "revalidatie-de-linde"


def demo_names() -> list[str]:
    """Distinct, stable Dutch names: the same order on every run, so reruns match."""
    n = len(FIRST_NAMES)
    return [f"{FIRST_NAMES[i % n]} {LAST_NAMES[(i * 7 + i // n) % n]}" for i in range(n * n)]


def email_for(name: str) -> str:
    local = name.lower().replace(" ", ".").replace("ë", "e").replace("'", "")
    return f"{local}@{DEMO_DOMAIN}"


class Command(BaseCommand):
    help = "Create the demo workplaces, people and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Also run when DEBUG is off (demo accounts have a known password).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts with a known password; with DEBUG off, "
                "pass --allow-production if you really want them."
            )
        with transaction.atomic():
            created, logins = self.seed(timezone.localdate())
        # The apps seed their own demo data (called by name: the core imports no app). Cases
        # first: the evaluations' hard indicators count the outputs of the cases.
        call_command("seed_demo_cases", allow_production=True, stdout=self.stdout)
        call_command("seed_demo_evaluations", allow_production=True, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {created} new records, {len(CASES)} workplaces.")
        )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}) at {settings.SITE_URL}/")
        for label, email in logins:
            self.stdout.write(f"  {label:15} {email}")

    def seed(self, today: dt.date) -> tuple[int, list[tuple[str, str]]]:
        created = 0
        year_start = school_year_start(today)
        name_iter = iter(demo_names())
        logins: list[tuple[str, str]] = []

        for case in CASES:
            workplace, was_new = Workplace.objects.get_or_create(
                slug=case.slug,
                defaults={
                    "name": case.name,
                    "sector": case.sector,
                    "started_on": dt.date(case.started, 9, 1),
                    "description": case.description,
                },
            )
            created += was_new
            for org_name, kind in case.partners:
                org, was_new = Organisation.objects.get_or_create(
                    name=org_name, defaults={"kind": kind}
                )
                created += was_new
                workplace.partners.add(org)

            people_by_role: dict[str, list[Person]] = {}
            for role, count in case.mix.items():
                for _ in range(count):
                    name = next(name_iter)
                    is_client = role == Role.CLIENT
                    email = None if is_client else email_for(name)
                    person, was_new = Person.objects.get_or_create(name=name, email=email)
                    created += was_new
                    # Students join each school year; staff have been there longer.
                    starts = (
                        year_start
                        if role == Role.STUDENT
                        else max(workplace.started_on, dt.date(today.year - 3, 1, 1))
                    )
                    _m, was_new = Membership.objects.get_or_create(
                        person=person,
                        workplace=workplace,
                        role=role,
                        defaults={"starts_on": starts},
                    )
                    created += was_new
                    people_by_role.setdefault(role, []).append(person)

            # The first professional is also the bridge-builder (one person, two roles).
            bridge_builder = people_by_role[Role.PROFESSIONAL][0]
            _m, was_new = Membership.objects.get_or_create(
                person=bridge_builder,
                workplace=workplace,
                role=Role.BRIDGE_BUILDER,
                defaults={"starts_on": max(workplace.started_on, dt.date(today.year - 2, 9, 1))},
            )
            created += was_new
            people_by_role[Role.BRIDGE_BUILDER] = [bridge_builder]

            # Last year's students have left: their memberships ended on 31 August.
            for _ in range(2):
                name = next(name_iter)
                person, was_new = Person.objects.get_or_create(name=name, email=email_for(name))
                created += was_new
                _m, was_new = Membership.objects.get_or_create(
                    person=person,
                    workplace=workplace,
                    role=Role.STUDENT,
                    defaults={
                        "starts_on": year_start.replace(year=year_start.year - 1),
                        "ends_on": year_start - dt.timedelta(days=1),
                    },
                )
                created += was_new

            created += self.seed_activities(workplace, people_by_role, today)
            created += self.seed_past_activities(workplace, people_by_role, today)
            created += self.seed_goals(workplace, people_by_role, today)

            if case.slug == DEMO_WORKPLACE:
                for label, role in DEMO_LOGINS:
                    person = people_by_role[role][0]
                    login_email = f"{label}@{DEMO_DOMAIN}"
                    if person.user_id is None:
                        user = User.objects.filter(email__iexact=login_email).first()
                        if user is None:
                            user = User.objects.create_user(login_email, DEMO_PASSWORD)
                            created += 1
                        person.user = user
                        person.save(update_fields=["user"])
                    logins.append((label, person.user.email))

        admin_email = f"beheer@{DEMO_DOMAIN}"
        if not User.objects.filter(email__iexact=admin_email).exists():
            User.objects.create_superuser(admin_email, DEMO_PASSWORD)
            created += 1
        logins.append(("staff (admin)", admin_email))
        return created, logins

    def seed_activities(self, workplace: Workplace, people: dict, today: dt.date) -> int:
        """A few months of activities, once per PW (a PW that has any is left alone)."""
        if workplace.activities.exists():
            return 0
        kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
        students = people.get(Role.STUDENT, [])
        bridge_builder = people[Role.BRIDGE_BUILDER][0]
        created = 0
        for index, (days_ago, kind, title, level, tags, counts) in enumerate(DEMO_ACTIVITIES):
            activity = Activity.objects.create(
                workplace=workplace,
                date=today - dt.timedelta(days=days_ago),
                kind=kinds[kind],
                title=title,
                level=level,
                learned=DEMO_LEARNED[index % len(DEMO_LEARNED)],
            )
            activity.participants.set([bridge_builder, *students[index % 3 : index % 3 + 2]])
            set_tags(activity, TagSelection.from_codes(tags))
            for role, count in counts.items():
                ActivityHeadcount.objects.create(activity=activity, role=role, count=count)
            created += 1
        activity_log_changed(workplace.pk)  # bulk-made rows: refresh the cached list summaries
        return created

    def seed_past_activities(self, workplace: Workplace, people: dict, today: dt.date) -> int:
        """Last school year's activities, logged through the activity form as a bridge-builder
        does, once per PW (left alone when the first of them is there)."""
        this_year = school_year_start(today)
        first = this_year.replace(year=this_year.year - 1)
        titles = [title for _days, _kind, title, *_rest in PAST_ACTIVITIES]
        if workplace.activities.filter(date__gte=first, title=titles[0]).exists():
            return 0
        kinds = {kind.code: kind.pk for kind in ActivityKind.objects.all()}
        bridge_builder = people[Role.BRIDGE_BUILDER][0]
        # Last year's students have left; the staff who ran these activities are still here.
        staff = people.get(Role.PROFESSIONAL, [])[1:] + people.get(Role.SUPPORTER, [])
        by = bridge_builder.user or AnonymousUser()
        for index, (days, kind, title, level, tags, counts) in enumerate(PAST_ACTIVITIES):
            data = {
                "date": (first + dt.timedelta(days=days)).isoformat(),
                "kind": kinds[kind],
                "title": title,
                "level": level,
                "participants": [bridge_builder.pk, *(p.pk for p in staff[index % 3 :][:2])],
                "learned": PAST_LEARNED[index % len(PAST_LEARNED)],
                "tags": tags,
                **{f"count_{role}": count for role, count in counts.items()},
            }
            form = ActivityForm(data, workplace=workplace)
            if not form.is_valid():
                raise CommandError(f"Demo activity {title!r}: {form.errors.as_text()}")
            create_activity(form=form, workplace=workplace, by=by)
        return len(PAST_ACTIVITIES)

    def seed_goals(self, workplace: Workplace, people: dict, today: dt.date) -> int:
        """A few shared goals with supporters and feedback, once per PW."""
        if workplace.goals.exists():
            return 0
        created = 0
        supporters = people.get(Role.SUPPORTER, [])
        for index, (title, why, tags) in enumerate(DEMO_GOALS):
            owner = people[Role.STUDENT][(index + 1) % len(people[Role.STUDENT])]
            goal = LearningGoal.objects.create(
                workplace=workplace, owner=owner, title=title, why=why,
                target_date=today + dt.timedelta(days=30 * (index + 1)),
                school_year=school_year_of(today),
            )  # fmt: skip
            set_tags(goal, TagSelection.from_codes(tags))
            if supporters:
                supporter = supporters[(index + 1) % len(supporters)]
                GoalSupport.objects.create(
                    goal=goal, person=supporter, status=SupportStatus.ACCEPTED
                )
                GoalUpdate.objects.create(
                    goal=goal, author=supporter, kind=UpdateKind.FEEDBACK,
                    text="Mooi doel. Vraag de cliënt na afloop wat hij ervan vond.",
                )  # fmt: skip
            created += 1
        return created
