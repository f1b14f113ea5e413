"""Sphinx glue for the dlnotes book: one configuration, two languages.

Loaded by the root ``conf.py`` as the extension ``dlnotes_book``. Each module does one job and
says in its docstring which event it hooks and why:

=====================  ===================================================================
``languages``          titles, base URLs and zh search settings from ``config.language``
``kernel``             the kernels' environment (threads, figures, no progress bars)
``cache``              the execution-cache key and folder (marked; only marked ones removed)
``twins``              the link to the page's twin, ``hreflang`` alternates, a description
``search_zh``          Chinese search that works in the browser (Sphinx 9.0.4)
``zh_lines``           no stray spaces in Chinese text (line breaks, around links and bold)
``katex_local``        KaTeX: a steady node server, stylesheet and fonts from the site itself
``epub``               the EPUB edition: metadata, MathML, no scripts, a reproducible file
``notebooks``          each notebook page as a downloadable ``.ipynb`` with outputs
``notebook_markdown``  MyST → plain Jupyter Markdown for the downloads
``theme_templates``    two theme templates regenerated with small edits
``hidden_cells``       hidden-cell toggles named by their visible text
``guards``             the one gate for every use of another package's internals
=====================  ===================================================================

Every reliance on a private internal goes through :func:`guards.require_version`, which stops
the build with the package, the version found and the version the code was written for.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import (
    cache,
    epub,
    guards,
    hidden_cells,
    katex_local,
    kernel,
    languages,
    notebooks,
    search_zh,
    theme_templates,
    twins,
    zh_lines,
)
from .cache import cache_path, execution_key, files_for_key
from .kernel import KERNEL_ENV, prepare_kernel_environment
from .languages import DESCRIPTIONS, LANGS, lang_key, site_url
from .notebooks import is_notebook
from .paths import BUILD, ROOT
from .search_zh import ChineseSearch
from .twins import twin_url
from .zh_lines import join_chinese_lines

__all__ = [
    "BUILD", "DESCRIPTIONS", "KERNEL_ENV", "LANGS", "ROOT", "ChineseSearch", "cache", "cache_path",
    "execution_key", "files_for_key", "guards", "is_notebook", "join_chinese_lines", "lang_key",
    "prepare_kernel_environment", "setup", "site_url", "twin_url",
]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register every part. Order matters only within an event: languages, then the cache
    (which prepares the kernels), then the theme templates, all at ``config-inited``."""
    for part in (languages, cache, theme_templates, search_zh, katex_local, twins, epub, notebooks,
                 hidden_cells, zh_lines):
        part.setup(app)
    # Pages are written serially (katex_local); reading is safe in parallel.
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
