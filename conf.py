"""Sphinx configuration for both languages of the dlnotes book.

English:  sphinx-build -c . book/en _build/html/en
Chinese:  sphinx-build -c . -D language=zh_CN book/zh _build/html/zh
(``make html`` runs both, strict.) Everything that depends on the language is derived from
``config.language`` in ``book/_ext/dlnotes_book/``, so ``-D language=...`` and the
``DLNOTES_LANGUAGE`` environment variable give the same result.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

# -- Project ------------------------------------------------------------------------------
project = "dlnotes"
author = "dlnotes authors"
copyright = "2026, dlnotes authors"  # noqa: A001 (Sphinx's name)
language = os.environ.get("DLNOTES_LANGUAGE", "en")

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.katex",
    "sphinx_togglebutton",
    "dlnotes_book",
    "dlnotes_raising",  # a raises-exception cell raises what it declares
    "dlnotes_rawmarkup",  # no unrendered TeX or Markdown in the built pages
    "dlnotes_glossary",  # the glossary pages, made from book/terms.toml
    "dlnotes_selfcheck",  # quick checks whose answers the build computes
]

templates_path = ["book/_templates"]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints"]
root_doc = "index"

# -- MyST and execution --------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_timeout = 120  # seconds per cell; the slowest cell takes well under half of this
nb_execution_in_temp = True  # pages that write files (the pandas page) leave the tree clean
nb_execution_raise_on_error = False  # with -W --keep-going: report every failing page
nb_execution_show_tb = True  # print the failing cell's traceback in the build log
nb_merge_streams = True
# Tracebacks of raising cells are highlighted as Python tracebacks: IPython's lexer (the default)
# fails on a message line that starts with a tab and holds backquotes (torch.load's), a warning.
nb_render_error_lexer = "pytb"
nb_execution_cache_path = "_build/jupyter_cache/unset"  # set per build in dlnotes_book.cache
nb_kernel_rgx_aliases = {"python3": "python3"}

# -- Math: KaTeX, prerendered at build time (no math JavaScript, no CDN) ------------------
katex_prerender = True
katex_css_path = "katex/katex.min.css"
katex_inline = [r"\(", r"\)"]
katex_display = [r"\[", r"\]"]

# -- API reference -------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_param = False  # types in docstrings are prose ("Tensor of shape (n, d)"), not xrefs
nitpick_ignore_regex = [
    (r"py:.*", r"(torch|numpy|np|npt|matplotlib|pandas|pd|collections|typing|tqdm|os)(\..*)?"),
    (r"py:.*", r"(Tensor|Axes|Figure|DataFrame|DataLoader|Module|Optimizer|Generator)"),
    (r"py:.*", r"(Sequence|Mapping|Callable|Iterable|Iterator|Path|PathLike|Any|Self)"),
    (r"py:.*", r"(optional|default.*|array_like|scalar|float|int|str|bool)"),
]

# -- HTML ----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
# The second folder is created and filled at build time by dlnotes_book (KaTeX's stylesheet and
# fonts); dlnotes_book also adds _build/templates (two theme templates it regenerates).
html_static_path = ["book/_static", "_build/site-static"]
html_css_files = ["dlnotes.css"]
html_favicon = "book/_static/favicon.svg"
html_title = "dlnotes"  # replaced per language
html_last_updated_fmt = None
html_copy_source = True
html_show_sourcelink = False
html_theme_options = {
    "article_header_end": ["twin-link", "download-notebook", "article-header-buttons"],
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
# The theme follows the reader's light/dark preference; without this it logs a console error
# ("Got invalid theme mode") on a first visit.
html_context = {"default_mode": "auto"}
