"""Shared fixtures: a PW with members of every role, an outsider, a researcher and staff."""

from __future__ import annotations

import pytest

from tests.factories import (
    ResearchGrantFactory,
    UserFactory,
    WorkplaceFactory,
    member_user,
)
from werkplaats.models import Role


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    """Per-test memory cache; plain static storage so pages render without collectstatic."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # locmem caches live per process: no counter or summary leaks between tests
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Tests create many users: a fast hasher keeps the suite quick (never in production).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
