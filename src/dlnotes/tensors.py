"""Look inside tensors: storage, offsets, strides, views, broadcasting, memory pictures.

A tensor is a view of a flat block of memory, its *storage*: the element at index
``(i_0, ..., i_{n-1})`` lives at position ``storage_offset + sum(stride[k] * i_k)``
of the storage. Slicing, transposing, ``expand`` and ``diagonal`` change the shape,
the strides and the offset, never the storage. The functions here show that, and
explain, step by step, when two shapes broadcast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from dlnotes._checks import check_axes, check_int, check_tensor, type_error

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "BroadcastReport",
    "StorageInfo",
    "explain_broadcast",
    "flat_index",
    "plot_memory_layout",
    "shares_storage",
    "storage_info",
    "storage_values",
]

#: Largest storage :func:`plot_memory_layout` draws; beyond this the cells are unreadable.
MAX_PLOT_CELLS = 96
#: Largest view (number of elements) :func:`plot_memory_layout` accepts.
MAX_PLOT_VIEW = 1_000_000


def _check_tensor(t: object, name: str, *, allow_meta: bool = False) -> torch.Tensor:
    """``t`` itself (not a copy: these functions inspect its storage), checked to be dense."""
    return check_tensor(t, name, allow_meta=allow_meta, copy=False)


def _storage_elements(t: torch.Tensor) -> int:
    """Number of elements of ``t.dtype`` that fit in the storage of ``t``."""
    return int(t.untyped_storage().nbytes() // t.element_size())


@dataclass(frozen=True)
class StorageInfo:
    """What a tensor is made of: its shape, strides, offset and the size of its storage.

    Attributes
    ----------
    shape : tuple of int
        The shape of the tensor (the view).
    stride : tuple of int
        Steps, in elements, through the storage for a step of 1 along each dimension.
    storage_offset : int
        Position in the storage of the element at index ``(0, ..., 0)``.
    storage_size : int
        Number of elements (of ``dtype``) in the whole underlying storage.
    numel : int
        Number of elements of the tensor (the product of ``shape``).
    dtype : torch.dtype
        Element type.
    is_contiguous : bool
        Whether the tensor is laid out row-major without gaps.
    """

    shape: tuple[int, ...]
    stride: tuple[int, ...]
    storage_offset: int
    storage_size: int
    numel: int
    dtype: torch.dtype
    is_contiguous: bool

    def __str__(self) -> str:
        rows = [
            ("shape", str(self.shape)),
            ("stride", str(self.stride)),
            ("storage_offset", str(self.storage_offset)),
            ("storage_size", str(self.storage_size)),
            ("numel", str(self.numel)),
            ("dtype", str(self.dtype)),
            ("is_contiguous", str(self.is_contiguous)),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def storage_info(t: torch.Tensor) -> StorageInfo:
    """Collect the shape, strides, offset and storage size of a tensor.

    Parameters
    ----------
    t : Tensor of any shape
        A dense tensor, possibly a view of another one.

    Returns
    -------
    StorageInfo
        Frozen record; ``print`` it for a small table.

    Raises
    ------
    TypeError
        If ``t`` is not a dense ``torch.Tensor`` (sparse tensors have no single storage).

    Examples
    --------
    >>> x = torch.arange(12).reshape(3, 4)
    >>> print(storage_info(x[:, 1:3].t()))
    shape           (2, 3)
    stride          (1, 4)
    storage_offset  1
    storage_size    12
    numel           6
    dtype           torch.int64
    is_contiguous   False
    """
    t = _check_tensor(t, "t", allow_meta=True)
    return StorageInfo(
        shape=tuple(t.shape),
        stride=tuple(t.stride()),
        storage_offset=int(t.storage_offset()),
        storage_size=_storage_elements(t),
        numel=t.numel(),
        dtype=t.dtype,
        is_contiguous=t.is_contiguous(),
    )


def storage_values(t: torch.Tensor) -> torch.Tensor:
    """Return a copy of the whole storage underlying ``t``, as a 1-D tensor in storage order.

    The copy covers every element of the storage, including those the view ``t``
    does not select, and has the dtype and device of ``t``.

    Parameters
    ----------
    t : Tensor of any shape
        A dense tensor, possibly a view of another one.

    Returns
    -------
    Tensor of shape (storage_size,)
        A new tensor (changing it does not change ``t``), not requiring grad.

    Raises
    ------
    TypeError
        If ``t`` is not a dense ``torch.Tensor``.

    Examples
    --------
    >>> x = torch.arange(6).reshape(2, 3)
    >>> view = x.t()[1:]
    >>> view.tolist()
    [[1, 4], [2, 5]]
    >>> storage_values(view).tolist()
    [0, 1, 2, 3, 4, 5]
    """
    t = _check_tensor(t, "t")
    n = _storage_elements(t)
    with torch.no_grad():
        whole = torch.empty(0, dtype=t.dtype, device=t.device)
        whole.set_(t.untyped_storage(), 0, (n,), (1,))
        return whole.clone()


def shares_storage(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Return whether two tensors are views of the same underlying storage.

    Two tensors share storage when their storages start at the same memory
    address on the same device; writing through one can then change the other.
    Empty storages and storages on the ``meta`` device (address 0) count as
    shared only when they are the same storage object.

    A ``False`` answer does not promise independent memory: two tensors made by
    ``torch.from_numpy`` from overlapping parts of one NumPy buffer have
    storages that start at different addresses, yet writing through one changes
    the other.

    Parameters
    ----------
    a : Tensor of any shape
        A dense tensor.
    b : Tensor of any shape
        Another dense tensor.

    Returns
    -------
    bool
        ``True`` if ``a`` and ``b`` use the same storage.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a dense ``torch.Tensor``.

    Examples
    --------
    >>> x = torch.arange(6)
    >>> shares_storage(x, x.view(2, 3).t())
    True
    >>> shares_storage(x, x.clone())
    False
    >>> shares_storage(x, x.reshape(3, 2))   # reshape of a contiguous tensor is a view
    True
    """
    a = _check_tensor(a, "a", allow_meta=True)
    b = _check_tensor(b, "b", allow_meta=True)
    if a.device != b.device:
        return False
    sa, sb = a.untyped_storage(), b.untyped_storage()
    if sa.data_ptr() == 0 or sb.data_ptr() == 0:
        # empty or meta storages have no address: torch keeps one Python object per
        # storage, so identity tells whether they are the same storage
        return sa is sb
    return bool(sa.data_ptr() == sb.data_ptr())


def flat_index(t: torch.Tensor, index: Sequence[int]) -> int:
    """Return the position in the storage of the element ``t[index]``.

    The position is ``t.storage_offset() + sum(t.stride(k) * index[k])``, after
    turning negative indices into positive ones as Python does (``-1`` is the
    last element along that dimension).

    Parameters
    ----------
    t : Tensor of shape (d_0, ..., d_(n-1))
        A dense tensor, possibly a view.
    index : sequence of int, length n
        One index per dimension of ``t``; ``()`` for a 0-d tensor.

    Returns
    -------
    int
        Position in the storage, so that
        ``storage_values(t)[flat_index(t, index)] == t[tuple(index)]``.

    Raises
    ------
    TypeError
        If ``t`` is not a dense tensor, ``index`` is not a sequence, or an
        entry of ``index`` is not an int.
    ValueError
        If ``index`` does not have one entry per dimension of ``t``, or an entry
        is out of range for its dimension.

    Examples
    --------
    >>> x = torch.arange(12).reshape(3, 4)
    >>> view = x[1:, ::2]          # rows 1-2, columns 0 and 2
    >>> view.stride(), view.storage_offset()
    ((4, 2), 4)
    >>> flat_index(view, (1, -1))  # 4 + 4*1 + 2*1
    10
    >>> storage_values(view)[10].item() == view[1, -1].item()
    True
    """
    t = _check_tensor(t, "t")
    if isinstance(index, (str, bytes)) or not isinstance(index, (Sequence, torch.Size)):
        raise TypeError(
            f"index must be a sequence of ints such as (0, 2); "
            f"received {type(index).__name__} {index!r}"
        )
    if len(index) != t.dim():
        raise ValueError(
            f"index must have one entry per dimension of t (t has shape {tuple(t.shape)}, "
            f"so {t.dim()} entries); received {len(index)} entries: {tuple(index)!r}"
        )
    position = int(t.storage_offset())
    for k, raw in enumerate(index):
        i = check_int(raw, f"index[{k}]")
        size = t.shape[k]
        if not -size <= i < size:
            raise ValueError(
                f"index[{k}] must be in [{-size}, {size - 1}] for dimension {k} of size {size}; "
                f"received {i}"
            )
        if i < 0:
            i += size
        position += t.stride(k) * i
    return position


@dataclass(frozen=True)
class BroadcastReport:
    """The step-by-step explanation of whether, and to what, shapes broadcast.

    Attributes
    ----------
    shapes : tuple of tuple of int
        The shapes as given.
    aligned : tuple of tuple of int
        The shapes right-aligned: padded on the left with 1s to a common length.
    result : tuple of int or None
        The broadcast shape, or ``None`` when the shapes are incompatible.
    compatible : bool
        Whether the shapes broadcast.
    reason : str or None
        For incompatible shapes, the first failing dimension counted from the
        right and why, e.g. ``"dimension -1: 3 vs 4; sizes differ and neither is 1"``;
        ``None`` when compatible.
    steps : list of str
        The explanation, one line per step; ``str(report)`` joins them.
    """

    shapes: tuple[tuple[int, ...], ...]
    aligned: tuple[tuple[int, ...], ...]
    result: tuple[int, ...] | None
    compatible: bool
    reason: str | None
    steps: list[str]

    def __str__(self) -> str:
        return "\n".join(self.steps)


def _check_shape(shape: object, k: int) -> tuple[int, ...]:
    """Validate one shape argument of :func:`explain_broadcast` and return it as a tuple."""
    name = f"shapes[{k}]"
    if isinstance(shape, torch.Tensor):
        raise TypeError(
            f"{name} must be a shape such as (2, 3) or t.shape; received a Tensor "
            f"(pass its .shape, here {tuple(shape.shape)})"
        )
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, torch.Size)):
        raise TypeError(
            f"{name} must be a sequence of ints such as (2, 3) or t.shape; "
            f"received {type(shape).__name__} {shape!r}"
            + (f" (for a 1-D shape write ({shape},))" if isinstance(shape, int) else "")
        )
    sizes = []
    for j, raw in enumerate(shape):
        sizes.append(check_int(raw, f"{name}[{j}]", minimum=0))
    return tuple(sizes)


def _vs(sizes: Sequence[int]) -> str:
    return " vs ".join(str(s) for s in sizes)


def explain_broadcast(*shapes: Sequence[int] | torch.Size) -> BroadcastReport:
    """Explain, step by step, whether shapes broadcast together and to what shape.

    Broadcasting right-aligns the shapes, pads the shorter ones on the left with
    1s, and then compares them one dimension at a time: the sizes must be equal
    or 1, and a size 1 is stretched to match. The result agrees with
    ``torch.broadcast_shapes``; unlike it, incompatible shapes do not raise but
    give a report that names the failing dimension.

    Parameters
    ----------
    *shapes : sequence of int or torch.Size
        One or more shapes, e.g. ``(2, 1, 3)``, ``[4, 1]`` or ``t.shape``.

    Returns
    -------
    BroadcastReport
        ``report.result`` is the broadcast shape (``None`` if incompatible);
        ``print(report)`` shows every step.

    Raises
    ------
    TypeError
        If no shape is given, a shape is not a sequence (a bare int, a Tensor)
        or a size is not an int.
    ValueError
        If a size is negative.

    Examples
    --------
    >>> report = explain_broadcast((2, 1, 3), (4, 1))
    >>> report.result
    (2, 4, 3)
    >>> print(report)
    shapes: (2, 1, 3) and (4, 1)
    step 1, right-align and pad with 1s on the left:
        (2, 1, 3)
        (1, 4, 1)
    step 2, compare each dimension from the right (sizes must be equal or 1):
        dimension -1: 3 vs 1 -> 3 (size 1 is stretched to 3)
        dimension -2: 1 vs 4 -> 4 (size 1 is stretched to 4)
        dimension -3: 2 vs 1 -> 2 (size 1 is stretched to 2)
    result: (2, 4, 3)
    >>> bad = explain_broadcast((2, 3), (2, 4))
    >>> bad.compatible, bad.result
    (False, None)
    >>> bad.reason
    'dimension -1: 3 vs 4; sizes differ and neither is 1'
    """
    if len(shapes) == 0:
        raise TypeError("shapes must hold at least one shape such as (2, 3); received none")
    checked = tuple(_check_shape(shape, k) for k, shape in enumerate(shapes))
    ndim = max(len(s) for s in checked)
    aligned = tuple((1,) * (ndim - len(s)) + s for s in checked)

    joined = ", ".join(str(s) for s in checked[:-1])
    joined = f"{joined} and {checked[-1]}" if len(checked) > 1 else str(checked[0])
    steps = [f"shape{'s' if len(checked) > 1 else ''}: {joined}"]
    steps.append("step 1, right-align and pad with 1s on the left:")
    steps.extend(f"    {s}" for s in aligned)
    steps.append("step 2, compare each dimension from the right (sizes must be equal or 1):")
    if ndim == 0:
        steps.append("    (no dimensions: every shape is a scalar)")

    result_rev: list[int] = []
    failures: list[str] = []
    for d in range(1, ndim + 1):
        sizes = [s[-d] for s in aligned]
        others = sorted(set(x for x in sizes if x != 1), key=sizes.index)
        label = f"dimension -{d}: {_vs(sizes)}"
        if len(others) > 1:
            if len(sizes) == 2:
                why = "sizes differ and neither is 1"
            else:
                why = f"sizes {_vs(others).replace(' vs ', ' and ')} differ and none of them is 1"
            failures.append(f"{label}; {why}")
            steps.append(f"    {label} -> fails: {why}")
            continue
        size = others[0] if others else 1
        result_rev.append(size)
        if len(set(sizes)) == 1:
            steps.append(f"    {label} -> {size} (equal)")
        else:
            steps.append(f"    {label} -> {size} (size 1 is stretched to {size})")

    if failures:
        reason = failures[0]
        steps.append(
            "result: incompatible; "
            + ("; ".join(failures) if len(failures) > 1 else reason)
        )
        return BroadcastReport(checked, aligned, None, False, reason, steps)
    result = tuple(reversed(result_rev))
    steps.append(f"result: {result}")
    return BroadcastReport(checked, aligned, result, True, None, steps)


def _format_value(value: object) -> str:
    """Short text for one storage cell."""
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e4:
            return str(int(value))
        return f"{value:.2g}"
    if isinstance(value, complex):
        return f"{value.real:.2g}{value.imag:+.2g}j"
    return str(value)


def plot_memory_layout(
    t: torch.Tensor,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the storage of a tensor as a row of cells and highlight those the view selects.

    Each cell shows a stored value and, below it, its storage index. Cells the
    tensor ``t`` selects are shaded and marked with the view index that reads
    them (``×n`` when ``n`` view indices read the same cell, as after
    ``expand``). The caption gives the view's shape, stride and offset. The
    figure has a white background, so it reads in light and dark themes.

    Parameters
    ----------
    t : Tensor of any shape
        A dense tensor, usually a view (slice, transpose, ``expand``, ...),
        whose storage has at most 96 elements.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; ``None`` creates a new figure sized to the storage.
    title : str or None, default=None
        Title of the axes; ``None`` gives ``"storage (N elements) and the view"``.

    Returns
    -------
    matplotlib Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``t`` is not a dense tensor or ``title`` is not a string.
    ValueError
        If the storage has more than 96 elements (the picture would be unreadable)
        or the view more than a million.

    Examples
    --------
    >>> x = torch.arange(6).reshape(2, 3)
    >>> ax = plot_memory_layout(x.t(), title="x.t()")
    >>> ax.get_title()
    'x.t()'
    >>> sum(p.get_facecolor() != (1.0, 1.0, 1.0, 1.0) for p in ax.patches)  # shaded cells
    6
    """
    t = _check_tensor(t, "t")
    ax = check_axes(ax, "ax")
    if title is not None and not isinstance(title, str):
        raise type_error("title", "a str or None", title)
    n = _storage_elements(t)
    if t.numel() > MAX_PLOT_VIEW:
        raise ValueError(
            f"t must have at most {MAX_PLOT_VIEW} elements to be drawn; received a tensor of "
            f"shape {tuple(t.shape)} with {t.numel()} elements"
        )
    if n > MAX_PLOT_CELLS:
        raise ValueError(
            f"t must have a storage of at most {MAX_PLOT_CELLS} elements to be drawn readably; "
            f"received a tensor whose storage has {n} elements (draw a smaller example)"
        )
    import matplotlib.pyplot as plt  # deferred: drawing only
    from matplotlib.patches import Rectangle

    values = storage_values(t).cpu().tolist()
    # positions[idx] = storage position read by t[idx]: the view applied to 0, 1, ..., n-1
    positions = torch.arange(n).as_strided(tuple(t.shape), tuple(t.stride()), t.storage_offset())
    flat_positions = positions.reshape(-1)
    counts = torch.bincount(flat_positions, minlength=n).tolist() if n else []
    # first[pos] = the first (row-major) element of the view that reads cell pos
    first = torch.full((n,), t.numel(), dtype=torch.int64).scatter_reduce(
        0, flat_positions, torch.arange(t.numel()), reduce="amin"
    ).tolist()
    hits: dict[int, str] = {}
    for pos, count in enumerate(counts):
        if count > 1:
            hits[pos] = f"×{count}"
        elif count == 1:
            hits[pos] = "[" + ",".join(str(i) for i in _unravel(first[pos], t.shape)) + "]"

    per_row = 16 if n > 16 else max(n, 1)
    num_rows = max(1, -(-n // per_row))
    if ax is None:
        _, ax = plt.subplots(
            figsize=(max(4.0, 0.55 * per_row + 0.6), 0.95 * num_rows + 0.9),
            facecolor="white",
        )
    ax.figure.patch.set_facecolor("white")  # readable on light and dark pages
    ax.set_facecolor("white")

    row_height = 1.9
    labels = [_format_value(v) for v in values]
    value_size = 9 if max((len(text) for text in labels), default=0) <= 4 else 7.5
    shade, edge = "#9ecae1", "#08519c"
    for pos in range(n):
        r, c = divmod(pos, per_row)
        y = -r * row_height
        selected = pos in hits
        ax.add_patch(
            Rectangle(
                (c, y), 1, 1,
                facecolor=shade if selected else "white",
                edgecolor=edge if selected else "#525252",
                linewidth=1.6 if selected else 0.8,
            )
        )
        ax.text(c + 0.5, y + 0.5, labels[pos], ha="center", va="center",
                fontsize=value_size, color="black", fontweight="bold" if selected else "normal")
        ax.text(c + 0.5, y - 0.22, str(pos), ha="center", va="center", fontsize=7,
                color="#525252")
        if selected:
            ax.text(c + 0.5, y + 1.2, hits[pos], ha="center", va="center", fontsize=7,
                    color=edge)

    caption = (
        f"view: shape {tuple(t.shape)}, stride {tuple(t.stride())}, offset {t.storage_offset()}\n"
        "shaded: cells the view reads; small numbers: storage index"
    )
    bottom = -(num_rows - 1) * row_height - 0.5
    ax.text(per_row / 2, bottom, caption, ha="center", va="top", fontsize=7.5, color="black",
            linespacing=1.4)
    ax.set_xlim(-0.2, per_row + 0.2)
    ax.set_ylim(bottom - 0.75, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"storage ({n} elements) and the view" if title is None else title,
                 color="black", fontsize=10)
    return ax


def _unravel(flat: int, shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major multi-index of element number ``flat`` in a tensor of ``shape``."""
    idx = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        idx.append(i)
    return tuple(reversed(idx))
