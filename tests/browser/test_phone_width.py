"""No page of any role overflows sideways at 390 px (issue 18): every page a demo role can
reach by its links (one per kind of page, its longest) is opened in a frame a phone wide; the
document is never wider than the frame. Wide tables scroll inside their own labelled region."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.urls import resolve

from tests.browser.test_overview import log_in
from tests.werkplaats.test_link_crawl import crawl_demo_as
from werkplaats.demo_data import DEMO_DOMAIN

# In the link crawl's group: one process crawls each role once, for both tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("link-crawl"),
]
WIDTH = 390
BATCH = 8  # pages measured at once


def pages_of(login: str) -> dict[str, bytes]:
    """The HTML pages the user reaches by links, one of each URL name: the longest of them
    (the most content to fit), by path, from the link crawl of every page the user reaches
    (made once per process, shared with test_link_crawl)."""
    pages = crawl_demo_as(login)[2]
    kinds: dict[str, list[str]] = defaultdict(list)
    for path in pages:
        kinds[resolve(path).view_name].append(path)
    longest = (max(paths, key=lambda path: len(pages[path])) for paths in kinds.values())
    return {path: pages[path] for path in longest}


@pytest.mark.parametrize("login", ["beheer", "bruggenbouwer", "manager", "student", "client"])
def test_no_page_is_wider_than_a_phone(live_server, page, demo, login):
    pages = pages_of(login)
    assert len(pages) > 5
    log_in(page, live_server.url, f"{login}@{DEMO_DOMAIN}")  # for what a page asks by htmx
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    # Each page opens in a frame a phone wide (its media queries, viewport units and layout are
    # those of a 390 px window), BATCH frames at a time: half the time of one window
    # navigating page after page. A frame holds the HTML as the crawl received it for this
    # user (srcdoc, not rendered a second time, with its own address as the base of its
    # links); its styles, scripts and fragments come from the live server.
    batches = [list(pages)[start : start + BATCH] for start in range(0, len(pages), BATCH)]
    too_wide, shown = [], []
    for paths in batches:
        assert all(b"<head>" in pages[path] for path in paths)  # each gets its base
        documents = [
            pages[path].decode().replace("<head>", f'<head><base href="{path}">', 1)
            for path in paths
        ]
        result = page.evaluate(MEASURE, {"paths": paths, "documents": documents, "width": WIDTH})
        too_wide += result["tooWide"]
        shown += result["shown"]
    # Every frame showed its page (its main region, the site's styles, its own address as
    # the base of its links), none a blank.
    assert sorted(shown) == sorted(pages)
    assert too_wide == [], too_wide


# For each page a frame of the width; returns the paths whose frame shows a page (its main
# region, styled by the site's stylesheet, with the page's own address as its base), and
# [path, document width, the last element that sticks out beyond the width outside a
# scrolling table] for each frame that is too wide.
MEASURE = """async ({paths, documents, width}) => {
    document.body.replaceChildren();
    const frames = paths.map((path, i) => {
        const frame = document.createElement('iframe');
        frame.style.cssText = `width: ${width}px; height: 800px; border: 0; display: block`;
        const loaded = new Promise(resolve => frame.onload = resolve);
        frame.srcdoc = documents[i];
        document.body.append(frame);
        return [path, frame, loaded];
    });
    await Promise.all(frames.map(([, , loaded]) => loaded));
    const shown = frames.filter(([path, frame]) => {
        const doc = frame.contentDocument;
        const styled = getComputedStyle(doc.documentElement).getPropertyValue('--ink').trim();
        return doc.querySelector('main') && styled !== '' && doc.baseURI.endsWith(path);
    }).map(([path]) => path);
    const tooWide = frames.flatMap(([path, frame]) => {
        const root = frame.contentDocument.documentElement;
        if (root.scrollWidth <= width) return [];
        const all = [...frame.contentDocument.querySelectorAll('body *')].filter(e =>
            e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest('.table-scroll'));
        const e = all[all.length - 1];
        const text = e ? (e.textContent || '').trim().slice(0, 40) : '';
        return [[path, root.scrollWidth, e ? `${e.tagName}.${e.className} ${text}` : '']];
    });
    return {shown, tooWide};
}"""
