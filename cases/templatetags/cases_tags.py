"""Template access to case counts for pages of other apps (the PW home).

A template tag, not an import in ``werkplaats.views``: imports point one way (cases →
werkplaats), so the core app never imports this one.
"""

from django import template

from cases.services import workplace_case_summary

register = template.Library()


@register.simple_tag
def case_summary(workplace) -> dict:
    """{"running": n, "outputs": n} (outputs of the current school year), one query."""
    return workplace_case_summary(workplace)
