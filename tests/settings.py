"""Test settings: the project's settings plus a small app whose model uses the tagging mixin."""

from werkplaats.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.tagging"]  # noqa: F405
