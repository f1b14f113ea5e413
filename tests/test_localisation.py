"""The interface speaks the page's language: no English chrome on zh pages, no Chinese on en.

Drives Debian's Chromium through Playwright (like ``test_browser.py``: skipped visibly without
it, a failure under CI). On a sample of pages of each language, at desktop and phone widths, it
opens the menus, the sidebars, a hidden cell and a solution, presses a self-check's button, and
collects every visible text node, every text drawn by CSS (``::before``/``::after``: the
solutions' "Click to show" hint) and every ``placeholder``, ``title``, ``aria-label`` and
``alt`` value, each with the language of its nearest ``lang`` attribute and where it was found.

The rule (:func:`offences`):

- text in a Chinese context that belongs to the interface must not hold a Latin-letter word
  (attribute values always belong to it, a figure's ``alt`` included),
  except the few names in ``LATIN_NAMES`` and the file types after a dot (``.ipynb``). The
  interface is everything outside the article body (``article.bd-article``) plus the interface
  elements inside it (buttons, the hidden cells' toggles, the solutions' hints, the self-checks'
  feedback, the search page's messages), but not the links that repeat the book's own headings
  (the navigation, the page's contents, previous/next): a title such as "用 nn.Module 搭建网络"
  is content. Code, keyboard keys and maths are content wherever they are;
- text in an English context must not hold a Chinese character anywhere, article included
  (the glossary's Chinese names are marked ``lang="zh-CN"``), except in the search results'
  excerpts: Sphinx's search builds them from the pages' plain text, without their markup.

Inside an element whose ``lang`` is the other language the other rule applies: the twin link
"中文" on en pages and "English" on zh pages pass, and nothing else does.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))


pytestmark = [pytest.mark.book, pytest.mark.browser]

# A landing page, content pages with hidden cells, solutions and self-checks, the search results,
# the glossary, the generated index, and the site's 404 page (bilingual, marked with lang).
PAGES = {
    "en": ["en/index.html", "en/preliminaries/calculus.html", "en/training/optimizers.html",
           "en/search.html?q=tensor", "en/glossary.html", "en/genindex.html", "404.html",
           "index.html?stay"],
    "zh": ["zh/index.html", "zh/preliminaries/calculus.html", "zh/training/optimizers.html",
           "zh/search.html?q=张量", "zh/glossary.html", "zh/genindex.html"],
}
WIDTHS = {"desktop": 1280, "phone": 390}

# Latin words allowed in Chinese interface text: names, written as their owners write them.
LATIN_NAMES = frozenset({"dlnotes", "PyTorch", "Python", "API", "PDF", "EPUB", "Jupyter", "JavaScript"})
FILE_TYPES = frozenset({"ipynb", "md", "pdf"})  # the download menu's items: ".ipynb", ".md", ".pdf"
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)?")
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
                 r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


@dataclass(frozen=True)
class Found:
    """A string on a page: visible text or an attribute value."""

    text: str
    kind: str  # "text", the attribute's name, or "::before" / "::after" (CSS-drawn text)
    lang: str  # the nearest lang attribute ("" if none)
    chrome: bool  # interface text (see the module docstring)
    where: str  # a CSS-like path to the element
    snippet: bool = False  # a search result's excerpt: page text whose lang marks are lost


# Collects the strings of the page as it is now. Attribute values are collected on every element
# (a tooltip or a label is read out whether or not its element is on screen); text only when its
# element is rendered.
COLLECT = r"""
() => {
  const SKIP = 'script, style, noscript, template, code, kbd, pre, samp, .katex, math, svg';
  const ARTICLE = 'article.bd-article, .bd-search-container';
  const INTERFACE = ['button', 'summary', 'input', 'select', 'textarea', '[role=button]',
    '.toggle-details__summary-text', '.selfcheck-result', '.selfcheck-status', '.headerlink',
    '#search-results > h2', '#search-results > p', '.search-summary', 'form'].join(', ');
  const ECHO = ['nav.bd-docs-nav a', '.bd-toc-nav a', 'nav.page-toc a', '.prev-next-title',
    '.navbar-brand', '.bd-breadcrumbs a', '#search-results ul.search'].join(', ');
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) { s += '#' + e.id; parts.unshift(s); break; }
      if (e.classList.length) s += '.' + [...e.classList].slice(0, 2).join('.');
      parts.unshift(s);
    }
    return parts.join(' > ');
  };
  const SNIPPET = '#search-results ul.search p.context';
  const langOf = (el) => { const l = el.closest('[lang]'); return l ? l.getAttribute('lang') : ''; };
  const isChrome = (el) => {
    if (el.closest(ECHO)) return false;
    return !el.closest(ARTICLE) || !!el.closest(INTERFACE);
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(SKIP) && !['INPUT', 'BUTTON'].includes(el.tagName)) continue;
    for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
      const v = el.getAttribute(name);
      if (v && v.trim()) out.push({text: v.trim(), kind: name, lang: langOf(el),
                                   chrome: true, where: where(el)});
    }
  }
  // Text drawn by CSS (a solution's "Click to show" hint is the button's ::before), icons aside.
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest(SKIP) || !el.checkVisibility({visibilityProperty: true})) continue;
    for (const pseudo of ['::before', '::after']) {
      const content = getComputedStyle(el, pseudo).content;
      if (!content || !content.includes('"')) continue;
      const t = [...content.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(m => m[1]).join(' ')
        .replace(/[\ue000-\uf8ff]/g, '').replace(/\s+/g, ' ').trim();
      if (t) out.push({text: t, kind: pseudo, lang: langOf(el), chrome: isChrome(el), where: where(el)});
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const t = n.textContent.replace(/\s+/g, ' ').trim();
    if (!t || !el || el.closest(SKIP)) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
    out.push({text: t, kind: 'text', lang: langOf(el), chrome: isChrome(el), where: where(el),
              snippet: !!el.closest(SNIPPET)});
  }
  return out;
}
"""

# Opened one after the other (each only if the page has it and it is shown at this width).
OPENERS = [
    ("the colour-mode menu", ".theme-switch-button"),
    ("the download menu", ".dropdown-download-buttons > button"),
    ("the primary sidebar", "button.primary-toggle"),
    ("the secondary sidebar", "button.secondary-toggle"),
    ("a hidden cell", "details.hide > summary"),
    ("a solution", "button.toggle-button"),
    ("a self-check", "fieldset.selfcheck button"),  # nothing chosen: it asks for a choice
]


def offences(found: Iterable[Found], page_lang: str) -> list[str]:
    """Every string that breaks the rule, as ``'text' (kind at where)``; sorted, no repeats."""
    bad = set()
    for f in found:
        lang = (f.lang or page_lang).lower()
        if lang.startswith("zh"):
            if not f.chrome:
                continue
            words = [m for m in LATIN_WORD.finditer(f.text)
                     if m.group() not in LATIN_NAMES
                     and not (m.group() in FILE_TYPES and f.text[m.start() - 1:m.start()] == ".")]
            if words:
                bad.add(f"{f.text!r} ({f.kind} at {f.where}; English words: "
                        f"{', '.join(m.group() for m in words)})")
        elif CJK.search(f.text) and not f.snippet:
            bad.add(f"{f.text!r} ({f.kind} at {f.where}; Chinese in an English context)")
    return sorted(bad)


def collect(page: Any) -> list[Found]:
    return [Found(**item) for item in page.evaluate(COLLECT)]


def sweep(page: Any) -> tuple[set[Found], list[str]]:
    """The strings of the page in its first state and after each opener; the openers used."""
    found = set(collect(page))
    opened = []
    for name, selector in OPENERS:
        target = page.locator(selector).filter(visible=True).first
        if target.count():
            target.click()
            page.wait_for_timeout(150)
            found |= set(collect(page))
            opened.append(name)
            page.keyboard.press("Escape")
    return found, opened


def check_pages(browser: Any, base: str, paths: list[str], width: int,
                route: Any = None) -> tuple[list[str], list[str]]:
    """(offences, openers used) on ``paths`` at ``width``; ``route`` may rewrite responses."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    if route is not None:
        page.route("**/*.html*", route)
    problems: list[str] = []
    opened: list[str] = []
    try:
        for path in paths:
            page.goto(f"{base}/{path}", wait_until="load")
            if "search.html" in path:
                page.wait_for_selector("#search-results .search-summary", timeout=15000)
            lang = page.evaluate("document.documentElement.lang") or ""
            found, used = sweep(page)
            opened += [f"{path}: {u}" for u in used]
            problems += [f"{path}: {o}" for o in offences(found, lang)]
    finally:
        context.close()
    return problems, opened


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", list(PAGES))
def test_interface_speaks_the_page_language(browser, server, lang: str, width: str) -> None:  # type: ignore[no-untyped-def]
    problems, opened = check_pages(browser, server, PAGES[lang], WIDTHS[width])
    assert problems == [], (f"{len(problems)} interface strings in the wrong language "
                            f"({lang}, {width}):\n" + "\n".join(problems))
    # The sweep really opened the menus and the folded content (else it proves little).
    for name, _ in OPENERS:
        if "sidebar" not in name or width == "phone":  # wide screens show both sidebars
            assert any(o.endswith(name) for o in opened), f"never opened {name} ({lang}, {width})"


# ---------------------------------------------------------------- the check can fail
INJECTED = {
    "zh": ('<header', '<header><button title="Toggle sidebar" aria-label="Show menu">Back to top</button>'
           '<p>显示代码 (Show code)</p><span lang="en">English</span></header><header'),
    "en": ('<header', '<header><button title="切换侧栏">Menu</button><span>搜索</span>'
           '<span lang="zh-CN">中文</span></header><header'),
}
# English inside a zh article's prose is content, not interface: it must not be reported.
PROSE = ('<article class="bd-article">',
         '<article class="bd-article"><p>PyTorch tensors and Show code cell content in prose</p>')


def _injecting(lang: str):  # type: ignore[no-untyped-def]
    old, new = INJECTED[lang]

    def route(r):  # type: ignore[no-untyped-def]
        resp = r.fetch()
        body = resp.text()
        assert old in body, f"cannot inject: {old!r} not in {r.request.url}"
        body = body.replace(old, new, 1)
        if lang == "zh":
            assert PROSE[0] in body, f"cannot inject: {PROSE[0]!r} not in {r.request.url}"
            body = body.replace(*PROSE, 1)
        r.fulfill(response=resp, body=body)

    return route


def test_the_check_reports_english_interface_text_on_a_zh_page(browser, server) -> None:  # type: ignore[no-untyped-def]
    problems, _ = check_pages(browser, server, ["zh/preliminaries/calculus.html"], 1280,
                              route=_injecting("zh"))
    text = "\n".join(problems)
    assert "'Toggle sidebar' (title at " in text, text
    assert "'Show menu' (aria-label at " in text, text
    assert "'Back to top' (text at header > button" in text, text
    assert "'显示代码 (Show code)' (text at header > p; English words: Show, code)" in text, text
    assert "English" not in [p.split("'")[1] for p in problems], text  # inside lang="en"
    assert not any("in prose" in p for p in problems), text  # article prose is content
    assert len(problems) == 4, text


def test_the_check_reports_chinese_on_an_en_page(browser, server) -> None:  # type: ignore[no-untyped-def]
    problems, _ = check_pages(browser, server, ["en/preliminaries/calculus.html"], 1280,
                              route=_injecting("en"))
    text = "\n".join(problems)
    assert "'切换侧栏' (title at header > button; Chinese in an English context)" in text, text
    assert "'搜索' (text at header > span; Chinese in an English context)" in text, text
    assert len(problems) == 2, text  # not the twin link's 中文, which is marked lang="zh-CN"


def test_the_rule_itself() -> None:
    """The rule on hand-made strings (no browser): names and file types pass, words do not."""
    ok = [Found("dlnotes：深度学习预备知识（PyTorch 版）", "text", "zh-CN", True, "a"),
          Found(".ipynb", "text", "zh-CN", True, "a"), Found("打印为 PDF", "title", "zh-CN", True, "b"),
          Found("English", "text", "en", True, "a.dlnotes-twin"),
          Found("Show code", "text", "zh-CN", False, "article p"),
          Found("中文", "text", "zh-CN", True, "a.dlnotes-twin")]
    assert offences(ok, "zh-CN") == [] and offences(ok, "en") == []
    bad = [Found("Search...", "placeholder", "", True, "input"),
           Found("md", "text", "", True, "span"),  # a file type only after a dot
           Found("作者：dlnotes authors", "text", "", True, "p")]
    assert offences(bad, "zh-CN") == [
        "'Search...' (placeholder at input; English words: Search)",
        "'md' (text at span; English words: md)",
        "'作者：dlnotes authors' (text at p; English words: authors)",
    ]
    assert offences([Found("版权所有", "text", "", False, "article p")], "en") == [
        "'版权所有' (text at article p; Chinese in an English context)"]
    # A search result's excerpt quotes a page's text without its lang marks: not judged.
    assert offences([Found("broadcasting (广播)", "text", "", False, "p.context", snippet=True)],
                    "en") == []
