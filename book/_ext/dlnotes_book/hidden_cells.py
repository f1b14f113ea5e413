"""A hidden cell's toggle is named by its visible text ("Show code cell content"), in valid HTML.

Hooks ``html-page-context``, where the page body is final HTML. myst-nb 1.4.0 writes the toggle
as ``<summary aria-label="Toggle hidden content">`` (``myst_nb/sphinx_.py``), and the label hides
the visible text from screen readers (axe: label-content-name-mismatch). Without the label the
visible text is the name. Inside the summary it writes the two prompts as
``<p class="collapsed admonition-title">`` and ``<p class="expanded admonition-title">``, but a
``<summary>`` may hold only phrasing content (Nu Html Checker: "Element p not allowed as child of
element summary"); they become ``<span>`` elements, and ``book/_static/dlnotes.css`` gives the
spans the look the paragraphs had. The edits are string replacements on myst-nb's output, so they
are guarded: myst-nb must be the version they were written for, a page with hidden cells must
contain the exact markup once per hidden cell, and no variant of the label or the paragraphs may
remain.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .guards import InternalsChanged, require_version

MYST_NB_WRITTEN_FOR = ("1.4.0",)
TARGET = '<summary aria-label="Toggle hidden content">'
SYMPTOM = 'aria-label="Toggle hidden content"'
WHAT = "Unlabelling myst-nb's hidden-cell toggles (<summary aria-label=...>)"
PROMPT = re.compile(r'<p class="(collapsed|expanded) admonition-title">([^<]*)</p>')
PROMPT_WHAT = "Spans for the prompts in myst-nb's hidden-cell toggles (<summary><p ...>)"


def hidden_cell_count(doctree: nodes.Node | None) -> int:
    """How many hidden-cell toggles myst-nb will write for ``doctree`` (``HideCodeCellNode``)."""
    if doctree is None:
        return 0
    return sum(1 for n in doctree.findall(nodes.Element) if type(n).__name__ == "HideCodeCellNode")


def unlabel_toggles(body: str, expected: int, pagename: str) -> str:
    """``body`` without the toggles' ``aria-label``; fails if the markup is not as written for."""
    found = body.count(TARGET)
    if found != expected or body.count(SYMPTOM) != found:
        raise InternalsChanged(
            f"{WHAT}: {pagename} has {expected} hidden cells and {found} times {TARGET!r} "
            f"({body.count(SYMPTOM)} times {SYMPTOM!r}); myst-nb's markup has changed, "
            "update book/_ext/dlnotes_book/hidden_cells.py."
        )
    return body.replace(TARGET, "<summary>")


def prompt_spans(body: str, expected: int, pagename: str) -> str:
    """``body`` with each toggle's two prompt paragraphs as spans; fails if the markup is not as
    written for (two prompts per hidden cell, none left as a paragraph)."""
    result, found = PROMPT.subn(r'<span class="\1 admonition-title">\2</span>', body)
    left = sum(result.count(f'<p class="{kind} admonition-title"') for kind in ("collapsed", "expanded"))
    if found != 2 * expected or left:
        raise InternalsChanged(
            f"{PROMPT_WHAT}: {pagename} has {expected} hidden cells, so {2 * expected} prompts "
            f"were expected, and {found} matched {PROMPT.pattern!r} ({left} such paragraphs "
            "left unmatched); myst-nb's markup has changed, update "
            "book/_ext/dlnotes_book/hidden_cells.py."
        )
    return result


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        count = hidden_cell_count(doctree)
        context["body"] = prompt_spans(unlabel_toggles(context["body"], count, pagename), count,
                                       pagename)


def setup(app: Sphinx) -> None:
    require_version("myst-nb", MYST_NB_WRITTEN_FOR, WHAT)
    app.connect("html-page-context", on_html_page_context)
