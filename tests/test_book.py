"""The book builds strictly, and the built site is what it should be.

``built_site`` runs ``make html`` (both languages, ``-n -W --keep-going``; the execution cache
makes a rebuild fast). The tests below read the result; the last ones build small broken or
random books of their own to show that the build fails when it should and repeats itself exactly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

import dlnotes_book  # noqa: E402
import pages  # noqa: E402

pytestmark = pytest.mark.book


def html_pages(site: Path, lang: str) -> list[Path]:
    """Every page of one language (not the static assets, sources or notebook outputs)."""
    base = site / lang
    skip = {"_static", "_sources", "_images", "_modules", "jupyter_execute", "reports"}
    return sorted(p for p in base.rglob("*.html") if not (set(p.relative_to(base).parts) & skip))


class Resources(HTMLParser):
    """Collect what a browser would fetch for a page, and the twin link."""

    FETCH = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
             "video": "src", "embed": "src", "object": "data"}

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.twin: str | None = None
        self.lang: str | None = None
        self.inline_urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag in self.FETCH and a.get(self.FETCH[tag]):
            self.fetched.append(a[self.FETCH[tag]] or "")
        if tag == "link" and a.get("href") and (a.get("rel") or "") not in ("alternate", "canonical"):
            self.fetched.append(a["href"] or "")
        if tag == "a" and "dlnotes-twin" in (a.get("class") or "").split():
            self.twin = a.get("href")
        if a.get("style"):
            self.inline_urls += re.findall(r"url\(([^)]*)\)", a["style"] or "")


def parse(path: Path) -> Resources:
    r = Resources()
    r.feed(path.read_text(encoding="utf-8"))
    return r


def is_external(url: str) -> bool:
    u = url.strip().strip("'\"")
    return bool(urlparse(u).netloc) or u.startswith("//")


def test_both_languages_and_the_landing_page_are_built(built_site: Path) -> None:
    for lang in ("en", "zh"):
        assert (built_site / lang / "index.html").is_file()
        en_pages = {p.relative_to(built_site / "en") for p in html_pages(built_site, "en")}
        zh_pages = {p.relative_to(built_site / "zh") for p in html_pages(built_site, "zh")}
        assert en_pages == zh_pages
    landing = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in landing and 'href="zh/index.html"' in landing
    for md in pages.pages("en"):
        assert (built_site / "en" / md.with_suffix(".html")).is_file(), md


def test_pages_declare_their_language(built_site: Path) -> None:
    for lang, code in (("en", "en"), ("zh", "zh-CN")):
        for page in html_pages(built_site, lang):
            assert parse(page).lang == code, page


def test_zh_build_uses_the_themes_chinese_interface(built_site: Path) -> None:
    zh = (built_site / "zh" / "index.html").read_text(encoding="utf-8")
    en = (built_site / "en" / "index.html").read_text(encoding="utf-8")
    assert "搜索" in zh and "搜索" not in en  # the theme's search box, translated
    assert "Search" in en


def test_every_page_links_to_its_twin_and_back(built_site: Path) -> None:
    for lang in ("en", "zh"):
        for page in html_pages(built_site, lang):
            twin = parse(page).twin
            assert twin, f"{page.relative_to(built_site)} has no twin link"
            target = (page.parent / twin).resolve()
            assert target.is_file(), f"{page.relative_to(built_site)} -> {twin}: missing"
            other = "zh" if lang == "en" else "en"
            assert target.relative_to(built_site / other) == page.relative_to(built_site / lang)
            back = parse(target).twin
            assert back and (target.parent / back).resolve() == page.resolve()


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    offenders = []
    for lang in ("en", "zh"):
        for page in html_pages(built_site, lang):
            r = parse(page)
            offenders += [f"{page.relative_to(built_site)}: {u}" for u in r.fetched + r.inline_urls if is_external(u)]
    for css in built_site.rglob("*.css"):
        for u in re.findall(r"url\(\s*([^)]*)\)", css.read_text(encoding="utf-8", errors="replace")):
            if is_external(u):
                offenders.append(f"{css.relative_to(built_site)}: {u}")
        if re.search(r"@import\s+(url\()?['\"]?(https?:)?//", css.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{css.relative_to(built_site)}: @import from another host")
    assert offenders == []


def test_math_is_prerendered(built_site: Path) -> None:
    text = (built_site / "en" / "preliminaries" / "calculus.html").read_text(encoding="utf-8")
    assert 'class="katex"' in text
    scripts = parse(built_site / "en" / "preliminaries" / "calculus.html").fetched
    assert not [s for s in scripts if "mathjax" in s.lower() or "katex.min.js" in s]


def search_index(site: Path, lang: str) -> dict:
    text = (site / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def docs_for(index: dict, word: str) -> set[str]:
    """Pages the index lists for ``word``, in body text or in a (section) title."""
    found: set[str] = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get(word, [])
        found |= {index["docnames"][i] for i in (hits if isinstance(hits, list) else [hits])}
    return found


def test_zh_search_index_contains_chinese_terms(built_site: Path) -> None:
    index = search_index(built_site, "zh")
    for word in ("张量", "梯度", "自动微分", "深度学习", "广播机制"):
        assert docs_for(index, word), word
    assert "preliminaries/data-manipulation" in docs_for(index, "张量")
    assert "preliminaries/autograd" in docs_for(index, "自动微分")


def test_zh_search_script_defines_the_stemmer_it_uses(built_site: Path) -> None:
    js = (built_site / "zh" / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "window.Stemmer = ChineseStemmer" in js
    assert "function ChineseStemmer()" in js and "function splitQuery(" in js


def test_deployable_tree_excludes_build_internals(built_site: Path) -> None:
    for lang in ("en", "zh"):
        assert not (built_site / lang / ".doctrees").exists()


# ---------------------------------------------------------------- builds of our own
NOTEBOOK_HEADER = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""


def sphinx(src: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT), "-n", "-W", "--keep-going",
         "-d", str(out.parent / (out.name + ".doctrees")), *extra, str(src), str(out)],
        # NO_COLOR: Sphinx colours its log when it thinks it runs in CI (CI=true), and the tests
        # read the log line by line.
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def test_a_raising_cell_fails_the_build_and_names_page_and_cell(tmp_path: Path) -> None:
    src = tmp_path / "en"
    src.mkdir()
    (src / "index.md").write_text(
        NOTEBOOK_HEADER
        + "# Broken\n\n```{code-cell} python3\n:tags: [raises-exception]\n:raises: ZeroDivisionError\n"
        + "1 / 0\n```\n\n"
        + "```{code-cell} python3\nitems = [1, 2]\nitems[5]\n```\n",
        encoding="utf-8",
    )
    proc = sphinx(src, tmp_path / "out", env={"DLNOTES_CACHE_DIR": str(tmp_path / "cache")})
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"{src / 'index.md'}: WARNING: Executing notebook failed" in log
    assert "items[5]" in log and "IndexError" in log  # the cell and its error
    assert "ZeroDivisionError" not in log  # the tagged cell may raise


def test_a_tagged_raising_cell_alone_builds(tmp_path: Path) -> None:
    src = tmp_path / "en"
    src.mkdir()
    (src / "index.md").write_text(
        NOTEBOOK_HEADER + "# Fine\n\n```{code-cell} python3\n:tags: [raises-exception]\n"
        + ":raises: ZeroDivisionError\n:raises-match: division by zero\n1 / 0\n```\n",
        encoding="utf-8",
    )
    proc = sphinx(src, tmp_path / "out", env={"DLNOTES_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "ZeroDivisionError" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_two_clean_builds_give_identical_html(tmp_path: Path) -> None:
    """Seeded numbers and an SVG figure, built twice from empty caches: the same bytes."""
    src = tmp_path / "en"
    src.mkdir()
    (src / "index.md").write_text(
        NOTEBOOK_HEADER
        + "# Random\n\n```{code-cell} python3\nimport torch, dlnotes\nimport matplotlib.pyplot as plt\n"
        + "dlnotes.devices.seed_everything(0)\nx = torch.randn(200)\nprint(x[:3])\n"
        + "fig, ax = plt.subplots(figsize=(3, 2))\nax.hist(x.numpy(), bins=20)\nax.set_title('seeded')\nplt.show()\n```\n",
        encoding="utf-8",
    )
    outs = []
    for k in (1, 2):
        out = tmp_path / f"out{k}"
        proc = sphinx(src, out, env={"DLNOTES_CACHE_DIR": str(tmp_path / f"cache{k}")})
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        outs.append(out)
    html = [(o / "index.html").read_bytes() for o in outs]
    assert b"<svg" in html[0] or b".svg" in html[0]
    assert html[0] == html[1]
    imgs = [sorted((o / "_images").glob("*")) if (o / "_images").exists() else [] for o in outs]
    assert [p.read_bytes() for p in imgs[0]] == [p.read_bytes() for p in imgs[1]]


def test_execution_key_covers_every_dlnotes_module() -> None:
    covered = {p.name for p in dlnotes_book.files_for_key()}
    modules = {p.name for p in (ROOT / "src" / "dlnotes").glob("*.py")}
    assert modules <= covered


def test_the_build_used_the_current_key(built_site: Path) -> None:
    key = dlnotes_book.execution_key()
    assert (ROOT / "_build" / "jupyter_cache" / key).is_dir()


# ---------------------------------------------------------------- findable and downloadable
def test_every_page_has_a_description_and_alternates(built_site: Path) -> None:
    for lang in ("en", "zh"):
        for page in html_pages(built_site, lang):
            text = page.read_text(encoding="utf-8")
            m = re.search(r'<meta content="([^"]+)" name="description"|<meta name="description" content="([^"]+)"', text)
            assert m and len((m.group(1) or m.group(2)).strip()) > 20, f"{page}: no description"
            alts = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', text)
            assert {h for h, _ in alts} == {"en", "zh-CN"}, page
            assert '<link rel="canonical"' in text, page


def test_sitemap_robots_and_404(built_site: Path) -> None:
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    base = dlnotes_book.site_url()
    for lang in ("en", "zh"):
        for md in pages.pages(lang):
            assert f"<loc>{base}{lang}/{md.with_suffix('.html').as_posix()}</loc>" in sitemap, md
    assert "search.html" not in sitemap
    assert f"Sitemap: {base}sitemap.xml" in (built_site / "robots.txt").read_text(encoding="utf-8")
    page_404 = (built_site / "404.html").read_text(encoding="utf-8")
    assert f'href="{base}en/index.html"' in page_404 and f'href="{base}zh/index.html"' in page_404


def test_each_page_offers_its_notebook_and_source(built_site: Path) -> None:
    import nbformat

    for lang in ("en", "zh"):
        for md in sorted(pages.pages(lang)):
            src = pages.BOOK / lang / md
            if not pages.code_cells(src.read_text(encoding="utf-8")):
                continue
            page = built_site / lang / md.with_suffix(".html")
            text = page.read_text(encoding="utf-8")
            m = re.search(r'<a class="dlnotes-notebook[^"]*" href="([^"]+)"', text)
            assert m, f"{page}: no notebook link"
            nb = nbformat.read(page.parent / m.group(1), as_version=4)
            code = [c for c in nb.cells if c.cell_type == "code"]
            assert len(code) == len(pages.code_cells(src.read_text(encoding="utf-8")))
            assert any(c.outputs for c in code), f"{md}: notebook without outputs"
            assert (built_site / lang / "_sources" / (md.as_posix() + ".txt")).is_file() or \
                (built_site / lang / "_sources" / md.as_posix()).is_file()


def test_zh_paragraphs_have_no_line_breaks_between_chinese_characters(built_site: Path) -> None:
    """A source line break between two Chinese characters would show as a stray space."""
    cjk = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
    bad = []
    for page in html_pages(built_site, "zh"):
        for para in re.findall(r"<p>(.*?)</p>", page.read_text(encoding="utf-8"), flags=re.S):
            text = re.sub(r"<[^>]+>", "", para)
            m = re.search(f"[{cjk}]\\s*\\n\\s*[{cjk}]", text)
            if m:
                bad.append(f"{page.relative_to(built_site)}: {m.group(0)!r}")
    assert bad == [], "\n".join(bad[:20])


def test_join_chinese_lines_keeps_other_breaks() -> None:
    from types import SimpleNamespace

    from docutils import nodes

    doc = nodes.document(None, None)
    para = nodes.paragraph()
    for part in ["张量是", "\n", "多维数组，English", "\n", "word 和", "\n"]:
        para += nodes.Text(part)
    para += nodes.strong(text="广播")
    para += nodes.Text("\n机制。")
    doc += para
    doc += nodes.literal_block(text="代码\n保留")
    dlnotes_book.join_chinese_lines(SimpleNamespace(config=SimpleNamespace(language="zh_CN")), doc)
    assert para.astext() == "张量是多维数组，English\nword 和广播机制。"
    assert doc[1].astext() == "代码\n保留"
    en = nodes.paragraph(text="张量是\n多维数组")
    dlnotes_book.join_chinese_lines(SimpleNamespace(config=SimpleNamespace(language="en")), en)
    assert en.astext() == "张量是\n多维数组"
