"""What the evaluation write modules share: their errors, the version check, the limits and
whom a member is invited as."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from evaluations.models import CheckIns, EvaluationCycle, MailKind
from werkplaats import versioning
from werkplaats.models import Membership, Role

DRAFT_AHEAD = dt.timedelta(days=14)  # cycles from the plan appear as drafts this long before
STALE_CLAIM = dt.timedelta(minutes=15)  # above the task time limit: the claimer has died
MAX_ATTEMPTS = 5
TOKEN_BYTES = 32  # 256 bits from secrets; the issue asks for at least 128
# Whom an invitation counts as when a person holds several roles: the role whose voice is
# rarest in the PW first (clients, then students...), so small groups are not thinned out.
ROLE_PRIORITY = [
    Role.CLIENT,
    Role.STUDENT,
    Role.PROFESSIONAL,
    Role.SUPPORTER,
    Role.BRIDGE_BUILDER,
    Role.MANAGER,
]
CHECK_IN_MONTHS = {CheckIns.SEMESTER: (11, 3), CheckIns.QUARTER: (10, 12, 3, 6)}
REMINDER_KINDS = {1: MailKind.REMINDER_1, 2: MailKind.REMINDER_2, 3: MailKind.REMINDER_3}


class EvaluationError(Exception):
    """A write that the state of the cycle does not allow; the message is for the user."""


class EditConflict(EvaluationError, versioning.EditConflict):
    """Someone else changed the row since the form was opened: the one conflict of
    ``werkplaats.versioning``, with the message evaluation views show as an error."""


def _check_version(current: int, expected: int | None) -> None:
    """A missing or malformed version is a conflict too, never a pass."""
    try:
        versioning.check_version(current, expected)
    except versioning.EditConflict as conflict:
        raise EditConflict(str(conflict)) from None


def _claim(row, expected: int | None, field: str = "version") -> None:
    """``versioning.claim`` with the evaluation views' conflict."""
    try:
        versioning.claim(row, expected, field)
    except versioning.EditConflict as conflict:
        raise EditConflict(str(conflict)) from None


def _current_people(cycle: EvaluationCycle, roles) -> dict[int, str]:
    """person id → the role they are invited as, for the current members in ``roles``."""
    rows = (
        Membership.objects.current(timezone.localdate())
        .filter(workplace=cycle.workplace_id, role__in=list(roles))
        .values_list("person_id", "role")
    )
    chosen: dict[int, str] = {}
    for person_id, role in rows:
        if person_id not in chosen or ROLE_PRIORITY.index(role) < ROLE_PRIORITY.index(
            chosen[person_id]
        ):
            chosen[person_id] = role
    return chosen
