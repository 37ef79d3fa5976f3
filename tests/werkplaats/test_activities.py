"""The activity log: quick log (htmx and plain), full form, validation, conflicts, deletion,
duplication, filters, the element strip, exports and query budgets."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    PersonFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats.models import Activity, ActivityHeadcount, ActivityKind, Role
from werkplaats.services import activity_log_changed, delete_activity

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(workplace, suffix=""):
    return f"/pw/{workplace.slug}/activities/{suffix}"


@pytest.fixture
def kind():
    return ActivityKind.objects.get(code="intervision")


@pytest.fixture
def logger_client(client, owner):
    client.force_login(owner)
    return client


def quick(kind, **extra):
    data = {"date": timezone.localdate().isoformat(), "kind": kind.pk, "title": "Intervisie"}
    data.update(extra)
    return data


# --- Quick log ------------------------------------------------------------------------------
def test_quick_log_without_javascript_saves_and_redirects(logger_client, workplace, kind, owner):
    student = MembershipFactory(workplace=workplace, role=Role.STUDENT).person
    response = logger_client.post(
        url(workplace, "quick/"),
        quick(kind, title="Klinische les", tags=["LOS-2"], participants=[student.pk]),
    )
    assert response.status_code == 302
    assert response["Location"] == url(workplace)
    activity = Activity.objects.get()
    assert activity.title == "Klinische les"
    assert activity.workplace == workplace and activity.created_by == owner
    assert sorted(activity.tag_codes()) == ["LOS", "LOS-2"]
    assert list(activity.participants.all()) == [student]
    page = logger_client.get(url(workplace)).content.decode()
    assert "Klinische les" in page


def test_quick_log_with_htmx_returns_the_new_row_a_fresh_form_and_the_strip(
    logger_client, workplace, kind
):
    response = logger_client.post(
        url(workplace, "quick/"), quick(kind, title="Lunch met studenten", tags=["VOR"]), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="quick-log"' in html
    assert 'name="title"' in html and 'value="Lunch met studenten"' not in html  # form reset
    assert 'id="activity-results" hx-swap-oob="true"' in html
    assert "Lunch met studenten" in html  # the new row
    strip = {item["element"].code: item["count"] for item in response.context["strip"]}
    assert strip["VOR"] == 1 and strip["LOS"] == 0
    assert 'role="status"' in html and "hx-swap-oob" in html


def test_quick_log_with_htmx_rerenders_field_errors_and_saves_nothing(
    logger_client, workplace, kind
):
    response = logger_client.post(url(workplace, "quick/"), quick(kind, title=""), **HTMX)
    assert response.status_code == 200
    assert 'id="id_title_error"' in response.content.decode()
    assert not Activity.objects.exists()


def test_quick_log_without_javascript_rerenders_the_page_with_errors(
    logger_client, workplace, kind
):
    response = logger_client.post(url(workplace, "quick/"), quick(kind, title=""))
    assert response.status_code == 400
    assert "activity-results" in response.content.decode()
    assert not Activity.objects.exists()


# --- Bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", (timezone.localdate() + dt.timedelta(days=400)).isoformat()),
        ("tags", ["LOS-9"]),
        ("tags", ["XYZ"]),
        ("count_student", "-3"),
        ("duration_minutes", "-10"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    logger_client, workplace, kind, field, value
):
    data = {**quick(kind), "level": "operational", field: value}
    response = logger_client.post(url(workplace, "new/"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Activity.objects.exists()
    assert not ActivityHeadcount.objects.exists()


def test_a_participant_from_another_workplace_is_refused(
    logger_client, workplace, other_workplace, kind
):
    stranger = MembershipFactory(workplace=other_workplace).person
    data = {**quick(kind), "level": "operational", "participants": [stranger.pk]}
    response = logger_client.post(url(workplace, "new/"), data)
    assert response.status_code == 400
    assert "participants" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_former_member_cannot_be_added_to_a_new_activity(logger_client, workplace, kind):
    former = MembershipFactory(
        workplace=workplace, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2021, 1, 1)
    ).person
    data = {**quick(kind), "level": "operational", "participants": [former.pk]}
    assert logger_client.post(url(workplace, "new/"), data).status_code == 400


# --- Full form, edit, conflicts -------------------------------------------------------------
def test_full_form_saves_details_and_unnamed_participants(logger_client, workplace, kind):
    data = {
        **quick(kind),
        "level": "tactical",
        "start_time": "13:30",
        "duration_minutes": "90",
        "description": "Met de stuurgroep",
        "boundary_objects": "Casus van mevrouw K.",
        "learned": "Vaste agenda helpt",
        "follow_up": "Volgende keer met cliënten",
        "count_student": "12",
        "count_client": "3",
        "tags": ["SRI-3"],
    }
    assert logger_client.post(url(workplace, "new/"), data).status_code == 302
    activity = Activity.objects.get()
    assert activity.duration_minutes == 90 and activity.level == "tactical"
    assert {h.role: h.count for h in activity.headcounts.all()} == {"student": 12, "client": 3}


def edit_data(activity, **changes):
    data = {
        "date": activity.date.isoformat(),
        "kind": activity.kind_id,
        "title": activity.title,
        "level": activity.level,
        "version": activity.version,
    }
    data.update(changes)
    return data


def test_edit_saves_and_bumps_the_version(logger_client, workplace):
    activity = ActivityFactory(workplace=workplace)
    response = logger_client.post(
        url(workplace, f"{activity.pk}/edit/"), edit_data(activity, title="Nieuwe titel")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Nieuwe titel" and activity.version == 2


def test_the_second_of_two_concurrent_edits_is_refused_not_silently_lost(client, workplace, owner):
    activity = ActivityFactory(workplace=workplace, title="Origineel")
    colleague = member_user(workplace, Role.MANAGER)
    stale = edit_data(activity)  # both opened the form at version 1
    client.force_login(colleague)
    client.post(url(workplace, f"{activity.pk}/edit/"), {**stale, "title": "Versie collega"})
    client.force_login(owner)
    response = client.post(
        url(workplace, f"{activity.pk}/edit/"), {**stale, "title": "Mijn versie"}
    )
    assert response.status_code == 409
    assert "Somebody else changed this activity" in response.content.decode() or (
        "iemand anders" in response.content.decode().lower()
    )
    activity.refresh_from_db()
    assert activity.title == "Versie collega"


def test_an_activity_of_another_workplace_is_404_through_this_workplace(
    logger_client, workplace, other_workplace
):
    foreign = ActivityFactory(workplace=other_workplace)
    assert logger_client.get(url(workplace, f"{foreign.pk}/edit/")).status_code == 404
    assert logger_client.post(url(workplace, f"{foreign.pk}/delete/")).status_code == 404
    assert Activity.objects.filter(pk=foreign.pk).exists()


def test_readers_cannot_log_or_edit(client, workplace, member, kind):
    activity = ActivityFactory(workplace=workplace)
    client.force_login(member)  # a student reads
    assert client.get(url(workplace)).status_code == 200
    assert "quick-log" not in client.get(url(workplace)).content.decode()
    assert client.post(url(workplace, "quick/"), quick(kind)).status_code == 403
    assert client.post(url(workplace, f"{activity.pk}/delete/")).status_code == 403
    assert Activity.objects.count() == 1


# --- Delete and duplicate -------------------------------------------------------------------
def test_delete_asks_for_confirmation_then_leaves_nothing_dangling(logger_client, workplace):
    activity = ActivityFactory(workplace=workplace)
    activity.participants.add(MembershipFactory(workplace=workplace).person)
    activity.elements.add("VOR")
    ActivityHeadcount.objects.create(activity=activity, role=Role.STUDENT, count=4)
    confirm = logger_client.get(url(workplace, f"{activity.pk}/delete/"))
    assert confirm.status_code == 200 and activity.title in confirm.content.decode()
    assert Activity.objects.exists()  # a GET never deletes
    response = logger_client.post(url(workplace, f"{activity.pk}/delete/"), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == url(workplace)
    assert not Activity.objects.exists()
    assert not ActivityHeadcount.objects.exists()
    assert not Activity.elements.through.objects.exists()
    assert not Activity.participants.through.objects.exists()


def test_duplicate_prefills_everything_but_the_date(logger_client, workplace):
    original = ActivityFactory(
        workplace=workplace, title="Stuurgroep", date=dt.date(2026, 1, 10), level="strategic"
    )
    original.elements.add("SRI")
    ActivityHeadcount.objects.create(activity=original, role=Role.MANAGER, count=2)
    form = logger_client.get(url(workplace, f"new/?from={original.pk}")).context["form"]
    assert form.initial["title"] == "Stuurgroep"
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["tags"] == ["SRI"]
    assert form.initial["count_manager"] == 2


# --- List, filters, strip -------------------------------------------------------------------
def test_filters_narrow_the_list_and_the_strip_and_stay_in_the_url(logger_client, workplace):
    person = MembershipFactory(workplace=workplace).person
    old = ActivityFactory(workplace=workplace, date=dt.date(2026, 1, 5), title="Oud")
    old.elements.add("VOR")
    recent = ActivityFactory(workplace=workplace, date=dt.date(2026, 10, 5), title="Recent")
    recent.elements.add("LOS")
    recent.participants.add(person)
    ActivityFactory(workplace=workplace, date=dt.date(2026, 10, 6), title="Strategisch",
                    level="strategic")  # fmt: skip
    query = "?date_from=2026-09-01&element=LOS"
    response = logger_client.get(url(workplace, query))
    titles = [a.title for a in response.context["page_obj"].object_list]
    assert titles == ["Recent"]
    strip = {i["element"].code: i["count"] for i in response.context["strip"]}
    assert strip["LOS"] == 1 and strip["VOR"] == 0
    assert f"export.csv{query}" in response.content.decode().replace("&amp;", "&")
    by_person = logger_client.get(url(workplace, f"?participant={person.pk}"))
    assert [a.title for a in by_person.context["page_obj"].object_list] == ["Recent"]
    by_level = logger_client.get(url(workplace, "?level=strategic"))
    assert [a.title for a in by_level.context["page_obj"].object_list] == ["Strategisch"]


def test_htmx_filtering_returns_only_the_results_region(logger_client, workplace):
    ActivityFactory(workplace=workplace, title="Zichtbaar")
    response = logger_client.get(
        url(workplace, "?level=operational"), HTTP_HX_TARGET="activity-results", **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="activity-results"')
    assert "<html" not in html and "Zichtbaar" in html


def test_an_inverted_period_is_reported_and_ignored(logger_client, workplace):
    ActivityFactory(workplace=workplace)
    response = logger_client.get(url(workplace, "?date_from=2026-10-01&date_to=2026-01-01"))
    assert "date_to" in response.context["filters"].errors
    assert response.context["page_obj"].paginator.count == 1


def test_other_workplaces_activities_never_show(logger_client, workplace, other_workplace):
    ActivityFactory(workplace=other_workplace, title="Geheim elders")
    html = logger_client.get(url(workplace)).content.decode()
    assert "Geheim elders" not in html


def _fill(workplace, n):
    kinds = list(ActivityKind.objects.all())
    people = [MembershipFactory(workplace=workplace).person for _ in range(3)]
    activities = Activity.objects.bulk_create(
        Activity(
            workplace=workplace,
            date=timezone.localdate() - dt.timedelta(days=i % 700),
            kind=kinds[i % len(kinds)],
            title=f"Activiteit {i}",
        )
        for i in range(n)
    )
    Activity.elements.through.objects.bulk_create(
        Activity.elements.through(activity_id=a.pk, element_id=code)
        for i, a in enumerate(activities)
        for code in ("LOS", "VOR")[: 1 + i % 2]
    )
    Activity.participants.through.objects.bulk_create(
        Activity.participants.through(activity_id=a.pk, person_id=people[i % 3].pk)
        for i, a in enumerate(activities)
    )
    activity_log_changed(workplace.pk)  # bulk inserts bypass the services
    return activities


@pytest.mark.parametrize("path", ["", "?element=VOR&date_from=2025-01-01&page=2"])
@pytest.mark.parametrize("cached", [False, True], ids=["cold", "warm"])
def test_list_and_strip_use_a_constant_number_of_queries(
    logger_client, workplace, django_assert_num_queries, django_assert_max_num_queries, path,
    cached,
):  # fmt: skip
    def measure(limit_context):
        if not cached:
            cache.clear()
        with limit_context as queries:
            response = logger_client.get(url(workplace, path))
        assert response.status_code == 200
        return queries

    _fill(workplace, 10)
    logger_client.get(url(workplace, path))
    # Read the count now: the next request resets Django's query log.
    expected = len(measure(django_assert_max_num_queries(21)).captured_queries)
    _fill(workplace, 490)
    logger_client.get(url(workplace, path))
    measure(django_assert_num_queries(expected))


def test_the_strip_follows_every_write_through_the_app_and_a_recount_after_others(
    logger_client, workplace, kind
):
    _fill(workplace, 5)
    first = logger_client.get(url(workplace))
    assert first.context["page_obj"].paginator.count == 5
    Activity.objects.filter(pk=Activity.objects.first().pk).delete()  # behind the app's back
    assert logger_client.get(url(workplace)).context["page_obj"].paginator.count == 5  # counted
    logger_client.post(url(workplace, "quick/"), quick(kind, tags=["VOR"]))  # through the app
    after = logger_client.get(url(workplace))
    assert after.context["page_obj"].paginator.count == 6  # + 1; the other write is not seen
    strip = {i["element"].code: i["count"] for i in after.context["strip"]}
    assert strip["VOR"] == 2 + 1
    activity_log_changed(workplace.pk)  # what a writer behind the app's back must call
    assert logger_client.get(url(workplace)).context["page_obj"].paginator.count == 5
    delete_activity(activity=Activity.objects.first())  # through the app
    assert logger_client.get(url(workplace)).context["page_obj"].paginator.count == 4


def test_a_filter_the_counters_cannot_answer_is_counted_and_cached(logger_client, workplace):
    _fill(workplace, 5)
    path = url(workplace, "?level=operational")
    assert logger_client.get(path).context["page_obj"].paginator.count == 5
    Activity.objects.filter(pk=Activity.objects.first().pk).delete()  # behind the app's back
    assert logger_client.get(path).context["page_obj"].paginator.count == 5  # cached
    activity_log_changed(workplace.pk)
    assert logger_client.get(path).context["page_obj"].paginator.count == 4


# --- Exports --------------------------------------------------------------------------------
def test_xlsx_export_reads_back_with_element_codes_in_columns(logger_client, workplace):
    activity = ActivityFactory(workplace=workplace, title="=HYPERLINK(1)")
    activity.elements.add("GOC", "LeA")
    activity.aspects.add("GOC-3")
    ActivityHeadcount.objects.create(activity=activity, role=Role.STUDENT, count=12)
    ActivityFactory(workplace=WorkplaceFactory(), title="Andere PW")
    response = logger_client.get(url(workplace, "export.xlsx"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, *data = rows
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert [row[code] for code in ("LOS", "GOC", "SRI", "VMM", "LeA", "VOR")] == [0, 1, 0, 0, 1, 0]
    assert row["Aspects"] == "GOC-3"
    assert row["Unnamed: student"] == 12
    assert row["Title"].startswith("'=")  # no formula injection


def test_csv_export_respects_the_filters(logger_client, workplace):
    ActivityFactory(workplace=workplace, title="Wel", level="strategic")
    ActivityFactory(workplace=workplace, title="Niet", level="operational")
    response = logger_client.get(url(workplace, "export.csv?level=strategic"))
    assert response.streaming  # a log of any length is sent as it is read
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2 and "Wel" in rows[1]


def test_unknown_export_format_is_404(logger_client, workplace):
    assert logger_client.get(url(workplace, "export.pdf")).status_code == 404


def test_headcount_for_an_unused_role_is_not_stored(logger_client, workplace, kind):
    data = {**quick(kind), "level": "operational", "count_student": "0", "count_client": ""}
    logger_client.post(url(workplace, "new/"), data)
    assert not ActivityHeadcount.objects.exists()


def test_a_person_who_left_stays_on_old_activities_when_edited(logger_client, workplace):
    person = PersonFactory(name="Oud-student")
    MembershipFactory(
        workplace=workplace, person=person, starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2021, 1, 1),
    )  # fmt: skip
    activity = ActivityFactory(workplace=workplace)
    activity.participants.add(person)
    response = logger_client.post(
        url(workplace, f"{activity.pk}/edit/"), edit_data(activity, participants=[person.pk])
    )
    assert response.status_code == 302
    assert list(activity.participants.all()) == [person]


# --- Inline editing with htmx ---------------------------------------------------------------
def test_inline_edit_swaps_a_form_into_the_row_and_the_saved_row_back(logger_client, workplace):
    activity = ActivityFactory(workplace=workplace, title="Voor")
    form_row = logger_client.get(url(workplace, f"{activity.pk}/edit/"), **HTMX)
    html = form_row.content.decode()
    assert html.startswith(f'<tr id="activity-{activity.pk}"') and "<form" in html
    saved = logger_client.post(
        url(workplace, f"{activity.pk}/edit/"), edit_data(activity, title="Na", tags=["VMM"]),
        **HTMX,
    )  # fmt: skip
    html = saved.content.decode()
    assert saved.status_code == 200
    assert html.lstrip().startswith(f'<tr id="activity-{activity.pk}"') and "Na" in html
    assert 'id="activity-strip"' in html and 'hx-swap-oob="true"' in html
    assert {i["element"].code: i["count"] for i in saved.context["strip"]}["VMM"] == 1


def test_inline_edit_errors_and_conflicts_stay_in_the_row(logger_client, workplace):
    activity = ActivityFactory(workplace=workplace)
    stale = edit_data(activity)
    Activity.objects.filter(pk=activity.pk).update(version=5)
    response = logger_client.post(url(workplace, f"{activity.pk}/edit/"), stale, **HTMX)
    assert response.status_code == 200  # htmx only swaps 2xx
    assert 'role="alert"' in response.content.decode()
    response = logger_client.post(
        url(workplace, f"{activity.pk}/edit/"), {**stale, "title": ""}, **HTMX
    )
    html = response.content.decode()
    assert f'id="edit{activity.pk}_title_error"' in html
    assert 'id="id_title"' not in html  # no clash with the quick-log form on the same page


def test_inline_cancel_returns_the_unchanged_row(logger_client, workplace):
    activity = ActivityFactory(workplace=workplace, title="Ongewijzigd")
    response = logger_client.get(url(workplace, f"{activity.pk}/edit/?cancel=1"), **HTMX)
    assert response.content.decode().lstrip().startswith(f'<tr id="activity-{activity.pk}"')
    assert "Ongewijzigd" in response.content.decode()


def test_staff_maintain_activity_kinds_but_cannot_delete_one_in_use(client, workplace):
    from django.db.models import ProtectedError

    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/werkplaats/activitykind/add/",
        {"code": "buddy-day", "name_nl": "Meeloopdag", "name_en": "Buddy day", "order": 5,
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ActivityKind.objects.filter(code="buddy-day", active=True).exists()
    used = ActivityFactory(workplace=workplace).kind
    with pytest.raises(ProtectedError):
        used.delete()


def test_after_an_inline_edit_the_strip_keeps_the_filters_on_screen(logger_client, workplace):
    old = ActivityFactory(workplace=workplace, date=TODAY_MINUS(400), title="Lang geleden")
    old.elements.add("VOR")
    recent = ActivityFactory(workplace=workplace, title="Net gebeurd")
    recent.elements.add("LOS")
    since = TODAY_MINUS(90).isoformat()
    response = logger_client.post(
        url(workplace, f"{recent.pk}/edit/"), edit_data(recent, tags=["LOS"]),
        HTTP_HX_CURRENT_URL=f"http://testserver{url(workplace)}?date_from={since}", **HTMX,
    )  # fmt: skip
    strip = {i["element"].code: i["count"] for i in response.context["strip"]}
    assert strip == {"LOS": 1, "GOC": 0, "SRI": 0, "VMM": 0, "LeA": 0, "VOR": 0}


def test_a_quick_log_on_a_filtered_list_reloads_the_unfiltered_list(logger_client, workplace, kind):
    response = logger_client.post(
        url(workplace, "quick/"), quick(kind, title="Nieuw"),
        HTTP_HX_CURRENT_URL=f"http://testserver{url(workplace)}?level=strategic", **HTMX,
    )  # fmt: skip
    assert response["HX-Redirect"] == url(workplace)
    assert Activity.objects.filter(title="Nieuw").exists()


def test_an_admin_edit_bumps_the_version_and_refreshes_the_strip(
    logger_client, workplace, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    activity = ActivityFactory(workplace=workplace)
    activity.elements.add("VOR")
    activity_log_changed(workplace.pk)
    strip = {
        i["element"].code: i["count"] for i in logger_client.get(url(workplace)).context["strip"]
    }
    assert strip["VOR"] == 1
    admin = logger_client
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):  # the admin's save commits
        response = admin.post(
            f"/admin/werkplaats/activity/{activity.pk}/change/",
            {"workplace": workplace.pk, "date": activity.date.isoformat(),
             "kind": activity.kind_id, "title": activity.title, "level": "operational",
             "elements": ["LOS"], "seen_version": 1,
             "headcounts-TOTAL_FORMS": "0", "headcounts-INITIAL_FORMS": "0",
             "headcounts-MIN_NUM_FORMS": "0", "headcounts-MAX_NUM_FORMS": "1000"},
        )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    activity.refresh_from_db()
    assert activity.version == 2
    strip = {i["element"].code: i["count"] for i in admin.get(url(workplace)).context["strip"]}
    assert strip["VOR"] == 0 and strip["LOS"] == 1


def TODAY_MINUS(days):  # noqa: N802 - reads like a constant in the tests above
    return timezone.localdate() - dt.timedelta(days=days)
