"""Back up the database to one file (``make backup``).

SQLite (the embedded default): an online copy through SQLite's backup API, consistent even
while the application writes. PostgreSQL: ``pg_dump --format=custom`` (needs the PostgreSQL
client tools). The file goes to ``BACKUP_DIR`` (default ``var/backups``) with the time in its
name; ``manage.py restore FILE --yes`` (``make restore FILE=...``) puts it back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone


def pg_environment() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore (the password goes in
    the environment, not on the command line where other users could read it)."""
    db = connection.settings_dict
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


class Command(BaseCommand):
    help = "Back up the database to one file in BACKUP_DIR (or --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="The file to write (default: BACKUP_DIR/<time>).")

    def handle(self, *args, output: str | None = None, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        vendor = connection.vendor
        if vendor == "sqlite":
            target = Path(output or Path(settings.BACKUP_DIR) / f"werkplaats-{stamp}.sqlite3")
            target.parent.mkdir(parents=True, exist_ok=True)
            connection.ensure_connection()
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy)
            copy.close()
        elif vendor == "postgresql":
            target = Path(output or Path(settings.BACKUP_DIR) / f"werkplaats-{stamp}.dump")
            target.parent.mkdir(parents=True, exist_ok=True)
            args, env = pg_environment()
            name = connection.settings_dict["NAME"]
            command = [
                require_tool("pg_dump"),
                *args,
                "--format=custom",
                "--file",
                str(target),
                name,
            ]
            result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"No backup for the {vendor} database backend.")
        self.stdout.write(str(target))
