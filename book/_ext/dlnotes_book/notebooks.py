"""Each notebook page can be downloaded as a Jupyter notebook, in its language, with outputs.

Hooks three events:

- ``source-read``: ``|dlnotes-wheel-url|`` in a page becomes the URL of the ``dlnotes`` wheel that
  ``tools/finish_site.py`` publishes on the site (the installation page's ``pip install`` line);
- ``html-page-context``: a notebook page gets a link to ``_notebooks/DOC.ipynb``
  (``book/_templates/download-notebook.html``), and is remembered as written in this build;
- ``build-finished``: each such page is written as ``_notebooks/DOC.ipynb``, its text in this
  language and its code cells with the outputs from the shared execution cache, so the download
  shows what the page shows. Pages not written in this build keep their notebook.

A download is made for a reader with plain Jupyter (VS Code, Colab), not for the build:

- its first cell says, in the page's language, what it needs (torch, ``dlnotes`` and the extras
  its code imports), the one ``pip install`` line that installs ``dlnotes`` from the site, and the
  torch and ``dlnotes`` versions it was executed with;
- its Markdown is converted to plain Jupyter Markdown (:mod:`.notebook_markdown`): links to the
  site with their titles, glued values, no labels or directives. Anything MyST-only left over
  fails the build;
- ``from myst_nb import glue`` becomes a ``try``/``except ImportError`` that defines a stand-in
  ``glue``, so the hidden cells that glue numbers run without myst-nb (any other use of myst-nb
  in a code cell fails the build). Every cell and output stays; ``raises-exception`` tags too.
  A figure keeps its SVG; the PDF copy the kernels also make (for the PDF edition) is dropped.

The page is read exactly as myst-nb read it (its reader and the app's MyST configuration, through
``myst_nb.core.read``, an internal module: version-guarded; glued values are formatted with
myst-nb's own ``myst_nb.core.variables.format_plain_text``, and included files read with Sphinx's
``LiteralIncludeReader``, both guarded too), so it matches its cache record. A
page with code that has no record in the cache fails the build: a download never ships without
its outputs.
"""

from __future__ import annotations

import posixpath
import re
import weakref
from pathlib import Path
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from .guards import installed_version, require_version
from .languages import LANGS, lang_key, site_url
from .notebook_markdown import ConversionError, Context, convert, myst_leftovers
from .paths import ROOT, write_if_changed

MYST_NB_WRITTEN_FOR = ("1.4.0",)

# Notebook pages whose HTML this build wrote, per Sphinx application.
_written: weakref.WeakKeyDictionary[Sphinx, set[str]] = weakref.WeakKeyDictionary()


def front_matter(path: Path) -> dict[str, Any]:
    """The YAML front matter of a Markdown page (empty if it has none or is unreadable)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def is_notebook(path: Path) -> bool:
    """Whether a source page is a MyST notebook (``file_format: mystnb`` in its front matter)."""
    return front_matter(path).get("file_format") == "mystnb"


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename not in app.env.all_docs or not is_notebook(Path(app.env.doc2path(pagename))):
        return
    _written.setdefault(app, set()).add(pagename)
    context["dlnotes_notebook_url"] = context["pathto"](f"_notebooks/{pagename}.ipynb", 1)
    context["dlnotes_notebook_title"] = (
        "下载本页的 Jupyter 笔记本（含输出）" if lang_key(app.config.language) == "zh"
        else "Download this page as a Jupyter notebook (with outputs)"
    )


WHEEL_URL_PLACEHOLDER = "|dlnotes-wheel-url|"
SPHINX_WRITTEN_FOR = ("9.0.4",)

# Import name in a code cell -> the package a reader installs for it (the extras the
# installation page names). torch and dlnotes are always needed.
EXTRAS = {"pandas": "pandas", "sklearn": "scikit-learn", "tqdm": "tqdm"}

GLUE_IMPORT = re.compile(r"^(?P<indent>[ \t]*)from myst_nb import glue[ \t]*(?:#.*)?$", re.M)
GLUE_STAND_IN = """\
{i}try:
{i}    from myst_nb import glue
{i}except ImportError:  # outside the book's build: glue() only fed numbers to the page's text
{i}    def glue(name, variable, display=True):
{i}        if display:
{i}            from IPython.display import display as _display
{i}            _display(variable)"""


def dlnotes_version() -> str:
    """The version of the ``dlnotes`` source (``__version__`` in ``src/dlnotes/__init__.py``)."""
    text = (ROOT / "src" / "dlnotes" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r"^__version__ = [\"']([^\"']+)[\"']", text, flags=re.M)
    if m is None:
        raise ExtensionError("src/dlnotes/__init__.py has no __version__ = '...' line")
    return m.group(1)


def wheel_name(version: str | None = None) -> str:
    """File name of the ``dlnotes`` wheel (pure Python, any platform)."""
    return f"dlnotes-{version or dlnotes_version()}-py3-none-any.whl"


def wheel_url() -> str:
    """URL of the ``dlnotes`` wheel on the site (``dist/`` at the site's root)."""
    return f"{site_url()}dist/{wheel_name()}"


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if WHEEL_URL_PLACEHOLDER in source[0]:
        source[0] = source[0].replace(WHEEL_URL_PLACEHOLDER, wheel_url())


def read_like_myst_nb(app: Sphinx, src: Path) -> Any:
    """The notebook of page ``src``, read with myst-nb's reader and the app's configuration."""
    require_version("myst-nb", MYST_NB_WRITTEN_FOR,
                    "Notebook downloads (myst_nb.core.read.create_nb_reader, env.mystnb_config)")
    from myst_nb.core.read import create_nb_reader

    text = src.read_text(encoding="utf-8").replace(WHEEL_URL_PLACEHOLDER, wheel_url())
    reader = create_nb_reader(str(src), app.env.myst_config, app.env.mystnb_config, text)  # type: ignore[attr-defined]
    if reader is None:
        raise ExtensionError(f"{src}: myst-nb does not read this page as a notebook")
    return reader.read(text)


def with_outputs(nb: Any, cache: Any, docname: str) -> Any:
    """``nb`` with the outputs of its cache record; fails if a notebook with code has none."""
    try:
        _, nb = cache.merge_match_into_notebook(nb)
    except KeyError:
        if any(cell.cell_type == "code" for cell in nb.cells):
            raise ExtensionError(
                f"{docname}: the execution cache has no record of this page, so its notebook "
                "download would have no outputs (was execution turned off, did the page fail, or "
                "was its code edited during the build?)"
            ) from None
    # The kernels also make a PDF of each figure, for the PDF edition only (the kernel config):
    # a reader's notebook keeps the SVG that the page shows.
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            output.get("data", {}).pop("application/pdf", None)
    return nb


def glue_data(nb: Any) -> dict[str, dict[str, Any]]:
    """The glued values of an executed notebook: key -> MIME bundle (the ``scrapbook``
    metadata that ``myst_nb.glue`` writes on its display output, prefix removed)."""
    data: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = output.get("metadata", {}).get("scrapbook")
            if meta:
                cut = len(meta.get("mime_prefix", ""))
                data[meta["name"]] = {k[cut:]: v for k, v in output.get("data", {}).items()}
    return data


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def markdown_context(app: Sphinx, docname: str, nb: Any) -> Context:
    """How :func:`.notebook_markdown.convert` resolves references, glue and includes for a page."""
    key = lang_key(app.config.language)
    base = f"{site_url()}{LANGS[key]['dir']}/"
    std = app.env.get_domain("std")
    math = app.env.get_domain("math")
    glued = glue_data(nb)

    def url(target_doc: str, anchor: str = "") -> str:
        return f"{base}{target_doc}.html" + (f"#{anchor}" if anchor else "")

    def link(role: str, target: str) -> tuple[str, str]:
        if role == "doc":
            name = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target)) \
                if not target.startswith("/") else target.lstrip("/")
            if name not in app.env.titles:
                raise ConversionError(f"{{doc}}`{target}`: no such page")
            return app.env.titles[name].astext(), url(name)
        if role == "eq":
            if target not in math.equations:  # type: ignore[attr-defined]
                raise ConversionError(f"{{eq}}`{target}`: no such equation")
            target_doc, number = math.equations[target]  # type: ignore[attr-defined]
            return str(number), url(target_doc, f"equation-{target}")
        if role == "term":  # as Sphinx resolves it: the exact term, else ignoring case
            terms = {name: place for (objtype, name), place in std.objects.items()  # type: ignore[attr-defined]
                     if objtype == "term"}
            place = terms.get(target) or next(
                (p for name, p in terms.items() if name.lower() == target.lower()), None)
            if place is None:
                raise ConversionError(f"{{term}}`{target}`: no such glossary term")
            return target, url(*place)
        label = target.lower()
        if label in std.labels:  # type: ignore[attr-defined]
            target_doc, labelid, title = std.labels[label]  # type: ignore[attr-defined]
            return title, url(target_doc, labelid)
        if label in std.anonlabels:  # type: ignore[attr-defined]
            raise ConversionError(f"{{{role}}}`{target}`: the label has no title; give the "
                                  f"reference one ({{{role}}}`title <{target}>`)")
        raise ConversionError(f"{{{role}}}`{target}`: no such label")

    def glue(kind: str, name: str, fmt: str) -> str:
        if name not in glued:
            raise ConversionError(f"glue key {name!r} is not glued in this page")
        bundle = glued[name]
        if kind == "md":
            if "text/markdown" not in bundle:
                raise ConversionError(f"glue key {name!r} has no text/markdown data")
            return _text(bundle["text/markdown"])
        if "text/plain" not in bundle:
            raise ConversionError(f"glue key {name!r} has no text/plain data")
        require_version("myst-nb", MYST_NB_WRITTEN_FOR,
                        "Notebook downloads (myst_nb.core.variables.format_plain_text)")
        from myst_nb.core.variables import format_plain_text

        return format_plain_text(_text(bundle["text/plain"]), fmt or "s")

    def include(argument: str, options: dict[str, str]) -> tuple[str, str]:
        require_version("sphinx", SPHINX_WRITTEN_FOR,
                        "Notebook downloads (sphinx.directives.code.LiteralIncludeReader)")
        from sphinx.directives.code import LiteralIncludeReader

        _, filename = app.env.relfn2path(argument, docname)
        opts: dict[str, Any] = {k: v for k, v in options.items() if k != "language"}
        for number in ("dedent", "lineno-start", "tab-width"):
            if number in opts:
                opts[number] = int(opts[number]) if opts[number] else None
        code, _ = LiteralIncludeReader(filename, opts, app.config).read()
        return code, options.get("language", "")

    def equation_number(label: str) -> int | None:
        found = math.equations.get(label)  # type: ignore[attr-defined]
        return None if found is None else found[1]

    def anchor(label: str) -> str | None:
        found = std.labels.get(label.lower())  # type: ignore[attr-defined]
        return None if found is None else url(found[0], found[1])

    def page_url(target: str) -> str | None:
        path, _, fragment = target.partition("#")
        name = posixpath.normpath(posixpath.join(posixpath.dirname(docname), path))
        name = name.rsplit(".", 1)[0]
        return url(name, fragment) if name in app.env.all_docs else None

    return Context(lang=key, link=link, glue=glue, include=include,
                   equation_number=equation_number, anchor=anchor, page_url=page_url)


def extras_used(nb: Any) -> list[str]:
    """The optional packages (pip names) that the notebook's code imports."""
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    return [pip for module, pip in EXTRAS.items()
            if re.search(rf"^\s*(import|from)\s+{module}\b", code, flags=re.M)]


def intro_markdown(lang: str, extras: list[str], torch_version: str, version: str,
                   installation_url: str) -> str:
    """The first cell of a download: what it needs, how to install it, what it ran with."""
    pip = " ".join(["pip install", wheel_url(), *extras])
    if lang == "zh":
        needs = "、".join(["PyTorch", "本书的配套包 `dlnotes`", *extras])
        return (
            f"**运行本笔记本**需要 {needs}。请先按"
            f"[安装]({installation_url})一节装好 PyTorch，再运行：\n\n"
            f"```bash\n{pip}\n```\n\n"
            f"这份笔记本中的输出是用 torch {torch_version} 和 dlnotes {version} 运行得到的。"
            "标有 `raises-exception` 的单元格会故意报错，在 JupyterLab 中“全部运行”时会越过它们继续执行。"
        )
    items = ["PyTorch", "the book's package `dlnotes`", *extras]
    needs = ", ".join(items[:-1]) + " and " + items[-1]
    return (
        f"**To run this notebook** you need {needs}. "
        f"Install PyTorch first (see [Installation]({installation_url})), then:\n\n"
        f"```bash\n{pip}\n```\n\n"
        f"The outputs in this notebook were computed with torch {torch_version} and dlnotes "
        f"{version}. Cells tagged `raises-exception` fail on purpose; JupyterLab's \"Run All\" "
        "goes on past them."
    )


def for_readers(app: Sphinx, docname: str, nb: Any) -> Any:
    """``nb`` (read and with outputs) made for a reader with plain Jupyter: an introduction
    first, plain Markdown, glue that works without myst-nb. Fails the build on anything left."""
    import nbformat

    ctx = markdown_context(app, docname, nb)
    src = app.env.doc2path(docname)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"  # nbformat's default ids are random: two builds would differ
        if cell.cell_type == "markdown":
            try:
                cell.source = convert(cell.source, ctx)
            except ConversionError as exc:
                raise ExtensionError(f"{src}: notebook download, Markdown cell {index}: {exc}") from None
            left = myst_leftovers(cell.source)
            if left:
                raise ExtensionError(
                    f"{src}: notebook download, Markdown cell {index} still has MyST-only syntax "
                    f"after conversion ({'; '.join(left[:3])}); extend "
                    "book/_ext/dlnotes_book/notebook_markdown.py"
                )
        elif cell.cell_type == "code":
            cell.source, stand_ins = GLUE_IMPORT.subn(
                lambda m: GLUE_STAND_IN.format(i=m.group("indent")), cell.source)
            if len(re.findall(r"\bmyst_nb\b", cell.source)) != stand_ins:
                raise ExtensionError(
                    f"{src}: notebook download, code cell {index} uses myst_nb other than "
                    "`from myst_nb import glue` on a line of its own; a reader does not have it"
                )
    torch_version = installed_version("torch") or "?"
    installation = f"{site_url()}{LANGS[ctx.lang]['dir']}/installation.html"
    intro = nbformat.v4.new_markdown_cell(  # type: ignore[no-untyped-call]
        intro_markdown(ctx.lang, extras_used(nb), torch_version, dlnotes_version(), installation))
    intro.id = "dlnotes-run-this-notebook"
    intro.metadata = {"tags": ["dlnotes-intro"]}
    nb.cells.insert(0, intro)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write ``_notebooks/DOC.ipynb`` for the notebook pages written in this build."""
    if exception is not None or app.builder.format != "html" or app.builder.name == "epub":
        return  # the EPUB edition links no downloads (and would list them in its manifest)
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(app.config.nb_execution_cache_path)
    written = _written.get(app, set())
    for docname in sorted(app.env.found_docs):
        src = Path(app.env.doc2path(docname))
        out = Path(app.outdir) / "_notebooks" / f"{docname}.ipynb"
        if not is_notebook(src) or (docname not in written and out.exists()):
            continue
        nb = with_outputs(read_like_myst_nb(app, src), cache, docname)
        for key in ("source_map", "myst", "file_format"):
            nb.metadata.pop(key, None)
        nb = for_readers(app, docname, nb)
        write_if_changed(out, nbformat.writes(nb))  # type: ignore[no-untyped-call]


def setup(app: Sphinx) -> None:
    app.connect("source-read", on_source_read)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", write_notebooks)  # its failure stays visible: katex_local
