"""Security middleware: response headers and session lifetimes (OWASP ASVS level 2)."""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render

# Scripts only from our own origin (htmx and app.js are vendored); no inline scripts. Inline
# style *attributes* carry the element colours, so styles allow 'unsafe-inline'.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy to every response, and Cache-Control: no-store to every
    response for a logged-in user (their pages show personal data) and to every non-static
    page, so no shared computer or proxy keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            response["Cache-Control"] = "no-store"
        return response


class SessionLifetimeMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request and SESSION_ABSOLUTE_SECONDS
    after login, whatever the activity.

    The idle limit is the session's age (SESSION_COOKIE_AGE), renewed by saving the session. To
    spare a database write on every request it is renewed at most once a minute, so "30
    minutes idle" holds to within a minute.
    """

    KEY = "werkplaats_login_at"
    SEEN = "werkplaats_seen_at"
    RENEW_AFTER = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(self.KEY)
            if started is None:
                request.session[self.KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self.get_response(request)
            if now - request.session.get(self.SEEN, 0) > self.RENEW_AFTER:
                request.session[self.SEEN] = now  # marks the session modified: saved, renewed
        return self.get_response(request)


# Characters no text column can hold: PostgreSQL refuses NUL in text, and a lone surrogate
# cannot be encoded as UTF-8. Neither is ever meant by a person typing or following a link.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: str) -> bool:
    return bool(UNSTORABLE.search(value))


class SafeInputMiddleware:
    """The one place that keeps strings the database cannot store away from every query.

    1. A cookie whose name or value holds such a character is dropped before the session
       and CSRF middleware read it (as if the browser had not sent it).
    2. A query string (any method) or a value taken from the path (``<str:code>``) holding
       one is answered with 400 and a page that says why, before any view runs: list
       filters, searches, exports, the admin and its autocomplete alike.
    Form fields need nothing here: Django's forms refuse NUL with a field error and keep the
    rest of the input.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [n for n, v in request.COOKIES.items() if unstorable(n) or unstorable(v)]:
            del request.COOKIES[name]
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        path_values = [v for v in [*view_args, *view_kwargs.values()] if isinstance(v, str)]
        query = [s for key, values in request.GET.lists() for s in (key, *values)]
        if any(unstorable(value) for value in [*path_values, *query]):
            return render(request, "400.html", {"unstorable": True}, status=400)
        return None
