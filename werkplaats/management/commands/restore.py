"""Restore the database from a file made by ``manage.py backup`` (``make restore FILE=...``).

Replaces everything in the configured database with the backup's contents; asks for ``--yes``
because nothing of the current data survives. Stop the web and Celery processes first.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from werkplaats.management.commands.backup import (
    pg_environment,
    private_files_archive,
    require_tool,
)


class Command(BaseCommand):
    help = "Replace the database with a backup file (made by manage.py backup)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Yes, replace all current data.")

    def handle(self, *args, file: str, yes: bool = False, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        if not yes:
            raise CommandError("Restoring replaces all current data; repeat with --yes.")
        vendor = connection.vendor
        if vendor == "sqlite":
            if source.suffix != ".sqlite3":
                raise CommandError("This is an SQLite database: restore a .sqlite3 backup.")
            connection.ensure_connection()
            with sqlite3.connect(source) as backup:
                backup.backup(connection.connection)
            backup.close()
        elif vendor == "postgresql":
            if source.suffix != ".dump":
                raise CommandError("This is a PostgreSQL database: restore a .dump backup.")
            connection.close()
            args, env = pg_environment()
            command = [
                require_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner",
                "--single-transaction", "--dbname", connection.settings_dict["NAME"], str(source),
            ]  # fmt: skip
            result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"No restore for the {vendor} database backend.")
        files = private_files_archive(source)
        if files.is_file():
            private = Path(settings.PRIVATE_MEDIA_ROOT)
            if private.is_dir():
                shutil.rmtree(private)  # files uploaded after the backup belong to nothing now
            private.mkdir(parents=True)
            with tarfile.open(files, "r:gz") as archive:
                archive.extractall(private, filter="data")
        self.stdout.write(f"Restored from {source}.")
