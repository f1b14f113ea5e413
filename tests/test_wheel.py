"""Build the wheel, install it in a fresh virtual environment and use it.

This checks what a reader gets from ``pip install dlnotes``: the declared dependencies
are enough to run synthetic data + ``fit`` on the CPU; the optional extras (pandas,
tqdm) and the book and test tools (sphinx, pytest) are not pulled in; ``py.typed``
ships with the package.

torch is installed first, pinned (``TORCH_SPEC``, default ``torch==2.13.0``; the CPU wheel
is on local disk), so that installing the wheel never lets pip resolve a torch of its own
choosing (that would download gigabytes of CUDA packages).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
import torch
from torch import nn

before = set(sys.modules)
import dlnotes
from dlnotes.data import make_loader, synthetic_regression
from dlnotes.training import fit

heavy = sorted(m for m in ("pandas", "tqdm", "matplotlib", "IPython", "networkx")
               if m in sys.modules and m not in before)
print("heavy imports:", heavy)
print("dlnotes from:", dlnotes.__file__)
print("version:", dlnotes.__version__)

g = torch.Generator().manual_seed(0)
X, y = synthetic_regression([2.0, -3.4], 4.2, 1000, generator=g)
train_loader = make_loader(X[:800], y[:800], batch_size=10, train=True, generator=g)
val_loader = make_loader(X[800:], y[800:], batch_size=100, train=False)
net = nn.Linear(2, 1)
nn.init.zeros_(net.weight)
nn.init.zeros_(net.bias)
history = fit(net, train_loader, nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=0.03),
              num_epochs=3, val_loader=val_loader, device="cpu", progress=True)
print("epochs:", history.epochs)
print("val loss small:", history.val_loss[-1] < 1e-3)
print("w:", [round(v, 1) for v in net.weight.detach().reshape(-1).tolist()],
      "b:", round(net.bias.item(), 1))
ax = history.plot()
print("plot:", type(ax).__name__)
"""


def _torch_spec() -> str:
    """The pinned torch requirement: TORCH_SPEC, else DLNOTES_TORCH_SPEC, else 2.13.0."""
    spec = os.environ.get("TORCH_SPEC") or os.environ.get("DLNOTES_TORCH_SPEC") or "2.13.0"
    spec = spec.strip()
    if not spec.startswith("torch"):
        spec = f"torch=={spec}"
    if "==" not in spec:
        pytest.fail(f"TORCH_SPEC must pin torch with '==', got {spec!r}: an unpinned torch "
                    "would make pip download the CUDA build")
    return spec


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["MPLBACKEND"] = "Agg"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("DLNOTES_BOOK_BUILD", None)
    return env


def _run(args: list[str], cwd: Path, timeout: float = 900, stderr: bool = False) -> str:
    """Run a command; return its stdout (and stderr after it, if asked); fail with both."""
    proc = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"command failed ({proc.returncode}): {' '.join(args)}\n"
                    f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}")
    return proc.stdout + proc.stderr if stderr else proc.stdout


def _build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the project, so the working tree gets no build/ or egg-info."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE.md", "LICENSE.txt"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "src" / "dlnotes", project / "src" / "dlnotes",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
          str(project)], cwd=tmp_path)
    wheels = sorted(dist.glob("dlnotes-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_installs_and_trains_in_a_fresh_venv(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "dlnotes/py.typed" in names
    assert "dlnotes/data.py" in names and "dlnotes/training.py" in names
    assert all(n.startswith(("dlnotes/", "dlnotes-")) for n in names), names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")

    # 1. torch first, pinned (the local CPU wheel)
    spec = _torch_spec()
    _run([python, "-m", "pip", "install", "--only-binary", ":all:", spec], cwd=tmp_path)
    torch_version = _run(
        [python, "-c", "import torch; print(torch.__version__)"], cwd=tmp_path
    ).strip().splitlines()[-1]
    assert torch_version.split("+")[0] == spec.split("==", 1)[1].split("+")[0], torch_version

    # 2. the wheel, with torch held at the installed version
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(f"torch=={torch_version}\n")
    _run([python, "-m", "pip", "install", "-c", str(constraints), str(wheel)], cwd=tmp_path)

    listed = json.loads(_run([python, "-m", "pip", "list", "--format=json"], cwd=tmp_path)
                        .strip().splitlines()[-1])
    installed = {p["name"].lower().replace("_", "-"): p["version"] for p in listed}
    assert "dlnotes" in installed and "numpy" in installed and "matplotlib" in installed
    assert installed["torch"] == torch_version  # not replaced by pip
    for extra in ("pandas", "tqdm", "sphinx", "pytest", "ipython", "myst-nb"):
        assert extra not in installed, f"{extra} was installed with the wheel"
    assert not [n for n in installed if n.startswith("nvidia-")], "CUDA packages were pulled in"

    # 3. use it: synthetic data + fit on the CPU (progress=True without tqdm: a warning only)
    out = _run([python, "-c", SCRIPT], cwd=tmp_path, timeout=300, stderr=True)
    assert "heavy imports: []" in out
    assert f"dlnotes from: {venv}" in out
    assert "epochs: 3" in out
    assert "val loss small: True" in out
    assert "w: [2.0, -3.4] b: 4.2" in out
    assert "plot: Axes" in out
    assert "tqdm is not installed" in out
