"""Figures are rounded half up to one decimal, everywhere the same (issue 19): the page,
the change, the band and the summary sentence agree on one value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from evaluations.results import band_between, one_decimal, shown, unchanged


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.95, "4.0"), (3.949, "3.9"), (3.684, "3.7"), (2.25, "2.3"), (2.35, "2.4"),
        (0.05, "0.1"), (0.06, "0.1"), (-0.04, "0.0"), (-0.05, "-0.1"), (1.0, "1.0"),
    ],
)  # fmt: skip
def test_one_decimal_rounds_half_up(value, expected):
    assert one_decimal(value) == Decimal(expected)


def test_the_shown_figure_is_in_the_active_notation():
    with translation.override("nl"):
        assert shown(3.684) == "3,7" and shown(3.95) == "4,0" and shown(None) == "—"
    with translation.override("en"):
        assert shown(3.684) == "3.7"


@pytest.mark.parametrize(
    ("value", "band"),
    [(3.95, "strength"), (3.949, "discuss"), (4.0, "strength"), (2.45, "discuss"),
     (2.449, "concern"), (None, "")],
)  # fmt: skip
def test_the_band_is_decided_on_the_shown_value(value, band):
    assert band_between(value, 4.0, 2.5) == band


@pytest.mark.parametrize(
    ("delta", "html"),
    [
        (-0.04, "gelijk"), (0.04, "gelijk"), (0.05, "+0,1"), (0.06, "+0,1"), (-0.05, "−0,1"),
    ],
)  # fmt: skip
def test_a_change_that_rounds_to_zero_is_unchanged(delta, html):
    with translation.override("nl"):
        rendered = Template("{% load results %}{% change delta %}").render(
            Context({"delta": delta})
        )
    assert html in rendered
    assert "+0,0" not in rendered and "−0,0" not in rendered
    assert unchanged(delta) == (html == "gelijk")


def test_the_summary_sentence_uses_the_same_rounding():
    from types import SimpleNamespace as NS

    from evaluations.results import summary

    def element(name, mean, delta):
        return NS(element=NS(name=name), score=NS(mean=mean), delta=delta, gap=None)

    results = NS(
        elements=[element("Leren", 3.95, 0.04), element("Onderzoeken", 2.25, -0.03)],
        previous=NS(label="2025-2026"), invited={}, rate=lambda role: None,
    )  # fmt: skip
    with translation.override("en"):
        lines = summary(results)
    assert lines[0] == "Strongest element: Leren (4.0); weakest: Onderzoeken (2.3)."
    assert lines[1] == "Since 2025-2026 no element changed by 0.1 or more."
    results.elements[1].delta = -0.05
    with translation.override("en"):
        assert "went down by 0.1" in summary(results)[1]


def test_identical_and_near_identical_open_answers_are_counted_once():
    from evaluations.results import group_answers

    answers = [
        "Fijne sfeer", "fijne sfeer!", "Fijne  sfeer.", "De lunch met cliënten",
        "De lunch met clienten", "Meer tijd voor intervisie", "Zaterdag vrij",
    ]  # fmt: skip
    grouped = group_answers(answers)
    assert grouped[0][1] == 3  # the three ways of writing "fijne sfeer"
    assert dict(grouped)["De lunch met clienten"] == 2  # one letter apart: a typo
    assert ("Meer tijd voor intervisie", 1) in grouped and ("Zaterdag vrij", 1) in grouped
    assert sum(count for _, count in grouped) == len(answers)
    assert group_answers(["Ja", "Nee"]) == [("Ja", 1), ("Nee", 1)]  # short, different


def test_to_discuss_names_the_weakest_the_widest_gap_and_the_largest_change_once():
    from types import SimpleNamespace as NS

    from evaluations.results import to_discuss

    def element(code, order, mean, delta=None, gap=None, roles=None):
        return NS(element=NS(code=code, name=code, order=order), score=NS(mean=mean),
                  delta=delta, gap=gap, gap_roles=roles)  # fmt: skip

    weak = element("LOS", 1, 2.4, delta=0.02)
    wide = element("VOR", 2, 3.5, gap=1.2, roles=("student", "manager"))
    moved = element("LEI", 3, 3.9, delta=-0.6)
    calm = element("ORG", 4, 4.1, delta=0.04)
    with translation.override("en"):
        picks = to_discuss(NS(elements=[calm, moved, wide, weak]))
    assert [p["result"] for p in picks] == [weak, wide, moved]
    assert "student" in picks[1]["why"] and picks[2]["why"].endswith("(−0.6)")
    with translation.override("en"):
        only = to_discuss(NS(elements=[weak]))
    assert [p["result"] for p in only] == [weak]  # a change of 0.02 shows as none


@pytest.mark.parametrize("language", ["nl", "en"])
def test_shown_is_what_djangos_number_format_gives(language):
    """``shown`` skips Django's formatter for speed; it must still write what it writes."""
    from decimal import Decimal

    from django.utils import translation
    from django.utils.formats import number_format

    from evaluations.results import one_decimal, shown

    values = [0, 1, 3.95, 3.949, -0.05, -1.25, 4.999, 5, 2.5, -3.0, 0.04, Decimal("3.15")]
    values += [i / 37 for i in range(-200, 200)]
    with translation.override(language):
        for value in values:
            assert shown(value) == number_format(one_decimal(value), 1), value
    with translation.override("nl"):
        assert shown(3.75) == "3,8"
    with translation.override("en"):
        assert shown(3.75) == "3.8"
