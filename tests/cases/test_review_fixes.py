"""Holes a review found in the cases app, closed: a withdrawal clears the contact details and
locks the record in the admin, an expert who left the PW can still withdraw, case studies
refuse absurd respondent numbers, and a case cannot start after its outputs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import DataCollection
from tests.factories import (
    CaseStudyFactory,
    MembershipFactory,
    OutputFactory,
    PoolConsentFactory,
    PracticeCaseFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent(workplace):
    membership = MembershipFactory(workplace=workplace, role=Role.CLIENT)
    consent = PoolConsentFactory(person=membership.person)
    consent.workplaces.set([workplace])
    return consent


def test_a_withdrawal_clears_the_contact_details_and_locks_the_admin(client, workplace, consent):
    services.withdraw_consent(consent=consent, by=UserFactory())
    consent.refresh_from_db()
    assert (consent.contact_details, consent.contact_preference) == ("", "")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/cases/poolconsent/{consent.pk}/change/").content.decode()
    assert "06-12345678" not in page
    assert 'name="topics"' not in page  # read-only: nothing can be changed or undone


def test_an_expert_who_left_the_pw_can_still_withdraw(client, workplace, consent):
    user = UserFactory()
    consent.person.user = user
    consent.person.save(update_fields=["user"])
    consent.person.memberships.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(user)
    response = client.post(f"/pw/{workplace.slug}/pool/{consent.pk}/withdraw/")
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == user


def test_absurd_respondent_numbers_are_refused(workplace):
    from cases.forms import DataCollectionForm

    CaseStudyFactory(workplace=workplace)
    form = DataCollectionForm(
        data={"method": "focus_group", "group": "students", "respondents": "9223372036854775807",
              "date": "2026-10-01"},
    )  # fmt: skip
    assert not form.is_valid() and "respondents" in form.errors
    assert DataCollection.objects.count() == 0


def test_a_case_cannot_start_after_its_outputs(client, workplace):
    user = member_user(workplace, Role.STUDENT)
    case = PracticeCaseFactory(workplace=workplace, lead=user.person)
    OutputFactory(case=case, date=case.starts_on + dt.timedelta(days=5))
    from cases.forms import PracticeCaseForm

    data = {
        "title": case.title, "question": case.question, "kind": case.kind, "lead": user.person.pk,
        "status": "running", "starts_on": (case.starts_on + dt.timedelta(days=10)).isoformat(),
        "version": case.version,
    }  # fmt: skip
    form = PracticeCaseForm(data=data, instance=case, workplace=workplace)
    assert not form.is_valid() and "starts_on" in form.errors


def test_a_consent_records_the_version_of_the_text_agreed_to(client, workplace, owner):
    from cases.models import CONSENT_TEXT_VERSION, PoolConsent

    person = MembershipFactory(workplace=workplace, role=Role.CLIENT).person
    client.force_login(owner)
    form_page = client.get(f"/pw/{workplace.slug}/pool/new/").content.decode()
    assert CONSENT_TEXT_VERSION in form_page
    client.post(
        f"/pw/{workplace.slug}/pool/new/",
        {
            "person": person.pk, "topics": "Wonen", "for_interviews": "on",
            "contact_preference": "Via de bruggenbouwer",
            "consented_on": timezone.localdate().isoformat(), "workplaces": [workplace.pk],
        },
    )  # fmt: skip
    consent = PoolConsent.objects.get(person=person)
    assert consent.text_version == CONSENT_TEXT_VERSION
    assert consent.registered_by == owner and consent.registered_at is not None
