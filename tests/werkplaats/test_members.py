"""People and cohorts (issue 14): the members page, adding a person (one record per e-mail
address), ending and changing memberships, account invitations, the school-year rollover
and a new PW by staff. The cohort import has its own file (test_cohort_import.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.factories import (
    GoalFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats.models import (
    AccountInvitation,
    AuditEvent,
    Membership,
    Person,
    Role,
    User,
    Workplace,
)
from werkplaats.personal_data import export_person

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def members_url(workplace, **query):
    from urllib.parse import urlencode

    return f"/pw/{workplace.slug}/members/" + (f"?{urlencode(query)}" if query else "")


def member(workplace, name, role=Role.STUDENT, **dates):
    person = PersonFactory(name=name)
    return MembershipFactory(person=person, workplace=workplace, role=role, **dates)


# --- The members page ------------------------------------------------------------------------
def test_each_row_shows_its_state_and_only_the_actions_it_allows(manage, workplace):
    """The rows are built in Python (werkplaats/member_rows.py): names escaped, the phase,
    a refused address, and the actions each state allows, as forms that work without htmx."""
    from werkplaats import account_invitations

    def row(text, membership):
        start = text.index(f'<tr id="membership-{membership.pk}">')
        return text[start : text.index("</tr>", start)]

    plain = member(workplace, "Anna <Nu>")
    # A changed address clears its refusal, so the refusal is written after the address.
    Person.objects.filter(pk=plain.person_id).update(email="anna@example.org")
    Person.objects.filter(pk=plain.person_id).update(email_bounced_at=timezone.now())
    coming = member(workplace, "Bram Straks", starts_on=TODAY() + dt.timedelta(days=7))
    invited = member(workplace, "Cem Uitgenodigd")
    invited.person.email = "cem@example.org"
    invited.person.save(update_fields=["email"])
    account_invitations.invite(person=invited.person, workplace=workplace, by=UserFactory())
    active = MembershipFactory(
        person=PersonFactory(name="Dirk Actief", user=UserFactory()), workplace=workplace
    )
    text = manage.get(members_url(workplace), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    anna = row(text, plain)
    assert "Anna &lt;Nu&gt;" in anna and "<Nu>" not in anna
    assert '<span class="flag">E-mail refused</span>' in anna
    assert f'action="/pw/{workplace.slug}/people/{plain.person.pk}/invite/"' in anna
    assert 'name="csrfmiddlewaretoken"' in anna and f'name="row" value="{plain.pk}"' in anna
    assert f'hx-target="#membership-{plain.pk}"' in anna and "Invite to Werkplaats" in anna
    assert ">End<span" in anna
    assert '<span class="meta">(upcoming)</span>' in row(text, coming)
    cem = row(text, invited)
    assert "Send again" in cem and "Revoke invitation" in cem
    assert f'action="/pw/{workplace.slug}/people/{invited.person.pk}/invite/revoke/"' in cem
    dirk = row(text, active)
    assert "Invite to Werkplaats" not in dirk and "Revoke invitation" not in dirk
    assert "Change role" in dirk
    former = member(
        workplace, "Eva Vroeger", starts_on=TODAY() - dt.timedelta(days=400),
        ends_on=TODAY() - dt.timedelta(days=10),
    )  # fmt: skip
    gone = manage.get(members_url(workplace, status="former"), HTTP_ACCEPT_LANGUAGE="en")
    eva = row(gone.content.decode(), former)
    assert '<span class="meta">(former)</span>' in eva
    assert "Change role" not in eva and ">End<" not in eva


def test_the_page_lists_current_and_upcoming_members_by_default(manage, workplace):
    member(workplace, "Anna Nu", starts_on=TODAY() - dt.timedelta(days=30))
    member(workplace, "Bram Straks", starts_on=TODAY() + dt.timedelta(days=7))
    member(workplace, "Cor Vroeger", starts_on=TODAY() - dt.timedelta(days=400),
           ends_on=TODAY() - dt.timedelta(days=10))  # fmt: skip
    text = manage.get(members_url(workplace)).content.decode()
    assert "Anna Nu" in text and "Bram Straks" in text
    assert "Cor Vroeger" not in text
    former = manage.get(members_url(workplace, status="former")).content.decode()
    assert "Cor Vroeger" in former and "Anna Nu" not in former
    everyone = manage.get(members_url(workplace, status="all")).content.decode()
    assert all(name in everyone for name in ("Anna Nu", "Bram Straks", "Cor Vroeger"))


def test_filter_by_role_and_search_by_name(manage, workplace):
    member(workplace, "Dana Student")
    member(workplace, "Eef Cliënt", role=Role.CLIENT)
    only_clients = manage.get(members_url(workplace, role="client")).content.decode()
    assert "Eef Cliënt" in only_clients and "Dana Student" not in only_clients
    found = manage.get(members_url(workplace, q="dana")).content.decode()
    assert "Dana Student" in found and "Eef Cliënt" not in found
    partial = manage.get(members_url(workplace, q="dana"), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "Dana Student" in partial.content.decode()


def test_the_account_status_of_each_member_is_shown(manage, workplace, coordinator):
    Person.objects.filter(pk=member(workplace, "Fem Zonder", role=Role.CLIENT).person_id).update(
        email=None
    )
    UserFactory(email="gert@voorbeeld.example", is_active=False)
    deactivated = member(workplace, "Gert Gestopt")
    deactivated.person.user = User.objects.get(email="gert@voorbeeld.example")
    deactivated.person.save()
    page = manage.get(members_url(workplace))
    rows = {row["person"].name: str(row["account_label"]) for row in page.context["rows"]}
    for label in rows.values():
        assert f"<td>{label}</td>" in page.content.decode()
    assert rows["Fem Zonder"] == "geen e-mailadres"
    assert rows["Gert Gestopt"] == "gedeactiveerd"
    assert rows[coordinator.person.name] == "actief"


@pytest.mark.parametrize("size", [10, 500])
def test_the_members_page_has_a_constant_number_of_queries(
    manage, workplace, size, django_assert_num_queries
):
    """500 people over ten school years, a third of them invited: the same queries as 10."""
    people = Person.objects.bulk_create(
        Person(name=f"Lid {n:03d}", email=f"lid{n}@voorbeeld.example") for n in range(size)
    )
    Membership.objects.bulk_create(
        Membership(person=p, workplace=workplace, role=Role.STUDENT,
                   starts_on=dt.date(2016 + n % 10, 9, 1),
                   ends_on=None if n % 4 == 0 else dt.date(2017 + n % 10, 8, 31))
        for n, p in enumerate(people)
    )  # fmt: skip
    AccountInvitation.objects.bulk_create(
        AccountInvitation(
            person=p, token_hash=f"{n:064d}", expires_at=timezone.now() + dt.timedelta(days=7)
        )
        for n, p in enumerate(people)
        if n % 3 == 0
    )
    manage.get(members_url(workplace))  # warm the session and the policy
    # Session, user and person, policy, the page of rows (people, accounts, invitations), its count,
    # the rollover and undelivered-invitation notices, the audit event: the same at any size.
    for query in ({}, {"status": "all"}, {"status": "former", "role": "student", "q": "lid"}):
        with django_assert_num_queries(10):
            manage.get(members_url(workplace, **query))


def test_an_outsider_gets_404_and_a_student_403(client, workplace, other_workplace):
    client.force_login(member_user(other_workplace, Role.BRIDGE_BUILDER))
    assert client.get(members_url(workplace)).status_code == 404
    client.force_login(member_user(workplace, Role.STUDENT))
    assert client.get(members_url(workplace)).status_code == 403


# --- Adding a person -------------------------------------------------------------------------
def add(client, workplace, **data):
    values = {
        "name": "Hanna Nieuw", "email": "hanna@voorbeeld.example", "role": "student",
        "starts_on": TODAY().isoformat(), "preferred_language": "nl",
    }  # fmt: skip
    values.update(data)
    return client.post(f"/pw/{workplace.slug}/members/add/", values)


def test_a_bridge_builder_adds_a_new_person(manage, workplace):
    response = add(manage, workplace)
    assert response.status_code == 302
    person = Person.objects.get(email="hanna@voorbeeld.example")
    membership = person.memberships.get()
    assert (membership.workplace, membership.role, membership.starts_on) == (
        workplace,
        "student",
        TODAY(),
    )
    assert AuditEvent.objects.filter(action="member.added", object_id=str(membership.pk)).exists()


def test_a_known_address_offers_that_person_instead_of_a_duplicate(manage, workplace):
    elsewhere = WorkplaceFactory()
    known = member(elsewhere, "Ilse Bekend", role=Role.PROFESSIONAL).person
    known.email = "ilse@voorbeeld.example"
    known.save()
    offered = add(manage, workplace, name="Ilse B.", email="ILSE@voorbeeld.example")
    assert offered.status_code == 200
    assert "Dit e-mailadres is al van iemand in Werkplaats" in offered.content.decode()
    assert not known.memberships.filter(workplace=workplace).exists()
    assert 'name="use_existing" value="True"' in offered.content.decode()
    confirmed = add(manage, workplace, name="Ilse B.", email="ILSE@voorbeeld.example",
                    use_existing="True")  # fmt: skip
    assert confirmed.status_code == 302
    assert Person.objects.filter(email__iexact="ilse@voorbeeld.example").count() == 1
    known.refresh_from_db()
    assert known.name == "Ilse Bekend"  # their own name stays
    assert set(known.memberships.values_list("workplace__slug", flat=True)) == {
        elsewhere.slug,
        workplace.slug,
    }


def test_only_a_client_may_be_added_without_an_address(manage, workplace):
    assert add(manage, workplace, name="Joost", email="", role="student").status_code == 400
    assert add(manage, workplace, name="Joost", email="", role="client").status_code == 302
    assert Person.objects.get(name="Joost").email is None


def test_the_same_role_twice_in_one_period_is_refused(manage, workplace):
    assert add(manage, workplace).status_code == 302
    again = add(manage, workplace, use_existing="True")
    assert again.status_code == 409
    assert Membership.objects.filter(person__email="hanna@voorbeeld.example").count() == 1


def test_an_end_before_the_start_is_a_field_error(manage, workplace):
    response = add(manage, workplace, ends_on=(TODAY() - dt.timedelta(days=1)).isoformat())
    assert response.status_code == 400
    assert not Person.objects.filter(email="hanna@voorbeeld.example").exists()


# --- Ending and changing ---------------------------------------------------------------------
def test_ending_a_membership_keeps_it_and_what_the_person_did(manage, workplace):
    m = member(workplace, "Kees Klaar", starts_on=TODAY() - dt.timedelta(days=100))
    goal = GoalFactory(workplace=workplace, owner=m.person)
    url = f"/pw/{workplace.slug}/members/{m.pk}/end/"
    assert manage.get(url).status_code == 200
    response = manage.post(url, {"ends_on": TODAY().isoformat(), "seen_ends_on": ""})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.ends_on == TODAY()
    goal.refresh_from_db()  # still there
    stale = manage.post(url, {"ends_on": (TODAY() + dt.timedelta(days=5)).isoformat(),
                              "seen_ends_on": ""})  # fmt: skip
    assert stale.status_code == 409  # someone ended it in the meantime
    m.refresh_from_db()
    assert m.ends_on == TODAY()
    early = manage.post(url, {"ends_on": "2000-01-01", "seen_ends_on": TODAY().isoformat()})
    assert early.status_code == 400


def test_a_role_change_is_a_new_membership_from_its_date(manage, workplace):
    start = TODAY() - dt.timedelta(days=200)
    m = member(workplace, "Lot Later", starts_on=start)
    url = f"/pw/{workplace.slug}/members/{m.pk}/role/"
    assert (
        manage.post(url, {"role": "professional", "from_date": start.isoformat()}).status_code
        == 409
    )
    response = manage.post(url, {"role": "professional", "from_date": TODAY().isoformat()})
    assert response.status_code == 302
    old, new = Membership.objects.filter(person=m.person).order_by("starts_on")
    assert (old.role, old.starts_on, old.ends_on) == (
        "student",
        start,
        TODAY() - dt.timedelta(days=1),
    )
    assert (new.role, new.starts_on, new.ends_on) == ("professional", TODAY(), None)


def test_another_pws_membership_is_404(manage, other_workplace):
    m = member(other_workplace, "Max Elders")
    url = f"/pw/{m.workplace.slug}/members/{m.pk}/end/"
    assert manage.get(url).status_code == 404


# --- Account invitations ---------------------------------------------------------------------
@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def invite(client, workplace, person, capture):
    with capture(execute=True):
        return client.post(f"/pw/{workplace.slug}/people/{person.pk}/invite/")


def link_in(message) -> str:
    return re.search(r"http://[^/]+(/accounts/invitation/[A-Za-z0-9_\-]+/)", message.body).group(1)


def test_an_invited_member_sets_a_password_and_logs_in(
    manage, client, workplace, eager, django_capture_on_commit_callbacks
):
    m = member(workplace, "Noor Nieuw")
    m.person.preferred_language = "en"
    m.person.save()
    assert (
        invite(manage, workplace, m.person, django_capture_on_commit_callbacks).status_code == 302
    )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [m.person.email]
    assert mail.outbox[0].subject == "You are invited to Werkplaats"
    link = link_in(mail.outbox[0])
    invitation = AccountInvitation.objects.get(person=m.person)
    assert invitation.status == "sent" and link.split("/")[-2] not in invitation.token_hash
    page = manage.get(members_url(workplace)).content.decode()
    assert "uitgenodigd" in page
    client.logout()
    landing = client.get(link)
    assert landing.status_code == 302 and landing["Location"] == "/accounts/invitation/"
    weak = client.post("/accounts/invitation/", {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 400
    strong = "lang-en-sterk-wachtwoord-42"
    done = client.post("/accounts/invitation/", {"new_password1": strong, "new_password2": strong})
    assert done.status_code == 302
    m.person.refresh_from_db()
    assert m.person.user.check_password(strong)
    assert client.get("/").context["user"] == m.person.user
    client.logout()
    assert client.get(link).status_code == 404  # used once
    logged_in = client.post("/accounts/login/", {"username": m.person.email, "password": strong})
    assert logged_in.status_code == 302


def test_a_revoked_or_replaced_link_looks_like_an_unknown_one(
    manage, client, workplace, eager, django_capture_on_commit_callbacks
):
    m = member(workplace, "Olga Oud")
    invite(manage, workplace, m.person, django_capture_on_commit_callbacks)
    first = link_in(mail.outbox[-1])
    invite(manage, workplace, m.person, django_capture_on_commit_callbacks)
    second = link_in(mail.outbox[-1])
    unknown = client.get("/accounts/invitation/" + "x" * 43 + "/")
    replaced = client.get(first)
    assert unknown.status_code == replaced.status_code == 404
    assert (
        manage.post(f"/pw/{workplace.slug}/people/{m.person.pk}/invite/revoke/").status_code == 302
    )
    assert client.get(second).status_code == 404
    assert m.person.user is None


def test_nobody_without_an_address_is_invited(
    manage, workplace, eager, django_capture_on_commit_callbacks
):
    m = member(workplace, "Piet Post", role=Role.CLIENT)
    Person.objects.filter(pk=m.person.pk).update(email=None)
    invite(manage, workplace, m.person, django_capture_on_commit_callbacks)
    assert not AccountInvitation.objects.exists() and not mail.outbox


def test_the_personal_data_export_holds_the_invitations(
    manage, workplace, eager, django_capture_on_commit_callbacks
):
    m = member(workplace, "Quinten Export")
    invite(manage, workplace, m.person, django_capture_on_commit_callbacks)
    exported = export_person(m.person)["werkplaats"]["account_invitations"]
    assert [(i["workplace"], i["status"], i["used_at"]) for i in exported] == [
        (workplace.name, "sent", None)
    ]
    assert "token" not in str(exported)


# --- School-year rollover --------------------------------------------------------------------
def test_the_rollover_across_31_august(client, workplace, coordinator):
    url = f"/pw/{workplace.slug}/members/rollover/"
    student = member(workplace, "Rik Student", starts_on=dt.date(2026, 9, 1))
    leaving = member(workplace, "Sara Stage", role=Role.PROFESSIONAL,
                     starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 8, 31))  # fmt: skip
    changing = member(workplace, "Tom Wissel", starts_on=dt.date(2025, 9, 1))
    with time_machine.travel(dt.datetime(2027, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        client.force_login(coordinator)
        page = client.get(url)
        names = [m.person.name for m, _c, _r in page.context["form"].rows()]
        assert names == ["Rik Student", "Sara Stage", "Tom Wissel"]
        assert "rollover" in client.get(members_url(workplace)).content.decode()
        response = client.post(url, {
            f"choice_{student.pk}": "continue",
            f"choice_{leaving.pk}": "end",
            f"choice_{changing.pk}": "role", f"role_{changing.pk}": "professional",
        })  # fmt: skip
        assert response.status_code == 302
        assert client.get(url).context["form"].rows() == []  # nothing left to decide
    assert AuditEvent.objects.filter(action="members.rolled_over").count() == 1
    on_1_september = dt.date(2027, 9, 1)
    current = Membership.objects.current(on_1_september).filter(workplace=workplace)
    assert sorted(
        (m.person.name, m.role) for m in current.exclude(pk=coordinator.person.memberships.get().pk)
    ) == [
        ("Rik Student", "student"),
        ("Tom Wissel", "professional"),
    ]
    changing.refresh_from_db()
    assert changing.ends_on == dt.date(2027, 8, 31)


def test_a_rollover_not_done_last_summer_is_still_due(client, workplace, coordinator):
    member(workplace, "Uma Vergeten", starts_on=dt.date(2026, 9, 1))
    with time_machine.travel(dt.datetime(2027, 10, 1, 10, tzinfo=dt.UTC), tick=False):
        client.force_login(coordinator)
        page = client.get(f"/pw/{workplace.slug}/members/rollover/")
        assert page.context["boundary"] == dt.date(2027, 8, 31)
        assert [m.person.name for m, _c, _r in page.context["form"].rows()] == ["Uma Vergeten"]


def test_a_rollover_choice_of_another_role_needs_the_role(client, workplace, coordinator):
    m = member(workplace, "Vera Vaag", starts_on=dt.date(2026, 9, 1))
    with time_machine.travel(dt.datetime(2027, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        client.force_login(coordinator)
        response = client.post(f"/pw/{workplace.slug}/members/rollover/",
                               {f"choice_{m.pk}": "role", f"role_{m.pk}": ""})  # fmt: skip
    assert response.status_code == 400
    m.refresh_from_db()
    assert m.ends_on is None


# --- A new PW --------------------------------------------------------------------------------
def test_staff_start_a_pw_with_partners_and_a_first_bridge_builder(client):
    hogeschool = OrganisationFactory(kind="higher_education")
    care = OrganisationFactory(kind="public")
    known = PersonFactory(name="Wim Bekend", email="wim@voorbeeld.example")
    client.force_login(UserFactory(is_staff=True))
    data = {
        "name": "PW Wijkzorg Zuid", "sector": "social_care", "started_on": "2026-09-01",
        "partners": [hogeschool.pk, care.pk], "bridge_builder_name": "Wim",
        "bridge_builder_email": "WIM@voorbeeld.example",
    }  # fmt: skip
    response = client.post("/pw/new/", data)
    workplace = Workplace.objects.get(name="PW Wijkzorg Zuid")
    assert response.status_code == 302
    assert response["Location"] == f"/pw/{workplace.slug}/members/"
    assert set(workplace.partners.all()) == {hogeschool, care}
    assert workplace.memberships.get().person == known
    assert workplace.memberships.get().role == "bridge_builder"
    again = client.post("/pw/new/", {**data, "name": "PW Wijkzorg Zuid"})
    assert again.status_code == 302
    assert Workplace.objects.filter(name="PW Wijkzorg Zuid").count() == 2  # a new slug
    assert Workplace.objects.filter(slug="new").count() == 0


def test_a_pw_named_new_never_takes_the_new_address(client):
    client.force_login(UserFactory(is_staff=True))
    org = OrganisationFactory()
    client.post("/pw/new/", {"name": "New", "sector": "other", "started_on": "2026-09-01",
                             "partners": [org.pk], "bridge_builder_name": "X",
                             "bridge_builder_email": "x@voorbeeld.example"})  # fmt: skip
    assert Workplace.objects.get(name="New").slug == "new-2"


def test_only_staff_start_a_pw(client, workplace, coordinator):
    client.force_login(coordinator)
    assert client.get("/pw/new/").status_code == 403


def test_a_quick_invite_with_htmx_swaps_only_the_row(
    manage, workplace, eager, django_capture_on_commit_callbacks
):
    m = member(workplace, "Rosa Rij")
    url = f"/pw/{workplace.slug}/people/{m.person.pk}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = manage.post(url, {"row": m.pk}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert text.count(f'<tr id="membership-{m.pk}"') == 1
    assert 'id="member-status" hx-swap-oob="true"' in text and "Rosa Rij" in text
    assert response.context["row"]["account"] == "invited"
    revoked = manage.post(f"{url}revoke/", {"row": m.pk}, headers={"HX-Request": "true"})
    assert revoked.context["row"]["account"] == "none"
    plain = manage.post(f"{url}revoke/", {"row": m.pk})  # without JavaScript: back to the page
    assert plain.status_code == 302 and plain["Location"] == members_url(workplace)


def test_an_invitation_never_takes_over_another_login_with_that_address(
    manage, client, workplace, eager, django_capture_on_commit_callbacks
):
    staff = UserFactory(email="beheer@voorbeeld.example", is_staff=True, is_superuser=True)
    staff.set_password("het-eigen-wachtwoord-van-beheer")
    staff.save()
    m = member(workplace, "Valse Beheerder")
    Person.objects.filter(pk=m.person_id).update(email="BEHEER@voorbeeld.example")
    m.person.refresh_from_db()
    invite(manage, workplace, m.person, django_capture_on_commit_callbacks)
    assert not AccountInvitation.objects.exists() and not mail.outbox
    # A link made before that account existed: accepting it leaves the account alone.
    from werkplaats import account_invitations

    Person.objects.filter(pk=m.person_id).update(email=None)
    invitation, _token = account_invitations.invite(person=PersonFactory(), workplace=None, by=None)
    Person.objects.filter(pk=invitation.person_id).update(email=staff.email)
    invitation.refresh_from_db()
    assert account_invitations.accept(invitation=invitation, password="iets-anders-1234") is None
    staff.refresh_from_db()
    assert staff.check_password("het-eigen-wachtwoord-van-beheer")
    assert AccountInvitation.objects.get(pk=invitation.pk).used_at is None
