"""The book's build glue (``book/_ext/dlnotes_book``), one part at a time, without building a book.

Each guard over another package's internals is shown to fail, with a message naming the package,
the version found and the version it was written for, when that version changes; each string
edit fails when its target is gone; the cache clean-up leaves foreign folders alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest
from docutils import nodes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import dlnotes_book  # noqa: E402
from dlnotes_book import (  # noqa: E402
    cache,
    chrome,
    guards,
    hidden_cells,
    katex_local,
    kernel,
    notebooks,
    search_zh,
    theme_templates,
    zh_lines,
)
from dlnotes_book.guards import InternalsChanged  # noqa: E402


# ---------------------------------------------------------------- the execution cache
def test_cache_clean_up_removes_only_marked_caches(tmp_path: Path) -> None:
    base = tmp_path / "shared-cache"
    foreign = base / "pip"
    foreign.mkdir(parents=True)
    (foreign / "wheel.whl").write_bytes(b"someone else's")
    (base / "notes.txt").write_text("a file")
    old = cache.cache_path("oldkey", base)
    assert (old / cache.MARKER).is_file()
    (old / "global.db").write_bytes(b"db")
    unmarked_lookalike = base / "0123456789abcdef"
    unmarked_lookalike.mkdir()
    (unmarked_lookalike / "data").write_text("keep")

    new = cache.cache_path("newkey", base)

    assert new == base / "newkey" and (new / cache.MARKER).is_file()
    assert not old.exists()  # our older cache is gone
    assert (foreign / "wheel.whl").read_bytes() == b"someone else's"
    assert (base / "notes.txt").read_text() == "a file"
    assert (unmarked_lookalike / "data").read_text() == "keep"


def test_cache_clean_up_never_follows_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / cache.MARKER).write_text("looks like ours")
    (elsewhere / "precious").write_text("keep")
    base = tmp_path / "base"
    base.mkdir()
    (base / "link").symlink_to(elsewhere, target_is_directory=True)
    cache.cache_path("key", base)
    assert (elsewhere / "precious").read_text() == "keep"


def test_cache_base_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLNOTES_CACHE_DIR", str(tmp_path))
    assert cache.cache_base() == tmp_path
    monkeypatch.delenv("DLNOTES_CACHE_DIR")
    assert cache.cache_base() == ROOT / "_build" / "jupyter_cache"


def test_execution_key_follows_files_and_kernel_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / "a.py", tmp_path / "b.py"]
    for f in files:
        f.write_text("x = 1\n")
    k1 = cache.execution_key(files, tmp_path)
    assert cache.execution_key(files, tmp_path) == k1
    files[1].write_text("x = 2\n")
    k2 = cache.execution_key(files, tmp_path)
    assert k2 != k1
    monkeypatch.setitem(kernel.KERNEL_ENV, "OMP_NUM_THREADS", "2")
    assert cache.execution_key(files, tmp_path) != k2


def test_execution_key_covers_the_package_kernel_config_and_conf() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in cache.files_for_key()}
    assert {"conf.py", "book/_ipython/profile_default/ipython_kernel_config.py"} <= names
    assert {f"src/dlnotes/{p.name}" for p in (ROOT / "src" / "dlnotes").glob("*.py")} <= names


# ---------------------------------------------------------------- the kernels
def test_kernels_silence_tqdm_themselves() -> None:
    assert kernel.KERNEL_ENV["TQDM_DISABLE"] == "1"
    assert not any(name.startswith("DLNOTES") for name in kernel.KERNEL_ENV)


def test_the_flush_patch_fails_when_ipykernel_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    kernel.check_flush_patch()  # the installed ipykernel is the one it was written for
    from ipykernel.iostream import OutStream

    monkeypatch.delattr(OutStream, "flush_interval")
    with pytest.raises(InternalsChanged, match="flush_interval"):
        kernel.check_flush_patch()


# ---------------------------------------------------------------- guards
def fake_versions(monkeypatch: pytest.MonkeyPatch, **versions: str | None) -> None:
    """Pretend that the distributions in ``versions`` are installed at those versions."""
    real = guards.installed_version
    table = {k.replace("_", "-"): v for k, v in versions.items()}
    monkeypatch.setattr(guards, "installed_version",
                        lambda name: table[name] if name in table else real(name))


def test_require_version_names_package_found_and_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_versions(monkeypatch, sphinx="99.1")
    with pytest.raises(InternalsChanged) as info:
        guards.require_version("sphinx", ("9.0.4",), "The frobnicator")
    message = str(info.value)
    assert "The frobnicator" in message and "sphinx 9.0.4" in message and "sphinx 99.1 is installed" in message
    fake_versions(monkeypatch, sphinx=None)
    with pytest.raises(InternalsChanged, match="no sphinx is installed"):
        guards.require_version("sphinx", "9.0.4", "The frobnicator")
    fake_versions(monkeypatch, sphinx="9.0.4")
    assert guards.require_version("sphinx", "9.0.4", "The frobnicator") == "9.0.4"
    with pytest.raises(ValueError, match="written_for"):
        guards.require_version("sphinx", (), "The frobnicator")


def test_string_edits_fail_when_their_target_is_absent() -> None:
    assert guards.replace_required("a<b>c", "<b>", "", "edit") == "ac"
    with pytest.raises(InternalsChanged, match="edit: expected '<b>' at least once, found it 0"):
        guards.replace_required("a<i>c", "<b>", "", "edit")
    with pytest.raises(InternalsChanged, match="2 times"):
        guards.replace_required("<b>", "<b>", "", "edit", count=2)
    assert guards.sub_required("x?digest=1f\n", r"\?digest=[0-9a-f]+", "", "edit") == "x\n"
    with pytest.raises(InternalsChanged, match="found 0"):
        guards.sub_required("x", r"\?digest=[0-9a-f]+", "", "edit")


GUARDED: list[tuple[str, Any]] = [
    ("sphinxcontrib-katex", katex_local.steady_katex_server),
    ("sphinx", search_zh.check_search_internals),
    ("ipykernel", kernel.check_flush_patch),
    ("myst-nb", lambda: notebooks.read_like_myst_nb(SimpleNamespace(), ROOT / "book" / "en" / "index.md")),
    ("myst-nb", lambda: hidden_cells.setup(SimpleNamespace(connect=lambda *a: None))),
    ("myst-nb", lambda: cache.on_config_inited(SimpleNamespace(), SimpleNamespace())),
    ("pydata-sphinx-theme", lambda: theme_templates.on_config_inited(SimpleNamespace(), SimpleNamespace())),
    ("sphinx-book-theme", lambda: theme_templates.on_config_inited(SimpleNamespace(), SimpleNamespace())),
    ("sphinx", lambda: katex_local.on_builder_inited(
        SimpleNamespace(builder=SimpleNamespace(format="html")))),
    ("sphinx", lambda: chrome.install_catalog(SimpleNamespace(), "x", Path("absent.mo"))),
    ("sphinx-book-theme", lambda: chrome.write_templates(SimpleNamespace(templates_path=[]),
                                                          out=Path("/nonexistent"))),
    ("sphinx-togglebutton", lambda: chrome.on_builder_inited(SimpleNamespace())),
    ("myst-nb", lambda: chrome.setup(SimpleNamespace())),
]


@pytest.mark.parametrize(("package", "use"), GUARDED, ids=[f"{p}-{i}" for i, (p, _) in enumerate(GUARDED)])
def test_each_use_of_an_internal_fails_on_another_version(
    package: str, use: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_versions(monkeypatch, **{package: "0.0.1"})
    with pytest.raises(InternalsChanged) as info:
        use()
    assert f"{package} 0.0.1 is installed" in str(info.value)


def test_the_extension_refuses_to_load_on_another_sphinx(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_versions(monkeypatch, sphinx="10.0.0")
    app = SimpleNamespace(connect=lambda *a, **k: None, add_config_value=lambda *a, **k: None,
                          add_post_transform=lambda *a, **k: None, add_search_language=lambda cls: None)
    with pytest.raises(InternalsChanged, match="sphinx 10.0.0 is installed"):
        dlnotes_book.setup(app)  # type: ignore[arg-type]


def test_the_extension_registers_chinese_search_publicly() -> None:
    seen: list[Any] = []
    app = SimpleNamespace(connect=lambda *a, **k: None, add_config_value=lambda *a, **k: None,
                          add_post_transform=lambda *a, **k: None, add_search_language=seen.append)
    info = dlnotes_book.setup(app)  # type: ignore[arg-type]
    assert seen == [dlnotes_book.ChineseSearch]
    assert info["parallel_read_safe"] is True


# ---------------------------------------------------------------- KaTeX server
class FakeServer:
    """Stands in for sphinxcontrib-katex's KaTeXServer: the command is a fake node."""

    code = ""

    @classmethod
    def build_command(cls, socket: Path) -> list[str]:
        return [sys.executable, "-c", cls.code]

    @classmethod
    def timeout_error(cls, timeout: float) -> Exception:
        return RuntimeError(f"KaTeX server did not start within {timeout} s")


def test_a_dying_katex_server_shows_what_node_wrote(tmp_path: Path) -> None:
    FakeServer.code = "import sys; sys.stderr.write('Error: Cannot find module katex'); sys.exit(3)"
    with pytest.raises(RuntimeError) as info:
        katex_local.start_server_process(FakeServer, tmp_path, 5.0)
    message = str(info.value)
    assert "Cannot find module katex" in message and "status 3" in message


def test_a_katex_server_that_never_listens_is_killed(tmp_path: Path) -> None:
    FakeServer.code = "import time; time.sleep(60)"
    with pytest.raises(RuntimeError, match="did not start within 0.3 s.*stderr was empty"):
        katex_local.start_server_process(FakeServer, tmp_path, 0.3)


def test_the_real_katex_server_starts_and_renders() -> None:
    from sphinxcontrib import katex

    katex_local.steady_katex_server()
    if not (ROOT / "node_modules").exists() and subprocess.run(["node", "--version"]).returncode:
        pytest.skip("needs node")
    html = katex.render_latex(r"x^2", {"displayMode": False})
    assert "katex" in html


# ---------------------------------------------------------------- theme templates and HTML
def test_theme_templates_are_regenerated_with_their_edits() -> None:
    theme = theme_templates._theme_dir()
    macros = theme_templates.webpack_macros((theme / "static" / "webpack-macros.html").read_text())
    assert "scripts/fontawesome.js" not in macros and "bootstrap.js" in macros and "?digest=" in macros
    button = theme_templates.search_button_field(
        (theme / "components" / "search-button-field.html").read_text())
    assert "aria-label=" not in button and 'aria-hidden="true"' in button


def test_theme_template_edits_fail_when_the_theme_changes() -> None:
    with pytest.raises(InternalsChanged, match="webpack-macros"):
        theme_templates.webpack_macros("<!-- So that users can add custom icons -->\n<script></script>")
    with pytest.raises(InternalsChanged, match="search-button-field"):
        theme_templates.search_button_field('<button aria-label="Search">')


def test_hidden_cell_toggles_lose_their_label() -> None:
    body = f"<details>{hidden_cells.TARGET}\n<p>Show</p></summary></details>" * 2
    out = hidden_cells.unlabel_toggles(body, 2, "page")
    assert "aria-label" not in out and out.count("<summary>") == 2
    assert hidden_cells.unlabel_toggles("<p>no hidden cells</p>", 0, "page") == "<p>no hidden cells</p>"


def test_hidden_cell_edit_fails_when_myst_nb_markup_changes() -> None:
    changed = '<details><summary class="x" aria-label="Toggle hidden content">'
    with pytest.raises(InternalsChanged, match="page has 1 hidden cells and 0 times"):
        hidden_cells.unlabel_toggles(changed, 1, "page")
    with pytest.raises(InternalsChanged, match="page"):  # a variant left next to the known form
        hidden_cells.unlabel_toggles(hidden_cells.TARGET + changed, 1, "page")
    with pytest.raises(InternalsChanged):  # label gone but the doctree has hidden cells
        hidden_cells.unlabel_toggles("<details><summary>", 1, "page")


def test_hidden_cells_are_counted_in_the_doctree() -> None:
    class HideCodeCellNode(nodes.Element):
        pass

    doc = nodes.document(None, None)
    doc += HideCodeCellNode()
    doc += nodes.paragraph(text="x")
    doc[1] += HideCodeCellNode()
    assert hidden_cells.hidden_cell_count(doc) == 2
    assert hidden_cells.hidden_cell_count(None) == 0


# ---------------------------------------------------------------- notebook downloads
def test_notebook_pages_are_found_by_their_front_matter(tmp_path: Path) -> None:
    cases = {
        "plain": "---\nfile_format: mystnb\n---\n# T\n",
        "quoted": "---\nkernelspec:\n  name: python3\nfile_format:   'mystnb'\n---\n",
        "first": "---\nfile_format: mystnb\nkernelspec: {name: python3}\n---\n",
    }
    for name, text in cases.items():
        (tmp_path / f"{name}.md").write_text(text)
        assert notebooks.is_notebook(tmp_path / f"{name}.md"), name
    for name, text in {"none": "# T\nfile_format: mystnb\n", "other": "---\nfile_format: md\n---\n",
                       "broken": "---\nfile_format: [\n---\n"}.items():
        (tmp_path / f"{name}.md").write_text(text)
        assert not notebooks.is_notebook(tmp_path / f"{name}.md"), name
    assert not notebooks.is_notebook(tmp_path / "missing.md")


class MissCache:
    def merge_match_into_notebook(self, nb: Any) -> Any:
        raise KeyError("no match")


class HitCache:
    def merge_match_into_notebook(self, nb: Any) -> Any:
        merged = nbformat.from_dict(nb)
        merged.cells[0].outputs = [nbformat.v4.new_output("stream", text="2\n")]
        return 1, merged


def test_a_notebook_download_never_ships_without_outputs() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(2)")])
    with pytest.raises(Exception, match="training/loop: the execution cache has no record"):
        notebooks.with_outputs(nb, MissCache(), "training/loop")
    assert notebooks.with_outputs(nb, HitCache(), "p").cells[0].outputs[0].text == "2\n"
    prose = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("only prose")])
    assert notebooks.with_outputs(prose, MissCache(), "p") is prose


def test_pages_are_read_as_myst_nb_reads_them(tmp_path: Path) -> None:
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig

    page = tmp_path / "p.md"
    page.write_text("---\nfile_format: mystnb\nkernelspec: {name: python3, display_name: Python 3}\n---\n"
                    "# T\n\ntext\n\n```{code-cell} python3\n:tags: [hide-cell]\nprint(1)\n```\n")
    app = SimpleNamespace(env=SimpleNamespace(myst_config=MdParserConfig(), mystnb_config=NbParserConfig()))
    nb = notebooks.read_like_myst_nb(app, page)  # type: ignore[arg-type]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["print(1)"] and code[0].metadata["tags"] == ["hide-cell"]


# ---------------------------------------------------------------- Chinese text
ZH = SimpleNamespace(config=SimpleNamespace(language="zh_CN"))


def joined(*parts: str | nodes.Node, language: str = "zh_CN") -> str:
    para = nodes.paragraph()
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    doc = nodes.document(None, None)
    doc += para
    zh_lines.join_chinese_lines(SimpleNamespace(config=SimpleNamespace(language=language)), doc)
    return para.astext()


def ref(text: str) -> nodes.reference:
    return nodes.reference("", text, refuri="x.html")


@pytest.mark.parametrize(("parts", "expected"), [
    (("见 ", "REF:安装和 API 参考", " 和 ", "REF:API", "。"), "见安装和 API 参考和 API。"),
    (("REF:微积分", " 用了两种方法"), "微积分用了两种方法"),
    (("（即 ", "REF:微积分", " 中的链式法则）"), "（即微积分中的链式法则）"),
    (("STRONG:形状右对齐。", " 如果"), "形状右对齐。如果"),
    (("STRONG:形状右对齐。", " PyTorch 会"), "形状右对齐。PyTorch 会"),
    (("的 ", "STRONG:条件概率", "（conditional probability）"), "的条件概率（conditional probability）"),
    (("EM:强调", " 之后"), "强调之后"),
    (("组成——", "\n", "损失函数"), "组成——损失函数"),
    (("组成——\n损失函数",), "组成——损失函数"),
    (("张量是", "\n", "多维数组，English", "\n", "word 和", "\n", "STRONG:广播", "\n机制。"),
     "张量是多维数组，English\nword 和广播机制。"),
    (("使用 ", "REF:PyTorch", " 的"), "使用 PyTorch 的"),
    (("用 ", "CODE:x", " 表示 ", "MATH:y", "，"), "用 x 表示 y，"),
    (("张量", "\n", "CODE:x"), "张量\nx"),
    (("称为 “广播”", "\n", "机制"), "称为 “广播”机制"),
])
def test_chinese_text_loses_only_the_spaces_chinese_does_not_take(
    parts: tuple[str, ...], expected: str
) -> None:
    kinds = {"REF": ref, "STRONG": lambda t: nodes.strong(text=t), "EM": lambda t: nodes.emphasis(text=t),
             "CODE": lambda t: nodes.literal(text=t), "MATH": lambda t: nodes.math(text=t)}
    built: list[str | nodes.Node] = []
    for part in parts:
        kind, _, text = part.partition(":")
        built.append(kinds[kind](text) if kind in kinds and text else part)
    assert joined(*built) == expected


def test_an_inline_html_comment_keeps_no_space_alive() -> None:
    comment = nodes.raw("", "<!-- number-ok: a version -->", format="html")
    assert joined("需要 Python 3.10 或更高版本，以及本书 ", comment, "\n的代码。") == (
        "需要 Python 3.10 或更高版本，以及本书的代码。")
    # other raw HTML is not a comment: it stays, and so does the text around it
    tag = nodes.raw("", "<br/>", format="html")
    assert joined("本书 ", tag, "\n的") == "本书 <br/>\n的"


def test_code_math_and_english_builds_are_left_alone() -> None:
    doc = nodes.document(None, None)
    doc += nodes.literal_block(text="代码\n保留 ")
    para = nodes.paragraph()
    para += nodes.literal(text="张 量")
    doc += para
    zh_lines.join_chinese_lines(ZH, doc)
    assert doc[0].astext() == "代码\n保留 " and para.astext() == "张 量"
    assert joined("见 ", ref("安装"), " 和", language="en") == "见 安装 和"


def test_joinable_characters() -> None:
    assert zh_lines.joinable("见", "安") and zh_lines.joinable("。", "P") and zh_lines.joinable("a", "（")
    assert not zh_lines.joinable("量", "x") and not zh_lines.joinable("x", "量")
    assert not zh_lines.joinable("", "") and not zh_lines.joinable("a", "b")


# ---------------------------------------------------------------- one small zh build
ZH_PAGE = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
(sec-a)=
# 测试

见 {ref}`sec-b` 和 {ref}`sec-a`。**形状右对齐。** 如果
一个组成——
损失函数，用 `x` 表示。

```{code-cell} python3
:tags: [hide-cell]
print(1 + 1)
```

```{toctree}
other
```
"""


@pytest.mark.book
def test_a_zh_build_joins_text_and_refuses_notebooks_without_outputs(tmp_path: Path) -> None:
    """Built with execution off: the HTML is written (with the joined Chinese text), then the
    notebook download finds no outputs and the build fails, naming the page, with that error
    (not one from another extension's clean-up)."""
    src = tmp_path / "zh"
    src.mkdir()
    (src / "index.md").write_text(ZH_PAGE, encoding="utf-8")
    (src / "other.md").write_text("(sec-b)=\n# 另一页\n\n文字。\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT), "-D", "language=zh_CN",
         "-D", "nb_execution_mode=off", "-d", str(tmp_path / "doctrees"), str(src), str(out)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DLNOTES_CACHE_DIR": str(tmp_path / "cache")},
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "index: the execution cache has no record of this page" in log, log[-3000:]
    assert "FileNotFoundError" not in log
    page = (out / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "见另一页和测试。形状右对齐。如果一个组成——损失函数，用 x 表示。" in text
    assert "<summary>" in page and "Toggle hidden content" not in page
    assert "scripts/fontawesome.js" not in page


@pytest.mark.book
def test_built_zh_pages_have_no_space_between_chinese_and_a_link_or_bold(built_site: Path) -> None:
    """No "见 安装" or "微积分 用了": a space between Chinese (or full-width punctuation) and
    the Chinese edge of a link, bold or emphasis."""
    cjk = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2014\u201c\u201d"
    inline = r"(?:a|strong|em)"
    inner_cjk = rf"(?:<(?!/?{inline}\b)[^>]*>)*[{cjk}]"  # the inline's first visible char
    before = re.compile(rf"[{cjk}][ \n]+<{inline}\b[^>]*>{inner_cjk}")
    after = re.compile(rf"[{cjk}](?:</[^>]+>)*</{inline}>[ \n]+[{cjk}]")
    bad = []
    for page in sorted((built_site / "zh").rglob("*.html")):
        rel = page.relative_to(built_site / "zh")
        if rel.parts[0] in {"_static", "_sources", "_notebooks", "genindex.html", "search.html"}:
            continue
        text = page.read_text(encoding="utf-8")
        article = text[text.find("<article"):text.find("</article>")]
        for para in re.findall(r"<p>(.*?)</p>", article, flags=re.S):
            for m in [*before.finditer(para), *after.finditer(para)]:
                bad.append(f"{rel}: {re.sub(r'<[^>]+>', '', m.group(0))!r}")
    assert bad == [], "\n".join(bad[:30])


def test_katex_clean_up_may_run_twice_after_a_failure(tmp_path: Path) -> None:
    gone = tmp_path / "katex-static"
    app = SimpleNamespace(_katex_static_path=str(gone))
    katex_local.keep_failures_visible(app, None)  # type: ignore[arg-type]
    assert not gone.exists()  # a good build: nothing to do
    katex_local.keep_failures_visible(app, RuntimeError("a handler failed"))  # type: ignore[arg-type]
    assert gone.is_dir()  # katex's second rmtree finds its folder
