"""Small security helpers referenced from settings (django-axes hooks)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def normalise_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The login name as axes should count it: emails log in case-insensitively, so
    ``Sanne@X`` and ``sanne@x`` are one account and share one failure counter."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field)
    return value.strip().lower() if isinstance(value, str) else value


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind our TLS proxy REMOTE_ADDR is the proxy itself; the proxy
    appends the real client as the last X-Forwarded-For entry (earlier ones are client-set)."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
