"""Float arithmetic that returns IEEE 754 answers where Python raises (private).

Python's floats raise where IEEE 754 arithmetic, and so torch, returns a
number: ``1.0 / 0.0`` raises ``ZeroDivisionError``, ``math.exp(710)`` and
``1e155 ** 2`` raise ``OverflowError``, ``math.log(0.0)`` raises
``ValueError``, and ``(-2.0) ** 0.5`` is a complex number. The engines in
:mod:`dlnotes.autograd` compute with the functions below instead, which give
what ``torch`` gives for the same float64 numbers: ``inf`` on overflow,
``-inf`` for ``log(0)``, ``nan`` for ``log(-1)`` and ``(-2) ** 0.5``.
"""

from __future__ import annotations

import math

__all__: list[str] = []  # private module: nothing is exported

INF = math.inf
NAN = math.nan


def _odd_integer(p: float) -> bool:
    return p.is_integer() and p % 2 == 1


def divide(a: float, b: float) -> float:
    """``a / b``, with ``±inf`` for a nonzero over zero and ``nan`` for ``0 / 0``."""
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return NAN
        negative = (a < 0) != (math.copysign(1.0, b) < 0)  # the sign of a zero counts
        return -INF if negative else INF
    return a / b


def power(x: float, p: float) -> float:
    """``x ** p`` as torch computes it for a number exponent ``p``.

    torch evaluates ``x ** 0.5`` as ``sqrt(x)`` and ``x ** -0.5`` as
    ``1 / sqrt(x)`` (so ``(-0.0) ** 0.5`` is ``-0.0``); any other exponent
    follows C's ``pow``: ``x ** 0 == 1`` even for ``nan``, ``0 ** -1 == inf``,
    a negative base to a non-integer power is ``nan``, overflow is ``±inf``.
    """
    if p == 0.5 or p == -0.5:
        root = math.sqrt(x) if x >= 0 or math.isnan(x) else NAN
        return root if p > 0 else divide(1.0, root)
    try:
        return math.pow(x, p)
    except OverflowError:  # |result| too large: the sign is x's for odd integer p
        return -INF if x < 0 and _odd_integer(p) else INF
    except ValueError:  # zero to a negative power, or a negative base to a fraction
        if x == 0.0:
            return -INF if math.copysign(1.0, x) < 0 and _odd_integer(p) else INF
        return NAN


def exp(x: float) -> float:
    """``e ** x``, ``inf`` when it overflows."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    """Natural logarithm: ``-inf`` at zero, ``nan`` below zero."""
    if x > 0 or math.isnan(x):
        return math.log(x)
    return -INF if x == 0.0 else NAN
