"""A guard for the book's promise that every number the prose states is computed.

A decimal number or a number in scientific notation typed into prose (``0.6``, ``4.63e-05``,
``2.2×10⁹``, ``10⁻⁴``) is almost always an output copied by hand, and goes stale when the code
changes. Such numbers are glued (``{glue:text}`key:.3f` ``) or asserted in a hidden cell instead.
:func:`hand_typed_numbers` finds them in a page's prose: the Markdown text outside code cells and
other code blocks, front matter, maths (``$...$``, ``$$...$$``, ``{math}`` blocks,
``\\begin{align}``...), inline code,
roles (``{glue:text}`...` ``, ``{ref}`...` ``), link targets and HTML comments. Numbers inside
admonitions (exercise solutions) are prose and are checked.

The rare legitimate case (a hyperparameter the prose names, a version number) carries a visible
escape on the same line, byte-identical in both languages, so the twins stay in step::

    Adam's default ε is 1e-8. <!-- number-ok: a library default, not an output -->

:func:`escapes` lists a page's escapes; :func:`problems` checks a whole book (every page of both
languages, and that each page's escapes equal its twin's). ``tests/test_prose_numbers.py`` runs it
over the book in ``make test``. From a shell: ``python tools/prose_numbers.py`` (exit 1 on a
finding). Standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402

__all__ = ["NUMBER", "escapes", "hand_typed_numbers", "problems", "prose_lines"]

ESCAPE = re.compile(r"<!--\s*number-ok:\s*(?P<reason>.*?)\s*-->")
# Blocks whose content is not prose: code, maths, raw output, included files.
NOT_PROSE = re.compile(
    r"^\{(code-cell|code-block|code|sourcecode|literalinclude|math|raw|glue:figure|glue:math|"
    r"csv-table|list-table|only|mermaid|graphviz)\}|^(?!\{)"  # a plain ``` block is code too
)
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"
NUMBER = re.compile(
    rf"(?<![\w.])(?:"
    rf"\d+(?:\.\d+)?\s*[×x·]\s*10(?:[{_SUP}]+|\^\{{?-?\d+\}}?)"  # 2.2×10⁹, 3 x 10^-4
    rf"|10[{_SUP}]+"  # 10⁻⁴
    rf"|\d+(?:\.\d+)?[eE][-+]?\d+"  # 4.63e-05, 1e-8
    rf"|\d*\.\d+(?!\d)(?!\.\d)"  # 0.6, .5 (not a dotted version such as 2.13.0)
    rf")(?![\w.]\d)"
)
_INLINE = [
    re.compile(r"<!--.*?-->"),  # comments (an escape is read before this)
    re.compile(r"(\{[\w:-]+\})?(`+)(?:(?!\2).)+\2"),  # inline code and roles with their target
    re.compile(r"(?<![\\$])\$(?!\$)(?:[^$\\]|\\.)+\$"),  # inline maths
    re.compile(r"\\\((?:.*?)\\\)"),
    re.compile(r"\]\([^)]*\)"),  # a link's target
    re.compile(r"<[^>]+>"),  # HTML tags
]


def prose_lines(text: str) -> list[tuple[int, str, str]]:
    """The prose of a MyST page, line by line: ``(line number, prose, the whole line)``.

    Everything that is not prose is blanked out (see the module docstring); a line that is not
    prose at all is left out.
    """
    out = []
    lines = text.split("\n")
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), len(lines)) + 1
    fences: list[tuple[str, bool]] = []  # open fences: (marker, prose inside?)
    in_math = False
    skip_to = -1
    for k in range(i, len(lines)):
        if k <= skip_to:
            continue
        line = lines[k]
        stripped = line.strip()
        m = re.match(r"^(`{3,}|~{3,}|:{3,})\s*(.*)$", stripped)
        if in_math:
            if "$$" in stripped:
                in_math = False
            continue
        if m and fences and m.group(1) == fences[-1][0] and not m.group(2):
            fences.pop()
            continue
        if m and (not fences or fences[-1][1]):
            fences.append((m.group(1), bool(m.group(2)) and not NOT_PROSE.match(m.group(2))))
            continue
        if fences and not fences[-1][1]:
            continue
        if stripped.startswith("$$"):
            if stripped.count("$$") == 1:
                in_math = True
            continue
        if stripped.startswith("\\begin{"):  # an amsmath environment, up to its \end{...}
            end = next((j for j in range(k, len(lines)) if "\\end{" in lines[j]), len(lines) - 1)
            skip_to = end
            continue
        if re.match(r"^:[\w-]+:", stripped) or re.match(r"^\([\w-]+\)=$", stripped):
            continue  # a directive's option line, a label
        prose = line
        for pattern in _INLINE:
            prose = pattern.sub(" ", prose)
        if prose.strip():
            out.append((k + 1, prose, line))
    return out


def hand_typed_numbers(text: str) -> list[tuple[int, str]]:
    """The numbers typed into a page's prose without an escape: ``(line number, number)``.

    Examples
    --------
    >>> page = "The loss falls to 0.6 here, $0.01^2 = 10^{-4}$, and `lr=0.1` is code.\\n"
    >>> hand_typed_numbers(page)
    [(1, '0.6')]
    >>> hand_typed_numbers("Adam's ε is 1e-8. <!-- number-ok: a library default -->\\n")
    []
    """
    found = []
    for number, prose, line in prose_lines(text):
        if ESCAPE.search(line):
            continue
        found += [(number, m.group(0)) for m in NUMBER.finditer(prose)]
    return found


def escapes(text: str) -> list[str]:
    """The reasons of a page's ``<!-- number-ok: ... -->`` escapes, in order."""
    return [m.group("reason") for m in ESCAPE.finditer(text)]


def problems(book: Path = pages.BOOK) -> list[str]:
    """Every hand-typed number of the book's prose, and every pair of twins whose escapes differ."""
    found = []
    for lang in pages.LANGUAGES:
        for rel in sorted(pages.pages(lang, book)):
            text = (book / lang / rel).read_text(encoding="utf-8")
            for line, number in hand_typed_numbers(text):
                found.append(f"book/{lang}/{rel.as_posix()}:{line}: {number} typed in prose "
                             "(glue it, assert it, or mark the line <!-- number-ok: why -->)")
    for rel in sorted(pages.pages("en", book) & pages.pages("zh", book)):
        en = escapes((book / "en" / rel).read_text(encoding="utf-8"))
        zh = escapes((book / "zh" / rel).read_text(encoding="utf-8"))
        if en != zh:
            found.append(f"{rel.as_posix()}: the number-ok escapes differ between the languages "
                         f"(en {en}, zh {zh})")
    return found


if __name__ == "__main__":
    found = problems()
    print("\n".join(found) if found else "no hand-typed numbers in the prose")
    sys.exit(1 if found else 0)
