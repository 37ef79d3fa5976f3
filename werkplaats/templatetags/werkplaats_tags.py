"""Template access to the policy: ``{% can "workplace.members" workplace as show %}``."""

from django import template

from werkplaats import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, workplace) -> bool:
    """Ask the one access policy from a template (the user comes from the request)."""
    request = context.get("request")
    if request is None:
        return False
    return policy.can(request.user, action, workplace)


@register.filter
def minutes(value) -> int:
    """Whole minutes of a timedelta, rounded up (so "0 minutes" never shows)."""
    if value is None:
        return 0
    seconds = value.total_seconds()
    return max(1, int(-(-seconds // 60)))


@register.filter
def tags_shown(obj) -> list[dict]:
    """A tagged object's tags at their finest level: each aspect with its text, and each
    element tagged without any of its aspects. Uses the prefetched ``elements`` and
    ``aspects`` (no query of its own)."""
    elements = {e.code: e for e in obj.elements.all()}
    shown, covered = [], set()
    for aspect in obj.aspects.all():
        covered.add(aspect.element_id)
        element = elements.get(aspect.element_id)
        colour = element.colour if element else ""
        shown.append({"code": aspect.code, "text": aspect.text, "colour": colour})
    for code, element in elements.items():
        if code not in covered:
            shown.append({"code": code, "text": element.name, "colour": element.colour})
    return shown
