"""Valid HTML: the Nu Html Checker finds no error on any page, and the glue that makes it so.

The site check runs ``tools/htmlcheck.py`` (vnu.jar from npm ``vnu-jar``) once over every page of
both languages and the landing and 404 pages, and fails listing every error by message with
example locations. A broken copy of a page shows that it can fail. The glue that repairs
markup the project controls (``book/_ext/dlnotes_book``: ``hidden_cells``, ``mathml``,
``dataframes``, ``paragraphs``, ``theme_templates``) is tested piece by piece, each edit against
the markup it was written for and against changed markup, which must stop the build.

Without Java the checker's tests skip with the install hint, except under CI (``CI`` set), where
they fail.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import skip_or_fail as _skip_or_fail
from docutils import nodes
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import htmlcheck  # noqa: E402
from dlnotes_book import dataframes, hidden_cells, mathml, paragraphs, theme_templates  # noqa: E402
from dlnotes_book.guards import InternalsChanged  # noqa: E402


@pytest.fixture(scope="module")
def checker() -> None:
    if htmlcheck.JAVA is None:
        _skip_or_fail("Java is not installed (apt-get install default-jre-headless)")
    if not htmlcheck.VNU.is_file():
        _skip_or_fail(f"{htmlcheck.VNU} is missing (npm ci)")


# ---------------------------------------------------------------- the built site
@pytest.mark.book
def test_every_page_is_valid_html(checker: None, built_site: Path) -> None:
    files = htmlcheck.site_files(built_site)
    names = {f.relative_to(built_site).as_posix() for f in files}
    for page in ("index.html", "404.html", "en/index.html", "zh/index.html", "en/search.html",
                 "zh/glossary.html", "en/api.html", "zh/training/optimization.html"):
        assert page in names, f"{page} is not among the {len(files)} pages checked"
    errors, stale = htmlcheck.apply_allowlist(htmlcheck.check(files, built_site))
    assert not errors and not stale, (
        f"The Nu Html Checker found {len(errors)} errors in {len(files)} pages:\n"
        + htmlcheck.report(errors, stale, examples=5))


@pytest.mark.book
def test_the_check_fails_on_a_broken_copy_of_a_page(checker: None, built_site: Path,
                                                    tmp_path: Path) -> None:
    page = (built_site / "en" / "glossary.html").read_text(encoding="utf-8")
    assert page.count("</article>") == 1
    broken = page.replace("</article>", "<summary><p>Show</p></summary>"
                          '<span><div class="x">block in inline</div></span></article>')
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "glossary.html").write_text(broken, encoding="utf-8")
    shutil.copyfile(built_site / "404.html", tmp_path / "404.html")
    problems = htmlcheck.check(htmlcheck.site_files(tmp_path), tmp_path)
    messages = {p.message for p in problems}
    assert {p.file for p in problems} == {"en/glossary.html"}, htmlcheck.report(problems)
    assert any("“summary” not allowed as child of element “article”" in m for m in messages), messages
    assert any("“div” not allowed as child of element “span”" in m for m in messages), messages
    text = htmlcheck.report(problems)
    assert "en/glossary.html:" in text and "× Element" in text, text
    assert htmlcheck.main([str(tmp_path)]) == 1


# ---------------------------------------------------------------- the checker's own logic
def _problem(message: str, file: str = "en/a.html", line: int = 3) -> htmlcheck.Problem:
    return htmlcheck.Problem(message, file, line, 7, "<x>")


def test_an_allowlisted_error_that_no_longer_occurs_is_reported() -> None:
    problems = [_problem("Bad A"), _problem("Bad B", "zh/b.html")]
    errors, stale = htmlcheck.apply_allowlist(problems, {"Bad A": "why, upstream #1",
                                                         "Gone": "why, upstream #2"})
    assert [p.message for p in errors] == ["Bad B"]
    assert stale == ["Gone"]
    text = htmlcheck.report(errors, stale)
    assert "1 × Bad B" in text and "zh/b.html:3:7" in text
    assert "no longer found" in text and "Gone" in text


def test_the_allowlist_gives_a_reason_for_each_entry() -> None:
    for message, why in htmlcheck.ALLOWLIST.items():
        assert message.strip() and re.search(r"github\.com/|#\d+", why), (message, why)


def test_problems_are_grouped_by_message_most_frequent_first() -> None:
    groups = htmlcheck.group([_problem("B"), _problem("A"), _problem("B", line=9)])
    assert list(groups) == ["B", "A"] and [p.line for p in groups["B"]] == [3, 9]


def test_a_missing_checker_is_named_with_its_install_hint(tmp_path: Path) -> None:
    with pytest.raises(htmlcheck.CheckerUnavailable, match="apt-get install"):
        htmlcheck.check([tmp_path / "a.html"], java=None)
    with pytest.raises(htmlcheck.CheckerUnavailable, match="npm ci"):
        htmlcheck.check([tmp_path / "a.html"], vnu=tmp_path / "vnu.jar")


# ---------------------------------------------------------------- the repairs, checked by vnu
# KaTeX 0.16.22's MathML for \lambda_{\max} and 1000 \bmod 64, as the build wrote them.
MAX = ('<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mn>2</mn>'
       '<mi mathvariant="normal">/</mi><msub><mi>λ</mi><mi>max</mi><mo>\u2061</mo></msub></mrow>'
       '<annotation encoding="application/x-tex">2/\\lambda_{\\max}</annotation></semantics></math>')
BMOD = ('<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mn>1000</mn>'
        '<mtext> </mtext><mo lspace="0.22em" rspace="0.22em"><mrow><mi mathvariant="normal">m</mi>'
        '<mi mathvariant="normal">o</mi><mi mathvariant="normal">d</mi></mrow></mo><mtext> </mtext>'
        '<mn>64</mn></mrow><annotation encoding="application/x-tex">1000 \\bmod 64</annotation>'
        '</semantics></math>')
TOGGLE = ('<div class="cell tag_hide-cell docutils container">\n'
          '<details class="admonition hide above-input">\n'
          '<summary aria-label="Toggle hidden content">\n'
          '<p class="collapsed admonition-title">Show code cell content</p>\n'
          '<p class="expanded admonition-title">Hide code cell content</p>\n'
          '</summary>\n<p>x</p>\n</details>\n</div>\n')
def _document(body: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
            f"<body><main>{body}</main></body></html>")


def _frame_dataframe() -> str:
    return ('<div class="output text_html"><div>\n' + dataframes.STYLE + '\n'
            '<table border="1" class="dataframe">\n  <thead>\n    <tr style="text-align: right;">\n'
            '      <th></th>\n      <th>Price</th>\n    </tr>\n  </thead>\n  <tbody>\n    <tr>\n'
            '      <th>0</th>\n      <td>127500</td>\n    </tr>\n  </tbody>\n</table>\n</div></div>')


def test_the_repairs_turn_invalid_markup_into_valid_markup(checker: None, tmp_path: Path) -> None:
    """The markup as the packages write it fails the checker; the repaired markup passes."""
    before = {
        "math.html": f"<p>{MAX} and {BMOD}</p>",
        "toggle.html": TOGGLE,
        "frame.html": _frame_dataframe(),
    }
    after = {
        "math.html": f"<p>{mathml.repair(MAX)} and {mathml.repair(BMOD)}</p>",
        "toggle.html": hidden_cells.prompt_spans(hidden_cells.unlabel_toggles(TOGGLE, 1, "p"), 1, "p"),
        "frame.html": dataframes.clean_dataframes(_frame_dataframe(), "p"),
    }
    for folder, pages in (("before", before), ("after", after)):
        (tmp_path / folder).mkdir()
        for name, body in pages.items():
            (tmp_path / folder / name).write_text(_document(body), encoding="utf-8")
    problems = htmlcheck.check(sorted(tmp_path.rglob("*.html")), tmp_path)
    bad = {p.file for p in problems}
    assert bad == {f"before/{name}" for name in before}, htmlcheck.report(problems)


# ---------------------------------------------------------------- hidden-cell toggles
def test_hidden_cell_prompts_become_spans() -> None:
    out = hidden_cells.prompt_spans(hidden_cells.unlabel_toggles(TOGGLE * 2, 2, "p"), 2, "p")
    assert "<p class" not in out
    assert out.count('<span class="collapsed admonition-title">Show code cell content</span>') == 2
    assert out.count('<span class="expanded admonition-title">Hide code cell content</span>') == 2
    assert out.count("<p>x</p>") == 2  # the cell's own content is left alone


def test_hidden_cell_prompt_edit_fails_when_myst_nb_markup_changes() -> None:
    with pytest.raises(InternalsChanged, match="page has 1 hidden cells, so 2 prompts"):
        hidden_cells.prompt_spans("<summary></summary>", 1, "page")
    nested = TOGGLE.replace("Show code cell content", "<b>Show</b>")
    with pytest.raises(InternalsChanged, match="1 such paragraphs left unmatched"):
        hidden_cells.prompt_spans(nested, 1, "page")


# ---------------------------------------------------------------- KaTeX's MathML
def test_a_function_name_in_a_subscript_is_grouped() -> None:
    out = mathml.repair(f'<span class="katex-mathml">{MAX}</span><span class="katex-html">x</span>')
    assert "<msub><mi>λ</mi><mrow><mi>max</mi><mo>\u2061</mo></mrow></msub>" in out
    assert out.endswith('<span class="katex-html">x</span>')


def test_bmod_becomes_an_operator_with_text() -> None:
    assert '<mo lspace="0.22em" rspace="0.22em">mod</mo>' in mathml.repair(BMOD)


def test_valid_mathml_is_left_byte_for_byte() -> None:
    good = MAX.replace("<mi>max</mi><mo>\u2061</mo>", "<mi>i</mi>").replace("<mn>2</mn>", "<mspace width=\"1em\"/>")
    assert mathml.repair(good) == good
    assert mathml.parse(BMOD).markup() == BMOD


def test_mathml_that_the_repair_does_not_know_stops_the_build() -> None:
    three = MAX.replace("<mo>\u2061</mo>", "<mi>j</mi>")
    with pytest.raises(ExtensionError, match=r"2/\\lambda_\{\\max\}.*<msub> with 3 children"):
        mathml.repair(three)
    with pytest.raises(ExtensionError, match="<mo> holding elements"):
        mathml.repair(BMOD.replace('<mi mathvariant="normal">o</mi>', "<mn>0</mn>"))
    with pytest.raises(ValueError, match="closes"):
        mathml.parse("<math><mrow></mi></math>")


def test_the_render_wrapper_is_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    from dlnotes_book import guards

    real = guards.installed_version
    monkeypatch.setattr(guards, "installed_version",
                        lambda p: "0.0.1" if p == "sphinxcontrib-katex" else real(p))
    with pytest.raises(InternalsChanged, match="sphinxcontrib-katex 0.0.1 is installed"):
        mathml.setup(SimpleNamespace())


def test_the_render_wrapper_repairs_and_is_installed_once() -> None:
    wrapped = mathml.repairing(lambda tex, options=None: f'<span class="katex">{MAX}</span>')
    assert "<mrow><mi>max</mi>" in wrapped("x")
    from sphinxcontrib import katex

    original = katex.render_latex
    try:
        mathml.setup(SimpleNamespace())
        first = katex.render_latex
        mathml.setup(SimpleNamespace())
        assert katex.render_latex is first and first.__wrapped__ is getattr(original, "__wrapped__", original)
    finally:
        katex.render_latex = original


# ---------------------------------------------------------------- pandas' tables
def test_dataframes_lose_their_style_block_and_empty_header_cells() -> None:
    out = dataframes.clean_dataframes(_frame_dataframe() * 2, "page")
    assert "<style" not in out and "<th></th>" not in out
    assert out.count("<td></td>") == 2 and out.count("<th>Price</th>") == 2
    assert out.count("<th>0</th>") == 2  # row labels stay header cells
    outside = "<table><tr><th></th></tr></table>"  # not pandas' table: left alone
    assert dataframes.clean_dataframes(outside, "page") == outside


def test_an_unknown_scoped_style_stops_the_build() -> None:
    changed = _frame_dataframe().replace("vertical-align: top", "vertical-align: bottom")
    with pytest.raises(ExtensionError, match="page: a <style scoped> block .*vertical-align: bottom"):
        dataframes.clean_dataframes(changed, "page")


def test_the_moved_dataframe_rules_are_in_the_stylesheet() -> None:
    css = (ROOT / "book" / "_static" / "dlnotes.css").read_text(encoding="utf-8")
    for rule in re.findall(r"(\.dataframe[^{]*)\{\s*([^;]+);", dataframes.STYLE):
        selector, declaration = rule[0].strip(), rule[1].strip()
        assert f"{selector} {{ {declaration}; }}" in css, (selector, declaration)


# ---------------------------------------------------------------- lists in paragraphs
def test_a_paragraph_holding_a_list_is_split() -> None:
    doc = nodes.document(None, None)
    field_body = nodes.field_body()
    par = nodes.paragraph(ids=["ret"], classes=["c"])
    items = nodes.bullet_list()
    items += nodes.list_item("", nodes.paragraph(text="gradient"))
    par += nodes.Text("Returns: ")
    par += items
    par += nodes.Text(" ")
    field_body += par
    doc += field_body
    plain = nodes.paragraph(text="plain")
    doc += plain
    assert paragraphs.split_paragraphs(doc) == 1
    kinds = [type(n).__name__ for n in field_body.children]
    assert kinds == ["paragraph", "bullet_list"], kinds
    assert field_body[0]["ids"] == ["ret"] and field_body[0]["classes"] == ["c"]
    assert field_body[0].astext() == "Returns: "
    assert doc[1] is plain  # a paragraph without a block is untouched
    assert paragraphs.split_paragraphs(doc) == 0


# ---------------------------------------------------------------- the primary sidebar landmark
def test_the_primary_sidebar_becomes_a_labelled_landmark() -> None:
    original = (theme_templates._theme_dir() / "layout.html").read_text(encoding="utf-8")
    out = theme_templates.layout(original)
    tag = re.search(r'<div id="pst-primary-sidebar"[^>]*>', out)
    assert tag, "the sidebar must stay a div: the theme's script finds it as div.bd-sidebar"
    assert 'class="bd-sidebar-primary bd-sidebar' in tag.group(0)
    assert "role=\"complementary\" aria-label=\"{{ _('Site navigation') }}\"" in tag.group(0)
    assert out.count("role=") == original.count("role=") + 1
    with pytest.raises(InternalsChanged, match="layout.html"):
        theme_templates.layout(original.replace('id="pst-primary-sidebar"', 'id="sidebar"'))
