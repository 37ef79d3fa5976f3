"""No page of any role overflows sideways at 390 px (issue 18): every page a demo role can
reach by its links (one per kind of page, its longest) is opened in a frame a phone wide; the
document is never wider than the frame. Wide tables scroll inside their own labelled region."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.browser.test_overview import log_in
from tests.werkplaats.test_link_crawl import crawl
from werkplaats.demo_data import DEMO_DOMAIN
from werkplaats.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390
BATCH = 8  # pages measured at once
FOLLOW = 5  # pages per URL name the crawl opens to find the kinds of page they link to


def pages_of(login: str) -> dict[str, bytes]:
    """The HTML pages the user reaches by links, one of each URL name: the longest of those
    the crawl opened (the most content to fit), by path. The crawl opens at most FOLLOW pages
    of a kind, in about 40% of a full crawl's time; in the demo it reaches every kind a full
    crawl reaches but one of the staff account's (a value story's edit page, which the
    manager's crawl reaches)."""
    client = Client()
    client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
    kinds: dict[str, list[str]] = defaultdict(list, {resolve("/").view_name: ["/"]})
    queued = {"/"}

    def admit(path: str) -> bool:
        if path in queued or re.search(r"\.[a-z0-9]{2,5}$", path):  # downloads (.csv, .qdpx)
            return False
        try:
            name = resolve(path).view_name
        except Resolver404:
            return False
        if "export" in name or "download" in name or len(kinds[name]) >= FOLLOW:
            return False
        kinds[name].append(path)
        queued.add(path)
        return True

    pages: dict[str, bytes] = {}
    crawl(client, admit, pages)
    longest = (
        max(shown, key=lambda path: len(pages[path]))
        for shown in ([path for path in paths if path in pages] for paths in kinds.values())
        if shown
    )
    return {path: pages[path] for path in longest}


@pytest.mark.parametrize("login", ["beheer", "bruggenbouwer", "manager", "student", "client"])
def test_no_page_is_wider_than_a_phone(live_server, page, demo, login):
    pages = pages_of(login)
    assert len(pages) > 5
    log_in(page, live_server.url, f"{login}@{DEMO_DOMAIN}")  # for what a page asks by htmx
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()

    served = set()

    def serve(route) -> None:
        """Each page as the crawl received it for this user, not rendered a second time; its
        styles, scripts and fragments come from the live server."""
        path = urlsplit(route.request.url).path
        if route.request.resource_type == "document" and path in pages:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[path])
            served.add(path)
        else:
            route.continue_()

    page.route(re.compile(rf"^{re.escape(live_server.url)}/(?!static/)"), serve)
    # Each page opens in a frame a phone wide (its media queries, viewport units and layout are
    # those of a 390 px window), BATCH frames at a time: half the time of one window
    # navigating page after page.
    paths = list(pages)
    too_wide = []
    for start in range(0, len(paths), BATCH):
        too_wide += page.evaluate(MEASURE, {"paths": paths[start : start + BATCH], "width": WIDTH})
    assert served == pages.keys()  # every page was the crawl's, none a blank
    assert too_wide == [], too_wide


# For each path a frame of the width; returns [path, document width, the last element that
# sticks out beyond the width outside a scrolling table] for each frame that is too wide.
MEASURE = """async ({paths, width}) => {
    document.body.replaceChildren();
    const frames = paths.map(path => {
        const frame = document.createElement('iframe');
        frame.style.cssText = `width: ${width}px; height: 800px; border: 0; display: block`;
        const loaded = new Promise(resolve => frame.onload = resolve);
        frame.src = path;
        document.body.append(frame);
        return [path, frame, loaded];
    });
    await Promise.all(frames.map(([, , loaded]) => loaded));
    return frames.flatMap(([path, frame]) => {
        const root = frame.contentDocument.documentElement;
        if (root.scrollWidth <= width) return [];
        const all = [...frame.contentDocument.querySelectorAll('body *')].filter(e =>
            e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest('.table-scroll'));
        const e = all[all.length - 1];
        const text = e ? (e.textContent || '').trim().slice(0, 40) : '';
        return [[path, root.scrollWidth, e ? `${e.tagName}.${e.className} ${text}` : '']];
    });
}"""
