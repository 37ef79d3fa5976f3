"""Personal data of evaluations: retention (anonymising old invitations), and a person's export
and erasure."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evaluations import frozen_results
from evaluations.models import (
    AccessToken,
    CycleStatus,
    ElementComment,
    EvaluationCycle,
    ImprovementAction,
    Invitation,
    MailDelivery,
    Response,
)
from evaluations.results import forget_cached_results
from evaluations.tallies import tally_cycle
from werkplaats.models import Person


def apply_retention(now: dt.datetime | None = None) -> int:
    """Anonymise the invitations of cycles closed longer ago than EVALUATION_RETENTION_DAYS:
    1. close any stored tallies gap (a closed cycle without them gets them first);
    2. delete the links, the mail ledger and the open texts (answers to open questions and
       element comments, which may name people);
    3. cut the invitation from the person. The ratings stay, unlinked, and so do the tallies
       and summaries, so every dashboard shows the same figures as before.
    Returns how many invitations were anonymised; running it again changes nothing."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.EVALUATION_RETENTION_DAYS)
    cycles = EvaluationCycle.objects.filter(
        status=CycleStatus.CLOSED, closes_at__lt=limit, invitations__anonymised_at__isnull=True
    ).distinct()
    anonymised = 0
    for cycle in cycles:
        with transaction.atomic():
            MailDelivery.objects.filter(cycle=cycle).delete()  # also the coordinators' mails
            anonymised += anonymise_invitations(cycle.invitations.filter(person__isnull=False), now)
    return anonymised


def anonymise_invitations(invitations, now: dt.datetime) -> int:
    """What retention and erasure both do to invitations: closed cycles without stored tallies
    get them first (so results stay the same), then the links, the invitation mails and the
    open texts go, and the invitations no longer point to a person. Their cycles' results
    revision is bumped (a cached render from before no longer matches, even one that raced
    this) and the cached renders are dropped once this commits. Returns how many."""
    cycle_ids = list(
        EvaluationCycle.objects.filter(invitations__in=invitations)
        .values_list("pk", flat=True)
        .distinct()
    )
    EvaluationCycle.objects.filter(pk__in=cycle_ids).update(
        results_revision=F("results_revision") + 1
    )
    transaction.on_commit(lambda: forget_cached_results(cycle_ids))
    transaction.on_commit(lambda: frozen_results.warm_later(cycle_ids))
    for cycle in EvaluationCycle.objects.filter(
        invitations__in=invitations, status=CycleStatus.CLOSED, respondent_count__isnull=True
    ).distinct():
        tally_cycle(cycle)
    AccessToken.objects.filter(invitation__in=invitations).delete()
    MailDelivery.objects.filter(invitation__in=invitations).delete()
    ElementComment.objects.filter(response__invitation__in=invitations).delete()
    Response.objects.filter(invitation__in=invitations).update(went_well="", could_be_better="")
    return invitations.update(person=None, anonymised_at=now)


# --- Personal data (registered in apps.py) ---------------------------------------------------
def export_personal_data(person: Person) -> dict:
    """The person's invitations, with their answers and open texts, and their actions."""
    invitations = []
    for invitation in Invitation.objects.filter(person=person).select_related("cycle__workplace"):
        response = Response.objects.filter(invitation=invitation).first()
        invitations.append(
            {
                "workplace": invitation.cycle.workplace.name,
                "cycle": invitation.cycle.label,
                "role": invitation.role,
                "submitted_at": response.submitted_at.isoformat()
                if response and response.submitted_at
                else None,
                "answers": {
                    (a.item.aspect_id or a.item.element_id): a.value
                    for a in response.answers.select_related("item")
                }
                if response
                else {},
                "comments": {c.element_id: c.text for c in response.comments.all()}
                if response
                else {},
                "went_well": response.went_well if response else "",
                "could_be_better": response.could_be_better if response else "",
                "assisted": response.assisted if response else False,
            }
        )
    actions = [
        {"title": a.title, "element": a.element_id, "due_on": a.due_on.isoformat()}
        for a in ImprovementAction.objects.filter(owner=person)
    ]
    return {"invitations": invitations, "improvement_actions": actions}


def erase_personal_data(person: Person) -> None:
    """Unlink the person's invitations like retention does (their ratings stay, unlinked, so
    aggregates stay correct); delete their links, mails and open texts."""
    MailDelivery.objects.filter(person=person).delete()  # also mails as a coordinator
    anonymise_invitations(Invitation.objects.filter(person=person), timezone.now())
