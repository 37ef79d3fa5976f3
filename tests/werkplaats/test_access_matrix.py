"""Every URL of the project, with every persona: allowed, login, 404 or 405.

The route list comes from the URL resolver, so a new URL without an entry in ROUTES fails
``test_every_url_pattern_is_in_the_matrix`` until somebody decides who may open it.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from evaluations.models import ImprovementAction, Invitation
from tests.factories import (
    ActivityFactory,
    CaseStudyFactory,
    CmoNoteFactory,
    CycleFactory,
    GoalFactory,
    OutputFactory,
    PoolConsentFactory,
    PracticeCaseFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import CohortImport, Role

PERSONAS = ["anonymous", *[role.value for role in Role], "outsider", "researcher", "staff"]
MEMBERS = [role.value for role in Role]
LOGGED_IN = [*MEMBERS, "outsider", "researcher", "staff"]


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def login_required(status=200):
    return {"anonymous": "login", **dict.fromkeys(LOGGED_IN, status)}


def workplace_page():
    """A page inside PW A: its members, research and staff see it; anyone else gets 404."""
    return {
        "anonymous": "login",
        **dict.fromkeys(MEMBERS, 200),
        "outsider": 404,
        "researcher": 200,
        "staff": 200,
    }


def members_page():
    """Inside PW A with names of people: members and staff; research access gets 403."""
    return {**workplace_page(), "researcher": 403}


def loggers_page():
    """Writing the activity log: bridge-builders, managers, supporters and staff."""
    return {
        **members_page(),
        **dict.fromkeys(["student", "professional", "client"], 403),
    }


ACTIVITY = "activity-of-pw-a"  # replaced by the pk of an activity in PW A
GOAL = "goal-of-pw-a"  # replaced by the pk of the student's shared goal in PW A


def goals_page():
    """Learning goals need a person: members; staff without a person record get 403."""
    return {**members_page(), "staff": 403}


def owners_page():
    """Only the goal's owner (the student) may edit it."""
    return {**goals_page(), **dict.fromkeys(MEMBERS, 403), "student": 200}


def coordinators_page():
    """Running evaluations: bridge-builders, managers and staff."""
    return {
        **members_page(),
        **dict.fromkeys(["student", "professional", "client", "supporter"], 403),
    }


def readers_page(status=200):
    """Results: bridge-builders, managers, supporters, research access and staff."""
    return {
        **workplace_page(),
        **dict.fromkeys(["bridge_builder", "manager", "supporter", "researcher", "staff"], status),
        **dict.fromkeys(["student", "professional", "client"], 403),
    }


ACTION = "improvement-action-of-pw-a"
MEMBERSHIP = "membership-of-the-student"  # the student persona's membership of PW A
COHORT = "cohort-import-of-staff"  # a cohort upload of the staff persona in PW A
GOAL_OWNER = "the-student-of-pw-a"  # replaced by the student's person pk
CYCLE = "cycle-of-pw-a"  # replaced by the pk of an open yearly cycle in PW A
CLOSED_CYCLE = "closed-cycle-of-pw-a"  # a closed cycle of PW A (row-level exports need one)
INVITATION = "invitation-of-the-student"  # the student's invitation to that cycle


def invitee_only(status=200):
    """Answering: only the invited person (the student); anonymous and everyone else 404."""
    return {**dict.fromkeys(PERSONAS, 404), "student": status}


CONSENT = "consent-of-pw-a"  # replaced by the pk of a standing pool consent naming PW A
STUDY = "case-study-of-pw-a"  # replaced by the pk of a case study of PW A
NOTE = "cmo-note-of-pw-a"  # replaced by the pk of a CMO note the student persona wrote
STORY = "value-story-of-pw-a"  # replaced by the pk of a value-creation story of that case
CASE = "case-of-pw-a"  # replaced by the pk of a practice case in PW A
OUTPUT = "output-of-pw-a"  # replaced by the pk of an output with a file of that case
NOTIFICATION = "notification-of-the-student"  # a notification of the student persona


def case_managers_page():
    """Running cases: every member but clients (who take part, often without an account)."""
    return {**members_page(), "client": 403}


def pool_managers_page():
    """Recording and withdrawing consent: coordinators, supporters and staff."""
    return loggers_page()


def research_page():
    """Case studies and summaries: members of the PW, research access and staff."""
    return workplace_page()


def researchers_only_page():
    """Coded fragments and the research work itself: research access and staff only."""
    return {**workplace_page(), **dict.fromkeys(MEMBERS, 403)}


def research_across_page():
    """Across all PWs, for cross-case analysis: staff and research access only."""
    return {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 403), "researcher": 200, "staff": 200}


def post_only():
    return {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 405)}


# name -> (path arguments, method, expected status per persona)
ROUTES: dict[str, tuple[dict, str, dict]] = {
    "werkplaats:home": ({}, "get", login_required()),
    "werkplaats:workplace-detail": ({"slug": "pw-a"}, "get", workplace_page()),
    "werkplaats:workplace-model": ({"slug": "pw-a"}, "get", workplace_page()),
    "werkplaats:workplace-new": (
        {},
        "get",
        {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 403), "staff": 200},
    ),
    "werkplaats:members": ({"slug": "pw-a"}, "get", coordinators_page()),
    "werkplaats:member-add": ({"slug": "pw-a"}, "get", coordinators_page()),
    "werkplaats:rollover": ({"slug": "pw-a"}, "get", coordinators_page()),
    "werkplaats:membership-end": ({"slug": "pw-a", "pk": MEMBERSHIP}, "get", coordinators_page()),
    "werkplaats:membership-role": ({"slug": "pw-a", "pk": MEMBERSHIP}, "get", coordinators_page()),
    "werkplaats:member-invite": ({"slug": "pw-a", "pk": GOAL_OWNER}, "get", post_only()),
    "werkplaats:member-invite-revoke": ({"slug": "pw-a", "pk": GOAL_OWNER}, "get", post_only()),
    "werkplaats:cohort-upload": ({"slug": "pw-a"}, "get", coordinators_page()),
    # An upload is its uploader's (the staff persona's here): other coordinators get 404.
    "werkplaats:cohort-map": (
        {"slug": "pw-a", "pk": COHORT},
        "get",
        {**coordinators_page(), "bridge_builder": 404, "manager": 404},
    ),
    "werkplaats:cohort-preview": (
        {"slug": "pw-a", "pk": COHORT},
        "get",
        {**coordinators_page(), "bridge_builder": 404, "manager": 404},
    ),
    "werkplaats:element-detail": ({"slug": "pw-a", "code": "VOR"}, "get", workplace_page()),
    "werkplaats:characteristics": ({"slug": "pw-a"}, "get", workplace_page()),
    "werkplaats:activity-list": ({"slug": "pw-a"}, "get", members_page()),
    "werkplaats:activity-export": ({"slug": "pw-a", "fmt": "xlsx"}, "get", members_page()),
    "werkplaats:activity-new": ({"slug": "pw-a"}, "get", loggers_page()),
    "werkplaats:activity-quick": (
        {"slug": "pw-a"},
        "get",
        {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 405)},
    ),
    "werkplaats:activity-edit": ({"slug": "pw-a", "pk": ACTIVITY}, "get", loggers_page()),
    "werkplaats:activity-delete": ({"slug": "pw-a", "pk": ACTIVITY}, "get", loggers_page()),
    "werkplaats:goals-mine": ({"slug": "pw-a"}, "get", goals_page()),
    "werkplaats:goal-wall": ({"slug": "pw-a"}, "get", goals_page()),
    "werkplaats:goal-huddle": ({"slug": "pw-a"}, "get", goals_page()),
    "werkplaats:goal-new": ({"slug": "pw-a"}, "get", goals_page()),
    "werkplaats:goal-detail": ({"slug": "pw-a", "pk": GOAL}, "get", goals_page()),
    "werkplaats:goal-edit": ({"slug": "pw-a", "pk": GOAL}, "get", owners_page()),
    "werkplaats:goal-update": ({"slug": "pw-a", "pk": GOAL}, "get", post_only()),
    "werkplaats:goal-ask-support": ({"slug": "pw-a", "pk": GOAL}, "get", post_only()),
    "werkplaats:goal-answer-support": ({"slug": "pw-a", "pk": GOAL}, "get", post_only()),
    "werkplaats:goal-close": ({"slug": "pw-a", "pk": GOAL}, "get", post_only()),
    "evaluations:cycle-list": ({"slug": "pw-a"}, "get", coordinators_page()),
    "evaluations:plan-edit": ({"slug": "pw-a"}, "get", coordinators_page()),
    "evaluations:cycle-new": ({"slug": "pw-a"}, "get", coordinators_page()),
    "evaluations:cycle-detail": ({"slug": "pw-a", "pk": CYCLE}, "get", coordinators_page()),
    "evaluations:cycle-edit": ({"slug": "pw-a", "pk": CYCLE}, "get", coordinators_page()),
    "evaluations:cycle-status": ({"slug": "pw-a", "pk": CYCLE}, "get", post_only()),
    "evaluations:invite-late": ({"slug": "pw-a", "pk": CYCLE}, "get", post_only()),
    "evaluations:resend": (
        {"slug": "pw-a", "pk": CYCLE, "invitation_pk": INVITATION},
        "get",
        post_only(),
    ),
    "evaluations:new-link": (
        {"slug": "pw-a", "pk": CYCLE, "invitation_pk": INVITATION},
        "get",
        post_only(),
    ),
    "evaluations:indicators": ({"slug": "pw-a", "pk": CYCLE}, "get", coordinators_page()),
    "evaluations:scan": ({"slug": "pw-a", "pk": CYCLE}, "get", coordinators_page()),
    "evaluations:member-answer": (
        {"slug": "pw-a", "pk": CYCLE},
        "get",
        {
            "anonymous": "login",
            **dict.fromkeys(MEMBERS, 404),
            "student": 302,
            "outsider": 404,
            "researcher": 404,
            "staff": 404,
        },
    ),
    "evaluations:results": ({"slug": "pw-a"}, "get", readers_page(302)),
    "evaluations:dashboard": ({"slug": "pw-a", "pk": CYCLE}, "get", readers_page()),
    "evaluations:export-xlsx": ({"slug": "pw-a", "pk": CYCLE}, "get", readers_page()),
    "evaluations:research-csv": (
        {"slug": "pw-a", "pk": CLOSED_CYCLE},
        "get",
        {**readers_page(), **dict.fromkeys(["bridge_builder", "manager", "supporter"], 403)},
    ),
    "evaluations:overview": ({}, "get", login_required()),
    "evaluations:agenda": ({"slug": "pw-a"}, "get", readers_page()),
    "evaluations:action-new": ({"slug": "pw-a"}, "get", coordinators_page()),
    "evaluations:action-edit": ({"slug": "pw-a", "pk": ACTION}, "get", coordinators_page()),
    "evaluations:token": ({"token": "not-a-real-token"}, "get", everyone(404)),
    "evaluations:stop-reminders": ({"token": "not-a-real-token"}, "get", everyone(404)),
    "evaluations:respond": ({"pk": INVITATION}, "get", invitee_only()),
    "evaluations:respond-step": ({"pk": INVITATION, "step": 1}, "get", invitee_only()),
    "evaluations:respond-done": ({"pk": INVITATION}, "get", invitee_only(302)),
    "cases:board": ({"slug": "pw-a"}, "get", members_page()),
    "cases:case-new": ({"slug": "pw-a"}, "get", case_managers_page()),
    "cases:case-detail": ({"slug": "pw-a", "pk": CASE}, "get", members_page()),
    "cases:case-edit": ({"slug": "pw-a", "pk": CASE}, "get", case_managers_page()),
    "cases:case-move": ({"slug": "pw-a", "pk": CASE}, "get", post_only()),
    "cases:output-new": ({"slug": "pw-a", "pk": CASE}, "get", case_managers_page()),
    "cases:output-file": (
        {"slug": "pw-a", "pk": CASE, "output_pk": OUTPUT},
        "get",
        members_page(),
    ),
    # Coordinators, the case lead (the student persona) and whoever uploaded it.
    # Value-creation stories: who may manage cases writes and edits them.
    "cases:story-new": ({"slug": "pw-a", "pk": CASE}, "get", case_managers_page()),
    "cases:story-edit": (
        {"slug": "pw-a", "pk": CASE, "story_pk": STORY},
        "get",
        case_managers_page(),
    ),
    "cases:output-delete": (
        {"slug": "pw-a", "pk": CASE, "output_pk": OUTPUT},
        "get",
        {**case_managers_page(), "professional": 403, "supporter": 403},
    ),
    "cases:cmo-list": ({"slug": "pw-a"}, "get", workplace_page()),
    "cases:cmo-new": ({"slug": "pw-a"}, "get", {**case_managers_page(), "staff": 403}),
    # A note is its author's (the student persona's) observation: only they edit it.
    "cases:cmo-edit": (
        {"slug": "pw-a", "pk": NOTE},
        "get",
        {**case_managers_page(), **dict.fromkeys([*MEMBERS, "staff"], 403), "student": 200},
    ),
    "cases:pool": ({"slug": "pw-a"}, "get", members_page()),
    "cases:pool-new": ({"slug": "pw-a"}, "get", pool_managers_page()),
    # The consent is the client persona's own: they may always withdraw it.
    "cases:pool-withdraw": (
        {"slug": "pw-a", "pk": CONSENT},
        "get",
        {**pool_managers_page(), "client": 200},
    ),
    "cases:study-list": ({"slug": "pw-a"}, "get", research_page()),
    "cases:study-new": ({"slug": "pw-a"}, "get", researchers_only_page()),
    "cases:study-detail": ({"slug": "pw-a", "pk": STUDY}, "get", research_page()),
    "cases:study-moment": ({"slug": "pw-a", "pk": STUDY}, "get", post_only()),
    "cases:study-fragment": ({"slug": "pw-a", "pk": STUDY}, "get", post_only()),
    "cases:study-summary": ({"slug": "pw-a", "pk": STUDY}, "get", post_only()),
    "cases:refi-codebook": ({"slug": "pw-a"}, "get", researchers_only_page()),
    "cases:refi-project": ({"slug": "pw-a"}, "get", researchers_only_page()),
    "cases:study-matrix": ({}, "get", research_across_page()),
    "cases:cmo-all": ({}, "get", research_across_page()),
    "cases:cmo-export": ({}, "get", research_across_page()),
    "elements:model": ({}, "get", login_required()),
    "elements:element-detail": ({"code": "LeA"}, "get", login_required()),
    "login": ({}, "get", {"anonymous": 200, **dict.fromkeys(LOGGED_IN, 302)}),
    "logout": ({}, "get", {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 405)}),
    "password_change": ({}, "get", login_required()),
    "password_change_done": ({}, "get", login_required()),
    "password_reset": ({}, "get", everyone(200)),
    "password_reset_done": ({}, "get", everyone(200)),
    "password_reset_confirm": ({"uidb64": "MQ", "token": "set-password"}, "get", everyone(200)),
    "password_reset_complete": ({}, "get", everyone(200)),
    "set_language": ({}, "get", everyone(405)),
    "account-invitation": ({"token": "not-a-real-token"}, "get", everyone(404)),
    "account-invitation-accept": ({}, "get", everyone(404)),
    "notifications:inbox": ({}, "get", login_required(200)),
    "notifications:settings": ({}, "get", login_required(200)),
    "notifications:read-all": ({}, "get", post_only()),
    "notifications:read": ({"pk": NOTIFICATION}, "get", post_only()),
    "notifications:open": (
        {"pk": NOTIFICATION},
        "get",
        {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 404), "student": 302},
    ),
    "notifications:unsubscribe": ({"token": "not-a-real-token"}, "get", everyone(404)),
    "healthz": ({}, "get", everyone(200)),
    "privacy": ({}, "get", everyone(200)),
    "person-data": (
        {"pk": GOAL_OWNER},
        "get",
        {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 404), "staff": 200},
    ),
    "person-erase": (
        {"pk": GOAL_OWNER},
        "get",
        {"anonymous": "login", **dict.fromkeys(LOGGED_IN, 404), "staff": 200},
    ),
}
# The admin has its own gate (is_staff); only its front door is checked here.
ADMIN_NAMESPACE = "admin"


def _named_patterns(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_pattern_is_in_the_matrix():
    names = {n for n in _named_patterns(get_resolver()) if not n.startswith(f"{ADMIN_NAMESPACE}:")}
    assert names - ROUTES.keys() == set(), "add the new URL to ROUTES with who may open it"
    assert ROUTES.keys() - names == set()


# One worker runs the matrix: its world is built once (about 4 s), not once per worker.
pytestmark = pytest.mark.xdist_group("access-matrix")


@pytest.fixture(scope="module")
def personas(django_db_setup, django_db_blocker):
    """The world of the matrix, built once per module (it was rebuilt for each of some 900
    cases) inside a transaction that is rolled back when the module is done. Each test runs
    in a savepoint of it (pytest-django's ``db``), so no test sees another's writes."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_personas()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def sessions(personas, django_db_blocker) -> dict[str, str]:
    """A session cookie for each persona, made once inside the world's transaction: logging
    in for each of the 1,000 cases (a session row, the login signals, axes' bookkeeping) cost
    more than many of the requests. What a request does to its session is undone with the
    rest of its test."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    with django_db_blocker.unblock():
        for persona in PERSONAS:
            if persona != "anonymous":
                client = Client()
                client.force_login(personas[persona])
                cookies[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def _restore_output_file(pk: int) -> None:
    """The world outlives a test, its uploads do not (emptied after each test)."""
    from cases.models import Output

    stored = Output.objects.get(pk=pk).file
    if not stored.storage.exists(stored.name):
        stored.storage.save(stored.name, ContentFile(b"%PDF-1.4 test"))


def _build_personas() -> dict:
    from tests.factories import ResearchGrantFactory, WorkplaceFactory

    pw_a = WorkplaceFactory(slug="pw-a")
    pw_b = WorkplaceFactory(slug="pw-b")
    users = {role: member_user(pw_a, role) for role in MEMBERS}
    users["outsider"] = member_user(pw_b, Role.BRIDGE_BUILDER)
    users["researcher"] = ResearchGrantFactory(workplace=pw_a).user
    users["staff"] = UserFactory(is_staff=True)
    users[ACTIVITY] = ActivityFactory(workplace=pw_a).pk
    users[GOAL] = GoalFactory(workplace=pw_a, owner=users[Role.STUDENT].person).pk
    cycle = CycleFactory(workplace=pw_a)
    users[CYCLE] = cycle.pk
    users[CLOSED_CYCLE] = CycleFactory(workplace=pw_a, status="closed").pk
    users[MEMBERSHIP] = users[Role.STUDENT].person.memberships.get().pk
    users[COHORT] = CohortImport.objects.create(
        workplace=pw_a,
        uploaded_by=users["staff"],
        file_name="cohort.csv",
        table={"headers": ["naam", "rol"], "rows": [["Sam", "student"]], "line_numbers": [2],
               "notes": []},
        mapping={"name": 0, "email": None, "role": 1, "starts_on": None, "ends_on": None},
    ).pk  # fmt: skip
    users[GOAL_OWNER] = users[Role.STUDENT].person.pk
    users[ACTION] = ImprovementAction.objects.create(
        workplace=pw_a,
        cycle=cycle,
        element_id="VOR",
        title="Lunch",
        owner=users[Role.MANAGER].person,
        organisation=pw_a.partners.first(),
        due_on=cycle.closes_at.date(),
    ).pk
    users[INVITATION] = Invitation.objects.create(
        cycle=cycle, person=users[Role.STUDENT].person, role=Role.STUDENT
    ).pk
    case = PracticeCaseFactory(workplace=pw_a, lead=users[Role.STUDENT].person)
    users[CASE] = case.pk
    users[OUTPUT] = OutputFactory(
        case=case, file=ContentFile(b"%PDF-1.4 test", name="verslag.pdf"), file_name="verslag.pdf"
    ).pk
    consent = PoolConsentFactory(person=users[Role.CLIENT].person)
    consent.workplaces.set([pw_a])
    users[CONSENT] = consent.pk
    users[STUDY] = CaseStudyFactory(workplace=pw_a).pk
    users[NOTE] = CmoNoteFactory(workplace=pw_a, author=users[Role.STUDENT].person).pk
    from cases.models import ValueStory

    users[STORY] = ValueStory.objects.create(
        case=case, kind="applied", title="Verhaal", text="Het werkt.",
        happened_on=case.starts_on, author=users[Role.STUDENT].person,
    ).pk  # fmt: skip
    from werkplaats.models import Notification

    users[NOTIFICATION] = Notification.objects.create(
        recipient=users[Role.STUDENT].person, kind="feedback", key="matrix", workplace=pw_a,
        goal_id=users[GOAL], link=f"/pw/pw-a/goals/{users[GOAL]}/",
    ).pk  # fmt: skip
    return users


CASES = [(name, persona) for name in ROUTES for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_url_answers_each_persona_as_the_policy_says(db, client, personas, sessions, name, persona):
    from django.conf import settings
    from django.urls import reverse

    kwargs, method, expected = ROUTES[name]
    kwargs = {
        k: personas[v]
        if v
        in (
            ACTIVITY,
            GOAL,
            CYCLE,
            CLOSED_CYCLE,
            MEMBERSHIP,
            COHORT,
            INVITATION,
            ACTION,
            GOAL_OWNER,
            CASE,
            OUTPUT,
            CONSENT,
            STUDY,
            NOTE,
            STORY,
            NOTIFICATION,
        )
        else v
        for k, v in kwargs.items()
    }
    if "output_pk" in kwargs:
        _restore_output_file(personas[OUTPUT])
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    want = expected[persona]
    if want == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == want


def test_admin_is_for_staff_only(db, client, personas):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(personas[Role.BRIDGE_BUILDER])
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(personas["staff"])
    assert client.get("/admin/").status_code == 200


def test_unknown_workplace_and_other_workplace_look_the_same(db, client, personas):
    client.force_login(personas["outsider"])
    missing = client.get("/pw/bestaat-niet/")
    hidden = client.get("/pw/pw-a/")
    assert missing.status_code == hidden.status_code == 404

    def normalised(response, path):
        """The page minus what differs per request: CSRF tokens and the requested path."""
        body = re.sub(
            rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', b"", response.content
        )
        return body.replace(path, b"PATH")

    assert normalised(missing, b"/pw/bestaat-niet/") == normalised(hidden, b"/pw/pw-a/")
