"""Tests for dlnotes.data: synthetic data, loaders, splits, transforms, frames, CSV loading."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from torch.utils.data import TensorDataset

from dlnotes.data import (
    TransformDataset,
    frame_to_tensor,
    load_csv,
    make_loader,
    preprocess_frame,
    split_dataset,
    synthetic_regression,
)

# ------------------------------------------------------------ synthetic_regression


def test_synthetic_regression_shapes_and_linear_relation() -> None:
    g = torch.Generator().manual_seed(1)
    w = torch.tensor([2.0, -3.4, 0.5])
    X, y = synthetic_regression(w, 4.2, 5000, noise=0.1, generator=g)
    assert X.shape == (5000, 3) and y.shape == (5000, 1)
    assert X.dtype == torch.float32 and y.dtype == torch.float32
    # features are standard normal
    assert torch.allclose(X.mean(0), torch.zeros(3), atol=0.05)
    assert torch.allclose(X.std(0), torch.ones(3), atol=0.05)
    # the residual is the noise: mean 0, standard deviation `noise`
    residual = y - (X @ w.reshape(-1, 1) + 4.2)
    assert abs(residual.mean().item()) < 0.01
    assert math.isclose(residual.std().item(), 0.1, rel_tol=0.05)
    # least squares recovers w and b
    design = torch.cat([X, torch.ones(5000, 1)], dim=1)
    coef = torch.linalg.lstsq(design, y).solution.reshape(-1)
    assert torch.allclose(coef, torch.tensor([2.0, -3.4, 0.5, 4.2]), atol=0.01)


def test_synthetic_regression_noise_zero_is_exact() -> None:
    X, y = synthetic_regression([1.0, 2.0], -1.0, 10, noise=0.0, generator=torch.Generator())
    assert torch.allclose(y, X @ torch.tensor([[1.0], [2.0]]) - 1.0)


def test_synthetic_regression_reproducible_with_generator() -> None:
    a = synthetic_regression([1.0], 0.0, 20, generator=torch.Generator().manual_seed(3))
    b = synthetic_regression([1.0], 0.0, 20, generator=torch.Generator().manual_seed(3))
    c = synthetic_regression([1.0], 0.0, 20, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_synthetic_regression_keeps_float64_weights() -> None:
    X, y = synthetic_regression(torch.tensor([1.0], dtype=torch.float64), 0.0, 4)
    assert X.dtype == torch.float64 and y.dtype == torch.float64


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"w": torch.ones(2, 1)}, ValueError, ["w", "1-D", "(2, 1)"]),
        ({"w": torch.tensor(1.0)}, ValueError, ["w", "1-D", "()"]),
        ({"w": []}, ValueError, ["w", "empty"]),
        ({"w": "ab"}, TypeError, ["w", "str"]),
        ({"w": [[1.0, 2.0]]}, ValueError, ["w", "1-D", "(1, 2)"]),
        ({"num_examples": 0}, ValueError, ["num_examples", ">= 1", "0"]),
        ({"num_examples": 2.5}, TypeError, ["num_examples", "int", "2.5"]),
        ({"num_examples": True}, TypeError, ["num_examples", "int", "True"]),
        ({"noise": -0.1}, ValueError, ["noise", ">= 0", "-0.1"]),
        ({"noise": float("nan")}, ValueError, ["noise", "finite"]),
        ({"b": "1"}, TypeError, ["b", "real number", "'1'"]),
        ({"generator": 0}, TypeError, ["generator", "torch.Generator", "int"]),
    ],
)
def test_synthetic_regression_errors_name_the_argument(
    kwargs: dict[str, object], exc: type[Exception], words: list[str]
) -> None:
    args: dict[str, object] = {"w": [1.0, 2.0], "b": 0.0, "num_examples": 10}
    args.update(kwargs)
    with pytest.raises(exc) as info:
        synthetic_regression(**args)  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)


# ----------------------------------------------------------------------- make_loader


def _order(loader: torch.utils.data.DataLoader[tuple[torch.Tensor, ...]]) -> list[int]:
    return [int(i) for batch in loader for i in batch[-1]]


def test_eval_loader_keeps_order_and_batches() -> None:
    X = torch.arange(20.0).reshape(10, 2)
    idx = torch.arange(10)
    loader = make_loader(X, idx, batch_size=4, train=False)
    batches = list(loader)
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert _order(loader) == list(range(10))
    assert _order(loader) == list(range(10))  # the same every epoch
    assert torch.equal(batches[0][0], X[:4])


def test_eval_loader_ignores_generator() -> None:
    idx = torch.arange(10)
    loader = make_loader(idx, batch_size=3, train=False, generator=torch.Generator().manual_seed(0))
    assert _order(loader) == list(range(10))


def test_train_loader_shuffles_reproducibly() -> None:
    idx = torch.arange(50)
    a = make_loader(idx, batch_size=8, train=True, generator=torch.Generator().manual_seed(0))
    b = make_loader(idx, batch_size=8, train=True, generator=torch.Generator().manual_seed(0))
    first, second = _order(a), _order(a)
    assert sorted(first) == list(range(50))  # a permutation: every example once
    assert first != list(range(50))  # shuffled
    assert first != second  # a new order every epoch
    assert [first, second] == [_order(b), _order(b)]  # reproducible


def test_train_loader_keeps_rows_together() -> None:
    X = torch.arange(30).reshape(10, 3)
    y = torch.arange(10)
    loader = make_loader(X, y, batch_size=4, train=True, generator=torch.Generator().manual_seed(1))
    for xb, yb in loader:
        assert torch.equal(xb, X[yb])


def test_drop_last() -> None:
    idx = torch.arange(10)
    loader = make_loader(idx, batch_size=4, train=True, drop_last=True,
                         generator=torch.Generator().manual_seed(0))
    assert [len(b[0]) for b in loader] == [4, 4]


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "words"),
    [
        ((torch.zeros(5, 2), torch.zeros(4)), {}, ValueError, ["first dimension", "[5, 4]"]),
        ((), {}, TypeError, ["at least one tensor"]),
        ((torch.zeros(3), [1, 2, 3]), {}, TypeError, ["tensors[1]", "list"]),
        ((torch.tensor(1.0),), {}, ValueError, ["tensors[0]", "0-D"]),
        ((torch.zeros(3),), {"batch_size": 0}, ValueError, ["batch_size", ">= 1", "0"]),
        ((torch.zeros(3),), {"batch_size": 2.0}, TypeError, ["batch_size", "int", "2.0"]),
        ((torch.zeros(3),), {"train": 1}, TypeError, ["train", "bool", "1"]),
        ((torch.zeros(3),), {"drop_last": None}, TypeError, ["drop_last", "bool", "None"]),
        ((torch.zeros(3),), {"generator": 7}, TypeError, ["generator", "torch.Generator"]),
    ],
)
def test_make_loader_errors_name_the_argument(
    args: tuple[object, ...], kwargs: dict[str, object], exc: type[Exception], words: list[str]
) -> None:
    full: dict[str, object] = {"batch_size": 2, "train": True}
    full.update(kwargs)
    with pytest.raises(exc) as info:
        make_loader(*args, **full)  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)


# ------------------------------------------------------------------ frames and CSV


def _house_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "NumRooms": [None, 2.0, 4.0, None],
            "RoofType": [None, None, "Slate", None],
            "Alley": pd.Series(["Pave", None, None, "Grvl"], dtype="object"),
            "Price": [127500, 106000, 178100, 140000],
        }
    )


def test_preprocess_frame_imputes_and_one_hot_encodes() -> None:
    frame = _house_frame()
    before = frame.copy(deep=True)
    out = preprocess_frame(frame)
    # the input is untouched
    pd.testing.assert_frame_equal(frame, before)
    assert out is not frame
    assert list(out.columns) == [
        "NumRooms", "Price",
        "RoofType_Slate", "RoofType_nan",
        "Alley_Grvl", "Alley_Pave", "Alley_nan",
    ]
    assert all(str(dtype) == "float64" for dtype in out.dtypes)
    assert not out.isna().any().any()
    assert out["NumRooms"].tolist() == [3.0, 2.0, 4.0, 3.0]  # NaN -> mean of 2 and 4
    assert out["RoofType_Slate"].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert out["RoofType_nan"].tolist() == [1.0, 1.0, 0.0, 1.0]
    assert out["Alley_nan"].tolist() == [0.0, 1.0, 1.0, 0.0]
    # every row has exactly one indicator per categorical column
    assert out.filter(like="Alley_").sum(axis=1).tolist() == [1.0] * 4


def test_preprocess_frame_categorical_dtype_bool_and_nullable_int() -> None:
    frame = pd.DataFrame(
        {
            "size": pd.Series([1, None, 3], dtype="Int64"),
            "color": pd.Series(["red", None, "red"], dtype="category"),
            "flag": [True, False, True],
        }
    )
    out = preprocess_frame(frame)
    assert out["size"].tolist() == [1.0, 2.0, 3.0]
    assert out["flag"].tolist() == [1.0, 0.0, 1.0]
    assert out["color_red"].tolist() == [1.0, 0.0, 1.0]
    assert out["color_nan"].tolist() == [0.0, 1.0, 0.0]


def test_preprocess_frame_errors() -> None:
    with pytest.raises(TypeError, match="frame must be a pandas.DataFrame, got dict"):
        preprocess_frame({"a": [1]})  # type: ignore[arg-type,unused-ignore]
    with pytest.raises(ValueError, match="'empty'.*no values"):
        preprocess_frame(pd.DataFrame({"empty": [float("nan")] * 2}))
    with pytest.raises(TypeError, match="'when'.*datetime"):
        preprocess_frame(pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-01-02"])}))


def test_frame_to_tensor_float32_and_values() -> None:
    out = preprocess_frame(_house_frame())
    X = frame_to_tensor(out)
    assert X.dtype == torch.float32 and X.shape == (4, 7)
    assert torch.equal(X, torch.tensor(out.to_numpy(), dtype=torch.float32))


def test_frame_to_tensor_bool_columns_become_floats() -> None:
    # pandas.get_dummies' default dtype is bool; a mixed frame's .values is an object array
    frame = pd.concat([pd.DataFrame({"x": [1.5, 2.5]}),
                       pd.get_dummies(pd.Series(["a", "b"], name="c"))], axis=1)
    assert frame.to_numpy().dtype == object
    assert frame_to_tensor(frame).tolist() == [[1.5, 1.0, 0.0], [2.5, 0.0, 1.0]]


def test_frame_to_tensor_errors_name_columns() -> None:
    with pytest.raises(ValueError) as info:
        frame_to_tensor(_house_frame())
    message = str(info.value)
    assert "'RoofType'" in message and "'Alley'" in message and "preprocess_frame" in message
    assert "'Price'" not in message
    with pytest.raises(ValueError, match="missing values.*'a'"):
        frame_to_tensor(pd.DataFrame({"a": [1.0, None], "b": [1.0, 2.0]}))
    with pytest.raises(TypeError, match="frame must be a pandas.DataFrame, got Tensor"):
        frame_to_tensor(torch.zeros(2, 2))  # type: ignore[arg-type,unused-ignore]


def test_load_csv_with_and_without_target(tmp_path: Path) -> None:
    path = tmp_path / "house_tiny.csv"
    _house_frame().to_csv(path, index=False)
    X, y = load_csv(path, target="Price")
    assert X.dtype == torch.float32 and X.shape == (4, 6)
    assert y is not None and y.shape == (4, 1) and y.dtype == torch.float32
    assert y.reshape(-1).tolist() == [127500.0, 106000.0, 178100.0, 140000.0]
    assert X[:, 0].tolist() == [3.0, 2.0, 4.0, 3.0]
    X_all, none = load_csv(str(path))
    assert none is None and X_all.shape == (4, 7)


def test_load_csv_errors(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\n1,x,1\n2,y,\n3,x,0\n")
    with pytest.raises(ValueError, match="target.*'price'.*\\['a', 'b', 'label'\\]"):
        load_csv(path, target="price")
    with pytest.raises(ValueError, match="target column 'label'.*missing"):
        load_csv(path, target="label")
    with pytest.raises(ValueError, match="target column 'b' must be numeric"):
        load_csv(path, target="b")
    with pytest.raises(TypeError, match="target must be a column name"):
        load_csv(path, target=2)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        load_csv(tmp_path / "missing.csv")


# ------------------------------------------------------------- bad inputs, numpy inputs


@pytest.mark.parametrize(
    ("w", "fragment"),
    [
        ([float("nan")], "w must be finite"),
        ([1.0, float("inf")], "w must be finite"),
        ([1e39], "too large for torch.float32"),
        (np.array([1e300]), "too large for torch.float32"),
        (torch.ones(2, device="meta"), "w must hold data"),
    ],
)
def test_synthetic_regression_refuses_weights_that_make_no_data(w: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        synthetic_regression(w, 0.0, 5)  # type: ignore[arg-type]


def test_synthetic_regression_refuses_complex_and_bool_weights() -> None:
    with pytest.raises(TypeError, match="w must be"):
        synthetic_regression(torch.ones(2, dtype=torch.complex64), 0.0, 5)
    with pytest.raises(TypeError, match="w must be"):
        synthetic_regression([True, False], 0.0, 5)  # type: ignore[list-item]


def test_synthetic_regression_accepts_numpy_values() -> None:
    ref = synthetic_regression([2.0, -3.4], 4.2, 5, generator=torch.Generator().manual_seed(1))
    got = synthetic_regression(
        np.array([2.0, -3.4]), np.float32(4.2), np.int64(5), noise=np.float64(0.01),  # type: ignore[arg-type]
        generator=torch.Generator().manual_seed(1),
    )
    assert torch.equal(ref[0], got[0]) and torch.allclose(ref[1], got[1])


def test_synthetic_regression_does_not_alias_w() -> None:
    w = torch.tensor([1.0, 2.0])
    X, y = synthetic_regression(w, 0.0, 3, noise=0.0, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(y, X @ w.reshape(-1, 1))
    assert w.tolist() == [1.0, 2.0]


def test_make_loader_refuses_empty_and_meta_data() -> None:
    for train in (True, False):
        with pytest.raises(ValueError, match=r"at least one example.*\(0, 2\)"):
            make_loader(torch.zeros(0, 2), torch.zeros(0), batch_size=2, train=train)
    with pytest.raises(ValueError, match=r"tensors\[0\] must hold data"):
        make_loader(torch.zeros(3, device="meta"), batch_size=2, train=False)


def test_make_loader_accepts_numpy_batch_size() -> None:
    loader = make_loader(torch.arange(5), batch_size=np.int64(2), train=False)  # type: ignore[arg-type]
    assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3], [4]]


def test_preprocess_frame_imputes_the_mean_not_the_median() -> None:
    out = preprocess_frame(pd.DataFrame({"a": [1.0, 2.0, 6.0, None]}))
    assert out["a"].tolist() == [1.0, 2.0, 6.0, 3.0]  # median would give 2.0


def test_preprocess_frame_refuses_infinite_values() -> None:
    frame = pd.DataFrame({"x": [1.0, math.inf, None], "y": [-math.inf, 0.0, 1.0], "z": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"\+inf or -inf in columns 'x', 'y' \(") as info:
        preprocess_frame(frame)
    assert "'z'" not in str(info.value)


def test_frames_with_duplicate_column_names_are_refused() -> None:
    frame = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["a", "a", "b"])
    for func in (preprocess_frame, frame_to_tensor):
        with pytest.raises(ValueError, match="frame must have unique column names; received duplicated columns 'a'"):
            func(frame)


def test_preprocess_frame_of_an_empty_frame_is_empty() -> None:
    frame = pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype="object")})
    out = preprocess_frame(frame)
    assert len(out) == 0 and list(out.columns) == ["a", "b_nan"]
    assert (out.dtypes == "float64").all()
    assert frame_to_tensor(out).shape == (0, 2)


def test_frame_to_tensor_refuses_inf_and_float32_overflow() -> None:
    with pytest.raises(ValueError, match="finite values; received \\+inf or -inf in columns 'b'"):
        frame_to_tensor(pd.DataFrame({"a": [1.0, 2.0], "b": [math.inf, 0.0]}))
    with pytest.raises(ValueError, match="fit in float32.*columns 'big'"):
        frame_to_tensor(pd.DataFrame({"a": [1.0, 2.0], "big": [1e300, 0.0]}))
    # the largest float32 itself fits
    edge = float(np.finfo(np.float32).max)
    assert frame_to_tensor(pd.DataFrame({"a": [edge]})).item() == edge


# ------------------------------------------------------------ datasets: split and transform


def test_split_dataset_sizes_disjoint_and_covering() -> None:
    data = list(range(1797))
    parts = split_dataset(data, [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0))
    # floor(1797 * f) = 1257, 269, 269; the 2 left over go to the first two parts
    assert [len(p) for p in parts] == [1258, 270, 269]
    indices = [set(p.indices) for p in parts]
    assert not (indices[0] & indices[1] or indices[0] & indices[2] or indices[1] & indices[2])
    assert set().union(*indices) == set(data)
    assert parts[1][0] == data[parts[1].indices[0]]  # a Subset reads through its indices


def test_split_dataset_same_sizes_as_random_split() -> None:
    for n, fractions in [(10, [0.75, 0.25]), (7, [1 / 3, 1 / 3, 1 / 3]), (101, [0.5, 0.3, 0.2])]:
        ours = split_dataset(list(range(n)), fractions, generator=torch.Generator().manual_seed(5))
        theirs = torch.utils.data.random_split(
            list(range(n)), fractions, generator=torch.Generator().manual_seed(5)
        )
        assert [p.indices for p in ours] == [p.indices for p in theirs]


def test_split_dataset_reproducible_and_seed_dependent() -> None:
    def split(seed: int) -> list[list[int]]:
        parts = split_dataset(TensorDataset(torch.arange(50)), [0.8, 0.2],
                              generator=torch.Generator().manual_seed(seed))
        return [list(p.indices) for p in parts]

    assert split(1) == split(1)
    assert split(1) != split(2)
    assert split(1)[0] != list(range(40))  # shuffled, not the first 80%


def test_split_dataset_fractions_summing_a_hair_over_one() -> None:
    # floor(3e6 * (0.5 + 4e-7)) = 1500001 twice: two examples too many, taken back
    parts = split_dataset(range(3_000_000), [0.5 + 4e-7, 0.5 + 4e-7],  # type: ignore[arg-type]
                          generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [1_500_000, 1_500_000]


@pytest.mark.parametrize(
    ("dataset", "fractions", "generator", "exc", "words"),
    [
        (5, [1.0], "g", TypeError, ["dataset", "map-style", "int"]),
        ("abcd", [1.0], "g", TypeError, ["dataset", "map-style"]),
        (list(range(4)), [], "g", ValueError, ["fractions", "empty"]),
        (list(range(4)), "ab", "g", TypeError, ["fractions"]),
        (list(range(4)), [0.5, 0.6], "g", ValueError, ["fractions", "sum to 1", "1.1"]),
        (list(range(4)), [1.2, -0.2], "g", ValueError, ["fractions[0]", "(0, 1]", "1.2"]),
        (list(range(4)), [1.0, 0.0], "g", ValueError, ["fractions[1]", "(0, 1]"]),
        (list(range(4)), [0.5, float("nan")], "g", ValueError, ["fractions", "finite"]),
        (list(range(4)), [[0.5, 0.5]], "g", ValueError, ["fractions", "1-D"]),
        (list(range(3)), [0.9, 0.05, 0.05], "g", ValueError, ["fractions", "[3, 0, 0]", "at least one"]),
        (list(range(4)), [1.0], None, TypeError, ["generator", "reproducible", "None"]),
        (list(range(4)), [1.0], 0, TypeError, ["generator", "torch.Generator", "int"]),
    ],
)
def test_split_dataset_errors_name_the_argument(
    dataset: object, fractions: object, generator: object, exc: type[Exception], words: list[str]
) -> None:
    gen = torch.Generator().manual_seed(0) if generator == "g" else generator
    with pytest.raises(exc) as info:
        split_dataset(dataset, fractions, generator=gen)  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)


def test_transform_dataset_applies_the_transform_on_every_access() -> None:
    X = torch.arange(6.0).reshape(3, 2)
    y = torch.tensor([0, 1, 2])
    calls: list[int] = []

    def double(x: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return 2 * x

    ds = TransformDataset(TensorDataset(X, y), double)
    assert calls == []  # nothing is precomputed
    assert len(ds) == 3
    x1, y1 = ds[1]
    assert x1.tolist() == [4.0, 6.0] and y1.item() == 1  # labels untouched
    ds[1]
    assert len(calls) == 2  # once per read
    assert X[1].tolist() == [2.0, 3.0]  # the wrapped data are unchanged


def test_transform_dataset_random_transform_differs_between_epochs() -> None:
    g = torch.Generator().manual_seed(0)
    ds = TransformDataset(TensorDataset(torch.zeros(4, 3), torch.arange(4)),
                          lambda x: x + torch.randn(x.shape, generator=g))
    loader = torch.utils.data.DataLoader(ds, batch_size=4)
    first = next(iter(loader))
    second = next(iter(loader))
    assert torch.equal(first[1], second[1])
    assert not torch.equal(first[0], second[0])


def test_transform_dataset_over_non_tuples_subsets_and_loaders() -> None:
    plain = TransformDataset([1, 2, 3], lambda v: v * 10)
    assert [plain[i] for i in range(3)] == [10, 20, 30]
    parts = split_dataset(TensorDataset(torch.arange(10.0), torch.arange(10)), [0.5, 0.5],
                          generator=torch.Generator().manual_seed(0))
    train = TransformDataset(parts[0], torch.neg)
    for xb, yb in torch.utils.data.DataLoader(train, batch_size=2):
        assert torch.equal(xb, -yb.float())
    assert "TransformDataset(Subset of 5" in repr(train)
    with pytest.raises(IndexError):
        plain[3]


@pytest.mark.parametrize(
    ("dataset", "transform", "words"),
    [
        (torch.zeros(3), "scale", ["transform", "callable", "str"]),
        (3, abs, ["dataset", "map-style", "int"]),
        ("abc", abs, ["dataset", "map-style", "str"]),
        (iter([1, 2]), abs, ["dataset", "map-style"]),
    ],
)
def test_transform_dataset_errors_name_the_argument(
    dataset: object, transform: object, words: list[str]
) -> None:
    with pytest.raises(TypeError) as info:
        TransformDataset(dataset, transform)  # type: ignore[arg-type]
    for word in words:
        assert word in str(info.value)
