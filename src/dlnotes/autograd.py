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
import numbers
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import Tensor

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

_Node = TypeVar("_Node", bound=Hashable)  # a node of a graph walked by _topological_order

_METHODS = ("forward", "central")


def _is_real(x: object) -> bool:
    """Return whether ``x`` is a plain real number (int, float, numpy scalar; not bool)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _number_text(x: float) -> str:
    """Format a constant for a node label: ``3`` rather than ``3.0``."""
    return f"{x:g}"


# --------------------------------------------------------------------------------------
# Reverse mode
# --------------------------------------------------------------------------------------


class Value:
    """A scalar that remembers how it was computed, for reverse-mode differentiation.

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
        If ``data`` is not a real number.

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
    """

    def __init__(
        self,
        data: float,
        label: str = "",
        *,
        parents: tuple[Value, ...] = (),
        op: str = "",
    ) -> None:
        if not _is_real(data):
            raise TypeError(
                f"data must be a real number (int or float); received {data!r} "
                f"of type {type(data).__name__}"
            )
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.parents = parents
        self.op = op
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

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

    def __pow__(self, exponent: float) -> Value:
        """Return ``self ** exponent`` for a number ``exponent``; d/dself = p * self**(p-1).

        Raises
        ------
        TypeError
            If ``exponent`` is not a number (a Value exponent is not supported).
        ValueError
            If the power is undefined: a negative base with a non-integer exponent,
            or zero to a negative power.
        """
        if not _is_real(exponent):
            raise TypeError(
                "Value ** exponent supports only number (int or float) exponents; "
                f"received exponent of type {type(exponent).__name__}"
            )
        p = float(exponent)
        x = self.data
        if x < 0 and not p.is_integer():
            raise ValueError(
                f"a negative base to a non-integer power is not real: received {x!r} ** {p!r}"
            )
        if x == 0 and p < 0:
            raise ValueError(f"zero to a negative power is undefined: received {x!r} ** {p!r}")
        out = Value(x**p, parents=(self,), op=f"**{_number_text(p)}")

        def _backward() -> None:
            self.grad += p * x ** (p - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """Return e ** self; the local derivative is the result itself."""
        out = Value(math.exp(self.data), parents=(self,), op="exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """Return the natural logarithm; the local derivative is 1 / self.

        Raises
        ------
        ValueError
            If ``self.data`` is not positive.
        """
        if self.data <= 0:
            raise ValueError(
                f"log is defined for positive values only; received data={self.data!r}"
            )
        out = Value(math.log(self.data), parents=(self,), op="log")

        def _backward() -> None:
            self.grad += out.grad / self.data

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
            self.grad += s * (1 - s) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        """Return max(0, self); the local derivative is 1 where self > 0, else 0."""
        out = Value(max(0.0, self.data), parents=(self,), op="relu")

        def _backward() -> None:
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    # ---- derived operations: built from the primitives above ----

    def __neg__(self) -> Value:
        """Return ``-self``, as ``self * -1``."""
        return self * -1

    def __sub__(self, other: Value | float) -> Value:
        """Return ``self - other``, as ``self + (-other)``."""
        return self + (-_as_value(other))

    def __truediv__(self, other: Value | float) -> Value:
        """Return ``self / other``, as ``self * other ** -1``."""
        return self * _as_value(other) ** -1

    def __radd__(self, other: float) -> Value:
        """Return ``other + self`` (this also makes the built-in ``sum`` work)."""
        return self + other

    def __rsub__(self, other: float) -> Value:
        """Return ``other - self``, as ``other + (-self)``."""
        return _as_value(other) + (-self)

    def __rmul__(self, other: float) -> Value:
        """Return ``other * self``."""
        return self * other

    def __rtruediv__(self, other: float) -> Value:
        """Return ``other / self``, as ``other * self ** -1``."""
        return _as_value(other) * self**-1

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
        order = _topological_order(self, _parents)
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
        for node in _topological_order(self, _parents):
            node.grad = 0.0


def _as_value(x: Value | float) -> Value:
    """Return ``x`` if it is a Value, or a constant Value holding the number ``x``."""
    if isinstance(x, Value):
        return x
    if _is_real(x):
        return Value(float(x), label=_number_text(float(x)), op="const")
    raise TypeError(
        f"operand must be a Value or a real number; received {x!r} of type {type(x).__name__}"
    )


def _sigmoid(x: float) -> float:
    """Logistic function, without overflow for large negative ``x``."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _topological_order(root: _Node, inputs: Callable[[_Node], Iterable[_Node]]) -> list[_Node]:
    """Return the nodes ``root`` depends on, each after all of its inputs.

    ``inputs(node)`` lists a node's inputs: a Value's ``parents`` here, a ``grad_fn``'s
    ``next_functions`` in :mod:`dlnotes.graphs`. A depth-first search with an explicit
    stack instead of recursion, so that a chain of any length works. Each stack entry
    says whether the node's inputs have already been pushed (then the node is finished
    and can be emitted).
    """
    order: list[_Node] = []
    seen: set[_Node] = set()
    stack: list[tuple[_Node, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            for parent in reversed(list(inputs(node))):
                if parent not in seen:
                    stack.append((parent, False))
    return order


def _parents(node: Value) -> tuple[Value, ...]:
    return node.parents


# --------------------------------------------------------------------------------------
# Forward mode
# --------------------------------------------------------------------------------------


class Dual:
    """A dual number ``value + tangent * eps`` (eps ** 2 = 0), for forward-mode derivatives.

    Every operation computes the value and, by the chain rule, the tangent of the
    result. Seed the input of interest with ``tangent=1`` and the others with 0;
    the output's tangent is then the derivative with respect to that input.

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
        for name, x in (("value", value), ("tangent", tangent)):
            if not _is_real(x):
                raise TypeError(
                    f"{name} must be a real number (int or float); received {x!r} "
                    f"of type {type(x).__name__}"
                )
        self.value = float(value)
        self.tangent = float(tangent)

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, tangent={self.tangent:.6g})"

    # ---- primitives ----

    def __add__(self, other: Dual | float) -> Dual:
        """Return ``self + other``: tangents add."""
        other = _as_dual(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __mul__(self, other: Dual | float) -> Dual:
        """Return ``self * other``: the product rule."""
        other = _as_dual(other)
        return Dual(
            self.value * other.value,
            self.tangent * other.value + self.value * other.tangent,
        )

    def __pow__(self, exponent: float) -> Dual:
        """Return ``self ** exponent`` for a number ``exponent``.

        Raises
        ------
        TypeError
            If ``exponent`` is not a number.
        ValueError
            If the power is undefined (negative base and non-integer exponent, or
            zero to a negative power).
        """
        if not _is_real(exponent):
            raise TypeError(
                "Dual ** exponent supports only number (int or float) exponents; "
                f"received exponent of type {type(exponent).__name__}"
            )
        p = float(exponent)
        x = self.value
        if x < 0 and not p.is_integer():
            raise ValueError(
                f"a negative base to a non-integer power is not real: received {x!r} ** {p!r}"
            )
        if x == 0 and p < 0:
            raise ValueError(f"zero to a negative power is undefined: received {x!r} ** {p!r}")
        return Dual(x**p, p * x ** (p - 1) * self.tangent)

    def exp(self) -> Dual:
        """Return e ** self."""
        e = math.exp(self.value)
        return Dual(e, e * self.tangent)

    def log(self) -> Dual:
        """Return the natural logarithm.

        Raises
        ------
        ValueError
            If ``self.value`` is not positive.
        """
        if self.value <= 0:
            raise ValueError(
                f"log is defined for positive values only; received value={self.value!r}"
            )
        return Dual(math.log(self.value), self.tangent / self.value)

    def tanh(self) -> Dual:
        """Return tanh(self)."""
        t = math.tanh(self.value)
        return Dual(t, (1 - t * t) * self.tangent)

    def sigmoid(self) -> Dual:
        """Return 1 / (1 + e ** -self)."""
        s = _sigmoid(self.value)
        return Dual(s, s * (1 - s) * self.tangent)

    def relu(self) -> Dual:
        """Return max(0, self)."""
        return Dual(max(0.0, self.value), self.tangent if self.value > 0 else 0.0)

    # ---- derived operations ----

    def __neg__(self) -> Dual:
        """Return ``-self``."""
        return self * -1

    def __sub__(self, other: Dual | float) -> Dual:
        """Return ``self - other``."""
        return self + (-_as_dual(other))

    def __truediv__(self, other: Dual | float) -> Dual:
        """Return ``self / other``."""
        return self * _as_dual(other) ** -1

    def __radd__(self, other: float) -> Dual:
        """Return ``other + self``."""
        return self + other

    def __rsub__(self, other: float) -> Dual:
        """Return ``other - self``."""
        return _as_dual(other) + (-self)

    def __rmul__(self, other: float) -> Dual:
        """Return ``other * self``."""
        return self * other

    def __rtruediv__(self, other: float) -> Dual:
        """Return ``other / self``."""
        return _as_dual(other) * self**-1


def _as_dual(x: Dual | float) -> Dual:
    """Return ``x`` if it is a Dual, or a constant (tangent 0) holding the number ``x``."""
    if isinstance(x, Dual):
        return x
    if _is_real(x):
        return Dual(float(x))
    raise TypeError(
        f"operand must be a Dual or a real number; received {x!r} of type {type(x).__name__}"
    )


def _check_point(xs: Sequence[float]) -> list[float]:
    """Validate the point at which a gradient is taken and return it as floats."""
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence):
        raise TypeError(
            f"xs must be a sequence of numbers; received {type(xs).__name__}"
        )
    if len(xs) == 0:
        raise ValueError("xs must hold at least one number; received an empty sequence")
    for i, x in enumerate(xs):
        if not _is_real(x):
            raise TypeError(
                f"xs[{i}] must be a real number; received {x!r} of type {type(x).__name__}"
            )
    return [float(x) for x in xs]


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
        The point at which to differentiate.

    Returns
    -------
    gradient : list of float
        The partial derivatives, one per input.
    passes : int
        How many times ``f`` was evaluated: ``len(xs)``.

    Raises
    ------
    TypeError
        If ``xs`` is not a sequence of numbers, or ``f`` returns something other
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
    point = _check_point(xs)
    gradient = []
    for i in range(len(point)):
        inputs = [Dual(x, 1.0 if j == i else 0.0) for j, x in enumerate(point)]
        out = f(*inputs)
        if isinstance(out, Dual):
            gradient.append(out.tangent)
        elif _is_real(out):
            gradient.append(0.0)  # f ignored its inputs
        else:
            raise TypeError(
                f"f must return a Dual or a number; received {type(out).__name__}"
            )
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
        The point at which to differentiate.

    Returns
    -------
    gradient : list of float
        The partial derivatives, one per input.
    passes : int
        How many backward passes were needed: always 1.

    Raises
    ------
    TypeError
        If ``xs`` is not a sequence of numbers, or ``f`` returns something other
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
    point = _check_point(xs)
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = f(*inputs)
    if isinstance(out, Value):
        out.backward()
    elif not _is_real(out):
        raise TypeError(f"f must return a Value or a number; received {type(out).__name__}")
    return [v.grad for v in inputs], 1


# --------------------------------------------------------------------------------------
# Finite differences
# --------------------------------------------------------------------------------------


def _check_step(h: float, name: str) -> float:
    """Validate a finite-difference step: a positive, finite number."""
    if not _is_real(h):
        raise TypeError(
            f"{name} must be a positive number; received {h!r} of type {type(h).__name__}"
        )
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"{name} must be a positive, finite number; received {h!r}")
    return float(h)


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be 'forward' or 'central'; received {method!r}")


def _check_x(x: float | Tensor) -> None:
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise ValueError(
                f"x must be a number or a one-element tensor; received shape {tuple(x.shape)}"
            )
    elif not _is_real(x):
        raise TypeError(f"x must be a number; received {x!r} of type {type(x).__name__}")


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
        If ``x`` or ``h`` is not a number.
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
    _check_x(x)
    step = _check_step(h, "h")
    _check_method(method)
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
        If ``x`` or a step is not a number.
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
    _check_x(x)
    _check_method(method)
    if isinstance(hs, (str, bytes)) or not isinstance(hs, Sequence) or len(hs) == 0:
        raise ValueError(f"hs must be a non-empty sequence of positive numbers; received {hs!r}")
    steps = [_check_step(h, f"hs[{i}]") for i, h in enumerate(hs)]
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
        If ``inputs`` does not hold tensors, or ``f`` does not return a tensor.
    ValueError
        If ``inputs`` is empty or holds a non-floating tensor, if ``eps`` is not
        positive, ``atol`` or ``rtol`` negative, or ``f`` returns more than one
        element.

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
    if isinstance(inputs, Tensor) or not isinstance(inputs, Sequence):
        raise TypeError(
            "inputs must be a sequence (list or tuple) of tensors; "
            f"received {type(inputs).__name__}"
        )
    if len(inputs) == 0:
        raise ValueError("inputs must hold at least one tensor; received an empty sequence")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs[{i}] must be a tensor; received {type(t).__name__}")
        if not t.is_floating_point():
            raise ValueError(
                f"inputs[{i}] must be a floating-point tensor; received dtype {t.dtype}"
            )
    step = _check_step(eps, "eps")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not _is_real(tol) or not tol >= 0:
            raise ValueError(f"{name} must be a non-negative number; received {tol!r}")

    def scalar(out: object) -> Tensor:
        if not isinstance(out, Tensor):
            raise TypeError(f"f must return a tensor; received {type(out).__name__}")
        if out.numel() != 1:
            raise ValueError(
                f"f must return a one-element tensor; received shape {tuple(out.shape)}"
            )
        return out.reshape(())

    # Analytic: one backward pass through torch.autograd.
    xs = [t.detach().clone().requires_grad_(True) for t in inputs]
    grads = torch.autograd.grad(scalar(f(*xs)), xs, allow_unused=True)
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
