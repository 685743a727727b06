"""Quadratic networks (Du & Lee 2018): objective, certificate, optimality, use.

Every number is checked against a reference computed here from the
definitions: central differences for gradients, an explicitly formed ``S``
for the certificate, the optimum of the convex problem in ``M = W^T W``
(accelerated projected gradient on the PSD cone) for global optimality,
repeated samples for sample weights, LogisticRegression and LinearRegression
for the degenerate and baseline cases.
"""

import contextlib
import itertools
import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.datasets import load_diabetes, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import DegenerateFitWarning, DivergenceError, _base
from sklearn_shallow._loss import LogisticLoss, SquaredLoss
from sklearn_shallow.quadratic import (
    CHECK_EVERY,
    QuadraticNetClassifier,
    QuadraticNetRegressor,
    auto_width,
    certify,
    quadratic_objective,
)

#: Du & Lee's network ||W x||^2, the regressor's default before version 0.1.
DU_LEE = dict(fit_intercept=False, hidden_bias=False)


# ---- references written from the definitions ----------------------------------

# (value, derivative in the prediction, bound on the second derivative)
LOSS_FORMULAS = {
    "squared_error": (
        lambda p, y: 0.5 * (p - y) ** 2,
        lambda p, y: p - y,
        1.0,
    ),
    "log_loss": (
        lambda p, y: np.log1p(np.exp(-y * p)),
        lambda p, y: -y / (1.0 + np.exp(y * p)),
        0.25,
    ),
}
LOSS_CLASSES = {"squared_error": SquaredLoss, "log_loss": LogisticLoss}


def planted_quadratic(n_samples, n_features, n_planted, noise, seed):
    """``X ~ N(0, I)`` and ``y = ||W* x||^2 + noise * std * N(0, 1)``."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_planted, n_features)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples, n_features))
    signal = ((X @ W.T) ** 2).sum(axis=1)
    y = signal + noise * signal.std() * rng.standard_normal(n_samples)
    return X, y, signal


def column_rms(X, sample_weight=None):
    """The front end's column scale: each feature's root mean square. The
    estimators fit (and certify) the problem on ``X / column_rms(X)``, with
    weight decay and ``C`` on the scaled weights ``W * column_rms(X)``."""
    return np.sqrt(np.average(X**2, axis=0, weights=sample_weight))


def standardised_target(y, fit_intercept, sample_weight=None):
    """The targets the regressor fits for the squared loss: ``(y - m) / s``
    with the weighted mean and standard deviation, or ``y / rms(y)`` without
    an intercept."""
    m = np.average(y, weights=sample_weight) if fit_intercept else 0.0
    s = np.sqrt(np.average((y - m) ** 2, weights=sample_weight))
    return (y - m) / s


def random_psd(n_features, norm, seed):
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((n_features, n_features))
    C = G @ G.T
    return norm * C / np.linalg.norm(C)


def convex_reference(X, y, loss, lam, C=None, signs=(1.0,), fit_intercept=False):
    """Optimal value of the convex problem over PSD ``M_s`` (one per sign):

        mean_i l(x_i^T (sum_s s M_s) x_i + b, y_i) + sum_s <lam/2 I + C, M_s>,

    by FISTA with adaptive restart (projection: clip the eigenvalues).
    """
    value, deriv, curvature = LOSS_FORMULAS[loss]
    n, d = X.shape
    G0 = lam / 2 * np.eye(d) + (0.0 if C is None else C)
    # Lipschitz constant of the gradient: curvature * ||A||^2 for the linear
    # map A(M_s, b) = (x_i^T (sum s M_s) x_i + b)_i / sqrt(n).
    gram = len(signs) * (X @ X.T) ** 2 + float(fit_intercept)
    step = 1.0 / (curvature * np.linalg.eigvalsh(gram / n)[-1])

    def pred(Ms, b):
        A = sum(s * M for s, M in zip(signs, Ms))
        return np.einsum("ij,jk,ik->i", X, A, X) + b

    def objective(Ms, b):
        return value(pred(Ms, b), y).mean() + sum(np.sum(G0 * M) for M in Ms)

    def project(M):
        e, V = np.linalg.eigh((M + M.T) / 2)
        return (V * np.maximum(e, 0.0)) @ V.T

    Ms, b = [np.zeros((d, d)) for _ in signs], 0.0
    Zs, zb, t = [M.copy() for M in Ms], b, 1.0
    f_old = objective(Ms, b)
    for _ in range(4000):
        r = deriv(pred(Zs, zb), y) / n
        S0 = (X * r[:, None]).T @ X
        new = [project(Z - step * (s * S0 + G0)) for s, Z in zip(signs, Zs)]
        new_b = zb - step * r.sum() if fit_intercept else 0.0
        f_new = objective(new, new_b)
        if f_new > f_old:
            Zs, zb, t = [M.copy() for M in Ms], b, 1.0
            continue
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        momentum = (t - 1) / t_new
        Zs = [N + momentum * (N - M) for N, M in zip(new, Ms)]
        zb = new_b + momentum * (new_b - b)
        Ms, b, t, f_old = new, new_b, t_new, f_new
    return f_old


def objective_by_formula(X, y, loss, signs, lam, C, W, b, weight):
    """``L(W)`` written out term by term."""
    value = LOSS_FORMULAS[loss][0]
    pred = np.array([sum(a * (w @ x) ** 2 for a, w in zip(signs, W)) for x in X]) + b
    penalty = lam / 2 * np.sum(W**2)
    if C is not None:
        penalty += np.trace(C @ W.T @ W)
    return np.sum(weight * value(pred, y)) + penalty


def small_problem(loss, signs, fit_intercept, perturbation, weighted, seed=0):
    """An objective with every feature switched on as asked, and a point."""
    rng = np.random.default_rng(seed)
    n, d, k = 25, 5, 4
    X = rng.standard_normal((n, d))
    if loss == "log_loss":
        y = rng.choice([-1.0, 1.0], size=n)
    else:
        y = rng.standard_normal(n) + 2.0
    a = np.array([1.0, -1.0, 1.0, -1.0]) if signs == "mixed" else np.ones(k)
    C = random_psd(d, 0.3, seed + 1) if perturbation else None
    sw = rng.uniform(0.5, 2.0, size=n) if weighted else None
    objective = quadratic_objective(
        X, y, LOSS_CLASSES[loss](), a, 0.1, C, fit_intercept, sw
    )
    params = [rng.standard_normal((k, d)) / 2]
    if fit_intercept:
        params.append(np.array([0.3]))
    weight = np.full(n, 1 / n) if sw is None else sw / sw.sum()
    return objective, params, (X, y, a, C, weight)


GRID = list(
    itertools.product(
        ["squared_error", "log_loss"],  # loss
        ["ones", "mixed"],  # output signs
        [False, True],  # fit_intercept
        [False, True],  # perturbation
    )
)


# ---- losses and objective -------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_loss_value_derivative_and_curvature(weighted):
    rng = np.random.default_rng(0)
    pred = 4 * rng.standard_normal(30)
    y = rng.choice([-1.0, 1.0], size=30)
    weight = rng.uniform(size=30) if weighted else 1 / 30
    dpred = np.empty(30)
    loss = LogisticLoss().value_and_dpred(pred, y, weight, out=dpred)
    assert loss == pytest.approx(np.sum(weight * np.log1p(np.exp(-y * pred))))
    h = 1e-6
    value = LOSS_FORMULAS["log_loss"][0]
    numeric = (value(pred + h, y) - value(pred - h, y)) / (2 * h)
    assert_allclose(dpred, weight * numeric, rtol=1e-7, atol=1e-10)
    slope = LOSS_FORMULAS["log_loss"][1]
    second = (slope(pred + h, y) - slope(pred - h, y)) / (2 * h)
    assert_allclose(LogisticLoss.curvature(pred, y), second, rtol=1e-6, atol=1e-10)


def test_logistic_loss_is_finite_for_huge_margins():
    pred = np.array([-800.0, 800.0])
    dpred = np.empty(2)
    loss = LogisticLoss().value_and_dpred(pred, np.array([1.0, 1.0]), 0.5, out=dpred)
    assert loss == pytest.approx(400.0)
    assert_allclose(dpred, [-0.5, 0.0], atol=1e-300)


# The shared objective (ShallowModel with the quadratic activation and the
# signs as fixed output weights, Objective with alpha and the Perturbation
# part) against Du & Lee's objective written out in numpy.
@pytest.mark.parametrize("loss, signs, fit_intercept, perturbation", GRID)
def test_objective_value_matches_formula(loss, signs, fit_intercept, perturbation):
    objective, params, (X, y, a, C, weight) = small_problem(
        loss, signs, fit_intercept, perturbation, weighted=True
    )
    W = params[0].copy()
    value = objective.value(params, objective.batches()[0])
    b = params[1][0] if fit_intercept else 0.0
    if fit_intercept and loss == "squared_error":
        # Solved in value(): the weighted mean residual of the quadratic part.
        q = np.array([sum(s * (w @ x) ** 2 for s, w in zip(a, W)) for x in X])
        assert b == pytest.approx(weight @ (y - q), rel=1e-12)
    elif fit_intercept:
        assert b == 0.3  # a gradient variable, left as given
    expected = objective_by_formula(X, y, loss, a, 0.1, C, W, b, weight)
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("loss, signs, fit_intercept, perturbation", GRID)
def test_gradient_matches_central_differences(loss, signs, fit_intercept, perturbation):
    # For the squared loss with an intercept the value is min_b L(W, b): its
    # gradient in W is the partial one at the solved b (envelope theorem)
    # and its derivative in b is zero, which the differences confirm.
    objective, params, (X, y, a, C, weight) = small_problem(
        loss, signs, fit_intercept, perturbation, weighted=True
    )

    def formula(params):
        if fit_intercept and loss == "squared_error":
            params = [p.copy() for p in params]
            objective.value(params, objective.batches()[0])  # solves b
        b = params[1][0] if fit_intercept else 0.0
        return objective_by_formula(X, y, loss, a, 0.1, C, params[0], b, weight)

    batch = objective.batches()[0]
    grads = objective.gradient(params, batch, out=[np.empty_like(p) for p in params])
    h = 1e-6
    for block, grad in zip(params, grads):
        numeric = np.empty_like(block)
        for idx in np.ndindex(block.shape):
            saved = block[idx]
            block[idx] = saved + h
            up = formula(params)
            block[idx] = saved - h
            down = formula(params)
            block[idx] = saved
            numeric[idx] = (up - down) / (2 * h)
        assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_gradient_and_lanczos_certificate_never_form_a_d_by_d_matrix():
    # d = 2000: one d x d float64 matrix is 32 MB; everything else here is
    # O(n d + k d), well under a tenth of that.
    rng = np.random.default_rng(0)
    n, d, k = 30, 2000, 3
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    objective = quadratic_objective(X, y, SquaredLoss(), np.ones(k), 0.1)
    params = [rng.standard_normal((k, d)) / np.sqrt(d)]
    out = [np.empty_like(params[0])]
    batch = objective.batches()[0]
    tracemalloc.start()
    try:
        objective.value(params, batch)
        objective.gradient(params, batch, out=out)
        certificate = certify(objective, params, random_state=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert certificate.method == "lanczos"
    assert peak < d * d * 8 / 10, peak


# ---- the certificate (more in test_certificate.py) ------------------------------
# Settings shared by the optimality tests: a loss, the output signs, the
# intercept, and labels or planted targets.
OPTIMALITY_CASES = {
    "squared": ("squared_error", "ones", False),
    "squared_balanced_intercept": ("squared_error", "balanced", True),
    "logistic_intercept": ("log_loss", "ones", True),
}


def _optimality_problem(case):
    loss, signs, fit_intercept = OPTIMALITY_CASES[case]
    # Du & Lee's planted setting, reduced: n = 60, d = 15, k0 = 3, noise.
    X, y, _ = planted_quadratic(60, 15, 3, 0.1, 0)
    if loss == "log_loss":
        y = np.where(y > np.median(y), 1.0, -1.0)
        fitted = y
    else:
        # The regressor fits the squared loss to standardised targets, and
        # loss_ and the certificate are those of that problem: the reference
        # optimum is computed for the same targets. (Before the fits were
        # made unit-free, the reference used the raw y.)
        fitted = standardised_target(y, fit_intercept)
    C = random_psd(15, 1e-3, 1)
    block_signs = (1.0,) if signs == "ones" else (1.0, -1.0)
    # The estimator solves the problem on columns of unit root mean square.
    X_scaled = X / column_rms(X)
    optimum = convex_reference(
        X_scaled, fitted, loss, 1e-2, C, block_signs, fit_intercept
    )
    params = dict(
        alpha=1e-2,
        perturbation=C,
        output_weights=signs,
        fit_intercept=fit_intercept,
        hidden_bias=False,
        loss=loss,
    )
    return X, y, optimum, params


@pytest.mark.parametrize("case", sorted(OPTIMALITY_CASES))
def test_fit_reaches_the_optimum_of_the_convex_problem(case):
    X, y, optimum, params = _optimality_problem(case)
    # auto width: k (k + 1) / 2 > 60 gives k = 11 < d = 15, the regime of
    # Theorem 3.2, hence the perturbation C.
    est = QuadraticNetRegressor(**params, tol=0.0, random_state=0).fit(X, y)
    assert est.n_hidden_ == (11 if params["output_weights"] == "ones" else 22)
    assert abs(est.loss_ - optimum) <= 1e-6 * optimum, (est.loss_, optimum)
    certificate = est.certificate_
    assert est.is_certified_
    assert certificate.relative_lambda_min >= -1e-8, certificate
    # The certified gap is a true upper bound.
    assert est.loss_ - optimum <= certificate.gap_bound + 1e-14


@pytest.mark.parametrize("case", sorted(OPTIMALITY_CASES))
def test_gap_bound_bounds_the_true_gap_of_an_unfinished_fit(case):
    X, y, optimum, params = _optimality_problem(case)
    with pytest.warns(ConvergenceWarning):
        est = QuadraticNetRegressor(**params, max_iter=8, random_state=0).fit(X, y)
    certificate = est.certificate_
    true_gap = est.loss_ - optimum
    assert true_gap > 1e-6 * optimum  # really unfinished
    assert np.isfinite(certificate.gap_bound)
    assert true_gap <= certificate.gap_bound
    assert not est.is_certified_


def test_random_initialisations_reach_the_same_objective():
    X, y, _ = planted_quadratic(60, 15, 3, 0.1, 0)
    C = random_psd(15, 1e-3, 1)  # the same C for every start
    losses = [
        QuadraticNetRegressor(**DU_LEE, perturbation=C, tol=1e-8, random_state=seed)
        .fit(X, y)
        .loss_
        for seed in range(10)
    ]
    assert np.ptp(losses) <= 1e-6 * np.min(losses), losses


def test_gd_reaches_the_objective_of_lbfgs():
    # Both solvers run until the certificate proves the gap tol.
    X, y, _ = planted_quadratic(60, 8, 2, 0.1, 0)
    kw = dict(alpha=1e-2, stop="certified", output_weights="ones", random_state=0)
    lbfgs = QuadraticNetRegressor(**kw).fit(X, y)
    gd = QuadraticNetRegressor(**kw, solver="pgd", max_iter=3000).fit(X, y)
    assert gd.is_certified_ and lbfgs.is_certified_
    assert gd.loss_ == pytest.approx(lbfgs.loss_, rel=1e-4)


def test_gd_with_a_too_large_fixed_step_raises_divergence():
    X, y, _ = planted_quadratic(60, 8, 2, 0.1, 0)
    with pytest.raises(DivergenceError, match="step_size"):
        QuadraticNetRegressor(solver="pgd", step_size=1e3, random_state=0).fit(X, y)


# ---- paper claims: generalisation and classification --------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_weight_decay_helps_generalisation():
    # k0 = 3, d = 20, n = 200: d (d + 1) / 2 = 210 free parameters in M.
    X, y, signal = planted_quadratic(2200, 20, 3, 1.0, 0)
    X_train, y_train = X[:200], y[:200]
    X_test, f_test = X[200:], signal[200:]
    plain = QuadraticNetRegressor(alpha=0.0, random_state=0).fit(X_train, y_train)
    search = GridSearchCV(
        QuadraticNetRegressor(random_state=0),
        {"alpha": [0.0, 1e-3, 1e-2, 1e-1, 1.0]},
        cv=3,
        scoring="neg_mean_squared_error",
        n_jobs=2,
    ).fit(X_train, y_train)
    mse_plain = np.mean((plain.predict(X_test) - f_test) ** 2)
    mse_decay = np.mean((search.predict(X_test) - f_test) ** 2)
    assert search.best_params_["alpha"] > 0
    assert mse_decay < 0.95 * mse_plain, (mse_decay, mse_plain)


def test_classifier_separates_a_planted_quadratic_boundary():
    X, _, signal = planted_quadratic(2800, 10, 3, 0.0, 0)
    labels = np.where(signal > np.median(signal), "far", "near")
    X_train, y_train, X_test, y_test = X[:800], labels[:800], X[800:], labels[800:]
    clf = QuadraticNetClassifier(stop="certified", random_state=0)
    clf.fit(X_train, y_train)
    linear = LogisticRegression().fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    assert accuracy >= 0.95
    assert accuracy >= linear.score(X_test, y_test) + 0.3
    assert clf.is_certified_


def test_stationary_stop_ends_sooner_at_the_same_accuracy():
    # The default stop ends at the loop's stationarity test; 'certified'
    # waits for the certificate. The certificate of the default fit is still
    # computed, for the weights it returns.
    X, _, signal = planted_quadratic(2800, 10, 3, 0.0, 0)
    labels = np.where(signal > np.median(signal), "far", "near")
    X_train, y_train, X_test, y_test = X[:800], labels[:800], X[800:], labels[800:]
    fast = QuadraticNetClassifier(random_state=0).fit(X_train, y_train)
    slow = QuadraticNetClassifier(stop="certified", random_state=0)
    slow.fit(X_train, y_train)
    assert fast.n_iter_ < 0.6 * slow.n_iter_, (fast.n_iter_, slow.n_iter_)  # 286, 520
    assert fast.score(X_test, y_test) >= slow.score(X_test, y_test) - 0.005
    assert fast.loss_ <= slow.loss_ * (1 + 1e-2)
    # The reported bound holds: the certified optimum is at most that far below.
    assert fast.loss_ - slow.loss_ <= fast.certificate_.gap_bound + 1e-12
    assert fast.is_certified_ == fast.certificate_.certifies()


@pytest.mark.parametrize("column", [0, 1, 2])
def test_multiclass_is_one_vs_rest_of_binary_networks(column):
    X, y = make_blobs(150, centers=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["a", "b", "c"])[y]
    clf = QuadraticNetClassifier(tol=0.0, random_state=0).fit(X, labels)
    assert clf.hidden_weights_.shape == (3, clf.n_hidden_, 2)
    assert len(clf.certificate_) == 3 and clf.is_certified_
    # Column c is the binary network of "class c" (True, hence +1) against
    # the rest; both are global optima, so their outputs agree.
    label = clf.classes_[column]
    binary = QuadraticNetClassifier(tol=0.0, random_state=1).fit(X, labels == label)
    scores = clf.decision_function(X)
    assert_allclose(
        scores[:, column], binary.decision_function(X), rtol=1e-4, atol=1e-4
    )
    proba = clf.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(proba, expit(scores) / expit(scores).sum(axis=1, keepdims=True))
    assert (clf.predict(X) == clf.classes_[scores.argmax(axis=1)]).all()
    assert clf.score(X, labels) > 0.9


def test_binary_probabilities_are_the_sigmoid_of_the_decision():
    X, y = make_blobs(100, centers=2, random_state=1)
    clf = QuadraticNetClassifier(random_state=0).fit(X, y)
    scores = clf.decision_function(X)
    assert_allclose(clf.predict_proba(X)[:, 1], expit(scores))
    assert (clf.predict(X) == clf.classes_[(scores > 0).astype(int)]).all()


# ---- the fitted model ------------------------------------------------------------
def test_predictions_are_the_fitted_quadratic_polynomial():
    X, y, _ = planted_quadratic(80, 6, 2, 0.1, 0)
    est = QuadraticNetRegressor(
        output_weights="balanced", hidden_bias=True, fit_intercept=True, random_state=0
    ).fit(X, y)
    W, c, a = est.hidden_weights_, est.hidden_bias_, est.output_weights_
    assert_allclose(est.quadratic_form_, W.T @ np.diag(a) @ W, atol=1e-12)
    # sum_j a_j (w_j.x + c_j)^2 = x^T Q x + 2 (W^T A c).x + c^T A c
    linear = 2 * W.T @ (a * c)
    constant = np.sum(a * c * c) + est.intercept_
    expected = np.einsum("ij,jk,ik->i", X, est.quadratic_form_, X) + X @ linear
    assert_allclose(est.predict(X), expected + constant, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_intercept_is_the_exact_minimiser(weighted):
    X, y, _ = planted_quadratic(80, 6, 2, 0.1, 0)
    sw = np.random.default_rng(0).uniform(0.5, 2, 80) if weighted else None
    est = QuadraticNetRegressor(fit_intercept=True, max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y, sample_weight=sw)
    quadratic_part = est.predict(X) - est.intercept_
    # For the squared loss the best b is the weighted mean residual.
    assert est.intercept_ == pytest.approx(np.average(y - quadratic_part, weights=sw))


def test_indefinite_network_with_hidden_bias_fits_a_linear_target():
    # (w.x + c)^2 - (w.x - c)^2 = 4 c w.x: balanced signs and hidden biases
    # contain every linear model, so they should match LinearRegression.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1300, 5))
    y = X @ rng.standard_normal(5) + 1.0 + 0.5 * rng.standard_normal(1300)
    est = QuadraticNetRegressor(
        output_weights="balanced", hidden_bias=True, fit_intercept=True, random_state=0
    ).fit(X[:300], y[:300])
    linear = LinearRegression().fit(X[:300], y[:300])
    assert est.score(X[300:], y[300:]) >= linear.score(X[300:], y[300:]) - 0.01


@pytest.mark.parametrize(
    "params, n_features, expected",
    [
        ({}, 15, 11),  # k (k + 1) / 2 > 60
        ({}, 5, 5),  # k >= d
        ({"hidden_bias": True}, 5, 6),  # the bias counts as a feature
        ({"output_weights": "balanced"}, 5, 10),  # each sign gets the width
        ({"n_hidden": 7, "output_weights": "balanced"}, 5, 7),
        ({"output_weights": [1, -1, 1]}, 5, 3),  # the signs set the width
    ],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_width_resolution(params, n_features, expected):
    X, y, _ = planted_quadratic(60, n_features, 2, 0.1, 0)
    # Without a hidden bias unless asked: d is then n_features; Du and
    # Lee's positive signs unless asked.
    params = {"hidden_bias": False, "output_weights": "ones", **params}
    est = QuadraticNetRegressor(**params, max_iter=30, random_state=0).fit(X, y)
    assert est.n_hidden_ == expected
    assert est.hidden_weights_.shape == (expected, n_features)
    if params.get("output_weights") == "balanced":
        assert est.output_weights_.sum() in (0, 1)


@given(st.integers(1, 400), st.integers(1, 20000))
def test_auto_width_is_the_smallest_width_covered_by_the_theorems(d, n):
    brute = next(k for k in itertools.count(1) if k >= d or k * (k + 1) // 2 > n)
    assert auto_width(d, n) == brute


# ---- units of y --------------------------------------------------------------------
# For the squared loss the regressor fits (y - m) / s and maps the network
# back, so its predictions follow the units of y. The standardised targets of
# c * y and of y can still differ in their last bit, and the solver's path
# carries that difference as far as its stopping rule lets it: at the default
# tol (a certified relative gap of 1e-4) predictions agreed to about 1e-6 to
# 1e-5 relative. The equivariance tests therefore run to working precision
# (tol=0), where they agree to 3e-8 or better on these problems; exact
# scalings by powers of two are tested at the default tol.


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


UNIT_PROBLEMS = {
    "planted": (lambda: planted_quadratic(200, 5, 2, 0.1, 0)[:2], {}),
    # At the default alpha=1e-3 the hidden-bias fit of this data needs
    # more than max_iter=1000 iterations to stall at tol=0.
    "diabetes": (_diabetes, {"alpha": 1e-2}),
}
UNIT_SETTINGS = {
    "intercept_hidden_bias": {"fit_intercept": True, "hidden_bias": True},
    "intercept": {"fit_intercept": True, "hidden_bias": False},
    "no_intercept": {"fit_intercept": False},
}


def _units_problem(problem, setting):
    make, params = UNIT_PROBLEMS[problem]
    X, y = make()
    return X, y, dict(params, **UNIT_SETTINGS[setting], tol=0.0, random_state=0)


@pytest.mark.parametrize("c", [1e-6, 1e4])
@pytest.mark.parametrize("setting", sorted(UNIT_SETTINGS))
@pytest.mark.parametrize("problem", sorted(UNIT_PROBLEMS))
def test_predictions_scale_with_the_units_of_y(problem, setting, c):
    X, y, params = _units_problem(problem, setting)
    expected = c * QuadraticNetRegressor(**params).fit(X, y).predict(X)
    scaled = QuadraticNetRegressor(**params).fit(X, c * y)
    error = np.max(np.abs(scaled.predict(X) - expected))
    assert error <= 1e-6 * np.max(np.abs(expected)), error / np.max(np.abs(expected))


@pytest.mark.parametrize("setting", ["intercept", "intercept_hidden_bias"])
@pytest.mark.parametrize("problem", sorted(UNIT_PROBLEMS))
def test_a_shift_of_y_only_moves_the_intercept(problem, setting):
    X, y, params = _units_problem(problem, setting)
    base = QuadraticNetRegressor(**params).fit(X, y)
    shifted = QuadraticNetRegressor(**params).fit(X, y + 1e3)
    spread = np.std(y)
    error = np.max(np.abs(shifted.predict(X) - (base.predict(X) + 1e3)))
    assert error <= 1e-6 * spread, error / spread
    assert abs(shifted.intercept_ - (base.intercept_ + 1e3)) <= 1e-6 * spread
    assert shifted.loss_ == pytest.approx(base.loss_, rel=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("c", [2.0**-20, 2.0**13])
def test_power_of_two_units_give_the_same_standardised_fit(c, fit_intercept):
    # Multiplying y by a power of two changes no bit of the standardised
    # targets, so the solver takes the same path, at the default tol too, and
    # the fitted attributes show the map back: sqrt(c) for the hidden weights
    # and biases, c for the intercept and the quadratic form.
    X, y, _ = planted_quadratic(200, 5, 2, 0.1, 0)
    params = dict(
        output_weights="balanced",
        hidden_bias=True,
        fit_intercept=fit_intercept,
        random_state=0,
    )
    base = QuadraticNetRegressor(**params).fit(X, y)
    scaled = QuadraticNetRegressor(**params).fit(X, c * y)
    assert scaled.n_iter_ == base.n_iter_
    assert scaled.loss_ == base.loss_  # the loss is unit-free
    assert scaled.certificate_.gap_bound == base.certificate_.gap_bound
    root = np.sqrt(c)
    for got, want in [
        (scaled.hidden_weights_, root * base.hidden_weights_),
        (scaled.hidden_bias_, root * base.hidden_bias_),
        (scaled.quadratic_form_, c * base.quadratic_form_),
        (scaled.predict(X), c * base.predict(X)),
    ]:
        assert_allclose(got, want, rtol=1e-13, atol=1e-14 * np.abs(want).max())
    assert scaled.intercept_ == pytest.approx(c * base.intercept_, rel=1e-13, abs=0)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_loss_is_the_objective_of_the_standardised_targets(fit_intercept):
    # loss_ and the certificate belong to the problem in standardised units:
    # mapping the fitted network back (W / sqrt(s), (b - m) / s) and
    # evaluating the objective there by formula gives loss_.
    X, y, _ = planted_quadratic(40, 3, 1, 0.2, 0)
    y = 50.0 * y + 20.0
    sw = np.random.default_rng(1).uniform(0.5, 2.0, size=40)
    est = QuadraticNetRegressor(
        output_weights="balanced",
        hidden_bias=True,
        fit_intercept=fit_intercept,
        alpha=1e-2,
        stop="certified",
        random_state=0,
    ).fit(X, y, sample_weight=sw)
    m = np.average(y, weights=sw) if fit_intercept else 0.0
    s = np.sqrt(np.average((y - m) ** 2, weights=sw))
    W = np.column_stack([est.hidden_weights_, est.hidden_bias_]) / np.sqrt(s)
    b = (est.intercept_ - m) / s
    X_aug = np.column_stack([X, np.ones(40)])
    # The problem on scaled columns (the column of ones has scale 1).
    scale = column_rms(X_aug, sw)
    X_aug, W = X_aug / scale, W * scale
    y_s = standardised_target(y, fit_intercept, sw)
    # The front end rounds standardised targets to a grid of 2^-30 (_Units.y_in).
    y_s = np.ldexp(np.round(np.ldexp(y_s, 30)), -30)
    value = objective_by_formula(
        X_aug,
        y_s,
        "squared_error",
        est.output_weights_,
        1e-2,
        None,
        W,
        b,
        sw / sw.sum(),
    )
    assert est.loss_ == pytest.approx(value, rel=1e-10)
    assert est.certificate_.objective == est.loss_
    assert est.is_certified_


def test_warm_start_carries_over_to_other_units_of_y():
    X, y, _ = planted_quadratic(60, 15, 3, 0.1, 0)
    est = QuadraticNetRegressor(fit_intercept=True, stop="certified", random_state=0)
    est.fit(X, y)
    first = est.loss_
    # The same standardised problem: the warm start is already certified.
    est.set_params(warm_start=True, random_state=1).fit(X, 1e4 * y - 7.0)
    assert est.n_iter_ <= CHECK_EVERY
    assert est.is_certified_
    assert est.loss_ <= first * (1 + 1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_constant_or_zero_targets_keep_a_unit_scale(fit_intercept):
    # With an intercept a constant y has no spread, without one a zero y
    # has no size: the scale is 1 and the fit is the constant.
    X, _, _ = planted_quadratic(50, 4, 2, 0.1, 0)
    value = 3.7 if fit_intercept else 0.0
    y = np.full(50, value)
    est = QuadraticNetRegressor(
        fit_intercept=fit_intercept, stop="certified", random_state=0
    )
    est.fit(X, y)
    assert np.all(np.isfinite(est.hidden_weights_))
    assert_allclose(est.predict(X), value, atol=1e-6)


def test_log_loss_targets_are_not_standardised():
    # The labels of loss='log_loss' are {-1, +1} whatever the data: they are
    # fitted as they are, and loss_ is the objective of those labels.
    X, y, _ = planted_quadratic(60, 4, 2, 0.1, 0)
    labels = np.where(y > np.median(y), 1.0, -1.0)
    est = QuadraticNetRegressor(
        loss="log_loss",
        fit_intercept=True,
        hidden_bias=False,
        alpha=1e-2,
        random_state=0,
    ).fit(X, labels)
    scale = column_rms(X)  # the problem on scaled columns
    value = objective_by_formula(
        X / scale,
        labels,
        "log_loss",
        est.output_weights_,
        1e-2,
        None,
        est.hidden_weights_ * scale,
        est.intercept_,
        np.full(60, 1 / 60),
    )
    assert est.loss_ == pytest.approx(value, rel=1e-10)


# ---- scikit-learn behaviour ------------------------------------------------------
def test_float32_input_stays_float32_and_agrees_with_float64():
    X, y, _ = planted_quadratic(100, 6, 2, 0.1, 0)
    est64 = QuadraticNetRegressor(random_state=0).fit(X, y)
    est32 = QuadraticNetRegressor(random_state=0).fit(X.astype(np.float32), y)
    assert est32.hidden_weights_.dtype == np.float32
    assert est32.predict(X.astype(np.float32)).dtype == np.float32
    assert est32.loss_ == pytest.approx(est64.loss_, rel=1e-3)
    assert_allclose(est32.predict(X), est64.predict(X), rtol=1e-2, atol=1e-2)


def test_warm_start_resumes_from_the_certified_fit():
    X, y, _ = planted_quadratic(60, 15, 3, 0.1, 0)
    est = QuadraticNetRegressor(
        **DU_LEE, perturbation=1e-3, stop="certified", random_state=0
    )
    est.fit(X, y)
    C = est.perturbation_matrix_.copy()
    first = est.loss_
    est.set_params(warm_start=True, random_state=1).fit(X, y)
    assert_allclose(est.perturbation_matrix_, C)  # the same objective
    assert est.n_iter_ <= CHECK_EVERY
    assert est.loss_ <= first * (1 + 1e-12)


@pytest.mark.parametrize("Estimator", [QuadraticNetRegressor, QuadraticNetClassifier])
def test_sample_weights_equal_repeated_samples(Estimator):
    X, y, _ = planted_quadratic(40, 4, 2, 0.3, 0)
    if Estimator is QuadraticNetClassifier:
        y = y > np.median(y)
    counts = np.random.default_rng(0).integers(0, 3, size=40)
    kwargs = dict(alpha=1e-2, tol=0.0, random_state=0)
    weighted = Estimator(**kwargs).fit(X, y, sample_weight=counts)
    repeated = Estimator(**kwargs).fit(X.repeat(counts, axis=0), y.repeat(counts))
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9)
    method = "predict" if Estimator is QuadraticNetRegressor else "decision_function"
    assert_allclose(
        getattr(weighted, method)(X), getattr(repeated, method)(X), rtol=1e-5, atol=1e-6
    )


def test_pipeline_cross_validation_and_pickle():
    X, y, _ = planted_quadratic(120, 5, 2, 0.1, 0)
    pipe = make_pipeline(StandardScaler(), QuadraticNetRegressor(random_state=0))
    scores = cross_validate(pipe, X, y, cv=3)["test_score"]
    assert np.all(scores > 0.8), scores
    est = QuadraticNetRegressor(random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    assert_allclose(again.predict(X), est.predict(X))


def test_verbose_prints_the_objective(capsys):
    X, y, _ = planted_quadratic(60, 5, 2, 0.1, 0)
    QuadraticNetRegressor(verbose=1, random_state=0).fit(X, y)
    assert "Iteration 1, loss =" in capsys.readouterr().out


def test_convergence_warning_names_max_iter():
    X, y, _ = planted_quadratic(60, 5, 2, 0.1, 0)
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        est = QuadraticNetRegressor(max_iter=3, random_state=0).fit(X, y)
    assert not est.is_certified_


# ---- errors ----------------------------------------------------------------------
X_SMALL, Y_SMALL, _ = planted_quadratic(20, 3, 1, 0.1, 0)


@pytest.mark.parametrize(
    "params, y, match",
    [
        ({"alpha": -1.0}, Y_SMALL, "'alpha' parameter"),
        ({"n_hidden": 0}, Y_SMALL, "'n_hidden' parameter"),
        ({"perturbation": -0.1}, Y_SMALL, "'perturbation' parameter"),
        ({"solver": "adam"}, Y_SMALL, "'solver' parameter"),
        ({"stop": "early"}, Y_SMALL, "'stop' parameter"),
        (
            {"loss": "log_loss"},
            Y_SMALL,
            r"loss='log_loss' needs targets in \{-1, \+1\}",
        ),
        ({"output_weights": [1, 0, 1]}, Y_SMALL, "output_weights must be 'ones'"),
        (
            {"output_weights": [1, -1], "n_hidden": 3},
            Y_SMALL,
            "has 2 entries but n_hid",
        ),
        # 3 features plus the hidden bias's constant one
        ({"perturbation": np.eye(2)}, Y_SMALL, r"must have shape \(4, 4\)"),
        ({"perturbation": -np.eye(4)}, Y_SMALL, "must be positive semidefinite"),
        ({"perturbation": np.triu(np.ones((4, 4)))}, Y_SMALL, "must be finite and sym"),
    ],
)
def test_regressor_errors(params, y, match):
    with pytest.raises(ValueError, match=match):
        QuadraticNetRegressor(**params).fit(X_SMALL, y)


def test_negative_sample_weights_are_rejected():
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        QuadraticNetRegressor().fit(X_SMALL, Y_SMALL, sample_weight=-np.ones(20))


def test_classifier_rejects_continuous_targets():
    with pytest.raises(ValueError, match="Unknown label type"):
        QuadraticNetClassifier().fit(X_SMALL, Y_SMALL)


def test_classifier_needs_two_classes():
    with pytest.raises(ValueError, match=r"only one class: (np.int64\()?0"):
        QuadraticNetClassifier().fit(X_SMALL, np.zeros(20, dtype=int))


def test_classifier_needs_two_classes_with_positive_weight():
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"positive weight\); got one class: \[1\]"):
        QuadraticNetClassifier().fit(X_SMALL, y, sample_weight=y.astype(float))


# ---- a constant fit is not reported as a normal one -----------------------------


def _zero_optimal_weight_decay(X, y):
    """Above ``lambda_max`` of ``S0 = X^T diag(l'(b)) X`` at ``W = 0``, zero
    weights are the global minimum (Du & Lee's condition ``S >= 0``)."""
    # S0 of the standardised targets, which the regressor fits (with an
    # intercept, as the test below): the weight decay acts in their units.
    y = standardised_target(y, fit_intercept=True)
    dpred = (np.mean(y) - y) / len(y)  # squared loss at the best constant
    S0 = (X * dpred[:, None]).T @ X
    return 10 * np.abs(np.linalg.eigvalsh(S0)).max()


def test_weight_decay_that_zeroes_the_weights_warns_constant_predictor():
    X, y, _ = planted_quadratic(300, 6, 2, 0.1, seed=0)
    lam = _zero_optimal_weight_decay(X, y)
    est = QuadraticNetRegressor(alpha=lam, fit_intercept=True, random_state=0)
    with pytest.warns(DegenerateFitWarning, match="alpha.*too large"):
        est.fit(X, y)
    assert_allclose(est.predict(X), np.mean(y), rtol=1e-6)


def test_classifier_with_zeroed_weights_warns_too():
    X, y, _ = planted_quadratic(300, 6, 2, 0.1, seed=1)
    labels = y > np.median(y)
    est = QuadraticNetClassifier(alpha=1e3, random_state=0)
    with pytest.warns(DegenerateFitWarning):
        est.fit(X, labels)


def test_ordinary_quadratic_fit_does_not_warn_constant():
    X, y, _ = planted_quadratic(300, 6, 2, 0.1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        QuadraticNetRegressor(alpha=1e-2, random_state=0).fit(X, y)


def test_fit_uses_the_package_thread_policy(monkeypatch):
    # One policy for every estimator: quadratic fits ask blas_threads with
    # the multiply-adds of one product, n * k * d (hidden bias included).
    sizes = []

    def record(size, like=None):
        sizes.append(size)
        return contextlib.nullcontext()

    monkeypatch.setattr(_base, "blas_threads", record)
    X, y, _ = planted_quadratic(60, 5, 2, 0.1, 0)
    QuadraticNetRegressor(hidden_bias=True, random_state=0).fit(X, y)
    assert sizes == [60 * 6 * 6]


# ---- renamed parameters (issue 11, item 6): old names warn until 0.2 -----------
RENAMES = [
    # (old parameters, the same in new names)
    ({"weight_decay": 1e-2}, {"alpha": 1e-2}),
    ({"output_signs": "balanced"}, {"output_weights": "balanced"}),
    ({"output_signs": None}, {"output_weights": "ones"}),
    ({"output_signs": [1.0, -1.0, 1.0]}, {"output_weights": [1.0, -1.0, 1.0]}),
    ({"solver": "gd"}, {"solver": "pgd"}),
]


@pytest.mark.parametrize("Estimator", [QuadraticNetRegressor, QuadraticNetClassifier])
@pytest.mark.parametrize("old, new", RENAMES)
def test_old_parameter_names_warn_and_give_the_same_fit(Estimator, old, new):
    X, y, _ = planted_quadratic(60, 4, 2, 0.1, 0)
    if Estimator is QuadraticNetClassifier:
        y = y > np.median(y)
    name = next(iter(new))
    kw = dict(max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        expected = Estimator(**new, **kw).fit(X, y)
        with pytest.warns(FutureWarning, match=f"was renamed .*use {name}="):
            got = Estimator(**old, **kw).fit(X, y)
    assert_allclose(got.hidden_weights_, expected.hidden_weights_)
    assert_array_equal(got.output_weights_, expected.output_weights_)
    assert got.n_iter_ == expected.n_iter_


@pytest.mark.parametrize(
    "both",
    [
        {"weight_decay": 1e-2, "alpha": 1e-1},
        {"output_signs": "balanced", "output_weights": [1.0, -1.0]},
    ],
)
def test_old_and_new_name_together_is_an_error(both):
    X, y, _ = planted_quadratic(60, 4, 2, 0.1, 0)
    with pytest.raises(ValueError, match="Both .* and the deprecated .* are set"):
        QuadraticNetRegressor(**both).fit(X, y)


def test_old_fitted_attribute_name_warns():
    X, y, _ = planted_quadratic(60, 4, 2, 0.1, 0)
    est = QuadraticNetRegressor(max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    with pytest.warns(FutureWarning, match="renamed 'output_weights_'"):
        assert_array_equal(est.output_signs_, est.output_weights_)


def test_regressor_defaults_fit_real_data():
    # Intercept and hidden biases by default (since 0.1): on diabetes the
    # defaults before (no biases, no intercept) scored R^2 = -0.04 in 5-fold
    # cross-validation, these 0.48.
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), QuadraticNetRegressor(random_state=0))
    scores = cross_validate(pipe, X, y, cv=5)["test_score"]
    assert scores.mean() > 0.4, scores


def test_regressor_refuses_losses_outside_the_theorems():
    X, y, _ = planted_quadratic(30, 4, 2, 0.1, 0)
    for loss in ("huber", "multinomial"):
        with pytest.raises(ValueError, match="'loss' parameter"):
            QuadraticNetRegressor(loss=loss).fit(X, y)
