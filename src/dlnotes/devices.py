"""Pick a device, describe it in one line, and seed every random number generator.

The book runs the same code on a laptop CPU, an Apple GPU (MPS) or an NVIDIA GPU
(CUDA). :func:`best_device` chooses, in that order of preference, CUDA, then MPS,
then the CPU, and lets the reader override the choice with the environment
variable ``DLNOTES_DEVICE``.
"""

from __future__ import annotations

import os
import random

import torch

from dlnotes import _checks
from dlnotes._checks import check_device, check_int, type_error

__all__ = [
    "best_device",
    "describe_device",
    "device_count",
    "seed_everything",
]

def best_device(env_var: str = "DLNOTES_DEVICE") -> torch.device:
    """Return the fastest available device: CUDA, else Apple MPS, else the CPU.

    If the environment variable named by ``env_var`` is set to a non-empty
    value, that value is used instead, after checking that it names a device
    that exists on this machine. The returned device is always a single
    device: for CUDA it carries an explicit index (``cuda:0`` unless another
    device was made current or asked for), never a list of all GPUs.

    Parameters
    ----------
    env_var : str, default="DLNOTES_DEVICE"
        Name of the environment variable that overrides the automatic choice,
        for example ``DLNOTES_DEVICE=cpu`` to run on the CPU on a GPU machine.
        An unset or empty variable means "choose automatically".

    Returns
    -------
    torch.device
        ``cuda:i`` when CUDA is available (``i`` the current CUDA device),
        otherwise ``mps`` when Apple's MPS backend is available, otherwise
        ``cpu``; or the device named by the environment variable.

    Raises
    ------
    TypeError
        If ``env_var`` is not a string.
    ValueError
        If ``env_var`` is empty, or if the environment variable holds something
        that is not a device string (``"gpu"``) or names a device that is not
        available here (``"cuda"`` on a machine without CUDA, ``"cuda:3"`` on
        a machine with one GPU). The message names the variable and its value.

    Examples
    --------
    >>> device = best_device()
    >>> device.type in {"cuda", "mps", "cpu"}
    True
    >>> x = torch.ones(2, 3, device=device)
    >>> x.sum().item()
    6.0
    """
    if not isinstance(env_var, str):
        raise type_error("env_var", "a str naming an environment variable", env_var)
    if not env_var:
        raise ValueError("env_var must be a non-empty environment variable name; received ''")
    value = os.environ.get(env_var, "")
    if value.strip():
        what = f"environment variable {env_var}={value!r}"
        return check_device(value, what)
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    if _checks._mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device | str | None = None) -> str:
    """Describe a device in one line: its name, the torch version and, for CUDA, the CUDA version.

    Parameters
    ----------
    device : torch.device or str or None, default=None
        The device to describe; ``None`` means :func:`best_device`.

    Returns
    -------
    str
        One line such as ``"cpu · torch 2.13.0"`` or
        ``"cuda:0 (NVIDIA H100 80GB HBM3) · torch 2.13.0 · CUDA 12.8"``.

    Raises
    ------
    TypeError
        If ``device`` is not a ``torch.device``, a string or ``None``.
    ValueError
        If ``device`` is not a valid device string or names a device that is
        not available on this machine.

    Examples
    --------
    >>> line = describe_device("cpu")
    >>> line.startswith("cpu · torch ")
    True
    >>> "\\n" in describe_device()
    False
    """
    dev = best_device() if device is None else check_device(device, "device")
    parts = []
    if dev.type == "cuda":
        parts.append(f"{dev} ({torch.cuda.get_device_name(dev)})")
    else:
        parts.append(str(dev))
    parts.append(f"torch {torch.__version__}")
    if dev.type == "cuda" and torch.version.cuda is not None:
        parts.append(f"CUDA {torch.version.cuda}")
    return " · ".join(parts)


def device_count() -> int:
    """Return the number of CUDA devices (0 on a machine without CUDA).

    Parameters
    ----------
    None

    Returns
    -------
    int
        ``torch.cuda.device_count()`` when CUDA is available, else 0. Apple
        MPS devices are not counted.

    Examples
    --------
    >>> n = device_count()
    >>> n >= 0
    True
    >>> (n > 0) == torch.cuda.is_available()
    True
    """
    if not torch.cuda.is_available():
        return 0
    return int(torch.cuda.device_count())


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's legacy global generator and torch (CPU and all CUDA devices).

    After this call, code that draws from the global generators (``random.random()``,
    ``np.random.rand()``, ``torch.rand()``) repeats its numbers from run to run on
    the same machine. It does not make GPU kernels deterministic and does not
    seed ``torch.Generator`` objects you create yourself: seed those directly.

    Parameters
    ----------
    seed : int
        The seed, an integer in ``[0, 2**32 - 1]`` (NumPy's legacy generator
        accepts no more); NumPy integers and 0-d integer tensors are accepted.

    Returns
    -------
    None

    Raises
    ------
    TypeError
        If ``seed`` is not an integer (``bool`` is refused too).
    ValueError
        If ``seed`` is negative or larger than ``2**32 - 1``.

    Examples
    --------
    >>> seed_everything(0)
    >>> a = (random.random(), torch.rand(3).tolist())
    >>> seed_everything(0)
    >>> b = (random.random(), torch.rand(3).tolist())
    >>> a == b
    True
    """
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    import numpy as np  # deferred: keeps `import dlnotes` light

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds the CPU generator and, lazily, every CUDA device
    torch.cuda.manual_seed_all(seed)
