"""Back up the database to one file, and the uploaded case outputs beside it (``make backup``).

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
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone


def pg_environment() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore (the password goes in
    the environment, not on the command line where other users could read it)."""
    db = connection.settings_dict
    args = []
    if db.get("HOST"):  # no host: the Unix socket, as libpq does by default
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
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
        # Backups hold names, notes and contact data: readable by their owner only.
        os.umask(0o077)
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
        files = private_files_archive(target)
        private = Path(settings.PRIVATE_MEDIA_ROOT)
        if private.is_dir() and any(private.iterdir()):
            with tarfile.open(files, "w:gz") as archive:
                archive.add(private, arcname=".")
            self.stdout.write(str(files))


def private_files_archive(backup: Path) -> Path:
    """The uploaded case outputs (PRIVATE_MEDIA_ROOT) go in an archive beside the database
    backup: a database without its files would show download links to nothing."""
    return backup.with_name(backup.name + ".files.tar.gz")
