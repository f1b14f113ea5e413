"""Fixtures for the book tests: the built site, built once per test session by `make html`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))


def skip_or_fail(reason: str) -> None:
    """Skip the test, visibly, for a missing tool; under CI (``CI`` set), where ``.ci/run``
    installs every tool, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Run the README's build command (strict; reuses the execution cache) and return the site.

    The build's full log is kept in ``_build/test-build.log``; a failure shows its tail.
    ``DLNOTES_TEST_SITE=PATH`` tests an already built site instead (while working on the tests).
    """
    prebuilt = os.environ.get("DLNOTES_TEST_SITE")
    if prebuilt:
        return Path(prebuilt).resolve()
    env = dict(os.environ)
    env["VENV"] = str(Path(sys.prefix))  # the environment running the tests builds the book
    proc = subprocess.run(
        ["make", "--no-print-directory", "html", f"VENV={sys.prefix}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    log = proc.stdout + proc.stderr
    (ROOT / "_build").mkdir(exist_ok=True)
    (ROOT / "_build" / "test-build.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        pytest.fail(f"`make html` failed ({proc.returncode}):\n{log[-6000:]}", pytrace=False)
    return SITE


@pytest.fixture(scope="module")
def server(built_site: Path) -> Iterator[str]:
    """The built site served on 127.0.0.1 (a free port); the base URL, no trailing slash."""
    from sitecheck import serve

    with serve(built_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    from sitecheck import CHROMIUM, CHROMIUM_ARGS

    if CHROMIUM is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (requirements/dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
