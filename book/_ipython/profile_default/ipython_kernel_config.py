# IPython kernel configuration for the book build (IPYTHONDIR points here; see conf.py).
# Figures are SVG with no date and a fixed hash salt, so two builds give identical HTML.
c = get_config()  # noqa: F821  (provided by IPython)
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.rc = {"svg.hashsalt": "dlnotes", "figure.dpi": 100}
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
