"""Celery tasks of the core. Tasks are thin: they take IDs, call a service, are safe to rerun."""

from __future__ import annotations

import os

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    """Delete expired sessions (daily, from beat). Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def prune_login_records() -> int:
    """Delete login records past ``LOGIN_RECORD_RETENTION_DAYS`` (daily, from beat)."""
    from werkplaats.security import prune_login_records as prune

    return prune()


@shared_task
def ping(token: str) -> dict[str, object]:
    """Answer with the worker's process id: proves a worker, not the caller, ran the task."""
    return {"token": token, "pid": os.getpid()}


@shared_task
def send_goal_reminders() -> int:
    """Turn due learning-goal reminders into notifications (hourly, from beat) and send them.
    Safe to run twice or in parallel."""
    from werkplaats.goal_services import send_due_reminders
    from werkplaats.notifications import send_pending

    due = send_due_reminders()
    send_pending()
    return due


@shared_task(acks_late=True)
def send_notifications() -> dict[str, int]:
    """Mail the notifications that are due (queued after a commit, and from beat). Each row
    is claimed before its mail, so a duplicate task sends nothing twice."""
    from werkplaats.notifications import send_pending

    return send_pending()


@shared_task
def send_notification_digests() -> dict[str, int]:
    """Make and send the digests that are due (hourly, from beat). Safe to run twice."""
    from werkplaats.notifications import send_digests

    return send_digests()


@shared_task(acks_late=True)
def send_account_invitation(pk: int, token: str) -> str:
    """Send one account invitation (queued after the commit that made it). Safe to rerun."""
    from werkplaats.account_invitations import send_invitation

    return send_invitation(pk, token)


@shared_task
def send_pending_account_invitations() -> int:
    """Settle claims a killed sender left (resent once, then uncertain) and retry what a failed
    send left pending (from beat). Safe to rerun."""
    from werkplaats.account_invitations import send_pending

    return send_pending()


@shared_task
def purge_cohort_uploads() -> int:
    """Delete cohort uploads older than a day (daily, from beat). Safe to run twice."""
    from werkplaats.cohort_views import purge_cohort_uploads as purge

    return purge()


@shared_task
def recount_activity_strips() -> int:
    """Count every PW's activity-strip counters afresh (nightly): the services keep them on
    every write; this puts right a writer that bypassed them without calling the hook."""
    from werkplaats.activity_counts import rebuild
    from werkplaats.models import Workplace

    workplaces = list(Workplace.objects.values_list("pk", flat=True))
    for workplace_id in workplaces:
        rebuild(workplace_id)
    return len(workplaces)
