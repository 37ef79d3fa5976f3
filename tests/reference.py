"""Reference data that data migrations load: for the test databases, which are made from the
models without running migrations, and for transactional tests whose flush removed it."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps


def reload_reference_data() -> None:
    """A transactional test's flush also removes the rows of data migrations (LOS reference
    data, activity kinds, instruments); load them again the way the migrations do.
    (serialized_rollback did not restore them reliably once non-transactional tests had run.)"""
    from elements.models import Element
    from evaluations.models import Instrument
    from werkplaats.models import ActivityKind

    for model, migration, function in [
        (Element, "elements.migrations.0002_reference_data", "load"),
        (Element, "elements.migrations.0003_element_plain_names", "fill"),
        (ActivityKind, "werkplaats.migrations.0004_activity_kinds", "load"),
        (Instrument, "evaluations.migrations.0002_instruments", "load"),
    ]:
        module = importlib.import_module(migration)
        if function == "fill" or not model.objects.exists():
            getattr(module, function)(django_apps, None)
