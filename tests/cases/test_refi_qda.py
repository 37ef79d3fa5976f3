"""REFI-QDA export: the codebook (.qdc) and the project (.qdpx) of a PW.

The structure tested is the one the REFI-QDA standard's schemas (Codebook.xsd, Project.xsd)
prescribe: the namespaces and root elements, the order of children, required attributes, the
GUIDType pattern, the code hierarchy, codings with text ranges, the ZIP layout. A round trip
parses the project back and rebuilds (coded text, code) pairs from the XML and the text files
alone, then compares them with the database.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from xml.etree import ElementTree as ET

import pytest

from cases import refi_qda
from elements.models import ELEMENT_CODES, Aspect, Element
from elements.tagging import TagSelection, set_tags
from tests.factories import (
    ActivityFactory,
    CaseStudyFactory,
    CmoNoteFactory,
    DataCollectionFactory,
    FragmentFactory,
    MembershipFactory,
    PersonFactory,
    PracticeCaseFactory,
    UserFactory,
    member_user,
)
from werkplaats.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

CB = "{urn:QDA-XML:codebook:1.0}"
PR = "{urn:QDA-XML:project:1.0}"
# GUIDType of the REFI-QDA schemas: hex digits of either case, optionally in braces.
GUID_TYPE = re.compile(
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})"
)
RGB_TYPE = re.compile(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")
GUID_ATTRIBUTES = {"guid", "targetGUID"}
# The sequences of ProjectType and TextSourceType in Project.xsd.
PROJECT_ORDER = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
                 "Graphs", "Description", "NoteRef"]  # fmt: skip
TEXT_SOURCE_ORDER = ["Description", "PlainTextContent", "PlainTextSelection", "Coding",
                     "NoteRef", "VariableValue"]  # fmt: skip
AUTHOR = "Auteur Pietersen"
LEAD = "Cliënt Jansen"


def _tag(obj, *codes):
    set_tags(obj, TagSelection.from_codes(list(codes)))


@pytest.fixture
def data(workplace, other_workplace):
    """Two tagged notes, one untagged; a coded and an uncoded fragment; another PW's data."""
    author = MembershipFactory(
        workplace=workplace, role=Role.SUPPORTER, person=PersonFactory(name=AUTHOR)
    ).person
    lead = MembershipFactory(
        workplace=workplace, role=Role.CLIENT, person=PersonFactory(name=LEAD)
    ).person
    case = PracticeCaseFactory(workplace=workplace, title="Valpreventie", lead=lead)
    case.participants.set([lead])
    about_case = CmoNoteFactory(
        workplace=workplace, case=case, author=author, author_role=Role.SUPPORTER,
        context="Bij de overdracht", mechanism="vraagt de student door", outcome="meer begrip",
    )  # fmt: skip
    _tag(about_case, "LOS-2")  # the aspect tags its element too
    about_activity = CmoNoteFactory(
        workplace=workplace, activity=ActivityFactory(workplace=workplace), author=author,
        author_role=Role.SUPPORTER,
        context="In de intervisie\r\nmet cliënten 😀", mechanism="  delen zij\x0b ervaringen ",
        outcome="Rust & ruimte <ontstaat>",
    )  # fmt: skip
    _tag(about_activity, "VOR", "GOC")
    untagged = CmoNoteFactory(workplace=workplace, author=author)
    study = CaseStudyFactory(workplace=workplace, title="PW Revalidatie 2026")
    coder = UserFactory()
    PersonFactory(name="Onderzoeker Bakker", user=coder)
    fragment = FragmentFactory(
        case_study=study, text="We leren hier echt van elkaar.", coded_by=coder,
        collection=DataCollectionFactory(case_study=study),
    )  # fmt: skip
    _tag(fragment, "GOC-1", "SRI")
    uncoded = FragmentFactory(case_study=study, text="Nog niet gecodeerd.")
    elsewhere = CmoNoteFactory(workplace=other_workplace, context="Elders, in PW B")
    _tag(elsewhere, "LOS")
    other_fragment = FragmentFactory(
        case_study=CaseStudyFactory(workplace=other_workplace), text="Citaat uit PW B"
    )
    _tag(other_fragment, "LOS")
    return {
        "notes": [about_case, about_activity],
        "untagged": untagged,
        "fragment": fragment,
        "uncoded": uncoded,
    }


def _codebook_url(workplace):
    return f"/pw/{workplace.slug}/research/los-codebook.qdc"


def _project_url(workplace):
    return f"/pw/{workplace.slug}/research/los-project.qdpx"


def _parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - our own export, built by ElementTree


def _open(qdpx: bytes) -> tuple[ET.Element, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return _parse(files["project.qde"]), files


def _all_guids(root: ET.Element) -> list[str]:
    return [v for el in root.iter() for k, v in el.attrib.items() if k in GUID_ATTRIBUTES]


def _local(el: ET.Element) -> str:
    return el.tag.split("}", 1)[1]


def _in_schema_order(children: list[ET.Element], order: list[str]) -> bool:
    positions = [order.index(_local(child)) for child in children]
    return positions == sorted(positions)


def _expected_codes(obj) -> list[str]:
    return [e.code for e in obj.elements.all()] + [a.code for a in obj.aspects.all()]


# --- The codebook -----------------------------------------------------------------------------
def test_the_codebook_has_the_six_elements_with_their_aspects_as_child_codes():
    root = _parse(refi_qda.codebook_xml())
    assert root.tag == f"{CB}CodeBook" and root.get("origin") == "Werkplaats"
    assert [_local(child) for child in root] == ["Codes"]
    elements = root.find(f"{CB}Codes").findall(f"{CB}Code")
    assert [code.get("name").split(" · ")[0] for code in elements] == list(ELEMENT_CODES)
    for code_el, element in zip(elements, Element.objects.order_by("order"), strict=True):
        assert code_el.get("guid") == refi_qda.code_guid(element.code)
        assert code_el.get("isCodable") == "true"
        assert code_el.get("color") == element.colour and RGB_TYPE.fullmatch(element.colour)
        assert code_el.get("name") == f"{element.code} · {element.name}"
        assert code_el.find(f"{CB}Description").text == element.explanation
        # Description comes before the child codes (CodeType's sequence).
        assert _local(code_el[0]) == "Description"
        aspects = code_el.findall(f"{CB}Code")
        expected = list(Aspect.objects.filter(element=element).order_by("order"))
        assert len(aspects) == len(expected) == 5
        for aspect_el, aspect in zip(aspects, expected, strict=True):
            assert aspect_el.get("name") == f"{aspect.code} · {aspect.text}"
            assert aspect_el.get("guid") == refi_qda.code_guid(aspect.code)
            assert aspect_el.get("isCodable") == "true"
            assert aspect_el.findall(f"{CB}Code") == []
    guids = _all_guids(root)
    assert len(guids) == 36 == len(set(guids))
    assert all(GUID_TYPE.fullmatch(g) for g in guids)


def test_guids_are_uuid5_of_a_fixed_namespace_and_the_kind_and_key():
    expected = uuid.uuid5(refi_qda.GUID_NAMESPACE, "aspect:LOS-2")
    assert refi_qda.code_guid("LOS-2") == str(expected).upper()
    assert refi_qda.code_guid("LOS") != refi_qda.code_guid("LOS-1")
    assert refi_qda.guid("cmo-note", 1) != refi_qda.guid("fragment", 1)


# --- The project ------------------------------------------------------------------------------
def test_the_project_follows_the_schema_structure(workplace, data):
    root, files = _open(refi_qda.project_qdpx(workplace))
    assert root.tag == f"{PR}Project"
    assert root.get("name") == workplace.name and root.get("origin") == "Werkplaats"
    assert _in_schema_order(list(root), PROJECT_ORDER)
    assert [_local(c) for c in root] == ["CodeBook", "Sources", "Sets", "Description"]
    # The project's codebook is the codebook, in the project's namespace.
    codebook = _parse(refi_qda.codebook_xml())
    project_codes = root.find(f"{PR}CodeBook/{PR}Codes")
    assert [(c.get("guid"), c.get("name")) for c in project_codes.iter(f"{PR}Code")] == [
        (c.get("guid"), c.get("name")) for c in codebook.iter(f"{CB}Code")
    ]
    code_guids = {c.get("guid") for c in project_codes.iter(f"{PR}Code")}
    sources = root.findall(f"{PR}Sources/{PR}TextSource")
    # Two tagged notes and the untagged one; the coded fragment, not the uncoded one.
    assert len(sources) == 4
    for source in sources:
        assert GUID_TYPE.fullmatch(source.get("guid")) and source.get("name")
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        assert _in_schema_order(list(source), TEXT_SOURCE_ORDER)
        for selection in source.findall(f"{PR}PlainTextSelection"):
            assert int(selection.get("startPosition")) < int(selection.get("endPosition"))
            codings = selection.findall(f"{PR}Coding")
            assert codings
            for coding in codings:
                assert GUID_TYPE.fullmatch(coding.get("guid"))
                refs = coding.findall(f"{PR}CodeRef")
                assert len(refs) == 1 and refs[0].get("targetGUID") in code_guids
    source_guids = {s.get("guid") for s in sources}
    members = [m.get("targetGUID") for m in root.iter(f"{PR}MemberSource")]
    assert set(members) == source_guids
    assert [s.get("name") for s in root.iter(f"{PR}Set")] == [
        "CMO notes",
        "Case study: PW Revalidatie 2026",
    ]
    guids = [el.get("guid") for el in root.iter() if el.get("guid")]
    assert len(guids) == len(set(guids))
    assert all(GUID_TYPE.fullmatch(g) for g in _all_guids(root))


def test_the_zip_holds_project_qde_and_one_utf8_text_file_per_source(workplace, data):
    root, files = _open(refi_qda.project_qdpx(workplace))
    guids = [s.get("guid") for s in root.iter(f"{PR}TextSource")]
    assert sorted(files) == sorted(["project.qde", *[f"Sources/{g}.txt" for g in guids]])
    assert files["project.qde"].startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    for g in guids:
        files[f"Sources/{g}.txt"].decode("utf-8")  # strict: fails on anything but UTF-8
    note = data["notes"][1]
    text = files[f"Sources/{refi_qda.guid('cmo-note', note.pk)}.txt"].decode("utf-8")
    # Line ends as \n; a character XML 1.0 cannot carry is left out, the rest is kept.
    assert "In de intervisie\nmet cliënten 😀" in text and "\r" not in text
    assert "delen zij ervaringen" in text and "Rust & ruimte <ontstaat>" in text


def test_coded_ranges_are_the_coded_text(workplace, data):
    root, files = _open(refi_qda.project_qdpx(workplace))
    by_guid = {s.get("guid"): s for s in root.iter(f"{PR}TextSource")}
    for note in data["notes"]:
        source = by_guid[refi_qda.guid("cmo-note", note.pk)]
        text = files[f"Sources/{source.get('guid')}.txt"].decode("utf-8")
        selections = source.findall(f"{PR}PlainTextSelection")
        assert [s.get("name") for s in selections] == ["Context", "Mechanism", "Outcome"]
        for selection, field in zip(selections, ("context", "mechanism", "outcome"), strict=True):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert text[start:end] == refi_qda.clean_text(getattr(note, field)).strip()
    untagged = by_guid[refi_qda.guid("cmo-note", data["untagged"].pk)]
    assert untagged.findall(f"{PR}PlainTextSelection") == []
    fragment = data["fragment"]
    source = by_guid[refi_qda.guid("fragment", fragment.pk)]
    text = files[f"Sources/{source.get('guid')}.txt"].decode("utf-8")
    (selection,) = source.findall(f"{PR}PlainTextSelection")
    assert text[int(selection.get("startPosition")) : int(selection.get("endPosition"))] == (
        fragment.text
    )
    description = source.find(f"{PR}Description").text
    assert "PW Revalidatie 2026" in description and "students" in description
    assert "focus group" in description


def test_round_trip_rebuilds_the_coded_texts_from_the_file_alone(workplace, data):
    root, files = _open(refi_qda.project_qdpx(workplace))
    code_of = {
        c.get("guid"): c.get("name").split(" · ")[0]
        for c in root.find(f"{PR}CodeBook").iter(f"{PR}Code")
    }
    parsed = set()
    for source in root.iter(f"{PR}TextSource"):
        text = files[source.get("plainTextPath").replace("internal://", "Sources/")].decode()
        for selection in source.iter(f"{PR}PlainTextSelection"):
            coded = text[int(selection.get("startPosition")) : int(selection.get("endPosition"))]
            for ref in selection.iter(f"{PR}CodeRef"):
                parsed.add((coded, code_of[ref.get("targetGUID")]))
    expected = set()
    for note in data["notes"]:
        for field in ("context", "mechanism", "outcome"):
            body = refi_qda.clean_text(getattr(note, field)).strip()
            expected |= {(body, code) for code in _expected_codes(note)}
    fragment = data["fragment"]
    expected |= {(fragment.text, code) for code in _expected_codes(fragment)}
    assert parsed == expected
    assert ("vraagt de student door", "LOS") in parsed  # the aspect's element too
    assert ("vraagt de student door", "LOS-2") in parsed
    assert {code for _text, code in parsed} == {"LOS", "LOS-2", "VOR", "GOC", "GOC-1", "SRI"}


def test_two_exports_are_identical_and_new_data_keeps_the_old_guids(workplace, data):
    first = refi_qda.project_qdpx(workplace)
    assert refi_qda.project_qdpx(workplace) == first
    assert refi_qda.codebook_xml() == refi_qda.codebook_xml()
    before = set(_all_guids(_open(first)[0]))
    _tag(CmoNoteFactory(workplace=workplace), "LeA")
    after = set(_all_guids(_open(refi_qda.project_qdpx(workplace))[0]))
    assert before < after


def test_nothing_of_another_workplace_and_no_names_of_persons(workplace, data):
    _root, files = _open(refi_qda.project_qdpx(workplace))
    everything = b"\n".join(files.values()).decode("utf-8")
    assert "Elders, in PW B" not in everything and "Citaat uit PW B" not in everything
    for name in (AUTHOR, LEAD, "Onderzoeker Bakker", "Pietersen", "Jansen", "Bakker"):
        assert name not in everything
    assert "@" not in everything  # no e-mail addresses
    # The author's role and the case's title stay, as in the CSV export.
    assert "Author's role: supporter" in everything
    assert "About: case: Valpreventie" in everything


def test_an_empty_workplace_exports_the_codebook_and_no_sources(workplace):
    root, files = _open(refi_qda.project_qdpx(workplace))
    assert list(files) == ["project.qde"]
    assert [_local(c) for c in root] == ["CodeBook", "Description"]


# --- Access -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "action"),
    [(_codebook_url, "export.refi_codebook"), (_project_url, "export.refi_project")],
)
def test_staff_and_research_grants_download_and_it_is_audited(
    client, workplace, data, staff, researcher, url, action
):
    for user in (staff, researcher):
        client.force_login(user)
        response = client.get(url(workplace))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert AuditEvent.objects.filter(
            actor=user, action=action, workplace_id=workplace.pk
        ).exists()


def test_the_downloads_parse(client, workplace, data, researcher):
    client.force_login(researcher)
    codebook = client.get(_codebook_url(workplace))
    assert codebook["Content-Type"].startswith("application/xml")
    assert codebook["Content-Disposition"].endswith('-los-codebook.qdc"')
    assert _parse(codebook.content).tag == f"{CB}CodeBook"
    project = client.get(_project_url(workplace))
    assert project["Content-Type"] == "application/zip"
    assert project["Content-Disposition"].endswith('-los-project.qdpx"')
    assert len(list(_open(project.content)[0].iter(f"{PR}TextSource"))) == 4


@pytest.mark.parametrize("url", [_codebook_url, _project_url])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.BRIDGE_BUILDER, Role.STUDENT])
def test_members_of_the_workplace_get_403(client, workplace, url, role):
    client.force_login(member_user(workplace, role))
    assert client.get(url(workplace)).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="export.refi").exists()


@pytest.mark.parametrize("url", [_codebook_url, _project_url])
def test_another_workplace_is_404_and_anonymous_goes_to_login(client, workplace, outsider, url):
    response = client.get(url(workplace))
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(outsider)
    assert client.get(url(workplace)).status_code == 404


def test_the_links_show_only_to_those_allowed(client, workplace, staff, researcher):
    manager = member_user(workplace, Role.MANAGER)
    for page in (f"/pw/{workplace.slug}/notes/", f"/pw/{workplace.slug}/studies/"):
        for user, shown in ((staff, True), (researcher, True), (manager, False)):
            client.force_login(user)
            html = client.get(page).content.decode()
            assert (_project_url(workplace) in html) is shown, (page, user)
            assert (_codebook_url(workplace) in html) is shown, (page, user)
