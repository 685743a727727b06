"""RVSMRegressor: Dinh & Xin (2020) claims, sklearn use, errors."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import (
    Convolution,
    L0Ball,
    ProjectedShallowRegressor,
    Rank,
    RVSMRegressor,
)
from sklearn_shallow.datasets import make_sparse_network, oymak_init, sample_network
from sklearn_shallow.experiments import rvsm_tradeoff
from sklearn_shallow.metrics import normalized_mse
from sklearn_shallow.thresholds import hard_threshold

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ---- Theorem 1 on the no-overlap network -------------------------------------


@pytest.fixture(scope="module")
def no_overlap():
    """``f(x) = 1/k sum_l relu(w* . x^l)``, k = 4 patches of d = 25, unit w*."""
    k, d, n = 4, 25, 2000
    rng = np.random.default_rng(0)
    w_star = rng.standard_normal(d)
    w_star /= np.linalg.norm(w_star)
    X = rng.standard_normal((n, k * d))
    y = np.maximum(X.reshape(n, k, d) @ w_star, 0).mean(axis=1)
    w0 = 0.3 * rng.standard_normal(d)  # about 95 degrees from w*
    return X, y, w_star, w0, k, d


def _fit_no_overlap(data, beta):
    X, y, _, w0, k, d = data
    # lam / beta = 0.5 / sqrt(d) < 1 / sqrt(d) as Theorem 1 asks; the step
    # eta = 1 is below 1 / (beta + L) since L <= 1/2 for this loss.
    return RVSMRegressor(
        penalty="l1",
        lam=0.5 * beta / np.sqrt(d),
        beta=beta,
        architecture=Convolution(kernel_size=d, stride=d, n_kernels=1),
        output_weights=np.full(k, 1.0 / k),
        fit_intercept=False,
        init=w0[None, :],
        solver="pgd",  # the paper's plain gradient step
        step_size=1.0,
        max_iter=3000,
        tol=0,
    ).fit(X, y)


@pytest.mark.parametrize("beta", [0.03, 0.01, 0.003])
def test_theorem1_lagrangian_decreases_and_angle_is_small(no_overlap, beta):
    est = _fit_no_overlap(no_overlap, beta)
    curve = np.asarray(est.loss_curve_)
    assert np.all(np.diff(curve) <= 1e-14), np.max(np.diff(curve))
    w = est.dense_weights_[0, : no_overlap[5]]
    w_star = no_overlap[2]
    angle = np.arccos(np.clip(w @ w_star / np.linalg.norm(w), -1, 1))
    assert angle < 0.1


def test_theorem1_error_shrinks_with_beta(no_overlap):
    d, w_star = no_overlap[5], no_overlap[2]
    errors = [
        np.linalg.norm(_fit_no_overlap(no_overlap, beta).dense_weights_[0, :d] - w_star)
        for beta in (0.1, 0.03, 0.01)
    ]
    assert errors[0] > errors[1] > errors[2], errors


def test_u_is_the_threshold_of_w_at_the_limit(no_overlap):
    est = _fit_no_overlap(no_overlap, 0.01)
    t = est.lam / est.beta
    u = np.sign(est.dense_weights_) * np.maximum(np.abs(est.dense_weights_) - t, 0)
    np.testing.assert_allclose(est.hidden_weights_, u, atol=1e-15)


# ---- degenerate case: no penalty is plain gradient descent -------------------


@pytest.mark.parametrize("step_size", [0.05, 0.3])
@pytest.mark.parametrize("penalty", ["l1", "l0", "tl1"])
def test_lam_zero_follows_gradient_descent_step_for_step(penalty, step_size):
    # With lam = 0, u = T(w) = w after every step, so the coupling term and
    # its gradient vanish at each iterate. (With step_size='auto' the paths
    # differ on purpose: the backtracking sees the coupling term's curvature.)
    # RVSM works on features scaled to unit root mean square; gradient
    # descent on X / s is the same path, with weights W * s.
    X, y, truth = make_sparse_network(
        200, n_features=20, n_hidden=5, n_nonzero=4, random_state=0
    )
    X[:, 3] *= 1e3  # a feature in other units
    s = np.sqrt(np.mean(X**2, axis=0))
    common = dict(
        n_hidden=5,
        solver="pgd",  # at FISTA's extrapolated points u != w
        step_size=step_size,
        max_iter=25,
        tol=0,
        random_state=0,
    )
    rvsm_curve, gd_curve = [], []
    rvsm = RVSMRegressor(
        penalty=penalty,
        lam=0.0,
        beta=0.5,
        callback=lambda info: rvsm_curve.append(info["params"]["hidden"].copy()),
        **common,
    ).fit(X, y)
    gd = ProjectedShallowRegressor(
        callback=lambda info: gd_curve.append(info["params"]["hidden"].copy()),
        **common,
    ).fit(X / s, y)
    assert len(rvsm_curve) == len(gd_curve) == 25
    for a, b in zip(rvsm_curve, gd_curve):
        np.testing.assert_allclose(a * s, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rvsm.predict(X), gd.predict(X / s), rtol=1e-10)


# ---- Oymak's sparse setting: the paper's Table 1 ordering ---------------------


@pytest.fixture(scope="module")
def oymak_rvsm_fits():
    X, y, truth = make_sparse_network(1000, random_state=0)
    X_test, y_test = sample_network(truth, 1000, random_state=1)
    W0 = oymak_init(truth, "good", random_state=100)
    fits = {}
    for penalty in ("l0", "tl1", "l1"):
        est = RVSMRegressor(
            penalty=penalty,
            lam=1e-3,
            beta=0.1,
            output_weights="ones",
            fit_intercept=False,
            init=W0,
            max_iter=2000,
            random_state=0,
        ).fit(X, y)
        fits[penalty] = (est.sparsity_, normalized_mse(y_test, est.predict(X_test)))
    return fits


def test_l0_rvsm_is_sparse_and_accurate(oymak_rvsm_fits):
    sparsity, loss = oymak_rvsm_fits["l0"]
    assert sparsity >= 0.8
    assert loss < 0.05


def test_sparsity_ordered_l0_tl1_l1(oymak_rvsm_fits):
    s = {k: v[0] for k, v in oymak_rvsm_fits.items()}
    assert s["l0"] >= s["tl1"] >= s["l1"], s


def test_tradeoff_table_rvsm_sparser_than_admm():
    rows = rvsm_tradeoff(n_samples=600, max_iter=500)
    table = {(r["method"], r["penalty"]): r for r in rows}
    assert len(rows) == 6
    for penalty in ("l0", "l1"):
        assert table["rvsm", penalty]["sparsity"] > table["admm", penalty]["sparsity"]
    assert all(r["true_sparsity"] == 0.9 for r in rows)


# ---- ADMM ----------------------------------------------------------------------


def test_admm_multiplier_closes_the_gap():
    X, y, truth = make_sparse_network(600, random_state=0)
    W0 = oymak_init(truth, "good", random_state=100)
    kw = dict(
        penalty="l1",
        lam=1e-3,
        beta=0.1,
        output_weights="ones",
        fit_intercept=False,
        init=W0,
        max_iter=1500,
        random_state=0,
    )
    admm = RVSMRegressor(method="admm", **kw).fit(X, y)
    rvsm = RVSMRegressor(method="rvsm", **kw).fit(X, y)
    gap_admm = np.linalg.norm(admm.dense_weights_ - admm.hidden_weights_)
    gap_rvsm = np.linalg.norm(rvsm.dense_weights_ - rvsm.hidden_weights_)
    assert gap_admm < 0.2 * gap_rvsm


# ---- scikit-learn use ------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    X, y, _ = make_sparse_network(
        200, n_features=20, n_hidden=5, n_nonzero=4, random_state=0
    )
    return X, y


def test_grid_search_over_lam_and_beta_in_pipeline(small):
    # The parallel search through the pipeline scores each (lam, beta) as a
    # serial cross-validation of the pipeline built with them, on the same
    # folds; both parameters reach the estimator (four different scores).
    X, y = small

    def pipe(**params):
        est = RVSMRegressor(n_hidden=5, max_iter=50, random_state=0, **params)
        return make_pipeline(StandardScaler(), est)

    grid = GridSearchCV(
        pipe(),
        {"rvsmregressor__lam": [1e-4, 1e-2], "rvsmregressor__beta": [0.05, 0.2]},
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    by_hand = [
        cross_val_score(
            pipe(lam=p["rvsmregressor__lam"], beta=p["rvsmregressor__beta"]), X, y, cv=3
        ).mean()
        for p in grid.cv_results_["params"]
    ]
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"], by_hand)
    assert len(set(by_hand)) == 4
    assert grid.best_params_ == grid.cv_results_["params"][int(np.argmax(by_hand))]


def test_clone_pickle_and_fitted_attributes(small):
    X, y = small
    est = RVSMRegressor(
        n_hidden=5, penalty="l0", lam=0.01, beta=0.1, max_iter=50, random_state=0
    )
    assert clone(est).get_params() == est.get_params()
    est.fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    # Predictions use u = hard_threshold(w) at t = lam / beta.
    np.testing.assert_array_equal(
        est.hidden_weights_, hard_threshold(est.dense_weights_, 0.1)
    )
    assert len(est.loss_curve_) == est.n_iter_


def test_minibatch_epochs(small):
    X, y = small
    est = RVSMRegressor(
        n_hidden=5, batch_size=50, max_iter=30, tol=0, random_state=0
    ).fit(X, y)
    assert est.n_iter_ <= 30
    assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_float32(small):
    X, y = small
    est = RVSMRegressor(n_hidden=5, max_iter=10, random_state=0)
    est.fit(X.astype(np.float32), y.astype(np.float32))
    assert est.hidden_weights_.dtype == np.float32
    assert est.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "params, match",
    [
        ({"beta": 0.0}, "'beta' parameter"),
        ({"beta": -1.0}, "'beta' parameter"),
        ({"a": 0.0}, "'a' parameter"),
        ({"a": -2.0}, "'a' parameter"),
        ({"lam": -0.1}, "'lam' parameter"),
        ({"penalty": "l2"}, "'penalty' parameter"),
        ({"method": "sgd"}, "'method' parameter"),
    ],
)
def test_bad_hyperparameters(small, params, match):
    X, y = small
    with pytest.raises(ValueError, match=match):
        RVSMRegressor(**params).fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_bad_data(small, bad):
    X, y = small
    X = X.copy()
    X[0, 0] = bad
    with pytest.raises(ValueError, match="Input X contains"):
        RVSMRegressor().fit(X, y)


def test_a_constraint_as_the_penalty_projects_u_onto_its_set():
    # The prox of a set's indicator is the projection: u lies in the set.
    X, y, truth = make_sparse_network(400, random_state=0)
    k = truth.n_nonzero_total
    est = RVSMRegressor(penalty=L0Ball(n_nonzero=k), random_state=0).fit(X, y)
    assert np.count_nonzero(est.hidden_weights_) <= k
    assert est.score(X, y) > 0.9
    # lam plays no part: the same fit at another lam.
    other = RVSMRegressor(penalty=L0Ball(n_nonzero=k), lam=0.5, random_state=0)
    np.testing.assert_allclose(other.fit(X, y).predict(X), est.predict(X))
    low_rank = RVSMRegressor(penalty=Rank(rank=2), random_state=0).fit(X, y)
    assert np.linalg.matrix_rank(low_rank.hidden_weights_) <= 2


@pytest.mark.parametrize("method", ["rvsm", "admm"])
def test_warm_start_resumes_the_splitting_state_exactly(method):
    # Fixed steps, plain gradient steps: 7 + 5 iterations in two warm-started
    # fits are the 12 iterations of one fit, because u (and ADMM's
    # multiplier z) resume where they were. Resetting z, as before, changes
    # the iterates.
    X, y, _ = make_sparse_network(300, random_state=0)
    kw = dict(
        method=method,
        penalty="l0",
        lam=1e-3,
        solver="pgd",
        step_size=0.05,
        tol=0.0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold = RVSMRegressor(max_iter=12, **kw).fit(X, y)
        warm = RVSMRegressor(max_iter=7, warm_start=True, **kw).fit(X, y)
        warm.set_params(max_iter=5).fit(X, y)
    assert warm.n_iter_ == 12
    np.testing.assert_allclose(warm.loss_curve_, cold.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(warm.dense_weights_, cold.dense_weights_, rtol=1e-12)
    np.testing.assert_array_equal(warm.hidden_weights_ == 0, cold.hidden_weights_ == 0)
