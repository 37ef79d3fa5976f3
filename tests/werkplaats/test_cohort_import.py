"""The cohort import end to end (issue 14): upload, map, preview, import all valid rows in one
transaction or none; re-importing recognises everybody; two imports at once add each person
once (PostgreSQL); the import's queries do not grow with the file."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook

from tests.factories import MembershipFactory, PersonFactory, WorkplaceFactory, member_user
from werkplaats import people_services
from werkplaats.cohort_import import Table, guess_mapping, parse_rows
from werkplaats.models import CohortImport, Membership, Person, Role

pytestmark = pytest.mark.django_db

DUTCH_EXCEL = (
    "Naam;E-mail;Rol;Startdatum;Einddatum\r\n"
    "Anaïs Müller;anais@hogeschool.example;student;01-09-2026;31-08-2027\r\n"
    "Bart de Bruin;bart@hogeschool.example;Stagiaire;1-9-2026;\r\n"
    ";;;;\r\n"
    "Cas Cliënt;;ervaringsdeskundige;01-09-2026;\r\n"
    "Dirk Dubbel;bart@hogeschool.example;student;01-09-2026;\r\n"
    "Eva Fout;geen-adres;student;01-09-2026;\r\n"
    '=HYPERLINK("http://x");formule@hogeschool.example;student;01-09-2026;\r\n'
).encode("cp1252")


def upload(client, workplace, content: bytes, name: str):
    return client.post(
        f"/pw/{workplace.slug}/members/import/", {"file": SimpleUploadedFile(name, content)}
    )


def run_import(client, workplace, content: bytes, name: str = "cohort.csv"):
    """Upload, accept the guessed columns, import; the report page."""
    uploaded = upload(client, workplace, content, name)
    assert uploaded.status_code == 302, uploaded.content.decode()[:500]
    mapping_url = uploaded["Location"]
    form = client.get(mapping_url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    preview = client.post(mapping_url, data)
    assert preview.status_code == 302
    return client.post(preview["Location"], {"action": "import"})


def test_a_dutch_excel_csv_is_previewed_then_imported(manage, workplace):
    uploaded = upload(manage, workplace, DUTCH_EXCEL, "cohort september.csv")
    mapping = manage.get(uploaded["Location"])
    assert mapping.status_code == 200
    form = mapping.context["form"]
    assert [form[name].value() for name in ("name", "email", "role", "starts_on", "ends_on")] == [
        "0", "1", "2", "3", "4"
    ]  # fmt: skip
    data = {name: form[name].value() for name in form.fields}
    preview_url = manage.post(uploaded["Location"], data)["Location"]
    preview = manage.get(preview_url)
    assert preview.context["counts"] == {"add": 4, "match": 0, "skip": 2}
    text = preview.content.decode()
    assert "Anaïs Müller" in text and "=HYPERLINK" in text  # a formula is data
    assert not Person.objects.filter(name="Anaïs Müller").exists()  # nothing saved yet
    report = manage.post(preview_url, {"action": "import"})
    assert report.status_code == 200
    assert (report.context["report"].added, report.context["report"].matched) == (4, 0)
    assert [line for line, _reason in report.context["report"].skipped] == [6, 7]
    anais = Membership.objects.get(person__name="Anaïs Müller", workplace=workplace)
    assert (anais.role, str(anais.starts_on), str(anais.ends_on)) == (
        "student", "2026-09-01", "2027-08-31"
    )  # fmt: skip
    assert Membership.objects.get(person__name="Cas Cliënt").role == "client"
    assert Person.objects.get(name="Cas Cliënt").email is None
    assert not CohortImport.objects.exists()


def test_importing_the_same_file_again_recognises_everybody(manage, workplace):
    run_import(manage, workplace, DUTCH_EXCEL)
    people = Person.objects.count()
    report = run_import(manage, workplace, DUTCH_EXCEL).context["report"]
    assert (report.added, report.matched) == (0, 0)
    assert len(report.skipped) == 6
    assert Person.objects.count() == people


def test_a_person_known_elsewhere_is_matched_not_duplicated(manage, workplace):
    elsewhere = WorkplaceFactory()
    known = PersonFactory(name="Anaïs M.", email="ANAIS@hogeschool.example")
    MembershipFactory(person=known, workplace=elsewhere, role=Role.PROFESSIONAL)
    report = run_import(manage, workplace, DUTCH_EXCEL).context["report"]
    assert (report.added, report.matched) == (3, 1)
    assert known.memberships.filter(workplace=workplace, role="student").exists()
    assert Person.objects.filter(email__iexact="anais@hogeschool.example").count() == 1


def test_an_xlsx_file_with_two_sheets_is_imported_from_the_first(manage, workplace):
    book = Workbook()
    sheet = book.active
    sheet.title = "Cohort"
    sheet.append(["name", "email", "role", "start"])
    for n in range(5):
        sheet.append([f"Student {n}", f"s{n}@hogeschool.example", "student", "2026-09-01"])
    book.create_sheet("Notities").append(["niet importeren"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(manage, workplace, buffer.getvalue(), "cohort.xlsx").context["report"]
    assert report.added == 5
    assert Membership.objects.filter(workplace=workplace, role="student").count() == 5


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4 not a table", "cohort.pdf"),
        (b"PK\x03\x04 broken zip", "cohort.xlsx"),
        (b"", "empty.csv"),
        (b"naam;rol\r\n" + b"Sam;student\r\n" * 2001, "too-long.csv"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_clear_error(manage, workplace, content, name):
    response = upload(manage, workplace, content, name)
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not CohortImport.objects.exists()


def test_cancelling_imports_nothing(manage, workplace):
    uploaded = upload(manage, workplace, DUTCH_EXCEL, "cohort.csv")
    form = manage.get(uploaded["Location"]).context["form"]
    preview_url = manage.post(
        uploaded["Location"], {n: form[n].value() or "" for n in form.fields}
    )["Location"]
    assert manage.post(preview_url, {"action": "cancel"}).status_code == 302
    assert not Person.objects.filter(name="Anaïs Müller").exists()
    assert not CohortImport.objects.exists()


def test_a_mapping_without_name_or_role_is_refused(manage, workplace):
    uploaded = upload(manage, workplace, DUTCH_EXCEL, "cohort.csv")
    response = manage.post(uploaded["Location"], {"name": "0", "email": "1", "role": ""})
    assert response.status_code == 400
    twice = manage.post(uploaded["Location"], {"name": "0", "email": "0", "role": "2"})
    assert twice.status_code == 400


def test_another_coordinators_upload_is_404(client, manage, workplace):
    uploaded = upload(manage, workplace, DUTCH_EXCEL, "cohort.csv")
    client.force_login(member_user(workplace, Role.MANAGER))
    assert client.get(uploaded["Location"]).status_code == 404


def _rows(count: int, prefix: str = "p"):
    lines = ["naam,email,rol"] + [
        f"Persoon {n},{prefix}{n}@x.example,student" for n in range(count)
    ]
    headers, *rows = [line.split(",") for line in lines]
    table = Table(headers=headers, rows=rows, line_numbers=list(range(2, count + 2)), notes=[])
    import datetime as dt

    return parse_rows(table, guess_mapping(headers), default_start=dt.date(2026, 9, 1))


@pytest.mark.parametrize("count", [10, 150])
def test_the_import_runs_a_constant_number_of_queries(workplace, count, django_assert_num_queries):
    """Per batch, not per row (SQLite splits an insert at 999 parameters: 150 rows is one)."""
    rows = _rows(count)
    # Savepoint, the PW lock, people by e-mail, their memberships, two bulk inserts.
    with django_assert_num_queries(6):
        people_services.import_cohort(workplace=workplace, rows=rows)
    assert Membership.objects.filter(workplace=workplace).count() == count


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_add_each_person_once():
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL (CI runs this with DATABASE_URL set)")
    workplace = WorkplaceFactory()
    rows = _rows(50)
    outcomes = []

    def run():
        try:
            outcomes.append(people_services.import_cohort(workplace=workplace, rows=rows))
        except people_services.PeopleError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Person.objects.filter(email__endswith="@x.example").count() == 50
    assert Membership.objects.filter(workplace=workplace).count() == 50
    added = sorted(o.added for o in outcomes if isinstance(o, people_services.ImportReport))
    assert added in ([0, 50], [50]), outcomes
