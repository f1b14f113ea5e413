"""Read the book's MyST notebooks: list pages, parse code cells, pair twins.

Shared by the tests (parity checks) and ``tools/run_page.py``. Only the standard
library is used, so the parity test runs without Sphinx. The structural half of parity (same
headings, labels, references, glue keys, equations, exercises... in both languages) is
``tools/structure.py``, built on these functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
LANGUAGES = ("en", "zh")

_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{code-cell\}(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.S | re.M,
)
_TAGS = re.compile(r"^:tags:\s*\[(?P<tags>[^\]]*)\]\s*$", re.M)


@dataclass(frozen=True)
class CodeCell:
    """One ``{code-cell}`` block of a page."""

    index: int  # 0-based position among the page's code cells
    line: int  # 1-based line of the opening fence
    block: str  # the fence's argument (language), then everything up to the closing fence
    tags: tuple[str, ...]

    @property
    def options(self) -> dict[str, str]:
        """The cell's ``:key: value`` option lines, values as written (``{"raises": "TypeError"}``).

        myst-nb reads the values as YAML into the cell's metadata; ``tags``, ``raises`` and
        ``raises-match`` (see ``book/_ext/dlnotes_raising.py``) are the ones the book uses.
        """
        found = {}
        for line in self.block.splitlines()[1:]:
            m = re.match(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$", line)
            if not m:
                break
            found[m.group("key")] = m.group("value")
        return found

    @property
    def source(self) -> str:
        lines = self.block.splitlines()[1:]  # after the language argument
        i = 0
        if lines and lines[0].strip() == "---":
            i = lines.index("---", 1) + 1 if "---" in lines[1:] else len(lines)
        else:
            while i < len(lines) and lines[i].startswith(":"):
                i += 1
        return "\n".join(lines[i:]).strip("\n")


def code_cells(text: str) -> list[CodeCell]:
    """Return the code cells of a MyST notebook's text, in order."""
    cells = []
    for k, m in enumerate(_FENCE.finditer(text)):
        body = m.group("body")
        t = _TAGS.search(body)
        tags = tuple(s.strip() for s in t.group("tags").split(",") if s.strip()) if t else ()
        line = text.count("\n", 0, m.start()) + 1
        cells.append(CodeCell(k, line, m.group("arg").strip() + "\n" + body, tags))
    return cells


def pages(lang: str, book: Path = BOOK) -> set[Path]:
    """Relative paths of every Markdown page of one language."""
    base = book / lang
    return {p.relative_to(base) for p in base.rglob("*.md")}


def parity_problems(book: Path = BOOK) -> list[str]:
    """Every way the two languages are out of step, one message each (empty: in step)."""
    problems = []
    en, zh = pages("en", book), pages("zh", book)
    for rel in sorted(en - zh):
        problems.append(f"book/en/{rel}: no twin book/zh/{rel}")
    for rel in sorted(zh - en):
        problems.append(f"book/zh/{rel}: no twin book/en/{rel}")
    for rel in sorted(en & zh):
        a = code_cells((book / "en" / rel).read_text(encoding="utf-8"))
        b = code_cells((book / "zh" / rel).read_text(encoding="utf-8"))
        for ca, cb in zip(a, b):
            if ca.block != cb.block:
                problems.append(
                    f"{rel}: code cell {ca.index + 1} differs "
                    f"(book/en/{rel}:{ca.line} vs book/zh/{rel}:{cb.line})"
                )
                break
        else:
            if len(a) != len(b):
                problems.append(
                    f"{rel}: {len(a)} code cells in book/en but {len(b)} in book/zh"
                )
    return problems
