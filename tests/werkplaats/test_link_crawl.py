"""No link answers 403 (issue 19): every demo role (and the demo's staff account) follows
every link it is shown, page after page, and never lands on a refusal or a server error. A
link is shown only where the policy allows it."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from werkplaats.demo_data import DEMO_DOMAIN, DEMO_LOGINS
from werkplaats.models import User

# One worker crawls every role, and measures the pages at a phone's width
# (tests/browser/test_phone_width.py, in the same group) from the same crawls.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("link-crawl")]

HREF = re.compile(r'href="([^"#]*)')
SKIP = (
    "/accounts/logout",
    "/i18n/",
    "/admin/",
    "/static/",
    "/media/",
    "/notifications/unsubscribe/",
)
# Pages per role: the demo has fewer distinct paths than this (staff reach about 540), and a
# crawl that reaches it fails, so no page goes unvisited as the demo grows.
LIMIT = 1000


def crawl(client, pages: dict[str, bytes]) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """Visit every same-site path reachable from the home page (query strings dropped: one
    visit per page, not per filter); ``pages`` gets each HTML page's content. Returns the
    statuses and the bad links."""
    seen: dict[str, int] = {}
    bad: list[tuple[str, str, int]] = []
    queue = deque([("/", "/")])
    while queue and len(seen) < LIMIT:
        path, came_from = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 403 or response.status_code >= 500:
            bad.append((came_from, path, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages[path] = response.content
        for href in HREF.findall(response.content.decode()):
            parts = urlsplit(urljoin(path, href))
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            target = parts.path
            if not target.startswith("/") or target.startswith(SKIP) or target in seen:
                continue
            queue.append((target, path))
    return seen, bad


Crawl = tuple[dict[str, int], list[tuple[str, str, int]], dict[str, bytes]]
_CRAWLS: dict[str, Crawl] = {}


def crawl_demo_as(login: str) -> Crawl:
    """The whole crawl of the demo as ``login``: the statuses, the bad links and each HTML
    page's content by path. Made once per process: every test that asks for it starts from
    the same demo (the ``demo`` fixture puts the snapshot back), so a second crawl would
    see the same pages. This test and the phone-width check share one xdist group."""
    from django.test import Client

    if login not in _CRAWLS:
        client = Client()
        client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
        pages: dict[str, bytes] = {}
        seen, bad = crawl(client, pages)
        _CRAWLS[login] = (seen, bad, pages)
    return _CRAWLS[login]


@pytest.mark.parametrize("login", [label for label, _ in DEMO_LOGINS] + ["beheer"])
def test_no_link_a_demo_user_is_shown_answers_403(demo, login):
    seen, bad, _pages = crawl_demo_as(login)
    assert len(seen) > 10, seen  # the crawl reached the PW's pages
    assert len(seen) < LIMIT  # and every page it could reach
    assert bad == [], bad


def test_a_403_is_logged_as_one_line_without_a_traceback():
    import logging

    from werkplaats.security import QuietForbidden

    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied): %s",
            ("/pw/x/goals/",), sys.exc_info(),
        )  # fmt: skip
    record.status_code = 403
    assert QuietForbidden().filter(record) is True
    assert record.exc_info is None
    assert logging.Formatter().format(record) == "Forbidden (Permission denied): /pw/x/goals/"
    other = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    other.status_code = 500
    other.exc_info = (ValueError, ValueError("x"), None)
    QuietForbidden().filter(other)
    assert other.exc_info is not None  # a server error keeps its traceback
