"""Rules of the core models: emails, membership periods, partnerships, visibility."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ResearchGrantFactory,
    UserFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats.models import Membership, OrganisationKind, Person, Role, User, Workplace

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_person_email_is_unique_whatever_its_case():
    PersonFactory(email="Sanne.deVries@voorbeeld.example")
    duplicate = Person(name="Sanne de Vries", email="sanne.devries@VOORBEELD.example")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "gebruikt dit e-mailadres al" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="Sanne de Vries", email="SANNE.DEVRIES@voorbeeld.example")


def test_people_without_email_do_not_collide():
    first = Person(name="Cliënt A", email="")
    first.full_clean()
    first.save()
    second = Person(name="Cliënt B", email="")
    second.full_clean()
    second.save()
    assert Person.objects.filter(email__isnull=True).count() == 2


def test_person_email_is_stored_lowercase_after_clean():
    person = Person(name="Daan Jansen", email="Daan.Jansen@Voorbeeld.Example")
    person.full_clean()
    assert person.email == "daan.jansen@voorbeeld.example"


def test_user_email_is_unique_whatever_its_case_and_logs_in_case_insensitively(client):
    User.objects.create_user("fleur@voorbeeld.example", "lang genoeg wachtwoord")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("FLEUR@voorbeeld.example", "ander wachtwoord")
    response = client.post(
        "/accounts/login/",
        {"username": "Fleur@Voorbeeld.example", "password": "lang genoeg wachtwoord"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_current_members_respect_start_and_end_dates(workplace):
    today = TODAY()
    current = MembershipFactory(workplace=workplace, starts_on=today - dt.timedelta(days=10))
    ends_today = MembershipFactory(workplace=workplace, ends_on=today)
    MembershipFactory(workplace=workplace, starts_on=today + dt.timedelta(days=1))
    MembershipFactory(
        workplace=workplace,
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=1),
    )
    assert set(Membership.objects.current()) == {current, ends_today}
    assert current.is_current() and ends_today.is_current()
    assert not ends_today.is_current(today + dt.timedelta(days=1))


def test_one_person_can_hold_several_roles_in_several_workplaces(workplace, other_workplace):
    person = PersonFactory()
    MembershipFactory(person=person, workplace=workplace, role=Role.PROFESSIONAL)
    MembershipFactory(person=person, workplace=workplace, role=Role.BRIDGE_BUILDER)
    MembershipFactory(person=person, workplace=other_workplace, role=Role.SUPPORTER)
    roles = set(person.memberships.current().values_list("workplace__slug", "role"))
    assert roles == {
        (workplace.slug, Role.PROFESSIONAL),
        (workplace.slug, Role.BRIDGE_BUILDER),
        (other_workplace.slug, Role.SUPPORTER),
    }


def test_membership_cannot_end_before_it_starts(workplace):
    membership = Membership(
        person=PersonFactory(),
        workplace=workplace,
        role=Role.STUDENT,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 8, 31),
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "kan niet eindigen voordat het begint" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        membership.save()


def test_the_same_role_twice_in_overlapping_periods_is_refused(workplace):
    person = PersonFactory()
    MembershipFactory(
        person=person, workplace=workplace, starts_on=dt.date(2025, 9, 1), ends_on=None
    )
    overlapping = Membership(
        person=person, workplace=workplace, role=Role.STUDENT, starts_on=dt.date(2026, 9, 1)
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()


def test_the_same_role_again_after_it_ended_is_allowed(workplace):
    person = PersonFactory()
    MembershipFactory(
        person=person,
        workplace=workplace,
        starts_on=dt.date(2024, 9, 1),
        ends_on=dt.date(2025, 8, 31),
    )
    again = Membership(
        person=person, workplace=workplace, role=Role.STUDENT, starts_on=dt.date(2025, 9, 1)
    )
    again.full_clean()  # no overlap: raises nothing


def test_partnership_without_both_kinds_is_flagged():
    hei = OrganisationFactory(kind=OrganisationKind.HIGHER_EDUCATION)
    public = OrganisationFactory(kind=OrganisationKind.PUBLIC)
    complete = WorkplaceFactory(partners=[hei, public])
    school_only = WorkplaceFactory(partners=[hei])
    none = WorkplaceFactory(partners=[])
    assert complete.is_partnership_complete()
    assert school_only.missing_partner_kinds() == [OrganisationKind.PUBLIC]
    assert none.missing_partner_kinds() == [
        OrganisationKind.HIGHER_EDUCATION,
        OrganisationKind.PUBLIC,
    ]


def test_users_see_only_workplaces_they_currently_belong_to(workplace, other_workplace):
    user = member_user(workplace)
    former = UserFactory()
    MembershipFactory(
        person=PersonFactory(user=former),
        workplace=other_workplace,
        starts_on=dt.date(2020, 9, 1),
        ends_on=dt.date(2021, 8, 31),
    )
    assert list(Workplace.objects.visible_to(user)) == [workplace]
    assert list(Workplace.objects.visible_to(former)) == []


def test_staff_see_every_workplace_and_inactive_users_none(workplace, other_workplace):
    assert Workplace.objects.visible_to(UserFactory(is_staff=True)).count() == 2
    inactive = member_user(workplace)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    assert Workplace.objects.visible_to(inactive).count() == 0


def test_research_grants_cover_one_workplace_or_all_until_they_expire(workplace, other_workplace):
    one = ResearchGrantFactory(workplace=workplace).user
    everything = ResearchGrantFactory(workplace=None).user
    expired = ResearchGrantFactory(
        workplace=workplace, expires_on=TODAY() - dt.timedelta(days=1)
    ).user
    assert list(Workplace.objects.visible_to(one)) == [workplace]
    assert Workplace.objects.visible_to(everything).count() == 2
    assert Workplace.objects.visible_to(expired).count() == 0


def test_an_id_beyond_the_integer_range_matches_nothing_instead_of_crashing(workplace):
    from werkplaats.models import Workplace

    huge = "9223372036854775808"  # one past the largest bigint
    assert list(Workplace.objects.filter(pk__in=[huge, workplace.pk])) == [workplace]
    assert not Workplace.objects.filter(pk__in=[huge, "-9223372036854775809"]).exists()
    assert not Workplace.objects.filter(pk=huge).exists()  # Django's own exact lookup
