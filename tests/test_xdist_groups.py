"""Tests marked with one ``xdist_group`` run in one pytest-xdist worker under ``make test``
(``--dist loadgroup``): the live-broker tests share one Redis queue, the link crawl and the
phone-width check share one crawl per role, and the access matrix builds its world once.
loadgroup finds a test's group in an "@group" suffix that pytest-xdist 3.8 writes into the
node id; pytest 9.2 keeps the id elsewhere, and every group was silently split over the
workers (constraints.txt pins pytest 9.1)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_group_runs_in_one_worker(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_grouped.py").write_text(
        textwrap.dedent(
            """
            import os

            import pytest

            @pytest.mark.xdist_group("together")
            @pytest.mark.parametrize("n", range(6))
            def test_grouped(n, tmp_path_factory):
                out = tmp_path_factory.getbasetemp().parent.parent / f"ran-{n}"
                out.write_text(os.environ["PYTEST_XDIST_WORKER"])

            @pytest.mark.parametrize("n", range(6))
            def test_free(n):
                pass
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q",
         "-p", "no:django", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'base'}",
         "test_grouped.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    workers = {(tmp_path / f"ran-{n}").read_text() for n in range(6)}
    assert len(workers) == 1, workers
