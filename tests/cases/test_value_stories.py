"""Value-creation stories of a practice case (issue 18, for researchers): Wenger-Trayner's five
cycles of value, written by whoever may manage cases, linked to the case's outputs and to
elements, edited with optimistic locking, kept without their author on erasure, and counted in
the yearly cycle's hard indicators beside the outputs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import ValueCycle, ValueStory
from evaluations.counts import counted_indicators
from evaluations.forms import IndicatorForm
from evaluations.models import Indicator
from tests.admin_forms import _form_data, admin_post_data
from tests.factories import (
    CycleFactory,
    OutputFactory,
    PracticeCaseFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import Role
from werkplaats.personal_data import erase_person, export_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def case(workplace):
    return PracticeCaseFactory(workplace=workplace, starts_on=TODAY() - dt.timedelta(days=90))


def _new(workplace, case) -> str:
    return f"/pw/{workplace.slug}/cases/{case.pk}/stories/new/"


def _edit(workplace, story) -> str:
    return f"/pw/{workplace.slug}/cases/{story.case_id}/stories/{story.pk}/edit/"


def _data(**extra) -> dict:
    data = {
        "kind": ValueCycle.APPLIED,
        "title": "De checklist wordt echt gebruikt",
        "happened_on": (TODAY() - dt.timedelta(days=10)).isoformat(),
        "text": "Sinds de klinische les werken de therapeuten met de nieuwe checklist.",
    }
    data.update(extra)
    return data


def _story(case, **fields) -> ValueStory:
    values = {
        "case": case,
        "kind": ValueCycle.IMMEDIATE,
        "title": "Een goede middag",
        "text": "De workshop gaf energie.",
        "happened_on": TODAY() - dt.timedelta(days=5),
        "author": None,
    }
    values.update(fields)
    return services.create_value_story(**values)


# --- Writing and reading, per role --------------------------------------------------------------
def test_a_case_manager_writes_a_story_with_outputs_and_tags(client, workplace, case, member):
    output = OutputFactory(case=case)
    client.force_login(member)
    response = client.post(
        _new(workplace, case), _data(outputs=[output.pk], tags=["LOS-3"], kind="realised")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/pw/{workplace.slug}/cases/{case.pk}/#value-stories"
    story = ValueStory.objects.get()
    assert (story.case, story.author, story.kind, story.version) == (
        case,
        member.person,
        ValueCycle.REALISED,
        1,
    )
    assert list(story.outputs.all()) == [output]
    assert sorted(story.tag_codes()) == ["LOS", "LOS-3"]
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Sinds de klinische les werken de therapeuten" in page
    assert "Realised value" in page
    assert member.person.name in page
    assert f"/stories/{story.pk}/edit/" in page
    assert "New value-creation story" in page


def test_the_form_offers_the_five_cycles_and_only_this_cases_outputs(
    client, workplace, case, owner
):
    mine = OutputFactory(case=case, title="Eigen artikel")
    OutputFactory(case=PracticeCaseFactory(workplace=workplace), title="Ander artikel")
    client.force_login(owner)
    response = client.get(_new(workplace, case))
    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["kind"].choices] == ValueCycle.values
    assert list(form.fields["outputs"].queryset) == [mine]
    page = response.content.decode()
    assert "Eigen artikel" in page and "Ander artikel" not in page
    assert "Reframing value" in page or "reframing value" in page


def test_a_client_reads_stories_but_cannot_write_them(client, workplace, case):
    story = _story(case, title="Zichtbaar voor iedereen")
    client_user = member_user(workplace, Role.CLIENT)
    client.force_login(client_user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Zichtbaar voor iedereen" in page
    assert "New value-creation story" not in page
    assert "/stories/" not in page  # neither the new link nor an edit link
    assert client.get(_new(workplace, case)).status_code == 403
    assert client.post(_new(workplace, case), _data()).status_code == 403
    assert client.get(_edit(workplace, story)).status_code == 403
    assert client.post(_edit(workplace, story), _data(version="1")).status_code == 403
    assert ValueStory.objects.count() == 1


def test_another_workplace_sees_nothing_404(client, workplace, case, outsider, other_workplace):
    story = _story(case)
    client.force_login(outsider)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(_new(workplace, case)).status_code == 404
    assert client.post(_new(workplace, case), _data()).status_code == 404
    assert client.get(_edit(workplace, story)).status_code == 404
    # Nor through their own PW's URL with an id of PW A.
    assert client.get(f"/pw/{other_workplace.slug}/cases/{case.pk}/stories/new/").status_code == 404
    foreign = f"/pw/{other_workplace.slug}/cases/{case.pk}/stories/{story.pk}/edit/"
    assert client.get(foreign).status_code == 404


def test_a_story_is_found_only_under_its_own_case(client, workplace, case, owner):
    story = _story(case)
    other_case = PracticeCaseFactory(workplace=workplace)
    client.force_login(owner)
    url = f"/pw/{workplace.slug}/cases/{other_case.pk}/stories/{story.pk}/edit/"
    assert client.get(url).status_code == 404


def test_research_access_does_not_read_cases_nor_stories(client, workplace, case, researcher):
    _story(case)
    client.force_login(researcher)
    assert client.get(case.get_absolute_url()).status_code == 403
    assert client.get(_new(workplace, case)).status_code == 403


def test_staff_write_a_story_without_a_person_as_author(client, workplace, case, staff):
    client.force_login(staff)
    assert client.post(_new(workplace, case), _data()).status_code == 302
    assert ValueStory.objects.get().author is None
    assert "author no longer known" in client.get(case.get_absolute_url()).content.decode()


def test_another_case_manager_edits_the_story_and_the_version_goes_up(
    client, workplace, case, member, owner
):
    story = _story(case, author=member.person)
    output = OutputFactory(case=case)
    client.force_login(owner)
    form = client.get(_edit(workplace, story)).context["form"]
    assert form.initial["version"] == 1
    response = client.post(
        _edit(workplace, story),
        _data(title="Verbeterd", version="1", outputs=[output.pk], tags=["VOR"]),
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.title, story.version, story.author) == ("Verbeterd", 2, member.person)
    assert list(story.outputs.all()) == [output]
    assert story.tag_codes() == ["VOR"]


# --- Validation -------------------------------------------------------------------------------
def test_an_output_of_another_case_is_refused(client, workplace, case, owner):
    foreign = OutputFactory(case=PracticeCaseFactory(workplace=workplace))
    client.force_login(owner)
    response = client.post(_new(workplace, case), _data(outputs=[foreign.pk]))
    assert response.status_code == 400
    assert "Choose only outputs of this case." in str(response.context["form"].errors["outputs"])
    assert "Choose only outputs of this case." in response.content.decode()
    assert not ValueStory.objects.exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        _story(case, outputs=[foreign])
    assert "outputs" in refused.value.message_dict
    assert not ValueStory.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (1, "cannot be in the future"),
        (-91, "before its case started"),
    ],
)
def test_a_story_dated_in_the_future_or_before_its_case_is_refused(
    client, workplace, case, owner, day, message
):
    client.force_login(owner)
    happened = (TODAY() + dt.timedelta(days=day)).isoformat()
    response = client.post(_new(workplace, case), _data(happened_on=happened, title="Bewaard"))
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["happened_on"])
    assert "Bewaard" in response.content.decode()  # the input is kept
    assert not ValueStory.objects.exists()
    with pytest.raises(ValidationError):
        _story(case, happened_on=TODAY() + dt.timedelta(days=day))


def test_required_fields_and_an_unknown_kind_give_field_errors(client, workplace, case, owner):
    client.force_login(owner)
    response = client.post(_new(workplace, case), _data(title="", text="", kind="strategic"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "text", "kind"}
    with pytest.raises(ValidationError) as refused:
        _story(case, kind="strategic", title=" ")
    assert {"kind", "title"} <= set(refused.value.message_dict)


def test_unknown_tags_are_refused_by_the_service(case):
    with pytest.raises(ValidationError) as refused:
        _story(case, tags=["LOS-99"])
    assert "tags" in refused.value.message_dict


def test_a_case_cannot_start_after_its_stories(client, workplace, case, owner):
    _story(case, happened_on=case.starts_on)
    client.force_login(owner)
    page = client.get(f"/pw/{workplace.slug}/cases/{case.pk}/edit/")
    data: dict = {}
    _form_data(page.context["form"], data)
    data["starts_on"] = (case.starts_on + dt.timedelta(days=1)).isoformat()
    response = client.post(f"/pw/{workplace.slug}/cases/{case.pk}/edit/", data)
    assert response.status_code == 400
    assert "value-creation stories dated before" in str(response.context["form"].errors)


# --- Edit conflicts -----------------------------------------------------------------------------
def test_a_stale_edit_is_refused_with_nothing_saved(client, workplace, case, owner, member):
    story = _story(case)
    client.force_login(owner)
    opened: dict = {}
    _form_data(client.get(_edit(workplace, story)).context["form"], opened)
    assert opened["version"] == "1"
    # A colleague saves first.
    client.force_login(member)
    assert client.post(_edit(workplace, story), {**opened, "title": "Collega"}).status_code == 302
    client.force_login(owner)
    stale = client.post(_edit(workplace, story), {**opened, "title": "Ouder"})
    assert stale.status_code == 409
    assert "Somebody else changed this story" in stale.content.decode()
    assert "Ouder" in stale.content.decode()  # the input is kept to copy
    story.refresh_from_db()
    assert (story.title, story.version) == ("Collega", 2)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_an_edit_without_a_valid_version_is_a_conflict(client, workplace, case, owner, version):
    story = _story(case)
    client.force_login(owner)
    data = _data(title="Overschreven")
    if version is not None:
        data["version"] = version
    assert client.post(_edit(workplace, story), data).status_code == 409
    story.refresh_from_db()
    assert (story.title, story.version) == ("Een goede middag", 1)


def test_the_service_refuses_a_stale_version(case):
    story = _story(case)
    values = {"kind": "applied", "title": "A", "text": "B", "happened_on": story.happened_on}
    services.update_value_story(story=ValueStory.objects.get(), version=1, **values)
    with pytest.raises(services.EditConflict):
        services.update_value_story(story=story, version=1, **{**values, "title": "Ouder"})
    with pytest.raises(services.EditConflict):
        services.update_value_story(story=story, version=None, **values)
    assert ValueStory.objects.get().title == "A"


def test_an_admin_save_bumps_the_version_so_an_app_form_opened_before_is_refused(
    client, workplace, case, owner
):
    story = _story(case)
    client.force_login(owner)
    opened: dict = {}
    _form_data(client.get(_edit(workplace, story)).context["form"], opened)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_url = f"/admin/cases/valuestory/{story.pk}/change/"
    data = admin_post_data(client.get(admin_url))
    assert client.post(admin_url, {**data, "title": "Door beheer"}).status_code == 302
    story.refresh_from_db()
    assert (story.title, story.version) == ("Door beheer", 2)
    client.force_login(owner)
    assert client.post(_edit(workplace, story), {**opened, "title": "App"}).status_code == 409
    assert ValueStory.objects.get().title == "Door beheer"


def test_the_admin_refuses_an_output_of_another_case(client, case):
    story = _story(case)
    foreign = OutputFactory(case=PracticeCaseFactory(workplace=case.workplace))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_url = f"/admin/cases/valuestory/{story.pk}/change/"
    data = admin_post_data(client.get(admin_url))
    response = client.post(admin_url, {**data, "outputs": [foreign.pk]})
    assert response.status_code == 200
    assert "Choose only outputs of this case." in response.content.decode()
    assert not story.outputs.exists()


# --- Personal data ------------------------------------------------------------------------------
def test_the_author_is_exported_and_erased_the_story_stays(client, workplace, case, member):
    story = _story(case, author=member.person, title="Van de student")
    person = member.person
    exported = export_person(person)["cases"]["value_stories"]
    assert [s["title"] for s in exported] == ["Van de student"]
    erase_person(person)
    story.refresh_from_db()
    assert story.author is None and story.title == "Van de student"
    client.force_login(member_user(workplace, Role.BRIDGE_BUILDER))
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Van de student" in page and "author no longer known" in page


# --- Hard indicators ----------------------------------------------------------------------------
def _dated(workplace, kind, day):
    case = PracticeCaseFactory(workplace=workplace, starts_on=dt.date(2025, 1, 1))
    return ValueStory.objects.create(
        case=case, kind=kind, title="t", text="s", happened_on=day
    )  # the ORM: these dates may lie ahead of today


def test_the_yearly_cycle_counts_the_stories_of_its_school_year(workplace, other_workplace):
    _dated(workplace, ValueCycle.REALISED, dt.date(2026, 9, 1))  # first day
    _dated(workplace, ValueCycle.IMMEDIATE, dt.date(2027, 8, 31))  # last day
    _dated(workplace, ValueCycle.REALISED, dt.date(2027, 2, 1))
    _dated(workplace, ValueCycle.REFRAMING, dt.date(2027, 3, 1))
    _dated(workplace, ValueCycle.REALISED, dt.date(2026, 8, 31))  # previous year
    _dated(workplace, ValueCycle.REALISED, dt.date(2027, 9, 1))  # next year
    _dated(other_workplace, ValueCycle.REALISED, dt.date(2027, 1, 10))  # other PW
    cycle = CycleFactory(workplace=workplace, school_year="2026-2027")

    counted = counted_indicators(cycle)

    assert counted[Indicator.VALUE_STORIES] == 4
    assert counted[Indicator.REALISED_VALUE] == 2
    counts = services.value_story_counts(workplace=workplace, school_year="2026-2027")
    assert counts == {
        "total": 4,
        "per_kind": {"immediate": 1, "potential": 0, "applied": 0, "realised": 2, "reframing": 1},
    }
    form = IndicatorForm(counted=counted)
    assert "Counted by Werkplaats: 4" in str(form.fields[Indicator.VALUE_STORIES].help_text)


def test_story_counts_are_one_query(workplace, django_assert_num_queries):
    _dated(workplace, ValueCycle.APPLIED, dt.date(2027, 1, 10))
    with django_assert_num_queries(1):
        services.value_story_counts(workplace=workplace, school_year="2026-2027")


def test_the_cycle_page_offers_the_counted_story_indicators(client, workplace):
    _dated(workplace, ValueCycle.REALISED, dt.date(2026, 10, 1))
    cycle = CycleFactory(workplace=workplace, school_year="2026-2027")
    client.force_login(member_user(workplace, Role.BRIDGE_BUILDER))
    url = f"/pw/{workplace.slug}/evaluations/{cycle.pk}/indicators/"
    page = client.get(url).content.decode().lower()
    assert "value-creation stories" in page and "stories of realised value" in page
    saved = client.post(url, {"version": client.get(url).context["form"].initial["version"],
                              Indicator.VALUE_STORIES: 1, Indicator.REALISED_VALUE: 1})  # fmt: skip
    assert saved.status_code == 302
    stored = {row.key: row for row in cycle.indicators.all()}
    assert stored[Indicator.VALUE_STORIES].counted and stored[Indicator.REALISED_VALUE].value == 1


# --- Query count --------------------------------------------------------------------------------
def _case_page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_the_case_page_makes_as_many_queries_for_ten_stories_as_for_one(client, workplace, owner):
    one, ten = (PracticeCaseFactory(workplace=workplace) for _ in range(2))
    for case, count in ((one, 1), (ten, 10)):
        outputs = [OutputFactory(case=case), OutputFactory(case=case)]
        for index in range(count):
            _story(
                case, title=f"Verhaal {index}", outputs=outputs, tags=["LOS-1", "VOR"],
                author=owner.person,
            )  # fmt: skip
    client.force_login(owner)
    _case_page_queries(client, one)  # warm the per-request caches alike
    assert _case_page_queries(client, one) == _case_page_queries(client, ten)
    assert client.get(ten.get_absolute_url()).content.decode().count('class="cmo-note value') == 10


# --- Demo data ----------------------------------------------------------------------------------
def test_the_demo_has_value_stories_counted_in_its_latest_closed_cycle(settings):
    from evaluations.models import CycleKind, CycleStatus, EvaluationCycle
    from werkplaats.demo_data import DEMO_WORKPLACE

    call_command("seed_demo", allow_production=True, stdout=StringIO())
    stories = ValueStory.objects.filter(case__workplace__slug=DEMO_WORKPLACE)
    assert stories.count() == 3
    assert {s.kind for s in stories} >= {ValueCycle.REALISED, ValueCycle.REFRAMING}
    assert all(s.author_id and s.outputs.exists() and s.elements.exists() for s in stories)
    call_command("seed_demo", allow_production=True, stdout=StringIO())
    assert ValueStory.objects.count() == 3  # a rerun adds nothing
    latest = (
        EvaluationCycle.objects.filter(
            workplace__slug=DEMO_WORKPLACE, kind=CycleKind.YEARLY, status=CycleStatus.CLOSED
        )
        .order_by("-opens_at")
        .first()
    )
    values = {row.key: row for row in latest.indicators.all()}
    assert values[Indicator.VALUE_STORIES].value == 3 and values[Indicator.VALUE_STORIES].counted
    assert values[Indicator.REALISED_VALUE].value == 1
