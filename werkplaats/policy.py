"""The one access policy: who may do what in which PW.

Every view and template asks this module. Two questions, always in this order:
1. May the user see the PW at all? If not: 404, so a member of PW A learns nothing about
   PW B, not even that it exists.
2. May the user do this action there? If not: 403.
Views ask both at once with ``workplace_for(user, slug, action)``; templates and partial
decisions use ``can(user, action, workplace)``.

Roles come from current memberships (dates respected). Staff may do everything. Research access
(``ResearchGrant``) lets a user read aggregated results and research material of the granted PWs,
never personal contact data or member names.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from werkplaats.models import Membership, ResearchGrant, Role, Workplace

RESEARCH = "research"  # a pseudo-role for users with a research grant on a PW


class Action(StrEnum):
    """Everything the policy decides. Feature issues add their actions here."""

    VIEW_WORKPLACE = "workplace.view"  # the PW home: partners, counts per role, flags
    VIEW_MEMBERS = "workplace.members"  # names of the members
    MANAGE_MEMBERS = "members.manage"  # add, end and change memberships, import, invite
    VIEW_CONTACT = "person.contact"  # email addresses of members
    EDIT_WORKPLACE = "workplace.edit"
    VIEW_ACTIVITIES = "activity.view"  # the activity log (names participants)
    LOG_ACTIVITY = "activity.log"  # add, edit, duplicate and delete activities
    KEEP_GOALS = "goal.keep"  # have and share learning goals, see the goal wall
    MANAGE_EVALUATIONS = "evaluation.manage"
    READ_RESULTS = "results.read"  # aggregated evaluation results and dashboards
    READ_RESEARCH = "research.read"  # case studies, CMO notes, research exports
    VIEW_CASES = "case.view"  # the case board and case pages (names participants), outputs
    MANAGE_CASES = "case.manage"  # start and edit cases, move them, add outputs and CMO notes
    DELETE_OUTPUTS = "case.outputs.delete"  # any output; its uploader and the case lead also may
    VIEW_POOL = "pool.view"  # experience experts who agreed to be approached, with contact data
    MANAGE_POOL = "pool.manage"  # record and withdraw their consent
    CONDUCT_RESEARCH = "research.conduct"  # case studies: moments, coded fragments, summaries
    WRITE_NOTES = "cmo.write"  # write CMO notes (a note has an author: a member)
    EXPORT_RESEARCH = "research.export"  # row-level research CSV of a closed cycle (pseudonyms)


_ALL_ROLES = frozenset(Role.values)
_COORDINATORS = frozenset({Role.BRIDGE_BUILDER, Role.MANAGER})

RULES: dict[Action, frozenset[str]] = {
    Action.VIEW_WORKPLACE: _ALL_ROLES | {RESEARCH},
    Action.VIEW_MEMBERS: _ALL_ROLES,
    # The PW runs itself: its bridge-builders and managers keep its people up to date.
    Action.MANAGE_MEMBERS: _COORDINATORS,
    Action.VIEW_CONTACT: _COORDINATORS | {Role.SUPPORTER},
    Action.EDIT_WORKPLACE: _COORDINATORS,
    Action.VIEW_ACTIVITIES: _ALL_ROLES,
    Action.LOG_ACTIVITY: _COORDINATORS | {Role.SUPPORTER},
    Action.KEEP_GOALS: _ALL_ROLES,
    Action.MANAGE_EVALUATIONS: _COORDINATORS,
    Action.READ_RESULTS: _COORDINATORS | {Role.SUPPORTER, RESEARCH},
    Action.READ_RESEARCH: _ALL_ROLES | {RESEARCH},
    Action.VIEW_CASES: _ALL_ROLES,
    # Clients take part in cases (often without an account); the others run them.
    Action.MANAGE_CASES: _ALL_ROLES - {Role.CLIENT},
    # Deleting cannot be undone and outputs count as indicators: coordinators, beside the
    # uploader and the case lead (cases.services.may_delete_output).
    Action.DELETE_OUTPUTS: _COORDINATORS,
    # Only members of a PW the expert agreed to; research access never sees contact data.
    Action.VIEW_POOL: _ALL_ROLES,
    Action.MANAGE_POOL: _COORDINATORS | {Role.SUPPORTER},
    # Coded fragments are raw research material: researchers (and staff) only.
    Action.CONDUCT_RESEARCH: frozenset({RESEARCH}),
    Action.WRITE_NOTES: _ALL_ROLES - {Role.CLIENT},
    # Pseudonymous rows are research material: research access (and staff), not the PW itself.
    Action.EXPORT_RESEARCH: frozenset({RESEARCH}),
}
# What only a current member does, as themselves (a goal has an owner, a note an author):
# staff rights do not make someone a member, so staff get these only through a membership.
AS_MEMBER = frozenset({Action.KEEP_GOALS, Action.WRITE_NOTES})


def _standing(user) -> tuple[dict[int, frozenset[str]], bool]:
    """{PW id: the user's current roles there, plus RESEARCH where a grant names the PW} and
    whether a grant without a PW opens every PW: two queries, once per request (kept on the
    user object, which Django makes anew for each request). Every question below reads this,
    so a page asks as many questions as it likes for the same two queries."""
    standing = user.__dict__.get("_werkplaats_standing")
    if standing is None:
        today = timezone.localdate()
        roles: dict[int, set[str]] = defaultdict(set)
        memberships = Membership.objects.current(today).filter(person__user=user)
        for workplace_id, role in memberships.values_list("workplace_id", "role"):
            roles[workplace_id].add(role)
        everywhere = False
        grants = ResearchGrant.objects.current(today).filter(user=user)
        for workplace_id in grants.values_list("workplace_id", flat=True):
            if workplace_id is None:
                everywhere = True
            else:
                roles[workplace_id].add(RESEARCH)
        standing = ({pk: frozenset(held) for pk, held in roles.items()}, everywhere)
        user.__dict__["_werkplaats_standing"] = standing
    return standing


def roles_in(user, workplace: Workplace) -> frozenset[str]:
    """The user's current roles in a PW (plus RESEARCH), from the one look-up per request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    roles, everywhere = _standing(user)
    held = roles.get(workplace.pk, frozenset())
    return held | {RESEARCH} if everywhere else held


def can(user, action: Action | str, workplace: Workplace) -> bool:
    """May this user do this action in this PW?"""
    action = Action(action)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff and action not in AS_MEMBER:
        return True
    return bool(roles_in(user, workplace) & RULES[action])


def may_create_workplaces(user) -> bool:
    """Starting a new PW is for staff (the first bridge-builder takes it from there)."""
    return _is_staff(user)


def may_handle_personal_data(user) -> bool:
    """The GDPR pages (a person's data, its export and erasure) are for staff only."""
    return _is_staff(user)


def may_research_across(user) -> bool:
    """The cross-PW research pages (CMO notes of every PW, the cross-case matrix) are for
    staff and for users with a current research grant (the one look-up per request)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    roles, everywhere = _standing(user)
    return everywhere or any(RESEARCH in held for held in roles.values())


def _is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def workplace_for(user, slug: str, action: Action | str) -> Workplace:
    """The PW with this slug for a view that does ``action`` there.

    404 if the user may not see the PW at all (never 403: another PW's existence stays
    hidden), 403 if they see it but their role does not allow the action.
    """
    try:
        workplace = Workplace.objects.visible_to(user).get(slug=slug)
    except Workplace.DoesNotExist:
        raise Http404("No such workplace") from None
    require(user, action, workplace)
    return workplace


def require(user, action: Action | str, workplace: Workplace) -> None:
    """Raise 403 unless the user may do the action (call after ``workplace_for``)."""
    if not can(user, action, workplace):
        raise PermissionDenied


def workplaces_where(user, action: Action | str, within=None):
    """The PWs where the user may do ``action``, as one queryset (for overviews across PWs);
    the same rules as ``can``: current roles, research grants (a grant without a PW opens
    every PW), staff everywhere. ``within`` narrows a given queryset of PWs instead.

    ``tests/werkplaats/test_policy.py`` holds this equal to ``can`` for every persona and
    action; "which PWs may this user see" is ``workplaces_where(user, VIEW_WORKPLACE)``,
    which ``Workplace.objects.visible_to`` asks."""
    action = Action(action)
    workplaces = Workplace.objects.all() if within is None else within
    if not user.is_authenticated or not user.is_active:
        return workplaces.none()
    if user.is_staff and action not in AS_MEMBER:
        return workplaces
    allowed = RULES[action]
    roles, everywhere = _standing(user)
    if everywhere and RESEARCH in allowed:  # a grant without a PW opens every PW
        return workplaces
    return workplaces.filter(pk__in=[pk for pk, held in roles.items() if held & allowed])


def anywhere(user, action: Action | str) -> bool:
    """May the user do ``action`` in any PW? (The home page's panels ask; no query for a
    member, one for staff and for a grant without a PW: whether any PW exists.)"""
    action = Action(action)
    if not user.is_authenticated or not user.is_active:
        return False
    roles, everywhere = _standing(user)
    if (user.is_staff and action not in AS_MEMBER) or (everywhere and RESEARCH in RULES[action]):
        return Workplace.objects.exists()
    return any(held & RULES[action] for held in roles.values())


def member_workplace_ids(user) -> list[int]:
    """The PWs where the user is a current member, in any role (research access is no
    membership), from the one look-up per request."""
    if not user.is_authenticated or not user.is_active:
        return []
    roles, _everywhere = _standing(user)
    return sorted(pk for pk, held in roles.items() if held - {RESEARCH})


def own_notifications(user):
    """The notifications a user may read: only their own, in any PW (a notification is the
    recipient's, like a letter; another person's is a 404)."""
    from werkplaats.models import Notification

    if not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(recipient__user=user)
