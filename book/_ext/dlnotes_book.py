"""Sphinx glue for the dlnotes book: one configuration, two languages.

Loaded by the root ``conf.py``. It

- derives everything language-dependent from ``config.language`` (so ``-D language=zh_CN`` and
  the ``DLNOTES_LANGUAGE`` variable agree);
- keys the shared execution cache on the ``dlnotes`` sources and the kernel set-up, because
  jupyter-cache hashes only code cells (a change to the package must re-execute every page);
- links every page, generated ones included, to its twin in the other language;
- serves math, fonts and scripts from the site itself (KaTeX prerendered, fonts copied locally);
- fixes Chinese search on Sphinx 9.0.x (sphinx-doc/sphinx#14229) and splits Chinese queries
  against the index's own terms.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.search import languages as search_languages
from sphinx.search.zh import SearchChinese

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"

LANGS: dict[str, dict[str, str]] = {
    "en": {
        "dir": "en",
        "code": "en",
        "title": "dlnotes: Deep Learning Preliminaries with PyTorch",
        "twin_label": "English",
    },
    "zh": {
        "dir": "zh",
        "code": "zh-CN",
        "title": "dlnotes：深度学习预备知识（PyTorch 版）",
        "twin_label": "中文",
    },
}


def lang_key(language: str | None) -> str:
    """``"zh"`` for any Chinese ``language`` setting, else ``"en"``."""
    return "zh" if (language or "").lower().startswith("zh") else "en"


DESCRIPTIONS = {
    "en": "dlnotes, an executable book on deep learning preliminaries with PyTorch, in English and Chinese.",
    "zh": "dlnotes：用 PyTorch 学习深度学习预备知识的中英双语可执行在线书。",
}


def site_url() -> str:
    """Root URL of the deployed site, with a trailing slash (``DLNOTES_SITE_URL``).

    Used for canonical links, ``hreflang`` alternates, the sitemap and the 404 page. The
    default is the address ``make serve`` uses; the deploy workflow sets the real one.
    """
    url = os.environ.get("DLNOTES_SITE_URL", "http://127.0.0.1:8000/")
    return url if url.endswith("/") else url + "/"


def is_notebook(path: Path) -> bool:
    """Whether a source page is a MyST notebook (it has executable cells)."""
    try:
        head = path.read_text(encoding="utf-8").split("\n---", 1)[0]
    except OSError:
        return False
    return "\nfile_format: mystnb" in head


# ---------------------------------------------------------------- execution cache key
def _files_for_key() -> list[Path]:
    files = sorted((ROOT / "src" / "dlnotes").rglob("*.py"))
    files.append(ROOT / "book" / "_ipython" / "profile_default" / "ipython_kernel_config.py")
    return files


def execution_key() -> str:
    """A short hash of everything, besides a page's code, that shapes its outputs.

    The ``dlnotes`` sources, the kernel configuration, and the versions of Python and the
    packages that print or compute the outputs. The cache lives in a folder named by this key,
    so a change to any of them starts from an empty cache: no page shows stale output.
    """
    from importlib.metadata import version

    h = hashlib.sha256()
    for path in _files_for_key():
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for dist in ("torch", "numpy", "matplotlib", "pandas", "ipykernel", "myst-nb"):
        try:
            h.update(f"{dist}={version(dist)}\n".encode())
        except Exception:  # noqa: BLE001 - an absent optional package is part of the key too
            h.update(f"{dist}=absent\n".encode())
    h.update(sys.version.encode())
    h.update(repr(sorted(KERNEL_ENV.items())).encode())
    return h.hexdigest()[:16]


# Environment of the kernels that execute the pages; part of the execution key.
# One thread per kernel: `sphinx-build -j 2` runs two kernels at once on two cores, and
# oversubscribed threads made small training loops up to 50 times slower.
KERNEL_ENV = {
    "DLNOTES_BOOK_BUILD": "1",  # dlnotes.training.fit stays silent
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # Figures must reach the page whatever the caller set (the tests set Agg, say).
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}


def prepare_kernel_environment() -> None:
    """Environment inherited by the kernels that execute the pages.

    IPython writes history and runtime files into ``IPYTHONDIR``; the committed configuration
    is copied into the build folder so the source tree stays clean.
    """
    ipython_dir = BUILD / "ipython"
    profile = ipython_dir / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    src = ROOT / "book" / "_ipython" / "profile_default" / "ipython_kernel_config.py"
    dst = profile / src.name
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    os.environ.update(KERNEL_ENV)


def cache_path(key: str) -> Path:
    """The execution cache for ``key``; caches of older keys are removed.

    ``DLNOTES_CACHE_DIR`` moves the caches elsewhere (the reproducibility test builds twice,
    each time from an empty cache).
    """
    base = Path(os.environ.get("DLNOTES_CACHE_DIR", BUILD / "jupyter_cache"))
    path = base / key
    if base.is_dir():
        for old in base.iterdir():
            if old.name != key and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return path


def steady_katex_server() -> None:
    """Start sphinxcontrib-katex's node server so that it cannot hang or break the build.

    Replaces ``KaTeXServer.start_server_process`` (sphinxcontrib-katex 0.9.11) with the same
    steps and two changes: the server's stderr is discarded (it inherited the build's stderr,
    so a server that outlived its process kept a ``make html | tee`` or a test's captured
    output open for good), and connecting is retried until the deadline (the original connects
    as soon as the socket file exists, which on a loaded machine can be before node listens:
    "Connection refused"). The book is written serially (see ``on_builder_inited``), so there
    is one server, in the main process, stopped at exit.
    """
    import socket
    import subprocess
    import time

    from sphinxcontrib import katex

    def start_server_process(cls: Any, rundir: Path, timeout: float) -> tuple[Any, socket.socket]:
        socket_path = rundir / "katex.sock"
        process = subprocess.Popen(cls.build_command(socket=socket_path), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=rundir)
        deadline = time.monotonic() + timeout
        while True:
            if socket_path.is_socket():
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    sock.settimeout(max(deadline - time.monotonic(), 0.01))
                    sock.connect(str(socket_path))
                    sock.settimeout(None)
                    return process, sock
                except (ConnectionRefusedError, FileNotFoundError):
                    sock.close()
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise cls.timeout_error(timeout)
            time.sleep(0.01)

    katex.KaTeXServer.start_server_process = classmethod(start_server_process)  # type: ignore[assignment]


# ---------------------------------------------------------------- Chinese search
class ChineseSearch(SearchChinese):
    """Chinese search that works in the browser on Sphinx 9.0.x.

    Sphinx 9.0.4 writes ``window.Stemmer = ChineseStemmer`` into ``language_data.js`` while the
    file defines only ``EnglishStemmer`` (sphinx-doc/sphinx#14229), so the search page hangs.
    The stemmer really is the English one (for Latin words), so ``ChineseStemmer`` returns one;
    it is a function declaration, hoisted above the line that uses it. The browser does not
    segment Chinese queries either: ``splitQuery`` below cuts a run of Chinese characters into
    the longest terms that the index itself contains.
    """

    js_splitter_code = r"""
// Sphinx 9.0.4 sets window.Stemmer = ChineseStemmer; a hoisted declaration gives it one.
function ChineseStemmer() { return new EnglishStemmer(); }
function splitQuery(query) {
  const index = (typeof Search !== "undefined" && Search._index) ? Search._index : null;
  const terms = index ? index.terms : {};
  const has = (t) => Object.prototype.hasOwnProperty.call(terms, t);
  const cjk = /[\u3400-\u9fff\uf900-\ufaff]/;
  const out = [];
  const runs = query.match(/[\u3400-\u9fff\uf900-\ufaff]+|[\p{L}\p{N}_]+/gu) || [];
  for (const run of runs) {
    if (!cjk.test(run) || has(run)) { out.push(run); continue; }
    let i = 0;
    while (i < run.length) {
      let j = run.length;
      while (j > i + 1 && !has(run.slice(i, j))) j--;
      out.push(run.slice(i, j));
      i = j;
    }
  }
  return out.filter((t) => t.length > 0);
}
"""


# ---------------------------------------------------------------- Chinese line breaks
# Source paragraphs are wrapped at about 100 columns. Between two Chinese characters a line break
# is not a space, but HTML renders it as one; the zh build removes such breaks from the text.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_SKIP_PARENTS = (nodes.literal_block, nodes.literal, nodes.math, nodes.math_block, nodes.raw,
                 nodes.comment)


def _neighbour_text(node: nodes.Node, forward: bool) -> str:
    """The first (or last) character of the text next to ``node`` in its parent.

    Found by identity: docutils' ``index`` compares Text nodes as strings, and many of them
    are the same one-character string "\\n".
    """
    siblings = node.parent.children if node.parent is not None else []
    i = next((k for k, child in enumerate(siblings) if child is node), None)
    if i is None:
        return ""
    step = 1 if forward else -1
    j = i + step
    while 0 <= j < len(siblings):  # the nearest sibling with text (skip emptied breaks)
        text = siblings[j].astext()
        if text:
            return text[:1] if forward else text[-1:]
        j += step
    return ""


def join_chinese_lines(app: Sphinx, doctree: nodes.document, docname: str = "") -> None:
    """Drop line breaks between Chinese characters (zh build only).

    Runs on the resolved doctree, when cross-references already show their Chinese titles.
    """
    if lang_key(app.config.language) != "zh":
        return
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, _SKIP_PARENTS) or "\n" not in text:
            continue
        # MyST gives each soft line break a Text node of its own: look at the neighbours too.
        before = _neighbour_text(text, forward=False)
        after = _neighbour_text(text, forward=True)
        joined = _CJK_BREAK.sub("", before + str(text) + after)  # removes whitespace only
        new = joined[len(before) : len(joined) - len(after)]
        if new != str(text):  # replace by identity (parent.replace compares as strings)
            k = next(k for k, child in enumerate(parent.children) if child is text)
            parent.children[k] = nodes.Text(new)
            parent.children[k].parent = parent


# ---------------------------------------------------------------- configuration
def on_config_inited(app: Sphinx, config: Config) -> None:
    key = lang_key(config.language)
    info = LANGS[key]
    config.html_title = info["title"]
    config.project = info["title"]
    config.html_baseurl = site_url() + info["dir"] + "/"
    if key == "zh":
        config.html_search_language = "zh"
        config.html_search_options = {"dict": str(ROOT / "book" / "zh_dict.txt")}
    # Everything language-independent but run-dependent.
    prepare_kernel_environment()
    exec_key = execution_key()
    config.dlnotes_execution_key = exec_key
    config.nb_execution_cache_path = str(cache_path(exec_key))


def on_builder_inited(app: Sphinx) -> None:
    """Copy KaTeX's stylesheet and fonts (woff2) from node_modules into the site."""
    if app.builder.format != "html":
        return
    # Pages are read (and executed) in parallel with -j 2 but written serially: parallel writing
    # forks workers after torch is loaded, each with a KaTeX server that its atexit never stops,
    # and in one clean-clone run wrote no zh pages at all. Serial writing costs a few seconds.
    app.builder.allow_parallel = False  # type: ignore[misc]
    dist = ROOT / "node_modules" / "katex" / "dist"
    if not (dist / "katex.min.css").is_file():
        raise RuntimeError(
            "KaTeX's stylesheet is missing: run `npm ci` in the repository root "
            "(the Makefile does this on first use)."
        )
    out = BUILD / "site-static" / "katex"  # listed in conf.py's html_static_path
    (out / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dist / "katex.min.css", out / "katex.min.css")
    for font in sorted((dist / "fonts").glob("*.woff2")):
        target = out / "fonts" / font.name
        if not target.exists():
            shutil.copyfile(font, target)


def twin_url(pagename: str, other_dir: str) -> str:
    """Relative URL from page ``pagename`` to the same page in the sibling language folder."""
    depth = pagename.count("/")
    return "../" * (depth + 1) + f"{other_dir}/{pagename}.html"


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    key = lang_key(app.config.language)
    other = "en" if key == "zh" else "zh"
    if "body" in context:
        # myst-nb labels the toggle of a hidden cell "Toggle hidden content", which hides its
        # visible text ("Show code cell content") from screen readers (axe:
        # label-content-name-mismatch); without the label the visible text is the name.
        context["body"] = context["body"].replace(
            '<summary aria-label="Toggle hidden content">', "<summary>")
    url = twin_url(pagename, LANGS[other]["dir"])
    context["dlnotes_twin_url"] = url
    context["dlnotes_twin_lang"] = LANGS[other]["code"]
    context["dlnotes_twin_label"] = LANGS[other]["twin_label"]
    context["dlnotes_twin_title"] = (
        "Read this page in English" if other == "en" else "阅读本页的中文版"
    )
    base = site_url()
    context["metatags"] = context.get("metatags", "") + (
        f'<link rel="alternate" hreflang="{LANGS[key]["code"]}" '
        f'href="{base}{LANGS[key]["dir"]}/{pagename}.html" />\n'
        f'<link rel="alternate" hreflang="{LANGS[other]["code"]}" '
        f'href="{base}{LANGS[other]["dir"]}/{pagename}.html" />\n'
    )
    if 'name="description"' not in context["metatags"]:
        desc = html.escape(DESCRIPTIONS[key], quote=True)
        context["metatags"] += f'<meta name="description" content="{desc}" />\n'
    src = Path(app.env.doc2path(pagename)) if pagename in app.env.all_docs else None
    if src is not None and is_notebook(src):
        WRITTEN_NOTEBOOK_PAGES.add(pagename)
        context["dlnotes_notebook_url"] = context["pathto"](f"_notebooks/{pagename}.ipynb", 1)
        context["dlnotes_notebook_title"] = (
            "下载本页的 Jupyter 笔记本（含输出）" if key == "zh"
            else "Download this page as a Jupyter notebook (with outputs)"
        )


# Notebook pages whose HTML this build wrote (their .ipynb may need writing too).
WRITTEN_NOTEBOOK_PAGES: set[str] = set()


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write each notebook page as ``_notebooks/DOC.ipynb``: this language's text, with outputs.

    The code cells and their outputs come from the shared execution cache, so the download
    shows what the page shows. Only pages written in this build (or missing a notebook) are
    done, so a rebuild with nothing changed does no work here.
    """
    if exception is not None or app.builder.format != "html":
        return
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(app.config.nb_execution_cache_path)
    for docname in sorted(app.env.found_docs):
        src = Path(app.env.doc2path(docname))
        out = Path(app.outdir) / "_notebooks" / f"{docname}.ipynb"
        if not is_notebook(src) or (docname not in WRITTEN_NOTEBOOK_PAGES and out.exists()):
            continue
        nb = read_myst_markdown_notebook(src.read_text(encoding="utf-8"))
        try:
            _, nb = cache.merge_match_into_notebook(nb)
        except KeyError:
            pass  # not executed (cache off): the notebook still has its code
        nb.metadata.pop("source_map", None)
        nb.metadata.pop("myst", None)
        nb.metadata.pop("file_format", None)
        out.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(nb)
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    search_languages["zh"] = ChineseSearch
    steady_katex_server()
    # Changing the key re-reads every page (its outputs may differ now).
    app.add_config_value("dlnotes_execution_key", "", "env", types=(str,))
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("doctree-resolved", join_chinese_lines)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", write_notebooks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
