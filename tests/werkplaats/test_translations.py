"""Dutch first: every user-facing string of the project has a Dutch translation."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "werkplaats" / "locale" / "nl" / "LC_MESSAGES"


def entries(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if "msgid " in block]


def test_every_dutch_message_is_translated_and_not_fuzzy():
    text = (PO / "django.po").read_text(encoding="utf-8")
    blocks = entries(text)[1:]  # the first entry is the header
    assert len(blocks) > 100
    for block in blocks:
        assert "#, fuzzy" not in block, block
        strings = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n")
        assert strings, block
        for found in strings:
            assert "".join(re.findall(r'"(.*)"', found)).strip(), f"untranslated:\n{block}"


def _field(block: str, name: str) -> str | None:
    match = re.search(rf'^{name} ((?:".*"\n?)+)', block + "\n", re.MULTILINE)
    if not match:
        return None
    return "".join(ast.literal_eval(piece) for piece in re.findall(r'".*"', match.group(1)))


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo must be compiled from the current .po (run `make messages`)."""
    with (PO / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    checked = 0
    for block in entries((PO / "django.po").read_text(encoding="utf-8"))[1:]:
        msgid, msgstr = _field(block, "msgid"), _field(block, "msgstr")
        if msgstr is None or "msgctxt" in block or block.lstrip().startswith("#~"):
            continue
        assert catalogue.gettext(msgid) == msgstr, f"stale .mo for {msgid!r}"
        checked += 1
    assert checked > 100


def test_role_names_are_dutch_when_dutch_is_active():
    from werkplaats.models import Role

    with translation.override("nl"):
        assert str(Role.BRIDGE_BUILDER.label) == "bruggenbouwer"
        assert str(Role.SUPPORTER.label) == "ondersteuner"
    with translation.override("en"):
        assert str(Role.BRIDGE_BUILDER.label) == "bridge-builder"


GETTEXT = {"_", "gettext", "ngettext", "pgettext", "gettext_lazy", "ngettext_lazy"}


def test_no_message_is_asked_inside_an_f_string():
    """xgettext (``make messages``) does not read inside f-strings: a message asked there drops
    out of the catalogue at the next run and the page shows it in English."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for app in ("werkplaats", "elements", "evaluations", "cases"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.JoinedStr):
                    for inner in ast.walk(node):
                        name = getattr(getattr(inner, "func", None), "id", None)
                        if isinstance(inner, ast.Call) and name in GETTEXT:
                            found.append(f"{path.relative_to(root)}:{inner.lineno}")
    assert found == []
