"""Pages under load through gunicorn with production settings (issue 16's second table).

``served()`` collects the static files into a temporary folder and starts gunicorn with two
workers on a free port, configured from this process's environment with production settings
(``DEBUG=false``, behind a TLS proxy: the load generator sends the proxy's header). ``load()``
sends GET requests from a few threads for a number of seconds, each thread on one kept-alive
connection with a session cookie, and returns every request's time. A request that does not
answer 200 stops the run: a figure of error pages would measure nothing.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

WORKERS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def served(environment: dict[str, str] | None = None) -> Iterator[int]:
    """gunicorn with ``WORKERS`` workers for the duration of the block; yields its port."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="werkplaats-load-") as folder:
        env = {
            **os.environ,
            "DEBUG": "false",
            "BEHIND_TLS_PROXY": "true",
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(Path(folder) / "static"),
            **(environment or {}),
        }
        root = Path(__file__).resolve().parent.parent
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=root, env=env, check=True,
        )  # fmt: skip
        log = open(Path(folder) / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "werkplaats.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ]
        server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            if not wait_for_port(port, 60):
                raise RuntimeError(f"gunicorn did not start: {log.name}")
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()


def load(port: int, path: str, cookies: dict[str, str], seconds: float, threads: int):
    """Every request's time in ms: ``threads`` connections asking ``path`` for ``seconds``."""
    times: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        try:
            while time.monotonic() < deadline and not failures:
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path} answered {response.status}")
                    break
                mine.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()
            times.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise RuntimeError(failures[0])
    return times
