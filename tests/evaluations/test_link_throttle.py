"""The evaluation-link throttle: a window of 15 minutes fixed from the first failure on every
cache backend (the file cache of the embedded default and Redis, not only memory), and a
valid link that opens while its address is throttled (issues 17 and 22)."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory

from tests.werkplaats.test_celery_live import redis_reachable
from werkplaats.security import count_failure, too_many_failures

REDIS_CACHE = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
WINDOW = 15 * 60
T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["file", "redis", "memory"])
def backend(request, settings, tmp_path):
    if request.param == "redis" and not redis_reachable(REDIS_CACHE):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_CACHE}")
        pytest.skip(f"Redis is not reachable at {REDIS_CACHE}")
    backends = {
        "file": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
        "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.CACHES = {"default": backends[request.param]}
    yield request.param
    cache.delete_many(["failures:t:10.0.0.1", "failures:t:10.0.0.1:ends"])


def redis_ttl(key: str) -> int:
    return cache._cache.get_client(key).ttl(cache.make_key(key))


def test_the_window_is_fixed_from_the_first_failure(backend):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    if backend == "redis":  # the server keeps the time: age the counter by 5 minutes there
        key = "failures:t:10.0.0.1"
        count_failure(request, "t", window=WINDOW)
        assert 895 <= redis_ttl(key) <= WINDOW
        cache._cache.get_client(key).expire(cache.make_key(key), 600)
        count_failure(request, "t", window=WINDOW)  # must not restart the window
        assert 595 <= redis_ttl(key) <= 600
        assert too_many_failures(request, "t", limit=2)
        return
    with time_machine.travel(T0, tick=False) as clock:
        count_failure(request, "t", window=WINDOW)
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        assert too_many_failures(request, "t", limit=1)  # the first failure still counts
        count_failure(request, "t", window=WINDOW)  # must not restart the window
        clock.shift(dt.timedelta(minutes=9, seconds=57))  # 14:58 after the first
        assert too_many_failures(request, "t", limit=2)
        clock.shift(dt.timedelta(seconds=3))  # 15:01 after the first
        assert not too_many_failures(request, "t", limit=1)
        count_failure(request, "t", window=WINDOW)  # a new window starts here
        clock.shift(dt.timedelta(minutes=14))
        assert too_many_failures(request, "t", limit=1)
        assert not too_many_failures(request, "t", limit=2)
