"""The one export helper: formula-safe cells, CSV streamed as it is read, workbooks with several
sheets, comment lines; each read back with the csv module or openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from werkplaats import tabular
from werkplaats.tabular import Table

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
ROWS = 100_000


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


# --- Formula injection ------------------------------------------------------------------------
@pytest.mark.parametrize("first", DANGEROUS)
def test_text_starting_with_a_formula_character_gets_a_quote(first):
    assert tabular.safe(f"{first}HYPERLINK(1)") == f"'{first}HYPERLINK(1)"


@pytest.mark.parametrize("value", [-5, -1.5, Decimal("-2.25"), 0, 7, None, dt.date(2026, 1, 2)])
def test_numbers_dates_and_none_stay_what_they_are(value):
    assert tabular.safe(value) is value


@pytest.mark.parametrize("text", ["a=b", "1+1", "e-mail", "x@y.nl", "", "'=already quoted"])
def test_other_text_is_untouched(text):
    assert tabular.safe(text) == text


def test_a_lazy_translation_becomes_text_and_is_checked_too():
    assert tabular.safe(gettext_lazy("=SUM(A1)")) == "'=SUM(A1)"
    assert type(tabular.safe(gettext_lazy("Date"))) is str


@pytest.mark.parametrize("first", DANGEROUS)
def test_no_formula_reaches_a_csv(first):
    response = tabular.csv_response("x.csv", Table([f"{first}head"], [[f"{first}1+1"], [-3]]))
    assert csv_rows(response) == [[f"'{first}head"], [f"'{first}1+1"], ["-3"]]


@pytest.mark.parametrize("first", DANGEROUS)
def test_no_formula_reaches_a_workbook(first):
    response = tabular.xlsx_response("x.xlsx", [Table(["a", "b"], [[f"{first}1+1", -3]])])
    header, (text, number) = workbook(response).active.iter_rows(values_only=True)
    # XML reads a carriage return back as a line feed; the quote in front is what counts.
    assert header == ("a", "b") and text == f"'{first}1+1".replace("\r", "\n")
    assert number == -3  # the negative number is still a number cell


# --- CSV --------------------------------------------------------------------------------------
def test_csv_round_trip_with_byte_order_mark_and_attachment():
    rows = [
        [1, 'komma, en "aanhalingstekens"', dt.date(2026, 3, 1), None],
        [-2, "twee\nregels", 1.5, "Anaïs"],
    ]
    response = tabular.csv_response("lijst-2026.csv", Table(["n", "tekst", "datum", "leeg"], rows))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lijst-2026.csv"'
    data = body(response)
    assert data.startswith("\ufeff".encode())  # Excel opens it as UTF-8
    assert data.endswith(b"\r\n")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) == [
        ["n", "tekst", "datum", "leeg"],
        ["1", 'komma, en "aanhalingstekens"', "2026-03-01", ""],
        ["-2", "twee\nregels", "1.5", "Anaïs"],
    ]


def test_without_byte_order_mark_and_as_one_response():
    response = tabular.csv_response("r.csv", Table(["a"], [["é"]]), bom=False, stream=False)
    assert type(response) is HttpResponse
    assert response.content == "a\r\né\r\n".encode()


def test_a_non_ascii_file_name_is_still_an_attachment():
    response = tabular.csv_response("café.csv", Table(["a"], []))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''caf%C3%A9.csv"


def test_comment_lines_come_after_the_rows_as_written():
    table = Table(
        ["respondent", "score"],
        [["a1", 4], ["b2", "NA"]],
        comments=["2 of 4 responses withheld: their group, or what would remain of it, is small"],
    )
    text = body(tabular.csv_response("r.csv", table, bom=False)).decode()
    assert text == (
        "respondent,score\r\na1,4\r\nb2,NA\r\n"
        "# 2 of 4 responses withheld: their group, or what would remain of it, is small\r\n"
    )
    data = [line for line in text.splitlines() if not line.startswith("#")]
    assert list(csv.DictReader(data)) == [
        {"respondent": "a1", "score": "4"},
        {"respondent": "b2", "score": "NA"},
    ]


def test_comments_are_read_after_the_rows():
    seen = []

    def rows():
        for n in range(3):
            seen.append(n)
            yield [n]

    table = Table(["n"], rows(), comments=(f"{len(seen)} rows" for _ in [1]))
    assert body(tabular.csv_response("n.csv", table, bom=False)).endswith(b"# 3 rows\r\n")


def test_a_comment_is_one_line():
    with pytest.raises(ValueError, match="one line"):
        tabular.csv_response("n.csv", Table(["n"], [], comments=["two\nlines"]))


# --- Streaming --------------------------------------------------------------------------------
def _counted(read: list[int]):
    for n in range(ROWS):
        read[0] += 1
        yield [n, f"activiteit {n}", "een regel tekst die ongeveer zo lang is als een titel"]


def test_a_long_list_is_streamed_not_built_first():
    read = [0]
    response = tabular.csv_response("lang.csv", Table(["n", "titel", "tekst"], _counted(read)))
    assert isinstance(response, StreamingHttpResponse)
    assert 0 < read[0] < ROWS // 10  # the first piece is made at once, the rest when sent
    pieces = 0
    for _piece in response.streaming_content:
        pieces += 1
    assert read[0] == ROWS and pieces > 10


def test_streaming_a_long_list_keeps_memory_low():
    response = tabular.csv_response("lang.csv", Table(["n", "titel", "tekst"], _counted([0])))
    size = 0
    tracemalloc.start()
    try:
        for piece in response.streaming_content:
            size += len(piece)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 7_000_000  # the whole file: about 7.8 MB
    assert peak < 1_000_000  # never more than a few pieces of it at a time


def test_an_error_before_the_first_row_is_the_views_error():
    def broken():
        raise RuntimeError("the query failed")
        yield  # pragma: no cover

    with pytest.raises(RuntimeError, match="the query failed"):
        tabular.csv_response("x.csv", Table(["a"], broken()))


def test_rows_sent_later_are_in_the_language_of_the_request():
    def rows():
        for _n in range(ROWS):
            yield [_("Date")]

    with translation.override("nl"):
        response = tabular.csv_response("x.csv", Table(["kolom"], rows()))
    with translation.override("en"):
        last = csv_rows(response)[-1]
    assert last == ["Datum"]


# --- XLSX -------------------------------------------------------------------------------------
def test_a_workbook_round_trip_with_several_sheets():
    long_title = "Een bladnaam die langer is dan Excel toelaat"
    sheets = [
        Table(
            ["Rol", "Uitgenodigd", "Percentage"],
            [["student", 4, 0.75], ["cliënt", 0, None]],
            title="Respons",
        ),
        Table(["Element", "Gemiddelde"], ([c, 3.3] for c in ("LOS", "GOC")), title=long_title),
        Table(["Datum"], [[dt.date(2026, 5, 1)]], title="Trend", comments=["klein"]),
    ]
    response = tabular.xlsx_response("resultaten.xlsx", sheets)
    assert response["Content-Type"] == tabular.XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="resultaten.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["Respons", long_title[:31], "Trend"]
    assert list(book["Respons"].iter_rows(values_only=True)) == [
        ("Rol", "Uitgenodigd", "Percentage"),
        ("student", 4, 0.75),
        ("cliënt", 0, None),
    ]
    assert list(book[long_title[:31]].iter_rows(values_only=True)) == [
        ("Element", "Gemiddelde"),
        ("LOS", 3.3),
        ("GOC", 3.3),
    ]
    trend = list(book["Trend"].iter_rows(values_only=True))
    assert trend[1][0].date() == dt.date(2026, 5, 1)
    assert trend[2] == ("# klein",)
