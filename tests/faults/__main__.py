"""``make faults``: ``python -m tests.faults [--keep]``. Needs PostgreSQL (FAULTS_DATABASE_URL,
default a database ``werkplaats_faults`` on the local server, dropped and created anew) and
``redis-server`` on the PATH; starts everything else itself."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/werkplaats_faults"


def fresh_database(url: str) -> None:
    """Drop and create the run's database (through the server's ``postgres`` database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum() or name in ("postgres", "test"):
        raise SystemExit(f"refusing to recreate the database {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs)")
    args = parser.parse_args()
    started = time.monotonic()
    database = os.environ.get("FAULTS_DATABASE_URL", DEFAULT_DATABASE)
    folder = Path(tempfile.mkdtemp(prefix="werkplaats-faults-"))

    from tests.faults.smtp import MailServer
    from tests.faults.stack import Stack

    stack = Stack(folder, database)
    stack.configure_this_process()
    mail = MailServer()
    print(f"Fault suite: logs in {folder}", flush=True)
    run = None
    try:
        fresh_database(database)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, stdout=StringIO())
        call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
        stack.start_redis()
        mail.start(stack.smtp_port)
        stack.start_web()
        stack.start_worker("worker-1")
        print(f"  stack up in {time.monotonic() - started:.0f} s", flush=True)

        from tests.faults.scenarios import ALL, Run

        run = Run(stack, mail)
        for name, function in ALL:
            run.scenario(name, function)
    finally:
        stack.stop_all()
        mail.stop()
    if run is None:
        return 1
    failed = [o for o in run.outcomes if o.failures]
    print()
    print(f"{'fault':<58} {'result':<7} seconds")
    for outcome in run.outcomes:
        result = "FAIL" if outcome.failures else "ok"
        print(f"{outcome.name:<58} {result:<7} {outcome.seconds:5.0f}")
        for line in outcome.lines:
            print(f"    {line}")
        for failure in outcome.failures[:10]:
            print(f"    FAILURE: {failure}")
    print(f"\n{len(run.outcomes) - len(failed)} of {len(run.outcomes)} faults handled "
          f"in {time.monotonic() - started:.0f} s.")  # fmt: skip
    if not failed and not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
