"""Shared fixtures: a PW with members of every role, an outsider, a researcher and staff."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings

from tests.demo_snapshot import DemoDatabase
from tests.factories import (
    ResearchGrantFactory,
    UserFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats.models import Role

# Property tests: the full budget in CI (.ci/run sets HYPOTHESIS_PROFILE=ci), a lighter one
# locally. A test that needs more or fewer examples scales the profile's number, so CI keeps
# its counts (forms 30, admin add pages 12, random query strings 60) and a laptop runs a third.
hypothesis_settings.register_profile("ci", max_examples=30, print_blob=True)
hypothesis_settings.register_profile("dev", max_examples=10)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``) the tests that start
    a live Celery worker share one Redis broker and its default queue: one process runs them
    one after another, or one's worker could take the other's task."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("live_broker"):
            item.add_marker(pytest.mark.xdist_group("live-broker"))


def _flushes(item) -> bool:
    """Whether the test runs outside a transaction and is flushed afterwards (transactional
    tests, the live server's, the demo's): the flush also removes the reference data."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in names for name in ("transactional_db", "live_server", "django_db_reset_sequences")
    )


_FLUSHED = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A test that runs in a rolled-back transaction finds the reference data even when a
    flushed test ran before it in this process: pytest-django runs those last, but xdist's
    loadgroup hands a worker a group (the link crawl's, the live broker's) whenever it is
    free. Loaded before the test's transaction begins, so it stays."""
    if item.config.stash.get(_FLUSHED, False) and not _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        from tests.reference import reload_reference_data

        with item.config.stash[blocking_manager_key].unblock():
            reload_reference_data()
        item.config.stash[_FLUSHED] = False


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    if _flushes(item):
        item.config.stash[_FLUSHED] = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, made from the models (tests/settings.py says why), with
    the rows of the data migrations and every migration recorded as applied."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from tests.reference import reload_reference_data

    with django_db_blocker.unblock():
        reload_reference_data()
        for connection in connections.all():
            executor = MigrationExecutor(connection)
            executor.recorder.ensure_schema()
            executor.recorder.migration_qs.bulk_create(
                executor.recorder.Migration(app=app_label, name=name)
                for app_label, name in executor.loader.graph.nodes
            )


@pytest.fixture(autouse=True)
def _isolated_state():
    """Each test starts with an empty cache (locmem caches live per process: no counter or
    summary leaks between tests) and leaves no upload behind (tests/settings.py sets the
    cache and the folders once)."""
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()
    yield
    for folder in (settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT):
        if os.path.exists(folder):
            shutil.rmtree(folder)


@pytest.fixture(autouse=True)
def _dutch():
    """Every test starts in the site's language: a page asked in English leaves English
    active in the thread (LocaleMiddleware does not undo it), and the next test's messages
    would follow it."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@contextlib.contextmanager
def _assert_queries(num: int, exact: bool = True, connection=None, info=None, *, using=None):
    """pytest-django's query-count check, but a failure always lists the SQL (not only with -v):
    the numbered queries are what tells a new N+1 from an expected extra query."""
    from django.db import connection as default_connection
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    if connection is not None and using is not None:
        raise ValueError('The "connection" and "using" parameter cannot be used together')
    if connection is None:
        connection = connections[using] if using is not None else default_connection
    with CaptureQueriesContext(connection) as context:
        yield context
    done = len(context)
    if (done != num) if exact else (done > num):
        bound = "" if exact else "or less "
        verb = "was" if done == 1 else "were"
        message = f"Expected to perform {num} queries {bound}but {done} {verb} done"
        if info:
            message += f"\n{info}"
        queries = "\n".join(
            f"{n}. {query['sql']}" for n, query in enumerate(context.captured_queries, 1)
        )
        pytest.fail(f"{message}\n\nQueries:\n{queries}")


@pytest.fixture
def django_assert_num_queries():
    """Overrides pytest-django's fixture: same signature, the SQL in every failure message."""
    return _assert_queries


@pytest.fixture
def django_assert_max_num_queries():
    """Overrides pytest-django's fixture: at most ``num`` queries, the SQL in every failure."""
    return functools.partial(_assert_queries, exact=False)


@pytest.fixture
def workplace(db):
    return WorkplaceFactory(name="PW Revalidatie Noord", slug="revalidatie-noord")


@pytest.fixture
def other_workplace(db):
    return WorkplaceFactory(name="PW Jeugdhulp Zuid", slug="jeugdhulp-zuid")


@pytest.fixture
def member(workplace):
    """A current student of ``workplace``."""
    return member_user(workplace, Role.STUDENT)


@pytest.fixture
def owner(workplace):
    """A current bridge-builder of ``workplace``: the role that runs the PW day to day."""
    return member_user(workplace, Role.BRIDGE_BUILDER)


@pytest.fixture
def outsider(other_workplace):
    """A bridge-builder of another PW: must never see anything of ``workplace``."""
    return member_user(other_workplace, Role.BRIDGE_BUILDER)


@pytest.fixture
def researcher(workplace):
    grant = ResearchGrantFactory(workplace=workplace)
    return grant.user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


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
