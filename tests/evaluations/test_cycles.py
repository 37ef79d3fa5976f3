"""Bridge-builders run cycles: create, edit (conflicts detected), open, close (frozen), invite
late members, resend, hand over links, indicators and the self-scan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations import answering, common, counts, cycles, invitations, mailing, records, tokens
from evaluations.models import (
    CharacteristicScan,
    CycleStatus,
    EvaluationCycle,
    IndicatorValue,
    InstrumentVersion,
    MailDelivery,
    MailKind,
    Response,
)
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    PersonFactory,
    invitation_for,
    member_user,
)
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def cycle_data(**overrides) -> dict:
    opens = timezone.now() + dt.timedelta(days=2)
    data = {
        "kind": "yearly",
        "label": "2026-2027",
        "school_year": "2026-2027",
        "instrument_version": InstrumentVersion.objects.get(instrument__code="los-scan").pk,
        "opens_at": local(opens),
        "closes_at": local(opens + dt.timedelta(days=21)),
        "invited_roles": ["student", "client", "professional"],
        "reminder_days": "7, 2",
    }
    return {**data, **overrides}


def test_a_bridge_builder_creates_a_draft_cycle(client, owner, workplace):
    client.force_login(owner)
    response = client.post(f"/pw/{workplace.slug}/evaluations/new/", cycle_data())
    cycle = EvaluationCycle.objects.get(workplace=workplace)
    assert response.status_code == 302
    assert response["Location"] == f"/pw/{workplace.slug}/evaluations/{cycle.pk}/"
    assert cycle.status == CycleStatus.DRAFT
    assert cycle.invited_roles == ["student", "client", "professional"]
    assert cycle.reminder_days == [7, 2]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("school_year", "2026/27"),
        ("school_year", "2026-2028"),
        ("reminder_days", "7, twee"),
        ("reminder_days", "30, 20, 10, 5"),
        ("reminder_days", "0"),
        ("closes_at", "2020-01-01T00:00"),
        ("invited_roles", ["nobody"]),
    ],
)
def test_bad_cycle_input_is_refused_with_field_errors(client, owner, workplace, field, value):
    client.force_login(owner)
    response = client.post(f"/pw/{workplace.slug}/evaluations/new/", cycle_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not EvaluationCycle.objects.exists()
    assert 'value="2026-2027"' in response.content.decode() or field == "school_year"


def test_a_second_cycle_with_the_same_label_is_refused(client, owner, workplace):
    client.force_login(owner)
    client.post(f"/pw/{workplace.slug}/evaluations/new/", cycle_data())
    again = client.post(f"/pw/{workplace.slug}/evaluations/new/", cycle_data())
    assert "label" in again.context["form"].errors
    assert EvaluationCycle.objects.count() == 1


def test_an_edit_on_an_outdated_form_is_a_conflict_not_an_overwrite(client, owner, workplace):
    cycle = CycleFactory(workplace=workplace, status="draft")
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/edit/"
    data = cycle_data(label=cycle.label, version=cycle.version)
    first = client.post(url, {**data, "reminder_days": "5"})
    assert first.status_code == 302
    second = client.post(url, {**data, "reminder_days": "3"})  # still the old version number
    assert second.status_code == 409
    assert "in the meantime" in second.content.decode() or "intussen" in second.content.decode()
    cycle.refresh_from_db()
    assert cycle.reminder_days == [5]


def test_a_closed_cycle_is_frozen(client, owner, workplace):
    cycle = CycleFactory(workplace=workplace, status="closed")
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/edit/"
    assert client.get(url).status_code == 302
    client.post(url, cycle_data(label="changed", version=cycle.version))
    cycle.refresh_from_db()
    assert cycle.label != "changed"
    with pytest.raises(common.EvaluationError):
        records.save_indicators(cycle=cycle, values={"students": 3}, version=1)


def test_an_open_cycle_can_be_extended_but_not_moved(client, owner, workplace):
    cycle = CycleFactory(workplace=workplace)
    client.force_login(owner)
    new_end = cycle.closes_at + dt.timedelta(days=7)
    data = cycle_data(
        label="other",
        closes_at=local(new_end),
        opens_at=local(cycle.opens_at + dt.timedelta(days=3)),
        version=cycle.version,
    )
    assert (
        client.post(f"/pw/{workplace.slug}/evaluations/{cycle.pk}/edit/", data).status_code == 302
    )
    cycle.refresh_from_db()
    assert local(cycle.closes_at) == local(new_end)
    assert cycle.label != "other"  # disabled fields keep their value
    assert cycle.opens_at < timezone.now()


def test_opening_invites_the_members_and_closing_tells_the_managers(client, owner, workplace):
    cycle = CycleFactory(workplace=workplace, status="draft")
    MembershipFactory(workplace=workplace, role=Role.STUDENT)
    MembershipFactory(workplace=workplace, role=Role.MANAGER)
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/status/"
    client.post(url, {"action": "open"})
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    assert cycle.invitations.count() == 3  # bridge-builder, student, manager
    assert client.post(url, {"action": "open"}).status_code == 302  # second click: nothing
    assert cycle.invitations.count() == 3
    client.post(url, {"action": "close"})
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    assert MailDelivery.objects.filter(kind=MailKind.RESULTS_READY).count() == 1


def test_a_person_with_two_roles_gets_one_invitation(workplace):
    cycle = CycleFactory(workplace=workplace, status="draft")
    person = PersonFactory()
    MembershipFactory(person=person, workplace=workplace, role=Role.MANAGER)
    MembershipFactory(person=person, workplace=workplace, role=Role.STUDENT)
    cycles.open_cycle(cycle=cycle)
    assert list(cycle.invitations.values_list("role", flat=True)) == [Role.STUDENT]


def test_late_invitation_resend_and_personal_link(client, owner, workplace, cycle):
    late = PersonFactory(email=None)
    MembershipFactory(person=late, workplace=workplace, role=Role.CLIENT)
    client.force_login(owner)
    base = f"/pw/{workplace.slug}/evaluations/{cycle.pk}"
    client.post(f"{base}/invite/", {"person": late.pk, "role": Role.CLIENT})
    invitation = cycle.invitations.get(person=late)
    page = client.post(f"{base}/invitations/{invitation.pk}/link/")
    link = page.context["link"]
    assert "/e/" in link
    client.logout()
    assert client.get(link.split("testserver")[1]).status_code == 302
    # The bridge-builder resends someone's invitation; it goes back to pending once.
    other = invitation_for(cycle, Role.STUDENT)
    invitations.add_invitation(cycle=cycle, person=other.person, role=Role.STUDENT)
    mailing.send_due()
    client.force_login(owner)
    client.post(f"{base}/invitations/{other.pk}/resend/")
    row = MailDelivery.objects.get(invitation=other, kind=MailKind.INVITATION)
    assert row.status == "pending"


def test_an_outsider_cannot_reach_another_pws_cycle(client, outsider, cycle, other_workplace):
    client.force_login(outsider)
    assert client.get(f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/").status_code == 404
    # Not even under the outsider's own PW's address.
    assert client.get(f"/pw/{other_workplace.slug}/evaluations/{cycle.pk}/").status_code == 404


def test_the_cycle_page_shows_rates_per_role_not_who_answered(client, owner, cycle):
    answered = [invitation_for(cycle, Role.STUDENT) for _ in range(2)]
    invitation_for(cycle, Role.STUDENT)
    invitation_for(cycle, Role.CLIENT)
    for invitation in answered:
        answering.submit_response(response=answering.start_response(invitation=invitation))
    client.force_login(owner)
    page = client.get(f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/")
    rates = {
        row["role"]: (row["invited"], row["responded"], row["rate"])
        for row in page.context["rates"]
    }
    assert rates == {Role.STUDENT: (3, 2, 67), Role.CLIENT: (1, 0, 0)}
    assert page.context["total"] == {"invited": 4, "responded": 2, "rate": 50}


def test_the_cycle_list_counts_invited_and_submitted_per_cycle(client, owner, cycle):
    answered = [invitation_for(cycle, Role.STUDENT) for _ in range(3)]
    invitation_for(cycle, Role.CLIENT)
    started = invitation_for(cycle, Role.CLIENT)
    answering.start_response(invitation=started)  # begun, not submitted: not counted
    for invitation in answered:
        answering.submit_response(response=answering.start_response(invitation=invitation))
    empty = CycleFactory(workplace=cycle.workplace, status="draft")
    client.force_login(owner)
    page = client.get(f"/pw/{cycle.workplace.slug}/evaluations/")
    figures = {c.pk: (c.invited, c.responded) for c in page.context["cycles"]}
    assert figures == {cycle.pk: (5, 3), empty.pk: (0, 0)}
    assert "3 van 5" in page.content.decode()  # the page is in Dutch


def test_the_cycle_page_runs_a_constant_number_of_queries(client, owner, cycle):
    client.force_login(owner)
    url = f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/"
    invitation_for(cycle, Role.STUDENT)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for role in [Role.CLIENT, Role.PROFESSIONAL, Role.MANAGER] * 4:
        answering.start_response(invitation=invitation_for(cycle, role))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(one.captured_queries) == len(many.captured_queries) <= 13


def test_indicators_are_prefilled_with_counts_and_marked(client, owner, workplace, cycle):
    MembershipFactory(workplace=workplace, role=Role.STUDENT)
    MembershipFactory(workplace=workplace, role=Role.STUDENT)
    MembershipFactory(workplace=workplace, role=Role.CLIENT)
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/indicators/"
    form = client.get(url).context["form"]
    assert form.initial["students"] == 2 and form.initial["clients_involved"] == 1
    seen = form.initial["version"]
    client.post(
        url, {"students": "2", "clients_involved": "4", "publications": "1", "version": seen}
    )
    stored = {row.key: (row.value, row.counted) for row in IndicatorValue.objects.all()}
    assert stored == {
        "students": (2, True),
        "clients_involved": (4, False),
        "publications": (1, False),  # counted 0 from the cases: entered by hand
    }
    bad = client.post(
        url, {"students": "-3", "version": client.get(url).context["form"].initial["version"]}
    )
    assert "students" in bad.context["form"].errors
    assert IndicatorValue.objects.get(key="students").value == 2


def test_case_outputs_of_the_school_year_are_counted(workplace, cycle):
    from tests.factories import OutputFactory, PracticeCaseFactory

    case = PracticeCaseFactory(workplace=workplace, lead=invitation_for(cycle).person)
    OutputFactory(case=case, kind="publication", date=dt.date(2026, 10, 1))
    OutputFactory(case=case, kind="publication", date=dt.date(2027, 9, 15))  # next school year
    OutputFactory(case=case, kind="graduation_work", date=dt.date(2027, 6, 1))
    counted = counts.counted_indicators(cycle)
    assert (counted["publications"], counted["graduation_assignments"]) == (1, 1)
    assert counted["policy_plan"] == 0


def test_the_self_scan_is_prefilled_from_the_evidence(client, owner, workplace, cycle):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/scan/"
    form = client.get(url).context["form"]
    assert form.initial["status-1"] == "present"  # the factory PW has both partner kinds
    data = {
        "status-1": "present",
        "evidence-1": "Hogeschool en zorgorganisatie",
        "status-2": "partly",
        "version": form.initial["version"],
    }
    client.post(url, data)
    assert dict(CharacteristicScan.objects.values_list("characteristic", "status")) == {
        1: "present",
        2: "partly",
    }
    client.post(url, {"status-3": "maybe"})
    assert CharacteristicScan.objects.count() == 2


@pytest.mark.parametrize(
    ("page", "mine", "theirs"),
    [
        ("indicators", {"students": "7"}, {"students": "9"}),
        ("scan", {"status-1": "absent"}, {"status-1": "partly", "evidence-1": "Hun bewijs"}),
    ],
)
def test_two_coordinators_saving_one_page_get_a_conflict(
    client, owner, workplace, cycle, page, mine, theirs
):
    """The bridge-builder and the manager both fill in the yearly cycle: whoever saves second
    over the other's save gets 409 with their input kept; nothing is overwritten."""
    from django.test import Client

    other = Client()
    other.force_login(member_user(workplace, Role.MANAGER))
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/{page}/"
    seen_mine = client.get(url).context["form"].initial["version"]
    seen_theirs = other.get(url).context["form"].initial["version"]
    assert other.post(url, {**theirs, "version": seen_theirs}).status_code == 302
    response = client.post(url, {**mine, "version": seen_mine})
    assert response.status_code == 409
    assert response.context["form"].data[next(iter(mine))] == next(iter(mine.values()))
    indicators = dict(IndicatorValue.objects.values_list("key", "value"))
    scans = dict(CharacteristicScan.objects.values_list("characteristic", "status"))
    assert indicators.get("students", scans.get(1)) in (9, "partly")  # theirs, kept
    fresh = client.get(url).context["form"].initial["version"]
    assert client.post(url, {**mine, "version": fresh}).status_code == 302
    # A post without the version (a stale or hand-made form) is a conflict, never a pass.
    response = client.post(url, {**theirs, "version": ""})
    assert response.status_code == 409
    assert response.context["form"].errors.as_data()["__all__"][0].code == "conflict"
    indicators = dict(IndicatorValue.objects.values_list("key", "value"))
    scans = dict(CharacteristicScan.objects.values_list("characteristic", "status"))
    assert indicators.get("students", scans.get(1)) in (7, "absent")  # mine, not overwritten


def test_check_in_cycles_have_no_indicators(client, owner, workplace):
    cycle = CycleFactory(workplace=workplace, kind="check_in")
    client.force_login(owner)
    assert client.get(f"/pw/{workplace.slug}/evaluations/{cycle.pk}/indicators/").status_code == 404


def test_a_locked_instrument_version_is_copied_not_changed(cycle):
    version = cycle.instrument_version
    assert not version.is_locked()
    answering.start_response(invitation=invitation_for(cycle))
    assert version.is_locked()
    copy = records.new_instrument_version(version=version)
    assert (copy.number, copy.items.count()) == (2, 30)
    assert version.items.count() == 30


def test_invitation_lists_links_and_resends_are_audited(client, owner, workplace, cycle):
    """Who saw the invitation list of a cycle, invited someone late, issued a personal link
    into a client's questionnaire or resent an invitation: in the audit log, ids only."""
    from werkplaats.models import AuditEvent

    late = PersonFactory(email=None, name="Laatkomer Lotte")
    MembershipFactory(person=late, workplace=workplace, role=Role.CLIENT)
    client.force_login(owner)
    base = f"/pw/{workplace.slug}/evaluations/{cycle.pk}"
    client.get(f"{base}/")
    client.post(f"{base}/invite/", {"person": late.pk, "role": Role.CLIENT})
    invitation = cycle.invitations.get(person=late)
    link = client.post(f"{base}/invitations/{invitation.pk}/link/").context["link"]
    other = invitation_for(cycle, Role.STUDENT)
    mailing.send_due()
    client.post(f"{base}/invitations/{other.pk}/resend/")
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "object_id", "actor_id"))
    assert events == [
        ("invitations.viewed", str(cycle.pk), owner.pk),
        ("invitation.added", str(invitation.pk), owner.pk),
        ("invitation.link_issued", str(invitation.pk), owner.pk),
        ("invitation.resent", str(other.pk), owner.pk),
    ]
    stored = " ".join(str(v) for row in AuditEvent.objects.values_list() for v in row)
    assert "Lotte" not in stored and link.rsplit("/e/", 1)[1].strip("/") not in stored


def test_two_coordinators_saving_the_plan_get_a_conflict(client, owner, workplace):
    from django.test import Client

    from evaluations.models import EvaluationPlan

    other = Client()
    other.force_login(member_user(workplace, Role.MANAGER))
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/plan/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    theirs = other.get(url).context["form"].initial["version"]
    assert other.post(url, {**data, "yearly_days": "20", "version": theirs}).status_code == 302
    response = client.post(url, {**data, "yearly_days": "30"})
    assert response.status_code == 409
    assert EvaluationPlan.objects.get(workplace=workplace).yearly_days == 20
    fresh = client.get(url).context["form"].initial["version"]
    assert client.post(url, {**data, "yearly_days": "30", "version": fresh}).status_code == 302
    assert EvaluationPlan.objects.get(workplace=workplace).yearly_days == 30
    assert EvaluationPlan.objects.count() == 1


def test_two_coordinators_making_the_first_plan_get_a_conflict(client, owner, workplace):
    """Both open the page before there is a plan: the second save does not overwrite the
    first (the new form's version is 0), and a post without a version is a conflict too."""
    from django.test import Client

    from evaluations.models import EvaluationPlan

    other = Client()
    other.force_login(member_user(workplace, Role.MANAGER))
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/evaluations/plan/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert data["version"] == 0
    assert other.post(url, {**data, "yearly_days": "20"}).status_code == 302
    assert client.post(url, {**data, "yearly_days": "30"}).status_code == 409
    assert client.post(url, {**data, "yearly_days": "30", "version": ""}).status_code == 409
    plan = EvaluationPlan.objects.get(workplace=workplace)
    assert (plan.yearly_days, plan.version) == (20, 1)


def test_the_undeliverable_box_names_who_still_has_to_answer_in_plain_words(client, owner, cycle):
    """Issue 19: every client without e-mail stayed in the box forever, with the raw English
    "no e-mail address"."""
    waiting = invitation_for(cycle, Role.CLIENT, name="Wachtende Cliënt", email=None)
    answered = invitation_for(cycle, Role.CLIENT, name="Beantwoorde Cliënt", email=None)
    refused = invitation_for(cycle, Role.STUDENT, name="Geweigerde Student")
    for invitation in (waiting, answered):
        mailing._queue(cycle, invitation.person_id, MailKind.INVITATION, invitation)
    MailDelivery.objects.create(
        cycle=cycle, person=refused.person, invitation=refused, kind=MailKind.INVITATION,
        status="failed", last_error="SMTPRecipientsRefused: {'x': (550, b'no such user')}",
    )  # fmt: skip
    mailing.send_due()
    answering.submit_response(response=answering.start_response(invitation=answered))
    client.force_login(owner)
    page = client.get(f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}/").content.decode()
    box = page.split('id="failed-title"')[1].split("</section>")[0]
    assert "Wachtende Cliënt" in box and "geen e-mailadres" in box
    assert "Geweigerde Student" in box and "de mailserver weigerde het adres" in box
    assert "Beantwoorde Cliënt" not in box
    assert "no e-mail address" not in box and "SMTPRecipientsRefused" not in box


def test_a_personal_link_is_offered_only_where_it_works_and_a_started_client_can_continue(
    client, owner, cycle
):
    """Issue 19: the personal link was offered for every client without e-mail and refused
    after the click for one who had started; a client who lost a paper link could not finish."""
    from werkplaats.models import AuditEvent

    invitation_for(cycle, Role.CLIENT, name="Nieuwe Cliënt", email=None)
    started = invitation_for(cycle, Role.CLIENT, name="Begonnen Cliënt", email=None)
    done = invitation_for(cycle, Role.CLIENT, name="Klare Cliënt", email=None)
    invitation_for(cycle, Role.STUDENT, name="Student Met Mail")
    response = answering.start_response(invitation=started)
    item = cycle.instrument_version.items.order_by("order").first()
    answering.save_answers(response=response, answers={item.pk: 4})
    answering.submit_response(response=answering.start_response(invitation=done))
    old_link = tokens.new_link(invitation=started)
    client.force_login(owner)
    base = f"/pw/{cycle.workplace.slug}/evaluations/{cycle.pk}"
    page = client.get(f"{base}/").content.decode()
    rows = {name: page.split(name)[1].split("</tr>")[0] for name in (
        "Nieuwe Cliënt", "Begonnen Cliënt", "Klare Cliënt", "Student Met Mail")}  # fmt: skip
    assert "Persoonlijke link" in rows["Nieuwe Cliënt"]
    assert "Link om verder te gaan" in rows["Begonnen Cliënt"]
    assert "link" not in rows["Klare Cliënt"].lower().split("</td>", 3)[-1]
    assert "Persoonlijke link" not in rows["Student Met Mail"]
    # A started client: first a confirmation, then the link, audited apart.
    ask = client.post(f"{base}/invitations/{started.pk}/link/")
    assert ask.status_code == 200 and "link" not in ask.context
    assert not AuditEvent.objects.filter(action="invitation.resume_link_issued").exists()
    made = client.post(f"{base}/invitations/{started.pk}/link/", {"confirm": "yes"})
    link = made.context["link"].split("testserver")[1]
    assert AuditEvent.objects.filter(action="invitation.resume_link_issued").count() == 1
    client.logout()
    assert client.get(f"/e/{old_link}/").status_code == 404  # the lost link stops working
    assert client.get(link).status_code == 302  # the new one opens the same response
    assert Response.objects.filter(invitation=started).count() == 1
    assert Response.objects.get(invitation=started).answers.count() == 1
    # A submitted client gets no link, not even by a hand-made post.
    client.force_login(owner)
    client.post(f"{base}/invitations/{done.pk}/link/", {"confirm": "yes"})
    assert not done.tokens.exists()
