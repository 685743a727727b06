"""Regulariser parts and the shared objective's sum of them.

References are computed here from the definitions: the trace formula of
``<C, W^T W>`` and central differences; the objective without the part plus
the part's value; Du & Lee's objective of a quadratic network written out in
numpy (value and central-difference gradient).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_shallow._loss import LogisticLoss, SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import Quadratic, get_activation
from sklearn_shallow.architectures import Dense
from sklearn_shallow.regularisers import Perturbation


def random_psd(n_features, seed):
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((n_features, n_features))
    return G @ G.T / n_features


@pytest.mark.parametrize("n_hidden, n_features", [(3, 4), (5, 2)])
def test_perturbation_value_and_gradient_match_the_definition(n_hidden, n_features):
    rng = np.random.default_rng(0)
    C = random_psd(n_features, 1)
    W = rng.standard_normal((n_hidden, n_features))
    part = Perturbation(C)
    assert part.value(W) == pytest.approx(np.trace(C @ W.T @ W), rel=1e-12)
    start = rng.standard_normal(W.shape)
    grad = part.add_gradient(W, start.copy()) - start
    h = 1e-6
    numeric = np.empty_like(W)
    for idx in np.ndindex(W.shape):
        up, down = W.copy(), W.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (part.value(up) - part.value(down)) / (2 * h)
    assert_allclose(grad, numeric, rtol=1e-7, atol=1e-9)
    assert part.gram_form() is C


def dense_problem(activation, output, fit_intercept, loss, seed=0):
    rng = np.random.default_rng(seed)
    n, d, k = 30, 4, 3
    X = rng.standard_normal((n, d))
    if isinstance(loss, LogisticLoss):
        y = rng.choice([-1.0, 1.0], size=n)
    else:
        y = rng.standard_normal(n)
    sw = rng.uniform(0.5, 2.0, size=n)
    model = ShallowModel(
        get_activation(activation), Dense(), d, k, output, fit_intercept
    )
    params = [rng.standard_normal((k, d)) / 2]
    if output is None:
        params.append(rng.standard_normal(k))
    if fit_intercept:
        params.append(np.array([0.2]))
    return model, X, y, sw, params


@pytest.mark.parametrize("activation", ["relu", "tanh", "quadratic"])
@pytest.mark.parametrize("learned_output", [False, True])
@pytest.mark.parametrize("exact", [False, True])
def test_objective_adds_the_parts_to_value_and_gradient(
    activation, learned_output, exact
):
    output = None if learned_output else np.array([1.0, -1.0, 1.0])
    model, X, y, sw, params = dense_problem(activation, output, True, SquaredLoss())
    C = random_psd(X.shape[1], 2)
    args = (model, SquaredLoss(), X, y, sw)
    kwargs = dict(exact_linear=exact, alpha=0.1)
    plain = Objective(*args, **kwargs)
    empty = Objective(*args, **kwargs, regularisers=())
    parts = Objective(*args, **kwargs, regularisers=[Perturbation(C), Perturbation(C)])
    batch = plain.batches()[0]
    results = []
    for objective in (plain, empty, parts):
        p = [a.copy() for a in params]
        value = objective.value(p, batch)
        grads = objective.gradient(p, batch, [np.empty_like(a) for a in p])
        results.append((value, grads, p))
    # No parts: the objective of before, bit for bit.
    assert results[1][0] == results[0][0]
    for a, b in zip(results[1][1], results[0][1]):
        assert_array_equal(a, b)
    # Two parts: their values and gradients are added (to the hidden block).
    W = results[0][2][0]
    term = np.trace(C @ W.T @ W)
    assert results[2][0] == pytest.approx(results[0][0] + 2 * term, rel=1e-12)
    assert_allclose(results[2][1][0], results[0][1][0] + 4 * W @ C, rtol=1e-12)
    for a, b in zip(results[2][1][1:], results[0][1][1:]):
        assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_loss_derivatives_are_those_of_the_last_value_call(fit_intercept):
    output = np.array([1.0, -1.0, 1.0])
    model, X, y, sw, params = dense_problem(
        "quadratic", output, fit_intercept, LogisticLoss()
    )
    objective = Objective(model, LogisticLoss(), X, y, sw)
    with pytest.raises(RuntimeError, match="needs a value\\(\\) call first"):
        objective.loss_derivatives()
    objective.value(params, objective.batches()[0])
    b = params[-1][0] if fit_intercept else 0.0
    pred = ((X @ params[0].T) ** 2) @ output + b
    expected = sw / sw.sum() * -y / (1.0 + np.exp(y * pred))
    objective.gradient(
        params, objective.batches()[0], [np.empty_like(a) for a in params]
    )
    assert_allclose(objective.loss_derivatives(), expected, rtol=1e-12)


def test_astype_gives_the_same_objective_in_another_dtype():
    output = np.array([1.0, -1.0, 1.0])
    model, X, y, sw, params = dense_problem("quadratic", output, True, SquaredLoss())
    C = random_psd(X.shape[1], 3)
    objective = Objective(
        model,
        SquaredLoss(),
        X.astype(np.float32),
        y.astype(np.float32),
        sw.astype(np.float32),
        exact_linear=True,
        alpha=0.1,
        regularisers=[Perturbation(C.astype(np.float32))],
    )
    double = objective.astype(np.float64)
    assert double.Xp.dtype == np.float64
    assert (double.exact, double.alpha) == (True, 0.1)
    assert double.regularisers == objective.regularisers
    single = [p.astype(np.float32) for p in params]
    v32 = objective.value(single, objective.batches()[0])
    v64 = double.value([p.copy() for p in params], double.batches()[0])
    assert v32 == pytest.approx(v64, rel=1e-5)


class _SameQuadratic(Quadratic):
    """``z^2`` under another type: the objective's general backward pass."""


@pytest.mark.parametrize("signs", [[1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
@pytest.mark.parametrize("loss", [SquaredLoss(), LogisticLoss()])
def test_signed_square_backward_pass_gives_the_general_bits(signs, loss):
    # The quadratic net's shortcut (2 o_j moved onto the gradient's rows) is
    # exact: the same bits as sigma'(Z) * o * dpred followed by the product.
    output = np.array(signs)
    model, X, y, sw, params = dense_problem("quadratic", output, True, loss)
    general = ShallowModel(_SameQuadratic(), Dense(), *X.shape[1:], 3, output, True)
    grads = []
    for m in (model, general):
        objective = Objective(m, loss, X, y, sw, alpha=0.1)
        p = [a.copy() for a in params]
        objective.value(p, objective.batches()[0])
        grads.append(objective.gradient(p, objective.batches()[0], [0 * a for a in p]))
    assert Objective(model, loss, X, y)._row_factor is not None
    assert Objective(general, loss, X, y)._row_factor is None
    for a, b in zip(*grads):
        assert_array_equal(a, b)
