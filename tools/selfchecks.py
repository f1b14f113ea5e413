"""Count the self-checks of every content page, and read each one (issue 13 §3).

Every content page (all pages under ``preliminaries/``, ``training/`` and ``practice/``, in both
languages) has at least :data:`MINIMUM` ``{selfcheck}`` directives. :func:`counts` lists each
page's number; :func:`problems` names each page below the minimum and each check whose body
:func:`dlnotes_selfcheck.parse` refuses or that lacks ``:answer:`` (with its line). The build
checks the rest (the glued answer).

``python tools/selfchecks.py`` prints the table and the problems (exit status 1 if any);
``python tools/selfchecks.py book/en/X.md`` lists one page's checks.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))

import pages  # noqa: E402
from dlnotes_selfcheck import SelfCheckError, parse  # noqa: E402

MINIMUM = 3
CONTENT_PARTS = ("preliminaries", "training", "practice")
_OPEN = re.compile(r"^ {0,3}(?P<fence>:{3,}|`{3,})\s*\{selfcheck\}\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):(?:\s+(?P<value>.*?))?\s*$")


def checks(text: str) -> list[tuple[int, dict[str, str], list[str]]]:
    """Each ``{selfcheck}`` of a page: its 1-based line, its options and its body lines.

    >>> [(line, opts) for line, opts, _ in checks("# T\\n\\n:::{selfcheck}\\n:answer: k\\nQ?\\n\\n: F.\\n:::\\n")]
    [(3, {'answer': 'k'})]
    """
    lines = text.split("\n")
    found = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        end = next((j for j in range(i + 1, len(lines))
                    if lines[j].strip() and set(lines[j].strip()) == {fence[0]}
                    and len(lines[j].strip()) >= len(fence)), len(lines))
        body = lines[i + 1:end]
        opts: dict[str, str] = {}
        while body and _OPTION.match(body[0]):
            o = _OPTION.match(body[0])
            assert o is not None  # noqa: S101 (matched just above)
            opts[o.group("key")] = o.group("value") or ""
            body = body[1:]
        found.append((i + 1, opts, body))
        i = end + 1
    return found


def content_pages(book: Path = pages.BOOK) -> list[Path]:
    """The content pages of both languages, relative to ``book`` (``en/preliminaries/x.md``)."""
    return sorted(p.relative_to(book) for lang in pages.LANGUAGES for part in CONTENT_PARTS
                  for p in (book / lang / part).glob("*.md"))


def counts(book: Path = pages.BOOK) -> dict[str, int]:
    """Each content page's number of self-checks, by its path relative to ``book``."""
    return {p.as_posix(): len(checks((book / p).read_text(encoding="utf-8")))
            for p in content_pages(book)}


def problems(book: Path = pages.BOOK, minimum: int = MINIMUM) -> list[str]:
    """Pages with fewer than ``minimum`` checks, and malformed checks, as ``book/...:line: ...``."""
    found = []
    for rel in content_pages(book):
        text = (book / rel).read_text(encoding="utf-8")
        found_checks = checks(text)
        if len(found_checks) < minimum:
            found.append(f"book/{rel.as_posix()}: {len(found_checks)} self-check(s), "
                         f"fewer than {minimum}")
        for line, opts, body in found_checks:
            if not opts.get("answer"):
                found.append(f"book/{rel.as_posix()}:{line}: selfcheck: the :answer: option is missing")
            try:
                parse(body)
            except SelfCheckError as exc:
                found.append(f"book/{rel.as_posix()}:{line + 1 + len(opts) + exc.line}: "
                             f"selfcheck: {exc}")
    return found


def main(argv: list[str]) -> int:
    if argv:
        for name in argv:
            text = Path(name).read_text(encoding="utf-8")
            for line, opts, body in checks(text):
                try:
                    kind = parse(body).kind
                except SelfCheckError as exc:
                    kind = f"MALFORMED ({exc})"
                print(f"{name}:{line}: {kind}, answer {opts.get('answer')!r}")
        return 0
    table = counts()
    width = max(map(len, table), default=0)
    for rel, n in table.items():
        print(f"{rel:<{width}}  {n}")
    found = problems()
    for p in found:
        print(p)
    print(f"{sum(table.values())} self-checks on {len(table)} content pages; "
          f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
