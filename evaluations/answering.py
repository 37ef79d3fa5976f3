"""Answering an invitation: starting the response, saving ratings, comments and open answers,
and submitting."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.common import EvaluationError
from evaluations.models import (
    NOT_APPLICABLE,
    Answer,
    ElementComment,
    EvaluationCycle,
    Invitation,
    Item,
    Response,
)


def start_response(*, invitation: Invitation) -> Response:
    """The invitation's response, created on first use. The one-to-one key makes two tabs (or
    two requests at once) end up with the same row."""
    existing = Response.objects.filter(invitation=invitation).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Response.objects.create(
                invitation=invitation,
                cycle=invitation.cycle,
                role=invitation.role,
                instrument_version=invitation.cycle.instrument_version,
            )
    except IntegrityError:
        return Response.objects.get(invitation=invitation)


def _lock_open(cycle_id: int) -> None:
    """Lock the cycle row for the rest of the transaction and refuse unless it is open: a
    close (which updates the same row) then waits for this write, or this write sees it."""
    locked = EvaluationCycle.objects.select_for_update().only("status", "opens_at", "closes_at")
    if not locked.get(pk=cycle_id).is_open():
        raise EvaluationError(_("This evaluation is closed; answers can no longer be changed."))


def save_answers(
    *,
    response: Response,
    answers: dict[int, int],
    comments: dict[str, str] | None = None,
) -> None:
    """Store ratings (item id → 0..5) and element comments; all or nothing.

    Items must belong to the response's instrument version; values outside 0..5 are refused.
    """
    items = dict(
        Item.objects.filter(
            version=response.instrument_version_id, pk__in=list(answers)
        ).values_list("pk", "element_id")
    )
    for item_id, value in answers.items():
        if item_id not in items:
            raise EvaluationError(_("This question is not part of your questionnaire."))
        if value != NOT_APPLICABLE and not 1 <= value <= 5:
            raise EvaluationError(_("Choose an answer from 1 to 5, or “don't know”."))
    with transaction.atomic():
        _lock_open(response.cycle_id)
        if answers:
            Answer.objects.bulk_create(
                [Answer(response=response, item_id=i, value=v) for i, v in answers.items()],
                update_conflicts=True,
                unique_fields=["response", "item"],
                update_fields=["value"],
            )
        if comments:  # one upsert, as the answers (an autosave writes every step's fields)
            ElementComment.objects.bulk_create(
                [
                    ElementComment(response=response, element_id=element, text=text.strip())
                    for element, text in comments.items()
                ],
                update_conflicts=True,
                unique_fields=["response", "element"],
                update_fields=["text"],
            )
        Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())


def save_open_answers(
    *, response: Response, went_well: str, could_be_better: str, assisted: bool = False
) -> None:
    """The open questions and whether the respondent answered with help (not who helped)."""
    with transaction.atomic():
        _lock_open(response.cycle_id)
        Response.objects.filter(pk=response.pk).update(
            went_well=went_well.strip(),
            could_be_better=could_be_better.strip(),
            assisted=assisted,
            updated_at=timezone.now(),
        )


def submit_response(*, response: Response) -> bool:
    """Mark the response submitted: it counts from now on. False if it already was (double
    click, second tab, two requests at once: exactly one wins the conditional UPDATE)."""
    with transaction.atomic():
        _lock_open(response.cycle_id)
        return bool(
            Response.objects.filter(pk=response.pk, submitted_at=None).update(
                submitted_at=timezone.now()
            )
        )
