"""The environment of the Jupyter kernels that execute the pages.

Hooks ``config-inited`` (through :mod:`.cache`, which needs this environment in the execution
key): kernels are started later, while pages are read, and inherit the build process's
environment, so it is set there. ``tools/run_page.py`` calls :func:`prepare_kernel_environment`
too, so a page run by hand sees the kernels the build sees.
"""

from __future__ import annotations

import os
import shutil

from .guards import InternalsChanged, require_version
from .paths import BUILD, ROOT

KERNEL_CONFIG = ROOT / "book" / "_ipython" / "profile_default" / "ipython_kernel_config.py"

# Environment of the kernels; part of the execution key.
# One thread per kernel: `sphinx-build -j 2` runs two kernels at once on two cores, and
# oversubscribed threads made small training loops up to 50 times slower.
KERNEL_ENV = {
    "TQDM_DISABLE": "1",  # no progress bars in the pages' outputs (tqdm reads this itself)
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # Figures must reach the page whatever the caller set (the tests set Agg, say).
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}

IPYKERNEL_WRITTEN_FOR = ("7.4.0",)


def check_flush_patch() -> None:
    """Fail unless the kernel config's ``flush_interval`` line still means what it says.

    The kernel configuration sets the class attribute ``flush_interval`` of ipykernel's output
    stream (``ipykernel.iostream.OutStream``, not public API) so that a cell's printed output
    arrives in one piece: ipykernel flushes every 0.2 s and myst-nb turns each flush into a line
    break, so outputs differed from build to build. Were the attribute renamed, setting it would
    silently do nothing.
    """
    what = "The kernel config's one-piece output (OutStream.flush_interval = 1e9)"
    require_version("ipykernel", IPYKERNEL_WRITTEN_FOR, what)
    from ipykernel.iostream import OutStream

    if not isinstance(getattr(OutStream, "flush_interval", None), (int, float)):
        raise InternalsChanged(f"{what}: ipykernel.iostream.OutStream has no numeric flush_interval")


def prepare_kernel_environment() -> None:
    """Set the environment inherited by the kernels that execute the pages.

    IPython writes history and runtime files into ``IPYTHONDIR``; the committed configuration
    is copied into the build folder so the source tree stays clean. The variables in
    :data:`KERNEL_ENV` are set in this process (kernels inherit them).
    """
    check_flush_patch()
    profile = BUILD / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    dst = profile / KERNEL_CONFIG.name
    if not dst.exists() or dst.read_bytes() != KERNEL_CONFIG.read_bytes():
        shutil.copyfile(KERNEL_CONFIG, dst)
    os.environ["IPYTHONDIR"] = str(BUILD / "ipython")
    os.environ.update(KERNEL_ENV)
