"""Quick line plots of tensors, in the spirit of d2l's ``plot``, without its pitfalls.

:func:`plot` accepts tensors that require grad or live on a GPU (they are
detached and copied to the CPU), lists and NumPy arrays; it never drops a series
silently (formats cycle when there are more series than formats) and has no
mutable default arguments. matplotlib is imported only when a function draws.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from dlnotes._checks import check_axes, check_choice, check_pair, check_tensor, type_error

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from matplotlib.axes import Axes

__all__ = ["plot", "set_figsize"]

_SCALES = ("linear", "log", "symlog", "logit")


def set_figsize(figsize: tuple[float, float] = (4.5, 3.0)) -> None:
    """Set the default size of new matplotlib figures (``rcParams["figure.figsize"]``).

    Only matplotlib's own global setting changes; figures that already exist keep their size.

    Parameters
    ----------
    figsize : tuple of float, default=(4.5, 3.0)
        Width and height in inches, both positive and finite (NumPy numbers are fine).

    Returns
    -------
    None

    Raises
    ------
    TypeError
        If ``figsize`` is not a pair of numbers.
    ValueError
        If a size is not a positive, finite number.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> before = plt.rcParams["figure.figsize"]
    >>> set_figsize((3.5, 2.5))
    >>> [float(v) for v in plt.rcParams["figure.figsize"]]
    [3.5, 2.5]
    >>> plt.figure().get_size_inches().tolist()
    [3.5, 2.5]
    >>> plt.close("all")
    >>> plt.rcParams["figure.figsize"] = before   # restore matplotlib's setting
    """
    size = check_pair(figsize, "figsize", positive=True)
    import matplotlib.pyplot as plt  # deferred: drawing only

    plt.rcParams["figure.figsize"] = size


def _to_numpy(value: object, name: str) -> np.ndarray[Any, Any]:
    """Convert a tensor (any device, with or without grad), array or list to a float array."""
    import numpy as np

    if isinstance(value, torch.Tensor):
        tensor = check_tensor(value, name, kinds="fib", copy=False)
        return tensor.detach().cpu().to(torch.float64).numpy()
    expected = f"{name} must be a tensor, an array or a list of numbers"
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{expected}; received {type(value).__name__}") from err
    if raw.dtype.kind == "c":  # a cast to float64 would drop the imaginary part
        raise TypeError(f"{name} must hold real numbers; received complex values")
    try:
        array = raw.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{expected}; received {type(value).__name__}") from err
    return array


def _is_series_like(value: object) -> bool:
    """Whether ``value`` is itself a series (not a single number such as a 0-d tensor)."""
    if isinstance(value, (str, bytes)):
        return False
    if isinstance(value, Sequence):
        return True
    return hasattr(value, "ndim") and int(value.ndim) > 0


def _is_one_series(value: object) -> bool:
    """Whether ``value`` is a single series (1-D) rather than a list of series."""
    if isinstance(value, torch.Tensor):
        return value.dim() <= 1
    if hasattr(value, "ndim"):  # NumPy arrays and the like
        return int(value.ndim) <= 1
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return not any(_is_series_like(v) for v in value)
    return False


def _series(value: object, name: str) -> list[np.ndarray[Any, Any]]:
    """Split ``value`` into a list of 1-D float arrays (rows of a 2-D input are series)."""
    if _is_one_series(value):
        parts: list[object] = [value]
    elif isinstance(value, (torch.Tensor,)) or hasattr(value, "ndim"):
        array = value if isinstance(value, torch.Tensor) else _to_numpy(value, name)
        if array.ndim != 2:
            raise ValueError(
                f"{name} must be 1-D, 2-D (one series per row) or a list of 1-D series; "
                f"received shape {tuple(array.shape)}"
            )
        parts = list(array)
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        parts = list(value)
    else:
        raise TypeError(
            f"{name} must be a tensor, an array, a list of numbers or a list of those; "
            f"received {type(value).__name__}"
        )
    out = []
    for i, part in enumerate(parts):
        label = name if len(parts) == 1 else f"{name}[{i}]"
        array = _to_numpy(part, label)
        if array.ndim == 0:
            array = array.reshape(1)
        if array.ndim != 1:
            raise ValueError(f"{label} must be 1-D; received shape {array.shape}")
        out.append(array)
    return out


def plot(
    x: torch.Tensor | npt.ArrayLike | Sequence[Any] | None,
    ys: torch.Tensor | npt.ArrayLike | Sequence[Any],
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend: Sequence[str] | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    xscale: str = "linear",
    yscale: str = "linear",
    fmts: Sequence[str] = ("-", "m--", "g-.", "r:"),
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
) -> Axes:
    """Plot one or several series against ``x`` and return the Axes.

    Tensors are detached and copied to the CPU first, so ``plot(x, f(x))``
    works for tensors that require grad or live on a GPU.

    Parameters
    ----------
    x : Tensor, array, list of numbers, list of those, or None
        The x values: one 1-D series shared by every curve, one per curve, or
        ``None`` to plot each curve against its index ``0, 1, ...``.
    ys : Tensor, array, list of numbers, or list of those
        One series (1-D) or several: a list of 1-D series or a 2-D tensor or
        array whose rows are the series.
    xlabel : str or None, default=None
        Label of the x axis.
    ylabel : str or None, default=None
        Label of the y axis.
    legend : sequence of str or None, default=None
        One entry per series; ``None`` draws no legend.
    xlim : tuple of float or None, default=None
        (left, right) limits of the x axis; ``None`` lets matplotlib choose.
    ylim : tuple of float or None, default=None
        (bottom, top) limits of the y axis.
    xscale : str, default="linear"
        "linear", "log", "symlog" or "logit".
    yscale : str, default="linear"
        "linear", "log", "symlog" or "logit".
    fmts : sequence of str, default=("-", "m--", "g-.", "r:")
        matplotlib format strings, used in turn and cycled when there are more
        series than formats.
    title : str or None, default=None
        Title of the axes.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; ``None`` creates a new figure.
    figsize : tuple of float or None, default=None
        Size of the new figure in inches; ``None`` uses matplotlib's default
        (see :func:`set_figsize`). Only allowed when ``ax`` is ``None``.

    Returns
    -------
    matplotlib Axes
        The axes drawn on, with a grid.

    Raises
    ------
    TypeError
        If ``x`` or ``ys`` cannot be read as real numbers, ``fmts`` or ``legend``
        is a bare string, a label or the title is not a str, a limit is not a
        pair of numbers, or ``ax`` is not a matplotlib Axes.
    ValueError
        If a series is not 1-D, the lengths of ``x`` and a series differ, the
        number of x series or legend entries does not match the number of
        series, ``fmts`` is empty, a scale is unknown, or both ``ax`` and
        ``figsize`` are given.

    Examples
    --------
    >>> x = torch.arange(0, 3, 0.5, requires_grad=True)
    >>> ax = plot(x, [x ** 2, 2 * x - 1], xlabel="x", legend=["f(x)", "tangent at x=1"])
    >>> len(ax.get_lines()), ax.get_xlabel()
    (2, 'x')
    >>> ax.get_lines()[0].get_ydata().tolist()
    [0.0, 0.25, 1.0, 2.25, 4.0, 6.25]
    >>> ax.get_lines()[1].get_linestyle()
    '--'
    """
    if isinstance(fmts, str) or not isinstance(fmts, Sequence):
        raise TypeError(
            f"fmts must be a sequence of format strings such as ('-', 'm--'), not a bare "
            f"string or other object; received {fmts!r}"
        )
    if len(fmts) == 0 or not all(isinstance(f, str) for f in fmts):
        raise ValueError(
            f"fmts must be a non-empty sequence of format strings such as ('-', 'm--'); "
            f"received {fmts!r}"
        )
    if legend is not None and (isinstance(legend, str) or not isinstance(legend, Sequence)):
        raise TypeError(f"legend must be a sequence of str such as ['train', 'test']; received {legend!r}")
    for text, name in ((xlabel, "xlabel"), (ylabel, "ylabel"), (title, "title")):
        if text is not None and not isinstance(text, str):
            raise type_error(name, "a str or None", text)
    xscale = check_choice(xscale, "xscale", _SCALES)
    yscale = check_choice(yscale, "yscale", _SCALES)
    limits = {
        name: None if value is None else check_pair(value, name)
        for name, value in (("xlim", xlim), ("ylim", ylim))
    }
    ax = check_axes(ax, "ax")
    if ax is not None and figsize is not None:
        raise ValueError(
            "figsize sets the size of a new figure, so it cannot be combined with ax; "
            f"received ax={ax!r} and figsize={figsize!r}"
        )
    size = None if figsize is None else check_pair(figsize, "figsize", positive=True)

    import numpy as np  # deferred with matplotlib: NumPy is only needed to draw

    y_series = _series(ys, "ys")
    if x is None:
        x_series = [np.arange(len(y), dtype=np.float64) for y in y_series]
    else:
        x_series = _series(x, "x")
        if len(x_series) == 1:
            x_series = x_series * len(y_series)
        elif len(x_series) != len(y_series):
            raise ValueError(
                f"x must be one series or one per series of ys ({len(y_series)}); "
                f"received {len(x_series)} series"
            )
    for i, (xs, y) in enumerate(zip(x_series, y_series)):
        if len(xs) != len(y):
            raise ValueError(
                f"x and ys[{i}] must have the same length; received {len(xs)} and {len(y)}"
            )
    if legend is not None and len(legend) != len(y_series):
        raise ValueError(
            f"legend must have one entry per series ({len(y_series)}); received {len(legend)}: "
            f"{list(legend)!r}"
        )

    import matplotlib.pyplot as plt  # deferred: drawing only

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    for xs, y, fmt in zip(x_series, y_series, itertools.cycle(fmts)):
        ax.plot(xs, y, fmt)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_xscale(xscale)
    ax.set_yscale(yscale)
    if limits["xlim"] is not None:
        ax.set_xlim(*limits["xlim"])
    if limits["ylim"] is not None:
        ax.set_ylim(*limits["ylim"])
    if legend is not None:
        ax.legend(list(legend))
    if title is not None:
        ax.set_title(title)
    ax.grid(True)
    return ax
