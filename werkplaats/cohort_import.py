"""Read a cohort file from a placement office (CSV or XLSX) into validated rows.

The import runs in three steps, with a screen in between where the person importing confirms:

1. `read_table()` turns the uploaded bytes into a `Table` of stripped strings.
2. `guess_mapping()` proposes which column holds which field; the person can change it.
3. `parse_rows()` checks every row and returns a `Row` with its errors.

Nothing here touches the database: checks that need it ("already a member") belong to the
service that writes the memberships. Every value in the file is untrusted data: formulas are
read as text and never evaluated, and a file that cannot be read gives an `ImportFileError`
with a message for the user instead of an exception from a parser.

Messages use `gettext` rather than `gettext_lazy`: they are built during a request, in the
language of the person importing.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from werkplaats.models import Role

MAX_ROWS = 2000
MAX_BYTES = 10 * 1024 * 1024
FIELDS = ("name", "email", "role", "starts_on", "ends_on")

MAX_NAME_LENGTH = 200  # Person.name
MAX_EMAIL_LENGTH = 254  # Person.email (EmailField)
MAX_COLUMNS = 500

# An .xlsx is a zip archive: refuse archives that unpack to far more than any cohort needs
# (a "zip bomb" fits easily in MAX_BYTES).
_MAX_XLSX_UNPACKED = 20 * MAX_BYTES
# Excel's own limit. openpyxl fills in rows missing from the sheet's XML, so a crafted row
# number would otherwise keep it producing empty rows for a very long time.
_MAX_SHEET_ROWS = 1_048_576
# csv.Sniffer is slow (close to quadratic) on long lines full of quotes: sniff a small sample.
_SNIFF_LINES = 10
_SNIFF_CHARS = 4096
_DELIMITERS = ",;\t"
# C0 control characters other than tab, line feed and carriage return. PostgreSQL cannot store
# NUL, and openpyxl refuses the others when the data is exported to a spreadsheet again.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = "\ufeff\u200b"  # byte order mark and zero-width space, left over from copying
_QUOTE_LENGTH = 60
_RTL_OR_CONTROL = {"R", "AL", "RLE", "RLO", "LRE", "LRO", "RLI", "LRI", "FSI", "PDF", "PDI"}


class ImportFileError(Exception):
    """The file cannot be read at all; str(exc) is a clear, translated message for the user."""


@dataclass
class Table:
    """The cells of a cohort file as stripped strings, before any meaning is given to them.

    `headers` and every row have the same length; `line_numbers[i]` is the line (CSV) or row
    (XLSX) of `rows[i]` in the file as a spreadsheet shows it, so that an error can point to it.
    """

    headers: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    notes: list[str] = field(default_factory=list)


@dataclass
class Row:
    """One person from the file, checked; `errors` is empty when the row can be imported."""

    line: int
    name: str
    email: str | None
    role: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    errors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading the file


def read_table(data: bytes, filename: str) -> Table:
    """Read the first sheet of an .xlsx or a whole .csv file into a `Table`.

    Raises `ImportFileError` when the file has the wrong type, is too large, cannot be decoded
    or parsed, has no header row, or has more than `MAX_ROWS` data rows.
    """
    extension = PurePath(filename.strip()).suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise ImportFileError(_("Upload a CSV file or an Excel workbook (.xlsx)."))
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(megabytes)d MB. Split it into smaller files.")
            % {"megabytes": MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise ImportFileError(_empty_message())
    if extension == ".csv":
        return _read_csv(data)
    return _read_xlsx(data)


def _read_csv(data: bytes) -> Table:
    """Decode, find the delimiter and split into cells.

    1. NUL bytes mean a binary file (or UTF-16, which Excel only writes on request): refuse.
    2. Decode as UTF-8 (with or without BOM), else as Windows-1252, with a note to check.
    3. Refuse text with more than a stray control character (over 1%): binary that decoded.
    4. Take the delimiter from an Excel "sep=;" first line, else sniff it.
    """
    unreadable = _(
        "This file cannot be read as CSV. Save it from your spreadsheet program as "
        "“CSV UTF-8” or as an Excel workbook (.xlsx) and try again."
    )
    if b"\x00" in data:
        raise ImportFileError(unreadable)
    notes = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(unreadable) from exc
        notes.append(
            _(
                "The file is not in UTF-8, so it was read as Windows text (Windows-1252). "
                "Check that letters with accents came through correctly."
            )
        )
    text = text.rstrip("\x1a")  # the end-of-file mark of old DOS programs
    if len(_CONTROL.findall(text)) > max(len(text) // 100, 1):  # a stray one is tolerated
        raise ImportFileError(unreadable)

    first_line, _newline, rest = text.partition("\n")
    match = re.fullmatch(r"sep=([,;\t])", first_line.strip("\r"), re.IGNORECASE)
    if match:
        delimiter, text = match.group(1), rest
    else:
        delimiter = _sniff_delimiter(text)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _build_table(
            ((number, [_clean(cell) for cell in cells]) for number, cells in enumerate(reader, 1)),
            notes,
        )
    except csv.Error as exc:  # a field over csv.field_size_limit(), for example
        raise ImportFileError(unreadable) from exc


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Dutch Excel) or tab: ask csv.Sniffer, check it against the header."""
    filled = (line for line in io.StringIO(text, newline=None) if line.strip())
    lines = list(islice(filled, _SNIFF_LINES))
    if not lines:
        return ","
    header = lines[0]
    counts = {delimiter: header.count(delimiter) for delimiter in _DELIMITERS}
    sample = "".join(lines)
    if len(sample) > _SNIFF_CHARS:
        sample = sample[:_SNIFF_CHARS]
        sample = sample[: sample.rfind("\n") + 1] or sample  # whole lines only
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    # The sniffer guesses from consistency across lines and can pick a character that only
    # occurs in the data ("Jansen, Jan"); column headings rarely contain the delimiter.
    if sniffed and (counts[sniffed] or not any(counts.values())):
        return sniffed
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_xlsx(data: bytes) -> Table:
    """Read the first worksheet with openpyxl in read-only mode; formulas stay text."""
    unreadable = _(
        "This file cannot be read as an Excel workbook (.xlsx). If it is protected with a "
        "password, save a copy without one and try again."
    )
    notes: list[str] = []
    formulas: list[int] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_XLSX_UNPACKED:
                raise ImportFileError(unreadable)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheets = workbook.worksheets
            if not sheets:
                raise ImportFileError(_empty_message())
            sheet = sheets[0]
            if len(sheets) > 1:
                # The count is always 2 or more, so one plural form is enough.
                notes.append(
                    _(
                        "Only the first sheet, “%(sheet)s”, was read "
                        "(the file has %(count)d sheets)."
                    )
                    % {"sheet": sheet.title, "count": len(sheets)}
                )
            # Some programs write a wrong <dimension>, which would cut columns or rows off.
            sheet.reset_dimensions()
            table = _build_table(_xlsx_records(sheet, formulas), notes)
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:
        # openpyxl raises a wide, undocumented range of exceptions on malformed input
        # (BadZipFile, InvalidFileException, KeyError, ValueError, OSError, XML parse errors,
        # zlib.error, ...). The file is untrusted, so every one of them means "unreadable".
        raise ImportFileError(unreadable) from exc
    if formulas:
        table.notes.append(
            _("Some cells contain formulas. They were read as text, not calculated.")
        )
    return table


def _xlsx_records(sheet, formulas: list[int]) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells as text); append the row number of each formula to `formulas`."""
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        if number > _MAX_SHEET_ROWS:
            return
        cells = []
        for value in values:
            text, is_formula = _cell_text(value)
            if is_formula:
                formulas.append(number)
            cells.append(_clean(text))
        yield number, cells


def _cell_text(value: object) -> tuple[str, bool]:
    """The text of a spreadsheet value, and whether it was a formula."""
    if value is None:
        return "", False
    if isinstance(value, ArrayFormula):
        return value.text or "", True
    if isinstance(value, DataTableFormula):
        return "", True
    if isinstance(value, str):
        # With data_only=False openpyxl gives a formula as its text, "=..."; it stays data.
        return value, value.startswith("=")
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, datetime.datetime):
        return value.date().isoformat(), False
    if isinstance(value, datetime.date):
        return value.isoformat(), False
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), False  # "12", not "12.0"
    return str(value), False


def _build_table(records: Iterable[tuple[int, list[str]]], notes: list[str]) -> Table:
    """The first non-empty record is the header; drop empty records; pad to one width."""
    headers: list[str] | None = None
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    for number, cells in records:
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise ImportFileError(
                _(
                    "The file has more than %(max)d columns. Remove the columns you do not "
                    "need and try again."
                )
                % {"max": MAX_COLUMNS}
            )
        if headers is None:
            headers = cells
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(
                _(
                    "The file has more than %(max)d rows. "
                    "Split it into files of at most %(max)d rows."
                )
                % {"max": MAX_ROWS}
            )
        rows.append(cells)
        line_numbers.append(number)
    if headers is None:
        raise ImportFileError(_empty_message())
    width = max(len(cells) for cells in [headers, *rows])
    for cells in [headers, *rows]:
        cells.extend([""] * (width - len(cells)))
    return Table(headers=headers, rows=rows, line_numbers=line_numbers, notes=notes)


def _empty_message() -> str:
    return _("The file is empty: it has no row with column headings.")


def _clean(text: str) -> str:
    """Strip whitespace and invisible characters; drop control characters such as NUL."""
    return _CONTROL.sub("", text).strip().strip(_INVISIBLE).strip()


# ---------------------------------------------------------------------------------------------
# Which column is which


def _header_key(text: str) -> str:
    """Lower case without spaces, dashes, underscores and a trailing colon (or asterisk)."""
    return re.sub(r"[\s\-_]+", "", text.casefold()).rstrip(":*")


_HEADER_SYNONYMS = {
    name: {_header_key(synonym) for synonym in synonyms}
    for name, synonyms in {
        "name": ("naam", "volledige naam", "voor- en achternaam", "name", "full name"),
        "email": (
            "e-mail",
            "email",
            "e-mailadres",
            "mail",
            "mailadres",
            "email address",
        ),
        "role": ("rol", "role", "functie"),
        "starts_on": (
            "start",
            "startdatum",
            "begindatum",
            "begin",
            "vanaf",
            "start date",
            "starts on",
        ),
        "ends_on": (
            "eind",
            "einddatum",
            "einde",
            "tot",
            "tot en met",
            "t/m",
            "end",
            "end date",
            "ends on",
        ),
    }.items()
}


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """Map each of `FIELDS` to the index of the column whose heading names it, or None.

    Headings match in Dutch or English, ignoring case, spaces, dashes, underscores and a
    trailing colon. A column is used for one field at most.
    """
    keys = [_header_key(header) for header in headers]
    mapping: dict[str, int | None] = {}
    used: set[int] = set()
    for name in FIELDS:
        mapping[name] = None
        for index, key in enumerate(keys):
            if index not in used and key in _HEADER_SYNONYMS[name]:
                mapping[name] = index
                used.add(index)
                break
    return mapping


# ---------------------------------------------------------------------------------------------
# Values


def _role_key(text: str) -> str:
    """Lower case without accents, with single spaces; dashes and underscores count as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[\s\-_]+", " ", text).strip()
    return re.sub(r"\s*([/()])\s*", r"\1", text)


_ROLE_SYNONYMS = {
    _role_key(synonym): role.value
    for role, synonyms in {
        Role.STUDENT: ("student", "stagiair", "stagiaire", "stagiair(e)"),
        Role.PROFESSIONAL: ("professional", "professional (beroepspraktijk)", "medewerker"),
        Role.BRIDGE_BUILDER: ("bruggenbouwer", "bridge-builder", "bridgebuilder"),
        Role.SUPPORTER: (
            "ondersteuner",
            "supporter",
            "docent",
            "werkbegeleider",
            "praktijkbegeleider",
            "coach",
            "onderzoeksbegeleider",
            "opleider",
        ),
        Role.CLIENT: (
            "client",
            "ervaringsdeskundige",
            "experience expert",
            "client / experience expert",  # the role's English label
            "cliënt / ervaringsdeskundige",  # and its Dutch label
        ),
        Role.MANAGER: ("manager", "leidinggevende"),
    }.items()
    for synonym in synonyms
}


def parse_role(text: str) -> str:
    """The `Role` value for a role written in Dutch or English, or "" when not recognised."""
    return _ROLE_SYNONYMS.get(_role_key(text), "")


_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"  # "2026-09-01 00:00:00"
)
_DUTCH_DATE = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4})")


def parse_date(text: str) -> datetime.date | None:
    """Read a date written as 2026-09-01, 1-9-2026, 01/09/2026 or 01.09.2026 (day first).

    Returns None for an empty text; raises ValueError when the text is not such a date or
    the date does not exist (31-02-2026). Two-digit years are refused as ambiguous.
    """
    text = text.strip()
    if not text:
        return None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.group(1, 2, 3)
    elif match := _DUTCH_DATE.fullmatch(text):
        day, month, year = match.group(1, 3, 4)
    else:
        raise ValueError(f"not a date: {text[:_QUOTE_LENGTH]!r}")
    return datetime.date(int(year), int(month), int(day))


# ---------------------------------------------------------------------------------------------
# Rows


def parse_rows(
    table: Table, mapping: dict[str, int | None], *, default_start: datetime.date
) -> list[Row]:
    """Check every row of `table`, with columns as in `mapping`; see `Row`.

    Raises `ImportFileError` when the mapping has no column for the name or the role. A start
    date left empty becomes `default_start`. A row that repeats an earlier one (same e-mail
    address and role, or without an address the same name and role) gets an error naming the
    earlier line.
    """
    if mapping.get("name") is None and mapping.get("role") is None:
        raise ImportFileError(_("Choose the columns that hold the names and the roles."))
    if mapping.get("name") is None:
        raise ImportFileError(_("Choose the column that holds the names."))
    if mapping.get("role") is None:
        raise ImportFileError(_("Choose the column that holds the roles."))

    rows = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, cells in enumerate(table.rows):
        line = table.line_numbers[index] if index < len(table.line_numbers) else index + 2
        row = _parse_row(cells, mapping, line=line, default_start=default_start)
        key = _duplicate_key(row)
        if key is not None:
            if key in seen:
                row.errors.append(
                    _("This person already appears with this role on line %(line)d.")
                    % {"line": seen[key]}
                )
            else:
                seen[key] = line
        rows.append(row)
    return rows


def _parse_row(
    cells: list[str], mapping: dict[str, int | None], *, line: int, default_start: datetime.date
) -> Row:
    def cell(name: str) -> str:
        index = mapping.get(name)
        if index is None or not 0 <= index < len(cells):
            return ""
        return _clean(cells[index])

    errors: list[str] = []
    name = " ".join(cell("name").split())  # a line break typed inside the cell becomes a space
    if not name:
        errors.append(_("The name is missing."))
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(_("The name is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH})
    email = _email(cell("email").lower() or None, errors)
    role = _role(" ".join(cell("role").split()), errors)
    starts_on, ends_on = _dates(cell("starts_on"), cell("ends_on"), default_start, errors)
    return Row(
        line=line,
        name=name,
        email=email,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        errors=errors,
    )


def _email(email: str | None, errors: list[str]) -> str | None:
    """The row's address (lower case) as written; what is wrong with it goes to ``errors``."""
    if email and len(email) > MAX_EMAIL_LENGTH:
        errors.append(
            _("The e-mail address is longer than %(max)d characters.") % {"max": MAX_EMAIL_LENGTH}
        )
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("“%(email)s” is not a valid e-mail address.") % {"email": _quoted(email)}
            )
    return email


def _role(written_role: str, errors: list[str]):
    """The role the row names (in Dutch or English), or None with the reason in ``errors``."""
    role = parse_role(written_role)
    if not written_role:
        errors.append(_("The role is missing."))
    elif not role:
        errors.append(
            _("“%(role)s” is not a known role. Use one of: %(roles)s.")
            % {"role": _quoted(written_role), "roles": ", ".join(str(r.label) for r in Role)}
        )
    return role


def _dates(start: str, end: str, default_start: datetime.date, errors: list[str]):
    """The placement's start (the import's default when empty) and end date."""
    try:
        starts_on = parse_date(start) or default_start
    except ValueError:
        starts_on = None
        errors.append(
            _(
                "“%(date)s” is not a readable start date. Write dates as day-month-year, "
                "for example 31-08-2026."
            )
            % {"date": _quoted(start)}
        )
    try:
        ends_on = parse_date(end)
    except ValueError:
        ends_on = None
        errors.append(
            _(
                "“%(date)s” is not a readable end date. Write dates as day-month-year, "
                "for example 31-08-2026."
            )
            % {"date": _quoted(end)}
        )
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(_("The end date is before the start date."))
    return starts_on, ends_on


def _duplicate_key(row: Row) -> tuple[str, str, str] | None:
    """What makes two rows the same person in the same role; None when there is nothing to go on."""
    if not row.role:
        return None
    if row.email:
        return ("email", row.email, row.role)
    if row.name:
        return ("name", unicodedata.normalize("NFC", row.name).casefold(), row.role)
    return None


def _quoted(value: str) -> str:
    """A value to quote in a message: shortened, and isolated when it holds right-to-left text.

    The isolate marks keep right-to-left text or direction controls in the value from
    reordering the rest of the sentence.
    """
    if len(value) > _QUOTE_LENGTH:
        value = value[: _QUOTE_LENGTH - 1] + "…"
    if any(unicodedata.bidirectional(char) in _RTL_OR_CONTROL for char in value):
        value = "\u2068" + value + "\u2069"
    return value
