"""Tests of the planted-network generators in sklearn_shallow.datasets."""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_shallow.architectures import Convolution
from sklearn_shallow.datasets import (
    make_conv_network,
    make_planted_network,
    make_sparse_network,
    make_sparse_relu,
    oymak_init,
    sample_network,
)

# Small instances of every generator: (function, keyword arguments, expected
# shape of the hidden weights).
GENERATORS = {
    "sparse_network": (
        make_sparse_network,
        {"n_features": 30, "n_hidden": 6, "n_nonzero": 4},
        (6, 30),
    ),
    "conv_network": (
        make_conv_network,
        # (20 - 5) // 3 + 1 = 6 shifts, times 2 kernels.
        {"n_features": 20, "kernel_size": 5, "stride": 3, "n_kernels": 2},
        (12, 20),
    ),
    "sparse_relu": (make_sparse_relu, {"n_features": 50, "n_nonzero": 5}, (1, 50)),
    "planted_network": (
        make_planted_network,
        {
            "n_features": 12,
            "n_hidden": 4,
            "activation": "squared_relu",
            "output_weights": "signs",
            "condition_number": 3.0,
        },
        (4, 12),
    ),
    "planted_linear": (
        make_planted_network,
        {"n_features": 6, "n_hidden": 6, "activation": "linear"},
        (6, 6),
    ),
}
GENERATOR_IDS = list(GENERATORS)

# Written out independently of the module's own table.
REFERENCE_ACTIVATIONS = {
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "squared_relu": lambda z: np.where(z > 0, z * z, 0.0),
    "linear": lambda z: 1.0 * z,
}


def reference_output(X, truth):
    """y = sum_j o_j sigma(w_j . x), one sample at a time."""
    sigma = REFERENCE_ACTIVATIONS[truth.activation]
    W, o = truth.hidden_weights, truth.output_weights
    return np.array([sum(o[j] * sigma(W[j] @ x) for j in range(len(o))) for x in X])


def generate(name, n_samples=40, **overrides):
    function, kwargs, _ = GENERATORS[name]
    return function(n_samples, **{**kwargs, **overrides})


@pytest.mark.parametrize("name", GENERATOR_IDS)
def test_shapes(name):
    n_hidden, n_features = GENERATORS[name][2]
    X, y, truth = generate(name, n_samples=17, random_state=0)
    assert X.shape == (17, n_features)
    assert y.shape == (17,)
    assert truth.hidden_weights.shape == (n_hidden, n_features)
    assert truth.output_weights.shape == (n_hidden,)
    assert isinstance(truth.activation, str)


@pytest.mark.parametrize("name", GENERATOR_IDS)
def test_same_random_state_same_data(name):
    X1, y1, truth1 = generate(name, random_state=3)
    X2, y2, truth2 = generate(name, random_state=np.random.RandomState(3))
    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)
    assert_array_equal(truth1.hidden_weights, truth2.hidden_weights)
    assert_array_equal(truth1.output_weights, truth2.output_weights)

    X3, _, truth3 = generate(name, random_state=4)
    assert not np.array_equal(X1, X3)
    assert not np.array_equal(truth1.hidden_weights, truth3.hidden_weights)


@pytest.mark.parametrize("name", GENERATOR_IDS)
def test_noise_free_targets_follow_the_network(name):
    X, y, truth = generate(name, random_state=0)
    assert_allclose(y, reference_output(X, truth), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", GENERATOR_IDS)
def test_noise_is_additive_standard_gaussian_times_noise(name):
    # The random stream does not depend on noise, so the same seed gives the
    # same network and inputs, and y differs by noise * N(0, 1) only.
    X0, y0, truth0 = generate(name, n_samples=4000, noise=0.0, random_state=1)
    X1, y1, truth1 = generate(name, n_samples=4000, noise=0.5, random_state=1)
    assert_array_equal(X0, X1)
    assert_array_equal(truth0.hidden_weights, truth1.hidden_weights)
    eps = (y1 - y0) / 0.5
    # Standard errors at n = 4000: 0.016 for the mean, 0.011 for the std.
    assert abs(eps.mean()) < 0.08
    assert abs(eps.std() - 1.0) < 0.06


@pytest.mark.parametrize("n_nonzero", [1, 3, 30])
def test_sparse_network_has_exactly_n_nonzero_per_row(n_nonzero):
    _, _, truth = make_sparse_network(
        5, n_features=30, n_hidden=7, n_nonzero=n_nonzero, random_state=0
    )
    assert_array_equal((truth.hidden_weights != 0).sum(axis=1), [n_nonzero] * 7)
    assert truth.n_nonzero_total == 7 * n_nonzero
    assert truth.l1_norm == pytest.approx(np.abs(truth.hidden_weights).sum())
    assert_array_equal(truth.output_weights, np.ones(7))
    assert truth.activation == "relu"


def test_sparse_network_supports_differ_between_rows():
    _, _, truth = make_sparse_network(1, random_state=0)
    supports = {tuple(np.flatnonzero(row)) for row in truth.hidden_weights}
    assert len(supports) > 1


def test_sparse_network_entry_variance():
    # Stated variance p / (h s) = 400 / (200 * 100) = 0.02; 20000 entries give
    # a relative standard error of sqrt(2 / 20000) = 1 %.
    _, _, truth = make_sparse_network(
        1, n_features=400, n_hidden=200, n_nonzero=100, random_state=0
    )
    entries = truth.hidden_weights[truth.hidden_weights != 0]
    assert entries.size == 20000
    assert abs(entries.mean()) < 5 * np.sqrt(0.02 / 20000)
    assert np.mean(entries**2) == pytest.approx(0.02, rel=0.05)


def test_conv_network_default_sizes():
    # Oymak: p = 81, b = 15, stride 6, k = 4 gives r = 12 shifts, h = 48.
    _, _, truth = make_conv_network(3, random_state=0)
    assert truth.n_shifts == 12
    assert truth.kernels.shape == (4, 15)
    assert truth.hidden_weights.shape == (48, 81)
    assert_array_equal(truth.output_weights, np.ones(48))
    assert (truth.stride, truth.kernel_size, truth.n_kernels) == (6, 15, 4)


@pytest.mark.parametrize(
    "n_features, kernel_size, stride, n_kernels",
    [(81, 15, 6, 4), (20, 5, 3, 2), (10, 10, 1, 3), (9, 1, 4, 1), (12, 4, 4, 2)],
)
def test_conv_network_dense_weights_match_a_loop(
    n_features, kernel_size, stride, n_kernels
):
    _, _, truth = make_conv_network(
        2,
        n_features=n_features,
        kernel_size=kernel_size,
        stride=stride,
        n_kernels=n_kernels,
        random_state=0,
    )
    n_shifts = (n_features - kernel_size) // stride + 1
    expected = np.zeros((n_kernels * n_shifts, n_features))
    for shift in range(n_shifts):
        for kernel in range(n_kernels):
            for tap in range(kernel_size):
                expected[shift * n_kernels + kernel, shift * stride + tap] = (
                    truth.kernels[kernel, tap]
                )
    assert_array_equal(truth.hidden_weights, expected)


def test_conv_to_dense_small_example():
    # p = 5, b = 2, stride 3: shifts at columns 0 and 3; rows ordered by
    # shift first, kernel second.
    dense = Convolution(2, 3, 2).to_dense(np.array([[1.0, 2.0], [3.0, 4.0]]), 5)
    expected = [
        [1, 2, 0, 0, 0],
        [3, 4, 0, 0, 0],
        [0, 0, 0, 1, 2],
        [0, 0, 0, 3, 4],
    ]
    assert_array_equal(dense, expected)


def test_conv_network_kernel_variance():
    # h = 2000 * 12 = 24000, so the stated variance is 81 / (24000 * 15);
    # 30000 entries give a relative standard error below 1 %.
    _, _, truth = make_conv_network(1, n_kernels=2000, random_state=0)
    expected = 81 / (24000 * 15)
    assert np.mean(truth.kernels**2) == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize(
    "n_features, n_nonzero", [(1000, 20), (50, 1), (30, 30), (200, 7)]
)
def test_sparse_relu_unit_norm_and_support(n_features, n_nonzero):
    _, _, truth = make_sparse_relu(
        3, n_features=n_features, n_nonzero=n_nonzero, random_state=0
    )
    w = truth.hidden_weights[0]
    assert np.linalg.norm(w) == pytest.approx(1.0, abs=1e-12)
    assert_array_equal(np.flatnonzero(w), truth.support)
    assert truth.support.size == n_nonzero
    assert_array_equal(truth.output_weights, [1.0])


@pytest.mark.parametrize("condition_number", [1.0, 2.0, 10.0])
@pytest.mark.parametrize("n_hidden", [1, 5, 8])
def test_planted_network_singular_values_evenly_spaced(condition_number, n_hidden):
    _, _, truth = make_planted_network(
        2,
        n_features=8,
        n_hidden=n_hidden,
        condition_number=condition_number,
        random_state=0,
    )
    singular_values = np.linalg.svd(truth.hidden_weights, compute_uv=False)
    # Evenly spaced from 1 to kappa, written without linspace.
    if n_hidden == 1:
        expected = np.array([1.0])
    else:
        step = (condition_number - 1.0) / (n_hidden - 1)
        expected = 1.0 + step * np.arange(n_hidden)
    assert_allclose(np.sort(singular_values), expected, rtol=1e-10)
    assert_allclose(truth.singular_values, expected, rtol=1e-10)
    assert singular_values.min() >= 1.0 - 1e-10
    assert singular_values.max() <= condition_number + 1e-10


def test_planted_network_kappa_one_has_orthonormal_rows():
    _, _, truth = make_planted_network(2, n_features=9, n_hidden=4, random_state=0)
    W = truth.hidden_weights
    assert_allclose(W @ W.T, np.eye(4), atol=1e-12)


def test_planted_network_sign_output_weights():
    _, _, truth = make_planted_network(
        2, n_features=200, n_hidden=200, output_weights="signs", random_state=0
    )
    assert set(np.unique(truth.output_weights)) == {-1.0, 1.0}


def test_planted_network_output_weights_as_given():
    given = [0.5, -2.0, 3.0]
    _, _, truth = make_planted_network(
        2, n_features=4, n_hidden=3, output_weights=given, random_state=0
    )
    assert_array_equal(truth.output_weights, given)


def test_planted_network_default_output_weights_are_ones():
    _, _, truth = make_planted_network(2, random_state=0)
    assert_array_equal(truth.output_weights, np.ones(5))


@pytest.mark.parametrize("name", GENERATOR_IDS)
def test_sample_network_uses_the_same_truth(name):
    X, _, truth = generate(name, random_state=0)
    X_new, y_new = sample_network(truth, 25, random_state=1)
    assert X_new.shape == (25, X.shape[1])
    assert not np.array_equal(X_new[:10], X[:10])
    assert_allclose(y_new, reference_output(X_new, truth), rtol=1e-12, atol=1e-12)

    X_again, y_again = sample_network(truth, 25, random_state=1)
    assert_array_equal(X_again, X_new)
    assert_array_equal(y_again, y_new)


def test_sample_network_noise_level():
    _, _, truth = make_sparse_relu(2, n_features=20, n_nonzero=4, random_state=0)
    X, y = sample_network(truth, 4000, noise=2.0, random_state=0)
    residual = y - reference_output(X, truth)
    # Standard error of the std at n = 4000: 2 * 0.011.
    assert residual.std() == pytest.approx(2.0, abs=0.1)


def test_sample_network_accepts_a_plain_dict():
    _, _, truth = make_planted_network(2, n_features=5, n_hidden=2, random_state=0)
    X, y = sample_network(dict(truth), 6, random_state=0)
    assert_allclose(y, reference_output(X, truth), rtol=1e-12)


@pytest.mark.parametrize("kind", ["good", "random"])
def test_oymak_init_dense_noise_statistics(kind):
    # Z_ij ~ N(0, 1/h) with h = 200; 80000 entries, relative error ~0.5 %.
    _, _, truth = make_sparse_network(
        1, n_features=400, n_hidden=200, n_nonzero=10, random_state=0
    )
    init = oymak_init(truth, kind=kind, random_state=1)
    assert init.shape == (200, 400)
    center = truth.hidden_weights if kind == "good" else 0.0
    Z = init - center
    assert abs(Z.mean()) < 5 * np.sqrt(1 / 200 / Z.size)
    assert Z.var() == pytest.approx(1 / 200, rel=0.05)


@pytest.mark.parametrize("kind", ["good", "random"])
def test_oymak_init_conv_noise_statistics(kind):
    # Kernel noise N(0, p / (b h)) with p = 81, b = 15, h = 12 * 2000.
    _, _, truth = make_conv_network(1, n_kernels=2000, random_state=0)
    init = oymak_init(truth, kind=kind, random_state=1)
    assert init.shape == (2000, 15)
    center = truth.kernels if kind == "good" else 0.0
    noise = init - center
    assert noise.var() == pytest.approx(81 / (15 * 24000), rel=0.05)


def test_oymak_init_conv_noise_is_the_projected_dense_noise():
    # Averaging the r copies of N(0, p / (b k)) entries has variance
    # p / (b k r); simulate that directly and compare the two variances.
    rng = np.random.default_rng(0)
    p, b, k, r = 81, 15, 4, 12
    dense_noise = rng.normal(scale=np.sqrt(p / (b * k)), size=(20000, r))
    projected_variance = dense_noise.mean(axis=1).var()
    _, _, truth = make_conv_network(1, n_kernels=1500, random_state=0)
    init = oymak_init(truth, kind="random", random_state=0)
    # Same variance up to the factor k / n_kernels of the larger network.
    assert init.var() * 1500 / k == pytest.approx(projected_variance, rel=0.05)


def test_oymak_init_reproducible():
    _, _, truth = make_sparse_network(1, random_state=0)
    assert_array_equal(
        oymak_init(truth, random_state=5), oymak_init(truth, random_state=5)
    )
    assert not np.array_equal(
        oymak_init(truth, random_state=5), oymak_init(truth, random_state=6)
    )


_, _, _DENSE_TRUTH = make_planted_network(1, n_features=4, n_hidden=2, random_state=0)


@pytest.mark.parametrize(
    "function, args, kwargs, message",
    [
        (make_sparse_network, (0,), {}, "'n_samples' parameter"),
        (
            make_sparse_network,
            (10,),
            {"n_nonzero": 81},
            "n_nonzero=81 must be at most n_features=80",
        ),
        (make_sparse_network, (10,), {"noise": -1.0}, "'noise' parameter"),
        (
            make_sparse_relu,
            (10,),
            {"n_features": 10, "n_nonzero": 11},
            "n_nonzero=11 must be at most n_features=10",
        ),
        (
            make_conv_network,
            (10,),
            {"kernel_size": 82},
            "kernel_size=82 must be at most n_features=81",
        ),
        (make_conv_network, (10,), {"stride": 0}, "'stride' parameter"),
        (
            make_planted_network,
            (10,),
            {"n_hidden": 21},
            "n_hidden=21 must be at most n_features=20",
        ),
        (
            make_planted_network,
            (10,),
            {"output_weights": [1.0, 2.0]},
            "output_weights given as an array must have shape (n_hidden,) = (5,)",
        ),
        (
            make_planted_network,
            (10,),
            {"output_weights": "zeros"},
            "'output_weights' parameter",
        ),
        (make_planted_network, (10,), {"activation": "tanh"}, "'activation' param"),
        (
            make_planted_network,
            (10,),
            {"condition_number": 0.5},
            "'condition_number' parameter",
        ),
        (
            sample_network,
            ({"hidden_weights": np.eye(2)}, 5),
            {},
            "missing ['output_weights', 'activation']",
        ),
        (
            sample_network,
            ({**_DENSE_TRUTH, "activation": "tanh"}, 5),
            {},
            "truth.activation='tanh' is not one of",
        ),
        (oymak_init, (_DENSE_TRUTH,), {"kind": "bad"}, "'kind' parameter"),
    ],
)
def test_invalid_arguments_raise(function, args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        function(*args, **kwargs)
