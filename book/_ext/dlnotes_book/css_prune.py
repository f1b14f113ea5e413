"""The theme's big stylesheet without the rules that nothing on the site can match.

``pydata-sphinx-theme.css`` holds all of Bootstrap (a grid, hundreds of utility classes, every
component) besides the theme: 44 KiB gzip, blocking the first paint of every page. This module
keeps only what the built site can use (20 KiB gzip). Component rules whose class names
``bootstrap.js`` spells out (carousel, toast …) stay, as the scripts' words count as used.

Hooks ``build-finished`` (HTML builders; the pages and static files of the language just built
are written by then) and rewrites ``_static/styles/pydata-sphinx-theme.css``:

- the known class names are every class of every page's ``class`` attributes, and every
  identifier-like word of the site's scripts (``_static/**/*.js`` but Font Awesome's own script,
  which no page loads) and of the pages' inline scripts, since scripts add classes at run time
  (Bootstrap's ``show``, ``collapsing`` …). Classes Bootstrap composes from parts (``bs-tooltip-*``,
  ``bs-popover-*``) are always known;
- a selector is kept when every class it names is known; a selector with ``:not()``, ``:is()``,
  ``:where()`` or ``:has()`` is always kept (a missing class there can make it match); rules of
  other kinds (``@font-face``, ``@keyframes``, custom properties on ``:root``/``html``) are kept
  whole; ``@media`` and ``@supports`` blocks keep what their rules keep.

Selectors and declarations are copied byte for byte, in order, so the cascade of what is kept is
unchanged. The same pages give the same stylesheet. The stylesheet was cut by
:mod:`.icons` already; this runs on the copy in the output folder, after Sphinx has copied it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx

from .guards import InternalsChanged
from .icons import WEB_BUILDERS

TARGET = "_static/styles/pydata-sphinx-theme.css"
ALWAYS = ("bs-",)  # Bootstrap builds these names from parts at run time
OPAQUE = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any)\(")
CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
LEAF_AT = ("@font-face", "@page", "@keyframes", "@-webkit-keyframes", "@property", "@counter-style")

Rule = tuple[str, "str | list[Rule] | None"]


def _scan(css: str, i: int, stops: str) -> int:
    """Index of the first character of ``stops`` at depth 0 from ``i``, outside strings and
    comments (or ``len(css)``)."""
    depth, quote, n = 0, "", len(css)
    while i < n:
        c = css[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif css.startswith("/*", i):
            i = css.index("*/", i + 2) + 1
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "{" and "{" not in stops:
            depth += 1
        elif c == "}" and depth > 0 and "}" in stops and "{" not in stops:
            depth -= 1
        elif depth == 0 and c in stops:
            return i
        i += 1
    return n


def parse(css: str, i: int = 0, nested: bool = False) -> tuple[list[Rule], int]:
    """The rules of ``css`` from ``i``: (prelude, declarations) for a style rule, (prelude,
    rules) for a conditional group (``@media``, ``@supports``, ``@layer`` …), (statement, None)
    for a statement (``@import``, ``@charset``) or a ``/*!`` licence comment; other comments
    are dropped."""
    rules: list[Rule] = []
    n = len(css)
    while i < n:
        if css[i].isspace():
            i += 1
            continue
        if css.startswith("/*", i):
            end = css.index("*/", i + 2) + 2
            if css.startswith("/*!", i):  # a licence notice: kept
                rules.append((css[i:end], None))
            i = end
            continue
        if css[i] == "}":
            if not nested:
                raise InternalsChanged(f"Pruning the theme's stylesheet: unbalanced '}}' at {i}")
            return rules, i + 1
        j = _scan(css, i, "{;")
        prelude = css[i:j].strip()
        if j >= n or css[j] == ";":
            rules.append((prelude, None))
            i = j + 1
            continue
        if prelude.startswith("@") and not prelude.startswith(LEAF_AT):
            body, i = parse(css, j + 1, nested=True)
            rules.append((prelude, body))
            continue
        k = _scan(css, j + 1, "}")
        rules.append((prelude, css[j + 1:k]))
        i = k + 1
    if nested:
        raise InternalsChanged("Pruning the theme's stylesheet: a block is not closed")
    return rules, i


def selectors(prelude: str) -> list[str]:
    """The selectors of a selector list (commas inside brackets and strings are not splits)."""
    out, start = [], 0
    while True:
        j = _scan(prelude, start, ",")
        out.append(prelude[start:j])
        if j >= len(prelude):
            return out
        start = j + 1


def matchable(selector: str, known: set[str]) -> bool:
    """Whether every class ``selector`` requires is among ``known`` (see the module's rules)."""
    if OPAQUE.search(selector):
        return True
    bare = re.sub(r"\[[^\]]*\]", "", selector)  # attribute values can hold dots
    return all(c in known or c.startswith(ALWAYS) for c in CLASS.findall(bare))


def render(rules: list[Rule], known: set[str]) -> str:
    """``rules`` written back, without the selectors no page can match."""
    out = []
    for prelude, body in rules:
        if body is None:
            out.append(prelude if prelude.startswith("/*") else prelude + ";")
        elif isinstance(body, list):
            inner = render(body, known)
            if inner:
                out.append(prelude + "{" + inner + "}")
        elif prelude.startswith("@"):
            out.append(prelude + "{" + body + "}")
        else:
            kept = [s for s in selectors(prelude) if matchable(s, known)]
            if kept:
                out.append(",".join(kept) + "{" + body + "}")
    return "".join(out)


def known_classes(outdir: Path) -> set[str]:
    """Class names the pages of ``outdir`` use, and the words of its scripts (see the module)."""
    known: set[str] = set()
    for path in sorted(outdir.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for attr in CLASS_ATTR.findall(text):
            known.update(attr.split())
        for script in INLINE_SCRIPT.findall(text):
            known.update(WORD.findall(script))
    for path in sorted((outdir / "_static").rglob("*.js")):
        if path.name != "fontawesome.js":
            known.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return known


def prune(css: str, known: Iterable[str]) -> str:
    """``css`` without the selectors that none of the ``known`` classes can match."""
    rules, _ = parse(css)
    return render(rules, set(known))


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    path = Path(app.outdir) / TARGET
    if not path.is_file():
        raise InternalsChanged(f"Pruning the theme's stylesheet: {TARGET} is not in the output")
    css = path.read_text(encoding="utf-8")
    header = css[:css.index("*/") + 3] if css.startswith("/*") else ""
    path.write_text(header + prune(css, known_classes(Path(app.outdir))) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("build-finished", on_build_finished)
