"""The localised interface's build glue (``book/_ext/dlnotes_book/chrome.py``), without a build.

The browser test ``test_localisation.py`` checks the result on the built site; these check the
parts one by one, each against a broken copy as well.
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from dlnotes_book import chrome, other_language  # noqa: E402
from dlnotes_book.guards import InternalsChanged  # noqa: E402

PO_HEAD = ('msgid ""\nmsgstr ""\n"Language: zh_CN\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
           '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n')


def _po(tmp_path: Path, body: str) -> Path:
    po = tmp_path / "x.po"
    po.write_text(PO_HEAD + body, encoding="utf-8")
    return po


def test_the_project_catalogs_compile_and_translate(tmp_path: Path) -> None:
    pos = chrome.catalogs_for("zh_CN")
    assert {p.name for p in pos} == {"sphinx.po", "booktheme.po"}
    assert chrome.catalogs_for("en") == []  # English keeps the packages' own strings
    table = {}
    for po in pos:
        mo = chrome.compile_catalog(po, tmp_path / (po.stem + ".mo"), "zh_CN")
        with mo.open("rb") as f:
            table[po.stem] = gettext.GNUTranslations(f)
    assert table["booktheme"].gettext("Print to PDF") == "打印为 PDF"  # not 列印成 PDF
    assert table["sphinx"].gettext("System Settings") == "跟随系统"
    assert table["sphinx"].gettext("By %(author)s") % {"author": "dlnotes 作者团队"} == "作者：dlnotes 作者团队"
    # The same catalog compiles to the same bytes (reproducible builds; no rewrite if unchanged).
    again = chrome.compile_catalog(pos[0], tmp_path / "again.mo", "zh_CN")
    assert again.read_bytes() == (tmp_path / (pos[0].stem + ".mo")).read_bytes()


@pytest.mark.parametrize(("body", "expected"), [
    ('msgid "Color mode"\nmsgstr ""\n', "'Color mode' has no translation"),
    ('#, fuzzy\nmsgid "Color mode"\nmsgstr "颜色模式"\n', "'Color mode' is marked fuzzy"),
    ('#, python-format\nmsgid "By %(author)s"\nmsgstr "作者：%(name)s"\n', "'By %(author)s': "),
])
def test_an_unusable_catalog_stops_the_build(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(InternalsChanged, match=re.escape(expected)) as info:
        chrome.compile_catalog(_po(tmp_path, body), tmp_path / "x.mo", "zh_CN")
    assert "x.po" in str(info.value)  # names the file
    assert not (tmp_path / "x.mo").exists()


def test_no_compiled_catalog_is_committed() -> None:
    """The ``.mo`` files are build products (``_build/locale``): a committed one could go stale."""
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked == []


def _upstream_text() -> str:
    """Every place the installed packages (and chrome.py's template edits) spell a message."""
    import pydata_sphinx_theme
    import sphinx
    import sphinx_book_theme

    texts = [(Path(sphinx.__file__).parent / "locale" / "sphinx.pot").read_text(encoding="utf-8")]
    for package in (pydata_sphinx_theme, sphinx_book_theme):
        for path in Path(package.__file__).parent.rglob("*"):
            if path.suffix in {".html", ".py", ".pot"} or path.name == "booktheme.po":
                texts.append(path.read_text(encoding="utf-8"))
    texts += [new for edits in chrome.BOOK_TEMPLATES.values() for _, new in edits]
    return "\n".join(texts)


def unused_messages(source: Path = chrome.LOCALE_SRC) -> list[str]:
    from babel.messages.pofile import read_po

    upstream = _upstream_text()
    unused = []
    for po in chrome.catalogs_for("zh_CN", source):
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id and f'"{message.id}"' not in upstream and f"'{message.id}'" not in upstream:
                    unused.append(f"{po.name}: {message.id!r}")
    return unused


def test_every_message_of_the_catalogs_is_one_the_packages_use(tmp_path: Path) -> None:
    """A message that upstream renamed would silently stop being translated; this names it."""
    unused = unused_messages()
    assert unused == [], "messages no installed package uses:\n" + "\n".join(unused)
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "sphinx.po").write_text(PO_HEAD + 'msgid "Toggle primary sidebar"\nmsgstr "甲"\n\n'
                                      'msgid "Toggle the sidebar"\nmsgstr "乙"\n', encoding="utf-8")
    assert unused_messages(tmp_path) == ["sphinx.po: 'Toggle the sidebar'"]


def test_the_project_catalog_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ours wins where both translate; the catalogs already loaded answer the rest."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from sphinx import locale

    def mo(name: str, pairs: dict[str, str]) -> Path:
        catalog = Catalog(locale="zh_CN")
        for k, v in pairs.items():
            catalog.add(k, v)
        path = tmp_path / name
        with path.open("wb") as f:
            write_mo(f, catalog)
        return path

    domain = "dlnotes-test-domain"
    with mo("theirs.mo", {"Print to PDF": "列印成 PDF", "Contents": "目录"}).open("rb") as f:
        theirs = gettext.GNUTranslations(f)
    monkeypatch.setitem(locale.translators, ("general", domain), theirs)
    chrome.install_catalog(SimpleNamespace(), domain, mo("ours.mo", {"Print to PDF": "打印为 PDF"}))
    translate = locale.get_translation(domain)
    assert translate("Print to PDF") == "打印为 PDF"
    assert translate("Contents") == "目录"
    assert translate("Untranslated") == "Untranslated"
    # The "sphinx" domain is also the templates' translator (app.translator).
    app = SimpleNamespace(translator=None)
    monkeypatch.setitem(locale.translators, ("general", "sphinx"), locale.translators["general", "sphinx"]
                        if ("general", "sphinx") in locale.translators else gettext.NullTranslations())
    chrome.install_catalog(app, "sphinx", mo("ours2.mo", {"Color mode": "颜色模式"}))
    assert app.translator is locale.translators["general", "sphinx"]
    assert app.translator.gettext("Color mode") == "颜色模式"


def test_theme_templates_are_localised_and_the_edits_fail_loudly(tmp_path: Path) -> None:
    import sphinx_book_theme

    theme = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme"
    for name in chrome.BOOK_TEMPLATES:
        text = chrome.localised_template(name, (theme / name).read_text(encoding="utf-8"))
        assert "{{ _(" in text, name
    config = SimpleNamespace(templates_path=["book/_templates"])
    chrome.write_templates(config, out=tmp_path)  # type: ignore[arg-type]
    assert config.templates_path == ["book/_templates", str(tmp_path)]
    assert 'title="{{ _(\'Toggle primary sidebar\') }}"' in (tmp_path / "toggle-primary-sidebar.html").read_text()
    assert "_('By %(author)s')" in (tmp_path / "author.html").read_text()
    with pytest.raises(InternalsChanged, match="toggle-primary-sidebar.html: expected 'title=\"Toggle primary sidebar\"'"):
        chrome.localised_template("components/toggle-primary-sidebar.html", '<button title="Toggle sidebar">')


def test_the_solutions_button_label_is_read_from_the_page(tmp_path: Path) -> None:
    import sphinx_togglebutton

    js = (Path(sphinx_togglebutton.__file__).parent / "_static" / "togglebutton.js").read_text()
    edited = chrome.togglebutton_js(js)
    assert 'aria-label="${toggleButtonLabel}"' in edited and "Toggle hidden content" not in edited
    with pytest.raises(InternalsChanged, match="togglebutton.js"):
        chrome.togglebutton_js(js.replace('aria-label="Toggle hidden content"', 'aria-label="Toggle"'))


def test_hidden_cell_toggles_are_translated_or_stop_the_build() -> None:
    table = chrome.HIDDEN_CELL_PROMPTS["zh"]
    assert chrome.translate_prompt("Show code cell source", table, "p") == "显示代码"
    assert all(not re.search("[A-Za-z]", v) for v in table.values())
    with pytest.raises(InternalsChanged, match="preliminaries/calculus has the toggle text 'Show cell'"):
        chrome.translate_prompt("Show cell", table, "preliminaries/calculus")


# ---------------------------------------------------------------- Chinese on English pages
def test_chinese_runs_are_found_with_their_inner_spaces_and_hyphens() -> None:
    assert other_language.split_runs("vector-Jacobian product (向量-雅可比积), 早停 - x") == [
        ("vector-Jacobian product (", False), ("向量-雅可比积", True), ("), ", False),
        ("早停", True), (" - x", False)]
    assert other_language.split_runs("no Chinese") == [("no Chinese", False)]
    assert str(other_language.marked_html("a <b> 广播")) == 'a &lt;b&gt; <span lang="zh-CN">广播</span>'


def test_chinese_runs_in_a_doctree_are_marked_but_not_in_code() -> None:
    from docutils.core import publish_doctree, publish_from_doctree

    tree = publish_doctree("The term broadcasting (广播) is d2l-zh's 广播机制.\n\n"
                           "``x = '张量'``\n\n::\n\n    print('张量')\n")
    assert other_language.mark_chinese_runs(tree) == 2
    html = publish_from_doctree(tree, writer="html5").decode()
    assert html.count('<span lang="zh-CN">') == 2
    assert '(<span lang="zh-CN">广播</span>)' in html
    assert "<span lang=\"zh-CN\">张量" not in html  # code is left as it is
    assert other_language.mark_chinese_runs(tree) == 0  # marked once only


def test_index_entries_with_chinese_are_marked() -> None:
    entries = [("B", [("broadcasting (广播)", ([("", "glossary.html#term-b")], [("广播 (sub)", [])], None)),
                      ("batch", ([("", "x.html")], [], None))])]
    (key, [(first, (_, subs, _)), (second, _)]), = other_language.mark_index_entries(entries)
    assert str(first) == 'broadcasting (<span lang="zh-CN">广播</span>)'
    assert str(subs[0][0]) == '<span lang="zh-CN">广播</span> (sub)'
    assert second == "batch" and key == "B"


def test_no_template_is_regenerated_by_two_modules() -> None:
    """chrome.py and theme_templates.py write into the same folder: one file, one writer."""
    from dlnotes_book import theme_templates

    ours = {Path(name).name for name in chrome.BOOK_TEMPLATES}  # chrome writes bare names
    assert len(ours) == len(chrome.BOOK_TEMPLATES)
    both = sorted(ours & set(theme_templates.TEMPLATES))
    assert both == [], f"regenerated by both chrome.py and theme_templates.py: {both}; combine the edits"
