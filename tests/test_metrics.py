"""Tests of the fit and recovery measures in sklearn_shallow.metrics."""

import itertools
import pickle
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow.metrics import (
    normalized_mse,
    normalized_mse_scorer,
    recovery_error,
    recovery_error_scorer,
    weight_correlation,
    weight_correlation_scorer,
)

# ---------------------------------------------------------------- normalized_mse


def test_normalized_mse_hand_computed():
    # r = y - yhat = (0, 0, 0, 1): var r = 1/4 - 1/16 = 3/16;
    # var y = 5/4 (mean 2.5, squares 2.25 + 0.25 + 0.25 + 2.25 over 4).
    # Ratio (3/16) / (5/4) = 3/20.
    assert normalized_mse([1, 2, 3, 4], [1, 2, 3, 3]) == pytest.approx(0.15)


def test_normalized_mse_weighted_hand_computed():
    # Weights (1, 1, 1, 2), total 5. y: mean 14/5 = 2.8,
    # var = (3.24 + 0.64 + 0.04 + 2 * 1.44) / 5 = 1.36.
    # r = (0, 0, 0, 1): mean 0.4, var = (3 * 0.16 + 2 * 0.36) / 5 = 0.24.
    # Ratio 0.24 / 1.36 = 3/17.
    loss = normalized_mse([1, 2, 3, 4], [1, 2, 3, 3], sample_weight=[1, 1, 1, 2])
    assert loss == pytest.approx(3 / 17)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_normalized_mse_integer_weights_equal_repeated_samples(seed):
    rng = np.random.default_rng(seed)
    y, y_pred = rng.normal(size=8), rng.normal(size=8)
    counts = rng.integers(0, 4, size=8)
    counts[0] = 1
    counts[1] = 2
    expected = normalized_mse(np.repeat(y, counts), np.repeat(y_pred, counts))
    assert normalized_mse(y, y_pred, sample_weight=counts) == pytest.approx(expected)


def test_normalized_mse_perfect_prediction_is_zero():
    y = np.random.default_rng(0).normal(size=20)
    assert normalized_mse(y, y) == 0.0


def test_normalized_mse_predicting_the_mean_is_one():
    y = np.random.default_rng(0).normal(size=20)
    assert normalized_mse(y, np.full(20, y.mean())) == pytest.approx(1.0)


def test_normalized_mse_ignores_a_constant_offset():
    y = np.random.default_rng(0).normal(size=20)
    assert normalized_mse(y, y + 3.0) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    "y_true, sample_weight",
    [([2.0, 2.0, 2.0], None), ([1.0, 2.0, 2.0], [0.0, 1.0, 3.0])],
)
def test_normalized_mse_constant_target_raises(y_true, sample_weight):
    with pytest.raises(ValueError, match="zero variance"):
        normalized_mse(y_true, [1.0, 2.0, 3.0], sample_weight=sample_weight)


def test_normalized_mse_length_mismatch_raises():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        normalized_mse([1.0, 2.0, 3.0], [1.0, 2.0])


# ------------------------------------------------------------ weight_correlation


def test_weight_correlation_hand_worked_2x2():
    # Row (1, 0): cosines 3/5 with (3, 4) and 0 with (0, -2) -> best 0.6.
    # Row (0, 1): cosines 4/5 and -1 -> best 0.8. Mean 0.7.
    W_true = [[1.0, 0.0], [0.0, 1.0]]
    W_hat = [[3.0, 4.0], [0.0, -2.0]]
    assert weight_correlation(W_true, W_hat) == pytest.approx(0.7)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_correlation_permuted_and_rescaled_rows_is_one(seed):
    rng = np.random.default_rng(seed)
    W_true = rng.normal(size=(6, 10))
    perm = rng.permutation(6)
    scales = rng.uniform(0.1, 10.0, size=(6, 1))
    assert weight_correlation(W_true, scales * W_true[perm]) == pytest.approx(1.0)


def test_weight_correlation_single_opposite_unit_is_minus_one():
    # With one learned unit the best cosine can be negative.
    assert weight_correlation([[1.0, 1.0]], [[-2.0, -2.0]]) == pytest.approx(-1.0)


def test_weight_correlation_zero_rows_count_as_zero():
    # Row 0 matches exactly (1); row 1 of W_true is zero (0) -> mean 0.5.
    W_true = [[1.0, 0.0], [0.0, 0.0]]
    assert weight_correlation(W_true, [[2.0, 0.0]]) == pytest.approx(0.5)
    assert weight_correlation([[1.0, 0.0]], [[0.0, 0.0]]) == 0.0


def test_weight_correlation_allows_different_row_counts():
    # Extra learned units do not hurt; one true unit matched by the third.
    W_true = [[0.0, 1.0]]
    W_hat = [[1.0, 0.0], [1.0, 1.0], [0.0, 5.0]]
    assert weight_correlation(W_true, W_hat) == pytest.approx(1.0)


def test_weight_correlation_feature_mismatch_raises():
    with pytest.raises(ValueError, match="same number of columns"):
        weight_correlation(np.eye(2), np.eye(3))


# ---------------------------------------------------------------- recovery_error


def brute_force_recovery_error(W_true, W_hat):
    """min over all permutations of max_j ||w*_j - what_pi(j)|| / ||w*_j||."""
    n_hidden = len(W_true)
    best = np.inf
    for perm in itertools.permutations(range(n_hidden)):
        worst = max(
            np.linalg.norm(W_true[j] - W_hat[perm[j]]) / np.linalg.norm(W_true[j])
            for j in range(n_hidden)
        )
        best = min(best, worst)
    return best


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovery_error_of_a_permutation_is_zero(seed):
    rng = np.random.default_rng(seed)
    W_true = rng.normal(size=(5, 4))
    perm = rng.permutation(5)
    # Row j of W_true sits at row inverse[j] of the shuffled matrix.
    inverse = np.argsort(perm)
    error, found, v_match = recovery_error(W_true, W_true[perm], return_matching=True)
    assert error == pytest.approx(0.0, abs=1e-12)
    assert_array_equal(found, inverse)
    assert v_match is None


@pytest.mark.parametrize("seed", range(8))
def test_recovery_error_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    W_true = rng.normal(size=(5, 4))
    W_hat = W_true + rng.normal(scale=0.7, size=(5, 4))
    expected = brute_force_recovery_error(W_true, W_hat)
    error, perm, _ = recovery_error(W_true, W_hat, return_matching=True)
    assert error == pytest.approx(expected, rel=1e-10)
    # The permutation returned attains the error it reports.
    attained = max(
        np.linalg.norm(W_true[j] - W_hat[perm[j]]) / np.linalg.norm(W_true[j])
        for j in range(5)
    )
    assert attained == pytest.approx(error, rel=1e-10)
    assert sorted(perm) == list(range(5))


def test_recovery_error_is_minimax_not_min_sum():
    # One feature, w* = (2, 4), what = (2, 1). Relative errors:
    #   identity: |2-2|/2 = 0 and |4-1|/4 = 0.75 -> max 0.75, sum 0.75
    #   swapped:  |2-1|/2 = 0.5 and |4-2|/4 = 0.5 -> max 0.5, sum 1.0
    # A sum-minimising assignment would keep the identity; the answer is 0.5.
    error, perm, _ = recovery_error(
        [[2.0], [4.0]], [[2.0], [1.0]], return_matching=True
    )
    assert error == pytest.approx(0.5)
    assert_array_equal(perm, [1, 0])


@pytest.mark.parametrize(
    "v_hat, expected", [([1.0, 1.0, -1.0], True), ([1.0, -1.0, -1.0], False)]
)
def test_recovery_error_output_weight_matching(v_hat, expected):
    W_true = np.diag([1.0, 2.0, 3.0])
    # W_hat rows: unit 2, unit 0, unit 1 -> perm = (1, 2, 0).
    W_hat = W_true[[2, 0, 1]]
    v_true = np.array([1.0, -1.0, 1.0])
    # v_true under perm = (1, 2, 0) must equal (v_hat[1], v_hat[2], v_hat[0]).
    error, perm, v_match = recovery_error(
        W_true, W_hat, v_true=v_true, v_hat=v_hat, return_matching=True
    )
    assert error == 0.0
    assert_array_equal(perm, [1, 2, 0])
    assert v_match is expected


def test_recovery_error_without_matching_returns_a_float():
    assert isinstance(recovery_error(np.eye(2), 0.5 * np.eye(2)), float)
    assert recovery_error(np.eye(2), 0.5 * np.eye(2)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.eye(3), np.eye(3)[:2]), {}, "same number of rows (n_hidden); got 3 and 2"),
        ((np.eye(3), np.eye(4)[:3]), {}, "same number of columns"),
        ((np.diag([1.0, 0.0]), np.eye(2)), {}, "W_true has zero rows [1]"),
        ((np.eye(2), np.eye(2)), {"v_true": [1, 1]}, "both v_true and v_hat"),
        (
            (np.eye(2), np.eye(2)),
            {"v_true": [1, 1], "v_hat": [1, 1, 1], "return_matching": True},
            "v_true and v_hat must have shape (n_hidden,) = (2,)",
        ),
    ],
)
def test_recovery_error_invalid_inputs_raise(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        recovery_error(*args, **kwargs)


# ----------------------------------------------------------------------- scorers

W_TRUE = np.random.default_rng(42).normal(size=(4, 6))
OFFSET = np.random.default_rng(43).normal(size=(4, 6))
SHUFFLE = np.array([2, 0, 3, 1])


class StubNetwork(RegressorMixin, BaseEstimator):
    """Pretends to learn W_TRUE (shuffled) plus ``perturbation * OFFSET``."""

    def __init__(self, perturbation=0.0):
        self.perturbation = perturbation

    def fit(self, X, y):
        self.hidden_weights_ = W_TRUE[SHUFFLE] + self.perturbation * OFFSET
        return self

    def predict(self, X):
        return np.zeros(len(X))


class Fitted:
    def __init__(self, hidden_weights):
        self.hidden_weights_ = hidden_weights


def test_weight_correlation_scorer_on_a_stub():
    scorer = weight_correlation_scorer(W_TRUE)
    assert scorer(Fitted(3.0 * W_TRUE[SHUFFLE]), None, None) == pytest.approx(1.0)
    W_hat = W_TRUE + OFFSET
    assert scorer(Fitted(W_hat), None, None) == weight_correlation(W_TRUE, W_hat)


def test_recovery_error_scorer_on_a_stub():
    scorer = recovery_error_scorer(W_TRUE)
    assert scorer(Fitted(W_TRUE[SHUFFLE]), None, None) == 0.0
    # Halving every row gives relative error 1/2 whatever the matching.
    assert scorer(Fitted(0.5 * W_TRUE), None, None) == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "make_scorer_for, metric, sign",
    [
        (weight_correlation_scorer, weight_correlation, 1),
        (recovery_error_scorer, recovery_error, -1),
    ],
)
def test_weight_scorers_in_grid_search(make_scorer_for, metric, sign):
    X = np.random.default_rng(0).normal(size=(30, 6))
    y = X[:, 0]
    grid = [0.5, 0.0, 1.0]
    search = GridSearchCV(
        StubNetwork(),
        {"perturbation": grid},
        scoring=make_scorer_for(W_TRUE),
        cv=3,
    )
    search.fit(X, y)
    assert search.best_params_ == {"perturbation": 0.0}
    expected = [sign * metric(W_TRUE, W_TRUE[SHUFFLE] + t * OFFSET) for t in grid]
    assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-12)


def test_weight_scorer_reads_the_last_step_of_a_pipeline():
    X = np.random.default_rng(0).normal(size=(10, 6))
    pipeline = make_pipeline(StandardScaler(), StubNetwork()).fit(X, X[:, 0])
    assert recovery_error_scorer(W_TRUE)(pipeline, X, None) == 0.0


def test_weight_scorer_without_hidden_weights_raises():
    X = np.random.default_rng(0).normal(size=(10, 6))
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.raises(AttributeError, match="no attribute hidden_weights_"):
        weight_correlation_scorer(W_TRUE)(model, X, None)


def test_weight_scorers_pickle():
    scorer = pickle.loads(pickle.dumps(recovery_error_scorer(W_TRUE)))
    assert scorer(Fitted(0.5 * W_TRUE), None, None) == pytest.approx(-0.5)


def test_normalized_mse_scorer_in_cross_val_score():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.3, size=60)
    cv = KFold(n_splits=4)
    scores = cross_val_score(
        LinearRegression(), X, y, scoring=normalized_mse_scorer, cv=cv
    )

    def fold_loss(train, test):
        prediction = LinearRegression().fit(X[train], y[train]).predict(X[test])
        return np.var(y[test] - prediction) / np.var(y[test])

    expected = [-fold_loss(train, test) for train, test in cv.split(X)]
    assert_allclose(scores, expected, rtol=1e-12)
    assert np.all(scores < 0)
