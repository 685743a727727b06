"""Thresholding operators against brute-force 1-D minimisation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sklearn_shallow.thresholds import (
    L0Penalty,
    L1Penalty,
    TransformedL1Penalty,
    get_penalty,
    hard_threshold,
    soft_threshold,
    tl1_threshold,
    tl1_threshold_level,
)

GRID = np.linspace(-12.0, 12.0, 480_001)  # spacing 5e-5


def _tl1(x, a):
    return (a + 1.0) * np.abs(x) / (a + np.abs(x))


def _l0(x):
    return (np.asarray(x) != 0).astype(float)


def _grid_minimum(w, t, penalty):
    """Objective value at the brute-force minimiser of (x-w)^2/2 + t P(x).

    The grid is completed with 0 and w, where the l0 minimisers lie.
    """
    x = np.concatenate([GRID, [0.0, w]])
    return np.min(0.5 * (x - w) ** 2 + t * penalty(x))


W_VALUES = np.array([-7.3, -2.2, -0.9, -0.31, -0.05, 0.0, 0.07, 0.4, 1.1, 2.6, 9.0])


@pytest.mark.parametrize("a", [0.01, 0.1, 0.5, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("t", [0.002, 0.03, 0.2, 1.0, 5.0])
def test_tl1_prox_matches_brute_force(a, t):
    # Covers both regimes of the threshold level: t <= a^2/(2(a+1)) or not.
    prox = tl1_threshold(W_VALUES, t, a)
    for w, x in zip(W_VALUES, prox):
        value = 0.5 * (x - w) ** 2 + t * _tl1(x, a)
        best = _grid_minimum(w, t, lambda g, a=a: _tl1(g, a))
        assert value <= best + 1e-7, (w, x)


@pytest.mark.parametrize(
    "t, a, regime",
    [
        (0.01, 1.0, "small"),
        (2.0, 1.0, "large"),
        (0.001, 0.1, "small"),
        (1, 0.1, "large"),
    ],
)
def test_tl1_threshold_level_regimes(t, a, regime):
    small = t <= a * a / (2 * (a + 1))
    assert small == (regime == "small")
    level = tl1_threshold_level(t, a)
    expected = t * (a + 1) / a if small else np.sqrt(2 * t * (a + 1)) - a / 2
    assert level == pytest.approx(expected)
    # Just above the level the prox is nonzero, just below it is zero.
    assert tl1_threshold(np.array([level * 1.001]), t, a)[0] > 0
    assert tl1_threshold(np.array([level * 0.999]), t, a)[0] == 0


# Rounding x to float32 moves the objective by O(eps32^2 w^2) near a
# minimiser; the slack also covers the float32 soft threshold's |w| - t.
GRID_TOL = {np.float32: 1e-6, np.float64: 1e-9}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("t", [0.01, 0.3, 2.0])
@pytest.mark.parametrize(
    "penalty, P",
    [
        (L1Penalty(), np.abs),
        (L0Penalty(), _l0),
        (TransformedL1Penalty(a=0.5), lambda x: _tl1(x, 0.5)),
    ],
    ids=["l1", "l0", "tl1"],
)
def test_penalty_prox_matches_brute_force(penalty, P, t, dtype):
    # Through the objects' prox (soft, hard and tl1 thresholding), in the
    # input's dtype; the reference minimises at the float32-rounded input.
    w = W_VALUES.astype(dtype)
    prox = penalty.prox(w, t)
    assert prox.dtype == dtype and prox.shape == w.shape
    for wi, xi in zip(w.astype(np.float64), prox.astype(np.float64)):
        value = 0.5 * (xi - wi) ** 2 + t * P(np.array([xi]))[0]
        assert value <= _grid_minimum(wi, t, P) + GRID_TOL[dtype], (wi, xi)


def test_tl1_tends_to_soft_for_large_a():
    w = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(
        tl1_threshold(w, 0.4, 1e6), soft_threshold(w, 0.4), atol=1e-5
    )


def test_tl1_tends_to_hard_for_small_a():
    w = np.array([-3.0, -1.5, -0.5, 0.2, 0.8, 1.2, 2.5])
    t = 0.5  # hard threshold at sqrt(2 t) = 1
    np.testing.assert_allclose(
        tl1_threshold(w, t, 1e-6), hard_threshold(w, t), atol=1e-5
    )


@settings(max_examples=60, deadline=None)
@given(
    w=st.floats(-50, 50),
    t=st.floats(1e-4, 10),
    a=st.floats(1e-2, 10),
)
def test_tl1_prox_properties(w, t, a):
    x = tl1_threshold(np.array([w]), t, a)[0]
    # Shrinks towards zero without changing sign, and beats x = 0 and x = w.
    assert abs(x) <= abs(w) + 1e-12
    assert x == 0 or np.sign(x) == np.sign(w)
    value = 0.5 * (x - w) ** 2 + t * _tl1(x, a)
    assert value <= 0.5 * w**2 + 1e-9
    assert value <= t * _tl1(w, a) + 1e-9


@pytest.mark.parametrize("op", [soft_threshold, hard_threshold])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_thresholds_keep_dtype_and_shape(op, dtype):
    w = np.arange(-6, 6, dtype=dtype).reshape(3, 4) / 3
    out = op(w, 0.2)
    assert out.dtype == dtype
    assert out.shape == (3, 4)


def test_tl1_keeps_dtype():
    w = np.linspace(-2, 2, 7, dtype=np.float32)
    assert tl1_threshold(w, 0.1, 1.0).dtype == np.float32


@pytest.mark.parametrize(
    "penalty, w, expected",
    [
        (L1Penalty(), np.array([1.0, -2.0, 0.0]), 3.0),
        (L0Penalty(), np.array([1.0, -2.0, 0.0]), 2.0),
        (TransformedL1Penalty(a=1.0), np.array([1.0, -3.0]), 2 * 1 / 2 + 2 * 3 / 4),
    ],
)
def test_penalty_values(penalty, w, expected):
    assert penalty.value(w) == pytest.approx(expected)


def test_get_penalty_and_clone():
    assert isinstance(get_penalty("l1"), L1Penalty)
    tl1 = get_penalty("tl1", a=0.3)
    assert clone(tl1).a == 0.3
    with pytest.raises(ValueError, match="Unknown penalty 'l2'"):
        get_penalty("l2")
    with pytest.raises(ValueError, match="a must be > 0"):
        TransformedL1Penalty(a=-1.0).check()


@pytest.mark.parametrize(
    "a, match",
    [
        (-1.0, "a must be > 0 and finite, got -1.0"),
        (0, "a must be > 0 and finite, got 0"),
        (np.inf, "a must be > 0 and finite, got inf"),
        (np.nan, "a must be > 0 and finite, got nan"),
        (True, "a must be > 0 and finite, got True"),
        ("big", "a must be > 0 and finite, got 'big'"),
        (np.array([1.0, 2.0]), "a must be > 0 and finite, got array"),
    ],
)
def test_transformed_l1_checks_a(a, match):
    penalty = TransformedL1Penalty(a=a)
    with pytest.raises(ValueError, match=match):
        penalty.check()
    # Used without a check, the prox validates too.
    with pytest.raises(ValueError, match=match):
        penalty.prox(np.ones(3), 0.1)


def test_penalty_shape_parameters_are_parameters():
    penalty = get_penalty("tl1", a=0.3)
    assert penalty.get_params() == {"a": 0.3}
    assert penalty.set_params(a=2.0) is penalty
    w = np.array([0.5, 3.0])
    np.testing.assert_array_equal(penalty.prox(w, 0.4), tl1_threshold(w, 0.4, 2.0))
