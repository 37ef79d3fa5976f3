"""One optimistic-locking mechanism (``werkplaats.versioning``) on every save path (issue 17):
a save without the hidden version, or with a malformed one, is a conflict, never a pass; an
admin save bumps the version, so a form opened in the app before it is refused; and an admin
form opened before an app save is refused too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CmoNote, PracticeCase
from evaluations.models import EvaluationCycle, ImprovementAction
from tests.admin_forms import _form_data, admin_post_data
from tests.evaluations.test_agenda import data as action_data
from tests.evaluations.test_cycles import cycle_data
from tests.factories import (
    CmoNoteFactory,
    CycleFactory,
    GoalFactory,
    PracticeCaseFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import LearningGoal, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version", [None, "", "abc", "1.0", "-1", "99999999999999999999"])
def test_a_cycle_saved_without_a_valid_version_is_a_conflict(
    client, workplace, coordinator, version
):
    cycle = CycleFactory(workplace=workplace, status="draft", label="Van een collega")
    client.force_login(coordinator)
    data = cycle_data(label="Overschreven")
    if version is not None:
        data["version"] = version
    response = client.post(f"/pw/{workplace.slug}/evaluations/{cycle.pk}/edit/", data)
    assert response.status_code == 409
    assert "Overschreven" in response.content.decode()  # the input is kept
    cycle.refresh_from_db()
    assert (cycle.label, cycle.version) == ("Van een collega", 1)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_an_action_saved_without_a_valid_version_is_a_conflict(
    client, workplace, coordinator, version
):
    closed = CycleFactory(workplace=workplace, status="closed")
    client.force_login(coordinator)
    client.post(
        f"/pw/{workplace.slug}/agenda/new/",
        action_data(workplace, closed, coordinator.person, title="Van een collega"),
    )
    action = ImprovementAction.objects.get()
    data = action_data(workplace, closed, coordinator.person, title="Overschreven")
    if version is not None:
        data["version"] = version
    response = client.post(f"/pw/{workplace.slug}/agenda/{action.pk}/edit/", data)
    assert response.status_code == 409
    action.refresh_from_db()
    assert (action.title, action.version) == ("Van een collega", 1)


def test_the_cycle_and_action_services_refuse_an_edit_without_a_version(workplace):
    from evaluations import common, cycles, records

    cycle = CycleFactory(workplace=workplace, status="draft")
    with pytest.raises(common.EditConflict):
        cycles.save_cycle(
            workplace=workplace,
            values=cycles.CycleValues(label="x"),
            cycle=cycle,
            expected_version=None,
        )
    assert EvaluationCycle.objects.get(pk=cycle.pk).label != "x"
    from elements.models import Element

    first = records.ActionValues(
        cycle=CycleFactory(workplace=workplace, status="closed"),
        element=Element.objects.get(code="LOS"),
        title="Eerst",
        organisation=workplace.partners.first(),
        due_on=cycle.closes_at.date(),
    )
    action = records.save_action(workplace=workplace, values=first)
    with pytest.raises(common.EditConflict):
        records.save_action(
            workplace=workplace,
            values=records.ActionValues(title="Overschreven"),
            action=action,
            expected_version=None,
        )
    assert ImprovementAction.objects.get(pk=action.pk).title == "Eerst"


def _app_form_data(client, url: str) -> dict:
    """What the app's edit form posts as it stands (its version included)."""
    data: dict = {}
    _form_data(client.get(url).context["form"], data)
    return data


CASES = {
    "case": (PracticeCase, "cases", "practicecase", "title", "cases:case-edit"),
    "cmo note": (CmoNote, "cases", "cmonote", "outcome", "cases:cmo-edit"),
    "goal": (LearningGoal, "werkplaats", "learninggoal", "title", "werkplaats:goal-edit"),
}


@pytest.fixture
def world(workplace):
    """A row of each kind, its editor in the app, and staff."""
    editor = member_user(workplace, Role.BRIDGE_BUILDER)
    rows = {
        "case": PracticeCaseFactory(workplace=workplace, lead=editor.person),
        "cmo note": CmoNoteFactory(workplace=workplace, author=editor.person),
        "goal": GoalFactory(workplace=workplace, owner=editor.person),
    }
    return editor, rows, UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("kind", CASES)
def test_an_admin_save_bumps_the_version_and_an_older_app_form_is_refused(
    client, workplace, world, kind
):
    model, app, name, field, url_name = CASES[kind]
    editor, rows, staff = world
    row = rows[kind]
    app_url = reverse(url_name, kwargs={"slug": workplace.slug, "pk": row.pk})
    admin_url = f"/admin/{app}/{name}/{row.pk}/change/"
    client.force_login(editor)
    opened_in_the_app = _app_form_data(client, app_url)
    assert opened_in_the_app["version"] == "1"

    client.force_login(staff)
    staff_data = admin_post_data(client.get(admin_url))
    staff_data[field] = "Door beheer verbeterd"
    assert client.post(admin_url, staff_data).status_code == 302
    assert model.objects.get(pk=row.pk).version == 2

    client.force_login(editor)
    stale = client.post(app_url, {**opened_in_the_app, field: "Een oudere versie"})
    assert stale.status_code == 409
    saved = model.objects.get(pk=row.pk)
    assert (getattr(saved, field), saved.version) == ("Door beheer verbeterd", 2)


@pytest.mark.parametrize("kind", CASES)
def test_an_admin_form_opened_before_an_app_save_is_refused(client, workplace, world, kind):
    model, app, name, field, url_name = CASES[kind]
    editor, rows, staff = world
    row = rows[kind]
    app_url = reverse(url_name, kwargs={"slug": workplace.slug, "pk": row.pk})
    admin_url = f"/admin/{app}/{name}/{row.pk}/change/"
    client.force_login(staff)
    opened_in_the_admin = admin_post_data(client.get(admin_url))

    client.force_login(editor)
    in_the_app = _app_form_data(client, app_url)
    assert client.post(app_url, {**in_the_app, field: "In de app"}).status_code == 302

    client.force_login(staff)
    stale = client.post(admin_url, {**opened_in_the_admin, field: "Oudere beheerversie"})
    assert stale.status_code == 200  # the admin shows its form again, with the error
    assert "in the meantime" in stale.content.decode() or "intussen" in stale.content.decode()
    without = {k: v for k, v in opened_in_the_admin.items() if k != "seen_version"}
    assert client.post(admin_url, {**without, field: "Zonder versie"}).status_code == 200
    saved = model.objects.get(pk=row.pk)
    assert (getattr(saved, field), saved.version) == ("In de app", 2)


def test_the_plan_shares_the_mechanism_with_the_admin(client, workplace, world):
    """The evaluation plan has a version like every other row: an admin save bumps it, so a
    plan form opened in the app before it is refused (409) and the staff change stays."""
    from evaluations.models import EvaluationPlan, Instrument

    editor, _rows, staff = world
    plan = EvaluationPlan.objects.create(
        workplace=workplace, instrument=Instrument.objects.get(code="los-scan")
    )
    app_url = reverse("evaluations:plan-edit", kwargs={"slug": workplace.slug})
    admin_url = f"/admin/evaluations/evaluationplan/{plan.pk}/change/"
    client.force_login(editor)
    opened_in_the_app = _app_form_data(client, app_url)
    assert opened_in_the_app["version"] == "1"

    client.force_login(staff)
    staff_data = admin_post_data(client.get(admin_url))
    staff_data["yearly_days"] = "14"
    assert client.post(admin_url, staff_data).status_code == 302
    assert EvaluationPlan.objects.get(pk=plan.pk).version == 2

    client.force_login(editor)
    stale = client.post(app_url, {**opened_in_the_app, "yearly_days": "28"})
    assert stale.status_code == 409
    saved = EvaluationPlan.objects.get(pk=plan.pk)
    assert (saved.yearly_days, saved.version) == (14, 2)
