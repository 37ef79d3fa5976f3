"""A query-count failure names the SQL it counted, at any verbosity (the suite runs with -q)."""

import pytest

from werkplaats.models import Workplace

pytestmark = pytest.mark.django_db


def test_an_exact_count_failure_lists_each_query(django_assert_num_queries, workplace):
    with pytest.raises(pytest.fail.Exception) as failure, django_assert_num_queries(1):
        list(Workplace.objects.filter(slug="revalidatie-noord"))
        Workplace.objects.filter(slug="nergens").exists()
    message = str(failure.value)
    head = "Expected to perform 1 queries but 2 were done\n\nQueries:\n1. SELECT "
    assert message.startswith(head), message
    assert "2. SELECT" in message
    assert "'revalidatie-noord'" in message and "'nergens'" in message
    assert "add -v" not in message


def test_a_maximum_count_failure_lists_each_query(django_assert_max_num_queries, workplace):
    with (
        pytest.raises(pytest.fail.Exception) as failure,
        django_assert_max_num_queries(0, info="the overview"),
    ):
        Workplace.objects.count()
    message = str(failure.value)
    assert message.startswith("Expected to perform 0 queries or less but 1 was done\nthe overview")
    assert "1. SELECT COUNT(*)" in message


def test_a_count_that_holds_passes_and_gives_the_queries(
    django_assert_num_queries, django_assert_max_num_queries, workplace
):
    with django_assert_num_queries(1) as exact:
        Workplace.objects.count()
    with django_assert_max_num_queries(2) as at_most:
        Workplace.objects.count()
    assert len(exact.captured_queries) == len(at_most.captured_queries) == 1
    assert "COUNT(*)" in exact.captured_queries[0]["sql"]
