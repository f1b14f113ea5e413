"""The CI workflow is valid (actionlint), runs the tests on every push and pull request, and
publishes the site without build internals, only after the tests pass."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PAGES = ROOT / ".github" / "workflows" / "pages.yml"

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", "tools/actionlint.cjs", *map(str, files)], cwd=ROOT,
                          capture_output=True, text=True)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@needs_node
def test_workflows_pass_actionlint() -> None:
    assert WORKFLOWS
    proc = actionlint(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_node
def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    text = PAGES.read_text()
    broken = text.replace("needs: [build, test]", "needs: [build, tset]", 1)
    assert broken != text
    bad = tmp_path / "bad.yml"
    bad.write_text(broken)
    proc = actionlint(bad)
    assert proc.returncode == 1 and str(bad) in proc.stdout


def test_tests_run_on_every_push_and_pull_request() -> None:
    """Some job runs the whole suite (`make test`, here through `.ci/run`) on push and PR."""
    found = []
    for path in WORKFLOWS:
        wf = load(path)
        if not {"push", "pull_request"} <= set(wf["on"]):
            continue
        for name, job in wf["jobs"].items():
            runs = " ".join(step.get("run", "") for step in job.get("steps", []))
            if ("bash .ci/run" in runs or "make test" in runs) and "if" not in job:
                found.append(f"{path.name}:{name}")
    assert found, "no unconditional job runs `make test` on push and pull_request"
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_deploy_builds_with_make_drops_jupyter_execute_and_waits_for_the_tests() -> None:
    text = PAGES.read_text()
    assert "make html" in text
    assert "rm -rf _build/html/jupyter_execute" in text
    assert "path: _build/html" in text and "actions/deploy-pages" in text
    assert set(load(PAGES)["jobs"]["deploy"]["needs"]) == {"build", "test"}
