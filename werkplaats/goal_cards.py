"""A goal's card (the wall, the huddle view, my goals), built in Python: 200 cards through the
template engine cost about 40x a trivial page (issue 16); the same HTML from f-strings over
escaped values costs a fraction. The people and tags of all cards are read as plain rows, six
queries for any number of goals: Django's prefetching of four many-to-many relations made a
manager and a queryset per goal and relation (about 30 ms for 200 goals)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.utils.formats import date_format
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from elements import reference
from werkplaats.links import pattern
from werkplaats.models import GoalStatus, GoalSupport, GoalVisibility, LearningGoal, SupportStatus
from werkplaats.templatetags.werkplaats_tags import finest_tags


def card_html(
    goal: LearningGoal,
    link: Callable[[int], str],
    *,
    co_owners: list[str],
    tags: list[dict],
    supporters: list[str],
) -> SafeString:
    """One card: title, people, target date, status, visibility, tags and supporters;
    ``link`` gives a goal's page from its id (``links.pattern``)."""
    people = esc(", ".join([goal.owner.name, *co_owners]))
    meta = [f'<span class="goal-people">{people}</span>']
    if goal.target_date:
        meta.append(esc(_("target %(date)s") % {"date": date_format(goal.target_date, "j M Y")}))
    if goal.status != GoalStatus.ACTIVE:
        meta.append(esc(goal.get_status_display()))
    if goal.visibility == GoalVisibility.SUPPORTERS:
        private = esc(_("only for supporters"))  # outside the f-string: xgettext reads it
        meta.append(f'<span class="private">{private}</span>')
    tag_list = ""
    if tags:
        items = "".join(
            f'<li><span class="tag" style="--el-colour: {esc(t["colour"])}">{esc(t["code"])}'
            f"</span> {esc(t['text'])}</li>"
            for t in tags
        )
        tag_list = f'<ul class="goal-tags">{items}</ul>'
    supported = ""
    if supporters:
        names, by = esc(", ".join(supporters)), esc(_("Supported by"))
        supported = f'<p class="supporters">{by} {names}</p>'
    html = (
        f'<article class="goal-card"><h3><a href="{esc(link(goal.pk))}">{esc(goal.title)}</a>'
        f'</h3><p class="meta">{" · ".join(meta)}</p>{tag_list}{supported}</article>'
    )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value above is escaped


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
    link = pattern("werkplaats:goal-detail", slug, None)
    for goal in goals:
        goal.card = card_html(
            goal,
            link,
            co_owners=co_owners[goal.pk],
            tags=tags[goal.pk],
            supporters=supporters[goal.pk],
        )
    return goals


def _tags(ids: list[int]) -> dict[int, list[dict]]:
    """Each goal's tags at their finest level (``finest_tags``, the rule ``tags_shown``
    applies), from the reference rows in the model's order and two rows-only queries."""
    elements, aspects = reference.elements(), reference.aspects()
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
