"""Tests for dlnotes.plotting: what plot draws, what it accepts, what it refuses."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import matplotlib
import numpy as np
import pytest
import torch

from dlnotes import plotting
from dlnotes.plotting import plot, set_figsize

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    saved = plt.rcParams["figure.figsize"]
    yield
    plt.close("all")
    plt.rcParams["figure.figsize"] = saved


def _ydata(ax: matplotlib.axes.Axes) -> list[list[float]]:
    return [np.asarray(line.get_ydata(), dtype=float).tolist() for line in ax.get_lines()]


def _xdata(ax: matplotlib.axes.Axes) -> list[list[float]]:
    return [np.asarray(line.get_xdata(), dtype=float).tolist() for line in ax.get_lines()]


# --- what gets drawn ---------------------------------------------------------------------------


def test_single_series_from_tensors() -> None:
    x = torch.linspace(0, 1, 5)
    ax = plot(x, 3 * x, xlabel="x", ylabel="y", title="a line")
    assert _xdata(ax) == [x.tolist()]
    assert _ydata(ax) == [pytest.approx((3 * x).tolist())]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x", "y", "a line")
    assert ax.get_xgridlines() and all(gl.get_visible() for gl in ax.get_xgridlines())


def test_tensor_that_requires_grad() -> None:
    x = torch.arange(4.0, requires_grad=True)
    y = x**2  # part of an autograd graph
    ax = plot(x, [y, y.sum() * x])
    assert _ydata(ax) == [[0.0, 1.0, 4.0, 9.0], [0.0, 14.0, 28.0, 42.0]]


def test_several_series_shared_x_and_formats() -> None:
    x = [0, 1, 2]
    ax = plot(x, [[1, 2, 3], np.array([3, 2, 1]), torch.tensor([0.5, 0.5, 0.5])],
              legend=["a", "b", "c"])
    lines = ax.get_lines()
    assert _xdata(ax) == [[0, 1, 2]] * 3
    assert [ln.get_linestyle() for ln in lines] == ["-", "--", "-."]
    assert matplotlib.colors.to_hex(lines[1].get_color()) == "#bf00bf"  # "m--"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_formats_cycle_instead_of_dropping_series() -> None:
    ys = [[i, i + 1] for i in range(6)]
    ax = plot([0, 1], ys, fmts=("-", ":"))
    assert len(ax.get_lines()) == 6  # d2l's zip would have drawn only two
    assert [ln.get_linestyle() for ln in ax.get_lines()] == ["-", ":"] * 3


def test_x_none_plots_against_index() -> None:
    ax = plot(None, [[5.0, 6.0, 7.0], [1.0, 2.0]])
    assert _xdata(ax) == [[0.0, 1.0, 2.0], [0.0, 1.0]]


def test_two_d_inputs_are_rows() -> None:
    ys = torch.arange(6.0).reshape(2, 3)
    ax = plot(torch.tensor([10.0, 20.0, 30.0]), ys)
    assert _ydata(ax) == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    ax = plot(np.array([[0, 1], [0, 2]]), [[1, 1], [2, 2]])  # one x per series
    assert _xdata(ax) == [[0, 1], [0, 2]]


def test_list_of_scalar_tensors_is_one_series() -> None:
    losses = [torch.tensor(0.9), torch.tensor(0.5), torch.tensor(0.2)]
    ax = plot(None, losses)
    assert _ydata(ax) == [pytest.approx([0.9, 0.5, 0.2])]


def test_scales_limits_and_given_axes() -> None:
    fig, ax = plt.subplots()
    out = plot([1, 10, 100], [1, 2, 3], xscale="log", xlim=(1, 100), ylim=(0, 4), ax=ax)
    assert out is ax
    assert ax.get_xscale() == "log"
    assert ax.get_xlim() == (1.0, 100.0)
    assert ax.get_ylim() == (0.0, 4.0)


def test_figsize_for_a_new_figure() -> None:
    ax = plot([0, 1], [0, 1], figsize=(2.0, 1.5))
    assert ax.figure.get_size_inches().tolist() == [2.0, 1.5]


def test_no_mutable_defaults() -> None:
    for func in (plot, set_figsize):
        for param in inspect.signature(func).parameters.values():
            assert not isinstance(param.default, (list, dict, set)), (func.__name__, param.name)


# --- what gets refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"x": [0, 1, 2], "ys": [1, 2]}, ValueError, r"x and ys\[0\] must have the same length; received 3 and 2"),
        ({"x": [[0, 1], [0, 1], [0, 1]], "ys": [[1, 2], [3, 4]]}, ValueError, r"one per series of ys \(2\); received 3"),
        ({"x": None, "ys": [1, 2], "legend": ["a", "b"]}, ValueError, r"legend must have one entry per series \(1\); received 2"),
        ({"x": None, "ys": [1, 2], "legend": "a"}, TypeError, "legend must be a sequence of str"),
        ({"x": None, "ys": [1, 2], "fmts": "r-"}, TypeError, "fmts must be a sequence of format strings"),
        ({"x": None, "ys": [1, 2], "fmts": ()}, ValueError, "fmts must be a non-empty sequence"),
        ({"x": None, "ys": [1, 2], "yscale": "logarithmic"}, ValueError, r"yscale must be one of .*received 'logarithmic'"),
        ({"x": None, "ys": [1, 2], "xlim": (0,)}, TypeError, r"xlim must be a pair of finite numbers"),
        ({"x": None, "ys": [1, 2], "figsize": (0, 2)}, ValueError, r"figsize must be a pair of finite positive numbers"),
        ({"x": None, "ys": torch.zeros(2, 2, 2)}, ValueError, r"received shape \(2, 2, 2\)"),
        ({"x": None, "ys": ["a", "b"]}, TypeError, "ys must be a tensor, an array or a list of numbers"),
        ({"x": None, "ys": torch.zeros(3, dtype=torch.complex64)}, TypeError, "ys must be a torch.Tensor of floating, integer or bool dtype"),
        ({"x": None, "ys": 3.0 + 0 * 1j}, TypeError, "ys must"),
        ({"x": None, "ys": np.array([1 + 1j, 2])}, TypeError, "ys must hold real numbers"),
        ({"x": None, "ys": torch.zeros(3, device="meta")}, ValueError, "ys must hold data"),
        ({"x": None, "ys": [1, 2], "ax": "x"}, TypeError, r"ax must be a matplotlib Axes or None; received 'x' \(str\)"),
        ({"x": None, "ys": [1, 2], "xlabel": 3}, TypeError, r"xlabel must be a str or None; received 3 \(int\)"),
        ({"x": None, "ys": [1, 2], "title": ["t"]}, TypeError, "title must be a str or None"),
        ({"x": None, "ys": [1, 2], "xlim": (0, float("inf"))}, ValueError, "xlim must be a pair of finite numbers"),
        ({"x": None, "ys": [1, 2], "xscale": 3}, TypeError, "xscale must be one of"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        plot(**kwargs)  # type: ignore[arg-type]


def test_ax_and_figsize_together_refused() -> None:
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="cannot be combined with ax"):
        plot([0, 1], [0, 1], ax=ax, figsize=(3, 2))


# --- set_figsize ------------------------------------------------------------------------------------


def test_set_figsize_default_and_custom() -> None:
    set_figsize((2.5, 2.0))
    assert plt.figure().get_size_inches().tolist() == [2.5, 2.0]
    set_figsize()
    assert list(plt.rcParams["figure.figsize"]) == [4.5, 3.0]


@pytest.mark.parametrize(
    ("bad", "error"),
    [((4.5,), TypeError), ("4x3", TypeError), ((-1, 2), ValueError), ((float("nan"), 2), ValueError), ((True, 2), TypeError)],
)
def test_set_figsize_refuses(bad: object, error: type) -> None:
    with pytest.raises(error, match="figsize must"):
        set_figsize(bad)  # type: ignore[arg-type]


def test_numpy_and_0d_tensor_numbers_are_accepted() -> None:
    set_figsize((np.float32(3), np.int64(2)))  # type: ignore[arg-type]
    assert list(plt.rcParams["figure.figsize"]) == [3.0, 2.0]
    ax = plot(None, [1, 2, 3], xlim=(np.int64(0), torch.tensor(2.5)), ylim=[np.float64(-1), 4])  # type: ignore[arg-type]
    assert ax.get_xlim() == (0.0, 2.5) and ax.get_ylim() == (-1.0, 4.0)
    set_figsize()


# --- on a real GPU ----------------------------------------------------------------------------------


@pytest.mark.cuda
def test_cuda_tensors_with_grad() -> None:
    x = torch.linspace(-1, 1, 7, device="cuda", requires_grad=True)
    ax = plot(x, [torch.relu(x), torch.sigmoid(x)])
    assert _ydata(ax)[0] == pytest.approx(torch.relu(x).detach().cpu().tolist())
    assert len(ax.get_lines()) == 2


def test_module_does_not_import_matplotlib_at_top_level() -> None:
    source = inspect.getsource(plotting)
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not any("matplotlib" in line for line in top_level)
