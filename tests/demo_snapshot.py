"""The demo data, seeded once per test process and put back for each test that asks for it."""

from __future__ import annotations

import sqlite3
from io import StringIO
from pathlib import Path


class DemoDatabase:
    """The database as ``seed_demo`` leaves it, seeded once per test process and put back for
    every test that asks for it (the ``demo`` fixture). Seeding took about 2.5 s per test;
    putting it back takes a fraction of that. The tests are transactional (a live server reads
    what they write) and flushed afterwards, so each starts from exactly the seeded rows, ids
    included.

    SQLite (an in-memory test database) is copied whole through its backup API; PostgreSQL
    table by table with COPY, its sequences set past the restored ids afterwards."""

    def __init__(self):
        self.sqlite: sqlite3.Connection | None = None
        self.tables: list[tuple[str, list[str], bytes]] | None = None

    @property
    def taken(self) -> bool:
        return self.sqlite is not None or self.tables is not None

    def seed_and_take(self) -> None:
        from django.core.management import call_command
        from django.db import connection

        from tests.reference import reload_reference_data

        reload_reference_data()
        call_command("seed_demo", allow_production=True, stdout=StringIO())
        if connection.vendor == "sqlite":
            self.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.ensure_connection()
            connection.connection.backup(self.sqlite)
        else:
            self.tables = []
            with connection.cursor() as cursor:
                for table in self._table_names(connection):
                    columns = [
                        column.name
                        for column in connection.introspection.get_table_description(cursor, table)
                    ]
                    with _copy(cursor, table, columns, "TO STDOUT") as copy:
                        data = b"".join(bytes(block) for block in copy)
                    self.tables.append((table, columns, data))

    def restore(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection, transaction

        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.sqlite.backup(connection.connection)
        else:
            from django.apps import apps
            from django.core.management.color import no_style

            with transaction.atomic(), connection.cursor() as cursor:
                tables = [table for table, _columns, _data in self.tables]
                for statement in connection.ops.sql_flush(no_style(), tables):
                    cursor.execute(statement)
                for table, columns, data in self.tables:
                    with _copy(cursor, table, columns, "FROM STDIN") as copy:
                        copy.write(data)
                models = apps.get_models(include_auto_created=True)
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        # The ids of the content types are the snapshot's again, not those the flush made.
        ContentType.objects.clear_cache()

    def write_sqlite(self, path: Path) -> bool:
        """Write the snapshot to an SQLite file, as ``migrate`` and ``seed_demo`` would leave
        it; False when the tests run on PostgreSQL (there is no SQLite copy to write)."""
        if self.sqlite is None:
            return False
        target = sqlite3.connect(path)
        try:
            self.sqlite.backup(target)
        finally:
            target.close()
        return True

    @staticmethod
    def _table_names(connection) -> list[str]:
        return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _copy(cursor, table: str, columns: list[str], direction: str):
    """psycopg's COPY of one whole table in PostgreSQL's binary format (exact for every type),
    its columns named: a test that migrates back and forth (test_notification_migration)
    rebuilds tables with their columns in another order, and binary rows carry no names."""
    from django.db import connection

    name = connection.ops.quote_name(table)
    named = ", ".join(connection.ops.quote_name(column) for column in columns)
    return cursor.cursor.copy(f"COPY {name} ({named}) {direction} (FORMAT binary)")
