"""The "evaluations waiting for you" panel on the home page (registered in apps.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from evaluations.models import CycleStatus, Invitation, Response


def open_evaluations(request) -> dict | None:
    """The user's invitations in open cycles, with whether they submitted (one query)."""
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
    return {"invitations": invitations} if invitations else None
