"""Demo data: four PWs modelled on the case study of the LOS article (seeds, table 1).

Idempotent: running it again creates nothing new and changes nothing that exists.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from werkplaats.demo_data import (
    CASES,
    DEMO_ACTIVITIES,
    DEMO_DOMAIN,
    DEMO_GOALS,
    DEMO_LEARNED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_WORKPLACE,
    PAST_ACTIVITIES,
    PAST_LEARNED,
    demo_names,
    email_for,
)
from werkplaats.goal_services import GoalValues, create_goal
from werkplaats.models import (
    ActivityKind,
    GoalSupport,
    GoalUpdate,
    Membership,
    Organisation,
    Person,
    Role,
    SupportStatus,
    UpdateKind,
    User,
    Workplace,
    school_year_start,
)
from werkplaats.services import ActivityValues, create_activity


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
        """Every demo PW with its people and records; the demo logins and the admin."""
        names = iter(demo_names())
        logins: list[tuple[str, str]] = []
        created = sum(self.seed_case(case, names, today, logins) for case in CASES)
        admin_email = f"beheer@{DEMO_DOMAIN}"
        if not User.objects.filter(email__iexact=admin_email).exists():
            User.objects.create_superuser(admin_email, DEMO_PASSWORD)
            created += 1
        logins.append(("staff (admin)", admin_email))
        return created, logins

    def seed_case(self, case, names, today: dt.date, logins: list) -> int:
        """One demo PW: its partners, people, activities and goals (and the demo logins)."""
        workplace, created = Workplace.objects.get_or_create(
            slug=case.slug,
            defaults={
                "name": case.name,
                "sector": case.sector,
                "started_on": dt.date(case.started, 9, 1),
                "description": case.description,
            },
        )
        for org_name, kind in case.partners:
            org, was_new = Organisation.objects.get_or_create(
                name=org_name, defaults={"kind": kind}
            )
            created += was_new
            workplace.partners.add(org)
        added, people_by_role = self.seed_people(workplace, case, names, today)
        created += added
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
        return created

    def seed_people(self, workplace: Workplace, case, names, today: dt.date):
        """The PW's role mix as people with memberships (students from this school year, the
        others longer), the bridge-builder, and two students who left on 31 August."""
        created = 0
        year_start = school_year_start(today)
        people_by_role: dict[str, list[Person]] = {}
        for role, count in case.mix.items():
            for _ in range(count):
                name = next(names)
                email = None if role == Role.CLIENT else email_for(name)
                person, was_new = Person.objects.get_or_create(name=name, email=email)
                created += was_new
                # Students join each school year; staff have been there longer.
                starts = (
                    year_start
                    if role == Role.STUDENT
                    else max(workplace.started_on, dt.date(today.year - 3, 1, 1))
                )
                _m, was_new = Membership.objects.get_or_create(
                    person=person, workplace=workplace, role=role, defaults={"starts_on": starts}
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
            name = next(names)
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
        return created, people_by_role

    def seed_activities(self, workplace: Workplace, people: dict, today: dt.date) -> int:
        """A few months of activities, once per PW (a PW that has any is left alone)."""
        if workplace.activities.exists():
            return 0
        kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
        students = people.get(Role.STUDENT, [])
        bridge_builder = people[Role.BRIDGE_BUILDER][0]
        created = 0
        for index, (days_ago, kind, title, level, tags, counts) in enumerate(DEMO_ACTIVITIES):
            values = ActivityValues(
                date=today - dt.timedelta(days=days_ago),
                kind=kinds[kind],
                title=title,
                level=level,
                participants=[bridge_builder, *students[index % 3 : index % 3 + 2]],
                learned=DEMO_LEARNED[index % len(DEMO_LEARNED)],
                tags=tags,
            )
            create_activity(
                workplace=workplace, by=AnonymousUser(), values=values, headcounts=counts
            )
            created += 1
        return created

    def seed_past_activities(self, workplace: Workplace, people: dict, today: dt.date) -> int:
        """Last school year's activities, logged through the activity form as a bridge-builder
        does, once per PW (left alone when the first of them is there)."""
        this_year = school_year_start(today)
        first = this_year.replace(year=this_year.year - 1)
        titles = [title for _days, _kind, title, *_rest in PAST_ACTIVITIES]
        if workplace.activities.filter(date__gte=first, title=titles[0]).exists():
            return 0
        kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
        bridge_builder = people[Role.BRIDGE_BUILDER][0]
        # Last year's students have left; the staff who ran these activities are still here.
        staff = people.get(Role.PROFESSIONAL, [])[1:] + people.get(Role.SUPPORTER, [])
        by = bridge_builder.user or AnonymousUser()
        for index, (days, kind, title, level, tags, counts) in enumerate(PAST_ACTIVITIES):
            values = ActivityValues(
                date=first + dt.timedelta(days=days),
                kind=kinds[kind],
                title=title,
                level=level,
                participants=[bridge_builder, *staff[index % 3 :][:2]],
                learned=PAST_LEARNED[index % len(PAST_LEARNED)],
                tags=tags,
            )
            create_activity(workplace=workplace, by=by, values=values, headcounts=counts)
        return len(PAST_ACTIVITIES)

    def seed_goals(self, workplace: Workplace, people: dict, today: dt.date) -> int:
        """A few shared goals with supporters and feedback, once per PW."""
        if workplace.goals.exists():
            return 0
        created = 0
        supporters = people.get(Role.SUPPORTER, [])
        for index, (title, why, tags) in enumerate(DEMO_GOALS):
            owner = people[Role.STUDENT][(index + 1) % len(people[Role.STUDENT])]
            values = GoalValues(
                title=title, why=why, tags=tags,
                target_date=today + dt.timedelta(days=30 * (index + 1)),
            )  # fmt: skip
            goal = create_goal(workplace=workplace, owner=owner, values=values)
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
