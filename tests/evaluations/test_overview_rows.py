"""The overview's rows are built in Python (``evaluations.overview_rows``, issue 16):
the same HTML as the template they replaced, in Dutch and English, for a PW with figures, one
with too few respondents and one without a yearly evaluation that school year."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.template import engines
from django.utils import translation

from evaluations.overview_rows import build_row
from tests.evaluations.test_dashboard import answered_cycle
from tests.factories import UserFactory, WorkplaceFactory
from werkplaats.models import Role

pytestmark = pytest.mark.django_db

TEMPLATE = (Path(__file__).parent / "replaced" / "overview_row.html").read_text()


def normalised(html: str) -> str:
    return re.sub(r"> <", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_each_row_is_the_html_the_template_made(client, workplace, other_workplace, language):
    answered_cycle(workplace)
    answered_cycle(workplace, years_ago=1)
    answered_cycle(other_workplace, groups={Role.STUDENT: [5, 5]})  # too few to show
    WorkplaceFactory(name='PW <De "Linde"> & co')  # no yearly evaluation at all
    client.force_login(UserFactory(is_staff=True))
    client.cookies["django_language"] = language
    rows = client.get("/results/").context["rows"]
    assert len(rows) >= 3 and any(not row["cycle_pk"] for row in rows)
    template = engines["django"].from_string(TEMPLATE)
    with translation.override(language):
        for row in rows:
            assert normalised(row["html"]) == normalised(template.render({"row": row}))
    page = client.get("/results/").content.decode()
    assert f'<html lang="{language}">' in page
    assert "PW &lt;De &quot;Linde&quot;&gt; &amp; co" in page


def test_a_trend_line_breaks_where_the_instrument_changed_and_names_each_year():
    from evaluations.overview_rows import spark_html

    with translation.override("nl"):
        svg = str(spark_html([("2023-2024", 3.25), ("2024-2025", 4.0), ("2025-2026", 2.5)], {2}))
    assert svg.startswith('<svg viewBox="0 0 160 48" width="160" height="48" role="img"')
    assert 'aria-label="2023-2024: 3,3; 2024-2025: 4,0; 2025-2026: 2,5"' in svg
    assert svg.count("<circle ") == 3 and svg.count("<polyline ") == 2


def _row(client, workplace, year="2025-2026") -> dict:
    rows = client.get(f"/results/?year={year}").context["rows"]
    return next(row for row in rows if row["workplace"].pk == workplace.pk)


def test_a_row_from_the_cache_is_the_row_built_anew(client, workplace, other_workplace):
    answered_cycle(workplace)
    answered_cycle(workplace, years_ago=1)
    answered_cycle(other_workplace, groups={Role.STUDENT: [5, 5]})
    client.force_login(UserFactory(is_staff=True))

    def rows() -> list[dict]:
        return [
            {k: v for k, v in row.items() if k != "workplace"}
            for row in client.get("/results/").context["rows"]
        ]

    built = rows()
    with mock.patch("evaluations.overview_rows.build_row", wraps=build_row) as building:
        assert rows() == built
        assert building.call_count == 0  # every row read from the cache
        cache.clear()
        assert rows() == built
        assert building.call_count == len(built) == 2


def test_each_thing_a_row_is_made_from_shows_at_once(client, workplace):
    """The PW's name, a cycle that closes, a results revision (erasure, retention), the
    bands of the instrument version and the language each make another row."""
    from evaluations.models import EvaluationCycle, InstrumentVersion

    cycle = answered_cycle(workplace, years_ago=1)
    client.force_login(UserFactory(is_staff=True))
    first = _row(client, workplace, "2024-2025")
    assert first["cells"][0]["mean"] == pytest.approx(20 / 6)
    assert _row(client, workplace, "2024-2025")["html"] == first["html"]  # cached

    workplace.name = "PW Nieuwe Naam"
    workplace.save()
    assert "PW Nieuwe Naam" in _row(client, workplace, "2024-2025")["html"]

    answered_cycle(workplace)  # this year's closes: the trend has two years
    assert len(_row(client, workplace, "2024-2025")["trend"]) == 2

    code = first["cells"][0]["code"]
    EvaluationCycle.objects.filter(pk=cycle.pk).update(
        element_scores={**cycle.element_scores, code: [9, 3]},
        results_revision=cycle.results_revision + 1,
    )
    assert _row(client, workplace, "2024-2025")["cells"][0]["mean"] == pytest.approx(3.0)

    InstrumentVersion.objects.filter(pk=cycle.instrument_version_id).update(
        strength_from=3, concern_below=1
    )
    assert _row(client, workplace, "2024-2025")["cells"][0]["band"] == "strength"

    dutch = _row(client, workplace, "2024-2025")["html"]
    client.cookies["django_language"] = "en"
    english = _row(client, workplace, "2024-2025")["html"]
    assert "sterk punt" in dutch and "sterk punt" not in english and "strength" in english
