"""The execution cache: keyed on everything besides a page's code that shapes its outputs.

Hooks ``config-inited``: it sets ``nb_execution_cache_path`` (myst-nb reads it at
``builder-inited``, so this is early enough) and the ``dlnotes_execution_key`` config value
(registered with rebuild ``"env"``, so a new key re-reads every page). jupyter-cache hashes only
the code cells; without the key, a change to ``dlnotes`` would leave every page showing the
outputs of the old package.

Each cache folder holds a marker file; when the key changes, only sibling folders that carry the
marker are removed. ``DLNOTES_CACHE_DIR`` may point anywhere (a shared ``~/.cache``, say):
whatever else lives there is never touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

from .guards import require_version
from .kernel import KERNEL_CONFIG, KERNEL_ENV, prepare_kernel_environment
from .paths import BUILD, ROOT

MARKER = ".dlnotes-execution-cache"
MARKER_TEXT = (
    "dlnotes: a jupyter-cache execution cache of the dlnotes book, keyed on the package\n"
    "sources and the kernel set-up. The build removes it when the key changes.\n"
)

# Distributions whose versions shape the pages' outputs.
KEY_PACKAGES = ("torch", "numpy", "matplotlib", "matplotlib-inline", "pandas", "ipykernel",
                "nbclient", "myst-nb", "jupyter-cache", "scikit-learn")


def files_for_key() -> list[Path]:
    """The files whose bytes are part of the key: the package, the kernel config, ``conf.py``,
    and the figure check that runs inside the kernels (``book/_ext/dlnotes_figures.py``)."""
    files = sorted((ROOT / "src" / "dlnotes").rglob("*.py"))
    files += [KERNEL_CONFIG, ROOT / "conf.py", ROOT / "book" / "_ext" / "dlnotes_figures.py"]
    return files


def execution_key(files: Sequence[Path] | None = None, root: Path | None = None) -> str:
    """A short hash of everything, besides a page's code, that shapes its outputs.

    The ``dlnotes`` sources, the kernel configuration, ``conf.py`` (execution options), the
    versions of Python and of the packages that print or compute the outputs, and the kernels'
    environment. The cache lives in a folder named by this key, so a change to any of them starts
    from an empty cache: no page shows stale output.
    """
    from importlib.metadata import PackageNotFoundError, version

    root = ROOT if root is None else root
    h = hashlib.sha256()
    for path in files_for_key() if files is None else files:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for dist in KEY_PACKAGES:
        try:
            h.update(f"{dist}={version(dist)}\n".encode())
        except PackageNotFoundError:  # an absent optional package is part of the key too
            h.update(f"{dist}=absent\n".encode())
    h.update(sys.version.encode())
    h.update(repr(sorted(KERNEL_ENV.items())).encode())
    return h.hexdigest()[:16]


def cache_base() -> Path:
    """The folder that holds the caches: ``DLNOTES_CACHE_DIR``, else ``_build/jupyter_cache``."""
    return Path(os.environ.get("DLNOTES_CACHE_DIR", BUILD / "jupyter_cache"))


def is_our_cache(path: Path) -> bool:
    """Whether ``path`` is a cache folder this project created (a real folder with the marker)."""
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()


def cache_path(key: str, base: Path | None = None) -> Path:
    """The execution cache for ``key``, created and marked; marked caches of older keys go.

    ``DLNOTES_CACHE_DIR`` moves the caches elsewhere (the reproducibility test builds twice,
    each time from an empty cache). Only folders holding the marker file are ever removed.
    """
    base = cache_base() if base is None else base
    path = base / key
    path.mkdir(parents=True, exist_ok=True)
    marker = path / MARKER
    if not marker.is_file():
        marker.write_text(MARKER_TEXT, encoding="utf-8")
    for old in base.iterdir():
        if old.name != key and is_our_cache(old):
            shutil.rmtree(old)
    return path


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Prepare the kernels' environment, then point myst-nb at the cache for this key."""
    # myst-nb 1.4.0 reads nb_execution_cache_path at builder-inited (create_mystnb_config), so
    # setting it here, after conf.py, takes effect.
    require_version("myst-nb", ("1.4.0",), "Setting nb_execution_cache_path in config-inited")
    prepare_kernel_environment()
    key = execution_key()
    config.dlnotes_execution_key = key
    config.nb_execution_cache_path = str(cache_path(key))


def setup(app: Sphinx) -> None:
    # Changing the key re-reads every page (its outputs may differ now).
    app.add_config_value("dlnotes_execution_key", "", "env", types=(str,))
    app.connect("config-inited", on_config_inited)
