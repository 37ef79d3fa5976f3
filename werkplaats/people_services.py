"""People and cohorts: a PW manages its own members every school year (issue 14).

Writes that touch people and memberships: add a person (or an existing one) to a PW, end a
membership, change a role from a date, import a cohort, roll over into a new school year,
and start a new PW. Ending never deletes: evaluations, goals and activities stay as they
were, and a role change is a new membership from its date, so the history stays true.
Each write runs in one transaction; the views write the audit events (ids only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from werkplaats import notifications
from werkplaats.models import (
    AccountInvitation,
    Membership,
    NotificationKind,
    Organisation,
    Person,
    Role,
    Workplace,
)

TURNOVER_ROLES = frozenset({Role.STUDENT})  # asked about at every rollover by default


class PeopleError(Exception):
    """A change the data does not allow; the message is for the user."""


class PersonExists(PeopleError):
    """The e-mail address already belongs to a person: offer them instead of a duplicate."""

    def __init__(self, person: Person):
        super().__init__(_("This e-mail address already belongs to someone in Werkplaats."))
        self.person = person


# --- Reading ---------------------------------------------------------------------------------
def account_status(person: Person, *, invited: bool) -> str:
    """no_email, invited, active, deactivated or none (an address, no account, no link)."""
    if person.user_id:
        return "active" if person.user.is_active else "deactivated"
    if not person.email:
        return "no_email"
    return "invited" if invited else "none"


def member_rows(
    workplace: Workplace, *, today: dt.date | None = None, status: str = "", role: str = ""
) -> QuerySet[Membership]:
    """The memberships of a PW for the members page, with what each row shows, in one query
    (people, accounts and whether a usable invitation exists, as an EXISTS)."""
    today = today or timezone.localdate()
    rows = (
        Membership.objects.filter(workplace=workplace)
        .select_related("person__user")
        .annotate(
            invited=Exists(
                AccountInvitation.objects.usable().filter(person_id=OuterRef("person_id"))
            )
        )
        .order_by(Lower("person__name"), "person_id", "-starts_on")
    )
    if status == "current":
        rows = rows.current(today)
    elif status == "upcoming":
        rows = rows.filter(starts_on__gt=today)
    elif status == "former":
        rows = rows.filter(ends_on__lt=today)
    if role:
        rows = rows.filter(role=role)
    return rows


def find_person(email: str | None) -> Person | None:
    """The person with this e-mail address, whatever its case."""
    if not email:
        return None
    return Person.objects.filter(email__iexact=email.strip()).select_related("user").first()


def _overlaps(person: Person, workplace: Workplace, role: str, starts_on, ends_on) -> bool:
    """Does the person hold this role in this PW during any of the period?"""
    others = Membership.objects.filter(person=person, workplace=workplace, role=role).filter(
        Q(ends_on=None) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        others = others.filter(starts_on__lte=ends_on)
    return others.exists()


def _lock(workplace_id: int) -> None:
    """Serialise the membership writes of one PW (a row lock on PostgreSQL; SQLite's writes
    are serialised already), so two overlap checks never both pass."""
    Workplace.objects.select_for_update().filter(pk=workplace_id).first()


def _check_period(starts_on: dt.date, ends_on: dt.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise PeopleError(_("The end date lies before the start date."))


# --- Writing ---------------------------------------------------------------------------------
def add_member(
    *,
    workplace: Workplace,
    name: str,
    email: str | None,
    role: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    language: str = "nl",
    use_existing: bool = False,
) -> Membership:
    """Add a person to a PW in a role. An e-mail address that belongs to a person already
    raises PersonExists unless ``use_existing``: then that person (one record, whatever PWs
    they are in) gets the membership, with their own name and language kept."""
    _check_period(starts_on, ends_on)
    email = (email or "").strip().lower() or None
    with transaction.atomic():
        _lock(workplace.pk)
        person = find_person(email)
        if person is not None and not use_existing:
            raise PersonExists(person)
        if person is None:
            try:
                with transaction.atomic():
                    person = Person.objects.create(
                        name=name.strip(), email=email, preferred_language=language
                    )
            except IntegrityError:  # the same address added elsewhere at this moment
                raise PeopleError(
                    _("Someone added this person at the same moment. Save again.")
                ) from None
        elif _overlaps(person, workplace, role, starts_on, ends_on):
            raise PeopleError(
                _("This person already holds this role in this PW during that period.")
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    person=person, workplace=workplace, role=role,
                    starts_on=starts_on, ends_on=ends_on,
                )  # fmt: skip
        except IntegrityError:
            raise PeopleError(
                _("This person already holds this role in this PW from that date.")
            ) from None
        notifications.notify(
            NotificationKind.ADDED_TO_WORKPLACE, [person], key=f"added:{membership.pk}",
            workplace=workplace, link=workplace.get_absolute_url(),
        )  # fmt: skip
        return membership


def end_membership(*, membership: Membership, ends_on: dt.date, seen_ends_on: dt.date | None):
    """End a membership on a date (never deleting it). ``seen_ends_on`` is the end date the
    form showed: a change made in the meantime is a conflict, not overwritten."""
    if ends_on < membership.starts_on:
        raise PeopleError(_("A membership cannot end before it starts."))
    with transaction.atomic():
        _lock(membership.workplace_id)
        later = Membership.objects.filter(
            person_id=membership.person_id, workplace_id=membership.workplace_id,
            role=membership.role, starts_on__gt=membership.starts_on, starts_on__lte=ends_on,
        ).exclude(pk=membership.pk)  # fmt: skip
        if later.exists():
            raise PeopleError(
                _("This person already holds this role in this PW during that period.")
            )
        changed = Membership.objects.filter(pk=membership.pk, ends_on=seen_ends_on).update(
            ends_on=ends_on
        )
        if changed != 1:
            raise PeopleError(
                _("Someone changed this membership in the meantime. Reload the page.")
            )
    membership.ends_on = ends_on


def change_role(*, membership: Membership, role: str, from_date: dt.date) -> Membership:
    """The person holds another role from a date: the old membership ends the day before and
    a new one starts, with the old end date (so the history stays true)."""
    if role == membership.role:
        raise PeopleError(_("Choose a role other than the current one."))
    if from_date <= membership.starts_on:
        raise PeopleError(_("Choose a date after the start of the current role."))
    if membership.ends_on is not None and from_date > membership.ends_on:
        raise PeopleError(_("Choose a date before the current role ends."))
    with transaction.atomic():
        _lock(membership.workplace_id)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.ends_on != membership.ends_on or locked.role != membership.role:
            raise PeopleError(
                _("Someone changed this membership in the meantime. Reload the page.")
            )
        if _overlaps(locked.person, locked.workplace, role, from_date, locked.ends_on):
            raise PeopleError(
                _("This person already holds that role in this PW during that period.")
            )
        Membership.objects.filter(pk=locked.pk).update(ends_on=from_date - dt.timedelta(days=1))
        return Membership.objects.create(
            person_id=locked.person_id, workplace_id=locked.workplace_id, role=role,
            starts_on=from_date, ends_on=locked.ends_on,
        )  # fmt: skip


# --- Cohort import ---------------------------------------------------------------------------
ADD, MATCH, SKIP = "add", "match", "skip"


@dataclass
class PlannedRow:
    """What importing one valid file row does: add a new person, give an existing person
    the membership (match), or skip it, with the reason."""

    row: object  # werkplaats.cohort_import.Row
    action: str
    person: Person | None = None
    reason: str = ""


def plan_import(workplace: Workplace, rows: list) -> list[PlannedRow]:
    """Classify the valid rows of a cohort file in three queries, whatever its size:
    people by e-mail address (anywhere in Werkplaats), people without an address by name
    among this PW's members, and those people's memberships here."""
    valid = [r for r in rows if not r.errors]
    emails = {r.email for r in valid if r.email}
    by_email = {
        p.email.lower(): p
        for p in Person.objects.annotate(e=Lower("email")).filter(e__in=emails)
    } if emails else {}  # fmt: skip
    names = {r.name.lower() for r in valid if not r.email}
    by_name: dict[str, Person] = {}
    if names:
        for p in (
            Person.objects.annotate(n=Lower("name"))
            .filter(n__in=names, memberships__workplace=workplace)
            .distinct()
            .order_by("pk")
        ):
            by_name.setdefault(p.name.lower(), p)
    known = [p.pk for p in [*by_email.values(), *by_name.values()]]
    held: dict[tuple[int, str], list[Membership]] = {}
    for m in Membership.objects.filter(workplace=workplace, person_id__in=known):
        held.setdefault((m.person_id, m.role), []).append(m)
    planned = []
    for r in valid:
        person = by_email.get(r.email) if r.email else by_name.get(r.name.lower())
        if person is None:
            planned.append(PlannedRow(r, ADD))
            continue
        overlapping = [
            m for m in held.get((person.pk, r.role), [])
            if (m.ends_on is None or m.ends_on >= r.starts_on)
            and (r.ends_on is None or m.starts_on <= r.ends_on)
        ]  # fmt: skip
        if overlapping:
            planned.append(
                PlannedRow(r, SKIP, person, _("Already a member in this role in that period."))
            )
        else:
            planned.append(PlannedRow(r, MATCH, person))
    return planned


@dataclass
class ImportReport:
    added: int = 0
    matched: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def import_cohort(*, workplace: Workplace, rows: list, language: str = "nl") -> ImportReport:
    """Import every valid row in one transaction (all or nothing): new people in one bulk
    insert, the memberships in another. Imports into one PW are serialised by a lock on the
    PW's row, so two bridge-builders importing the same file at once add each person once;
    a person added elsewhere at the same moment rolls the whole import back (PeopleError)."""
    report = ImportReport(skipped=[(r.line, "; ".join(r.errors)) for r in rows if r.errors])
    try:
        with transaction.atomic():
            Workplace.objects.select_for_update().filter(pk=workplace.pk).first()
            planned = plan_import(workplace, rows)
            new_people = [p for p in planned if p.action == ADD]
            created = Person.objects.bulk_create(
                [
                    Person(name=p.row.name, email=p.row.email, preferred_language=language)
                    for p in new_people
                ],
                batch_size=500,
            )
            for plan, person in zip(new_people, created, strict=True):
                plan.person = person
            memberships = [
                Membership(
                    person=p.person,
                    workplace=workplace,
                    role=p.row.role,
                    starts_on=p.row.starts_on,
                    ends_on=p.row.ends_on,
                )  # fmt: skip
                for p in planned
                if p.action in (ADD, MATCH)
            ]
            Membership.objects.bulk_create(memberships, batch_size=500)
    except IntegrityError:
        raise PeopleError(
            _(
                "Someone added some of these people at the same moment, so nothing was "
                "imported. Upload the file again: those people are then recognised."
            )
        ) from None
    report.added = len(new_people)
    report.matched = sum(1 for p in planned if p.action == MATCH)
    report.skipped += [(p.row.line, p.reason) for p in planned if p.action == SKIP]
    report.skipped.sort()
    return report


# --- School-year rollover --------------------------------------------------------------------
ROLLOVER_OPENS = (6, 1)  # the wizard for the coming 31 August opens on 1 June


def rollover_boundary(today: dt.date) -> dt.date:
    """The school-year end the rollover is about: the coming 31 August from 1 June, before
    that the last one (a rollover not done last summer is still due)."""
    if (today.month, today.day) >= ROLLOVER_OPENS and today.month <= 8:
        return dt.date(today.year, 8, 31)
    year = today.year if today.month >= 9 else today.year - 1
    return dt.date(year, 8, 31)


def rollover_candidates(workplace: Workplace, boundary: dt.date) -> QuerySet[Membership]:
    """Memberships to decide on: in force on the boundary and ending exactly then, or without
    an end date in a role that turns over (students), not decided for this boundary yet."""
    return (
        Membership.objects.filter(workplace=workplace, starts_on__lte=boundary)
        .filter(Q(ends_on=boundary) | Q(ends_on=None, role__in=TURNOVER_ROLES))
        .exclude(rollover_decided=boundary)
        .select_related("person")
        .order_by(Lower("person__name"), "role")
    )


@dataclass
class RolloverSummary:
    continued: int = 0
    ended: int = 0
    changed: int = 0


def apply_rollover(
    *, workplace: Workplace, boundary: dt.date, decisions: dict[int, tuple[str, str]]
) -> RolloverSummary:
    """Apply the bridge-builder's decisions in one transaction: ``decisions`` maps a
    membership id to ("continue" | "end" | "role", new role or ""). Continuing clears the
    end date and marks the membership confirmed for this boundary; ending sets the end date
    to the boundary; a role change ends it there and starts the new role the day after.
    Each decided membership is marked decided for this boundary, so it is not asked again."""
    next_day = boundary + dt.timedelta(days=1)
    with transaction.atomic():
        _lock(workplace.pk)
        candidates = {
            m.pk: m
            for m in rollover_candidates(workplace, boundary).select_for_update(of=("self",))
        }
        chosen: dict[str, list[int]] = {"continue": [], "end": [], "role": []}
        new_roles: list[Membership] = []
        for pk, (choice, new_role) in decisions.items():
            membership = candidates.get(pk)
            if membership is None:
                raise PeopleError(
                    _("Someone changed these memberships in the meantime. Reload the page.")
                )
            if choice == "role" and (new_role not in Role.values or new_role == membership.role):
                choice = ""
            if choice not in chosen:
                raise PeopleError(_("Choose what happens to each person."))
            chosen[choice].append(pk)
            if choice == "role":
                new_roles.append(Membership(
                    person_id=membership.person_id, workplace=workplace, role=new_role,
                    starts_on=next_day,
                ))  # fmt: skip
        # The new roles must not overlap one the person holds after the summer: one query.
        taken = Membership.objects.filter(
            workplace=workplace,
            person_id__in=[m.person_id for m in new_roles],
            role__in={m.role for m in new_roles},
        ).filter(Q(ends_on=None) | Q(ends_on__gte=next_day))
        clash = {(m.person_id, m.role) for m in taken} & {(m.person_id, m.role) for m in new_roles}
        if clash:
            person_id = min(clash)[0]
            name = next(m.person.name for m in candidates.values() if m.person_id == person_id)
            raise PeopleError(
                _("%(name)s already holds that role after the summer.") % {"name": name}
            )
        # Three updates and one insert, whatever the number of people.
        decided = Membership.objects.filter(pk__in=chosen["continue"])
        decided.update(ends_on=None, rollover_decided=boundary)
        ending = Membership.objects.filter(pk__in=chosen["end"] + chosen["role"])
        ending.update(ends_on=boundary, rollover_decided=boundary)
        Membership.objects.bulk_create(new_roles)
    return RolloverSummary(
        continued=len(chosen["continue"]), ended=len(chosen["end"]), changed=len(chosen["role"])
    )


# --- A new PW (staff) ------------------------------------------------------------------------
@dataclass
class NewWorkplace:
    workplace: Workplace
    bridge_builder: Membership
    notes: list[str] = field(default_factory=list)


RESERVED_SLUGS = frozenset({"new"})  # /pw/new/ starts a PW


def unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "pw"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Workplace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_workplace(
    *,
    name: str,
    sector: str,
    started_on: dt.date,
    partners: list[Organisation],
    bridge_builder_name: str,
    bridge_builder_email: str,
    description: str = "",
) -> NewWorkplace:
    """Start a PW with its partners and a first bridge-builder (an existing person with that
    e-mail address is used, never duplicated), who takes it from there."""
    with transaction.atomic():
        workplace = Workplace.objects.create(
            name=name.strip(), slug=unique_slug(name), sector=sector,
            started_on=started_on, description=description,
        )  # fmt: skip
        workplace.partners.set(partners)
        existing = find_person(bridge_builder_email)
        membership = add_member(
            workplace=workplace,
            name=bridge_builder_name,
            email=bridge_builder_email,
            role=Role.BRIDGE_BUILDER,
            starts_on=timezone.localdate(),
            use_existing=True,
        )
    notes = [_("The bridge-builder already had a record; it was used.")] if existing else []
    return NewWorkplace(workplace=workplace, bridge_builder=membership, notes=notes)
