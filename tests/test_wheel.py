"""Build the wheel, install it in a fresh virtual environment and use it.

This checks what a reader gets from ``pip install dlnotes``: the declared dependencies
are enough to run synthetic data + ``fit`` on the CPU; the optional extras (pandas,
tqdm) and the book and test tools (sphinx, pytest) are not pulled in; ``py.typed``
and the license ship with the package. The sdist holds the package, not the tests (they
need the whole repository); the wheel is built from it. The published extras carry lower
bounds only; the exact versions the book is built with are in ``requirements/constraints.txt``.

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
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    env.pop("TQDM_DISABLE", None)  # the script asks for a bar (progress=True)
    return env


def _run(args: list[str], cwd: Path, timeout: float = 900, stderr: bool = False) -> str:
    """Run a command; return its stdout (and stderr after it, if asked); fail with both."""
    proc = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"command failed ({proc.returncode}): {' '.join(args)}\n"
                    f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}")
    return proc.stdout + proc.stderr if stderr else proc.stdout


def _build(tmp_path: Path) -> tuple[Path, Path]:
    """Build the sdist, then the wheel from it, from a copy of the project (the working tree
    gets no build/ or egg-info); return (wheel, sdist)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "src" / "dlnotes", project / "src" / "dlnotes",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / "tests", project / "tests",  # present in the tree, left out of the sdist
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(project)],
         cwd=tmp_path)
    wheels = sorted(dist.glob("dlnotes-*.whl"))
    sdists = sorted(dist.glob("dlnotes-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, (wheels, sdists)
    return wheels[0], sdists[0]


def _build_wheel(tmp_path: Path) -> Path:
    return _build(tmp_path)[0]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt pins exactly: {line!r}"
            pins[canonicalize_name(name)] = version
    return pins


def test_published_extras_have_no_exact_pins_and_the_constraints_satisfy_them() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert set(extras) == {"pandas", "progress", "book"}  # no dev tools published
    pins = _pins()
    for spec in [*project["dependencies"], *(r for reqs in extras.values() for r in reqs)]:
        req = Requirement(spec)
        assert not any(s.operator in ("==", "===") for s in req.specifier), spec
        name = canonicalize_name(req.name)
        if name != "torch":  # the Makefile installs torch first (TORCH_SPEC)
            assert name in pins, f"{req.name} is not pinned in requirements/constraints.txt"
            assert req.specifier.contains(pins[name]), f"{spec} vs pin {pins[name]}"
    for line in (ROOT / "requirements" / "dev.txt").read_text().splitlines():
        if line.split("#", 1)[0].strip():
            assert canonicalize_name(Requirement(line.split("#", 1)[0]).name) in pins, line


def glue_version_guards(ext: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every ``require_version("package", WRITTEN_FOR, ...)`` call in the build glue under
    ``ext``, as ``(where, package, versions)``; the versions are read from the imported module, so
    a guard added anywhere is found without being listed here."""
    import ast
    import importlib

    sys.path.insert(0, str(ext))
    found = []
    for path in sorted(ext.rglob("*.py")):
        rel = path.relative_to(ext).with_suffix("")
        module = importlib.import_module(".".join(p for p in rel.parts if p != "__init__"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require_version"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)):
                arg = node.args[1]
                versions = (getattr(module, arg.id) if isinstance(arg, ast.Name)
                            else ast.literal_eval(arg))
                found.append((f"{rel}:{node.lineno}", node.args[0].value, tuple(versions)))
    return found


def test_the_glue_is_written_for_the_pinned_versions() -> None:
    """Every version guard in the build glue accepts the version the constraints pin."""
    pins = _pins()
    guards = glue_version_guards(ROOT / "book" / "_ext")
    assert len(guards) >= 20, guards  # the scan found the guards (there are more than twenty)
    wrong = [(where, package, pins.get(package), written_for)
             for where, package, written_for in guards if pins.get(package) not in written_for]
    assert wrong == [], f"guards that refuse the pinned version (or an unpinned package): {wrong}"


def test_the_guard_scan_finds_a_guard_that_refuses_the_pin(tmp_path: Path) -> None:
    """The scan reads a new module's guard, and a version other than the pin is reported."""
    pkg = tmp_path / "ext" / "fakeglue"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "part.py").write_text(
        "from .guards import require_version\nWRITTEN = ('0.0.1',)\n"
        "def setup(app):\n    require_version('sphinx', WRITTEN, 'x')\n")
    (pkg / "guards.py").write_text("def require_version(*a):\n    pass\n")
    guards = glue_version_guards(tmp_path / "ext")
    assert [(p, v) for _, p, v in guards] == [("sphinx", ("0.0.1",))]
    assert _pins()["sphinx"] not in guards[0][2]


@pytest.mark.slow
def test_sdist_and_wheel_build_with_the_license_and_metadata(tmp_path: Path) -> None:
    wheel, sdist = _build(tmp_path)  # the wheel is built from the sdist: the sdist is complete
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        license_text = zf.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE")))
    assert license_text == (ROOT / "LICENSE").read_bytes()
    assert b"MIT License" in license_text and b"dlnotes authors" in license_text
    assert "License-Expression: MIT" in meta and "License-File: LICENSE" in meta
    assert "Classifier: Typing :: Typed" in meta and "Classifier: Programming Language :: Python :: 3.10" in meta
    headers = meta.split("\n\n", 1)[0].splitlines()
    assert "Provides-Extra: test" not in headers
    requires = [h.split(":", 1)[1].split(";")[0] for h in headers if h.startswith("Requires-Dist:")]
    assert requires and not [r for r in requires if "==" in r], requires
    with tarfile.open(sdist) as tf:
        members = [m.split("/", 1)[1] for m in tf.getnames() if "/" in m]
    assert "LICENSE" in members and "src/dlnotes/py.typed" in members
    assert not [m for m in members if m.startswith(("tests", "book", "tools"))], members


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
