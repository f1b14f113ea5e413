"""Build the PDF edition: ``_build/pdf/dlnotes-en.pdf`` and ``_build/pdf/dlnotes-zh.pdf``.

    .venv/bin/python tools/build_pdf.py [--lang en zh] [--require-cached]    (or: make pdf)

For each language: Sphinx's LaTeX builder, strict like the HTML build (``-n -W --keep-going``),
into ``_build/latex/LANG`` (its own doctrees, ``_build/doctrees/latex-LANG``), reading the
notebooks' outputs from the execution cache that ``make html`` filled. It prints how many
notebooks it executed (myst-nb logs "Executed notebook in ..." for each) and how many it took
from the cache; after ``make html`` that is 0 executed. Without a filled cache the build
executes the pages itself (and fills the cache for ``make html``); ``--require-cached`` makes
that an error instead. Then latexmk runs XeLaTeX (and the index) until the references settle,
and the final log is checked: a character that no font has ("Missing character: There is no
...") and an undefined reference or citation fail the build, listed one per line.

``SOURCE_DATE_EPOCH`` (the last commit's time, unless already set) fixes the title page's date
and the PDF's dates, so two builds give the same text, pages and outline.

The PDFs are copied to ``_build/pdf/`` and published in the site as
``_build/html/editions/dlnotes-LANG.pdf``, the address every page links to
(``book/_ext/dlnotes_book/editions.py``). Missing TeX tools or fonts: the Debian packages to
install are printed, and the exit status is 3.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from dlnotes_book.dates import build_epoch  # noqa: E402  (the same date as the EPUB's)
from dlnotes_book.editions import EDITIONS_DIR  # noqa: E402  (the folder the pages link to)
LANGS = ("en", "zh")
EXIT_MISSING_TOOLS = 3

# (what is checked, how, the Debian package that provides it)
EXECUTABLES = [("xelatex", "texlive-xetex"), ("latexmk", "latexmk"), ("xindy", "xindy"),
               ("make", "make"),
               ("makeindex", "texlive-binaries"), ("kpsewhich", "texlive-binaries"),
               ("fc-list", "fontconfig")]
TEX_FILES = [("xeCJK.sty", "texlive-lang-chinese"), ("fncychap.sty", "texlive-latex-extra"),
             ("titlesec.sty", "texlive-latex-extra"), ("tabulary.sty", "texlive-latex-extra"),
             ("capt-of.sty", "texlive-latex-extra"), ("needspace.sty", "texlive-latex-extra"),
             ("wrapfig.sty", "texlive-latex-extra"), ("upquote.sty", "texlive-latex-extra"),
             ("fontspec.sty", "texlive-latex-recommended")]
FONTS = [("FreeSerif", "fonts-freefont-otf"), ("FreeMono", "fonts-freefont-otf"),
         ("Noto Serif CJK SC", "fonts-noto-cjk"), ("Noto Sans CJK SC", "fonts-noto-cjk"),
         ("Noto Sans Mono CJK SC", "fonts-noto-cjk")]

MISSING_CHAR = re.compile(r"^Missing character: There is no (?P<char>.+?) in font (?P<font>.+?)!",
                          re.M)
UNDEFINED_REF = re.compile(
    r"^(?:LaTeX|Package \w+) Warning: (?P<kind>(?:Hyper )?[Rr]eference|Citation) "
    r"[`'](?P<label>[^']*)' on page (?P<page>\d+) undefined", re.M)
UNDEFINED_SUMMARY = re.compile(r"^LaTeX Warning: There were undefined (references|citations)", re.M)


def missing_tools() -> list[tuple[str, str]]:
    """What the PDF build needs and this machine lacks: ``(what, Debian package)`` pairs."""
    missing = [(exe, pkg) for exe, pkg in EXECUTABLES if shutil.which(exe) is None]
    # Without kpsewhich (or fc-list) nothing can be looked up: all of it is named as missing.
    if shutil.which("kpsewhich"):
        for name, pkg in TEX_FILES:
            found = subprocess.run(["kpsewhich", name], capture_output=True, text=True)
            if found.returncode != 0 or not found.stdout.strip():
                missing.append((name, pkg))
    else:
        missing += TEX_FILES
    names: set[str] = set()
    if shutil.which("fc-list"):
        families = subprocess.run(["fc-list", ":", "family"], capture_output=True,
                                  text=True).stdout
        names = {n.strip() for line in families.splitlines() for n in line.split(",")}
    missing += [(f"the font {font!r}", pkg) for font, pkg in FONTS if font not in names]
    return missing


def install_hint(missing: Sequence[tuple[str, str]]) -> str:
    """The message for missing tools: what is missing and the ``apt-get`` line that adds it."""
    packages = sorted({pkg for _, pkg in missing})
    return ("The PDF edition needs " + ", ".join(what for what, _ in missing) + ".\n"
            "On Debian or Ubuntu: sudo apt-get install --no-install-recommends "
            + " ".join(packages) + "\n(.ci/run installs them too.)")


def log_problems(log: str) -> list[str]:
    """Problems in a final XeLaTeX log: characters no font had, undefined references."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for m in MISSING_CHAR.finditer(log):
        key = (m["char"], m["font"])
        if key not in seen:
            seen.add(key)
            problems.append(f"missing glyph: no {m['char']} in font {m['font']}")
    for m in UNDEFINED_REF.finditer(log):
        problems.append(f"undefined {m['kind'].lower()} {m['label']!r} (page {m['page']})")
    if UNDEFINED_SUMMARY.search(log) and not any(p.startswith("undefined") for p in problems):
        problems.append("LaTeX reports undefined references or citations (see the log)")
    return problems


def tex_env() -> dict[str, str]:
    """The environment of Sphinx and XeLaTeX: fixed dates, and unwrapped log lines to parse."""
    return {**os.environ, "SOURCE_DATE_EPOCH": str(build_epoch()), "FORCE_SOURCE_DATE": "1",
            "max_print_line": "100000", "NO_COLOR": "1"}


@dataclass
class Result:
    lang: str
    pdf: Path
    sphinx_s: float
    latex_s: float
    executed: int
    cached: int


class BuildError(RuntimeError):
    """A step of the PDF build failed; the message says which and why."""


def sphinx_latex(lang: str, sphinxopts: Sequence[str] = ("-j", "2"), book: Path = BOOK,
                 build: Path = BUILD) -> tuple[Path, int, int]:
    """Run Sphinx's LaTeX builder for ``lang``; the output folder, notebooks executed, cached.

    Its log is kept as ``BUILD/latex/sphinx-LANG.log`` (the tests count executed notebooks there).
    """
    out = build / "latex" / lang
    args = [sys.executable, "-m", "sphinx", "-b", "latex", "-c", str(ROOT), "-n", "-W",
            "--keep-going", *sphinxopts, "-d", str(build / "doctrees" / f"latex-{lang}")]
    if lang == "zh":
        args += ["-D", "language=zh_CN"]
    proc = subprocess.run([*args, str(book / lang), str(out)], cwd=ROOT,
                          capture_output=True, text=True, env=tex_env())
    log = proc.stdout + proc.stderr
    (build / "latex").mkdir(parents=True, exist_ok=True)
    (build / "latex" / f"sphinx-{lang}.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        raise BuildError(f"the LaTeX builder failed for {lang} (exit {proc.returncode}):\n"
                         + log[-6000:])
    executed = len(re.findall(r"Executed notebook in", log))
    cached = len(re.findall(r"Using cached notebook", log))
    return out, executed, cached


def run_latex(folder: Path, name: str) -> Path:
    """latexmk with XeLaTeX in ``folder`` on ``name``.tex; the PDF, after checking the log."""
    # Sphinx's Makefile there runs latexmk with its latexmkrc (XeLaTeX, the index program and
    # its options); -xelatex is the faster route it recommends.
    opts = "-xelatex -interaction=nonstopmode -halt-on-error -file-line-error"
    proc = subprocess.run(["make", "-C", str(folder), f"{name}.pdf", f"LATEXMKOPTS={opts}"],
                          capture_output=True, text=True, env=tex_env(), errors="replace")
    log_path = folder / f"{name}.log"
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    if proc.returncode != 0:
        tail = (log or proc.stdout + proc.stderr)[-5000:]
        raise BuildError(f"XeLaTeX failed on {folder / name}.tex (exit {proc.returncode}); "
                         f"the log is {log_path}:\n{tail}")
    problems = log_problems(log)
    if problems:
        raise BuildError(f"{folder / name}.pdf: {len(problems)} problem(s) in {log_path}:\n  "
                         + "\n  ".join(problems))
    return folder / f"{name}.pdf"


def finish(lang: str, folder: Path, publish: bool, build: Path) -> tuple[Path, float]:
    """XeLaTeX on the LaTeX builder's output, then copy the PDF out; the PDF and the time."""
    t0 = time.perf_counter()
    pdf = run_latex(folder, f"dlnotes-{lang}")
    elapsed = time.perf_counter() - t0
    (build / "pdf").mkdir(parents=True, exist_ok=True)
    target = build / "pdf" / pdf.name
    shutil.copyfile(pdf, target)
    if publish:
        editions = build / "html" / EDITIONS_DIR
        editions.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, editions / pdf.name)
    return target, elapsed


def build_all(langs: Sequence[str], require_cached: bool = False, publish: bool = True,
              sphinxopts: Sequence[str] = ("-j", "2"), book: Path = BOOK,
              build: Path = BUILD) -> list[Result]:
    """Build, check and publish the PDFs of ``langs`` (sources under ``book``, outputs under
    ``build``: ``latex/LANG``, ``pdf/`` and ``html/editions/``).

    The LaTeX builder runs one language after the other (two of them executing the same pages
    at once, on an empty cache, would do the work twice); each language's XeLaTeX runs start as
    soon as its ``.tex`` is written, alongside the next language's steps (XeLaTeX uses one core).
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=len(langs) or 1) as pool:
        pending: list[tuple[str, float, int, int, Future[tuple[Path, float]]]] = []
        for lang in langs:
            t0 = time.perf_counter()
            folder, executed, cached = sphinx_latex(lang, sphinxopts, book, build)
            sphinx_s = time.perf_counter() - t0
            if require_cached and executed:
                raise BuildError(f"{lang}: {executed} notebook(s) executed, expected 0 (run "
                                 "make html first to fill the execution cache)")
            pending.append((lang, sphinx_s, executed, cached,
                            pool.submit(finish, lang, folder, publish, build)))
        for lang, sphinx_s, executed, cached, future in pending:
            pdf, latex_s = future.result()  # a BuildError from XeLaTeX is raised here
            results.append(Result(lang, pdf, sphinx_s, latex_s, executed, cached))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", nargs="+", choices=LANGS, default=list(LANGS))
    parser.add_argument("--require-cached", action="store_true",
                        help="fail if a notebook had to be executed (the cache was not filled)")
    parser.add_argument("--no-publish", action="store_true",
                        help="do not copy the PDFs into _build/html/editions")
    parser.add_argument("--sphinxopts", default=os.environ.get("SPHINXOPTS", "-j 2"))
    parser.add_argument("--book", type=Path, default=BOOK, help="folder holding en/ and zh/")
    parser.add_argument("--build", type=Path, default=BUILD, help="output root (_build)")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(install_hint(missing), file=sys.stderr)
        return EXIT_MISSING_TOOLS
    t0 = time.perf_counter()
    try:
        results = build_all(args.lang, args.require_cached, not args.no_publish,
                            args.sphinxopts.split(), args.book.resolve(), args.build.resolve())
    except BuildError as exc:
        print(f"make pdf: {exc}", file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.pdf}: LaTeX builder {r.sphinx_s:.1f} s, XeLaTeX {r.latex_s:.1f} s; "
              f"notebooks executed {r.executed}, from cache {r.cached}")
    print(f"make pdf: {len(results)} PDF(s) in {time.perf_counter() - t0:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
