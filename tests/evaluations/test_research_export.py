"""The research CSV (one row per respondent) never exposes a group under the threshold: not
by its rows, not by its rows' absence next to the dashboard's total (issue 22, item 1)."""

from __future__ import annotations

import pytest

from evaluations import results, tallies
from tests.evaluations.test_dashboard import answered_cycle, research_rows
from tests.factories import ResearchGrantFactory
from werkplaats.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def researcher(client, workplace):
    client.force_login(ResearchGrantFactory(workplace=workplace).user)
    return client


def export(client, workplace, cycle):
    return client.get(f"/pw/{workplace.slug}/results/{cycle.pk}/research.csv")


def test_two_clients_beside_three_professionals_give_no_row_at_all(researcher, workplace):
    # The clients answered all 1s, the professionals all 5s: labelled "other" together, the
    # clients' rows were picked out by their answers. Left out, with the professionals'
    # rows kept, the dashboard's total minus those rows gave the clients' mean.
    groups = {Role.CLIENT: [1, 1], Role.PROFESSIONAL: [5, 5, 5]}
    cycle = answered_cycle(workplace, groups=groups)
    response = export(researcher, workplace, cycle)
    assert response.status_code == 200
    body = response.content.decode()
    assert research_rows(body) == []
    assert response["X-Withheld-Rows"] == "5"
    assert body.splitlines()[-1].startswith("# 5 of 5 responses withheld")


def test_small_groups_that_reach_the_threshold_together_are_other(researcher, workplace):
    groups = {
        Role.CLIENT: [1, 1],
        Role.MANAGER: [2],
        Role.PROFESSIONAL: [5, 5, 5],
        Role.STUDENT: [4, 4, 4, 4],
    }
    cycle = answered_cycle(workplace, groups=groups)
    response = export(researcher, workplace, cycle)
    rows = research_rows(response.content.decode())
    assert sorted((r["role"], r["LOS-1"]) for r in rows) == sorted(
        [("other", "1"), ("other", "1"), ("other", "2")]
        + [("professional", "5")] * 3
        + [("student", "4")] * 4
    )
    assert response["X-Withheld-Rows"] == "0"
    assert "withheld" not in response.content.decode()


def test_two_three_four_keeps_only_the_group_the_dashboard_shows(researcher, workplace):
    groups = {Role.CLIENT: [1, 1], Role.PROFESSIONAL: [5, 5, 5], Role.STUDENT: [3, 3, 3, 3]}
    cycle = answered_cycle(workplace, groups=groups)
    rows = research_rows(export(researcher, workplace, cycle).content.decode())
    assert sorted((r["role"], r["LOS-1"]) for r in rows) == [("student", "3")] * 4
    # The same groups as the dashboard shows on their own.
    assert results.shown_roles({Role.CLIENT: 2, Role.PROFESSIONAL: 3, Role.STUDENT: 4}) == {
        Role.STUDENT
    }


@pytest.mark.parametrize("values", [[4], [4, 2]])
def test_a_cycle_under_the_threshold_exports_no_row(researcher, workplace, values):
    cycle = answered_cycle(workplace, groups={Role.STUDENT: values})
    response = export(researcher, workplace, cycle)
    assert research_rows(response.content.decode()) == []
    assert response["X-Withheld-Rows"] == str(len(values))


def test_an_open_cycle_has_no_row_level_export(researcher, workplace):
    cycle = answered_cycle(workplace, groups={Role.STUDENT: [4, 3, 5, 2]}, close=False)
    assert export(researcher, workplace, cycle).status_code == 404
    dashboard = researcher.get(f"/pw/{workplace.slug}/results/{cycle.pk}/").content.decode()
    assert "research.csv" not in dashboard
    cycle.status = "closed"
    cycle.save(update_fields=["status"])
    tallies.tally_cycle(cycle)
    assert len(research_rows(export(researcher, workplace, cycle).content.decode())) == 4
    dashboard = researcher.get(f"/pw/{workplace.slug}/results/{cycle.pk}/").content.decode()
    assert "research.csv" in dashboard


@pytest.mark.parametrize(
    ("counts", "labels", "withheld"),
    [
        ({"a": 2, "b": 3}, {}, 5),
        ({"a": 2, "b": 3, "c": 4}, {"c": "c"}, 5),
        ({"a": 1, "b": 2, "c": 3}, {"a": "other", "b": "other", "c": "c"}, 0),
        ({"a": 3, "b": 3}, {"a": "a", "b": "b"}, 0),
        ({"a": 1, "b": 1}, {}, 2),
        ({"a": 5, "b": 4, "c": 1}, {"a": "a"}, 5),
    ],
)
def test_the_research_rule(counts, labels, withheld):
    groups = results.research_groups(counts, minimum=3)
    assert (groups.labels, groups.withheld) == (labels, withheld)
    # Rows beside a withheld few would give those few away by subtraction from the total.
    assert not groups.labels or groups.withheld == 0 or groups.withheld >= 3
