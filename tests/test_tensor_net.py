"""TensorInitOneHidden: Zhong et al.'s recovery claims, sklearn use, errors."""

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_shallow import ProjectedShallowRegressor
from sklearn_shallow._fit import run as _run
from sklearn_shallow.datasets import (
    make_planted_network,
    make_sparse_network,
    sample_network,
)
from sklearn_shallow.metrics import normalized_mse, recovery_error
from sklearn_shallow.solvers import DescentResult
from sklearn_shallow.tensor_init import tensor_initialization
from sklearn_shallow.tensor_net import TensorInitOneHidden

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _zhong(n_samples, activation="squared_relu", n_features=20, seed=0):
    """Zhong et al. (2017) section 7: k = 5, kappa = 2, v uniform on {-1, +1}."""
    return make_planted_network(
        n_samples,
        n_features=n_features,
        n_hidden=5,
        activation=activation,
        output_weights="signs",
        condition_number=2.0,
        random_state=seed,
    )


def _recovered(truth, est):
    error, _, v_match = recovery_error(
        truth.hidden_weights,
        est.hidden_weights_,
        truth.output_weights,
        est.output_weights_,
        return_matching=True,
    )
    return error <= 0.01 and v_match


# ---------------------------------------------------------------------------
# Zhong et al. (2017), section 7
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["squared_relu", "relu"])
def test_zhong_recovery_d20_n10000(activation):
    # Success as in the paper: recovery error <= 0.01 with v matched, here in
    # at least 4 of 5 seeds (all 5 at the time of writing).
    successes = []
    for seed in range(5):
        X, y, truth = _zhong(10000, activation, seed=seed)
        est = TensorInitOneHidden(
            n_hidden=5,
            activation=activation,
            fit_intercept=False,
            max_iter=100,
            random_state=seed,
        ).fit(X, y)
        successes.append(_recovered(truth, est))
    assert sum(successes) >= 4, successes


def test_descent_improves_on_the_tensor_step_by_orders_of_magnitude():
    X, y, truth = _zhong(10000, seed=1)
    est = TensorInitOneHidden(
        activation="squared_relu", fit_intercept=False, max_iter=200, random_state=0
    ).fit(X, y)
    before = recovery_error(truth.hidden_weights, est.initial_hidden_weights_)
    after = recovery_error(truth.hidden_weights, est.hidden_weights_)
    assert 0.02 < before < 0.5, before
    assert after < 1e-3 * before, (before, after)
    # v is fixed at the tensor step's signs.
    np.testing.assert_array_equal(est.output_weights_, est.initial_output_weights_)


def _iterations_to(curve, level=1e-6):
    below = np.flatnonzero(np.asarray(curve) < level)
    return int(below[0]) + 1 if below.size else None


def test_fig1c_tensor_init_beats_random_starts():
    # Zhong et al. Fig. 1(c): d = 10, k = 5, n = 10000, squared ReLU.
    # (I) tensor (W, v), descent on W; (III) random W with the true v;
    # (II) random (W, v), descent on both.
    faster, stuck = [], []
    for seed in range(5):
        X, y, truth = _zhong(10000, n_features=10, seed=seed)
        common = dict(
            activation="squared_relu",
            fit_intercept=False,
            solver="pgd",  # the paper's gradient descent on W and v
            max_iter=400,
            tol=0,
            random_state=seed,
        )
        tensor = TensorInitOneHidden(init="tensor", **common).fit(X, y)
        true_v = TensorInitOneHidden(
            init="random", output_weights=truth.output_weights, **common
        ).fit(X, y)
        both = TensorInitOneHidden(init="random", output_weights="learn", **common).fit(
            X, y
        )
        n_tensor = _iterations_to(tensor.loss_curve_)
        n_true_v = _iterations_to(true_v.loss_curve_)
        assert n_tensor is not None and n_true_v is not None, (n_tensor, n_true_v)
        faster.append(n_tensor < n_true_v)
        stuck.append(_iterations_to(both.loss_curve_) is None)
    assert all(faster), faster
    # Measured: random (W, v) stalls in 4 of the 5 seeds.
    assert sum(stuck) >= 4, stuck


def test_whitening_lets_descent_recover_correlated_inputs():
    # Inputs N(0, A^2) with A of condition number 4; y unchanged by writing
    # the weights in the new coordinates, W' = W A^{-1}.
    for seed in range(3):
        X, y, truth = make_planted_network(
            20000,
            n_features=10,
            n_hidden=3,
            activation="squared_relu",
            output_weights="signs",
            condition_number=2.0,
            random_state=seed,
        )
        rng = np.random.default_rng(seed)
        Q = np.linalg.qr(rng.standard_normal((10, 10)))[0]
        A = (Q * np.geomspace(0.5, 2.0, 10)) @ Q.T
        X, truth.hidden_weights = X @ A, truth.hidden_weights @ np.linalg.inv(A)
        common = dict(
            n_hidden=3,
            activation="squared_relu",
            fit_intercept=False,
            solver="pgd",  # the paper's gradient descent
            max_iter=300,
            random_state=0,
        )
        white = TensorInitOneHidden(whiten=True, **common).fit(X, y)
        assert _recovered(truth, white), seed
    # Without whitening the descent recovered 1 of these 3 before the fits
    # scaled columns to unit root mean square, 2 of 3 since (measured): the
    # diagonal scaling removes part of the correlation's harm, whitening all
    # of it, so only the whitened recoveries are asserted.


# ---------------------------------------------------------------------------
# The descent from the tensor step, by hand
# ---------------------------------------------------------------------------
def test_one_fixed_step_from_the_tensor_start_by_hand():
    X, y, _ = _zhong(2000, n_features=8, seed=4)
    est = TensorInitOneHidden(
        activation="squared_relu",
        fit_intercept=False,
        step_size=0.01,
        max_iter=1,
        random_state=0,
    ).fit(X, y)
    W0, v = est.initial_hidden_weights_, est.initial_output_weights_
    # L = 1/(2n) sum (v . relu(W x)^2 - y)^2, dL/dW = (2 relu(Z) * v * r)^T X / n.
    Z = X @ W0.T
    residual = np.maximum(Z, 0) ** 2 @ v - y
    grad = (2 * np.maximum(Z, 0) * v * residual[:, None]).T @ X / len(y)
    # The step is taken on V = W * c, the weights of the columns scaled to
    # unit root mean square c (the fit's units): dL/dV = dL/dW / c, so in W
    # the step is 0.01 * grad / c^2.
    c = np.sqrt(np.mean(X**2, axis=0))
    np.testing.assert_allclose(est.hidden_weights_, W0 - 0.01 * grad / c**2, rtol=1e-10)


def test_tensor_start_is_the_tensor_step():
    X, y, _ = _zhong(3000, n_features=8, seed=2)
    est = TensorInitOneHidden(
        activation="relu", fit_intercept=False, max_iter=1, random_state=3
    ).fit(X, y)
    # The estimator draws its random fallback first, from the same stream.
    rng = np.random.RandomState(3)
    rng.standard_normal((5, 8))
    rng.choice(np.array([-1.0, 1.0]), size=5)
    result = tensor_initialization(X, y, 5, "relu", random_state=rng)
    np.testing.assert_allclose(est.initial_hidden_weights_, result.hidden_weights)
    np.testing.assert_array_equal(est.initial_output_weights_, result.output_weights)


def test_initial_intercept_is_the_mean_residual_of_the_start():
    X, y, _ = _zhong(2000, n_features=8, seed=0)
    y = y + 3.0
    est = TensorInitOneHidden(activation="squared_relu", max_iter=1, random_state=0)
    est.set_params(step_size=1e-12).fit(X, y)
    W0, v = est.initial_hidden_weights_, est.initial_output_weights_
    b0 = np.mean(y - np.maximum(X @ W0.T, 0) ** 2 @ v)
    assert est.intercept_ == pytest.approx(b0, rel=1e-8)


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------
def test_learned_output_weights_move_and_fixed_ones_do_not():
    X, y, _ = _zhong(2000, n_features=8, seed=0)
    learn = TensorInitOneHidden(
        activation="squared_relu", output_weights="learn", max_iter=20, random_state=0
    ).fit(X, y)
    assert not np.allclose(learn.output_weights_, learn.initial_output_weights_)
    given = np.array([1.0, -1.0, 1.0, -1.0, 2.0])
    fixed = TensorInitOneHidden(
        activation="squared_relu", output_weights=given, max_iter=20, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(fixed.output_weights_, given)


def test_more_units_than_features_fills_in_random_units():
    X, y, _ = _zhong(2000, n_features=8, seed=0)
    est = TensorInitOneHidden(n_hidden=10, max_iter=5, random_state=0).fit(X, y)
    assert est.hidden_weights_.shape == (10, 8)
    assert np.all(np.isfinite(est.predict(X)))


def test_warm_start_keeps_the_fixed_output_weights():
    X, y, _ = _zhong(2000, n_features=8, seed=0)
    est = TensorInitOneHidden(
        activation="squared_relu", max_iter=5, warm_start=True, random_state=0
    ).fit(X, y)
    first_v, first_loss = est.output_weights_.copy(), est.loss_curve_[-1]
    n_first = len(est.loss_curve_)
    est.fit(X, y)
    np.testing.assert_array_equal(est.output_weights_, first_v)
    assert est.loss_curve_[n_first] <= first_loss  # the history continues


def test_warm_start_with_given_output_weights_continues_the_fit():
    # Output weights given as an array: a warm start of 5 + 5 plain steps is
    # the fit of 10 (the array must not be compared with 'learn' as a
    # string: on numpy 2 that comparison is elementwise).
    X, y, _ = _zhong(2000, n_features=8, seed=0)
    v = np.array([1.0, -1.0, 1.0])
    params = dict(
        n_hidden=3,
        activation="squared_relu",
        output_weights=v,
        solver="pgd",
        tol=0,
        random_state=0,
    )
    warm = TensorInitOneHidden(max_iter=5, warm_start=True, **params).fit(X, y)
    warm.fit(X, y)
    cold = TensorInitOneHidden(max_iter=10, **params).fit(X, y)
    assert warm.n_iter_ == cold.n_iter_ == 10
    np.testing.assert_array_equal(warm.output_weights_, v)
    np.testing.assert_allclose(warm.hidden_weights_, cold.hidden_weights_, rtol=1e-9)


def test_random_init_works_for_any_activation():
    X, y, _ = _zhong(500, n_features=6, seed=0)
    est = TensorInitOneHidden(activation="sigmoid", init="random", max_iter=5)
    assert est.fit(X, y).predict(X).shape == (500,)


def test_tensor_init_with_unsupported_activation_says_what_to_do():
    X, y, _ = _zhong(500, n_features=6, seed=0)
    est = TensorInitOneHidden(activation="tanh")
    with pytest.raises(ValueError, match="positively homogeneous.*init='random'"):
        est.fit(X, y)


def test_bad_output_weights_shape_is_refused():
    X, y, _ = _zhong(500, n_features=6, seed=0)
    est = TensorInitOneHidden(output_weights=np.ones(3))
    with pytest.raises(ValueError, match=r"output_weights has shape \(3,\)"):
        est.fit(X, y)


def test_clone_round_trips_every_parameter():
    est = TensorInitOneHidden(n_hidden=3, n_slices=20, whiten=True, partition=True)
    assert clone(est).get_params() == est.get_params()


# ---------------------------------------------------------------------------
# Tensor start for ProjectedShallowRegressor (Oymak's sparse setting)
# ---------------------------------------------------------------------------
def test_tensor_start_speeds_up_projected_descent_in_zhong_setting():
    # The array path that init='tensor' uses: the tensor step's W as init and
    # its signs as fixed output weights, against a random W with the same v.
    for seed in range(5):
        X, y, truth = _zhong(10000, seed=seed)
        start = tensor_initialization(X, y, 5, "squared_relu", random_state=seed)
        # The random start as an array too, so that both arms run in the
        # units of X (a named start would scale the columns first).
        rng = np.random.default_rng(seed)
        random_W = rng.standard_normal((5, X.shape[1])) / np.sqrt(X.shape[1])
        errors = []
        for init in (start.hidden_weights, random_W):
            est = ProjectedShallowRegressor(
                n_hidden=5,
                activation="squared_relu",
                output_weights=start.output_weights,
                fit_intercept=False,
                init=init,
                max_iter=100,
                random_state=seed,
            ).fit(X, y)
            errors.append(recovery_error(truth.hidden_weights, est.hidden_weights_))
        assert errors[0] <= 0.01 and errors[0] < errors[1], (seed, errors)


@pytest.mark.parametrize("seed", range(4))
def test_tensor_step_carries_information_in_oymak_sparse_setting(seed):
    # Oymak's sparse setting (p = 80, h = 20, s = 8) at n = 1000 is far below
    # what the tensor step needs for 20 units (the noise in P2 exceeds its
    # largest eigenvalue), yet its rows still align better with W* than a
    # random start does (measured 0.27-0.33 against 0.20-0.23 over 12 seeds).
    from sklearn_shallow.metrics import weight_correlation

    X, y, truth = make_sparse_network(1000, random_state=seed)
    start = tensor_initialization(X, y, 20, "relu", random_state=seed)
    random_rows = np.random.default_rng(seed).standard_normal((20, 80))
    tensor_corr = weight_correlation(truth.hidden_weights, start.hidden_weights)
    random_corr = weight_correlation(truth.hidden_weights, random_rows)
    assert tensor_corr > random_corr + 0.04, (tensor_corr, random_corr)


def _oymak_test_loss(seed, init):
    """Test loss of ProjectedShallowRegressor's defaults, n = 1000 (Oymak)."""
    X, y, truth = make_sparse_network(1000, random_state=seed)
    X_test, y_test = sample_network(truth, 2000, random_state=100 + seed)
    est = ProjectedShallowRegressor(init=init, random_state=seed)
    return normalized_mse(y_test, est.fit(X, y).predict(X_test))


def test_projected_tensor_start_beats_random_start_oymak_sparse_n1000():
    # Issue 5: ProjectedShallowRegressor with its defaults (no constraint,
    # learned output layer and intercept, 200 iterations) from the tensor
    # step's W against its random start; Oymak's sparse setting at n = 1000,
    # test loss over 12 seeds. Measured: mean 0.358 against 0.433, ahead in
    # all 12. Neither start recovers W* (the tensor step is starved at
    # n = 1000: the noise in P2 exceeds its largest eigenvalue), so the gain
    # is modest: with 2000 iterations 0.440 against 0.497 (10 of 12); with
    # the l0 constraint (tau = 160) it is within noise; with the paper's
    # output weights fixed to one the tensor start is not ahead.
    # Issue 10's core (exact output layer, accelerated steps, alpha='auto')
    # reaches better optima from both starts and the gap narrows: measured
    # mean 0.226 against 0.251, ahead in 8 of 12.
    tensor = np.array([_oymak_test_loss(seed, "tensor") for seed in range(12)])
    random = np.array([_oymak_test_loss(seed, "random") for seed in range(12)])
    assert tensor.mean() < 0.95 * random.mean(), (tensor, random)
    assert np.sum(tensor < random) >= 7, (tensor, random)


# ---------------------------------------------------------------------------
# Units of X: the tensor start is equivariant, the descent never undoes it
# ---------------------------------------------------------------------------
def _scaled_inputs(scale, columns):
    X, y, _ = make_planted_network(2000, n_features=10, n_hidden=3, random_state=0)
    factors = np.full(10, scale) if columns == "all" else np.r_[scale, np.ones(9)]
    return X, y, factors


def _start_r2(est, X, y):
    """R^2 of the starting network (ReLU, intercept at the mean residual)."""
    pred = (
        np.maximum(X @ est.initial_hidden_weights_.T, 0) @ est.initial_output_weights_
    )
    pred += np.mean(y - pred)
    return 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)


@pytest.mark.parametrize("columns", ["all", "one"])
@pytest.mark.parametrize("scale", [1e-3, 1e-1, 10.0, 1e3])
def test_tensor_net_start_does_not_depend_on_units_of_x(scale, columns):
    X, y, factors = _scaled_inputs(scale, columns)
    base = TensorInitOneHidden(n_hidden=3, random_state=0).fit(X, y)
    est = TensorInitOneHidden(n_hidden=3, random_state=0).fit(X * factors, y)
    np.testing.assert_allclose(
        est.initial_hidden_weights_ * factors,
        base.initial_hidden_weights_,
        rtol=1e-8,
        atol=1e-10,
    )
    start = _start_r2(est, X * factors, y)
    assert start == pytest.approx(_start_r2(base, X, y), abs=1e-8)
    # The start explains most of y, and the backtracking descent only lowers
    # the training loss from there (before this was fixed, scale 10 gave
    # R^2 = -2.6e5 and one column times 1e3 gave -1e27).
    assert start > 0.8, start
    assert est.score(X * factors, y) >= start - 1e-9


@pytest.mark.parametrize("columns", ["all", "one"])
@pytest.mark.parametrize("scale", [1e-3, 1e3])
def test_float32_tensor_start_at_any_scale(scale, columns):
    # At scales of 4e3 and more the float32 fit used to fail with "The loss
    # at the initial point is not finite".
    X, y, factors = _scaled_inputs(scale, columns)
    X32, y32 = (X * factors).astype(np.float32), y.astype(np.float32)
    est = TensorInitOneHidden(n_hidden=3, random_state=0).fit(X32, y32)
    assert est.hidden_weights_.dtype == np.float32
    assert est.score(X32, y32) > 0.8


@pytest.mark.parametrize("columns", ["all", "one"])
@pytest.mark.parametrize("scale", [1e-3, 1e3])
def test_init_tensor_in_projected_descent_does_not_depend_on_units(
    scale, columns, monkeypatch
):
    # The descent is replaced by one that stops at once, so hidden_weights_
    # is the start that init='tensor' built (with output weights fixed to
    # one the fit's internal units are the user's).
    def no_descent(objective, params, update, **kw):
        return DescentResult(
            [p.copy() for p in params], params, 0, [], [], None, True, 1.0
        )

    monkeypatch.setattr(_run, "descend", no_descent)
    X, y, factors = _scaled_inputs(scale, columns)
    params = dict(
        n_hidden=3,
        init="tensor",
        output_weights="ones",
        fit_intercept=False,
        random_state=0,
    )
    base = ProjectedShallowRegressor(**params).fit(X, y)
    est = ProjectedShallowRegressor(**params).fit(X * factors, y)
    np.testing.assert_allclose(
        est.hidden_weights_ * factors, base.hidden_weights_, rtol=1e-8, atol=1e-10
    )
