"""Font Awesome cut down to the icons the site draws.

pydata-sphinx-theme's stylesheet declares ~2,000 icon classes and loads the whole Font Awesome
solid font (112 KiB gzip) on every page, for the dozen icons of the theme's buttons. This module:

Hooks ``builder-inited`` (the web builders, :data:`WEB_BUILDERS`) to write, into
``_build/web-static`` (which :func:`add_web_static` appends to ``html_static_path`` for those
builders only; Sphinx copies it after the theme's own static files, so these replace the
theme's of the same name):

- ``styles/pydata-sphinx-theme.css``: the theme's stylesheet without the icon-class rules
  (``.fa-NAME{--fa:"\\f123"}``) of icons not in :data:`ICONS`, and with its three ``@font-face``
  rules pointing at the subset fonts below;
- ``vendor/fontawesome/webfonts/fa-*.subset.woff2``: the solid, regular and brands fonts, each
  cut with ``fontTools.subset`` to the glyphs of :data:`ICONS` and of the characters the
  stylesheet itself draws (admonition, version-change and external-link icons, through
  ``--pst-icon-*``). The name table (the fonts' copyright and SIL OFL licence notice) is kept;
  the timestamp is not recalculated, so each build writes the same bytes. fontTools needs the
  ``brotli`` package for WOFF2, which the environment lacks: :func:`woff2_codec` lends it node's
  (node runs the KaTeX server already). :func:`subset_font` also serves ``math_fonts``.

Hooks ``build-finished`` to check the written site: every Font Awesome class used in a page or
in a script under ``_static`` (the theme's JavaScript adds ``fa-xmark``) must be an icon of
:data:`ICONS` or a style class that the stylesheet defines (``fa-solid``, ``fa-lg`` …). Anything
else fails the build, naming the file and the class: an icon missing from the subset would show
as an empty box. To add an icon, add its name to :data:`ICONS`.

The stylesheet edits rely on the theme's compiled CSS (version-guarded; each edit must find its
target, see :mod:`.guards`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from sphinx.application import Sphinx

from .guards import InternalsChanged, replace_required, require_version
from .paths import BUILD

#: The builders whose output is the web site: the weight-cutting modules (icons, assets,
#: images, math_fonts, css_prune) leave the others (epub, latex …) alone.
WEB_BUILDERS = ("html", "dirhtml")
PYDATA_WRITTEN_FOR = ("0.20.0",)
FONTTOOLS_WRITTEN_FOR = ("4.68.0",)
WEB_STATIC = BUILD / "web-static"  # on html_static_path for the web builders only
FONT_CACHE = BUILD / "font-cache"
SUBSET_VERSION = 2  # bump when subset_font's options change
CSS_NAME = "styles/pydata-sphinx-theme.css"
FONT_DIR = "vendor/fontawesome/webfonts"
FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")

#: Every Font Awesome icon the site's templates and scripts use. The build fails on any other.
ICONS = frozenset({
    "fa-angle-left", "fa-angle-right",  # previous / next page
    "fa-arrow-up",  # back to top
    "fa-bars",  # primary sidebar toggle
    "fa-circle-half-stroke", "fa-moon", "fa-sun",  # colour mode
    "fa-download", "fa-file", "fa-file-pdf",  # download menu (source, notebook, print to PDF)
    "fa-list",  # secondary sidebar toggle
    "fa-magnifying-glass",  # search
    "fa-outdent",  # contents of the page
    "fa-xmark",  # added by pydata-sphinx-theme.js (closes the search dialog)
})

# One icon-class rule of the compiled stylesheet: `.fa-a,.fa-b{--fa:"\f000"}`.
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+,)*\.fa-[a-z0-9-]+)\{--fa:"([^"]*)"\}')
CSS_CHAR = re.compile(r"\\([0-9a-fA-F]{1,6}) ?|(.)", re.S)
CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
FA_TOKEN = re.compile(r"(?<![\w-])fa-[a-z0-9-]+")


def theme_static() -> Path:
    import pydata_sphinx_theme

    return (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
            / "static")


def css_text(value: str) -> str:
    """The characters of a CSS string's content (``\\f002`` and ``\\30 `` unescaped)."""
    return "".join(chr(int(m.group(1), 16)) if m.group(1) else m.group(2)
                   for m in CSS_CHAR.finditer(value))


def icon_table(css: str) -> dict[str, str]:
    """Every icon class of the stylesheet and the character it draws."""
    table: dict[str, str] = {}
    for selectors, value in ICON_RULE.findall(css):
        for sel in selectors.split(","):
            table[sel[1:]] = css_text(value)
    return table


def private_use(text: str) -> set[str]:
    """The Private Use Area characters (Font Awesome's glyphs) in ``text``, escaped or not."""
    return {c for c in css_text(text) if 0xE000 <= ord(c) <= 0xF8FF}


def cut_stylesheet(css: str, icons: Iterable[str]) -> tuple[str, set[str]]:
    """The stylesheet with only the icon rules of ``icons``, and every character it still draws.

    Raises
    ------
    InternalsChanged
        If the stylesheet has too few icon rules to be the one this was written for, or if an
        icon of ``icons`` is not among them.
    """
    wanted = set(icons)
    table = icon_table(css)
    if len(table) < 1000:
        raise InternalsChanged(
            f"Cutting Font Awesome: expected the theme's stylesheet to declare over 1000 icon "
            f"classes (.fa-NAME{{--fa:\"...\"}}), found {len(table)}; the compiled CSS changed")
    unknown = sorted(wanted - table.keys())
    if unknown:
        raise InternalsChanged(
            f"Cutting Font Awesome: ICONS in book/_ext/dlnotes_book/icons.py names "
            f"{', '.join(unknown)}, which the theme's Font Awesome does not have")

    def keep(m: re.Match[str]) -> str:
        names = [s for s in m.group(1).split(",") if s[1:] in wanted]
        return f'{",".join(names)}{{--fa:"{m.group(2)}"}}' if names else ""

    out = ICON_RULE.sub(keep, css)
    rest = ICON_RULE.sub("", css)
    drawn = private_use(rest) | {table[name] for name in wanted}
    what = "Pointing pydata-sphinx-theme's Font Awesome @font-face rules at the subset fonts"
    for font in FONTS:
        out = replace_required(out, f"src:url(../{FONT_DIR}/{font}.woff2)",
                               f'src:url(../{FONT_DIR}/{font}.subset.woff2) format("woff2")',
                               what, count=1)
    header = ("/* pydata-sphinx-theme's stylesheet, cut by book/_ext/dlnotes_book/icons.py to the "
              "Font Awesome icons the site uses. */\n")
    return header + out, drawn


NODE_BROTLI = """
const z = require('zlib'); const c = [];
process.stdin.on('data', d => c.push(d)).on('end', () => {
  const data = Buffer.concat(c); const mode = process.argv[1];
  if (mode === 'decompress') { process.stdout.write(z.brotliDecompressSync(data)); return; }
  const P = z.constants;
  process.stdout.write(z.brotliCompressSync(data, {params: {
    [P.BROTLI_PARAM_MODE]: Number(mode), [P.BROTLI_PARAM_QUALITY]: 11,
    [P.BROTLI_PARAM_LGWIN]: 22, [P.BROTLI_PARAM_SIZE_HINT]: data.length}}));
});
"""


class _NodeBrotli:
    """The calls of the ``brotli`` module that fontTools' WOFF2 reader and writer make, answered
    by node's built-in zlib (node already runs the build's KaTeX server). Compression uses
    brotli's defaults (quality 11, window 22), as the ``brotli`` package does."""

    MODE_GENERIC, MODE_TEXT, MODE_FONT = 0, 1, 2

    @staticmethod
    def _node(data: bytes, mode: str) -> bytes:
        proc = subprocess.run(["node", "-e", NODE_BROTLI, mode], input=data, capture_output=True,
                              check=False)
        if proc.returncode != 0:
            raise InternalsChanged(f"Cutting fonts: node's brotli ({mode}) failed: "
                                   f"{proc.stderr.decode(errors='replace')[-500:]}")
        return proc.stdout

    @classmethod
    def decompress(cls, data: bytes) -> bytes:
        return cls._node(data, "decompress")

    @classmethod
    def compress(cls, data: bytes, mode: int = 0, **_: object) -> bytes:
        return cls._node(data, str(int(mode)))


@contextlib.contextmanager
def woff2_codec() -> Iterator[None]:
    """Let fontTools read and write WOFF2 without the ``brotli`` package, within the block.

    fontTools' ``ttLib.woff2`` module looks for ``brotli`` once, when imported, and keeps the
    result in its globals ``haveBrotli`` and ``brotli`` (fonttools 4.68.0, version-guarded);
    when they say no, the block sets them to :class:`_NodeBrotli` and restores them after.
    Installing ``brotli`` makes this a no-op.
    """
    from fontTools.ttLib import woff2

    if woff2.haveBrotli:
        yield
        return
    require_version("fonttools", FONTTOOLS_WRITTEN_FOR,
                    "WOFF2 through node's brotli (fontTools.ttLib.woff2.brotli)")
    if shutil.which("node") is None:
        raise InternalsChanged("Cutting fonts: WOFF2 needs node (or the brotli package); "
                               "neither is installed")
    saved = woff2.__dict__.get("brotli")
    woff2.haveBrotli, woff2.brotli = True, _NodeBrotli
    try:
        yield
    finally:
        woff2.haveBrotli = False
        if saved is None:
            del woff2.brotli
        else:
            woff2.brotli = saved


def subset_font(data: bytes, chars: Iterable[str]) -> bytes:
    """``data`` (a TTF, WOFF or WOFF2 font) cut to the glyphs of ``chars``, as WOFF2.

    The same input gives the same bytes (no timestamp is recalculated); results are kept in
    ``_build/font-cache`` under a hash of the font, the characters and the fontTools version,
    so a rebuild does not cut again.
    """
    import fontTools
    from fontTools import subset
    from fontTools.ttLib import TTFont

    codes = sorted({ord(c) for c in chars})
    key = hashlib.sha256(data + repr((codes, fontTools.version, SUBSET_VERSION)).encode())
    cached = FONT_CACHE / f"{key.hexdigest()}.woff2"
    if cached.is_file():
        return cached.read_bytes()
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []  # drawn by code point: no ligatures, no kerning needed
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.recalc_timestamp = False
    options.notdef_outline = True
    options.hinting = False  # TrueType hinting: bytes that today's browsers barely use
    quiet = logging.getLogger("fontTools")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # KaTeX's TTFs have 1970s timestamps, which fontTools reports
    try:
        with woff2_codec():
            font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=False)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=codes)
            subsetter.subset(font)
            out = io.BytesIO()
            subset.save_font(font, out, options)
    finally:
        quiet.setLevel(level)
    FONT_CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(out.getvalue())
    return out.getvalue()


def write_assets(out: Path, static: Path, icons: Iterable[str] = ICONS) -> dict[str, int]:
    """Write the cut stylesheet and fonts under ``out``; return each written file's size."""
    css, drawn = cut_stylesheet((static / CSS_NAME).read_text(encoding="utf-8"), icons)
    files = {CSS_NAME: css.encode("utf-8")}
    for font in FONTS:
        files[f"{FONT_DIR}/{font}.subset.woff2"] = subset_font(
            (static / FONT_DIR / f"{font}.woff2").read_bytes(), drawn)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return {name: len(data) for name, data in files.items()}


def used_classes(site: Path) -> dict[str, set[str]]:
    """Font Awesome classes (``fa-...``) used by each page and each ``_static`` script of
    ``site``: class attributes of the HTML, string tokens of the JavaScript. Font Awesome's own
    script (``fontawesome.js``, copied by the theme but loaded by no page) is left out."""
    found: dict[str, set[str]] = {}
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        names = {t for attr in CLASS_ATTR.findall(text) for t in FA_TOKEN.findall(attr)}
        if names:
            found[path.relative_to(site).as_posix()] = names
    for path in sorted((site / "_static").rglob("*.js")):
        if path.name == "fontawesome.js":
            continue
        names = set(FA_TOKEN.findall(path.read_text(encoding="utf-8", errors="replace")))
        if names:
            found[path.relative_to(site).as_posix()] = names
    return found


def style_classes(css: str) -> set[str]:
    """Font Awesome classes the stylesheet defines that are not icons (``fa-solid``, ``fa-lg``)."""
    return set(re.findall(r"\.(fa-[a-z0-9-]+)", ICON_RULE.sub("", css)))


def icon_problems(site: Path, css: str, icons: Iterable[str] = ICONS) -> list[str]:
    """One line per file of ``site`` that uses a Font Awesome class the cut stylesheet lacks.

    ``css`` is the theme's original stylesheet (to tell icons from style classes)."""
    wanted = set(icons)
    table = icon_table(css)
    styles = style_classes(css)
    problems = []
    for name, classes in used_classes(site).items():
        for cls in sorted(classes):
            if cls in table and cls not in wanted:
                problems.append(f"{name}: uses the icon {cls}, which the cut Font Awesome lacks "
                                f"(add it to ICONS in book/_ext/dlnotes_book/icons.py)")
            elif cls not in table and cls not in styles:
                problems.append(f"{name}: uses {cls}, which is neither a Font Awesome icon nor a "
                                f"style class of the theme's stylesheet")
    return problems


def add_web_static(app: Sphinx) -> None:
    """Put ``_build/web-static`` last on ``html_static_path`` (read when the static files are
    copied, at the end of the build), so that other builders never copy these files."""
    WEB_STATIC.mkdir(parents=True, exist_ok=True)
    if str(WEB_STATIC) not in app.config.html_static_path:
        app.config.html_static_path = [*app.config.html_static_path, str(WEB_STATIC)]


def on_builder_inited(app: Sphinx) -> None:
    if app.builder.name not in WEB_BUILDERS:
        return
    require_version("pydata-sphinx-theme", PYDATA_WRITTEN_FOR,
                    "Cutting Font Awesome (the compiled pydata-sphinx-theme.css and its fonts)")
    add_web_static(app)
    write_assets(WEB_STATIC, theme_static())


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in WEB_BUILDERS:
        return
    css = (theme_static() / CSS_NAME).read_text(encoding="utf-8")
    problems = icon_problems(Path(app.outdir), css)
    if problems:
        raise InternalsChanged("Font Awesome classes the site's cut icon font cannot draw:\n"
                               + "\n".join(problems))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", on_builder_inited)
    app.connect("build-finished", on_build_finished)
