"""Chinese text joins without stray spaces (zh build only).

Hooks ``doctree-resolved``: by then cross-references carry their (Chinese) titles, so the text
on both sides of every inline node is known. Source paragraphs are wrapped at about 100 columns
and put spaces around roles as if the link were a Latin word; HTML renders a line break as a
space, and Chinese takes no space between its characters. So, in the zh build:

- a line break is dropped between two Chinese characters (or Chinese punctuation and a
  character), and next to full-width punctuation whatever the other side: "组成——\\n损失函数";
- a space is dropped at the edge of an inline node (a reference, bold, emphasis) when the
  characters on both sides of it are Chinese or full-width punctuation: "见 安装 和" gives
  "见安装和", "**形状右对齐。** 如果" gives "形状右对齐。如果".

Spaces between Chinese and Latin letters or digits stay (the book's spacing style), and so do
spaces next to inline code and math, and everything inside code and math.

An HTML comment inside a paragraph (``<!-- number-ok: ... -->``, the escape of the prose-number
lint) renders nothing, but it stands between the text on its two sides; it is removed first, and
the text around it merged, so that it cannot keep a stray space alive.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .languages import lang_key

# Chinese (and Japanese) characters: radicals, kana, ideographs.
_CJK = re.compile("[\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Full-width punctuation, the dash —— and the ellipsis ……: never a space on either side.
_PUNCT = re.compile("[\u3000-\u303f\uff00-\uffef\u2014\u2026]")
# Chinese quotation marks: like a Chinese character (a space stays next to Latin text).
_QUOTES = "\u201c\u201d"
_RUN = re.compile(r"[ \t\n]+|[^ \t\n]+")
_SKIP_PARENTS = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.math_block, nodes.raw,
                 nodes.comment)
_KEEPS_SPACE = (nodes.literal, nodes.math, nodes.raw)  # inline code and math keep their space


def _chinese(ch: str) -> bool:
    return bool(ch) and (bool(_CJK.match(ch)) or bool(_PUNCT.match(ch)) or ch in _QUOTES)


def joinable(left: str, right: str) -> bool:
    """Whether the whitespace between the characters ``left`` and ``right`` should go."""
    if bool(left and _PUNCT.match(left)) or bool(right and _PUNCT.match(right)):
        return True
    return _chinese(left) and _chinese(right)


def _neighbour(siblings: list[nodes.Node], i: int, step: int) -> tuple[nodes.Node | None, str]:
    """The nearest sibling of ``siblings[i]`` with text, and its character next to it.

    Empty Text nodes (line breaks already dropped) are skipped.
    """
    j = i + step
    while 0 <= j < len(siblings):
        text = siblings[j].astext()
        if text:
            return siblings[j], (text[:1] if step > 0 else text[-1:])
        j += step
    return None, ""


def _is_inline_element(node: nodes.Node | None) -> bool:
    return isinstance(node, nodes.Inline) and isinstance(node, nodes.Element)


def _join_text(text: str, left: nodes.Node | None, left_ch: str,
               right: nodes.Node | None, right_ch: str) -> str:
    """``text`` with the whitespace runs that :mod:`this module <.zh_lines>` drops removed."""
    out = []
    for m in _RUN.finditer(text):
        run = m.group()
        if not run.isspace():
            out.append(run)
            continue
        start, end = m.span()
        a = text[start - 1] if start > 0 else left_ch
        b = text[end] if end < len(text) else right_ch
        sides = ([left] if start == 0 else []) + ([right] if end == len(text) else [])
        if any(isinstance(n, _KEEPS_SPACE) for n in sides):
            # Next to inline code or math only full-width punctuation loses the space.
            drop = bool(_PUNCT.match(a or " ")) or bool(_PUNCT.match(b or " "))
        elif "\n" in run:
            drop = joinable(a, b)
        else:  # a plain space: only at the edge of a reference, bold or emphasis
            drop = any(_is_inline_element(n) for n in sides) and joinable(a, b)
        if not drop:
            out.append(run)
    return "".join(out)


_HTML_COMMENT = re.compile(r"\s*<!--.*?-->\s*", re.S)


def drop_inline_comments(doctree: nodes.Node) -> None:
    """Remove HTML comments that sit inside running text, and merge the Text nodes around them."""
    for raw in list(doctree.findall(nodes.raw)):
        parent = raw.parent
        if (parent is None or not isinstance(parent, nodes.TextElement)
                or "html" not in raw.get("format", "").split()
                or not _HTML_COMMENT.fullmatch(raw.astext())):
            continue
        k = next(k for k, child in enumerate(parent.children) if child is raw)
        del parent.children[k]
        before, after = parent.children[k - 1 : k], parent.children[k : k + 1]
        if before and after and isinstance(before[0], nodes.Text) and isinstance(after[0], nodes.Text):
            merged = nodes.Text(str(before[0]) + str(after[0]))
            merged.parent = parent
            parent.children[k - 1 : k + 1] = [merged]


def join_chinese_lines(app: Any, doctree: nodes.Node, docname: str = "") -> None:
    """Drop the whitespace that Chinese text does not take (zh build only); see the module."""
    if lang_key(app.config.language) != "zh":
        return
    drop_inline_comments(doctree)
    parents = {id(t.parent): t.parent for t in doctree.findall(nodes.Text) if t.parent is not None}
    for parent in parents.values():
        if isinstance(parent, _SKIP_PARENTS) or any(
            isinstance(a, _SKIP_PARENTS) for a in _ancestors(parent)
        ):
            continue
        siblings = parent.children
        for i, child in enumerate(siblings):
            if not isinstance(child, nodes.Text):
                continue
            old = str(child)
            if not any(c in old for c in " \t\n"):
                continue
            left, left_ch = _neighbour(siblings, i, -1)
            right, right_ch = _neighbour(siblings, i, +1)
            new = _join_text(old, left, left_ch, right, right_ch)
            if new != old:  # replace by identity (parent.replace compares Text as strings)
                siblings[i] = nodes.Text(new)
                siblings[i].parent = parent


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    out = []
    parent = node.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


def setup(app: Sphinx) -> None:
    app.connect("doctree-resolved", join_chinese_lines)
