"""No raw markup reaches a reader: the built pages' text has no unrendered TeX or Markdown.

A slip in the source can survive the strict build and show up as source text on the page: a
formula whose ``$`` did not pair (it stays as ``$W_2(W_1 x + ...``), a line inside a formula that
starts with ``+`` and becomes a bullet list, ``**`` that did not bold, a ``{ref}`` role or a
``:::`` fence that was not parsed. :func:`raw_markup` reads one built HTML page and returns what
it finds in the text a reader sees: everything inside ``<main>`` (the whole ``<body>`` if there is
none) except ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``, ``<script>``, ``<style>``, ``<svg>``,
``<math>``, ``<textarea>``, and elements of class ``katex`` or ``highlight`` (KaTeX keeps the TeX
source in an annotation). It reports

- TeX: a ``$``, ``\\(``, ``\\)``, ``\\[``, ``\\]``, a control word (``\\frac``, ``\\mathbf``, ...),
  ``^{`` or ``_{``;
- Markdown: ``**``, a backtick, a MyST role (``{ref}``, ``{doc}``, ``{glue:text}``, ``{numref}``,
  ``{eq}``, ``{math}``, ``{term}``, ``{download}``), a ``:::`` fence;
- a list that splits a sentence or formula: a ``<ul>``/``<ol>`` right after a paragraph whose
  ``(`` or ``[`` is left open, that stops in mid-sentence (it ends neither a sentence nor with a
  colon), or whose first item starts like the rest of a formula (``b_2)``, ``= x``, ``) + y``).

:func:`site_problems` checks every page of a built site (``.../html/en``), skipping static
assets. As a Sphinx extension this module hooks ``build-finished``: it checks the pages this
build wrote, and a finding is a warning located at the page (``-W`` fails the build, and ``make
html`` with it). From a shell: ``python book/_ext/dlnotes_rawmarkup.py _build/html`` (exit 1 on a
finding). No Sphinx import at module level.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

__all__ = ["raw_markup", "site_problems", "setup"]

SKIP_TAGS = {"code", "pre", "kbd", "samp", "script", "style", "svg", "math", "textarea", "head"}
SKIP_CLASSES = {"katex", "katex-display", "highlight"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "div",
          "figcaption", "caption", "blockquote", "section", "ul", "ol", "dl", "table", "main",
          "article", "aside", "nav", "header", "footer", "body", "tr", "span_block"}
SKIP_DIRS = {"_static", "_sources", "_images", "_modules", "_notebooks", "jupyter_execute",
             "reports"}

PATTERNS = [
    ("unrendered TeX ($)", re.compile(r"\$")),
    ("unrendered TeX (\\( \\) \\[ \\])", re.compile(r"\\[()\[\]]")),
    ("unrendered TeX (control word)", re.compile(r"\\[A-Za-z]{2,}")),
    ("unrendered TeX (^{ or _{)", re.compile(r"[\^_]\{")),
    ("unrendered Markdown (**)", re.compile(r"(?<!\s)\*\*|\*\*(?!\s)")),  # not x ** 2
    ("unrendered Markdown (backtick)", re.compile(r"`")),
    ("unrendered MyST role", re.compile(r"\{(?:ref|doc|glue(?::\w+)?|numref|eq|math|term|download)\}")),
    ("unrendered MyST fence (:::)", re.compile(r":::")),
]
# The start of a list item that is the rest of a formula: "b_2)$", "= (W x)", ") + b", "+ 1".
FORMULA_TAIL = re.compile(r"^\s*(?:[)\]=+*/^_]|\w{1,3}\s*[_^)\]]|\w{1,3}\s*[=+]\s)")


def _snippet(text: str, start: int, end: int, width: int = 50) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    s = re.sub(r"\s+", " ", text[a:b]).strip()
    return ("…" if a else "") + s + ("…" if b < len(text) else "")


class _Reader(HTMLParser):
    """Split a page's visible text into blocks; note each list that follows a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.skip_at: int | None = None  # stack depth of the skipped element we are in
        self.in_main = self.saw_main = False
        self.blocks: list[str] = []  # visible text blocks outside <main>
        self.main_blocks: list[str] = []  # and inside it
        self.current: list[str] = []
        self.after_p: str | None = None  # a paragraph just closed, until other content comes
        self.list_para: str | None = None  # a list right after that paragraph awaits its item
        self.li_depth: int | None = None  # stack depth of that first item, while inside it
        self.li_text: list[str] = []
        self.split_lists: list[tuple[str, str]] = []  # (paragraph, first item) pairs
        self.p_plain: list[bool] = []  # per open <p>: a prose paragraph (no class, not a caption)

    def _flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if text.strip():
            (self.main_blocks if self.in_main else self.blocks).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.stack.append(tag)
        if self.skip_at is not None:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in SKIP_TAGS or classes & SKIP_CLASSES:
            self.skip_at = len(self.stack)
            self.current.append(" ")
            self.li_text.append(" ")
            self.after_p = None
            return
        if tag in BLOCKS:
            self._flush()
        if tag == "p":
            self.p_plain.append(not classes)
        if tag == "main":
            self.in_main = self.saw_main = True
        if tag in ("ul", "ol"):
            self.list_para = self.after_p
        elif tag == "li" and self.list_para is not None and self.li_depth is None:
            self.li_depth = len(self.stack)
            self.li_text = []
        self.after_p = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:  # close up to the matching tag (tolerates unclosed inner tags)
            depth = len(self.stack)
            top = self.stack.pop()
            if self.skip_at is not None and depth == self.skip_at:
                self.skip_at = None
                if top == tag:
                    return
            if self.li_depth is not None and depth == self.li_depth:
                self.split_lists.append((self.list_para or "", "".join(self.li_text)))
                self.li_depth = self.list_para = None
            if top == tag:
                break
        if self.skip_at is not None:
            return
        plain = self.p_plain.pop() if tag == "p" and self.p_plain else False
        para = "".join(self.current) if tag == "p" and plain else None
        if tag in BLOCKS:
            self._flush()
        if tag == "main":
            self.in_main = False
        self.after_p = para

    def handle_data(self, data: str) -> None:
        if self.skip_at is not None:
            return
        self.current.append(data)
        if self.li_depth is not None:
            self.li_text.append(data)
        if data.strip():
            self.after_p = None

    def close(self) -> None:
        super().close()
        self._flush()


# How a paragraph that introduces a list ends: a sentence or a colon (or a closing bracket/quote).
SENTENCE_END = re.compile(r"[.:;!?\u3002\uff1a\uff1b\uff01\uff1f\u2026)\]\uff09\u201d\"']\s*$")


def _split_list(para: str, item: str) -> bool:
    opened = para.count("(") - para.count(")") > 0 or para.count("[") - para.count("]") > 0
    # A source line inside a paragraph that starts with "1. " or "- " becomes a list: the paragraph
    # before it then stops in mid-sentence ("each of them receives" / "1. With = ...").
    unfinished = bool(para.strip()) and not SENTENCE_END.search(para)
    return opened or unfinished or bool(FORMULA_TAIL.match(item))


def raw_markup(html: str) -> list[str]:
    """What in the visible text of one HTML page looks like unrendered TeX or Markdown.

    Parameters
    ----------
    html
        One built page.

    Returns
    -------
    list of str
        One line per finding: what it is, then a snippet of the text around it. Empty if none.

    Examples
    --------
    >>> raw_markup("<main><p>The map <span class='katex'>W_{2}</span> is linear.</p></main>")
    []
    >>> page = ("<main><p>Hence $W_2(W_1 x + b_1) + b_2 = (W_2 b_1</p>"
    ...         "<ul><li><p>b_2)$. Depth buys nothing.</p></li></ul></main>")
    >>> for finding in raw_markup(page):
    ...     print(finding)
    unrendered TeX ($): Hence $W_2(W_1 x + b_1) + b_2 = (W_2 b_1
    unrendered TeX ($): b_2)$. Depth buys nothing.
    a list splits a sentence or formula: …(W_1 x + b_1) + b_2 = (W_2 b_1 ⏎ • b_2)$. Depth buys nothing.
    """
    reader = _Reader()
    reader.feed(html)
    reader.close()
    blocks = reader.main_blocks if reader.saw_main else reader.blocks
    found = []
    for text in blocks:
        for what, pattern in PATTERNS:
            m = pattern.search(text)
            if m:
                found.append(f"{what}: {_snippet(text, m.start(), m.end())}")
    for para, item in reader.split_lists:
        if _split_list(para, item):
            p = re.sub(r"\s+", " ", para).strip()
            i = re.sub(r"\s+", " ", item).strip()
            found.append(f"a list splits a sentence or formula: "
                         f"{'…' + p[-30:] if len(p) > 30 else p} ⏎ • {i[:40]}")
    return found


def html_pages(outdir: Path) -> list[Path]:
    """The pages of one built language (not static assets, sources or notebook outputs)."""
    return sorted(p for p in Path(outdir).rglob("*.html")
                  if not set(p.relative_to(outdir).parts) & SKIP_DIRS)


def site_problems(site: Path, pages: list[Path] | None = None) -> list[str]:
    """Every finding on the pages of a built site (or on ``pages``), as ``page: finding``."""
    site = Path(site)
    problems = []
    for page in html_pages(site) if pages is None else pages:
        for finding in raw_markup(page.read_text(encoding="utf-8")):
            problems.append(f"{page.relative_to(site).as_posix()}: {finding}")
    return problems


# ------------------------------------------------------------------------------ Sphinx side
def check_built_pages(app: Any, exception: Exception | None) -> None:
    """``build-finished``: check the HTML pages this build wrote."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for docname in sorted(app.env.found_docs):
        page = Path(app.builder.get_outfilename(docname))  # .html, or .xhtml in the EPUB
        if not page.is_file():
            continue
        for finding in raw_markup(page.read_text(encoding="utf-8")):
            logger.warning(f"raw markup in the built page: {finding}", location=docname,
                           type="dlnotes", subtype="rawmarkup")


def setup(app: Any) -> dict[str, Any]:
    # Before the other build-finished handlers (priority 500): one of them may stop the build.
    app.connect("build-finished", check_built_pages, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    roots = [Path(a) for a in sys.argv[1:]] or [Path("_build/html")]
    problems = [f"{root}/{p}" for root in roots for p in site_problems(root)]
    print("\n".join(problems) if problems else "no raw markup found")
    sys.exit(1 if problems else 0)
