"""Test settings: the project's settings plus a small app whose model uses the tagging mixin."""

from werkplaats.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.tagging"]  # noqa: F405

# The test databases are made from the models in one step (syncdb) instead of replaying the
# 69 migrations, about 10 s of every worker's start; tests/conftest.py then loads what the
# data migrations load and records every migration as applied, so a test that migrates
# (test_notification_migration) starts from the state a migrated database is in. CI's
# ``makemigrations --check`` holds the models and the migrations equal.
for _database in DATABASES.values():  # noqa: F405
    _database.setdefault("TEST", {})["MIGRATE"] = False

# Tests create many users: a fast hasher keeps the suite quick (never in production). Set here,
# not per test, so the worlds built once per module or process (the access matrix, the link
# crawl's demo) do not pay PBKDF2's million rounds, about 0.45 s, for each of their users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
