"""Small security helpers referenced from settings (django-axes hooks)."""

from __future__ import annotations

import datetime
import logging
import math
import re
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


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


# --- Failure counters (evaluation tokens) ------------------------------------------------------
def _failure_key(request: HttpRequest, scope: str) -> str:
    return f"failures:{scope}:{client_ip(request) or 'unknown'}"


def too_many_failures(request: HttpRequest, scope: str, *, limit: int) -> bool:
    """Has this client address failed ``limit`` times in the current window? Separate from
    the login throttle (axes): a guessed evaluation link never locks anybody's account."""
    return (cache.get(_failure_key(request, scope)) or 0) >= limit


def count_failure(request: HttpRequest, scope: str, *, window: int) -> None:
    """Count one failure. The window is fixed: it starts at the first failure and is never
    extended, on every cache backend.

    1. ``add`` the counter and, beside it, the moment its window ends (only the first failure
       of a window succeeds in adding them).
    2. ``incr`` the counter: atomic on Redis and in memory, where the expiry stays as it was.
    3. Django's generic ``incr`` (the file and database caches; the file cache is the
       embedded default) writes the value back with the cache's default timeout of 5
       minutes, which shortened the window and restarted it with every failure: there, put
       the window's end back with ``touch``.
    """
    key = _failure_key(request, scope)
    end_key = f"{key}:ends"
    now = time.time()
    if cache.add(key, 0, timeout=window):
        cache.set(end_key, now + window, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=window)
        cache.set(end_key, now + window, timeout=window)
    if type(caches[DEFAULT_CACHE_ALIAS]).incr is BaseCache.incr:
        ends = cache.get(end_key)
        remaining = ends - now if isinstance(ends, int | float) else window
        cache.touch(key, timeout=max(1, math.ceil(remaining)))


def wrong_link(request: HttpRequest, scope: str, invalid_template: str) -> HttpResponse:
    """The answer to a link that does not work (evaluation links, account invitations): 429
    once the address has failed ``EVALUATION_TOKEN_FAILURES`` times in the window, else the
    neutral page, counting the failure. Views look the link up first: a valid link always
    opens, the throttle limits guessing, not answering."""
    if too_many_failures(request, scope, limit=settings.EVALUATION_TOKEN_FAILURES):
        return render(request, "evaluations/link_throttled.html", status=429)
    count_failure(request, scope, window=settings.EVALUATION_TOKEN_WINDOW)
    return render(request, invalid_template, status=404)


class RedactTokens(logging.Filter):
    """Replace secret link tokens (``/e/<token>/``) in log lines, e.g. the request lines of
    runserver or the "Not Found: /e/..." warnings of django.request, before they are written."""

    pattern = re.compile(r"/e/[A-Za-z0-9_\-]{8,}")

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "dev_mail", False) and settings.DEBUG:
            return True  # a mail of the embedded default, logged whole for its developer
        message = record.getMessage()
        if "/e/" in message:
            record.msg = self.pattern.sub("/e/[redacted]", message)
            record.args = ()
        return True


class QuietForbidden(logging.Filter):
    """A 403 is an answer, not an error: log its line without the traceback Django attaches
    (a PermissionDenied raised on purpose by the policy)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


LOGIN_RECORDS = (("failed attempts", "AccessAttempt"), ("failed login", "AccessFailureLog"),
                 ("login", "AccessLog"))  # fmt: skip


def _login_record_models():
    from axes import models

    return [(kind, getattr(models, name)) for kind, name in LOGIN_RECORDS]


def login_records(email: str) -> list[dict[str, str | None]]:
    """Axes's records of one login name, for the person's data export: everything stored."""
    return [
        {
            "kind": kind,
            "at": row.attempt_time.isoformat(),
            "address": row.ip_address,
            "browser": row.user_agent,
            "page": row.path_info,
        }
        for kind, model in _login_record_models()
        for row in model.objects.filter(username__iexact=email.strip()).order_by("attempt_time")
    ]


def erase_login_records(email: str) -> None:
    """Delete axes's records of one login name (logins and failed attempts)."""
    for _kind, model in _login_record_models():
        model.objects.filter(username__iexact=email.strip()).delete()


def prune_login_records() -> int:
    """Delete axes's records older than ``LOGIN_RECORD_RETENTION_DAYS``; returns how many.
    Logs go through axes's own handler; axes clears failed attempts only when that account
    logs in again, so old ones are deleted here."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    days = settings.LOGIN_RECORD_RETENTION_DAYS
    cutoff = timezone.now() - datetime.timedelta(days=days)
    return (
        AxesProxyHandler.reset_logs(age_days=days)
        + AxesProxyHandler.reset_failure_logs(age_days=days)
        + AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    )
