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
import numbers
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import torch
from torch import Tensor, nn

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


# --------------------------------------------------------------------------- checks


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"model must be a torch.nn.Module, got {model!r} of type {type(model).__name__}"
        )
    return model


def _check_loader(name: str, loader: object) -> Batches:
    if isinstance(loader, (Tensor, str, bytes)) or not isinstance(loader, Iterable):
        raise TypeError(
            f"{name} must be an iterable of (X, y) batches such as a DataLoader, "
            f"got {type(loader).__name__}"
        )
    return loader


def _check_loss_fn(loss_fn: object) -> LossFn:
    if not callable(loss_fn):
        raise TypeError(
            f"loss_fn must be callable as loss_fn(y_hat, y), got {loss_fn!r} "
            f"of type {type(loss_fn).__name__}"
        )
    reduction = getattr(loss_fn, "reduction", "mean")
    if isinstance(loss_fn, nn.modules.loss._Loss) and reduction != "mean":
        raise ValueError(
            f"loss_fn must average over the batch (reduction='mean'), got "
            f"{type(loss_fn).__name__}(reduction={reduction!r}); the mean loss per example "
            "is computed by weighting each batch mean by the batch size"
        )
    return cast(LossFn, loss_fn)


def _check_optimizer(optimizer: object) -> torch.optim.Optimizer:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be a torch.optim.Optimizer, "
            f"got {optimizer!r} of type {type(optimizer).__name__}"
        )
    return optimizer


def _check_metric(metric: object) -> Metric | None:
    if metric is not None and not callable(metric):
        raise TypeError(
            f"metric must be callable as metric(y_hat, y) or None, got {metric!r} "
            f"of type {type(metric).__name__}"
        )
    return cast("Metric | None", metric)


def _model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (or buffer); CPU for an empty model."""
    for param in model.parameters():
        return param.device
    for buffer in model.buffers():
        return buffer.device
    return torch.device("cpu")


def _resolve_device(device: object, model: nn.Module) -> torch.device:
    """``device`` as a torch.device; None means where the model's parameters live."""
    if device is None:
        return _model_device(model)
    if isinstance(device, torch.device):
        return device
    if isinstance(device, str):
        try:
            return torch.device(device)
        except RuntimeError as exc:
            raise ValueError(
                f"device must name a device such as 'cpu' or 'cuda', got {device!r}"
            ) from exc
    raise TypeError(
        f"device must be a torch.device, a str or None, got {device!r} "
        f"of type {type(device).__name__}"
    )


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
    *inputs, y = batch
    return list(inputs), y


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
        If ``loss_fn`` is a ``torch.nn`` loss with ``reduction`` other than "mean" or
        returns a non-scalar, the model is not on ``device`` or the loader is empty.

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
    optimizer = _check_optimizer(optimizer)
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
        If ``loss_fn`` is a ``torch.nn`` loss with ``reduction`` other than "mean" or
        returns a non-scalar, the model is not on ``device`` or the loader is empty.

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

    Examples
    --------
    >>> h = History(train_loss=[0.5, 0.25], val_loss=[0.6, 0.3])
    >>> h.epochs, h.val_metric, h.metric_name
    (2, [], None)
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    metric_name: str | None = None

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
            If ``logy`` is not a bool.
        ValueError
            If nothing has been recorded yet.

        Examples
        --------
        >>> h = History(train_loss=[0.5, 0.25], val_loss=[0.6, 0.3])
        >>> ax = h.plot()
        >>> ax.get_xlabel(), [line.get_label() for line in ax.get_lines()]
        ('epoch', ['train loss', 'val loss'])
        """
        import matplotlib.pyplot as plt

        if not isinstance(logy, bool):
            raise TypeError(f"logy must be a bool, got {logy!r} of type {type(logy).__name__}")
        if self.epochs == 0:
            raise ValueError("History must hold at least one epoch to plot, got 0 epochs")
        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.0))
        epochs = list(range(1, self.epochs + 1))
        ax.plot(epochs, self.train_loss, "-", label="train loss")
        if self.val_loss:
            ax.plot(epochs[: len(self.val_loss)], self.val_loss, "m--", label="val loss")
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


def _book_build() -> bool:
    return os.environ.get("DLNOTES_BOOK_BUILD", "").strip().lower() not in ("", "0", "false", "no")


def _interactive() -> bool:
    """A terminal on stderr, or a Jupyter kernel (without importing IPython)."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _want_progress(progress: bool | None) -> bool:
    if progress is None:
        return not _book_build() and _interactive()
    return progress


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
) -> History:
    """Train for ``num_epochs`` epochs, evaluating after each, and record the losses.

    Each epoch is :func:`train_epoch` on ``train_loader`` followed, when ``val_loader``
    is given, by :func:`evaluate` on it.

    Parameters
    ----------
    model : torch.nn.Module
        The model; it is moved to ``device`` (in place) first.
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
        A name for the metric; None uses the function's ``__name__``.
    progress : bool or None, default=None
        Show a tqdm progress bar over the epochs. None means automatic: only in an
        interactive session (a terminal or a Jupyter kernel) and never in the book
        build (environment variable ``DLNOTES_BOOK_BUILD`` set). Without tqdm installed
        there is no bar (and a warning if ``progress=True``).

    Returns
    -------
    History
        The per-epoch training loss, validation loss and validation metric.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``num_epochs < 1``, ``metric`` is given without ``val_loader``,
        ``metric_name`` without ``metric``, or for the reasons given in
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
    """
    model = _check_model(model)
    train_batches = _check_loader("train_loader", train_loader)
    loss_fn = _check_loss_fn(loss_fn)
    optimizer = _check_optimizer(optimizer)
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, numbers.Integral):
        raise TypeError(
            f"num_epochs must be an int, got {num_epochs!r} of type {type(num_epochs).__name__}"
        )
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be >= 1, got {num_epochs!r}")
    val_batches = None if val_loader is None else _check_loader("val_loader", val_loader)
    metric = _check_metric(metric)
    if metric is not None and val_batches is None:
        raise ValueError(
            "metric is computed on the validation data, so it needs val_loader; "
            "got metric but val_loader=None"
        )
    if metric_name is not None and not isinstance(metric_name, str):
        raise TypeError(
            f"metric_name must be a str or None, got {metric_name!r} "
            f"of type {type(metric_name).__name__}"
        )
    if metric_name is not None and metric is None:
        raise ValueError(f"metric_name needs a metric, got metric_name={metric_name!r} "
                         "but metric=None")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(
            f"progress must be a bool or None, got {progress!r} of type {type(progress).__name__}"
        )
    dev = _resolve_device(device, model)
    model.to(dev)
    if metric is not None and metric_name is None:
        metric_name = getattr(metric, "__name__", "metric")
    history = History(metric_name=metric_name)

    bar: Any = None
    if _want_progress(progress):
        try:
            from tqdm import tqdm
        except ImportError:
            if progress:
                warnings.warn("progress=True but tqdm is not installed; no progress bar",
                              stacklevel=2)
        else:
            bar = tqdm(total=int(num_epochs), unit="epoch", file=sys.stderr, leave=True)
    try:
        for _ in range(int(num_epochs)):
            history.train_loss.append(train_epoch(model, train_batches, loss_fn, optimizer, dev))
            if val_batches is not None:
                val_loss, val_metric = evaluate(model, val_batches, loss_fn, dev, metric)
                history.val_loss.append(val_loss)
                if val_metric is not None:
                    history.val_metric.append(val_metric)
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
    return history


# --------------------------------------------------------------------------- timer


class Timer:
    """Measure wall-clock times: as a context manager or with ``start``/``stop``.

    A new timer is already started (as d2l's ``Timer``), so ``Timer()`` ... ``stop()``
    works too. CUDA runs asynchronously: pass ``device`` to synchronize it at every
    ``start`` and ``stop`` so that the times include the GPU work.

    Parameters
    ----------
    device : torch.device, str or None, default=None
        A CUDA device to synchronize; None (or a non-CUDA device) does not synchronize.

    Attributes
    ----------
    times : list of float
        The recorded intervals, in seconds.

    Raises
    ------
    TypeError
        If ``device`` is not a torch.device, a str or None.

    Examples
    --------
    >>> import time
    >>> with Timer() as t:
    ...     time.sleep(0.01)
    >>> t.elapsed >= 0.01, len(t.times)
    (True, 1)
    >>> t.start(); t.stop() >= 0.0
    True
    >>> len(t.times), t.sum() == sum(t.times), t.avg() == t.sum() / 2, len(t.cumsum())
    (2, True, True, 2)
    """

    def __init__(self, device: torch.device | str | None = None) -> None:
        if device is not None and not isinstance(device, (torch.device, str)):
            raise TypeError(
                f"device must be a torch.device, a str or None, got {device!r} "
                f"of type {type(device).__name__}"
            )
        self._device = torch.device(device) if device is not None else None
        self.times: list[float] = []
        self._start: float | None = None
        self.start()

    def _sync(self) -> None:
        if self._device is not None and self._device.type == "cuda":
            torch.cuda.synchronize(self._device)

    def start(self) -> None:
        """Start (or restart) the clock.

        Returns
        -------
        None

        Examples
        --------
        >>> t = Timer()
        >>> t.start()
        >>> t.running
        True
        """
        self._sync()
        self._start = time.perf_counter()

    def stop(self) -> float:
        """Stop the clock, record the interval and return it.

        Returns
        -------
        float
            The seconds since the last ``start`` (or since construction).

        Raises
        ------
        RuntimeError
            If the timer is not running (``stop`` twice without ``start``).

        Examples
        --------
        >>> t = Timer()
        >>> t.stop() >= 0.0, t.running
        (True, False)
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
        """Whether the clock is running.

        Returns
        -------
        bool
            True between ``start`` and ``stop``.

        Examples
        --------
        >>> Timer().running
        True
        """
        return self._start is not None

    @property
    def elapsed(self) -> float:
        """Seconds so far if running, else the last recorded interval.

        Returns
        -------
        float
            The elapsed time in seconds.

        Raises
        ------
        RuntimeError
            If the timer is stopped and has recorded nothing (cannot happen through the
            public methods; kept for safety).

        Examples
        --------
        >>> with Timer() as t:
        ...     pass
        >>> t.elapsed == t.times[-1]
        True
        """
        if self._start is not None:
            return time.perf_counter() - self._start
        if not self.times:
            raise RuntimeError("Timer has no recorded time")
        return self.times[-1]

    def sum(self) -> float:
        """The sum of the recorded intervals.

        Returns
        -------
        float
            Seconds; 0.0 if nothing has been recorded.

        Examples
        --------
        >>> t = Timer()
        >>> t.times = [1.0, 2.0]
        >>> t.sum()
        3.0
        """
        return math.fsum(self.times)

    def avg(self) -> float:
        """The mean of the recorded intervals.

        Returns
        -------
        float
            Seconds.

        Raises
        ------
        ValueError
            If nothing has been recorded.

        Examples
        --------
        >>> t = Timer()
        >>> t.times = [1.0, 2.0]
        >>> t.avg()
        1.5
        """
        if not self.times:
            raise ValueError("Timer.avg() needs at least one recorded time, got none")
        return self.sum() / len(self.times)

    def cumsum(self) -> list[float]:
        """The running totals of the recorded intervals.

        Returns
        -------
        list of float
            ``[t0, t0 + t1, ...]`` in seconds.

        Examples
        --------
        >>> t = Timer()
        >>> t.times = [1.0, 2.0, 0.5]
        >>> t.cumsum()
        [1.0, 3.0, 3.5]
        """
        out: list[float] = []
        total = 0.0
        for interval in self.times:
            total += interval
            out.append(total)
        return out

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

    ``y_hat`` of shape (n, k) with k >= 2 holds scores (logits or probabilities) per
    class: the prediction is the argmax over dim 1. ``y_hat`` of shape (n,) or (n, 1)
    holds the probability of the positive class: the prediction is ``y_hat > 0.5``.

    Parameters
    ----------
    y_hat : Tensor of shape (n, k), (n,) or (n, 1)
        Class scores, or probabilities of one class (values in [0, 1]).
    y : Tensor of shape (n,) or (n, 1)
        The true class indices (0 <= y < k), or 0/1 labels for one class.

    Returns
    -------
    float
        The accuracy in [0, 1].

    Raises
    ------
    TypeError
        If ``y_hat`` or ``y`` is not a tensor.
    ValueError
        If the shapes do not fit the rules above, n is 0, the one-class ``y_hat`` has
        values outside [0, 1] (logits: apply ``torch.sigmoid`` first) or ``y`` holds
        labels that are not class indices.

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[2.0, 0.1], [0.3, 0.9], [1.5, 0.2]])
    >>> accuracy(logits, torch.tensor([0, 1, 1]))
    0.6666666666666666
    >>> accuracy(torch.tensor([0.9, 0.2, 0.7, 0.4]), torch.tensor([1.0, 0.0, 0.0, 0.0]))
    0.75
    """
    for name, value in (("y_hat", y_hat), ("y", y)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (n,) or (n, 1), got {tuple(y.shape)}")
    n = y.shape[0]
    if n == 0:
        raise ValueError("y must hold at least one example, got shape (0,)")
    if y_hat.ndim == 2 and y_hat.shape[1] >= 2:
        if y_hat.shape[0] != n:
            raise ValueError(
                f"y_hat must have shape (n, k) with n = {n} (from y), got {tuple(y_hat.shape)}"
            )
        if y.is_floating_point() and not bool(torch.all(y == y.round())):
            raise ValueError("y must hold class indices, got non-integer values")
        pred = y_hat.argmax(dim=1)
        correct = pred == y.to(pred.dtype)
    elif y_hat.ndim == 1 or (y_hat.ndim == 2 and y_hat.shape[1] == 1):
        p = y_hat.reshape(-1)
        if p.shape[0] != n:
            raise ValueError(
                f"y_hat must have shape (n,) or (n, 1) with n = {n} (from y), "
                f"got {tuple(y_hat.shape)}"
            )
        if bool(torch.any((p < 0) | (p > 1))):
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
