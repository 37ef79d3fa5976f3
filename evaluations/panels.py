"""The "evaluations waiting for you" panel on the home page (registered in apps.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from evaluations.models import CycleStatus, Invitation, Response
from werkplaats import policy


def open_evaluations(request) -> dict | None:
    """The user's invitations in open cycles, with whether they submitted, and whether they
    may read results anywhere (two queries)."""
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
    if not invitations and not reads_results:
        return None
    return {"invitations": invitations, "reads_results": reads_results}
