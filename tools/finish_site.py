"""Finish the built site after both languages are built (run by ``make html``).

Writes the landing page that offers both languages, a bilingual 404 page, ``sitemap.xml`` with
each page's twin as an ``hreflang`` alternate, ``robots.txt`` and ``.nojekyll``. URLs are absolute,
from ``DLNOTES_SITE_URL`` (the address ``make serve`` uses unless the deploy sets another).
"""

from __future__ import annotations

import html
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

from dlnotes_book import LANGS, site_url  # noqa: E402
from sitecheck import SKIP_DIRS  # noqa: E402  (folders of a built site that hold no pages)

SKIP_PAGES = {"search.html", "genindex.html", "py-modindex.html"}

PAGE_404 = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="description" content="Page not found on dlnotes. 页面不存在。">
<title>Page not found · 页面不存在 — dlnotes</title>
<style>
  :root {{ color-scheme: light dark; }}
  body {{ font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
         max-width: 40rem; margin: 4rem auto; padding: 0 1.25rem; line-height: 1.6; }}
  @media (prefers-color-scheme: dark) {{ body {{ background: #121212; color: #e6e6e6; }} a {{ color: #8ab4f8; }} }}
</style>
</head>
<body>
<main>
<h1>Page not found</h1>
<p>This address is not part of the book. Start again from the
<a href="{base}en/index.html" hreflang="en">English contents</a>.</p>
<h2 lang="zh-CN">页面不存在</h2>
<p lang="zh-CN">本书中没有这个地址。请从<a href="{base}zh/index.html" hreflang="zh-CN">中文目录</a>重新开始。</p>
</main>
</body>
</html>
"""


def sitemap_pages(lang: str) -> list[str]:
    """Paths, relative to the language folder, of the pages of ``lang`` the sitemap lists."""
    base = SITE / lang
    return sorted(
        p.relative_to(base).as_posix()
        for p in base.rglob("*.html")
        if not (set(p.relative_to(base).parts) & SKIP_DIRS) and p.name not in SKIP_PAGES
    )


def sitemap(base: str) -> str:
    rows = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    en, zh = set(sitemap_pages("en")), set(sitemap_pages("zh"))
    for lang in ("en", "zh"):
        for page in sitemap_pages(lang):
            rows.append("  <url>")
            rows.append(f"    <loc>{html.escape(base + lang + '/' + page)}</loc>")
            if page in en and page in zh:
                for other in ("en", "zh"):
                    rows.append(
                        f'    <xhtml:link rel="alternate" hreflang="{LANGS[other]["code"]}" '
                        f'href="{html.escape(base + other + "/" + page)}"/>'
                    )
            rows.append("  </url>")
    rows.append("</urlset>")
    return "\n".join(rows) + "\n"


def main() -> None:
    for lang in ("en", "zh"):
        if not (SITE / lang / "index.html").is_file():
            raise SystemExit(f"{SITE / lang / 'index.html'} is missing: build both languages first")
    base = site_url()
    shutil.copyfile(ROOT / "book" / "_landing" / "index.html", SITE / "index.html")
    (SITE / "404.html").write_text(PAGE_404.format(base=html.escape(base)), encoding="utf-8")
    (SITE / "sitemap.xml").write_text(sitemap(base), encoding="utf-8")
    (SITE / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n",
                                     encoding="utf-8")
    (SITE / ".nojekyll").write_text("", encoding="utf-8")


if __name__ == "__main__":
    main()
