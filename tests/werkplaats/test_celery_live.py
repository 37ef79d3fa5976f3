"""A task really runs in a separate, live worker process: through Redis, and through the
embedded filesystem transport that ``make run`` uses."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """A worker whose output goes to a temporary file (``worker.log``): a pipe nobody reads
    fills up and blocks the worker as soon as it logs a few tracebacks."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 — read after the worker stops, then dropped
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
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "CELERY_TASK_ALWAYS_EAGER": "false", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.log = log
    return worker


def worker_output(worker: subprocess.Popen) -> str:
    worker.log.seek(0)
    return worker.log.read().decode(errors="replace")


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


def ping_through(broker: str, backend: str, monkeypatch, **transport_options) -> dict:
    """Send the project's ping task through ``broker`` from a separate client app."""
    from celery import Celery

    # Celery reads these environment variables before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", backend)
    client = Celery("test-client", broker=broker, backend=backend, set_as_current=False)
    client.conf.broker_transport_options = transport_options
    try:
        token = secrets.token_hex(8)
        result = client.send_task("werkplaats.tasks.ping", args=[token])
        answer = result.get(timeout=30)
    finally:
        client.close()
    assert answer["token"] == token
    return answer


@pytest.mark.live_broker
def test_a_task_runs_in_a_live_worker_through_redis(monkeypatch):
    if not redis_reachable(REDIS_BROKER):
        message = (
            f"Redis is not reachable at {REDIS_BROKER}; start it: redis-server --daemonize yes"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    worker = start_worker(
        {"CELERY_BROKER_URL": REDIS_BROKER, "CELERY_RESULT_BACKEND": REDIS_BROKER}
    )
    try:
        answer = ping_through(REDIS_BROKER, REDIS_BROKER, monkeypatch)
    finally:
        stop_worker(worker)
    assert answer["pid"] == worker.pid  # the worker ran it, not this process
    assert answer["pid"] != os.getpid()


def test_a_task_runs_in_a_live_worker_through_the_embedded_filesystem_transport(
    tmp_path, monkeypatch
):
    """The transport ``make run`` uses: messages are files under VAR_DIR/celery."""
    var = tmp_path / "var"
    results = tmp_path / "results"
    results.mkdir()
    backend = f"file://{results}"
    worker = start_worker(
        {
            "VAR_DIR": str(var),
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "CELERY_RESULT_BACKEND": backend,
        }
    )
    queue = var / "celery" / "queue"
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(var / "celery" / "processed"),
        "control_folder": str(var / "celery" / "control"),
        "store_processed": False,
    }
    for folder in options.values():
        if isinstance(folder, str):
            Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        answer = ping_through("filesystem://", backend, monkeypatch, **options)
    finally:
        stop_worker(worker)
    assert answer["pid"] == worker.pid
