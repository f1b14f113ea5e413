"""Data helpers: synthetic regression data, datasets, loaders and CSV preprocessing.

The tensor helpers (:func:`synthetic_regression`, :func:`make_loader`,
:func:`split_dataset`, :class:`TransformDataset`) need only torch.
The frame helpers (:func:`preprocess_frame`, :func:`frame_to_tensor`, :func:`load_csv`)
need pandas, which is imported inside them, so ``import dlnotes`` never loads it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

from dlnotes._checks import (
    check_bool,
    check_callable,
    check_generator,
    check_int,
    check_real,
    check_real_vector,
    check_tensor,
    type_error,
)

if TYPE_CHECKING:
    import pandas

__all__ = [
    "TransformDataset",
    "frame_to_tensor",
    "load_csv",
    "make_loader",
    "preprocess_frame",
    "split_dataset",
    "synthetic_regression",
]


def synthetic_regression(
    w: Tensor | Sequence[float],
    b: float,
    num_examples: int,
    noise: float = 0.01,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, Tensor]:
    """Draw a linear-regression data set ``y = X w + b + noise``.

    The features are standard normal; the labels are the exact linear function of the
    features plus Gaussian noise with standard deviation ``noise``.

    Parameters
    ----------
    w : Tensor of shape (d,), array or sequence of d floats
        The true weights, finite. A floating tensor keeps its dtype and device; anything
        else (a list, a NumPy array, an integer tensor) becomes float32 on the CPU.
    b : float
        The true bias.
    num_examples : int
        The number of examples n, at least 1.
    noise : float, default=0.01
        The standard deviation of the label noise, at least 0.
    generator : torch.Generator or None, default=None
        Source of randomness, on the device of ``w``; None uses torch's global
        generator.

    Returns
    -------
    X : Tensor of shape (n, d)
        The features, drawn from N(0, 1).
    y : Tensor of shape (n, 1)
        The labels ``X @ w + b`` plus noise.

    Raises
    ------
    TypeError
        If ``w`` is not a tensor or a sequence of real numbers, ``b`` or ``noise`` is not a
        real number, ``num_examples`` is not an int or ``generator`` is not a
        ``torch.Generator``.
    ValueError
        If ``w`` is not 1-D, is empty, holds NaN or inf, holds values too large for
        float32 or lives on the ``meta`` device; if ``num_examples < 1``, ``noise < 0``,
        ``b`` or ``noise`` is not finite, or ``generator`` is on another device than ``w``.

    Examples
    --------
    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> X, y = synthetic_regression([2.0, -3.4], 4.2, 1000, generator=g)
    >>> X.shape, y.shape, X.dtype
    (torch.Size([1000, 2]), torch.Size([1000, 1]), torch.float32)
    >>> residual = y - (X @ torch.tensor([[2.0], [-3.4]]) + 4.2)
    >>> round(residual.std().item(), 2)
    0.01
    """
    if isinstance(w, (str, bytes)):
        raise type_error("w", "a 1-D tensor or a sequence of numbers", w)
    keep = isinstance(w, Tensor) and w.is_floating_point()
    w_t = check_tensor(
        w, "w", like=True, kinds="fi", finite=True, dtype=None if keep else torch.float32
    )
    if w_t.ndim != 1:
        raise ValueError(
            f"w must be 1-D of shape (d,), got shape {tuple(w_t.shape)}; "
            "flatten it (w.reshape(-1)) if it holds d weights"
        )
    if w_t.numel() == 0:
        raise ValueError("w must hold at least one weight, got an empty w of shape (0,)")
    b_f = check_real(b, "b")
    n = check_int(num_examples, "num_examples", minimum=1)
    noise_f = check_real(noise, "noise", minimum=0.0)
    gen = check_generator(generator, device=w_t.device)

    X = torch.randn(
        (n, w_t.numel()), generator=gen, dtype=w_t.dtype, device=w_t.device
    )
    eps = torch.randn((n, 1), generator=gen, dtype=w_t.dtype, device=w_t.device)
    y = X @ w_t.reshape(-1, 1) + b_f + noise_f * eps
    return X, y


def make_loader(
    *tensors: Tensor,
    batch_size: int,
    train: bool,
    generator: torch.Generator | None = None,
    drop_last: bool = False,
) -> DataLoader[tuple[Tensor, ...]]:
    """Wrap tensors in a ``DataLoader`` that shuffles for training only.

    Example ``i`` is the tuple ``(t[i] for t in tensors)``. A training loader
    (``train=True``) draws a new random order every epoch; with a seeded ``generator`` the
    sequence of orders is reproducible. An evaluation loader keeps the data order.

    Parameters
    ----------
    *tensors : Tensor of shape (n, ...)
        One or more tensors with the same first dimension n, e.g. ``X, y``.
    batch_size : int
        The number of examples per batch, at least 1.
    train : bool
        True for a training loader (shuffled), False for evaluation (fixed order).
    generator : torch.Generator or None, default=None
        A CPU generator for the shuffling; None uses torch's global generator. Unused when
        ``train=False``.
    drop_last : bool, default=False
        Drop the last batch if it is smaller than ``batch_size``.

    Returns
    -------
    DataLoader
        A loader over a ``TensorDataset`` of ``tensors``, yielding lists of tensors of
        shape (batch_size, ...).

    Raises
    ------
    TypeError
        If no tensors are given, an argument is not a tensor, ``batch_size`` is not an
        int, ``train`` or ``drop_last`` is not a bool or ``generator`` is not a
        ``torch.Generator``.
    ValueError
        If a tensor is 0-D or on the ``meta`` device, the tensors differ in their first
        dimension or hold no examples, ``batch_size < 1`` or ``generator`` is not on the CPU.

    Examples
    --------
    >>> import torch
    >>> X = torch.arange(10.0).reshape(5, 2)
    >>> y = torch.arange(5)
    >>> loader = make_loader(X, y, batch_size=2, train=False)
    >>> [yb.tolist() for _, yb in loader]
    [[0, 1], [2, 3], [4]]
    >>> g = torch.Generator().manual_seed(0)
    >>> train_loader = make_loader(X, y, batch_size=2, train=True, generator=g)
    >>> sorted(i for _, yb in train_loader for i in yb.tolist())
    [0, 1, 2, 3, 4]
    """
    if not tensors:
        raise TypeError("make_loader needs at least one tensor in *tensors, got none")
    for i, t in enumerate(tensors):
        check_tensor(t, f"tensors[{i}]", copy=False)
        if t.ndim == 0:
            raise ValueError(
                f"tensors[{i}] must have at least one dimension (the examples), got a 0-D tensor"
            )
    lengths = [t.shape[0] for t in tensors]
    if len(set(lengths)) != 1:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise ValueError(
            "tensors must share their first dimension (the number of examples), "
            f"got first dimensions {lengths} (shapes {shapes})"
        )
    if lengths[0] == 0:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise ValueError(
            "tensors must hold at least one example (a loader over no data has no batches); "
            f"received shapes {shapes}"
        )
    size = check_int(batch_size, "batch_size", minimum=1)
    train = check_bool(train, "train")
    drop_last = check_bool(drop_last, "drop_last")
    gen = check_generator(generator, device=torch.device("cpu"))
    dataset = TensorDataset(*tensors)
    return DataLoader(
        dataset,
        batch_size=size,
        shuffle=train,
        generator=gen if train else None,
        drop_last=drop_last,
    )


def _check_dataset(dataset: object, name: str = "dataset") -> None:
    """Raise ``TypeError`` unless ``dataset`` is map-style (has ``__len__`` and ``__getitem__``)."""
    if isinstance(dataset, (str, bytes)) or not (
        hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")
    ):
        raise type_error(
            name, "a map-style dataset (with __len__ and __getitem__), e.g. a TensorDataset",
            dataset,
        )


class TransformDataset(Dataset[Any]):
    """A map-style dataset that applies a transform to each example's features on access.

    ``TransformDataset(dataset, transform)[i]`` reads ``dataset[i]`` and, if it is a tuple
    ``(x, y, ...)``, returns ``(transform(x), y, ...)``; any other example ``x`` is returned
    as ``transform(x)``. Nothing is precomputed: the transform runs in ``__getitem__``,
    every time an example is read, so a random transform (data augmentation) gives a new
    variant of the example in every epoch, while the wrapped data stay unchanged.

    Parameters
    ----------
    dataset : Dataset
        A map-style dataset: anything with ``__len__`` and ``__getitem__``, such as a
        ``TensorDataset``, a ``Subset`` from :func:`split_dataset` or a list.
    transform : callable
        Called as ``transform(x)`` on the features of one example; its result replaces
        them. Both arguments are kept as the attributes ``dataset`` and ``transform``.

    Raises
    ------
    TypeError
        If ``dataset`` has no ``__len__`` or no ``__getitem__`` (or is a string), or
        ``transform`` is not callable.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> base = TensorDataset(torch.tensor([[0.0, 255.0], [51.0, 102.0]]), torch.tensor([1, 0]))
    >>> scaled = TransformDataset(base, lambda x: x / 255)
    >>> len(scaled)
    2
    >>> x, y = scaled[1]
    >>> x.tolist(), y.item()
    ([0.20000000298023224, 0.4000000059604645], 0)
    >>> base[1][0].tolist()  # the wrapped data are unchanged
    [51.0, 102.0]
    """

    def __init__(self, dataset: Dataset[Any], transform: Callable[[Any], Any]) -> None:
        _check_dataset(dataset)
        self.dataset = dataset
        self.transform = check_callable(transform, "transform", how="transform(x)")

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> Any:
        example = self.dataset[index]
        if isinstance(example, tuple):
            return (self.transform(example[0]), *example[1:])
        return self.transform(example)

    def __repr__(self) -> str:
        name = getattr(self.transform, "__name__", type(self.transform).__name__)
        return f"TransformDataset({type(self.dataset).__name__} of {len(self)}, transform={name})"


def split_dataset(
    dataset: Dataset[Any],
    fractions: Sequence[float],
    *,
    generator: torch.Generator,
) -> list[Subset[Any]]:
    """Split a dataset at random into disjoint parts of given fractions, reproducibly.

    The part sizes are ``floor(fraction * n)``, and the examples left over by the
    rounding go one each to the first parts, in order: the same sizes as
    ``torch.utils.data.random_split(dataset, fractions)``. The examples are assigned by
    one random permutation drawn from ``generator``, so the parts are disjoint, cover the
    dataset, and a generator seeded the same way gives the same split.

    Parameters
    ----------
    dataset : Dataset
        A map-style dataset with n examples (``__len__`` and ``__getitem__``).
    fractions : sequence of float
        The fraction of the examples in each part, each in (0, 1], summing to 1
        (within 1e-6); e.g. ``[0.8, 0.2]`` for training and validation.
    generator : torch.Generator
        A CPU generator, keyword only and required: a split made with torch's global
        generator changes when any other code draws a random number first.

    Returns
    -------
    list of Subset
        One ``Subset`` per fraction, in order; ``part.indices`` are the positions of its
        examples in ``dataset``.

    Raises
    ------
    TypeError
        If ``dataset`` is not a map-style dataset, ``fractions`` is not a 1-D sequence
        of real numbers or ``generator`` is not a ``torch.Generator``.
    ValueError
        If ``fractions`` is empty, holds a value outside (0, 1], does not sum to 1, or
        would give a part with no examples; if ``generator`` is not on the CPU.

    Examples
    --------
    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> train, val = split_dataset(list(range(10)), [0.75, 0.25], generator=g)
    >>> len(train), len(val)
    (8, 2)
    >>> sorted(train.indices + val.indices) == list(range(10))
    True
    >>> again = split_dataset(list(range(10)), [0.75, 0.25], generator=torch.Generator().manual_seed(0))
    >>> again[1].indices == val.indices
    True
    """
    _check_dataset(dataset)
    parts = check_real_vector(fractions, "fractions")
    for i, fraction in enumerate(parts):
        if not 0.0 < fraction <= 1.0:
            raise ValueError(
                f"fractions must each be in (0, 1]; received fractions[{i}] = {fraction!r}"
            )
    total = math.fsum(parts)
    if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=1e-6):
        raise ValueError(
            f"fractions must sum to 1 (within 1e-06); received {parts}, which sums to {total:.6g}"
        )
    if generator is None:
        raise TypeError(
            "generator must be a torch.Generator, e.g. torch.Generator().manual_seed(0), "
            "so that the split is reproducible; received None"
        )
    gen = check_generator(generator, device=torch.device("cpu"))
    n = len(dataset)  # type: ignore[arg-type]
    sizes = [math.floor(n * fraction) for fraction in parts]
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    for i in range(sum(sizes) - n):  # fractions summing to a hair over 1
        sizes[-1 - i % len(sizes)] -= 1
    if min(sizes) == 0:
        raise ValueError(
            f"fractions {parts} of a dataset of {n} examples give part sizes {sizes}; "
            "every part needs at least one example (use fewer parts or larger fractions)"
        )
    return random_split(dataset, sizes, generator=gen)


def _pandas() -> Any:
    """Import pandas, or say how to install it."""
    try:
        import pandas
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            "the frame helpers of dlnotes.data need pandas; install it with "
            "pip install 'dlnotes[pandas]'"
        ) from err
    return pandas


def _check_frame(name: str, frame: object) -> pandas.DataFrame:
    """Return ``frame`` if it is a DataFrame with unique column names; raise otherwise."""
    pd = _pandas()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas.DataFrame, got {type(frame).__name__}")
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(
            f"{name} must have unique column names; received duplicated columns "
            f"{', '.join(repr(c) for c in duplicated)}"
        )
    return frame


def _infinite_columns(frame: pandas.DataFrame, names: list[object]) -> list[str]:
    """The names (repr) of the numeric columns among ``names`` that hold +inf or -inf."""
    import numpy as np

    return [
        repr(name)
        for name in names
        if bool(np.isinf(frame[name].to_numpy(dtype="float64", na_value=np.nan)).any())
    ]


def _is_number_column(series: pandas.Series) -> bool:
    """True for integer and floating columns (not bool, not complex)."""
    from pandas.api import types

    return bool(
        types.is_numeric_dtype(series.dtype)
        and not types.is_bool_dtype(series.dtype)
        and not types.is_complex_dtype(series.dtype)
    )


def preprocess_frame(frame: pandas.DataFrame) -> pandas.DataFrame:
    """Impute and one-hot encode a frame so that every column is a float.

    Numeric columns get their missing values replaced by the column mean. Every other
    column is categorical: it is replaced by one 0/1 column per category plus one for
    "missing" (``pandas.get_dummies`` with ``dummy_na=True``); the indicator columns come
    after the numeric ones. Boolean columns become 0.0/1.0.

    Parameters
    ----------
    frame : pandas.DataFrame
        The input; it is not modified.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same index, every column of dtype float64 and no missing
        values.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame, or a column holds dates, time spans or complex
        numbers (which have no meaningful mean or categories here).
    ValueError
        If two columns have the same name, a numeric column holds +inf or -inf, or a
        numeric column of a non-empty frame has no values at all (its mean is
        undefined). A frame with no rows is returned converted, with no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"rooms": [3.0, None, 4.0], "roof": ["Slate", None, "Tile"]})
    >>> clean = preprocess_frame(raw)
    >>> list(clean.columns)
    ['rooms', 'roof_Slate', 'roof_Tile', 'roof_nan']
    >>> clean.to_numpy().tolist()
    [[3.0, 1.0, 0.0, 0.0], [3.5, 0.0, 0.0, 1.0], [4.0, 0.0, 1.0, 0.0]]
    >>> int(raw.isna().sum().sum())  # the input still has its two missing values
    2
    """
    pd = _pandas()
    from pandas.api import types

    frame = _check_frame("frame", frame)
    numeric = [n for n in frame.columns if _is_number_column(frame[n])]
    infinite = _infinite_columns(frame, numeric)
    if infinite:
        raise ValueError(
            f"frame must have finite numeric values; received +inf or -inf in columns "
            f"{', '.join(infinite)} (an infinite value has no meaningful mean: replace "
            "it, e.g. with NaN, first)"
        )
    out = frame.copy()
    categorical: list[object] = []
    for name in out.columns:
        col = out[name]
        dtype = col.dtype
        if (
            types.is_datetime64_any_dtype(dtype)
            or types.is_timedelta64_dtype(dtype)
            or types.is_complex_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype)
        ):
            raise TypeError(
                f"frame column {name!r} has dtype {dtype}, which preprocess_frame cannot "
                "impute or one-hot encode; convert it to numbers or drop it first"
            )
        if types.is_bool_dtype(dtype):
            out[name] = col.astype("float64")
        elif _is_number_column(col):
            values = col.astype("float64")
            if len(values) and values.isna().all():
                raise ValueError(
                    f"frame column {name!r} is numeric but has no values (all missing); "
                    "its mean is undefined, drop the column first"
                )
            out[name] = values.fillna(values.mean())
        else:
            categorical.append(name)
    if categorical:
        out = pd.get_dummies(out, columns=categorical, dummy_na=True, dtype="float64")
    return out.astype("float64")


def frame_to_tensor(frame: pandas.DataFrame) -> Tensor:
    """Convert an all-numeric frame to a float32 tensor.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame whose columns are numeric or boolean (booleans become 0.0/1.0), without
        missing values, for example the output of :func:`preprocess_frame`.

    Returns
    -------
    Tensor of shape (n, d)
        The values, dtype float32, on the CPU; n rows and d columns as in ``frame``.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        If some columns are not numeric (strings, categories, mixed objects: the
        usual result of ``torch.tensor(frame.values)`` failing on an object array),
        hold missing or infinite values or values too large for float32, or if two
        columns have the same name; the message names the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"rooms": [3, 4], "has_pool": [True, False]})
    >>> X = frame_to_tensor(frame)
    >>> X.shape, X.dtype
    (torch.Size([2, 2]), torch.float32)
    >>> X.tolist()
    [[3.0, 1.0], [4.0, 0.0]]
    """
    import numpy as np

    _pandas()
    from pandas.api import types

    frame = _check_frame("frame", frame)
    bad = [
        f"{name!r} ({frame[name].dtype})"
        for name in frame.columns
        if not (_is_number_column(frame[name]) or types.is_bool_dtype(frame[name].dtype))
    ]
    if bad:
        raise ValueError(
            "frame must have only numeric or bool columns, got non-numeric columns "
            f"{', '.join(bad)}; call preprocess_frame(frame) first to one-hot encode them"
        )
    missing = [repr(name) for name in frame.columns if frame[name].isna().any()]
    if missing:
        raise ValueError(
            f"frame must have no missing values, got missing values in columns "
            f"{', '.join(missing)}; call preprocess_frame(frame) first to impute them"
        )
    infinite = _infinite_columns(frame, list(frame.columns))
    if infinite:
        raise ValueError(
            f"frame must have finite values; received +inf or -inf in columns "
            f"{', '.join(infinite)}"
        )
    wide = frame.to_numpy(dtype=np.float64)
    limit = float(np.finfo(np.float32).max)
    too_large = [repr(name) for j, name in enumerate(frame.columns) if bool((np.abs(wide[:, j]) > limit).any())]
    if too_large:
        raise ValueError(
            f"frame must have values that fit in float32 (|x| <= {limit:.4g}); received "
            f"larger values in columns {', '.join(too_large)}"
        )
    values = wide.astype(np.float32)
    return torch.from_numpy(values).reshape(len(frame.index), len(frame.columns))


def load_csv(
    path: str | os.PathLike[str] | IO[str], target: str | None = None
) -> tuple[Tensor, Tensor | None]:
    """Read a CSV file into float32 feature (and target) tensors.

    The file is read with ``pandas.read_csv``; the ``target`` column, if named, is split
    off first; the remaining columns go through :func:`preprocess_frame` and
    :func:`frame_to_tensor`.

    Parameters
    ----------
    path : str, path-like or text file object
        The CSV file (with a header row).
    target : str or None, default=None
        The name of a numeric column to return separately as the labels. It must have
        no missing values: a label is never imputed.

    Returns
    -------
    X : Tensor of shape (n, d)
        The preprocessed features, float32.
    y : Tensor of shape (n, 1) or None
        The target column, float32, or None when ``target`` is None.

    Raises
    ------
    TypeError
        If ``path`` is not a path or a file object, or ``target`` is neither a str nor None.
    ValueError
        If ``target`` is not a column of the file, is not numeric or has missing values.
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import io
    >>> csv = io.StringIO("rooms,roof,price\\n3,Slate,127500\\n,,106000\\n4,Tile,178100\\n")
    >>> X, y = load_csv(csv, target="price")
    >>> X.shape, y.shape, X.dtype
    (torch.Size([3, 4]), torch.Size([3, 1]), torch.float32)
    >>> X[1].tolist()
    [3.5, 0.0, 0.0, 1.0]
    """
    pd = _pandas()
    if not isinstance(path, (str, os.PathLike)) and not hasattr(path, "read"):
        raise type_error("path", "a file path (str or os.PathLike) or a text file object", path)
    if target is not None and not isinstance(target, str):
        raise type_error("target", "a column name (str) or None", target)
    frame = pd.read_csv(path)
    if target is None:
        return frame_to_tensor(preprocess_frame(frame)), None
    if target not in frame.columns:
        raise ValueError(
            f"target must be a column of the CSV file, got {target!r}; "
            f"the columns are {list(frame.columns)}"
        )
    labels = frame[target]
    if not _is_number_column(labels):
        raise ValueError(
            f"target column {target!r} must be numeric, got dtype {labels.dtype}"
        )
    if labels.isna().any():
        raise ValueError(
            f"target column {target!r} must have no missing values, "
            f"got {int(labels.isna().sum())} missing"
        )
    X = frame_to_tensor(preprocess_frame(frame.drop(columns=[target])))
    y = frame_to_tensor(frame[[target]])
    return X, y
