"""Every public function and class, fed bad inputs: a clear error that names the argument, or a
documented, correct result.

The table below holds, for every name in every submodule's ``__all__``, calls with wrong types,
wrong shapes, empty input, NaN/inf, negative and zero sizes, tensors on the ``meta`` device (a
device mismatch that holds no data) and wrong dtypes, plus valid inputs that must be accepted
(NumPy scalars and arrays). A raising case asserts the exception class and that the message names
the argument (as a word) and, where given, a further fragment. ``test_table_covers_every_public_name``
fails when a public name has no case, so a new function cannot slip in unchecked.

Cases for ``autograd`` and ``graphs`` that their owner has not fixed yet are marked
``xfail(strict=True)`` with the reason: they start failing (XPASS) the moment the fix lands, which
is the signal to drop the mark.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import dlnotes
from dlnotes import autograd, data, devices, graphs, plotting, probability, tensors, training

NAN, INF = float("nan"), float("inf")
META = "meta"


@dataclass(frozen=True)
class Case:
    target: str  # "module.name", a name from that module's __all__
    label: str
    call: Callable[[], object]
    raises: type[Exception] | None = None
    names: str = ""  # the argument the message must name
    match: str = ""  # a further regex the message must contain
    check: Callable[[object], bool] | None = None  # for inputs that must be accepted
    xfail: str = ""


def bad(target: str, label: str, call: Callable[[], object], raises: type[Exception],
        names: str, match: str = "", xfail: str = "") -> Case:
    return Case(target, label, call, raises, names, match, None, xfail)


def good(target: str, label: str, call: Callable[[], object], check: Callable[[object], bool],
         xfail: str = "") -> Case:
    return Case(target, label, call, None, "", "", check, xfail)


# --------------------------------------------------------------------------- fixtures


def _meta(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.zeros(*shape, device=META, dtype=dtype)


def _regression_parts() -> tuple[nn.Module, list[tuple[torch.Tensor, torch.Tensor]], nn.Module,
                                 torch.optim.Optimizer]:
    torch.manual_seed(0)
    net = nn.Linear(2, 1)
    batches = [(torch.randn(4, 2), torch.randn(4, 1)), (torch.randn(2, 2), torch.randn(2, 1))]
    return net, batches, nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=0.1)


def _train(**changes: object) -> object:
    net, batches, loss_fn, opt = _regression_parts()
    args: dict[str, object] = {"model": net, "loader": batches, "loss_fn": loss_fn,
                               "optimizer": opt}
    args.update(changes)
    return training.train_epoch(**args)  # type: ignore[arg-type]


def _evaluate(**changes: object) -> object:
    net, batches, loss_fn, _ = _regression_parts()
    args: dict[str, object] = {"model": net, "loader": batches, "loss_fn": loss_fn}
    args.update(changes)
    return training.evaluate(**args)  # type: ignore[arg-type]


def _fit(**changes: object) -> object:
    net, batches, loss_fn, opt = _regression_parts()
    args: dict[str, object] = {"model": net, "train_loader": batches, "loss_fn": loss_fn,
                               "optimizer": opt, "num_epochs": 1, "progress": False}
    args.update(changes)
    return training.fit(**args)  # type: ignore[arg-type]


def _fit_keeps_model_on_cpu(device: str) -> object:
    net, batches, loss_fn, opt = _regression_parts()
    try:
        training.fit(net, batches, loss_fn, opt, num_epochs=1, device=device)
    finally:
        assert net.weight.device.type == "cpu"  # validated before anything moved
    return None


def _value_grad(base: float, exponent: float) -> float:
    x = autograd.Value(base)
    (x ** exponent).backward()
    return x.grad


def _tensor_graph() -> torch.Tensor:
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    return (a * a).sum()


def _node(i: int, kind: str = "leaf") -> graphs.GraphNode:
    return graphs.GraphNode(i, f"n{i}", kind)


# ----------------------------------------------------------------------------- cases


CASES: list[Case] = [
    # ---- devices
    bad("devices.best_device", "env_var int", lambda: devices.best_device(3), TypeError, "env_var"),  # type: ignore[arg-type]
    bad("devices.best_device", "env_var empty", lambda: devices.best_device(""), ValueError, "env_var"),
    good("devices.best_device", "default", devices.best_device,
         lambda d: isinstance(d, torch.device) and d.type in ("cpu", "cuda", "mps")),
    bad("devices.describe_device", "int", lambda: devices.describe_device(0), TypeError, "device"),  # type: ignore[arg-type]
    bad("devices.describe_device", "unknown", lambda: devices.describe_device("tpu"), ValueError, "device"),
    bad("devices.describe_device", "meta", lambda: devices.describe_device(META), ValueError, "device"),
    bad("devices.describe_device", "second cpu", lambda: devices.describe_device("cpu:1"), ValueError, "device"),
    good("devices.device_count", "no arguments", devices.device_count, lambda n: isinstance(n, int) and n >= 0),
    bad("devices.seed_everything", "float", lambda: devices.seed_everything(1.5), TypeError, "seed"),  # type: ignore[arg-type]
    bad("devices.seed_everything", "bool", lambda: devices.seed_everything(True), TypeError, "seed"),
    bad("devices.seed_everything", "str", lambda: devices.seed_everything("3"), TypeError, "seed"),  # type: ignore[arg-type]
    bad("devices.seed_everything", "negative", lambda: devices.seed_everything(-1), ValueError, "seed"),
    bad("devices.seed_everything", "too large", lambda: devices.seed_everything(2**32), ValueError, "seed"),
    bad("devices.seed_everything", "1-element tensor", lambda: devices.seed_everything(torch.tensor([3])), TypeError, "seed"),  # type: ignore[arg-type]
    good("devices.seed_everything", "numpy int", lambda: devices.seed_everything(np.int64(3)), lambda r: r is None),  # type: ignore[arg-type]
    good("devices.seed_everything", "0-d tensor", lambda: devices.seed_everything(torch.tensor(3)), lambda r: r is None),  # type: ignore[arg-type]
    # ---- tensors
    bad("tensors.storage_info", "list", lambda: tensors.storage_info([1, 2]), TypeError, "t"),  # type: ignore[arg-type]
    bad("tensors.storage_info", "sparse", lambda: tensors.storage_info(torch.eye(2).to_sparse()), TypeError, "t", "dense"),
    good("tensors.storage_info", "meta has shape and strides",
         lambda: tensors.storage_info(_meta(2, 3).t()), lambda r: r.stride == (1, 3)),  # type: ignore[attr-defined]
    good("tensors.storage_info", "empty", lambda: tensors.storage_info(torch.empty(0)),
         lambda r: r.numel == 0 and r.storage_size == 0),  # type: ignore[attr-defined]
    good("tensors.StorageInfo", "returned by storage_info",
         lambda: tensors.storage_info(torch.arange(6).reshape(2, 3)),
         lambda r: isinstance(r, tensors.StorageInfo) and r.shape == (2, 3) and "stride" in str(r)),
    bad("tensors.storage_values", "ndarray", lambda: tensors.storage_values(np.arange(3)), TypeError, "t"),  # type: ignore[arg-type]
    bad("tensors.storage_values", "meta", lambda: tensors.storage_values(_meta(3)), ValueError, "t", "hold data"),
    good("tensors.storage_values", "empty", lambda: tensors.storage_values(torch.empty(0)),
         lambda r: r.numel() == 0),  # type: ignore[attr-defined]
    good("tensors.storage_values", "nan kept", lambda: tensors.storage_values(torch.tensor([NAN, 1.0])),
         lambda r: math.isnan(r[0]) and r[1] == 1.0),  # type: ignore[index]
    bad("tensors.shares_storage", "b list", lambda: tensors.shares_storage(torch.ones(2), [1]), TypeError, "b"),  # type: ignore[arg-type]
    bad("tensors.shares_storage", "a None", lambda: tensors.shares_storage(None, torch.ones(2)), TypeError, "a"),  # type: ignore[arg-type]
    good("tensors.shares_storage", "meta vs cpu", lambda: tensors.shares_storage(_meta(2), torch.ones(2)), lambda r: r is False),
    good("tensors.shares_storage", "two empty", lambda: tensors.shares_storage(torch.empty(0), torch.empty(0)), lambda r: r is False),
    bad("tensors.flat_index", "index int", lambda: tensors.flat_index(torch.ones(2, 2), 1), TypeError, "index"),  # type: ignore[arg-type]
    bad("tensors.flat_index", "index float", lambda: tensors.flat_index(torch.ones(2, 2), (0, 1.0)), TypeError, "index[1]"),  # type: ignore[list-item]
    bad("tensors.flat_index", "too few", lambda: tensors.flat_index(torch.ones(2, 2), (0,)), ValueError, "index"),
    bad("tensors.flat_index", "out of range", lambda: tensors.flat_index(torch.ones(2, 2), (0, 5)), ValueError, "index[1]"),
    bad("tensors.flat_index", "empty dimension", lambda: tensors.flat_index(torch.ones(0, 2), (0, 0)), ValueError, "index[0]"),
    bad("tensors.flat_index", "t list", lambda: tensors.flat_index([[1]], (0, 0)), TypeError, "t"),  # type: ignore[arg-type]
    good("tensors.flat_index", "numpy and 0-d indices", lambda: tensors.flat_index(torch.ones(3, 4), (np.int64(2), torch.tensor(-1))), lambda r: r == 11),  # type: ignore[arg-type]
    bad("tensors.explain_broadcast", "no shapes", lambda: tensors.explain_broadcast(), TypeError, "shapes"),
    bad("tensors.explain_broadcast", "negative size", lambda: tensors.explain_broadcast((2, -1)), ValueError, "shapes[0][1]"),
    bad("tensors.explain_broadcast", "int not shape", lambda: tensors.explain_broadcast(3), TypeError, "shapes[0]"),  # type: ignore[arg-type]
    bad("tensors.explain_broadcast", "tensor not shape", lambda: tensors.explain_broadcast(torch.ones(2)), TypeError, "shapes[0]"),  # type: ignore[arg-type]
    bad("tensors.explain_broadcast", "float size", lambda: tensors.explain_broadcast((2.0,)), TypeError, "shapes[0][0]"),  # type: ignore[arg-type]
    good("tensors.explain_broadcast", "zero sizes", lambda: tensors.explain_broadcast((0, 3), (1, 3)), lambda r: r.result == (0, 3)),  # type: ignore[attr-defined]
    good("tensors.explain_broadcast", "incompatible is a report, not an error",
         lambda: tensors.explain_broadcast((2,), (3,)), lambda r: r.compatible is False and r.result is None),  # type: ignore[attr-defined]
    good("tensors.BroadcastReport", "returned by explain_broadcast",
         lambda: tensors.explain_broadcast((np.int64(3), 1), [4]),  # type: ignore[list-item]
         lambda r: isinstance(r, tensors.BroadcastReport) and r.result == (3, 4)),
    bad("tensors.plot_memory_layout", "ax str", lambda: tensors.plot_memory_layout(torch.ones(3), ax="x"), TypeError, "ax"),  # type: ignore[arg-type]
    bad("tensors.plot_memory_layout", "title int", lambda: tensors.plot_memory_layout(torch.ones(3), title=3), TypeError, "title"),  # type: ignore[arg-type]
    bad("tensors.plot_memory_layout", "meta", lambda: tensors.plot_memory_layout(_meta(3)), ValueError, "t", "hold data"),
    bad("tensors.plot_memory_layout", "too large", lambda: tensors.plot_memory_layout(torch.ones(200)), ValueError, "t", "at most 96"),
    bad("tensors.plot_memory_layout", "list", lambda: tensors.plot_memory_layout([1, 2]), TypeError, "t"),  # type: ignore[arg-type]
    # ---- probability
    bad("probability.check_probs", "str", lambda: probability.check_probs("0.5"), TypeError, "probs"),  # type: ignore[arg-type]
    bad("probability.check_probs", "2-D", lambda: probability.check_probs([[0.5, 0.5]]), ValueError, "probs", "1-D"),
    bad("probability.check_probs", "empty", lambda: probability.check_probs([]), ValueError, "probs"),
    bad("probability.check_probs", "nan", lambda: probability.check_probs([0.5, NAN]), ValueError, "probs", "finite"),
    bad("probability.check_probs", "inf", lambda: probability.check_probs([INF, 0.0]), ValueError, "probs", "finite"),
    bad("probability.check_probs", "negative", lambda: probability.check_probs([1.5, -0.5]), ValueError, "probs", "non-negative"),
    bad("probability.check_probs", "sum", lambda: probability.check_probs([0.5, 0.6]), ValueError, "probs", "sum to 1"),
    bad("probability.check_probs", "bool dtype", lambda: probability.check_probs(torch.tensor([True, False])), TypeError, "probs"),
    bad("probability.check_probs", "complex dtype", lambda: probability.check_probs(torch.tensor([1.0 + 0j])), TypeError, "probs"),
    bad("probability.check_probs", "meta", lambda: probability.check_probs(_meta(2) + 0.5), ValueError, "probs", "hold data"),
    good("probability.check_probs", "numpy array, not aliased",
         lambda: (lambda a: (probability.check_probs(a).fill_(9.0), a)[1])(np.array([0.5, 0.5])),
         lambda a: list(a) == [0.5, 0.5]),  # type: ignore[call-overload]
    bad("probability.roll_dice", "float count", lambda: probability.roll_dice(10.0), TypeError, "num_rolls"),  # type: ignore[arg-type]
    bad("probability.roll_dice", "negative count", lambda: probability.roll_dice(-1), ValueError, "num_rolls"),
    bad("probability.roll_dice", "zero faces", lambda: probability.roll_dice(3, num_faces=0), ValueError, "num_faces"),
    bad("probability.roll_dice", "6 faces vs 2 probs", lambda: probability.roll_dice(10, probs=[0.5, 0.5], num_faces=6), ValueError, "num_faces"),
    bad("probability.roll_dice", "generator int", lambda: probability.roll_dice(3, generator=0), TypeError, "generator"),  # type: ignore[arg-type]
    bad("probability.roll_dice", "nan probs", lambda: probability.roll_dice(3, probs=[NAN, 1.0]), ValueError, "probs"),
    good("probability.roll_dice", "zero rolls", lambda: probability.roll_dice(0), lambda r: r.shape == (0,)),  # type: ignore[attr-defined]
    good("probability.roll_dice", "numpy count", lambda: probability.roll_dice(np.int64(5)), lambda r: r.shape == (5,)),  # type: ignore[arg-type, attr-defined]
    bad("probability.face_counts", "float rolls", lambda: probability.face_counts(torch.tensor([0.0, 1.0]), 6), TypeError, "rolls"),
    bad("probability.face_counts", "2-D rolls", lambda: probability.face_counts(torch.zeros(2, 2, dtype=torch.long), 6), ValueError, "rolls"),
    bad("probability.face_counts", "out of range", lambda: probability.face_counts(torch.tensor([0, 6]), 6), ValueError, "rolls"),
    bad("probability.face_counts", "negative roll", lambda: probability.face_counts(torch.tensor([-1]), 6), ValueError, "rolls"),
    bad("probability.face_counts", "zero faces", lambda: probability.face_counts(torch.tensor([0]), 0), ValueError, "num_faces"),
    bad("probability.face_counts", "meta", lambda: probability.face_counts(_meta(3, dtype=torch.long), 6), ValueError, "rolls", "hold data"),
    bad("probability.face_counts", "list", lambda: probability.face_counts([0, 1], 6), TypeError, "rolls"),  # type: ignore[arg-type]
    good("probability.face_counts", "empty", lambda: probability.face_counts(torch.empty(0, dtype=torch.long), 3), lambda r: r.tolist() == [0, 0, 0]),  # type: ignore[attr-defined]
    bad("probability.running_estimates", "zero groups", lambda: probability.running_estimates(0, 5), ValueError, "num_groups"),
    bad("probability.running_estimates", "negative size", lambda: probability.running_estimates(3, -5), ValueError, "group_size"),
    bad("probability.running_estimates", "str groups", lambda: probability.running_estimates("3", 5), TypeError, "num_groups"),  # type: ignore[arg-type]
    bad("probability.running_estimates", "bad probs", lambda: probability.running_estimates(3, 5, probs=[0.3, 0.3]), ValueError, "probs"),
    bad("probability.running_estimates", "6 faces vs 2 probs", lambda: probability.running_estimates(3, 5, probs=[0.5, 0.5], num_faces=6), ValueError, "num_faces"),
    bad("probability.plot_estimates", "1-D", lambda: probability.plot_estimates(torch.ones(6)), ValueError, "estimates"),
    bad("probability.plot_estimates", "no rows", lambda: probability.plot_estimates(torch.ones(0, 6)), ValueError, "estimates"),
    bad("probability.plot_estimates", "complex", lambda: probability.plot_estimates(torch.ones(2, 2, dtype=torch.complex64)), TypeError, "estimates"),
    bad("probability.plot_estimates", "meta", lambda: probability.plot_estimates(_meta(2, 2)), ValueError, "estimates", "hold data"),
    bad("probability.plot_estimates", "ax str", lambda: probability.plot_estimates(torch.ones(2, 2) / 2, ax="x"), TypeError, "ax"),  # type: ignore[arg-type]
    bad("probability.plot_estimates", "probs length", lambda: probability.plot_estimates(torch.ones(2, 2) / 2, probs=[1.0]), ValueError, "probs"),
    # ---- data
    bad("data.synthetic_regression", "w nan", lambda: data.synthetic_regression([NAN], 0.0, 5), ValueError, "w", "finite"),
    bad("data.synthetic_regression", "w overflows float32", lambda: data.synthetic_regression([1e39], 0.0, 5), ValueError, "w", "float32"),
    bad("data.synthetic_regression", "w meta", lambda: data.synthetic_regression(_meta(2), 0.0, 5), ValueError, "w", "hold data"),
    bad("data.synthetic_regression", "w 2-D", lambda: data.synthetic_regression(torch.ones(2, 1), 0.0, 5), ValueError, "w", "1-D"),
    bad("data.synthetic_regression", "w empty", lambda: data.synthetic_regression([], 0.0, 5), ValueError, "w"),
    bad("data.synthetic_regression", "w str", lambda: data.synthetic_regression("ab", 0.0, 5), TypeError, "w"),  # type: ignore[arg-type]
    bad("data.synthetic_regression", "w complex", lambda: data.synthetic_regression(torch.ones(2, dtype=torch.complex64), 0.0, 5), TypeError, "w"),
    bad("data.synthetic_regression", "b inf", lambda: data.synthetic_regression([1.0], INF, 5), ValueError, "b"),
    bad("data.synthetic_regression", "zero examples", lambda: data.synthetic_regression([1.0], 0.0, 0), ValueError, "num_examples"),
    bad("data.synthetic_regression", "float examples", lambda: data.synthetic_regression([1.0], 0.0, 2.5), TypeError, "num_examples"),  # type: ignore[arg-type]
    bad("data.synthetic_regression", "negative noise", lambda: data.synthetic_regression([1.0], 0.0, 5, noise=-0.1), ValueError, "noise"),
    bad("data.synthetic_regression", "nan noise", lambda: data.synthetic_regression([1.0], 0.0, 5, noise=NAN), ValueError, "noise"),
    bad("data.synthetic_regression", "generator str", lambda: data.synthetic_regression([1.0], 0.0, 5, generator="g"), TypeError, "generator"),  # type: ignore[arg-type]
    good("data.synthetic_regression", "numpy inputs",
         lambda: data.synthetic_regression(np.array([2.0, -3.4]), np.float32(4.2), np.int64(5)),  # type: ignore[arg-type]
         lambda r: r[0].shape == (5, 2) and r[1].shape == (5, 1)),  # type: ignore[index]
    bad("data.make_loader", "no tensors", lambda: data.make_loader(batch_size=2, train=True), TypeError, "tensors"),
    bad("data.make_loader", "list", lambda: data.make_loader([1, 2], batch_size=2, train=True), TypeError, "tensors[0]"),  # type: ignore[arg-type]
    bad("data.make_loader", "0-D", lambda: data.make_loader(torch.tensor(1.0), batch_size=2, train=True), ValueError, "tensors[0]"),
    bad("data.make_loader", "lengths differ", lambda: data.make_loader(torch.ones(3), torch.ones(2), batch_size=2, train=True), ValueError, "tensors"),
    bad("data.make_loader", "empty, train", lambda: data.make_loader(torch.ones(0, 2), batch_size=2, train=True), ValueError, "tensors", "at least one example"),
    bad("data.make_loader", "empty, eval", lambda: data.make_loader(torch.ones(0, 2), batch_size=2, train=False), ValueError, "tensors", "at least one example"),
    bad("data.make_loader", "meta", lambda: data.make_loader(_meta(3), batch_size=2, train=False), ValueError, "tensors[0]", "hold data"),
    bad("data.make_loader", "zero batch", lambda: data.make_loader(torch.ones(3), batch_size=0, train=True), ValueError, "batch_size"),
    bad("data.make_loader", "train int", lambda: data.make_loader(torch.ones(3), batch_size=2, train=1), TypeError, "train"),  # type: ignore[arg-type]
    bad("data.make_loader", "drop_last None", lambda: data.make_loader(torch.ones(3), batch_size=2, train=True, drop_last=None), TypeError, "drop_last"),  # type: ignore[arg-type]
    bad("data.make_loader", "generator int", lambda: data.make_loader(torch.ones(3), batch_size=2, train=True, generator=1), TypeError, "generator"),  # type: ignore[arg-type]
    good("data.make_loader", "numpy batch size", lambda: data.make_loader(torch.arange(5), batch_size=np.int64(2), train=False),  # type: ignore[arg-type]
         lambda r: [len(b[0]) for b in r] == [2, 2, 1]),  # type: ignore[attr-defined]
    bad("data.preprocess_frame", "dict", lambda: data.preprocess_frame({"a": [1]}), TypeError, "frame"),  # type: ignore[arg-type]
    bad("data.preprocess_frame", "duplicate names", lambda: data.preprocess_frame(pd.DataFrame([[1.0, 2.0]], columns=["a", "a"])), ValueError, "frame", "'a'"),
    bad("data.preprocess_frame", "inf", lambda: data.preprocess_frame(pd.DataFrame({"a": [INF, -INF, NAN]})), ValueError, "frame", "'a'"),
    bad("data.preprocess_frame", "all missing", lambda: data.preprocess_frame(pd.DataFrame({"a": [NAN, NAN]})), ValueError, "frame", "'a'"),
    bad("data.preprocess_frame", "dates", lambda: data.preprocess_frame(pd.DataFrame({"d": pd.to_datetime(["2020-01-01"])})), TypeError, "frame", "'d'"),
    good("data.preprocess_frame", "no rows", lambda: data.preprocess_frame(pd.DataFrame({"a": pd.Series([], dtype=float)})),
         lambda r: len(r) == 0 and list(r.columns) == ["a"]),  # type: ignore[attr-defined]
    bad("data.frame_to_tensor", "tensor", lambda: data.frame_to_tensor(torch.ones(2, 2)), TypeError, "frame"),  # type: ignore[arg-type]
    bad("data.frame_to_tensor", "strings", lambda: data.frame_to_tensor(pd.DataFrame({"s": ["x"]})), ValueError, "frame", "'s'"),
    bad("data.frame_to_tensor", "missing", lambda: data.frame_to_tensor(pd.DataFrame({"a": [1.0, NAN]})), ValueError, "frame", "'a'"),
    bad("data.frame_to_tensor", "inf", lambda: data.frame_to_tensor(pd.DataFrame({"a": [1.0, INF]})), ValueError, "frame", "'a'"),
    bad("data.frame_to_tensor", "float32 overflow", lambda: data.frame_to_tensor(pd.DataFrame({"a": [1e300]})), ValueError, "frame", "float32"),
    bad("data.frame_to_tensor", "duplicate names", lambda: data.frame_to_tensor(pd.DataFrame([[1.0, 2.0]], columns=["a", "a"])), ValueError, "frame", "'a'"),
    good("data.frame_to_tensor", "no rows", lambda: data.frame_to_tensor(pd.DataFrame({"a": pd.Series([], dtype=float)})), lambda r: r.shape == (0, 1)),  # type: ignore[attr-defined]
    bad("data.load_csv", "target int", lambda: data.load_csv(__file__, target=2), TypeError, "target"),  # type: ignore[arg-type]
    bad("data.load_csv", "path int", lambda: data.load_csv(3), TypeError, "path"),  # type: ignore[arg-type]
    bad("data.load_csv", "missing file", lambda: data.load_csv("/nonexistent/dlnotes.csv"), FileNotFoundError, "dlnotes.csv"),
    bad("data.split_dataset", "dataset int", lambda: data.split_dataset(5, [1.0], generator=torch.Generator()), TypeError, "dataset"),  # type: ignore[arg-type]
    bad("data.split_dataset", "fractions str", lambda: data.split_dataset([1, 2], "ab", generator=torch.Generator()), TypeError, "fractions"),  # type: ignore[arg-type]
    bad("data.split_dataset", "fractions empty", lambda: data.split_dataset([1, 2], [], generator=torch.Generator()), ValueError, "fractions"),
    bad("data.split_dataset", "fractions nan", lambda: data.split_dataset([1, 2], [NAN, 1.0], generator=torch.Generator()), ValueError, "fractions", "finite"),
    bad("data.split_dataset", "fraction zero", lambda: data.split_dataset([1, 2], [1.0, 0.0], generator=torch.Generator()), ValueError, "fractions[1]"),
    bad("data.split_dataset", "fraction negative", lambda: data.split_dataset([1, 2], [1.5, -0.5], generator=torch.Generator()), ValueError, "fractions[0]"),
    bad("data.split_dataset", "sum not 1", lambda: data.split_dataset([1, 2], [0.5, 0.6], generator=torch.Generator()), ValueError, "fractions", "sum to 1"),
    bad("data.split_dataset", "empty part", lambda: data.split_dataset([1, 2], [0.9, 0.1], generator=torch.Generator()), ValueError, "fractions", "at least one example"),
    bad("data.split_dataset", "generator None", lambda: data.split_dataset([1, 2], [1.0], generator=None), TypeError, "generator", "reproducible"),  # type: ignore[arg-type]
    good("data.split_dataset", "numpy fractions", lambda: data.split_dataset(list(range(4)), np.array([0.5, 0.5]), generator=torch.Generator()),  # type: ignore[arg-type]
         lambda r: [len(p) for p in r] == [2, 2]),  # type: ignore[attr-defined]
    bad("data.TransformDataset", "transform str", lambda: data.TransformDataset([1, 2], "scale"), TypeError, "transform"),  # type: ignore[arg-type]
    bad("data.TransformDataset", "dataset int", lambda: data.TransformDataset(3, abs), TypeError, "dataset"),  # type: ignore[arg-type]
    bad("data.TransformDataset", "dataset str", lambda: data.TransformDataset("abc", abs), TypeError, "dataset"),  # type: ignore[arg-type]
    good("data.TransformDataset", "numpy array dataset", lambda: data.TransformDataset(np.array([1.0, -2.0]), abs)[1],  # type: ignore[arg-type]
         lambda r: r == 2.0),
    # ---- training
    bad("training.train_epoch", "model lambda", lambda: _train(model=lambda x: x), TypeError, "model"),
    bad("training.train_epoch", "loader tensor", lambda: _train(loader=torch.ones(2)), TypeError, "loader"),
    bad("training.train_epoch", "empty loader", lambda: _train(loader=[]), ValueError, "loader"),
    bad("training.train_epoch", "zero-size batch", lambda: _train(loader=[(torch.ones(0, 2), torch.ones(0, 1))]), ValueError, "batch", "at least one example"),
    bad("training.train_epoch", "meta batch", lambda: _train(loader=[(_meta(2, 2), torch.ones(2, 1))]), ValueError, "batch", "hold data"),
    bad("training.train_epoch", "(n,) vs (n, 1)", lambda: _train(loader=[(torch.ones(4, 2), torch.ones(4))]), ValueError, "y", r"\(4, 1\).*\(4,\)"),
    bad("training.train_epoch", "loss_fn str", lambda: _train(loss_fn="mse"), TypeError, "loss_fn"),
    bad("training.train_epoch", "sum reduction", lambda: _train(loss_fn=nn.MSELoss(reduction="sum")), ValueError, "loss_fn"),
    bad("training.train_epoch", "optimizer None", lambda: _train(optimizer=None), TypeError, "optimizer"),
    bad("training.train_epoch", "optimizer of another model",
        lambda: _train(optimizer=torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)), ValueError, "optimizer"),
    bad("training.train_epoch", "device meta", lambda: _train(device=META), ValueError, "device"),
    bad("training.train_epoch", "device xyz", lambda: _train(device="xyz"), ValueError, "device"),
    bad("training.train_epoch", "device int", lambda: _train(device=0), TypeError, "device"),
    bad("training.evaluate", "zero-size batch", lambda: _evaluate(loader=[(torch.ones(0, 2), torch.ones(0, 1))]), ValueError, "batch"),
    bad("training.evaluate", "empty loader", lambda: _evaluate(loader=[]), ValueError, "loader"),
    bad("training.evaluate", "metric str", lambda: _evaluate(metric="acc"), TypeError, "metric"),
    bad("training.evaluate", "(n,) vs (n, 1)", lambda: _evaluate(loader=[(torch.ones(4, 2), torch.ones(4))]), ValueError, "y"),
    bad("training.evaluate", "device meta", lambda: _evaluate(device=META), ValueError, "device"),
    bad("training.evaluate", "model None", lambda: _evaluate(model=None), TypeError, "model"),
    bad("training.fit", "zero epochs", lambda: _fit(num_epochs=0), ValueError, "num_epochs"),
    bad("training.fit", "float epochs", lambda: _fit(num_epochs=2.0), TypeError, "num_epochs"),
    bad("training.fit", "progress str", lambda: _fit(progress="yes"), TypeError, "progress"),
    bad("training.fit", "metric without val_loader", lambda: _fit(metric=training.accuracy), ValueError, "metric"),
    bad("training.fit", "metric_name int", lambda: _fit(metric_name=3), TypeError, "metric_name"),
    bad("training.fit", "val_loader int", lambda: _fit(val_loader=3), TypeError, "val_loader"),
    bad("training.fit", "device meta, model stays", lambda: _fit_keeps_model_on_cpu(META), ValueError, "device"),
    bad("training.fit", "device xyz, model stays", lambda: _fit_keeps_model_on_cpu("xyz"), ValueError, "device"),
    bad("training.fit", "zero-size batch", lambda: _fit(train_loader=[(torch.ones(0, 2), torch.ones(0, 1))]), ValueError, "batch"),
    bad("training.fit", "keep_best unknown", lambda: _fit(keep_best="best", val_loader=[(torch.ones(2, 2), torch.ones(2, 1))]), ValueError, "keep_best", "val_loss"),
    bad("training.fit", "keep_best bool", lambda: _fit(keep_best=True), TypeError, "keep_best"),
    bad("training.fit", "keep_best without val_loader", lambda: _fit(keep_best="val_loss"), ValueError, "keep_best", "val_loader"),
    bad("training.fit", "keep_best metric without metric", lambda: _fit(keep_best="min_metric", val_loader=[(torch.ones(2, 2), torch.ones(2, 1))]), ValueError, "keep_best", "metric"),
    good("training.fit", "keep_best val_loss", lambda: _fit(keep_best="val_loss", num_epochs=2, val_loader=[(torch.ones(2, 2), torch.ones(2, 1))]), lambda h: h.best_epoch in (1, 2)),  # type: ignore[attr-defined]
    good("training.fit", "numpy epochs", lambda: _fit(num_epochs=np.int64(2)), lambda h: h.epochs == 2),  # type: ignore[attr-defined]
    bad("training.History", "val_loss longer", lambda: training.History(train_loss=[1.0], val_loss=[1.0, 2.0]), ValueError, "val_loss"),
    bad("training.History", "tensor entries", lambda: training.History(train_loss=[torch.tensor(1.0)]), TypeError, "train_loss[0]"),  # type: ignore[list-item]
    bad("training.History", "not a list", lambda: training.History(train_loss="abc"), TypeError, "train_loss"),  # type: ignore[arg-type]
    bad("training.History", "best_epoch beyond the epochs", lambda: training.History(train_loss=[1.0], best_epoch=2), ValueError, "best_epoch"),
    bad("training.History", "best_epoch str", lambda: training.History(train_loss=[1.0], best_epoch="1"), TypeError, "best_epoch"),  # type: ignore[arg-type]
    bad("training.History", "metric_name int", lambda: training.History(metric_name=1), TypeError, "metric_name"),  # type: ignore[arg-type]
    bad("training.History", "plot ax str", lambda: training.History(train_loss=[1.0]).plot(ax="x"), TypeError, "ax"),  # type: ignore[arg-type]
    bad("training.History", "plot logy int", lambda: training.History(train_loss=[1.0]).plot(logy=1), TypeError, "logy"),  # type: ignore[arg-type]
    bad("training.History", "plot nothing", lambda: training.History().plot(), ValueError, "History"),
    good("training.History", "nan recorded (divergence)", lambda: training.History(train_loss=[NAN, INF]), lambda h: h.epochs == 2),  # type: ignore[attr-defined]
    bad("training.Timer", "device int", lambda: training.Timer(1), TypeError, "device"),  # type: ignore[arg-type]
    bad("training.Timer", "device xyz", lambda: training.Timer("xyz"), ValueError, "device"),
    bad("training.Timer", "device meta", lambda: training.Timer(META), ValueError, "device"),
    bad("training.Timer", "device gpu 99", lambda: training.Timer("cuda:99"), ValueError, "device"),
    good("training.Timer", "cpu", lambda: training.Timer("cpu").stop(), lambda t: isinstance(t, float) and t >= 0),
    bad("training.accuracy", "nan probabilities", lambda: training.accuracy(torch.tensor([NAN, NAN]), torch.tensor([0, 0])), ValueError, "y_hat", "NaN"),
    bad("training.accuracy", "nan row of scores", lambda: training.accuracy(torch.tensor([[NAN, NAN], [1.0, 0.0]]), torch.tensor([0, 0])), ValueError, "y_hat", "NaN"),
    bad("training.accuracy", "labels out of range", lambda: training.accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([7, -3])), ValueError, "y", r"\[0, 1\]"),
    bad("training.accuracy", "nan labels", lambda: training.accuracy(torch.zeros(2, 3), torch.tensor([NAN, 1.0])), ValueError, "y"),
    bad("training.accuracy", "logits as probabilities", lambda: training.accuracy(torch.tensor([2.0, -1.0]), torch.tensor([1, 0])), ValueError, "y_hat", "sigmoid"),
    bad("training.accuracy", "empty", lambda: training.accuracy(torch.zeros(0, 2), torch.zeros(0)), ValueError, "y"),
    bad("training.accuracy", "3-D", lambda: training.accuracy(torch.zeros(2, 2, 2), torch.zeros(2)), ValueError, "y_hat"),
    bad("training.accuracy", "n differs", lambda: training.accuracy(torch.zeros(3, 2), torch.zeros(2, dtype=torch.long)), ValueError, "y_hat"),
    bad("training.accuracy", "meta", lambda: training.accuracy(_meta(2, 2), torch.tensor([0, 1])), ValueError, "y_hat", "hold data"),
    bad("training.accuracy", "complex", lambda: training.accuracy(torch.zeros(2, 2, dtype=torch.complex64), torch.tensor([0, 1])), TypeError, "y_hat"),
    bad("training.accuracy", "list labels", lambda: training.accuracy(torch.zeros(2, 2), [0, 1]), TypeError, "y"),  # type: ignore[arg-type]
    good("training.accuracy", "bool labels", lambda: training.accuracy(torch.tensor([0.9, 0.1]), torch.tensor([True, False])), lambda r: r == 1.0),
    # ---- plotting
    bad("plotting.set_figsize", "one number", lambda: plotting.set_figsize((4.5,)), TypeError, "figsize"),  # type: ignore[arg-type]
    bad("plotting.set_figsize", "str", lambda: plotting.set_figsize("4x3"), TypeError, "figsize"),  # type: ignore[arg-type]
    bad("plotting.set_figsize", "zero", lambda: plotting.set_figsize((0, 2)), ValueError, "figsize"),
    bad("plotting.set_figsize", "negative", lambda: plotting.set_figsize((-1, 2)), ValueError, "figsize"),
    bad("plotting.set_figsize", "nan", lambda: plotting.set_figsize((NAN, 2)), ValueError, "figsize"),
    bad("plotting.set_figsize", "bool", lambda: plotting.set_figsize((True, 2)), TypeError, "figsize"),
    good("plotting.set_figsize", "numpy numbers", lambda: plotting.set_figsize((np.float32(3), 2)), lambda r: r is None),  # type: ignore[arg-type]
    bad("plotting.plot", "ax str", lambda: plotting.plot(None, [1, 2], ax="x"), TypeError, "ax"),  # type: ignore[arg-type]
    bad("plotting.plot", "3-D ys", lambda: plotting.plot(None, torch.zeros(2, 2, 2)), ValueError, "ys"),
    bad("plotting.plot", "string ys", lambda: plotting.plot(None, ["a", "b"]), TypeError, "ys"),
    bad("plotting.plot", "complex ys", lambda: plotting.plot(None, np.array([1 + 1j, 2])), TypeError, "ys"),
    bad("plotting.plot", "complex tensor", lambda: plotting.plot(None, torch.ones(2, dtype=torch.complex64)), TypeError, "ys"),
    bad("plotting.plot", "meta ys", lambda: plotting.plot(None, _meta(3)), ValueError, "ys", "hold data"),
    bad("plotting.plot", "lengths differ", lambda: plotting.plot([0, 1, 2], [1, 2]), ValueError, "x"),
    bad("plotting.plot", "xlim one number", lambda: plotting.plot(None, [1, 2], xlim=(0,)), TypeError, "xlim"),  # type: ignore[arg-type]
    bad("plotting.plot", "ylim inf", lambda: plotting.plot(None, [1, 2], ylim=(0, INF)), ValueError, "ylim"),
    bad("plotting.plot", "scale", lambda: plotting.plot(None, [1, 2], yscale="logarithmic"), ValueError, "yscale"),
    bad("plotting.plot", "xlabel int", lambda: plotting.plot(None, [1, 2], xlabel=3), TypeError, "xlabel"),  # type: ignore[arg-type]
    bad("plotting.plot", "legend str", lambda: plotting.plot(None, [1, 2], legend="a"), TypeError, "legend"),
    bad("plotting.plot", "fmts empty", lambda: plotting.plot(None, [1, 2], fmts=()), ValueError, "fmts"),
    bad("plotting.plot", "figsize zero", lambda: plotting.plot(None, [1, 2], figsize=(0, 1)), ValueError, "figsize"),
    good("plotting.plot", "numpy limits", lambda: plotting.plot(None, [1, 2], xlim=(np.int64(0), 1)), lambda ax: ax.get_xlim() == (0.0, 1.0)),  # type: ignore[arg-type, attr-defined]
    good("plotting.plot", "nan values are gaps", lambda: plotting.plot(None, [1.0, NAN, 2.0]), lambda ax: len(ax.get_lines()) == 1),  # type: ignore[attr-defined]
    good("plotting.plot", "empty series", lambda: plotting.plot(None, []), lambda ax: len(ax.get_lines()) == 1),  # type: ignore[attr-defined]
    # ---- autograd (behaviour owned by the autograd/graphs helper)
    bad("autograd.Value", "str", lambda: autograd.Value("a"), TypeError, "data"),  # type: ignore[arg-type]
    bad("autograd.Value", "bad parents", lambda: autograd.Value(1, parents=("a",)), TypeError, "parents"),  # type: ignore[arg-type]
    good("autograd.Value", "0 ** 0.5: torch's gradient inf", lambda: _value_grad(0.0, 0.5), lambda g: g == INF),
    good("autograd.Value", "0 ** 0: torch's gradient 0", lambda: _value_grad(0.0, 0), lambda g: g == 0.0),
    good("autograd.Value", "exp overflow: inf", lambda: autograd.Value(1000).exp().data, lambda v: v == INF),
    good("autograd.Value", "relu(nan) is nan", lambda: autograd.Value(NAN).relu().data, lambda v: math.isnan(v)),  # type: ignore[arg-type]
    bad("autograd.Dual", "str", lambda: autograd.Dual("a"), TypeError, "value"),  # type: ignore[arg-type]
    good("autograd.Dual", "relu(nan) is nan", lambda: autograd.Dual(NAN).relu().value, lambda v: math.isnan(v)),  # type: ignore[arg-type]
    good("autograd.Dual", "0 ** 0.5: tangent inf", lambda: (autograd.Dual(0.0, 1.0) ** 0.5).tangent, lambda t: t == INF),
    bad("autograd.forward_gradient", "f not callable", lambda: autograd.forward_gradient("f", [1.0]), TypeError, "f"),  # type: ignore[arg-type]
    bad("autograd.forward_gradient", "empty point", lambda: autograd.forward_gradient(lambda: 1.0, []), ValueError, "xs"),
    good("autograd.forward_gradient", "numpy point", lambda: autograd.forward_gradient(lambda a, b: a * b, np.array([1.0, 2.0])),  # type: ignore[arg-type]
         lambda r: list(r[0]) == [2.0, 1.0]),  # type: ignore[index]
    bad("autograd.reverse_gradient", "f not callable", lambda: autograd.reverse_gradient(3, [1.0]), TypeError, "f"),  # type: ignore[arg-type]
    bad("autograd.reverse_gradient", "str point", lambda: autograd.reverse_gradient(lambda a: a, "1"), TypeError, "xs"),  # type: ignore[arg-type]
    good("autograd.reverse_gradient", "numpy point", lambda: autograd.reverse_gradient(lambda a, b: a * b, np.array([1.0, 2.0])),  # type: ignore[arg-type]
         lambda r: list(r[0]) == [2.0, 1.0]),  # type: ignore[index]
    bad("autograd.numerical_derivative", "h zero", lambda: autograd.numerical_derivative(math.sin, 1.0, h=0), ValueError, "h"),
    bad("autograd.numerical_derivative", "h nan", lambda: autograd.numerical_derivative(math.sin, 1.0, h=NAN), ValueError, "h"),
    bad("autograd.numerical_derivative", "h negative", lambda: autograd.numerical_derivative(math.sin, 1.0, h=-1e-3), ValueError, "h"),
    bad("autograd.numerical_derivative", "method", lambda: autograd.numerical_derivative(math.sin, 1.0, method="x"), ValueError, "method"),
    bad("autograd.numerical_derivative", "x str", lambda: autograd.numerical_derivative(math.sin, "1"), TypeError, "x"),  # type: ignore[arg-type]
    bad("autograd.numerical_derivative", "f not callable", lambda: autograd.numerical_derivative(3, 1.0), TypeError, "f"),  # type: ignore[arg-type]
    bad("autograd.difference_quotients", "empty steps", lambda: autograd.difference_quotients(math.sin, 1.0, []), ValueError, "hs"),
    bad("autograd.difference_quotients", "zero step", lambda: autograd.difference_quotients(math.sin, 1.0, [0.1, 0.0]), ValueError, "hs[1]"),
    good("autograd.difference_quotients", "numpy steps", lambda: autograd.difference_quotients(math.sin, 1.0, np.array([0.1])),  # type: ignore[arg-type]
         lambda r: len(r) == 1),  # type: ignore[arg-type]
    bad("autograd.gradcheck", "int inputs", lambda: autograd.gradcheck(lambda x: x.sum(), [torch.ones(2, dtype=torch.long)]), ValueError, "inputs[0]"),
    bad("autograd.gradcheck", "eps zero", lambda: autograd.gradcheck(lambda x: x.sum(), [torch.ones(2, dtype=torch.float64)], eps=0), ValueError, "eps"),
    bad("autograd.gradcheck", "atol negative", lambda: autograd.gradcheck(lambda x: x.sum(), [torch.ones(2, dtype=torch.float64)], atol=-1), ValueError, "atol"),
    bad("autograd.gradcheck", "meta inputs", lambda: autograd.gradcheck(lambda x: x.sum(), [_meta(2, dtype=torch.float64)]), ValueError, "inputs[0]"),
    bad("autograd.gradcheck", "f not differentiable", lambda: autograd.gradcheck(lambda x: (x > 0).sum().double(), [torch.ones(2, dtype=torch.float64)]), ValueError, "f"),
    bad("autograd.gradcheck", "f not callable", lambda: autograd.gradcheck(3, [torch.ones(2, dtype=torch.float64)]), TypeError, "f"),  # type: ignore[arg-type]
    good("autograd.GradcheckResult", "returned by gradcheck",
         lambda: autograd.gradcheck(lambda x: (x ** 2).sum(), [torch.tensor([1.0, 2.0], dtype=torch.float64)]),
         lambda r: isinstance(r, autograd.GradcheckResult) and r.ok and str(r).startswith("gradcheck: ok")),
    # ---- graphs (behaviour owned by the autograd/graphs helper)
    bad("graphs.Graph", "nodes str", lambda: graphs.Graph("abc", None), TypeError, "nodes"),  # type: ignore[arg-type]
    bad("graphs.Graph", "edge to a missing node", lambda: graphs.Graph((_node(0),), ((0, 3),)), ValueError, "edges[0]"),
    bad("graphs.Graph", "id not its position", lambda: graphs.Graph((_node(7),), ()), ValueError, "nodes"),
    bad("graphs.Graph", "node not a GraphNode", lambda: graphs.Graph(("x",), ()), TypeError, "nodes[0]"),  # type: ignore[arg-type]
    bad("graphs.GraphNode", "unknown kind", lambda: graphs.GraphNode(0, "a", "bogus"), ValueError, "kind"),
    bad("graphs.graph_from_tensor", "str", lambda: graphs.graph_from_tensor("x"), TypeError, "t"),  # type: ignore[arg-type]
    bad("graphs.graph_from_tensor", "no graph", lambda: graphs.graph_from_tensor(torch.ones(2)), ValueError, "t"),
    bad("graphs.graph_from_tensor", "params int", lambda: graphs.graph_from_tensor(_tensor_graph(), params=3), TypeError, "params"),  # type: ignore[arg-type]
    bad("graphs.graph_from_value", "int", lambda: graphs.graph_from_value(3), TypeError, "v"),  # type: ignore[arg-type]
    bad("graphs.draw_graph", "root str", lambda: graphs.draw_graph("abc"), TypeError, "root"),  # type: ignore[arg-type]
    bad("graphs.draw_graph", "rankdir", lambda: graphs.draw_graph(_tensor_graph(), rankdir="XY"), ValueError, "rankdir"),
    bad("graphs.draw_graph", "ax str", lambda: graphs.draw_graph(_tensor_graph(), ax="x"), TypeError, "ax"),  # type: ignore[arg-type]
    bad("graphs.MAX_DRAWN_NODES", "one node over the limit", lambda: graphs.draw_graph(graphs.Graph(
        tuple(_node(i) for i in range(graphs.MAX_DRAWN_NODES + 1)), ())), ValueError, "root", "at most"),
]


# ------------------------------------------------------------------------------ tests


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    # ids avoid the bare word "cuda": conftest skips tests with that keyword on CPU machines
    return pytest.param(case, id=f"{case.target}:{case.label}", marks=marks)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterable[None]:
    import matplotlib.pyplot as plt

    size = list(plt.rcParams["figure.figsize"])
    yield
    plt.close("all")
    plt.rcParams["figure.figsize"] = size  # set_figsize cases change the global default


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input(case: Case) -> None:
    if case.raises is None:
        assert case.check is not None
        result = case.call()
        assert case.check(result), f"unexpected result {result!r}"
        return
    with pytest.raises(Exception) as info:
        case.call()
    err = info.value
    assert type(err) is case.raises or isinstance(err, case.raises), (
        f"expected {case.raises.__name__}, got {type(err).__name__}: {err}"
    )
    message = str(err)
    # the argument is named as a word ("y" must not match inside "y_hat")
    assert re.search(rf"(?<![\w.\[]){re.escape(case.names)}(?![\w\[])", message), (
        f"the message does not name {case.names!r}: {message}"
    )
    if case.match:
        assert re.search(case.match, message), f"{case.match!r} not in: {message}"


def _modules() -> list[ModuleType]:
    return [getattr(dlnotes, name) for name in dlnotes.__all__ if isinstance(getattr(dlnotes, name), ModuleType)]


#: Result types: the package returns them and never reads them back, so a valid instance
#: from the function that makes it is their case; they need no raising case.
RESULT_TYPES = {"tensors.StorageInfo", "tensors.BroadcastReport", "autograd.GradcheckResult"}
#: Public names that take no arguments at all.
NO_ARGUMENTS = {"devices.device_count"}


def _uncovered(modules: list[ModuleType], cases: list[Case]) -> list[str]:
    """Public names with no case, or (when they take arguments) without a raising case."""
    targets = {c.target for c in cases}
    raising = {c.target for c in cases if c.raises is not None}
    missing = []
    for module in modules:
        short = module.__name__.rsplit(".", 1)[-1]
        for name in module.__all__:
            key = f"{short}.{name}"
            if key not in targets:
                missing.append(key)
            elif key not in raising and key not in RESULT_TYPES | NO_ARGUMENTS:
                missing.append(f"{key} (no bad-input case)")
    return missing


def test_table_covers_every_public_name() -> None:
    modules = _modules()
    assert {m.__name__ for m in modules} >= {
        "dlnotes.devices", "dlnotes.tensors", "dlnotes.autograd", "dlnotes.graphs",
        "dlnotes.probability", "dlnotes.data", "dlnotes.training", "dlnotes.plotting",
    }
    assert _uncovered(modules, CASES) == []
    known = {f"{m.__name__.rsplit('.', 1)[-1]}.{n}" for m in modules for n in m.__all__}
    assert {c.target for c in CASES} <= known, "a case names something that is not public"


def test_coverage_check_would_notice_a_new_public_function() -> None:
    fake = ModuleType("dlnotes.fake")
    fake.__all__ = ["new_function"]  # type: ignore[attr-defined]
    assert _uncovered([fake], CASES) == ["fake.new_function"]
    only_good = [good("fake.new_function", "valid", lambda: 1, lambda r: r == 1)]
    assert _uncovered([fake], only_good) == ["fake.new_function (no bad-input case)"]


def test_every_kind_of_bad_input_is_tried() -> None:
    labels = " ".join(c.label for c in CASES)
    for kind in ("nan", "inf", "empty", "zero", "negative", "meta", "complex", "str", "numpy", "2-D"):
        assert kind in labels, kind
