"""The experience-expert pool: explicit consent, visibility per PW, withdrawal that sticks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from cases import services
from cases.models import PoolConsent
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    PoolConsentFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(workplace):
    person = PersonFactory(name="Ervaringsdeskundige Eva", email="eva@voorbeeld.example")
    MembershipFactory(person=person, workplace=workplace, role=Role.CLIENT)
    return person


@pytest.fixture
def consent(workplace, expert):
    consent = PoolConsentFactory(person=expert, contact_details="06-11112222")
    consent.workplaces.set([workplace])
    return consent


def _data(person, workplace, **extra):
    data = {
        "person": person.pk,
        "consented_on": "2026-10-01",
        "workplaces": [workplace.pk],
        "topics": "Herstel na een beroerte",
        "available_for": ["workshops", "lessons"],
        "contact_preference": "Via de bruggenbouwer",
        "contact_details": "06-99998888",
    }
    data.update(extra)
    return data


def test_a_bridge_builder_records_a_consent_as_its_registrar(client, workplace, owner, expert):
    client.force_login(owner)
    response = client.post(f"/pw/{workplace.slug}/pool/new/", _data(expert, workplace))
    assert response.status_code == 302
    consent = PoolConsent.objects.get()
    assert consent.registered_by == owner
    assert consent.consented_on == dt.date(2026, 10, 1)
    assert list(consent.workplaces.all()) == [workplace]
    assert consent.is_active()
    assert (consent.for_interviews, consent.for_workshops, consent.for_lessons) == (
        False,
        True,
        True,
    )


def test_consent_without_a_date_is_refused(client, workplace, owner, expert):
    client.force_login(owner)
    response = client.post(
        f"/pw/{workplace.slug}/pool/new/", _data(expert, workplace, consented_on="")
    )
    assert response.status_code == 400
    assert "Enter the date the consent was given." in str(
        response.context["form"].errors["consented_on"]
    )
    assert not PoolConsent.objects.exists()


def test_consent_in_the_future_is_refused(client, workplace, owner, expert):
    client.force_login(owner)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/pw/{workplace.slug}/pool/new/", _data(expert, workplace, consented_on=tomorrow)
    )
    assert response.status_code == 400
    assert not PoolConsent.objects.exists()


def test_consent_without_a_registrar_is_refused_by_the_service_and_the_database(workplace, expert):
    from django.contrib.auth.models import AnonymousUser

    values = services.ConsentValues(
        person=expert, consented_on=dt.date(2026, 1, 1), workplaces=[workplace], topics="x"
    )
    for registrar in (None, AnonymousUser()):
        with pytest.raises(services.ConsentRefused):
            services.register_consent(registered_by=registrar, values=values)
    assert not PoolConsent.objects.exists()
    with pytest.raises(IntegrityError):
        PoolConsent.objects.create(
            person=expert, topics="x", contact_preference="x", consented_on=dt.date(2026, 1, 1)
        )


def test_only_current_clients_of_this_workplace_can_be_registered(
    client, workplace, other_workplace, owner
):
    student = MembershipFactory(workplace=workplace, role=Role.STUDENT).person
    elsewhere = MembershipFactory(workplace=other_workplace, role=Role.CLIENT).person
    client.force_login(owner)
    for person in (student, elsewhere):
        response = client.post(f"/pw/{workplace.slug}/pool/new/", _data(person, workplace))
        assert response.status_code == 400
        assert "person" in response.context["form"].errors
    assert not PoolConsent.objects.exists()


def test_a_workplace_the_registrar_does_not_manage_cannot_be_chosen(
    client, workplace, other_workplace, owner, expert
):
    MembershipFactory(person=expert, workplace=other_workplace, role=Role.CLIENT)
    client.force_login(owner)
    response = client.post(
        f"/pw/{workplace.slug}/pool/new/",
        _data(expert, workplace, workplaces=[workplace.pk, other_workplace.pk]),
    )
    assert response.status_code == 400
    assert "workplaces" in response.context["form"].errors
    assert other_workplace.name not in response.content.decode()


def test_students_and_clients_may_not_record_consent(client, workplace, member, expert):
    client.force_login(member)
    assert (
        client.post(f"/pw/{workplace.slug}/pool/new/", _data(expert, workplace)).status_code == 403
    )
    client.force_login(member_user(workplace, Role.CLIENT))
    assert client.get(f"/pw/{workplace.slug}/pool/new/").status_code == 403


def test_members_of_the_named_workplace_see_the_expert_with_contact_details(
    client, workplace, member, consent
):
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/pool/").content.decode()
    assert "Ervaringsdeskundige Eva" in html
    assert "06-11112222" in html and "eva@voorbeeld.example" in html


def test_members_of_a_workplace_not_named_do_not_see_the_expert(
    client, workplace, other_workplace, consent, expert
):
    # Eva is a member of the other PW too, but agreed only to the first.
    MembershipFactory(person=expert, workplace=other_workplace, role=Role.CLIENT)
    client.force_login(member_user(other_workplace, Role.BRIDGE_BUILDER))
    html = client.get(f"/pw/{other_workplace.slug}/pool/").content.decode()
    assert "Ervaringsdeskundige Eva" not in html and "06-11112222" not in html


def test_outsiders_get_404_and_researchers_403(client, workplace, outsider, researcher, consent):
    client.force_login(outsider)
    assert client.get(f"/pw/{workplace.slug}/pool/").status_code == 404
    assert client.post(f"/pw/{workplace.slug}/pool/{consent.pk}/withdraw/").status_code == 404
    client.force_login(researcher)
    assert client.get(f"/pw/{workplace.slug}/pool/").status_code == 403
    consent.refresh_from_db()
    assert consent.is_active()


def test_withdrawal_hides_the_expert_and_contact_details_at_once(
    client, workplace, owner, member, consent
):
    client.force_login(owner)
    response = client.post(f"/pw/{workplace.slug}/pool/{consent.pk}/withdraw/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawn_by == owner
    owner_view = client.get(f"/pw/{workplace.slug}/pool/").content.decode()
    assert "06-11112222" not in owner_view and "eva@voorbeeld.example" not in owner_view
    assert "withdrawn on" in owner_view  # the withdrawal is recorded, visibly
    client.force_login(member)
    html = client.get(f"/pw/{workplace.slug}/pool/").content.decode()
    assert "Ervaringsdeskundige Eva" not in html and "06-11112222" not in html


def test_the_expert_may_withdraw_their_own_consent(client, workplace, expert, consent):
    expert.user = UserFactory()
    expert.save(update_fields=["user"])
    client.force_login(expert.user)
    assert client.post(f"/pw/{workplace.slug}/pool/{consent.pk}/withdraw/").status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == expert.user


def test_a_student_may_not_withdraw_somebody_elses_consent(client, workplace, member, consent):
    client.force_login(member)
    assert client.post(f"/pw/{workplace.slug}/pool/{consent.pk}/withdraw/").status_code == 403
    consent.refresh_from_db()
    assert consent.is_active()


def test_a_withdrawal_is_never_undone_or_overwritten(workplace, owner, consent):
    assert services.withdraw_consent(consent=consent, by=owner) is True
    first = consent.withdrawn_at
    other = UserFactory()
    assert services.withdraw_consent(consent=consent, by=other) is False
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_by) == (first, owner)


def test_consenting_again_is_a_new_record(client, workplace, owner, expert, consent):
    services.withdraw_consent(consent=consent, by=owner)
    client.force_login(owner)
    response = client.post(f"/pw/{workplace.slug}/pool/new/", _data(expert, workplace))
    assert response.status_code == 302
    assert PoolConsent.objects.filter(person=expert).count() == 2
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None  # the old record stays withdrawn


def test_a_second_standing_consent_is_refused(client, workplace, owner, expert, consent):
    client.force_login(owner)
    response = client.post(f"/pw/{workplace.slug}/pool/new/", _data(expert, workplace))
    assert response.status_code == 400
    assert "standing consent" in str(response.context["form"].errors["person"])
    assert PoolConsent.objects.count() == 1


def test_a_consent_of_another_workplace_gives_404(client, workplace, other_workplace, owner):
    foreign = PoolConsentFactory()
    foreign.workplaces.set([other_workplace])
    client.force_login(owner)
    assert client.post(f"/pw/{workplace.slug}/pool/{foreign.pk}/withdraw/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active()


def test_the_pool_query_count_does_not_grow_with_experts(
    client, workplace, owner, django_assert_num_queries
):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/pool/"
    client.get(url)
    # session, user and person, workplace, roles (memberships, grants), audit event,
    # withdrawn, active
    with django_assert_num_queries(8) as small:
        client.get(url)
    for _ in range(5):
        PoolConsentFactory().workplaces.set([workplace])
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["consents"]) == 5
