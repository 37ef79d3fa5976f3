from django.apps import AppConfig


class TaggingTestsConfig(AppConfig):
    """A test-only app: a concrete model that uses elements.tagging (no migrations: synced)."""

    name = "tests.tagging"
    label = "tagging_tests"
