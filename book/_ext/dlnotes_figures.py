"""Figures are readable: no text in a figure overlaps other text or leaves the canvas.

Two subplot titles that run into each other, or tick labels printed on top of one another, pass
every other check. So the kernels that execute the pages check each figure they display:
:func:`text_problems` draws a copy of the figure (drawing runs the layout engine, which starts
from the current positions, so drawing the figure itself would change the saved image) on an
Agg renderer that records every Text artist actually drawn (titles, suptitle, axis labels, tick
labels, legend texts, annotations, ``ax.text``), takes their window extents, and reports each
pair whose boxes overlap by more than ``tolerance`` pixels in both directions, and each text
that reaches more than ``tolerance`` pixels outside the figure canvas. The image the page shows is byte for byte the one it would
show without the check.

:func:`install` (run by the kernel configuration's ``exec_lines``) wraps IPython's display
formatters for matplotlib figures (``for_type(Figure, ...)``, public IPython API), so every
figure shown (``plt.show()``, a figure left open at the end of a cell, a returned ``Figure``) is
checked, and registers a ``post_run_cell`` hook that turns a problem into an error of the cell
(:class:`UnreadableFigure`): ``make html`` then fails naming the page and the cell, and
``tools/run_page.py`` shows it in seconds. The figure is still displayed, so the writer sees it.
(Re-running ``%matplotlib inline`` in a page would replace the formatters and drop the check.)

No IPython or Sphinx import at module level; matplotlib is imported when a figure is checked.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["UnreadableFigure", "install", "text_problems"]


class UnreadableFigure(Exception):
    """A figure in this cell has text that overlaps other text or leaves the canvas."""


def _label(text: Any) -> str:
    s = " ".join(text.get_text().split())
    return repr(s if len(s) <= 30 else s[:29] + "…")


def _recorded_texts(fig: Any) -> tuple[list[Any], Any]:
    """Draw ``fig`` on a fresh Agg renderer; the Text artists drawn, in order, and the renderer."""
    from matplotlib.backends.backend_agg import RendererAgg

    drawn: list[Any] = []

    class Recorder(RendererAgg):  # type: ignore[misc]
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[no-untyped-def]
            if mtext is not None and mtext not in drawn:
                drawn.append(mtext)
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    fig.draw_without_rendering()  # run the layout engine as saving will
    width, height = fig.bbox.size
    renderer = Recorder(int(width), int(height), fig.dpi)  # type: ignore[no-untyped-call]
    fig.draw(renderer)
    return drawn, renderer


def text_problems(fig: Any, tolerance: float = 1.0) -> list[str]:
    """The overlapping and clipped texts of a matplotlib figure, one message each.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, as it would be saved.
    tolerance : float, default=1.0
        Pixels (at the figure's dpi) that two boxes may share, or a box may reach outside.

    Returns
    -------
    list of str
        Empty when every text stands clear.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2), layout="constrained")
    >>> axes = fig.subplots(1, 2)
    >>> _ = axes[0].set_title("left"); _ = axes[1].set_title("right")
    >>> text_problems(fig)
    []
    >>> _ = axes[0].set_title("a title far too long for half of a small figure")
    >>> for problem in text_problems(fig):
    ...     print(problem)
    text 'a title far too long for half…' overlaps text 'right'
    text 'a title far too long for half…' reaches outside the figure
    """
    import copy

    # Drawing runs the layout engine, which starts from the current positions: a draw before
    # saving would change the saved image. So a copy is drawn, and the figure is left untouched.
    twin = copy.deepcopy(fig)
    try:
        texts, renderer = _recorded_texts(twin)
    finally:
        if "matplotlib.pyplot" in sys.modules:  # the copy of a pyplot figure joins pyplot
            sys.modules["matplotlib.pyplot"].close(twin)
    boxes = [(t, t.get_window_extent(renderer)) for t in texts
             if t.get_visible() and t.get_text().strip()]
    w, h = twin.bbox.width, twin.bbox.height
    problems = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            dx = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            dy = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if dx > tolerance and dy > tolerance:
                problems.append(f"text {_label(a)} overlaps text {_label(b)}")
    for t, bb in boxes:
        if bb.x0 < -tolerance or bb.y0 < -tolerance or bb.x1 > w + tolerance or bb.y1 > h + tolerance:
            problems.append(f"text {_label(t)} reaches outside the figure")
    return problems


_pending: list[str] = []


def _checked(format_figure: Any) -> Any:
    """A figure formatter that checks the figure, then formats it exactly as before."""

    def format_checked(fig: Any, *args: Any, **kwargs: Any) -> Any:
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        name = repr(next((s for s in titles if s), "untitled"))
        for problem in text_problems(fig):
            message = f"figure {name}: {problem}"
            if message not in _pending:
                _pending.append(message)
        return format_figure(fig, *args, **kwargs)

    format_checked.dlnotes_checked = True  # type: ignore[attr-defined]
    return format_checked


def _raise_pending(result: Any) -> None:
    """``post_run_cell``: make the cell fail if a figure it showed had a problem."""
    problems, _pending[:] = list(_pending), []
    if not problems or not getattr(result, "success", True):
        return
    from IPython import get_ipython

    shell = get_ipython()
    try:
        raise UnreadableFigure(
            "overlapping or clipped text (shorten the text, enlarge the figure, or rotate the "
            "labels; the kernels use constrained layout): " + "; ".join(problems)
        )
    except UnreadableFigure as exc:
        result.error_in_exec = exc
        if shell is not None:
            shell.showtraceback(exception_only=True)


def install(shell: Any = None) -> None:
    """Check every figure the IPython ``shell`` (default: the running one) displays."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        raise RuntimeError("dlnotes_figures.install() needs a running IPython shell")
    from matplotlib.figure import Figure

    wrapped = 0
    for mime, formatter in shell.display_formatter.formatters.items():
        if not mime.startswith(("image/", "application/pdf")):
            continue
        try:
            current = formatter.lookup_by_type(Figure)
        except KeyError:
            continue
        if not getattr(current, "dlnotes_checked", False):
            formatter.for_type(Figure, _checked(current))
        wrapped += 1
    if not wrapped:
        raise RuntimeError("dlnotes_figures.install(): no display formatter for matplotlib "
                           "figures (is the inline backend active?)")
    if _raise_pending not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _raise_pending)
