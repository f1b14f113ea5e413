"""No list inside a paragraph: the API reference's "Returns" fields as valid HTML.

Hooks ``doctree-resolved``, after Sphinx has built the field lists and before a page is written.
Sphinx's field lists (``sphinx.util.docfields.Field.make_field``) put a field's content in a
paragraph, and when that content is a bullet list, as numpydoc-style "Returns" sections with
several values are after napoleon, the page gets ``<p><ul>...</ul></p>``: a ``<ul>`` cannot be
inside a ``<p>``, so a browser closes the paragraph before the list and then meets a stray
``</p>`` (Nu Html Checker: "No p element in scope but a p end tag seen"). Each such paragraph is
split: block elements stand on their own, and any text around them stays in paragraphs. Only
public docutils node types are used.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def _is_block(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Body) and not isinstance(node, nodes.Inline)


def split_paragraphs(doctree: nodes.Node) -> int:
    """Split every paragraph of ``doctree`` that holds a block element; return how many."""
    done = 0
    for par in list(doctree.findall(nodes.paragraph)):
        if not any(_is_block(c) for c in par.children):
            continue
        parts: list[nodes.Node] = []
        run: list[nodes.Node] = []

        def flush() -> None:
            if any(not isinstance(c, nodes.Text) or c.astext().strip() for c in run):
                parts.append(nodes.paragraph("", "", *run, classes=list(par["classes"])))
            run.clear()

        for child in list(par.children):
            child.parent = None
            if _is_block(child):
                flush()
                parts.append(child)
            else:
                run.append(child)
        flush()
        parts[0]["ids"] = [*par["ids"], *parts[0]["ids"]]  # a link to the paragraph still lands
        par.replace_self(parts)
        done += 1
    return done


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    split_paragraphs(doctree)


def setup(app: Sphinx) -> None:
    app.connect("doctree-resolved", on_doctree_resolved)
