"""``make backup`` / ``make restore`` round-trip the demo data with nothing lost: on the
embedded SQLite database, and on PostgreSQL when the tests run against it (CI)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("werkplaats", "elements", "evaluations", "cases")
# The commands run as ``make run`` runs them: the project's settings, not the tests' (which
# keep uploads in a folder of the test process's own).
COMMAND_ENV = {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "werkplaats.settings"}


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **COMMAND_ENV, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def database_counts(connect: Callable[[], object]) -> dict:
    """The rows of every table of the apps and a digest of the people's names, read with a
    DB-API connection straight from the database (SQLite's file or PostgreSQL's scratch
    database), so no Django process has to start for it."""
    from django.apps import apps

    with closing(connect()) as db:
        count = 'SELECT COUNT(*) FROM "{}"'
        counts = {
            model._meta.label: db.execute(count.format(model._meta.db_table)).fetchone()[0]
            for model in apps.get_models()
            if model._meta.app_label in APPS
        }
        people = db.execute("SELECT name FROM werkplaats_person ORDER BY id").fetchall()
    names = "|".join(name for (name,) in people)
    return {"counts": counts, "names": hashlib.sha256(names.encode()).hexdigest()}


def round_trip(env: dict[str, str], backup: Path, connect: Callable[[], object]) -> None:
    before = database_counts(connect)
    assert before["counts"]["evaluations.Answer"] > 1000  # the demo has answers to lose
    private = Path(env["VAR_DIR"]) / "private" / "outputs"
    private.mkdir(parents=True)
    (private / "verslag.pdf").write_bytes(b"%PDF-1.4 afstudeerverslag")
    manage(env, "backup", "--output", str(backup))
    assert backup.stat().st_mode & 0o077 == 0  # names and notes: for the owner only
    manage(env, "flush", "--no-input")  # disaster: everything gone
    shutil.rmtree(private.parent)
    assert database_counts(connect)["counts"]["werkplaats.Person"] == 0
    manage(env, "restore", str(backup), "--yes")
    assert database_counts(connect) == before
    assert (private / "verslag.pdf").read_bytes() == b"%PDF-1.4 afstudeerverslag"


def test_backup_and_restore_round_trip_the_demo_data_on_sqlite(tmp_path, demo, _demo_database):
    """The demo database is the tests' own seeded copy written to a file (the PostgreSQL round
    trip below runs the real ``migrate`` and ``seed_demo``); on PostgreSQL there is no SQLite
    copy, so the file is made as ``make run`` makes it."""
    database = tmp_path / "werkplaats.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "VAR_DIR": str(tmp_path), "REDIS_URL": ""}
    if not _demo_database.write_sqlite(database):
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
    round_trip(env, tmp_path / "backup.sqlite3", lambda: sqlite3.connect(database))


def test_restore_refuses_without_yes_and_a_backup_of_the_wrong_kind(tmp_path):
    database = tmp_path / "werkplaats.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "VAR_DIR": str(tmp_path), "REDIS_URL": ""}
    wrong = tmp_path / "backup.dump"
    wrong.write_bytes(b"PGDMP")
    for args in (["restore", str(wrong)], ["restore", str(wrong), "--yes"]):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env={**os.environ, **COMMAND_ENV, **env},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode != 0
        assert "--yes" in result.stderr or ".sqlite3" in result.stderr


def test_backup_and_restore_round_trip_the_demo_data_on_postgresql(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("PostgreSQL round trip runs when the tests use PostgreSQL (CI)")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        message = "pg_dump/pg_restore missing: apt-get install postgresql-client"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import psycopg

    parsed = urlparse(url)
    scratch = f"werkplaats_backup_{uuid.uuid4().hex[:8]}"
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    try:
        env = {
            "DATABASE_URL": parsed._replace(path=f"/{scratch}").geturl(),
            "VAR_DIR": str(tmp_path),
            "REDIS_URL": "",
        }
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        round_trip(env, tmp_path / "backup.dump", lambda: psycopg.connect(env["DATABASE_URL"]))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
