"""The build catches the kinds of defect an outside review found (issue 9).

Four checks, each shown failing on a small broken input:

1. a cell tagged ``raises-exception`` raises what its ``:raises:``/``:raises-match:`` declare
   (``book/_ext/dlnotes_raising.py``; the build and ``tools/run_page.py`` share the rule);
2. no raw TeX or Markdown reaches the built HTML (``book/_ext/dlnotes_rawmarkup.py``);
3. no figure has overlapping or clipped text (``book/_ext/dlnotes_figures.py``, in the kernels);
4. no number is typed by hand into the prose (``tools/prose_numbers.py``; run over the book here).

The fast tests feed each rule tiny inputs; one small Sphinx build of a broken book shows that the
first three fail ``make html``'s strict build, naming the page and the cell or figure.
"""

from __future__ import annotations

import doctest
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

import dlnotes_figures  # noqa: E402
import dlnotes_raising  # noqa: E402
import dlnotes_rawmarkup  # noqa: E402
import pages  # noqa: E402
import prose_numbers  # noqa: E402
from test_book import NOTEBOOK_HEADER, sphinx  # noqa: E402


@pytest.mark.parametrize("module", [dlnotes_raising, dlnotes_rawmarkup, dlnotes_figures, prose_numbers])
def test_the_checkers_examples_hold(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------- 1. raising cells
def cell(source: str, tags: list[str] | None = None, outputs: list[dict] | None = None, **meta: str) -> dict:
    metadata: dict = dict(meta)
    if tags is not None:
        metadata["tags"] = tags
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": outputs or []}


def error(ename: str, evalue: str) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


TAG = ["raises-exception"]


def test_a_raising_cell_that_keeps_the_rule_passes() -> None:
    cells = [
        {"cell_type": "markdown", "source": "text", "metadata": {}},
        cell("x = 1"),
        cell("x.backward()", TAG, [error("RuntimeError", "grad can be implicitly created only")],
             raises="RuntimeError", **{"raises-match": "implicitly created"}),
        cell("1 / 0", ["hide-cell", *TAG], [error("ZeroDivisionError", "division by zero")],
             raises="ZeroDivisionError"),
    ]
    assert dlnotes_raising.raising_problems(cells, "p.md") == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (cell("print(1)\nmore", TAG, raises="ValueError"),
         "p.md: code cell 2 (print(1)) must raise ValueError but ran without error"),
        (cell("int('a')", TAG, [error("ValueError", "invalid literal")], raises="TypeError"),
         "p.md: code cell 2 (int('a')) must raise TypeError but raised ValueError: invalid literal"),
        (cell("int('a')", TAG, [error("ValueError", "invalid literal")], raises="ValueError",
              **{"raises-match": "base 10"}),
         "p.md: code cell 2 (int('a')) raised ValueError as declared, but its message lacks "
         "'base 10': invalid literal"),
        (cell("1 / 0", TAG, [error("ZeroDivisionError", "division by zero")]),
         "p.md: code cell 2 (1 / 0) is tagged raises-exception but does not declare what it raises"),
        (cell("1 / 0", ["hide-cell"], [error("ZeroDivisionError", "division by zero")],
              raises="ZeroDivisionError"),
         "p.md: code cell 2 (1 / 0) declares :raises: or :raises-match: but is not tagged raises-exception"),
    ],
)
def test_each_way_of_breaking_the_rule_names_page_and_cell(broken: dict, message: str) -> None:
    problems = dlnotes_raising.raising_problems([cell("x = 1"), broken], "p.md")
    assert len(problems) == 1
    assert problems[0].startswith(message)


def test_run_page_applies_the_rule(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        NOTEBOOK_HEADER + "# P\n\n```{code-cell} ipython3\n:tags: [raises-exception]\n"
        ":raises: ZeroDivisionError\n1 + 1\n```\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "run_page.py"), str(page)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{page}: code cell 1 (1 + 1) must raise ZeroDivisionError but ran without error" in proc.stdout


def test_parser_exposes_the_raising_options() -> None:
    text = ("```{code-cell} ipython3\n:tags: [raises-exception]\n:raises: RuntimeError\n"
            ":raises-match: view size is not compatible\nx.view(12)\n```\n")
    (c,) = pages.code_cells(text)
    assert c.options == {"tags": "[raises-exception]", "raises": "RuntimeError",
                         "raises-match": "view size is not compatible"}
    assert c.source == "x.view(12)"


# ---------------------------------------------------------------- 2. raw markup
# The activations page as the review found it (en-accuracy.md, appendix).
ACTIVATIONS = (
    '<main><article><p>A stack of linear layers is still one linear map: $W_2(W_1 x + b_1) + b_2 = '
    '(W_2 W_1) x + (W_2 b_1</p><ul class="simple"><li><p>b_2)$. Depth buys nothing without a '
    "nonlinearity.</p></li></ul></article></main>"
)


def test_the_reviews_activations_defect_is_found() -> None:
    found = dlnotes_rawmarkup.raw_markup(ACTIVATIONS)
    assert any(f.startswith("unrendered TeX ($): A stack of linear layers") for f in found)
    assert any(f.startswith("a list splits a sentence or formula") and "• b_2)$" in f for f in found)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<p>The rate is \\(x\\).</p>", "unrendered TeX (\\( \\) \\[ \\])"),
        ("<p>Hence \\frac{a}{b}.</p>", "unrendered TeX (control word)"),
        ("<p>Then x^{2} grows.</p>", "unrendered TeX (^{ or _{)"),
        ("<p>This is **bold</p>", "unrendered Markdown (**)"),
        ("<p>Call `f` here.</p>", "unrendered Markdown (backtick)"),
        ("<p>See {ref}sec-x.</p>", "unrendered MyST role"),
        ("<p>::: note</p>", "unrendered MyST fence (:::)"),
        ("<p>Its value is $5 here.</p>", "unrendered TeX ($)"),
    ],
)
def test_raw_markup_in_text_is_found(text: str, kind: str) -> None:
    found = dlnotes_rawmarkup.raw_markup(f"<html><body><main>{text}</main></body></html>")
    assert [f.split(": ", 1)[0] for f in found] == [kind]


def test_code_maths_and_lists_that_belong_are_not_findings() -> None:
    html = (
        "<html><head><title>$x$</title><script>var a = '$';</script></head><body><main>"
        "<p>Use <code>x ** 2</code> and <span class='katex'><annotation>\\frac{1}{2} x_{i}</annotation>"
        "</span>, and x ** 2 as Python writes it.</p><pre>print(`a`, '$')</pre>"
        "<div class='highlight'><pre>**kwargs</pre></div>"
        "<p>Three steps (in order):</p><ul><li><p>Forward.</p></li><li><p>Backward.</p></li></ul>"
        "<svg><text>$\\alpha$</text></svg></main></body></html>"
    )
    assert dlnotes_rawmarkup.raw_markup(html) == []


def test_a_numbered_line_inside_a_paragraph_is_found() -> None:
    """A source line starting "1. " in mid-paragraph became a list (the autograd page had one)."""
    html = ("<main><p>each of them receives</p><ol class='arabic simple'><li><p>With = instead of "
            "+= the second assignment would overwrite the first.</p></li></ol></main>")
    found = dlnotes_rawmarkup.raw_markup(html)
    assert [f.split(": ", 1)[0] for f in found] == ["a list splits a sentence or formula"]
    # a toctree caption (a paragraph with a class) introduces its list without a colon
    caption = "<main><p class='caption'>Part I</p><ul><li><p>Tensors</p></li></ul></main>"
    assert dlnotes_rawmarkup.raw_markup(caption) == []


def test_raw_markup_outside_main_is_not_checked_when_there_is_a_main() -> None:
    assert dlnotes_rawmarkup.raw_markup("<body><nav>$x</nav><main><p>ok</p></main></body>") == []
    assert dlnotes_rawmarkup.raw_markup("<body><p>$x</p></body>") != []


def test_site_problems_names_the_page(tmp_path: Path) -> None:
    (tmp_path / "training").mkdir()
    (tmp_path / "training" / "activations.html").write_text(ACTIVATIONS, encoding="utf-8")
    (tmp_path / "index.html").write_text("<main><p>fine</p></main>", encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "x.html").write_text("<p>$</p>", encoding="utf-8")
    found = dlnotes_rawmarkup.site_problems(tmp_path)
    assert found and all(f.startswith("training/activations.html: ") for f in found)


# ---------------------------------------------------------------- 3. readable figures
def colliding_titles() -> object:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2.5), layout="constrained")
    axes = fig.subplots(1, 2)
    axes[0].set_title("a long title for the left panel")
    axes[1].set_title("and one for the right")
    return fig


def test_colliding_titles_and_crowded_ticks_are_found() -> None:
    from matplotlib.figure import Figure

    problems = dlnotes_figures.text_problems(colliding_titles())
    assert "text 'a long title for the left pan…' overlaps text 'and one for the right'" in problems
    fig = Figure(figsize=(2, 2), layout="constrained")
    ax = fig.subplots()
    ax.set_xticks(range(30), [f"label {k}" for k in range(30)])
    assert any("overlaps text 'label" in p for p in dlnotes_figures.text_problems(fig))


def test_a_fine_figure_passes_and_its_bytes_do_not_change() -> None:
    import io

    import matplotlib
    from matplotlib.figure import Figure

    def draw() -> Figure:
        fig = Figure(figsize=(4, 2.5), layout="constrained")
        axes = fig.subplots(1, 2)
        for ax, name in zip(axes, ("left", "right")):
            ax.plot([0, 1], [1, 0], label=name)
            ax.set_title(name)
            ax.set_xlabel("x")
            ax.legend()
        fig.suptitle("two panels")
        return fig

    def svg(fig: Figure) -> bytes:
        buf = io.BytesIO()
        with matplotlib.rc_context({"svg.hashsalt": "test"}):  # as the kernels save them
            fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        return buf.getvalue()

    plain = svg(draw())
    assert svg(draw()) == plain  # saving is deterministic
    checked = draw()
    assert dlnotes_figures.text_problems(checked) == []
    assert svg(checked) == plain


# ---------------------------------------------------------------- 1-3 in a real build
BROKEN_BOOK = {
    "index.md": "# Broken book\n\n```{toctree}\nraising\nfigure\nmarkup\n```\n",
    "raising.md": NOTEBOOK_HEADER + "# Raising\n\n"
    "```{code-cell} ipython3\n:tags: [raises-exception]\n:raises: ZeroDivisionError\n1 / 0\n```\n\n"
    "```{code-cell} ipython3\n:tags: [raises-exception]\n:raises: KeyError\nvalue = {'a': 1}['a']\n```\n\n"
    "```{code-cell} ipython3\n:tags: [raises-exception]\n:raises: ValueError\n"
    ":raises-match: base 16\nint('x')\n```\n",
    "figure.md": NOTEBOOK_HEADER + "# Figure\n\n"
    "```{code-cell} ipython3\nimport matplotlib.pyplot as plt\n"
    "fig, axes = plt.subplots(1, 2, figsize=(4, 2.5))\n"
    "axes[0].set_title('a long title for the left panel')\n"
    "axes[1].set_title('and one for the right')\nplt.show()\n```\n",
    "markup.md": "# Markup\n\nA stack of linear layers is one linear map: $W_2(W_1 x + b_1) + b_2 = (W_2 W_1) x + (W_2 b_1\n"
    "+ b_2)$. Depth buys nothing.\n",
}


@pytest.mark.slow
def test_a_broken_book_fails_the_build_naming_page_and_cell(tmp_path: Path) -> None:
    src = tmp_path / "en"
    src.mkdir()
    for name, text in BROKEN_BOOK.items():
        (src / name).write_text(text, encoding="utf-8")
    proc = sphinx(src, tmp_path / "out", env={"DLNOTES_CACHE_DIR": str(tmp_path / "cache")})
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    raising = src / "raising.md"
    assert f"{raising}: WARNING: code cell 2 (value = {{'a': 1}}['a']) must raise KeyError but ran without error" in log
    assert f"{raising}: WARNING: code cell 3 (int('x')) raised ValueError as declared, but its message lacks 'base 16'" in log
    assert "code cell 1 (1 / 0)" not in log  # it keeps the rule
    assert f"{src / 'figure.md'}: WARNING: Executing notebook failed" in log
    assert "UnreadableFigure" in log and "overlaps text 'and one for the right'" in log
    assert "rawmarkup" in log and f"{src / 'markup.md'}: WARNING: raw markup in the built page: unrendered TeX ($)" in log
    assert "a list splits a sentence or formula" in log


# ---------------------------------------------------------------- 4. hand-typed numbers
def test_no_number_is_typed_into_the_prose() -> None:
    found = prose_numbers.problems()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("line", "numbers"),
    [
        ("The loss is 0.6 for B = 10 and 6 for B = 100.", ["0.6"]),
        ("It printed 4.63e-05, about 2.2×10⁹ steps, or 10⁻⁴.", ["4.63e-05", "2.2×10⁹", "10⁻⁴"]),
        ("It gets within {glue:text}`ratio:.2f` of $0.01^2 = 10^{-4}$ at `lr=0.1`.", []),
        ("Version 2.13.0 of [torch](https://x.org/v1.5) <!-- 0.5 -->, float32, 3 × 4.", []),
        ("The exact loss is 0.25. <!-- number-ok: derived by hand in the text above -->", []),
    ],
)
def test_numbers_in_prose_are_found(line: str, numbers: list[str]) -> None:
    assert [n for _, n in prose_numbers.hand_typed_numbers(line + "\n")] == numbers


def test_code_maths_and_front_matter_are_not_prose() -> None:
    text = (
        "---\nmyst:\n  version: 0.5\n---\n# T\n\n```{code-cell} ipython3\nlr = 0.03\n```\n\n"
        "$$\nx = 0.5\n$$\n\n```{math}\ny = 1.5\n```\n\n```text\n0.25\n```\n\n"
        "````{admonition} Solution\n:class: dropdown\nThe answer is 0.75.\n```python\nz = 0.1\n```\n````\n"
    )
    assert prose_numbers.hand_typed_numbers(text) == [(25, "0.75")]


@pytest.fixture
def book_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "book"
    for lang in pages.LANGUAGES:
        shutil.copytree(pages.BOOK / lang, dst / lang)
    return dst


def test_a_number_typed_into_a_page_is_reported_with_its_line(book_copy: Path) -> None:
    before = prose_numbers.problems(book_copy)
    page = book_copy / "zh" / "preliminaries" / "calculus.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n损失降到了 0.42。\n", encoding="utf-8")
    line = text.count("\n") + 2
    after = prose_numbers.problems(book_copy)
    assert [p for p in after if p not in before] == [
        f"book/zh/preliminaries/calculus.md:{line}: 0.42 typed in prose "
        "(glue it, assert it, or mark the line <!-- number-ok: why -->)"
    ]


def test_escapes_must_match_between_the_languages(book_copy: Path) -> None:
    before = prose_numbers.problems(book_copy)
    page = book_copy / "en" / "preliminaries" / "calculus.md"
    page.write_text(page.read_text(encoding="utf-8")
                    + "\nAdam's default ε is 1e-8. <!-- number-ok: a library default -->\n",
                    encoding="utf-8")
    after = [p for p in prose_numbers.problems(book_copy) if p not in before]
    assert after == ["preliminaries/calculus.md: the number-ok escapes differ between the "
                     "languages (en ['a library default'], zh [])"]


def test_amsmath_environments_are_not_prose() -> None:
    text = "Then\n\\begin{align}\nx &= 0.5 \\\\\ny &= 1.5\n\\end{align}\nso the loss is 0.7.\n"
    assert prose_numbers.hand_typed_numbers(text) == [(6, "0.7")]


@pytest.mark.slow
def test_raising_cells_left_unchecked_are_reported(tmp_path: Path) -> None:
    """With execution off there is nothing to check: the build says so instead of passing."""
    src = tmp_path / "en"
    src.mkdir()
    (src / "index.md").write_text(
        NOTEBOOK_HEADER + "# Off\n\n```{code-cell} ipython3\n:tags: [raises-exception]\n"
        ":raises: ZeroDivisionError\n1 / 0\n```\n",
        encoding="utf-8",
    )
    proc = sphinx(src, tmp_path / "out", "-D", "nb_execution_mode=off",
                  env={"DLNOTES_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode != 0
    assert (f"{src / 'index.md'}: WARNING: its raises-exception cells are not checked: "
            "nb_execution_mode is 'off'") in proc.stdout + proc.stderr
