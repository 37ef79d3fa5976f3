"""The overview's rows are built in Python (``dashboard_views._overview_row_html``, issue 16):
the same HTML as the template they replaced, in Dutch and English, for a PW with figures, one
with too few respondents and one without a yearly evaluation that school year."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

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
    from evaluations.dashboard_views import _spark_html

    with translation.override("nl"):
        svg = str(_spark_html([("2023-2024", 3.25), ("2024-2025", 4.0), ("2025-2026", 2.5)], {2}))
    assert svg.startswith('<svg viewBox="0 0 160 48" width="160" height="48" role="img"')
    assert 'aria-label="2023-2024: 3,3; 2024-2025: 4,0; 2025-2026: 2,5"' in svg
    assert svg.count("<circle ") == 3 and svg.count("<polyline ") == 2
