"""Demo research data for the demo workplaces (run by ``seed_demo``; idempotent per PW).

Per PW: practice cases on every column of the board with their outputs (dated in this and the
two previous school years, so the hard indicators of the closed evaluation cycles count them),
CMO notes about a case, an activity and the PW itself, and a case study with its respondent
table, coded fragments and within-case summaries, as in the article's multiple case study. The
demo PW also has an experience-expert pool and value-creation stories about its cases.
Everything goes through the forms and services the pages use; a part a PW already has is left
alone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases import services, study_services
from cases.demo_data import (
    DEMO_CASES,
    DEMO_FRAGMENTS,
    DEMO_NOTES,
    DEMO_POOL,
    DEMO_STORIES,
    DEMO_SUMMARIES,
    STUDY_GROUPS,
)
from cases.models import PoolConsent, ValueStory
from elements.models import Element
from werkplaats.demo_data import CASES, DEMO_DOMAIN, DEMO_WORKPLACE
from werkplaats.models import Membership, Person, Role, User, Workplace, school_year_start


class Command(BaseCommand):
    help = "Create demo practice cases, outputs, CMO notes, case studies and the pool."

    def add_arguments(self, parser):
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo data only with DEBUG on, or pass --allow-production.")
        today = timezone.localdate()
        last = school_year_start(today).replace(year=school_year_start(today).year - 1)
        self.anchors = {"two_ago": last.replace(year=last.year - 1), "last": last, "today": today}
        # Research is done by staff or a researcher: the demo's staff account records it.
        self.researcher = User.objects.filter(email__iexact=f"beheer@{DEMO_DOMAIN}").first()
        created = 0
        with transaction.atomic():
            for workplace in Workplace.objects.filter(slug__in=[case.slug for case in CASES]):
                created += self.seed(workplace)
        self.stdout.write(self.style.SUCCESS(f"Demo cases ready: {created} new records."))

    def day(self, when: tuple[str, int]) -> dt.date:
        anchor, days = when
        return self.anchors[anchor] + dt.timedelta(days=days)

    def seed(self, workplace: Workplace) -> int:
        people: dict[str, list[Person]] = {}
        for membership in (
            Membership.objects.current()
            .filter(workplace=workplace)
            .select_related("person")
            .order_by("pk")
        ):
            people.setdefault(membership.role, []).append(membership.person)
        bridge_builder = people[Role.BRIDGE_BUILDER][0]
        by = bridge_builder.user or AnonymousUser()  # the bridge-builder keeps the PW's record
        created = 0
        if not workplace.cases.exists():
            created += self.seed_cases(workplace, people, by)
        if not workplace.cmo_notes.exists():
            created += self.seed_notes(workplace, people)
        if not ValueStory.objects.filter(case__workplace=workplace).exists():
            created += self.seed_stories(workplace, people)
        if not workplace.case_studies.exists() and self.researcher is not None:
            created += self.seed_study(workplace)
        pool = PoolConsent.objects.filter(workplaces=workplace)
        if workplace.slug == DEMO_WORKPLACE and not pool.exists():
            created += self.seed_pool(workplace, people, by)
        return created

    def seed_cases(self, workplace: Workplace, people: dict, by) -> int:
        created = 0
        for spec in DEMO_CASES.get(workplace.slug, []):
            values = services.CaseValues(
                title=spec["title"],
                question=spec["question"],
                kind=spec["kind"],
                status=spec["status"],
                lead=people[spec["lead"][0]][spec["lead"][1]],
                participants=[people[role][i] for role, i in spec["participants"]],
                supervisors=[people[role][i] for role, i in spec["supervisors"]],
                starts_on=self.day(spec["starts"]),
                ends_on=self.day(spec["ends"]) if "ends" in spec else None,
                practice_change=spec.get("practice_change", ""),
                securing=spec.get("securing", ""),
                tags=spec["tags"],
            )
            case = services.create_case(workplace=workplace, by=by, values=values)
            created += 1
            for kind, title, when, link in spec["outputs"]:
                output = services.OutputValues(
                    kind=kind,
                    title=title,
                    date=self.day(when),
                    link=f"https://{DEMO_DOMAIN}/{link}" if link else "",
                )
                services.add_output(case=case, by=by, values=output)
                created += 1
        return created

    def seed_notes(self, workplace: Workplace, people: dict) -> int:
        cases = {case.title: case for case in workplace.cases.all()}
        activities = {a.title: a for a in workplace.activities.order_by("-date", "-pk")[:50]}
        created = 0
        for about, (role, i), source, when, context, mechanism, outcome, tags in DEMO_NOTES.get(
            workplace.slug, []
        ):
            activity = activities.get(about) if about not in cases else None
            if about is not None and about not in cases and activity is None:
                continue  # the activity is no longer among the recent ones: skip its note
            values = services.CmoNoteValues(
                case=cases.get(about),
                activity=activity,
                source=source,
                date=self.day(when) if when else activity.date,
                context=context,
                mechanism=mechanism,
                outcome=outcome,
                tags=tags,
            )
            services.create_cmo_note(workplace=workplace, author=people[role][i], values=values)
            created += 1
        return created

    def seed_stories(self, workplace: Workplace, people: dict) -> int:
        cases = {case.title: case for case in workplace.cases.prefetch_related("outputs")}
        created = 0
        for about, kind, title, text, when, outputs, tags, (role, i) in DEMO_STORIES.get(
            workplace.slug, []
        ):
            case = cases.get(about)
            if case is None:
                continue
            services.create_value_story(
                case=case, kind=kind, title=title, text=text, happened_on=self.day(when),
                outputs=[o for o in case.outputs.all() if o.title in outputs], tags=tags,
                author=people[role][i],
            )  # fmt: skip
            created += 1
        return created

    def seed_study(self, workplace: Workplace) -> int:
        mix = next(case.mix for case in CASES if case.slug == workplace.slug)
        values = study_services.CaseStudyValues(
            title=f"Casestudy LOS in PW: {workplace.name}",
            starts_on=self.day(("last", 30)),
            ends_on=self.day(("last", 270)),
            description="Focusgroepen en interviews met alle groepen betrokkenen: hoe "
            "herkennen zij de zes elementen van het LOS-model in deze werkplaats?",
        )
        study = study_services.create_case_study(
            workplace=workplace, by=self.researcher, values=values
        )
        created = 1
        moments = {}
        for index, (role, group, method) in enumerate(STUDY_GROUPS):
            if not mix.get(role):
                continue
            moment = study_services.CollectionValues(
                method=method,
                group=group,
                date=self.day(("last", 60 + 14 * index)),
                respondents=mix[role],
            )
            moments[group] = study_services.add_collection(case_study=study, values=moment)
            created += 1
        for group, text, tags in DEMO_FRAGMENTS.get(workplace.slug, []):
            fragment = study_services.FragmentValues(
                text=text, group=group, collection=moments.get(group), tags=tags
            )
            study_services.add_fragment(case_study=study, by=self.researcher, values=fragment)
            created += 1
        elements = Element.objects.in_bulk()
        for code, recognition, summary in DEMO_SUMMARIES.get(workplace.slug, []):
            study_services.set_summary(
                case_study=study, element=elements[code], recognition=recognition, summary=summary
            )
            created += 1
        return created

    def seed_pool(self, workplace: Workplace, people: dict, by) -> int:
        if not by.is_authenticated:
            return 0  # a consent needs the user who recorded it
        created = 0
        for index, topics, available, preference, details, when in DEMO_POOL:
            values = services.ConsentValues(
                person=people[Role.CLIENT][index],
                consented_on=self.day(when),
                workplaces=[workplace],
                topics=topics,
                for_interviews="interviews" in available,
                for_workshops="workshops" in available,
                for_lessons="lessons" in available,
                contact_preference=preference,
                contact_details=details,
            )
            services.register_consent(registered_by=by, values=values)
            created += 1
        return created
