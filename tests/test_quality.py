"""Package-wide qualities: typed (mypy --strict clean), explicit and honest public surface."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import dlnotes

ROOT = Path(__file__).resolve().parents[1]
MODULES = [m for m in dlnotes.__all__ if m != "__version__"]


def test_mypy_strict_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "src/dlnotes"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_is_typed() -> None:
    assert (ROOT / "src" / "dlnotes" / "py.typed").is_file()


def test_all_lists_every_module_once() -> None:
    assert len(dlnotes.__all__) == len(set(dlnotes.__all__))
    on_disk = {p.stem for p in (ROOT / "src" / "dlnotes").glob("*.py") if not p.stem.startswith("_")}
    assert set(MODULES) == on_disk


@pytest.mark.parametrize("name", MODULES)
def test_module_all_is_explicit_and_resolves(name: str) -> None:
    module = importlib.import_module(f"dlnotes.{name}")
    exported = module.__all__
    assert exported, f"dlnotes.{name}.__all__ is empty"
    assert len(exported) == len(set(exported)), f"duplicates in dlnotes.{name}.__all__"
    for attr in exported:
        obj = getattr(module, attr)
        assert getattr(obj, "__doc__", None), f"dlnotes.{name}.{attr} has no docstring"


@pytest.mark.parametrize("name", MODULES)
def test_public_functions_are_annotated(name: str) -> None:
    import inspect

    module = importlib.import_module(f"dlnotes.{name}")
    for attr in module.__all__:
        obj = getattr(module, attr)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, f"{name}.{attr}: no return type"
            for p in sig.parameters.values():
                assert p.annotation is not inspect.Parameter.empty, f"{name}.{attr}({p.name}): no type"
