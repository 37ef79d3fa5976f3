"""Shared learning goals: my goals, a goal's timeline, support requests, and the goal wall.

Access: the PW comes from the policy (404 outside the user's PWs); a goal comes from
``LearningGoal.objects.visible_to(user)`` (404 if the user may not read it); writes check
ownership in the services (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from werkplaats import goal_services, policy
from werkplaats.forms import (
    CloseGoalForm,
    GoalForm,
    GoalUpdateForm,
    GoalWallFilterForm,
    SupportRequestForm,
)
from werkplaats.goal_cards import with_cards
from werkplaats.goal_services import GoalValues
from werkplaats.models import (
    GoalStatus,
    GoalSupport,
    GoalUpdate,
    GoalVisibility,
    LearningGoal,
    Membership,
    Person,
    SupportStatus,
    Workplace,
)
from werkplaats.services import EditConflict
from werkplaats.versioning import invalid_status


def _context(request: HttpRequest, slug: str) -> tuple[Workplace, Person]:
    """The PW (policy) and the person of the logged-in user (needed to own or comment)."""
    workplace = policy.workplace_for(request.user, slug, policy.Action.KEEP_GOALS)
    # Goals belong to members: staff rights do not make someone a member of this PW.
    person = Person.objects.filter(
        user=request.user,
        memberships__in=Membership.objects.current().filter(workplace=workplace),
    ).first()
    if person is None:
        raise PermissionDenied
    return workplace, person


def _goal(request: HttpRequest, workplace: Workplace, pk: int) -> LearningGoal:
    goals = LearningGoal.objects.visible_to(request.user).filter(workplace=workplace)
    try:
        return goals.select_related("owner").prefetch_related("co_owners").get(pk=pk)
    except LearningGoal.DoesNotExist:
        raise Http404("No such goal") from None


def _with_people(goals):
    """The goals with their owner; ``with_cards`` reads the rest of each card in bulk."""
    return goals.select_related("owner")


@require_GET
def my_goals(request: HttpRequest, slug: str) -> HttpResponse:
    """My goals in this PW, what I was asked to support, and what I support."""
    workplace, person = _context(request, slug)
    visible = LearningGoal.objects.visible_to(request.user).filter(workplace=workplace)
    mine = with_cards(_with_people(visible.filter(owner_ids_q(person)).distinct()), slug)
    asked = GoalSupport.objects.filter(
        person=person, status=SupportStatus.REQUESTED, goal__workplace=workplace
    ).select_related("goal__owner")
    supporting = with_cards(
        _with_people(
            visible.filter(support__person=person, support__status=SupportStatus.ACCEPTED)
        ),
        slug,
    )
    return render(
        request,
        "werkplaats/goals_mine.html",
        {"workplace": workplace, "mine": mine, "asked": asked, "supporting": supporting},
    )


def owner_ids_q(person: Person) -> Q:
    return Q(owner=person) | Q(co_owners=person)


@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, slug: str) -> HttpResponse:
    workplace, person = _context(request, slug)
    form = GoalForm(request.POST or None, workplace=workplace, owner=person)
    if request.method == "POST" and form.is_valid():
        goal = goal_services.create_goal(
            workplace=workplace, owner=person, values=GoalValues.of(form.cleaned_data)
        )
        messages.success(request, _("Goal “%(title)s” saved.") % {"title": goal.title})
        return redirect("werkplaats:goal-detail", slug=workplace.slug, pk=goal.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "werkplaats/goal_form.html", {"workplace": workplace, "form": form, "goal": None},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace, person = _context(request, slug)
    goal = _goal(request, workplace, pk)
    if not goal_services.is_owner(goal, person):
        raise PermissionDenied
    form = GoalForm(request.POST or None, instance=goal, workplace=workplace, owner=goal.owner)
    status = 200
    if request.method == "POST":
        status = invalid_status(form)
        if form.is_valid():
            try:
                goal_services.update_goal(
                    goal=goal,
                    values=GoalValues.of(form.cleaned_data),
                    expected_version=form.cleaned_data["version"],
                    by=person,
                )
            except EditConflict:
                form.add_error(
                    None,
                    _(
                        "Somebody else changed this goal after you opened it. Your changes "
                        "are not saved. Copy what you need, then reload the page to see their "
                        "version."
                    ),
                )
                status = 409
            else:
                messages.success(request, _("Goal “%(title)s” saved.") % {"title": goal.title})
                return redirect("werkplaats:goal-detail", slug=workplace.slug, pk=goal.pk)
    return render(
        request, "werkplaats/goal_form.html", {"workplace": workplace, "form": form, "goal": goal},
        status=status,
    )  # fmt: skip


def _detail(request, workplace, person, goal, *, update_form=None, support_form=None,
            close_form=None, status=200) -> HttpResponse:  # fmt: skip
    owner = goal_services.is_owner(goal, person)
    updates = list(
        GoalUpdate.objects.filter(goal=goal).select_related("author").order_by("created_at", "pk")
    )
    support = list(goal.support.select_related("person").order_by("person__name"))
    context = {
        "workplace": workplace,
        "goal": goal,
        "is_owner": owner,
        "updates": updates,
        "support": support,
        "tags": list(goal.elements.all()),
        "update_form": update_form or GoalUpdateForm(),
        "support_form": support_form
        or (SupportRequestForm(goal=goal) if owner and goal.status != GoalStatus.DRAFT else None),
        "close_form": close_form
        or (CloseGoalForm() if owner and goal.status == GoalStatus.ACTIVE else None),
    }
    return render(request, "werkplaats/goal_detail.html", context, status=status)


@require_GET
def goal_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The goal and its timeline: progress, feedback, replies and the closing reflection."""
    workplace, person = _context(request, slug)
    return _detail(request, workplace, person, _goal(request, workplace, pk))


@require_POST
def goal_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace, person = _context(request, slug)
    goal = _goal(request, workplace, pk)
    form = GoalUpdateForm(request.POST)
    if not form.is_valid():
        return _detail(request, workplace, person, goal, update_form=form, status=400)
    reply_to = None
    if form.cleaned_data.get("reply_to"):
        reply_to = GoalUpdate.objects.filter(pk=form.cleaned_data["reply_to"], goal=goal).first()
        if reply_to is None:
            raise Http404("No such feedback")
    try:
        goal_services.add_update(
            goal=goal, author=person, text=form.cleaned_data["text"], reply_to=reply_to
        )
    except goal_services.NotAllowed:
        raise PermissionDenied from None
    messages.success(request, _("Your message is added."))
    return redirect("werkplaats:goal-detail", slug=workplace.slug, pk=goal.pk)


@require_POST
def goal_ask_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace, person = _context(request, slug)
    goal = _goal(request, workplace, pk)
    if not goal_services.is_owner(goal, person):
        raise PermissionDenied
    form = SupportRequestForm(request.POST, goal=goal)
    if not form.is_valid():
        return _detail(request, workplace, person, goal, support_form=form, status=400)
    try:
        goal_services.ask_support(goal=goal, person=form.cleaned_data["person"], by=person)
    except goal_services.NotAllowed:
        raise PermissionDenied from None
    messages.success(
        request,
        _("%(name)s is asked to support this goal.") % {"name": form.cleaned_data["person"]},
    )
    return redirect("werkplaats:goal-detail", slug=workplace.slug, pk=goal.pk)


@require_POST
def goal_answer_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace, person = _context(request, slug)
    goal = _goal(request, workplace, pk)
    support = GoalSupport.objects.filter(
        goal=goal, person=person, status=SupportStatus.REQUESTED
    ).first()
    if support is None:
        raise Http404("No open request")
    try:
        goal_services.answer_support(
            support=support, accept=request.POST.get("answer") == "yes", by=person
        )
    except goal_services.NotAllowed:  # answered a moment ago (a second tab, a double click)
        messages.info(request, _("You already answered this request."))
    else:
        messages.success(request, _("Thank you for your answer."))
    return redirect("werkplaats:goals-mine", slug=workplace.slug)


@require_POST
def goal_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workplace, person = _context(request, slug)
    goal = _goal(request, workplace, pk)
    if not goal_services.is_owner(goal, person):
        raise PermissionDenied
    form = CloseGoalForm(request.POST)
    if not form.is_valid():
        return _detail(request, workplace, person, goal, close_form=form, status=400)
    try:
        goal_services.close_goal(
            goal=goal, status=form.cleaned_data["status"],
            reflection=form.cleaned_data["reflection"], by=person,
        )  # fmt: skip
    except goal_services.NotAllowed:  # already closed (second tab, double click) or a draft
        messages.info(request, _("This goal was already closed."))
    return redirect("werkplaats:goal-detail", slug=workplace.slug, pk=goal.pk)


@require_GET
def goal_wall(request: HttpRequest, slug: str, *, huddle: bool = False) -> HttpResponse:
    """All shared, active goals of current members as one grid of cards, narrowed by person,
    role or element/aspect. ``huddle`` is the same wall for a projector: large type, no
    navigation. Goals shared only with supporters never appear here, whoever looks."""
    workplace, _person = _context(request, slug)
    current = Membership.objects.current().filter(workplace=workplace)
    goals = LearningGoal.objects.filter(
        workplace=workplace,
        status=GoalStatus.ACTIVE,
        visibility=GoalVisibility.WORKPLACE,
        owner__in=current.values("person_id"),
    )
    # The person filter offers the people on the wall, not every member (500 options cost
    # more to render than the wall itself).
    on_the_wall = (
        Person.objects.filter(Q(goals__in=goals) | Q(shared_goals__in=goals))
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
    filters = GoalWallFilterForm(request.GET or None, people=on_the_wall)
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("person"):
        goals = goals.filter(Q(owner=data["person"]) | Q(co_owners=data["person"])).distinct()
    if data.get("role"):
        goals = goals.filter(owner__in=current.filter(role=data["role"]).values("person_id"))
    if data.get("element"):
        goals = goals.tagged_with(data["element"])
    order = WALL_ORDER.get(data.get("order") or "person")
    goals = with_cards(_with_people(goals).order_by(*order), workplace.slug)
    return render(
        request,
        "werkplaats/goal_wall_huddle.html" if huddle else "werkplaats/goal_wall.html",
        {
            "workplace": workplace,
            "filters": filters,
            "goals": goals,
            "count": len(goals),
            "query": request.GET.urlencode(),
            "today": timezone.localdate(),
        },
    )


WALL_ORDER = {
    "person": ("owner__name", "-created_at"),
    "newest": ("-created_at",),
    "target": (F("target_date").asc(nulls_last=True), "owner__name"),
}


@require_GET
def goal_huddle(request: HttpRequest, slug: str) -> HttpResponse:
    """The goal wall for the morning huddle, on a projector or a large screen."""
    return goal_wall(request, slug, huddle=True)
