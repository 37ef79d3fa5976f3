"""Writes for shared learning goals: create, edit, support, timeline, closing, reminders."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from elements.tagging import TagSelection
from werkplaats import notifications
from werkplaats.models import (
    GoalReminder,
    GoalStatus,
    GoalSupport,
    GoalUpdate,
    GoalVisibility,
    LearningGoal,
    Membership,
    NotificationKind,
    Person,
    ReminderKind,
    Role,
    SupportStatus,
    UpdateKind,
    Workplace,
    school_year_bounds,
    school_year_of,
)
from werkplaats.values import KEEP, Keep, RowValues
from werkplaats.versioning import save_versioned

logger = logging.getLogger(__name__)


class NotAllowed(Exception):
    """The person may not do this to the goal."""


def is_owner(goal: LearningGoal, person: Person | None) -> bool:
    return person is not None and person.pk in goal.owner_ids()


@dataclass(frozen=True, kw_only=True)
class GoalValues(RowValues):
    """A goal's own fields, as ``create_goal`` and ``update_goal`` take them."""

    title: str | Keep = KEEP
    description: str | Keep = KEEP
    why: str | Keep = KEEP
    how: str | Keep = KEEP
    target_date: dt.date | None | Keep = KEEP
    status: str | Keep = KEEP
    visibility: str | Keep = KEEP
    co_owners: Iterable[Person] | Keep = KEEP
    tags: TagSelection | Iterable[str] | Keep = KEEP


def create_goal(*, workplace: Workplace, owner: Person, values: GoalValues) -> LearningGoal:
    """Save a new goal of this school year with its tags and reminders (one transaction)."""
    with transaction.atomic():
        goal = LearningGoal(
            workplace=workplace, owner=owner, school_year=school_year_of(timezone.localdate())
        )
        values.write(goal)
        schedule_reminders(goal)
    return goal


def update_goal(
    *, goal: LearningGoal, values: GoalValues, expected_version: int | None, by: Person
) -> LearningGoal:
    """Save an edited goal; only its owners may. EditConflict, with nothing saved, if a
    co-owner saved or closed it since the form showing ``expected_version`` was opened (a
    conditional UPDATE claims the version, so of two concurrent saves exactly one wins)."""
    if not is_owner(goal, by):
        raise NotAllowed
    with transaction.atomic():
        save_versioned(goal, values, expected_version)
        schedule_reminders(goal)
    return goal


def schedule_reminders(goal: LearningGoal) -> None:
    """A reminder a week before and on the target date, for an active goal.

    The (goal, kind) row is unique. A changed target date moves an unsent reminder and re-arms
    a sent one for the new date; the same reminder (same goal, kind and date) never goes twice.
    """
    today = timezone.localdate()
    wanted = {}
    if goal.target_date and goal.status == GoalStatus.ACTIVE:
        wanted = {
            ReminderKind.WEEK_BEFORE: goal.target_date - dt.timedelta(days=7),
            ReminderKind.ON_THE_DAY: goal.target_date,
        }
    existing = {r.kind: r for r in goal.reminders.all()}
    for kind, reminder in existing.items():
        if kind not in wanted and reminder.sent_at is None:
            reminder.delete()
    for kind, due in wanted.items():
        reminder = existing.get(kind)
        if due < today:  # too late for this one: an unsent row for an older date must go
            if reminder is not None and reminder.sent_at is None:
                reminder.delete()
            continue
        if reminder is None:
            GoalReminder.objects.create(goal=goal, kind=kind, due_on=due)
        elif reminder.due_on != due:
            # Re-arm for the new date, unless that is the date already reminded about.
            reminder.due_on = due
            reminder.sent_at = timezone.now() if reminder.sent_for == due else None
            reminder.save(update_fields=["due_on", "sent_at"])


def ask_support(*, goal: LearningGoal, person: Person, by: Person) -> GoalSupport:
    """Ask a current member of the goal's PW to support it (asking again after a no is fine).
    A draft is private to its owners, so nobody can be asked to support one yet. The person
    asked is told at once (a double submit asks, and tells, once)."""
    if not is_owner(goal, by) or goal.status == GoalStatus.DRAFT:
        raise NotAllowed
    with transaction.atomic():
        support, created = GoalSupport.objects.get_or_create(goal=goal, person=person)
        asked = created
        if not created and support.status == SupportStatus.DECLINED:
            # The n-th request after a decline is its own event: the decline's moment names it.
            round_ = int(support.answered_at.timestamp()) if support.answered_at else 0
            asked = bool(
                GoalSupport.objects.filter(pk=support.pk, status=SupportStatus.DECLINED).update(
                    status=SupportStatus.REQUESTED, answered_at=None
                )
            )
            support.status, support.answered_at = SupportStatus.REQUESTED, None
        else:
            round_ = 0
        if asked:
            notifications.notify(
                NotificationKind.SUPPORT_ASKED, [person],
                key=f"support-asked:{support.pk}:{round_}", workplace=goal.workplace, goal=goal,
                link=notifications.goal_link(goal),
            )  # fmt: skip
    return support


def answer_support(*, support: GoalSupport, accept: bool, by: Person) -> None:
    """Answer an open request (once: a second click finds it answered); a declined request
    needs a new request from the owner. The owners hear of the answer."""
    if support.person_id != by.pk or support.status != SupportStatus.REQUESTED:
        raise NotAllowed
    now = timezone.now()
    status = SupportStatus.ACCEPTED if accept else SupportStatus.DECLINED
    with transaction.atomic():
        answered = GoalSupport.objects.filter(pk=support.pk, status=SupportStatus.REQUESTED).update(
            status=status, answered_at=now
        )
        if answered != 1:
            raise NotAllowed
        support.status, support.answered_at = status, now
        goal = support.goal
        notifications.notify(
            NotificationKind.SUPPORT_ANSWERED, notifications.goal_owners(goal),
            key=f"support-answered:{support.pk}:{int(now.timestamp())}",
            workplace=goal.workplace, goal=goal, link=notifications.goal_link(goal),
        )  # fmt: skip


def add_update(
    *, goal: LearningGoal, author: Person, text: str, reply_to: GoalUpdate | None = None
) -> GoalUpdate:
    """Owners write progress (or reply to feedback); everybody else who sees it gives feedback."""
    owner = is_owner(goal, author)
    if reply_to is not None:
        if not owner or reply_to.goal_id != goal.pk or reply_to.kind != UpdateKind.FEEDBACK:
            raise NotAllowed
        kind = UpdateKind.REPLY
    else:
        kind = UpdateKind.PROGRESS if owner else UpdateKind.FEEDBACK
    with transaction.atomic():
        update = GoalUpdate.objects.create(
            goal=goal, author=author, kind=kind, text=text, reply_to=reply_to
        )
        if kind == UpdateKind.FEEDBACK:  # the owners hear of new feedback
            told, what = notifications.goal_owners(goal), NotificationKind.FEEDBACK
        elif kind == UpdateKind.REPLY:  # the author of the feedback hears of the reply
            told, what = [reply_to.author], NotificationKind.REPLY
        else:
            told, what = [], None
        if what:
            notifications.notify(
                what, [p for p in told if p.pk != author.pk], key=f"goal-update:{update.pk}",
                workplace=goal.workplace, goal=goal, link=notifications.goal_link(goal),
            )  # fmt: skip
    return update


def close_goal(*, goal: LearningGoal, status: str, reflection: str, by: Person) -> None:
    """Mark a goal achieved or stopped, with the owner's closing reflection."""
    if not is_owner(goal, by) or status not in (GoalStatus.ACHIEVED, GoalStatus.STOPPED):
        raise NotAllowed
    with transaction.atomic():
        # Claim: only an active goal closes, once (a double submit adds no second reflection).
        closed = LearningGoal.objects.filter(pk=goal.pk, status=GoalStatus.ACTIVE).update(
            status=status, updated_at=timezone.now(), version=F("version") + 1
        )
        if closed != 1:
            raise NotAllowed
        goal.status = status
        GoalUpdate.objects.create(goal=goal, author=by, kind=UpdateKind.REFLECTION, text=reflection)
        schedule_reminders(goal)  # drops the reminders that were not sent yet
        if status == GoalStatus.ACHIEVED:  # those who support it share the news
            supporters = Person.objects.filter(
                supporting__goal=goal, supporting__status=SupportStatus.ACCEPTED
            )
            notifications.notify(
                NotificationKind.GOAL_ACHIEVED, supporters, key=f"goal-achieved:{goal.pk}",
                workplace=goal.workplace, goal=goal, link=notifications.goal_link(goal),
            )  # fmt: skip


# --- Reminders (Celery beat runs send_due_reminders through a thin task) ----------------------
def send_due_reminders(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Turn every due reminder into a notification for each owner; return how many reminders
    fell due. Claiming the row and writing the notifications is one transaction, and each
    owner's notification has its own key and its own mail: a failed mail to one co-owner is
    retried for that co-owner alone, and a retried or concurrent run writes nothing twice."""
    today = today or timezone.localdate()
    due = GoalReminder.objects.filter(sent_at=None, due_on__lte=today).values_list("pk", flat=True)
    sent = 0
    for pk in list(due[:limit]):
        with transaction.atomic():
            claimed = GoalReminder.objects.filter(pk=pk, sent_at=None).update(
                sent_at=timezone.now(), sent_for=F("due_on")
            )
            if claimed != 1:
                continue  # another worker claimed it
            reminder = GoalReminder.objects.select_related("goal__workplace", "goal__owner").get(
                pk=pk
            )
            goal = reminder.goal
            told = 0
            if goal.status == GoalStatus.ACTIVE:
                told = notifications.notify(
                    NotificationKind.GOAL_REMINDER, notifications.goal_owners(goal),
                    key=f"goal-reminder:{pk}:{reminder.due_on.isoformat()}",
                    workplace=goal.workplace, goal=goal, link=notifications.goal_link(goal),
                )  # fmt: skip
            GoalReminder.objects.filter(pk=pk).update(recipients=told)
        sent += 1
    return sent


# --- Counts for the yearly evaluation ---------------------------------------------------------
def _goals_of_year(workplace: Workplace, school_year: str):
    return LearningGoal.objects.filter(workplace=workplace, school_year=school_year).exclude(
        status=GoalStatus.DRAFT
    )


def _measures(prefix: str = "") -> dict:
    return {
        "shared": Count(f"{prefix}pk", distinct=True),
        "shared_with_workplace": Count(
            f"{prefix}pk",
            distinct=True,
            filter=Q(**{f"{prefix}visibility": GoalVisibility.WORKPLACE}),
        ),  # fmt: skip
        "achieved": Count(
            f"{prefix}pk", distinct=True, filter=Q(**{f"{prefix}status": GoalStatus.ACHIEVED})
        ),
        "with_feedback": Count(
            f"{prefix}pk",
            distinct=True,
            filter=Q(**{f"{prefix}updates__kind": UpdateKind.FEEDBACK}),
        ),  # fmt: skip
    }


MEASURES = ("shared", "shared_with_workplace", "achieved", "with_feedback")


def goal_counts(*, workplace: Workplace, school_year: str) -> dict:
    """Goals of a PW and school year: shared, achieved and with feedback, in total, per role of
    the owner and per element. Goals shared only with supporters are counted (never shown).

    {"total": {...}, "per_role": {role: {...}}, "per_element": {code: {...}}}, three queries.
    """
    goals = _goals_of_year(workplace, school_year)
    total = goals.aggregate(**_measures())
    # The owner's roles in this PW during that school year (a person with two roles counts
    # in both; co-owners are not counted per role).
    year_start, year_end = school_year_bounds(school_year)
    owner_roles = Membership.objects.during(year_start, year_end).filter(
        workplace=workplace, person__goals__in=goals
    )
    per_role = {
        row["role"]: {k: row[k] for k in MEASURES}
        for row in owner_roles.values("role").annotate(**_measures("person__goals__")).order_by()
    }
    return {
        "total": total,
        "per_role": {role.value: per_role.get(role.value, _zero()) for role in Role},
        "per_element": goal_counts_per_element(workplace=workplace, school_year=school_year),
    }


def goal_counts_per_element(*, workplace: Workplace, school_year: str) -> dict[str, dict]:
    """``goal_counts(...)["per_element"]`` alone (one query): what the dashboard shows."""
    goals = _goals_of_year(workplace, school_year).filter(elements__isnull=False)
    return {
        row["elements"]: {k: row[k] for k in MEASURES}
        for row in goals.values("elements").annotate(**_measures()).order_by()
    }


def _zero() -> dict:
    return {"shared": 0, "shared_with_workplace": 0, "achieved": 0, "with_feedback": 0}
