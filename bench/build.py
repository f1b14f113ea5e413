"""Measure the book build: cold, the second language, rebuilds, and edits, in one run.

    .venv/bin/python bench/build.py          (or: make bench)

Works on a copy of the book in a temporary folder, with its own output and execution cache, so
your ``_build`` is left alone. For each step it prints the wall time and how many notebooks were
executed (myst-nb logs "Executed notebook in ..." for each one it runs, and "Using cached
notebook" for each one it takes from the cache). Targets: zh after en executes 0 notebooks; a
no-change rebuild of both languages under 10 s; a prose-only edit re-executes nothing; a code
edit re-executes that page once (en) and nothing more (zh). Last, the unedited English book is
built twice more, each from an empty cache, and the two HTML trees are compared byte for byte.

Then the PDF edition (``tools/build_pdf.py``, as ``make pdf``) after the HTML build, both
languages: its time (target < 3 min on 2 cores) and the notebooks it executed (target 0), and a
second PDF build into another folder: the two must give the same text (``pdftotext``), page count
and outline. Skipped, with the reason, when TeX Live or poppler is missing.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(work: Path, lang: str, cache: Path, out_name: str = "html") -> tuple[float, int, int, str]:
    src = work / "book" / lang
    out = work / out_name / lang
    args = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT), "-n", "-W", "--keep-going",
            "-j", "2", "-d", str(work / f"doctrees-{out_name}" / lang)]
    if lang == "zh":
        args += ["-D", "language=zh_CN"]
    t0 = time.perf_counter()
    proc = subprocess.run([*args, str(src), str(out)], capture_output=True, text=True,
                          env={**os.environ, "DLNOTES_CACHE_DIR": str(cache)}, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(log[-4000:])
        raise SystemExit(f"build of {lang} failed ({proc.returncode})")
    executed = len(re.findall(r"Executed notebook in", log))
    cached = len(re.findall(r"Using cached notebook", log))
    return elapsed, executed, cached, log


def pdf_build(work: Path, cache: Path, out_name: str) -> tuple[float, int, str]:
    """``tools/build_pdf.py`` on the copy of the book; wall time, notebooks executed, log."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_pdf.py"), "--book",
                           str(work / "book"), "--build", str(work / out_name), "--no-publish"],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "DLNOTES_CACHE_DIR": str(cache)})
    elapsed = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(log[-4000:])
        raise SystemExit(f"PDF build failed ({proc.returncode})")
    return elapsed, sum(int(n) for n in re.findall(r"notebooks executed (\d+)", log)), log


def pdf_fingerprint(pdf: Path) -> tuple[str, str, str]:
    """What must not change between two builds: the text, the page count, the outline."""
    def run(*args: str) -> str:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout

    pages = re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M)
    xml = run("pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf))
    count = pages.group(1) if pages else "?"
    return run("pdftotext", str(pdf), "-"), count, xml[xml.find("<outline>"):]


def bench_pdf(work: Path, cache: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import build_pdf

    missing = build_pdf.missing_tools() + [(t, "poppler-utils") for t in ("pdftotext", "pdfinfo")
                                           if shutil.which(t) is None]
    if missing:
        print(f"PDF edition: skipped. {build_pdf.install_hint(missing)}")
        return
    t1, ex1, log = pdf_build(work, cache, "pdf-1")
    print(f"{'make pdf after make html, en + zh':<44} {t1:8.1f} s   executed {ex1:3d}", flush=True)
    t2, ex2, _ = pdf_build(work, cache, "pdf-2")
    print(f"{'make pdf again, into a fresh folder':<44} {t2:8.1f} s   executed {ex2:3d}",
          flush=True)
    print(f"PDF edition of both languages after make html: {t1:.1f} s (target < 180 s), "
          f"{ex1} notebooks executed (target 0)")
    for lang in ("en", "zh"):
        a = pdf_fingerprint(work / "pdf-1" / "pdf" / f"dlnotes-{lang}.pdf")
        b = pdf_fingerprint(work / "pdf-2" / "pdf" / f"dlnotes-{lang}.pdf")
        same = [what for what, x, y in zip(("text", "page count", "outline"), a, b) if x == y]
        print(f"two PDF builds of {lang}: same {', '.join(same) or 'nothing'} "
              f"(target: text, page count, outline; {a[1]} pages)")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dlnotes-bench-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "book", work / "book", ignore=shutil.ignore_patterns("_ipython"))
        (work / "src").symlink_to(ROOT / "src")  # literalinclude paths (../../../src/...) resolve
        cache = work / "cache"
        rows: list[tuple[str, float, int, int]] = []

        def step(name: str, *langs: str) -> None:
            total, ex, ca = 0.0, 0, 0
            for lang in langs:
                t, e, c, _ = build(work, lang, cache)
                total, ex, ca = total + t, ex + e, ca + c
            rows.append((name, total, ex, ca))
            print(f"{name:<44} {total:8.1f} s   executed {ex:3d}   from cache {ca:3d}", flush=True)

        print(f"{'step':<44} {'time':>10}   notebooks")
        step("cold build, en", "en")
        step("zh after en (shared cache)", "zh")
        step("no-change rebuild, en + zh", "en", "zh")
        bench_pdf(work, cache)

        page = "preliminaries/data-manipulation.md"
        for lang in ("en", "zh"):
            p = work / "book" / lang / page
            p.write_text(p.read_text(encoding="utf-8") + "\n\nA sentence added to the prose.\n",
                         encoding="utf-8")
        step("prose-only edit of one page pair, en + zh", "en", "zh")

        for lang in ("en", "zh"):
            p = work / "book" / lang / page
            text = p.read_text(encoding="utf-8")
            p.write_text(text + "\n```{code-cell} python3\nprint('a cell added to the code')\n```\n",
                         encoding="utf-8")
        step("code edit of one page pair, en + zh", "en", "zh")

        # Reproducibility: a second cold build (its own empty cache) of the unedited book.
        shutil.copytree(ROOT / "book", work / "book", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("_ipython"))
        build(work, "en", work / "cache-2", out_name="html-2")
        build(work, "en", cache, out_name="html-1")  # the first cache, fresh output folder
        differ = [
            p.relative_to(work / "html-1").as_posix()
            for p in sorted((work / "html-1").rglob("*.html"))
            if p.read_bytes() != (work / "html-2" / p.relative_to(work / "html-1")).read_bytes()
        ]

        cold, zh, nochange, prose, code = rows
        print()
        print(f"zh after en executed {zh[2]} notebooks (target 0)")
        print(f"no-change rebuild of both languages: {nochange[1]:.1f} s (target < 10 s)")
        print(f"prose edit executed {prose[2]} notebooks (target 0)")
        print(f"code edit executed {code[2]} notebook(s) (target 1: the edited pair, once)")
        print(f"cold build of both languages: {cold[1] + zh[1]:.1f} s (target < 600 s)")
        print(f"two cold builds of en: {len(differ)} HTML files differ (target 0) {differ[:5]}")
        for rel in differ[:3]:
            a = (work / "html-1" / rel).read_text(encoding="utf-8").splitlines()
            b = (work / "html-2" / rel).read_text(encoding="utf-8").splitlines()
            for line in list(difflib.unified_diff(a, b, lineterm="", n=0))[2:8]:
                print(f"    {rel}: {line[:160]}")


def epub_after_html() -> None:
    """The EPUB edition: both languages from fresh doctrees, with the execution cache that
    ``make html`` filled (``_build/jupyter_cache``), as ``make epub`` after ``make html``.
    Target: 0 notebooks executed; the two builds give the same bytes (run twice)."""
    print()
    with tempfile.TemporaryDirectory(prefix="dlnotes-bench-epub-") as tmp:
        digests = []
        for run in ("1", "2"):
            total, executed, cached = 0.0, 0, 0
            for lang in ("en", "zh"):
                args = [sys.executable, "-m", "sphinx", "-b", "epub", "-c", str(ROOT), "-n", "-W",
                        "--keep-going", "-j", "2", "-d", f"{tmp}/doctrees-{run}/{lang}"]
                if lang == "zh":
                    args += ["-D", "language=zh_CN"]
                t0 = time.perf_counter()
                proc = subprocess.run([*args, str(ROOT / "book" / lang), f"{tmp}/epub-{run}/{lang}"],
                                      capture_output=True, text=True, cwd=ROOT)
                total += time.perf_counter() - t0
                log = proc.stdout + proc.stderr
                if proc.returncode != 0:
                    print(log[-4000:])
                    raise SystemExit(f"epub build of {lang} failed ({proc.returncode})")
                executed += len(re.findall(r"Executed notebook in", log))
                cached += len(re.findall(r"Using cached notebook", log))
                digests.append((lang, (Path(tmp) / f"epub-{run}" / lang / f"dlnotes-{lang}.epub").read_bytes()))
            print(f"{'epub, en + zh, fresh doctrees (run ' + run + ')':<44} {total:8.1f} s   "
                  f"executed {executed:3d}   from cache {cached:3d}", flush=True)
        same = all(a == b for (_, a), (_, b) in zip(digests[:2], digests[2:]))
        print(f"epub after make html executed {executed} notebooks (target 0); "
              f"two builds byte-identical: {same} (target True)")


if __name__ == "__main__":
    main()
    epub_after_html()
