"""``links.pattern`` reverses once and gives what ``reverse`` gives for each id or slug."""

from __future__ import annotations

import pytest
from django.urls import reverse

from werkplaats.links import pattern


@pytest.mark.parametrize(
    ("name", "fixed", "holes"),
    [
        ("werkplaats:goal-detail", ["pw-de-linde", None], [7]),
        ("werkplaats:goal-detail", ["pw-9", None], [987654]),
        ("werkplaats:workplace-detail", [None], ["pw-de-linde"]),
        ("werkplaats:workplace-detail", [None], ["pw-2024"]),
        ("evaluations:dashboard", ["pw-x", None], [12]),
        ("evaluations:dashboard", [None, None], ["pw-987654321", 987654322]),
        ("evaluations:results", ["pw-x"], []),
    ],
)
def test_a_link_is_what_reverse_gives(name, fixed, holes):
    filled = iter(holes)
    args = [next(filled) if arg is None else arg for arg in fixed]
    assert pattern(name, *fixed)(*holes) == reverse(name, args=args)


def test_one_pattern_serves_many_rows():
    link = pattern("evaluations:dashboard", None, None)
    assert [link("pw-a", 1), link("pw-b", 2)] == [
        reverse("evaluations:dashboard", args=["pw-a", 1]),
        reverse("evaluations:dashboard", args=["pw-b", 2]),
    ]


def test_a_missing_value_is_an_error():
    with pytest.raises(ValueError):
        pattern("evaluations:dashboard", None, None)("pw-a")
