"""Finish the built site: the landing page that offers both languages.

Run by ``make html`` after both languages are built.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"


def main() -> None:
    for lang in ("en", "zh"):
        if not (SITE / lang / "index.html").is_file():
            raise SystemExit(f"{SITE / lang / 'index.html'} is missing: build both languages first")
    shutil.copyfile(ROOT / "book" / "_landing" / "index.html", SITE / "index.html")
    (SITE / ".nojekyll").write_text("", encoding="utf-8")


if __name__ == "__main__":
    main()
