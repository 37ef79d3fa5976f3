"""Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from io import StringIO
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
INSTALL_HINT = "apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = f"Chromium is not installed; install it with: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop; Django's ORM calls from the test are safe here.
    # Only for the browser tests: restored afterwards so no other test inherits it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    # bypass_csp lets axe-core be injected; test_csp_page_works checks our CSP itself.
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def strict_page(browser):
    """A page that enforces the site's Content-Security-Policy and records console errors."""
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; return its violations, each as its
    rule, impact and the elements found. Only violations are asked for and carried back: the
    passes' element lists were most of what a run cost."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })).violations.map(v => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target),
        }))"""
    )


class DemoDatabase:
    """The database as ``seed_demo`` leaves it, seeded once per test process and put back for
    every browser test that asks for it. Seeding took about 2.5 s per test; putting it back
    takes a fraction of that. The tests are transactional (the live server reads what they
    write) and flushed afterwards, so each starts from exactly the seeded rows, ids included.

    SQLite (an in-memory test database) is copied whole through its backup API; PostgreSQL
    table by table with COPY, its sequences set past the restored ids afterwards."""

    def __init__(self):
        self.sqlite: sqlite3.Connection | None = None
        self.tables: list[tuple[str, bytes]] | None = None

    @property
    def taken(self) -> bool:
        return self.sqlite is not None or self.tables is not None

    def seed_and_take(self) -> None:
        from django.core.management import call_command
        from django.db import connection

        from tests.reference import reload_reference_data

        reload_reference_data()
        call_command("seed_demo", allow_production=True, stdout=StringIO())
        if connection.vendor == "sqlite":
            self.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.ensure_connection()
            connection.connection.backup(self.sqlite)
        else:
            self.tables = []
            with connection.cursor() as cursor:
                for table in self._table_names(connection):
                    with _copy(cursor, table, "TO STDOUT") as copy:
                        self.tables.append((table, b"".join(bytes(block) for block in copy)))

    def restore(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection, transaction

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.sqlite.backup(connection.connection)
        else:
            from django.apps import apps
            from django.core.management.color import no_style

            with transaction.atomic(), connection.cursor() as cursor:
                tables = [table for table, _data in self.tables]
                for statement in connection.ops.sql_flush(no_style(), tables):
                    cursor.execute(statement)
                for table, data in self.tables:
                    with _copy(cursor, table, "FROM STDIN") as copy:
                        copy.write(data)
                models = apps.get_models(include_auto_created=True)
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        # The ids of the content types are the snapshot's again, not those the flush made.
        ContentType.objects.clear_cache()

    @staticmethod
    def _table_names(connection) -> list[str]:
        return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _copy(cursor, table: str, direction: str):
    """psycopg's COPY of one whole table in PostgreSQL's binary format (exact for every type)."""
    from django.db import connection

    name = connection.ops.quote_name(table)
    return cursor.cursor.copy(f"COPY {name} {direction} (FORMAT binary)")


@pytest.fixture(scope="session")
def _demo_database():
    return DemoDatabase()


@pytest.fixture
def demo(transactional_db, _demo_database):
    """The demo data (``seed_demo``) in the test database: seeded by the first test that asks
    for it, restored from that copy for every later one."""
    if _demo_database.taken:
        _demo_database.restore()
    else:
        _demo_database.seed_and_take()
