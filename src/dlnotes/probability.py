"""Dice: roll many at once, count the faces, and watch relative frequencies settle.

A die with ``k`` faces is described by a probability vector ``probs`` of length
``k`` (non-negative, summing to 1). :func:`roll_dice` draws all the rolls in one
vectorised call to ``torch.multinomial``; :func:`running_estimates` turns groups
of rolls into the cumulative relative frequencies that, by the law of large
numbers, approach ``probs``; :func:`plot_estimates` draws them.

Faces are numbered ``0, ..., k - 1`` (face ``i`` of an ordinary die shows ``i + 1`` pips).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from dlnotes._checks import (
    check_axes,
    check_generator,
    check_int,
    check_probabilities,
    check_tensor,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    from matplotlib.axes import Axes

__all__ = [
    "check_probs",
    "face_counts",
    "plot_estimates",
    "roll_dice",
    "running_estimates",
]

#: How far from 1 the sum of a probability vector may be.
SUM_TOLERANCE = 1e-6


def check_probs(probs: Sequence[float] | torch.Tensor | npt.ArrayLike) -> torch.Tensor:
    """Check that ``probs`` is a probability vector and return it as a float64 tensor.

    A probability vector is 1-D, non-empty, finite, non-negative and sums to 1
    (within ``1e-6``). The values are returned as given, not renormalised.

    Parameters
    ----------
    probs : sequence of float, array or Tensor of shape (k,)
        Probability of each of the ``k`` faces.

    Returns
    -------
    Tensor of shape (k,)
        ``probs`` as a new float64 tensor (on the device of ``probs`` when it is
        a tensor, else on the CPU), detached from any autograd graph; writing to
        it never changes ``probs``.

    Raises
    ------
    TypeError
        If ``probs`` cannot be read as an array of real numbers.
    ValueError
        If ``probs`` is not 1-D, is empty, holds NaN or infinity, holds a
        negative value or does not sum to 1 (the message shows the values
        received), or is a tensor on the ``meta`` device (no values).

    Examples
    --------
    >>> check_probs([0.5, 0.25, 0.25])
    tensor([0.5000, 0.2500, 0.2500], dtype=torch.float64)
    >>> check_probs([0.5, 0.6])
    Traceback (most recent call last):
        ...
    ValueError: probs must sum to 1 (within 1e-06); received [0.5, 0.6], which sums to 1.1
    """
    return check_probabilities(probs, "probs", tolerance=SUM_TOLERANCE)


def _resolve_probs(
    probs: Sequence[float] | torch.Tensor | npt.ArrayLike | None, num_faces: int | None
) -> torch.Tensor:
    """The probability vector for ``probs``/``num_faces`` as documented in :func:`roll_dice`."""
    if num_faces is not None:
        num_faces = check_int(num_faces, "num_faces", minimum=1)
    if probs is None:
        k = 6 if num_faces is None else num_faces
        return torch.full((k,), 1.0 / k, dtype=torch.float64)
    checked = check_probs(probs)
    if num_faces is not None and num_faces != checked.numel():
        raise ValueError(
            f"num_faces must match the length of probs when both are given; "
            f"received num_faces={num_faces} and probs of length {checked.numel()}"
        )
    return checked


def roll_dice(
    num_rolls: int,
    probs: Sequence[float] | torch.Tensor | npt.ArrayLike | None = None,
    num_faces: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Roll a die ``num_rolls`` times in one vectorised draw.

    The rolls are independent draws from ``probs`` (``torch.multinomial`` with
    replacement), computed on the device of ``generator`` (the CPU without one).

    Parameters
    ----------
    num_rolls : int
        How many rolls, ``>= 0``.
    probs : sequence of float, array or Tensor of shape (k,) or None, default=None
        Probability of each face; ``None`` means a fair die with ``num_faces`` faces.
    num_faces : int or None, default=None
        Number of faces of a fair die; ``None`` means 6. When ``probs`` is
        given, its length decides the number of faces, and ``num_faces`` must
        be left out (``None``) or equal it.
    generator : torch.Generator or None, default=None
        Source of randomness, for reproducible rolls; ``None`` uses torch's
        global generator.

    Returns
    -------
    Tensor of shape (num_rolls,)
        int64 faces in ``0, ..., k - 1``, on the generator's device.

    Raises
    ------
    TypeError
        If ``num_rolls`` or ``num_faces`` is not an int, or ``generator`` is not
        a ``torch.Generator``.
    ValueError
        If ``num_rolls < 0``, ``num_faces < 1``, ``probs`` is not a probability
        vector (see :func:`check_probs`) or disagrees with ``num_faces``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> rolls = roll_dice(1000, generator=g)
    >>> rolls.shape, rolls.dtype
    (torch.Size([1000]), torch.int64)
    >>> sorted(set(rolls.tolist()))
    [0, 1, 2, 3, 4, 5]
    >>> roll_dice(5, probs=[0.0, 1.0], generator=g).tolist()   # a two-faced, loaded coin
    [1, 1, 1, 1, 1]
    """
    num_rolls = check_int(num_rolls, "num_rolls", minimum=0)
    p = _resolve_probs(probs, num_faces)
    gen = check_generator(generator)
    device = gen.device if gen is not None else p.device
    if num_rolls == 0:
        return torch.empty(0, dtype=torch.int64, device=device)
    return torch.multinomial(p.to(device), num_rolls, replacement=True, generator=gen)


def face_counts(rolls: torch.Tensor, num_faces: int) -> torch.Tensor:
    """Count how often each face came up.

    Parameters
    ----------
    rolls : Tensor of shape (n,)
        Integer faces in ``0, ..., num_faces - 1``, e.g. from :func:`roll_dice`.
    num_faces : int
        Number of faces ``k`` (faces that never came up get a count of 0).

    Returns
    -------
    Tensor of shape (num_faces,)
        int64 counts, summing to ``n``, on the device of ``rolls``.

    Raises
    ------
    TypeError
        If ``rolls`` is not an integer tensor or ``num_faces`` not an int.
    ValueError
        If ``rolls`` is not 1-D, ``num_faces < 1``, or a roll lies outside
        ``0, ..., num_faces - 1``.

    Examples
    --------
    >>> face_counts(torch.tensor([0, 2, 2, 5]), num_faces=6).tolist()
    [1, 0, 2, 0, 0, 1]
    >>> g = torch.Generator().manual_seed(0)
    >>> face_counts(roll_dice(600, generator=g), 6).sum().item()
    600
    """
    rolls = check_tensor(rolls, "rolls", kinds="i", ndim=1, copy=False)
    num_faces = check_int(num_faces, "num_faces", minimum=1)
    if rolls.numel() > 0:
        low, high = int(rolls.min()), int(rolls.max())
        if low < 0 or high >= num_faces:
            raise ValueError(
                f"rolls must lie in 0..{num_faces - 1} for num_faces={num_faces}; "
                f"received values from {low} to {high}"
            )
    return torch.bincount(rolls.to(torch.int64), minlength=num_faces)


def running_estimates(
    num_groups: int,
    group_size: int,
    probs: Sequence[float] | torch.Tensor | npt.ArrayLike | None = None,
    num_faces: int | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Estimate the face probabilities after each of ``num_groups`` groups of rolls.

    Row ``j`` holds the relative frequency of each face among the first
    ``(j + 1) * group_size`` rolls, so the rows settle towards ``probs`` as
    ``j`` grows (d2l draws 500 groups of 10 rolls).

    Parameters
    ----------
    num_groups : int
        Number of groups, ``>= 1``.
    group_size : int
        Rolls per group, ``>= 1``.
    probs : sequence of float, array or Tensor of shape (k,) or None, default=None
        Probability of each face; ``None`` means a fair die with ``num_faces`` faces.
    num_faces : int or None, default=None
        Number of faces of a fair die; ``None`` means 6 (see :func:`roll_dice`).
    generator : torch.Generator or None, default=None
        Source of randomness, for reproducible estimates.

    Returns
    -------
    Tensor of shape (num_groups, k)
        float64 cumulative relative frequencies; every row sums to 1.

    Raises
    ------
    TypeError
        If a count is not an int or ``generator`` is not a ``torch.Generator``.
    ValueError
        If ``num_groups < 1``, ``group_size < 1`` or ``probs`` is invalid.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> est = running_estimates(500, 10, generator=g)
    >>> est.shape, est.dtype
    (torch.Size([500, 6]), torch.float64)
    >>> bool(torch.allclose(est.sum(dim=1), torch.ones(500, dtype=torch.float64)))
    True
    >>> bool((est[-1] - 1 / 6).abs().max() < 0.03)   # 5000 rolls: close to fair
    True
    """
    num_groups = check_int(num_groups, "num_groups", minimum=1)
    group_size = check_int(group_size, "group_size", minimum=1)
    p = _resolve_probs(probs, num_faces)
    k = p.numel()
    rolls = roll_dice(num_groups * group_size, p, num_faces=k, generator=generator)
    rolls = rolls.reshape(num_groups, group_size)
    counts = torch.zeros(num_groups, k, dtype=torch.float64, device=rolls.device)
    counts.scatter_add_(1, rolls, torch.ones_like(rolls, dtype=torch.float64))
    seen = torch.arange(1, num_groups + 1, dtype=torch.float64, device=rolls.device) * group_size
    return counts.cumsum(dim=0) / seen.unsqueeze(1)


def plot_estimates(
    estimates: torch.Tensor,
    probs: Sequence[float] | torch.Tensor | npt.ArrayLike | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot running estimates, one line per face, with the true probabilities dashed.

    Parameters
    ----------
    estimates : Tensor of shape (num_groups, k)
        Output of :func:`running_estimates` (any device; grad is ignored).
    probs : sequence of float, array or Tensor of shape (k,) or None, default=None
        The true probabilities, drawn as dashed horizontal lines; ``None``
        means a fair die, ``1 / k`` for every face.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; ``None`` creates a new figure of size (4.5, 3).

    Returns
    -------
    matplotlib Axes
        The axes drawn on; the x axis counts groups (1 to ``num_groups``).

    Raises
    ------
    TypeError
        If ``estimates`` is not a real tensor or ``ax`` is not a matplotlib Axes.
    ValueError
        If ``estimates`` is not 2-D with at least one row, or ``probs`` is
        invalid or does not have one entry per column of ``estimates``.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> ax = plot_estimates(running_estimates(100, 10, generator=g))
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['face 0', 'face 1']
    >>> ax.get_lines()[-1].get_linestyle(), ax.get_xlabel()
    ('--', 'number of groups')
    """
    estimates = check_tensor(estimates, "estimates", kinds="fi", copy=False)
    ax = check_axes(ax, "ax")
    if estimates.dim() != 2 or estimates.shape[0] == 0 or estimates.shape[1] == 0:
        raise ValueError(
            f"estimates must have shape (num_groups, k) with num_groups, k >= 1; "
            f"received shape {tuple(estimates.shape)}"
        )
    num_groups, k = estimates.shape
    true = torch.full((k,), 1.0 / k, dtype=torch.float64) if probs is None else check_probs(probs)
    if true.numel() != k:
        raise ValueError(
            f"probs must have one entry per column of estimates ({k}); "
            f"received {true.numel()} entries"
        )
    import matplotlib.pyplot as plt  # deferred: drawing only

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.0))
    values = estimates.detach().cpu().to(torch.float64).numpy()
    x = range(1, num_groups + 1)
    for i in range(k):
        ax.plot(x, values[:, i], linewidth=1.2, label=f"face {i}")
    for j, p in enumerate(sorted(set(true.cpu().tolist()))):
        ax.axhline(p, color="black", linestyle="--", linewidth=1.0,
                   label="true probability" if j == 0 else "_nolegend_")
    ax.set_xlabel("number of groups")
    ax.set_ylabel("estimated probability")
    ax.set_xlim(1, max(num_groups, 2))
    ax.legend(fontsize=7, ncol=2 if k > 4 else 1)
    return ax
