"""The training core in the users' setting (issue 10).

Learned output layers and intercepts solved exactly (variable projection),
the accelerated step policy, the stationarity stopping rule, fits that do
not depend on the units of y, and failures that are never called converged.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import (
    ProjectedShallowRegressor,
    RVSMRegressor,
    StepSearchError,
    TensorInitOneHidden,
)
from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import get_activation
from sklearn_shallow.architectures import Dense
from sklearn_shallow.datasets import (
    make_planted_network,
    make_sparse_network,
    oymak_init,
    sample_network,
)
from sklearn_shallow.metrics import normalized_mse

SEEDS = range(5)
SETTINGS = {
    "papers": dict(output_weights="ones", fit_intercept=False),
    "ones_intercept": dict(output_weights="ones", fit_intercept=True),
    "defaults": dict(),  # learned output layer and intercept
}


def _oymak(n_samples, constraint, setting, seed, **kw):
    """Oymak's sparse network (p=80, h=20, s=8), good init; test NMSE, n_iter."""
    X, y, truth = make_sparse_network(n_samples, random_state=seed)
    X_test, y_test = sample_network(truth, 1000, random_state=1000 + seed)
    tau = truth.l1_norm if constraint == "l1" else truth.n_nonzero_total
    est = ProjectedShallowRegressor(
        constraint=constraint,
        tau=tau,
        init=oymak_init(truth, "good", random_state=seed),
        max_iter=2000,
        random_state=seed,
        **SETTINGS[setting],
        **kw,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return normalized_mse(y_test, est.predict(X_test)), est.n_iter_


# ---- accuracy in the users' setting ------------------------------------------


@pytest.mark.parametrize(
    "setting, constraint, bound",
    [
        # Measured means over seeds 0-4 (this core): 0.021, 0.0057, 0.038,
        # 0.024. Before it (gradient steps on o and b): 0.22, 0.12, 0.25, 0.11
        # over seeds 0-2.
        ("ones_intercept", "l1", 0.06),
        ("ones_intercept", "l0", 0.03),
        ("defaults", "l1", 0.12),
        ("defaults", "l0", 0.07),
    ],
)
def test_oymak_n600_with_intercept_and_learned_output(setting, constraint, bound):
    losses = [_oymak(600, constraint, setting, seed)[0] for seed in SEEDS]
    assert np.mean(losses) < bound, losses


def test_papers_setting_as_good_as_before_in_fewer_iterations_than_pgd():
    fista = np.array([_oymak(600, "l1", "papers", seed) for seed in SEEDS])
    pgd = np.array([_oymak(600, "l1", "papers", seed, solver="pgd") for seed in SEEDS])
    assert fista[:, 0].mean() < 0.01, fista
    assert fista[:, 1].sum() < pgd[:, 1].sum(), (fista, pgd)


# ---- the exact output layer ----------------------------------------------------


def _objective(output, fit_intercept, sample_weight=None, alpha=0.0, seed=0):
    rng = np.random.default_rng(seed)
    n, p, h = 60, 4, 3
    X = rng.standard_normal((n, p))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    fixed = None if output == "learn" else np.ones(h)
    model = ShallowModel(get_activation("tanh"), Dense(), p, h, fixed, fit_intercept)
    objective = Objective(
        model, SquaredLoss(), X, y, sample_weight, exact_linear=True, alpha=alpha
    )
    params = [rng.standard_normal((h, p)) / 2]
    params += [np.zeros(h)] if output == "learn" else []
    params += [np.zeros(1)] if fit_intercept else []
    return objective, params, X, y


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "output, fit_intercept", [("learn", True), ("learn", False), ("ones", True)]
)
def test_output_layer_and_intercept_are_the_least_squares_solution(
    output, fit_intercept, weighted
):
    sw = np.random.default_rng(1).uniform(0.2, 3.0, 60) if weighted else None
    objective, params, X, y = _objective(output, fit_intercept, sw)
    objective.value(params, objective.batches()[0])
    A = np.tanh(X @ params[0].T)
    w = np.ones(len(y)) if sw is None else sw
    if output == "learn":
        design = np.column_stack([A, np.ones(len(y))]) if fit_intercept else A
        target = y
    else:
        design, target = np.ones((len(y), 1)), y - A.sum(axis=1)
    root = np.sqrt(w)[:, None]
    reference = np.linalg.lstsq(root * design, root[:, 0] * target, rcond=None)[0]
    solved = np.concatenate(params[1:])
    np.testing.assert_allclose(solved, reference, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
@pytest.mark.parametrize(
    "output, fit_intercept", [("learn", True), ("learn", False), ("ones", True)]
)
def test_reduced_gradient_matches_finite_differences(output, fit_intercept, alpha):
    # F(W) = min_{o, b} L(W, o, b): the gradient of F is the partial gradient
    # at the solved (o, b) (envelope theorem), checked against differences
    # of F itself, each evaluation solving (o, b) again.
    objective, params, _, _ = _objective(output, fit_intercept, alpha=alpha)
    batch = objective.batches()[0]
    objective.value(params, batch)
    grads = objective.gradient(params, batch, [np.empty_like(p) for p in params])
    for i in objective.solved_blocks:
        assert np.all(grads[i] == 0)
    W, step = params[0], 1e-6
    numeric = np.empty_like(W)
    for idx in np.ndindex(W.shape):
        values = []
        for sign in (1, -1):
            shifted = [p.copy() for p in params]
            shifted[0][idx] += sign * step
            values.append(objective.value(shifted, batch))
        numeric[idx] = (values[0] - values[1]) / (2 * step)
    np.testing.assert_allclose(grads[0], numeric, rtol=1e-6, atol=1e-9)


# ---- step policies -------------------------------------------------------------


def test_solvers_reach_the_same_optimum_of_a_convex_problem():
    # Linear activation, fixed output weights, an l1 ball: convex in W.
    X, y, truth = make_sparse_network(300, n_features=30, n_hidden=4, random_state=0)
    kw = dict(
        activation="linear",
        n_hidden=4,
        output_weights="ones",
        fit_intercept=False,
        constraint="l1",
        tau=0.5 * truth.l1_norm,
        init="random",  # no unconstrained warm-up: one monotone curve
        max_iter=20000,
        tol=1e-10,
        random_state=0,
    )
    fits = {
        s: ProjectedShallowRegressor(solver=s, **kw).fit(X, y)
        for s in "fista spg pgd".split()
    }
    finals = {s: est.loss_curve_[-1] for s, est in fits.items()}
    for s in ("spg", "pgd"):
        assert finals[s] == pytest.approx(finals["fista"], rel=1e-8), finals
    # The accelerated policy keeps the objective monotone (restarts included)
    # and needs fewer iterations than plain projected gradient.
    curve = np.asarray(fits["fista"].loss_curve_)
    assert np.all(np.diff(curve) <= 1e-12 * curve[:-1])
    assert fits["fista"].n_iter_ < fits["pgd"].n_iter_


# ---- units of y ---------------------------------------------------------------


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _planted_sparse():
    X, y, _ = make_sparse_network(
        300, n_features=20, n_hidden=5, n_nonzero=4, noise=0.1, random_state=0
    )
    return X, y


def _planted_zhong():
    X, y, _ = make_planted_network(1000, n_features=10, n_hidden=3, random_state=0)
    return X, y


LEARNED_OUTPUT = {
    "psr": (lambda: ProjectedShallowRegressor(random_state=0), _diabetes),
    "psr_l1": (
        lambda: ProjectedShallowRegressor(constraint="l1", tau=5.0, random_state=0),
        _planted_sparse,
    ),
    "psr_l0_no_intercept": (
        lambda: ProjectedShallowRegressor(
            constraint="l0", tau=30, fit_intercept=False, random_state=1
        ),
        _planted_sparse,
    ),
    "rvsm": (lambda: RVSMRegressor(random_state=0), _diabetes),
    "rvsm_l0": (lambda: RVSMRegressor(penalty="l0", random_state=0), _planted_sparse),
    "tensor_learn": (
        lambda: TensorInitOneHidden(n_hidden=3, output_weights="learn", random_state=0),
        _planted_zhong,
    ),
}


@pytest.mark.parametrize("c", [1e-6, 1e4])
@pytest.mark.parametrize("name", sorted(LEARNED_OUTPUT))
def test_predictions_are_equivariant_in_the_units_of_y(name, c):
    factory, data = LEARNED_OUTPUT[name]
    X, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = factory().fit(X, y).predict(X)
        scaled = factory().fit(X, c * y).predict(X)
    np.testing.assert_allclose(
        scaled, c * base, rtol=1e-6, atol=1e-6 * c * np.ptp(base)
    )


def test_fixed_output_weights_keep_the_units_of_y_but_absorb_a_shift():
    # What holds with a fixed output layer: y is only centred (the intercept
    # absorbs any shift exactly); it is not rescaled, since the fixed layer
    # fixes the output scale, so the fit runs in the units of y.
    X, y = _planted_sparse()
    est = ProjectedShallowRegressor(output_weights="ones", n_hidden=5, random_state=0)
    base = est.fit(X, y).predict(X)
    shifted = est.fit(X, y + 1e3).predict(X)
    np.testing.assert_allclose(shifted - 1e3, base, atol=1e-6 * np.ptp(y))
    assert est._units.y_scale == 1.0


def test_rvsm_keeps_the_same_weights_when_a_feature_changes_units():
    # Thresholds act on the weights of unit-scale features: a column of X
    # times 1e6 (and its weights divided by 1e6) changes nothing else.
    X, y = _planted_sparse()
    est = RVSMRegressor(penalty="l0", lam=1e-3, random_state=0)
    base = est.fit(X, y)
    W, pred = base.hidden_weights_.copy(), base.predict(X)
    X2 = X.copy()
    X2[:, 2] *= 1e6
    other = RVSMRegressor(penalty="l0", lam=1e-3, random_state=0).fit(X2, y)
    np.testing.assert_array_equal(other.hidden_weights_ == 0, W == 0)
    np.testing.assert_allclose(other.hidden_weights_[:, 2] * 1e6, W[:, 2], rtol=1e-6)
    np.testing.assert_allclose(other.predict(X2), pred, rtol=1e-6, atol=1e-8)
    assert 0.2 < base.sparsity_ < 1.0


# ---- default fits converge, and say why they stopped ---------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cls", [ProjectedShallowRegressor, RVSMRegressor])
def test_default_fits_on_diabetes_converge_without_warning(cls, seed):
    X, y = _diabetes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = cls(random_state=seed).fit(X, y)
    assert est.n_iter_ < est.max_iter
    assert est.score(X, y) > 0.5


def test_default_fit_on_planted_data_converges_without_warning():
    X, y = _planted_sparse()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ProjectedShallowRegressor(random_state=0).fit(X, y)
        RVSMRegressor(random_state=0).fit(X, y)


def test_convergence_warning_points_at_the_callers_line():
    X, y = _diabetes()
    with pytest.warns(ConvergenceWarning, match="max_iter=3") as record:
        ProjectedShallowRegressor(max_iter=3, random_state=0).fit(X, y)
    assert record[0].filename == __file__


def test_verbose_says_why_the_fit_stopped(capsys):
    X, y = _diabetes()
    ProjectedShallowRegressor(verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Stopped after" in out
    assert "stationary" in out or "not smooth" in out


# ---- failures are never reported as convergence --------------------------------


def _broken_fit(activation=("tanh", None), **kw):
    X, y = _planted_sparse()
    value, derivative = activation
    return ProjectedShallowRegressor(
        n_hidden=3, activation=(getattr(np, value), derivative), random_state=0, **kw
    ).fit(X, y)


def test_derivative_that_is_not_finite_raises():
    # Refused by name when the activation is resolved, before any step.
    with pytest.raises(ValueError, match="derivative of the custom activation"):
        _broken_fit(("tanh", lambda z: np.full_like(z, np.nan)))


def test_derivative_with_the_wrong_sign_raises():
    # The gradient then points uphill: no step decreases the loss, and the
    # point is far from stationary.
    with pytest.raises(StepSearchError, match="does not match the loss"):
        _broken_fit(("tanh", lambda z: -(1.0 - np.tanh(z) ** 2)))


def test_step_below_rounding_level_raises():
    with pytest.raises(StepSearchError, match="below the rounding level"):
        _broken_fit(("tanh", lambda z: 1.0 - np.tanh(z) ** 2), step_size=1e-300)


def test_alpha_auto_regularises_learned_output_layers():
    # 'auto': L2 on the hidden layer of an unconstrained network with a
    # learned output layer; a ridge on learned output weights always (ReLU
    # units are scale-free, so a radius on W alone would bound nothing);
    # a smaller L2 on both layers under a set that leaves the scale of W
    # free (l0: on o alone the objective would have no minimiser); nothing
    # in the papers' setting of fixed output weights.
    X, y = _planted_sparse()
    fits = {
        "default": ProjectedShallowRegressor(n_hidden=3, max_iter=5),
        "constrained": ProjectedShallowRegressor(
            n_hidden=3, max_iter=5, constraint="l0", tau=10
        ),
        "ball": ProjectedShallowRegressor(
            n_hidden=3, max_iter=5, constraint="l1", tau=1.0
        ),
        "ones": ProjectedShallowRegressor(
            n_hidden=3, max_iter=5, output_weights="ones"
        ),
        "rvsm": RVSMRegressor(n_hidden=3, max_iter=5),
        "given": ProjectedShallowRegressor(n_hidden=3, max_iter=5, alpha=0.5),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        alphas = {k: (e.fit(X, y).alpha_, e.alpha_output_) for k, e in fits.items()}
    assert alphas == {
        "default": (1e-2, 1e-2),
        "constrained": (1e-3, 1e-3),
        "ball": (0.0, 1e-2),
        "ones": (0.0, 0.0),
        "rvsm": (1e-2, 1e-2),
        "given": (0.5, 0.5),
    }


@pytest.mark.parametrize(
    "derivative",
    [
        lambda z: 1e-2 * (1.0 - np.tanh(z) ** 2),  # scaled: hidden by weight decay
        lambda z: 0.0 * z,  # zero: the gradient would say "stationary"
    ],
)
@pytest.mark.parametrize("cls", [ProjectedShallowRegressor, RVSMRegressor])
def test_derivative_of_the_wrong_scale_raises(cls, derivative):
    X, y = _planted_sparse()
    with pytest.raises(StepSearchError, match="does not match the loss"):
        cls(n_hidden=3, activation=(np.tanh, derivative), random_state=0).fit(X, y)


@pytest.mark.parametrize(
    "kw",
    [
        dict(step_size=1e-300),
        dict(activation=(np.tanh, lambda z: -(1.0 - np.tanh(z) ** 2))),
        dict(activation=(np.tanh, lambda z: 1e-9 * (1.0 - np.tanh(z) ** 2))),
    ],
)
def test_minibatch_fits_that_cannot_move_raise(kw):
    X, y = _planted_sparse()
    est = ProjectedShallowRegressor(n_hidden=3, batch_size=50, random_state=0, **kw)
    with pytest.raises(StepSearchError):
        est.fit(X, y)


def test_badly_scaled_feature_is_not_reported_as_converged():
    # One feature in units 1e3 times the others: the accepted steps collapse
    # as at a kink, but the gradient mappings keep one direction, so the fit
    # does not claim convergence.
    X, y, _ = make_sparse_network(600, random_state=0)
    X[:, 0] *= 1e3
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ProjectedShallowRegressor(max_iter=300, random_state=0).fit(X, y)


def test_rvsm_early_stopping_scores_the_model_it_returns():
    # RVSM predicts with the sparse u and an output layer solved for u; the
    # validation score that picks the best iterate is that model's.
    from sklearn.model_selection import train_test_split

    X, y = _diabetes()
    est = RVSMRegressor(early_stopping=True, validation_fraction=0.25, random_state=0)
    est.fit(X, y)
    # The fit's generator draws the random start (hidden weights, then output
    # signs) before the split: replay those draws to find the validation rows.
    rng = np.random.RandomState(0)
    rng.standard_normal((20, X.shape[1]))
    rng.choice([-1.0, 1.0], size=20)
    _, idx_val = train_test_split(np.arange(len(y)), test_size=0.25, random_state=rng)
    assert est.best_validation_score_ == pytest.approx(
        est.score(X[idx_val], y[idx_val]), rel=1e-9
    )
