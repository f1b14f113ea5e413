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

# One fresh interpreter records the top-level modules loaded at each stage:
# torch alone, then `import dlnotes` (which imports every submodule), then
# calls that validate arguments without drawing, then a drawing call, then an
# explicit `import matplotlib` (to show the probe would notice it).
_PROBE = """
import json, sys
stages = {}
def snap(stage):
    stages[stage] = sorted({name.split(".")[0] for name in sys.modules})
import torch
snap("torch")
import dlnotes, dlnotes.data, dlnotes.training, dlnotes.graphs, dlnotes.autograd
snap("dlnotes")
from dlnotes import _checks
_checks.check_axes(None)
dlnotes.probability.roll_dice(3)
dlnotes.data.synthetic_regression([1.0], 0.0, 2)
snap("checks")
dlnotes.tensors.plot_memory_layout(torch.arange(4).reshape(2, 2).t())
snap("drawn")
print(json.dumps(stages))
"""


@pytest.fixture(scope="module")
def stages() -> dict[str, set[str]]:
    """Top-level module names in sys.modules at each stage of the probe."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr
    raw = json.loads(result.stdout.strip().splitlines()[-1])
    return {stage: set(names) for stage, names in raw.items()}


def _heavy_added(stages: dict[str, set[str]], stage: str) -> list[str]:
    loaded = stages[stage]
    assert "torch" in loaded  # the probe does see the imports
    return [name for name in HEAVY if name in loaded and name not in stages["torch"]]


def test_import_dlnotes_imports_no_heavy_library(stages: dict[str, set[str]]) -> None:
    assert "dlnotes" in stages["dlnotes"]
    assert _heavy_added(stages, "dlnotes") == []


def test_validating_arguments_imports_no_heavy_library(stages: dict[str, set[str]]) -> None:
    # check_axes(None) and the non-drawing functions must not load matplotlib
    assert _heavy_added(stages, "checks") == []


def test_torch_alone_loads_none_of_the_drawing_libraries(stages: dict[str, set[str]]) -> None:
    # if this ever fails, torch changed, and the checks above would be too lenient
    assert [n for n in ("matplotlib", "pandas", "networkx", "IPython") if n in stages["torch"]] == []


def test_probe_would_notice_a_heavy_import(stages: dict[str, set[str]]) -> None:
    # guards the guard: the same probe reports matplotlib once a drawing function ran
    assert _heavy_added(stages, "drawn") == ["matplotlib"]
