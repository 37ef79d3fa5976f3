"""The services take values, not forms (``werkplaats.values``): what is not given is kept, an
edit writes only the columns it was given, and a form's cleaned data becomes values."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations import cycles
from evaluations.models import CycleStatus, EvaluationCycle
from tests.factories import ActivityFactory, CycleFactory, member_user
from werkplaats.forms import ActivityForm
from werkplaats.models import Activity, ActivityKind, Role
from werkplaats.services import ActivityValues, create_activity, update_activity
from werkplaats.values import KEEP

pytestmark = pytest.mark.django_db


def test_values_not_given_are_kept_and_a_new_row_gets_the_model_defaults(workplace):
    user = member_user(workplace, Role.BRIDGE_BUILDER)
    kind = ActivityKind.objects.get(code="intervision")
    values = ActivityValues(date=dt.date(2026, 10, 5), kind=kind, title="Intervisie")
    assert values.given() == {"date": dt.date(2026, 10, 5), "kind": kind, "title": "Intervisie"}
    activity = create_activity(workplace=workplace, by=user, values=values)
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.level, stored.learned) == ("Intervisie", "operational", "")
    assert stored.created_by == user
    assert stored.tag_codes() == []


def test_an_edit_writes_only_its_columns_and_keeps_the_tags_it_was_not_given(workplace):
    activity = ActivityFactory(workplace=workplace, title="Oud", learned="", tags=["LOS"])
    # Another writer changes a column this edit does not touch, after the edit's row was read.
    Activity.objects.filter(pk=activity.pk).update(learned="Van een collega")
    update_activity(
        activity=activity, values=ActivityValues(title="Nieuw"), expected_version=activity.version
    )
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.learned) == ("Nieuw", "Van een collega")
    assert stored.tag_codes() == ["LOS"]
    update_activity(
        activity=stored, values=ActivityValues(tags=["VOR-2"]), expected_version=stored.version
    )
    assert sorted(Activity.objects.get(pk=activity.pk).tag_codes()) == ["VOR", "VOR-2"]


def test_a_cycle_edit_does_not_undo_what_the_schedule_did_meanwhile(workplace):
    cycle = CycleFactory(workplace=workplace, status=CycleStatus.DRAFT, label="Voorjaar")
    EvaluationCycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)  # the sweep
    cycles.save_cycle(
        workplace=workplace,
        values=cycles.CycleValues(label="Najaar"),
        cycle=cycle,
        expected_version=cycle.version,
    )
    stored = EvaluationCycle.objects.get(pk=cycle.pk)
    assert (stored.label, stored.status) == ("Najaar", CycleStatus.OPEN)


def test_a_form_s_cleaned_data_becomes_values_of_the_names_the_service_takes(workplace):
    kind = ActivityKind.objects.get(code="intervision")
    data = {"date": "2026-10-05", "kind": kind.pk, "title": "Intervisie",
            "level": "operational", "tags": ["GOC-1"], "count_student": "4"}  # fmt: skip
    form = ActivityForm(data, workplace=workplace)
    assert form.is_valid(), form.errors
    values = ActivityValues.of(form.cleaned_data)
    assert values.title == "Intervisie" and values.kind == kind
    assert values.tags.codes() == ["GOC", "GOC-1"]
    assert not hasattr(values, "count_student") and not hasattr(values, "version")
    assert values.start_time is None  # given, empty: an edit clears it
    assert ActivityValues(title="x").start_time is KEEP
