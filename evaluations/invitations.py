"""Invitations to a cycle: inviting the members, a late invitation, resending the invitation
mail, and stopping reminders."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.common import EvaluationError, _current_people
from evaluations.mailing import _queue
from evaluations.models import (
    CycleStatus,
    DeliveryStatus,
    EvaluationCycle,
    Invitation,
    MailDelivery,
    MailKind,
)
from werkplaats.models import Person


def invite_members(cycle: EvaluationCycle) -> int:
    """One invitation (and its invitation mail) per current member in the invited roles."""
    people = _current_people(cycle, cycle.invited_roles)
    already = set(cycle.invitations.values_list("person_id", flat=True))
    new = [
        Invitation(cycle=cycle, person_id=pid, role=role)
        for pid, role in people.items()
        if pid not in already
    ]
    Invitation.objects.bulk_create(new, ignore_conflicts=True)
    for invitation in cycle.invitations.filter(mails=None):
        _queue(cycle, invitation.person_id, MailKind.INVITATION, invitation)
    return len(new)


def add_invitation(*, cycle: EvaluationCycle, person: Person, role: str) -> Invitation:
    """Invite a late member of an open cycle (the invitation mail follows on the next send)."""
    if cycle.status != CycleStatus.OPEN:
        raise EvaluationError(_("Only an open cycle can take more invitations."))
    with transaction.atomic():
        invitation, _created = Invitation.objects.get_or_create(
            cycle=cycle, person=person, defaults={"role": role}
        )
        _queue(cycle, person.pk, MailKind.INVITATION, invitation)
    return invitation


def resend_invitation(*, invitation: Invitation) -> bool:
    """Send the invitation mail again (a deliberate act of a bridge-builder). The ledger row
    goes back to pending once; a double click finds it pending and changes nothing."""
    if invitation.cycle.status != CycleStatus.OPEN:
        raise EvaluationError(_("Only an open cycle can send invitations."))
    now = timezone.now()
    changed = MailDelivery.objects.filter(
        invitation=invitation,
        kind=MailKind.INVITATION,
        status__in=[
            DeliveryStatus.SENT,
            DeliveryStatus.FAILED,
            DeliveryStatus.SKIPPED,
            DeliveryStatus.UNCERTAIN,
        ],
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, attempts=0, last_error="")
    if not changed and not invitation.mails.filter(kind=MailKind.INVITATION).exists():
        return _queue(invitation.cycle, invitation.person_id, MailKind.INVITATION, invitation)
    return bool(changed)


def stop_reminders(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, reminders_stopped_at=None).update(
        reminders_stopped_at=timezone.now()
    )
