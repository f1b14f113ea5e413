"""How numbers are written in node labels and pictures (private).

One rule for :mod:`dlnotes.autograd` (the label of a constant) and
:mod:`dlnotes.graphs` (a Value's data and grad in its box).
"""

from __future__ import annotations

__all__: list[str] = []  # private module: nothing is exported


def number_text(x: float) -> str:
    """Write ``x`` with at most 4 significant digits: ``3`` rather than ``3.0``.

    Examples
    --------
    >>> number_text(3.0), number_text(-0.123456), number_text(1e-300), number_text(float("nan"))
    ('3', '-0.1235', '1e-300', 'nan')
    """
    return f"{x:.4g}"
