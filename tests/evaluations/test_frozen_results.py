"""A closed cycle's frozen results (``evaluations.frozen_results``, issue 16): rendered ahead
when the cycle closes, in every language, and never served once what they were rendered from
changed (a later close, a renamed element), on top of the erasure and retention cases of
``test_retention``."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.core.cache import cache

from elements.models import Element
from evaluations import cycles, frozen_results, results, tallies, tasks
from tests.evaluations.test_dashboard import answered_cycle
from tests.factories import CycleFactory, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db
TREND_ROW = '<th scope="row">{}</th>'


@pytest.fixture
def manager(workplace):
    return member_user(workplace, Role.MANAGER)


def dashboard(client, cycle) -> str:
    response = client.get(f"/pw/{cycle.workplace.slug}/results/{cycle.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_close_renders_the_results_in_every_language_before_anyone_asks(
    client, workplace, manager, django_capture_on_commit_callbacks
):
    cycle = answered_cycle(workplace, close=False)
    with (
        mock.patch.object(tasks.warm_dashboard, "delay", side_effect=frozen_results.warm) as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert cycles.close_cycle(cycle=cycle)
    queued.assert_called_once_with(cycle.pk)
    ahead = {code: cache.get(results.results_cache_key(cycle.pk, code)) for code in ("nl", "en")}
    assert "Het kort" not in ahead["en"][1] and "In short" in ahead["en"][1]
    assert "In het kort" in ahead["nl"][1]

    client.force_login(manager)
    with mock.patch.object(frozen_results, "render", wraps=frozen_results.render) as rendered:
        page = dashboard(client, cycle)
    assert rendered.call_count == 0  # read from the cache
    assert ahead["nl"][1] in page
    cache.clear()  # what the page renders itself is what the close rendered
    dashboard(client, cycle)
    assert cache.get(results.results_cache_key(cycle.pk, "nl"))[1] == ahead["nl"][1]


def test_a_later_close_adds_its_row_to_an_earlier_cycles_trend(client, workplace, manager):
    earlier = answered_cycle(workplace, years_ago=1)
    later = answered_cycle(workplace, close=False)
    client.force_login(manager)
    assert TREND_ROW.format(later.label) not in dashboard(client, earlier)  # cached now
    later.status = "closed"
    later.save(update_fields=["status"])
    tallies.tally_cycle(later)
    assert TREND_ROW.format(later.label) in dashboard(client, earlier)


def test_a_renamed_element_is_shown_by_its_new_name(client, workplace, manager):
    cycle = answered_cycle(workplace)
    client.force_login(manager)
    assert "Samen leren in de praktijk" not in dashboard(client, cycle)
    element = Element.objects.get(code="LOS")
    element.name_nl = "Samen leren in de praktijk"
    element.save()
    assert "Samen leren in de praktijk" in dashboard(client, cycle)


def test_the_previous_cycle_is_picked_as_the_database_picks_it(workplace, settings):
    settings.EVALUATION_MIN_GROUP = 3
    oldest = answered_cycle(workplace, years_ago=3)
    answered_cycle(workplace, years_ago=2, groups={Role.STUDENT: [4, 4]})  # too few to compare
    middle = answered_cycle(workplace, years_ago=1)
    CycleFactory(workplace=workplace, kind="check_in", status="closed", respondent_count=9)
    newest = answered_cycle(workplace, close=False)
    every = list(frozen_results.cycles_of(workplace))
    picked = {c.pk: frozen_results.previous_in(c, every) for c in every}
    assert picked == {c.pk: results.previous_cycle(c) for c in every}
    assert picked[newest.pk] == middle and picked[middle.pk] == oldest


def test_a_broker_that_is_down_costs_only_the_head_start(caplog):
    with (
        mock.patch.object(tasks.warm_dashboard, "delay", side_effect=ConnectionError("down")),
        caplog.at_level(logging.WARNING, logger="evaluations.frozen_results"),
    ):
        frozen_results.warm_later([41, 42])
    assert [r.getMessage() for r in caplog.records] == [
        "could not queue warm_dashboard(41)",
        "could not queue warm_dashboard(42)",
    ]


def test_warming_an_open_or_missing_cycle_renders_nothing(workplace):
    cycle = answered_cycle(workplace, close=False)
    assert frozen_results.warm(cycle.pk) == 0
    assert frozen_results.warm(cycle.pk + 1000) == 0
    assert frozen_results.warm(answered_cycle(workplace, years_ago=1).pk) == 2
