"""REFI-QDA export: the LOS model as a codebook (``.qdc``) and a PW's CMO notes and coded
case-study fragments as a project (``.qdpx``), for NVivo, ATLAS.ti, MAXQDA and QualCoder.

The REFI-QDA standard (www.qdasoftware.org) has two XML formats:

- Codebook (namespace ``urn:QDA-XML:codebook:1.0``): ``CodeBook`` > ``Codes`` > nested
  ``Code`` elements. Here the six elements are the top-level codes and their aspects the child
  codes, with the element's colour.
- Project (namespace ``urn:QDA-XML:project:1.0``): ``Project`` > ``CodeBook``, ``Sources``
  and ``Sets``, written as ``project.qde`` in a ZIP (the ``.qdpx``) whose ``Sources/`` folder
  holds each text source as ``<guid>.txt`` (UTF-8), referred to as ``internal://<guid>.txt``.

Each CMO note is a text source with its context, mechanism and outcome as three sections; each
section is a selection coded to the note's elements and aspects. Each coded fragment of a case
study is a text source, its whole text one selection coded to the fragment's elements and
aspects; a set per case study groups its fragments, one set groups the notes. Positions are
character offsets into the plain text (``text[start:end]`` is the coded text).

GUIDs are UUID 5 of a fixed namespace and the object's kind and key, so an export of the same
data gives the same GUIDs (and the same bytes): a re-import merges instead of duplicating.
No person is named: not the author of a note (only their role), not who coded a fragment.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cases.models import CmoNote, Fragment
from elements.models import ELEMENT_CODES, Aspect, Element
from werkplaats.models import Role, Workplace

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "Werkplaats"
# Never change this: every GUID ever exported derives from it.
GUID_NAMESPACE = uuid.UUID("6f1d3c2a-4b7e-5a90-8c21-0d9e7f5b3a64")
# The REFI-QDA schemas' RGBType.
_RGB = re.compile(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")
# Characters XML 1.0 cannot carry, even escaped: left out of the texts.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A fixed time for every file in the ZIP (the ZIP epoch), so the same data gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def guid(kind: str, key: object) -> str:
    """The stable GUID of one exported thing, in the schemas' GUIDType form (upper case)."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}")).upper()


def code_guid(code: str) -> str:
    """The GUID of an element's code (``LOS``) or an aspect's (``LOS-2``)."""
    return guid("aspect" if "-" in code else "element", code)


def clean_text(text: str | None) -> str:
    """Plain text as exported: line ends as ``\\n``, characters XML cannot carry left out."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)


# --- What is exported -------------------------------------------------------------------------
@dataclass(frozen=True)
class Selection:
    """A range of a source's plain text, coded to element and aspect codes."""

    guid: str
    name: str
    start: int
    end: int
    codes: tuple[str, ...]  # element and aspect codes (``LOS``, ``LOS-2``)


@dataclass(frozen=True)
class Source:
    guid: str
    name: str
    description: str
    text: str
    selections: tuple[Selection, ...] = ()


@dataclass(frozen=True)
class SourceSet:
    guid: str
    name: str
    members: tuple[str, ...] = field(default_factory=tuple)  # source GUIDs


def _codes_of(obj) -> tuple[str, ...]:
    """Element codes in model order, then aspect codes in model order (prefetched)."""
    elements = sorted(obj.elements.all(), key=lambda e: e.order)
    aspects = sorted(obj.aspects.all(), key=lambda a: (ELEMENT_CODES.index(a.element_id), a.order))
    return tuple(e.code for e in elements) + tuple(a.code for a in aspects)


def _about(note: CmoNote) -> str:
    if note.case_id:
        return _("case: %(title)s") % {"title": note.case.title}
    if note.activity_id:
        return _("activity: %(title)s") % {"title": note.activity.title}
    return _("the workplace")


def note_source(note: CmoNote) -> Source:
    """A CMO note as a text source: its three sections, each a selection coded to its tags."""
    source_guid = guid("cmo-note", note.pk)
    codes = _codes_of(note)
    parts: list[str] = []
    selections: list[Selection] = []
    position = 0
    for name in ("context", "mechanism", "outcome"):
        label = capfirst(CmoNote._meta.get_field(name).verbose_name)
        body = clean_text(getattr(note, name)).strip()
        heading = f"{label}\n"
        if parts:
            heading = "\n\n" + heading
        parts.append(heading)
        position += len(heading)
        parts.append(body)
        if body and codes:
            selections.append(
                Selection(
                    guid=guid("cmo-note-section", f"{note.pk}:{name}"),
                    name=str(label),
                    start=position,
                    end=position + len(body),
                    codes=codes,
                )
            )
        position += len(body)
    parts.append("\n")
    description = "\n".join(
        [
            _("About: %(about)s") % {"about": _about(note)},
            _("Source: %(source)s") % {"source": note.get_source_display()},
            _("Date: %(date)s") % {"date": note.date.isoformat()},
            _("Author's role: %(role)s")
            % {"role": Role(note.author_role).label if note.author_role else "–"},
        ]
    )
    return Source(
        guid=source_guid,
        name=_("CMO note %(number)s · %(date)s · %(source)s")
        % {"number": note.pk, "date": note.date.isoformat(), "source": note.get_source_display()},
        description=clean_text(description),
        text="".join(parts),
        selections=tuple(selections),
    )


def fragment_source(fragment: Fragment) -> Source:
    """A coded fragment as a text source: its whole text one selection coded to its tags."""
    text = clean_text(fragment.text).strip()
    codes = _codes_of(fragment)
    selections = ()
    if text and codes:
        selections = (
            Selection(
                guid=guid("fragment-text", fragment.pk),
                name=_("Fragment %(number)s") % {"number": fragment.pk},
                start=0,
                end=len(text),
                codes=codes,
            ),
        )
    lines = [
        _("Case study: %(title)s") % {"title": fragment.case_study.title},
        _("Respondent group: %(group)s") % {"group": fragment.get_group_display()},
    ]
    if fragment.collection_id:
        collection = fragment.collection
        lines.append(
            _("Data-collection moment: %(method)s, %(date)s")
            % {"method": collection.get_method_display(), "date": collection.date.isoformat()}
        )
    return Source(
        guid=guid("fragment", fragment.pk),
        name=_("Fragment %(number)s · %(study)s")
        % {"number": fragment.pk, "study": fragment.case_study.title},
        description=clean_text("\n".join(lines)),
        text=text,
        selections=selections,
    )


def _tags():
    return (
        Prefetch("elements", queryset=Element.objects.order_by("order")),
        Prefetch("aspects", queryset=Aspect.objects.order_by("element__order", "order")),
    )


def project_contents(workplace: Workplace) -> tuple[list[Source], list[SourceSet]]:
    """The sources and sets of a PW's project, in a stable order (oldest first)."""
    notes = (
        CmoNote.objects.filter(workplace=workplace)
        .select_related("case", "activity")
        .prefetch_related(*_tags())
        .order_by("date", "pk")
    )
    fragments = (
        Fragment.objects.filter(case_study__workplace=workplace)
        .select_related("case_study", "collection")
        .prefetch_related(*_tags())
        .order_by("case_study__starts_on", "case_study_id", "pk")
    )
    sources = [note_source(note) for note in notes]
    sets: list[SourceSet] = []
    if sources:
        sets.append(
            SourceSet(
                guid=guid("cmo-notes", workplace.pk),
                name=_("CMO notes"),
                members=tuple(s.guid for s in sources),
            )
        )
    studies: dict[int, tuple[str, list[str]]] = {}
    for fragment in fragments:
        if not fragment.elements.all() and not fragment.aspects.all():
            continue  # only coded fragments
        source = fragment_source(fragment)
        sources.append(source)
        title = fragment.case_study.title
        studies.setdefault(fragment.case_study_id, (title, []))[1].append(source.guid)
    for pk, (title, members) in studies.items():
        sets.append(
            SourceSet(
                guid=guid("case-study", pk),
                name=clean_text(_("Case study: %(title)s") % {"title": title}),
                members=tuple(members),
            )
        )
    return sources, sets


# --- XML --------------------------------------------------------------------------------------
def _add_codes(codes_el: ET.Element) -> None:
    """The six elements with their aspects as child codes, in model order."""
    elements = Element.objects.order_by("order").prefetch_related(
        Prefetch("aspects", queryset=Aspect.objects.order_by("order"))
    )
    for element in elements:
        colour = element.colour if _RGB.fullmatch(element.colour or "") else None
        element_el = _code(codes_el, element.code, element.name, element.explanation, colour)
        for aspect in element.aspects.all():
            _code(element_el, aspect.code, aspect.text, aspect.text, colour)


def _code(parent, code, name, description, colour) -> ET.Element:
    attrs = {"guid": code_guid(code), "name": clean_text(f"{code} · {name}"), "isCodable": "true"}
    if colour:
        attrs["color"] = colour
    element = ET.SubElement(parent, "Code", attrs)
    if description:
        ET.SubElement(element, "Description").text = clean_text(description)
    return element


def _serialise(root: ET.Element) -> bytes:
    """The document as UTF-8 bytes. Elements are built with plain tags and the root declares
    the standard's namespace as its default (``xmlns``): the schemas qualify elements but not
    attributes, which ElementTree's ``default_namespace`` cannot write."""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def codebook_xml() -> bytes:
    """The LOS model as a REFI-QDA codebook (``.qdc``)."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    _add_codes(ET.SubElement(root, "Codes"))
    return _serialise(root)


def project_xml(workplace: Workplace, sources: list[Source], sets: list[SourceSet]) -> bytes:
    """``project.qde``: the codebook, the text sources with their coded selections, the sets.
    Children follow the order the Project schema prescribes."""
    root = ET.Element(
        "Project", {"xmlns": PROJECT_NS, "name": clean_text(workplace.name), "origin": ORIGIN}
    )
    codebook = ET.SubElement(root, "CodeBook")
    _add_codes(ET.SubElement(codebook, "Codes"))
    if sources:
        sources_el = ET.SubElement(root, "Sources")
        for source in sources:
            source_el = ET.SubElement(
                sources_el,
                "TextSource",
                {
                    "guid": source.guid,
                    "name": clean_text(source.name),
                    "plainTextPath": f"internal://{source.guid}.txt",
                },
            )
            if source.description:
                ET.SubElement(source_el, "Description").text = source.description
            for selection in source.selections:
                selection_el = ET.SubElement(
                    source_el,
                    "PlainTextSelection",
                    {
                        "guid": selection.guid,
                        "name": clean_text(selection.name),
                        "startPosition": str(selection.start),
                        "endPosition": str(selection.end),
                    },
                )
                for code in selection.codes:
                    target = code_guid(code)
                    coding = ET.SubElement(
                        selection_el,
                        "Coding",
                        {"guid": guid("coding", f"{selection.guid}:{target}")},
                    )
                    ET.SubElement(coding, "CodeRef", {"targetGUID": target})
    if sets:
        sets_el = ET.SubElement(root, "Sets")
        for source_set in sets:
            set_el = ET.SubElement(
                sets_el, "Set", {"guid": source_set.guid, "name": clean_text(source_set.name)}
            )
            for member in source_set.members:
                ET.SubElement(set_el, "MemberSource", {"targetGUID": member})
    ET.SubElement(root, "Description").text = _(
        "CMO notes and coded case-study fragments of %(workplace)s, coded to the elements and "
        "aspects of the LOS model. Exported from Werkplaats; no names of persons."
    ) % {"workplace": clean_text(workplace.name)}
    return _serialise(root)


def project_qdpx(workplace: Workplace) -> bytes:
    """The ``.qdpx`` of a PW: ``project.qde`` and ``Sources/<guid>.txt`` in one ZIP."""
    sources, sets = project_contents(workplace)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "project.qde", project_xml(workplace, sources, sets))
        for source in sources:
            _write(archive, f"Sources/{source.guid}.txt", source.text.encode("utf-8"))
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
