"""Lighthouse mobile performance of the built site, offline, with Debian's Chromium.

    .venv/bin/python bench/lighthouse.py                 (after make html)
    .venv/bin/python bench/lighthouse.py --runs 5 en/preliminaries/calculus.html

Serves ``_build/html`` on 127.0.0.1, gzip-encoded as GitHub Pages serves it, and runs the npm ``lighthouse``
(``node_modules/.bin/lighthouse``, from the committed lock) against each page, ``--runs`` times,
with the performance category only and Lighthouse's default mobile settings (a mid-range phone,
simulated slow 4G and 4× CPU slowdown). Chromium is started headless with the flags of
``tools/sitecheck.CHROMIUM_ARGS`` (no background networking, no component updates…); the site
makes no request to another host. Prints each run's score and metrics, the median score of each
page, and the render-blocking resources Lighthouse still finds.

Target (issue #14): median score ≥ 95 on the landing page and one content page per language.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sitecheck import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

SITE = ROOT / "_build" / "html"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = ("index.html", "en/training/training-loop.html", "zh/training/training-loop.html")
TARGET = 95
METRICS = {
    "first-contentful-paint": "FCP", "largest-contentful-paint": "LCP", "speed-index": "SI",
    "total-blocking-time": "TBT", "cumulative-layout-shift": "CLS",
}


COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".xml", ".txt", ".ipynb"}


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as GitHub Pages serves them: text types gzip-encoded when the client accepts
    it. (Lighthouse simulates a slow network from the bytes it received, so an uncompressed
    local server would make every page look three to seven times heavier than it is.)"""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in COMPRESSED or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


def lighthouse(url: str, timeout: float = 120) -> dict[str, Any]:
    """One Lighthouse run (performance only, default mobile settings) of ``url``: the score
    (0–100), the metrics' display values and the render-blocking resources it reports."""
    if CHROMIUM is None:
        raise RuntimeError("needs Debian's chromium (apt-get install chromium)")
    if not LIGHTHOUSE.exists():
        raise RuntimeError(f"{LIGHTHOUSE} is missing: run npm ci (the Makefile does)")
    flags = " ".join([*CHROMIUM_ARGS, "--headless=new", "--disable-extensions",
                      "--disable-default-apps", "--metrics-recording-only", "--mute-audio",
                      "--no-default-browser-check", "--disable-dev-shm-usage"])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        proc = subprocess.run(
            [str(LIGHTHOUSE), url, "--only-categories=performance", "--form-factor=mobile",
             "--output=json", f"--output-path={out}", "--quiet", "--disable-full-page-screenshot",
             # no weight in the score: a second navigation (bf-cache) and the filmstrip
             "--skip-audits=bf-cache,screenshot-thumbnails,final-screenshot",
             f"--chrome-flags={flags}"],
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "CHROME_PATH": CHROMIUM, "LH_NO_UPDATE_CHECK": "1"},
        )
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lighthouse {url} failed ({proc.returncode}):\n"
                               f"{proc.stderr[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {report['runtimeError']}")
    audits = report["audits"]
    score = report["categories"]["performance"]["score"]
    if score is None:
        raise RuntimeError(f"lighthouse {url}: no performance score "
                           f"({report.get('runWarnings')})")
    blocking = audits.get("render-blocking-insight") or audits.get("render-blocking-resources") or {}
    items = (blocking.get("details") or {}).get("items") or []
    return {
        "score": round(score * 100),
        "metrics": {short: audits[name].get("displayValue", "") for name, short in METRICS.items()
                    if name in audits},
        "render_blocking": [i.get("url", "") for i in items if isinstance(i, dict)],
        "warnings": report.get("runWarnings", []),
    }


def measure(site: Path, pages: list[str], runs: int) -> dict[str, list[dict[str, Any]]]:
    """``runs`` Lighthouse runs of each of ``pages`` of the built ``site``."""
    out: dict[str, list[dict[str, Any]]] = {}
    with serve(site, _GzipHandler) as base:
        for page in pages:
            out[page] = [lighthouse(f"{base}/{page}") for _ in range(runs)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("pages", nargs="*", default=list(PAGES),
                        help="paths under the site root (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, default=SITE)
    args = parser.parse_args()
    results = measure(args.site, args.pages, args.runs)
    for page, runs in results.items():
        median = statistics.median(r["score"] for r in runs)
        print(f"{page}: median {median:.0f} (target ≥ {TARGET}); runs "
              + ", ".join(str(r["score"]) for r in runs))
        for r in runs:
            print("    " + ", ".join(f"{k} {v}" for k, v in r["metrics"].items()))
        blocking = sorted({u for r in runs for u in r["render_blocking"]})
        print(f"    render-blocking: {', '.join(blocking) if blocking else 'none'}")


if __name__ == "__main__":
    main()
