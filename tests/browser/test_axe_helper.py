"""The axe-core helper every browser test leans on reports what is wrong, and only that."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="nl"><head><title>Proef</title></head><body><main>
<h1>Proef</h1><p style="color:{colour};background:#fff">Een zin.</p>
<form>{label}<input id="naam" name="naam"></form></main></body></html>"""


def test_axe_names_the_rule_and_the_element_of_each_violation(page):
    page.set_content(PAGE.format(colour="#bbb", label=""))
    found = {v["id"]: v for v in axe_violations(page)}
    assert set(found) == {"color-contrast", "label"}
    assert found["label"]["nodes"] == [["#naam"]]
    assert found["label"]["impact"] == "critical"


def test_axe_finds_nothing_on_a_sound_page_and_runs_twice_on_one_document(page):
    page.set_content(PAGE.format(colour="#333", label='<label for="naam">Naam</label>'))
    assert axe_violations(page) == []
    assert axe_violations(page) == []  # axe is injected once per document
