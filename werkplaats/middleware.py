"""Security middleware: response headers and session lifetimes (OWASP ASVS level 2)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

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
