"""Page weight: what a cold browser downloads for each page of the built site, gzip-compressed.

    .venv/bin/python bench/page_weight.py            (after make html; needs Debian's chromium)
    .venv/bin/python bench/page_weight.py --json F   (also write every measurement to F)

Each page is loaded in a fresh browser context (empty cache) and every file it fetches from the
site is counted at its gzip size (level 6, as GitHub Pages serves it; see
``tools/sitecheck.page_weight``). Prints, per language and overall, the median and the maximum
page, the heaviest pages, the breakdown by type (fonts, CSS, JS, HTML, images, other) of the
median page and the mean number of requests, and the largest files.

Targets (issue #14): median ≤ 220 KiB, maximum ≤ 320 KiB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sitecheck import CHROMIUM, CHROMIUM_ARGS, page_weight, serve, site_pages  # noqa: E402

SITE = ROOT / "_build" / "html"
MEDIAN_TARGET_KIB = 220
MAX_TARGET_KIB = 320
KINDS = ("fonts", "CSS", "JS", "HTML", "images", "other")
SUFFIXES = {
    ".woff2": "fonts", ".woff": "fonts", ".ttf": "fonts", ".otf": "fonts",
    ".css": "CSS", ".js": "JS", ".html": "HTML",
    ".png": "images", ".svg": "images", ".jpg": "images", ".jpeg": "images", ".gif": "images",
    ".webp": "images", ".ico": "images",
}

Row = tuple[str, int, list[tuple[str, int]]]  # page, bytes, [(file, bytes)]


def kind(url_path: str) -> str:
    """The type a file counts under in the breakdown, from its name."""
    return SUFFIXES.get(PurePosixPath(url_path).suffix.lower(), "other")


def breakdown(files: list[tuple[str, int]]) -> dict[str, int]:
    """Bytes per type for one page's files."""
    out = dict.fromkeys(KINDS, 0)
    for name, n in files:
        out[kind(name)] += n
    return out


def measure(site: Path = SITE, pages: list[str] | None = None) -> dict[str, list[Row]]:
    """Measure every page of both languages (or only ``pages``) of the built ``site``."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    if not (site / "en" / "index.html").is_file():
        raise SystemExit(f"no built site in {site}: run make html first")
    out: dict[str, list[Row]] = {}
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in ("en", "zh"):
            paths = [q for q in site_pages(site, lang) if pages is None or q in pages]
            out[lang] = [(path, *page_weight(browser, base, site, path)) for path in paths]
        browser.close()
    return out


def median_row(rows: list[Row]) -> Row:
    """The page whose weight is the (lower) median of ``rows``."""
    ordered = sorted(rows, key=lambda r: r[1])
    return ordered[(len(ordered) - 1) // 2]


def summary(rows: list[Row]) -> dict[str, object]:
    sizes = [n for _, n, _ in rows]
    mid = median_row(rows)
    return {
        "pages": len(rows),
        "median_kib": statistics.median(sizes) / 1024,
        "max_kib": max(sizes) / 1024,
        "max_page": max(rows, key=lambda r: r[1])[0],
        "median_page": mid[0],
        "median_page_breakdown_kib": {k: v / 1024 for k, v in breakdown(mid[2]).items()},
        "median_page_requests": len(mid[2]),
        "mean_requests": statistics.mean(len(fs) for _, _, fs in rows),
    }


def report(results: dict[str, list[Row]]) -> dict[str, dict[str, object]]:
    """Print the report; return the summaries (per language and ``all``)."""
    summaries: dict[str, dict[str, object]] = {}
    for lang, rows in [*results.items(), ("all", [r for rows in results.values() for r in rows])]:
        s = summary(rows)
        summaries[lang] = s
        print(f"{lang}: {s['pages']} pages, median {s['median_kib']:.0f} KiB, "
              f"max {s['max_kib']:.0f} KiB ({s['max_page']}), "
              f"{s['mean_requests']:.1f} requests a page on average")
        kinds: dict[str, float] = s["median_page_breakdown_kib"]  # type: ignore[assignment]
        parts = ", ".join(f"{k} {v:.0f}" for k, v in kinds.items())
        print(f"    median page {s['median_page']}: {parts} KiB; "
              f"{s['median_page_requests']} requests")
        if lang != "all":
            for path, n, _ in sorted(rows, key=lambda r: -r[1])[:3]:
                print(f"    {n / 1024:7.0f} KiB  {path}")
    files: Counter[str] = Counter()
    loads: Counter[str] = Counter()
    for rows in results.values():
        for _, _, fs in rows:
            for name, n in fs:
                files[name] = n
                loads[name] += 1
    total = sum(len(rows) for rows in results.values())
    print("largest files (gzip), and on how many of the pages they load:")
    for name, n in files.most_common(12):
        print(f"    {n / 1024:7.1f} KiB  {loads[name]:3d}/{total}  {name}")
    overall = summaries["all"]
    print(f"median page transfer, both languages: {overall['median_kib']:.0f} KiB "
          f"(target ≤ {MEDIAN_TARGET_KIB} KiB); heaviest page {overall['max_kib']:.0f} KiB "
          f"(target ≤ {MAX_TARGET_KIB} KiB)")
    return summaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args()
    results = measure(args.site)
    summaries = report(results)
    if args.json:
        args.json.write_text(json.dumps({"summary": summaries, "pages": results}, indent=1,
                                        ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
