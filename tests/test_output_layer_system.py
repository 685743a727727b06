"""The exact output layer's small system without a centred copy of the
hidden outputs (``Objective._uncentred_system``, float64, weight ``1/m``)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import ReLU
from sklearn_shallow.architectures import Dense


def _objective(n_outputs, offset, n=200, p=6, h=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset
    y = rng.standard_normal(n if n_outputs is None else (n, n_outputs))
    model = ShallowModel(ReLU(), Dense(), p, h, None, True, n_outputs=n_outputs)
    W = rng.standard_normal((h, p)) / np.sqrt(p)
    return Objective(model, SquaredLoss(), X, y, exact_linear=True), X, y, W


@pytest.mark.parametrize("n_outputs", [None, 3])
@pytest.mark.parametrize("offset", [0.0, 30.0])
def test_uncentred_system_equals_the_centred_one(n_outputs, offset):
    objective, X, y, W = _objective(n_outputs, offset)
    A = np.maximum(X @ W.T, 0)
    gram, rhs, a_mean, y_mean = objective._uncentred_system(A, y, 1 / len(y))
    # The centred formula, written out.
    B = A - A.mean(axis=0)
    t = y - y.mean(axis=0)
    assert_allclose(a_mean, A.mean(axis=0), rtol=1e-13)
    assert_allclose(y_mean, y.mean(axis=0), rtol=1e-13)
    scale = np.abs(B.T @ B).max() / len(y)
    assert_allclose(gram, B.T @ B / len(y), rtol=0, atol=1e-11 * scale)
    assert_allclose(rhs, B.T @ t / len(y), rtol=0, atol=1e-11 * np.abs(rhs).max())


@pytest.mark.parametrize("n_outputs", [None, 2])
def test_solved_layer_is_the_least_squares_solution(n_outputs):
    objective, X, y, W = _objective(n_outputs, 1.0)
    k = () if n_outputs is None else (n_outputs,)
    params = [W, np.zeros((5,) + k), np.zeros(k or (1,))]
    objective.value(params, slice(0, len(y)))
    A = np.maximum(X @ W.T, 0)
    design = np.column_stack([A, np.ones(len(y))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    assert_allclose(params[1], solution[:5], rtol=1e-6, atol=1e-8)
    assert_allclose(np.ravel(params[2]), np.ravel(solution[5]), rtol=1e-6, atol=1e-8)
