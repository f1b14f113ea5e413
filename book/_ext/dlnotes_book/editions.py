"""Every page links to the whole book as PDF and EPUB, in the page's language.

Hooks two events:

- ``config-inited``: puts ``book/_templates/download-editions.html`` into the theme's
  ``article_header_end``, right after the notebook download (set here so ``conf.py`` keeps its
  bytes: they are part of the execution-cache key);
- ``html-page-context``: the links' URLs, relative to the page, for every page written
  (generated ones such as search and the index included).

Where the files live: ``make pdf`` and ``make epub`` write ``_build/pdf/dlnotes-LANG.pdf`` and
``_build/epub/dlnotes-LANG.epub`` and publish copies as ``_build/html/editions/`` + the same
names (:data:`EDITIONS_DIR`, :func:`edition_names`), which the deploy workflow uploads with the
site. The links are always written, because the HTML is built before the editions: a site built
with ``make html`` alone has no ``editions/`` folder, so these two links are the only ones that
may lead nowhere there (``tests/test_pdf.py`` checks that each link names exactly the published
file, and that the file is there once ``make pdf`` has run).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from .languages import lang_key

EDITIONS_DIR = "editions"  # folder of the site (next to en/ and zh/) that holds the editions
TEMPLATE = "download-editions"
AFTER = "download-notebook"

LABELS = {
    "en": {"pdf": "Download the whole book as a PDF (English)",
           "epub": "Download the whole book as an EPUB e-book (English)"},
    "zh": {"pdf": "下载整本书的 PDF（中文版）", "epub": "下载整本书的 EPUB 电子书（中文版）"},
}


def edition_names(key: str) -> dict[str, str]:
    """File names of the editions of language ``key``: ``{"pdf": "dlnotes-en.pdf", ...}``."""
    return {fmt: f"dlnotes-{key}.{fmt}" for fmt in ("pdf", "epub")}


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Place the template in the article header, after the notebook download."""
    options = dict(config.html_theme_options)
    items = list(options.get("article_header_end", []))
    if TEMPLATE not in items:
        items.insert(items.index(AFTER) + 1 if AFTER in items else len(items), TEMPLATE)
    options["article_header_end"] = items
    config.html_theme_options = options


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    key = lang_key(app.config.language)
    # The language's folder is the output folder, so the editions are one level above it.
    context["dlnotes_editions"] = [
        {"format": fmt, "label": fmt.upper(), "title": LABELS[key][fmt],
         "url": context["pathto"](f"../{EDITIONS_DIR}/{name}", 1)}
        for fmt, name in edition_names(key).items()
    ]


def setup(app: Sphinx) -> None:
    app.connect("config-inited", on_config_inited)
    app.connect("html-page-context", on_html_page_context)
