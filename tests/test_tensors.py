"""Tests for dlnotes.tensors: storage inspection, flat indices, broadcasting reports, pictures."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlnotes.tensors import (
    BroadcastReport,
    StorageInfo,
    explain_broadcast,
    flat_index,
    plot_memory_layout,
    shares_storage,
    storage_info,
    storage_values,
)

matplotlib.use("Agg")


def _base() -> torch.Tensor:
    # distinct values, so that a wrong storage position cannot read the right value by chance
    return torch.arange(100, 100 + 2 * 3 * 4 * 5, dtype=torch.int64).reshape(2, 3, 4, 5)


VIEWS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "contiguous": lambda x: x,
    "slice": lambda x: x[1, 1:, ::2],
    "step-slice": lambda x: x[:, ::2, 1::3],
    "transpose": lambda x: x.transpose(1, 3),
    "permute": lambda x: x.permute(3, 1, 0, 2),
    "expand": lambda x: x[0, :, :1, 2].unsqueeze(0).expand(4, 3, 6),
    "expand-new-dim": lambda x: x[1, 2, 3].expand(5, 2, 5),
    "narrow": lambda x: x.narrow(2, 1, 2).narrow(3, 2, 3),
    "diagonal": lambda x: x[0].diagonal(offset=1, dim1=1, dim2=2),
    "diagonal-4d": lambda x: x.diagonal(dim1=0, dim2=3),
    "select-then-t": lambda x: x[1, :, 2].t(),
    "unfold": lambda x: x.reshape(-1)[3:].unfold(0, 4, 3),
    "scalar": lambda x: x[1, 2, 3, 4],
    "as_strided": lambda x: x.as_strided((3, 3), (7, 2), 5),
}


def _all_indices(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(s) for s in shape)))


# --- flat_index against the real storage ----------------------------------------------------


@pytest.mark.parametrize("name", list(VIEWS))
def test_flat_index_reads_the_real_storage(name: str) -> None:
    base = _base()
    view = VIEWS[name](base)
    assert shares_storage(view, base)
    storage = storage_values(view)
    indices = _all_indices(tuple(view.shape))
    assert len(indices) == view.numel() > 0
    for idx in indices:
        assert storage[flat_index(view, idx)].item() == view[idx].item(), (name, idx)


@pytest.mark.parametrize("name", list(VIEWS))
def test_flat_index_negative_indices(name: str) -> None:
    view = VIEWS[name](_base())
    for idx in _all_indices(tuple(view.shape)):
        negative = tuple(i - s for i, s in zip(idx, view.shape))
        assert flat_index(view, negative) == flat_index(view, idx)


def test_flat_index_formula_and_stride_zero() -> None:
    x = torch.arange(3).expand(4, 3)
    assert x.stride() == (0, 1)
    # every row reads the same three cells
    assert [flat_index(x, (r, 2)) for r in range(4)] == [2, 2, 2, 2]
    y = torch.arange(20).reshape(4, 5)[1:, 2:].t()
    assert flat_index(y, (1, 2)) == y.storage_offset() + 1 * y.stride(0) + 2 * y.stride(1) == 18


def test_flat_index_accepts_list_torch_size_and_numpy_ints() -> None:
    import numpy as np

    x = torch.arange(6).reshape(2, 3)
    assert flat_index(x, [1, 2]) == flat_index(x, torch.Size([1, 2])) == 5
    assert flat_index(x, (np.int64(1), np.int32(0))) == 3
    assert flat_index(x, (torch.tensor(1), 1)) == 4


def test_flat_index_errors() -> None:
    x = torch.arange(6).reshape(2, 3)
    with pytest.raises(ValueError, match=r"one entry per dimension.*\(2, 3\).*received 1 entries"):
        flat_index(x, (1,))
    with pytest.raises(ValueError, match=r"index\[1\] must be in \[-3, 2\].*received 3"):
        flat_index(x, (0, 3))
    with pytest.raises(ValueError, match=r"index\[0\] must be in \[-2, 1\].*received -3"):
        flat_index(x, (-3, 0))
    with pytest.raises(TypeError, match=r"index\[1\] must be an int; received 1.0 \(float\)"):
        flat_index(x, (0, 1.0))  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"index\[0\] must be an int; received True \(bool\)"):
        flat_index(x, (True, 0))
    with pytest.raises(TypeError, match="index must be a sequence"):
        flat_index(x, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"t must be a torch.Tensor; received \[\[1, 2\]\] \(list\)"):
        flat_index([[1, 2]], (0, 0))  # type: ignore[arg-type]


def test_flat_index_zero_dim() -> None:
    x = torch.arange(10)[7]
    assert flat_index(x, ()) == 7


# --- storage_info, storage_values, shares_storage --------------------------------------------


def test_storage_info_fields() -> None:
    x = torch.zeros(3, 4, dtype=torch.float16)
    info = storage_info(x[1:, ::2])
    assert info == StorageInfo(
        shape=(2, 2), stride=(4, 2), storage_offset=4, storage_size=12, numel=4,
        dtype=torch.float16, is_contiguous=False,
    )
    assert storage_info(x).is_contiguous
    text = str(info)
    assert text.splitlines()[0].split() == ["shape", "(2,", "2)"]
    assert "storage_offset  4" in text
    with pytest.raises(AttributeError):
        info.numel = 3  # type: ignore[misc]  # frozen


def test_storage_values_is_a_copy_of_the_whole_storage() -> None:
    x = torch.arange(12.0)
    view = x[3:7]
    values = storage_values(view)
    assert values.shape == (12,)
    assert values.dtype == x.dtype
    assert torch.equal(values, x)
    values[0] = -1.0
    assert x[0].item() == 0.0  # the copy does not write through
    assert not shares_storage(values, x)


def test_storage_values_sees_the_base_not_only_the_view() -> None:
    x = torch.arange(6).reshape(2, 3)
    assert storage_values(x.t()[:, :1]).tolist() == x.reshape(-1).tolist()
    sub = x[1].clone()  # a fresh, smaller storage
    assert storage_values(sub).tolist() == [3, 4, 5]


def test_storage_values_with_grad_and_odd_dtypes() -> None:
    w = torch.randn(2, 3, requires_grad=True)
    out = storage_values(w.t())
    assert not out.requires_grad
    assert torch.equal(out, w.detach().reshape(-1))
    b = torch.tensor([True, False, True])[1:]
    assert storage_values(b).tolist() == [True, False, True]


def test_shares_storage_cases() -> None:
    x = torch.arange(6)
    assert shares_storage(x, x[2:])
    assert shares_storage(x[:2], x[4:])  # disjoint element ranges, one storage
    assert shares_storage(x, x.view(2, 3).t())
    assert not shares_storage(x, x.view(2, 3).t().contiguous())
    assert not shares_storage(x, x + 0)
    e1, e2 = torch.empty(0), torch.empty(0)
    assert not shares_storage(e1, e2)  # both have address 0; still different storages
    assert shares_storage(e1, e1.view(0, 3))
    with pytest.raises(TypeError, match="b must be a torch.Tensor"):
        shares_storage(x, [1, 2])  # type: ignore[arg-type]


def test_sparse_tensor_refused() -> None:
    s = torch.eye(3).to_sparse()
    with pytest.raises(TypeError, match="dense"):
        storage_info(s)


# --- explain_broadcast ------------------------------------------------------------------------


def _torch_result(shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    try:
        return tuple(torch.broadcast_shapes(*shapes))
    except RuntimeError:
        return None


def _check_report(shapes: list[tuple[int, ...]]) -> BroadcastReport:
    report = explain_broadcast(*shapes)
    expected = _torch_result(shapes)
    assert report.result == expected
    assert report.compatible == (expected is not None)
    assert (report.reason is None) == report.compatible
    ndim = max(len(s) for s in shapes)
    assert report.shapes == tuple(shapes)
    for given_shape, aligned in zip(shapes, report.aligned):
        assert len(aligned) == ndim
        assert aligned[ndim - len(given_shape):] == given_shape
        assert set(aligned[: ndim - len(given_shape)]) <= {1}
    if expected is not None:
        # the result agrees with actually broadcasting tensors of these shapes
        tensors = [torch.zeros(s) for s in shapes]
        assert tuple(torch.broadcast_tensors(*tensors)[0].shape) == report.result
    return report


sizes = st.sampled_from([0, 1, 1, 1, 2, 3, 4])
shape_strategy = st.lists(sizes, min_size=0, max_size=4).map(tuple)


@settings(max_examples=400, deadline=None)
@given(st.lists(shape_strategy, min_size=1, max_size=4))
def test_explain_broadcast_agrees_with_torch(shapes: list[tuple[int, ...]]) -> None:
    _check_report(shapes)


@settings(max_examples=200, deadline=None)
@given(shape_strategy, st.data())
def test_compatible_pairs_built_from_a_target(target: tuple[int, ...], data: st.DataObject) -> None:
    # squash random dimensions of a target to 1 and drop leading ones: always compatible
    def squash(shape: tuple[int, ...]) -> tuple[int, ...]:
        kept = tuple(1 if data.draw(st.booleans()) else s for s in shape)
        return kept[data.draw(st.integers(0, len(kept))):]

    a, b = squash(target), squash(target)
    report = _check_report([a, b])
    assert report.compatible


def test_report_names_the_failing_dimension() -> None:
    report = explain_broadcast((5, 2, 3), (2, 4))
    assert not report.compatible
    assert report.result is None
    assert report.reason == "dimension -1: 3 vs 4; sizes differ and neither is 1"
    text = str(report)
    assert "dimension -1: 3 vs 4 -> fails: sizes differ and neither is 1" in text
    assert "dimension -2: 2 vs 2 -> 2 (equal)" in text
    assert text.splitlines()[-1].startswith("result: incompatible; dimension -1")


def test_report_failure_in_a_middle_dimension() -> None:
    report = explain_broadcast((2, 3, 1), (4, 5))
    assert report.reason == "dimension -2: 3 vs 4; sizes differ and neither is 1"
    assert report.aligned == ((2, 3, 1), (1, 4, 5))
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((2, 3, 1), (4, 5))


def test_report_several_failures_and_three_shapes() -> None:
    report = explain_broadcast((2, 3), (3, 4), (1, 1))
    assert report.reason == "dimension -1: 3 vs 4 vs 1; sizes 3 and 4 differ and none of them is 1"
    last = str(report).splitlines()[-1]
    assert "dimension -1" in last and "dimension -2: 2 vs 3 vs 1" in last


def test_report_zero_sizes() -> None:
    assert explain_broadcast((0, 3), (1, 3)).result == (0, 3)
    bad = explain_broadcast((0,), (2,))
    assert bad.reason == "dimension -1: 0 vs 2; sizes differ and neither is 1"


def test_report_single_and_scalar_shapes() -> None:
    assert explain_broadcast(()).result == ()
    assert explain_broadcast((), (2, 1)).result == (2, 1)
    assert explain_broadcast(torch.Size([3, 1]), [4]).result == (3, 4)
    assert str(explain_broadcast((3,))).splitlines()[0] == "shape: (3,)"


@pytest.mark.parametrize(
    ("args", "error", "fragment"),
    [
        ((), TypeError, "at least one shape"),
        (((2, -1),), ValueError, r"shapes\[0\]\[1\] must be an int >= 0; received -1"),
        (((2, 3), (2.0,)), TypeError, r"shapes\[1\]\[0\] must be an int >= 0; received 2.0 \(float\)"),
        ((3, 4), TypeError, r"shapes\[0\] must be a sequence of ints.*write \(3,\)"),
        (("23",), TypeError, r"shapes\[0\] must be a sequence of ints"),
        (((True, 2),), TypeError, r"shapes\[0\]\[0\] must be an int >= 0; received True \(bool\)"),
    ],
)
def test_explain_broadcast_malformed_input(args: tuple[object, ...], error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        explain_broadcast(*args)  # type: ignore[arg-type]


def test_explain_broadcast_refuses_a_tensor_and_suggests_shape() -> None:
    with pytest.raises(TypeError, match=r"pass its \.shape, here \(2, 3\)"):
        explain_broadcast(torch.zeros(2, 3), (3,))  # type: ignore[arg-type]


# --- plot_memory_layout -------------------------------------------------------------------------


SMALL_VIEWS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "slice": lambda x: x[1:, ::2],
    "transpose": lambda x: x.t(),
    "expand": lambda x: x[:, 1:2].expand(-1, 3),
    "narrow": lambda x: x.narrow(1, 1, 3),
    "diagonal": lambda x: x.diagonal(offset=1),
    "scalar": lambda x: x[2, 3],
    "empty": lambda x: x[:, 2:2],
}


def _shaded_positions(ax: matplotlib.axes.Axes) -> list[int]:
    """Storage positions of the shaded cells, read back from the drawn rectangles."""
    num_cells = len(ax.patches)
    per_row = 16 if num_cells > 16 else num_cells
    return sorted(
        int(round(-p.get_xy()[1] / 1.9)) * per_row + int(p.get_xy()[0])
        for p in ax.patches
        if p.get_facecolor() != (1.0, 1.0, 1.0, 1.0)
    )


@pytest.mark.parametrize("rows", [4, 7])
@pytest.mark.parametrize("name", list(SMALL_VIEWS))
def test_plot_shades_exactly_the_selected_cells(name: str, rows: int) -> None:
    import matplotlib.pyplot as plt

    # rows=7 gives 35 cells: two full rows of 16 and a partial one
    view = SMALL_VIEWS[name](torch.arange(rows * 5, dtype=torch.float32).reshape(rows, 5))
    expected = sorted({flat_index(view, idx) for idx in _all_indices(tuple(view.shape))})
    ax = plot_memory_layout(view)
    try:
        assert len(ax.patches) == storage_info(view).storage_size == rows * 5
        assert _shaded_positions(ax) == expected
        texts = [t.get_text() for t in ax.texts]
        assert any(f"stride {tuple(view.stride())}" in t for t in texts)
        assert ax.figure.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    finally:
        plt.close("all")


def test_plot_marks_view_index_and_repeats() -> None:
    import matplotlib.pyplot as plt

    ax = plot_memory_layout(torch.arange(3).expand(4, 3), title="expanded")
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("×4") == 3
    assert ax.get_title() == "expanded"
    plt.close("all")
    ax = plot_memory_layout(torch.arange(6).reshape(2, 3).t())
    texts = [t.get_text() for t in ax.texts]
    assert {"[0,0]", "[0,1]", "[2,1]"} <= set(texts)
    assert ax.get_title() == "storage (6 elements) and the view"
    plt.close("all")


def test_plot_on_given_axes_and_deterministic_svg() -> None:
    import io

    import matplotlib.pyplot as plt

    def render() -> bytes:
        fig, ax = plt.subplots()
        out = plot_memory_layout(torch.arange(12.0).reshape(3, 4)[:, 1], ax=ax)
        assert out is ax
        buf = io.BytesIO()
        with matplotlib.rc_context({"svg.hashsalt": "dlnotes"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
        return buf.getvalue()

    assert render() == render()


def test_plot_errors() -> None:
    with pytest.raises(ValueError, match=r"at most 96 elements.*has 200 elements"):
        plot_memory_layout(torch.zeros(200)[:3])
    with pytest.raises(TypeError, match="title must be a str"):
        plot_memory_layout(torch.zeros(3), title=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="t must be a torch.Tensor"):
        plot_memory_layout([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes or None; received 'x' \(str\)"):
        plot_memory_layout(torch.zeros(3), ax="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="t must hold data; .* on meta"):
        plot_memory_layout(torch.zeros(3, device="meta"))


def test_meta_tensors_have_shape_but_no_values() -> None:
    m = torch.zeros(2, 3, device="meta")
    assert storage_info(m.t()).stride == (1, 3)  # the shape and strides are known
    assert shares_storage(m, m.t())
    assert not shares_storage(m, torch.zeros(2, 3, device="meta"))
    with pytest.raises(ValueError, match="t must hold data"):
        storage_values(m)


def test_empty_storages_share_only_when_they_are_the_same_storage() -> None:
    x = torch.empty(0)
    assert shares_storage(x, x.view(0, 3))
    assert not shares_storage(x, torch.empty(0))


def test_flat_index_accepts_numpy_and_0d_integers() -> None:
    x = torch.arange(12).reshape(3, 4)
    assert flat_index(x, (np.int64(2), torch.tensor(-1))) == flat_index(x, (2, 3)) == 11


# --- on a real GPU ---------------------------------------------------------------------------------


@pytest.mark.cuda
@pytest.mark.parametrize("name", list(VIEWS))
def test_cuda_views(name: str) -> None:
    base = _base().cuda()
    view = VIEWS[name](base)
    storage = storage_values(view)
    assert storage.device == base.device
    assert torch.equal(storage.cpu(), storage_values(VIEWS[name](_base())))
    for idx in _all_indices(tuple(view.shape)):
        assert storage[flat_index(view, idx)].item() == view[idx].item()
    assert shares_storage(view, base)
    assert not shares_storage(view, view.cpu())
    assert storage_info(view) == storage_info(VIEWS[name](_base()))


@pytest.mark.cuda
def test_cuda_plot_memory_layout() -> None:
    import matplotlib.pyplot as plt

    ax = plot_memory_layout(torch.arange(6.0, device="cuda").reshape(2, 3).t())
    assert sum(p.get_facecolor() != (1.0, 1.0, 1.0, 1.0) for p in ax.patches) == 6
    plt.close("all")
