"""What the benchmark commands share: pages rendered in-process, each as a median against a
trivial logged-in page of the same run (a ratio, never an absolute goal)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings

TRIVIAL = "trivial page (privacy, logged in)"


@override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False)
def measure_pages(client, pages: dict[str, str], repeat: int, write: Callable[[str], None]):
    """Render each page once (it must answer 200), count its queries on a second render, time
    ``repeat`` more; print "<name>: median … ms, … queries" per page, then each page's ratio
    to the trivial page (``pages`` must hold ``TRIVIAL``). Returns the medians in ms."""
    medians = {}
    for name, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{name}: {url} answered {response.status_code}")
        reset_queries()  # with DEBUG on the log is capped at 9,000: start it empty
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        count = len(queries.captured_queries)  # now: the next request empties the log
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        medians[name] = statistics.median(times)
        write(f"{name}: median {medians[name]:.2f} ms, {count} queries")
    floor = medians[TRIVIAL]
    for name, ms in medians.items():
        write(f"ratio {name} / trivial page: {ms / floor:.1f}")
    return medians
