"""No page of any role overflows sideways at 390 px (issue 18): every page a demo role can
reach by its links (one per kind of page, its longest) is opened on a phone-sized window; the
document is never wider than the window. Wide tables scroll inside their own labelled region."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.browser.test_overview import demo, log_in  # noqa: F401 - the demo fixture
from tests.werkplaats.test_link_crawl import crawl
from werkplaats.demo_data import DEMO_DOMAIN
from werkplaats.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 390
FOLLOW = 5  # pages per URL name the crawl opens to find the kinds of page they link to


def pages_of(login: str) -> list[str]:
    """The HTML pages the user reaches by links, one of each URL name: the longest of those
    the crawl opened (the most content to fit). The
    crawl opens at most FOLLOW pages of a kind, in about 40% of a full crawl's time; in the
    demo it reaches every kind a full crawl reaches but one of the staff account's (a value
    story's edit page, which the manager's crawl reaches)."""
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

    sizes: dict[str, int] = {}
    crawl(client, admit, sizes)
    return [
        max(shown, key=sizes.__getitem__)
        for shown in ([path for path in paths if path in sizes] for paths in kinds.values())
        if shown
    ]


@pytest.mark.parametrize("login", ["beheer", "bruggenbouwer", "manager", "student", "client"])
def test_no_page_is_wider_than_a_phone(live_server, page, demo, login):  # noqa: F811
    paths = pages_of(login)
    assert len(paths) > 5
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server.url, f"{login}@{DEMO_DOMAIN}")
    page.get_by_role("heading", name="Mijn werkplaatsen", level=1).wait_for()
    too_wide = []
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            culprit = page.evaluate(
                """() => { const w = document.documentElement.clientWidth;
                const all = [...document.querySelectorAll('body *')].filter(
                    e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll'));
                const e = all[all.length - 1]; return e ? e.tagName + '.' + e.className + ' ' +
                (e.textContent || '').trim().slice(0, 40) : ''; }"""
            )
            too_wide.append((path, width, culprit))
    assert too_wide == [], too_wide
