"""Tests of dlnotes.autograd, in the style of micrograd's test/test_engine.py: the engine
against torch.autograd in float64, plus random expressions from every supported op."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dlnotes.autograd import (
    Dual,
    GradcheckResult,
    Value,
    difference_quotients,
    forward_gradient,
    gradcheck,
    numerical_derivative,
    reverse_gradient,
)

RTOL = 1e-9
ATOL = 1e-9


def t64(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


# ---------------------------------------------------------------------------------------
# micrograd's two hand-written checks, against torch
# ---------------------------------------------------------------------------------------


def test_sanity_check() -> None:
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xmg, ymg = x, y

    x = t64(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xpt, ypt = x, y

    assert ymg.data == pytest.approx(ypt.item(), rel=RTOL)
    assert xmg.grad == pytest.approx(xpt.grad.item(), rel=RTOL)


def test_more_ops() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    amg, bmg, gmg = a, b, g

    a = t64(-4.0)
    b = t64(2.0)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    apt, bpt, gpt = a, b, g

    assert gmg.data == pytest.approx(gpt.item(), rel=RTOL)
    assert amg.grad == pytest.approx(apt.grad.item(), rel=RTOL)
    assert bmg.grad == pytest.approx(bpt.grad.item(), rel=RTOL)


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("x", [-2.5, -0.3, 0.7, 3.0])
def test_unary_primitives_match_torch(name: str, x: float) -> None:
    if name == "log" and x <= 0:
        x = -x
    v = Value(x)
    out = getattr(v, name)()
    out.backward()
    t = t64(x)
    ref = getattr(t, name)()
    ref.backward()
    assert close(out.data, ref.item())
    assert close(v.grad, t.grad.item())


@pytest.mark.parametrize("x", [-1.5, 0.5, 2.0])
@pytest.mark.parametrize("p", [2, 3, -1, -2, 0.5, 1.7, -1.5, 0])
def test_pow_matches_torch(x: float, p: float) -> None:
    if x < 0 and not float(p).is_integer():
        x = -x
    v = Value(x)
    out = v**p
    out.backward()
    t = t64(x)
    (t**p).backward()
    assert close(out.data, x**p)
    assert close(v.grad, t.grad.item())


def test_relu_at_zero_has_zero_gradient_like_torch() -> None:
    v = Value(0.0)
    v.relu().backward()
    t = t64(0.0)
    t.relu().backward()
    assert v.grad == t.grad.item() == 0.0
    assert Dual(0.0, 1.0).relu().tangent == 0.0


def test_sigmoid_is_stable_for_large_inputs() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Dual(-1000.0, 1.0).sigmoid().tangent == 0.0


# ---------------------------------------------------------------------------------------
# Random expressions built from every op, with shared subexpressions, against torch
# ---------------------------------------------------------------------------------------

Num = Any  # a Value, a Dual or a float64 tensor: the ops below work on all three

# Each op takes two operands from the pool of nodes built so far (often the same node,
# or one already used: shared subexpressions) and a nonzero constant c. Operands of
# log, fractional powers and divisors are made positive by construction (x*x + 0.5,
# exp), so the expressions are defined everywhere.
OPS: dict[str, Callable[[Num, Num, float], Num]] = {
    "add": lambda a, b, c: a + b,
    "sub": lambda a, b, c: a - b,
    "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / (b * b + 0.5),
    "div_exp": lambda a, b, c: a / b.exp(),
    "add_self": lambda a, b, c: a + a,
    "mul_self": lambda a, b, c: a * a,
    "neg": lambda a, b, c: -a,
    "add_num": lambda a, b, c: a + c,
    "sub_num": lambda a, b, c: a - c,
    "mul_num": lambda a, b, c: a * c,
    "div_num": lambda a, b, c: a / c,
    "radd": lambda a, b, c: c + a,
    "rsub": lambda a, b, c: c - a,
    "rmul": lambda a, b, c: c * a,
    "rdiv": lambda a, b, c: c / (a * a + 0.5),
    "pow2": lambda a, b, c: a**2,
    "pow3": lambda a, b, c: a**3,
    "pow_neg": lambda a, b, c: (a * a + 0.5) ** -1.5,
    "pow_frac": lambda a, b, c: (a * a + 0.5) ** 0.5,
    "exp": lambda a, b, c: a.exp(),
    "log": lambda a, b, c: (a * a + 0.5).log(),
    "log_exp": lambda a, b, c: (a.exp() + b.exp()).log(),
    "tanh": lambda a, b, c: a.tanh(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    "relu": lambda a, b, c: a.relu(),
}

Program = list[tuple[str, int, int, float]]


def run(program: Program, inputs: list[Num]) -> tuple[Num, list[Num]]:
    """Evaluate the program; every step appends one node to the pool."""
    pool = list(inputs)
    for op, i, j, c in program:
        pool.append(OPS[op](pool[i % len(pool)], pool[j % len(pool)], c))
    return pool[-1], pool


constants = st.sampled_from([-2.0, -0.5, 0.3, 1.0, 1.5, 3.0])
steps = st.tuples(
    st.sampled_from(sorted(OPS)),
    st.integers(0, 63),
    st.integers(0, 63),
    constants,
)
points = st.integers(2, 4).flatmap(
    lambda n: st.lists(
        st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False), min_size=n, max_size=n
    )
)

property_settings = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def engine_result(program: Program, xs: list[float]) -> tuple[Value, list[Value]]:
    """Run the program on Values; reject programs whose numbers blow up."""
    leaves = [Value(x) for x in xs]
    try:
        out, pool = run(program, leaves)
    except (OverflowError, ZeroDivisionError):
        assume(False)
        raise  # unreachable; keeps type checkers happy
    assume(all(abs(v.data) < 1e4 for v in pool))
    return out, leaves


@property_settings
@given(program=st.lists(steps, min_size=1, max_size=14), xs=points)
def test_random_expressions_match_torch(program: Program, xs: list[float]) -> None:
    out, leaves = engine_result(program, xs)
    out.backward()
    assume(all(abs(v.grad) < 1e6 for v in leaves))

    ts = [t64(x) for x in xs]
    ref, _ = run(program, ts)
    grads = torch.autograd.grad(ref, ts, allow_unused=True)

    assert close(out.data, ref.item()), (out.data, ref.item())
    for k, (v, g) in enumerate(zip(leaves, grads)):
        expected = 0.0 if g is None else g.item()
        assert close(v.grad, expected, atol=1e-8), (k, v.grad, expected)


@property_settings
@given(program=st.lists(steps, min_size=1, max_size=10), xs=points)
def test_forward_mode_agrees_with_reverse_mode(program: Program, xs: list[float]) -> None:
    out, leaves = engine_result(program, xs)

    def f(*inputs: Num) -> Num:
        return run(program, list(inputs))[0]

    reverse, backward_passes = reverse_gradient(f, xs)
    forward, forward_passes = forward_gradient(f, xs)
    assume(all(abs(g) < 1e6 for g in reverse))
    assert backward_passes == 1
    assert forward_passes == len(xs)
    assert close(run(program, [Dual(x) for x in xs])[0].value, out.data)
    for r, fw in zip(reverse, forward):
        assert close(r, fw, atol=1e-8), (reverse, forward)


def test_random_expressions_really_share_nodes() -> None:
    """The generator's reuse of pool nodes does produce accumulation through shared nodes."""
    program: Program = [("mul", 0, 1, 1.0), ("add", 2, 2, 1.0), ("mul", 3, 2, 1.0)]
    a, b = Value(1.5), Value(-0.5)
    out, pool = run(program, [a, b])
    out.backward()
    ab = 1.5 * -0.5  # out = (ab + ab) * ab = 2 (ab)^2, d/da = 4 ab b
    assert close(out.data, 2 * ab**2)
    assert close(a.grad, 4 * ab * -0.5)
    assert close(b.grad, 4 * ab * 1.5)


# ---------------------------------------------------------------------------------------
# The engine's mechanics
# ---------------------------------------------------------------------------------------


def test_reuse_accumulates() -> None:
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b).backward()
    assert b.grad == 6.0


def test_deep_chain_has_no_recursion_limit() -> None:
    n = 10_000
    assert sys.getrecursionlimit() < 3 * n  # a recursive topological sort would fail
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y + x  # y = (n + 1) x, a chain of n nodes, x reused n times
    y.backward()
    assert y.data == pytest.approx((n + 1) * 0.5)
    assert x.grad == n + 1
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0


def test_deep_chain_of_unary_ops() -> None:
    x = Value(0.3)
    y = x
    for _ in range(6_000):
        y = y.exp().log()  # 12,000 nodes computing the identity
    y.backward()
    assert y.data == pytest.approx(0.3, rel=1e-9)
    assert x.grad == pytest.approx(1.0, rel=1e-9)


def test_backward_twice_accumulates_in_leaves_only() -> None:
    x = Value(3.0)
    h = x * x  # an intermediate node
    y = h * 2.0
    y.backward()
    assert x.grad == 12.0 and h.grad == 2.0
    y.backward()
    assert h.grad == 2.0  # recomputed, not doubled
    assert x.grad == 24.0  # accumulated, as in PyTorch
    y.zero_grad()
    y.backward()
    assert x.grad == 12.0


def test_builtin_sum_and_reflected_ops() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(-3.0)
    s = sum([a, b, c])
    assert isinstance(s, Value) and s.data == 0.0
    r = 1 - a / 4 + 2 * b - 6 / b + (3 + c)
    r.backward()
    assert r.data == pytest.approx(1 - 0.25 + 4 - 3 + 0)
    assert a.grad == pytest.approx(-0.25)
    assert b.grad == pytest.approx(2 + 6 / 4)
    assert c.grad == pytest.approx(1.0)


def test_node_attributes_and_repr() -> None:
    a = Value(2.0, label="a")
    y = a**3
    assert y.op == "**3" and y.parents == (a,) and y.label == ""
    assert (a * 2).op == "*" and (a + 1).op == "+"
    assert (a * 2).parents[1].op == "const"
    assert a.exp().op == "exp" and a.log().op == "log"
    y.backward()
    assert repr(y) == "Value(data=8, grad=1)"
    assert repr(a) == "Value(data=2, grad=12)"


def test_derived_ops_are_built_from_primitives() -> None:
    a, b = Value(2.0), Value(5.0)
    assert (a - b).op == "+"
    assert (-a).op == "*"
    assert (a / b).op == "*" and (a / b).parents[1].op == "**-1"
    assert (1 - a).op == "+" and (1 / a).op == "*"


def test_domain_errors() -> None:
    with pytest.raises(ValueError, match=r"log.*positive.*-1\.5"):
        Value(-1.5).log()
    with pytest.raises(ValueError, match=r"log.*0\.0"):
        Value(0.0).log()
    with pytest.raises(TypeError, match="only number"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="non-integer"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="zero to a negative power"):
        Value(1.0) / Value(0.0)
    with pytest.raises(TypeError, match="data must be a real number.*str"):
        Value("1.0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="operand must be a Value or a real number"):
        Value(1.0) + "x"  # type: ignore[operator]
    with pytest.raises(ValueError, match=r"log.*-1\.0"):
        Dual(-1.0).log()
    with pytest.raises(TypeError, match="only number"):
        Dual(2.0) ** Dual(3.0)  # type: ignore[operator]
    with pytest.raises(TypeError, match="tangent must be a real number"):
        Dual(1.0, "x")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Forward mode
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "df"),
    [
        (lambda x: x.exp(), math.exp),
        (lambda x: x.log(), lambda x: 1 / x),
        (lambda x: x.tanh(), lambda x: 1 - math.tanh(x) ** 2),
        (lambda x: x.sigmoid(), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
        (lambda x: x.relu(), lambda x: float(x > 0)),
        (lambda x: x**3, lambda x: 3 * x**2),
        (lambda x: 1 / x, lambda x: -1 / x**2),
        (lambda x: 2 - x * x, lambda x: -2 * x),
    ],
)
def test_dual_derivatives(f: Callable[[Any], Any], df: Callable[[float], float]) -> None:
    for x in (0.4, 1.3, 2.2):
        assert close(f(Dual(x, 1.0)).tangent, df(x))


def test_forward_and_reverse_on_the_page_example() -> None:
    f = lambda a, b: (a * b + a.exp()).tanh()  # noqa: E731
    fw, n_fw = forward_gradient(f, [0.5, -1.0])
    rv, n_rv = reverse_gradient(f, [0.5, -1.0])
    a, b = t64(0.5), t64(-1.0)
    f(a, b).backward()
    assert (n_fw, n_rv) == (2, 1)
    assert close(fw[0], a.grad.item()) and close(fw[1], b.grad.item())
    assert close(rv[0], a.grad.item()) and close(rv[1], b.grad.item())


def test_gradient_helpers_check_arguments() -> None:
    with pytest.raises(ValueError, match="xs must hold at least one number"):
        forward_gradient(lambda: 0.0, [])
    with pytest.raises(TypeError, match="xs must be a sequence"):
        reverse_gradient(lambda a: a, "12")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"xs\[1\] must be a real number"):
        forward_gradient(lambda a, b: a, [1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="f must return a Dual"):
        forward_gradient(lambda a: "x", [1.0])
    with pytest.raises(TypeError, match="f must return a Value"):
        reverse_gradient(lambda a: [a], [1.0])
    assert forward_gradient(lambda a, b: 3.0, [1.0, 2.0]) == ([0.0, 0.0], 2)
    assert reverse_gradient(lambda a, b: 3.0, [1.0, 2.0]) == ([0.0, 0.0], 1)


# ---------------------------------------------------------------------------------------
# Finite differences
# ---------------------------------------------------------------------------------------


def test_numerical_derivative_error_orders() -> None:
    x = 1.0
    exact = math.exp(x)
    for method, order in (("forward", 1), ("central", 2)):
        errors = [
            abs(numerical_derivative(math.exp, x, h, method) - exact) for h in (1e-1, 1e-2, 1e-3)
        ]
        for big, small in zip(errors, errors[1:]):
            # shrinking h tenfold divides the error by about 10 ** order
            assert 0.8 * 10**order < big / small < 1.2 * 10**order, (method, errors)


def test_numerical_derivative_default_is_central_and_accurate() -> None:
    assert numerical_derivative(math.sin, 0.3) == pytest.approx(math.cos(0.3), abs=1e-9)
    assert numerical_derivative(lambda x: x**2, 3.0, 0.5, "central") == 6.0
    assert numerical_derivative(lambda x: x**2, 3.0, 0.5, "forward") == 6.5


def test_numerical_derivative_checks_arguments() -> None:
    with pytest.raises(ValueError, match=r"h must be a positive.*received 0"):
        numerical_derivative(math.exp, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"h must be a positive.*-0\.1"):
        numerical_derivative(math.exp, 1.0, -0.1)
    with pytest.raises(ValueError, match=r"method must be 'forward' or 'central'; received 'b"):
        numerical_derivative(math.exp, 1.0, method="backward")
    with pytest.raises(TypeError, match="x must be a number"):
        numerical_derivative(math.exp, "1")  # type: ignore[arg-type]


def test_difference_quotients_table_and_float32_roundoff() -> None:
    f = lambda x: 3 * x**2 - 4 * x  # noqa: E731  f'(1) = 2
    table = difference_quotients(f, 1.0, [0.1, 0.01])
    assert [h for h, _ in table] == [0.1, 0.01]
    assert table[0][1] == pytest.approx(2.3) and table[1][1] == pytest.approx(2.03)
    central = difference_quotients(f, 1.0, [0.1], method="central")
    assert central[0][1] == pytest.approx(2.0)

    hs = [1e-2, 1e-4, 1e-8]
    f64 = lambda x: torch.tensor(x, dtype=torch.float64) ** 2  # noqa: E731
    f32 = lambda x: torch.tensor(x, dtype=torch.float32) ** 2  # noqa: E731
    q64 = dict(difference_quotients(f64, 1.0, hs))
    q32 = dict(difference_quotients(f32, 1.0, hs))
    assert abs(q64[1e-8] - 2.0) < 1e-6  # float64: still fine at h = 1e-8
    assert abs(q32[1e-8] - 2.0) > 0.5  # float32: 1 + 1e-8 rounds to 1, all is round-off
    x32 = torch.tensor(1.0, dtype=torch.float32)
    assert numerical_derivative(lambda x: x**2, x32, h=1e-8, method="forward") == 0.0


def test_difference_quotients_checks_arguments() -> None:
    with pytest.raises(ValueError, match="hs must be a non-empty sequence"):
        difference_quotients(math.exp, 1.0, [])
    with pytest.raises(ValueError, match=r"hs\[1\] must be a positive.*-1"):
        difference_quotients(math.exp, 1.0, [0.1, -1.0])
    with pytest.raises(ValueError, match="x must be a number or a one-element tensor"):
        difference_quotients(math.exp, torch.ones(2), [0.1])


# ---------------------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------------------


def _inputs(*shapes: tuple[int, ...]) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return [torch.randn(*s, generator=g, dtype=torch.float64) for s in shapes]


@pytest.mark.parametrize(
    ("f", "shapes"),
    [
        (lambda x, w: torch.tanh(x * w).sum(), [(3,), (3,)]),
        (lambda X, w: ((X @ w) ** 2).mean(), [(4, 3), (3,)]),
        (lambda z: torch.log_softmax(z, dim=0)[1], [(5,)]),
        (lambda x, y: (x.exp() / (1 + y**2)).sum(), [(2, 2), (2, 2)]),
        (lambda x, unused: x.sigmoid().prod(), [(3,), (2,)]),
    ],
)
def test_gradcheck_passes_for_correct_functions(
    f: Callable[..., torch.Tensor], shapes: list[tuple[int, ...]]
) -> None:
    inputs = _inputs(*shapes)
    before = [t.clone() for t in inputs]
    result = gradcheck(f, inputs)
    assert isinstance(result, GradcheckResult)
    assert result.ok, result
    assert result.max_abs_error < 1e-7
    assert [tuple(a.shape) for a in result.analytic] == shapes
    assert [tuple(n.shape) for n in result.numeric] == shapes
    for t, b in zip(inputs, before):
        assert torch.equal(t, b) and not t.requires_grad  # inputs untouched


class WrongSquare(torch.autograd.Function):
    """x ** 2 with a deliberately wrong backward: forgets the factor 2."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad_output * x  # should be 2 * x


class RightSquare(WrongSquare):
    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return 2 * grad_output * x


def test_gradcheck_fails_for_a_wrong_backward() -> None:
    (x,) = _inputs((4,))
    wrong = gradcheck(lambda x: WrongSquare.apply(x).sum(), [x])
    assert not wrong.ok
    assert wrong.max_abs_error == pytest.approx(float(x.abs().max()), rel=1e-6)
    assert torch.allclose(wrong.numeric[0], 2 * x)
    assert torch.allclose(wrong.analytic[0], x)
    assert "FAILED" in str(wrong)
    right = gradcheck(lambda x: RightSquare.apply(x).sum(), [x])
    assert right.ok and "ok" in str(right)


def test_gradcheck_tolerances_decide() -> None:
    (x,) = _inputs((3,))
    f = lambda x: WrongSquare.apply(x).sum()  # noqa: E731
    assert gradcheck(f, [x], atol=10.0).ok  # a huge tolerance lets anything through


def test_gradcheck_checks_arguments() -> None:
    x = torch.ones(2, dtype=torch.float64)
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        gradcheck(lambda x: x.sum(), x)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="inputs must hold at least one tensor"):
        gradcheck(lambda: torch.zeros(()), [])
    with pytest.raises(ValueError, match=r"inputs\[0\] must be a floating-point.*torch.int64"):
        gradcheck(lambda x: x.sum(), [torch.ones(2, dtype=torch.int64)])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a tensor; received float"):
        gradcheck(lambda x, y: x.sum(), [x, 1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"eps must be a positive.*received 0"):
        gradcheck(lambda x: x.sum(), [x], eps=0.0)
    with pytest.raises(ValueError, match=r"atol must be a non-negative number; received -1"):
        gradcheck(lambda x: x.sum(), [x], atol=-1.0)
    with pytest.raises(ValueError, match=r"one-element tensor; received shape \(2,\)"):
        gradcheck(lambda x: x * 2, [x])
    with pytest.raises(TypeError, match="f must return a tensor; received float"):
        gradcheck(lambda x: 1.0, [x])  # type: ignore[arg-type, return-value]


@pytest.mark.cuda
def test_gradcheck_on_cuda() -> None:
    x = torch.tensor([0.5, -1.0], dtype=torch.float64, device="cuda")
    result = gradcheck(lambda x: torch.tanh(x).sum(), [x])
    assert result.ok and result.analytic[0].device.type == "cuda"
