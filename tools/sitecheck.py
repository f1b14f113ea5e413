"""Serve the built site on 127.0.0.1 and measure pages in Chromium (shared by tests and bench).

Never downloads a browser: it drives Debian's ``chromium`` through Playwright.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SKIP_DIRS = {"_static", "_sources", "_images", "_notebooks", "jupyter_execute", "reports"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(site: Path, handler_class: type[http.server.SimpleHTTPRequestHandler] = _Quiet
          ) -> Iterator[str]:
    """Serve ``site`` on a free port of 127.0.0.1 with ``handler_class`` (default: plain files,
    no request log); yields the base URL (no trailing slash)."""
    handler = functools.partial(handler_class, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def site_pages(site: Path, lang: str) -> list[str]:
    """Paths (relative to the site root) of every HTML page of one language."""
    base = site / lang
    return sorted(
        p.relative_to(site).as_posix()
        for p in base.rglob("*.html")
        if not (set(p.relative_to(base).parts) & SKIP_DIRS)
    )


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def page_weight(browser, base: str, site: Path, path: str) -> tuple[int, list[tuple[str, int]]]:  # type: ignore[no-untyped-def]
    """Bytes a cold browser transfers for one page, each file counted gzip-compressed.

    Loads the page in a fresh context (empty cache), waits for the network to go quiet, and sums
    the gzip size of every file it fetched from the site.
    """
    context = browser.new_context()
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{base}/{path}", wait_until="networkidle")
    context.close()
    files = []
    for url in dict.fromkeys(urls):
        u = urlparse(url)
        if not url.startswith(base):
            continue
        f = site / unquote(u.path).lstrip("/")
        if f.is_file():
            files.append((u.path, gzip_size(f)))
    return sum(n for _, n in files), files
