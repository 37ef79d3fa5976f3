"""Template context every page gets."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def notifications(request) -> dict:
    """The unread count for the navigation: asked only when a page shows it, from the cache
    (one query when the cache has forgotten it)."""
    from werkplaats.notifications import unread_count

    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
