"""Property-based tests (hypothesis) on the application's forms: whatever is posted, no server
error, and nothing invalid is saved.

For each form page the test reads the field names from the rendered form, then posts random
subsets of them with random values (any text, control characters and NUL included, huge and
negative numbers, malformed dates and times, unknown choices). A response must not be a 5xx,
and every row the post created must pass the model's own validation.

Every form class of the project is listed with the test that exercises it (``covers``), and a
test finds all form classes by importing every module of the apps: a new form without a
property test fails it. A test only counts as covering a form if that form actually validated
posted data during the run (a spy on ``full_clean``). Filter forms get random query strings,
the upload form random bytes under random names, and every model admin's add page random data
on top of its own defaults.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import re
import string
from unittest import mock

import pytest
from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.admin import ValueStoryAdminForm
from cases.forms import (
    CaseStudyForm,
    CmoFilterForm,
    CmoNoteForm,
    DataCollectionForm,
    FragmentForm,
    MoveForm,
    OutputForm,
    PoolConsentForm,
    PracticeCaseForm,
    SummaryForm,
    ValueStoryForm,
)
from evaluations import tokens
from evaluations.forms import (
    ActionForm,
    CycleForm,
    ElementPageForm,
    IndicatorForm,
    LateInvitationForm,
    OpenQuestionsForm,
    PlanForm,
    ScanForm,
)
from evaluations.models import EvaluationPlan, ImprovementAction
from tests.factories import (
    CaseStudyFactory,
    CycleFactory,
    GoalFactory,
    PracticeCaseFactory,
    UserFactory,
    invitation_for,
    member_user,
)
from werkplaats.forms import (
    ActivityFilterForm,
    ActivityForm,
    CloseGoalForm,
    GoalForm,
    GoalUpdateForm,
    GoalWallFilterForm,
    LoginForm,
    QuickActivityForm,
    SupportRequestForm,
)
from werkplaats.models import (
    Activity,
    CohortImport,
    GoalStatus,
    GoalSupport,
    GoalUpdate,
    LearningGoal,
    Membership,
    Role,
    User,
)
from werkplaats.notification_views import SettingsForm
from werkplaats.people_forms import (
    AddMemberForm,
    ChangeRoleForm,
    CohortMappingForm,
    CohortUploadForm,
    EndMembershipForm,
    MemberFilterForm,
    NewWorkplaceForm,
    RolloverForm,
)

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=string.printable + "\x00\x1f\u202e€ß漢", max_size=300),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "0", "1", "5", "6", "-1", "2026-02-30", "2026-13-01", "25:61", "NaN",
                     "1e309", "99999999999999999999", "2027-05-01T09:00", "9999-12-31", "LOS",
                     "VOR-5", "yearly", "on"]),
)  # fmt: skip
NAME = re.compile(r'name="([a-zA-Z0-9_\-]+)"')
SKIP = {"csrfmiddlewaretoken", "language", "next", "version"}
PROPERTY = settings(  # max_examples from the profile (tests/conftest.py): 30 in CI
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


APPS = ("werkplaats", "elements", "evaluations", "cases")
# Form classes that are only bases for the others: never instantiated on their own.
BASES = {
    "elements.tagging.TaggedModelForm",
    "evaluations.forms.SeenStampForm",
    "werkplaats.versioning.VersionedForm",
    "werkplaats.versioning.VersionedAdminForm",
}
COVERED: set[str] = set()


def label(form_class: type) -> str:
    return f"{form_class.__module__}.{form_class.__qualname__}"


def covers(*form_classes: type):
    """Mark a test as the property test of these form classes."""
    COVERED.update(label(form_class) for form_class in form_classes)
    return lambda test: test


@contextlib.contextmanager
def validated_forms():
    """Record the class of every form that validated data while the block ran."""
    seen: set[type] = set()
    original = forms.BaseForm.full_clean

    def spy(self):
        seen.add(type(self))
        return original(self)

    with mock.patch.object(forms.BaseForm, "full_clean", spy):
        yield seen


def field_names(client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    form = page.content.decode().split("<main", 1)[1]
    return sorted(set(NAME.findall(form)) - SKIP)


def post_examples(
    client,
    url: str,
    model,
    data_strategy,
    form=None,
    *,
    method: str = "post",
    examples: settings = PROPERTY,
) -> None:
    """Post (or get) what hypothesis generates; check the status and the validity of anything
    saved; with ``form``, check that this form class validated the data at least once."""

    @examples
    @given(data=data_strategy)
    def check(data):
        before = set(model.objects.values_list("pk", flat=True)) if model else set()
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (url, data)
        if model is not None:
            for obj in model.objects.exclude(pk__in=before):
                obj.full_clean(validate_unique=False)

    with validated_forms() as seen:
        check()
    if isinstance(form, type):
        assert form in seen, (form, url, seen)
    elif form is not None:  # a test of the classes that validated
        assert any(form(form_class) for form_class in seen), (url, seen)


def form_data(names: list[str]):
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names))


@covers(ActivityForm)
def test_activity_form(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/activities/new/"
    post_examples(client, url, Activity, form_data(field_names(client, url)), ActivityForm)


@covers(QuickActivityForm, ActivityFilterForm)
def test_quick_activity_and_activity_filters(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/activities/"
    names = field_names(client, url)
    post_examples(client, f"{url}quick/", Activity, form_data(names), QuickActivityForm)
    post_examples(client, url, None, form_data(names), ActivityFilterForm, method="get")


@covers(GoalForm)
def test_goal_form(client, workplace, member):
    client.force_login(member)
    url = f"/pw/{workplace.slug}/goals/new/"
    post_examples(client, url, LearningGoal, form_data(field_names(client, url)), GoalForm)


@covers(GoalUpdateForm, SupportRequestForm, CloseGoalForm, GoalWallFilterForm)
def test_goal_feedback_support_close_and_wall_filters(client, workplace, member):
    member_user(workplace, Role.SUPPORTER)
    goal = GoalFactory(workplace=workplace, owner=member.person, status=GoalStatus.ACTIVE)
    client.force_login(member)
    base = f"/pw/{workplace.slug}/goals/{goal.pk}/"
    names = form_data(field_names(client, base))
    post_examples(client, f"{base}update/", GoalUpdate, names, GoalUpdateForm)
    post_examples(client, f"{base}ask/", GoalSupport, names, SupportRequestForm)
    post_examples(client, f"{base}close/", LearningGoal, names, CloseGoalForm)
    wall = f"/pw/{workplace.slug}/goals/wall/"
    post_examples(client, wall, None, form_data(field_names(client, wall)), GoalWallFilterForm,
                  method="get")  # fmt: skip


@covers(CycleForm, PlanForm)
def test_cycle_and_plan_forms(client, workplace, owner):
    from evaluations.models import EvaluationCycle

    client.force_login(owner)
    for url, model, form in (
        (f"/pw/{workplace.slug}/evaluations/new/", EvaluationCycle, CycleForm),
        (f"/pw/{workplace.slug}/evaluations/plan/", EvaluationPlan, PlanForm),
    ):
        post_examples(client, url, model, form_data(field_names(client, url)), form)


@covers(LateInvitationForm)
def test_late_invitation_form(client, workplace, owner):
    from evaluations.models import Invitation

    cycle = CycleFactory(workplace=workplace)
    member_user(workplace, Role.CLIENT)
    client.force_login(owner)
    base = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/"
    names = form_data(field_names(client, base))
    post_examples(client, f"{base}invite/", Invitation, names, LateInvitationForm)


@covers(ActionForm)
def test_improvement_action_form(client, workplace, owner):
    CycleFactory(workplace=workplace, status="closed")
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/agenda/new/"
    post_examples(client, url, ImprovementAction, form_data(field_names(client, url)), ActionForm)


@covers(ElementPageForm, OpenQuestionsForm)
def test_questionnaire_pages(client, workplace):
    from evaluations.models import Answer

    cycle = CycleFactory(workplace=workplace)
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    client.get(f"/e/{tokens.issue_token(invitation)}/")
    for step, form in ((1, ElementPageForm), (7, OpenQuestionsForm)):
        url = f"/answer/{invitation.pk}/{step}/"
        names = field_names(client, url)
        post_examples(client, url, Answer, form_data(names), form)
    assert all(0 <= value <= 5 for value in Answer.objects.values_list("value", flat=True))


@covers(IndicatorForm, ScanForm)
def test_indicator_and_self_scan_forms(client, workplace, owner):
    from evaluations.models import CharacteristicScan, IndicatorValue

    cycle = CycleFactory(workplace=workplace)
    client.force_login(owner)
    for suffix, model, form in (
        ("indicators", IndicatorValue, IndicatorForm),
        ("scan", CharacteristicScan, ScanForm),
    ):
        url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/{suffix}/"
        post_examples(client, url, model, form_data(field_names(client, url)), form)


@covers(PracticeCaseForm, MoveForm)
def test_practice_case_and_move_forms(client, workplace):
    from cases.models import PracticeCase

    user = member_user(workplace, Role.STUDENT)
    client.force_login(user)
    url = f"/pw/{workplace.slug}/cases/new/"
    post_examples(client, url, PracticeCase, form_data(field_names(client, url)), PracticeCaseForm)
    case = PracticeCaseFactory(workplace=workplace, lead=user.person)
    board = f"/pw/{workplace.slug}/cases/"
    move = f"/pw/{workplace.slug}/cases/{case.pk}/move/"
    post_examples(client, move, PracticeCase, form_data(field_names(client, board)), MoveForm)


UPLOADS = st.builds(
    SimpleUploadedFile,
    name=st.sampled_from(["verslag.pdf", "a.docx", "x.exe", "geen-extensie", "../../etc.pdf",
                          "foto.PNG", "\u202eevil.pdf", "spatie .pdf", ".pdf"]),
    content=st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(lambda b: b"%PDF-" + b)),
)  # fmt: skip


@covers(OutputForm)
def test_output_upload_form(client, workplace, member):
    from cases.models import Output

    case = PracticeCaseFactory(workplace=workplace, lead=member.person)
    client.force_login(member)
    url = f"/pw/{workplace.slug}/cases/{case.pk}/outputs/new/"
    data = st.tuples(form_data(field_names(client, url)), st.one_of(st.none(), UPLOADS)).map(
        lambda pair: pair[0] | ({"file": pair[1]} if pair[1] is not None else {})
    )
    post_examples(client, url, Output, data, OutputForm)


@covers(CmoNoteForm, PoolConsentForm, CmoFilterForm)
def test_cmo_note_pool_and_note_filters(client, workplace, owner):
    from cases.models import CmoNote, PoolConsent

    member_user(workplace, Role.CLIENT)
    client.force_login(owner)
    for url, model, form in (
        (f"/pw/{workplace.slug}/notes/new/", CmoNote, CmoNoteForm),
        (f"/pw/{workplace.slug}/pool/new/", PoolConsent, PoolConsentForm),
    ):
        post_examples(client, url, model, form_data(field_names(client, url)), form)
    notes = f"/pw/{workplace.slug}/notes/"
    post_examples(client, notes, None, form_data(field_names(client, notes)), CmoFilterForm,
                  method="get")  # fmt: skip


@covers(ValueStoryForm, ValueStoryAdminForm)
def test_value_story_forms(client, workplace, owner):
    from cases.models import ValueStory
    from tests.admin_forms import admin_post_data
    from tests.factories import OutputFactory

    case = PracticeCaseFactory(workplace=workplace)
    OutputFactory(case=case)
    OutputFactory(case=PracticeCaseFactory(workplace=workplace))  # never to be linked
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/cases/{case.pk}/stories/new/"
    post_examples(client, url, ValueStory, form_data(field_names(client, url)), ValueStoryForm)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    add = "/admin/cases/valuestory/add/"
    page = client.get(add)
    baseline = admin_post_data(page)
    names = sorted(set(baseline) | set(NAME.findall(page.content.decode())) - SKIP)
    data = form_data(names).map(lambda changes: baseline | {"case": str(case.pk)} | changes)
    post_examples(client, add, ValueStory, data, lambda fc: issubclass(fc, ValueStoryAdminForm))
    for story in ValueStory.objects.all():  # nothing saved links another case's output
        assert all(output.case_id == story.case_id for output in story.outputs.all())


@covers(CaseStudyForm, DataCollectionForm, FragmentForm, SummaryForm)
def test_case_study_forms(client, workplace, researcher):
    from cases.models import CaseStudy, DataCollection, ElementSummary, Fragment

    client.force_login(UserFactory(is_staff=True))
    url = f"/pw/{workplace.slug}/studies/new/"
    post_examples(client, url, CaseStudy, form_data(field_names(client, url)), CaseStudyForm)
    study = CaseStudyFactory(workplace=workplace)
    client.force_login(researcher)
    base = f"/pw/{workplace.slug}/studies/{study.pk}/"
    names = form_data(field_names(client, base))
    for suffix, model, form in (
        ("moments/", DataCollection, DataCollectionForm),
        ("fragments/", Fragment, FragmentForm),
        ("summaries/", ElementSummary, SummaryForm),
    ):
        post_examples(client, base + suffix, model, names, form)


@covers(LoginForm)
def test_login_form(client):
    post_examples(client, "/accounts/login/", User, form_data(["username", "password"]), LoginForm)


def test_password_change_and_reset_forms(client, member):
    from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm

    post_examples(client, "/accounts/password-reset/", None, form_data(["email"]),
                  PasswordResetForm)  # fmt: skip
    client.force_login(member)
    url = "/accounts/password-change/"
    post_examples(client, url, None, form_data(field_names(client, url)), PasswordChangeForm)


ADMIN_EXAMPLES = settings(PROPERTY, max_examples=max(4, PROPERTY.max_examples * 2 // 5))  # CI: 12


# An inline's form counts get small or malformed numbers only: a claim of 10**12 forms makes
# Django build and render its cap of 2,000 (seconds an example, and Django's own behaviour).
MANAGEMENT = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
FORM_COUNTS = st.one_of(
    st.integers(min_value=-2, max_value=12).map(str), st.sampled_from(["", "NaN", "1e3", "x"])
)


def admin_form_data(names: list[str]):
    plain = [name for name in names if not name.endswith(MANAGEMENT)]
    counts = [name for name in names if name.endswith(MANAGEMENT)]
    if not counts:
        return form_data(plain)
    return st.tuples(form_data(plain), st.dictionaries(st.sampled_from(counts), FORM_COUNTS)).map(
        lambda parts: parts[0] | parts[1]
    )


def admin_add_pages() -> list:
    return [
        pytest.param(model, id=model._meta.label_lower)
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(mock.Mock(user=mock.Mock(is_superuser=True)))
    ]


# --- People and cohorts ----------------------------------------------------------------------
COHORT_FILES = st.builds(
    SimpleUploadedFile,
    name=st.sampled_from(["cohort.csv", "cohort.xlsx", "cohort.CSV", "x.pdf", ".csv", "a.xlsx"]),
    content=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: ("naam;rol;e-mail\r\n" + t).encode("utf-8", "replace")),
        st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
    ),
)


@covers(MemberFilterForm, AddMemberForm)
def test_members_filters_and_adding_a_person(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/members/"
    post_examples(client, url, None, form_data(field_names(client, url)), MemberFilterForm,
                  method="get")  # fmt: skip
    add = f"/pw/{workplace.slug}/members/add/"
    names = [*field_names(client, add), "use_existing"]
    post_examples(client, add, Membership, form_data(names), AddMemberForm)


@covers(EndMembershipForm, ChangeRoleForm)
def test_ending_and_changing_a_membership(client, workplace, owner):
    membership = member_user(workplace, Role.STUDENT).person.memberships.get()
    client.force_login(owner)
    for suffix, form in (("end", EndMembershipForm), ("role", ChangeRoleForm)):
        url = f"/pw/{workplace.slug}/members/{membership.pk}/{suffix}/"
        names = [*field_names(client, url), "seen_ends_on"]
        post_examples(client, url, Membership, form_data(names), form)


@covers(CohortUploadForm, CohortMappingForm)
def test_cohort_upload_and_column_mapping(client, workplace, owner):
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/members/import/"
    post_examples(client, url, CohortImport, st.fixed_dictionaries({"file": COHORT_FILES}),
                  CohortUploadForm)  # fmt: skip
    upload = CohortImport.objects.create(
        workplace=workplace, uploaded_by=owner, file_name="c.csv",
        table={"headers": ["naam", "rol"], "rows": [["Sam", "student"]], "line_numbers": [2],
               "notes": []},
        mapping={"name": 0, "email": None, "role": 1, "starts_on": None, "ends_on": None},
    )  # fmt: skip
    mapping = f"{url}{upload.pk}/"
    post_examples(client, mapping, None, form_data(field_names(client, mapping)),
                  CohortMappingForm)  # fmt: skip
    # Whatever mapping was saved, the preview reads it without a server error.
    assert client.get(f"{mapping}preview/").status_code < 500


@covers(RolloverForm)
def test_rollover_form(client, workplace, owner):
    import datetime as dt

    for _ in range(2):
        person = member_user(workplace, Role.STUDENT).person
        person.memberships.update(starts_on=dt.date(2025, 9, 1))
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/members/rollover/"
    post_examples(client, url, Membership, form_data(field_names(client, url)), RolloverForm)


@covers(NewWorkplaceForm)
def test_new_workplace_form(client):
    from werkplaats.models import Workplace

    client.force_login(UserFactory(is_staff=True))
    url = "/pw/new/"
    post_examples(client, url, Workplace, form_data(field_names(client, url)), NewWorkplaceForm)


@covers(SettingsForm)
def test_notification_settings_form(client, member):
    from werkplaats.models import NotificationSettings

    client.force_login(member)
    url = "/notifications/settings/"
    names = field_names(client, url)
    assert "kind_feedback" in names and "digest" in names
    post_examples(client, url, NotificationSettings, form_data(names), SettingsForm)


@pytest.mark.parametrize("model", admin_add_pages())
def test_admin_add_forms(client, workplace, model):
    """Every admin add page: its own form data (inlines included), with random fields changed."""
    from tests.admin_forms import admin_post_data

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    page = client.get(url)
    assert page.status_code == 200, url
    baseline = admin_post_data(page)
    names = sorted(set(baseline) | set(NAME.findall(page.content.decode())) - SKIP)
    data = admin_form_data(names).map(lambda changes: baseline | changes)
    # The admin builds its form class per request: any form of this model counts.
    of_model = lambda form_class: getattr(getattr(form_class, "_meta", None), "model", 0) is model  # noqa: E731
    post_examples(client, url, model, data, of_model, examples=ADMIN_EXAMPLES)


def project_forms() -> set[str]:
    """Every form class defined in the apps' modules (migrations aside)."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    found, pending = set(), [forms.BaseForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(label(sub))
    return found - BASES


def test_every_form_has_a_property_test():
    missing = project_forms() - COVERED
    assert not missing, f"forms without a property test: {sorted(missing)}"
    assert "werkplaats.forms.GoalForm" in project_forms()  # the search finds forms


# --- Buttons without a form class: random posts never give a server error --------------------
BUTTON_FIELDS = ["action", "answer", "confirm", "language", "next", "version", "status", "post"]
BUTTON_VALUES = st.one_of(
    VALUES,
    st.sampled_from(["open", "close", "erase", "yes", "no", "nl", "en", "/", "//evil.example",
                     "https://evil.example/", "javascript:alert(1)"]),
)  # fmt: skip


def test_buttons_without_a_form_class(client, workplace, owner):
    """The pages' plain POST buttons (open or close a cycle, resend, a personal link, withdraw
    a consent, answer a support request, delete an activity, erase a person, switch language,
    stop reminders) take whatever is posted without a server error."""
    from cases.models import PoolConsent
    from evaluations.models import EvaluationCycle, Invitation
    from tests.factories import ActivityFactory, PoolConsentFactory

    cycle = CycleFactory(workplace=workplace)
    invitation = invitation_for(cycle, Role.CLIENT, email=None)
    token = tokens.issue_token(invitation)
    consent = PoolConsentFactory(person=member_user(workplace, Role.CLIENT).person)
    consent.workplaces.set([workplace])
    supporter = member_user(workplace, Role.SUPPORTER)
    goal = GoalFactory(workplace=workplace, status=GoalStatus.ACTIVE)
    GoalSupport.objects.create(goal=goal, person=supporter.person)
    activity = ActivityFactory(workplace=workplace)
    base = f"/pw/{workplace.slug}"
    data = st.dictionaries(st.sampled_from(BUTTON_FIELDS), BUTTON_VALUES, max_size=4)
    client.force_login(owner)
    for url, model in (
        (f"{base}/evaluations/{cycle.pk}/status/", EvaluationCycle),
        (f"{base}/evaluations/{cycle.pk}/invitations/{invitation.pk}/resend/", Invitation),
        (f"{base}/evaluations/{cycle.pk}/invitations/{invitation.pk}/link/", Invitation),
        (f"{base}/pool/{consent.pk}/withdraw/", PoolConsent),
        (f"{base}/activities/{activity.pk}/delete/", Activity),
        ("/i18n/setlang/", None),
    ):
        post_examples(client, url, model, data)
    client.force_login(supporter)
    post_examples(client, f"{base}/goals/{goal.pk}/answer/", GoalSupport, data)
    client.force_login(UserFactory(is_staff=True))
    erasable = member_user(workplace, Role.STUDENT).person
    post_examples(client, f"/staff/people/{erasable.pk}/erase/", None, data)
    client.logout()
    post_examples(client, f"/e/{token}/stop/", None, data)
    # Switching language never redirects off the site, whatever "next" says.
    for target in ("//evil.example", "https://evil.example/", "javascript:alert(1)"):
        response = client.post("/i18n/setlang/", {"language": "en", "next": target})
        assert "evil" not in response.get("Location", "") and "javascript" not in response.get(
            "Location", ""
        )
