"""The deployment workflow is valid (actionlint) and publishes the site without build internals."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", "tools/actionlint.cjs", *map(str, files)], cwd=ROOT,
                          capture_output=True, text=True)


def test_workflows_pass_actionlint() -> None:
    assert WORKFLOWS
    proc = actionlint(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOWS[0].read_text().replace("needs: build", "needs: biuld", 1))
    proc = actionlint(bad)
    assert proc.returncode == 1 and str(bad) in proc.stdout


def test_deploy_builds_with_make_and_drops_jupyter_execute() -> None:
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "make html" in text
    assert "rm -rf _build/html/jupyter_execute" in text
    assert "path: _build/html" in text and "actions/deploy-pages" in text
