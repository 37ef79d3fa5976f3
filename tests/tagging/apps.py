from django.apps import AppConfig


class TaggingTestsConfig(AppConfig):
    """A test-only app: a concrete model that uses elements.tagging (its migration depends on
    werkplaats and elements, so PostgreSQL creates its foreign keys after their tables)."""

    name = "tests.tagging"
    label = "tagging_tests"
