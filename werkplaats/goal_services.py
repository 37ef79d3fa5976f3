"""Writes for shared learning goals: create, edit, support, timeline, closing, reminders."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from werkplaats.models import (
    GoalReminder,
    GoalStatus,
    GoalSupport,
    GoalUpdate,
    GoalVisibility,
    LearningGoal,
    Membership,
    Person,
    ReminderKind,
    Role,
    SupportStatus,
    UpdateKind,
    Workplace,
    school_year_bounds,
    school_year_of,
)
from werkplaats.services import save_versioned

logger = logging.getLogger(__name__)


class NotAllowed(Exception):
    """The person may not do this to the goal."""


def is_owner(goal: LearningGoal, person: Person | None) -> bool:
    return person is not None and person.pk in goal.owner_ids()


def create_goal(*, form, workplace: Workplace, owner: Person) -> LearningGoal:
    """Save a new goal from a valid GoalForm with its tags and reminders (one transaction)."""
    with transaction.atomic():
        goal = form.save(commit=False)
        goal.workplace = workplace
        goal.owner = owner
        goal.school_year = school_year_of(timezone.localdate())
        goal.save()
        form.save_m2m()
        schedule_reminders(goal)
    return goal


def update_goal(*, form, by: Person) -> LearningGoal:
    """Save an edited goal; only its owners may. EditConflict, with nothing saved, if a
    co-owner saved or closed it since the form was opened (a conditional UPDATE claims the
    version, so of two concurrent saves exactly one wins)."""
    if not is_owner(form.instance, by):
        raise NotAllowed
    with transaction.atomic():
        goal = save_versioned(form)
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
            reminder.reached = []  # a reminder for another date reaches everybody again
            reminder.save(update_fields=["due_on", "sent_at", "reached"])


def ask_support(*, goal: LearningGoal, person: Person, by: Person) -> GoalSupport:
    """Ask a current member of the goal's PW to support it (asking again after a no is fine).
    A draft is private to its owners, so nobody can be asked to support one yet."""
    if not is_owner(goal, by) or goal.status == GoalStatus.DRAFT:
        raise NotAllowed
    support, created = GoalSupport.objects.get_or_create(goal=goal, person=person)
    if not created and support.status == SupportStatus.DECLINED:
        support.status, support.answered_at = SupportStatus.REQUESTED, None
        support.save(update_fields=["status", "answered_at"])
    return support


def answer_support(*, support: GoalSupport, accept: bool, by: Person) -> None:
    """Answer an open request; a declined request needs a new request from the owner."""
    if support.person_id != by.pk or support.status != SupportStatus.REQUESTED:
        raise NotAllowed
    support.status = SupportStatus.ACCEPTED if accept else SupportStatus.DECLINED
    support.answered_at = timezone.now()
    support.save(update_fields=["status", "answered_at"])


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
    return GoalUpdate.objects.create(
        goal=goal, author=author, kind=kind, text=text, reply_to=reply_to
    )


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


# --- Reminders (Celery beat runs send_due_reminders through a thin task) ----------------------
def send_due_reminders(*, today: dt.date | None = None, limit: int = 200) -> int:
    """Send every due, unsent reminder once; return how many were sent.

    1. Claim the row with a conditional UPDATE, so a retried, duplicated or concurrent run
       never sends it twice (at most once: a crash mid-send loses one reminder).
    2. Mail each owner not yet reached, recording each one reached at once (``reached``).
    3. A failed send releases the row for a retry the next day (``due_on`` is a date; goal
       reminders are not urgent to the hour), never a crash loop; the retry mails only the
       owners the failed run did not reach.
    """
    today = today or timezone.localdate()
    due = GoalReminder.objects.filter(sent_at=None, due_on__lte=today).values_list("pk", flat=True)
    sent = 0
    for pk in list(due[:limit]):
        if GoalReminder.objects.filter(pk=pk, sent_at=None).update(sent_at=timezone.now()) != 1:
            continue  # another worker claimed it
        try:
            recipients = _send_reminder(pk)
        except Exception as exc:  # retry later, never crash the sweep
            GoalReminder.objects.filter(pk=pk).update(
                sent_at=None, last_error=str(exc)[:200], due_on=today + dt.timedelta(days=1)
            )
            logger.exception("goal reminder %s failed", pk)
            continue
        GoalReminder.objects.filter(pk=pk).update(
            recipients=recipients, last_error="", sent_for=F("due_on"), reached=[]
        )
        sent += 1
    return sent


def _send_reminder(pk: int) -> int:
    reminder = GoalReminder.objects.select_related("goal__workplace").get(pk=pk)
    goal = reminder.goal
    if goal.status != GoalStatus.ACTIVE:
        return 0
    owners = [goal.owner, *goal.co_owners.all()]
    reached = list(reminder.reached)
    count = 0
    for person in owners:
        if not person.email or person.pk in reached:
            continue
        with translation.override(person.preferred_language):
            url = settings.SITE_URL + reverse(
                "werkplaats:goal-detail", args=[goal.workplace.slug, goal.pk]
            )
            subject = (
                _("Your goal “%(title)s” is due in a week")
                if reminder.kind == ReminderKind.WEEK_BEFORE
                else _("Today is the target date of your goal “%(title)s”")
            ) % {"title": goal.title}
            body = _(
                "Time to look back at your goal “%(title)s” (target date %(date)s). Write down "
                "how far you got, or mark it achieved with a short reflection: %(url)s"
            ) % {"title": goal.title, "date": goal.target_date.isoformat(), "url": url}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        reached.append(person.pk)
        GoalReminder.objects.filter(pk=pk).update(reached=reached)  # before the next send
        count += 1
    return count + len(reminder.reached)


# --- Counts for the yearly evaluation ---------------------------------------------------------
def goal_counts(*, workplace: Workplace, school_year: str) -> dict:
    """Goals of a PW and school year: shared, achieved and with feedback, in total, per role of
    the owner and per element. Goals shared only with supporters are counted (never shown).

    {"total": {...}, "per_role": {role: {...}}, "per_element": {code: {...}}}, three queries.
    """
    goals = LearningGoal.objects.filter(workplace=workplace, school_year=school_year).exclude(
        status=GoalStatus.DRAFT
    )

    def measures(prefix: str = "") -> dict:
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

    total = goals.aggregate(**measures())
    # The owner's roles in this PW during that school year (a person with two roles counts
    # in both; co-owners are not counted per role).
    year_start, year_end = school_year_bounds(school_year)
    owner_roles = Membership.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=year_start),
        workplace=workplace,
        starts_on__lte=year_end,
        person__goals__in=goals,
    )
    per_role = {
        row["role"]: {
            k: row[k] for k in ("shared", "shared_with_workplace", "achieved", "with_feedback")
        }  # fmt: skip
        for row in owner_roles.values("role").annotate(**measures("person__goals__")).order_by()
    }
    per_element = {
        row["elements"]: {
            k: row[k] for k in ("shared", "shared_with_workplace", "achieved", "with_feedback")
        }  # fmt: skip
        for row in goals.filter(elements__isnull=False)
        .values("elements")
        .annotate(**measures())
        .order_by()
    }
    return {
        "total": total,
        "per_role": {role.value: per_role.get(role.value, _zero()) for role in Role},
        "per_element": per_element,
    }


def _zero() -> dict:
    return {"shared": 0, "shared_with_workplace": 0, "achieved": 0, "with_feedback": 0}
