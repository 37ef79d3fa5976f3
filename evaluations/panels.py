"""The "evaluations waiting for you" panel on the home page (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from evaluations.models import ActionStatus, CycleStatus, ImprovementAction, Invitation, Response
from werkplaats import policy
from werkplaats.models import Workplace


def open_evaluations(request) -> dict | None:
    """The user's invitations in open cycles, with whether they submitted; whether they may
    read results anywhere; their improvement actions due soon (three queries)."""
    if not request.user.is_authenticated:
        return None
    now = timezone.now()
    invitations = list(
        Invitation.objects.filter(
            person__user=request.user,
            cycle__status=CycleStatus.OPEN,
            cycle__opens_at__lte=now,
            cycle__closes_at__gt=now,
        )
        .select_related("cycle__workplace")
        .annotate(
            submitted=Exists(
                Response.objects.filter(invitation=OuterRef("pk"), submitted_at__isnull=False)
            )
        )
        .order_by("cycle__closes_at")
    )
    reads_results = policy.workplaces_where(request.user, policy.Action.READ_RESULTS).exists()
    # My open improvement actions due within two weeks (or overdue), in PWs I am still in.
    actions = list(
        ImprovementAction.objects.filter(
            owner__user=request.user,
            status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING],
            due_on__lte=timezone.localdate() + dt.timedelta(days=14),
            workplace__in=Workplace.objects.visible_to(request.user),
        )
        .select_related("workplace")
        .order_by("due_on")[:10]
    )
    if not invitations and not reads_results and not actions:
        return None
    return {
        "invitations": invitations,
        "reads_results": reads_results,
        "actions": actions,
        "today": timezone.localdate(),
    }
