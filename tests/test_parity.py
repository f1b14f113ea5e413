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

import re  # noqa: E402

import structure  # noqa: E402

# A pair with headings, labels, refs, glue, maths, exercises and solutions. The tests find what
# they break through the extractor and the page's lines, so that edits of its prose keep them valid.
PAIR = Path("preliminaries/autograd.md")


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


def _lines(book: Path, lang: str) -> list[str]:
    return (book / lang / PAIR).read_text(encoding="utf-8").split("\n")


def _write(book: Path, lang: str, lines: list[str]) -> None:
    (book / lang / PAIR).write_text("\n".join(lines), encoding="utf-8")


def _found(book: Path, lang: str, stream: str, kind: str | None = None) -> list[structure.Item]:
    items = structure.extract((book / lang / PAIR).read_text(encoding="utf-8"))
    found = [it for it in items if it.stream == stream and (kind is None or it.key[0] == kind)]
    assert found, f"{PAIR} ({lang}) has no {kind or stream} left to break"
    return found


def _only_problem(book: Path) -> str:
    problems = structure.structure_problems(book)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{PAIR}: structure differs: "), problems[0]
    return problems[0]


def _assert_missing_in_zh(problem: str, en_item: structure.Item, removed_line: int) -> None:
    """The message names en's item and line, and places the gap in zh around the removed line."""
    head = f"book/en/{PAIR}:{en_item.line} has {en_item.what}, book/zh/{PAIR} has nothing in its place (after "
    assert head in problem, problem
    before, after = map(int, re.findall(r"at line (\d+)", problem.split(head, 1)[1]))
    assert before < removed_line <= after, problem


def test_dropped_heading_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "skeleton", "heading")[2], _found(pair, "zh", "skeleton", "heading")[2]
    lines = _lines(pair, "zh")
    lines[zh.line - 1] = lines[zh.line - 1].lstrip("#").strip()  # the heading becomes a sentence
    _write(pair, "zh", lines)
    assert en.what == f"a level-2 heading '{_lines(pair, 'en')[en.line - 1]}'"
    _assert_missing_in_zh(_only_problem(pair), en, zh.line)


def test_heading_level_is_compared(pair: Path) -> None:
    en, zh = _found(pair, "en", "skeleton", "heading")[2], _found(pair, "zh", "skeleton", "heading")[2]
    lines = _lines(pair, "zh")
    lines[zh.line - 1] = "#" + lines[zh.line - 1]
    _write(pair, "zh", lines)
    assert _only_problem(pair).endswith(
        f"book/en/{PAIR}:{en.line} has a level-2 heading '{_lines(pair, 'en')[en.line - 1]}', "
        f"book/zh/{PAIR}:{zh.line} has a level-3 heading '{lines[zh.line - 1]}'"
    )


def test_changed_label_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "skeleton", "label")[0], _found(pair, "zh", "skeleton", "label")[0]
    label = zh.key[1]
    lines = _lines(pair, "zh")
    lines[zh.line - 1] = f"({label}-zh)="
    _write(pair, "zh", lines)
    assert _only_problem(pair).endswith(
        f"book/en/{PAIR}:{en.line} has the label ({label})=, book/zh/{PAIR}:{zh.line} has the label ({label}-zh)="
    )


def test_removed_solution_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "skeleton", "solution")[1], _found(pair, "zh", "skeleton", "solution")[1]
    lines = _lines(pair, "zh")
    close = lines.index("```", zh.line)  # the admonition's closing fence
    _write(pair, "zh", lines[: zh.line - 1] + lines[close + 1 :])
    assert en.what.startswith(f"the solution to exercise {en.key[1][0]} (class dropdown) 'Solution to exercise")
    _assert_missing_in_zh(_only_problem(pair), en, zh.line)


def test_solution_that_no_longer_folds_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "skeleton", "solution")[-1], _found(pair, "zh", "skeleton", "solution")[-1]
    lines = _lines(pair, "zh")
    assert lines[zh.line] == ":class: dropdown"
    lines[zh.line] = ":class: tip"
    _write(pair, "zh", lines)
    n = en.key[1][0]
    problem = _only_problem(pair)
    assert f"book/en/{PAIR}:{en.line} has the solution to exercise {n} (class dropdown)" in problem
    assert f"book/zh/{PAIR}:{zh.line} has the solution to exercise {n} (class tip)" in problem


def test_missing_exercise_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "skeleton", "exercise")[-1], _found(pair, "zh", "skeleton", "exercise")[-1]
    lines = _lines(pair, "zh")
    _write(pair, "zh", lines[: zh.line - 1] + lines[zh.line :])
    assert en.what == f"exercise {en.key[1]}"
    _assert_missing_in_zh(_only_problem(pair), en, zh.line)


def _swap_keys(book: Path, lang: str, x: structure.Item, y: structure.Item) -> None:
    lines = _lines(book, lang)
    for item, other in ((x, y), (y, x)):
        role = re.compile(r"(\{glue(?::\w+)?\}`)" + re.escape(str(item.key[0])) + "([`:])")
        lines[item.line - 1], n = role.subn(r"\g<1>@" + str(other.key[0]) + r"\2", lines[item.line - 1], count=1)
        assert n == 1, lines[item.line - 1]
    _write(book, lang, [line.replace("`@", "`") for line in lines])


def test_swapped_glue_keys_are_named(pair: Path) -> None:
    """Two keys trade places across the page (across code cells, each where the other's number is)."""
    zh_glue = _found(pair, "zh", "glue")
    x = zh_glue[0]
    y = next(it for it in zh_glue if it.segment != x.segment and it.key != x.key)
    en_x = next(it for it in _found(pair, "en", "glue") if it.key == x.key)
    _swap_keys(pair, "zh", x, y)
    assert _only_problem(pair).startswith(
        f"{PAIR}: structure differs: book/en/{PAIR}:{en_x.line} has the glue key {x.key[0]}, "
        f"book/zh/{PAIR}:{x.line} has the glue key {y.key[0]} (in the prose after "
    )


def test_glue_keys_may_change_places_within_a_sentence(pair: Path) -> None:
    """Chinese orders clauses its own way ("在第 N 轮降到 X" for "reaching X at epoch N")."""
    zh_glue = _found(pair, "zh", "glue")
    x, y = next((a, b) for a, b in zip(zh_glue, zh_glue[1:]) if a.segment == b.segment and a.key != b.key)
    _swap_keys(pair, "zh", x, y)
    assert structure.structure_problems(pair) == []


def test_renamed_glue_key_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "glue")[0], _found(pair, "zh", "glue")[0]
    lines = _lines(pair, "zh")
    lines[zh.line - 1] = lines[zh.line - 1].replace(f"`{zh.key[0]}", f"`{zh.key[0]}_zh", 1)
    _write(pair, "zh", lines)
    problem = _only_problem(pair)
    assert problem.startswith(
        f"{PAIR}: structure differs: book/en/{PAIR}:{en.line} has the glue key {en.key[0]}, "
        f"book/zh/{PAIR}:{zh.line} has the glue key {zh.key[0]}_zh (in the prose after "
    ), problem


def test_changed_reference_target_is_named(pair: Path) -> None:
    en, zh = _found(pair, "en", "ref")[0], _found(pair, "zh", "ref")[0]
    role, target = zh.key
    lines = _lines(pair, "zh")
    lines[zh.line - 1] = lines[zh.line - 1].replace(f"{{{role}}}`{target}`", f"{{{role}}}`sec-elsewhere`", 1)
    _write(pair, "zh", lines)
    assert _only_problem(pair).startswith(
        f"{PAIR}: structure differs: book/en/{PAIR}:{en.line} has {{{role}}}`{target}`, "
        f"book/zh/{PAIR}:{zh.line} has {{{role}}}`sec-elsewhere` (in the prose after "
    )


def _insert_after_heading(book: Path, lang: str, k: int, paragraph: str) -> int:
    """Insert a paragraph after the k-th heading; return its line."""
    heading = _found(book, lang, "skeleton", "heading")[k]
    lines = _lines(book, lang)
    _write(book, lang, lines[: heading.line] + ["", paragraph] + lines[heading.line :])
    return heading.line + 2


def test_extra_reference_in_zh_is_named(pair: Path) -> None:
    heading = _found(pair, "en", "skeleton", "heading")[2]
    line = _insert_after_heading(pair, "zh", 2, "参见{doc}`../api`。")
    problem = _only_problem(pair)
    assert problem.startswith(
        f"{PAIR}: structure differs: book/en/{PAIR} has no such cross-reference in the prose after "
        f"{heading.what} (line {heading.line})"
    ), problem
    assert f"book/zh/{PAIR}:{line} has {{doc}}`../api` (in the prose after a level-2 heading" in problem


def test_terms_are_compared_by_target(pair: Path) -> None:
    _insert_after_heading(pair, "en", 2, "A {term}`computation graph` records it.")
    line = _insert_after_heading(pair, "zh", 2, "{term}`计算图 <computation graph>`记录了它。")
    assert structure.structure_problems(pair) == []
    lines = _lines(pair, "zh")
    lines[line - 1] = lines[line - 1].replace("<computation graph>", "<graph>")
    _write(pair, "zh", lines)
    problem = _only_problem(pair)
    assert f"has {{term}}`computation graph`, book/zh/{PAIR}:{line} has {{term}}`graph`" in problem


def test_display_equations_are_counted(pair: Path) -> None:
    line = _insert_after_heading(pair, "en", 2, "$$\nx = 1\n$$")
    problem = _only_problem(pair)
    assert f"book/en/{PAIR}:{line} has a display equation without a label, book/zh/{PAIR} has nothing" in problem


def test_equation_labels_are_compared(pair: Path) -> None:
    en = _found(pair, "en", "skeleton", "math")[0]
    lines = _lines(pair, "en")
    close = lines.index("$$", en.line)  # the closing line of a multi-line $$ block
    lines[close] = "$$ (eq-vjp)"
    _write(pair, "en", lines)
    assert f"book/en/{PAIR}:{en.line} has a display equation labelled eq-vjp, book/zh/" in _only_problem(pair)


def test_legitimate_differences_pass(pair: Path) -> None:
    """Heading text, extra prose without structure, inline code and maths are each language's own."""
    zh = _found(pair, "zh", "skeleton", "heading")[2]
    lines = _lines(pair, "zh")
    lines[zh.line - 1] += "（另一种说法）"
    _write(pair, "zh", lines)
    _insert_after_heading(pair, "zh", 3, "这一节多说一句，既没有引用也没有公式：`{ref}` 写在行内代码里不算，$x^2$ 也不算。")
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


def test_pair_with_a_missing_cell_is_left_to_the_code_check() -> None:
    en = "# A\n\n```{code-cell} ipython3\nx = 1\n```\n\nText {glue:text}`k`.\n"
    zh = "# 甲\n\n文字 {glue:text}`k`。\n"
    assert structure.first_difference("p.md", en, zh) is None
    assert structure.first_difference("p.md", en, zh.replace("# 甲", "## 甲")) is None


def test_unit_variant_glue_keys_stand_for_each_other() -> None:
    en = "# A\n\nIt takes {glue:text}`forward_gmadds:.1f` billion multiply-adds.\n"
    zh = "# 甲\n\n约 {glue:text}`forward_e8:.0f` 亿次乘加。\n"
    assert structure.first_difference("p.md", en, zh) is None
    assert structure.first_difference("p.md", en, zh.replace("forward_e8", "other")) == (
        "p.md: structure differs: book/en/p.md:3 has the glue key forward_gmadds, book/zh/p.md:3 has "
        "the glue key other (in the prose after a level-1 heading '# A' (line 1))"
    )
