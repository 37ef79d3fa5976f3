"""Reading and checking cohort files (CSV and XLSX), without the database."""

from __future__ import annotations

import datetime
import io
import random
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from werkplaats.cohort_import import (
    FIELDS,
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    Row,
    Table,
    guess_mapping,
    parse_date,
    parse_role,
    parse_rows,
    read_table,
)

START = datetime.date(2026, 9, 1)
MAPPING = {"name": 0, "email": 1, "role": 2, "starts_on": 3, "ends_on": 4}


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file as Excel would save it, one sheet per entry, rows as given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table(*rows: list[str], first_line: int = 2) -> Table:
    """A table with the five fields in order, rows numbered from `first_line`."""
    return Table(
        headers=["Naam", "E-mail", "Rol", "Start", "Einde"],
        rows=[list(row) for row in rows],
        line_numbers=list(range(first_line, first_line + len(rows))),
        notes=[],
    )


def one_row(*cells: str) -> Row:
    [row] = parse_rows(table(list(cells)), MAPPING, default_start=START)
    return row


# ---------------------------------------------------------------------------------------------
# CSV


def test_a_utf8_csv_with_a_byte_order_mark_has_clean_headers():
    data = "\ufeffNaam,E-mail,Rol\r\nAnaïs Müller , anais@example.nl,student\r\n".encode()

    result = read_table(data, "cohort.csv")

    assert result.headers == ["Naam", "E-mail", "Rol"]
    assert result.rows == [["Anaïs Müller", "anais@example.nl", "student"]]
    assert result.line_numbers == [2]
    assert result.notes == []


def test_a_windows_1252_csv_with_semicolons_from_dutch_excel_is_read_with_a_note():
    text = "Naam;E-mailadres;Rol\r\nAnaïs Müller;anais@example.nl;stagiaire\r\n"
    data = text.encode("cp1252")
    assert b"\xef" in data  # ï as one Windows-1252 byte: not valid UTF-8

    result = read_table(data, "Cohort 2026.CSV")

    assert result.headers == ["Naam", "E-mailadres", "Rol"]
    assert result.rows == [["Anaïs Müller", "anais@example.nl", "stagiaire"]]
    assert len(result.notes) == 1


def test_the_windows_1252_note_reads_as_a_sentence_in_english():
    with translation.override("en"):
        result = read_table("naam;rol\nJoël;docent\n".encode("cp1252"), "a.csv")

    assert result.notes == [
        "The file is not in UTF-8, so it was read as Windows text (Windows-1252). "
        "Check that letters with accents came through correctly."
    ]


def test_a_tab_separated_file_is_split_on_tabs():
    data = b"naam\te-mail\trol\nJan, de Vries\tjan@example.nl\tdocent\n"

    result = read_table(data, "export.csv")

    assert result.headers == ["naam", "e-mail", "rol"]
    assert result.rows == [["Jan, de Vries", "jan@example.nl", "docent"]]


def test_a_comma_inside_the_data_does_not_fool_the_semicolon_detection():
    data = b"naam;rol\nJansen, Jan;student\nVries, Piet de;docent\n"

    result = read_table(data, "a.csv")

    assert result.rows == [["Jansen, Jan", "student"], ["Vries, Piet de", "docent"]]


def test_an_excel_sep_line_sets_the_delimiter_and_is_not_a_row():
    result = read_table(b"sep=;\r\nnaam;rol\r\nJan;student\r\n", "a.csv")

    assert result.headers == ["naam", "rol"]
    assert result.rows == [["Jan", "student"]]
    assert result.line_numbers == [2]


def test_quoted_cells_keep_delimiters_and_line_breaks():
    data = b'naam;rol\r\n"Jansen; Jan";"student"\r\n"Piet\r\nde Vries";docent\r\nAn;coach\r\n'

    result = read_table(data, "a.csv")

    assert result.rows == [
        ["Jansen; Jan", "student"],
        ["Piet\r\nde Vries", "docent"],
        ["An", "coach"],
    ]
    assert result.line_numbers == [2, 3, 4]  # rows as a spreadsheet numbers them


def test_old_mac_line_endings_are_read():
    result = read_table(b"naam;rol\rJan;student\rPiet;docent\r", "a.csv")

    assert result.rows == [["Jan", "student"], ["Piet", "docent"]]


def test_empty_rows_in_the_middle_are_dropped_and_line_numbers_stay_right():
    data = b"\nnaam,rol\nJan,student\n\n,,\n  ,  \nPiet,docent\n\n"

    result = read_table(data, "a.csv")

    assert result.headers == ["naam", "rol"]
    assert result.rows == [["Jan", "student"], ["Piet", "docent"]]
    assert result.line_numbers == [3, 7]


def test_rows_are_padded_to_the_widest_row_and_trailing_empty_columns_dropped():
    data = b"naam,rol,,\nJan,student,,\nPiet,docent,extra\n"

    result = read_table(data, "a.csv")

    assert result.headers == ["naam", "rol", ""]
    assert result.rows == [["Jan", "student", ""], ["Piet", "docent", "extra"]]


def test_a_file_larger_than_max_bytes_is_refused():
    data = b"naam,rol\n" + b"Jan,student\n" * (MAX_BYTES // 12 + 1)
    assert len(data) > MAX_BYTES

    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        read_table(data, "big.csv")

    assert str(caught.value) == "The file is larger than 10 MB. Split it into smaller files."


def test_a_file_of_exactly_max_bytes_is_read():
    header = b"naam;rol;opmerking\n"
    lines = [b"Persoon %d;student;%s\n" % (n, b"x" * 5200) for n in range(MAX_ROWS)]
    lines[-1] = lines[-1][:-1] + b"y" * (MAX_BYTES - len(header) - sum(map(len, lines))) + b"\n"
    data = header + b"".join(lines)
    assert len(data) == MAX_BYTES

    result = read_table(data, "big.csv")

    assert len(result.rows) == MAX_ROWS
    assert result.rows[0] == ["Persoon 0", "student", "x" * 5200]


def test_more_than_max_rows_is_refused_naming_the_limit():
    lines = ["naam;rol"] + [f"Persoon {n};student" for n in range(MAX_ROWS + 1)]
    data = "\n".join(lines).encode()

    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        read_table(data, "a.csv")

    assert str(caught.value) == (
        "The file has more than 2000 rows. Split it into files of at most 2000 rows."
    )


def test_exactly_max_rows_is_accepted():
    lines = ["naam;rol"] + [f"Persoon {n};student" for n in range(MAX_ROWS)]
    data = ("\n".join(lines) + "\n\n\n").encode()

    result = read_table(data, "a.csv")

    assert len(result.rows) == MAX_ROWS
    assert result.line_numbers[-1] == MAX_ROWS + 1
    assert result.rows[-1] == [f"Persoon {MAX_ROWS - 1}", "student"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n\r\n   \r\n",
        b";;;\n;;;\n",
        b"\t\t\n,,\n",
        "\ufeff".encode(),
    ],
)
def test_a_file_without_a_header_row_is_refused(data):
    with pytest.raises(ImportFileError):
        read_table(data, "empty.csv")


def test_a_file_with_only_a_header_row_has_no_rows():
    result = read_table(b"naam;rol\n", "a.csv")

    assert result.headers == ["naam", "rol"]
    assert result.rows == []
    assert result.line_numbers == []


def test_binary_garbage_named_csv_is_refused_with_a_message():
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        read_table(bytes(range(256)) * 40, "cohort.csv")

    assert str(caught.value) == (
        "This file cannot be read as CSV. Save it from your spreadsheet program as "
        "“CSV UTF-8” or as an Excel workbook (.xlsx) and try again."
    )


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1).randbytes(5000).replace(b"\x00", b""),  # no NUL byte
        b"naam,rol\n\x81\x8d\x8f,student\n",  # not UTF-8 and undefined in Windows-1252
        b"naam,rol\n" + bytes(range(1, 9)) * 20 + b",student\n",  # control characters
        "naam,rol\nJan,student\n".encode("utf-16"),  # NUL bytes
        xlsx_bytes({"Blad1": [["naam", "rol"]]}),  # a workbook renamed to .csv
    ],
)
def test_files_that_are_not_text_are_refused_as_csv(data):
    with pytest.raises(ImportFileError):
        read_table(data, "cohort.csv")


@pytest.mark.parametrize(
    "filename", ["cohort.pdf", "cohort.xls", "cohort", "csv", "cohort.csv.exe"]
)
def test_other_file_types_are_refused(filename):
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        read_table(b"naam,rol\nJan,student\n", filename)

    assert str(caught.value) == "Upload a CSV file or an Excel workbook (.xlsx)."


def test_cells_keep_unicode_and_right_to_left_text_and_lose_nul_and_control_characters():
    long_name = "ß" * 10_000
    text = f"naam;rol\n{long_name};student\nمحمد العلي;docent\nJan\x01 \u200b;coach\n"

    result = read_table(text.encode(), "a.csv")

    assert result.rows == [[long_name, "student"], ["محمد العلي", "docent"], ["Jan", "coach"]]


# ---------------------------------------------------------------------------------------------
# XLSX


def test_an_xlsx_reads_only_the_first_sheet_with_a_note():
    data = xlsx_bytes(
        {
            "Blad1": [["Naam", "Rol"], ["Jan", "student"]],
            "Blad2": [["Other", "Sheet"], ["Piet", "docent"]],
            "Blad3": [],
        }
    )

    with translation.override("en"):
        result = read_table(data, "cohort.xlsx")

    assert result.headers == ["Naam", "Rol"]
    assert result.rows == [["Jan", "student"]]
    assert result.line_numbers == [2]
    assert result.notes == ["Only the first sheet, “Blad1”, was read (the file has 3 sheets)."]


def test_an_xlsx_with_one_sheet_has_no_notes():
    result = read_table(xlsx_bytes({"Sheet": [["Naam", "Rol"], ["Jan", "student"]]}), "A.XLSX")

    assert result.rows == [["Jan", "student"]]
    assert result.notes == []


def test_formula_cells_come_back_as_their_literal_text_with_a_note():
    hyperlink = '=HYPERLINK("mailto:jan@example.nl","jan@example.nl")'
    data = xlsx_bytes({"Blad1": [["Naam", "E-mail", "Rol"], ["Jan", hyperlink, "=1+1"]]})

    with translation.override("en"):
        result = read_table(data, "cohort.xlsx")

    assert result.rows == [["Jan", hyperlink, "=1+1"]]
    assert result.notes == ["Some cells contain formulas. They were read as text, not calculated."]


def test_date_cells_become_iso_dates_and_numbers_plain_text():
    rows = [
        ["Naam", "Start", "Einde", "Nummer", "Half", "Groot", "Waar"],
        [
            "Jan",
            datetime.date(2026, 9, 1),
            datetime.datetime(2027, 1, 31, 14, 30),
            12.0,
            12.5,
            1234567,
            True,
        ],
    ]

    result = read_table(xlsx_bytes({"Blad1": rows}), "cohort.xlsx")

    assert result.rows == [["Jan", "2026-09-01", "2027-01-31", "12", "12.5", "1234567", "TRUE"]]


def test_xlsx_empty_rows_are_dropped_and_rows_keep_their_sheet_numbers():
    rows = [[], ["Naam", "Rol"], ["Jan", "student"], [], [None, "  "], ["Piet", "docent"]]

    result = read_table(xlsx_bytes({"Blad1": rows}), "cohort.xlsx")

    assert result.headers == ["Naam", "Rol"]
    assert result.rows == [["Jan", "student"], ["Piet", "docent"]]
    assert result.line_numbers == [3, 6]


def test_an_xlsx_with_more_than_max_rows_is_refused():
    rows = [["Naam", "Rol"]] + [[f"Persoon {n}", "student"] for n in range(MAX_ROWS + 1)]

    with pytest.raises(ImportFileError):
        read_table(xlsx_bytes({"Blad1": rows}), "cohort.xlsx")


def test_an_xlsx_with_an_empty_first_sheet_is_refused():
    with pytest.raises(ImportFileError):
        read_table(xlsx_bytes({"Leeg": [], "Blad2": [["Naam"], ["Jan"]]}), "cohort.xlsx")


def not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 this is not really a zip file",
        b"naam,rol\nJan,student\n",
        b"%PDF-1.7\n" + bytes(range(256)),
        xlsx_bytes({"Blad1": [["Naam", "Rol"], ["Jan", "student"]]})[:2000],  # cut off
        not_a_workbook(),
    ],
    ids=["bad-zip", "csv-text", "pdf", "truncated", "zip-without-workbook"],
)
def test_a_corrupt_xlsx_is_refused_with_a_message(data):
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        read_table(data, "cohort.xlsx")

    assert str(caught.value) == (
        "This file cannot be read as an Excel workbook (.xlsx). If it is protected with a "
        "password, save a copy without one and try again."
    )


def test_a_row_number_beyond_the_last_row_of_excel_does_not_keep_the_reader_busy():
    workbook = xlsx_bytes({"Blad1": [["Naam", "Rol"], ["Jan", "student"], ["Piet", "docent"]]})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # move row 3 to row 999999999999
                for old in (b'r="3"', b'r="A3"', b'r="B3"'):
                    assert old in content
                    content = content.replace(old, old.replace(b"3", b"999999999999"))
            target.writestr(info, content)

    result = read_table(buffer.getvalue(), "cohort.xlsx")

    assert result.rows == [["Jan", "student"]]


def test_a_workbook_that_unpacks_to_far_too_much_is_refused():
    workbook = xlsx_bytes({"Blad1": [["Naam", "Rol"], ["Jan", "student"]]})
    assert read_table(workbook, "cohort.xlsx").rows == [["Jan", "student"]]
    buffer = io.BytesIO(workbook)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(21):  # 210 MB of zeros: a few hundred kB once compressed
            member.write(bytes(MAX_BYTES))
    assert len(buffer.getvalue()) < MAX_BYTES

    with pytest.raises(ImportFileError):
        read_table(buffer.getvalue(), "cohort.xlsx")


# ---------------------------------------------------------------------------------------------
# Guessing the mapping


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Naam", "E-mailadres", "Rol", "Startdatum", "Einddatum"],
            {"name": 0, "email": 1, "role": 2, "starts_on": 3, "ends_on": 4},
        ),
        (
            ["Full name", "Email address", "Role", "Start date", "End date"],
            {"name": 0, "email": 1, "role": 2, "starts_on": 3, "ends_on": 4},
        ),
        (
            ["Studentnummer", " VOLLEDIGE NAAM: ", "Functie", "e_mail", "Vanaf", "Tot"],
            {"name": 1, "email": 3, "role": 2, "starts_on": 4, "ends_on": 5},
        ),
        (
            ["ends_on", "starts_on", "role", "email", "name"],
            {"name": 4, "email": 3, "role": 2, "starts_on": 1, "ends_on": 0},
        ),
        (
            ["Mail", "Begin", "Einde", "Naam", "Naam"],
            {"name": 3, "email": 0, "role": None, "starts_on": 1, "ends_on": 2},
        ),
        ([], dict.fromkeys(FIELDS)),
        (["Voornaam", "Achternaam", "Opleiding", ""], dict.fromkeys(FIELDS)),
    ],
)
def test_guess_mapping_finds_dutch_and_english_headers(headers, expected):
    assert guess_mapping(headers) == expected


def test_guess_mapping_uses_each_column_once():
    mapping = guess_mapping(["naam", "Naam", "rol"])

    assert mapping["name"] == 0
    assert sorted(index for index in mapping.values() if index is not None) == [0, 2]


# ---------------------------------------------------------------------------------------------
# Roles and dates


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("student", "student"),
        ("Stagiair", "student"),
        ("STAGIAIRE", "student"),
        ("stagiair(e)", "student"),
        ("professional", "professional"),
        ("Professional (beroepspraktijk)", "professional"),
        ("medewerker", "professional"),
        ("Bruggenbouwer", "bridge_builder"),
        ("bridge-builder", "bridge_builder"),
        ("Bridge builder", "bridge_builder"),
        ("bridge_builder", "bridge_builder"),
        ("ondersteuner", "supporter"),
        ("supporter", "supporter"),
        ("Docent", "supporter"),
        ("werkbegeleider", "supporter"),
        ("praktijkbegeleider", "supporter"),
        ("coach", "supporter"),
        ("onderzoeksbegeleider", "supporter"),
        ("opleider", "supporter"),
        ("client", "client"),
        ("Cliënt", "client"),
        ("CLIËNT", "client"),
        ("ervaringsdeskundige", "client"),
        ("Experience expert", "client"),
        ("cliënt / ervaringsdeskundige", "client"),
        ("manager", "manager"),
        ("Leidinggevende", "manager"),
        ("  student  ", "student"),
        ("astronaut", ""),
        ("", ""),
        ("stud", ""),
        ("student docent", ""),
        ("مدير", ""),
        ("x" * 10_000, ""),
    ],
)
def test_parse_role_reads_dutch_and_english_roles(text, role):
    assert parse_role(text) == role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("   ", None),
        ("2026-09-01", datetime.date(2026, 9, 1)),
        ("01-09-2026", datetime.date(2026, 9, 1)),
        ("1-9-2026", datetime.date(2026, 9, 1)),
        ("01/09/2026", datetime.date(2026, 9, 1)),
        ("1/9/2026", datetime.date(2026, 9, 1)),
        ("01.09.2026", datetime.date(2026, 9, 1)),
        ("31-12-2026", datetime.date(2026, 12, 31)),
        ("2026-09-01 00:00:00", datetime.date(2026, 9, 1)),
        (" 29-02-2028 ", datetime.date(2028, 2, 29)),
    ],
)
def test_parse_date_reads_the_formats_of_dutch_spreadsheets(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31-02-2026",
        "29-02-2027",
        "2026-13-01",
        "00-01-2026",
        "0000-01-01",
        "1-9-26",
        "01-09/2026",
        "1 september 2026",
        "2026/09/01",
        "45901",
        "morgen",
        "٠١-٠٩-٢٠٢٦",
        "2026-09-01T",
        "9" * 10_000,
    ],
)
def test_parse_date_refuses_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        parse_date(text)


# ---------------------------------------------------------------------------------------------
# Rows


def test_a_complete_row_is_valid_and_cleaned():
    row = one_row(" Anaïs  Müller ", " Anais@Example.NL ", "Stagiaire", "1-9-2026", "31-01-2027")

    assert row == Row(
        line=2,
        name="Anaïs Müller",
        email="anais@example.nl",
        role="student",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 1, 31),
        errors=[],
    )


def test_an_empty_start_date_becomes_the_default_start():
    row = one_row("Jan", "", "docent", "", "")

    assert row.starts_on == START
    assert row.ends_on is None
    assert row.email is None
    assert row.errors == []


def test_a_mapping_without_date_columns_uses_the_default_start():
    rows = parse_rows(table(["Jan", "", "docent"]), {"name": 0, "role": 2}, default_start=START)

    assert [(row.name, row.role, row.starts_on, row.ends_on, row.errors) for row in rows] == [
        ("Jan", "supporter", START, None, [])
    ]


def test_short_rows_read_missing_cells_as_empty():
    rows = parse_rows(table(["Jan"]), MAPPING, default_start=START)

    assert [(row.name, row.email, row.role, row.starts_on) for row in rows] == [
        ("Jan", None, "", START)
    ]
    assert len(rows[0].errors) == 1  # the role is missing


def test_a_missing_name_is_an_error():
    row = one_row("   ", "jan@example.nl", "student", "", "")

    assert row.name == ""
    assert len(row.errors) == 1


def test_a_name_longer_than_200_characters_is_an_error():
    assert one_row("a" * 200, "", "student", "", "").errors == []
    assert len(one_row("a" * 201, "", "student", "", "").errors) == 1


@pytest.mark.parametrize(
    "email", ["jan", "jan@", "@example.nl", "jan@example", "jan example@x.nl", "=HYPERLINK(x)"]
)
def test_an_invalid_email_address_is_an_error(email):
    row = one_row("Jan", email, "student", "", "")

    assert row.email == email.lower()
    assert len(row.errors) == 1


def test_an_invalid_email_address_is_quoted_in_the_message():
    with translation.override("en"):
        row = one_row("Jan", "Jan@Example", "student", "", "")

    assert row.errors == ["“jan@example” is not a valid e-mail address."]


def test_an_email_address_longer_than_254_characters_is_an_error():
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".nl"
    assert len(email) == 250
    assert one_row("Jan", email, "student", "", "").errors == []

    longer = "a" * 64 + "@" + ".".join(["b" * 61] * 3) + ".example.nl"
    assert len(longer) > 254
    with translation.override("en"):
        row = one_row("Jan", longer, "student", "", "")
    assert row.errors == ["The e-mail address is longer than 254 characters."]


def test_a_missing_role_is_an_error():
    row = one_row("Jan", "", "  ", "", "")

    assert row.role == ""
    assert len(row.errors) == 1


def test_an_unknown_role_is_an_error_that_quotes_what_was_written():
    with translation.override("en"):
        row = one_row("Jan", "", "Astronaut", "", "")

    assert row.role == ""
    assert row.errors == [
        "“Astronaut” is not a known role. Use one of: student, professional, bridge-builder, "
        "supporter, client / experience expert, manager."
    ]


def test_a_long_unknown_role_is_shortened_in_the_message():
    row = one_row("Jan", "", "x" * 10_000, "", "")

    assert len(row.errors) == 1
    assert "x" * 59 + "…" in row.errors[0]
    assert len(row.errors[0]) < 500


def test_right_to_left_text_in_a_message_is_isolated():
    row = one_row("محمد", "", "مدير", "", "")

    assert row.name == "محمد"
    assert len(row.errors) == 1
    assert "\u2068مدير\u2069" in row.errors[0]


def test_an_unreadable_start_date_is_an_error():
    with translation.override("en"):
        row = one_row("Jan", "", "student", "morgen", "")

    assert row.starts_on is None
    assert row.errors == [
        "“morgen” is not a readable start date. Write dates as day-month-year, "
        "for example 31-08-2026."
    ]


def test_an_unreadable_end_date_is_an_error():
    row = one_row("Jan", "", "student", "", "31-02-2027")

    assert row.starts_on == START
    assert row.ends_on is None
    assert len(row.errors) == 1


def test_an_end_before_the_start_is_an_error():
    with translation.override("en"):
        row = one_row("Jan", "", "student", "01-09-2026", "31-08-2026")

    assert row.errors == ["The end date is before the start date."]


def test_an_end_before_the_default_start_is_an_error():
    assert len(one_row("Jan", "", "student", "", "31-08-2026").errors) == 1


def test_an_end_on_the_start_day_is_valid():
    assert one_row("Jan", "", "student", "01-09-2026", "2026-09-01").errors == []


def test_a_row_with_every_problem_gets_every_error():
    row = one_row("", "geen-adres", "astronaut", "gisteren", "morgen")

    assert len(row.errors) == 5


def test_a_repeated_email_and_role_is_an_error_on_the_later_row_naming_the_earlier_line():
    rows = parse_rows(
        table(
            ["Jan", "jan@example.nl", "student", "", ""],
            ["Piet", "piet@example.nl", "student", "", ""],
            ["Jan Jansen", "JAN@example.nl", "stagiair", "", ""],
            ["Jan", "jan@example.nl", "docent", "", ""],
            first_line=5,
        ),
        MAPPING,
        default_start=START,
    )

    assert [len(row.errors) for row in rows] == [0, 0, 1, 0]
    with translation.override("en"):
        rows = parse_rows(
            table(["Jan", "jan@example.nl", "student"], ["Jan", "jan@example.nl", "student"]),
            MAPPING,
            default_start=START,
        )
    assert rows[1].errors == ["This person already appears with this role on line 2."]


def test_without_an_email_address_a_repeated_name_and_role_is_an_error():
    rows = parse_rows(
        table(
            ["Anaïs Müller", "", "student"],
            ["anaïs  MÜLLER", "", "Stagiaire"],
            ["Anaïs Müller", "", "docent"],
            ["Anaïs Müller", "anais@example.nl", "student"],
            ["ANAÏS MÜLLER", "", "student"],
        ),
        MAPPING,
        default_start=START,
    )

    assert [len(row.errors) for row in rows] == [0, 1, 0, 0, 1]
    assert all("2" in error for error in rows[1].errors + rows[4].errors)


def test_rows_without_a_known_role_are_not_reported_as_repeated():
    rows = parse_rows(
        table(["Jan", "", "astronaut"], ["Jan", "", "astronaut"]), MAPPING, default_start=START
    )

    assert [len(row.errors) for row in rows] == [1, 1]


def test_rows_keep_the_line_numbers_of_the_table():
    result = read_table(b"naam;rol\n\nJan;student\n\n\nPiet;docent\n", "a.csv")

    rows = parse_rows(result, {"name": 0, "role": 1}, default_start=START)

    assert [row.line for row in rows] == [3, 6]


def test_nul_and_control_characters_are_stripped_from_values():
    row = one_row("Jan\x00 Jansen\x00", "jan\x00@example.nl", "stu\x00dent", "1-9-2026\x00", "")

    assert (row.name, row.email, row.role, row.starts_on) == (
        "Jan Jansen",
        "jan@example.nl",
        "student",
        START,
    )
    assert row.errors == []


def test_any_text_in_any_cell_never_crashes():
    strange = [
        "\u202emalicious\u202c",
        "x" * 10_000,
        "=cmd|' /C calc'!A0",
        "🙂" * 100,
        "\ud7ff\ue000\uffff",
        "עברית",
        "\r\n\t",
    ]
    rows = parse_rows(table(*[[value] * 5 for value in strange]), MAPPING, default_start=START)

    assert len(rows) == len(strange)
    assert all(isinstance(error, str) for row in rows for error in row.errors)
    assert all(len(error) < 1000 for row in rows for error in row.errors)


@pytest.mark.parametrize(
    "mapping",
    [
        {"name": None, "email": 1, "role": 2},
        {"email": 1, "role": 2},
        {"name": 0, "email": 1, "role": None},
        {"name": 0},
        {},
    ],
)
def test_a_mapping_without_a_name_or_role_column_is_refused(mapping):
    with pytest.raises(ImportFileError):
        parse_rows(table(["Jan", "", "student"]), mapping, default_start=START)


def test_the_mapping_message_names_what_is_missing():
    with translation.override("en"):
        with pytest.raises(ImportFileError) as caught:
            parse_rows(table(), {"name": 0}, default_start=START)
        assert str(caught.value) == "Choose the column that holds the roles."
        with pytest.raises(ImportFileError) as caught:
            parse_rows(table(), {}, default_start=START)
        assert str(caught.value) == "Choose the columns that hold the names and the roles."


def test_a_whole_dutch_excel_file_from_bytes_to_rows():
    text = (
        "Naam;E-mailadres;Rol;Startdatum;Einddatum\r\n"
        "Anaïs Müller;anais@example.nl;Stagiaire;1-9-2026;31-1-2027\r\n"
        ";;;;\r\n"
        "Joël de Vries;;Cliënt;;\r\n"
        "Anaïs Müller;ANAIS@example.nl;student;;\r\n"
    )
    result = read_table(text.encode("cp1252"), "cohort.csv")

    rows = parse_rows(result, guess_mapping(result.headers), default_start=START)

    assert [(row.line, row.name, row.email, row.role, len(row.errors)) for row in rows] == [
        (2, "Anaïs Müller", "anais@example.nl", "student", 0),
        (4, "Joël de Vries", None, "client", 0),
        (5, "Anaïs Müller", "anais@example.nl", "student", 1),
    ]
