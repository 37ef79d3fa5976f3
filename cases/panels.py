"""The research panel on the home page: the cross-PW pages for staff and research access."""

from __future__ import annotations

from werkplaats import policy


def research_links(request) -> dict | None:
    """Links to CMO notes across PWs and the cross-case matrix (one query, none for staff)."""
    return {} if policy.may_research_across(request.user) else None
