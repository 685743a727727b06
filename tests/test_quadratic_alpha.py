"""The quadratic nets' weight decay: the default ``alpha='auto'``, the
threshold :func:`alpha_max` above which the zero network is optimal, and
the grid :func:`alpha_grid` for a search (issue 20)."""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_score

from sklearn_shallow import DegenerateFitWarning
from sklearn_shallow.quadratic import (
    QuadraticNetClassifier,
    QuadraticNetRegressor,
    alpha_grid,
    alpha_max,
    auto_alpha,
)


def planted(n_samples, n_features, n_planted, noise, seed):
    """``y = ||W* x||^2 + noise * std * N(0, 1)``, ``x ~ N(0, I)``."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_planted, n_features)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples, n_features))
    signal = ((X @ W.T) ** 2).sum(axis=1)
    return X, signal + noise * signal.std() * rng.standard_normal(n_samples)


def skewed(seed=0):
    """A small problem in awkward units: offset, scaled columns, a linear
    term and an offset in y."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((100, 3)) * [1.0, 3.0, 10.0] + [0.0, 1.0, 0.0]
    y = X[:, 0] ** 2 + 0.5 * X[:, 1] + 0.3 * rng.standard_normal(100) + 5.0
    return X, y


def _form_size(est):
    return float(np.abs(est.quadratic_form_).max())


# ---- the default ------------------------------------------------------------
def test_auto_alpha_is_sqrt_of_features_over_samples():
    X, y = planted(80, 6, 2, 0.1, seed=0)
    est = QuadraticNetRegressor(random_state=0).fit(X, y)
    # d counts the hidden bias's column.
    assert est.alpha == "auto"
    assert est.alpha_ == pytest.approx(math.sqrt(7 / 80))
    assert auto_alpha(7, 80) == est.alpha_
    # n counts the samples of positive weight.
    weights = np.r_[np.zeros(16), np.ones(64)]
    est.fit(X, y, sample_weight=weights)
    assert est.alpha_ == pytest.approx(math.sqrt(7 / 64))
    no_bias = QuadraticNetRegressor(hidden_bias=False, random_state=0).fit(X, y)
    assert no_bias.alpha_ == pytest.approx(math.sqrt(6 / 80))
    # A number is used as given.
    assert QuadraticNetRegressor(alpha=0.25).fit(X, y).alpha_ == 0.25


def test_default_does_not_interpolate_the_noise_of_a_small_sample():
    """Issue 20: with alpha=1e-3 the default fit of a small noisy sample
    (n = 60, d = 10, noise as large as the signal) interpolated the noise
    and scored far below the constant; 'auto' scores above it and above a
    ridge regression (which cannot see the quadratic signal)."""
    X, y = planted(60, 10, 3, 1.0, seed=0)
    cv = KFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = cross_val_score(QuadraticNetRegressor(random_state=0), X, y, cv=cv)
        old = cross_val_score(
            QuadraticNetRegressor(alpha=1e-3, random_state=0), X, y, cv=cv
        )
    ridge = cross_val_score(RidgeCV(alphas=np.logspace(-3, 3, 13)), X, y, cv=cv)
    assert old.mean() < -1.0
    assert default.mean() > 0.0
    assert default.mean() > ridge.mean()


def test_default_keeps_a_noiseless_planted_form():
    """The default's shrinkage is small where the data determine the form."""
    X, y = planted(1000, 10, 3, 0.0, seed=1)
    est = QuadraticNetRegressor(random_state=0).fit(X[:800], y[:800])
    assert est.score(X[800:], y[800:]) > 0.95


def test_classifier_accepts_auto_and_keeps_its_default():
    X, y = planted(120, 4, 2, 0.1, seed=2)
    labels = y > np.median(y)
    assert QuadraticNetClassifier().alpha == 1e-3
    clf = QuadraticNetClassifier(alpha="auto", random_state=0).fit(X, labels)
    assert clf.alpha_ == pytest.approx(math.sqrt(5 / 120))


def test_deprecated_weight_decay_still_sets_alpha_under_the_auto_default():
    X, y = planted(80, 4, 2, 0.1, seed=0)
    with pytest.warns(FutureWarning, match="weight_decay"):
        est = QuadraticNetRegressor(weight_decay=0.05, random_state=0).fit(X, y)
    assert est.alpha_ == 0.05
    with pytest.raises(ValueError, match="Both alpha"):
        QuadraticNetRegressor(alpha=0.1, weight_decay=0.05).fit(X, y)


# ---- alpha_max --------------------------------------------------------------
SETTINGS = [
    {"output_weights": "ones", "hidden_bias": True, "fit_intercept": True},
    {"output_weights": "ones", "hidden_bias": False, "fit_intercept": True},
    {"output_weights": "ones", "hidden_bias": False, "fit_intercept": False},
    {"output_weights": "balanced", "hidden_bias": True, "fit_intercept": True},
]


@pytest.mark.parametrize(
    "setting", SETTINGS, ids=lambda s: "-".join(map(str, s.values()))
)
def test_alpha_max_is_where_the_fit_becomes_the_zero_network(setting):
    """Slightly above alpha_max the certified fit is the constant; slightly
    below it the zero network is a strict saddle and the fit leaves it."""
    X, y = skewed()
    top = alpha_max(X, y, **setting)
    kwargs = dict(random_state=0, tol=1e-8, max_iter=5000, **setting)
    with pytest.warns(DegenerateFitWarning, match="too large"):
        above = QuadraticNetRegressor(alpha=1.02 * top, **kwargs).fit(X, y)
    assert _form_size(above) < 1e-6
    # The certificate's lambda_min at the zero network is lam/2 - top/2.
    assert above.certificate_.lambda_min == pytest.approx(0.01 * top, rel=1e-3)
    below = QuadraticNetRegressor(alpha=0.98 * top, **kwargs).fit(X, y)
    assert below.is_certified_
    assert _form_size(below) > 1e-3


def test_alpha_max_of_the_logistic_loss():
    X, _ = skewed()
    y = np.where(X[:, 0] ** 2 > 1, 1.0, -1.0)
    top = alpha_max(X, y, loss="log_loss", output_weights="ones")
    kwargs = dict(
        loss="log_loss", output_weights="ones", random_state=0, tol=1e-8, max_iter=5000
    )
    assert QuadraticNetRegressor().output_weights == "balanced"  # alpha_max's too
    with pytest.warns(DegenerateFitWarning):
        above = QuadraticNetRegressor(alpha=1.02 * top, **kwargs).fit(X, y)
    assert _form_size(above) < 1e-6
    below = QuadraticNetRegressor(alpha=0.98 * top, **kwargs).fit(X, y)
    assert _form_size(below) > 1e-3


def test_alpha_max_is_in_the_internal_units():
    """The units of y and of each column of X do not move it (the fit's
    weight decay acts on standardised y and scaled columns)."""
    X, y = skewed()
    top = alpha_max(X, y)
    assert alpha_max(X * [1e3, 1e-2, 7.0], 1e4 * y - 3.0) == pytest.approx(top)


def test_alpha_max_with_sample_weights_counts_the_weighted_problem():
    X, y = skewed()
    weights = np.r_[np.ones(50), np.zeros(50)]
    assert alpha_max(X, y, sample_weight=weights) == pytest.approx(
        alpha_max(X[:50], y[:50])
    )
    assert alpha_max(X, y, sample_weight=3 * np.ones(100)) == pytest.approx(
        alpha_max(X, y)
    )


def test_alpha_max_is_zero_when_no_psd_form_helps():
    """With positive signs only, a target that is minus a square cannot be
    fitted better than by the constant."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = -(X[:, 0] ** 2)
    kwargs = dict(hidden_bias=False, fit_intercept=False)
    assert alpha_max(X, y, output_weights="ones", **kwargs) == 0.0
    # The estimators' default signs fit it: -1 weights give negative forms.
    assert alpha_max(X, y, **kwargs) > 0.0


def test_alpha_max_rejects_bad_targets():
    X, y = skewed()
    with pytest.raises(ValueError, match="log_loss"):
        alpha_max(X, y, loss="log_loss")
    with pytest.raises(ValueError, match="loss must be"):
        alpha_max(X, y, loss="huber")
    with pytest.raises(ValueError, match="1-d"):
        alpha_max(X, y[:, None])


# ---- alpha_grid -------------------------------------------------------------
def test_alpha_grid_descends_geometrically_from_alpha_max():
    X, y = skewed()
    grid = alpha_grid(X, y, n_alphas=7, eps=1e-3, output_weights="balanced")
    top = alpha_max(X, y, output_weights="balanced")
    assert grid.shape == (7,)
    assert_allclose(grid[[0, -1]], [top, 1e-3 * top])
    assert_allclose(grid[1:] / grid[:-1], 10**-0.5)


def test_alpha_grid_without_a_useful_form_is_flat():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2))
    grid = alpha_grid(
        X,
        -(X[:, 0] ** 2),
        n_alphas=4,
        output_weights="ones",
        hidden_bias=False,
        fit_intercept=False,
    )
    assert_allclose(grid, np.full(4, np.finfo(float).resolution))
