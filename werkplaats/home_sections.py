"""The home page's own sections: what the user's roles do first (issue 19).

One primary action for those who log activities (the quick form right there), my goals for
everyone who keeps them, and what happened lately in my PWs. Later apps add their part in
their own panels (evaluations: response rates, results, the client's questionnaire). A
constant number of queries, whatever the number of PWs, and only what the policy allows.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from werkplaats import policy
from werkplaats.forms import QuickActivityForm
from werkplaats.models import Activity, GoalStatus, LearningGoal, Person, Workplace

RECENT = 5


def _member_roles(request) -> dict[Workplace, frozenset[str]]:
    """{PW: the user's current roles there} for the PWs they are a member of, from the
    policy's one look-up per request and the PWs the home page already read (no query of its
    own on the home page; one for the PWs elsewhere)."""
    if not hasattr(request, "_home_member_roles"):
        ids = policy.member_workplace_ids(request.user)
        shown = {wp.pk: wp for wp in getattr(request, "home_workplaces", [])}
        missing = [pk for pk in ids if pk not in shown]
        if missing:
            shown.update((wp.pk, wp) for wp in Workplace.objects.filter(pk__in=missing))
        request._home_member_roles = {
            shown[pk]: policy.roles_in(request.user, shown[pk]) - {policy.RESEARCH} for pk in ids
        }
    return request._home_member_roles


def quick_panel(request) -> dict | None:
    """For those who log activities: the quick form (one PW) or a button per PW."""
    if not request.user.is_authenticated:
        return None
    loggers = policy.RULES[policy.Action.LOG_ACTIVITY]
    log_in = sorted(
        [wp for wp, roles in _member_roles(request).items() if roles & loggers],
        key=lambda wp: wp.name,
    )
    if not log_in:
        return None
    context: dict = {"log_in": log_in, "quick_form": None}
    if len(log_in) == 1:  # the quick form itself; with several PWs, a button per PW
        context["quick_form"] = QuickActivityForm(workplace=log_in[0])
    return context


def goals_panel(request) -> dict | None:
    """My active goals (as owner or co-owner) in the PWs I am a member of, soonest first."""
    if not request.user.is_authenticated:
        return None
    workplaces = {wp.pk: wp for wp in _member_roles(request)}
    if not workplaces:
        return None
    person = Person.objects.filter(user=request.user).values("pk")
    goals = list(
        LearningGoal.objects.filter(
            Q(owner__in=person) | Q(co_owners__in=person),
            status=GoalStatus.ACTIVE,
            workplace__in=list(workplaces),
        )
        .distinct()
        .select_related("workplace")
        .order_by("target_date", "-created_at")[:5]
    )
    return {
        "goals": goals,
        "goal_workplaces": sorted(workplaces.values(), key=lambda wp: wp.name),
        "several": len(workplaces) > 1,
    }


def recent_panel(request) -> dict | None:
    """The latest activities of the PWs I am a current member of (one query), below my PWs."""
    if not request.user.is_authenticated:
        return None
    ids = policy.member_workplace_ids(request.user)
    if not ids:
        return None
    newest = ("-date", "-start_time", "-pk")
    latest = Activity.objects.select_related("workplace", "kind").order_by(*newest)
    if len(ids) > 1 and not connection.features.supports_slicing_ordering_in_compound:
        recent = list(latest.filter(workplace_id__in=ids)[:RECENT])  # SQLite: small data
    elif len(ids) == 1:
        # One PW: the (workplace, date, start time, id) index gives the newest rows directly;
        # with a subquery PostgreSQL sorted all of a PW's activities (140 ms at 100,000).
        recent = list(latest.filter(workplace_id=ids[0])[:RECENT])
    else:
        # Several PWs: each PW's newest few through the same index, then the newest of those.
        per_pw = [
            Activity.objects.filter(workplace_id=pk).order_by(*newest).values("pk")[:RECENT]
            for pk in ids
        ]
        pks = per_pw[0].union(*per_pw[1:], all=True) if len(per_pw) > 1 else per_pw[0]
        recent = list(latest.filter(pk__in=pks)[:RECENT])  # one query, the union inside
    if not recent:
        return None
    return {"recent": recent, "several": len({a.workplace_id for a in recent}) > 1}
