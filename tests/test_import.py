"""`import dlnotes` stays light: no plotting, data-frame, graph, notebook or progress-bar library.

One caveat, checked rather than hidden: when tqdm is installed, ``import torch``
itself imports it (``torch.hub`` does ``from tqdm import tqdm``). The tests
therefore require that dlnotes imports none of these libraries *beyond what
``import torch`` alone imports*, and require strictly that matplotlib, pandas,
networkx and IPython are absent whenever torch does not load them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "pandas", "networkx", "IPython", "tqdm")

_PROBE = """
import json, sys
{statement}
loaded = sorted({{name.split(".")[0] for name in sys.modules}})
print(json.dumps(loaded))
"""


def _loaded_after(statement: str) -> set[str]:
    """Top-level module names in sys.modules after running ``statement`` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)],
        capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def torch_baseline() -> set[str]:
    return _loaded_after("import torch")


def _heavy_added(statement: str, baseline: set[str]) -> list[str]:
    loaded = _loaded_after(statement)
    assert "torch" in loaded and "dlnotes" in loaded  # the probe does see the imports
    return [name for name in HEAVY if name in loaded and name not in baseline]


def test_import_dlnotes_imports_no_heavy_library(torch_baseline: set[str]) -> None:
    # dlnotes/__init__.py imports every submodule, so this covers them all
    assert _heavy_added("import dlnotes", torch_baseline) == []


def test_torch_alone_loads_none_of_the_drawing_libraries(torch_baseline: set[str]) -> None:
    # if this ever fails, torch changed, and the check above would be too lenient
    assert [n for n in ("matplotlib", "pandas", "networkx", "IPython") if n in torch_baseline] == []


def test_probe_would_notice_a_heavy_import(torch_baseline: set[str]) -> None:
    # guards the guard: the same probe reports matplotlib once something imports it
    assert _heavy_added("import dlnotes, matplotlib", torch_baseline) == ["matplotlib"]


def test_drawing_imports_matplotlib_only_when_called(torch_baseline: set[str]) -> None:
    statement = (
        "import torch, dlnotes; "
        "dlnotes.tensors.plot_memory_layout(torch.arange(4).reshape(2, 2).t())"
    )
    assert "matplotlib" in _heavy_added(statement, torch_baseline)
