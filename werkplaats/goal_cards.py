"""A goal's card (the wall, the huddle view, my goals), built in Python: 200 cards through the
template engine cost about 40x a trivial page (issue 16); the same HTML from format_html costs a
fraction. The people and tags of all cards are read as plain rows, six queries for any number
of goals: Django's prefetching of four many-to-many relations made a manager and a queryset
per goal and relation (about 30 ms for 200 goals)."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from elements.models import Aspect, Element
from werkplaats.models import GoalStatus, GoalSupport, GoalVisibility, LearningGoal, SupportStatus
from werkplaats.templatetags.werkplaats_tags import finest_tags


def card_html(
    goal: LearningGoal, slug: str, *, co_owners: list[str], tags: list[dict], supporters: list[str]
) -> SafeString:
    """One card: title, people, target date, status, visibility, tags and supporters."""
    people = ", ".join([goal.owner.name, *co_owners])
    meta = [format_html('<span class="goal-people">{}</span>', people)]
    if goal.target_date:
        meta.append(
            format_html(
                "{}", _("target %(date)s") % {"date": date_format(goal.target_date, "j M Y")}
            )
        )
    if goal.status != GoalStatus.ACTIVE:
        meta.append(format_html("{}", goal.get_status_display()))
    if goal.visibility == GoalVisibility.SUPPORTERS:
        meta.append(format_html('<span class="private">{}</span>', _("only for supporters")))
    tag_list = (
        format_html(
            '<ul class="goal-tags">{}</ul>',
            format_html_join(
                "",
                '<li><span class="tag" style="--el-colour: {}">{}</span> {}</li>',
                ((t["colour"], t["code"], t["text"]) for t in tags),
            ),
        )
        if tags
        else ""
    )
    supported = (
        format_html('<p class="supporters">{} {}</p>', _("Supported by"), ", ".join(supporters))
        if supporters
        else ""
    )
    return format_html(
        '<article class="goal-card"><h3><a href="{}">{}</a></h3><p class="meta">{}</p>{}{}'
        "</article>",
        reverse("werkplaats:goal-detail", args=[slug, goal.pk]),
        goal.title,
        format_html_join(" · ", "{}", ((part,) for part in meta)),
        tag_list,
        supported,
    )


def with_cards(goals, slug: str) -> list[LearningGoal]:
    """The goals (a queryset with its owner selected), each with its ``card`` HTML."""
    goals = list(goals)
    ids = [goal.pk for goal in goals]
    if not ids:
        return goals
    co_owners: dict[int, list[str]] = defaultdict(list)
    owned = LearningGoal.co_owners.through.objects.filter(learninggoal_id__in=ids)
    for goal_id, name in owned.order_by("person__name", "person_id").values_list(
        "learninggoal_id", "person__name"
    ):
        co_owners[goal_id].append(name)
    supporters: dict[int, list[str]] = defaultdict(list)
    accepted = GoalSupport.objects.filter(goal_id__in=ids, status=SupportStatus.ACCEPTED)
    for goal_id, name in accepted.order_by("pk").values_list("goal_id", "person__name"):
        supporters[goal_id].append(name)
    tags = _tags(ids)
    for goal in goals:
        goal.card = card_html(
            goal,
            slug,
            co_owners=co_owners[goal.pk],
            tags=tags[goal.pk],
            supporters=supporters[goal.pk],
        )
    return goals


def _tags(ids: list[int]) -> dict[int, list[dict]]:
    """Each goal's tags at their finest level (``finest_tags``, the rule ``tags_shown``
    applies), from the reference rows in the model's order and two rows-only queries."""
    elements = list(Element.objects.all())
    aspects = list(Aspect.objects.all())
    element_codes: dict[int, set[str]] = defaultdict(set)
    through = LearningGoal.elements.through.objects.filter(learninggoal_id__in=ids)
    for goal_id, code in through.values_list("learninggoal_id", "element_id"):
        element_codes[goal_id].add(code)
    aspect_codes: dict[int, set[str]] = defaultdict(set)
    through = LearningGoal.aspects.through.objects.filter(learninggoal_id__in=ids)
    for goal_id, code in through.values_list("learninggoal_id", "aspect_id"):
        aspect_codes[goal_id].add(code)
    return {
        goal_id: finest_tags(
            [e for e in elements if e.code in element_codes[goal_id]],
            [a for a in aspects if a.code in aspect_codes[goal_id]],
        )
        for goal_id in ids
    }
