"""The two languages are one book: every page has its twin and the same code cells.

The checker lives in tools/pages.py (the before-stop hook and the tests share it); the tests
below run it on the real book and show, on broken copies, that it catches what it should.
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
    dst = tmp_path / "book"
    for lang in pages.LANGUAGES:
        shutil.copytree(pages.BOOK / lang, dst / lang)
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
