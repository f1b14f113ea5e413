"""Fixtures for the book tests: the built site, built once per test session by `make html`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


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
