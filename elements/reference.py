"""The LOS model's reference rows (elements, aspects, characteristics) change only when staff
correct a wording in the admin, yet every tagged form lists all 36 of them. Lists built from
them are kept per process, per language and per revision of the reference data: a save of an
element, aspect or characteristic starts a new revision in the shared cache, so every process
builds its lists afresh on its next request (issue 16)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

T = TypeVar("T")
REVISION_KEY = "elements:reference-revision"
_built: dict[tuple[str, str, int], object] = {}


def revision() -> int:
    """The reference data's current revision (made when first asked, kept without expiry;
    an evicted key gives a fresh revision, so nothing stale is ever served)."""
    return cache.get_or_set(REVISION_KEY, time.time_ns, None)


def changed(**_kwargs) -> None:
    """A reference row was saved: every process builds its lists again."""
    cache.set(REVISION_KEY, time.time_ns(), None)


def built(name: str, build: Callable[[], T]) -> T:
    """``build()`` once per process, language and revision."""
    key = (name, get_language() or "", revision())
    if key not in _built:
        for old in [k for k in _built if k[0] == name and k[2] != key[2]]:
            del _built[old]  # an older revision: never asked again
        _built[key] = build()
    return _built[key]  # type: ignore[return-value]


def elements() -> list:
    """The six elements in the model's order, read once per process and revision (the
    instances are shared: read them, never change them)."""
    from elements.models import Element

    return built("elements", lambda: list(Element.objects.all()))


def aspects() -> list:
    """Every aspect in the model's order, read once per process and revision (shared, as
    ``elements``)."""
    from elements.models import Aspect

    return built("aspects", lambda: list(Aspect.objects.all()))
