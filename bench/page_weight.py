"""Page weight: what a cold browser downloads for each page of the built site, gzip-compressed.

    .venv/bin/python bench/page_weight.py      (after make html; needs Debian's chromium)

Prints the median and the heaviest pages of each language, and the largest files. Target: a
median under 450 KiB.
"""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sitecheck import CHROMIUM, CHROMIUM_ARGS, page_weight, serve, site_pages  # noqa: E402

SITE = ROOT / "_build" / "html"


def measure() -> dict[str, list[tuple[str, int, list[tuple[str, int]]]]]:
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    if not (SITE / "en" / "index.html").is_file():
        raise SystemExit("build the site first: make html")
    out: dict[str, list[tuple[str, int, list[tuple[str, int]]]]] = {}
    with serve(SITE) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in ("en", "zh"):
            out[lang] = [(path, *page_weight(browser, base, SITE, path)) for path in site_pages(SITE, lang)]
        browser.close()
    return out


def main() -> None:
    results = measure()
    every = []
    for lang, rows in results.items():
        sizes = [n for _, n, _ in rows]
        every += sizes
        print(f"{lang}: {len(rows)} pages, median {statistics.median(sizes) / 1024:.0f} KiB, "
              f"max {max(sizes) / 1024:.0f} KiB")
        for path, n, _ in sorted(rows, key=lambda r: -r[1])[:3]:
            print(f"    {n / 1024:7.0f} KiB  {path}")
    files: Counter[str] = Counter()
    for rows in results.values():
        for _, _, fs in rows:
            for name, n in fs:
                files[name] = n
    print("largest files (gzip):")
    for name, n in files.most_common(8):
        print(f"    {n / 1024:7.0f} KiB  {name}")
    median = statistics.median(every)
    print(f"median page transfer, both languages: {median / 1024:.0f} KiB (target < 450 KiB)")


if __name__ == "__main__":
    main()
