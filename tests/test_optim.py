"""The shared descent loop, exercised through ProjectedShallowRegressor."""

import math
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_shallow import (
    DegenerateFitWarning,
    DivergenceError,
    ProjectedShallowRegressor,
    RVSMRegressor,
    TensorInitOneHidden,
)
from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import Linear, Tanh
from sklearn_shallow.architectures import Dense
from sklearn_shallow.datasets import make_sparse_network, oymak_init
from sklearn_shallow.solvers import RVSMUpdate, UpdateRule, descend
from sklearn_shallow.thresholds import L1Penalty


@pytest.fixture(scope="module")
def planted():
    X, y, truth = make_sparse_network(400, random_state=0)
    return X, y, truth


def _paper_net(**kw):
    params = dict(output_weights="ones", fit_intercept=False, alpha=0.0, random_state=0)
    params.update(kw)
    return ProjectedShallowRegressor(**params)


def test_auto_step_decreases_full_batch_loss_monotonically(planted):
    X, y, _ = planted
    est = _paper_net(max_iter=100, tol=0).fit(X, y)
    curve = np.asarray(est.loss_curve_)
    assert len(curve) == est.n_iter_ == 100
    assert np.all(np.diff(curve) <= 1e-12 * curve[:-1])
    assert curve[-1] < 0.2 * curve[0]


def test_fixed_step_that_diverges_raises_clear_error(planted):
    X, y, _ = planted
    msg = re.escape("diverged") + ".*step_size=50.0"
    with pytest.raises(DivergenceError, match=msg):
        _paper_net(step_size=50.0, max_iter=100).fit(X, y)


def test_paper_step_of_five_diverges_under_our_scaling(planted):
    # ALGORITHMS.md section 2: mu = 5 from Oymak (2018) diverges with the
    # 1/(2n) loss used here; the error must say so instead of returning NaN.
    X, y, truth = planted
    W0 = oymak_init(truth, "good", random_state=100)
    with pytest.raises(DivergenceError, match="diverged"):
        _paper_net(step_size=5.0, init=W0, max_iter=2000).fit(X, y)


def test_small_fixed_step_is_used_as_given(planted):
    X, y, truth = planted
    W0 = oymak_init(truth, "good", random_state=100)
    est = _paper_net(step_size=0.05, init=W0, max_iter=5, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.step_size_ == 0.05
    # One step by hand from W0: W1 = W0 - mu * grad, grad = D^T X / n.
    Z = X @ W0.T
    r = np.maximum(Z, 0).sum(axis=1) - y
    grad = ((Z > 0) * r[:, None]).T @ X / len(y)
    one = _paper_net(step_size=0.05, init=W0, max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one.fit(X, y)
    np.testing.assert_allclose(one.hidden_weights_, W0 - 0.05 * grad, rtol=1e-12)


def test_max_iter_reached_warns(planted):
    X, y, _ = planted
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        _paper_net(max_iter=3).fit(X, y)


def test_tol_stops_a_noisy_fit_before_max_iter():
    X, y, _ = make_sparse_network(300, noise=1.0, random_state=1)
    est = ProjectedShallowRegressor(random_state=0, max_iter=5000, tol=1e-3)
    est.fit(X, y)
    assert est.n_iter_ < 5000


def test_callback_receives_iterates_and_can_stop(planted):
    X, y, _ = planted
    seen = []

    def callback(info):
        seen.append((info["iteration"], info["loss"], info["params"]["hidden"].copy()))
        return info["iteration"] == 7

    est = _paper_net(max_iter=50, callback=callback).fit(X, y)
    assert est.n_iter_ == 7
    assert [s[0] for s in seen] == list(range(1, 8))
    assert seen[-1][1] == est.loss_curve_[-1]
    np.testing.assert_array_equal(seen[-1][2], est.hidden_weights_)


def test_early_stopping_keeps_best_weights(planted):
    X, y, _ = planted
    rng = np.random.default_rng(0)
    y_noisy = y + 2.0 * rng.standard_normal(len(y))
    snapshots = {}

    def callback(info):
        snapshots[info["iteration"]] = (
            info["validation_score"],
            info["params"]["hidden"].copy(),
        )

    est = ProjectedShallowRegressor(
        n_hidden=40,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=5,
        max_iter=500,
        callback=callback,
        random_state=0,
    ).fit(X, y_noisy)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(snapshots)
    best = int(np.argmax(scores))
    assert est.best_validation_score_ == pytest.approx(scores[best])
    # The model returned is the best iterate, not the last one.
    np.testing.assert_array_equal(est.hidden_weights_, snapshots[best + 1][1])
    assert est.n_iter_ < 500


def test_early_stopping_needs_validation_samples():
    X = np.random.default_rng(0).standard_normal((5, 2))
    y = X[:, 0]
    est = ProjectedShallowRegressor(early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="at least 2 validation samples"):
        est.fit(X, y)


def test_verbose_prints_progress(planted, capsys):
    X, y, _ = planted
    _paper_net(max_iter=20, verbose=1, tol=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss =" in out
    assert "Iteration 20, loss =" in out


def test_minibatches_learn_the_planted_network(planted):
    X, y, truth = planted
    W0 = oymak_init(truth, "good", random_state=100)
    est = _paper_net(
        constraint="l1",
        tau=truth.l1_norm,
        init=W0,
        batch_size=100,
        max_iter=300,
        tol=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_curve_[-1] < 1e-2 * est.loss_curve_[0]


def test_warm_start_continues_from_previous_fit(planted):
    X, y, _ = planted
    est = _paper_net(max_iter=30, tol=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        first = est.loss_curve_[-1]
        n_first = est.n_iter_
        est.set_params(max_iter=1)
        est.fit(X, y)
    # The history continues (as MLP's does): one more iteration, from where
    # the first fit ended, with the step size it had found.
    assert est.n_iter_ == n_first + 1 == len(est.loss_curve_)
    assert est.loss_curve_[-1] <= first
    cold = _paper_net(max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold.fit(X, y)
    assert est.loss_curve_[-1] < 0.5 * cold.loss_curve_[0]


def test_integer_sample_weights_equal_repeated_rows(planted):
    X, y, _ = planted
    X, y = X[:60], y[:60]
    w = np.random.default_rng(0).integers(0, 3, size=60)
    a = _paper_net(max_iter=20, tol=0).fit(X, y, sample_weight=w)
    b = _paper_net(max_iter=20, tol=0).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.hidden_weights_, b.hidden_weights_, rtol=1e-7)


# ---------------------------------------------------------------------------
# Degenerate fits and starts are never reported as normal fits
# ---------------------------------------------------------------------------
def _positive_inputs(n_samples=200, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.5, 1.5, size=(n_samples, n_features))
    y = X @ rng.standard_normal(n_features)
    return X, y


def test_every_unit_dead_warns_constant_predictor():
    # Inputs are positive and every starting weight negative: no ReLU ever
    # fires, no gradient reaches the hidden layer, only the intercept moves.
    # (alpha=0: weight decay would pull the weights back to where units fire.)
    X, y = _positive_inputs()
    est = ProjectedShallowRegressor(
        n_hidden=4, init=-np.ones((4, 5)), alpha=0.0, random_state=0
    )
    with pytest.warns(DegenerateFitWarning, match="every hidden unit is constant"):
        est.fit(X, y)
    # The warning tells the truth: one value, the weighted mean of y.
    np.testing.assert_allclose(est.predict(X), y.mean(), rtol=1e-6)


def test_zero_output_weights_warn_constant_predictor():
    X, y = _positive_inputs()
    # Units alive on the positive inputs: a random start could leave every
    # unit dead (7 seeds in 200), which is reported first, by another message.
    est = ProjectedShallowRegressor(
        n_hidden=3, output_weights=np.zeros(3), init=np.ones((3, X.shape[1]))
    )
    with pytest.warns(DegenerateFitWarning, match="output weight zero"):
        est.fit(X, y)


def test_units_alive_only_on_zero_weight_samples_count_as_dead():
    X, y = _positive_inputs()
    X[0] = -1.0  # the one sample on which the negative units fire
    sw = np.ones(len(y))
    sw[0] = 0.0
    est = ProjectedShallowRegressor(
        n_hidden=2, init=-np.ones((2, 5)), alpha=0.0, random_state=0
    )
    with pytest.warns(DegenerateFitWarning):
        est.fit(X, y, sample_weight=sw)


def test_constant_target_fitted_by_a_constant_does_not_warn():
    X, _ = _positive_inputs()
    est = ProjectedShallowRegressor(n_hidden=2, init=-np.ones((2, 5)), max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        est.fit(X, np.full(len(X), 3.0))


def test_healthy_fit_does_not_warn(planted):
    X, y, _ = planted
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        _paper_net(max_iter=20).fit(X, y)


def test_degenerate_warning_is_a_convergence_warning():
    # Filters people already set for model selection cover it too.
    assert issubclass(DegenerateFitWarning, ConvergenceWarning)


def test_start_with_non_finite_outputs_names_init_and_dtype():
    X, y = _positive_inputs()
    X = (X * 1e30).astype(np.float32)
    est = ProjectedShallowRegressor(n_hidden=2, init=np.full((2, 5), 1e10))
    with pytest.raises(ValueError, match="the init array gives non-finite.*float32"):
        est.fit(X, y)


def test_start_whose_loss_overflows_names_the_targets():
    # Fixed output weights keep y in its units, where its squares overflow.
    X, y = _positive_inputs()
    est = ProjectedShallowRegressor(n_hidden=2, output_weights="ones", random_state=0)
    with pytest.raises(ValueError, match="squared loss.*init='random'.*float32"):
        est.fit(X.astype(np.float32), (y * 1e25).astype(np.float32))


def test_float32_targets_near_overflow_fit_in_standardised_units():
    # A learned output layer fits standardised y: the same model as for y.
    X, y = _positive_inputs()
    X32 = X.astype(np.float32)
    est = ProjectedShallowRegressor(n_hidden=2, random_state=0)
    big = est.fit(X32, (y * 1e25).astype(np.float32)).predict(X32)
    small = est.fit(X32, y.astype(np.float32)).predict(X32)
    assert big.dtype == np.float32
    np.testing.assert_allclose(big / 1e25, small, rtol=1e-4, atol=1e-4 * np.ptp(y))


# ---------------------------------------------------------------------------
# State safety: bad weights refused, failed fits leave the estimator as it was
# ---------------------------------------------------------------------------
ESTIMATOR_CLASSES = [ProjectedShallowRegressor, RVSMRegressor, TensorInitOneHidden]


def _nan_derivative(z):
    return np.full_like(z, np.nan)


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_negative_sample_weights_are_refused(cls, planted):
    X, y, _ = planted
    sw = np.ones(len(y))
    sw[0] = -50.0
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        cls(n_hidden=3, random_state=0).fit(X[:, :10], y, sample_weight=sw)


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_failed_refit_leaves_the_previous_model_whole(cls, planted):
    X, y, _ = planted
    X = X[:, :10]
    est = cls(n_hidden=3, max_iter=20, random_state=0).fit(X, y)
    before = est.predict(X)
    attributes = {k: v for k, v in vars(est).items() if k.endswith("_")}
    # A derivative that is not finite fails the fit after the new activation
    # is resolved. (A fixed step of 1e6 no longer diverges for every
    # estimator: with tanh and an exactly solved intercept the loss is bounded.)
    est.set_params(activation=(np.tanh, _nan_derivative), init="random")
    with pytest.raises(ValueError, match="derivative of the custom activation"):
        est.fit(X, y)
    np.testing.assert_array_equal(est.predict(X), before)
    assert est.activation_ is attributes["activation_"]
    assert set(k for k in vars(est) if k.endswith("_")) == set(attributes)


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_failed_first_fit_leaves_the_estimator_unfitted(cls, planted):
    X, y, _ = planted
    est = cls(n_hidden=3, init="random", step_size=1e6, random_state=0)
    est.set_params(activation="relu")
    with pytest.raises(DivergenceError):
        est.fit(X[:, :10], y)
    with pytest.raises(NotFittedError):
        est.predict(X[:, :10])


# ---------------------------------------------------------------------------
# solver='lbfgs': the shared loop's quasi-Newton policy for smooth problems
# ---------------------------------------------------------------------------
def _linear_net_objective(X, y, n_hidden, fit_intercept, alpha, **kw):
    """``f(x) = sum_j w_j . x (+ b)``: fixed unit output weights, linear units."""
    model = ShallowModel(
        Linear(), Dense(), X.shape[1], n_hidden, np.ones(n_hidden, X.dtype),
        fit_intercept,
    )  # fmt: skip
    return model, Objective(
        model, SquaredLoss(), X, y, exact_linear=True, alpha=alpha, **kw
    )


def _ridge_network(X, y, n_hidden, fit_intercept, alpha):
    """The unique minimiser, in closed form.

    The loss depends on ``W`` only through ``u = sum_j w_j``, and for a given
    ``u`` the penalty ``alpha/2 ||W||^2`` is smallest at equal rows ``u / k``,
    where it is ``alpha / (2 k) ||u||^2``. So ``u`` solves ridge regression
    with ``alpha / k`` (on centred data with an intercept) and ``b`` is the
    mean residual.
    """
    n = len(y)
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    u = np.linalg.solve(
        Xc.T @ Xc / n + alpha / n_hidden * np.eye(X.shape[1]), Xc.T @ yc / n
    )
    b = float(np.mean(y - X @ u)) if fit_intercept else None
    return np.tile(u / n_hidden, (n_hidden, 1)), b


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_lbfgs_reaches_the_closed_form_optimum(fit_intercept, dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6))
    y = X @ rng.standard_normal(6) + 2.0 + 0.3 * rng.standard_normal(200)
    W_star, b_star = _ridge_network(X, y, 3, fit_intercept, alpha=0.1)
    model, objective = _linear_net_objective(
        X.astype(dtype), y.astype(dtype), 3, fit_intercept, alpha=0.1
    )
    start = [rng.standard_normal((3, 6)).astype(dtype)]
    if fit_intercept:
        start.append(np.zeros(1, dtype))
        assert objective.solved_blocks == (1,)  # not in the packed vector
    before = [p.copy() for p in start]
    result = descend(
        objective, start, UpdateRule(), solver="lbfgs", tol=1e-9, names=model.names
    )
    assert result.converged, result.message
    assert all(p.dtype == dtype for p in result.params)
    rtol = 1e-7 if dtype == np.float64 else 1e-3
    assert_allclose(result.params[0], W_star, rtol=rtol, atol=rtol)
    if fit_intercept:
        assert result.params[1][0] == pytest.approx(b_star, rel=rtol)
    assert math.isnan(result.step_size)
    assert len(result.loss_curve) == result.n_iter
    for a, b in zip(start, before):  # the start is not modified
        assert_array_equal(a, b)


def _tanh_problem(seed=0):
    """A planted tanh network: a smooth, non-convex objective."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((300, 5))
    W_true = rng.standard_normal((3, 5))
    y = np.tanh(X @ W_true.T) @ np.array([1.0, -2.0, 1.5]) + 0.1 * rng.standard_normal(
        300
    )
    model = ShallowModel(Tanh(), Dense(), 5, 3, None, True)
    objective = Objective(model, SquaredLoss(), X, y, exact_linear=True, alpha=1e-3)
    start = [W_true + 0.3 * rng.standard_normal((3, 5)), np.zeros(3), np.zeros(1)]
    return model, objective, start


def test_lbfgs_and_fista_reach_the_same_minimum_of_a_nonconvex_problem():
    model, objective, start = _tanh_problem()
    runs = {
        solver: descend(
            objective,
            start,
            UpdateRule(),
            solver=solver,
            tol=1e-8,
            max_iter=20000,
            names=model.names,
        )
        for solver in ("lbfgs", "fista")
    }
    assert all(r.converged for r in runs.values()), [r.message for r in runs.values()]
    # L-BFGS gets there in fewer iterations (65 against 165 here).
    assert runs["lbfgs"].n_iter < runs["fista"].n_iter
    for a, b in zip(runs["lbfgs"].params, runs["fista"].params):
        assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert runs["lbfgs"].loss_curve[-1] == pytest.approx(
        runs["fista"].loss_curve[-1], rel=1e-10
    )


def test_lbfgs_refuses_a_projection():
    model, objective, start = _tanh_problem()
    with pytest.raises(
        ValueError,
        match=r"solver='lbfgs' needs a problem without a constraint.*'fista'",
    ):
        descend(objective, start, UpdateRule(project=np.abs), solver="lbfgs")


def test_lbfgs_error_names_the_constraint_and_the_penalty(planted):
    X, y, _ = planted
    with pytest.raises(ValueError, match=r"constraint L1Ball\(radius=2.0\).*'fista'"):
        ProjectedShallowRegressor(solver="lbfgs", constraint="l1", tau=2.0).fit(X, y)
    # The estimator refuses it in its parameter validation; the loop itself
    # names the penalty of the update rule.
    with pytest.raises(ValueError, match="'solver' parameter of RVSMRegressor"):
        RVSMRegressor(solver="lbfgs").fit(X, y)
    _, objective = _linear_net_objective(X, y, 2, False, 0.0)
    rule = RVSMUpdate(L1Penalty(), 1e-3, 0.1)
    with pytest.raises(ValueError, match=r"penalty L1.*RVSMUpdate.*'fista'"):
        descend(objective, [np.ones((2, X.shape[1]))], rule, solver="lbfgs")


def test_lbfgs_refuses_mini_batches():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((100, 3)), rng.standard_normal(100)
    model, objective = _linear_net_objective(X, y, 2, False, 0.0, batch_size=10)
    with pytest.raises(ValueError, match="10 mini-batches.*solver='pgd'"):
        descend(objective, [np.ones((2, 3))], UpdateRule(), solver="lbfgs")


def test_lbfgs_callback_stops_and_sees_each_iterate():
    model, objective, start = _tanh_problem()
    seen = []

    def callback(info):
        seen.append((info["iteration"], info["loss"], info["params"]["hidden"].copy()))
        return info["iteration"] == 4

    result = descend(
        objective,
        start,
        UpdateRule(),
        solver="lbfgs",
        callback=callback,
        names=model.names,
    )
    assert result.n_iter == 4 and result.converged
    assert result.message == "the callback asked to stop"
    assert [s[0] for s in seen] == [1, 2, 3, 4]
    assert [s[1] for s in seen] == result.loss_curve
    assert_array_equal(seen[-1][2], result.params[0])
    # The loss reported is that of the parameters returned.
    params = [p.copy() for p in result.params]
    assert objective.value(params, objective.batches()[0]) == result.loss_curve[-1]


def test_lbfgs_max_iter_is_reported_as_not_converged():
    model, objective, start = _tanh_problem()
    result = descend(
        objective, start, UpdateRule(), solver="lbfgs", max_iter=3, tol=0.0
    )
    assert not result.converged and result.n_iter == 3
    assert "max_iter=3" in result.message


def test_lbfgs_early_stopping_keeps_the_best_parameters(planted):
    X, y, _ = planted
    y_noisy = y + 2.0 * np.random.default_rng(0).standard_normal(len(y))
    snapshots = {}

    def callback(info):
        snapshots[info["iteration"]] = info["params"]["hidden"].copy()

    est = ProjectedShallowRegressor(
        n_hidden=40,
        solver="lbfgs",
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=5,
        max_iter=500,
        callback=callback,
        random_state=0,
    ).fit(X, y_noisy)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(snapshots) < 500
    best = int(np.argmax(scores))
    assert est.best_validation_score_ == pytest.approx(scores[best])
    assert best < len(scores) - 1  # the last iterate is not the best one
    assert_array_equal(est.hidden_weights_, snapshots[best + 1])


def test_lbfgs_verbose_prints_without_a_step(capsys):
    model, objective, start = _tanh_problem()
    descend(objective, start, UpdateRule(), solver="lbfgs", max_iter=2, verbose=2)
    out = capsys.readouterr().out
    assert "Iteration 2, loss =" in out and "step =" not in out


@pytest.mark.parametrize("seed", [0, 10, 24])
def test_fixed_step_stops_as_converged_when_the_fit_becomes_exact(seed):
    # tol=0 keeps the loop going until the gradient reaches the rounding
    # level; that is a stationary point, not a step too small. (Seeds 10 and
    # 24 once ran to max_iter at a loss of 1e-31.) A warm start from the exact
    # fit is stationary too.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 5))
    w = rng.standard_normal(5)
    est = ProjectedShallowRegressor(
        n_hidden=1,
        activation="linear",
        output_weights="ones",
        fit_intercept=False,
        solver="pgd",
        step_size=1.0,
        max_iter=200,
        tol=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, X @ w)
        assert est.n_iter_ < 200
        np.testing.assert_allclose(est.hidden_weights_.ravel(), w, rtol=1e-10)
        est.set_params(warm_start=True).fit(X, X @ w)
    np.testing.assert_allclose(est.hidden_weights_.ravel(), w, rtol=1e-10)


def _fista_fit(X, y, max_iter, **params):
    est = ProjectedShallowRegressor(
        n_hidden=4,
        solver="fista",
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=max_iter + 1,  # never stop early
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _count_products(monkeypatch):
    """Count the forward (``preact``) and backward (``backprop``) products of
    the dense layer."""
    counts = {"preact": 0, "backprop": 0}
    for name in counts:
        original = getattr(Dense, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Dense, name, counted)
    return counts


@pytest.mark.parametrize("constraint", [None, "l1"])
def test_fixed_step_fista_makes_one_forward_product_per_iteration(
    planted, monkeypatch, capsys, constraint
):
    # The objective at the extrapolated point takes the pre-activations of
    # the two last iterates, not a product: per iteration one forward (at
    # the candidate) and one backward product, momentum restarts included
    # (this step makes some). Counted by the difference of a 30- and a
    # 10-iteration fit (the setup and the start check make products of
    # their own).
    X, y, _ = planted
    tau = None if constraint is None else 2.0
    counts = _count_products(monkeypatch)
    per_fit = []
    for max_iter in (10, 30):
        counts.update(preact=0, backprop=0)
        est = _fista_fit(
            X, y, max_iter, step_size=1.0, constraint=constraint, tau=tau, verbose=1
        )
        restarts = re.findall(r"(\d+) momentum restarts", capsys.readouterr().out)
        per_fit.append(
            dict(counts, n_iter=est.n_iter_, restarts=sum(map(int, restarts)))
        )
    lo, hi = per_fit
    iterations = hi["n_iter"] - lo["n_iter"]
    assert iterations >= 20
    assert hi["restarts"] > lo["restarts"]
    assert hi["preact"] - lo["preact"] == iterations
    assert hi["backprop"] - lo["backprop"] == iterations


@pytest.mark.parametrize(
    "params",
    [
        dict(step_size=0.05),
        dict(step_size="auto"),
        dict(step_size="auto", constraint="l0", tau=12),
        dict(
            step_size="auto",
            activation="tanh",
            output_weights="ones",
            fit_intercept=False,
        ),
    ],
)
def test_fista_without_the_product_at_the_extrapolated_point_is_the_same_fit(
    planted, monkeypatch, params
):
    # Against the same fit on an objective that cannot hand over its
    # pre-activations (every objective value then makes its product): the
    # same iterates up to rounding, momentum restarts included.
    X, y, _ = planted
    fast = _fista_fit(X, y, 60, **params)
    monkeypatch.delattr(Objective, "take_preactivations")
    slow = _fista_fit(X, y, 60, **params)
    assert fast.n_iter_ == slow.n_iter_
    assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-12)
    assert_allclose(fast.hidden_weights_, slow.hidden_weights_, rtol=1e-9, atol=1e-12)


def _small_objective():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    model = ShallowModel(Tanh(), Dense(), 3, 2, np.ones(2), False)
    objective = Objective(model, SquaredLoss(), X, rng.standard_normal(20))
    return objective, [rng.standard_normal((2, 3))]


def test_take_preactivations_needs_a_forward_product_first():
    objective, params = _small_objective()
    with pytest.raises(RuntimeError, match=r"needs a value\(\) call that computed"):
        objective.take_preactivations()
    batch = objective.batches()[0]
    Z = np.empty((20, 2))
    objective.value(params, batch, preact=Z)
    with pytest.raises(RuntimeError, match=r"needs a value\(\) call that computed"):
        objective.take_preactivations()


def test_take_preactivations_refuses_a_buffer_of_another_shape():
    objective, params = _small_objective()
    objective.value(params, objective.batches()[0])
    with pytest.raises(ValueError, match=r"shape \(20, 3\).*expected \(20, 2\)"):
        objective.take_preactivations(np.empty((20, 3)))


def test_preactivations_of_an_affine_combination_give_its_loss_and_gradient():
    # Z is linear in the hidden weights: the kept pre-activations of two
    # points give those of x + beta (x - x') without a product, and from them
    # the same loss and gradient as the product does.
    objective, (W,) = _small_objective()
    batch = objective.batches()[0]
    W_prev = W + 0.1
    objective.value([W_prev], batch)
    Z_prev = objective.take_preactivations()
    objective.value([W], batch)
    Z = objective.take_preactivations()
    beta = 0.7
    y_point = [W + beta * (W - W_prev)]
    expected = objective.value(y_point, batch)
    g_expected = objective.gradient(y_point, batch, [np.empty_like(W)])[0]
    Z_y = Z + beta * (Z - Z_prev)
    assert objective.value(y_point, batch, preact=Z_y) == pytest.approx(
        expected, rel=1e-14
    )
    g = objective.gradient(y_point, batch, [np.empty_like(W)])[0]
    assert_allclose(g, g_expected, rtol=1e-12)
    # The gradient read the given pre-activations, not the objective's own.
    assert_allclose(objective.value([W], batch, preact=Z), objective.value([W], batch))
