"""Without Chromium the browser tests are skipped with the install command; under CI they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_browser_tests(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            # A browser test without a database or a live server: the skip (or the failure)
            # comes from the browser fixture alone.
            "tests/browser/test_axe_helper.py",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rs",
            "-k",
            "finds_nothing",
        ],  # fmt: skip
        cwd=ROOT,
        env={**base, "DEBUG": "true", "CHROMIUM_PATH": "/nonexistent/chromium", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_chromium_skips_with_the_install_command():
    result = run_browser_tests()
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "apt-get install -y chromium" in result.stdout


def test_missing_chromium_fails_under_ci():
    result = run_browser_tests(CI="true")
    assert result.returncode == 1, result.stdout
    assert "apt-get install -y chromium" in result.stdout
