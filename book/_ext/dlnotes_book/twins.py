"""Every page links to its twin in the other language; ``hreflang`` and a description for all.

Hooks ``html-page-context``, which runs for every page written, generated ones (search, index)
included, with the page's template context: the twin link's URL, language and label go into the
context for ``book/_templates/twin-link.html`` (placed by ``article_header_end`` in ``conf.py``),
and the ``<link rel="alternate" hreflang=...>`` pair and a fallback description go into its
``metatags``.
"""

from __future__ import annotations

import html
from typing import Any

from sphinx.application import Sphinx

from .languages import DESCRIPTIONS, LANGS, lang_key, site_url


def twin_url(pagename: str, other_dir: str) -> str:
    """Relative URL from page ``pagename`` to the same page in the sibling language folder."""
    depth = pagename.count("/")
    return "../" * (depth + 1) + f"{other_dir}/{pagename}.html"


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    key = lang_key(app.config.language)
    other = "en" if key == "zh" else "zh"
    context["dlnotes_twin_url"] = twin_url(pagename, LANGS[other]["dir"])
    context["dlnotes_twin_lang"] = LANGS[other]["code"]
    context["dlnotes_twin_label"] = LANGS[other]["twin_label"]
    context["dlnotes_twin_title"] = (
        "Read this page in English" if other == "en" else "阅读本页的中文版"
    )
    base = site_url()
    context["metatags"] = context.get("metatags", "") + (
        f'<link rel="alternate" hreflang="{LANGS[key]["code"]}" '
        f'href="{base}{LANGS[key]["dir"]}/{pagename}.html" />\n'
        f'<link rel="alternate" hreflang="{LANGS[other]["code"]}" '
        f'href="{base}{LANGS[other]["dir"]}/{pagename}.html" />\n'
    )
    if 'name="description"' not in context["metatags"]:
        desc = html.escape(DESCRIPTIONS[key], quote=True)
        context["metatags"] += f'<meta name="description" content="{desc}" />\n'


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", on_html_page_context)
