"""The EPUB edition: metadata per language, MathML, no scripts, valid XHTML, a reproducible file.

``make epub`` runs Sphinx's ``epub`` builder (EPUB 3) on the same sources, configuration and
execution cache as ``make html``; epubcheck must find no error and no warning. Every handler but
the first does nothing for other builders; the site's HTML does not change.

- ``config-inited`` (every builder, so that the html and epub environments hold the same
  values): the ``epub_*`` settings per language: title, author, publisher, rights, description,
  language (``en`` / ``zh-CN``), file name (``dlnotes-en``), a stable identifier (a UUID derived
  from the language, never from the date or the host), no URLs printed after links, the table of
  contents' depth, the stylesheet :data:`EPUB_CSS` (``epub_static/``).
- ``builder-inited``: :func:`lend_version` gives Sphinx's EPUB 3 check a ``version`` and
  :func:`return_version` takes it back; :func:`mathml_only`: math becomes MathML only. The site
  prerenders KaTeX's HTML with MathML inside; the HTML half needs KaTeX's stylesheet and web
  fonts, so the epub asks the same KaTeX server for ``output: "mathml"``
  (``sphinxcontrib.katex.KATEX_DEFAULT_OPTIONS``, an internal of 0.9.11: version-guarded), and
  ``_build/site-static`` (KaTeX's stylesheet and fonts) stays out of the book;
  :func:`localise_guide`: the navigation document is titled 目录 in Chinese
  (``EpubBuilder.guide_titles``, an internal of Sphinx 9.0.4: version-guarded).
- ``html-page-context`` (after the other handlers): no ``<script>`` (reading systems need not
  run JavaScript), no stylesheet but Sphinx's epub theme, Pygments and :data:`EPUB_CSS`; no
  canonical URL, ``hreflang`` alternates or icon (they name the web site); ``lang`` and
  ``xml:lang`` on ``<html>``. The body is already valid XHTML: the modules that make the site's
  HTML valid run for every builder (:mod:`.mathml`, :mod:`.dataframes`, :mod:`.paragraphs`,
  :mod:`.hidden_cells`; :mod:`.chrome` translates the folded cells' labels).
- ``build-finished`` (when the build succeeded): Sphinx 9.0.4 neither declares the ``mathml``
  property of the pages that have MathML (epubcheck: error), nor matches the NCX's identifier to
  the package's, nor writes reproducible files (``dcterms:modified`` is the build time unless
  ``SOURCE_DATE_EPOCH`` is set, and the zip entries carry the files' times), and it lists every
  static file of the HTML extensions. :func:`finish_epub` fixes ``content.opf``
  (:func:`fix_package`) and ``toc.ncx`` (:func:`fix_ncx`), makes the SVG figures valid EPUB
  content (:func:`epub_svg`), and writes the ``.epub`` again (:func:`write_zip`) with every
  date set to :func:`build_epoch` (``SOURCE_DATE_EPOCH``, else the last commit's time).
"""

from __future__ import annotations

import html
import re
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from .guards import InternalsChanged, installed_version, require_version, sub_required
from .languages import LANGS, lang_key
from .dates import build_epoch
from .paths import ROOT

KATEX_WRITTEN_FOR = ("0.9.11",)
# A fixed namespace: the identifier of each language's edition never changes between builds.
UID_NAMESPACE = uuid.UUID("6f3c1d2e-8b1a-5c7e-9d4f-2a6b8c0e1f3a")
EPUB_CSS = "dlnotes-epub.css"
KEPT_CSS = {"_static/pygments.css", "_static/epub.css", f"_static/{EPUB_CSS}"}
DESCRIPTIONS = {  # as the README introduces the book
    "en": "An executable book on what comes before deep learning proper: tensors and their memory, "
          "linear algebra, calculus, automatic differentiation, probability, and the parts of a "
          "PyTorch training loop up to overfitting. Every output was computed by the book's code.",
    "zh": "一本可执行的书，讲解深度学习之前需要掌握的预备知识：张量及其内存布局、线性代数、微积分、"
          "自动微分、概率，以及 PyTorch 训练循环的各个组成部分，直到过拟合及其对策。书中每个输出"
          "都由代码实际算出。",
}
PUBLISHER = {"en": "dlnotes authors", "zh": "dlnotes 作者"}
# The titles Sphinx gives the navigation document and the package's guide (English only in
# Sphinx 9.0.4: "XXX These strings should be localized").
GUIDE_TITLES = {"en": {"toc": "Table of Contents", "cover": "Cover"},
                "zh": {"toc": "目录", "cover": "封面"}}
SPHINX_WRITTEN_FOR = ("9.0.4",)


def is_epub(app: Sphinx) -> bool:
    """Whether this build writes an EPUB (Sphinx's ``epub`` builder)."""
    builder = getattr(app, "builder", None)
    return builder is not None and builder.name == "epub"


def book_uid(key: str) -> str:
    """The EPUB's unique identifier for language ``key``: a UUID URN, the same in every build."""
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, f'dlnotes-book-{key}')}"


# ------------------------------------------------------------------------- config-inited
def on_config_inited(app: Sphinx, config: Config) -> None:
    """Set the ``epub_*`` values for the book's language."""
    key = lang_key(config.language)
    info = LANGS[key]
    config.epub_title = info["title"]
    config.epub_author = PUBLISHER[key]
    config.epub_publisher = PUBLISHER[key]
    config.epub_copyright = config.copyright
    config.epub_description = DESCRIPTIONS[key]
    config.epub_contributor = PUBLISHER[key]
    config.epub_language = info["code"]
    config.epub_basename = f"dlnotes-{key}"
    config.epub_uid = "BookId"  # the XML id of <dc:identifier> (finish_epub fixes toc.ncx)
    config.epub_identifier = book_uid(key)
    config.epub_scheme = "uuid"
    config.epub_show_urls = "no"
    config.epub_tocdepth = 3
    config.epub_tocscope = "default"
    config.epub_use_index = True
    config.epub_css_files = [EPUB_CSS]
    # Sphinx 9 keeps the previous build information as .buildinfo.bak when the configuration
    # changed; the epub builder skips .buildinfo but warns about (-W: fails on) the copy.
    config.epub_exclude_files = [".buildinfo.bak"]


# ------------------------------------------------------------------------- builder-inited
def mathml_only() -> None:
    """Ask sphinxcontrib-katex's server for MathML alone (this process builds only the epub)."""
    what = "MathML-only math in the EPUB (sphinxcontrib.katex.KATEX_DEFAULT_OPTIONS)"
    require_version("sphinxcontrib-katex", KATEX_WRITTEN_FOR, what)
    from sphinxcontrib import katex

    options = getattr(katex, "KATEX_DEFAULT_OPTIONS", None)
    if not isinstance(options, dict) or not callable(getattr(katex, "render_latex", None)):
        raise InternalsChanged(f"{what}: sphinxcontrib.katex has no KATEX_DEFAULT_OPTIONS dict "
                               "or render_latex function any more")
    options["output"] = "mathml"


def book_version() -> str:
    """The version of the ``dlnotes`` package (``0`` if it is not installed)."""
    return installed_version("dlnotes") or "0"


def lend_version(app: Sphinx) -> None:
    """Give Sphinx's epub3 check (``builder-inited``, priority 500) a ``version`` to see.

    conf.py sets none: on the site it would only add a line to every page. The value is taken
    back at once by :func:`return_version`: a ``version`` left set would be pickled with the
    environment, and the next epub build, whose config-inited value is empty again, would
    re-read every page. :func:`fix_package` writes it into ``content.opf`` instead.
    """
    if is_epub(app) and not app.config.version:
        app.config.version = book_version()
        _LENT.add(id(app))


def return_version(app: Sphinx) -> None:
    if id(app) in _LENT:
        app.config.version = ""
        _LENT.discard(id(app))


_LENT: set[int] = set()  # the applications whose version lend_version set


def localise_guide(app: Sphinx) -> None:
    """The navigation document's title (目录 in Chinese): ``EpubBuilder.guide_titles``."""
    what = "Localised EPUB navigation titles (EpubBuilder.guide_titles)"
    require_version("sphinx", SPHINX_WRITTEN_FOR, what)
    current = getattr(app.builder, "guide_titles", None)
    if not isinstance(current, dict) or set(current) != {"toc", "cover"}:
        raise InternalsChanged(f"{what}: the epub builder has no guide_titles dict with the keys "
                               f"toc and cover; found {current!r}")
    app.builder.guide_titles = dict(GUIDE_TITLES[lang_key(app.config.language)])  # type: ignore[attr-defined]


def on_builder_inited(app: Sphinx) -> None:
    if not is_epub(app):
        return
    mathml_only()
    localise_guide(app)
    site_static = (ROOT / "_build" / "site-static").resolve()
    app.config.html_static_path = [  # Sphinx reads these paths relative to the conf.py folder
        p for p in app.config.html_static_path if (Path(app.confdir) / p).resolve() != site_static
    ]
    app.config.html_static_path.append(str(Path(__file__).parent / "epub_static"))
    drop_theme_templates(app)


def drop_theme_templates(app: Sphinx) -> None:
    """Render the EPUB with Sphinx's epub theme alone: without the book theme's regenerated
    templates (``_build/templates``, written by :mod:`.theme_templates` and :mod:`.chrome` at
    ``config-inited``, before the builder is known), whose ``layout.html`` would be found before
    the epub theme's own. The template bridge is initialised again through its public
    ``init(builder, theme)``."""
    generated = (ROOT / "_build" / "templates").resolve()
    kept = [p for p in app.config.templates_path if (Path(app.confdir) / p).resolve() != generated]
    if kept != list(app.config.templates_path):
        app.config.templates_path = kept
        app.builder.templates.init(app.builder, app.builder.theme)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------ html-page-context
_HOSTED_LINK = re.compile(r'<link rel="alternate" hreflang="[^"]*" href="[^"]*" />\n?')


def on_html_page_context(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: Any) -> None:
    if not is_epub(app):
        return
    code = html.escape(app.config.epub_language)
    tag = context.get("html_tag") or ""
    if not tag.startswith("<html ") or " lang=" in tag:
        raise InternalsChanged(f"The EPUB pages' lang attribute: Sphinx's epub3 builder passed "
                               f"html_tag={tag!r}, expected '<html xmlns=...>' without lang")
    context["html_tag"] = tag[:-1] + f' lang="{code}" xml:lang="{code}">'

    context["script_files"] = []
    context["css_files"] = [
        css for css in context.get("css_files", [])
        if (getattr(css, "filename", None) or str(css)) in KEPT_CSS
    ]
    kept = {getattr(css, "filename", None) or str(css) for css in context["css_files"]}
    if f"_static/{EPUB_CSS}" not in kept:
        raise InternalsChanged(
            f"The EPUB pages' stylesheets: {pagename} would link none of {sorted(KEPT_CSS)} "
            f"(Sphinx's css_files entries no longer carry the file name as .filename?)")
    context["pageurl"] = None
    context["favicon_url"] = None
    context["metatags"] = _HOSTED_LINK.sub("", context.get("metatags", ""))


# ------------------------------------------------------------------------- build-finished
_ITEM = re.compile(r'<item id="(?P<id>[^"]*)" href="(?P<href>[^"]*)" '
                   r'media-type="(?P<type>[^"]*)"(?P<rest>[^>]*)/>')


def page_properties(xhtml: str) -> list[str]:
    """The EPUB 3 manifest properties a content document needs: ``mathml``, ``svg``, ``scripted``."""
    props = []
    if re.search(r"<math[\s>]", xhtml):
        props.append("mathml")
    if re.search(r"<svg[\s>]", xhtml):
        props.append("svg")
    if re.search(r"<script[\s>]", xhtml) or re.search(r"<form[\s>]", xhtml):
        props.append("scripted")
    return props


def unused_static(opf: str, outdir: Path) -> set[str]:
    """The files under ``_static/`` that no page and no kept stylesheet names.

    Sphinx lists every file of its output folder in the manifest: the HTML extensions' scripts,
    stylesheets and icons too, which the book's pages (see :func:`on_html_page_context`) do not
    load, and some of which epubcheck rejects (myst-nb's stylesheet uses CSS nesting).
    """
    from urllib.parse import unquote

    items = [(unquote(m.group("href")), m.group("type")) for m in _ITEM.finditer(opf)]
    static = {href for href, _ in items if href.startswith("_static/")}
    readers = [href for href, kind in items
               if kind == "application/xhtml+xml" or href in KEPT_CSS]
    texts = [(outdir / href).read_text(encoding="utf-8") for href in readers]
    return {name for name in static if name not in KEPT_CSS
            and not any(name in t or (name.endswith(".png") and name[8:] in t) for t in texts)}


def fix_package(opf: str, outdir: Path, epoch: int, version: str) -> str:
    """``content.opf`` with the pages' properties declared, unused static files left out, the
    dates set to ``epoch`` and the book's ``version`` in ``ibooks:version``."""
    from urllib.parse import unquote

    if not _ITEM.search(opf):
        raise InternalsChanged("The EPUB manifest: no <item id=... href=... media-type=... /> in "
                               "content.opf; Sphinx's epub3 template has changed, update "
                               "book/_ext/dlnotes_book/epub.py")
    unused = unused_static(opf, outdir)

    def item(m: re.Match[str]) -> str:
        href = unquote(m.group("href"))
        if href in unused:
            return ""
        if m.group("type") != "application/xhtml+xml" or "properties=" in m.group("rest"):
            return m.group(0)
        props = page_properties((outdir / href).read_text(encoding="utf-8"))
        extra = f' properties="{" ".join(props)}"' if props else ""
        return (f'<item id="{m.group("id")}" href="{m.group("href")}" '
                f'media-type="{m.group("type")}"{extra}{m.group("rest")}/>')

    what = "The EPUB package's dates and version (Sphinx's epub3 content.opf template)"
    stamp = time.gmtime(epoch)
    opf = sub_required(opf, r'<meta property="dcterms:modified">[^<]*</meta>',
                       '<meta property="dcterms:modified">'
                       f'{time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)}</meta>', what)
    opf = sub_required(opf, r"<dc:date>[^<]*</dc:date>",
                       f"<dc:date>{time.strftime('%Y-%m-%d', stamp)}</dc:date>", what)
    opf = sub_required(opf, r'<meta property="ibooks:version">[^<]*</meta>',
                       f'<meta property="ibooks:version">{html.escape(version)}</meta>', what)
    opf = re.sub(r"\n\s*(?=\n)", "", _ITEM.sub(item, opf))  # no blank line where an item was
    return opf


def fix_ncx(ncx: str, identifier: str) -> str:
    """``toc.ncx`` naming the book by its identifier, as ``content.opf`` does.

    Sphinx writes ``epub_uid`` there, which must also be the XML id of ``<dc:identifier>``: a
    ``urn:uuid:`` identifier cannot be both (epubcheck NCX-001 otherwise).
    """
    return sub_required(ncx, r'<meta name="dtb:uid" content="[^"]*"/>',
                        f'<meta name="dtb:uid" content="{html.escape(identifier)}"/>',
                        "The NCX identifier (Sphinx's epub3 toc.ncx template)")


_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>\s*", re.S)
_EMPTY_PATH = re.compile(r"<path(?![^>]*\sd=)(?=[^>]*/>)")
_ID = re.compile(r'\sid="([^"]+)"')


def epub_svg(svg: str) -> str:
    """A matplotlib SVG as EPUB 3 accepts it; it draws the same picture.

    - no ``<!DOCTYPE ...>`` (EPUB 3 forbids external identifiers in content documents);
    - every ``<path>`` with a ``d``, empty where matplotlib wrote none (an empty glyph such as
      the space, a grid line with nothing in view: they draw nothing; SVG 1.1 requires ``d``);
    - ids made unique (matplotlib names an embedded image by a hash of its pixels, so two equal
      images share an id, which XML forbids); only ids nothing refers to are renamed.
    """
    svg = _DOCTYPE.sub("", svg, count=1)
    svg = _EMPTY_PATH.sub('<path d=""', svg)
    seen: dict[str, int] = {}

    def unique(m: re.Match[str]) -> str:
        name = m.group(1)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 1 or f"#{name}" in svg:
            return m.group(0)
        return f' id="{name}-{seen[name]}"'

    return _ID.sub(unique, svg)


def manifest_files(opf: str) -> list[str]:
    """Every file the package lists, in its order (hrefs unquoted)."""
    from urllib.parse import unquote

    return [unquote(m.group("href")) for m in _ITEM.finditer(opf)]


def write_zip(outdir: Path, target: Path, epoch: int) -> None:
    """Write the EPUB container: ``mimetype`` first and stored, then the package and its files,
    each with the same time (``epoch``, at least 1980: the zip format's first date)."""
    opf = (outdir / "content.opf").read_text(encoding="utf-8")
    names = ["META-INF/container.xml", "content.opf"]
    names += [n for n in manifest_files(opf) if n not in names]
    when = time.gmtime(max(epoch, 315532800))[:6]
    tmp = target.with_suffix(".epub.tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        def add(name: str, method: int) -> None:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, (outdir / name).read_bytes(), compresslevel=9 if method else None)

        add("mimetype", zipfile.ZIP_STORED)
        for name in names:
            add(name, zipfile.ZIP_DEFLATED)
    tmp.replace(target)


def finish_epub(app: Sphinx, exception: Exception | None) -> None:
    """Declare the pages' properties, fix the dates, and rewrite the ``.epub`` reproducibly."""
    if exception is not None or not is_epub(app):
        return
    outdir = Path(app.outdir)
    epoch = build_epoch()
    opf_path = outdir / "content.opf"
    opf = fix_package(opf_path.read_text(encoding="utf-8"), outdir, epoch,
                      app.config.version or book_version())
    opf_path.write_text(opf, encoding="utf-8")
    ncx_path = outdir / "toc.ncx"
    ncx_path.write_text(fix_ncx(ncx_path.read_text(encoding="utf-8"), app.config.epub_identifier),
                        encoding="utf-8")
    for name in manifest_files(opf):
        if name.endswith(".svg"):
            path = outdir / name
            text = path.read_text(encoding="utf-8")
            fixed = epub_svg(text)
            if fixed != text:
                path.write_text(fixed, encoding="utf-8")
    write_zip(outdir, outdir / f"{app.config.epub_basename}.epub", epoch)


def setup(app: Sphinx) -> None:
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", lend_version, priority=400)
    app.connect("builder-inited", return_version, priority=600)
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", on_html_page_context, priority=900)
    app.connect("build-finished", finish_epub, priority=450)
