"""The loss parts (sklearn_shallow._loss), and the objective with several
outputs and the classification losses.

Each loss's derivative and curvature are checked against central finite
differences of its value, its baseline against a numerical minimiser, its
Lipschitz bound against the largest curvature found; the objective's
gradient with several outputs against finite differences of its value.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize

from sklearn_shallow._loss import (
    LOSSES,
    HuberLoss,
    LogisticLoss,
    MultinomialLoss,
    SquaredLoss,
    log_proba,
)
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import get_activation
from sklearn_shallow.architectures import Convolution, Dense

N, K = 17, 3


def _data(loss, rng):
    """Predictions and encoded targets of the shape each loss takes."""
    if isinstance(loss, MultinomialLoss):
        pred = rng.standard_normal((N, K))
        y = np.eye(K)[rng.integers(0, K, size=N)]
    elif isinstance(loss, LogisticLoss):
        pred = rng.standard_normal(N)
        y = rng.choice([-1.0, 1.0], size=N)
    else:
        pred = 2 * rng.standard_normal((N, K))
        y = rng.standard_normal((N, K))
    return pred, y


def _per_sample(loss, pred, y):
    """Loss of each element (each row for the multinomial loss)."""
    out = np.empty_like(pred)
    if isinstance(loss, MultinomialLoss):
        return np.array(
            [
                loss.value_and_dpred(p[None], t[None], 1.0, o[None])
                for p, t, o in zip(pred, y, out)
            ]
        )
    return np.array(
        [
            loss.value_and_dpred(np.array([p]), np.array([t]), 1.0, np.empty(1))
            for p, t in zip(pred.ravel(), y.ravel())
        ]
    ).reshape(pred.shape)


ALL = [SquaredLoss(), HuberLoss(delta=0.7), LogisticLoss(), MultinomialLoss()]
IDS = [type(loss).__name__ for loss in ALL]


@pytest.mark.parametrize("loss", ALL, ids=IDS)
def test_value_and_dpred_are_the_weighted_loss_and_its_derivative(loss):
    rng = np.random.default_rng(0)
    pred, y = _data(loss, rng)
    weight = rng.uniform(0.1, 1.0, size=N)
    weight /= weight.sum()
    out = np.empty_like(pred)
    value = loss.value_and_dpred(pred, y, weight, out)
    w = weight if pred.ndim == 1 else weight[:, None]
    per = _per_sample(loss, pred, y)
    if isinstance(loss, MultinomialLoss):
        assert value == pytest.approx(np.sum(weight * per), rel=1e-12)
    else:
        assert value == pytest.approx(np.sum(w * per), rel=1e-12)
    # out is w * dl/dpred, checked by central differences of the value.
    step = 1e-6
    numerical = np.empty_like(pred)
    for index in np.ndindex(pred.shape):
        plus, minus = pred.copy(), pred.copy()
        plus[index] += step
        minus[index] -= step
        numerical[index] = (
            loss.value_and_dpred(plus, y, weight, np.empty_like(pred))
            - loss.value_and_dpred(minus, y, weight, np.empty_like(pred))
        ) / (2 * step)
    assert_allclose(out, numerical, rtol=1e-6, atol=1e-9)
    assert_allclose(loss.derivative(pred, y) * w, out, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", ALL, ids=IDS)
def test_curvature_is_the_second_derivative_and_within_the_lipschitz_bound(loss):
    rng = np.random.default_rng(1)
    pred, y = _data(loss, rng)
    step = 1e-5
    numerical = np.empty_like(pred)
    for index in np.ndindex(pred.shape):
        plus, minus = pred.copy(), pred.copy()
        plus[index] += step
        minus[index] -= step
        numerical[index] = (
            loss.derivative(plus, y)[index] - loss.derivative(minus, y)[index]
        ) / (2 * step)
    curvature = loss.curvature(pred, y)
    assert_allclose(curvature, numerical, rtol=1e-5, atol=1e-7)
    assert np.all(curvature <= loss.lipschitz + 1e-12)
    if isinstance(loss, MultinomialLoss):
        # The whole Hessian of a row, diag(p) - p p^T, not only its diagonal.
        p = np.exp(log_proba(pred))
        largest = max(np.linalg.eigvalsh(np.diag(r) - np.outer(r, r))[-1] for r in p)
        assert largest <= loss.lipschitz
        # The bound is tight: two classes with p = (1/2, 1/2) reach it.
        r = np.array([0.5, 0.5])
        assert np.linalg.eigvalsh(np.diag(r) - np.outer(r, r))[-1] == pytest.approx(0.5)


@pytest.mark.parametrize("loss", ALL, ids=IDS)
def test_baseline_minimises_the_weighted_loss_of_a_constant(loss):
    rng = np.random.default_rng(2)
    pred, y = _data(loss, rng)
    if isinstance(loss, HuberLoss):
        # The Huber baseline is the mean (a start, not the minimiser).
        assert_allclose(loss.baseline(y), y.mean(axis=0))
        return
    weight = rng.uniform(0.1, 1.0, size=N)
    weight /= weight.sum()
    shape = pred.shape[1:]

    def objective(c):
        const = np.broadcast_to(np.reshape(c, shape), pred.shape).copy()
        return loss.value_and_dpred(const, y, weight, np.empty_like(pred))

    start = np.zeros(int(np.prod(shape)))
    best = minimize(objective, start, method="BFGS", options={"gtol": 1e-10}).x
    base = np.ravel(loss.baseline(y, weight))
    assert objective(base) <= objective(best) + 1e-10
    if not isinstance(loss, MultinomialLoss):  # scores are shift-free
        assert_allclose(base, best, atol=1e-5)


def test_log_proba_binary_and_multiclass():
    d = np.array([-800.0, -2.0, 0.0, 3.0, 800.0])
    lp = log_proba(d)
    assert np.all(np.isfinite(lp))
    assert_allclose(np.exp(lp).sum(axis=1), 1.0)
    assert_allclose(np.exp(lp[1:4, 1]), 1 / (1 + np.exp(-d[1:4])), rtol=1e-12)
    scores = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    lp = log_proba(scores)
    assert_allclose(np.exp(lp).sum(axis=1), 1.0)
    e = np.exp(scores[0] - scores[0].max())
    assert_allclose(np.exp(lp[0]), e / e.sum(), rtol=1e-12)


def test_registry_names():
    assert set(LOSSES) == {"squared_error", "huber", "log_loss", "multinomial"}
    for name, cls in LOSSES.items():
        assert cls.name == name


# ---- the objective with several outputs and classification losses -----


def _problem(loss, arch, output_mode, fit_intercept, weighted, seed=0):
    rng = np.random.default_rng(seed)
    n_features = 9
    arch = Dense() if arch == "dense" else Convolution(3, 2, n_kernels=2)
    n_hidden = arch.n_hidden_for(n_features, 4 if isinstance(arch, Dense) else None)
    shape = arch.param_shape(n_features, 4 if isinstance(arch, Dense) else None)
    X = rng.standard_normal((N, n_features))
    pred, y = _data(loss, rng)
    n_outputs = None if pred.ndim == 1 else pred.shape[1]
    out_shape = (n_hidden,) + (() if n_outputs is None else (n_outputs,))
    output = rng.standard_normal(out_shape) / np.sqrt(n_hidden)
    fixed = None if output_mode == "learned" else output
    model = ShallowModel(
        get_activation("tanh"),
        arch,
        n_features,
        n_hidden,
        fixed,
        fit_intercept,
        n_outputs=n_outputs,
    )
    sw = rng.uniform(0.2, 3.0, size=N) if weighted else None
    objective = Objective(model, loss, X, y, sw, alpha=0.03, alpha_output=0.05)
    params = [rng.standard_normal(shape) / np.sqrt(shape[1])]
    if output_mode == "learned":
        params.append(output)
    if fit_intercept:
        params.append(rng.standard_normal(out_shape[1:] or (1,)))
    return model, objective, params, X, y, sw


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [False, True], ids=["no_b", "b"])
@pytest.mark.parametrize("output_mode", ["learned", "fixed"])
@pytest.mark.parametrize("arch", ["dense", "conv"])
@pytest.mark.parametrize("loss", ALL, ids=IDS)
def test_objective_gradient_with_outputs_matches_central_differences(
    loss, arch, output_mode, fit_intercept, weighted
):
    problem = _problem(loss, arch, output_mode, fit_intercept, weighted)
    objective, params = problem[1], problem[2]
    batch = objective.batches()[0]
    out = [np.full_like(a, np.nan) for a in params]
    objective.gradient(params, batch, out=out)
    step = 1e-6
    numerical = []
    for index, array in enumerate(params):
        for position in np.ndindex(array.shape):
            plus = [a.copy() for a in params]
            minus = [a.copy() for a in params]
            plus[index][position] += step
            minus[index][position] -= step
            numerical.append(
                (objective.value(plus, batch) - objective.value(minus, batch))
                / (2 * step)
            )
    analytic = np.concatenate([a.ravel() for a in out])
    numerical = np.array(numerical)
    error = np.linalg.norm(analytic - numerical) / np.linalg.norm(numerical)
    assert error < 1e-6, f"relative error {error:.2e}"


@pytest.mark.parametrize("loss", ALL, ids=IDS)
def test_objective_value_matches_a_plain_evaluation(loss):
    model, objective, params, X, y, sw = _problem(loss, "dense", "learned", True, True)
    W, o, b = params
    f = np.tanh(X @ W.T) @ o + (b if o.ndim > 1 else b[0])
    w = sw / sw.sum()
    if isinstance(loss, MultinomialLoss):
        lse = np.log(np.exp(f).sum(axis=1))
        data = np.sum(w * (lse - np.sum(f * y, axis=1)))
    elif isinstance(loss, LogisticLoss):
        data = np.sum(w * np.log1p(np.exp(-y * f)))
    else:
        data = np.sum(w[:, None] * _per_sample(loss, f, y))
    penalty = 0.5 * 0.03 * np.sum(W * W) + 0.5 * 0.05 * np.sum(o * o)
    value = objective.value(params, objective.batches()[0])
    assert value == pytest.approx(data + penalty, rel=1e-12)
    assert_allclose(model.decision(params, X), f, rtol=1e-12)


def test_exact_output_layer_with_several_outputs_is_the_least_squares_solution():
    # Squared loss, learned output layer and intercepts solved in value():
    # the same as an independent weighted ridge least squares per output.
    model, _, params, X, y, sw = _problem(SquaredLoss(), "dense", "learned", True, True)
    objective = Objective(model, SquaredLoss(), X, y, sw, exact_linear=True)
    objective.value(params, objective.batches()[0])
    A = np.tanh(X @ params[0].T)
    w = sw / sw.sum()
    design = np.hstack([A, np.ones((N, 1))])
    lhs = design.T @ (w[:, None] * design)
    ridge = objective._ridge
    lhs[:-1, :-1] += ridge * np.eye(A.shape[1])
    solution = np.linalg.solve(lhs, design.T @ (w[:, None] * y))
    assert_allclose(params[1], solution[:-1], rtol=1e-7, atol=1e-9)
    assert_allclose(params[2], solution[-1], rtol=1e-7, atol=1e-9)
