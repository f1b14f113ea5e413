"""Rolls per second: dlnotes.probability.roll_dice (one vectorised torch.multinomial call)
versus a plain Python loop of random.choices, as in a first attempt at simulating dice.

The vectorised version rolls 10**7 dice; the Python loop rolls fewer (10**5 by
default) and its rate is scaled up, since its cost grows linearly. Both are timed
in this one run, on this machine, and the speed-up is their ratio. Prints only.

    .venv/bin/python bench/dice.py [--rolls 10000000] [--loop-rolls 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import torch

from dlnotes.probability import roll_dice

FAIR = [1 / 6] * 6
FACES = list(range(6))


def python_loop(num_rolls: int, rng: random.Random) -> list[int]:
    """One roll at a time, the way a for-loop simulation would do it."""
    rolls = []
    for _ in range(num_rolls):
        rolls.append(rng.choices(FACES, weights=FAIR)[0])
    return rolls


def best_time(func: Callable[[], object], repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls of ``func``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rolls", type=int, default=10**7, help="rolls for roll_dice (default 10**7)")
    parser.add_argument("--loop-rolls", type=int, default=10**5,
                        help="rolls for the Python loop, scaled up (default 10**5)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats, best kept (default 3)")
    args = parser.parse_args()

    gen = torch.Generator().manual_seed(0)
    rng = random.Random(0)
    roll_dice(1000, generator=gen)  # warm-up: first-call overheads are not the steady rate

    t_vec = best_time(lambda: roll_dice(args.rolls, generator=gen), args.repeats)
    t_loop = best_time(lambda: python_loop(args.loop_rolls, rng), args.repeats)
    rate_vec = args.rolls / t_vec
    rate_loop = args.loop_rolls / t_loop

    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, best of {args.repeats}")
    print(f"  roll_dice:          {args.rolls:>11,} rolls in {t_vec:8.3f} s "
          f"-> {rate_vec:14,.0f} rolls/s")
    print(f"  random.choices loop {args.loop_rolls:>11,} rolls in {t_loop:8.3f} s "
          f"-> {rate_loop:14,.0f} rolls/s "
          f"(10**7 rolls would take about {args.rolls / rate_loop:.1f} s)")
    print(f"  speed-up: {rate_vec / rate_loop:,.0f}x")


if __name__ == "__main__":
    main()
