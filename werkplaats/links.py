"""Links to many rows of one kind, reversed once: a page of 200 goal cards would otherwise
ask the URL resolver 200 times (about 4 ms, issue 16)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

_MARK = 987654321  # placeholders no link a page shows has; they fit the int and slug converters


def pattern(name: str, *args) -> Callable[..., str]:
    """``reverse(name, args=...)`` for many rows, reversing once: each ``None`` in ``args`` is
    a hole the returned function fills, in order, with an id or a slug.

    ``pattern("werkplaats:goal-detail", slug, None)(goal.pk)``."""
    marks: list[str] = []
    filled = []
    for arg in args:
        if arg is None:
            marks.append(str(_MARK + len(marks)))
            filled.append(int(marks[-1]))
        else:
            filled.append(arg)
    url = reverse(name, args=filled)
    holes = re.compile("|".join(marks)) if marks else None

    def link(*values) -> str:
        if holes is None:
            return url
        by_mark = dict(zip(marks, map(str, values), strict=True))
        return holes.sub(lambda match: by_mark[match.group(0)], url)

    return link
