"""Test settings: the project's settings plus a small app whose model uses the tagging mixin."""

import atexit
import shutil
import tempfile
from pathlib import Path

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

# What every test runs on, set once here rather than per test (a changed setting sends
# setting_changed, and pytest's tmp_path made a folder for each of the 2,300 tests): a memory
# cache, plain static storage (pages render without collectstatic), the memory outbox, and
# upload folders of this process's own. tests/conftest.py empties the cache before each test
# and the upload folders after it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
_UPLOADS = Path(tempfile.mkdtemp(prefix="werkplaats-tests-"))
atexit.register(shutil.rmtree, _UPLOADS, ignore_errors=True)
MEDIA_ROOT = _UPLOADS / "media"
PRIVATE_MEDIA_ROOT = _UPLOADS / "private"
