"""The training loop, in pieces: one epoch, one evaluation, many epochs, a timer.

Modelled on pytorch/examples ``mnist/main.py``: :func:`train_epoch` puts the model in
training mode and, per batch, moves the batch to the device, zeroes the gradients, runs
forward, the loss, backward and the optimizer step; :func:`evaluate` runs under
``model.eval()`` and ``torch.no_grad()`` and divides the summed loss by the number of
examples. :func:`fit` loops over the two and records a :class:`History`. Each piece is
usable alone.

tqdm and matplotlib are imported only inside the functions that use them.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import torch
from torch import Tensor, nn

from dlnotes._checks import (
    check_axes,
    check_bool,
    check_callable,
    check_choice,
    check_device,
    check_int,
    check_same_device,
    check_tensor,
    describe,
    is_real,
    type_error,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "History",
    "Timer",
    "accuracy",
    "evaluate",
    "fit",
    "train_epoch",
]

LossFn = Callable[[Tensor, Tensor], Tensor]
Metric = Callable[[Tensor, Tensor], "float | Tensor"]
Batches = Iterable[Sequence[Tensor]]

#: The values of ``fit(..., keep_best=...)``: what "best" means for an epoch.
KEEP_BEST_CHOICES = ("val_loss", "max_metric", "min_metric")


# --------------------------------------------------------------------------- checks


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise type_error("model", "a torch.nn.Module", model)
    return model


def _check_loader(name: str, loader: object) -> Batches:
    if isinstance(loader, (Tensor, str, bytes)) or not isinstance(loader, Iterable):
        raise type_error(name, "an iterable of (X, y) batches such as a DataLoader", loader)
    return loader


def _check_loss_fn(loss_fn: object) -> LossFn:
    check_callable(loss_fn, "loss_fn", how="loss_fn(y_hat, y)")
    # duck-typed: every torch.nn loss has `reduction`; plain functions have none
    reduction = getattr(loss_fn, "reduction", "mean")
    if reduction != "mean":
        raise ValueError(
            f"loss_fn must average over the batch (reduction='mean'), got "
            f"{type(loss_fn).__name__}(reduction={reduction!r}); the mean loss per example "
            "is computed by weighting each batch mean by the batch size"
        )
    return cast(LossFn, loss_fn)


def _check_optimizer(optimizer: object, model: nn.Module) -> torch.optim.Optimizer:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise type_error("optimizer", "a torch.optim.Optimizer", optimizer)
    own = {id(p) for p in model.parameters()}
    given = [p for group in optimizer.param_groups for p in group["params"]]
    if own and given and not any(id(p) in own for p in given):
        raise ValueError(
            "optimizer must update the model's parameters; received an optimizer over "
            f"{len(given)} tensor(s), none of which is a parameter of model "
            "(was it built for another model?)"
        )
    return optimizer


def _check_metric(metric: object) -> Metric | None:
    if metric is not None:
        check_callable(metric, "metric", how="metric(y_hat, y) or None")
    return cast("Metric | None", metric)


def _model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (or buffer); CPU for an empty model."""
    for param in model.parameters():
        return param.device
    for buffer in model.buffers():
        return buffer.device
    return torch.device("cpu")


def _resolve_device(device: object, model: nn.Module) -> torch.device:
    """``device`` as an available torch.device; None means where the model's parameters live."""
    if device is None:
        return _model_device(model)
    return check_device(device, "device")


def _same_device(a: torch.device, b: torch.device) -> bool:
    if a.type != b.type:
        return False
    return a.index is None or b.index is None or a.index == b.index


def _check_model_on(model: nn.Module, device: torch.device) -> None:
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if not _same_device(tensor.device, device):
            raise ValueError(
                f"model must be on device {device} (the device argument), got "
                f"{name!r} on {tensor.device}; call model.to(device) first"
            )


#: Losses that compare y_hat and y element by element: their shapes must agree
#: (otherwise torch broadcasts (n, 1) against (n,) to (n, n) with only a warning).
_ELEMENTWISE_LOSSES = (
    nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.BCELoss, nn.BCEWithLogitsLoss,
)


def _split_batch(batch: object) -> tuple[list[Tensor], Tensor]:
    """Split a batch ``(X, ..., y)`` into the model inputs and the labels."""
    if not isinstance(batch, Sequence) or isinstance(batch, (str, bytes)) or len(batch) < 2:
        raise TypeError(
            "each batch must be a sequence (X, y) or (X1, ..., Xk, y) of tensors, got "
            f"{type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, Sequence) else "")
        )
    for i, item in enumerate(batch):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"each batch must hold tensors, got {type(item).__name__} at position {i}"
            )
        if item.is_meta:
            raise ValueError(
                f"each batch must hold data; received {describe(item)} at position {i}"
            )
    *inputs, y = batch
    if y.ndim > 0 and y.shape[0] == 0:
        raise ValueError(
            "each batch must hold at least one example; received a batch with shapes "
            + ", ".join(str(tuple(t.shape)) for t in batch)
        )
    return list(inputs), y


def _check_shapes(loss_fn: LossFn, y_hat: Tensor, y: Tensor) -> None:
    """For element-wise ``torch.nn`` losses, ``y_hat`` and ``y`` must have one shape."""
    if isinstance(loss_fn, _ELEMENTWISE_LOSSES) and y_hat.shape != y.shape:
        raise ValueError(
            f"y_hat and y must have the same shape for {type(loss_fn).__name__}; received "
            f"y_hat of shape {tuple(y_hat.shape)} (the model's output) and y of shape "
            f"{tuple(y.shape)} (the labels); reshape y, e.g. y.reshape({tuple(y_hat.shape)})"
        )


def _check_scalar_loss(loss: object) -> Tensor:
    if not isinstance(loss, Tensor) or loss.ndim != 0:
        shape = tuple(loss.shape) if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(
            "loss_fn must return a 0-D tensor (the batch mean, reduction='mean'), "
            f"got {shape}"
        )
    return loss


# ------------------------------------------------------------------ the pure pieces


def train_epoch(
    model: nn.Module,
    loader: Iterable[Sequence[Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    device: torch.device | str | None = None,
) -> float:
    """Train ``model`` for one pass over ``loader`` and return the mean training loss.

    The model is put in training mode (``model.train()``) and left in it. For each batch
    ``(X, y)``: move it to ``device``, ``optimizer.zero_grad()``, ``y_hat = model(X)``,
    ``loss = loss_fn(y_hat, y)``, ``loss.backward()``, ``optimizer.step()``. A batch
    ``(X1, ..., Xk, y)`` calls ``model(X1, ..., Xk)``.

    Parameters
    ----------
    model : torch.nn.Module
        The model, already on ``device``.
    loader : iterable of batches
        For example a training :func:`dlnotes.data.make_loader`; each batch is
        ``(X, y)`` with tensors of shape (batch_size, ...).
    loss_fn : callable
        ``loss_fn(y_hat, y)`` returning the batch's mean loss as a 0-D tensor
        (``reduction="mean"``, the default of ``torch.nn`` losses).
    optimizer : torch.optim.Optimizer
        The optimizer over the model's parameters.
    device : torch.device, str or None, default=None
        Where to run; None means the device of the model's parameters.

    Returns
    -------
    float
        The mean loss per example over the epoch: each batch's mean weighted by its size
        (the losses are those computed before each step).

    Raises
    ------
    TypeError
        If an argument has the wrong type or a batch is not a sequence ``(X, y)``.
    ValueError
        If ``loss_fn`` has a ``reduction`` other than "mean" or returns a non-scalar,
        an element-wise ``torch.nn`` loss (``MSELoss``, ``BCELoss``, ...) gets ``y_hat``
        and ``y`` of different shapes, ``optimizer`` holds none of the model's
        parameters, ``device`` is not available here, the model is not on ``device``,
        the loader is empty or yields a batch with no examples or a ``meta`` tensor.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from dlnotes.data import make_loader, synthetic_regression
    >>> g = torch.Generator().manual_seed(0)
    >>> X, y = synthetic_regression([2.0, -3.4], 4.2, 100, generator=g)
    >>> loader = make_loader(X, y, batch_size=10, train=True, generator=g)
    >>> net = nn.Linear(2, 1)
    >>> _ = nn.init.zeros_(net.weight), nn.init.zeros_(net.bias)
    >>> optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    >>> first = train_epoch(net, loader, nn.MSELoss(), optimizer)
    >>> second = train_epoch(net, loader, nn.MSELoss(), optimizer)
    >>> second < first / 10, net.training
    (True, True)
    """
    model = _check_model(model)
    batches = _check_loader("loader", loader)
    loss_fn = _check_loss_fn(loss_fn)
    optimizer = _check_optimizer(optimizer, model)
    dev = _resolve_device(device, model)
    _check_model_on(model, dev)

    model.train()
    total: Tensor | None = None
    count = 0
    for batch in batches:
        inputs, y = _split_batch(batch)
        inputs = [x.to(dev) for x in inputs]
        y = y.to(dev)
        optimizer.zero_grad()
        y_hat = model(*inputs)
        _check_shapes(loss_fn, y_hat, y)
        loss = _check_scalar_loss(loss_fn(y_hat, y))
        loss.backward()
        optimizer.step()
        n = y.shape[0] if y.ndim > 0 else 1
        weighted = loss.detach() * n
        total = weighted if total is None else total + weighted
        count += n
    if total is None:
        raise ValueError("loader must yield at least one batch, got an empty loader")
    return float(total) / count


def evaluate(
    model: nn.Module,
    loader: Iterable[Sequence[Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    device: torch.device | str | None = None,
    metric: Callable[[Tensor, Tensor], float | Tensor] | None = None,
) -> tuple[float, float | None]:
    """Compute the mean loss (and a metric) of ``model`` over ``loader`` without training.

    Runs under ``model.eval()`` and ``torch.no_grad()``: no parameter, buffer (e.g.
    batch-norm statistics) or gradient changes and no graph is built. The train/eval mode
    of every submodule is put back as it was on return.

    Parameters
    ----------
    model : torch.nn.Module
        The model, already on ``device``.
    loader : iterable of batches
        For example an evaluation :func:`dlnotes.data.make_loader`; each batch is
        ``(X, y)``.
    loss_fn : callable
        ``loss_fn(y_hat, y)`` returning the batch's mean loss as a 0-D tensor.
    device : torch.device, str or None, default=None
        Where to run; None means the device of the model's parameters.
    metric : callable or None, default=None
        ``metric(y_hat, y)`` returning the batch's mean of a per-example score (a float
        or 0-D tensor), such as :func:`accuracy`.

    Returns
    -------
    loss : float
        The summed per-example loss divided by the number of examples.
    metric : float or None
        The metric averaged the same way (batch means weighted by batch size), or None
        when ``metric`` is None.

    Raises
    ------
    TypeError
        If an argument has the wrong type or a batch is not a sequence ``(X, y)``.
    ValueError
        If ``loss_fn`` has a ``reduction`` other than "mean" or returns a non-scalar,
        an element-wise ``torch.nn`` loss gets ``y_hat`` and ``y`` of different shapes,
        ``device`` is not available here, the model is not on ``device``, or the
        loader is empty or yields a batch with no examples or a ``meta`` tensor.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from dlnotes.data import make_loader
    >>> X = torch.tensor([[1.0], [2.0], [3.0]])
    >>> y = torch.tensor([[2.0], [4.0], [7.0]])
    >>> net = nn.Linear(1, 1)
    >>> _ = nn.init.constant_(net.weight, 2.0), nn.init.zeros_(net.bias)
    >>> loss, metric = evaluate(net, make_loader(X, y, batch_size=2, train=False), nn.MSELoss())
    >>> round(loss, 4), metric  # only the last example is off, by 1: (0 + 0 + 1) / 3
    (0.3333, None)
    """
    model = _check_model(model)
    batches = _check_loader("loader", loader)
    loss_fn = _check_loss_fn(loss_fn)
    metric = _check_metric(metric)
    dev = _resolve_device(device, model)
    _check_model_on(model, dev)

    modes = [(module, module.training) for module in model.modules()]
    total: Tensor | None = None
    metric_total = 0.0
    count = 0
    try:
        model.eval()
        with torch.no_grad():
            for batch in batches:
                inputs, y = _split_batch(batch)
                inputs = [x.to(dev) for x in inputs]
                y = y.to(dev)
                y_hat = model(*inputs)
                _check_shapes(loss_fn, y_hat, y)
                loss = _check_scalar_loss(loss_fn(y_hat, y))
                n = y.shape[0] if y.ndim > 0 else 1
                total = loss * n if total is None else total + loss * n
                if metric is not None:
                    metric_total += float(metric(y_hat, y)) * n
                count += n
    finally:
        for module, mode in modes:
            module.training = mode
    if total is None:
        raise ValueError("loader must yield at least one batch, got an empty loader")
    return float(total) / count, (metric_total / count if metric is not None else None)


# ----------------------------------------------------------------- history and fit


@dataclass
class History:
    """Per-epoch losses (and a metric) recorded by :func:`fit`.

    Parameters
    ----------
    train_loss : list of float, default=[]
        The mean training loss of each epoch.
    val_loss : list of float, default=[]
        The mean validation loss after each epoch (empty without a validation loader).
    val_metric : list of float, default=[]
        The validation metric after each epoch (empty without a metric).
    metric_name : str or None, default=None
        The metric's name, used as a label.
    best_epoch : int or None, default=None
        The epoch (counted from 1) whose parameters :func:`fit` restored with
        ``keep_best=``; None when it restored none.

    Raises
    ------
    TypeError
        If a list is not a list of real numbers (NaN and inf are allowed: a
        diverging run records them), ``metric_name`` is not a str or None, or
        ``best_epoch`` is not an int or None.
    ValueError
        If ``val_loss`` or ``val_metric`` has more entries than ``train_loss``, or
        ``best_epoch`` is not between 1 and the number of epochs.

    Examples
    --------
    >>> h = History(train_loss=[0.5, 0.25], val_loss=[0.6, 0.3])
    >>> h.epochs, h.val_metric, h.metric_name, h.best_epoch
    (2, [], None, None)
    >>> History(train_loss=[0.5, 0.25, 0.2], val_loss=[0.6, 0.3, 0.4], best_epoch=2).best_epoch
    2
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    metric_name: str | None = None
    best_epoch: int | None = None

    def __post_init__(self) -> None:
        self._check()

    def _check(self) -> None:
        """Raise TypeError/ValueError unless the lists hold numbers and fit together."""
        for name in ("train_loss", "val_loss", "val_metric"):
            values = getattr(self, name)
            if not isinstance(values, list):
                raise type_error(name, "a list of real numbers", values)
            for i, v in enumerate(values):
                if not is_real(v):
                    raise type_error(
                        f"{name}[{i}]", "a real number (use loss.item() for a tensor)", v
                    )
            if len(values) > len(self.train_loss):
                raise ValueError(
                    f"{name} must have at most one entry per epoch of train_loss "
                    f"({len(self.train_loss)}); received {len(values)} entries"
                )
        if self.metric_name is not None and not isinstance(self.metric_name, str):
            raise type_error("metric_name", "a str or None", self.metric_name)
        if self.best_epoch is not None:
            if self.epochs == 0:
                raise ValueError(
                    f"best_epoch needs recorded epochs; received best_epoch={self.best_epoch!r} "
                    "with an empty train_loss"
                )
            self.best_epoch = check_int(
                self.best_epoch, "best_epoch", minimum=1, maximum=self.epochs
            )

    @property
    def epochs(self) -> int:
        """The number of epochs recorded (the length of ``train_loss``).

        Returns
        -------
        int
            The number of epochs.

        Examples
        --------
        >>> History(train_loss=[1.0, 0.5, 0.2]).epochs
        3
        """
        return len(self.train_loss)

    def plot(self, ax: Axes | None = None, logy: bool = False) -> Axes:
        """Plot the losses (and the metric, on a second y axis) against the epoch.

        A dotted vertical line labelled "best epoch" marks ``best_epoch`` when it is set.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Where to draw; None makes a new figure of size (4.5, 3).
        logy : bool, default=False
            Use a logarithmic scale for the loss axis.

        Returns
        -------
        matplotlib Axes
            The axes holding the loss curves.

        Raises
        ------
        TypeError
            If ``ax`` is not a matplotlib Axes or None, ``logy`` is not a bool, or
            the recorded lists hold something other than numbers.
        ValueError
            If nothing has been recorded yet, or a validation list is longer than
            ``train_loss``.

        Examples
        --------
        >>> h = History(train_loss=[0.5, 0.25], val_loss=[0.6, 0.3])
        >>> ax = h.plot()
        >>> ax.get_xlabel(), [line.get_label() for line in ax.get_lines()]
        ('epoch', ['train loss', 'val loss'])
        >>> h.best_epoch = 2
        >>> [text.get_text() for text in h.plot().get_legend().get_texts()]
        ['train loss', 'val loss', 'best epoch']
        """
        ax = check_axes(ax, "ax")
        logy = check_bool(logy, "logy")
        self._check()  # the lists may have been changed since construction
        import matplotlib.pyplot as plt

        if self.epochs == 0:
            raise ValueError("History must hold at least one epoch to plot, got 0 epochs")
        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.0))
        epochs = list(range(1, self.epochs + 1))
        ax.plot(epochs, self.train_loss, "-", label="train loss")
        if self.val_loss:
            ax.plot(epochs[: len(self.val_loss)], self.val_loss, "m--", label="val loss")
        if self.best_epoch is not None:
            ax.axvline(self.best_epoch, color="0.5", linestyle=":", label="best epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if logy:
            ax.set_yscale("log")
        handles, labels = ax.get_legend_handles_labels()
        if self.val_metric:
            name = self.metric_name or "metric"
            twin = ax.twinx()
            twin.plot(epochs[: len(self.val_metric)], self.val_metric, "g-.", label=f"val {name}")
            twin.set_ylabel(name)
            more_handles, more_labels = twin.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        ax.legend(handles, labels)
        return ax


def _interactive() -> bool:
    """A terminal on stderr, or a Jupyter kernel (without importing IPython)."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _want_progress(progress: bool | None) -> bool:
    return _interactive() if progress is None else progress


def fit(
    model: nn.Module,
    train_loader: Iterable[Sequence[Tensor]],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    num_epochs: int,
    val_loader: Iterable[Sequence[Tensor]] | None = None,
    device: torch.device | str | None = None,
    metric: Callable[[Tensor, Tensor], float | Tensor] | None = None,
    metric_name: str | None = None,
    progress: bool | None = None,
    keep_best: str | None = None,
) -> History:
    """Train for ``num_epochs`` epochs, evaluating after each, and record the losses.

    Each epoch is :func:`train_epoch` on ``train_loader`` followed, when ``val_loader``
    is given, by :func:`evaluate` on it. With ``keep_best=`` the model ends with the
    parameters of its best epoch on the validation data rather than those of the last
    (early stopping, judged after the fact).

    Parameters
    ----------
    model : torch.nn.Module
        The model; it is moved to ``device`` (in place) once every argument has
        been checked, so a call that fails its checks leaves the model where it was.
    train_loader : iterable of batches
        The training batches ``(X, y)``, e.g. ``make_loader(X, y, ..., train=True)``.
    loss_fn : callable
        ``loss_fn(y_hat, y)`` returning the batch's mean loss as a 0-D tensor.
    optimizer : torch.optim.Optimizer
        The optimizer over the model's parameters.
    num_epochs : int
        The number of passes over ``train_loader``, at least 1.
    val_loader : iterable of batches or None, default=None
        Validation batches, evaluated after every epoch.
    device : torch.device, str or None, default=None
        Where to train; None keeps the model where its parameters are.
    metric : callable or None, default=None
        ``metric(y_hat, y)`` computed on ``val_loader`` (see :func:`evaluate`); needs
        ``val_loader``.
    metric_name : str or None, default=None
        A name for the metric; None uses the function's ``__name__`` (``"metric"``
        for a lambda).
    progress : bool or None, default=None
        Show a tqdm progress bar over the epochs. None means automatic: only in an
        interactive session (a terminal or a Jupyter kernel). tqdm's own environment
        variable ``TQDM_DISABLE=1`` turns every bar off (the book's build sets it).
        Without tqdm installed there is no bar (and a warning if ``progress=True``).
    keep_best : {None, "val_loss", "max_metric", "min_metric"}, default=None
        None keeps the parameters of the last epoch. Otherwise a copy of the model's
        ``state_dict`` (parameters and buffers) is taken after every epoch that improves
        on all earlier ones, and loaded back at the end: the epoch with the lowest
        validation loss (``"val_loss"``), the highest validation metric
        (``"max_metric"``, e.g. accuracy) or the lowest (``"min_metric"``, e.g. an
        error rate). Ties go to the earlier epoch; a NaN value is never best unless
        every value is NaN (then epoch 1 is kept). Needs ``val_loader`` (and
        ``metric`` for the metric choices). The optimizer's state is not restored.

    Returns
    -------
    History
        The per-epoch training loss, validation loss and validation metric, and with
        ``keep_best=`` the epoch restored (``best_epoch``, counted from 1).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``num_epochs < 1``, ``metric`` is given without ``val_loader``,
        ``metric_name`` without ``metric``, ``keep_best`` is not one of its choices
        or is given without ``val_loader`` (or a metric choice without ``metric``),
        ``device`` is not available here
        (``"cuda"`` without CUDA, ``"meta"``), or for the reasons given in
        :func:`train_epoch` and :func:`evaluate`.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from dlnotes.data import make_loader, synthetic_regression
    >>> g = torch.Generator().manual_seed(0)
    >>> X, y = synthetic_regression([2.0, -3.4], 4.2, 1000, generator=g)
    >>> train_loader = make_loader(X[:800], y[:800], batch_size=10, train=True, generator=g)
    >>> val_loader = make_loader(X[800:], y[800:], batch_size=100, train=False)
    >>> net = nn.Linear(2, 1)
    >>> _ = nn.init.zeros_(net.weight), nn.init.zeros_(net.bias)
    >>> optimizer = torch.optim.SGD(net.parameters(), lr=0.03)
    >>> history = fit(net, train_loader, nn.MSELoss(), optimizer, num_epochs=3,
    ...               val_loader=val_loader)
    >>> history.epochs, history.val_loss[-1] < 0.001
    (3, True)
    >>> [round(v, 1) for v in net.weight.detach().reshape(-1).tolist()], round(net.bias.item(), 1)
    ([2.0, -3.4], 4.2)

    Keeping the best epoch: with a larger learning rate the steps on 10 examples are
    too noisy to improve on the first epoch, whose parameters are restored at the end.

    >>> net = nn.Linear(2, 1)
    >>> _ = nn.init.zeros_(net.weight), nn.init.zeros_(net.bias)
    >>> optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    >>> history = fit(net, train_loader, nn.MSELoss(), optimizer, num_epochs=3,
    ...               val_loader=val_loader, keep_best="val_loss")
    >>> history.best_epoch, history.val_loss.index(min(history.val_loss)) + 1
    (1, 1)
    >>> evaluate(net, val_loader, nn.MSELoss())[0] == history.val_loss[0]
    True
    """
    model = _check_model(model)
    train_batches = _check_loader("train_loader", train_loader)
    loss_fn = _check_loss_fn(loss_fn)
    optimizer = _check_optimizer(optimizer, model)
    num_epochs = check_int(num_epochs, "num_epochs", minimum=1)
    val_batches = None if val_loader is None else _check_loader("val_loader", val_loader)
    metric = _check_metric(metric)
    if metric is not None and val_batches is None:
        raise ValueError(
            "metric is computed on the validation data, so it needs val_loader; "
            "got metric but val_loader=None"
        )
    if metric_name is not None and not isinstance(metric_name, str):
        raise type_error("metric_name", "a str or None", metric_name)
    if metric_name is not None and metric is None:
        raise ValueError(f"metric_name needs a metric, got metric_name={metric_name!r} "
                         "but metric=None")
    if progress is not None:
        progress = check_bool(progress, "progress")
    if keep_best is not None:
        keep_best = check_choice(keep_best, "keep_best", KEEP_BEST_CHOICES)
        if val_batches is None:
            raise ValueError(
                f"keep_best judges epochs on the validation data, so it needs val_loader; "
                f"got keep_best={keep_best!r} but val_loader=None"
            )
        if keep_best != "val_loss" and metric is None:
            raise ValueError(
                f"keep_best={keep_best!r} compares the validation metric, so it needs a "
                "metric; got metric=None (use keep_best='val_loss' or pass metric=)"
            )
    dev = _resolve_device(device, model)  # checked before the model is moved
    model.to(dev)
    if metric is not None and metric_name is None:
        metric_name = getattr(metric, "__name__", "metric")
        if not metric_name.isidentifier():  # a lambda's "<lambda>"
            metric_name = "metric"
    history = History(metric_name=metric_name)
    best_value = math.nan
    best_state: dict[str, Tensor] | None = None

    bar: Any = None
    if _want_progress(progress):
        try:
            from tqdm import tqdm
        except ImportError:
            if progress:
                warnings.warn("progress=True but tqdm is not installed; no progress bar",
                              stacklevel=2)
        else:
            # no `disable=` argument: tqdm's TQDM_DISABLE environment variable decides
            bar = tqdm(total=num_epochs, unit="epoch", file=sys.stderr, leave=True)
    try:
        for _ in range(num_epochs):
            history.train_loss.append(train_epoch(model, train_batches, loss_fn, optimizer, dev))
            if val_batches is not None:
                val_loss, val_metric = evaluate(model, val_batches, loss_fn, dev, metric)
                history.val_loss.append(val_loss)
                if val_metric is not None:
                    history.val_metric.append(val_metric)
            if keep_best is not None:
                value = history.val_loss[-1] if keep_best == "val_loss" else history.val_metric[-1]
                if keep_best == "max_metric":
                    value = -value
                if best_state is None or math.isnan(best_value) and not math.isnan(value) \
                        or value < best_value:
                    best_value = value
                    best_state = _copy_state(model)
                    history.best_epoch = history.epochs
            if bar is not None:
                postfix = {"train_loss": f"{history.train_loss[-1]:.4g}"}
                if history.val_loss:
                    postfix["val_loss"] = f"{history.val_loss[-1]:.4g}"
                if history.val_metric:
                    postfix[f"val_{metric_name}"] = f"{history.val_metric[-1]:.4g}"
                bar.set_postfix(postfix)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _copy_state(model: nn.Module) -> dict[str, Tensor]:
    """A copy of ``model.state_dict()`` that later training steps cannot change."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


# --------------------------------------------------------------------------- timer


class Timer:
    """Measure wall-clock intervals, with ``start``/``stop`` or as a context manager.

    A new timer is already running (as d2l's ``Timer``). Each ``stop`` appends the
    interval since the last ``start`` to ``times``. CUDA runs asynchronously, so for
    a CUDA ``device`` every ``start`` and ``stop`` first waits for the GPU
    (``torch.cuda.synchronize``): the times then include the GPU work.

    Parameters
    ----------
    device : torch.device, str or None, default=None
        The device whose work is timed; None (or the CPU, or MPS) does not synchronize.

    Attributes
    ----------
    times : list of float
        The recorded intervals, in seconds.

    Raises
    ------
    TypeError
        If ``device`` is not a torch.device, a str or None.
    ValueError
        If ``device`` is not a device available here (``"cuda"`` without CUDA,
        ``"xyz"``, ``"meta"``).

    Examples
    --------
    >>> import time
    >>> with Timer() as t:
    ...     time.sleep(0.01)
    >>> t.times[-1] >= 0.01, t.running
    (True, False)
    >>> t.start(); t.running
    True
    >>> t.stop() >= 0.0, len(t.times)
    (True, 2)
    """

    def __init__(self, device: torch.device | str | None = None) -> None:
        self._device = None if device is None else check_device(device, "device")
        self.times: list[float] = []
        self._start: float | None = None
        self.start()

    def _sync(self) -> None:
        if self._device is not None and self._device.type == "cuda":
            torch.cuda.synchronize(self._device)

    def start(self) -> None:
        """Start (or restart) the clock."""
        self._sync()
        self._start = time.perf_counter()

    def stop(self) -> float:
        """Stop the clock, record the interval in ``times`` and return it (seconds).

        Raises
        ------
        RuntimeError
            If the timer is not running (``stop`` twice without ``start``).
        """
        if self._start is None:
            raise RuntimeError("Timer.stop() called on a stopped timer; call start() first")
        self._sync()
        interval = time.perf_counter() - self._start
        self._start = None
        self.times.append(interval)
        return interval

    @property
    def running(self) -> bool:
        """Whether the clock is running (between ``start`` and ``stop``)."""
        return self._start is not None

    def __enter__(self) -> Timer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -------------------------------------------------------------------------- metric


def accuracy(y_hat: Tensor, y: Tensor) -> float:
    """The fraction of correct predictions.

    The task is read from the shape of ``y_hat``, and checked against ``y``:

    - **multiclass**, ``y_hat`` of shape (n, k) with k >= 2: scores (logits or
      probabilities) per class; the prediction is the argmax over dim 1, and ``y``
      holds class indices in ``0, ..., k - 1``;
    - **binary**, ``y_hat`` of shape (n,) or (n, 1): the probability of the positive
      class, in [0, 1]; the prediction is ``y_hat > 0.5``, and ``y`` holds 0/1 labels.
      For logits, apply ``torch.sigmoid`` first (or compare the logits with 0).

    Parameters
    ----------
    y_hat : Tensor of shape (n, k), (n,) or (n, 1)
        Class scores, or probabilities of one class; real, without NaN.
    y : Tensor of shape (n,) or (n, 1)
        The true class indices (0 <= y < k), or 0/1 labels for one class; integer,
        bool or whole-number floats, on the device of ``y_hat``.

    Returns
    -------
    float
        The accuracy in [0, 1].

    Raises
    ------
    TypeError
        If ``y_hat`` or ``y`` is not a real tensor.
    ValueError
        If the shapes do not fit the rules above, n is 0, ``y_hat`` holds NaN, the
        binary ``y_hat`` has values outside [0, 1], ``y`` holds labels that are not
        class indices (or not 0/1), or the two tensors are on different devices or
        on the ``meta`` device.

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[2.0, 0.1], [0.3, 0.9], [1.5, 0.2]])
    >>> accuracy(logits, torch.tensor([0, 1, 1]))
    0.6666666666666666
    >>> accuracy(torch.tensor([0.9, 0.2, 0.7, 0.4]), torch.tensor([1.0, 0.0, 0.0, 0.0]))
    0.75
    """
    y_hat = check_tensor(y_hat, "y_hat", kinds="fi", copy=False).detach()
    y = check_tensor(y, "y", kinds="fib", copy=False).detach()
    check_same_device(y_hat, "y_hat", y, "y")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n,) or (n, 1), got {tuple(y.shape)}")
    n = y.shape[0]
    if n == 0:
        raise ValueError("y must hold at least one example, got shape (0,)")
    if y_hat.is_floating_point() and bool(torch.isnan(y_hat).any()):
        raise ValueError(
            f"y_hat must not hold NaN (a NaN prediction is neither right nor wrong); "
            f"received {int(torch.isnan(y_hat).sum())} NaN value(s) in {describe(y_hat)}"
        )
    if y.is_floating_point() and not bool(torch.all(y == y.round())):
        raise ValueError("y must hold class indices, got non-integer values (or NaN/inf)")
    if y_hat.ndim == 2 and y_hat.shape[1] >= 2:
        k = y_hat.shape[1]
        if y_hat.shape[0] != n:
            raise ValueError(
                f"y_hat must have shape (n, k) with n = {n} (from y), got {tuple(y_hat.shape)}"
            )
        labels = y.to(torch.int64)
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= k:
            raise ValueError(
                f"y must hold class indices in [0, {k - 1}] for y_hat with k = {k} columns; "
                f"received labels from {low} to {high}"
            )
        correct = y_hat.argmax(dim=1) == labels
    elif y_hat.ndim == 1 or (y_hat.ndim == 2 and y_hat.shape[1] == 1):
        p = y_hat.reshape(-1)
        if p.shape[0] != n:
            raise ValueError(
                f"y_hat must have shape (n,) or (n, 1) with n = {n} (from y), "
                f"got {tuple(y_hat.shape)}"
            )
        if not bool(torch.all((p >= 0) & (p <= 1))):
            raise ValueError(
                "y_hat of shape (n,) or (n, 1) must hold probabilities in [0, 1], got values "
                f"from {p.min().item():.4g} to {p.max().item():.4g}; for logits apply "
                "torch.sigmoid first"
            )
        if not bool(torch.all((y == 0) | (y == 1))):
            raise ValueError("y must hold 0/1 labels when y_hat holds probabilities of one class")
        correct = (p > 0.5) == (y == 1)
    else:
        raise ValueError(
            "y_hat must have shape (n, k) with k >= 2, (n,) or (n, 1), "
            f"got {tuple(y_hat.shape)}"
        )
    return int(correct.sum().item()) / n
