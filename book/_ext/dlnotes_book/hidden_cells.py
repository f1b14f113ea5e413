"""A hidden cell's toggle is named by its visible text ("Show code cell content").

Hooks ``html-page-context``, where the page body is final HTML. myst-nb 1.4.0 writes the toggle
as ``<summary aria-label="Toggle hidden content">`` (``myst_nb/sphinx_.py``), and the label hides
the visible text from screen readers (axe: label-content-name-mismatch). Without the label the
visible text is the name. The edit is a string replacement on myst-nb's output, so it is guarded:
myst-nb must be the version it was written for, a page with hidden cells must contain the exact
markup once per hidden cell, and no variant of the label may remain.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .guards import InternalsChanged, require_version

MYST_NB_WRITTEN_FOR = ("1.4.0",)
TARGET = '<summary aria-label="Toggle hidden content">'
SYMPTOM = 'aria-label="Toggle hidden content"'
WHAT = "Unlabelling myst-nb's hidden-cell toggles (<summary aria-label=...>)"


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


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        context["body"] = unlabel_toggles(context["body"], hidden_cell_count(doctree), pagename)


def setup(app: Sphinx) -> None:
    require_version("myst-nb", MYST_NB_WRITTEN_FOR, WHAT)
    app.connect("html-page-context", on_html_page_context)
