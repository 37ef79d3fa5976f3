"""Writes and counts for practice cases and their outputs.

Every write is one transaction with keyword-only arguments. Edits and status moves use
optimistic locking: the caller names the version it saw, a conditional UPDATE claims it, and a
concurrent change raises ``EditConflict`` with nothing saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    CaseStatus,
    CmoNote,
    Output,
    OutputKind,
    PoolConsent,
    PracticeCase,
    ValueCycle,
    ValueStory,
    value_story_errors,
)
from elements.models import ELEMENT_CODES, Aspect
from elements.tagging import TagSelection, set_tags
from werkplaats import audit, notifications, policy
from werkplaats.models import (
    Activity,
    Membership,
    NotificationKind,
    Person,
    Role,
    Workplace,
    school_year_bounds,
    school_year_of,
)
from werkplaats.values import KEEP, Keep, RowValues
from werkplaats.versioning import INCOMPLETE, SAVED_MEANWHILE, EditConflict, save_versioned

__all__ = [
    "EditConflict",
    "add_output",
    "author_role",
    "create_cmo_note",
    "create_case",
    "move_case",
    "output_counts",
    "register_consent",
    "withdraw_consent",
    "update_case",
    "create_value_story",
    "update_value_story",
    "value_story_counts",
    "workplace_case_summary",
]


@dataclass(frozen=True, kw_only=True)
class CaseValues(RowValues):
    """A practice case's own fields, as ``create_case`` and ``update_case`` take them."""

    title: str | Keep = KEEP
    question: str | Keep = KEEP
    kind: str | Keep = KEEP
    status: str | Keep = KEEP
    lead: Person | None | Keep = KEEP
    participants: Iterable[Person] | Keep = KEEP
    supervisors: Iterable[Person] | Keep = KEEP
    starts_on: dt.date | Keep = KEEP
    ends_on: dt.date | None | Keep = KEEP
    practice_change: str | Keep = KEEP
    securing: str | Keep = KEEP
    tags: TagSelection | Iterable[str] | Keep = KEEP


def create_case(*, workplace: Workplace, by, values: CaseValues) -> PracticeCase:
    """Save a new case with its people and tags (one transaction)."""
    with transaction.atomic():
        case = PracticeCase(workplace=workplace, created_by=by if by.is_authenticated else None)
        return values.write(case)


def update_case(
    *, case: PracticeCase, values: CaseValues, expected_version: int | None
) -> PracticeCase:
    """Save an edited case; EditConflict if somebody saved or moved it since the form showing
    ``expected_version`` was opened."""
    with transaction.atomic():
        return save_versioned(case, values, expected_version)


def move_case(*, case: PracticeCase, status: str, version: int) -> PracticeCase:
    """Move a case to another column of the board.

    The move is claimed with a conditional UPDATE on the version, so a stale board (another tab,
    another person) gets EditConflict instead of undoing a newer move or edit.
    """
    if status not in CaseStatus.values:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        claimed = PracticeCase.objects.filter(pk=case.pk, version=version).update(
            status=status, version=F("version") + 1, updated_at=timezone.now()
        )
        if claimed != 1:
            raise EditConflict
    case.status, case.version = status, version + 1
    return case


@dataclass(frozen=True, kw_only=True)
class OutputValues(RowValues):
    """An output's own fields; ``file`` is an upload (checked by the form), or None."""

    kind: str | Keep = KEEP
    title: str | Keep = KEEP
    date: dt.date | Keep = KEEP
    link: str | Keep = KEEP
    file: File | None | Keep = KEEP


def add_output(*, case: PracticeCase, by, values: OutputValues) -> Output:
    """Save an output of a case, the uploaded file with it.

    The file is written to the private storage while the row is saved; if the transaction
    fails the file is removed again, so no orphan is left behind.
    """
    output = Output(case=case, created_by=by if by.is_authenticated else None)
    upload = values.file if values.file is not KEEP else None
    output.file_name = upload.name[:200] if upload else ""
    try:
        with transaction.atomic():
            values.write(output)
            lead = case.lead
            if lead is not None and (not by.is_authenticated or lead.user_id != by.pk):
                notifications.notify(
                    NotificationKind.CASE_OUTPUT, [lead], key=f"case-output:{output.pk}",
                    workplace=case.workplace,
                    link=reverse("cases:case-detail", args=[case.workplace.slug, case.pk]),
                )  # fmt: skip
    except Exception:
        if output.file.name:
            output.file.storage.delete(output.file.name)
        raise
    return output


def may_delete_output(user, output: Output, workplace: Workplace) -> bool:
    """Coordinators delete any output of their PW; others who run cases only their own upload
    or an output of a case they lead (``workplace``: the output's PW, already checked)."""
    if policy.can(user, policy.Action.DELETE_OUTPUTS, workplace):
        return True
    if not policy.can(user, policy.Action.MANAGE_CASES, workplace):
        return False
    lead = output.case.lead
    return output.created_by_id == user.pk or (lead is not None and lead.user_id == user.pk)


def delete_output(*, output: Output, by, request=None) -> None:
    """Delete an output (audited); its stored file goes once this commits (django-cleanup)."""
    workplace = output.case.workplace
    if not may_delete_output(by, output, workplace):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(request, "output.deleted", workplace=workplace, obj=output)
        output.delete()


# --- Counts -----------------------------------------------------------------------------------
_INDICATORS = {
    "graduation_assignments": OutputKind.GRADUATION_WORK,
    "publications": OutputKind.PUBLICATION,
    "policy_plan": OutputKind.POLICY_PLAN,
}


def output_counts(*, workplace: Workplace, school_year: str) -> dict:
    """Outputs of a PW's cases dated in a school year ("2026-2027"), for the hard indicators.

    {"graduation_assignments": n, "publications": n, "policy_plan": n, "total": n,
     "per_kind": {kind: n for every OutputKind}}, in one aggregate query. A graduation
    assignment counts when its graduation work is delivered (an output of that kind).
    """
    first, last = school_year_bounds(school_year)
    counts = Output.objects.filter(case__workplace=workplace, date__range=(first, last)).aggregate(
        total=Count("pk"),
        **{kind.value: Count("pk", filter=Q(kind=kind)) for kind in OutputKind},
    )
    per_kind = {kind.value: counts[kind.value] for kind in OutputKind}
    return {
        **{key: per_kind[kind.value] for key, kind in _INDICATORS.items()},
        "total": counts["total"],
        "per_kind": per_kind,
    }


def workplace_case_summary(workplace: Workplace) -> dict:
    """Running cases and this school year's outputs of a PW, for its home page (one query)."""
    first, last = school_year_bounds(school_year_of(timezone.localdate()))
    return PracticeCase.objects.filter(workplace=workplace).aggregate(
        running=Count("pk", filter=Q(status=CaseStatus.RUNNING), distinct=True),
        outputs=Count("outputs", filter=Q(outputs__date__range=(first, last)), distinct=True),
    )


# --- CMO notes --------------------------------------------------------------------------------
def author_role(*, person: Person, workplace: Workplace) -> str:
    """The role a note's author holds in the PW today; with several roles, the first in the
    fixed role order (students before supporters, and so on). Research exports show this role
    instead of the author's name."""
    roles = set(
        Membership.objects.current().filter(person=person, workplace=workplace)
        .values_list("role", flat=True)
    )  # fmt: skip
    return next((role.value for role in Role if role.value in roles), "")


@dataclass(frozen=True, kw_only=True)
class CmoNoteValues(RowValues):
    """A CMO note's own fields, as ``create_cmo_note`` and ``update_cmo_note`` take them."""

    case: PracticeCase | None | Keep = KEEP
    activity: Activity | None | Keep = KEEP
    source: str | Keep = KEEP
    date: dt.date | Keep = KEEP
    context: str | Keep = KEEP
    mechanism: str | Keep = KEEP
    outcome: str | Keep = KEEP
    tags: TagSelection | Iterable[str] | Keep = KEEP


def create_cmo_note(*, workplace: Workplace, author: Person, values: CmoNoteValues) -> CmoNote:
    """Save a CMO note with its tags and the author's current role (one transaction)."""
    with transaction.atomic():
        note = CmoNote(
            workplace=workplace,
            author=author,
            author_role=author_role(person=author, workplace=workplace),
        )
        return values.write(note)


def may_edit_cmo_note(user, note: CmoNote) -> bool:
    """A note is its author's observation: only they correct it."""
    return note.author is not None and note.author.user_id == user.pk


def update_cmo_note(
    *, note: CmoNote, values: CmoNoteValues, expected_version: int | None, by
) -> CmoNote:
    """Save an edited note; only its author may. EditConflict, with nothing saved, if it was
    saved since the form showing ``expected_version`` was opened (a conditional UPDATE claims
    the version)."""
    if not may_edit_cmo_note(by, note):
        raise PermissionDenied
    with transaction.atomic():
        return save_versioned(note, values, expected_version)


# --- Value-creation stories -------------------------------------------------------------------
def _tag_selection(tags) -> TagSelection:
    """Tags as the services take them: a TagSelection or element/aspect codes; unknown codes
    are refused."""
    if not isinstance(tags, TagSelection):
        tags = TagSelection.from_codes(list(tags or ()))
    unknown = set(tags.elements) - set(ELEMENT_CODES)
    if tags.aspects:
        known = Aspect.objects.filter(code__in=tags.aspects).values_list("code", flat=True)
        unknown |= set(tags.aspects) - set(known)
    if unknown:
        message = _("Unknown elements or aspects: %(codes)s.") % {
            "codes": ", ".join(sorted(unknown))
        }
        raise ValidationError({"tags": message})
    return tags


def _check_story(*, case: PracticeCase, kind: str, title: str, text: str, happened_on, outputs):
    errors = dict(value_story_errors(case=case, happened_on=happened_on, outputs=outputs))
    if kind not in ValueCycle.values:
        errors["kind"] = _("Choose one of the five kinds of value.")
    if not (title or "").strip():
        errors["title"] = _("Give the story a title.")
    if not (text or "").strip():
        errors["text"] = _("Tell the story.")
    if happened_on is None:
        errors["happened_on"] = _("Say when it happened.")
    if errors:
        raise ValidationError(errors)


def create_value_story(
    *,
    case: PracticeCase,
    kind: str,
    title: str,
    text: str,
    happened_on,
    outputs=(),
    tags=(),
    author: Person | None,
) -> ValueStory:
    """Save a new value-creation story of a case, with its outputs (of that case only) and
    tags; ValidationError (per field) for a story that breaks the rules."""
    outputs = list(outputs)
    _check_story(
        case=case, kind=kind, title=title, text=text, happened_on=happened_on, outputs=outputs
    )
    selection = _tag_selection(tags)
    with transaction.atomic():
        story = ValueStory.objects.create(
            case=case, kind=kind, title=title.strip(), text=text.strip(),
            happened_on=happened_on, author=author,
        )  # fmt: skip
        story.outputs.set(outputs)
        set_tags(story, selection)
    return story


def update_value_story(
    *,
    story: ValueStory,
    version: int | None,
    kind: str,
    title: str,
    text: str,
    happened_on,
    outputs=(),
    tags=(),
) -> ValueStory:
    """Save an edited story. ``version`` is the one the form was opened with: a conditional
    UPDATE claims it, so of two concurrent edits one wins and the other gets EditConflict with
    nothing saved. The author stays the one who wrote it."""
    outputs = list(outputs)
    _check_story(
        case=story.case, kind=kind, title=title, text=text, happened_on=happened_on,
        outputs=outputs,
    )  # fmt: skip
    selection = _tag_selection(tags)
    if version is None:
        raise EditConflict(INCOMPLETE)
    with transaction.atomic():
        claimed = ValueStory.objects.filter(pk=story.pk, version=version).update(
            version=F("version") + 1
        )
        if claimed != 1:
            raise EditConflict(SAVED_MEANWHILE)
        story.kind, story.title, story.text = kind, title.strip(), text.strip()
        story.happened_on, story.version = happened_on, version + 1
        story.save(update_fields=["kind", "title", "text", "happened_on", "version", "updated_at"])
        story.outputs.set(outputs)
        set_tags(story, selection)
    return story


def value_story_counts(*, workplace: Workplace, school_year: str) -> dict:
    """Value-creation stories of a PW's cases that happened in a school year ("2026-2027"),
    for the hard indicators: {"total": n, "per_kind": {kind: n for every cycle}}, in one
    aggregate query (dated like outputs, by the day it happened)."""
    first, last = school_year_bounds(school_year)
    counts = ValueStory.objects.filter(
        case__workplace=workplace, happened_on__range=(first, last)
    ).aggregate(
        total=Count("pk"),
        **{kind.value: Count("pk", filter=Q(kind=kind)) for kind in ValueCycle},
    )
    return {
        "total": counts["total"],
        "per_kind": {kind.value: counts[kind.value] for kind in ValueCycle},
    }


# --- Experience-expert pool -------------------------------------------------------------------
class ConsentRefused(Exception):
    """Consent cannot be recorded like this (no date, no registrar)."""


@dataclass(frozen=True, kw_only=True)
class ConsentValues(RowValues):
    """A consent to be approached, as ``register_consent`` takes it."""

    person: Person | Keep = KEEP
    consented_on: dt.date | None | Keep = KEEP
    workplaces: Iterable[Workplace] | Keep = KEEP
    topics: str | Keep = KEEP
    for_interviews: bool | Keep = KEEP
    for_workshops: bool | Keep = KEEP
    for_lessons: bool | Keep = KEEP
    contact_preference: str | Keep = KEEP
    contact_details: str | Keep = KEEP


def register_consent(*, registered_by, values: ConsentValues) -> PoolConsent:
    """Record a new consent; the registrar is the logged-in user.

    Consent without a date or a registrar is refused: both are what makes it explicit.
    """
    if registered_by is None or not registered_by.is_authenticated:
        raise ConsentRefused("a consent needs the user who recorded it")
    if values.consented_on is KEEP or not values.consented_on:
        raise ConsentRefused("a consent needs the date it was given")
    try:
        with transaction.atomic():
            consent = values.write(PoolConsent(registered_by=registered_by))
    except IntegrityError:  # a second, simultaneous consent for the same person
        raise ConsentRefused(_("This person already has a standing consent.")) from None
    return consent


def withdraw_consent(*, consent: PoolConsent, by) -> bool:
    """Withdraw a consent at once; False if it was already withdrawn.

    The conditional UPDATE claims the row, so the first withdrawal's time and registrar are
    kept however often it is repeated. Nothing puts a withdrawn consent back: consenting again
    is a new record (register_consent).
    """
    with transaction.atomic():
        # The contact details go at once: a withdrawn person is not approached, so nothing
        # (admin, backups) should keep how to reach them.
        done = PoolConsent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=by, contact_details="", contact_preference=""
        )
    consent.refresh_from_db(
        fields=["withdrawn_at", "withdrawn_by", "contact_details", "contact_preference"]
    )
    return done == 1


# --- Personal data (registered in apps.py) ---------------------------------------------------
def export_personal_data(person: Person) -> dict:
    """Cases the person leads, takes part in or supervises, CMO notes they wrote, consents."""
    return {
        "cases_led": list(PracticeCase.objects.filter(lead=person).values_list("title", flat=True)),
        "cases_taking_part": list(person.cases_joined.values_list("title", flat=True)),
        "cases_supervised": list(person.cases_supervised.values_list("title", flat=True)),
        "cmo_notes": [
            {"context": n.context, "mechanism": n.mechanism, "outcome": n.outcome}
            for n in CmoNote.objects.filter(author=person)
        ],
        "value_stories": [
            {
                "case": s.case.title,
                "kind": s.kind,
                "title": s.title,
                "story": s.text,
                "happened_on": s.happened_on.isoformat(),
            }
            for s in ValueStory.objects.filter(author=person).select_related("case")
        ],
        "pool_consents": [
            {
                "topics": c.topics,
                "contact_preference": c.contact_preference,
                "contact_details": c.contact_details,
                "consented_on": c.consented_on.isoformat(),
                "consent_text_version": c.text_version,
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in PoolConsent.objects.filter(person=person)
        ],
    }


def erase_personal_data(person: Person) -> None:
    """Consents go; cases, notes and value-creation stories stay without the person (lead
    and author become empty, SET_NULL; the note keeps the author's role, not who it was);
    participant lists drop them."""
    PoolConsent.objects.filter(person=person).delete()
    person.cases_joined.clear()
    person.cases_supervised.clear()
