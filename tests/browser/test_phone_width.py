"""No page of any role overflows sideways at 390 px (issue 18): every page a demo role can
reach by its links (one or two per kind of page) is opened on a phone-sized window; the
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
PER_KIND = 2  # pages per URL name: e.g. an open and a closed cycle


def pages_of(login: str) -> list[str]:
    """The HTML pages the user reaches by links, at most PER_KIND per URL name."""
    client = Client()
    client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
    seen, _bad = crawl(client)
    kinds: dict[str, list[str]] = defaultdict(list)
    for path, status in sorted(seen.items()):
        if status != 200 or re.search(r"\.[a-z0-9]{2,5}$", path):  # downloads (.csv, .qdpx)
            continue
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if "export" in name or "download" in name:
            continue
        if len(kinds[name]) < PER_KIND:
            kinds[name].append(path)
    return [path for paths in kinds.values() for path in paths]


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
