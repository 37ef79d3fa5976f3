"""A browser tab, as far as the fault suite needs one: plain HTTP to gunicorn with a cookie jar
shared by the tabs of one respondent, the headers the TLS proxy would add, and the CSRF token
from the page. Standard library only; safe to use from many threads."""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    """What every tab saw, for the table."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    dropped: int = 0  # connections the server closed without a reply (a killed worker)

    def seen(self, status: int | None, what: str) -> None:
        with self.lock:
            self.requests += 1
            if status is None:
                self.dropped += 1
            elif status >= 500:
                self.server_errors.append(f"{status} {what}")


class Browser:
    """One respondent's cookies; each tab (thread) opens its own connections."""

    def __init__(self, base: str, tally: Tally):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{parts.hostname}:{parts.port}"
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.tally = tally

    def request(self, method: str, path: str, data: dict | None = None, retries: int = 6):
        """(status, location, body). A connection the server drops (its worker was killed) is
        tried again after a moment, as a person would reload: at most ``retries`` times."""
        for attempt in range(retries + 1):
            try:
                return self._once(method, path, data)
            except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
                self.tally.seen(None, f"{method} {path}")
                if attempt == retries:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _once(self, method: str, path: str, data: dict | None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            with self.lock:
                cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            headers = {
                "Host": f"{self.host}:{self.port}",
                "X-Forwarded-Proto": "https",
                "Cookie": cookie,
            }
            body = None
            if data is not None:
                body = urlencode(data, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Origin"] = self.origin
                headers["Referer"] = self.origin + path
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode(errors="replace")
            for header in reply.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                with self.lock:
                    for name, morsel in jar.items():
                        self.cookies[name] = morsel.value
            self.tally.seen(reply.status, f"{method} {path}")
            location = reply.getheader("Location") or ""
            return reply.status, urlsplit(location).path if location else "", text
        finally:
            connection.close()

    def csrf(self, page: str) -> str:
        match = CSRF_FIELD.search(page)
        if not match:
            raise AssertionError("no CSRF token on the page")
        return match.group(1)
