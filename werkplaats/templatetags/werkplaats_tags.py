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
