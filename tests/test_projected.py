"""ProjectedShallowRegressor: papers' planted-model claims, sklearn use, errors."""

import math
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import (
    Convolution,
    L1Ball,
    ProjectedShallowRegressor,
    RVSMRegressor,
)
from sklearn_shallow.datasets import (
    make_conv_network,
    make_sparse_network,
    make_sparse_relu,
    oymak_init,
    sample_network,
)
from sklearn_shallow.metrics import (
    normalized_mse,
    normalized_mse_scorer,
    weight_correlation,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _oymak_sparse_fit(n_samples, constraint, seed):
    """Oymak (2018) Fig. 1 setting: p=80, h=20, s=8, good initialisation."""
    X, y, truth = make_sparse_network(n_samples, random_state=seed)
    X_test, y_test = sample_network(truth, 1000, random_state=1000 + seed)
    tau = {None: None, "l1": truth.l1_norm, "l0": truth.n_nonzero_total}[constraint]
    est = ProjectedShallowRegressor(
        constraint=constraint,
        tau=tau,
        output_weights="ones",
        fit_intercept=False,
        # The init noise is seeded like the data (for this generator the two
        # streams share no draws). n = 600 sits at the edge of recovery: over
        # 10 seeds the means are 0.007 (l1) and 0.027 (l0), see
        # test_oymak_sparse_n600_ten_seeds.
        init=oymak_init(truth, "good", random_state=seed),
        max_iter=2000,
        random_state=seed,
    ).fit(X, y)
    return (
        normalized_mse(y_test, est.predict(X_test)),
        weight_correlation(truth.hidden_weights, est.hidden_weights_),
    )


@pytest.mark.parametrize(
    "constraint, max_loss, min_corr", [("l1", 0.01, 0.99), ("l0", 0.02, 0.97)]
)
def test_oymak_sparse_n600_constrained_recovers(constraint, max_loss, min_corr):
    results = np.array([_oymak_sparse_fit(600, constraint, s) for s in range(3)])
    loss, corr = results.mean(axis=0)
    assert loss < max_loss, results
    assert corr > min_corr, results


@pytest.mark.slow
@pytest.mark.parametrize("constraint, max_loss", [("l1", 0.01), ("l0", 0.04)])
def test_oymak_sparse_n600_ten_seeds(constraint, max_loss):
    # Measured means over seeds 0-9: l1 0.0073 (corr 0.990), l0 0.027
    # (corr 0.960). The l0 figure misses the 0.02 of the three-seed claim:
    # some seeds stop in a local minimum with the wrong support.
    results = np.array([_oymak_sparse_fit(600, constraint, s) for s in range(10)])
    assert results[:, 0].mean() < max_loss, results


def test_oymak_sparse_n600_unconstrained_does_not():
    results = np.array([_oymak_sparse_fit(600, None, s) for s in range(3)])
    assert results[:, 0].mean() > 0.05, results


@pytest.mark.parametrize("constraint", ["l1", "l0"])
def test_oymak_sparse_n1000_exact(constraint):
    results = np.array([_oymak_sparse_fit(1000, constraint, s) for s in range(3)])
    assert results[:, 0].mean() < 1e-3, results


def test_oymak_conv_good_init_n300():
    # Oymak (2018) Fig. 3: p=81, b=15, stride 6, k=4, W0 = W* + Z.
    X, y, truth = make_conv_network(300, random_state=0)
    X_test, y_test = sample_network(truth, 1000, random_state=1)
    est = ProjectedShallowRegressor(
        architecture=Convolution(kernel_size=15, stride=6, n_kernels=4),
        output_weights="ones",
        fit_intercept=False,
        init=oymak_init(truth, "good", random_state=100),
        max_iter=1000,
        random_state=0,
    ).fit(X, y)
    assert est.kernels_.shape == (4, 15)
    assert est.hidden_weights_.shape == (48, 81)
    assert normalized_mse(y_test, est.predict(X_test)) < 0.01


def test_soltanolkotabi_single_relu_iht_from_zero():
    # Soltanolkotabi (2017) Fig. 1: d=1000, s=20, n = 8 s log(d/s), l0, W0 = 0.
    d, s = 1000, 20
    n = math.ceil(8 * s * math.log(d / s))
    errors = []
    for seed in range(10):
        X, y, truth = make_sparse_relu(n, n_features=d, n_nonzero=s, random_state=seed)
        est = ProjectedShallowRegressor(
            n_hidden=1,
            constraint="l0",
            tau=s,
            output_weights="ones",
            fit_intercept=False,
            init="zero",
            max_iter=20,
            tol=0,
        ).fit(X, y)
        assert est.n_iter_ == 20
        errors.append(np.linalg.norm(est.hidden_weights_[0] - truth.hidden_weights[0]))
    assert np.mean(errors) < 1e-3, errors


def test_diabetes_pipeline_cross_validated_r2():
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        ProjectedShallowRegressor(
            n_hidden=10, output_weights="learn", fit_intercept=True, random_state=0
        ),
    )
    scores = cross_val_score(pipe, X, y, cv=KFold(5, shuffle=True, random_state=0))
    assert scores.mean() >= 0.40, scores


@pytest.fixture(scope="module")
def small_planted():
    X, y, truth = make_sparse_network(
        200, n_features=20, n_hidden=5, n_nonzero=4, random_state=0
    )
    return X, y, truth


def test_grid_search_over_tau_in_pipeline_parallel(small_planted):
    # The parallel search through the pipeline scores each tau as a serial
    # cross-validation of the pipeline built at that tau, on the same folds.
    X, y, truth = small_planted
    taus = [0.5 * truth.l1_norm, truth.l1_norm]

    def pipe(tau=None):
        est = ProjectedShallowRegressor(
            n_hidden=5, constraint="l1", tau=tau, max_iter=100, random_state=0
        )
        return make_pipeline(StandardScaler(), est)

    grid = GridSearchCV(
        pipe(),
        {"projectedshallowregressor__tau": taus},
        cv=3,
        n_jobs=2,
        scoring=normalized_mse_scorer,
    ).fit(X, y)
    by_hand = [
        cross_val_score(pipe(t), X, y, cv=3, scoring=normalized_mse_scorer).mean()
        for t in taus
    ]
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"], by_hand)
    # tau reached the estimator: the two radii score differently.
    assert by_hand[0] != by_hand[1]
    assert (
        grid.best_params_["projectedshallowregressor__tau"]
        == taus[int(np.argmax(by_hand))]
    )


def test_grid_search_reaches_nested_constraint_radius(small_planted):
    # constraint__radius sets the radius of the constraint object: the
    # search's scores and refit are those of estimators built at each radius.
    X, y, _ = small_planted
    radii = [1.0, 5.0]

    def est(radius):
        return ProjectedShallowRegressor(
            n_hidden=5, constraint=L1Ball(radius=radius), max_iter=50, random_state=0
        )

    grid = GridSearchCV(est(1.0), {"constraint__radius": radii}, cv=2).fit(X, y)
    by_hand = [cross_val_score(est(r), X, y, cv=2).mean() for r in radii]
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"], by_hand)
    assert by_hand[0] != by_hand[1]
    best = radii[int(np.argmax(by_hand))]
    assert grid.best_estimator_.constraint.radius == best
    np.testing.assert_allclose(
        grid.best_estimator_.predict(X), est(best).fit(X, y).predict(X)
    )
    rms = np.sqrt(np.mean(X**2, axis=0))  # the ball is on the scaled weights
    assert np.abs(grid.best_estimator_.hidden_weights_ * rms).sum() <= best + 1e-9


def test_cross_validate_clone_and_pickle(small_planted):
    X, y, truth = small_planted
    est = ProjectedShallowRegressor(
        n_hidden=5, constraint="l0", tau=20, max_iter=100, random_state=0
    )
    out = cross_validate(est, X, y, cv=3, return_estimator=True)
    assert len(out["estimator"]) == 3
    assert all(np.count_nonzero(e.hidden_weights_) <= 20 for e in out["estimator"])
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    assert not hasattr(fresh, "hidden_weights_")
    est.fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


@pytest.mark.parametrize(
    "constraint, tau, check",
    [
        ("l1", 3.0, lambda W: np.abs(W).sum() <= 3.0 + 1e-9),
        ("l0", 7, lambda W: np.count_nonzero(W) <= 7),
        ("l0_row", 2, lambda W: np.all(np.count_nonzero(W, axis=1) <= 2)),
        ("rank", 1, lambda W: np.linalg.matrix_rank(W) <= 1),
        (
            "nuclear",
            2.0,
            lambda W: np.linalg.svd(W, compute_uv=False).sum() <= 2 + 1e-9,
        ),
    ],
)
def test_fitted_weights_satisfy_constraint(small_planted, constraint, tau, check):
    X, y, _ = small_planted
    est = ProjectedShallowRegressor(
        n_hidden=5, constraint=constraint, tau=tau, max_iter=30, random_state=0
    ).fit(X, y)
    # The set constrains the weights of the columns scaled to unit root mean
    # square (the fit's units, as glmnet's standardize): W times rms(x_j).
    scaled = est.hidden_weights_ * np.sqrt(np.mean(X**2, axis=0))
    assert check(scaled)
    assert est.constraint_.is_feasible(scaled)


def test_l0_fraction_tau(small_planted):
    X, y, _ = small_planted
    est = ProjectedShallowRegressor(
        n_hidden=5, constraint="l0", tau=0.1, max_iter=20, random_state=0
    ).fit(X, y)
    assert np.count_nonzero(est.hidden_weights_) <= 10  # 10% of 5 x 20


def test_float32_in_float32_out(small_planted):
    X, y, _ = small_planted
    est = ProjectedShallowRegressor(n_hidden=5, max_iter=30, random_state=0)
    est.fit(X.astype(np.float32), y.astype(np.float32))
    assert est.hidden_weights_.dtype == np.float32
    assert est.output_weights_.dtype == np.float32
    assert est.predict(X.astype(np.float32)).dtype == np.float32


def test_fixed_output_array(small_planted):
    X, y, _ = small_planted
    o = np.array([1.0, -1.0, 2.0, 0.5, 1.0])
    est = ProjectedShallowRegressor(
        n_hidden=5, output_weights=o, max_iter=10, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(est.output_weights_, o)


def test_random_state_makes_fits_repeatable(small_planted):
    X, y, _ = small_planted
    a = ProjectedShallowRegressor(n_hidden=5, max_iter=20, random_state=3).fit(X, y)
    b = ProjectedShallowRegressor(n_hidden=5, max_iter=20, random_state=3).fit(X, y)
    c = ProjectedShallowRegressor(n_hidden=5, max_iter=20, random_state=4).fit(X, y)
    np.testing.assert_array_equal(a.hidden_weights_, b.hidden_weights_)
    assert not np.array_equal(a.hidden_weights_, c.hidden_weights_)


def test_custom_activation_pair(small_planted):
    X, y, _ = small_planted
    est = ProjectedShallowRegressor(
        n_hidden=5,
        activation=(np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        max_iter=20,
        random_state=0,
    ).fit(X, y)
    ref = ProjectedShallowRegressor(
        n_hidden=5, activation="tanh", max_iter=20, random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(est.hidden_weights_, ref.hidden_weights_, rtol=1e-10)


# ---- bad input ---------------------------------------------------------------

GOOD_X = np.random.default_rng(0).standard_normal((20, 3))
GOOD_Y = GOOD_X[:, 0]


def _with(value, where):
    X, y = GOOD_X.copy(), GOOD_Y.copy()
    (X if where == "X" else y)[2] = value
    return X, y


@pytest.mark.parametrize(
    "X, y, match",
    [
        (*_with(np.nan, "X"), "Input X contains NaN"),
        (*_with(np.inf, "X"), "Input X contains infinity"),
        (*_with(np.nan, "y"), "Input y contains NaN"),
        (*_with(np.inf, "y"), "Input y contains infinity"),
        (GOOD_X[:, 0], GOOD_Y, "Expected 2D array, got 1D array"),
        (GOOD_X, GOOD_Y[:-1], "inconsistent numbers of samples"),
        (GOOD_X + 1j, GOOD_Y, "Complex data not supported"),
        (np.full((20, 3), "a"), GOOD_Y, "could not convert string to float"),
    ],
)
def test_bad_data_gets_clear_error(X, y, match):
    with pytest.raises(ValueError, match=match):
        ProjectedShallowRegressor().fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"constraint": "l1", "tau": 0}, "'tau' parameter .* range"),
        ({"constraint": "l1", "tau": -1.0}, "'tau' parameter .* range"),
        ({"constraint": "l0", "tau": 1000, "n_hidden": 4}, "1000 is larger than"),
        ({"constraint": "l1"}, "constraint='l1' needs tau"),
        ({"constraint": "lasso", "tau": 1}, "'constraint' parameter"),
        ({"activation": "swish"}, "'activation' parameter"),
        ({"tau": 1.0}, "tau"),
        ({"step_size": -0.1}, "'step_size' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
        ({"output_weights": [1.0, 2.0]}, r"output_weights has shape \(2,\)"),
        ({"init": np.zeros((3, 3)), "n_hidden": 4}, r"init array has shape \(3, 3\)"),
        ({"architecture": Convolution(kernel_size=5)}, "kernel_size=5 is larger"),
        (
            {"architecture": Convolution(kernel_size=2), "n_hidden": 7},
            "n_hidden=7 is inconsistent",
        ),
    ],
)
def test_bad_hyperparameters_get_clear_error(params, match):
    with pytest.raises(ValueError, match=match):
        ProjectedShallowRegressor(**params).fit(GOOD_X, GOOD_Y)


def test_unfitted_predict_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ProjectedShallowRegressor().predict(GOOD_X)


def test_lbfgs_solver_without_constraint_and_a_clear_error_with_one():
    # Without a constraint L-BFGS is one more step policy: on a convex
    # problem (linear activation, fixed output weights) it reaches the
    # least-squares optimum that FISTA reaches.
    X, y, _ = make_sparse_network(300, n_features=10, n_hidden=3, random_state=0)
    kw = dict(
        activation="linear",
        n_hidden=3,
        output_weights="ones",
        fit_intercept=False,
        tol=1e-10,
        max_iter=5000,
        random_state=0,
    )
    lbfgs = ProjectedShallowRegressor(solver="lbfgs", **kw).fit(X, y)
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(lbfgs.predict(X), X @ w, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="solver='lbfgs' needs a problem without"):
        ProjectedShallowRegressor(solver="lbfgs", constraint="l1", tau=1.0).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        RVSMRegressor(solver="lbfgs").fit(X, y)
