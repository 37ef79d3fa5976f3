"""Configuration from the environment: clear one-line errors, safe production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x7Qp9vLm2Zr8Tn4Wd6Yb1Hc5Jf0Gs3Ke" * 2,
    "ALLOWED_HOSTS": "werkplaats.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    inherited = {
        "DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"
    }  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = manage("check", env={"DEBUG": "false"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_off_with_the_development_key_refuses_to_start():
    key = "django-insecure-werkplaats-development-only-never-use-in-production"
    result = manage("check", env={"DEBUG": "false", "SECRET_KEY": key})
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "postgres//missing-colon"),
        ("DATABASE_URL", "mysqlx://db/werkplaats"),
        ("DATABASE_URL", "postgres://user@host:5432"),
        ("DEBUG", "misschien"),
        ("EMAIL_PORT", "vijfentwintig"),
        ("TIME_ZONE", "Europe/Amsterdm"),
    ],
)
def test_a_broken_variable_gives_one_line_naming_it(variable, value):
    result = manage("check", env={"DEBUG": "true", variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["SECRET_KEY"] + "\n")
    env = {**PRODUCTION, "SECRET_KEY_FILE": str(secret)}
    del env["SECRET_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_secure(settings):
    """The values the deploy check looks at, read from a production settings module."""
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.X_FRAME_OPTIONS, s.TIME_ZONE)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION)
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "DENY",
        "Europe/Amsterdam",
    ]


def test_embedded_default_uses_sqlite_and_the_filesystem_broker_under_var():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
        " s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    env = {"DEBUG": "true", "REDIS_URL": "", "CELERY_BROKER_URL": ""}
    result = manage("shell", "--no-imports", "-c", code, env=env)
    engine, name, broker, cache = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.startswith(str(ROOT / "var"))
    assert broker == "filesystem://"
    assert cache.endswith("FileBasedCache")


def test_redis_url_switches_cache_and_broker_to_redis():
    code = (
        "from django.conf import settings as s;"
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])"
    )
    env = {"DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/3", "CELERY_BROKER_URL": ""}
    broker, cache = manage("shell", "--no-imports", "-c", code, env=env).stdout.split()
    assert broker == "redis://127.0.0.1:6379/3"
    assert cache == "django.core.cache.backends.redis.RedisCache"


def test_a_broken_variable_stops_the_celery_worker_with_one_line():
    inherited = {"DEBUG", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "werkplaats", "worker", "--pool=solo"],
        cwd=ROOT,
        env={**env, "DEBUG": "misschien"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "DEBUG" in lines[0]


def test_manage_py_works_on_a_fresh_clone_without_any_configuration():
    result = manage("check", env={})
    assert result.returncode == 0, result.stderr


def test_the_web_server_entry_point_refuses_to_start_without_configuration():
    inherited = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import werkplaats.wsgi"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"EVALUATION_MIN_GROUP": "2"},
        {"EVALUATION_MIN_GROUP": "4", "EVALUATION_MIN_GROUP_TEXT": "3"},
    ],
)
def test_a_group_threshold_below_three_or_texts_below_scores_refuses_to_start(env):
    result = manage("check", env={"DEBUG": "true", **env})
    assert result.returncode == 2
    assert "EVALUATION_MIN_GROUP" in result.stderr and "Traceback" not in result.stderr


def test_the_two_thresholds_come_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.EVALUATION_MIN_GROUP, s.EVALUATION_MIN_GROUP_TEXT)"
    )
    env = {"DEBUG": "true", "EVALUATION_MIN_GROUP": "4", "EVALUATION_MIN_GROUP_TEXT": "6"}
    assert manage("shell", "-v", "0", "-c", code, env=env).stdout.split() == ["4", "6"]
    assert manage("shell", "-v", "0", "-c", code, env={"DEBUG": "true"}).stdout.split() == [
        "3",
        "5",
    ]
