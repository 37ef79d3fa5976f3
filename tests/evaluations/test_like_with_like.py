"""Trends compare like with like (issue 18): a statement reworded in a new instrument version
is not compared across the change, element changes use only the statements both versions
share, and the trend lines break where an element's statements changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluations import charts, records, results, trends
from evaluations.models import Item
from tests.evaluations.test_results import close, respond
from tests.factories import CycleFactory, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db
VALUES_BEFORE = {"VOR-1": 3, "VOR-2": 3, "LOS-1": 4}
VALUES_NOW = {"VOR-1": 5, "VOR-2": 4, "LOS-1": 5}


def reworded_version(cycle, code="VOR-1"):
    """The next version of the cycle's instrument, with one statement worded differently."""
    version = records.new_instrument_version(version=cycle.instrument_version)
    Item.objects.filter(version=version, aspect=code).update(
        text_nl="We zoeken elkaar op, ook buiten het overleg."
    )
    return version


def cycle_ago(workplace, days, version=None, values=VALUES_BEFORE):
    now = timezone.now()
    extra = {"instrument_version": version} if version else {}
    cycle = CycleFactory(
        workplace=workplace,
        opens_at=now - dt.timedelta(days=days),
        closes_at=now - dt.timedelta(days=days - 20),
        **extra,
    )
    for _ in range(3):
        respond(cycle, Role.STUDENT, values)
    return close(cycle)


def test_a_reworded_statement_is_not_compared_and_the_element_uses_the_shared_ones(workplace):
    earlier = cycle_ago(workplace, 400)
    now = cycle_ago(workplace, 30, version=reworded_version(earlier), values=VALUES_NOW)
    r = results.cycle_results(now)
    assert r.previous == earlier and r.version_changed
    vor = r.element("VOR")
    by_code = {a.code: a for a in vor.aspects}
    assert by_code["VOR-1"].reworded and by_code["VOR-1"].delta is None
    assert by_code["VOR-2"].delta == pytest.approx(1)
    # On VOR-2 alone: 4 - 3, not the element's whole mean (4.5) minus the old one (3).
    assert vor.delta == pytest.approx(1) and vor.compared == 4  # of its five statements
    assert r.element("LOS").delta == pytest.approx(1) and not r.element("LOS").aspects[0].reworded
    assert r.not_compared == ["VOR-1"]


def test_on_the_same_version_everything_is_compared(workplace):
    earlier = cycle_ago(workplace, 400)
    r = results.cycle_results(cycle_ago(workplace, 30, values=VALUES_NOW))
    assert r.previous == earlier and not r.version_changed and r.not_compared == []
    assert r.element("VOR").delta == pytest.approx(1.5)  # (5 + 4) / 2 - 3


def test_the_trend_line_of_a_changed_element_breaks_at_the_change(workplace):
    first = cycle_ago(workplace, 800)
    cycle_ago(workplace, 400)
    last = cycle_ago(workplace, 30, version=reworded_version(first), values=VALUES_NOW)
    rows = trends.trend(last)
    assert trends.trend_breaks(rows) == {"VOR": {2}}  # only VOR's statements changed
    chart = charts.trend_lines(
        [c.label for c, _m in rows],
        [(code, [m.get(code) for _c, m in rows]) for code in ("LOS", "VOR")],
        breaks=trends.trend_breaks(rows),
    )
    segments = {line["name"]: len(line["segments"]) for line in chart["lines"]}
    assert segments == {"LOS": 1, "VOR": 2}


def test_one_version_throughout_needs_no_query_and_has_no_breaks(
    workplace, django_assert_num_queries
):
    cycle_ago(workplace, 400)
    rows = trends.trend(cycle_ago(workplace, 30))
    with django_assert_num_queries(0):
        assert trends.trend_breaks(rows) == {}


def test_the_dashboard_and_the_overview_say_so(client, workplace, staff):
    first = cycle_ago(workplace, 800)
    cycle_ago(workplace, 400)
    last = cycle_ago(workplace, 30, version=reworded_version(first), values=VALUES_NOW)
    client.force_login(member_user(workplace, Role.MANAGER))
    html = client.get(f"/pw/{workplace.slug}/results/{last.pk}/").content.decode()
    assert (
        'id="like-with-like"' in html
        and "Niet vergeleken (nieuw of anders verwoord): VOR-1" in html
    )
    assert "nieuw of anders verwoord: niet vergeleken" in html
    assert "(op 4 van 5 stellingen)" in html
    assert 'id="trend-breaks"' in html and "van VOR" in html
    client.force_login(staff)
    overview = client.get(f"/results/?year={last.school_year}").content.decode()
    row = overview[overview.index(workplace.name) :]
    row = row[: row.index("</tr>")]
    assert row.count("<polyline") == 2  # the overall line breaks where the version changed
