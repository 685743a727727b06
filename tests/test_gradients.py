"""Tests of the training objective in sklearn_shallow._network.

The analytic gradient is compared with central finite differences for every
activation, architecture, output mode, intercept setting, weighting and batch;
the loss with a plain numpy evaluation on the dense weights; and one gradient
with the arithmetic done by hand.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import special

from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import ACTIVATIONS, ReLU, get_activation
from sklearn_shallow.architectures import Convolution, Dense

N_SAMPLES = 30
N_FEATURES = 11
BATCH_SIZE = 12  # batches [0, 12), [12, 24), [24, 30)

# Architecture factories and the n_hidden to ask for. The convolution has
# (11 - 4) // 2 + 1 = 4 shifts (the stride does not divide 11 - 4, so the
# last feature is never seen) and 2 kernels, hence 8 hidden units.
ARCHITECTURES = {
    "dense": (Dense, 5),
    "conv": (lambda: Convolution(kernel_size=4, stride=2, n_kernels=2), None),
}
ACTIVATION_NAMES = sorted(ACTIVATIONS)
OUTPUT_MODES = ["ones", "fixed_random", "learned"]

# Written out from the definitions, without the module's code.
REFERENCE_ACTIVATIONS = {
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "squared_relu": lambda z: np.where(z > 0, z * z, 0.0),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: np.sinh(z) / np.cosh(z),
    "erf": lambda z: math.sqrt(math.pi) / 2 * special.erf(z),
    "quadratic": lambda z: z * z,
    "linear": lambda z: 1.0 * z,
}


def _problem(
    activation, architecture, output_mode, fit_intercept, weighted, batched, seed=0
):
    """A random model, data, objective and parameter list, all in float64.

    Inputs are standard normal and hidden weights have variance 1 / fan-in, so
    pre-activations are of order 1 and rarely within a finite-difference step
    of a kink.
    """
    rng = np.random.default_rng(seed)
    factory, n_hidden_arg = ARCHITECTURES[architecture]
    arch = factory()
    n_hidden = arch.n_hidden_for(N_FEATURES, n_hidden_arg)
    shape = arch.param_shape(N_FEATURES, n_hidden_arg)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = rng.standard_normal(N_SAMPLES)
    sample_weight = rng.uniform(0.2, 3.0, size=N_SAMPLES) if weighted else None
    hidden = rng.standard_normal(shape) / math.sqrt(shape[1])
    output = rng.standard_normal(n_hidden) / math.sqrt(n_hidden)
    fixed = {
        "ones": np.ones(n_hidden),
        "fixed_random": output,
        "learned": None,
    }[output_mode]
    model = ShallowModel(
        get_activation(activation), arch, N_FEATURES, n_hidden, fixed, fit_intercept
    )
    objective = Objective(
        model,
        SquaredLoss(),
        X,
        y,
        sample_weight,
        BATCH_SIZE if batched else None,
    )
    params = [hidden]
    if output_mode == "learned":
        params.append(output)
    if fit_intercept:
        params.append(np.array([0.3]))
    batch = objective.batches()[1 if batched else 0]
    return model, objective, params, batch, X, y, sample_weight


def _numerical_gradient(objective, params, batch, step=1e-6):
    """Central differences of ``objective.value``, flattened in params order."""
    grad = []
    for index, array in enumerate(params):
        for position in np.ndindex(array.shape):
            plus = [a.copy() for a in params]
            minus = [a.copy() for a in params]
            plus[index][position] += step
            minus[index][position] -= step
            difference = objective.value(plus, batch) - objective.value(minus, batch)
            grad.append(difference / (2 * step))
    return np.array(grad)


def _flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


@pytest.mark.parametrize("batched", [False, True], ids=["full", "minibatch"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [False, True], ids=["no_b", "b"])
@pytest.mark.parametrize("output_mode", OUTPUT_MODES)
@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_gradient_matches_central_differences(
    activation, architecture, output_mode, fit_intercept, weighted, batched
):
    _, objective, params, batch, *_ = _problem(
        activation, architecture, output_mode, fit_intercept, weighted, batched
    )
    if batched:
        assert batch == slice(BATCH_SIZE, 2 * BATCH_SIZE)
    out = [np.full_like(a, np.nan) for a in params]
    objective.value(params, batch)
    result = objective.gradient(params, batch, out=out)
    assert result is out
    analytic = _flat(out)
    numerical = _numerical_gradient(objective, params, batch)
    error = np.linalg.norm(analytic - numerical) / max(np.linalg.norm(numerical), 1e-12)
    assert error < 1e-6, f"relative error {error:.2e}"


@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
def test_gradient_recomputes_after_value_elsewhere(architecture):
    # The gradient is cached from the last value call; a value call at another
    # point (as in a line search) must not leak into the gradient here.
    _, objective, params, batch, *_ = _problem(
        "tanh", architecture, "learned", True, True, True
    )
    expected = [np.empty_like(a) for a in params]
    objective.value(params, batch)
    objective.gradient(params, batch, out=expected)
    elsewhere = [2.0 * a + 1.0 for a in params]
    objective.value(elsewhere, batch)
    out = [np.empty_like(a) for a in params]
    objective.gradient(params, batch, out=out)
    assert_allclose(_flat(out), _flat(expected), rtol=1e-14, atol=1e-15)
    # Without any value call at all.
    fresh = _problem("tanh", architecture, "learned", True, True, True)[1]
    out = [np.empty_like(a) for a in params]
    fresh.gradient(params, batch, out=out)
    assert_allclose(_flat(out), _flat(expected), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("batched", [False, True], ids=["full", "minibatch"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [False, True], ids=["no_b", "b"])
@pytest.mark.parametrize("output_mode", OUTPUT_MODES)
@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_loss_matches_dense_numpy_evaluation(
    activation, architecture, output_mode, fit_intercept, weighted, batched
):
    model, objective, params, batch, X, y, sample_weight = _problem(
        activation, architecture, output_mode, fit_intercept, weighted, batched
    )
    hidden = params[0]
    output = params[1] if output_mode == "learned" else model.fixed_output
    intercept = params[-1][0] if fit_intercept else 0.0
    W = model.architecture.to_dense(hidden, N_FEATURES)
    rows = np.arange(N_SAMPLES)[batch]
    w = np.ones(len(rows)) if sample_weight is None else sample_weight[rows]
    f = REFERENCE_ACTIVATIONS[activation](X[rows] @ W.T) @ output + intercept
    expected = np.sum(w * (f - y[rows]) ** 2) / (2 * np.sum(w))
    assert objective.value(params, batch) == pytest.approx(expected, rel=1e-12)
    # The model's own prediction agrees with the same reference.
    assert_allclose(model.decision(params, X[rows]), f, rtol=1e-12, atol=1e-12)


# One gradient step worked by hand: Dense ReLU, 2 samples, 2 features, one
# hidden unit, output weight 1, no intercept, loss 1/(2n) sum (f(x_i) - y_i)^2
# with n = 2, so dL/dw = 1/n sum_i (f(x_i) - y_i) relu'(w . x_i) x_i.
#   X = [[1, 2], [3, -1]], y = [1, 0]
HAND_CASES = {
    # w = [0.5, -0.5]: z = [0.5 - 1, 1.5 + 0.5] = [-0.5, 2]
    # f = relu(z) = [0, 2], f - y = [-1, 2], loss = (1 + 4) / 4 = 1.25
    # relu'(z) = [0, 1], so only sample 2 counts:
    # grad = (1/2) * 2 * 1 * [3, -1] = [3, -1]
    "one_unit_active": ([0.5, -0.5], 1.25, [3.0, -1.0]),
    # w = [0, 0] (Soltanolkotabi's start): z = [0, 0], f = [0, 0],
    # f - y = [-1, 0], loss = 1 / 4 = 0.25
    # relu'(0) = 1/2, so grad = (1/2) * (-1) * (1/2) * [1, 2] = [-0.25, -0.5]
    "from_zero": ([0.0, 0.0], 0.25, [-0.25, -0.5]),
}


@pytest.mark.parametrize("case", list(HAND_CASES))
def test_one_step_worked_by_hand(case):
    w, expected_loss, expected_grad = HAND_CASES[case]
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = np.array([1.0, 0.0])
    model = ShallowModel(ReLU(), Dense(), 2, 1, np.ones(1), False)
    objective = Objective(model, SquaredLoss(), X, y)
    params = [np.array([w])]
    batch = objective.batches()[0]
    assert objective.value(params, batch) == expected_loss
    out = [np.empty((1, 2))]
    objective.gradient(params, batch, out=out)
    assert_array_equal(out[0], [expected_grad])
