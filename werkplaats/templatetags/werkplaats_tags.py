"""Template access to the policy: ``{% can "workplace.members" workplace as show %}``."""

from django import template

from werkplaats import activity_rows, policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, workplace) -> bool:
    """Ask the one access policy from a template (the user comes from the request)."""
    request = context.get("request")
    if request is None:
        return False
    return policy.can(request.user, action, workplace)


@register.simple_tag
def activity_row(activity, workplace, can_log) -> str:
    """One row of the activity list (``werkplaats/activity_rows.py``)."""
    return activity_rows.row_html(activity, workplace.slug, bool(can_log))


@register.filter
def minutes(value) -> int:
    """Whole minutes of a timedelta, rounded up (so "0 minutes" never shows)."""
    if value is None:
        return 0
    seconds = value.total_seconds()
    return max(1, int(-(-seconds // 60)))


@register.filter
def tags_shown(obj) -> list[dict]:
    """A tagged object's tags at their finest level (``finest_tags``). Uses the prefetched
    ``elements`` and ``aspects`` (no query of its own)."""
    return finest_tags(obj.elements.all(), obj.aspects.all())


def finest_tags(elements, aspects) -> list[dict]:
    """The one rule for showing tags: each aspect with its text, then each element tagged
    without any of its aspects, in the order given. ``elements`` and ``aspects`` are the
    object's own."""
    by_code = {e.code: e for e in elements}
    shown, covered = [], set()
    for aspect in aspects:
        covered.add(aspect.element_id)
        element = by_code.get(aspect.element_id)
        colour = element.colour if element else ""
        shown.append({"code": aspect.code, "text": aspect.text, "colour": colour})
    for code, element in by_code.items():
        if code not in covered:
            shown.append({"code": code, "text": element.name, "colour": element.colour})
    return shown
