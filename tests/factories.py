"""factory-boy factories, one per model."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from werkplaats.models import (
    Activity,
    ActivityKind,
    LearningGoal,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    ResearchGrant,
    Role,
    Sector,
    User,
    Workplace,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"gebruiker{n}@voorbeeld.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy signature
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.PUBLIC


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"PW Voorbeeld {n}")
    slug = factory.Sequence(lambda n: f"pw-voorbeeld-{n}")
    sector = Sector.REHABILITATION
    started_on = dt.date(2018, 9, 1)

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):  # noqa: N805
        """Complete partnership by default; pass partners=[...] to choose."""
        if not create:
            return
        if extracted is None:
            extracted = [
                OrganisationFactory(kind=OrganisationKind.HIGHER_EDUCATION),
                OrganisationFactory(kind=OrganisationKind.PUBLIC),
            ]
        obj.partners.set(extracted)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Persoon {n}")
    email = factory.Sequence(lambda n: f"persoon{n}@voorbeeld.example")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    workplace = factory.SubFactory(WorkplaceFactory)
    role = Role.STUDENT
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    ends_on = None


class ResearchGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearchGrant

    user = factory.SubFactory(UserFactory)
    workplace = factory.SubFactory(WorkplaceFactory)
    purpose = "Longitudinaal onderzoek naar LOS in PW"


def member_user(workplace: Workplace, role: str = Role.STUDENT, **person_fields) -> User:
    """A user account whose person currently holds ``role`` in ``workplace``."""
    user = UserFactory()
    person = PersonFactory(user=user, **person_fields)
    MembershipFactory(person=person, workplace=workplace, role=role)
    return user


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    workplace = factory.SubFactory(WorkplaceFactory)
    date = factory.LazyFunction(timezone.localdate)
    kind = factory.LazyFunction(lambda: ActivityKind.objects.get(code="intervision"))
    title = factory.Sequence(lambda n: f"Intervisie {n}")

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):  # noqa: N805
        """Element or aspect codes (``tags=["LOS", "GOC-2"]``); the PW's strip counters are
        counted afresh, as after any write that bypasses the services."""
        if not create:
            return
        if extracted:
            from elements.tagging import TagSelection, set_tags

            set_tags(obj, TagSelection.from_codes(extracted))
        from werkplaats.activity_counts import rebuild

        rebuild(obj.workplace_id)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningGoal

    workplace = factory.SubFactory(WorkplaceFactory)
    owner = factory.SubFactory(PersonFactory)
    title = factory.Sequence(lambda n: f"Leerdoel {n}")
    school_year = "2026-2027"


# --- Evaluations --------------------------------------------------------------------------------
def los_scan_version():
    from evaluations.models import InstrumentVersion

    return InstrumentVersion.objects.get(instrument__code="los-scan", number=1)


class CycleFactory(factory.django.DjangoModelFactory):
    """An open yearly cycle that opened yesterday and closes in three weeks."""

    class Meta:
        model = "evaluations.EvaluationCycle"

    workplace = factory.SubFactory(WorkplaceFactory)
    kind = "yearly"
    label = factory.Sequence(lambda n: f"2026-2027 #{n}")
    school_year = "2026-2027"
    instrument_version = factory.LazyFunction(los_scan_version)
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + dt.timedelta(days=22))
    status = "open"


def invitation_for(cycle, role: str = Role.STUDENT, **person_fields):
    """A current member of the cycle's PW in ``role`` with an invitation (and a user)."""
    from evaluations.models import Invitation

    user = member_user(cycle.workplace, role, **person_fields)
    return Invitation.objects.create(cycle=cycle, person=user.person, role=role)


class PracticeCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.PracticeCase"

    workplace = factory.SubFactory(WorkplaceFactory)
    title = factory.Sequence(lambda n: f"Praktijkvraag {n}")
    question = "Hoe betrekken we cliënten bij de overdracht?"
    kind = "research"
    lead = factory.LazyAttribute(
        lambda o: MembershipFactory(workplace=o.workplace, role=Role.STUDENT).person
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))


class OutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Output"

    case = factory.SubFactory(PracticeCaseFactory)
    kind = "publication"
    title = factory.Sequence(lambda n: f"Artikel {n}")
    date = factory.LazyFunction(timezone.localdate)


class CmoNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CmoNote"

    workplace = factory.SubFactory(WorkplaceFactory)
    context = "Tijdens de ochtendoverdracht"
    mechanism = "geeft de student feedback aan de professional"
    outcome = "en leren beiden van elkaars aanpak"
    source = "observation"
    date = factory.LazyFunction(timezone.localdate)
    author = factory.LazyAttribute(
        lambda o: MembershipFactory(workplace=o.workplace, role=Role.STUDENT).person
    )
    author_role = Role.STUDENT


class PoolConsentFactory(factory.django.DjangoModelFactory):
    """A standing consent; set ``workplaces`` after creating it."""

    class Meta:
        model = "cases.PoolConsent"

    person = factory.SubFactory(PersonFactory)
    topics = "Leven met een chronische aandoening"
    for_interviews = True
    contact_preference = "Telefonisch, 's middags"
    contact_details = "06-12345678"
    consented_on = factory.LazyFunction(timezone.localdate)
    registered_by = factory.SubFactory(UserFactory)


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.CaseStudy"

    workplace = factory.SubFactory(WorkplaceFactory)
    title = factory.Sequence(lambda n: f"Casestudie {n}")
    starts_on = dt.date(2026, 9, 1)


class DataCollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.DataCollection"

    case_study = factory.SubFactory(CaseStudyFactory)
    method = "focus_group"
    group = "students"
    date = dt.date(2026, 10, 1)
    respondents = 6


class FragmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Fragment"

    case_study = factory.SubFactory(CaseStudyFactory)
    group = "students"
    text = factory.Sequence(lambda n: f"Citaat {n}: je leert hier echt van elkaar.")
