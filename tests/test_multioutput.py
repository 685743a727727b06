"""Regression with several outputs (2-D y) and with the Huber loss."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import (
    ProjectedShallowRegressor,
    RVSMRegressor,
    TensorInitOneHidden,
)

REGRESSORS = [ProjectedShallowRegressor, RVSMRegressor]


def _planted(n=600, p=8, h=5, k=3, seed=0):
    """Targets of a planted ReLU network with ``k`` outputs sharing its
    hidden layer, each output in its own units."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((h, p)) / np.sqrt(p)
    O = rng.standard_normal((h, k))
    X = rng.standard_normal((n, p))
    units = np.array([1.0, 1e3, 1e-2])[:k]
    Y = (np.maximum(X @ W.T, 0) @ O + np.arange(k)) * units
    return X, Y, (W, O, units)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_outputs_are_fitted_in_their_own_units(cls):
    # The second column is an affine image of the first: with one
    # standardisation per output both columns are the same internal target,
    # so the fit predicts the same affine image, whatever the units.
    X, Y, _ = _planted(k=1)
    y = Y[:, 0]
    Y2 = np.c_[y, -250.0 * y + 7.0]
    est = cls(random_state=0).fit(X, Y2)
    pred = est.predict(X)
    assert pred.shape == (600, 2)
    assert_allclose(pred[:, 1], -250.0 * pred[:, 0] + 7.0, rtol=1e-9, atol=1e-9)
    assert est.score(X, Y2) > 0.95


@pytest.mark.parametrize("cls", REGRESSORS)
def test_column_vector_y_keeps_its_shape_and_fit(cls):
    X, Y, _ = _planted(k=1)
    est = cls(random_state=0).fit(X, Y)
    assert est.predict(X).shape == (600, 1)
    assert est.output_weights_.shape == (20, 1) and est.intercept_.shape == (1,)
    assert est.n_outputs_ == 1
    flat = cls(random_state=0).fit(X, Y[:, 0])
    assert_allclose(est.predict(X)[:, 0], flat.predict(X), rtol=1e-9, atol=1e-9)


def test_planted_multi_output_network_is_recovered():
    X, Y, (W, O, units) = _planted(n=2000, k=3)
    X_test, Y_test, _ = _planted(n=1000, k=3, seed=0)
    rng = np.random.default_rng(5)
    X_test = rng.standard_normal((1000, 8))
    Y_test = (np.maximum(X_test @ W.T, 0) @ O + np.arange(3)) * units
    est = ProjectedShallowRegressor(alpha=0.0, random_state=0, tol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
    pred = est.predict(X_test)
    r2 = 1 - ((pred - Y_test) ** 2).sum(0) / ((Y_test - Y_test.mean(0)) ** 2).sum(0)
    assert np.all(r2 > 0.99), r2
    assert est.output_weights_.shape == (20, 3) and est.intercept_.shape == (3,)


@pytest.mark.parametrize("solver", ["fista", "pgd"])
def test_multi_output_with_constraint_minibatches_and_sparse_X(solver):
    X, Y, _ = _planted(k=2)
    X[np.abs(X) < 0.7] = 0.0
    kw = dict(constraint="l0", tau=40, solver=solver, random_state=0, max_iter=200)
    dense = ProjectedShallowRegressor(**kw).fit(X, Y)
    assert np.count_nonzero(dense.hidden_weights_) <= 40
    assert dense.score(X, Y) > 0.8
    est = ProjectedShallowRegressor(**kw).fit(sparse.csr_matrix(X), Y)
    assert_allclose(est.predict(X), dense.predict(X), rtol=1e-8, atol=1e-8)
    batched = ProjectedShallowRegressor(batch_size=64, **kw).fit(X, Y)
    assert batched.score(X, Y) > 0.6


def test_fixed_output_weights_with_several_outputs():
    X, Y, _ = _planted(k=2)
    fixed = np.random.default_rng(0).standard_normal((20, 2))
    est = ProjectedShallowRegressor(output_weights=fixed, random_state=0).fit(X, Y)
    assert_allclose(est.output_weights_, fixed)
    with pytest.raises(ValueError, match="output_weights='ones' would give all 2"):
        ProjectedShallowRegressor(output_weights="ones").fit(X, Y)
    with pytest.raises(ValueError, match=r"expected \(20, 2\)"):
        ProjectedShallowRegressor(output_weights=np.ones(20)).fit(X, Y)
    with pytest.raises(ValueError, match="init='tensor' needs one output"):
        ProjectedShallowRegressor(init="tensor").fit(X, Y)


def test_tensor_net_takes_one_output_only():
    X, Y, _ = _planted(k=2)
    with pytest.raises(ValueError, match="y"):
        TensorInitOneHidden().fit(X, Y)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_huber_loss_resists_outliers(cls):
    # A smooth target plus a few gross outliers: the Huber fit stays close
    # to the clean target, the squared-loss fit is pulled away.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    clean = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    y = clean.copy()
    bad = rng.choice(400, 20, replace=False)
    y[bad] += rng.choice([-1, 1], 20) * 30.0
    huber = cls(loss="huber", random_state=0).fit(X, y)
    squared = cls(random_state=0).fit(X, y)
    good = np.setdiff1d(np.arange(400), bad)
    err_h = np.mean((huber.predict(X[good]) - clean[good]) ** 2)
    err_s = np.mean((squared.predict(X[good]) - clean[good]) ** 2)
    assert err_h < 0.3 * err_s, (err_h, err_s)
    assert huber.loss_.name == "huber"
