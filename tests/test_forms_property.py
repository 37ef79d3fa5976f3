"""Property-based tests (hypothesis) on the application's forms: whatever is posted, no server
error, and nothing invalid is saved.

For each form page the test reads the field names from the rendered form, then posts random
subsets of them with random values (any text, control characters and NUL included, huge and
negative numbers, malformed dates and times, unknown choices). A response must not be a 5xx,
and every row the post created must pass the model's own validation.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations import services
from evaluations.models import EvaluationPlan, ImprovementAction
from tests.factories import CycleFactory, invitation_for, member_user
from werkplaats.models import Activity, LearningGoal, Role

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=string.printable + "\x00\x1f\u202e€ß漢", max_size=300),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "0", "1", "5", "6", "-1", "2026-02-30", "2026-13-01", "25:61", "NaN",
                     "1e309", "2027-05-01T09:00", "9999-12-31", "LOS", "VOR-5", "yearly", "on"]),
)  # fmt: skip
NAME = re.compile(r'name="([a-zA-Z0-9_\-]+)"')
SKIP = {"csrfmiddlewaretoken", "language", "next", "version"}
PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def field_names(client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.content.decode().split("<main", 1)[1]
    return sorted(set(NAME.findall(form)) - SKIP)


def post_examples(client, url: str, model, data_strategy) -> None:
    """Post what hypothesis generates; check status and the validity of anything saved."""

    @PROPERTY
    @given(data=data_strategy)
    def check(data):
        before = set(model.objects.values_list("pk", flat=True))
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        for obj in model.objects.exclude(pk__in=before):
            obj.full_clean(validate_unique=False)

    check()


def form_data(names: list[str]):
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names))


def test_activity_form(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/activities/new/"
    post_examples(client, url, Activity, form_data(field_names(client, url)))


def test_goal_form(client, workplace, member):
    client.force_login(member)
    url = f"/pw/{workplace.slug}/goals/new/"
    post_examples(client, url, LearningGoal, form_data(field_names(client, url)))


def test_cycle_and_plan_forms(client, workplace, owner):
    from evaluations.models import EvaluationCycle

    client.force_login(owner)
    for url, model in (
        (f"/pw/{workplace.slug}/evaluations/new/", EvaluationCycle),
        (f"/pw/{workplace.slug}/evaluations/plan/", EvaluationPlan),
    ):
        post_examples(client, url, model, form_data(field_names(client, url)))


def test_improvement_action_form(client, workplace, owner):
    CycleFactory(workplace=workplace, status="closed")
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/agenda/new/"
    post_examples(client, url, ImprovementAction, form_data(field_names(client, url)))


def test_questionnaire_pages(client, workplace):
    from evaluations.models import Answer

    cycle = CycleFactory(workplace=workplace)
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    client.get(f"/e/{services.issue_token(invitation)}/")
    for step in (1, 7):
        url = f"/answer/{invitation.pk}/{step}/"
        names = field_names(client, url)
        post_examples(client, url, Answer, form_data(names))
    assert all(0 <= value <= 5 for value in Answer.objects.values_list("value", flat=True))


def test_practice_case_form(client, workplace):
    from cases.models import PracticeCase

    user = member_user(workplace, Role.STUDENT)
    client.force_login(user)
    url = f"/pw/{workplace.slug}/cases/new/"
    post_examples(client, url, PracticeCase, form_data(field_names(client, url)))


def test_login_form(client):
    from werkplaats.models import User

    post_examples(client, "/accounts/login/", User, form_data(["username", "password"]))


def test_indicator_and_self_scan_forms(client, workplace, owner):
    from evaluations.models import CharacteristicScan, IndicatorValue

    cycle = CycleFactory(workplace=workplace)
    client.force_login(owner)
    for suffix, model in (("indicators", IndicatorValue), ("scan", CharacteristicScan)):
        url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/{suffix}/"
        post_examples(client, url, model, form_data(field_names(client, url)))


def test_cmo_note_and_pool_forms(client, workplace, owner):
    from cases.models import CmoNote, PoolConsent

    member_user(workplace, Role.CLIENT)
    client.force_login(owner)
    for url, model in (
        (f"/pw/{workplace.slug}/notes/new/", CmoNote),
        (f"/pw/{workplace.slug}/pool/new/", PoolConsent),
    ):
        post_examples(client, url, model, form_data(field_names(client, url)))
