"""Panels on the home page, filled by later apps without the core importing them.

An app registers a panel in ``AppConfig.ready()``; the home view calls ``context(request)`` for
each and includes the panel's template when the context is not None. A panel's context must
run a constant number of queries and show only what the access policy allows the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 100


_panels: dict[str, HomePanel] = {}


def register_home_panel(panel: HomePanel) -> None:
    _panels[panel.key] = panel


def home_panels(request) -> list[tuple[HomePanel, dict[str, Any]]]:
    """The panels to show this user, in order, each with its context."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request)
        if context is not None:
            shown.append((panel, context))
    return shown
