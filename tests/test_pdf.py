"""The PDF edition (``make pdf``): both books exist, are complete, and their Chinese is right.

The PDFs are built once per session by ``make pdf`` after the site (``built_site``), so the
LaTeX build reads every notebook from the execution cache. ``DLNOTES_TEST_PDF=DIR`` tests PDFs
already built into ``DIR`` instead (their LaTeX files are read from ``_build/latex``). Missing
TeX or poppler tools skip these tests visibly, with the packages to install; under ``CI`` they
fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import skip_or_fail as _skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_pdf  # noqa: E402

pytestmark = pytest.mark.book

LANGS = ("en", "zh")
LATEX = ROOT / "_build" / "latex"
POPPLER = ("pdfinfo", "pdffonts", "pdftotext", "pdftohtml")


def _need_tex() -> None:
    missing = build_pdf.missing_tools()
    if missing:
        _skip_or_fail(build_pdf.install_hint(missing))


@pytest.fixture(scope="session")
def poppler() -> None:
    import shutil

    absent = [tool for tool in POPPLER if shutil.which(tool) is None]
    if absent:
        _skip_or_fail(f"{', '.join(absent)} missing: sudo apt-get install poppler-utils")


@pytest.fixture(scope="session")
def built_pdfs(request: pytest.FixtureRequest, poppler: None) -> Path:
    """The folder holding ``dlnotes-en.pdf`` and ``dlnotes-zh.pdf``, built by ``make pdf``."""
    prebuilt = os.environ.get("DLNOTES_TEST_PDF")
    if prebuilt:
        return Path(prebuilt).resolve()
    _need_tex()
    request.getfixturevalue("built_site")  # make html first: the PDFs then execute nothing
    proc = subprocess.run(["make", "--no-print-directory", "pdf", f"VENV={sys.prefix}"],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"`make pdf` failed ({proc.returncode}):\n"
                    f"{(proc.stdout + proc.stderr)[-6000:]}", pytrace=False)
    return ROOT / "_build" / "pdf"


def _run(*args: str) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, errors="replace")
    assert proc.returncode == 0, f"{' '.join(args)} failed: {proc.stderr[-2000:]}"
    return proc.stdout


# ---------------------------------------------------------------- what the book should contain
def _body_lines(page: Path) -> list[str]:
    """A MyST page's lines outside code fences and front matter."""
    lines, fence = [], ""
    text = page.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text[text.index("\n---", 4) + 4:]
    for line in text.splitlines():
        m = re.match(r"^\s*(`{3,}|:{3,})", line)
        if m:
            mark = m.group(1)
            if not fence:
                fence = mark
            elif mark == fence and not line.strip()[len(mark):].strip():
                fence = ""
            continue
        if not fence:
            lines.append(line)
    return lines


def toctree(lang: str) -> list[tuple[str, list[str]]]:
    """The root page's toctrees: (caption, [docname, ...]) in order."""
    text = (ROOT / "book" / lang / "index.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.S):
        caption = re.search(r"^:caption:\s*(.+)$", block, re.M)
        docs = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.startswith(":")]
        out.append((caption.group(1).strip() if caption else "", docs))
    return out


def headings(lang: str, doc: str) -> list[tuple[int, str]]:
    """(level, text) of a page's ``#`` and ``##`` headings, Markdown marks removed."""
    found = []
    for line in _body_lines(ROOT / "book" / lang / f"{doc}.md"):
        m = re.match(r"^(#{1,2}) (.+?)\s*$", line)
        if m:
            found.append((len(m.group(1)), re.sub(r"[`*]", "", m.group(2))))
    return found


def squeeze(text: str) -> str:
    """Text without whitespace (PDF text breaks lines and spaces differently), with Sphinx's
    English smart quotes made straight again."""
    return re.sub(r"\s+", "", text).replace("\u2019", "'").replace("\u2018", "'")


def outline(pdf: Path) -> list[str]:
    """The PDF's bookmarks (outline), in order, as poppler's pdftohtml reads them."""
    xml = _run("pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf))
    part = xml[xml.find("<outline>"):]
    import html

    return [html.unescape(t) for t in re.findall(r"<item[^>]*>(.*?)</item>", part, re.S)]


def unembedded_fonts(pdffonts_output: str) -> list[str]:
    """Fonts that ``pdffonts`` lists as not embedded (its ``emb`` column)."""
    lines = pdffonts_output.splitlines()
    header = next((i for i, ln in enumerate(lines) if ln.startswith("name")), None)
    assert header is not None, f"not pdffonts output: {pdffonts_output[:200]!r}"
    # Long names push the columns right, so read from the end: emb sub uni object ID.
    return [ln.split()[0] for ln in lines[header + 2:] if ln.strip() and ln.split()[-5] != "yes"]


# ---------------------------------------------------------------- tests of the built PDFs
@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_exists_and_is_a_book(built_pdfs: Path, lang: str) -> None:
    pdf = built_pdfs / f"dlnotes-{lang}.pdf"
    assert pdf.is_file(), f"{pdf} was not built"
    info = _run("pdfinfo", str(pdf))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert pages > 100, f"{pdf.name}: {pages} pages, expected the whole book (> 100)"


@pytest.mark.parametrize("lang", LANGS)
def test_every_font_is_embedded(built_pdfs: Path, lang: str) -> None:
    listing = _run("pdffonts", str(built_pdfs / f"dlnotes-{lang}.pdf"))
    assert unembedded_fonts(listing) == [], listing


def test_the_font_check_sees_a_font_that_is_not_embedded() -> None:
    listing = (
        "name                                 type              encoding         emb sub uni object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- ---------\n"
        "ABCDEF+FreeSerif-Identity-H          CID Type 0C       Identity-H       yes yes yes      4  0\n"
        "Helvetica                            Type 1            WinAnsi          no  no  no       7  0\n"
    )
    assert unembedded_fonts(listing) == ["Helvetica"]


def test_zh_text_has_the_contents_the_chapter_titles_and_no_replacement_character(
        built_pdfs: Path) -> None:
    text = _run("pdftotext", "-enc", "UTF-8", str(built_pdfs / "dlnotes-zh.pdf"), "-")
    assert "目录" in text
    assert "\ufffd" not in text, "the zh PDF's text holds U+FFFD (a character lost on the way)"
    flat = squeeze(text)
    titles = [headings("zh", doc)[0][1] for _, docs in toctree("zh") for doc in docs]
    missing = [t for t in titles if squeeze(t) not in flat]
    assert not missing, f"chapter titles not in the zh PDF's text: {missing}"
    assert re.search(r"第\s*1\s*章", text), "no Chinese chapter heading (第 1 章) in the zh PDF"


@pytest.mark.parametrize("lang", LANGS)
def test_only_the_english_pdf_has_an_index(built_pdfs: Path, lang: str) -> None:
    """English: Sphinx's index, last in the outline. Chinese: none (xindy would sort Chinese by
    code point under Latin letters); the glossary, 术语表, is in both outlines."""
    items = [squeeze(re.sub(r"^[\d.]+\s+", "", i)) for i in outline(built_pdfs / f"dlnotes-{lang}.pdf")]
    has_index = any(i in ("Index", "索引") for i in items)
    assert has_index == (lang == "en"), f"dlnotes-{lang}.pdf outline: {items[-5:]}"
    assert squeeze("Glossary" if lang == "en" else "术语表") in items


@pytest.mark.parametrize("lang", LANGS)
def test_the_outline_lists_every_part_chapter_and_section(built_pdfs: Path, lang: str) -> None:
    items = [squeeze(re.sub(r"^[\d.]+\s+", "", i)) for i in outline(
        built_pdfs / f"dlnotes-{lang}.pdf")]
    assert items, f"dlnotes-{lang}.pdf has no outline"
    expected = []
    for caption, docs in toctree(lang):
        expected.append(caption)
        for doc in docs:
            expected += [text for _, text in headings(lang, doc) if "$" not in text]
    missing = [e for e in expected if squeeze(e) not in items]
    assert not missing, f"dlnotes-{lang}.pdf: not in the outline: {missing[:10]}"
    # and in the book's order ("Summary" and "Exercises" come once per chapter)
    at = -1
    for e in expected:
        later = [i for i in range(at + 1, len(items)) if items[i] == squeeze(e)]
        assert later, f"dlnotes-{lang}.pdf: {e!r} is not in the outline after item {at}"
        at = later[0]


def _latex_chapters(tex: str) -> list[str]:
    """The .tex body cut at each chapter (index 0: before the first chapter)."""
    return re.split(r"\\chapter\{", tex)


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_of_the_html_edition_is_in_the_pdf(built_pdfs: Path, built_site: Path,
                                                        lang: str) -> None:
    folder = LATEX / lang
    tex = (folder / f"dlnotes-{lang}.tex").read_text(encoding="utf-8")
    log = (folder / f"dlnotes-{lang}.log").read_text(encoding="utf-8", errors="replace")
    docs = [doc for _, docs in toctree(lang) for doc in docs]
    chapters = _latex_chapters(tex)[1:]
    assert len(chapters) == len(docs), f"{len(chapters)} chapters in the .tex, {len(docs)} pages"
    for doc, chapter in zip(docs, chapters, strict=True):
        page = (built_site / lang / f"{doc}.html").read_text(encoding="utf-8")
        article = page[page.find("<article"):page.find("</article>")]
        html_figures = len(re.findall(r"<img\b", article))
        files = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{?([^}]+)\}", chapter)
        assert len(files) == html_figures, (
            f"{lang}/{doc}: {html_figures} figures on the web page, {len(files)} in the PDF")
        for name in files:
            assert re.search(re.escape(name) + r"\S* Graphic file", log), (
                f"{lang}/{doc}: XeLaTeX did not include {name} (not in its log)")
    vector = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{?[^}]+\}?\.pdf\}", tex)
    every = re.findall(r"\\sphinxincludegraphics", tex)
    assert len(vector) == len(every), f"{lang}: {len(every) - len(vector)} figures are not vector"


@pytest.mark.parametrize("lang", LANGS)
def test_latex_reports_no_missing_glyph_and_no_undefined_reference(built_pdfs: Path,
                                                                   lang: str) -> None:
    log = (LATEX / lang / f"dlnotes-{lang}.log").read_text(encoding="utf-8", errors="replace")
    assert "Output written on" in log
    assert build_pdf.log_problems(log) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_build_executed_no_notebook(built_pdfs: Path, lang: str) -> None:
    log = (LATEX / f"sphinx-{lang}.log").read_text(encoding="utf-8")
    assert "Executed notebook in" not in log, f"the {lang} LaTeX build executed notebooks"


def test_exercise_solutions_and_self_checks_are_printed(built_pdfs: Path) -> None:
    """Folded content (dropdown solutions, hidden code cells) and self-checks reach the PDF."""
    text = squeeze(_run("pdftotext", "-enc", "UTF-8", str(built_pdfs / "dlnotes-en.pdf"), "-"))
    page = (ROOT / "book" / "en" / "preliminaries" / "ndarray.md").read_text(encoding="utf-8")
    solution = re.search(r"```\{admonition\} (Solution to exercise \d+)\n:class: dropdown", page)
    hidden = re.search(r":tags: \[hide-cell\]\n(.+)\n", page)
    assert solution and hidden, "the ndarray page changed: pick another exercise for this test"
    assert squeeze(solution.group(1)) in text
    assert squeeze(hidden.group(1).split("#")[0]) in text
    assert "Checkyourself" in text and "Therightansweris" in text


# ---------------------------------------------------------------- the checks can fail
SMALL_BOOK = """\
Title
=====

Text.

.. raw:: latex

   {fault}
"""


def _small_latex(tmp_path: Path, fault: str) -> Path:
    """A one-page Sphinx project with the book's LaTeX settings, built to .tex; its folder."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['dlnotes_book.latex']\nproject = 't'\n", encoding="utf-8")
    (src / "index.rst").write_text(SMALL_BOOK.format(fault=fault), encoding="utf-8")
    out = tmp_path / "latex"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "latex", str(src), str(out)],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_the_log_check_fails_on_an_undefined_reference_and_a_missing_glyph(
        tmp_path: Path) -> None:
    _need_tex()
    # \ref to a label that does not exist, and a character (plane 16, private use) no font has
    folder = _small_latex(tmp_path, r"See \ref{no-such-label}. Glyph: ^^^^^^10fffd.")
    with pytest.raises(build_pdf.BuildError) as caught:
        build_pdf.run_latex(folder, "dlnotes-en")
    message = str(caught.value)
    assert "undefined reference 'no-such-label'" in message, message
    assert "missing glyph" in message and "FreeSerif" in message, message


def test_the_log_check_passes_a_clean_book(tmp_path: Path) -> None:
    _need_tex()
    folder = _small_latex(tmp_path, r"Chinese: 中文，“引号”。")
    assert build_pdf.run_latex(folder, "dlnotes-en").is_file()


def test_log_problems_reads_xelatex_messages() -> None:
    log = ("Missing character: There is no \u4e2d (U+4E2D) in font "
           "[FreeSerif.otf]/OT:script=latn;!\n"
           "LaTeX Warning: Hyper reference `page:label' on page 3 undefined on input line 9.\n"
           "LaTeX Warning: There were undefined references.\n")
    problems = build_pdf.log_problems(log)
    assert problems[0].startswith("missing glyph: no \u4e2d (U+4E2D) in font [FreeSerif.otf]")
    assert problems[1] == "undefined hyper reference 'page:label' (page 3)"
    assert build_pdf.log_problems("Output written on x.xdv (1 page).\n") == []


def test_missing_tools_are_named_with_their_debian_packages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    missing = build_pdf.missing_tools()
    assert ("xelatex", "texlive-xetex") in missing and ("latexmk", "latexmk") in missing
    hint = build_pdf.install_hint(missing)
    for package in ("texlive-xetex", "latexmk", "texlive-lang-chinese", "fonts-noto-cjk"):
        assert package in hint, hint
    assert "apt-get install" in hint
    monkeypatch.setattr(build_pdf, "missing_tools", lambda: missing)
    assert build_pdf.main(["--lang", "en"]) == build_pdf.EXIT_MISSING_TOOLS


# ---------------------------------------------------------------- the site links the editions
def test_every_page_links_the_editions_of_its_language(built_site: Path) -> None:
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from dlnotes_book.editions import EDITIONS_DIR, edition_names

    for lang in LANGS:
        base = built_site / lang
        pages = [p for p in base.rglob("*.html")
                 if not {"_static", "_sources", "_images", "_notebooks", "jupyter_execute"}
                 & set(p.relative_to(base).parts)]
        assert pages
        for page in pages:
            links = re.findall(r'<a class="dlnotes-edition[^"]*" href="([^"]+)"',
                               page.read_text(encoding="utf-8"))
            targets = sorted((page.parent / link).resolve() for link in links)
            expected = sorted(built_site.resolve() / EDITIONS_DIR / n
                              for n in edition_names(lang).values())
            assert targets == expected, f"{page}: edition links {links}"


def test_make_pdf_publishes_the_pdfs_where_the_pages_link(built_pdfs: Path) -> None:
    if os.environ.get("DLNOTES_TEST_PDF"):
        pytest.skip("PDFs given by DLNOTES_TEST_PDF: make pdf did not run in this session")
    for lang in LANGS:
        published = ROOT / "_build" / "html" / "editions" / f"dlnotes-{lang}.pdf"
        assert published.is_file(), f"{published} missing after make pdf"
        assert published.read_bytes() == (built_pdfs / published.name).read_bytes()
