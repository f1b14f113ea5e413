"""Each notebook page can be downloaded as a Jupyter notebook, in its language, with outputs.

Hooks two events:

- ``html-page-context``: a notebook page gets a link to ``_notebooks/DOC.ipynb``
  (``book/_templates/download-notebook.html``), and is remembered as written in this build;
- ``build-finished``: each such page is written as ``_notebooks/DOC.ipynb``, its text in this
  language and its code cells with the outputs from the shared execution cache, so the download
  shows what the page shows. Pages not written in this build keep their notebook.

The page is read exactly as myst-nb read it (its reader and the app's MyST configuration, through
``myst_nb.core.read``, an internal module: version-guarded), so it matches its cache record. A
page with code that has no record in the cache fails the build: a download never ships without
its outputs.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import yaml
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from .guards import require_version
from .languages import lang_key

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


def read_like_myst_nb(app: Sphinx, src: Path) -> Any:
    """The notebook of page ``src``, read with myst-nb's reader and the app's configuration."""
    require_version("myst-nb", MYST_NB_WRITTEN_FOR,
                    "Notebook downloads (myst_nb.core.read.create_nb_reader, env.mystnb_config)")
    from myst_nb.core.read import create_nb_reader

    text = src.read_text(encoding="utf-8")
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
    return nb


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write ``_notebooks/DOC.ipynb`` for the notebook pages written in this build."""
    if exception is not None or app.builder.format != "html":
        return
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
        out.parent.mkdir(parents=True, exist_ok=True)
        text: str = nbformat.writes(nb)  # type: ignore[no-untyped-call]
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", write_notebooks)  # its failure stays visible: katex_local
