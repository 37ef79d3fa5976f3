"""Celery tasks of the evaluation cycle. Thin: they call a service and are safe to rerun.

Beat runs ``run_evaluation_schedule`` every few minutes. It decides what is due from the
database (ledger rows written in the deciding transaction) and queues one ``send_evaluation_mail``
per row after commit. A lost or duplicated task costs nothing: the next sweep finds the row still
pending, and the row's claim lets only one sender send it.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from evaluations import common, cycles, frozen_results, mailing, retention


@shared_task
def run_evaluation_schedule() -> dict[str, int]:
    result = cycles.run_schedule()
    to_send = result.to_send
    transaction.on_commit(lambda: [send_evaluation_mail.delay(pk) for pk in to_send])
    return {
        "created": result.created,
        "opened": result.opened,
        "closed": result.closed,
        "queued": result.queued,
        "to_send": len(to_send),
    }


@shared_task(bind=True, acks_late=True, max_retries=common.MAX_ATTEMPTS)
def send_evaluation_mail(self, pk: int) -> str:
    """Send one ledger row. A temporary mail-server error retries with backoff (at most four
    minutes later); a permanent one is recorded on the row for the bridge-builder."""
    outcome = mailing.deliver(pk)
    if outcome == "retry":
        raise self.retry(countdown=mailing.backoff(self.request.retries + 1).total_seconds() + 1)
    return outcome


@shared_task
def apply_evaluation_retention() -> int:
    """Anonymise invitations past the retention period (daily, from beat)."""
    return retention.apply_retention()


@shared_task
def warm_dashboard(cycle_id: int) -> int:
    """Render a closed cycle's frozen results into the cache in every language, so the first
    dashboard after its close reads them (safe to rerun: an entry that fits is kept)."""
    return frozen_results.warm(cycle_id)
