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
``dates``              the editions' date (``SOURCE_DATE_EPOCH``, else the last commit's)
``notebooks``          each notebook page as a downloadable ``.ipynb`` with outputs
``notebook_markdown``  MyST → plain Jupyter Markdown for the downloads
``theme_templates``    theme templates regenerated with small edits
``chrome``             the interface in the page's language (catalogs, hints, templates)
``other_language``     Chinese words on English pages marked ``lang="zh-CN"``
``hidden_cells``       hidden-cell toggles named by their visible text, in valid HTML
``mathml``             KaTeX's MathML repaired where it is invalid (the visible math untouched)
``dataframes``         pandas' tables without ``<style scoped>`` or empty header cells
``paragraphs``         no list inside a paragraph (the API reference's "Returns" fields)
``icons``              Font Awesome cut to the icons the site uses (stylesheet and fonts)
``assets``             per page only the stylesheets and scripts it needs, none blocking
``images``             the rasters embedded in SVG figures re-encoded compactly
``math_fonts``         KaTeX's fonts cut to the characters of the site's mathematics
``css_prune``          the theme's stylesheet without rules no page can match
``editions``           every page links to the whole book as PDF and EPUB in its language
``latex``              the PDF edition: XeLaTeX settings, Chinese fonts and names, parts
``guards``             the one gate for every use of another package's internals
=====================  ===================================================================

Every reliance on a private internal goes through :func:`guards.require_version`, which stops
the build with the package, the version found and the version the code was written for.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from . import (
    assets,
    cache,
    chrome,
    dataframes,
    css_prune,
    editions,
    epub,
    guards,
    hidden_cells,
    icons,
    images,
    katex_local,
    kernel,
    languages,
    mathml,
    math_fonts,
    latex,
    notebooks,
    other_language,
    paragraphs,
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
    "chrome",
    "execution_key", "files_for_key", "guards", "is_notebook", "join_chinese_lines", "lang_key",
    "prepare_kernel_environment", "setup", "site_url", "twin_url",
]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register every part. Order matters only within an event: languages, then the cache
    (which prepares the kernels), then the theme templates, all at ``config-inited``; ``chrome``
    connects with priority 400, ahead of sphinx-togglebutton's handler of the same event."""
    for part in (languages, cache, theme_templates, chrome, search_zh, katex_local, twins, epub,
                 notebooks, editions, hidden_cells, zh_lines, other_language, mathml, dataframes,
                 paragraphs, icons, assets, images, math_fonts, css_prune, latex):
        part.setup(app)
    # Pages are written serially (katex_local); reading is safe in parallel.
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
