"""Argument checks shared by every public function of :mod:`dlnotes` (private).

One place decides how each kind of argument is checked, so that the same kind is
accepted and refused the same way everywhere, with one message style::

    {name} must be {expected}; received {value} ({type})

Every check takes the value first and the argument's name second, returns the
value in the form the caller works with (a Python ``int``, a ``float``, a new
tensor, a ``torch.device``), and raises ``TypeError`` for a value of the wrong
kind and ``ValueError`` for a value of the right kind that is out of range.

What is accepted:

- integers: ``int``, NumPy integers and 0-d integer tensors (anything
  ``operator.index`` accepts), never ``bool``;
- real numbers: ``int``, ``float``, NumPy integers and floats, 0-d real tensors;
  never ``bool`` or complex; finite unless the caller allows otherwise;
- tensors: ``torch.Tensor`` (and, where a function documents it, anything
  ``torch.as_tensor`` reads: lists, NumPy arrays); dense, holding data (not on
  the ``meta`` device), with optional dtype kind, dimension, non-emptiness and
  finiteness checks; returned as a new tensor unless the caller asks otherwise;
- devices: ``torch.device`` or a string, parsed once here and checked to exist
  on this machine;
- matplotlib axes: an ``Axes`` or ``None`` (matplotlib is imported only when a
  value other than ``None`` is given, so ``import dlnotes`` stays light).

The function names below are a stable API used by the other modules.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__: list[str] = []  # private module: nothing is exported

#: Device types a device argument may name.
KNOWN_DEVICE_TYPES = ("cpu", "cuda", "mps")

#: Dtype kinds a tensor check can ask for: floating, integer (bool excluded),
#: bool and complex.
_KIND_NAMES = {"f": "floating", "i": "integer", "b": "bool", "c": "complex"}


# ------------------------------------------------------------------ messages


def describe(value: object, limit: int = 80) -> str:
    """A short rendering of ``value`` and its type for error messages.

    Tensors are described by shape, dtype and device rather than by their
    (possibly huge) contents; long reprs are cut to ``limit`` characters.
    """
    if isinstance(value, torch.Tensor):
        return (
            f"a tensor of shape {tuple(value.shape)}, dtype {value.dtype}, "
            f"on {value.device}"
        )
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} ({type(value).__name__})"


def type_error(name: str, expected: str, value: object) -> TypeError:
    """A ``TypeError`` saying that ``name`` must be ``expected``, showing ``value``."""
    return TypeError(f"{name} must be {expected}; received {describe(value)}")


def value_error(name: str, expected: str, value: object) -> ValueError:
    """A ``ValueError`` saying that ``name`` must be ``expected``, showing ``value``."""
    return ValueError(f"{name} must be {expected}; received {describe(value)}")


def _bounds_text(minimum: float | None, maximum: float | None, kind: str) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"{kind} >= {minimum}"
    if maximum is not None:
        return f"{kind} <= {maximum}"
    return kind


def _is_bool(value: object) -> bool:
    """True for ``bool``, NumPy booleans and bool tensors."""
    if isinstance(value, bool):
        return True
    if isinstance(value, torch.Tensor):
        return value.dtype == torch.bool
    dtype = getattr(value, "dtype", None)
    return getattr(dtype, "kind", None) == "b"


# ------------------------------------------------------------------ scalars


def check_int(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Return ``value`` as a Python ``int`` within ``[minimum, maximum]``.

    Accepts ``int``, NumPy integers and 0-d integer tensors; refuses ``bool``,
    floats (even ``3.0``) and anything else with a ``TypeError``, and values out
    of bounds with a ``ValueError``.
    """
    expected = _bounds_text(minimum, maximum, "an int")
    if _is_bool(value) or isinstance(value, torch.Tensor) and (value.dim() != 0 or value.is_meta):
        raise type_error(name, expected, value)
    try:
        result = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise type_error(name, expected, value) from None
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        raise ValueError(f"{name} must be {expected}; received {result}")
    return int(result)


def is_real(value: object) -> bool:
    """Whether ``value`` is a real number: ``int``, ``float``, a NumPy real, not ``bool``."""
    return isinstance(value, numbers.Real) and not _is_bool(value)


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    open_minimum: bool = False,
    finite: bool = True,
) -> float:
    """Return ``value`` as a Python ``float``.

    Accepts ``int``, ``float``, NumPy reals (also 0-d arrays) and 0-d real tensors; refuses
    ``bool`` and complex numbers with a ``TypeError``. With ``finite=True`` (the
    default) NaN and infinities are refused with a ``ValueError``; ``minimum``
    and ``maximum`` bound the value (``open_minimum=True`` excludes the minimum
    itself, for "positive").
    """
    if minimum is not None and open_minimum:
        expected = f"a real number > {minimum}"
        if maximum is not None:
            expected += f" and <= {maximum}"
    else:
        expected = _bounds_text(minimum, maximum, "a real number")
    if finite:
        expected = expected.replace("a real number", "a finite real number")
    raw = value
    if isinstance(value, torch.Tensor):
        if value.dim() != 0 or value.is_complex() or value.dtype == torch.bool or value.is_meta:
            raise type_error(name, expected, value)
        value = value.item()
    elif getattr(value, "ndim", None) == 0 and getattr(getattr(value, "dtype", None), "kind", "") in "fiu":
        value = value.item()  # type: ignore[attr-defined]  # a 0-d NumPy array
    if not is_real(value):
        raise type_error(name, expected, raw)
    result = float(value)  # type: ignore[arg-type]
    if math.isnan(result):
        if finite:
            raise ValueError(f"{name} must be {expected}; received nan")
        return result
    if finite and math.isinf(result):
        raise ValueError(f"{name} must be {expected}; received {result}")
    too_small = minimum is not None and (
        result <= minimum if open_minimum else result < minimum
    )
    if too_small or (maximum is not None and result > maximum):
        raise ValueError(f"{name} must be {expected}; received {result!r}")
    return result


def check_probability(value: object, name: str) -> float:
    """Return ``value`` as a float in ``[0, 1]``."""
    return check_real(value, name, minimum=0.0, maximum=1.0)


def _short(values: torch.Tensor, limit: int = 8) -> str:
    """A short rendering of a tensor's values, e.g. ``[0.5, 0.6]``, for messages."""
    flat = values.reshape(-1).tolist()
    shown = ", ".join(f"{v:.6g}" for v in flat[:limit])
    more = f", ... ({len(flat)} values)" if len(flat) > limit else ""
    return f"[{shown}{more}]"


def check_probabilities(
    value: object, name: str = "probs", *, tolerance: float = 1e-6
) -> torch.Tensor:
    """Return a probability vector as a new float64 tensor.

    A probability vector is 1-D, non-empty, finite, non-negative and sums to 1
    within ``tolerance``. Lists, NumPy arrays and tensors are accepted; the
    result never shares memory with ``value`` and is not renormalised.
    """
    if isinstance(value, (str, bytes)):
        raise type_error(name, "a sequence of numbers such as [0.5, 0.5]", value)
    tensor = check_tensor(value, name, like=True, kinds="fi", ndim=1, dtype=torch.float64)
    if tensor.numel() == 0:
        raise ValueError(f"{name} must have at least one entry; received an empty vector")
    bad = ~torch.isfinite(tensor)
    if bool(bad.any()):
        where = bad.nonzero().reshape(-1).tolist()
        raise ValueError(
            f"{name} must be finite; received {_short(tensor)} (not finite at positions {where})"
        )
    negative = tensor < 0
    if bool(negative.any()):
        where = negative.nonzero().reshape(-1).tolist()
        raise ValueError(
            f"{name} must be non-negative; received {_short(tensor)} "
            f"(negative at positions {where})"
        )
    total = float(tensor.sum())
    if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=tolerance):
        raise ValueError(
            f"{name} must sum to 1 (within {tolerance:g}); received {_short(tensor)}, "
            f"which sums to {total:.6g}"
        )
    return tensor


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` as a ``bool``; accepts ``bool`` and NumPy booleans only."""
    if isinstance(value, bool):
        return value
    if _is_bool(value) and not isinstance(value, torch.Tensor):
        return bool(value)
    raise type_error(name, "a bool (True or False)", value)


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of the strings ``choices``."""
    expected = "one of " + ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise type_error(name, expected, value)
    if value not in choices:
        raise value_error(name, expected, value)
    return value


def check_pair(value: object, name: str, *, positive: bool = False) -> tuple[float, float]:
    """Return ``value`` as a pair of finite floats (positive ones if ``positive``).

    The items may be ``int``, ``float``, NumPy reals or 0-d real tensors.
    """
    kind = "positive numbers" if positive else "numbers"
    expected = f"a pair of finite {kind} such as (4.5, 3.0)"
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (Sequence, torch.Tensor))
        or len(value) != 2
    ):
        raise type_error(name, expected, value)
    pair = []
    for item in (value[0], value[1]):
        try:
            pair.append(check_real(item, name, finite=False))
        except TypeError:
            raise type_error(name, expected, value) from None
    a, b = pair
    if not (math.isfinite(a) and math.isfinite(b)) or (positive and (a <= 0 or b <= 0)):
        raise value_error(name, expected, value)
    return a, b


def check_real_vector(
    value: object, name: str, *, non_empty: bool = True, finite: bool = True
) -> list[float]:
    """Return a 1-D sequence, NumPy array or tensor of real numbers as a list of floats."""
    tensor = check_tensor(
        value,
        name,
        like=True,
        kinds="fi",
        ndim=1,
        non_empty=non_empty,
        finite=finite,
        dtype=torch.float64,
    )
    return [float(v) for v in tensor.tolist()]


# ------------------------------------------------------------------ tensors


def check_tensor(
    value: object,
    name: str,
    *,
    like: bool = False,
    kinds: str | None = None,
    ndim: int | tuple[int, ...] | None = None,
    non_empty: bool = False,
    finite: bool = False,
    dtype: torch.dtype | None = None,
    allow_meta: bool = False,
    copy: bool = True,
) -> torch.Tensor:
    """Check a tensor argument and return it (by default as a new tensor).

    Parameters
    ----------
    value : object
        The argument.
    name : str
        The argument's name, for the messages.
    like : bool, default=False
        Also accept what ``torch.as_tensor`` reads (lists, NumPy arrays,
        numbers), but never strings, bytes or ``None``.
    kinds : str or None, default=None
        Allowed dtype kinds, letters of ``"fibc"`` (floating, integer, bool,
        complex); None allows any dtype.
    ndim : int or tuple of int or None, default=None
        Allowed numbers of dimensions.
    non_empty : bool, default=False
        Refuse tensors with no elements.
    finite : bool, default=False
        Refuse NaN and infinities (for when they make the answer meaningless).
    dtype : torch.dtype or None, default=None
        Convert to this dtype after the checks; a float conversion that
        overflows (``1e300`` to float32) is refused.
    allow_meta : bool, default=False
        Accept tensors on the ``meta`` device, which have a shape but no data.
    copy : bool, default=True
        Return a new, detached tensor that shares no memory with ``value``, so
        that writing to the result never changes the caller's data. With
        ``copy=False`` the tensor itself is returned (for functions that
        inspect storage).

    Raises
    ------
    TypeError
        If ``value`` is not a tensor (or tensor-like with ``like=True``), is
        not dense, or has a dtype of a kind not in ``kinds``.
    ValueError
        On the wrong number of dimensions, emptiness, NaN/inf, float overflow
        or the ``meta`` device.
    """
    names = [_KIND_NAMES[k] for k in kinds] if kinds else []
    kinds_text = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)
    expected = f"a torch.Tensor of {kinds_text} dtype" if kinds else "a torch.Tensor"
    if like:
        expected = expected.replace("a torch.Tensor", "a torch.Tensor or array-like", 1)
    if isinstance(value, torch.Tensor):
        tensor = value
    elif like and value is not None and not isinstance(value, (str, bytes, dict, set)):
        import numpy as np  # deferred: numpy is torch's dependency, loaded on first use

        try:
            # through NumPy, so that a list of Python floats stays float64
            tensor = torch.as_tensor(np.asarray(value))
        except (TypeError, ValueError, RuntimeError, OverflowError) as err:
            raise type_error(name, expected, value) from err
    else:
        raise type_error(name, expected, value)
    if tensor.layout != torch.strided:
        raise TypeError(
            f"{name} must be a dense (strided) tensor; received a tensor with layout "
            f"{tensor.layout}"
        )
    if tensor.is_meta and not allow_meta:
        raise ValueError(
            f"{name} must hold data; received {describe(tensor)} (the meta device has "
            "shapes but no values)"
        )
    if kinds is not None and _kind(tensor.dtype) not in kinds:
        raise TypeError(f"{name} must be {expected}; received {describe(tensor)}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if tensor.dim() not in allowed:
            dims = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {dims}; received shape {tuple(tensor.shape)}"
            )
    if non_empty and tensor.numel() == 0:
        raise ValueError(f"{name} must not be empty; received shape {tuple(tensor.shape)}")
    if finite and (tensor.is_floating_point() or tensor.is_complex()):
        _check_finite(tensor, name)
    fresh = False
    if dtype is not None and tensor.dtype != dtype:
        converted = tensor.detach().to(dtype)
        if dtype.is_floating_point and tensor.is_floating_point() and not tensor.is_meta:
            overflow = torch.isinf(converted) & torch.isfinite(tensor.detach())
            if bool(overflow.any()):
                raise ValueError(
                    f"{name} holds values too large for {dtype} (they would become inf); "
                    f"received {describe(tensor)}"
                )
        tensor, fresh = converted, True
    if copy:
        tensor = tensor.detach()
        if not fresh:
            tensor = tensor.clone()
    return tensor


def _kind(dtype: torch.dtype) -> str:
    if dtype == torch.bool:
        return "b"
    if dtype.is_complex:
        return "c"
    if dtype.is_floating_point:
        return "f"
    return "i"


def _check_finite(tensor: torch.Tensor, name: str) -> None:
    bad = ~torch.isfinite(tensor.detach())
    if bool(bad.any()):
        where = [tuple(p) if len(p) > 1 else p[0] for p in bad.nonzero().tolist()[:5]]
        raise ValueError(
            f"{name} must be finite (no NaN or inf); received {describe(tensor)} with "
            f"{int(bad.sum())} non-finite value(s), first at {where}"
        )


def check_same_device(
    a: torch.Tensor, a_name: str, b: torch.Tensor, b_name: str
) -> None:
    """Raise ``ValueError`` unless tensors ``a`` and ``b`` are on the same device."""
    if a.device != b.device:
        raise ValueError(
            f"{a_name} and {b_name} must be on the same device; received {a_name} on "
            f"{a.device} and {b_name} on {b.device}"
        )


# ------------------------------------------------------------------ objects


def check_generator(
    value: object, name: str = "generator", *, device: torch.device | None = None
) -> torch.Generator | None:
    """Return ``value`` if it is a ``torch.Generator`` (on ``device``'s type) or ``None``."""
    if value is None:
        return None
    if not isinstance(value, torch.Generator):
        raise type_error(name, "a torch.Generator or None", value)
    if device is not None and value.device.type != device.type:
        raise ValueError(
            f"{name} must be on the device of the data it draws ({device.type}); received "
            f"a generator on {value.device}"
        )
    return value


def check_callable(value: object, name: str, *, how: str = "") -> Callable[..., Any]:
    """Return ``value`` if it is callable; ``how`` shows the call, e.g. ``"loss_fn(y_hat, y)"``."""
    if not callable(value):
        expected = f"callable as {how}" if how else "callable"
        raise type_error(name, expected, value)
    return value


def check_axes(value: object, name: str = "ax") -> Axes | None:
    """Return ``value`` if it is a matplotlib ``Axes`` or ``None``.

    matplotlib is imported only when ``value`` is not ``None``.
    """
    if value is None:
        return None
    from matplotlib.axes import Axes  # deferred: keeps `import dlnotes` light

    if not isinstance(value, Axes):
        raise type_error(name, "a matplotlib Axes or None", value)
    return value


# ------------------------------------------------------------------ devices


def _mps_available() -> bool:
    """Whether Apple's Metal (MPS) backend is usable in this process."""
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def parse_device(value: object, name: str = "device") -> torch.device:
    """Turn a ``torch.device`` or a string such as ``"cuda:1"`` into a ``torch.device``.

    Only the syntax is checked here; :func:`check_device` also checks that the
    device exists.
    """
    if isinstance(value, torch.device):
        return value
    if not isinstance(value, str):
        raise type_error(name, "a torch.device or a str such as 'cpu' or 'cuda:0'", value)
    try:
        return torch.device(value.strip())
    except (RuntimeError, ValueError) as err:
        raise ValueError(
            f"{name} must be a device string such as 'cpu', 'cuda', 'cuda:1' or 'mps'; "
            f"received {value!r}"
        ) from err


def check_device(value: object, name: str = "device") -> torch.device:
    """Return ``value`` as a ``torch.device`` that exists on this machine.

    Accepts a ``torch.device`` or a string. ``"cuda"`` without CUDA, an index
    beyond the number of GPUs, ``"mps"`` without MPS, ``"meta"`` and other
    device types give a ``ValueError`` naming ``name``. A CUDA device without an
    index gets the index of the current CUDA device.
    """
    device = parse_device(value, name)
    if device.type not in KNOWN_DEVICE_TYPES:
        raise ValueError(
            f"{name} must name a device of type 'cpu', 'cuda' or 'mps'; "
            f"received {str(device)!r} (type {device.type!r})"
        )
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(
                f"{name} asks for CUDA device {str(device)!r}, but CUDA is not available "
                f"here (torch {torch.__version__}, torch.cuda.is_available() is False)"
            )
        if device.index is not None and not 0 <= device.index < count:
            raise ValueError(
                f"{name} asks for CUDA device {str(device)!r}, but this machine has "
                f"{count} CUDA device(s), with indices 0 to {count - 1}"
            )
        if device.index is None:
            return torch.device("cuda", torch.cuda.current_device())
    elif device.type == "mps":
        if not _mps_available():
            raise ValueError(
                f"{name} asks for {str(device)!r}, but Apple's MPS backend is not available here"
            )
        if device.index not in (None, 0):
            raise ValueError(
                f"{name} asks for {str(device)!r}, but MPS has a single device, 'mps' (or 'mps:0')"
            )
    elif device.index not in (None, 0):
        raise ValueError(
            f"{name} asks for {str(device)!r}, but the CPU has a single device, 'cpu'"
        )
    return device
