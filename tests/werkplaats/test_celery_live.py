"""A task really runs through the Redis broker in a separate, live worker process."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def live_worker():
    if not redis_reachable(BROKER):
        message = f"Redis is not reachable at {BROKER}; start it with: redis-server --daemonize yes"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    env = {
        **os.environ,
        "DEBUG": "true",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "werkplaats",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.live_broker
def test_a_task_runs_in_a_live_worker_through_redis(live_worker, settings, monkeypatch):
    from werkplaats.celery import app
    from werkplaats.tasks import ping

    # Celery reads these environment variables before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", BROKER)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", BROKER)
    app.conf.update(
        broker_url=BROKER, result_backend=BROKER, task_always_eager=False, task_ignore_result=False
    )
    try:
        token = secrets.token_hex(8)
        started = time.monotonic()
        result = ping.apply_async(args=[token], ignore_result=False)
        answer = result.get(timeout=30)
        assert answer["token"] == token
        assert answer["pid"] == live_worker.pid  # the worker ran it, not this process
        assert answer["pid"] != os.getpid()
        assert time.monotonic() - started < 30
    finally:
        app.conf.update(
            broker_url=settings.CELERY_BROKER_URL,
            result_backend=settings.CELERY_RESULT_BACKEND,
            task_ignore_result=settings.CELERY_TASK_IGNORE_RESULT,
        )
