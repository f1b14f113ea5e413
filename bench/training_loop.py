"""Overhead of ``dlnotes.training.fit`` against a hand-written loop doing the same work.

Both sides train the same model (same initial weights), on the same data, in the same
batch order (the same seeded generator), for the same number of epochs, with a
validation pass after each epoch, and return the same numbers (per-epoch mean training
and validation losses). The two are alternated over several repetitions in one run, and
the medians are compared. The target is fit/hand <= 1.05. This script prints; it does
not assert.

Usage::

    .venv/bin/python bench/training_loop.py [--repeats 9] [--epochs 2] [--device cpu] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader

from dlnotes.data import make_loader, synthetic_regression
from dlnotes.training import fit

Loader = DataLoader[tuple[Tensor, ...]]


_Loader = DataLoader[tuple[Tensor, ...]]

def hand_loop(
    net: nn.Module,
    train_loader: Loader,
    val_loader: Loader,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    num_epochs: int,
    device: torch.device,
) -> tuple[list[float], list[float]]:
    """The mnist/main.py loop written out, computing what ``fit`` returns."""
    net.to(device)
    train_losses: list[float] = []
    val_losses: list[float] = []
    for _ in range(num_epochs):
        net.train()
        total = torch.zeros((), device=device)
        count = 0
        for X, y in train_loader:
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(net(X), y)
            loss.backward()
            optimizer.step()
            total += loss.detach() * y.shape[0]
            count += y.shape[0]
        train_losses.append(float(total) / count)
        net.eval()
        total = torch.zeros((), device=device)
        count = 0
        with torch.no_grad():
            for X, y in val_loader:
                X, y = X.to(device), y.to(device)
                total += loss_fn(net(X), y) * y.shape[0]
                count += y.shape[0]
        val_losses.append(float(total) / count)
    return train_losses, val_losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: steadier on a shared machine)")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)

    w = torch.linspace(-1.0, 1.0, 20)
    X, y = synthetic_regression(w, 0.5, args.examples, generator=torch.Generator().manual_seed(0))
    split = int(0.8 * args.examples)
    torch.manual_seed(0)
    template = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 1))
    loss_fn = nn.MSELoss()

    def fresh() -> tuple[nn.Module, torch.optim.Optimizer, _Loader, _Loader]:
        """The same starting point for both loops: weights, optimizer, data order."""
        net = copy.deepcopy(template)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        g = torch.Generator().manual_seed(1)
        train_loader = make_loader(X[:split], y[:split], batch_size=args.batch_size, train=True,
                                   generator=g)
        val_loader = make_loader(X[split:], y[split:], batch_size=256, train=False)
        return net, optimizer, train_loader, val_loader

    def run_fit() -> tuple[list[float], list[float], nn.Module]:
        net, optimizer, train_loader, val_loader = fresh()
        h = fit(net, train_loader, loss_fn, optimizer, args.epochs, val_loader=val_loader,
                device=device, progress=False)
        return h.train_loss, h.val_loss, net

    def run_hand() -> tuple[list[float], list[float], nn.Module]:
        net, optimizer, train_loader, val_loader = fresh()
        train_loss, val_loss = hand_loop(net, train_loader, val_loader, loss_fn, optimizer,
                                         args.epochs, device)
        return train_loss, val_loss, net

    def timed(fn: Callable[[], tuple[list[float], list[float], nn.Module]]
              ) -> tuple[float, tuple[list[float], list[float], nn.Module]]:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        result = fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start, result

    timed(run_fit)  # warm-up (allocator, kernels, caches) for both sides
    timed(run_hand)
    fit_times: list[float] = []
    hand_times: list[float] = []
    for rep in range(args.repeats):
        order = [("fit", run_fit), ("hand", run_hand)]
        if rep % 2:
            order.reverse()  # alternate which goes first
        for name, fn in order:
            seconds, result = timed(fn)
            (fit_times if name == "fit" else hand_times).append(seconds)
            if name == "fit":
                fit_result = result
            else:
                hand_result = result

    same_losses = fit_result[0] == hand_result[0] and fit_result[1] == hand_result[1]
    same_params = all(
        torch.equal(a, b)
        for a, b in zip(fit_result[2].state_dict().values(), hand_result[2].state_dict().values())
    )
    fit_med = statistics.median(fit_times)
    hand_med = statistics.median(hand_times)
    batches = -(-split // args.batch_size)
    print(f"device: {device}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"work: {args.epochs} epochs x {batches} batches of {args.batch_size} "
          f"(+ validation), {args.repeats} repeats alternated")
    print(f"same losses: {same_losses}, same final parameters: {same_params}")
    print(f"fit   median: {fit_med * 1000:8.1f} ms  (min {min(fit_times) * 1000:.1f})")
    print(f"hand  median: {hand_med * 1000:8.1f} ms  (min {min(hand_times) * 1000:.1f})")
    print(f"ratio fit/hand: {fit_med / hand_med:.3f}  (target <= 1.05)")


if __name__ == "__main__":
    main()
