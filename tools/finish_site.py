"""Finish the built site after both languages are built (run by ``make html``).

Writes the landing page that offers both languages, a bilingual 404 page, ``sitemap.xml`` with
each page's twin as an ``hreflang`` alternate, ``robots.txt`` and ``.nojekyll``, and publishes the
``dlnotes`` wheel as ``dist/dlnotes-VERSION-py3-none-any.whl`` (the URL that the installation page
and every notebook download give to ``pip install``). The wheel is built without network access
(``python -m build --no-isolation``, from a copy of the package so the tree stays clean), with a
fixed ``SOURCE_DATE_EPOCH`` so that the same source gives the same bytes. URLs are absolute,
from ``DLNOTES_SITE_URL`` (the address ``make serve`` uses unless the deploy sets another).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

from dlnotes_book import LANGS, site_url  # noqa: E402
from dlnotes_book.notebooks import wheel_name  # noqa: E402
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


PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in")
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest date a zip file can hold


def publish_wheel(site: Path = SITE) -> Path:
    """Build the ``dlnotes`` wheel into ``site/dist`` (replacing older ones) and return it."""
    dist = site / "dist"
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        for name in PACKAGE_FILES:
            shutil.copy2(ROOT / name, project / name)
        shutil.copytree(ROOT / "src" / "dlnotes", project / "src" / "dlnotes",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        built = Path(tmp) / "dist"
        proc = subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(built),
             str(project)],
            capture_output=True, text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
        wheels = sorted(built.glob("dlnotes-*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            raise SystemExit(f"building the dlnotes wheel failed:\n{proc.stdout[-3000:]}\n"
                             f"{proc.stderr[-3000:]}")
        if wheels[0].name != wheel_name():
            raise SystemExit(f"the wheel is {wheels[0].name}, but the pages link to {wheel_name()}")
        dist.mkdir(parents=True, exist_ok=True)
        for old in dist.glob("dlnotes-*.whl"):
            old.unlink()
        return Path(shutil.copy2(wheels[0], dist / wheels[0].name))


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
    publish_wheel()


if __name__ == "__main__":
    main()
