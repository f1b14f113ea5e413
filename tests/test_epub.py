"""The EPUB edition (issue 12): ``make epub`` gives a valid EPUB 3 per language.

The book tests (marked ``book``) build both editions once per session with ``make epub`` after
``make html`` (the ``built_site`` fixture), so the epub build reuses the execution cache: the
log must show no notebook executed. ``DLNOTES_TEST_EPUB=DIR`` tests the EPUBs already in ``DIR``
(``dlnotes-en.epub``, ``dlnotes-zh.epub``) instead. Each check is a function that returns its
findings, and each is shown to fail on a copy of the EPUB with a fault put in.

epubcheck (Debian's ``epubcheck``, run with Java) missing makes its tests skip, visibly, with
the install hint; with ``CI`` set they fail instead.

The unmarked tests at the end exercise ``book/_ext/dlnotes_book/epub.py`` piece by piece.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from conftest import skip_or_fail as _skip_or_fail
from docutils import nodes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from dlnotes_book import dates, epub  # noqa: E402
from dlnotes_book.guards import InternalsChanged  # noqa: E402

LANG_CODES = {"en": "en", "zh": "zh-CN"}
OPF_NS = "{http://www.idpf.org/2007/opf}"
MML = "{http://www.w3.org/1998/Math/MathML}"
XHTML = "application/xhtml+xml"


# ------------------------------------------------------------------------- the build
@pytest.fixture(scope="session")
def epub_build(built_site: Path) -> tuple[Path, str | None]:
    """``make epub`` after ``make html`` (``built_site``); the folder and the build log.

    ``DLNOTES_TEST_EPUB=DIR`` uses the EPUBs in ``DIR`` instead (no log then).
    """
    prebuilt = os.environ.get("DLNOTES_TEST_EPUB")
    if prebuilt:
        return Path(prebuilt).resolve(), None
    env = dict(os.environ, VENV=sys.prefix)
    proc = subprocess.run(["make", "--no-print-directory", "epub", f"VENV={sys.prefix}"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    (ROOT / "_build" / "test-epub-build.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        pytest.fail(f"`make epub` failed ({proc.returncode}):\n{log[-6000:]}", pytrace=False)
    return ROOT / "_build" / "epub", log


@pytest.fixture(scope="session")
def epub_dir(epub_build: tuple[Path, str | None]) -> Path:
    return epub_build[0]


def book(epub_dir: Path, lang: str) -> Path:
    path = epub_dir / f"dlnotes-{lang}.epub"
    assert path.is_file(), f"no {path.name} in {epub_dir}"
    return path


def edit_copy(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes | None]]) -> Path:
    """A copy of the EPUB ``src`` with each named entry replaced by ``edit(old)`` (dropped if
    that is ``None``), written as a valid container (``mimetype`` first, stored)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data: bytes | None = old.read(info)
            if info.filename in edits:
                data = edits[info.filename](data)  # type: ignore[arg-type]
            if data is not None:
                new.writestr(info, data)
    return dst


# ------------------------------------------------------------------------- the checks
def package(z: zipfile.ZipFile) -> tuple[str, ET.Element]:
    """The package document's path and root (found through ``META-INF/container.xml``)."""
    container = ET.fromstring(z.read("META-INF/container.xml"))
    path = next(el.get("full-path") for el in container.iter() if el.tag.endswith("rootfile"))
    assert path, "META-INF/container.xml names no package document"
    return path, ET.fromstring(z.read(path))


def manifest(z: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    """(href, media type, properties) of every manifest item, hrefs relative to the zip root."""
    path, opf = package(z)
    base = path.rpartition("/")[0]
    return [((f"{base}/" if base else "") + unquote(el.get("href", "")), el.get("media-type", ""),
             el.get("properties", "")) for el in opf.iter(f"{OPF_NS}item")]


def container_problems(path: Path) -> list[str]:
    """The zip is an EPUB container: ``mimetype`` first, stored, right content; fixed dates."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        problems = []
        if not infos or infos[0].filename != "mimetype":
            problems.append(f"{path.name}: the first entry is {infos[0].filename if infos else None!r}, "
                            "expected 'mimetype'")
        elif infos[0].compress_type != zipfile.ZIP_STORED or z.read("mimetype") != b"application/epub+zip":
            problems.append(f"{path.name}: mimetype must be stored uncompressed and read "
                            "'application/epub+zip'")
        dates = {i.date_time for i in infos}
        if len(dates) != 1:
            problems.append(f"{path.name}: the entries carry {len(dates)} different dates, expected one")
        return problems


def lang_problems(path: Path, code: str) -> list[str]:
    """``code`` is the package's language and every content document's ``lang``/``xml:lang``."""
    problems = []
    with zipfile.ZipFile(path) as z:
        _, opf = package(z)
        langs = [el.text for el in opf.iter("{http://purl.org/dc/elements/1.1/}language")]
        if langs != [code]:
            problems.append(f"content.opf: dc:language is {langs}, expected [{code!r}]")
        for href, kind, _ in manifest(z):
            if kind != XHTML:
                continue
            root = ET.fromstring(z.read(href))
            got = (root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"))
            if got != (code, code):
                problems.append(f"{href}: <html> has lang={got[0]!r} xml:lang={got[1]!r}, expected {code!r}")
    return problems


_EXTERNAL = re.compile(r"""(?:src|href|xlink:href|poster|data)\s*=\s*["']\s*(?:https?:)?//([^/"']+)"""
                       r"""|url\(\s*["']?\s*(?:https?:)?//([^/"')]+)|@import\s+["']?(?:https?:)?//([^/"';]+)""",
                       re.I)


def script_and_host_problems(path: Path) -> list[str]:
    """No scripts or form controls (reading systems need not run JavaScript) and no resource or
    link that names another host, in any file of the book."""
    problems = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".js"):
                problems.append(f"{name}: a script file in the book")
            if not name.endswith((".xhtml", ".html", ".css", ".svg", ".opf", ".ncx")):
                continue
            text = z.read(name).decode("utf-8", errors="replace")
            for tag in ("script", "form", "input", "button", "iframe"):
                if re.search(rf"<{tag}[\s>/]", text):
                    problems.append(f"{name}: a <{tag}> element")
            for m in _EXTERNAL.finditer(text):
                host = next(g for g in m.groups() if g)
                problems.append(f"{name}: refers to another host, {host} ({m.group(0)[:80]})")
    return problems


def mathml_problems(path: Path) -> list[str]:
    """Math is MathML (no KaTeX HTML, no TeX source left), declared in the manifest."""
    problems = []
    pages = 0
    with zipfile.ZipFile(path) as z:
        for href, kind, props in manifest(z):
            if kind != XHTML:
                continue
            text = z.read(href).decode("utf-8")
            has = "<math" in text
            pages += has
            if has != ("mathml" in props.split()):
                problems.append(f"{href}: {'has' if has else 'has no'} MathML but the manifest "
                                f"declares properties={props!r}")
            if "katex-html" in text:
                problems.append(f"{href}: KaTeX's HTML rendering (it needs KaTeX's stylesheet and fonts)")
            if re.search(r"\\\(|\\\[|\$\$", re.sub(r"<annotation[^>]*>.*?</annotation>", "", text, flags=re.S)):
                problems.append(f"{href}: TeX delimiters outside MathML (math not rendered)")
    if not pages:
        problems.append(f"{path.name}: no page has MathML")
    return problems


def images_in(z: zipfile.ZipFile) -> set[str]:
    """The ``_images/`` file names that the EPUB's pages show and its manifest lists."""
    listed = {href for href, _, _ in manifest(z)}
    shown = set()
    for href in listed:
        if href.endswith(".xhtml"):
            for src in re.findall(r'<img [^>]*src="([^"]+)"', z.read(href).decode("utf-8")):
                name = unquote(src).rpartition("/")[2]
                if f"_images/{name}" in listed and f"_images/{name}" in z.namelist():
                    shown.add(name)
    return shown


def missing_figures(site_lang: Path, path: Path) -> list[str]:
    """The figures of the HTML edition (``site_lang``: ``_build/html/en``) the EPUB lacks."""
    html_images = set()
    for page in site_lang.rglob("*.html"):
        if {"_static", "_sources", "_notebooks", "jupyter_execute"} & set(page.relative_to(site_lang).parts):
            continue
        for src in re.findall(r'<img [^>]*src="([^"]+)"', page.read_text(encoding="utf-8")):
            if "_images/" in src:
                html_images.add(unquote(src).rpartition("/")[2])
    with zipfile.ZipFile(path) as z:
        shown = images_in(z)
    return [f"{path.name}: figure {name} of the HTML edition is not shown in the EPUB"
            for name in sorted(html_images - shown)]


def math_reading(el: ET.Element) -> str:
    """A MathML element as a line of text with its structure: ``(a)/(b)``, ``√(x)``, ``x^(2)``."""
    tag = el.tag.removeprefix(MML)
    kids = [math_reading(c) for c in el if c.tag != f"{MML}annotation"]
    if tag == "mfrac":
        return f"({kids[0]})/({kids[1]})"
    if tag == "msqrt":
        return f"√({''.join(kids)})"
    if tag == "msup":
        return f"{kids[0]}^({kids[1]})"
    if tag == "msub":
        return f"{kids[0]}_({kids[1]})"
    if tag in ("mi", "mo", "mn", "mtext"):
        return (el.text or "").strip()
    return "".join(kids)


def formula(path: Path, page: str, tex: str) -> str:
    """How the formula written ``tex`` on ``page`` reads in the EPUB (see :func:`math_reading`)."""
    with zipfile.ZipFile(path) as z:
        text = z.read(page).decode("utf-8")
    for m in re.finditer(r"<math .*?</math>", text, re.S):
        root = ET.fromstring(m.group(0))
        ann = [a.text for a in root.iter(f"{MML}annotation")]
        if ann and ann[0] is not None and ann[0].strip() == tex:
            return math_reading(root)
    raise AssertionError(f"{page}: no MathML formula with the TeX {tex!r}")


def epubcheck_command() -> list[str]:
    exe, java = shutil.which("epubcheck"), shutil.which("java")
    if exe is None or java is None:
        _skip_or_fail("epubcheck or Java is missing (apt-get install epubcheck default-jre-headless)")
    real = Path(exe).resolve()  # type: ignore[arg-type]
    # Debian's epubcheck is a jar marked executable (it runs through binfmt_misc, if set up)
    return [java, "-jar", str(real)] if real.suffix == ".jar" else [str(exe)]  # type: ignore[list-item]


def epubcheck(path: Path) -> list[str]:
    """epubcheck's fatal errors, errors and warnings for the EPUB at ``path``."""
    proc = subprocess.run([*epubcheck_command(), str(path)], capture_output=True, text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    found = [line for line in out.splitlines() if re.match(r"(FATAL|ERROR|WARNING)\(", line)]
    if proc.returncode != 0 and not found:
        found = [f"epubcheck exited with {proc.returncode}: {out[-2000:]}"]
    return found


# ------------------------------------------------------------------------- book tests
@pytest.mark.book
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_editions_exist_as_epub_containers(epub_dir: Path, lang: str) -> None:
    path = book(epub_dir, lang)
    assert container_problems(path) == []
    assert (ROOT / "_build" / "html" / "editions" / path.name).read_bytes() == path.read_bytes() \
        or os.environ.get("DLNOTES_TEST_EPUB"), "make epub copies the book to _build/html/editions"


@pytest.mark.book
def test_the_epub_build_executes_no_notebook(epub_build: tuple[Path, str | None]) -> None:
    log = epub_build[1]
    if log is None:
        pytest.skip("DLNOTES_TEST_EPUB: the EPUBs were built before this session (no log)")
    executed = re.findall(r"Executing notebook|Executed notebook in", log)
    cached = re.findall(r"Using cached notebook", log)
    assert not executed, (
        f"after make html, make epub should take every notebook from the cache: executed "
        f"{len(executed)}, from the cache {len(cached)}")
    if "reading sources..." in log:  # pages were read (not an up-to-date rebuild)
        assert cached, "pages were read but no notebook came from the execution cache"


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_epubcheck_passes(epub_dir: Path, lang: str) -> None:
    assert epubcheck(book(epub_dir, lang)) == []


@pytest.mark.book
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lang_is_set_on_the_package_and_every_page(epub_dir: Path, lang: str) -> None:
    assert lang_problems(book(epub_dir, lang), LANG_CODES[lang]) == []


@pytest.mark.book
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_math_is_mathml_and_reads_correctly(epub_dir: Path, lang: str) -> None:
    path = book(epub_dir, lang)
    assert mathml_problems(path) == []
    assert formula(path, "preliminaries/autograd.xhtml",
                   r"\frac{\partial z}{\partial u}\frac{\partial u}{\partial x} = x \cdot 2x") \
        == "(∂z)/(∂u)(∂u)/(∂x)=x⋅2x"
    assert formula(path, "preliminaries/probability.xhtml", r"1/\sqrt{n}") == "1/√(n)"


@pytest.mark.book
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_of_the_html_edition_is_in_the_epub(built_site: Path, epub_dir: Path,
                                                          lang: str) -> None:
    path = book(epub_dir, lang)
    with zipfile.ZipFile(path) as z:
        assert len(images_in(z)) >= 40, "the book has dozens of figures"
        svgs = [n for n in z.namelist() if n.endswith(".svg")]
        assert svgs and all(("image/svg+xml" == k) for h, k, _ in manifest(z) if h in svgs)
    assert missing_figures(built_site / lang, path) == []


@pytest.mark.book
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_scripts_and_no_other_hosts(epub_dir: Path, lang: str) -> None:
    assert script_and_host_problems(book(epub_dir, lang)) == []


@pytest.mark.book
def test_chinese_edition_has_chinese_chrome(epub_dir: Path) -> None:
    with zipfile.ZipFile(book(epub_dir, "zh")) as z:
        nav = z.read("nav.xhtml").decode("utf-8")
        opf = z.read("content.opf").decode("utf-8")
        index = z.read("genindex.xhtml").decode("utf-8")
    assert "<title>目录</title>" in nav and "<h1>目录</h1>" in nav
    assert 'title="目录"' in opf and "Table of Contents" not in opf + nav
    assert "<title>索引</title>" in index
    with zipfile.ZipFile(book(epub_dir, "zh")) as z:
        page = z.read("preliminaries/autograd.xhtml").decode("utf-8")
    assert "显示代码单元" in page and "Show code cell" not in page
    assert "<dc:title>dlnotes：深度学习预备知识（PyTorch 版）</dc:title>" in opf


@pytest.mark.book
def test_self_checks_and_solutions_are_printed_open(epub_dir: Path) -> None:
    with zipfile.ZipFile(book(epub_dir, "en")) as z:
        page = z.read("training/losses.xhtml").decode("utf-8")
    assert '<div class="selfcheck docutils container">' in page
    assert "<strong>Check yourself</strong>" in page and "<strong>Answer</strong>" in page
    assert "The right answer is" in page and "<fieldset" not in page and "<details class=\"selfcheck" not in page
    assert re.search(r'<div class="dropdown admonition">\s*<p class="admonition-title">Solution', page)


@pytest.mark.book
@pytest.mark.slow
def test_two_builds_give_the_same_bytes(epub_build: tuple[Path, str | None], tmp_path: Path) -> None:
    """A clean build of the English book (fresh doctrees, same execution cache) gives the same
    bytes as ``make epub`` did (or, with ``DLNOTES_TEST_EPUB``, as a second clean build)."""
    def build(run: str) -> bytes:
        out = tmp_path / run
        proc = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "epub", "-c", str(ROOT), "-n", "-W",
             "--keep-going", "-q", "-d", str(tmp_path / f"doctrees-{run}"), str(ROOT / "book" / "en"),
             str(out)], cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return (out / "dlnotes-en.epub").read_bytes()

    folder, log = epub_build
    first = (folder / "dlnotes-en.epub").read_bytes() if log is not None else build("a")
    assert build("b") == first


# ------------------------------------------------------------------------- the checks fail
@pytest.mark.book
@pytest.mark.slow
def test_epubcheck_names_a_missing_manifest_item_and_a_broken_page(epub_dir: Path,
                                                                   tmp_path: Path) -> None:
    def undefined_item(opf: bytes) -> bytes:
        return opf.replace(b"</manifest>", b'<item id="ghost" href="ghost-chapter.xhtml" '
                                          b'media-type="application/xhtml+xml"/></manifest>')

    def broken(page: bytes) -> bytes:
        return page.replace(b"</h1>", b"</h2>", 1)

    bad = edit_copy(book(epub_dir, "en"), tmp_path / "bad.epub",
                    {"content.opf": undefined_item, "installation.xhtml": broken})
    found = "\n".join(epubcheck(bad))
    assert "ghost-chapter.xhtml" in found and "installation.xhtml" in found, found[-3000:]


@pytest.mark.book
def test_the_checks_name_what_a_broken_copy_breaks(built_site: Path, epub_dir: Path,
                                                   tmp_path: Path) -> None:
    src = book(epub_dir, "en")
    with zipfile.ZipFile(src) as z:
        figure = sorted(images_in(z))[0]

    def no_lang(page: bytes) -> bytes:
        return re.sub(rb' lang="en" xml:lang="en"', b"", page, count=1)

    def scripted(page: bytes) -> bytes:
        return page.replace(b"</head>", b'<script src="https://cdn.example.org/x.js"></script></head>', 1)

    def undeclared_math(opf: bytes) -> bytes:
        return re.sub(rb'(href="preliminaries/autograd.xhtml" media-type="application/xhtml\+xml")'
                      rb' properties="mathml"', rb"\1", opf)

    def katex_html(page: bytes) -> bytes:
        return page.replace(b'<span class="katex">', b'<span class="katex"><span class="katex-html">x</span>', 1)

    bad = edit_copy(src, tmp_path / "bad.epub", {
        "installation.xhtml": no_lang, "preliminaries/calculus.xhtml": scripted,
        "content.opf": undeclared_math, "preliminaries/probability.xhtml": katex_html,
        f"_images/{figure}": lambda _: None,
    })
    assert lang_problems(bad, "en") == [
        "installation.xhtml: <html> has lang=None xml:lang=None, expected 'en'"]
    assert script_and_host_problems(bad) == [
        "preliminaries/calculus.xhtml: a <script> element",
        "preliminaries/calculus.xhtml: refers to another host, cdn.example.org "
        '(src="https://cdn.example.org)']
    math = mathml_problems(bad)
    assert "preliminaries/autograd.xhtml: has MathML but the manifest declares properties=''" in math
    assert any(m.startswith("preliminaries/probability.xhtml: KaTeX's HTML") for m in math), math
    assert missing_figures(built_site / "en", bad) == [
        f"bad.epub: figure {figure} of the HTML edition is not shown in the EPUB"]

    zipped = tmp_path / "dates.epub"
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(zipped, "w") as new:
        for i, info in enumerate(old.infolist()):
            if i == 3:
                info.date_time = (2001, 1, 1, 0, 0, 0)
            new.writestr(info, old.read(info))
    assert container_problems(zipped) == [
        "dates.epub: the entries carry 2 different dates, expected one"]


# ------------------------------------------------------------------------- a small book, end to end
SMALL_BOOK = {
    "index.md": "# Small book\n\n```{toctree}\nchecks\n```\n",
    "checks.md": (
        "---\nfile_format: mystnb\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"
        "# Checks\n\nThe rate $\\eta < 2/\\lambda_{\\max}$ and $1000 \\bmod 64$, then\n\n"
        "$$\\frac{\\partial z}{\\partial x} = 2x.$$\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\nfrom myst_nb import glue\n"
        "glue('sc-small', 'b', display=False)\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-cell]\nimport pandas as pd\n"
        "pd.DataFrame({'x': [1, 2]})\n```\n\n"
        ":::{selfcheck}\n:answer: sc-small\nWhat is $1 + 1$?\n\n(a) 1\n: Count again.\n\n"
        "(b) 2\n: Right.\n:::\n"
    ),
}


def sphinx_epub(src: Path, out: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "epub", "-c", str(ROOT), "-n", "-W", "--keep-going",
         "-d", str(out.parent / (out.name + ".doctrees")), str(src), str(out)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1", "DLNOTES_CACHE_DIR": str(cache)})


@pytest.mark.slow
def test_a_small_book_builds_a_valid_epub_and_raw_markup_fails_it(tmp_path: Path) -> None:
    """The glue end to end on two pages: a self-check, a pandas table (``<style scoped>``), a
    folded cell and KaTeX's schema-breaking MathML give a strict build that epubcheck accepts;
    unrendered TeX on a page fails the epub build as it fails the site's, naming the page."""
    src = tmp_path / "en"
    src.mkdir()
    for name, text in SMALL_BOOK.items():
        (src / name).write_text(text, encoding="utf-8")
    proc = sphinx_epub(src, tmp_path / "out", tmp_path / "cache")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    path = tmp_path / "out" / "dlnotes-en.epub"
    assert container_problems(path) == [] and lang_problems(path, "en") == []
    assert script_and_host_problems(path) == [] and mathml_problems(path) == []
    assert formula(path, "checks.xhtml", r"\frac{\partial z}{\partial x} = 2x.") == "(∂z)/(∂x)=2x."
    with zipfile.ZipFile(path) as z:
        page = z.read("checks.xhtml").decode("utf-8")
    assert "<strong>Answer</strong>: The right answer is (b)" in page
    if shutil.which("epubcheck") and shutil.which("java"):
        assert epubcheck(path) == []

    (src / "index.md").write_text("# Small book\n\n```{toctree}\nchecks\nmarkup\n```\n", encoding="utf-8")
    (src / "markup.md").write_text("# Markup\n\nA map: $W_2(W_1 x + b_1\n+ b_2)$. Done.\n",
                                   encoding="utf-8")
    proc = sphinx_epub(src, tmp_path / "out", tmp_path / "cache")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"{src / 'markup.md'}: WARNING: raw markup in the built page: unrendered TeX ($)" in log


# ------------------------------------------------------------------------- the glue, unit by unit
def fake_version(monkeypatch: pytest.MonkeyPatch, package: str, version: str) -> None:
    from dlnotes_book import guards

    real = guards.installed_version
    monkeypatch.setattr(guards, "installed_version",
                        lambda name: version if name == package else real(name))


@pytest.mark.parametrize(("package", "use"), [
    ("sphinxcontrib-katex", lambda: epub.mathml_only()),
    ("sphinx", lambda: epub.localise_guide(SimpleNamespace(  # type: ignore[arg-type]
        builder=SimpleNamespace(guide_titles={"toc": "x", "cover": "y"}),
        config=SimpleNamespace(language="zh_CN")))),
])
def test_each_use_of_an_internal_fails_on_another_version(
        package: str, use: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    fake_version(monkeypatch, package, "0.0.1")
    with pytest.raises(InternalsChanged, match=f"{package} 0.0.1 is installed"):
        use()


def test_localise_guide_sets_chinese_titles_and_notices_a_change() -> None:
    app = SimpleNamespace(builder=SimpleNamespace(guide_titles={"toc": "Table of Contents",
                                                                "cover": "Cover"}),
                          config=SimpleNamespace(language="zh_CN"))
    epub.localise_guide(app)  # type: ignore[arg-type]
    assert app.builder.guide_titles == {"toc": "目录", "cover": "封面"}
    app.builder.guide_titles = {"toc": "x"}
    with pytest.raises(InternalsChanged, match="guide_titles"):
        epub.localise_guide(app)  # type: ignore[arg-type]


def test_fix_ncx_names_the_book_and_fails_on_another_template() -> None:
    ncx = '<head>\n<meta name="dtb:uid" content="BookId"/>\n</head>'
    assert 'content="urn:uuid:1"' in epub.fix_ncx(ncx, "urn:uuid:1")
    with pytest.raises(InternalsChanged, match="NCX"):
        epub.fix_ncx("<head/>", "urn:uuid:1")


def test_epub_svg_is_valid_for_epub_and_draws_the_same() -> None:
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
           '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg">'
           '<path id="g-20" transform="scale(0.01)"/><image id="im1"/><image id="im1"/>'
           '<use xlink:href="#g-20"/><path d="M 0 0"/></svg>')
    out = epub.epub_svg(svg)
    assert "DOCTYPE" not in out and out.startswith('<?xml version="1.0"?>\n<svg')
    assert '<path d="" id="g-20" transform="scale(0.01)"/>' in out and '<path d="M 0 0"/>' in out
    assert '<image id="im1"/><image id="im1-2"/>' in out
    shared = '<svg><g id="a"/><g id="a"/><use href="#a"/></svg>'
    assert epub.epub_svg(shared) == shared  # a referenced id is never renamed


def test_fix_package_declares_properties_and_fixes_dates(tmp_path: Path) -> None:
    (tmp_path / "_static").mkdir()
    (tmp_path / "a.xhtml").write_text('<p><math xmlns="x"/></p><img src="_static/used.png"/>')
    (tmp_path / "b.xhtml").write_text("<p>plain</p>")
    (tmp_path / "nav.xhtml").write_text("<nav/>")
    opf = ('<metadata><dc:date>2020-01-01</dc:date>\n<meta property="dcterms:modified">2020</meta>\n'
           '<meta property="ibooks:version"></meta></metadata><manifest>\n'
           '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>\n'
           '<item id="e0" href="a.xhtml" media-type="application/xhtml+xml" />\n'
           '<item id="e1" href="b.xhtml" media-type="application/xhtml+xml" />\n'
           '<item id="e2" href="_static/used.png" media-type="image/png" />\n'
           '<item id="e3" href="_static/togglebutton.css" media-type="text/css" />\n</manifest>')
    out = epub.fix_package(opf, tmp_path, 0, "1.2")
    assert 'href="a.xhtml" media-type="application/xhtml+xml" properties="mathml" />' in out
    assert 'href="b.xhtml" media-type="application/xhtml+xml" />' in out
    assert "_static/used.png" in out and "togglebutton" not in out
    assert "<dc:date>1970-01-01</dc:date>" in out and ">1970-01-01T00:00:00Z</meta>" in out
    assert '<meta property="ibooks:version">1.2</meta>' in out
    with pytest.raises(InternalsChanged, match="dcterms:modified"):
        epub.fix_package(opf.replace("dcterms:modified", "modified"), tmp_path, 0, "1")
    with pytest.raises(InternalsChanged, match="manifest"):
        epub.fix_package(opf.replace("<item ", "<entry "), tmp_path, 0, "1")


def test_pages_load_no_script_and_only_the_epub_stylesheets() -> None:
    class Sheet:
        def __init__(self, filename: str) -> None:
            self.filename = filename

    app = SimpleNamespace(builder=SimpleNamespace(name="epub"),
                          config=SimpleNamespace(language="zh_CN", epub_language="zh-CN"))
    context = {
        "script_files": ["_static/selfcheck.js"], "pageurl": "http://127.0.0.1:8000/zh/x.html",
        "css_files": [Sheet("_static/mystnb.css"), Sheet("_static/epub.css"),
                      Sheet("_static/dlnotes-epub.css")],
        "metatags": '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/en/x.html" />\n',
        "html_tag": '<html xmlns="http://www.w3.org/1999/xhtml">', "body": "<p>x</p>",
    }
    epub.on_html_page_context(app, "x", "page.html", context, None)  # type: ignore[arg-type]
    assert context["script_files"] == [] and context["pageurl"] is None
    assert [c.filename for c in context["css_files"]] == [
        "_static/epub.css", "_static/dlnotes-epub.css"]
    assert "127.0.0.1" not in context["metatags"]
    assert context["html_tag"] == '<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">'
    context["css_files"] = ["_static/epub.css"]
    context["html_tag"] = '<html xmlns="http://www.w3.org/1999/xhtml">'
    with pytest.raises(InternalsChanged, match="stylesheets"):
        epub.on_html_page_context(app, "x", "page.html", context, None)


def test_write_zip_is_a_fixed_function_of_the_files(tmp_path: Path) -> None:
    (tmp_path / "META-INF").mkdir()
    (tmp_path / "mimetype").write_text("application/epub+zip")
    (tmp_path / "META-INF" / "container.xml").write_text("<container/>")
    (tmp_path / "content.opf").write_text('<item id="a" href="a.xhtml" media-type="application/xhtml+xml" />')
    (tmp_path / "a.xhtml").write_text("<html/>")
    first, second = tmp_path / "1.epub", tmp_path / "2.epub"
    epub.write_zip(tmp_path, first, 1_700_000_000)
    os.utime(tmp_path / "a.xhtml", (0, 0))
    time.sleep(0.01)
    epub.write_zip(tmp_path, second, 1_700_000_000)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert z.namelist() == ["mimetype", "META-INF/container.xml", "content.opf", "a.xhtml"]
        assert z.infolist()[0].compress_type == zipfile.ZIP_STORED
    assert container_problems(first) == []


def test_build_epoch_prefers_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert dates.build_epoch() == 1234567890
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(Exception, match="SOURCE_DATE_EPOCH.*'yesterday'"):
        dates.build_epoch()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert dates.build_epoch() > 1_600_000_000  # the last commit's time


def test_book_identifiers_are_stable_and_distinct() -> None:
    assert epub.book_uid("en") == epub.book_uid("en") != epub.book_uid("zh")
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", epub.book_uid("zh"))
