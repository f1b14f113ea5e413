"""The built site in a real browser (Debian's Chromium driven by Playwright), served on 127.0.0.1.

Skipped when no Chromium is installed, except under CI (``CI`` set), where a missing browser is
a failure: ``.ci/run`` installs it with apt-get. Never downloads a browser.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sitecheck import page_weight, serve, site_pages  # noqa: E402

pytestmark = [pytest.mark.book, pytest.mark.browser]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


class Watched:
    """A page whose console errors, failed requests and requests elsewhere are recorded."""

    def __init__(self, browser, base: str, width: int = 1280) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.problems: list[str] = []
        host = urlparse(base).netloc

        def route(r):  # type: ignore[no-untyped-def]
            if urlparse(r.request.url).netloc not in ("", host) and not r.request.url.startswith("data:"):
                self.problems.append(f"request to another host: {r.request.url}")
                r.abort()
            else:
                r.continue_()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}/{path}", wait_until="load")

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_loads_cleanly(browser, server, built_site: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, server)
    problems = []
    try:
        for path in site_pages(built_site, lang):
            w.problems.clear()
            w.goto(path)
            w.page.wait_for_load_state("networkidle")
            raw_tex = w.page.evaluate(
                """() => {
                  const t = document.querySelector('article') ? document.querySelector('article').innerText : '';
                  return /\\\\\\(|\\\\\\[|\\$\\$/.test(t.replace(/\\u00a0/g, ' '));
                }"""
            )
            no_alt = w.page.evaluate(
                "() => [...document.querySelectorAll('img')].filter(i => !i.hasAttribute('alt') || !i.getAttribute('alt').trim()).map(i => i.src)"
            )
            problems += [f"{path}: {p}" for p in w.problems]
            if raw_tex:
                problems.append(f"{path}: raw TeX visible")
            problems += [f"{path}: image without alt text: {src}" for src in no_alt]
    finally:
        w.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_horizontal_overflow_on_a_phone(browser, server, built_site: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, server, width=390)
    overflow = []
    try:
        for path in site_pages(built_site, lang):
            w.goto(path)
            sw, cw = w.page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if sw > cw + 1:
                overflow.append(f"{path}: content {sw}px wide in a {cw}px viewport")
    finally:
        w.close()
    assert overflow == [], "\n".join(overflow)


def test_twin_link_round_trip(browser, server) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, server)
    try:
        w.goto("en/preliminaries/data-manipulation.html")
        w.page.click("a.dlnotes-twin")
        w.page.wait_for_load_state("load")
        assert w.page.url.endswith("/zh/preliminaries/data-manipulation.html")
        assert w.page.evaluate("document.documentElement.lang") == "zh-CN"
        w.page.click("a.dlnotes-twin")
        w.page.wait_for_load_state("load")
        assert w.page.url.endswith("/en/preliminaries/data-manipulation.html")
        assert w.problems == []
    finally:
        w.close()


def search(w: Watched, lang: str, query: str) -> list[str]:
    w.goto(f"{lang}/search.html?q={quote(query)}")
    w.page.wait_for_selector("#search-results > p, #search-results .search-summary", timeout=15000)
    w.page.wait_for_function(
        "() => !document.querySelector('#search-results h2') || !/正在搜索|Searching/.test(document.querySelector('#search-results h2').innerText)",
        timeout=15000,
    )
    return w.page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize(
    ("lang", "query", "expected"),
    [
        ("zh", "张量", "preliminaries/data-manipulation.html"),
        ("zh", "梯度", "preliminaries/autograd.html"),
        ("zh", "自动微分", "preliminaries/autograd.html"),
        ("zh", "步幅", "preliminaries/storage.html"),
        ("en", "tensor", "preliminaries/data-manipulation.html"),
        ("en", "gradient", "preliminaries/autograd.html"),
    ],
)
def test_search_finds_the_page(browser, server, lang: str, query: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, server)
    try:
        hits = search(w, lang, query)
        assert any(h.split("?")[0].split("#")[0].endswith(expected) for h in hits), hits
        assert w.problems == []
    finally:
        w.close()


def test_landing_page_offers_both_languages(browser, server) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, server)
    try:
        w.goto("index.html?stay")
        hrefs = w.page.eval_on_selector_all("ul.langs a", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs == ["en/index.html", "zh/index.html"]
        assert w.problems == []
    finally:
        w.close()


def test_landing_page_follows_the_browser_language(browser, server) -> None:  # type: ignore[no-untyped-def]
    for locale, lang in (("zh-CN", "zh"), ("en-GB", "en")):
        context = browser.new_context(locale=locale)
        page = context.new_page()
        page.goto(f"{server}/index.html")
        page.wait_for_url(f"**/{lang}/index.html", timeout=10000)
        context.close()


# axe-core with every rule it has (best practices such as `region` included) and every impact.
AXE_RUN = """async (context) => {
  const r = await axe.run(context ? document.querySelectorAll(context) : document);
  return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ': '
    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""
# Pages checked on a phone too: the landing page, maths, self-checks, search, glossary, 404.
PHONE_PAGES = ["index.html", "404.html", "en/training/optimization.html",
               "zh/preliminaries/ndarray.html", "en/search.html", "zh/search.html",
               "zh/glossary.html", "en/api.html"]


def set_theme(w: Watched, theme: str) -> None:
    """Switch the page to ``theme`` and wait until its colour transitions have ended (axe reads
    the colours of the moment: mid-transition, a link measured as too faint)."""
    w.page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    w.page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished))")


def axe_violations(w: Watched, context: str | None = None) -> list[str]:
    """Every axe-core violation on the page ``w`` shows (in ``context``, a selector, if given)."""
    w.page.add_script_tag(path=str(AXE))
    return w.page.evaluate(AXE_RUN, context)  # type: ignore[no-any-return]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_accessibility_violations(browser, server, built_site: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core: no violation of any rule, of any impact, on any page (and the landing and 404
    pages, checked with the English ones)."""
    assert AXE.is_file(), "axe-core is missing: npm ci"
    w = Watched(browser, server)
    found = []
    pages = site_pages(built_site, lang) + (["index.html", "404.html"] if lang == "en" else [])
    try:
        for path in pages:
            w.goto(path)
            found += [f"{path}: {v}" for v in axe_violations(w)]
    finally:
        w.close()
    assert found == [], f"{len(found)} axe violations on {len(pages)} pages:\n" + "\n".join(found)


def test_no_accessibility_violations_on_a_phone(browser, server) -> None:  # type: ignore[no-untyped-def]
    assert AXE.is_file(), "axe-core is missing: npm ci"
    w = Watched(browser, server, width=390)
    found = []
    try:
        for path in PHONE_PAGES:
            w.goto(path)
            found += [f"{path}: {v}" for v in axe_violations(w)]
    finally:
        w.close()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_search_results_have_no_accessibility_violations(browser, server, theme: str) -> None:  # type: ignore[no-untyped-def]
    """The search page once it shows results (matched words highlighted), in both themes."""
    w = Watched(browser, server)
    found = []
    try:
        for lang, query in (("en", "tensor"), ("zh", "张量")):
            assert search(w, lang, query), f"no results for {query!r} on the {lang} site"
            set_theme(w, theme)
            found += [f"{lang} search {query!r}: {v}" for v in axe_violations(w)]
    finally:
        w.close()
    assert found == [], "\n".join(found)


def test_the_accessibility_check_fails_on_a_broken_copy_of_a_page(browser, server, built_site: Path) -> None:  # type: ignore[no-untyped-def]
    """A copy of a page with text outside every landmark and an image without alt text, served
    in place of the page, must fail with both rules named."""
    page = (built_site / "en" / "glossary.html").read_text(encoding="utf-8")
    broken = page.replace('<div class="bd-container">',
                          '<div class="stray">Text outside every landmark</div>'
                          '<div class="bd-container">', 1)
    broken = broken.replace("</article>", '<img src="_static/favicon.svg"></article>', 1)
    assert broken.count("Text outside every landmark") == 1 and 'favicon.svg"></article>' in broken
    w = Watched(browser, server)
    try:
        w.page.route("**/en/glossary.html", lambda r: r.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=broken))
        w.goto("en/glossary.html")
        found = axe_violations(w)
    finally:
        w.close()
    assert any(v.startswith("region (moderate)") and ".stray" in v for v in found), found
    assert any(v.startswith("image-alt (critical)") for v in found), found


def test_page_weight_median_at_most_220_kib_and_max_at_most_320_kib(browser, server, built_site: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue #14's targets, on bench/page_weight.py's measurement (cold cache, gzip)."""
    sizes = {path: page_weight(browser, server, built_site, path)[0]
             for lang in ("en", "zh") for path in site_pages(built_site, lang)}
    median = statistics.median(sizes.values())
    heavy = {p: f"{n / 1024:.0f} KiB" for p, n in sizes.items() if n > 320 * 1024}
    assert median <= 220 * 1024 and not heavy, (
        f"median {median / 1024:.0f} KiB (expected at most 220); pages over 320 KiB: {heavy}")


def test_figures_stay_readable_in_dark_mode(browser, server) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, server)
    try:
        w.goto("en/preliminaries/calculus.html")
        w.page.evaluate("document.documentElement.dataset.theme = 'dark'")
        styles = w.page.eval_on_selector_all(
            ".cell_output img", "els => els.map(e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).filter])")
        assert styles, "no figure on the page"
        assert {tuple(s) for s in styles} == {("rgb(255, 255, 255)", "none")}
    finally:
        w.close()


# ---------------------------------------------------------------- self-checks (a small built site)
@pytest.fixture(scope="module")
def checks_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from test_selfcheck import build_checks_site

    with serve(build_checks_site(tmp_path_factory.mktemp("selfcheck-site"))) as base:
        yield base


def _result(w: Watched, n: int) -> str:
    return w.page.inner_text(f"#selfcheck-{n} .selfcheck-result")


WORDS = {"en": ("Not quite.", "Right!", "The right answer is (b)", "Check"),
         "zh": ("再想想。", "正确！", "正确答案是 (b)", "检查")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_selfchecks_answer_wrongly_then_rightly(browser, checks_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    wrong, right, answer, check = WORDS[lang]
    w = Watched(browser, checks_server)
    try:
        w.goto(f"{lang}/index.html")
        assert w.page.is_hidden("#selfcheck-1 details.selfcheck-answer")  # the script folds it away
        w.page.click("#selfcheck-1 button")  # nothing chosen yet
        assert _result(w, 1).strip() in ("Choose an option first.", "请先选择一个选项。")
        w.page.check("#selfcheck-1-a")
        w.page.click(f"#selfcheck-1 button:has-text('{check}')")
        text = _result(w, 1)
        assert text.startswith(wrong) and answer in text and "(a)" in text  # (a)'s own feedback
        assert "selfcheck-wrong" in w.page.get_attribute("#selfcheck-1", "class")
        w.page.check("#selfcheck-1-b")
        w.page.click("#selfcheck-1 button")
        assert _result(w, 1).startswith(right) and answer not in _result(w, 1)
        assert "selfcheck-right" in w.page.get_attribute("#selfcheck-1", "class")
        w.page.fill("#selfcheck-2-value", "2.5")
        w.page.click("#selfcheck-2 button")
        assert _result(w, 2).startswith(wrong) and "2.92" in _result(w, 2)
        w.page.fill("#selfcheck-2-value", "2.92")
        w.page.click("#selfcheck-2 button")
        assert _result(w, 2).startswith(right) and "2.92" not in _result(w, 2)
        assert w.page.locator("#selfcheck-2 .selfcheck-result .selfcheck-explain .katex").count() == 1  # its maths
        w.page.reload()  # progress is kept for the page
        assert "selfcheck-done" in w.page.get_attribute("#selfcheck-1", "class")
        assert w.problems == []
    finally:
        w.close()


def test_selfchecks_work_from_the_keyboard(browser, checks_server) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, checks_server)
    try:
        w.goto("en/index.html")
        w.page.focus("#selfcheck-1-a")
        keys = w.page.keyboard
        keys.press("Space")
        keys.press("Tab")  # the radio group is one tab stop: on to Check
        assert w.page.evaluate("document.activeElement.className") == "selfcheck-button"
        keys.press("Enter")
        assert _result(w, 1).startswith("Not quite.")
        keys.press("Shift+Tab")
        keys.press("ArrowDown")  # the next option of the group
        keys.press("Tab")
        keys.press("Space")
        assert _result(w, 1).startswith("Right!")
        keys.press("Tab")  # the next check's number field
        assert w.page.evaluate("document.activeElement.id") == "selfcheck-2-value"
        keys.type("2.917")
        keys.press("Enter")
        assert _result(w, 2).startswith("Right!")
    finally:
        w.close()


def test_selfchecks_without_javascript_show_the_folded_answer(browser, checks_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{checks_server}/zh/index.html")
        assert page.is_visible("#selfcheck-1 legend") and page.is_visible("label[for=selfcheck-1-b]")
        assert page.is_hidden("#selfcheck-1 button")
        page.click("#selfcheck-1 summary")
        assert "正确答案是 (b)" in page.inner_text("#selfcheck-1 details")
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_selfchecks_have_no_accessibility_violation(browser, checks_server, theme: str) -> None:  # type: ignore[no-untyped-def]
    w = Watched(browser, checks_server)
    found = []
    try:
        for lang in ("en", "zh"):
            w.goto(f"{lang}/index.html")
            set_theme(w, theme)
            w.page.check("#selfcheck-1-a")
            w.page.click("#selfcheck-1 button")  # feedback shown, as a reader sees it
            found += [f"{lang}: {v}" for v in axe_violations(w, "fieldset.selfcheck")]
    finally:
        w.close()
    assert found == [], "\n".join(found)
