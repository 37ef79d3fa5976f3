"""Holes a review found, closed: personal links never open someone's given answers, replaced
links stop working in browsers that opened them, logging in forgets links opened before, a late
invitation carries a role the person really holds, label clashes are form errors, open cycles
show no figures, and a change is never computed against a cycle of fewer than three."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluations import answering, results, tallies, tokens
from evaluations.models import EvaluationCycle, Response
from tests.factories import CycleFactory, MembershipFactory, PersonFactory, invitation_for
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def test_a_personal_link_only_for_someone_without_email_who_has_not_started(client, owner, cycle):
    """Someone who started gets a link to continue only after the bridge-builder confirms the
    person asked for it (issue 19: a client who lost a paper link must be able to finish);
    someone with an address never: their invitation is sent again instead."""
    base = f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/invitations"
    with_email = invitation_for(cycle, Role.MANAGER)
    started = invitation_for(cycle, Role.CLIENT, email=None)
    answering.start_response(invitation=started)
    fresh = invitation_for(cycle, Role.CLIENT, email=None)
    client.force_login(owner)
    response = client.post(f"{base}/{with_email.pk}/link/", {"confirm": "yes"})
    assert response.status_code == 302 and with_email.tokens.count() == 0
    response = client.post(f"{base}/{started.pk}/link/")
    assert response.status_code == 200 and "link" not in response.context
    assert started.tokens.count() == 0
    assert "link" in client.post(f"{base}/{fresh.pk}/link/").context


def test_a_replaced_link_stops_working_in_a_browser_that_opened_it(client, cycle):
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    assert client.get(f"/answer/{invitation.pk}/1/").status_code == 200
    tokens.new_link(invitation=invitation)
    assert client.get(f"/answer/{invitation.pk}/1/").status_code == 404


def test_logging_in_forgets_the_links_opened_before(client, cycle, member):
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    assert client.get(f"/answer/{invitation.pk}/").status_code == 200
    from werkplaats.models import User

    User.objects.filter(pk=member.pk).update(password="")
    member.set_password("een lange wachtzin voor de test")
    member.save()
    client.post(
        "/accounts/login/",
        {"username": member.email, "password": "een lange wachtzin voor de test"},
    )
    assert client.get(f"/answer/{invitation.pk}/").status_code == 404


def test_a_late_invitation_must_carry_a_role_the_person_holds(client, owner, cycle):
    student = PersonFactory()
    MembershipFactory(person=student, workplace=cycle.workplace, role=Role.STUDENT)
    client.force_login(owner)
    url = f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/invite/"
    client.post(url, {"person": student.pk, "role": Role.MANAGER})
    assert not cycle.invitations.filter(person=student).exists()
    client.post(url, {"person": student.pk, "role": Role.STUDENT})
    assert cycle.invitations.get(person=student).role == Role.STUDENT


def test_renaming_a_draft_to_an_existing_label_is_a_form_error(client, owner, workplace):
    CycleFactory(workplace=workplace, label="2026-2027", status="draft")
    other = CycleFactory(workplace=workplace, label="2025-2026", status="draft")
    client.force_login(owner)
    local = lambda value: timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    response = client.post(
        f"/pw/{workplace.slug}/evaluations/{other.pk}/edit/",
        {
            "kind": "yearly", "label": "2026-2027", "school_year": "2026-2027",
            "instrument_version": other.instrument_version_id,
            "opens_at": local(other.opens_at), "closes_at": local(other.closes_at),
            "invited_roles": ["student"], "reminder_days": "7", "version": other.version,
        },
    )  # fmt: skip
    assert response.status_code in (200, 409)
    assert response.context["form"].errors
    other.refresh_from_db()
    assert other.label == "2025-2026"


def test_the_cycle_list_counts_each_response_once(client, owner, cycle):
    for _ in range(2):
        invitation = invitation_for(cycle, Role.STUDENT)
        answering.submit_response(response=answering.start_response(invitation=invitation))
    invitation_for(cycle, Role.STUDENT)
    client.force_login(owner)
    listed = client.get(f"/pw/{cycle.workplace.slug}/evaluations/").context["cycles"]
    row = next(c for c in listed if c.pk == cycle.pk)
    assert (row.invited, row.responded) == (3, 2)


def test_no_change_against_an_earlier_cycle_of_fewer_than_three(workplace):
    now = timezone.now()
    earlier = CycleFactory(
        workplace=workplace,
        opens_at=now - dt.timedelta(days=400),
        closes_at=now - dt.timedelta(days=380),
        status="closed",
    )
    lone = invitation_for(earlier, Role.MANAGER)
    Response.objects.create(
        invitation=lone, cycle=earlier, role=Role.MANAGER,
        instrument_version=earlier.instrument_version, submitted_at=earlier.opens_at,
    )  # fmt: skip
    tallies.tally_cycle(earlier)
    cycle = CycleFactory(workplace=workplace, status="closed")
    for _ in range(3):
        Response.objects.create(
            invitation=invitation_for(cycle, Role.STUDENT), cycle=cycle, role=Role.STUDENT,
            instrument_version=cycle.instrument_version, submitted_at=cycle.opens_at,
        )  # fmt: skip
    tallies.tally_cycle(cycle)
    assert results.previous_cycle(cycle) is None
    assert EvaluationCycle.objects.get(pk=earlier.pk).respondent_count == 1


def test_an_open_cycle_shows_its_response_but_no_figures(client, workplace, cycle):
    from tests.factories import member_user

    for _ in range(4):
        invitation = invitation_for(cycle, Role.STUDENT)
        answering.submit_response(response=answering.start_response(invitation=invitation))
    client.force_login(member_user(workplace, Role.MANAGER))
    page = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/")
    assert page.context["data"].visible is False
    assert "radar-series" not in page.content.decode()
    assert page.context["rates"]
