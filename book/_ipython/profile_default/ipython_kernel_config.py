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
