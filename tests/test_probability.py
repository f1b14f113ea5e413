"""Tests for dlnotes.probability: validation, statistical properties of the rolls, the plot.

Statistical tests use fixed seeds and tolerant bounds (5 standard errors), never
outputs copied from a run: a wrong sampler fails them, a correct one passes them
for essentially every seed.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
import torch

from dlnotes.probability import (
    check_probs,
    face_counts,
    plot_estimates,
    roll_dice,
    running_estimates,
)

matplotlib.use("Agg")


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _assert_frequencies_match(counts: torch.Tensor, probs: list[float], z: float = 5.0) -> None:
    """Every face's frequency lies within ``z`` standard errors of its probability."""
    n = int(counts.sum())
    for face, (count, p) in enumerate(zip(counts.tolist(), probs)):
        freq = count / n
        se = math.sqrt(p * (1 - p) / n)
        if se == 0:
            assert freq == p, (face, freq, p)
        else:
            assert abs(freq - p) <= z * se, (face, freq, p, se)


# --- check_probs ----------------------------------------------------------------------------


def test_check_probs_accepts_and_converts() -> None:
    out = check_probs([0.2, 0.3, 0.5])
    assert out.dtype == torch.float64
    assert out.tolist() == [0.2, 0.3, 0.5]
    assert check_probs(np.array([0.5, 0.5], dtype=np.float32)).dtype == torch.float64
    p = torch.full((6,), 1 / 6, dtype=torch.float32, requires_grad=True)
    checked = check_probs(p)
    assert not checked.requires_grad
    assert checked.shape == (6,)
    assert check_probs([1.0]).tolist() == [1.0]
    assert check_probs([0.0, 1.0]).tolist() == [0.0, 1.0]


def test_check_probs_never_aliases_its_input() -> None:
    for probs in (torch.tensor([0.5, 0.5], dtype=torch.float64), np.array([0.5, 0.5])):
        out = check_probs(probs)
        out[0] = 9.0
        assert probs[0] == 0.5


def test_check_probs_refuses_meta_tensors() -> None:
    with pytest.raises(ValueError, match="probs must hold data"):
        check_probs(torch.full((2,), 0.5, device="meta"))


def test_check_probs_tolerance_is_1e_6() -> None:
    check_probs([0.5, 0.5 + 5e-7])
    with pytest.raises(ValueError, match="sum to 1"):
        check_probs([0.5, 0.5 + 5e-6])


@pytest.mark.parametrize(
    ("probs", "pattern"),
    [
        ([0.5, -0.1, 0.6], r"non-negative; received \[0\.5, -0\.1, 0\.6\] \(negative at positions \[1\]\)"),
        ([[0.5, 0.5]], r"must be 1-D.*received shape \(1, 2\)"),
        (0.5, r"must be 1-D.*received shape \(\)"),
        ([], "at least one entry"),
        ([0.5, float("nan"), 0.5], r"finite; received \[0\.5, nan, 0\.5\] \(not finite at positions \[1\]\)"),
        ([float("inf"), 0.0], r"finite.*positions \[0\]"),
        ([0.3, 0.3], r"sum to 1 \(within 1e-06\); received \[0\.3, 0\.3\], which sums to 0\.6"),
        ([1, 1, 1, 1, 1, 1], r"which sums to 6"),
    ],
)
def test_check_probs_rejects(probs: object, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern) as info:
        check_probs(probs)  # type: ignore[arg-type]
    assert str(info.value).startswith("probs must")


@pytest.mark.parametrize("probs", ["0.5", ["a", "b"], torch.tensor([True, False]), {"a": 1}])
def test_check_probs_type_errors(probs: object) -> None:
    with pytest.raises(TypeError, match="probs must"):
        check_probs(probs)  # type: ignore[arg-type]


def test_long_probability_vectors_are_shortened_in_messages() -> None:
    with pytest.raises(ValueError, match=r"\.\.\. \(20 values\)"):
        check_probs([0.1] * 20)


# --- roll_dice ------------------------------------------------------------------------------


def test_roll_dice_shape_dtype_range() -> None:
    rolls = roll_dice(10_000, generator=_gen())
    assert rolls.shape == (10_000,)
    assert rolls.dtype == torch.int64
    assert 0 <= int(rolls.min()) and int(rolls.max()) <= 5
    assert roll_dice(0).shape == (0,)


def test_roll_dice_is_reproducible_with_a_generator() -> None:
    a = roll_dice(1000, generator=_gen(3))
    b = roll_dice(1000, generator=_gen(3))
    c = roll_dice(1000, generator=_gen(4))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fair_die_frequencies(seed: int) -> None:
    rolls = roll_dice(60_000, generator=_gen(seed))
    _assert_frequencies_match(face_counts(rolls, 6), [1 / 6] * 6)


@pytest.mark.parametrize("num_faces", [1, 2, 20])
def test_fair_die_with_other_face_counts(num_faces: int) -> None:
    rolls = roll_dice(40_000, num_faces=num_faces, generator=_gen(5))
    assert int(rolls.max()) == num_faces - 1
    _assert_frequencies_match(face_counts(rolls, num_faces), [1 / num_faces] * num_faces)


@pytest.mark.parametrize("kind", ["list", "tuple", "tensor32", "numpy"])
def test_loaded_die_frequencies(kind: str) -> None:
    probs = [0.05, 0.0, 0.5, 0.15, 0.3]
    given: object = {
        "list": probs,
        "tuple": tuple(probs),
        "tensor32": torch.tensor(probs, dtype=torch.float32),
        "numpy": np.array(probs),
    }[kind]
    rolls = roll_dice(50_000, probs=given, generator=_gen(11))  # type: ignore[arg-type]
    counts = face_counts(rolls, 5)
    assert counts[1].item() == 0  # a face of probability 0 never comes up
    _assert_frequencies_match(counts, probs)


def test_rolls_are_independent_between_consecutive_rolls() -> None:
    # successive pairs of a fair die are uniform over the 36 pairs (a sampler that
    # repeated or alternated faces would fail this)
    rolls = roll_dice(72_000, generator=_gen(9))
    pairs = rolls[0::2] * 6 + rolls[1::2]
    _assert_frequencies_match(face_counts(pairs, 36), [1 / 36] * 36)
    assert (rolls[1:] == rolls[:-1]).double().mean().item() == pytest.approx(1 / 6, abs=5 * math.sqrt(5 / 36 / 72_000))


def test_roll_dice_argument_errors() -> None:
    with pytest.raises(ValueError, match="num_rolls must be an int >= 0; received -1"):
        roll_dice(-1)
    with pytest.raises(TypeError, match=r"num_rolls must be an int >= 0; received 10.0 \(float\)"):
        roll_dice(10.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="num_faces must be an int >= 1; received 0"):
        roll_dice(5, num_faces=0)
    with pytest.raises(ValueError, match="num_faces=4 and probs of length 3"):
        roll_dice(5, probs=[0.2, 0.3, 0.5], num_faces=4)
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        roll_dice(5, generator=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="probs must be non-negative"):
        roll_dice(5, probs=[1.5, -0.5])


def test_probs_length_decides_faces_with_default_num_faces() -> None:
    rolls = roll_dice(2000, probs=[0.25] * 4, generator=_gen())
    assert set(rolls.tolist()) == {0, 1, 2, 3}
    assert roll_dice(10, probs=[0.5, 0.5], num_faces=2, generator=_gen()).shape == (10,)


def test_num_faces_6_contradicting_probs_is_refused() -> None:
    # 6 is no longer a "not given" marker: None is
    with pytest.raises(ValueError, match="num_faces=6 and probs of length 2"):
        roll_dice(10, probs=[0.5, 0.5], num_faces=6)
    with pytest.raises(ValueError, match="num_faces=6 and probs of length 2"):
        running_estimates(3, 2, probs=[0.5, 0.5], num_faces=6)
    assert roll_dice(50, num_faces=None, generator=_gen()).max().item() <= 5


def test_numpy_and_0d_integer_counts_are_accepted() -> None:
    a = roll_dice(np.int64(5), num_faces=np.int32(3), generator=_gen(3))  # type: ignore[arg-type]
    b = roll_dice(torch.tensor(5), num_faces=3, generator=_gen(3))  # type: ignore[arg-type]
    assert a.tolist() == b.tolist() == roll_dice(5, num_faces=3, generator=_gen(3)).tolist()
    assert running_estimates(np.int64(2), np.int64(3), generator=_gen()).shape == (2, 6)  # type: ignore[arg-type]
    assert face_counts(torch.tensor([0, 1]), np.int64(2)).tolist() == [1, 1]  # type: ignore[arg-type]


# --- face_counts --------------------------------------------------------------------------------


def test_face_counts_against_a_python_count() -> None:
    rolls = roll_dice(3000, num_faces=7, generator=_gen(2))
    counts = face_counts(rolls, 9)
    listed = rolls.tolist()
    assert counts.tolist() == [listed.count(f) for f in range(9)]
    assert counts.dtype == torch.int64
    assert face_counts(torch.empty(0, dtype=torch.int64), 3).tolist() == [0, 0, 0]
    assert face_counts(torch.tensor([1, 1], dtype=torch.int32), 2).tolist() == [0, 2]


def test_face_counts_errors() -> None:
    with pytest.raises(ValueError, match=r"rolls must lie in 0\.\.5 for num_faces=6; received values from 0 to 6"):
        face_counts(torch.tensor([0, 6]), 6)
    with pytest.raises(ValueError, match="received values from -1 to 2"):
        face_counts(torch.tensor([-1, 2]), 6)
    with pytest.raises(TypeError, match="rolls must be a torch.Tensor of integer dtype; received .*dtype torch.float32"):
        face_counts(torch.tensor([0.0, 1.0]), 6)
    with pytest.raises(ValueError, match=r"rolls must be 1-D; received shape \(2, 2\)"):
        face_counts(torch.zeros(2, 2, dtype=torch.int64), 6)
    with pytest.raises(TypeError, match="rolls must be a torch.Tensor"):
        face_counts([0, 1], 6)  # type: ignore[arg-type]


# --- running_estimates ------------------------------------------------------------------------


def test_running_estimates_are_cumulative_frequencies() -> None:
    num_groups, group_size = 50, 7
    est = running_estimates(num_groups, group_size, generator=_gen(1))
    rolls = roll_dice(num_groups * group_size, generator=_gen(1))  # the same draws
    assert est.shape == (num_groups, 6)
    assert est.dtype == torch.float64
    for j in [0, 1, 17, num_groups - 1]:
        seen = rolls[: (j + 1) * group_size]
        expected = face_counts(seen, 6).double() / seen.numel()
        assert torch.allclose(est[j], expected)
    assert torch.allclose(est.sum(dim=1), torch.ones(num_groups, dtype=torch.float64))


def test_running_estimates_converge() -> None:
    probs = [0.1, 0.2, 0.3, 0.4]
    est = running_estimates(400, 50, probs=probs, generator=_gen(8))
    _assert_frequencies_match((est[-1] * 20_000).round().long(), probs)
    # the error shrinks: the last row is closer than the first ten on average
    err = (est - torch.tensor(probs, dtype=torch.float64)).abs().max(dim=1).values
    assert err[-1] < err[:10].mean()


def test_running_estimates_errors() -> None:
    with pytest.raises(ValueError, match="num_groups must be an int >= 1; received 0"):
        running_estimates(0, 10)
    with pytest.raises(ValueError, match="group_size must be an int >= 1; received 0"):
        running_estimates(10, 0)
    with pytest.raises(ValueError, match="probs must sum to 1"):
        running_estimates(10, 10, probs=[0.5, 0.4])


# --- plot_estimates ---------------------------------------------------------------------------


def test_plot_estimates_lines_and_dashes() -> None:
    import matplotlib.pyplot as plt

    probs = [0.2, 0.2, 0.6]
    est = running_estimates(30, 5, probs=probs, generator=_gen())
    ax = plot_estimates(est, probs=probs)
    lines = ax.get_lines()
    solid = [ln for ln in lines if ln.get_linestyle() == "-"]
    dashed = [ln for ln in lines if ln.get_linestyle() == "--"]
    assert [ln.get_label() for ln in solid] == ["face 0", "face 1", "face 2"]
    assert sorted(float(ln.get_ydata()[0]) for ln in dashed) == [0.2, 0.6]  # one per distinct value
    assert list(solid[2].get_xdata()) == list(range(1, 31))
    assert np.allclose(solid[2].get_ydata(), est[:, 2].numpy())
    assert ax.get_xlabel() == "number of groups"
    plt.close("all")


def test_plot_estimates_default_fair_and_tensor_with_grad() -> None:
    import matplotlib.pyplot as plt

    est = running_estimates(20, 5, generator=_gen()).float().requires_grad_()
    fig, ax = plt.subplots()
    out = plot_estimates(est, ax=ax)
    assert out is ax
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and float(dashed[0].get_ydata()[0]) == pytest.approx(1 / 6)
    plt.close("all")


def test_plot_estimates_errors() -> None:
    est = running_estimates(5, 5, generator=_gen())
    with pytest.raises(ValueError, match=r"one entry per column of estimates \(6\); received 2"):
        plot_estimates(est, probs=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"shape \(num_groups, k\).*received shape \(6,\)"):
        plot_estimates(est[0])
    with pytest.raises(ValueError, match="probs must be non-negative"):
        plot_estimates(est, probs=[0.5, 0.5, 0.5, 0.5, -1.0, 0.0])
    with pytest.raises(TypeError, match="estimates must be a torch.Tensor"):
        plot_estimates(est.numpy())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="estimates must be a torch.Tensor of floating or integer dtype"):
        plot_estimates(est.to(torch.complex64))
    with pytest.raises(TypeError, match=r"ax must be a matplotlib Axes or None; received 'x' \(str\)"):
        plot_estimates(est, ax="x")  # type: ignore[arg-type]


# --- on a real GPU -------------------------------------------------------------------------------


@pytest.mark.cuda
def test_cuda_generator_rolls_on_the_gpu() -> None:
    g = torch.Generator(device="cuda").manual_seed(0)
    rolls = roll_dice(60_000, probs=[0.5, 0.25, 0.25], generator=g)
    assert rolls.device.type == "cuda"
    counts = face_counts(rolls, 3)
    assert counts.device.type == "cuda"
    _assert_frequencies_match(counts.cpu(), [0.5, 0.25, 0.25])
    est = running_estimates(100, 10, generator=torch.Generator(device="cuda").manual_seed(1))
    assert est.device.type == "cuda"
    import matplotlib.pyplot as plt

    plot_estimates(est)
    plt.close("all")
