"""How much does `import dlnotes` cost on top of `import torch`?

Runs ``python -c "import torch"`` and ``python -c "import dlnotes"`` in fresh
subprocesses, alternating the two so that both see the same machine load and disk
cache, and prints the median wall time of each and their ratio. Prints only; asserts
nothing.

    .venv/bin/python bench/import_time.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

STATEMENTS = {"torch": "import torch", "dlnotes": "import dlnotes"}


def time_import(statement: str) -> float:
    """Wall time, in seconds, of a fresh interpreter that runs ``statement`` and exits."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs of each statement (default 7)")
    args = parser.parse_args()

    baseline = time_import("pass")  # warms the disk cache; also the bare interpreter's cost
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for i in range(args.repeats):
        # alternate the order, so neither statement always runs right after the other
        order = list(STATEMENTS) if i % 2 == 0 else list(reversed(STATEMENTS))
        for name in order:
            times[name].append(time_import(STATEMENTS[name]))

    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"python {sys.version.split()[0]}, {args.repeats} alternating runs each, fresh subprocesses")
    print(f"  bare interpreter ('pass'):  {baseline * 1000:8.1f} ms (one run)")
    for name, statement in STATEMENTS.items():
        spread = f"min {min(times[name]) * 1000:.1f}, max {max(times[name]) * 1000:.1f}"
        print(f"  {statement:<26} {med[name] * 1000:8.1f} ms median ({spread})")
    print(f"  ratio dlnotes / torch:      {med['dlnotes'] / med['torch']:8.3f}")
    print(f"  dlnotes on top of torch:    {(med['dlnotes'] - med['torch']) * 1000:+8.1f} ms")


if __name__ == "__main__":
    main()
