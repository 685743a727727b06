"""Defaults that generalise at any n (issue 20): ``alpha='auto'`` falls as
``1/n`` beyond :data:`~sklearn_shallow._base.N_AUTO` samples."""

import warnings

import numpy as np
import pytest

from sklearn_shallow import (
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    RVSMRegressor,
)
from sklearn_shallow._base import ALPHA, N_AUTO, auto_alpha_scale
from sklearn_shallow.projected import ALPHA_SCALE_FREE


def _planted_relu(n, p=100, h=20, seed=0):
    """A planted ReLU network with a learned output layer, no noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((h, p)) / np.sqrt(p)
    o = rng.standard_normal(h)
    y = np.maximum(X @ W.T, 0.0) @ o + rng.standard_normal()
    return X, y


def test_planted_network_fits_at_large_n_without_warning():
    # A fixed 1e-2 on the mean loss stops this fit at training R^2 0.987
    # (0.984 at n=20000); the penalty must not dominate a large noiseless
    # sample. 1e-3 here (n=5000) reaches 0.9995 in ~700 iterations.
    X, y = _planted_relu(5000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ProjectedShallowRegressor(random_state=0).fit(X, y)
    assert est.score(X, y) >= 0.999
    assert est.alpha_ == pytest.approx(ALPHA * N_AUTO / 5000)


@pytest.mark.parametrize("n", [50, N_AUTO, 2 * N_AUTO, 4000])
def test_auto_alpha_rule(n):
    # alpha='auto' = c * min(1, N_AUTO / n), c the value of each setting.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 4))
    y = X[:, 0] + 0.1 * rng.standard_normal(n)
    scale = min(1.0, N_AUTO / n)
    assert auto_alpha_scale(n) == scale
    fits = {
        "default": ProjectedShallowRegressor(n_hidden=3),
        "classifier": ProjectedShallowClassifier(n_hidden=3),
        "rvsm": RVSMRegressor(n_hidden=3),
        "l0": ProjectedShallowRegressor(n_hidden=3, constraint="l0", tau=6),
        "ball": ProjectedShallowRegressor(n_hidden=3, constraint="l1", tau=1.0),
        "ones": ProjectedShallowRegressor(n_hidden=3, output_weights="ones"),
        "given": ProjectedShallowRegressor(n_hidden=3, alpha=0.5),
    }
    got = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, est in fits.items():
            target = (y > 0) if key == "classifier" else y
            est.set_params(max_iter=3).fit(X, target)
            got[key] = (est.alpha_, est.alpha_output_)
    a, f = ALPHA * scale, ALPHA_SCALE_FREE * scale
    assert got == {
        "default": (a, a),
        "classifier": (a, a),
        "rvsm": (a, a),
        "l0": (f, f),
        "ball": (0.0, a),
        "ones": (0.0, 0.0),
        "given": (0.5, 0.5),
    }


def test_partial_fit_keeps_the_first_penalty():
    # partial_fit continues one objective: the size of later chunks does not
    # move the penalty set by the first call (or by fit).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 4))
    y = X[:, 0]
    est = ProjectedShallowRegressor(n_hidden=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.partial_fit(X, y)
        assert est.alpha_ == ALPHA * N_AUTO / 2000
        est.partial_fit(X[:100], y[:100])
        assert est.alpha_ == ALPHA * N_AUTO / 2000
        est.set_params(max_iter=3).fit(X[:1000], y[:1000])
        est.partial_fit(X[:100], y[:100])
    assert est.alpha_ == ALPHA * N_AUTO / 1000
