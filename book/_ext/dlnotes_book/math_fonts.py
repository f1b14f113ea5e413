"""KaTeX's fonts cut to the characters the site's mathematics uses.

A page with mathematics loaded three to six of KaTeX's 20 fonts in full (Main-Regular alone is
26 KiB, Main-Bold 25, AMS 27), for the few dozen characters the formulas of the book draw.

Hooks ``build-finished`` (HTML builders; the pages and the static files are written by then):

1. collects every character of KaTeX's visible markup (``<span class="katex-html">`` …) in
   every page of the language just built (the hidden MathML copy for screen readers, with its
   TeX source, is not drawn with KaTeX's fonts);
2. cuts each KaTeX font (the TrueType originals of ``node_modules/katex/dist/fonts``) to those
   characters with ``fontTools.subset`` (:func:`.icons.subset_font`: WOFF2, the same bytes for
   the same characters, cached) into ``_static/katex/fonts/NAME.subset.woff2``;
3. rewrites ``_static/katex/katex.min.css`` so that each ``@font-face`` loads its cut font;
4. checks the result: a character in a page's mathematics that one of the original fonts draws
   and none of the cut fonts does fails the build, naming the page and the character.

A font gets glyphs for every character of the site's mathematics that it has, not only for
those that KaTeX draws in it, so the cut is a safe superset. The original fonts stay in
``_static/katex/fonts`` (no page refers to them). KaTeX's CSS is not a Python package: the edit
checks that it finds one ``@font-face`` source per font, else the build stops.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from sphinx.application import Sphinx

from .guards import InternalsChanged, sub_required
from .icons import WEB_BUILDERS, subset_font
from .paths import ROOT

KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
CSS = "_static/katex/katex.min.css"
FONT_SRC = re.compile(r'src:url\(fonts/(KaTeX_[A-Za-z0-9_-]+)\.woff2\) format\("woff2"\),'
                      r'url\(fonts/\1\.woff\) format\("woff"\),url\(fonts/\1\.ttf\) format\("truetype"\)')


class _MathText(HTMLParser):
    """The characters inside elements whose class list holds ``katex-html``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chars: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or "katex-html" in classes:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.chars.update(data)


def math_chars(html: str) -> set[str]:
    """Every character of KaTeX's markup in ``html`` (white space aside)."""
    parser = _MathText()
    parser.feed(html)
    parser.close()
    return {c for c in parser.chars if not c.isspace()}


def pages(outdir: Path) -> list[Path]:
    return sorted(p for p in outdir.rglob("*.html")
                  if not p.relative_to(outdir).parts[0].startswith("_")
                  and p.relative_to(outdir).parts[0] != "jupyter_execute")


def cut_stylesheet(css: str) -> tuple[str, list[str]]:
    """KaTeX's stylesheet with every font source pointing at its cut WOFF; and the font names."""
    names = FONT_SRC.findall(css)
    faces = css.count("@font-face")
    if not names or len(names) != faces:
        raise InternalsChanged(
            f"Cutting KaTeX's fonts: expected one woff2/woff/ttf source per @font-face in "
            f"katex.min.css, found {len(names)} sources for {faces} @font-face rules")
    out = sub_required(css, FONT_SRC.pattern, r'src:url(fonts/\1.subset.woff2) format("woff2")',
                       "Pointing KaTeX's @font-face rules at the cut fonts", count=len(names))
    return out, names


def cmap(path: Path) -> set[str]:
    """The characters a font file draws."""
    from fontTools.ttLib import TTFont

    from .icons import woff2_codec

    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # KaTeX's TTFs have 1970s timestamps, which fontTools reports
    try:
        with woff2_codec():
            return {chr(c) for c in (TTFont(path).getBestCmap() or {})}
    finally:
        quiet.setLevel(level)


def cut_fonts(outdir: Path, dist: Path = KATEX_DIST) -> dict[str, int]:
    """Cut KaTeX's fonts in the built ``outdir`` to its mathematics; return each cut font's size."""
    chars: set[str] = set()
    for page in pages(outdir):
        chars |= math_chars(page.read_text(encoding="utf-8"))
    css, names = cut_stylesheet((dist / "katex.min.css").read_text(encoding="utf-8"))
    sizes = {}
    fonts = outdir / "_static" / "katex" / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(names)):
        data = subset_font((dist / "fonts" / f"{name}.ttf").read_bytes(), chars)
        path = fonts / f"{name}.subset.woff2"
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        sizes[name] = len(data)
    (outdir / CSS).write_text(css, encoding="utf-8")
    return sizes


def font_problems(outdir: Path, dist: Path = KATEX_DIST) -> list[str]:
    """Characters of a page's mathematics that an original KaTeX font draws but no cut font."""
    css = (outdir / CSS).read_text(encoding="utf-8")
    cut = re.findall(r"url\(fonts/(KaTeX_[A-Za-z0-9_-]+)\.subset\.woff2\)", css)
    if not cut:
        return [f"{CSS}: does not load the cut KaTeX fonts"]
    fonts = outdir / "_static" / "katex" / "fonts"
    drawn = set().union(*(cmap(fonts / f"{n}.subset.woff2") for n in sorted(set(cut))))
    known = set().union(*(cmap(f) for f in sorted((dist / "fonts").glob("*.ttf"))))
    problems = []
    for page in pages(outdir):
        missing = sorted((math_chars(page.read_text(encoding="utf-8")) & known) - drawn)
        if missing:
            problems.append(f"{page.relative_to(outdir).as_posix()}: mathematics uses "
                            f"{''.join(missing)!r}, which no cut KaTeX font draws")
    return problems


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    outdir = Path(app.outdir)
    cut_fonts(outdir)
    problems = font_problems(outdir)
    if problems:
        raise InternalsChanged("KaTeX's cut fonts miss characters:\n" + "\n".join(problems))


def setup(app: Sphinx) -> None:
    app.connect("build-finished", on_build_finished)
