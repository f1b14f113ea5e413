"""Unit tests for dlnotes._checks, the one validation layer every public function uses."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dlnotes import _checks as c


# --- integers and reals ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3), torch.tensor(3), torch.tensor(3, dtype=torch.int8)])
def test_check_int_accepts_every_integer_kind(value: object) -> None:
    result = c.check_int(value, "n")
    assert result == 3 and type(result) is int


@pytest.mark.parametrize(
    "value", [True, np.bool_(True), 3.0, np.float64(3), torch.tensor(3.0), torch.tensor([3]),
              torch.tensor(True), torch.zeros((), dtype=torch.long, device="meta"), "3", None],
)
def test_check_int_refuses_bools_floats_and_the_rest(value: object) -> None:
    with pytest.raises(TypeError, match=r"^n must be an int; received "):
        c.check_int(value, "n")


def test_check_int_bounds() -> None:
    assert c.check_int(0, "n", minimum=0, maximum=2) == 0
    with pytest.raises(ValueError, match=r"^n must be an int in \[0, 2\]; received 3$"):
        c.check_int(3, "n", minimum=0, maximum=2)
    with pytest.raises(ValueError, match=r"^n must be an int >= 1; received 0$"):
        c.check_int(np.int64(0), "n", minimum=1)
    with pytest.raises(ValueError, match=r"^n must be an int <= 5; received 6$"):
        c.check_int(6, "n", maximum=5)


@pytest.mark.parametrize("value", [2, 2.5, np.float32(2.5), np.int64(2), torch.tensor(2.5), np.array(2.5)])
def test_check_real_accepts(value: object) -> None:
    assert c.check_real(value, "x") == float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, 1j, "1", None, torch.tensor([1.0]), torch.tensor(1j),
                                   torch.tensor(True), torch.zeros((), device="meta")])
def test_check_real_refuses(value: object) -> None:
    with pytest.raises(TypeError, match="^x must be a finite real number; received"):
        c.check_real(value, "x")


def test_check_real_finiteness_and_bounds() -> None:
    with pytest.raises(ValueError, match="received nan"):
        c.check_real(math.nan, "x")
    with pytest.raises(ValueError, match="received inf"):
        c.check_real(np.float64("inf"), "x")
    assert math.isnan(c.check_real(math.nan, "x", finite=False))
    assert c.check_real(math.inf, "x", finite=False) == math.inf
    with pytest.raises(ValueError, match=r"^h must be a finite real number > 0; received 0.0$"):
        c.check_real(0.0, "h", minimum=0, open_minimum=True)
    with pytest.raises(ValueError, match=r"> 0 and <= 1; received 2.0"):
        c.check_real(2.0, "h", minimum=0, open_minimum=True, maximum=1)
    assert c.check_probability(np.float32(0.25), "p") == 0.25
    with pytest.raises(ValueError, match=r"^p must be a finite real number in \[0.0, 1.0\]; received 1.5$"):
        c.check_probability(1.5, "p")


def test_check_bool_and_choice() -> None:
    assert c.check_bool(np.bool_(True), "flag") is True
    for bad in (1, "yes", torch.tensor(True), None):
        with pytest.raises(TypeError, match=r"^flag must be a bool \(True or False\)"):
            c.check_bool(bad, "flag")
    assert c.check_choice("log", "scale", ("linear", "log")) == "log"
    with pytest.raises(ValueError, match="^scale must be one of 'linear', 'log'; received 'ln'"):
        c.check_choice("ln", "scale", ("linear", "log"))
    with pytest.raises(TypeError, match="^scale must be one of"):
        c.check_choice(None, "scale", ("linear", "log"))


def test_check_pair() -> None:
    assert c.check_pair((np.int64(1), torch.tensor(2.5)), "lim") == (1.0, 2.5)
    assert c.check_pair(torch.tensor([1.0, 2.0]), "lim") == (1.0, 2.0)
    for bad in ((1,), (1, 2, 3), "ab", (1, "2"), (True, 1), 5):
        with pytest.raises(TypeError, match="^lim must be a pair of finite numbers"):
            c.check_pair(bad, "lim")
    for bad in ((0, 1), (1, -1), (math.nan, 1)):
        with pytest.raises(ValueError, match="^size must be a pair of finite positive numbers"):
            c.check_pair(bad, "size", positive=True)


def test_check_real_vector() -> None:
    assert c.check_real_vector(np.array([1, 2]), "xs") == [1.0, 2.0]
    assert c.check_real_vector((0.5, torch.tensor(1.5)), "xs") == [0.5, 1.5]
    with pytest.raises(ValueError, match="^xs must not be empty"):
        c.check_real_vector([], "xs")
    with pytest.raises(ValueError, match="^xs must be finite"):
        c.check_real_vector([1.0, math.nan], "xs")
    with pytest.raises(ValueError, match="^xs must be 1-D"):
        c.check_real_vector([[1.0]], "xs")
    with pytest.raises(TypeError, match="^xs must be a torch.Tensor or array-like of floating or integer dtype"):
        c.check_real_vector("12", "xs")


# --- tensors ---------------------------------------------------------------------------------


def test_check_tensor_returns_a_new_tensor_unless_asked() -> None:
    for source in (torch.tensor([1.0, 2.0], requires_grad=True), np.array([1.0, 2.0])):
        out = c.check_tensor(source, "t", like=True)
        with torch.no_grad():
            out[0] = 9.0
        first = source.detach()[0] if isinstance(source, torch.Tensor) else source[0]
        assert float(first) == 1.0 and not out.requires_grad
    t = torch.ones(2)
    assert c.check_tensor(t, "t", copy=False) is t
    same_dtype = torch.ones(2, dtype=torch.float64)
    converted = c.check_tensor(same_dtype, "t", dtype=torch.float64)
    converted[0] = 5.0
    assert same_dtype[0] == 1.0


def test_check_tensor_lists_keep_float64() -> None:
    assert c.check_tensor([0.1, 0.2], "t", like=True).dtype == torch.float64


def test_check_tensor_refusals() -> None:
    with pytest.raises(TypeError, match=r"^t must be a torch.Tensor; received \[1\] \(list\)"):
        c.check_tensor([1], "t")
    for bad in ("12", None, {"a": 1}, [[1, 2], [3]]):
        with pytest.raises(TypeError, match="^t must be a torch.Tensor or array-like"):
            c.check_tensor(bad, "t", like=True)
    with pytest.raises(TypeError, match="dense"):
        c.check_tensor(torch.eye(2).to_sparse(), "t")
    with pytest.raises(ValueError, match="^t must hold data"):
        c.check_tensor(torch.ones(1, device="meta"), "t")
    assert c.check_tensor(torch.ones(1, device="meta"), "t", allow_meta=True).is_meta
    with pytest.raises(TypeError, match="^t must be a torch.Tensor of floating, integer or bool dtype"):
        c.check_tensor(torch.ones(1, dtype=torch.complex64), "t", kinds="fib")
    with pytest.raises(TypeError, match="^t must be a torch.Tensor of integer dtype"):
        c.check_tensor(torch.ones(1, dtype=torch.bool), "t", kinds="i")
    with pytest.raises(ValueError, match=r"^t must be 1-D or 2-D; received shape \(1, 1, 1\)"):
        c.check_tensor(torch.ones(1, 1, 1), "t", ndim=(1, 2))
    with pytest.raises(ValueError, match=r"^t must not be empty; received shape \(0, 2\)"):
        c.check_tensor(torch.ones(0, 2), "t", non_empty=True)
    with pytest.raises(ValueError, match=r"^t must be finite .* first at \[\(0, 1\)\]"):
        c.check_tensor(torch.tensor([[1.0, math.inf]]), "t", finite=True)
    assert c.check_tensor(torch.tensor([math.nan]), "t").isnan().all()  # finite=False: allowed
    with pytest.raises(ValueError, match="too large for torch.float32"):
        c.check_tensor(torch.tensor([1e300], dtype=torch.float64), "t", dtype=torch.float32)


def test_check_same_device() -> None:
    c.check_same_device(torch.ones(1), "a", torch.ones(1), "b")
    with pytest.raises(ValueError, match="^a and b must be on the same device; received a on cpu and b on meta"):
        c.check_same_device(torch.ones(1), "a", torch.ones(1, device="meta"), "b")


# --- objects ---------------------------------------------------------------------------------


def test_check_generator_callable_and_axes() -> None:
    g = torch.Generator()
    assert c.check_generator(g) is g and c.check_generator(None) is None
    with pytest.raises(TypeError, match=r"^generator must be a torch.Generator or None; received 3 \(int\)"):
        c.check_generator(3)
    with pytest.raises(ValueError, match="must be on the device of the data it draws"):
        c.check_generator(g, device=torch.device("meta"))
    assert c.check_callable(len, "f") is len
    with pytest.raises(TypeError, match=r"^f must be callable as f\(x\); received 3 \(int\)"):
        c.check_callable(3, "f", how="f(x)")
    assert c.check_axes(None) is None
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert c.check_axes(ax) is ax
    with pytest.raises(TypeError, match="^ax must be a matplotlib Axes or None; received <Figure"):
        c.check_axes(ax.figure)
    plt.close("all")


def test_describe_shortens() -> None:
    assert c.describe(torch.ones(2, 3)) == "a tensor of shape (2, 3), dtype torch.float32, on cpu"
    long = c.describe(list(range(100)))
    assert long.endswith("... (list)") and len(long) < 100


# --- devices ---------------------------------------------------------------------------------


def test_check_device(monkeypatch: pytest.MonkeyPatch) -> None:
    assert c.check_device("cpu") == torch.device("cpu")
    assert c.check_device(torch.device("cpu"), "d") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(c, "_mps_available", lambda: False)
    cases = [
        ("gpu0", "d must be a device string"),
        ("meta", "d must name a device of type 'cpu', 'cuda' or 'mps'; received 'meta'"),
        ("cuda", "CUDA is not available here"),
        ("mps", "MPS backend is not available"),
        ("cpu:1", "the CPU has a single device"),
    ]
    for value, message in cases:
        with pytest.raises(ValueError, match=message):
            c.check_device(value, "d")
    with pytest.raises(TypeError, match=r"^d must be a torch.device or a str"):
        c.check_device(0, "d")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 1)
    monkeypatch.setattr(c, "_mps_available", lambda: True)
    assert c.check_device("cuda") == torch.device("cuda", 1)  # the current device's index
    assert c.check_device("cuda:0") == torch.device("cuda", 0)
    with pytest.raises(ValueError, match=r"2 CUDA device\(s\), with indices 0 to 1"):
        c.check_device("cuda:2")
    assert c.check_device("mps") == torch.device("mps")
    with pytest.raises(ValueError, match="MPS has a single device"):
        c.check_device("mps:1")
