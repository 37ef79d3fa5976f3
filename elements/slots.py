"""Slots on the element page, filled by later apps without this app importing them.

An app registers a slot in its ``AppConfig.ready()``::

    from elements.slots import ElementSlot, register_element_slot

    register_element_slot(ElementSlot(
        key="activities", title=_("Recent activities"), order=10,
        template="werkplaats/slots/activities.html",
        context=lambda request, workplace, element: {"activities": ...},
    ))

The element page calls ``context(request, workplace, element)`` for every slot in order and
includes its template with that context under the name ``slot``. A slot's context function
must run a constant number of queries and respect the access policy for ``request.user``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ElementSlot:
    key: str
    title: Any  # a (lazy) translated string
    template: str
    context: Callable[..., dict[str, Any]]
    order: int = 100


_slots: dict[str, ElementSlot] = {}


def register_element_slot(slot: ElementSlot) -> None:
    """Add or replace a slot (by key, so a reloaded app does not add it twice)."""
    _slots[slot.key] = slot


def unregister_element_slot(key: str) -> None:
    _slots.pop(key, None)


def element_slots() -> list[ElementSlot]:
    return sorted(_slots.values(), key=lambda slot: (slot.order, slot.key))
