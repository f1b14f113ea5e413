"""Tests for dlnotes.devices: the device choice, its override, its description, seeding."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from dlnotes import _checks, devices

ENV = "DLNOTES_DEVICE"


@pytest.fixture
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


def _fake_hardware(monkeypatch: pytest.MonkeyPatch, *, cuda: int, mps: bool) -> None:
    """Pretend this machine has ``cuda`` CUDA devices and (or not) Apple MPS."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(_checks, "_mps_available", lambda: mps)


# --- the automatic choice: CUDA, then MPS, then CPU -------------------------------------


@pytest.mark.usefixtures("no_override")
@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(2, True, "cuda:0"), (1, False, "cuda:0"), (0, True, "mps"), (0, False, "cpu")],
)
def test_preference_order(monkeypatch: pytest.MonkeyPatch, cuda: int, mps: bool, expected: str) -> None:
    _fake_hardware(monkeypatch, cuda=cuda, mps=mps)
    assert devices.best_device() == torch.device(expected)


@pytest.mark.usefixtures("no_override")
def test_real_machine_choice_matches_hardware() -> None:
    device = devices.best_device()
    if torch.cuda.is_available():
        assert device.type == "cuda"
        assert device.index == torch.cuda.current_device()
    elif _checks._mps_available():
        assert device.type == "mps"
    else:
        assert device == torch.device("cpu")
    # it is one usable device, not a list
    assert torch.zeros(1, device=device).device.type == device.type


# --- the environment variable ------------------------------------------------------------


def test_env_override_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=1, mps=True)
    monkeypatch.setenv(ENV, "cpu")
    assert devices.best_device() == torch.device("cpu")


def test_env_override_with_spaces_and_index(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=2, mps=False)
    monkeypatch.setenv(ENV, " cuda:1 ")
    assert devices.best_device() == torch.device("cuda", 1)


def test_env_override_bare_cuda_gets_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=2, mps=False)
    monkeypatch.setenv(ENV, "cuda")
    assert devices.best_device() == torch.device("cuda", 0)


def test_empty_env_means_automatic(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=0, mps=False)
    monkeypatch.setenv(ENV, "")
    assert devices.best_device() == torch.device("cpu")


def test_custom_env_var_name(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=1, mps=False)
    monkeypatch.setenv("MY_DEVICE", "cpu")
    assert devices.best_device("MY_DEVICE") == torch.device("cpu")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("gpu", "device string"),
        ("cuda:x", "device string"),
        ("cuda", "CUDA is not available"),
        ("mps", "MPS backend is not available"),
        ("cpu:1", "single device"),
        ("meta", "'cpu', 'cuda' or 'mps'"),
    ],
)
def test_env_bad_values_raise(
    monkeypatch: pytest.MonkeyPatch, value: str, fragment: str
) -> None:
    _fake_hardware(monkeypatch, cuda=0, mps=False)
    monkeypatch.setenv(ENV, value)
    with pytest.raises(ValueError) as info:
        devices.best_device()
    message = str(info.value)
    assert ENV in message  # names the variable ...
    assert repr(value) in message  # ... and its value
    assert fragment in message


def test_env_cuda_index_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=1, mps=False)
    monkeypatch.setenv(ENV, "cuda:3")
    with pytest.raises(ValueError, match=r"1 CUDA device\(s\), with indices 0 to 0"):
        devices.best_device()


def test_env_var_argument_checked() -> None:
    with pytest.raises(TypeError, match="env_var must be a str"):
        devices.best_device(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="env_var must be a non-empty"):
        devices.best_device("")


# --- describe_device ---------------------------------------------------------------------


def test_describe_cpu() -> None:
    line = devices.describe_device("cpu")
    assert line == f"cpu · torch {torch.__version__}"
    assert devices.describe_device(torch.device("cpu")) == line


@pytest.mark.usefixtures("no_override")
def test_describe_default_is_best_device() -> None:
    line = devices.describe_device()
    assert "\n" not in line
    assert line.startswith(str(devices.best_device()))


def test_describe_bad_arguments() -> None:
    with pytest.raises(TypeError, match="device must be a torch.device"):
        devices.describe_device(0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="received 'tpu'"):
        devices.describe_device("tpu")


def test_describe_unavailable_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=0, mps=False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        devices.describe_device("cuda")


# --- device_count and seeding -----------------------------------------------------------


def test_device_count() -> None:
    expected = torch.cuda.device_count() if torch.cuda.is_available() else 0
    assert devices.device_count() == expected


def test_device_count_without_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hardware(monkeypatch, cuda=0, mps=True)
    assert devices.device_count() == 0


def _draw() -> tuple[float, float, list[float]]:
    return random.random(), float(np.random.rand()), torch.rand(4).tolist()


def test_seed_everything_repeats_all_three_generators() -> None:
    devices.seed_everything(123)
    first = _draw()
    devices.seed_everything(123)
    again = _draw()
    devices.seed_everything(124)
    other = _draw()
    assert first == again
    # every generator was reseeded: each component changes with the seed
    assert all(a != b for a, b in zip(first, other))


@pytest.mark.parametrize("bad", [1.5, "0", None, True])
def test_seed_type_checked(bad: object) -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        devices.seed_everything(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 2**32])
def test_seed_range_checked(bad: int) -> None:
    with pytest.raises(ValueError, match=rf"seed must be an int in \[0, 4294967295\]; received {bad}"):
        devices.seed_everything(bad)


@pytest.mark.parametrize("seed", [np.int64(3), np.uint32(3), torch.tensor(3)])
def test_seed_accepts_numpy_and_0d_integers(seed: object) -> None:
    devices.seed_everything(seed)  # type: ignore[arg-type]
    first = _draw()
    devices.seed_everything(3)
    assert _draw() == first


# --- on a real GPU -------------------------------------------------------------------------


@pytest.mark.cuda
@pytest.mark.usefixtures("no_override")
def test_cuda_best_device_and_description() -> None:
    device = devices.best_device()
    assert device.type == "cuda"
    assert device.index is not None
    line = devices.describe_device(device)
    assert line.startswith(f"{device} ({torch.cuda.get_device_name(device)}) · torch ")
    assert line.endswith(f"CUDA {torch.version.cuda}")
    assert devices.device_count() >= 1


@pytest.mark.cuda
def test_cuda_seed_everything_seeds_the_gpu() -> None:
    devices.seed_everything(7)
    a = torch.rand(5, device="cuda").tolist()
    devices.seed_everything(7)
    b = torch.rand(5, device="cuda").tolist()
    assert a == b
