"""Links to many rows of one kind, reversed once: a page of 200 goal cards would otherwise
ask the URL resolver 200 times (about 4 ms, issue 16)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARK = 987654321  # placeholders no link a page shows has; they fit the int and slug converters


def pattern(name: str, *args) -> Callable[..., str]:
    """``reverse(name, args=...)`` for many rows, reversing once: each ``None`` in ``args`` is
    a hole the returned function fills, in order, with an id or a slug.

    ``pattern("werkplaats:goal-detail", slug, None)(goal.pk)``."""
    holes = sum(arg is None for arg in args)
    marks = iter(range(_MARK, _MARK + holes))
    url = reverse(name, args=[next(marks) if arg is None else arg for arg in args])
    # A reversed path has its braces quoted, so the marks become str.format's fields.
    template = url
    for mark in range(_MARK, _MARK + holes):
        template = template.replace(str(mark), "{}", 1)

    def link(*values) -> str:
        if len(values) != holes:
            raise ValueError(f"{name} needs {holes} value(s), got {len(values)}")
        return template.format(*values)

    return link
