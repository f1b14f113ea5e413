"""The two languages are one book: every page has its twin, the same code cells and the same structure.

The checkers live in tools/pages.py (twins, code cells) and tools/structure.py (headings, labels,
references, glue keys, equations, admonitions, exercises and solutions, terms); the tests below
run them on the real book and show, on broken copies, that they catch what they should.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import pages  # noqa: E402


def test_book_languages_are_in_step() -> None:
    problems = pages.parity_problems()
    assert problems == [], "\n".join(problems)


def test_every_notebook_page_is_marked_as_one() -> None:
    """A page with code cells but no notebook header would show its cells as plain text."""
    bad = []
    for lang in pages.LANGUAGES:
        for rel in sorted(pages.pages(lang)):
            text = (pages.BOOK / lang / rel).read_text(encoding="utf-8")
            if pages.code_cells(text) and "\nfile_format: mystnb\n" not in text.split("\n---", 1)[0] + "\n":
                bad.append(f"book/{lang}/{rel}")
    assert bad == [], f"code cells without `file_format: mystnb` front matter: {bad}"


def test_book_has_pages() -> None:
    assert len(pages.pages("en")) >= 3


@pytest.fixture
def book_copy(tmp_path: Path) -> Path:
    """A copy of the book's page pairs whose code cells are in step (pages being written may not be)."""
    dst = tmp_path / "book"
    for rel in sorted(pages.pages("en") & pages.pages("zh")):
        texts = [(pages.BOOK / lang / rel).read_text(encoding="utf-8") for lang in pages.LANGUAGES]
        if [c.block for c in pages.code_cells(texts[0])] != [c.block for c in pages.code_cells(texts[1])]:
            continue
        for lang, text in zip(pages.LANGUAGES, texts):
            (dst / lang / rel).parent.mkdir(parents=True, exist_ok=True)
            (dst / lang / rel).write_text(text, encoding="utf-8")
    assert pages.parity_problems(dst) == []
    return dst


def _a_page_with_cells(book: Path) -> Path:
    for rel in sorted(pages.pages("en", book)):
        if len(pages.code_cells((book / "en" / rel).read_text(encoding="utf-8"))) >= 1:
            return rel
    raise AssertionError("no page with code cells")


def test_missing_twin_is_reported(book_copy: Path) -> None:
    rel = _a_page_with_cells(book_copy)
    (book_copy / "zh" / rel).unlink()
    assert pages.parity_problems(book_copy) == [f"book/en/{rel}: no twin book/zh/{rel}"]


def test_extra_zh_page_is_reported(book_copy: Path) -> None:
    (book_copy / "zh" / "orphan.md").write_text("# 孤儿\n", encoding="utf-8")
    assert pages.parity_problems(book_copy) == ["book/zh/orphan.md: no twin book/en/orphan.md"]


def test_differing_cell_is_named(book_copy: Path) -> None:
    rel = _a_page_with_cells(book_copy)
    zh = book_copy / "zh" / rel
    text = zh.read_text(encoding="utf-8")
    cells = pages.code_cells(text)
    last = cells[-1]
    # Add a comment (a translated one, say) at the end of the last cell.
    offset = len("\n".join(text.split("\n")[: last.line - 1]))
    changed = text[:offset] + text[offset:].replace(last.source, last.source + "\n# 注释", 1)
    zh.write_text(changed, encoding="utf-8")
    problems = pages.parity_problems(book_copy)
    assert len(problems) == 1
    assert problems[0].startswith(f"{rel}: code cell {len(cells)} differs")
    assert f"book/zh/{rel}:{last.line}" in problems[0]


def test_differing_tags_are_reported(book_copy: Path) -> None:
    rel = _a_page_with_cells(book_copy)
    zh = book_copy / "zh" / rel
    text = zh.read_text(encoding="utf-8")
    first = pages.code_cells(text)[0]
    fence_line = text.split("\n")[first.line - 1]
    tagged = fence_line + "\n:tags: [remove-input]"
    zh.write_text(text.replace(fence_line, tagged, 1), encoding="utf-8")
    problems = pages.parity_problems(book_copy)
    assert problems and problems[0].startswith(f"{rel}: code cell 1 differs")


def test_missing_cell_is_reported(book_copy: Path) -> None:
    rel = _a_page_with_cells(book_copy)
    en_text = (book_copy / "en" / rel).read_text(encoding="utf-8")
    n = len(pages.code_cells(en_text))
    zh = book_copy / "zh" / rel
    zh.write_text(zh.read_text(encoding="utf-8") + "\n```{code-cell} python3\nextra = 1\n```\n", encoding="utf-8")
    assert pages.parity_problems(book_copy) == [
        f"{rel}: {n} code cells in book/en but {n + 1} in book/zh"
    ]


def test_parser_reads_tags_and_source() -> None:
    text = "x\n```{code-cell} python3\n:tags: [hide-cell, raises-exception]\n\n1 / 0\n```\n"
    (cell,) = pages.code_cells(text)
    assert cell.tags == ("hide-cell", "raises-exception")
    assert cell.source == "1 / 0"
    assert cell.line == 2


# --- Structural parity: the same skeleton in both languages (tools/structure.py) -------------

import structure  # noqa: E402

PAIR = Path("preliminaries/autograd.md")  # headings, labels, refs, glue, maths, exercises, solutions


def test_page_pairs_have_the_same_structure() -> None:
    problems = structure.structure_problems()
    assert problems == [], "\n".join(problems)


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """A copy of one real page pair, in step to begin with."""
    for lang in pages.LANGUAGES:
        (tmp_path / lang / PAIR.parent).mkdir(parents=True)
        shutil.copy(pages.BOOK / lang / PAIR, tmp_path / lang / PAIR)
    assert structure.structure_problems(tmp_path) == []
    return tmp_path


def _edit(book: Path, lang: str, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` by ``new`` in one language's copy of PAIR; return old's 1-based line."""
    path = book / lang / PAIR
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _line(book: Path, lang: str, needle: str) -> int:
    text = (book / lang / PAIR).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def _only_problem(book: Path) -> str:
    problems = structure.structure_problems(book)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{PAIR}: structure differs: "), problems[0]
    return problems[0]


def test_dropped_heading_is_named(pair: Path) -> None:
    en_line = _line(pair, "en", "## Gradients accumulate\n")
    _edit(pair, "zh", "## 梯度会累积\n", "梯度会累积\n")
    k = sum(c.line < en_line for c in pages.code_cells((pair / "en" / PAIR).read_text(encoding="utf-8")))
    cells = pages.code_cells((pair / "zh" / PAIR).read_text(encoding="utf-8"))
    assert _only_problem(pair).endswith(  # the heading stood between cells k and k + 1
        f"book/en/{PAIR}:{en_line} has a level-2 heading '## Gradients accumulate', "
        f"book/zh/{PAIR} has nothing in its place "
        f"(after code cell {k} at line {cells[k - 1].line}, before code cell {k + 1} at line {cells[k].line})"
    )


def test_heading_level_is_compared(pair: Path) -> None:
    _edit(pair, "zh", "## 梯度会累积\n", "### 梯度会累积\n")
    problem = _only_problem(pair)
    assert "has a level-2 heading '## Gradients accumulate'" in problem
    assert "has a level-3 heading '### 梯度会累积'" in problem


def test_changed_label_is_named(pair: Path) -> None:
    line = _edit(pair, "zh", "(sec-autograd)=", "(sec-autograd-zh)=")
    assert _only_problem(pair).endswith(
        f"book/en/{PAIR}:{line} has the label (sec-autograd)=, "
        f"book/zh/{PAIR}:{line} has the label (sec-autograd-zh)="
    )


def test_removed_solution_is_named(pair: Path) -> None:
    zh = pair / "zh" / PAIR
    text = zh.read_text(encoding="utf-8")
    start = text.index("```{admonition} 练习 3 解答")
    zh.write_text(text[:start] + text[text.index("```\n", start + 3) + 4 :], encoding="utf-8")
    en_line = _line(pair, "en", "```{admonition} Solution to exercise 3")
    zh_line = _line(pair, "zh", "```{admonition} 练习 4 解答")
    problem = _only_problem(pair)
    assert problem.startswith(
        f"{PAIR}: structure differs: book/en/{PAIR}:{en_line} has the solution to exercise 3 "
        f"(class dropdown) 'Solution to exercise 3', book/zh/{PAIR} has nothing in its place (after code cell "
    ), problem
    assert problem.endswith(f"before the solution to exercise 4 (class dropdown) '练习 4 解答' at line {zh_line})")


def test_solution_that_no_longer_folds_is_named(pair: Path) -> None:
    zh = pair / "zh" / PAIR
    text = zh.read_text(encoding="utf-8")
    head = "```{admonition} 练习 5 解答\n:class: dropdown\n"
    zh.write_text(text.replace(head, "```{admonition} 练习 5 解答\n:class: tip\n"), encoding="utf-8")
    problem = _only_problem(pair)
    assert "has the solution to exercise 5 (class dropdown)" in problem
    assert "has the solution to exercise 5 (class tip)" in problem


def test_missing_exercise_is_named(pair: Path) -> None:
    zh = pair / "zh" / PAIR
    text = zh.read_text(encoding="utf-8")
    start = text.index("\n5. 设 $z")
    zh.write_text(text[:start] + text[text.index("\n", start + 1) :], encoding="utf-8")
    en_line = _line(pair, "en", "5. Let $z")
    zh_line = _line(pair, "zh", "4. 一个函数")
    cells = pages.code_cells((pair / "zh" / PAIR).read_text(encoding="utf-8"))
    first = next(c for c in cells if c.line > zh_line)
    assert _only_problem(pair).endswith(
        f"book/en/{PAIR}:{en_line} has exercise 5, book/zh/{PAIR} has nothing in its place "
        f"(after exercise 4 at line {zh_line}, before code cell {first.index + 1} at line {first.line})"
    )


def test_swapped_glue_keys_are_named(pair: Path) -> None:
    """Two keys trade places across the page (each now stands where the other's number is computed)."""
    zh = pair / "zh" / PAIR
    text = zh.read_text(encoding="utf-8")
    a, b = "{glue:text}`ag_full3:.0f`", "{glue:text}`ag_passes_fwd:d`"
    zh.write_text(text.replace(a, "@@").replace(b, a).replace("@@", b), encoding="utf-8")
    en_line = _line(pair, "en", a)
    zh_line = _line(pair, "zh", b)
    problem = _only_problem(pair)
    assert problem.startswith(
        f"{PAIR}: structure differs: book/en/{PAIR}:{en_line} has the glue key ag_full3, "
        f"book/zh/{PAIR}:{zh_line} has the glue key ag_passes_fwd (in the prose after "
    ), problem


def test_glue_keys_may_change_places_within_a_sentence(pair: Path) -> None:
    """Chinese orders clauses its own way ("在第 N 轮降到 X" for "reaching X at epoch N")."""
    zh = pair / "zh" / PAIR
    text = zh.read_text(encoding="utf-8")
    a, b = "{glue:text}`ag_full3:.0f`", "{glue:text}`ag_cut3:.0f`"
    zh.write_text(text.replace(a, "@@").replace(b, a).replace("@@", b), encoding="utf-8")
    assert structure.structure_problems(pair) == []


def test_renamed_glue_key_is_named(pair: Path) -> None:
    line = _edit(pair, "zh", "`ag_k:", "`ag_k2:")
    problem = _only_problem(pair)
    assert f"has the glue key ag_k, book/zh/{PAIR}:{line} has the glue key ag_k2" in problem


def test_changed_reference_target_is_named(pair: Path) -> None:
    line = _edit(pair, "zh", "{ref}`sec-calculus`", "{ref}`sec-linear-algebra`")
    assert _only_problem(pair) == (
        f"{PAIR}: structure differs: book/en/{PAIR}:14 has {{ref}}`sec-calculus`, "
        f"book/zh/{PAIR}:{line} has {{ref}}`sec-linear-algebra` "
        "(in the prose after a level-1 heading '# Automatic differentiation' (line 12))"
    )


def test_extra_reference_in_zh_is_named(pair: Path) -> None:
    line = _edit(pair, "zh", "## 梯度会累积\n\n", "## 梯度会累积\n\n参见{doc}`../api`。\n\n")
    problem = _only_problem(pair)
    assert f"book/en/{PAIR} has no such cross-reference" in problem
    assert f"book/zh/{PAIR}:{line + 2} has {{doc}}`../api` (in the prose after a level-2 heading" in problem


def test_terms_are_compared_by_target(pair: Path) -> None:
    _edit(pair, "en", "a *computation graph*", "a {term}`computation graph`")
    _edit(pair, "zh", "形成一张**计算图**（computation graph）", "形成一张{term}`计算图 <computation graph>`")
    assert structure.structure_problems(pair) == []
    line = _edit(pair, "zh", "<computation graph>", "<graph>")
    problem = _only_problem(pair)
    assert f"has {{term}}`computation graph`" in problem
    assert f"book/zh/{PAIR}:{line} has {{term}}`graph`" in problem


def test_display_equations_are_counted(pair: Path) -> None:
    en = pair / "en" / PAIR
    text = en.read_text(encoding="utf-8")
    en.write_text(text.replace("## Gradients accumulate\n", "## Gradients accumulate\n\n$$\nx = 1\n$$\n", 1),
                  encoding="utf-8")
    line = _line(pair, "en", "$$\nx = 1")
    zh_line = _line(pair, "zh", "## 梯度会累积")
    assert (
        f"book/en/{PAIR}:{line} has a display equation without a label, book/zh/{PAIR} has nothing in "
        f"its place (after a level-2 heading '## 梯度会累积' at line {zh_line}, " in _only_problem(pair)
    )


def test_equation_labels_are_compared(pair: Path) -> None:
    en = pair / "en" / PAIR
    text = en.read_text(encoding="utf-8")
    closing = text.index("\n$$\n", text.index("$$\n\\mathbf{v}^\\top")) + 3
    en.write_text(text[:closing] + " (eq-vjp)" + text[closing:], encoding="utf-8")
    assert "has a display equation labelled eq-vjp, book/zh/" in _only_problem(pair)


def test_legitimate_differences_pass(pair: Path) -> None:
    """Heading text, extra prose without structure, inline code and maths are each language's own."""
    _edit(pair, "zh", "## 梯度会累积\n", "## 梯度的累积\n")
    _edit(pair, "zh", "## 计算图\n\n", "## 计算图\n\n这一节多说一句，既没有引用也没有公式：`{ref}` 写在行内代码里不算，$x^2$ 也不算。\n\n")
    assert structure.structure_problems(pair) == []


# --- The extractor on small texts ---------------------------------------------------------


def _items(text: str) -> list[tuple[str, tuple[object, ...], int]]:
    return [(it.stream, it.key, it.line) for it in structure.extract(text)]


def test_extractor_reads_roles_and_skips_code() -> None:
    text = (
        "---\ntitle: x\n---\n"  # 1-3: front matter
        "(sec-a)=\n"  # 4
        "# A\n"  # 5
        "See {ref}`the calculus page <sec-calculus>` and `{ref}` as code,\n"  # 6
        "{glue:text}`loss:.3f` then {glue:md}`table` and {term}`张量 <tensor>`.\n"  # 7
        "```{code-cell} ipython3\n# Not a heading {ref}`sec-x`\n```\n"  # 8-10
        "````{note}\nInside: {eq}`eq-1` <!-- {ref}`gone` -->\n```python\n## not a heading\n```\n````\n"  # 11-16
        "$$ a = b $$ (eq-1)\n"  # 17
        "\\begin{align}\nx \\label{eq-2}\n\\end{align}\n"  # 18-20
        ":::{figure} img.png\n:name: fig-a\nCaption.\n:::\n"  # 21-24
        "| a | b |\n| --- | --- |\n| 1 | {glue}`c` |\n"  # 25-27
        "## Exercises\n\n1. One\n2. Two\n   more\n"  # 28-32
        "```{admonition} Solution to exercise 2\n:class: dropdown\n1. not an exercise\n```\n"  # 33-36
    )
    assert _items(text) == [
        ("skeleton", ("label", "sec-a"), 4),
        ("skeleton", ("heading", 1), 5),
        ("ref", ("ref", "sec-calculus"), 6),
        ("glue", ("loss",), 7),
        ("glue", ("table",), 7),
        ("term", ("term", "tensor"), 7),
        ("skeleton", ("code-cell", 1), 8),
        ("skeleton", ("directive", "note", ()), 11),
        ("ref", ("eq", "eq-1"), 12),
        ("skeleton", ("code", "python"), 13),
        ("skeleton", ("math", "eq-1"), 17),
        ("skeleton", ("math", "eq-2"), 18),
        ("skeleton", ("label", "fig-a"), 21),
        ("skeleton", ("figure", "figure", (), "img.png"), 21),
        ("skeleton", ("table", 2, 1), 25),
        ("glue", ("c",), 27),
        ("skeleton", ("heading", 2), 28),
        ("skeleton", ("exercise", 1), 30),
        ("skeleton", ("exercise", 2), 31),
        ("skeleton", ("solution", (2,), ("dropdown",)), 33),
    ]


def test_wrapped_role_and_toctree_and_rst() -> None:
    text = (
        "Text {ref}`a long\ntitle <sec-b>` end.\n\n"
        "```{toctree}\n:maxdepth: 1\n:caption: Part I\n\nintro\nThe API <api>\n```\n"
        "```{eval-rst}\n.. automodule:: dlnotes.data\n   :members:\n```\n"
        "```{literalinclude} ../x.py\n:pyobject: f\n:caption: Words\n```\n"
    )
    assert _items(text) == [
        ("ref", ("ref", "sec-b"), 1),
        ("skeleton", ("toctree", ("intro", "api")), 4),
        ("skeleton", ("directive", "eval-rst", (), (".. automodule:: dlnotes.data",)), 11),
        ("skeleton", ("directive", "literalinclude", (), "../x.py", ("pyobject", "f")), 15),
    ]


def test_structure_check_is_fast() -> None:
    import time

    start = time.perf_counter()
    structure.structure_problems()
    assert time.perf_counter() - start < 1.0
