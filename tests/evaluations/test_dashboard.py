"""The yearly dashboard, its exports and the overview across PWs: permissions, privacy,
constant query counts with one and with five cycles, XLSX read back, research CSV pseudonymity."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from evaluations import answering, cycles, tallies
from evaluations.models import Answer, Item, Response
from tests.factories import (
    CycleFactory,
    ResearchGrantFactory,
    UserFactory,
    WorkplaceFactory,
    invitation_for,
    member_user,
)
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


def answered_cycle(workplace, *, years_ago: int = 0, groups=None, close=True):
    """A yearly cycle with full answers: ``groups`` maps role → list of values (one per
    respondent, used for every item)."""
    now = timezone.now()
    opens = now - dt.timedelta(days=365 * years_ago + 30)
    cycle = CycleFactory(
        workplace=workplace,
        label=f"{2025 - years_ago}-{2026 - years_ago}",
        school_year=f"{2025 - years_ago}-{2026 - years_ago}",
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=21),
    )
    items = list(Item.objects.filter(version=cycle.instrument_version))
    groups = groups or {Role.STUDENT: [4, 3, 5], Role.PROFESSIONAL: [2, 3, 3]}
    for role, values in groups.items():
        for value in values:
            invitation = invitation_for(cycle, role)
            response = Response.objects.create(
                invitation=invitation,
                cycle=cycle,
                role=role,
                instrument_version=cycle.instrument_version,
                went_well=f"Goed {value}",
                submitted_at=opens + dt.timedelta(days=1),
            )
            Answer.objects.bulk_create(
                Answer(response=response, item=i, value=value) for i in items
            )
    if close:
        cycle.status = "closed"
        cycle.save(update_fields=["status"])
        tallies.tally_cycle(cycle)
    return cycle


@pytest.fixture
def manager(workplace):
    return member_user(workplace, Role.MANAGER)


def research_rows(body: str) -> list[dict[str, str]]:
    """The data rows of a research CSV (a last comment line may say what was withheld)."""
    lines = [line for line in body.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def test_the_manager_sees_the_dashboard_with_radar_summary_and_table(
    client, workplace, manager, settings
):
    settings.EVALUATION_MIN_GROUP_TEXT = 3  # open answers of these groups of three are shown
    answered_cycle(
        workplace, years_ago=1, groups={Role.STUDENT: [3, 3, 3], Role.PROFESSIONAL: [3, 3, 3]}
    )
    cycle = answered_cycle(workplace)
    client.force_login(manager)
    landing = client.get(f"/pw/{workplace.slug}/results/")
    assert landing["Location"] == f"/pw/{workplace.slug}/results/{cycle.pk}/"
    page = client.get(landing["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "radar-series" in html
    data = page.context["data"]
    assert data.element("LOS").score.mean == pytest.approx(20 / 6)
    assert data.element("LOS").delta == pytest.approx(20 / 6 - 3)
    assert len(page.context["summary"]) == 4
    assert "Goed 4" in html  # open answers, no names
    for invitation in cycle.invitations.all():
        assert invitation.person.name not in html


@pytest.mark.parametrize("role", [Role.STUDENT, Role.CLIENT, Role.PROFESSIONAL])
def test_students_clients_and_professionals_see_no_dashboard(client, workplace, role):
    cycle = answered_cycle(workplace)
    client.force_login(member_user(workplace, role))
    assert client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/").status_code == 403


def test_a_manager_of_another_pw_gets_404(client, workplace, other_workplace):
    cycle = answered_cycle(workplace)
    client.force_login(member_user(other_workplace, Role.MANAGER))
    assert client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/").status_code == 404
    assert client.get(f"/pw/{other_workplace.slug}/results/{cycle.pk}/").status_code == 404


def test_a_small_group_shows_fewer_than_three(client, workplace, manager):
    cycle = answered_cycle(
        workplace, groups={Role.STUDENT: [4, 4, 4], Role.PROFESSIONAL: [3, 3, 3], Role.MANAGER: [1]}
    )
    client.force_login(manager)
    page = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/")
    assert [role.value for role in page.context["shown_roles"]] == [Role.STUDENT]
    assert (
        "minder dan 3 reacties" in page.content.decode() or "fewer than 3" in page.content.decode()
    )


def test_too_few_respondents_in_total_show_nothing(client, workplace, manager):
    cycle = answered_cycle(workplace, groups={Role.STUDENT: [5, 1]})
    client.force_login(manager)
    page = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/")
    assert page.context["data"].visible is False
    assert "radar-series" not in page.content.decode()
    assert "Goed 5" not in page.content.decode()


def test_the_dashboard_runs_a_constant_number_of_queries_with_1_and_5_cycles(client, settings):
    settings.EVALUATION_MIN_GROUP_TEXT = 3  # the open answers' queries are counted too
    from django.core.cache import cache

    measured = {}
    for count in (1, 5):
        workplace = WorkplaceFactory()
        for years_ago in range(count - 1, -1, -1):
            cycle = answered_cycle(workplace, years_ago=years_ago)
        client.force_login(member_user(workplace, Role.MANAGER))
        url = f"/pw/{workplace.slug}/results/{cycle.pk}/"
        client.get(url)  # session and language machinery
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as warm:  # the frozen results come from the cache
            assert client.get(url).status_code == 200
        measured[count] = (len(cold.captured_queries), len(warm.captured_queries))
    assert measured[1] == measured[5] == (COLD_QUERIES, WARM_QUERIES), measured


COLD_QUERIES = 20  # session, user and person (one query), policy (3), cycles (the previous
# one picked from them), results (8), live parts (7: the goals per element in one of them),
# the school year's activity strip (one grouped query of its counters, kept on every write)
# and the unread count of the navigation (cached per user; the cache was cleared)
WARM_QUERIES = 11  # the same without the frozen results (the strip's counters are read)


def test_the_xlsx_holds_the_aggregates(client, workplace, manager):
    cycle = answered_cycle(workplace)
    client.force_login(manager)
    response = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/results.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    elements = list(book.worksheets[1].iter_rows(values_only=True))
    los = next(row for row in elements if row[0] == "LOS")
    assert los[1] == 3.3  # 20 / 6 = 3.33…, as the dashboard shows it (one decimal, half up)
    aspects = list(book.worksheets[2].iter_rows(values_only=True))
    row = next(r for r in aspects if r[0] == "LOS-1")
    assert row[4:9] == (1, 1, 3, 0, 1) or row[4:10] == (0, 1, 3, 1, 1, 0)


def test_the_research_csv_is_pseudonymous_and_for_research_only(client, workplace, manager):
    groups = {Role.STUDENT: [4, 3, 5], Role.PROFESSIONAL: [4, 4, 4], Role.MANAGER: [2]}
    cycle = answered_cycle(workplace, groups=groups)
    url = f"/pw/{workplace.slug}/results/{cycle.pk}/research.csv"
    client.force_login(manager)
    assert client.get(url).status_code == 403
    client.force_login(ResearchGrantFactory(workplace=workplace).user)
    body = client.get(url).content.decode()
    rows = research_rows(body)
    # The lone manager is left out and, so the total cannot single them out, the professionals.
    assert sorted(r["role"] for r in rows) == ["student"] * 3
    assert {r["pw"] for r in rows} == {workplace.slug}
    assert sorted(r["LOS-1"] for r in rows) == ["3", "4", "5"]
    assert body.endswith(
        "# 4 of 7 responses withheld: their group, or what would remain of it, has fewer "
        "than 3 respondents\r\n"
    )
    for invitation in cycle.invitations.select_related("person"):
        assert invitation.person.name not in body
        assert invitation.person.email not in body
    ids = {r["respondent"] for r in rows}
    again = {r["respondent"] for r in research_rows(client.get(url).content.decode())}
    assert ids == again  # stable within the cycle
    other = answered_cycle(workplace, years_ago=1, groups={Role.STUDENT: [4, 3, 5]})
    other_body = client.get(
        f"/pw/{workplace.slug}/results/{other.pk}/research.csv"
    ).content.decode()
    assert ids.isdisjoint({r["respondent"] for r in research_rows(other_body)})
    assert all(re.fullmatch(r"[0-9a-f]{12}", i) for i in ids)


def test_the_overview_shows_the_pws_one_may_read(client, workplace, other_workplace):
    answered_cycle(workplace)
    answered_cycle(other_workplace, groups={Role.STUDENT: [5, 5]})  # too few
    hidden = WorkplaceFactory()
    answered_cycle(hidden)
    user = member_user(workplace, Role.MANAGER)
    from tests.factories import MembershipFactory

    MembershipFactory(person=user.person, workplace=other_workplace, role=Role.BRIDGE_BUILDER)
    MembershipFactory(person=user.person, workplace=hidden, role=Role.STUDENT)  # no results role
    client.force_login(user)
    client.get("/")  # the session's first writes are not the overview's
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get("/results/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/results/")
    rows = {row["workplace"].slug: row for row in page.context["rows"]}
    assert set(rows) == {workplace.slug, other_workplace.slug}
    assert rows[workplace.slug]["cells"][0]["mean"] == pytest.approx(20 / 6)
    assert rows[other_workplace.slug]["cells"][0]["mean"] is None
    more = WorkplaceFactory()
    answered_cycle(more)
    answered_cycle(more, years_ago=1)
    MembershipFactory(person=user.person, workplace=more, role=Role.MANAGER)
    cache.clear()
    with CaptureQueriesContext(connection) as more_cold:
        assert len(client.get("/results/").context["rows"]) == 3
    with CaptureQueriesContext(connection) as more_queries:
        assert len(client.get("/results/").context["rows"]) == 3
    # Constant in the number of PWs, with an empty cache and with the rows in it; only the
    # rows to build read the stored scores.
    assert len(queries.captured_queries) == len(more_queries.captured_queries) <= 9
    assert len(cold.captured_queries) == len(more_cold.captured_queries)
    for captured, reads in [(cold, 1), (more_cold, 1), (queries, 0), (more_queries, 0)]:
        assert sum("element_scores" in q["sql"] for q in captured.captured_queries) == reads
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert len(client.get("/results/").context["rows"]) >= 3


def test_a_closed_cycle_gets_tallies_that_match_its_answers(workplace):
    cycle = CycleFactory(workplace=workplace)
    for value in (1, 2, 3):
        invitation = invitation_for(cycle, Role.STUDENT)
        response = answering.start_response(invitation=invitation)
        answering.save_answers(
            response=response,
            answers={Item.objects.filter(version=cycle.instrument_version).first().pk: value},
        )
        answering.submit_response(response=response)
    cycles.close_cycle(cycle=cycle)
    assert sum(t.n1 + t.n2 + t.n3 for t in cycle.tallies.all()) == 3


def test_svg_coordinates_use_a_decimal_point_in_dutch(client, workplace, manager):
    answered_cycle(workplace, years_ago=1)
    cycle = answered_cycle(workplace)
    client.force_login(manager)
    html = client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/").content.decode()
    assert 'lang="nl"' in html
    coordinates = re.findall(r'\b(?:cx|cy|x|y|width|x1|y1|x2|y2)="([^"]*)"', html)
    assert coordinates and not [c for c in coordinates if "," in c]
    points = re.findall(r'points="([^"]*)"', html)
    assert points and all(re.fullmatch(r"[-\d. ,]+", p) for p in points)


def test_research_pseudonyms_use_their_own_key(settings):
    """Pseudonyms depend on RESEARCH_PSEUDONYM_KEY only: rotating SECRET_KEY keeps them, a
    different pseudonym key gives unrelated ones."""
    from evaluations.dashboard_views import pseudonym

    settings.RESEARCH_PSEUDONYM_KEY = "sleutel-van-de-onderzoeker"
    first = pseudonym(7, 42)
    settings.SECRET_KEY = "een-geroteerde-geheime-sleutel-voor-django-zelf"
    assert pseudonym(7, 42) == first
    settings.RESEARCH_PSEUDONYM_KEY = "een-andere-sleutel"
    assert pseudonym(7, 42) != first
    assert pseudonym(7, 43) != pseudonym(7, 42)
    # Unset, the key is SECRET_KEY and the pseudonyms are those of earlier exports.
    import hashlib
    import hmac

    settings.RESEARCH_PSEUDONYM_KEY = settings.SECRET_KEY
    earlier = hmac.new(settings.SECRET_KEY.encode(), b"respondent:7:42", hashlib.sha256)
    assert pseudonym(7, 42) == earlier.hexdigest()[:12]


def test_the_dashboard_names_both_thresholds_and_says_when_words_are_withheld(
    client, workplace, manager, settings
):
    answered_cycle(workplace, groups={Role.STUDENT: [4, 4, 4, 4, 4], Role.PROFESSIONAL: [3] * 5})
    client.force_login(manager)
    url = client.get(f"/pw/{workplace.slug}/results/")["Location"]
    html = client.get(url).content.decode()
    assert "van groepen van ten minste 5" in html and "Goed 4" in html
    assert "niet getoond" not in html
    settings.EVALUATION_MIN_GROUP_TEXT = 6
    settings.EVALUATION_MIN_GROUP = 4
    html = client.get(url).content.decode()  # the thresholds are part of the cache's check
    assert "Goed 4" not in html
    assert "van groepen van ten minste 6" in html
    assert "De open antwoorden van ten minste één kleinere groep worden niet getoond." in html


def test_printing_works_without_javascript_through_the_print_view(client, workplace, manager):
    cycle = answered_cycle(workplace)
    client.force_login(manager)
    url = f"/pw/{workplace.slug}/results/{cycle.pk}/"
    page = client.get(url).content.decode()
    assert 'href="?print=1" data-print' in page  # the print control is a link
    assert page.count("<details ") == page.count('<details class="element-result"') >= 6
    assert " open>" not in page  # on screen the elements are folded
    printable = client.get(url + "?print=1").content.decode()
    assert 'id="print-hint"' in printable and "Ctrl+P" in printable
    assert 'class="site-header"' not in printable and 'class="site-footer"' not in printable
    assert printable.count(" open>") == page.count("<details ")  # every fold open
    assert " open>" not in client.get(url).content.decode()  # the cache is untouched


def test_the_investment_counts_follow_the_activity_log_through_its_cached_summary(
    client, workplace, manager
):
    """Issue 16: the dashboard reads the log's cached per-element counts of the school year;
    logging an activity (the quick form) shows in them at once."""
    from django.test import Client

    from werkplaats.models import ActivityKind, school_year_bounds

    cycle = answered_cycle(workplace)
    start, _end = school_year_bounds(cycle.school_year)
    client.force_login(manager)
    url = f"/pw/{workplace.slug}/results/{cycle.pk}/"

    def investment():
        rows = client.get(url).context["investment"]
        return {row["code"]: row["activities"] for row in rows}

    before = investment()
    logger = Client()
    logger.force_login(member_user(workplace, Role.BRIDGE_BUILDER))
    kind = ActivityKind.objects.get(code="intervision")
    logged = logger.post(
        f"/pw/{workplace.slug}/activities/quick/",
        {"date": (start + dt.timedelta(days=10)).isoformat(), "kind": kind.pk,
         "title": "Intervisie over de zorgvraag", "tags": ["VOR"]},
    )  # fmt: skip
    assert logged.status_code == 302
    after = investment()
    assert after["VOR"] == before["VOR"] + 1 and after["LOS"] == before["LOS"]


def test_the_home_lists_each_readable_pws_newest_closed_cycle_once(
    client, workplace, other_workplace, manager
):
    older = answered_cycle(workplace, years_ago=2)
    newer = answered_cycle(workplace, years_ago=1)
    answered_cycle(workplace, close=False)  # open: no results yet
    answered_cycle(other_workplace)  # another PW's: not readable for this manager
    client.force_login(manager)
    response = client.get("/")
    panels = {panel.key: context for panel, context in response.context["panels"]}
    assert panels["open-evaluations"]["latest"] == [newer]
    assert older.pk != newer.pk
