"""Automatic differentiation from scratch, dual numbers and numerical checks.

:class:`Value` is a scalar reverse-mode engine in the style of micrograd: every
primitive operation computes its result and attaches a small closure that, when
called, *adds* the local derivative times the output's gradient into the
gradients of its parents. :meth:`Value.backward` calls those closures in reverse
topological order. :class:`Dual` is the forward-mode counterpart: a number that
carries its derivative along. :func:`forward_gradient` and
:func:`reverse_gradient` run one function, written once, through both.

:func:`numerical_derivative`, :func:`difference_quotients` and :func:`gradcheck`
approximate derivatives by finite differences, to check analytic gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import torch
from torch import Tensor

from dlnotes._checks import (
    check_callable,
    check_choice,
    check_real,
    check_real_vector,
    check_tensor,
    describe,
    is_real,
    type_error,
)
from dlnotes._format import number_text
from dlnotes._ieee import divide, exp, log, power
from dlnotes._toposort import topological_order

__all__ = [
    "Dual",
    "GradcheckResult",
    "Value",
    "difference_quotients",
    "forward_gradient",
    "gradcheck",
    "numerical_derivative",
    "reverse_gradient",
]

_METHODS = ("forward", "central")

_Number = TypeVar("_Number", bound="_DerivedOperators")


class _DerivedOperators:
    """The operators that :class:`Value` and :class:`Dual` build from their primitives.

    Only ``+``, ``*``, ``/``, ``**`` and the functions are primitives, with their own
    derivative rules; negation, subtraction and the reflected operators (``2 * x``,
    ``1 - x``, ``1 / x``) are written in terms of them, so they need no derivative
    of their own.
    """

    if TYPE_CHECKING:  # provided by each engine

        def __add__(self: _Number, other: _Number | float) -> _Number: ...
        def __mul__(self: _Number, other: _Number | float) -> _Number: ...
        def __pow__(self: _Number, exponent: float) -> _Number: ...
        def _lift(self: _Number, x: _Number | float) -> _Number: ...

    def __neg__(self: _Number) -> _Number:
        """Return ``-self``, as ``self * -1``."""
        return self * -1

    def __sub__(self: _Number, other: _Number | float) -> _Number:
        """Return ``self - other``, as ``self + (-other)``."""
        return self + (-self._lift(other))

    def __radd__(self: _Number, other: float) -> _Number:
        """Return ``other + self`` (this also makes the built-in ``sum`` work)."""
        return self + other

    def __rsub__(self: _Number, other: float) -> _Number:
        """Return ``other - self``, as ``other + (-self)``."""
        return self._lift(other) + (-self)

    def __rmul__(self: _Number, other: float) -> _Number:
        """Return ``other * self``."""
        return self * other

    def __rtruediv__(self: _Number, other: float) -> _Number:
        """Return ``other / self``, as ``self ** -1 * other``, the way torch computes it.

        So ``0 / 5e-324`` is ``inf * 0 = nan``, as in torch, rather than 0.
        """
        return self**-1 * other


def _exponent(exponent: object) -> float:
    """Check the exponent of ``x ** exponent``: a number, not a Value or Dual."""
    if isinstance(exponent, (Value, Dual)):
        raise TypeError(
            "exponent must be a number (int or float): x ** y with y a "
            f"{type(exponent).__name__} is not supported; received {exponent!r}"
        )
    return check_real(exponent, "exponent", finite=False)


def _relu(x: float) -> float:
    """max(0, x), but nan for nan (``max(0.0, nan)`` is 0.0), as in torch."""
    return 0.0 if x <= 0 else x


def _sigmoid(x: float) -> float:
    """Logistic function, as torch computes it: ``e ** -x`` overflows to inf, giving 0."""
    return 1.0 / (1.0 + exp(-x))


# --------------------------------------------------------------------------------------
# Reverse mode
# --------------------------------------------------------------------------------------


class Value(_DerivedOperators):
    """A scalar that remembers how it was computed, for reverse-mode differentiation.

    Values and gradients agree with ``torch.autograd`` in float64, including at
    the edges of the domains, where the engine returns torch's IEEE 754 answer
    instead of raising: overflow gives ``inf`` (``Value(710).exp()``), ``log(0)``
    is ``-inf`` and ``0 ** -1`` is ``inf``, ``log`` of a negative number and a
    negative base to a non-integer power are ``nan``, ``relu(nan)`` is ``nan``,
    and ``x ** 0`` has gradient 0 everywhere (``0 ** 0.5`` has gradient ``inf``).
    Nothing raises for a number outside an operation's domain; a ``nan`` or
    ``inf`` in ``data`` or ``grad`` says where the computation left it.

    Parameters
    ----------
    data : float
        The number this node holds.
    label : str, default=""
        A name shown in pictures of the graph.
    parents : tuple of Value, default=()
        Keyword-only; the nodes this one was computed from (set by the operations).
    op : str, default=""
        Keyword-only; the operation that produced this node, such as ``"*"`` or
        ``"exp"`` (``"const"`` for a number promoted to a Value).

    Attributes
    ----------
    data : float
        The value.
    grad : float
        d(output)/d(this node) after :meth:`backward`; starts at 0.
    label, op : str
        As given.
    parents : tuple of Value
        The inputs of the operation that produced this node.

    Raises
    ------
    TypeError
        If ``data`` is not a real number, ``label`` or ``op`` not a string, or
        ``parents`` not a tuple of Values.

    Examples
    --------
    >>> a = Value(2.0, label="a")
    >>> b = Value(-3.0, label="b")
    >>> c = a * b + a          # a is used twice: its gradient accumulates
    >>> c.backward()
    >>> c
    Value(data=-4, grad=1)
    >>> a.grad, b.grad         # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
    >>> x = Value(0.0)
    >>> y = x ** 0.5           # at the edge: torch's answers, no exception
    >>> y.backward()
    >>> y.data, x.grad, Value(710).exp().data, Value(0).log().data
    (0.0, inf, inf, -inf)
    """

    def __init__(
        self,
        data: float,
        label: str = "",
        *,
        parents: tuple[Value, ...] = (),
        op: str = "",
    ) -> None:
        self.data = check_real(data, "data", finite=False)
        for name, text in (("label", label), ("op", op)):
            if not isinstance(text, str):
                raise type_error(name, "a str", text)
        if not isinstance(parents, tuple) or not all(isinstance(p, Value) for p in parents):
            raise type_error("parents", "a tuple of Value", parents)
        self.grad = 0.0
        self.label = label
        self.parents = parents
        self.op = op
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def _lift(self, x: Value | float) -> Value:
        return _as_value(x)

    # ---- primitives: each computes its value and attaches a `_backward` closure ----

    def __add__(self, other: Value | float) -> Value:
        """Return ``self + other``; both local derivatives are 1."""
        other = _as_value(other)
        out = Value(self.data + other.data, parents=(self, other), op="+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        """Return ``self * other``; d/dself = other, d/dother = self."""
        other = _as_value(other)
        out = Value(self.data * other.data, parents=(self, other), op="*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        """Return ``self / other``; d/dself = 1 / other, d/dother = -out / other.

        ``-out / other`` equals ``-self / other ** 2`` but does not overflow or
        underflow where the result itself is representable.
        """
        other = _as_value(other)
        out = Value(divide(self.data, other.data), parents=(self, other), op="/")

        def _backward() -> None:
            self.grad += divide(out.grad, other.data)
            other.grad += -out.grad * divide(out.data, other.data)

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        """Return ``self ** exponent`` for a number ``exponent``; d/dself = p * self**(p-1).

        The derivative of ``x ** 0`` is 0 everywhere, also at ``x = 0``.

        Raises
        ------
        TypeError
            If ``exponent`` is not a number (a Value exponent is not supported).
        """
        p = _exponent(exponent)
        out = Value(power(self.data, p), parents=(self,), op=f"**{number_text(p)}")

        def _backward() -> None:
            if p != 0:
                self.grad += p * power(self.data, p - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """Return e ** self; the local derivative is the result itself."""
        out = Value(exp(self.data), parents=(self,), op="exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """Return the natural logarithm; the local derivative is 1 / self.

        ``log(0)`` is ``-inf`` and the log of a negative number is ``nan``, as in torch.
        """
        out = Value(log(self.data), parents=(self,), op="log")

        def _backward() -> None:
            self.grad += divide(out.grad, self.data)

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """Return tanh(self); the local derivative is 1 - tanh(self) ** 2."""
        t = math.tanh(self.data)
        out = Value(t, parents=(self,), op="tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """Return 1 / (1 + e ** -self); the local derivative is s * (1 - s)."""
        s = _sigmoid(self.data)
        out = Value(s, parents=(self,), op="sigmoid")

        def _backward() -> None:
            self.grad += out.grad * (1 - s) * s

        out._backward = _backward
        return out

    def relu(self) -> Value:
        """Return max(0, self) (nan for nan); the local derivative is 0 where that is <= 0, else 1."""
        out = Value(_relu(self.data), parents=(self,), op="relu")

        def _backward() -> None:
            self.grad += 0.0 if out.data <= 0 else out.grad

        out._backward = _backward
        return out

    # ---- the backward pass ----

    def backward(self) -> None:
        """Fill in ``grad`` of every node this one depends on: d(self)/d(node).

        The gradients of the leaves accumulate across calls, as in PyTorch (call
        :meth:`zero_grad` between independent passes); those of intermediate nodes
        are recomputed from zero.

        Examples
        --------
        >>> x = Value(3.0)
        >>> y = x * x + 2 * x      # dy/dx = 2x + 2
        >>> y.backward()
        >>> x.grad
        8.0
        """
        order = topological_order(self, _parents)
        for node in order:
            if node.parents:  # intermediate results start from zero each pass
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # every node before the nodes it was computed from
            node._backward()

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this node and on every node it depends on.

        Examples
        --------
        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(); y.backward()
        >>> x.grad                 # two passes accumulated
        12.0
        >>> y.zero_grad(); x.grad
        0.0
        """
        for node in topological_order(self, _parents):
            node.grad = 0.0


def _as_value(x: Value | float) -> Value:
    """Return ``x`` if it is a Value, or a constant Value holding the number ``x``."""
    if isinstance(x, Value):
        return x
    if is_real(x):
        return Value(float(x), label=number_text(float(x)), op="const")
    raise type_error("operand", "a Value or a real number", x)


def _parents(node: Value) -> tuple[Value, ...]:
    return node.parents


# --------------------------------------------------------------------------------------
# Forward mode
# --------------------------------------------------------------------------------------


class Dual(_DerivedOperators):
    """A dual number ``value + tangent * eps`` (eps ** 2 = 0), for forward-mode derivatives.

    Every operation computes the value and, by the chain rule, the tangent of the
    result. Seed the input of interest with ``tangent=1`` and the others with 0;
    the output's tangent is then the derivative with respect to that input.

    Values and tangents agree with torch's forward mode (``torch.func.jvp`` in
    float64), at the edges too, as :class:`Value` does: ``inf`` on overflow,
    ``nan`` outside a domain, no exceptions. As in torch, a plain number has no
    tangent at all: ``x * 2.0`` has tangent ``2 * x.tangent`` even where ``x`` is
    infinite, while a Dual whose tangent is 0 still takes part in the product
    rule (``0 * inf`` is ``nan`` there, as in torch).

    Parameters
    ----------
    value : float
        The primal value.
    tangent : float, default=0.0
        The derivative carried along.

    Raises
    ------
    TypeError
        If ``value`` or ``tangent`` is not a real number.

    Examples
    --------
    >>> x = Dual(3.0, 1.0)     # d/dx at x = 3
    >>> y = x * x + 2 * x      # dy/dx = 2x + 2
    >>> y
    Dual(value=15, tangent=8)
    >>> (x.exp() / x).tangent     # d/dx e**x / x = e**x (x - 1) / x**2
    4.463...
    """

    def __init__(self, value: float, tangent: float = 0.0) -> None:
        self.value = check_real(value, "value", finite=False)
        self.tangent = check_real(tangent, "tangent", finite=False)

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, tangent={self.tangent:.6g})"

    def _lift(self, x: Dual | float) -> Dual:
        return _as_dual(x)

    # ---- primitives ----

    def __add__(self, other: Dual | float) -> Dual:
        """Return ``self + other``: tangents add."""
        other = _as_dual(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other: Dual | float) -> Dual:
        """Return ``self * other``: the product rule."""
        if not isinstance(other, Dual):  # a constant c has no tangent: (c x)' = c x'
            c = _constant(other)
            return Dual(self.value * c, self.tangent * c)
        return Dual(
            self.value * other.value,
            self.tangent * other.value + self.value * other.tangent,
        )

    def __truediv__(self, other: Dual | float) -> Dual:
        """Return ``self / other``: the quotient rule, (self' - other' * out) / other."""
        if not isinstance(other, Dual):  # a constant c has no tangent: (x / c)' = x' / c
            c = _constant(other)
            return Dual(divide(self.value, c), divide(self.tangent, c))
        out = divide(self.value, other.value)
        return Dual(out, divide(self.tangent - other.tangent * out, other.value))

    def __pow__(self, exponent: float) -> Dual:
        """Return ``self ** exponent`` for a number ``exponent``.

        Raises
        ------
        TypeError
            If ``exponent`` is not a number.
        """
        p = _exponent(exponent)
        x = self.value
        # (x ** 0)' = 0 everywhere, even where x or its tangent is nan, as in torch
        tangent = 0.0 if p == 0 else self.tangent * (p * power(x, p - 1))
        return Dual(power(x, p), tangent)

    def exp(self) -> Dual:
        """Return e ** self."""
        e = exp(self.value)
        return Dual(e, self.tangent * e)

    def log(self) -> Dual:
        """Return the natural logarithm (``-inf`` at 0, ``nan`` below 0)."""
        return Dual(log(self.value), divide(self.tangent, self.value))

    def tanh(self) -> Dual:
        """Return tanh(self)."""
        t = math.tanh(self.value)
        return Dual(t, self.tangent * (1 - t * t))

    def sigmoid(self) -> Dual:
        """Return 1 / (1 + e ** -self)."""
        s = _sigmoid(self.value)
        return Dual(s, self.tangent * (1 - s) * s)

    def relu(self) -> Dual:
        """Return max(0, self) (nan for nan)."""
        out = _relu(self.value)
        return Dual(out, 0.0 if out <= 0 else self.tangent)


def _constant(x: object) -> float:
    """Return the number ``x``, the other operand of a Dual operation, as a float."""
    if is_real(x):
        return float(x)  # type: ignore[arg-type]  # is_real checked it is a number
    raise type_error("operand", "a Dual or a real number", x)


def _as_dual(x: Dual | float) -> Dual:
    """Return ``x`` if it is a Dual, or a constant (tangent 0) holding the number ``x``."""
    return x if isinstance(x, Dual) else Dual(_constant(x))


def _check_point(xs: Sequence[float]) -> list[float]:
    """Validate the point at which a gradient is taken and return it as floats.

    A list, tuple, 1-D NumPy array or tensor of real numbers; NaN and inf are
    allowed (the engines follow torch there).
    """
    return check_real_vector(xs, "xs", finite=False)


def forward_gradient(f: Callable[..., Any], xs: Sequence[float]) -> tuple[list[float], int]:
    """Gradient of a scalar function by forward mode: one pass per input.

    Pass ``i`` seeds input ``i`` with tangent 1 and the others with 0, so it yields
    the partial derivative with respect to input ``i`` only.

    Parameters
    ----------
    f : callable
        ``f(*inputs)`` returning one number; written with operators and the methods
        ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu`` so that it works on
        :class:`Dual` (and on :class:`Value`).
    xs : sequence of float
        The point at which to differentiate (a list, tuple, 1-D array or tensor).

    Returns
    -------
    gradient : list of float
        The partial derivatives, one per input.
    passes : int
        How many times ``f`` was evaluated: ``len(xs)``.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``xs`` is not a sequence of numbers, or ``f`` returns something other
        than a Dual or a number.
    ValueError
        If ``xs`` is empty.

    Examples
    --------
    >>> f = lambda a, b: (a * b + a.exp()).tanh()
    >>> grad, passes = forward_gradient(f, [0.5, -1.0])
    >>> [round(g, 6) for g in grad], passes
    ([0.215357, 0.165986], 2)
    """
    check_callable(f, "f", how="f(*inputs)")
    point = _check_point(xs)
    gradient = []
    for i in range(len(point)):
        inputs = [Dual(x, 1.0 if j == i else 0.0) for j, x in enumerate(point)]
        out = f(*inputs)
        if isinstance(out, Dual):
            gradient.append(out.tangent)
        elif is_real(out):
            gradient.append(0.0)  # f ignored its inputs
        else:
            raise type_error("f", "a function returning a Dual or a number", out)
    return gradient, len(point)


def reverse_gradient(f: Callable[..., Any], xs: Sequence[float]) -> tuple[list[float], int]:
    """Gradient of a scalar function by reverse mode: one forward and one backward pass.

    Parameters
    ----------
    f : callable
        ``f(*inputs)`` returning one number; written with operators and the methods
        ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu`` so that it works on
        :class:`Value` (and on :class:`Dual`).
    xs : sequence of float
        The point at which to differentiate (a list, tuple, 1-D array or tensor).

    Returns
    -------
    gradient : list of float
        The partial derivatives, one per input.
    passes : int
        How many backward passes were needed: always 1.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``xs`` is not a sequence of numbers, or ``f`` returns something other
        than a Value or a number.
    ValueError
        If ``xs`` is empty.

    Examples
    --------
    >>> f = lambda a, b: (a * b + a.exp()).tanh()
    >>> grad, passes = reverse_gradient(f, [0.5, -1.0])
    >>> [round(g, 6) for g in grad], passes
    ([0.215357, 0.165986], 1)
    """
    check_callable(f, "f", how="f(*inputs)")
    point = _check_point(xs)
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = f(*inputs)
    if isinstance(out, Value):
        out.backward()
    elif not is_real(out):
        raise type_error("f", "a function returning a Value or a number", out)
    return [v.grad for v in inputs], 1


# --------------------------------------------------------------------------------------
# Finite differences
# --------------------------------------------------------------------------------------


def _check_step(h: object, name: str) -> float:
    """Validate a finite-difference step: a positive, finite number."""
    return check_real(h, name, minimum=0.0, open_minimum=True)


def _check_x(x: object) -> None:
    if isinstance(x, Tensor):
        check_tensor(x, "x", copy=False)
        if x.numel() != 1:
            raise ValueError(
                f"x must be a number or a one-element tensor; received shape {tuple(x.shape)}"
            )
    else:
        check_real(x, "x", finite=False)


def _quotient(f: Callable[[Any], Any], x: float | Tensor, h: float, method: str) -> float:
    """One difference quotient, computed in whatever arithmetic ``f`` returns."""
    if method == "forward":
        return float((f(x + h) - f(x)) / h)
    return float((f(x + h) - f(x - h)) / (2 * h))


def numerical_derivative(
    f: Callable[[Any], Any],
    x: float | Tensor,
    h: float = 1e-5,
    method: str = "central",
) -> float:
    """Approximate f'(x) by a finite difference.

    ``"forward"``: (f(x + h) - f(x)) / h, with an error of order h.
    ``"central"``: (f(x + h) - f(x - h)) / (2h), with an error of order h ** 2.

    Parameters
    ----------
    f : callable
        A function of one number, returning a number (or a one-element tensor).
    x : float or Tensor
        The point; a one-element tensor keeps its dtype, so ``x + h`` is rounded
        to that dtype.
    h : float, default=1e-5
        The step; positive.
    method : {"central", "forward"}, default="central"
        Which difference quotient.

    Returns
    -------
    float
        The difference quotient.

    Raises
    ------
    TypeError
        If ``f`` is not callable, or ``x`` or ``h`` is not a number.
    ValueError
        If ``h`` is not positive and finite, or ``method`` is unknown.

    Examples
    --------
    >>> f = lambda x: x ** 3          # f'(2) = 12
    >>> round(numerical_derivative(f, 2.0, h=1e-3, method="forward"), 6)
    12.006001
    >>> round(numerical_derivative(f, 2.0, h=1e-3), 6)
    12.000001
    """
    check_callable(f, "f", how="f(x)")
    _check_x(x)
    step = _check_step(h, "h")
    check_choice(method, "method", _METHODS)
    return _quotient(f, x, step, method)


def difference_quotients(
    f: Callable[[Any], Any],
    x: float | Tensor,
    hs: Sequence[float],
    method: str = "forward",
) -> list[tuple[float, float]]:
    """Tabulate difference quotients of ``f`` at ``x`` for a sequence of steps.

    As h shrinks the truncation error falls, until round-off in f(x + h) - f(x)
    takes over: in float32 much sooner than in float64.

    Parameters
    ----------
    f : callable
        A function of one number, returning a number or a one-element tensor; the
        subtraction happens in the type ``f`` returns (a float32 tensor rounds to
        float32).
    x : float or Tensor
        The point (see :func:`numerical_derivative`).
    hs : sequence of float
        The steps, each positive.
    method : {"forward", "central"}, default="forward"
        Which difference quotient.

    Returns
    -------
    list of (float, float)
        ``(h, quotient)`` for each step, in the order given.

    Raises
    ------
    TypeError
        If ``f`` is not callable, or ``x`` or a step is not a number.
    ValueError
        If ``hs`` is empty, a step is not positive, or ``method`` is unknown.

    Examples
    --------
    >>> f = lambda x: 3 * x ** 2 - 4 * x      # f'(1) = 2
    >>> for h, q in difference_quotients(f, 1.0, [0.1, 0.01, 0.001]):
    ...     print(f"h={h:<6} {q:.5f}")
    h=0.1    2.30000
    h=0.01   2.03000
    h=0.001  2.00300
    """
    check_callable(f, "f", how="f(x)")
    _check_x(x)
    check_choice(method, "method", _METHODS)
    values = check_real_vector(hs, "hs")
    steps = [_check_step(h, f"hs[{i}]") for i, h in enumerate(values)]
    return [(h, _quotient(f, x, h, method)) for h in steps]


@dataclass(frozen=True)
class GradcheckResult:
    """The outcome of :func:`gradcheck`.

    Attributes
    ----------
    ok : bool
        Whether every element agreed within ``atol + rtol * |numeric|``.
    max_abs_error : float
        The largest absolute difference between analytic and numeric gradients.
    analytic : list of Tensor
        torch.autograd's gradient, one tensor per input (same shape).
    numeric : list of Tensor
        The central-difference gradient, one tensor per input.

    Examples
    --------
    >>> x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    >>> result = gradcheck(lambda x: (x ** 2).sum(), [x])
    >>> result.ok
    True
    >>> print(result)
    gradcheck: ok (max abs error ... over 2 elements)
    """

    ok: bool
    max_abs_error: float
    analytic: list[Tensor]
    numeric: list[Tensor]

    def __str__(self) -> str:
        n = sum(a.numel() for a in self.analytic)
        verdict = "ok" if self.ok else "FAILED"
        return f"gradcheck: {verdict} (max abs error {self.max_abs_error:.2g} over {n} elements)"


def gradcheck(
    f: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckResult:
    """Compare torch.autograd's gradient of ``f`` with central differences, elementwise.

    Parameters
    ----------
    f : callable
        ``f(*inputs)`` returning a one-element tensor.
    inputs : sequence of Tensor
        Floating-point tensors (float64 recommended: in float32 the differences
        drown in round-off). They are not modified.
    eps : float, default=1e-6
        The finite-difference step.
    atol, rtol : float, default=1e-5, 1e-3
        An element passes if ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Returns
    -------
    GradcheckResult
        ``ok``, ``max_abs_error`` and both gradients.

    Raises
    ------
    TypeError
        If ``f`` is not callable, ``inputs`` does not hold tensors, or ``f`` does
        not return a tensor.
    ValueError
        If ``inputs`` is empty or holds a non-floating or ``meta`` tensor, if
        ``eps`` is not positive, ``atol`` or ``rtol`` negative, or ``f`` returns
        more than one element or a result that does not require grad.

    Examples
    --------
    >>> x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    >>> w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    >>> result = gradcheck(lambda x, w: torch.tanh(x * w).sum(), [x, w])
    >>> result.ok, result.max_abs_error < 1e-8
    (True, True)
    >>> [tuple(g.shape) for g in result.analytic]
    [(3,), (3,)]
    """
    check_callable(f, "f", how="f(*inputs)")
    if isinstance(inputs, (Tensor, str, bytes)) or not isinstance(inputs, Sequence):
        raise type_error("inputs", "a sequence (list or tuple) of tensors", inputs)
    if len(inputs) == 0:
        raise ValueError("inputs must hold at least one tensor; received an empty sequence")
    for i, t in enumerate(inputs):
        check_tensor(t, f"inputs[{i}]", copy=False)  # a tensor holding data (not meta)
        if not t.is_floating_point():
            raise ValueError(
                f"inputs[{i}] must be a floating-point tensor; received dtype {t.dtype}"
            )
    step = _check_step(eps, "eps")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        check_real(tol, name, minimum=0.0)

    def scalar(out: object) -> Tensor:
        if not isinstance(out, Tensor):
            raise type_error("f", "a function returning a tensor", out)
        if out.numel() != 1:
            raise ValueError(
                f"f must return a one-element tensor; received shape {tuple(out.shape)}"
            )
        return out.reshape(())

    # Analytic: one backward pass through torch.autograd.
    xs = [t.detach().clone().requires_grad_(True) for t in inputs]
    out = scalar(f(*xs))
    if not out.requires_grad:
        raise ValueError(
            "f must compute its result from the inputs with differentiable torch "
            f"operations; received {describe(out)} that does not require grad (was it "
            "computed under torch.no_grad(), through .detach() or .item(), or by a "
            "comparison?)"
        )
    grads = torch.autograd.grad(out, xs, allow_unused=True)
    analytic = [torch.zeros_like(x) if g is None else g.detach() for x, g in zip(xs, grads)]

    # Numeric: two evaluations per element, nudging one element at a time.
    numeric = []
    with torch.no_grad():
        base = [t.detach().clone(memory_format=torch.contiguous_format) for t in inputs]
        for i, x in enumerate(base):
            flat = x.view(-1)
            g = torch.zeros_like(flat)
            for j in range(flat.numel()):
                old = flat[j].item()
                flat[j] = old + step
                plus = scalar(f(*base))
                flat[j] = old - step
                minus = scalar(f(*base))
                flat[j] = old
                g[j] = (plus - minus) / (2 * step)
            numeric.append(g.view_as(x))

    errors = [(a - n).abs() for a, n in zip(analytic, numeric)]
    max_abs_error = max(float(e.max()) if e.numel() else 0.0 for e in errors)
    ok = all(
        bool((e <= atol + rtol * n.abs()).all()) for e, n in zip(errors, numeric)
    )
    return GradcheckResult(ok, max_abs_error, analytic, numeric)
