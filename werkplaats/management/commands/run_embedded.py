"""Start the web server, a Celery worker and beat together; Ctrl-C stops all of them.

Used by ``make run`` for the embedded default. Production runs each process in its own
container instead (docker-compose.yml).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run web (runserver), Celery worker and beat; stop all on Ctrl-C or when one exits."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        python = sys.executable
        commands = {
            "worker+beat": [
                python,
                "-m",
                "celery",
                "-A",
                "werkplaats",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=2",
            ],
            "web": [python, "manage.py", "runserver", addrport],
        }
        children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        stopping = False

        def stop(signum, frame):  # noqa: ARG001 - signal handler signature
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                exited = [name for name, proc in children.items() if proc.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                    break
                time.sleep(0.5)
        finally:
            self.stdout.write("Stopping web, worker and beat...")
            for proc in children.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 15
            for proc in children.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("Stopped.")
