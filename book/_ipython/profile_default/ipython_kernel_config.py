# IPython kernel configuration for the book build (IPYTHONDIR points here; see conf.py).
# Figures are SVG with no date and a fixed hash salt, so two builds give identical HTML, and
# PDF (vector, for the PDF edition: myst-nb's default priorities pick SVG for html, PDF for latex).
c = get_config()  # noqa: F821  (provided by IPython)
c.InlineBackend.figure_formats = {"svg", "pdf"}
# Constrained layout by default, so titles and labels do not collide (pages do not call
# tight_layout()).
c.InlineBackend.rc = {"svg.hashsalt": "dlnotes", "figure.dpi": 100,
                      "figure.constrained_layout.use": True}
c.InlineBackend.print_figure_kwargs = {"metadata": {"Date": None}, "bbox_inches": "tight"}
c.IPKernelApp.log_level = "ERROR"
# Activate the inline backend at start-up, so a returned Figure (dlnotes.graphs.draw_graph makes
# one without pyplot) is displayed even before the page has used pyplot.
c.IPKernelApp.matplotlib = "inline"
# Send a cell's printed output in one piece. ipykernel flushes stdout every 0.2 s, and myst-nb
# joins the pieces with line breaks, so a flush in the middle of a print() split its line
# differently from build to build. Output is still flushed before every figure or display and
# at the end of each cell, so its order is unchanged. flush_interval is not public API: the build
# checks the ipykernel version and the attribute first (book/_ext/dlnotes_book/kernel.py).
c.IPKernelApp.exec_lines = ["import sys as _s; type(_s.stdout).flush_interval = 1e9; del _s"]
# print_figure_kwargs are shared by every format, and their metadata keys are not: SVG rejects
# "CreationDate", PDF warns about "Date". So the PDF formatter is registered again with its own
# metadata (no CreationDate, so the bytes do not depend on the time), before the figure check
# below wraps it.
c.IPKernelApp.exec_lines += [
    "import functools as _ft; from IPython.core.pylabtools import print_figure as _pf; "
    "from matplotlib.figure import Figure as _F; "
    "get_ipython().display_formatter.formatters['application/pdf'].for_type(_F, _ft.partial("
    "_pf, fmt='pdf', base64=True, bbox_inches='tight', metadata={'CreationDate': None})); "
    "del _ft, _pf, _F"
]
# Every figure a kernel displays is checked for overlapping or clipped text, and a bad one is
# an error of its cell (book/_ext/dlnotes_figures.py). This file runs from a copy under _build,
# so the checker is found by walking up to the checkout.
from pathlib import Path as _P  # noqa: E402

_ext = next(str(d / "book" / "_ext") for d in _P(__file__).resolve().parents
            if (d / "book" / "_ext" / "dlnotes_figures.py").is_file())
c.IPKernelApp.exec_lines += [
    f"import sys as _s; _s.path.insert(0, {_ext!r}); import dlnotes_figures as _f; "
    f"_s.path.remove({_ext!r}); _f.install(); del _s, _f"
]
