"""Tests of feature selection: the sets and penalties on input columns.

:class:`L0Features` against brute force over the subsets of columns
(groups); :class:`L1Features` against an independent bisection on the group
soft threshold, SLSQP, and the projection's optimality condition; the
penalties' proxes against a brute-force minimisation over a grid of column
norms; groups entering and leaving together; the errors; and end-to-end fits
on a planted network that reads 3 of its 10 inputs.
"""

import itertools
import re

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_shallow import (
    Convolution,
    L0Features,
    L1Features,
    ProjectedShallowRegressor,
    RVSMRegressor,
)
from sklearn_shallow.constraints import make_constraint
from sklearn_shallow.paths import lam_grid
from sklearn_shallow.prox import get_prox
from sklearn_shallow.thresholds import (
    L0FeaturesPenalty,
    L1FeaturesPenalty,
    TransformedL1FeaturesPenalty,
    get_penalty,
    tl1_threshold,
)

GROUPINGS = [None, [[0, 2], [3]], [[4, 1, 0]], [[0, 1], [2, 3, 4]]]
SHAPE = (3, 5)


def _weights(shape=SHAPE, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _all_groups(groups, n_columns):
    """The groups as lists, singletons for the columns in none."""
    groups = [list(g) for g in (groups or [])]
    covered = {j for g in groups for j in g}
    return groups + [[j] for j in range(n_columns) if j not in covered]


def _norms(W, groups):
    return np.array([np.linalg.norm(W[:, g]) for g in _all_groups(groups, W.shape[1])])


# ---------------------------------------------------------------------------
# L0Features
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("groups", GROUPINGS)
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("seed", range(5))
def test_l0_features_is_the_brute_force_projection(groups, k, seed):
    W = _weights(seed=seed)
    all_groups = _all_groups(groups, W.shape[1])
    if k > len(all_groups):
        pytest.skip("more groups kept than there are")
    best = np.inf
    for size in range(k + 1):
        for subset in itertools.combinations(range(len(all_groups)), size):
            X = np.zeros_like(W)
            for g in subset:
                X[:, all_groups[g]] = W[:, all_groups[g]]
            best = min(best, np.linalg.norm(X - W))
    P = L0Features(n_features=k, groups=groups).project(W)
    assert np.linalg.norm(P - W) == pytest.approx(best, rel=1e-12)
    # A restriction of W to whole groups, at most k of them.
    kept = [g for g in all_groups if np.any(P[:, g])]
    assert len(kept) <= k
    for g in all_groups:
        block = P[:, g]
        assert np.array_equal(block, W[:, g]) or not np.any(block)


def test_l0_features_ties_go_to_the_lowest_column():
    W = np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]])  # all norms 1
    P = L0Features(n_features=2).project(W)
    np.testing.assert_array_equal(P, W * [1, 1, 0, 0])
    # Groups are numbered by their lowest column: {3, 0} before {1}, {2}.
    P = L0Features(n_features=1, groups=[[3], [1, 2]]).project(np.ones((1, 4)))
    np.testing.assert_array_equal(P, [[0.0, 1.0, 1.0, 0.0]])
    P = L0Features(n_features=1, groups=[[2, 3], [0, 1]]).project(np.ones((1, 4)))
    np.testing.assert_array_equal(P, [[1.0, 1.0, 0.0, 0.0]])


@pytest.mark.parametrize("fraction, expected", [(0.2, 1), (0.5, 3), (0.99, 5)])
def test_l0_features_fraction_of_inputs(fraction, expected):
    # Rounded half up, at least 1 (0.5 * 5 = 2.5 -> 3), as L0Ball counts.
    P = L0Features(n_features=fraction).project(_weights())
    assert np.count_nonzero(np.any(P, axis=0)) == expected


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_l0_features_keeps_dtype_and_feasibility(dtype):
    W = _weights(dtype=dtype)
    constraint = L0Features(2, groups=[[0, 1]])
    P = constraint.project(W)
    assert P.dtype == dtype and P is not W
    assert constraint.is_feasible(P) and not constraint.is_feasible(W)
    assert constraint.value(P) == 0.0 and constraint.value(W) == np.inf
    np.testing.assert_array_equal(constraint.project(P), P)


# ---------------------------------------------------------------------------
# L1Features
# ---------------------------------------------------------------------------


def _group_soft_threshold_by_bisection(W, radius, groups):
    """The l2,1 projection from its form ``max(0, 1 - theta / r_g) W_g``,
    with ``theta`` found by bisection on ``sum_g max(r_g - theta, 0) =
    radius`` (independent of the sort-based l1 projection)."""
    all_groups = _all_groups(groups, W.shape[1])
    r = _norms(W, groups)
    if r.sum() <= radius:
        return W.copy()
    low, high = 0.0, r.max()
    for _ in range(200):
        mid = 0.5 * (low + high)
        if np.maximum(r - mid, 0).sum() > radius:
            low = mid
        else:
            high = mid
    theta = 0.5 * (low + high)
    X = np.zeros_like(W)
    for g, cols in enumerate(all_groups):
        if r[g] > 0:
            X[:, cols] = max(0.0, 1.0 - theta / r[g]) * W[:, cols]
    return X


@pytest.mark.parametrize("groups", GROUPINGS)
@pytest.mark.parametrize("radius", [0.3, 1.5, 4.0, 100.0])
@pytest.mark.parametrize("seed", range(4))
def test_l1_features_matches_the_bisection(groups, radius, seed):
    W = _weights(seed=seed)
    P = L1Features(radius, groups=groups).project(W)
    np.testing.assert_allclose(
        P, _group_soft_threshold_by_bisection(W, radius, groups), atol=1e-10
    )
    assert _norms(P, groups).sum() <= radius * (1 + 1e-12)


@pytest.mark.parametrize("groups", [None, [[0, 2]]])
@pytest.mark.parametrize("seed", range(3))
def test_l1_features_beats_slsqp(groups, seed):
    # A generic solver of min ||X - W||^2 s.t. sum_g ||X_g|| <= radius.
    W = _weights(shape=(2, 3), seed=seed)
    radius = 0.5 * _norms(W, groups).sum()
    shape = W.shape

    def objective(x):
        return float(np.sum((x - W.ravel()) ** 2))

    def slack(x):
        return radius - _norms(x.reshape(shape), groups).sum()

    result = scipy.optimize.minimize(
        objective,
        np.zeros(W.size),
        jac=lambda x: 2 * (x - W.ravel()),
        constraints=[{"type": "ineq", "fun": slack}],
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 500},
    )
    P = L1Features(radius, groups=groups).project(W)
    assert slack(result.x) > -1e-6
    assert objective(P.ravel()) <= result.fun + 1e-6
    np.testing.assert_allclose(P.ravel(), result.x, atol=1e-4)


finite = st.floats(-10, 10, allow_nan=False, width=64)


@settings(max_examples=50, deadline=None)
@given(
    W=arrays(np.float64, (3, 4), elements=finite),
    V=arrays(np.float64, (3, 4), elements=finite),
    radius=st.floats(0.05, 20),
    groups=st.sampled_from([None, [[0, 3]], [[1, 2, 3]]]),
    seed=st.integers(0, 2**16),
)
def test_l1_features_is_a_projection_onto_a_convex_set(W, V, radius, groups, seed):
    constraint = L1Features(radius, groups=groups)
    P, Q = constraint.project(W), constraint.project(V)
    assert constraint.is_feasible(P)
    np.testing.assert_array_equal(constraint.project(P), P)  # idempotent
    assert np.linalg.norm(P - Q) <= np.linalg.norm(W - V) * (1 + 1e-9) + 1e-9
    # Optimality: <W - P, Z - P> <= 0 for every Z in the set (here Q and
    # random points of the set).
    rng = np.random.default_rng(seed)
    candidates = [Q] + [
        constraint.project(10 * rng.standard_normal(W.shape)) for _ in range(5)
    ]
    scale = 1 + np.abs(W).max()
    for Z in candidates:
        assert np.vdot(W - P, Z - P) <= 1e-9 * scale**2


# ---------------------------------------------------------------------------
# The penalties
# ---------------------------------------------------------------------------

# The penalty of one group as a function of its norm (elementwise).
SCALAR = {
    "l0_features": lambda s: (s != 0).astype(float),
    "l1_features": lambda s: s,
    "tl1_features": lambda s: 1.5 * s / (0.5 + s),  # a = 0.5
}


def _penalty(name, groups=None):
    penalty = get_penalty(name, a=0.5)
    penalty.set_params(groups=groups)
    return penalty


@pytest.mark.parametrize("name", sorted(SCALAR))
@pytest.mark.parametrize("groups", GROUPINGS)
def test_penalty_value_is_the_function_of_the_norms(name, groups):
    W = _weights()
    W[:, 1] = 0.0
    expected = SCALAR[name](_norms(W, groups)).sum()
    assert _penalty(name, groups).value(W) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", sorted(SCALAR))
@pytest.mark.parametrize("groups", GROUPINGS)
@pytest.mark.parametrize("t", [0.05, 0.4, 1.0, 3.0])
@pytest.mark.parametrize("seed", range(3))
def test_penalty_prox_against_brute_force(name, groups, t, seed):
    # The objective ||X - W||^2 / 2 + t P(X) separates over groups; on the
    # ray of W_g it is (s - r_g)^2 / 2 + t P(s): a fine grid of s in [0,
    # 1.5 r_g] gives each group's minimum, and no random point beats the
    # prox (off the ray the distance only grows).
    W = 1.5 * _weights(seed=seed)
    penalty = _penalty(name, groups)

    def objective(X):
        return 0.5 * np.sum((X - W) ** 2) + t * penalty.value(X)

    P = penalty.prox(W, t)
    brute = 0.0
    for r in _norms(W, groups):
        s = np.linspace(0.0, 1.5 * r, 30001)
        brute += np.min(0.5 * (s - r) ** 2 + t * SCALAR[name](s))
    assert objective(P) <= brute + 1e-9
    assert objective(P) >= brute - 1e-4 * (1 + brute)  # the grid is fine
    rng = np.random.default_rng(seed)
    for _ in range(50):
        X = P + 0.1 * rng.standard_normal(W.shape) * (rng.random(W.shape) < 0.5)
        assert objective(P) <= objective(X) + 1e-12


def test_penalty_proxes_by_formula():
    W = np.array([[3.0, 0.6, 0.0], [4.0, 0.8, 0.0]])  # column norms 5, 1, 0
    t = 0.5  # hard threshold sqrt(2 t) = 1: the norm-1 column goes (a tie)
    np.testing.assert_array_equal(L0FeaturesPenalty().prox(W, t), W * [1, 0, 0])
    np.testing.assert_allclose(
        L1FeaturesPenalty().prox(W, t), W * [1 - t / 5, 1 - t / 1, 0]
    )
    new = tl1_threshold(np.array([5.0, 1.0]), t, 2.0)
    np.testing.assert_allclose(
        TransformedL1FeaturesPenalty(a=2.0).prox(W, t),
        W * [new[0] / 5, new[1] / 1, 0],
    )
    for penalty in (L0FeaturesPenalty(), L1FeaturesPenalty()):
        np.testing.assert_array_equal(penalty.prox(W, 0.0), W)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(SCALAR))
def test_penalty_prox_keeps_the_dtype(name, dtype):
    W = _weights(dtype=dtype)
    P = _penalty(name).prox(W, 0.3)
    assert P.dtype == dtype and P.shape == W.shape


# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------

GROUPED_OPERATORS = [
    lambda groups: L0Features(2, groups=groups),
    lambda groups: L1Features(1.0, groups=groups),
    lambda groups: L0FeaturesPenalty(groups=groups),
    lambda groups: L1FeaturesPenalty(groups=groups),
    lambda groups: TransformedL1FeaturesPenalty(a=0.5, groups=groups),
]


@pytest.mark.parametrize("make", GROUPED_OPERATORS)
@pytest.mark.parametrize("seed", range(20))
def test_a_group_enters_and_leaves_together(make, seed):
    groups = [[0, 3, 5], [1, 4]]
    operator = make(groups)
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((4, 7)) * rng.uniform(0.05, 2.0, 7)
    P = operator.prox(W, 1.0)
    used = np.any(P != 0, axis=0)
    for g in groups:
        assert used[g].all() or not used[g].any(), (g, used)
    # Kept groups keep their direction.
    for g in _all_groups(groups, 7):
        if used[g].any():
            a, b = P[:, g].ravel(), W[:, g].ravel()
            cos = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
            assert cos == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("make", GROUPED_OPERATORS)
@pytest.mark.parametrize(
    "groups, match",
    [
        ([[0, 9]], re.escape("groups[0] holds column 9, out of range for weights")),
        ([[1], [-1]], "groups\\[1\\] holds column -1, out of range"),
        ([[0, 1], [2, 1]], re.escape("column 1 is in groups[0] and in groups[1]")),
        ([[2, 2]], re.escape("column 2 is twice in groups[0]")),
        ([[0], []], re.escape("groups[1] is empty")),
        ([[0, 1.5]], re.escape("groups[0] holds 1.5, which is not a column index")),
        ([[0, True]], "not a column index"),
        ([0, 1], re.escape("groups[0]=0 is not a list")),
        ("ab", "groups must be None or a list of lists"),
        (3, "groups must be None or a list of lists"),
    ],
)
def test_bad_groups_are_refused(make, groups, match):
    operator = make(groups)
    with pytest.raises(ValueError, match=match):
        operator.check((2, 4))
    with pytest.raises(ValueError, match=match):
        operator.prox(np.ones((2, 4)), 1.0)


@pytest.mark.parametrize("make", GROUPED_OPERATORS)
def test_feature_operators_need_a_matrix(make):
    with pytest.raises(ValueError, match="works on 2-D hidden weights"):
        make(None).check((2, 3, 4))


@pytest.mark.parametrize(
    "constraint, match",
    [
        (L0Features(0), "n_features must be >= 1, got n_features=0"),
        (L0Features(1.5), r"int >= 1 or a float in \(0, 1\).*n_features=1.5"),
        (L0Features(True), "n_features must be an int"),
        (L0Features(6), "n_features=6 is larger than the 5 input columns"),
        (
            L0Features(3, groups=[[0, 1, 2], [3, 4]]),
            "n_features=3 is larger than the 2 groups of input columns",
        ),
        (L1Features(0.0), "radius must be a finite number > 0"),
        (L1Features(np.inf), "radius must be a finite number > 0"),
    ],
)
def test_bad_sizes_are_refused(constraint, match):
    with pytest.raises(ValueError, match=match):
        constraint.check((3, 5))


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def test_names_build_the_operators():
    c = make_constraint("l0_features", 3)
    assert type(c) is L0Features and c.n_features == 3 and c.groups is None
    c = make_constraint("l1_features", 2.5)
    assert type(c) is L1Features and c.radius == 2.5
    assert type(get_penalty("l0_features")) is L0FeaturesPenalty
    assert type(get_penalty("l1_features")) is L1FeaturesPenalty
    tl1 = get_prox("tl1_features", "penalty", a=0.3)
    assert type(tl1) is TransformedL1FeaturesPenalty and tl1.a == 0.3
    assert not L0Features(1).convex and L1Features(1.0).convex
    assert L1FeaturesPenalty().convex and not L0FeaturesPenalty().convex


@pytest.mark.parametrize(
    "name, tau, match",
    [
        ("l0_features", None, "constraint='l0_features' needs tau"),
        ("l0_features", 0, re.escape("needs tau > 0, got tau=0")),
        (
            "l0_features",
            1.5,
            re.escape(
                "constraint='l0_features' needs tau to be an int >= 1 (number "
                "of inputs) or a float in (0, 1) (fraction of inputs), got tau=1.5"
            ),
        ),
        ("l1_features", None, "constraint='l1_features' needs tau"),
        ("l1_features", -2.0, re.escape("needs tau > 0, got tau=-2.0")),
    ],
)
def test_bad_tau_for_the_names(name, tau, match):
    with pytest.raises(ValueError, match=match):
        make_constraint(name, tau)


def test_tl1_features_checks_a():
    with pytest.raises(ValueError, match="a must be > 0 and finite"):
        TransformedL1FeaturesPenalty(a=-1.0).prox(np.ones((2, 2)), 1.0)


# ---------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------

RELEVANT = [1, 4, 7]


def _planted(seed, n=400, p=10, k=4):
    """A ReLU network with ``k`` units that reads inputs 1, 4 and 7 of 10."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = np.zeros((k, p))
    W[:, RELEVANT] = rng.standard_normal((k, len(RELEVANT)))
    y = np.maximum(X @ W.T, 0.0).sum(axis=1)
    return X, y


def _used(est):
    return np.flatnonzero(np.any(est.hidden_weights_ != 0, axis=0)).tolist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_l0_features_fit_finds_the_planted_inputs(seed):
    X, y = _planted(seed)
    est = ProjectedShallowRegressor(constraint="l0_features", tau=3, random_state=seed)
    est.fit(X, y)
    assert _used(est) == RELEVANT
    assert est.score(X, y) > 0.95


@pytest.mark.parametrize("seed", [0, 1])
def test_l1_features_fit_keeps_the_radius_in_scaled_units(seed):
    X, y = _planted(seed)
    X = X * np.linspace(0.5, 3.0, X.shape[1])  # scales differ from 1
    tau = 2.0
    est = ProjectedShallowRegressor(constraint="l1_features", tau=tau, random_state=0)
    est.fit(X, y)
    rms = np.sqrt(np.mean(X**2, axis=0))
    scaled = est.hidden_weights_ * rms  # the weights of unit-RMS columns
    assert np.linalg.norm(scaled, axis=0).sum() <= tau * (1 + 1e-6)
    assert est.constraint_.is_feasible(est._units.hidden_in(est.hidden_weights_))
    assert set(_used(est)) >= set(RELEVANT)
    top = np.argsort(-np.linalg.norm(scaled, axis=0))[:3]
    assert sorted(top) == RELEVANT


@pytest.mark.parametrize("penalty", ["l0_features", "l1_features", "tl1_features"])
def test_feature_penalties_fit_select_the_planted_inputs(penalty):
    X, y = _planted(0)
    est = RVSMRegressor(penalty=penalty, lam=1e-2, random_state=0).fit(X, y)
    assert _used(est) == RELEVANT
    assert est.score(X, y) > 0.95


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:The fitted network is a constant predictor")
def test_lam_grid_works_with_a_feature_penalty():
    X, y = _planted(0, n=200)
    est = RVSMRegressor(penalty="l1_features", random_state=0, max_iter=50)
    lams = lam_grid(est, X, y, n_lams=3)
    assert lams.shape == (3,) and lams[0] > lams[-1] > 0
    fitted = RVSMRegressor(
        penalty="l1_features", lam=1.01 * lams[0], random_state=0, max_iter=50
    ).fit(X, y)
    assert not np.any(fitted.hidden_weights_)


@pytest.mark.parametrize(
    "make",
    [
        lambda conv: ProjectedShallowRegressor(
            architecture=conv, constraint="l0_features", tau=1
        ),
        lambda conv: ProjectedShallowRegressor(
            architecture=conv, constraint=L1Features(1.0)
        ),
        lambda conv: RVSMRegressor(architecture=conv, penalty="l1_features"),
    ],
)
def test_a_convolution_refuses_the_feature_operators(make):
    X, y = _planted(0, n=50)
    est = make(Convolution(kernel_size=3, stride=1, n_kernels=2))
    with pytest.raises(ValueError, match="selects input columns of a dense hidden"):
        est.fit(X, y)


def test_lbfgs_is_refused_as_for_other_constraints():
    X, y = _planted(0, n=50)
    est = ProjectedShallowRegressor(constraint="l0_features", tau=2, solver="lbfgs")
    with pytest.raises(ValueError, match="solver='lbfgs' needs a problem without"):
        est.fit(X, y)
