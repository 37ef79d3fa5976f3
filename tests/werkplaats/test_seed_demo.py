"""The demo data: four PWs shaped like the case study, idempotent, with working logins."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from werkplaats.demo_data import DEMO_DOMAIN, DEMO_PASSWORD
from werkplaats.models import Membership, Person, Role, User, Workplace
from werkplaats.services import people_counts, role_counts

pytestmark = pytest.mark.django_db

# Table 1 of the article: (sector, start year, people, students, supporters, professionals,
# managers, clients).
EXPECTED = {
    "jeugdhulp-de-vlinderboom": ("youth_care", 2014, 9, 2, 3, 3, 1, 0),
    "revalidatie-de-linde": ("rehabilitation", 2012, 28, 7, 9, 4, 1, 7),
    "gezond-in-de-wijk": ("public_health", 2015, 20, 9, 5, 5, 1, 0),
    "revalidatie-oostpoort": ("rehabilitation", 2018, 18, 6, 4, 7, 1, 0),
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", allow_production=True, stdout=out)
    return out.getvalue()


def test_demo_has_the_four_case_study_workplaces_with_their_role_mix(demo):
    workplaces = list(Workplace.objects.all())
    assert {wp.slug for wp in workplaces} == EXPECTED.keys()
    counts, totals = role_counts(workplaces), people_counts(workplaces)
    for wp in workplaces:
        sector, year, people, students, supporters, professionals, managers, clients = EXPECTED[
            wp.slug
        ]
        assert (wp.sector, wp.started_on.year, totals[wp.pk]) == (sector, year, people)
        c = counts[wp.pk]
        assert c.get(Role.STUDENT, 0) == students
        assert c.get(Role.SUPPORTER, 0) == supporters
        assert c.get(Role.PROFESSIONAL, 0) == professionals
        assert c.get(Role.MANAGER, 0) == managers
        assert c.get(Role.CLIENT, 0) == clients
        assert c.get(Role.BRIDGE_BUILDER) == 1
        assert wp.is_partnership_complete()


def test_demo_prints_logins_that_work(client):
    output = seed()
    for label in ["bruggenbouwer", "manager", "student", "client"]:
        email = f"{label}@{DEMO_DOMAIN}"
        assert email in output
        response = client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert "PW Revalidatie De Linde" in client.get("/").content.decode()
        client.post("/accounts/logout/")


def test_demo_clients_mostly_have_no_email_and_former_students_are_not_current(demo):
    clients = Person.objects.filter(memberships__role=Role.CLIENT).distinct()
    assert clients.filter(email__isnull=True).count() >= 6
    assert Membership.objects.filter(ends_on__isnull=False).count() == 8
    assert Membership.objects.current().filter(ends_on__isnull=False).count() == 0


def test_demo_refuses_production_without_the_explicit_flag(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="known password"):
        call_command("seed_demo", stdout=StringIO())
    assert not Workplace.objects.exists()


def test_demo_shows_every_feature_filled_and_a_rerun_adds_nothing():
    """Issue 19: a newcomer sees each feature working, not an empty state."""
    from cases.models import CaseStatus, CaseStudy, CmoNote, Output, PoolConsent, PracticeCase
    from elements.models import ELEMENT_CODES
    from evaluations.models import (
        CharacteristicScan,
        CycleKind,
        CycleStatus,
        EvaluationCycle,
        Indicator,
        IndicatorValue,
    )
    from werkplaats.demo_data import DEMO_WORKPLACE
    from werkplaats.models import Activity, school_year_bounds

    def counts() -> dict[str, int]:
        models = [Person, Membership, User, PracticeCase, Output, CmoNote, CaseStudy,
                  PoolConsent, IndicatorValue, CharacteristicScan, Activity]  # fmt: skip
        return {model.__name__: model.objects.count() for model in models}

    seed()
    first = counts()
    assert "0 new records" in seed()
    assert counts() == first  # idempotent: the second run duplicates nothing

    demo = Workplace.objects.get(slug=DEMO_WORKPLACE)
    # Every PW has cases with outputs, CMO notes and a case study with its table and codes.
    for workplace in Workplace.objects.all():
        assert Output.objects.filter(case__workplace=workplace).exists(), workplace
        assert workplace.cmo_notes.exists(), workplace
        study = workplace.case_studies.get()
        assert study.collections.exists() and study.fragments.exists()
        assert study.summaries.exists()
    # Cards in every column of the boards; the notes are about a case, an activity, the PW.
    assert set(PracticeCase.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert demo.cases.values("status").distinct().count() >= 3
    notes = demo.cmo_notes.all()
    assert (
        notes.filter(case__isnull=False).exists() and notes.filter(activity__isnull=False).exists()
    )
    assert notes.filter(case__isnull=True, activity__isnull=True).exists()
    assert PoolConsent.objects.active().filter(workplaces=demo).count() >= 2

    # The demo's closed yearly cycles: indicators (counted from the seeded outputs) and the
    # self-scan of all nine characteristics.
    closed = EvaluationCycle.objects.filter(
        workplace=demo, kind=CycleKind.YEARLY, status=CycleStatus.CLOSED
    ).order_by("-opens_at")
    assert closed.count() == 2
    for cycle in closed:
        values = {row.key: row for row in cycle.indicators.all()}
        assert set(values) == set(Indicator.values)
        assert cycle.scans.count() == 9
    latest = closed[0]
    values = {row.key: row for row in latest.indicators.all()}
    for key in (Indicator.GRADUATION, Indicator.PUBLICATIONS, Indicator.POLICY_PLAN):
        assert values[key].value >= 1 and values[key].counted, key
    assert latest.is_frozen  # filled in, then closed again

    # Activities in the school year of the latest closed cycle, on every element, so its
    # dashboard sets the scores beside what the PW did that year.
    first_day, last_day = school_year_bounds(latest.school_year)
    year = Activity.objects.filter(workplace=demo, date__range=(first_day, last_day))
    assert year.count() >= 5
    assert all(year.count_per_element()[code] for code in ELEMENT_CODES)
