"""Valid MathML from KaTeX: the hidden copy of each formula that screen readers read.

Hooks no event: :func:`setup` wraps sphinxcontrib-katex's module-level ``render_latex`` (an
internal of sphinxcontrib-katex 0.9.11, behind a version guard), through which every
prerendered formula passes, so that its MathML is repaired wherever the formula appears. KaTeX
writes each formula twice: ``<span class="katex-mathml">`` (MathML, visually hidden) and
``<span class="katex-html">`` (what the reader sees). Only the MathML is edited, so the math looks
exactly the same. KaTeX 0.16.22 writes two kinds of MathML that the HTML standard rejects (Nu Html
Checker), and that Firefox reports as invalid markup:

- an operator name in a script, as in ``\\lambda_{\\max}``: the name and its invisible function
  application, ``<mi>max</mi><mo>&#x2061;</mo>``, go side by side into ``<msub>``, which takes
  exactly two children (KaTeX/KaTeX#3721, open). The pair is grouped in an ``<mrow>``.
- ``\\bmod``: ``<mo><mrow><mi mathvariant="normal">m</mi>...</mrow></mo>``, but an ``<mo>`` holds
  text only (the same kind of defect as KaTeX/KaTeX#4078). The letters become its text,
  ``<mo>mod</mo>``.

After the repair every script, limit, fraction and root element must have its number of
children, and no token element (``mi``, ``mn``, ``mo``, ``mtext``, ``ms``) may hold an element;
otherwise the build stops, naming the formula, instead of shipping invalid MathML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from .guards import InternalsChanged, require_version

KATEX_WRITTEN_FOR = ("0.9.11",)
WHAT = "Repairing KaTeX's MathML (a wrapper around sphinxcontrib.katex.render_latex)"
MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.DOTALL)
TOKEN = re.compile(r"<(/?)([A-Za-z][\w:-]*)((?:\s[^<>]*?)?)(/?)>")
ARITY = {"msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3,
         "mfrac": 2, "mroot": 2}
TOKENS = {"mi", "mn", "mo", "mtext", "ms"}
APPLY_FUNCTION = "\u2061"


@dataclass
class Element:
    """One MathML element, kept as written: its raw attribute text and its children."""

    tag: str
    attrs: str = ""
    children: list[Element | str] = field(default_factory=list)
    empty: bool = False  # written as <tag .../>

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    def markup(self) -> str:
        if self.empty:
            return f"<{self.tag}{self.attrs}/>"
        inner = "".join(c if isinstance(c, str) else c.markup() for c in self.children)
        return f"<{self.tag}{self.attrs}>{inner}</{self.tag}>"


def parse(markup: str) -> Element:
    """The one ``<math>`` element in ``markup`` (as KaTeX writes it: tags, text and entities)."""
    root = Element("#root")
    stack = [root]
    pos = 0
    for m in TOKEN.finditer(markup):
        if m.start() > pos:
            stack[-1].children.append(markup[pos:m.start()])
        pos = m.end()
        closing, tag, attrs, empty = m.groups()
        if closing:
            if stack[-1].tag != tag or len(stack) == 1:
                raise ValueError(f"MathML: </{tag}> closes <{stack[-1].tag}> in {markup[:200]!r}")
            stack.pop()
        else:
            node = Element(tag, attrs, empty=bool(empty))
            stack[-1].children.append(node)
            if not empty:
                stack.append(node)
    if pos < len(markup):
        stack[-1].children.append(markup[pos:])
    elements = root.elements()
    if len(stack) != 1 or len(elements) != 1 or elements[0].tag != "math":
        raise ValueError(f"MathML: expected one complete <math> element, received {markup[:200]!r}")
    return elements[0]


def _is_apply_function(node: Element | str) -> bool:
    return isinstance(node, Element) and node.tag == "mo" and \
        html.unescape(node.text()) == APPLY_FUNCTION and not node.elements()


def _group_function_names(node: Element) -> None:
    """Group each ``<mi>name</mi><mo>&#x2061;</mo>`` pair of a script element in an ``<mrow>``."""
    kids = node.children
    i = 0
    while i < len(kids) - 1:
        a, b = kids[i], kids[i + 1]
        if isinstance(a, Element) and a.tag == "mi" and _is_apply_function(b):
            kids[i:i + 2] = [Element("mrow", children=[a, b])]
        i += 1


def _letters_only(node: Element) -> str | None:
    """The letters of ``<mrow><mi mathvariant="normal">m</mi>...</mrow>``, else ``None``."""
    if node.tag != "mrow" or any(isinstance(c, str) and c.strip() for c in node.children):
        return None
    letters = node.elements()
    if not letters or any(k.tag != "mi" or k.attrs != ' mathvariant="normal"' or k.elements()
                          for k in letters):
        return None
    return "".join(k.text() for k in letters)


def _repair(node: Element, problems: list[str]) -> None:
    for child in node.elements():
        _repair(child, problems)
    if node.tag in ARITY and len(node.elements()) > ARITY[node.tag]:
        _group_function_names(node)
    if node.tag == "mo" and len(node.children) == 1 and isinstance(node.children[0], Element):
        letters = _letters_only(node.children[0])
        if letters is not None:
            node.children = [letters]
    if node.tag in ARITY and len(node.elements()) != ARITY[node.tag]:
        problems.append(f"<{node.tag}> with {len(node.elements())} children instead of "
                        f"{ARITY[node.tag]}: {node.markup()[:160]}")
    if node.tag in TOKENS and node.elements():
        problems.append(f"<{node.tag}> holding elements: {node.markup()[:160]}")


def repair_math(markup: str) -> str:
    """One ``<math>`` element with the two defects repaired; unchanged if it has neither.

    Raises
    ------
    ExtensionError
        If the MathML is still invalid in a way this repair checks (a script or fraction with the
        wrong number of children, a token element holding elements): KaTeX wrote something new.
    """
    root = parse(markup)
    problems: list[str] = []
    _repair(root, problems)
    if problems:
        tex = re.search(r'<annotation encoding="application/x-tex">(.*?)</annotation>', markup, re.S)
        raise ExtensionError(
            f"KaTeX wrote invalid MathML for `{html.unescape(tex.group(1)) if tex else markup[:200]}` "
            f"that book/_ext/dlnotes_book/mathml.py does not repair: " + "; ".join(problems)
        )
    fixed = root.markup()
    return markup if fixed == markup else fixed


def repair(rendered: str) -> str:
    """KaTeX's rendering of one formula with its MathML repaired (the HTML part untouched)."""
    return MATH.sub(lambda m: repair_math(m.group(0)), rendered)


def repairing(render: Callable[..., str]) -> Callable[..., str]:
    """``render`` (sphinxcontrib-katex's ``render_latex``) with :func:`repair` applied."""

    def render_latex(*args: Any, **kwargs: Any) -> str:
        return repair(render(*args, **kwargs))

    render_latex.__wrapped__ = render  # type: ignore[attr-defined]
    return render_latex


def setup(app: Sphinx) -> None:
    require_version("sphinxcontrib-katex", KATEX_WRITTEN_FOR, WHAT)
    from sphinxcontrib import katex

    render = getattr(katex, "render_latex", None)
    if not callable(render):
        raise InternalsChanged(f"{WHAT}: sphinxcontrib.katex has no render_latex")
    if not hasattr(render, "__wrapped__"):  # once per process, however many builds
        katex.render_latex = repairing(render)
