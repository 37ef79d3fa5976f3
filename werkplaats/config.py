"""Reading configuration from the environment.

Every setting that varies between machines comes from an environment variable, read through
these helpers. A bad value raises ``ConfigError`` naming the variable, which ``manage.py``,
``wsgi.py`` and the Celery app turn into a one-line message instead of a traceback.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ImproperlyConfigured):
    """A configuration value from the environment is missing or malformed."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE points to {path!r}, which cannot be read: {exc}"
            ) from None
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_database(name: str, default: str, *, conn_max_age: int) -> dict:
    """Parse a database URL (dj-database-url) and name the variable when it is malformed."""
    import dj_database_url

    raw = env_str(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises ValueError, KeyError, ...
        raise ConfigError(f"{name} is not a valid database URL ({exc})") from None
    if not config.get("ENGINE"):
        raise ConfigError(f"{name} is not a valid database URL (no known scheme)")
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ConfigError(f"{name} names no database (expected …/dbname at the end)")
    return config


def load_settings_or_exit() -> None:
    """Load Django settings now; on a configuration error print one line and exit 2."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - forces the settings module to load
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"werkplaats: configuration error: {exc}\n")
        raise SystemExit(2) from None
