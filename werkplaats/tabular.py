"""Tables as downloads: the one place CSV and XLSX exports are written.

A `Table` is a header row and an iterable of rows, with a sheet title (XLSX) and comment lines
written after the rows. `csv_response` streams a table by default, so a long list (the activity
log, the CMO notes across PWs) is never held in memory as a whole file; `xlsx_response` writes
one sheet per table with openpyxl's write-only mode. Every cell passes through `safe`, so no
export can carry a formula into a spreadsheet.

What is exported, its headers, extra response headers and the audit record stay in the views.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet reads text starting with one of these as a formula (or, after a tab or
# carriage return, may still do so).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_CHARS = 64 * 1024  # a streamed CSV is sent in pieces of about this size
SHEET_TITLE_MAX = 31  # Excel's limit


def safe(value):
    """A cell that a spreadsheet shows and never runs: text starting with ``= + - @``, a tab
    or a carriage return gets a leading ``'``. Numbers (negative ones too), dates and ``None``
    stay as they are; a lazy translation becomes its text."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    """A header row and the rows under it. ``title`` names the sheet in a workbook (cut to
    31 characters); each of ``comments`` is written after the rows as a line starting with
    ``# `` (R: ``comment.char = "#"``, pandas: ``comment="#"``). The rows, and then the
    comments, are read once, as they are written."""

    header: Sequence
    rows: Iterable[Sequence]
    title: str = ""
    comments: Iterable[str] = ()


def _comment(text: str) -> str:
    text = str(text)
    if "\n" in text or "\r" in text:
        raise ValueError("A comment is one line")
    return f"# {text}"


def csv_chunks(table: Table, *, bom: bool = True) -> Iterator[bytes]:
    """The table as UTF-8 CSV (``\\r\\n`` line ends) in pieces of about `CHUNK_CHARS`.
    With ``bom`` the file starts with a byte order mark, so Excel opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    writer.writerow([safe(v) for v in table.header])
    for row in table.rows:
        writer.writerow([safe(v) for v in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    for text in table.comments:
        buffer.write(_comment(text) + "\r\n")
    yield buffer.getvalue().encode("utf-8")


def _streamed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, the first one taken now: an error in the query behind the rows is then the
    view's error (an error page, not a cut-off file). The rest are made, later, in the
    request's language."""
    language = translation.get_language()
    first = next(chunks, b"")

    def rest() -> Iterator[bytes]:
        yield first
        while True:
            with translation.override(language):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    return rest()


def _attach(response: HttpResponse | StreamingHttpResponse, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def csv_response(
    filename: str, table: Table, *, bom: bool = True, stream: bool = True
) -> HttpResponse | StreamingHttpResponse:
    """The table as a CSV download. Streamed by default (a `StreamingHttpResponse`: rows
    are read as the file is sent); ``stream=False`` for a small table gives a plain response
    with the whole file."""
    chunks = csv_chunks(table, bom=bom)
    if stream:
        return _attach(StreamingHttpResponse(_streamed(chunks), content_type=CSV_TYPE), filename)
    return _attach(HttpResponse(b"".join(chunks), content_type=CSV_TYPE), filename)


def xlsx_bytes(sheets: Iterable[Table]) -> bytes:
    """A workbook with one sheet per table, in order, written in openpyxl's write-only mode
    (rows go to a temporary file as they come, never a sheet of cell objects in memory)."""
    workbook = Workbook(write_only=True)
    for table in sheets:
        sheet = workbook.create_sheet(str(table.title)[:SHEET_TITLE_MAX] or None)
        sheet.append([safe(v) for v in table.header])
        for row in table.rows:
            sheet.append([safe(v) for v in row])
        for text in table.comments:
            sheet.append([_comment(text)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Iterable[Table]) -> HttpResponse:
    """The tables as an XLSX download, one sheet each."""
    return _attach(HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE), filename)
