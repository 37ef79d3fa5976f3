"""The research panel on the home page: the cross-PW pages for staff and research access."""

from __future__ import annotations

from werkplaats.models import ResearchGrant


def research_links(request) -> dict | None:
    """Links to CMO notes across PWs and the cross-case matrix (one query, none for staff)."""
    user = request.user
    if not user.is_authenticated:
        return None
    if user.is_staff or ResearchGrant.objects.current().filter(user=user).exists():
        return {}
    return None
