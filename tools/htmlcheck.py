"""The Nu Html Checker over the built site: every error, grouped by message.

Runs ``java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only --format json`` once over
every page of both languages and the top-level pages (the landing page, 404), a few seconds in
all. Used by ``tests/test_html_valid.py``; run it by hand after ``make html``::

    .venv/bin/python tools/htmlcheck.py [SITE]      # SITE defaults to _build/html

It prints each distinct message with how often it occurs and a few example locations, and exits
1 if there is any error (or a stale allowlist entry), 2 if the checker cannot run.

:data:`ALLOWLIST` may name errors that only an upstream release can fix, by their exact message,
with why and the upstream issue. An entry whose error no longer occurs is itself an error, so the
list cannot go stale. It is empty: every error found so far came from markup the project
controls (templates, extensions, post-processing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitecheck import site_pages

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
LANGS = ("en", "zh")

# exact message -> why it is accepted, and the upstream issue that will fix it
ALLOWLIST: dict[str, str] = {}


class CheckerUnavailable(RuntimeError):
    """Java or vnu.jar is missing, or the checker did not produce its report."""


@dataclass(frozen=True)
class Problem:
    """One error reported by the checker."""

    message: str
    file: str  # relative to the site root
    line: int | None
    column: int | None
    extract: str

    def location(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}:{self.column}" if self.column is not None else where


def site_files(site: Path) -> list[Path]:
    """Every page: the top-level ones (landing page, 404) and every page of each language."""
    return sorted(site.glob("*.html")) + [site / page for lang in LANGS
                                           for page in site_pages(site, lang)]


def _relative(url: str, site: Path | None) -> str:
    path = url.removeprefix("file:")
    if site is not None:
        try:
            return Path(path).resolve().relative_to(site.resolve()).as_posix()
        except ValueError:
            pass
    return path


def check(files: Sequence[Path], site: Path | None = None, *, java: str | None = JAVA,
          vnu: Path = VNU) -> list[Problem]:
    """Check ``files`` in one run of the checker; return every error (file names relative to
    ``site`` when given).

    Raises
    ------
    CheckerUnavailable
        If Java or vnu.jar is missing (with the install hint) or the checker's report is not JSON.
    """
    if java is None:
        raise CheckerUnavailable("Java is not installed (apt-get install default-jre-headless)")
    if not vnu.is_file():
        raise CheckerUnavailable(f"{vnu} is missing: run `npm ci` in the repository root")
    if not files:
        raise ValueError("no HTML files to check: is the site built?")
    proc = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--format", "json", "--stdout",
         *map(str, files)],
        capture_output=True, text=True, check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise CheckerUnavailable(
            f"the checker exited with {proc.returncode} and no JSON report; its output: "
            f"{(proc.stdout + proc.stderr)[-2000:]!r}") from None
    return [
        Problem(m.get("message", "?"), _relative(m.get("url", "?"), site), m.get("lastLine"),
                m.get("firstColumn", m.get("lastColumn")), m.get("extract", ""))
        for m in report.get("messages", [])
        if m.get("type") in ("error", "non-document-error")
    ]


def group(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    """The problems by message, the most frequent message first."""
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.message, []).append(p)
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def apply_allowlist(problems: Iterable[Problem], allowlist: Mapping[str, str] = ALLOWLIST
                    ) -> tuple[list[Problem], list[str]]:
    """(the problems not allowlisted, the allowlisted messages that no longer occur)."""
    problems = list(problems)
    seen = {p.message for p in problems}
    return ([p for p in problems if p.message not in allowlist],
            [m for m in allowlist if m not in seen])


def report(problems: Iterable[Problem], stale: Iterable[str] = (), examples: int = 3) -> str:
    """A readable summary: each message, its count, the pages it is on and a few locations."""
    lines = []
    for message, group_ in group(problems).items():
        pages = sorted({p.file for p in group_})
        lines.append(f"{len(group_)} × {message}")
        lines.append(f"    on {len(pages)} page(s): {', '.join(pages[:6])}"
                     + (", ..." if len(pages) > 6 else ""))
        for p in group_[:examples]:
            lines.append(f"    {p.location()}: {p.extract.strip()[:120]!r}")
    for message in stale:
        lines.append(f"allowlisted but no longer found (remove it from ALLOWLIST in "
                     f"tools/htmlcheck.py): {message}")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    site = Path(argv[0]) if argv else ROOT / "_build" / "html"
    files = site_files(site)
    try:
        problems = check(files, site)
    except (CheckerUnavailable, ValueError) as e:
        print(f"htmlcheck: {e}", file=sys.stderr)
        return 2
    errors, stale = apply_allowlist(problems)
    allowed = len(problems) - len(errors)
    print(f"{len(files)} pages checked in {site}: {len(errors)} errors"
          + (f" ({allowed} allowlisted)" if allowed else ""))
    if errors or stale:
        print(report(errors, stale))
    return 1 if errors or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
