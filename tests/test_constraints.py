"""Tests of the constraint sets and their projections.

Each projection is compared with an independent reference: a bisection for
the l1 threshold, brute force over supports for l0, Eckart-Young for the rank,
degenerate cases and a bisection on singular values for the nuclear ball, least
squares for the subspace. General facts (feasible, idempotent, nonexpansive,
obtuse angle) are checked for every set.
"""

import itertools
import re

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone

from sklearn_shallow.constraints import (
    CONSTRAINTS,
    Constraint,
    L0Ball,
    L1Ball,
    NuclearBall,
    Rank,
    Subspace,
    Unconstrained,
    make_constraint,
    project_l1_ball,
)

SHAPES = [(3, 5), (4, 6), (5, 3), (1, 7)]  # odd, even, tall, one row
DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-10}


def _orthonormal_basis(shape, seed=0):
    n_weights = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n_weights, max(1, n_weights // 2)))
    return np.linalg.qr(A)[0]


def build(name, shape):
    """A constraint of each kind, sized so that it is active on ``shape``."""
    if name == "none":
        return Unconstrained()
    if name == "l0":
        return L0Ball(n_nonzero=4)
    if name == "l0_frac":
        return L0Ball(n_nonzero=0.3)
    if name == "l0_row":
        return L0Ball(n_nonzero=2, per_row=True)
    if name == "l1":
        return L1Ball(radius=1.5)
    if name == "rank":
        return Rank(rank=1)
    if name == "nuclear":
        return NuclearBall(radius=2.0)
    if name == "subspace":
        return Subspace(_orthonormal_basis(shape))
    raise AssertionError(name)


ALL = ["none", "l0", "l0_frac", "l0_row", "l1", "rank", "nuclear", "subspace"]
CONVEX = ["none", "l1", "nuclear", "subspace"]


def random_weights(shape, seed, dtype=np.float64, scale=3.0):
    rng = np.random.default_rng(seed)
    return (scale * rng.standard_normal(shape)).astype(dtype)


# ---------------------------------------------------------------------------
# Facts shared by every projection
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ALL)
def test_projection_is_feasible(name, shape, dtype):
    constraint = build(name, shape)
    W = random_weights(shape, seed=1, dtype=dtype)
    assert constraint.is_feasible(constraint.project(W))


@pytest.mark.parametrize("name", [n for n in ALL if n != "none"])
def test_random_weights_are_infeasible(name):
    # Guards the tests above: they must exercise an active constraint.
    shape = (4, 6)
    W = random_weights(shape, seed=2)
    assert not build(name, shape).is_feasible(W)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ALL)
def test_projection_is_idempotent(name, shape, dtype):
    constraint = build(name, shape)
    P = constraint.project(random_weights(shape, seed=3, dtype=dtype))
    np.testing.assert_allclose(constraint.project(P), P, rtol=0, atol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ALL)
def test_projection_keeps_shape_dtype_and_input(name, shape, dtype):
    constraint = build(name, shape)
    W = random_weights(shape, seed=4, dtype=dtype)
    W_before = W.copy()
    P = constraint.project(W)
    assert P.shape == W.shape
    assert P.dtype == dtype
    assert not np.shares_memory(P, W)
    np.testing.assert_array_equal(W, W_before)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ALL)
def test_feasible_points_are_fixed(name, shape):
    constraint = build(name, shape)
    C = constraint.project(random_weights(shape, seed=5))
    # Shrinking keeps every set here (all are cones or balls around 0).
    inside = 0.5 * C
    assert constraint.is_feasible(inside)
    np.testing.assert_allclose(constraint.project(inside), inside, atol=1e-12)


@pytest.mark.parametrize(
    "constraint, convex",
    [
        (Unconstrained(), True),
        (L0Ball(3), False),
        (L1Ball(1.0), True),
        (Rank(1), False),
        (NuclearBall(1.0), True),
        (Subspace(np.eye(4)[:, :2]), True),
    ],
)
def test_convex_flag(constraint, convex):
    assert constraint.convex is convex


def test_integer_input_gives_float64():
    P = L1Ball(2.0).project(np.array([[3, -1]]))
    assert P.dtype == np.float64
    np.testing.assert_array_equal(P, [[2.0, 0.0]])


# ---------------------------------------------------------------------------
# Convex sets: nonexpansive, obtuse angle
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", CONVEX)
def test_convex_projection_is_nonexpansive(name, shape, seed):
    constraint = build(name, shape)
    a = random_weights(shape, seed=10 + seed)
    b = random_weights(shape, seed=20 + seed, scale=0.5)
    gap = np.linalg.norm(constraint.project(a) - constraint.project(b))
    assert gap <= np.linalg.norm(a - b) + 1e-10


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", CONVEX)
def test_convex_projection_obtuse_angle(name, shape, seed):
    # For a closed convex set, <a - P(a), c - P(a)> <= 0 for every feasible c.
    constraint = build(name, shape)
    a = random_weights(shape, seed=30 + seed)
    c = constraint.project(random_weights(shape, seed=40 + seed))
    Pa = constraint.project(a)
    assert np.sum((a - Pa) * (c - Pa)) <= 1e-9


# ---------------------------------------------------------------------------
# L1 ball
# ---------------------------------------------------------------------------


def l1_reference(v, radius):
    """Soft threshold with theta found by bisection on sum max(|v| - t, 0)."""
    v = np.asarray(v, dtype=np.float64)
    if np.abs(v).sum() <= radius:
        return v.copy()
    lo, hi = 0.0, np.abs(v).max()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.maximum(np.abs(v) - mid, 0.0).sum() > radius:
            lo = mid
        else:
            hi = mid
    theta = 0.5 * (lo + hi)
    return np.sign(v) * np.maximum(np.abs(v) - theta, 0.0)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("radius", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("size", [1, 2, 7, 50])
def test_project_l1_ball_matches_bisection(size, radius, seed):
    v = random_weights(size, seed=seed)
    np.testing.assert_allclose(
        project_l1_ball(v, radius), l1_reference(v, radius), rtol=0, atol=1e-10
    )


def l1_reference_relative(v, radius):
    """Bisection on ``delta = max|v| - theta`` (not on theta itself).

    The kept entries ``|v_i| - theta = (|v_i| - max|v|) + delta`` are then
    formed without cancellation, so the reference stays exact when the
    radius is 1e-300 of the entries or the entries differ by 1e17.
    """
    v = np.asarray(v, dtype=np.float64)
    mag = np.abs(v)
    if mag.sum() <= radius:
        return v.copy()
    offsets = mag - mag.max()  # <= 0, exact

    def l1(delta):
        return np.maximum(offsets + delta, 0.0).sum()

    lo, hi = 0.0, mag.max()
    while l1(hi) <= radius:  # never taken: mag.sum() > radius
        hi *= 2
    # Halve until the bracket stops shrinking (at most ~2100 halvings from
    # 1e308 to the smallest subnormal).
    for _ in range(2200):
        mid = lo + 0.5 * (hi - lo)
        if mid in (lo, hi):
            break
        if l1(mid) > radius:
            hi = mid
        else:
            lo = mid
    delta = lo + 0.5 * (hi - lo)
    return np.sign(v) * np.maximum(offsets + delta, 0.0)


@pytest.mark.parametrize(
    "v, radius",
    [
        ([1e17, 1.0], 5.0),  # used to raise IndexError
        ([1e16, 1.0], 5.0),  # used to give [4, 0]
        ([1e17, -3.0, 2.0], 5.0),
        ([1.0, 0.5, -0.25], 1e-300),
        ([3e300, -1e300, 2e300], 1e-10),
        ([1e-300, -3e-300, 2e-301], 1e-301),
        ([1.0, 1.0 - 1e-15, -1.0], 1e-14),
    ],
)
def test_project_l1_ball_exact_at_extreme_radii_and_magnitudes(v, radius):
    got = project_l1_ball(np.array(v), radius)
    expected = l1_reference_relative(v, radius)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)
    assert np.abs(got).sum() == pytest.approx(radius, rel=1e-12)


@given(
    st.lists(
        st.floats(-1e12, 1e12, allow_nan=False, allow_subnormal=False),
        min_size=1,
        max_size=20,
    ),
    st.floats(1e-300, 1e6, allow_subnormal=False),
)
def test_project_l1_ball_matches_relative_bisection(values, radius):
    v = np.array(values)
    got = project_l1_ball(v, radius)
    expected = l1_reference_relative(v, radius)
    scale = max(radius, np.finfo(float).tiny)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 * scale)
    assert np.abs(got).sum() <= radius * (1 + 1e-12) or np.abs(v).sum() <= radius


@pytest.mark.parametrize("radius", [0.5, 2.0, 5.0])
def test_project_l1_ball_with_ties(radius):
    v = np.array([2.0, -2.0, 2.0, 1.0, -1.0, 0.0])
    np.testing.assert_allclose(
        project_l1_ball(v, radius), l1_reference(v, radius), rtol=0, atol=1e-10
    )


@pytest.mark.parametrize(
    "v, radius, expected",
    [
        # u = [3, 1], c = [3, 4]: j=1: 3 > (3-2)/1 yes; j=2: 1 > (4-2)/2 = 1 no.
        # rho = 1, theta = (3 - 2)/1 = 1, so [3-1, 0].
        ([3.0, -1.0], 2.0, [2.0, 0.0]),
        # u = [1, 1], c = [1, 2]: j=2: 1 > (2-1)/2 yes, rho = 2, theta = 1/2.
        # Dividing by the 0-based index would give theta = 1 and [0, 0].
        ([1.0, 1.0], 1.0, [0.5, 0.5]),
        # u = [4, 2, 1], c = [4, 6, 7], radius 3: j=2: 2 > 3/2 yes;
        # j=3: 1 > 4/3 no; rho = 2, theta = (6-3)/2 = 1.5.
        ([-4.0, 2.0, 1.0], 3.0, [-2.5, 0.5, 0.0]),
        # Inside the ball: unchanged.
        ([0.2, -0.3], 1.0, [0.2, -0.3]),
    ],
)
def test_project_l1_ball_by_hand(v, radius, expected):
    np.testing.assert_allclose(project_l1_ball(np.array(v), radius), expected)


@pytest.mark.parametrize("shape", SHAPES)
def test_l1_ball_is_global_over_the_array(shape):
    W = random_weights(shape, seed=6)
    expected = l1_reference(W.ravel(), 1.5).reshape(shape)
    np.testing.assert_allclose(L1Ball(1.5).project(W), expected, atol=1e-10)


# ---------------------------------------------------------------------------
# L0 ball
# ---------------------------------------------------------------------------


def l0_distance_reference(v, k):
    """Smallest distance from ``v`` to a vector with a support of size ``k``."""
    v = np.ravel(v)
    best = np.inf
    for support in itertools.combinations(range(v.size), k):
        dropped = np.delete(v, support)
        best = min(best, np.sqrt(np.sum(dropped**2)))
    return best


def _integer_weights(shape, seed):
    # Small integers make ties between magnitudes common.
    return np.random.default_rng(seed).integers(-3, 4, size=shape).astype(float)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("shape", [(2, 3), (3, 3)])
def test_l0_ball_matches_brute_force(shape, k, seed):
    W = _integer_weights(shape, seed)
    P = L0Ball(k).project(W)
    # P keeps entries of W unchanged, on at most k positions ...
    assert np.all((P == 0) | (P == W))
    assert np.count_nonzero(P) <= k
    # ... and is as close to W as the best support.
    np.testing.assert_allclose(
        np.linalg.norm(P - W), l0_distance_reference(W, k), atol=1e-12
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("shape", [(2, 3), (3, 4)])
def test_l0_ball_per_row_matches_brute_force(shape, k, seed):
    W = _integer_weights(shape, seed)
    P = L0Ball(k, per_row=True).project(W)
    assert np.all((P == 0) | (P == W))
    assert np.all(np.count_nonzero(P, axis=1) <= k)
    # Rows are independent, so the best squared distance adds up over rows.
    expected = np.sqrt(sum(l0_distance_reference(row, k) ** 2 for row in W))
    np.testing.assert_allclose(np.linalg.norm(P - W), expected, atol=1e-12)


def test_l0_ball_ties_keep_exactly_n_nonzero():
    W = np.ones((3, 4))
    assert np.count_nonzero(L0Ball(5).project(W)) == 5
    assert np.all(np.count_nonzero(L0Ball(2, per_row=True).project(W), axis=1) == 2)


@pytest.mark.parametrize(
    "n_nonzero, per_row, shape, expected",
    [
        (0.25, False, (4, 5), 5),  # 0.25 * 20 = 5
        (0.01, False, (4, 5), 1),  # 0.2 rounds to 0, raised to at least 1
        (0.5, False, (1, 7), 4),  # 3.5 rounds half up to 4
        (0.5, True, (3, 5), 3),  # per row: 2.5 -> 3, in each of the 3 rows
        (0.3, True, (2, 10), 3),  # per row: 3
    ],
)
def test_l0_ball_fraction(n_nonzero, per_row, shape, expected):
    W = random_weights(shape, seed=7) + 10.0  # no zeros
    P = L0Ball(n_nonzero, per_row=per_row).project(W)
    counts = np.count_nonzero(P, axis=1) if per_row else np.count_nonzero(P)
    np.testing.assert_array_equal(counts, expected)


# ---------------------------------------------------------------------------
# Rank and nuclear ball
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("shape", [(3, 5), (4, 6), (6, 4)])
def test_rank_matches_eckart_young(shape, rank, seed):
    W = random_weights(shape, seed=seed)
    P = Rank(rank).project(W)
    s = scipy.linalg.svdvals(W)
    assert np.linalg.matrix_rank(P) <= rank
    # The best rank-r approximation is at distance sqrt(sum of dropped s^2).
    np.testing.assert_allclose(
        np.linalg.norm(P - W), np.sqrt(np.sum(s[rank:] ** 2)), rtol=1e-10
    )


def nuclear_reference(W, radius):
    """Bisection on the singular value threshold, with scipy's SVD."""
    U, s, Vt = scipy.linalg.svd(W, full_matrices=False, lapack_driver="gesvd")
    if s.sum() <= radius:
        return W.copy()
    lo, hi = 0.0, s.max()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.maximum(s - mid, 0.0).sum() > radius:
            lo = mid
        else:
            hi = mid
    return (U * np.maximum(s - 0.5 * (lo + hi), 0.0)) @ Vt


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("radius", [0.5, 3.0, 100.0])
@pytest.mark.parametrize("shape", [(3, 5), (4, 6), (6, 4)])
def test_nuclear_ball_matches_bisection(shape, radius, seed):
    W = random_weights(shape, seed=seed)
    np.testing.assert_allclose(
        NuclearBall(radius).project(W), nuclear_reference(W, radius), atol=1e-10
    )


@pytest.mark.parametrize("radius", [0.5, 2.0])
def test_nuclear_ball_on_a_row_rescales(radius):
    # One row has a single singular value, its l2 norm: the projection scales
    # the row down to norm = radius.
    w = random_weights((1, 7), seed=8)
    expected = w * radius / np.linalg.norm(w)
    np.testing.assert_allclose(NuclearBall(radius).project(w), expected, atol=1e-12)


@pytest.mark.parametrize("radius", [0.5, 2.0, 4.0])
def test_nuclear_ball_on_a_diagonal_is_l1_on_the_diagonal(radius):
    d = np.array([3.0, 1.5, 0.5, 0.1])
    expected = np.diag(l1_reference(d, radius))
    np.testing.assert_allclose(
        NuclearBall(radius).project(np.diag(d)), expected, atol=1e-12
    )


@pytest.mark.parametrize("excess", [1e-6, 1e-9])
@pytest.mark.parametrize("constraint", [L1Ball(2.0), NuclearBall(2.0)])
def test_points_just_outside_are_projected(constraint, excess):
    # diag(1 + excess, 1) has l1 and nuclear norm 2 + excess; the projection
    # removes excess / 2 from each diagonal entry.
    W = np.diag([1.0 + excess, 1.0])
    expected = np.diag([1.0 + excess / 2, 1.0 - excess / 2])
    np.testing.assert_allclose(constraint.project(W), expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_nuclear_ball_is_closest_among_feasible_points(seed):
    W = random_weights((4, 5), seed=seed)
    constraint = NuclearBall(2.0)
    P = constraint.project(W)
    candidates = np.random.default_rng(100 + seed).standard_normal((50, 4, 5))
    nuclear_norms = np.linalg.svd(candidates, compute_uv=False).sum(axis=1)
    candidates *= (2.0 / nuclear_norms)[:, None, None]  # on the boundary
    distances = np.linalg.norm(W - candidates, axis=(1, 2))
    assert np.linalg.norm(W - P) <= distances.min() + 1e-12


# ---------------------------------------------------------------------------
# Subspace
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES)
def test_subspace_matches_least_squares(shape, seed):
    # Span a subspace with a non-orthonormal matrix A; the projection onto its
    # span is A @ argmin ||A x - vec W||, independent of the orthonormal basis.
    rng = np.random.default_rng(seed)
    n_weights = int(np.prod(shape))
    A = rng.standard_normal((n_weights, max(1, n_weights // 3)))
    W = rng.standard_normal(shape)
    coef = np.linalg.lstsq(A, W.ravel(), rcond=None)[0]
    P = Subspace(np.linalg.qr(A)[0]).project(W)
    np.testing.assert_allclose(P.ravel(), A @ coef, atol=1e-10)


def test_subspace_weight_sharing():
    # Basis of the set "both entries of each row are equal".
    basis = np.array([[1, 0], [1, 0], [0, 1], [0, 1]]) / np.sqrt(2.0)
    P = Subspace(basis).project(np.array([[3.0, 1.0], [-1.0, 5.0]]))
    np.testing.assert_allclose(P, [[2.0, 2.0], [2.0, 2.0]])


# ---------------------------------------------------------------------------
# Hypothesis: properties on arbitrary inputs
# ---------------------------------------------------------------------------

weights = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=50, deadline=None)
@given(W=weights, radius=st.floats(0.01, 100.0))
def test_l1_ball_properties(W, radius):
    constraint = L1Ball(radius)
    P = constraint.project(W)
    assert constraint.is_feasible(P)
    np.testing.assert_allclose(constraint.project(P), P, rtol=0, atol=1e-9)
    # Soft thresholding never flips a sign nor grows a magnitude.
    assert np.all(P * W >= 0)
    assert np.all(np.abs(P) <= np.abs(W))


@settings(max_examples=50, deadline=None)
@given(W=weights, frac=st.floats(0.01, 1.0), per_row=st.booleans())
def test_l0_ball_properties(W, frac, per_row):
    n_weights = W.shape[1] if per_row else W.size
    constraint = L0Ball(max(1, int(frac * n_weights)), per_row=per_row)
    P = constraint.project(W)
    assert constraint.is_feasible(P, atol=0.0)
    np.testing.assert_array_equal(constraint.project(P), P)
    assert np.all((P == 0) | (P == W))


@settings(max_examples=50, deadline=None)
@given(W=weights, radius=st.floats(0.01, 100.0))
def test_nuclear_ball_properties(W, radius):
    constraint = NuclearBall(radius)
    P = constraint.project(W)
    assert constraint.is_feasible(P, atol=1e-9 * max(1.0, np.abs(W).max()))
    np.testing.assert_allclose(constraint.project(P), P, rtol=0, atol=1e-8)


# ---------------------------------------------------------------------------
# Parameters: get_params, set_params, clone
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_clone_round_trip(name):
    constraint = build(name, (3, 4))
    copy = clone(constraint)
    assert type(copy) is type(constraint)
    assert copy is not constraint
    params, copied = constraint.get_params(), copy.get_params()
    assert sorted(params) == sorted(copied)
    for key, value in params.items():
        np.testing.assert_array_equal(copied[key], value)
    W = random_weights((3, 4), seed=9)
    np.testing.assert_array_equal(copy.project(W), constraint.project(W))


@pytest.mark.parametrize(
    "constraint, params",
    [
        (Unconstrained(), {}),
        (L0Ball(3), {"n_nonzero": 3, "per_row": False}),
        (L1Ball(1.5), {"radius": 1.5}),
        (Rank(2), {"rank": 2}),
        (NuclearBall(4.0), {"radius": 4.0}),
    ],
)
def test_get_params(constraint, params):
    assert constraint.get_params() == params


@pytest.mark.parametrize(
    "cls, old, new",
    [
        (L0Ball, {"n_nonzero": 3}, {"n_nonzero": 0.5, "per_row": True}),
        (L1Ball, {"radius": 1.5}, {"radius": 0.1}),
        (Rank, {"rank": 2}, {"rank": 1}),
        (NuclearBall, {"radius": 4.0}, {"radius": 2.0}),
    ],
)
def test_set_params_changes_the_projection(cls, old, new):
    constraint = cls(**old)
    W = random_weights((4, 4), seed=11)
    before = constraint.project(W)
    assert constraint.set_params(**new) is constraint
    assert constraint.get_params() == cls(**new).get_params()
    assert not np.allclose(constraint.project(W), before)


def test_set_params_rejects_unknown_name():
    with pytest.raises(ValueError, match="Invalid parameter 'tau' for L1Ball"):
        L1Ball(1.0).set_params(tau=2.0)


# ---------------------------------------------------------------------------
# make_constraint and check
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, tau, expected",
    [
        (None, None, Unconstrained()),
        ("none", None, Unconstrained()),
        ("l0", 5, L0Ball(n_nonzero=5, per_row=False)),
        ("l0", 0.2, L0Ball(n_nonzero=0.2, per_row=False)),
        ("l0_row", 2, L0Ball(n_nonzero=2, per_row=True)),
        ("l1", 1.5, L1Ball(radius=1.5)),
        ("rank", 2, Rank(rank=2)),
        ("nuclear", 3.0, NuclearBall(radius=3.0)),
    ],
)
def test_make_constraint_from_name(spec, tau, expected):
    constraint = make_constraint(spec, tau)
    assert type(constraint) is type(expected)
    assert constraint.get_params() == expected.get_params()


def test_make_constraint_passes_objects_through():
    constraint = L1Ball(2.0)
    assert make_constraint(constraint) is constraint


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_every_name_in_the_table_builds_a_constraint(name):
    tau = {"none": None, "l0": 2, "l0_row": 2, "rank": 1, "l0_features": 2}.get(
        name, 1.0
    )
    assert isinstance(make_constraint(name, tau), Constraint)


@pytest.mark.parametrize(
    "spec, tau, match",
    [
        ("l2", 1.0, "Unknown constraint 'l2'; expected one of .*'l1'"),
        ("l1", None, "constraint='l1' needs tau"),
        ("rank", None, "constraint='rank' needs tau"),
        ("l1", 0.0, re.escape("constraint='l1' needs tau > 0, got tau=0.0")),
        ("nuclear", -1.0, re.escape("needs tau > 0, got tau=-1.0")),
        ("l0", 0, re.escape("needs tau > 0, got tau=0")),
        ("l0", 1.5, r"int >= 1 .* or a float in \(0, 1\).*tau=1.5"),
        ("l0_row", 1.0, "constraint='l0_row' needs tau to be an int.*tau=1.0"),
        (
            "rank",
            2.5,
            re.escape("constraint='rank' needs an int tau >= 1, got tau=2.5"),
        ),
        ("l1", "big", "constraint='l1' needs tau > 0, got tau='big'"),
        (None, 3.0, "tau=3.0 is given but constraint is None"),
        ("none", 3.0, "tau=3.0 is given but constraint is None"),
        (L1Ball(1.0), 2.0, "tau=2.0 is only used with a constraint name"),
    ],
)
def test_make_constraint_errors(spec, tau, match):
    with pytest.raises(ValueError, match=match):
        make_constraint(spec, tau)


@pytest.mark.parametrize("spec", [3, 1.5, L1Ball, ["l1"]])
def test_make_constraint_wrong_type(spec):
    with pytest.raises(TypeError, match="constraint must be a string in"):
        make_constraint(spec)


@pytest.mark.parametrize(
    "constraint, shape, match",
    [
        (L0Ball(100), (4, 5), "n_nonzero=100 is larger than the 20 weights"),
        (L0Ball(6, per_row=True), (4, 5), "n_nonzero=6 .* 5 weights per row"),
        (L0Ball(0), (4, 5), "n_nonzero must be >= 1, got n_nonzero=0"),
        (L0Ball(1.0), (4, 5), r"float in \(0, 1\).*n_nonzero=1.0"),
        (L0Ball(2, per_row=True), (8,), r"2-D weight arrays.*\(8,\)"),
        (L0Ball(2, per_row="yes"), (4, 5), "per_row must be True or False"),
        (L1Ball(0.0), (4, 5), "radius must be a finite number > 0, got radius=0.0"),
        (L1Ball(-2), (4, 5), "got radius=-2"),
        (NuclearBall(np.inf), (4, 5), "got radius=inf"),
        (NuclearBall(1.0), (2, 3, 4), r"NuclearBall works on 2-D.*\(2, 3, 4\)"),
        (Rank(5), (3, 4), re.escape("rank=5 is larger than min(shape)=3")),
        (Rank(0), (3, 4), "rank must be an int >= 1, got rank=0"),
        (Rank(1.0), (3, 4), "got rank=1.0"),
        (Rank(1), (3, 4, 5), "Rank works on 2-D"),
        (Subspace(np.eye(6)[:, :2]), (2, 4), "basis has 6 rows but .* have 8"),
        (Subspace(np.ones(4)), (2, 2), "basis must be a 2-D array"),
        (Subspace(np.ones((4, 2))), (2, 2), "basis columns must be orthonormal"),
    ],
)
def test_check_errors(constraint, shape, match):
    with pytest.raises(ValueError, match=match):
        constraint.check(shape)
    # project validates too, so a bad constraint never returns weights.
    if len(shape) == 2:
        with pytest.raises(ValueError, match=match):
            constraint.project(np.ones(shape))


@pytest.mark.parametrize("name", ALL)
def test_check_accepts_matching_shapes(name):
    build(name, (4, 6)).check((4, 6))
