"""Tests for dlnotes.training: train_epoch, evaluate, fit, History, Timer, accuracy."""

from __future__ import annotations

import copy
import sys
import time

import pytest
import torch
from torch import Tensor, nn

from dlnotes import training
from dlnotes.data import make_loader, synthetic_regression
from dlnotes.training import History, Timer, accuracy, evaluate, fit, train_epoch

TRUE_W = [2.0, -3.4]
TRUE_B = 4.2


def _regression(n: int = 1000, seed: int = 0) -> tuple[Tensor, Tensor]:
    return synthetic_regression(TRUE_W, TRUE_B, n, noise=0.01,
                                generator=torch.Generator().manual_seed(seed))


def _mlp(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(8, 1))


def _params(model: nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


# ------------------------------------------------------------------------ train_epoch


def test_train_epoch_matches_hand_written_loop_exactly() -> None:
    X, y = _regression(203)
    net_a = _mlp()
    net_b = copy.deepcopy(net_a)
    opt_a = torch.optim.SGD(net_a.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    opt_b = torch.optim.SGD(net_b.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    loader_a = make_loader(X, y, batch_size=16, train=True,
                           generator=torch.Generator().manual_seed(5))
    loader_b = make_loader(X, y, batch_size=16, train=True,
                           generator=torch.Generator().manual_seed(5))
    loss_fn = nn.MSELoss()

    for epoch in range(2):
        net_a.eval()  # train_epoch must switch to training mode (dropout, batch statistics)
        torch.manual_seed(100 + epoch)  # the same dropout masks in both runs
        got = train_epoch(net_a, loader_a, loss_fn, opt_a)

        torch.manual_seed(100 + epoch)
        net_b.train()
        total, count = 0.0, 0
        for xb, yb in loader_b:
            opt_b.zero_grad()
            loss = loss_fn(net_b(xb), yb)
            loss.backward()
            opt_b.step()
            total += loss.item() * len(yb)
            count += len(yb)
        expected = total / count

        assert got == pytest.approx(expected, rel=1e-6)
        for (name, a), b in zip(_params(net_a).items(), _params(net_b).values()):
            assert torch.equal(a, b), name
    assert net_a.training


def test_train_epoch_weights_batches_by_size() -> None:
    # lr=0: the parameters stay put, so the epoch's loss is the loss on the whole data set
    X = torch.arange(10.0).reshape(10, 1)
    y = X**2
    net = nn.Linear(1, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.0)
    loader = make_loader(X, y, batch_size=4, train=False)  # batches of 4, 4, 2
    got = train_epoch(net, loader, nn.MSELoss(), opt)
    with torch.no_grad():
        full = nn.MSELoss()(net(X), y).item()
        batch_means = [nn.MSELoss()(net(xb), yb).item() for xb, yb in loader]
    assert got == pytest.approx(full, rel=1e-6)
    assert got != pytest.approx(sum(batch_means) / len(batch_means), rel=1e-3)


def test_train_epoch_passes_several_inputs() -> None:
    class Add(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(1, 1)
            self.b = nn.Linear(1, 1)

        def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
            return self.a(x1) + self.b(x2)  # type: ignore[no-any-return]

    x1, x2 = torch.randn(8, 1), torch.randn(8, 1)
    y = 3 * x1 - x2
    net = Add()
    loss = train_epoch(net, make_loader(x1, x2, y, batch_size=4, train=False), nn.MSELoss(),
                       torch.optim.SGD(net.parameters(), lr=0.1))
    assert loss > 0


def test_train_epoch_errors() -> None:
    X, y = _regression(8)
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loader = make_loader(X, y, batch_size=4, train=False)
    with pytest.raises(ValueError, match=r"loss_fn.*reduction='mean'.*MSELoss\(reduction='sum'\)"):
        train_epoch(net, loader, nn.MSELoss(reduction="sum"), opt)
    with pytest.raises(ValueError, match=r"loss_fn must return a 0-D tensor.*\(4, 1\)"):
        train_epoch(net, loader, lambda a, b: (a - b) ** 2, opt)
    with pytest.raises(TypeError, match=r"model must be a torch.nn.Module; received <function .*> \(function\)"):
        train_epoch(lambda x: x, loader, nn.MSELoss(), opt)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer"):
        train_epoch(net, loader, nn.MSELoss(), None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        train_epoch(net, loader, "mse", opt)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="loader must be an iterable.*received a tensor of shape"):
        train_epoch(net, X, nn.MSELoss(), opt)
    with pytest.raises(ValueError, match="loader must yield at least one batch"):
        train_epoch(net, [], nn.MSELoss(), opt)
    with pytest.raises(TypeError, match="batch must be a sequence"):
        train_epoch(net, [X], nn.MSELoss(), opt)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="device must name a device of type 'cpu', 'cuda' or 'mps'; received 'meta'"):
        train_epoch(net, loader, nn.MSELoss(), opt, device="meta")
    with pytest.raises(TypeError, match=r"device must be a torch.device or a str .*; received 0 \(int\)"):
        train_epoch(net, loader, nn.MSELoss(), opt, device=0)  # type: ignore[arg-type]


def test_model_not_on_device_is_named() -> None:
    X, y = _regression(8)
    net = nn.Linear(2, 1).to("meta")
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="model must be on device cpu.*'weight' on meta"):
        train_epoch(net, make_loader(X, y, batch_size=4, train=False), nn.MSELoss(), opt, device="cpu")


def test_zero_size_batches_are_refused() -> None:
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    empty = [(torch.zeros(0, 2), torch.zeros(0, 1))]
    with pytest.raises(ValueError, match=r"at least one example; received a batch with shapes \(0, 2\), \(0, 1\)"):
        train_epoch(net, empty, nn.MSELoss(), opt)
    with pytest.raises(ValueError, match="at least one example"):
        evaluate(net, empty, nn.MSELoss())


def test_meta_batches_are_refused() -> None:
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    batches = [(torch.zeros(4, 2, device="meta"), torch.zeros(4, 1))]
    with pytest.raises(ValueError, match="each batch must hold data; .*meta at position 0"):
        train_epoch(net, batches, nn.MSELoss(), opt)


def test_elementwise_loss_needs_matching_shapes() -> None:
    # (n,) labels against an (n, 1) output: torch would broadcast to (n, n) with a warning
    X, y = _regression(8)
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    before = copy.deepcopy(net.state_dict())
    loader = make_loader(X, y.reshape(-1), batch_size=4, train=False)
    with pytest.raises(ValueError, match=r"y_hat of shape \(4, 1\).*y of shape \(4,\)"):
        train_epoch(net, loader, nn.MSELoss(), opt)
    with pytest.raises(ValueError, match=r"same shape for BCEWithLogitsLoss"):
        evaluate(net, loader, nn.BCEWithLogitsLoss())
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    # a plain function decides for itself: broadcasting stays possible
    loss, _ = evaluate(net, loader, lambda a, b: ((a.reshape(-1) - b) ** 2).mean())
    assert loss > 0


def test_optimizer_over_another_model_is_refused() -> None:
    X, y = _regression(8)
    net, other = nn.Linear(2, 1), nn.Linear(2, 1)
    opt = torch.optim.SGD(other.parameters(), lr=0.1)
    loader = make_loader(X, y, batch_size=4, train=False)
    with pytest.raises(ValueError, match="optimizer must update the model's parameters"):
        train_epoch(net, loader, nn.MSELoss(), opt)
    with pytest.raises(ValueError, match="optimizer must update the model's parameters"):
        fit(net, loader, nn.MSELoss(), opt, num_epochs=1)


# --------------------------------------------------------------------------- evaluate


def test_evaluate_changes_nothing_and_builds_no_graph() -> None:
    X, y = _regression(50)
    net = _mlp()
    net.train()
    net[1].eval()  # a submodule in another mode than its parent: must be restored as such
    modes = [m.training for m in net.modules()]
    before = _params(net)
    seen: list[tuple[bool, bool, bool]] = []

    def spy_loss(y_hat: Tensor, target: Tensor) -> Tensor:
        seen.append((y_hat.requires_grad, torch.is_grad_enabled(), net[3].training))
        return nn.functional.mse_loss(y_hat, target)

    loss, metric = evaluate(net, make_loader(X, y, batch_size=16, train=False), spy_loss)
    assert metric is None and loss > 0
    assert seen and all(s == (False, False, False) for s in seen)
    assert all(p.grad is None for p in net.parameters())
    after = _params(net)
    for name in before:  # BatchNorm running statistics included
        assert torch.equal(before[name], after[name]), name
    assert [m.training for m in net.modules()] == modes


def test_evaluate_restores_modes_on_error() -> None:
    net = _mlp()
    net.train()

    def broken(y_hat: Tensor, target: Tensor) -> Tensor:
        raise RuntimeError("boom")

    X, y = _regression(8)
    with pytest.raises(RuntimeError, match="boom"):
        evaluate(net, make_loader(X, y, batch_size=4, train=False), broken)
    assert all(m.training for m in net.modules())


def test_evaluate_is_deterministic_with_dropout() -> None:
    X, y = _regression(40)
    net = _mlp()
    loader = make_loader(X, y, batch_size=16, train=False)
    first = evaluate(net, loader, nn.MSELoss())
    second = evaluate(net, loader, nn.MSELoss())
    assert first == second
    net.eval()
    with torch.no_grad():
        full = nn.MSELoss()(net(X), y).item()
    assert first[0] == pytest.approx(full, rel=1e-5)


def test_evaluate_weights_loss_and_metric_by_batch_size() -> None:
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    labels = torch.tensor([0, 1, 1, 1, 1])  # correct: 1, 1, 0 | 1, 0  -> 3/5 overall

    class Lookup(nn.Module):
        def forward(self, idx: Tensor) -> Tensor:
            return logits[idx]

    loader = make_loader(torch.arange(5), labels, batch_size=3, train=False)
    loss, acc = evaluate(Lookup(), loader, nn.CrossEntropyLoss(), metric=accuracy)
    assert acc == pytest.approx(3 / 5)  # not (2/3 + 1/2) / 2
    assert loss == pytest.approx(nn.CrossEntropyLoss()(logits, labels).item(), rel=1e-6)


def test_evaluate_errors() -> None:
    net = nn.Linear(2, 1)
    X, y = _regression(4)
    loader = make_loader(X, y, batch_size=2, train=False)
    with pytest.raises(TypeError, match="metric must be callable.*'acc'"):
        evaluate(net, loader, nn.MSELoss(), metric="acc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"reduction='none'"):
        evaluate(net, loader, nn.L1Loss(reduction="none"))
    with pytest.raises(ValueError, match="loader must yield at least one batch"):
        evaluate(net, [], nn.MSELoss())


# -------------------------------------------------------------------------------- fit


def test_fit_lowers_the_loss_and_recovers_w_and_b() -> None:
    X, y = _regression(1000)
    g = torch.Generator().manual_seed(0)
    train_loader = make_loader(X[:800], y[:800], batch_size=10, train=True, generator=g)
    val_loader = make_loader(X[800:], y[800:], batch_size=100, train=False)
    net = nn.Linear(2, 1)
    nn.init.normal_(net.weight, std=0.01, generator=torch.Generator().manual_seed(1))
    nn.init.zeros_(net.bias)
    loss_fn = nn.MSELoss()
    initial, _ = evaluate(net, val_loader, loss_fn)
    history = fit(net, train_loader, loss_fn, torch.optim.SGD(net.parameters(), lr=0.03),
                  num_epochs=4, val_loader=val_loader)
    assert isinstance(history, History) and history.epochs == 4
    assert len(history.val_loss) == 4 and history.val_metric == []
    assert history.val_loss[-1] < initial / 1000
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_loss[-1] < 2e-4  # the noise variance is 1e-4
    assert torch.allclose(net.weight.detach().reshape(-1), torch.tensor(TRUE_W), atol=0.01)
    assert abs(net.bias.item() - TRUE_B) < 0.01


def test_fit_records_a_metric_with_its_name() -> None:
    X = torch.randn(200, 2, generator=torch.Generator().manual_seed(0))
    y = (X[:, 0] > X[:, 1]).long()
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    net = nn.Linear(2, 2)
    history = fit(net, make_loader(X, y, batch_size=20, train=True, generator=g),
                  nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.5),
                  num_epochs=5, val_loader=make_loader(X, y, batch_size=50, train=False),
                  metric=accuracy)
    assert history.metric_name == "accuracy"
    assert len(history.val_metric) == 5
    assert history.val_metric[-1] > 0.9
    named = fit(net, make_loader(X, y, batch_size=20, train=True, generator=g),
                nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.5), num_epochs=1,
                val_loader=make_loader(X, y, batch_size=50, train=False), metric=accuracy,
                metric_name="acc")
    assert named.metric_name == "acc"


def _fit_args() -> tuple[nn.Module, object, nn.Module, torch.optim.Optimizer]:
    X, y = _regression(20)
    net = nn.Linear(2, 1)
    return (net, make_loader(X, y, batch_size=5, train=False), nn.MSELoss(),
            torch.optim.SGD(net.parameters(), lr=0.1))


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        ({"num_epochs": 0}, ValueError, "num_epochs must be an int >= 1; received 0"),
        ({"num_epochs": -2}, ValueError, "num_epochs must be an int >= 1; received -2"),
        ({"num_epochs": 2.0}, TypeError, r"num_epochs must be an int >= 1; received 2.0 \(float\)"),
        ({"num_epochs": True}, TypeError, r"num_epochs must be an int >= 1; received True \(bool\)"),
        ({"metric": accuracy}, ValueError, "metric .*needs val_loader"),
        ({"metric_name": "acc"}, ValueError, "metric_name needs a metric"),
        ({"metric_name": 3}, TypeError, r"metric_name must be a str or None; received 3 \(int\)"),
        ({"progress": "yes"}, TypeError, r"progress must be a bool \(True or False\); received 'yes'"),
        ({"val_loader": 3}, TypeError, "val_loader must be an iterable.*int"),
        ({"device": "nowhere"}, ValueError, "device must be a device string.*'nowhere'"),
        ({"device": "meta"}, ValueError, "device must name a device of type.*'meta'"),
        ({"keep_best": "best"}, ValueError,
         r"keep_best must be one of 'val_loss', 'max_metric', 'min_metric'; received 'best'"),
        ({"keep_best": True}, TypeError, r"keep_best must be one of .*received True \(bool\)"),
        ({"keep_best": "val_loss"}, ValueError, "keep_best .*needs val_loader"),
        ({"keep_best": "max_metric", "val_loader": [(torch.ones(2, 2), torch.ones(2, 1))]},
         ValueError, "keep_best='max_metric' compares the validation metric, so it needs a metric"),
    ],
)
def test_fit_errors_name_the_argument(
    kwargs: dict[str, object], exc: type[Exception], pattern: str
) -> None:
    net, loader, loss_fn, opt = _fit_args()
    args: dict[str, object] = {"num_epochs": 1}
    args.update(kwargs)
    with pytest.raises(exc, match=pattern):
        fit(net, loader, loss_fn, opt, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "device", ["meta", "cuda", "cuda:7", "xyz"], ids=["meta", "gpu-absent", "gpu7", "xyz"]
)
def test_fit_checks_the_device_before_moving_the_model(
    monkeypatch: pytest.MonkeyPatch, device: str
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # a machine without CUDA
    net, loader, loss_fn, opt = _fit_args()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    with pytest.raises(ValueError, match="device"):
        fit(net, loader, loss_fn, opt, num_epochs=1, device=device)  # type: ignore[arg-type]
    for name, value in net.state_dict().items():
        assert value.device.type == "cpu" and torch.equal(value, before[name])


def test_fit_accepts_numpy_num_epochs_and_names_a_lambda_metric() -> None:
    import numpy as np

    X = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    y = torch.tensor([[0.0], [0.0], [1.0], [1.0]])
    net = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
    loader = make_loader(X, y, batch_size=2, train=False)
    history = fit(net, loader, nn.BCELoss(), torch.optim.SGD(net.parameters(), lr=0.1),
                  num_epochs=np.int64(2), val_loader=loader,  # type: ignore[arg-type]
                  metric=lambda a, b: accuracy(a, b))
    assert history.epochs == 2 and history.metric_name == "metric"


def test_fit_rejects_sum_reduction() -> None:
    net, loader, _, opt = _fit_args()
    with pytest.raises(ValueError, match="reduction='sum'"):
        fit(net, loader, nn.MSELoss(reduction="sum"), opt, num_epochs=1)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- keep_best


def _line_fit(keep_best: str | None, num_epochs: int = 8, **kwargs: object) -> tuple[nn.Linear, History]:
    """Learn y = 2x from w = 0 by full-batch SGD, validated against y = x: w rises
    steadily towards 2, so the validation loss falls until w passes 1, then rises."""
    X = torch.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    net = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(net.weight)
    history = fit(net, [(X, 2 * X)], nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=0.5),
                  num_epochs=num_epochs, val_loader=[(X, X)], keep_best=keep_best,
                  progress=False, **kwargs)  # type: ignore[arg-type]
    return net, history


def test_fit_keep_best_restores_the_epoch_of_lowest_validation_loss() -> None:
    last, plain = _line_fit(None)
    assert plain.best_epoch is None
    best_by_hand = plain.val_loss.index(min(plain.val_loss)) + 1
    assert 1 < best_by_hand < plain.epochs  # the loss falls, then rises
    net, history = _line_fit("val_loss")
    assert history.val_loss == plain.val_loss  # the choice changes nothing while training
    assert history.best_epoch == best_by_hand
    # the restored weight is that of a run stopped at the best epoch, not the last one
    stopped, _ = _line_fit(None, num_epochs=best_by_hand)
    assert torch.equal(net.weight, stopped.weight)
    assert not torch.equal(net.weight, last.weight)
    assert evaluate(net, [(torch.ones(3, 1), torch.ones(3, 1))], nn.MSELoss())[0] == pytest.approx(
        (stopped.weight.item() - 1) ** 2)


def test_fit_keep_best_by_metric_in_either_direction() -> None:
    def mse(y_hat: Tensor, y: Tensor) -> Tensor:
        return ((y_hat - y) ** 2).mean()

    def negative_mse(y_hat: Tensor, y: Tensor) -> Tensor:
        return -mse(y_hat, y)

    _, by_loss = _line_fit("val_loss")
    _, by_min = _line_fit("min_metric", metric=mse)
    _, by_max = _line_fit("max_metric", metric=negative_mse)
    assert by_loss.best_epoch == by_min.best_epoch == by_max.best_epoch
    _, wrong_way = _line_fit("max_metric", metric=mse)  # the epoch of the highest error
    assert wrong_way.best_epoch == wrong_way.val_metric.index(max(wrong_way.val_metric)) + 1
    assert wrong_way.best_epoch != by_loss.best_epoch


def _scripted_metric(values: list[float]) -> object:
    it = iter(values)
    return lambda y_hat, y: next(it)


@pytest.mark.parametrize(
    ("values", "choice", "best"),
    [
        ([float("nan"), 0.5, 0.7, 0.7], "max_metric", 3),  # NaN never best; ties keep the earlier
        ([0.5, float("nan"), 0.4, 0.4], "min_metric", 3),
        ([float("nan")] * 4, "max_metric", 1),  # nothing better than NaN: the first epoch
        ([0.9, 0.8, 0.7, 0.6], "max_metric", 1),
        ([0.9, 0.8, 0.7, 0.6], "min_metric", 4),
    ],
)
def test_fit_keep_best_ties_and_nan(values: list[float], choice: str, best: int) -> None:
    _, history = _line_fit(choice, num_epochs=4, metric=_scripted_metric(values))
    assert history.best_epoch == best


def test_fit_keep_best_restores_buffers_too() -> None:
    X, y = _regression(200)

    def run(num_epochs: int, keep_best: str | None) -> tuple[nn.Module, History]:
        net = _mlp(0)  # also seeds the dropout masks
        loader = make_loader(X[:100], y[:100], batch_size=10, train=True,
                             generator=torch.Generator().manual_seed(0))
        history = fit(net, loader, nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=0.05),
                      num_epochs=num_epochs, val_loader=[(X[100:], 0.3 * y[100:])],
                      keep_best=keep_best, progress=False)
        return net, history

    net, history = run(6, "val_loss")
    assert history.best_epoch is not None and history.best_epoch < 6
    stopped, _ = run(history.best_epoch, None)
    last, _ = run(6, None)
    restored, expected = _params(net), _params(stopped)
    assert restored.keys() == expected.keys() and "1.running_mean" in restored
    for name, value in expected.items():
        assert torch.equal(restored[name], value), name
    assert not torch.equal(restored["1.running_mean"], _params(last)["1.running_mean"])


# ------------------------------------------------------------------------ progress bar


def test_progress_auto_when_interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules[__name__])  # "a Jupyter kernel"
    assert training._want_progress(None) is True
    monkeypatch.delitem(sys.modules, "ipykernel")
    assert training._want_progress(None) is False  # pytest captures stderr: not a terminal
    assert training._want_progress(True) is True
    assert training._want_progress(False) is False


def test_the_package_does_not_read_the_book_build_variable() -> None:
    import inspect

    assert "DLNOTES_BOOK_BUILD" not in inspect.getsource(training)


def test_tqdm_disable_silences_an_interactive_fit() -> None:
    # tqdm reads TQDM_* variables when it is imported, so this needs a fresh interpreter;
    # ipykernel in sys.modules makes the session "interactive", so only tqdm can disable
    pytest.importorskip("tqdm")
    import os
    import subprocess

    code = (
        "import sys, torch; from torch import nn\n"
        "sys.modules['ipykernel'] = sys\n"
        "from dlnotes.training import fit\n"
        "net = nn.Linear(1, 1)\n"
        "batches = [(torch.ones(2, 1), torch.ones(2, 1))]\n"
        "fit(net, batches, nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=0.1), num_epochs=2)\n"
    )
    runs = {}
    for disable in ("1", ""):
        env = {k: v for k, v in os.environ.items() if k != "TQDM_DISABLE"}
        if disable:
            env["TQDM_DISABLE"] = disable
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, timeout=120, check=True)
        runs[disable] = out.stderr
    assert "2/2" not in runs["1"]
    assert "2/2" in runs[""]  # the same script draws a bar without the variable


def test_progress_true_draws_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    net, loader, loss_fn, opt = _fit_args()
    fit(net, loader, loss_fn, opt, num_epochs=3, progress=True)  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert "3/3" in err and "train_loss" in err


def test_progress_without_tqdm_warns_and_trains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    net, loader, loss_fn, opt = _fit_args()
    with pytest.warns(UserWarning, match="tqdm is not installed"):
        history = fit(net, loader, loss_fn, opt,  # type: ignore[arg-type]
                      num_epochs=2, progress=True)
    assert history.epochs == 2
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules[__name__])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # auto mode: no bar, no warning, no error
        assert fit(net, loader, loss_fn, opt, num_epochs=1).epochs == 1  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- History


def test_history_plot() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    h = History(train_loss=[1.0, 0.5, 0.1], val_loss=[1.2, 0.6, 0.2], val_metric=[0.5, 0.7, 0.9],
                metric_name="accuracy")
    ax = h.plot(logy=True)
    assert isinstance(ax, Axes)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert [line.get_label() for line in ax.get_lines()] == ["train loss", "val loss"]
    assert list(map(float, ax.get_lines()[0].get_xdata())) == [1, 2, 3]  # type: ignore[arg-type]
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["train loss", "val loss",
                                                          "val accuracy"]
    _, given = plt.subplots()
    assert h.plot(ax=given) is given
    with pytest.raises(ValueError, match="at least one epoch"):
        History().plot()
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes or None; received 'x' \(str\)"):
        h.plot(ax="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="logy must be a bool"):
        h.plot(logy="yes")  # type: ignore[arg-type]
    h.best_epoch = 2
    marked = h.plot()
    best = marked.get_lines()[-1]
    assert best.get_label() == "best epoch"
    assert list(map(float, best.get_xdata())) == [2.0, 2.0]  # type: ignore[arg-type]
    legend = marked.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["train loss", "val loss", "best epoch",
                                                          "val accuracy"]
    h.best_epoch = 4  # changed after construction: checked again before plotting
    with pytest.raises(ValueError, match=r"best_epoch must be an int in \[1, 3\]"):
        h.plot()
    plt.close("all")


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        ({"train_loss": [1.0], "val_loss": [1.0, 2.0]}, ValueError,
         r"val_loss must have at most one entry per epoch of train_loss \(1\); received 2"),
        ({"train_loss": [1.0], "val_metric": [0.5, 0.6]}, ValueError, "val_metric must have at most"),
        ({"train_loss": (1.0, 2.0)}, TypeError, "train_loss must be a list of real numbers"),
        ({"train_loss": [1.0, torch.tensor(2.0)]}, TypeError, r"train_loss\[1\] must be a real number \(use loss.item\(\)"),
        ({"train_loss": ["1"]}, TypeError, r"train_loss\[0\] must be a real number"),
        ({"train_loss": [1.0], "metric_name": 5}, TypeError, "metric_name must be a str or None"),
        ({"train_loss": [1.0, 0.5], "best_epoch": 3}, ValueError,
         r"best_epoch must be an int in \[1, 2\]; received 3"),
        ({"train_loss": [1.0, 0.5], "best_epoch": 0}, ValueError, r"best_epoch must be an int in \[1, 2\]"),
        ({"train_loss": [1.0], "best_epoch": 1.0}, TypeError, r"best_epoch must be an int.*\(float\)"),
        ({"train_loss": [1.0], "best_epoch": True}, TypeError, r"best_epoch must be an int.*\(bool\)"),
        ({"best_epoch": 1}, ValueError, "best_epoch needs recorded epochs"),
    ],
)
def test_history_checks_its_lists(kwargs: dict[str, object], exc: type[Exception], pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        History(**kwargs)  # type: ignore[arg-type]


def test_history_accepts_numpy_numbers_and_nan_and_rechecks_before_plotting() -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    h = History(train_loss=[np.float32(1.0), float("nan")], val_loss=[np.float64(0.5)])
    assert h.epochs == 2
    h.val_loss.extend([0.4, 0.3])  # now longer than train_loss
    with pytest.raises(ValueError, match="val_loss must have at most one entry per epoch"):
        h.plot()
    plt.close("all")


# ----------------------------------------------------------------------------- Timer


def test_timer() -> None:
    with Timer() as t:
        time.sleep(0.02)
    assert len(t.times) == 1 and t.times[0] >= 0.02 and not t.running
    t.start()
    time.sleep(0.01)
    assert t.running
    second = t.stop()
    assert second >= 0.01 and t.times == [t.times[0], second] and not t.running
    with pytest.raises(RuntimeError, match="stopped timer"):
        t.stop()
    fresh = Timer()  # started on construction, like d2l's Timer
    assert fresh.running and fresh.stop() >= 0.0


def test_timer_cpu_device_does_not_synchronize(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: calls.append(device))
    t = Timer("cpu")
    t.stop()
    assert calls == []


@pytest.mark.parametrize(
    ("device", "exc", "pattern"),
    [
        (1, TypeError, r"device must be a torch.device or a str .*; received 1 \(int\)"),
        ("xyz", ValueError, "device must be a device string .*'xyz'"),
        ("meta", ValueError, "device must name a device of type 'cpu', 'cuda' or 'mps'"),
        ("cuda", ValueError, "CUDA is not available"),
    ],
)
def test_timer_device_checked(
    monkeypatch: pytest.MonkeyPatch, device: object, exc: type[Exception], pattern: str
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(exc, match=pattern):
        Timer(device)  # type: ignore[arg-type]


# -------------------------------------------------------------------------- accuracy


@pytest.mark.parametrize(
    ("y_hat", "y", "expected"),
    [
        (torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1]), 0.5),
        (torch.tensor([[0.1, 0.9, 0.0], [0.8, 0.2, 3.0]]), torch.tensor([[1], [2]]), 1.0),
        (torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1.0, 0.0]), 1.0),
        (torch.tensor([[0.9], [0.4], [0.6]]), torch.tensor([[1.0], [0.0], [0.0]]), 2 / 3),
        (torch.tensor([0.5, 0.51]), torch.tensor([0, 1]), 1.0),
    ],
)
def test_accuracy(y_hat: Tensor, y: Tensor, expected: float) -> None:
    assert accuracy(y_hat, y) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("y_hat", "y", "pattern"),
    [
        (torch.tensor([2.0, -1.0]), torch.tensor([1, 0]), "probabilities in \\[0, 1\\].*sigmoid"),
        (torch.zeros(3, 2), torch.zeros(2, dtype=torch.long), "y_hat must have shape \\(n, k\\)"),
        (torch.zeros(3), torch.zeros(3, 2), "y must have shape \\(n,\\) or \\(n, 1\\)"),
        (torch.zeros(0, 2), torch.zeros(0), "at least one example"),
        (torch.zeros(2, 2, 2), torch.zeros(2), "y_hat must have shape"),
        (torch.tensor([0.2, 0.7]), torch.tensor([2, 0]), "0/1 labels"),
        (torch.zeros(2, 3), torch.tensor([0.5, 1.0]), "class indices"),
    ],
)
def test_accuracy_errors(y_hat: Tensor, y: Tensor, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        accuracy(y_hat, y)


def test_accuracy_type_error() -> None:
    with pytest.raises(TypeError, match=r"y must be a torch.Tensor of .* dtype; received \[0, 1\] \(list\)"):
        accuracy(torch.zeros(2, 2), [0, 1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="y_hat must be a torch.Tensor of floating or integer dtype"):
        accuracy(torch.zeros(2, 2, dtype=torch.complex64), torch.tensor([0, 1]))


NAN = float("nan")


@pytest.mark.parametrize(
    ("y_hat", "y", "pattern"),
    [
        # NaN predictions are neither right nor wrong (they used to score as class 0)
        (torch.tensor([NAN, NAN]), torch.tensor([0, 0]), "y_hat must not hold NaN"),
        (torch.tensor([[NAN, NAN], [0.1, 0.9]]), torch.tensor([0, 1]), "y_hat must not hold NaN"),
        (torch.tensor([[NAN], [0.9]]), torch.tensor([[0.0], [1.0]]), "y_hat must not hold NaN"),
        # labels outside 0..k-1 (they used to be silently wrong)
        (torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([7, -3]), r"class indices in \[0, 1\].*from -3 to 7"),
        (torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([5, 1]), r"class indices in \[0, 1\]"),
        (torch.zeros(2, 3), torch.tensor([NAN, 1.0]), "class indices"),
        (torch.tensor([0.2, 0.7]), torch.tensor([NAN, 1.0]), "class indices"),
    ],
)
def test_accuracy_refuses_meaningless_inputs(y_hat: Tensor, y: Tensor, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        accuracy(y_hat, y)


def test_accuracy_devices_and_label_dtypes() -> None:
    with pytest.raises(ValueError, match="y_hat must hold data"):
        accuracy(torch.zeros(2, 2, device="meta"), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="y must hold data"):
        accuracy(torch.zeros(2, 2), torch.tensor([0, 1], device="meta"))
    # bool labels and +-inf scores are fine: the argmax and the threshold are defined
    assert accuracy(torch.tensor([0.9, 0.1]), torch.tensor([True, False])) == 1.0
    assert accuracy(torch.tensor([[float("inf"), 0.0], [0.0, 1.0]]), torch.tensor([0, 1])) == 1.0


# ------------------------------------------------------------------------------ CUDA


@pytest.mark.cuda
def test_fit_on_cuda() -> None:
    X, y = _regression(1000)
    g = torch.Generator().manual_seed(0)
    train_loader = make_loader(X[:800], y[:800], batch_size=10, train=True, generator=g)
    val_loader = make_loader(X[800:], y[800:], batch_size=100, train=False)
    net = nn.Linear(2, 1)  # on the CPU: fit moves it
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    opt = torch.optim.SGD(net.parameters(), lr=0.03)
    history = fit(net, train_loader, nn.MSELoss(), opt, num_epochs=3, val_loader=val_loader,
                  device="cuda")
    assert net.weight.device.type == "cuda"
    assert history.val_loss[-1] < 2e-4
    assert torch.allclose(net.weight.detach().cpu().reshape(-1), torch.tensor(TRUE_W), atol=0.01)
    assert abs(net.bias.item() - TRUE_B) < 0.01
    # the same loop on the CPU gives the same losses up to float rounding
    cpu_net = nn.Linear(2, 1)
    nn.init.zeros_(cpu_net.weight)
    nn.init.zeros_(cpu_net.bias)
    g.manual_seed(0)
    cpu_hist = fit(cpu_net, train_loader, nn.MSELoss(), torch.optim.SGD(cpu_net.parameters(),
                   lr=0.03), num_epochs=3, val_loader=val_loader, device="cpu")
    assert cpu_hist.train_loss == pytest.approx(history.train_loss, rel=1e-3)


@pytest.mark.cuda
def test_fit_keep_best_on_cuda() -> None:
    """The best state is copied and restored on the GPU, and the same epoch is chosen."""
    _, on_cpu = _line_fit("val_loss")
    net, history = _line_fit("val_loss", device="cuda")
    assert net.weight.device.type == "cuda"
    assert history.best_epoch == on_cpu.best_epoch
    stopped, _ = _line_fit(None, num_epochs=history.best_epoch)
    assert net.weight.item() == pytest.approx(stopped.weight.item(), rel=1e-5)
