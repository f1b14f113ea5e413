"""Chinese words on English pages are marked ``lang="zh-CN"``.

The English glossary gives each term's Chinese name (广播) and notes on the Chinese usage, and
the index lists the terms with both names. Marked, a screen reader pronounces them in Chinese,
the browser picks a Chinese font, and the localisation test (``tests/test_localisation.py``) can
tell them from interface text in the wrong language, which it rejects.

Hooks two events, English builds only:

- a post-transform (run when each page is written) splits every text node that holds Chinese
  into runs and wraps each Chinese run in an inline node with the class ``language-zh-CN``,
  which docutils' HTML writer turns into ``<span lang="zh-CN">`` (code, maths and raw markup are
  left alone);
- ``html-page-context`` of ``genindex``: Sphinx's index template escapes each entry's text, so
  the entries that hold Chinese are given as markup with the same spans (``Markup`` passes
  through ``|e`` unchanged).
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from markupsafe import Markup, escape
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from .languages import LANGS, lang_key

# Han, CJK punctuation and full-width forms; a run may hold spaces between Chinese characters.
CJK = (r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
       r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef")
CJK_RUN = re.compile(f"[{CJK}](?:[ \\-–{CJK}]*[{CJK}])?")
ZH = LANGS["zh"]["code"]
SKIP = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.math, nodes.math_block,
        nodes.comment)


def split_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` as consecutive ``(piece, is_chinese)`` runs (empty pieces dropped)."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in CJK_RUN.finditer(text):
        if m.start() > pos:
            runs.append((text[pos:m.start()], False))
        runs.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        runs.append((text[pos:], False))
    return runs


def marked_html(text: str) -> Markup:
    """``text`` escaped, each Chinese run in ``<span lang="zh-CN">``."""
    return Markup("").join(Markup(f'<span lang="{ZH}">{escape(piece)}</span>') if zh else escape(piece)
                           for piece, zh in split_runs(text))


class MarkChineseRuns(SphinxPostTransform):
    """Wrap the Chinese runs of an English page's text in ``language-zh-CN`` inline nodes."""

    default_priority = 900  # after the reference and glossary transforms have made their text
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        if lang_key(self.config.language) == "en":
            mark_chinese_runs(self.document)


def mark_chinese_runs(tree: nodes.Node) -> int:
    """Wrap each Chinese run of ``tree``'s text in a ``language-zh-CN`` inline; how many."""
    count = 0
    for text in list(tree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or not CJK_RUN.search(text.astext()):
            continue
        if any(isinstance(a, SKIP) for a in _ancestors(text)):
            continue
        if isinstance(parent, nodes.inline) and f"language-{ZH}" in parent["classes"]:
            continue
        new: list[nodes.Node] = []
        for piece, zh in split_runs(text.astext()):
            new.append(nodes.inline(piece, piece, classes=[f"language-{ZH}"]) if zh
                       else nodes.Text(piece))
            count += zh
        parent.replace(text, new)
    return count


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def mark_index_entries(entries: Any) -> Any:
    """Sphinx's ``genindexentries`` with every entry text that holds Chinese marked up."""
    marked = []
    for key, group in entries:
        items = []
        for name, (links, subitems, category) in group:
            subs = [(marked_html(s) if CJK_RUN.search(s) else s, sl) for s, sl in subitems]
            items.append((marked_html(name) if CJK_RUN.search(name) else name,
                          (links, subs, category)))
        marked.append((key, items))
    return marked


def on_html_page_context(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: Any) -> None:
    if pagename == "genindex" and lang_key(app.config.language) == "en":
        if "genindexentries" in context:
            context["genindexentries"] = mark_index_entries(context["genindexentries"])


def setup(app: Sphinx) -> None:
    app.add_post_transform(MarkChineseRuns)
    app.connect("html-page-context", on_html_page_context)
