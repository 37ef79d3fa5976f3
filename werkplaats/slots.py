"""What the core app shows on an element page within a PW (registered in apps.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from elements.slots import ElementSlot
from werkplaats import policy
from werkplaats.models import Activity, GoalStatus, LearningGoal

RECENT = 5


def recent_activities(request, workplace, element) -> dict:
    """The latest activities of this PW tagged with the element (two queries)."""
    if not policy.can(request.user, policy.Action.VIEW_ACTIVITIES, workplace):
        return {"allowed": False}
    activities = Activity.objects.filter(workplace=workplace).tagged_with(element.code)
    return {
        "allowed": True,
        "items": list(activities.select_related("kind").order_by("-date", "-pk")[:RECENT]),
        "total": activities.count(),
    }


def active_goals(request, workplace, element) -> dict:
    """Active goals about the element that this user may read (one query)."""
    goals = (
        LearningGoal.objects.visible_to(request.user)
        .filter(workplace=workplace, status=GoalStatus.ACTIVE)
        .tagged_with(element.code)
        .select_related("owner")
        .order_by("-created_at")
    )
    return {"allowed": True, "items": list(goals[:RECENT])}


SLOTS = [
    ElementSlot(
        key="activities",
        title=_("Recent activities"),
        template="werkplaats/slots/activities.html",
        context=recent_activities,
        order=10,
    ),
    ElementSlot(
        key="goals",
        title=_("Active learning goals"),
        template="werkplaats/slots/goals.html",
        context=active_goals,
        order=20,
    ),
]
