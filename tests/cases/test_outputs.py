"""Outputs of a case: date rules, upload type and size checks, private storage and download."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Output
from tests.factories import OutputFactory, PracticeCaseFactory, member_user
from werkplaats.models import Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny test document\n"
START = dt.date(2026, 9, 15)


@pytest.fixture
def case(workplace, member):
    return PracticeCaseFactory(workplace=workplace, lead=member.person, starts_on=START)


def _url(case, suffix="outputs/new/"):
    return f"/pw/{case.workplace.slug}/cases/{case.pk}/{suffix}"


def _post(client, case, *, file=None, **fields):
    data = {"kind": "publication", "title": "Artikel in vakblad", "date": "2026-10-01", **fields}
    if file is not None:
        data["file"] = file
    return client.post(_url(case), data)


def test_an_output_with_a_file_is_stored_privately_outside_media_root(
    client, case, member, settings
):
    client.force_login(member)
    response = _post(client, case, file=SimpleUploadedFile("Verslag.PDF", PDF))
    assert response.status_code == 302
    output = Output.objects.get()
    assert output.file_name == "Verslag.PDF"
    stored = Path(output.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert "Verslag" not in stored.name  # a random name on disk
    assert stored.read_bytes() == PDF


def test_an_output_with_only_a_link_is_fine(client, case, member):
    client.force_login(member)
    response = _post(client, case, link="https://example.org/artikel")
    assert response.status_code == 302
    assert Output.objects.get().link == "https://example.org/artikel"


def test_an_output_dated_before_the_case_started_is_refused(client, case, member):
    client.force_login(member)
    response = _post(client, case, date="2026-09-14")
    assert response.status_code == 400
    assert "cannot be dated before its case started (2026-09-15)" in str(
        response.context["output_form"].errors["date"]
    )
    assert not Output.objects.exists()
    assert _post(client, case, date="2026-09-15").status_code == 302


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.exe", b"MZ\x90\x00"),
        ("pagina.html", b"<html><script>alert(1)</script>"),
        ("afbeelding.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("vermomd.pdf", b"MZ\x90\x00 not a pdf"),
        ("vermomd.png", PDF),
    ],
)
def test_files_of_other_types_or_with_a_false_extension_are_refused(
    client, case, member, settings, name, content
):
    client.force_login(member)
    response = _post(client, case, file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.context["output_form"].errors["file"]
    assert not Output.objects.exists()
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_a_file_over_the_size_limit_is_refused(client, case, member, settings):
    settings.CASE_OUTPUT_MAX_UPLOAD_MB = 1
    client.force_login(member)
    big = SimpleUploadedFile("groot.pdf", PDF + b"0" * (1024 * 1024))
    response = _post(client, case, file=big)
    assert response.status_code == 400
    assert "too large" in str(response.context["output_form"].errors["file"])
    assert not Output.objects.exists()
    ok = SimpleUploadedFile("klein.pdf", PDF + b"0" * (1024 * 1000))
    assert _post(client, case, file=ok).status_code == 302


def test_the_errors_show_on_the_case_page_with_the_input_kept(client, case, member):
    client.force_login(member)
    response = _post(client, case, title="", date="2026-01-01")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_title_error"' in html and 'id="id_date_error"' in html
    assert case.title in html  # the case page, not a bare form


def test_a_client_may_not_add_outputs(client, case, workplace):
    client.force_login(member_user(workplace, Role.CLIENT))
    assert _post(client, case).status_code == 403
    assert not Output.objects.exists()


def test_outsider_gets_404_when_adding_an_output(client, case, outsider):
    client.force_login(outsider)
    assert _post(client, case).status_code == 404
    assert not Output.objects.exists()


@pytest.fixture
def stored(client, case, member):
    client.force_login(member)
    _post(client, case, file=SimpleUploadedFile("verslag.pdf", PDF))
    client.logout()
    return Output.objects.get()


def _file_url(output):
    return _url(output.case, f"outputs/{output.pk}/file/")


def test_members_download_the_file_as_an_attachment_without_sniffing(client, stored, workplace):
    client.force_login(member_user(workplace, Role.CLIENT))
    response = client.get(_file_url(stored))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="verslag.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_file_is_not_served_to_outsiders_researchers_or_anonymous_users(
    client, stored, outsider, researcher
):
    client.force_login(outsider)
    assert client.get(_file_url(stored)).status_code == 404
    client.force_login(researcher)
    assert client.get(_file_url(stored)).status_code == 403
    client.logout()
    response = client.get(_file_url(stored))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_file_cannot_be_fetched_through_another_case_or_workplace(
    client, stored, workplace, other_workplace
):
    other_case = PracticeCaseFactory(workplace=workplace)
    client.force_login(member_user(workplace))
    url = f"/pw/{workplace.slug}/cases/{other_case.pk}/outputs/{stored.pk}/file/"
    assert client.get(url).status_code == 404
    client.force_login(member_user(other_workplace))
    url = f"/pw/{other_workplace.slug}/cases/{stored.case_id}/outputs/{stored.pk}/file/"
    assert client.get(url).status_code == 404


def test_an_output_without_a_file_has_no_download(client, workplace, member):
    output = OutputFactory(case=PracticeCaseFactory(workplace=workplace), link="https://x.example")
    client.force_login(member)
    assert client.get(_file_url(output)).status_code == 404


def test_private_files_have_no_public_url(stored):
    with pytest.raises(ValueError, match="no public URL"):
        stored.file.url  # noqa: B018


def test_a_failed_save_leaves_no_file_behind(client, case, member, settings, monkeypatch):
    from django.db import IntegrityError

    original = Output.save

    def save_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)  # the file is written during the save
        raise IntegrityError("simulated failure after the file was stored")

    monkeypatch.setattr(Output, "save", save_then_fail)
    client.raise_request_exception = True
    client.force_login(member)
    with pytest.raises(IntegrityError):
        _post(client, case, file=SimpleUploadedFile("verslag.pdf", PDF))
    assert not Output.objects.exists()
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not any(p.is_file() for p in private.rglob("*"))


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(client, case, member, settings):
    settings.CASE_OUTPUT_MAX_UPLOAD_MB = 1
    client.force_login(member)
    huge = SimpleUploadedFile("groot.pdf", PDF + b"0" * (2 * 1024 * 1024))
    response = _post(client, case, file=huge)
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Output.objects.exists()


def test_deleting_an_output_asks_first_then_deletes_its_file(
    client, case, member, django_capture_on_commit_callbacks
):
    """A wrong upload (a report naming a client, say) can be taken back: the row and the
    stored file go, once the deletion commits; the deletion is in the audit log."""
    from werkplaats.models import AuditEvent

    client.force_login(member)
    _post(client, case, file=SimpleUploadedFile("Verslag.pdf", PDF))
    output = Output.objects.get()
    stored = Path(output.file.path)
    url = _url(case, f"outputs/{output.pk}/delete/")
    page = client.get(url)
    assert "Verslag.pdf" in page.content.decode() and stored.exists()
    assert url in client.get(_url(case, "")).content.decode()  # linked from the case page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not Output.objects.exists()
    assert not stored.exists()
    assert AuditEvent.objects.filter(action="output.deleted", object_id=str(output.pk)).exists()


def test_a_file_goes_with_its_case_and_stays_when_the_deletion_rolls_back(
    case, member, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from cases.models import PracticeCase

    output = OutputFactory(case=case, file=SimpleUploadedFile("a.pdf", PDF), file_name="a.pdf")
    stored = Path(output.file.path)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        PracticeCase.objects.filter(pk=case.pk).delete()
        raise RuntimeError("rolled back")
    assert stored.exists() and Output.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        PracticeCase.objects.filter(pk=case.pk).delete()  # cascades to the output
    assert not stored.exists()


def test_members_who_may_not_manage_cases_cannot_delete_outputs(client, case, workplace):
    output = OutputFactory(case=case)
    client.force_login(member_user(workplace, Role.CLIENT))
    url = _url(case, f"outputs/{output.pk}/delete/")
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert "/delete/" not in client.get(_url(case, "")).content.decode()
    assert Output.objects.filter(pk=output.pk).exists()


def test_an_output_is_deleted_by_its_uploader_the_case_lead_or_a_coordinator(
    client, case, workplace
):
    """Deleting cannot be undone and outputs count as indicators: a student who runs cases may
    delete their own upload or one in a case they lead, not another person's."""
    uploader = member_user(workplace, Role.PROFESSIONAL)
    other = member_user(workplace, Role.STUDENT)
    output = OutputFactory(case=case, created_by=uploader)
    url = _url(case, f"outputs/{output.pk}/delete/")
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert url not in client.get(_url(case, "")).content.decode()
    for allowed in (uploader, member_user(workplace, Role.BRIDGE_BUILDER)):
        client.force_login(allowed)
        assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Output.objects.filter(pk=output.pk).exists()
