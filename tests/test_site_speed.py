"""A light, fast site: the checks behind issue #14's weight and speed targets.

- the glue that cuts Font Awesome (``icons``), loads per page only the assets it needs and defers
  scripts (``assets``) and re-encodes the figures' rasters (``images``), each shown to fail on a
  small fault injected into a copy;
- the built site passes those checks, and a copy of it with one fault does not;
- Lighthouse's mobile performance score, median of 3 runs, on the landing page and on one content
  page per language (``bench/lighthouse.py``; skipped visibly without Chromium or Lighthouse, a
  failure under ``CI``).

The page-weight target itself is checked in ``tests/test_browser.py``.
"""

from __future__ import annotations

import base64
import io
import random
import re
import shutil
import statistics
import sys
from pathlib import Path

import pytest

from conftest import skip_or_fail as _skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

from dlnotes_book import assets, css_prune, icons, images, math_fonts  # noqa: E402
from dlnotes_book.guards import InternalsChanged  # noqa: E402

THEME_CSS = (icons.theme_static() / icons.CSS_NAME).read_text(encoding="utf-8")


# ---------------------------------------------------------------- icons: Font Awesome, cut
def test_the_cut_stylesheet_keeps_only_the_wanted_icons() -> None:
    css, drawn = icons.cut_stylesheet(THEME_CSS, {"fa-sun", "fa-moon"})
    table = icons.icon_table(css)
    assert set(table) == {"fa-sun", "fa-moon"}, sorted(table)[:10]
    assert len(icons.icon_table(THEME_CSS)) > 1000
    assert {table["fa-sun"], table["fa-moon"]} <= drawn
    assert icons.private_use(THEME_CSS.split("--pst-icon-info-circle:", 1)[1][:3]) <= drawn
    for font in icons.FONTS:
        assert f"{font}.subset.woff2" in css and f"{font}.woff2" not in css


def test_an_icon_the_theme_does_not_have_is_refused() -> None:
    with pytest.raises(InternalsChanged, match="fa-no-such-icon"):
        icons.cut_stylesheet(THEME_CSS, {"fa-sun", "fa-no-such-icon"})


def test_a_changed_stylesheet_is_refused() -> None:
    with pytest.raises(InternalsChanged, match="over 1000 icon"):
        icons.cut_stylesheet(icons.ICON_RULE.sub("", THEME_CSS), {"fa-sun"})
    broken = THEME_CSS.replace("fa-solid-900.woff2", "fa-solid-900.v2.woff2")
    with pytest.raises(InternalsChanged, match="fa-solid-900.woff2"):
        icons.cut_stylesheet(broken, {"fa-sun"})


def test_the_cut_fonts_hold_exactly_the_drawn_glyphs_and_are_the_same_each_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib import TTFont

    monkeypatch.setattr(icons, "FONT_CACHE", tmp_path / "cache-a")
    sizes = icons.write_assets(tmp_path / "a", icons.theme_static())
    monkeypatch.setattr(icons, "FONT_CACHE", tmp_path / "cache-b")  # cut again, not from the cache
    icons.write_assets(tmp_path / "b", icons.theme_static())
    for name in sizes:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    _, drawn = icons.cut_stylesheet(THEME_CSS, icons.ICONS)
    with icons.woff2_codec():
        solid = TTFont(tmp_path / "a" / icons.FONT_DIR / "fa-solid-900.subset.woff2", lazy=False)
    cmap = set(solid.getBestCmap())
    table = icons.icon_table(THEME_CSS)
    assert {ord(table[i]) for i in icons.ICONS} <= cmap
    assert cmap <= {ord(c) for c in drawn} | {0x20}
    assert sizes[f"{icons.FONT_DIR}/fa-solid-900.subset.woff2"] < 10_000


def _mini_site(root: Path, body: str, script: str = "") -> Path:
    (root / "_static").mkdir(parents=True)
    (root / "index.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    (root / "_static" / "theme.js").write_text(script, encoding="utf-8")
    return root


def test_an_icon_outside_the_cut_font_is_found(tmp_path: Path) -> None:
    good = '<i class="fa-solid fa-sun fa-lg"></i><i class="fa-solid fa-magnifying-glass"></i>'
    assert icons.icon_problems(_mini_site(tmp_path / "ok", good, 'x.classList.add("fa-xmark")'),
                               THEME_CSS) == []
    site = _mini_site(tmp_path / "bad", good + '<i class="fa-solid fa-rocket"></i>')
    assert icons.icon_problems(site, THEME_CSS) == [
        "index.html: uses the icon fa-rocket, which the cut Font Awesome lacks (add it to ICONS "
        "in book/_ext/dlnotes_book/icons.py)"]
    site = _mini_site(tmp_path / "js", good, 'e.className = "fa-solid fa-trash"')
    assert [p.split(":")[0] for p in icons.icon_problems(site, THEME_CSS)] == ["_static/theme.js"]
    site = _mini_site(tmp_path / "typo", '<i class="fa-solid fa-sunn"></i>')
    assert "neither a Font Awesome icon nor a style class" in icons.icon_problems(site, THEME_CSS)[0]


# ---------------------------------------------------------------- assets: per page, deferred
def test_the_layout_edit_keeps_the_search_scripts_for_search_as_you_type() -> None:
    import pydata_sphinx_theme

    original = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
                / "layout.html").read_text(encoding="utf-8")
    edited = assets.layout(original)
    assert "{% if pagename == 'search' or not (theme_search_as_you_type | tobool) %}" in edited
    assert edited.count("searchindex.js") == original.count("searchindex.js")
    with pytest.raises(InternalsChanged, match="pagename == 'search'"):
        assets.layout(original.replace("{% if pagename == 'search' %}", "{% if pagename == 's' %}"))


def test_theme_css_is_basic_css_or_the_build_stops() -> None:
    theme = "/* comment */\n@import \"../basic.css\";\n"
    assert assets.theme_css(theme, "div.x { clear: both; }\n").endswith("div.x { clear: both; }\n")
    with pytest.raises(InternalsChanged, match="basic.css"):
        assets.theme_css(theme + "@import \"more.css\";\n", "div.x {}")


def test_scripts_are_deferred_but_documentation_options() -> None:
    from sphinx.builders.html._assets import _JavaScript

    scripts = [_JavaScript("documentation_options.js", priority=1), _JavaScript("doctools.js"),
               _JavaScript("", body="let x = 1;"), _JavaScript("selfcheck.js", defer="defer"),
               _JavaScript("late.js", priority=800, **{"async": "async"})]
    out = assets.deferred(scripts)
    assert [s.filename for s in out] == [s.filename for s in scripts]
    assert [s.priority for s in out] == [s.priority for s in scripts]
    assert "defer" not in out[0].attributes and out[1].attributes == {"defer": "defer"}
    assert out[2] is scripts[2] and out[3] is scripts[3] and out[4] is scripts[4]


PAGE = """<html><head><link rel="stylesheet" href="_static/katex/katex.min.css">
<script src="_static/documentation_options.js?v=1"></script>
<script defer="defer" src="_static/doctools.js?v=2"></script></head>
<body><span class="katex"><span class="katex-html">x</span></span></body></html>"""


@pytest.mark.parametrize(("fault", "message"), [
    (lambda p: p.replace('<script defer="defer" src="_static/doctools', '<script src="_static/doctools'),
     "page.html: _static/doctools.js?v=2 blocks rendering (expected defer or async)"),
    (lambda p: p.replace('<link rel="stylesheet" href="_static/katex/katex.min.css">', ""),
     "page.html: shows KaTeX math but does not load katex/katex.min.css"),
])
def test_a_page_that_loads_assets_wrongly_is_found(fault, message: str) -> None:  # type: ignore[no-untyped-def]
    assert assets.page_problems("page.html", PAGE) == []
    assert assets.page_problems("page.html", fault(PAGE)) == [message]
    assert assets.page_problems("search.html", PAGE.replace(" defer=\"defer\"", "")) == []


# ---------------------------------------------------------------- images: figures' rasters
def _svg_with(image: object) -> str:
    out = io.BytesIO()
    image.save(out, "PNG")  # type: ignore[attr-defined]
    data = base64.b64encode(out.getvalue()).decode()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            f'<image width="10" height="10" xlink:href="data:image/png;base64,\n{data}"/></svg>')


def _embedded(svg: str) -> tuple[str, object]:
    from PIL import Image

    mime, data = re.search(r'href="data:(image/[a-z]+);base64,([^"]+)"', svg).groups()  # type: ignore[union-attr]
    return mime, Image.open(io.BytesIO(base64.b64decode(data)))


def test_a_plot_stays_pixel_for_pixel_and_shrinks() -> None:
    from PIL import Image

    plot = Image.new("RGBA", (200, 150), (255, 255, 255, 255))
    for x in range(200):
        plot.putpixel((x, 75 + int(40 * ((x % 50) / 50 - 0.5))), (31, 119, 180, 255))
    svg = _svg_with(plot)
    lighter = images.lighter_svg(svg)
    mime, image = _embedded(lighter)
    assert mime == "image/png" and len(lighter) < len(svg)
    assert image.convert("RGBA").tobytes() == plot.tobytes()  # type: ignore[attr-defined]
    assert images.lighter_svg(lighter) == lighter  # idempotent


def test_a_transparent_image_keeps_its_alpha() -> None:
    from PIL import Image

    img = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    img.putpixel((3, 3), (200, 10, 10, 255))
    mime, image = _embedded(images.lighter_svg(_svg_with(img)))
    assert mime == "image/png" and image.convert("RGBA").tobytes() == img.tobytes()  # type: ignore[attr-defined]


def test_a_photograph_becomes_a_much_smaller_jpeg() -> None:
    from PIL import Image

    rng = random.Random(0)
    photo = Image.new("RGB", (200, 200))
    photo.putdata([(min(255, x + rng.randrange(40)), min(255, y + rng.randrange(40)), 128)
                   for y in range(200) for x in range(200)])
    svg = _svg_with(photo.convert("RGBA"))
    lighter = images.lighter_svg(svg)
    mime, image = _embedded(lighter)
    assert mime == "image/jpeg" and image.size == (200, 200)  # type: ignore[attr-defined]
    assert len(lighter) < len(svg) / 2
    assert images.lighter_svg(lighter) == lighter


# ---------------------------------------------------------------- math_fonts: KaTeX's, cut
MATH = ('<p>text ∑ <span class="katex"><span class="katex-mathml"><math><semantics><mi>q</mi>'
        '<annotation encoding="application/x-tex">\\sum q</annotation></semantics></math></span>'
        '<span class="katex-html" aria-hidden="true"><span class="mord mathnormal">x</span>'
        '<span class="mop op-symbol small-op">∑</span><br><svg><path d="M0 0"/></svg>'
        '<span>²</span></span></span> after</p>')


def test_only_the_drawn_characters_of_the_mathematics_are_collected() -> None:
    assert math_fonts.math_chars(MATH) == {"x", "∑", "²"}


def test_the_katex_stylesheet_edit_finds_every_font_or_stops() -> None:
    css = (math_fonts.KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    out, names = math_fonts.cut_stylesheet(css)
    assert len(names) == css.count("@font-face") == out.count(".subset.woff2") == 20
    assert ".ttf" not in out and 'format("woff")' not in out
    with pytest.raises(InternalsChanged, match="one woff2/woff/ttf source per @font-face"):
        math_fonts.cut_stylesheet(css.replace("KaTeX_AMS-Regular.ttf", "KaTeX_AMS-Regular.otf"))


def test_a_character_the_cut_fonts_lack_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(icons, "FONT_CACHE", tmp_path / "cache")
    site = tmp_path / "site"
    (site / "_static" / "katex").mkdir(parents=True)
    (site / "page.html").write_text(f"<html><body>{MATH}</body></html>", encoding="utf-8")
    sizes = math_fonts.cut_fonts(site)
    assert sizes["KaTeX_Main-Regular"] < 4000  # three characters, not the whole font
    assert math_fonts.font_problems(site) == []
    fonts = site / "_static" / "katex" / "fonts"
    assert "∑" in math_fonts.cmap(fonts / "KaTeX_Size1-Regular.subset.woff2")
    assert "∫" not in math_fonts.cmap(fonts / "KaTeX_Size1-Regular.subset.woff2")
    (site / "later.html").write_text(MATH.replace("∑</span>", "∫</span>"), encoding="utf-8")
    assert math_fonts.font_problems(site) == [
        "later.html: mathematics uses '∫', which no cut KaTeX font draws"]


# ---------------------------------------------------------------- css_prune: unused rules out
CSS = ('@charset "UTF-8";/*! Licence notice */:root{--x:1}/* dropped */'
       '.nav .active,.carousel-item{color:red}.btn:not(.disabled){cursor:pointer}'
       '@media (min-width:960px){.toast{display:none}.nav{display:flex}}'
       '@supports (display:grid){.grid{display:grid}}@keyframes spin{0%{opacity:0}to{opacity:1}}'
       'a[href$=".pdf"]{font-weight:bold}.bs-tooltip-auto .tooltip-arrow{top:0}'
       '.content{background:url("data:image/svg+xml;charset=utf-8,%3Csvg%3E{}%3C/svg%3E")}')


def test_rules_no_page_can_match_are_dropped_and_the_rest_kept_byte_for_byte() -> None:
    out = css_prune.prune(CSS, {"nav", "active", "btn", "content", "tooltip-arrow"})
    assert out == ('@charset "UTF-8";/*! Licence notice */:root{--x:1}.nav .active{color:red}'
                   '.btn:not(.disabled){cursor:pointer}@media (min-width:960px){.nav{display:flex}}'
                   '@keyframes spin{0%{opacity:0}to{opacity:1}}a[href$=".pdf"]{font-weight:bold}'
                   '.bs-tooltip-auto .tooltip-arrow{top:0}'
                   '.content{background:url("data:image/svg+xml;charset=utf-8,%3Csvg%3E{}%3C/svg%3E")}')
    assert css_prune.prune(out, {"nav", "active", "btn", "content", "tooltip-arrow"}) == out
    everything = css_prune.prune(CSS, {"nav", "active", "carousel-item", "btn", "toast", "grid",
                                       "content", "tooltip-arrow"})
    assert everything == CSS.replace("/* dropped */", "")


def test_a_class_a_page_or_script_starts_using_keeps_its_rules(tmp_path: Path) -> None:
    site = _mini_site(tmp_path / "site", '<div class="nav">', 'el.classList.add("toast")')
    (site / "b.html").write_text('<script>x.className = "grid"</script>', encoding="utf-8")
    known = css_prune.known_classes(site)
    assert {"nav", "toast", "grid"} <= known and "carousel-item" not in known
    out = css_prune.prune(CSS, known)
    assert ".toast{display:none}" in out and ".grid{display:grid}" in out
    assert "carousel" not in out


def test_an_unbalanced_stylesheet_stops_the_build() -> None:
    with pytest.raises(InternalsChanged, match="not closed"):
        css_prune.prune("@media print{.a{color:red}", {"a"})
    with pytest.raises(InternalsChanged, match="unbalanced"):
        css_prune.prune(".a{color:red}}", {"a"})


# ---------------------------------------------------------------- the built site
@pytest.mark.book
def test_the_built_site_passes_the_checks_and_a_broken_copy_does_not(built_site: Path, tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        out = built_site / lang
        assert icons.icon_problems(out, THEME_CSS) == []
        assert assets.site_problems(out) == []
        fonts = out / "_static" / icons.FONT_DIR
        assert (fonts / "fa-solid-900.subset.woff2").stat().st_size < 10_000
        css = (out / "_static" / icons.CSS_NAME).read_text(encoding="utf-8")
        assert "fa-solid-900.subset.woff2" in css and len(icons.icon_table(css)) < 40
        assert math_fonts.font_problems(out) == []
        pruned = (out / css_prune.TARGET).read_text(encoding="utf-8")
        assert len(pruned) < 200_000 and ".pagination" not in pruned and ".bd-sidebar-primary" in pruned
        assert (out / "_static" / "katex" / "fonts" / "KaTeX_Main-Regular.subset.woff2").stat().st_size < 20_000
        pages = [p for p in out.rglob("*.html") if not p.relative_to(out).parts[0].startswith("_")]
        with_index = [p.relative_to(out).as_posix() for p in pages
                      if "searchindex.js" in p.read_text(encoding="utf-8")]
        assert with_index == ["search.html"], with_index
    copy = tmp_path / "en"
    shutil.copytree(built_site / "en", copy, ignore=shutil.ignore_patterns("_images", "_sources",
                                                                        "_notebooks", "*.ipynb"))
    page = copy / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        'class="fa-solid fa-magnifying-glass"', 'class="fa-solid fa-rocket"', 1), encoding="utf-8")
    assert [p.split(":")[0] for p in icons.icon_problems(copy, THEME_CSS)] == ["index.html"]
    page.write_text(re.sub(r'<script defer="defer" src="(_static/doctools\.js[^"]*)"',
                           r'<script src="\1"', page.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")
    assert any("doctools.js" in p for p in assets.site_problems(copy))


# ---------------------------------------------------------------- Lighthouse
@pytest.mark.book
@pytest.mark.browser
@pytest.mark.slow
def test_lighthouse_mobile_performance_is_at_least_95(built_site: Path) -> None:
    """Median of 3 runs per page, Lighthouse's default mobile throttling (simulated)."""
    import lighthouse as lh
    from sitecheck import CHROMIUM

    if CHROMIUM is None:
        _skip_or_fail("Chromium is not installed (apt-get install chromium)")
    if not lh.LIGHTHOUSE.exists():
        _skip_or_fail("Lighthouse is not installed (npm ci)")
    results = lh.measure(built_site, list(lh.PAGES), runs=3)
    low = {page: [r["score"] for r in runs] for page, runs in results.items()
           if statistics.median(r["score"] for r in runs) < lh.TARGET}
    detail = {page: [r["metrics"] for r in runs] for page, runs in results.items() if page in low}
    assert low == {}, f"median Lighthouse performance under {lh.TARGET}: {low}; metrics {detail}"
