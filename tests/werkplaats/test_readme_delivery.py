"""The README states the delivery guarantee as it is (issue 20): no "exactly once", and the
uncertain case named, with what is resent and where it is shown."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def delivery_paragraph() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"The delivery guarantee, exactly.*?(?=\n\n)", text, re.S)
    assert found, "README.md has no delivery-guarantee paragraph"
    return " ".join(found.group(0).split())  # one line, whatever the wrapping


def test_the_readme_names_the_uncertain_case():
    paragraph = delivery_paragraph()
    assert "**no mail is lost unseen**" in paragraph
    assert (
        "**A mail can arrive twice only in the uncertain case: a worker died between the mail "
        "server's accept and the status write.**"
    ) in paragraph
    assert "Message-ID" in paragraph
    assert (
        "**resent once, only for an invitation and the last reminder before the cycle closes**"
    ) in paragraph
    assert "cycle page" in paragraph and "admin" in paragraph


def test_the_readme_no_longer_promises_exactly_once():
    assert "exactly once" not in README.read_text(encoding="utf-8").lower()


def test_the_readme_says_how_to_audit_the_dependencies():
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "`pip install pip-audit && pip-audit -r constraints.txt`" in text
