"""The processes of the production stack, each started so it can be killed the hard way: its
own process group, output to a log file in the run's folder."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from werkplaats.load import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


class Stack:
    """Redis, gunicorn, Celery workers and beats for one run; ``env`` is what each of them
    (and this process's Django) is configured with."""

    def __init__(self, folder: Path, database_url: str, sweep_seconds: int = 2):
        self.folder = folder
        self.redis_port, self.smtp_port, self.web_port = free_port(), free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.env = {
            "DJANGO_SETTINGS_MODULE": "werkplaats.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "BEHIND_TLS_PROXY": "true",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_USE_SSL": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": "10",
            "SITE_URL": self.base,
            "STATIC_ROOT": str(folder / "static"),
            "VAR_DIR": str(folder / "var"),
            "SWEEP_SECONDS": str(sweep_seconds),
            "LOG_LEVEL": "WARNING",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def configure_this_process(self) -> None:
        os.environ.update(self.env)

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 — closed with the process
        process = subprocess.Popen(  # noqa: S603 — our own commands
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed with its children
        )
        process.log = log
        self.processes[name] = process
        return process

    # --- Redis ----------------------------------------------------------------------------------
    def start_redis(self) -> None:
        self._start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
        )  # fmt: skip
        if not wait_for_port(self.redis_port, 10):
            raise RuntimeError("Redis did not start")

    # --- Django and Celery ----------------------------------------------------------------------
    def start_web(self) -> None:
        self._start(
            "web",
            [sys.executable, "-m", "gunicorn", "werkplaats.wsgi:application",
             "--workers", "2", "--bind", f"127.0.0.1:{self.web_port}", "--timeout", "30",
             "--graceful-timeout", "5", "--error-logfile", "-"],
        )  # fmt: skip
        if not wait_for_port(self.web_port, 30):
            raise RuntimeError("gunicorn did not start")

    def web_workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (the children of its arbiter)."""
        pid = self.processes["web"].pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def start_worker(self, name: str) -> None:
        self._start(
            name,
            [sys.executable, "-m", "celery", "-A", "werkplaats", "worker", "--concurrency=2",
             "--loglevel=WARNING", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
        )  # fmt: skip

    def start_beat(self, name: str) -> None:
        self._start(
            name,
            [sys.executable, "-m", "celery", "-A", "werkplaats", "beat", "--loglevel=WARNING",
             "--schedule", str(self.folder / f"{name}-schedule")],
        )  # fmt: skip

    # --- Ending things --------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started, as a machine's death would."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        process.log.close()

    def stop(self, name: str) -> None:
        """A polite stop (SIGTERM to the group), then SIGKILL after five seconds."""
        process = self.processes.get(name)
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        self.kill(name)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name) if name != "redis" else self.kill(name)
