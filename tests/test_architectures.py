"""Tests of the hidden-layer parameterisations in sklearn_shallow.architectures.

The convolution works on strided patches; every product is compared with the
dense matrix ``FC(K)`` built by explicit loops from the layout the module
documents (kernel ``i`` in row ``l k + i``, columns ``l s`` to ``l s + b - 1``).
Oymak's identity ties a kernel gradient step to the projected dense step.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import get_activation
from sklearn_shallow.architectures import (
    Convolution,
    Dense,
    get_architecture,
)

# (n_features, kernel_size, stride, n_kernels)
GEOMETRIES = [
    (11, 4, 2, 2),  # stride 2 does not divide 11 - 4: last feature unused
    (10, 3, 3, 1),  # 3 does not divide 7
    (12, 5, 4, 3),  # 4 does not divide 7
    (9, 3, 3, 2),  # stride divides: non-overlapping patches cover everything
    (8, 8, 1, 3),  # kernel as wide as the input: one shift
    (7, 1, 1, 2),  # width-one kernels
    (13, 4, 1, 1),  # fully overlapping
]


def _ids(geometry):
    return "p{}-b{}-s{}-k{}".format(*geometry)


def _n_shifts_by_counting(n_features, kernel_size, stride):
    """Patches that fit, counted one by one."""
    count, start = 0, 0
    while start + kernel_size <= n_features:
        count += 1
        start += stride
    return count


def _fc_by_loops(K, n_features, stride):
    """The documented dense layout, entry by entry."""
    k, b = K.shape
    r = _n_shifts_by_counting(n_features, b, stride)
    W = np.zeros((k * r, n_features))
    for shift in range(r):
        for i in range(k):
            for j in range(b):
                W[shift * k + i, shift * stride + j] = K[i, j]
    return W


def _setup(geometry, n_samples=6, seed=0):
    n_features, kernel_size, stride, n_kernels = geometry
    rng = np.random.default_rng(seed)
    conv = Convolution(kernel_size=kernel_size, stride=stride, n_kernels=n_kernels)
    X = rng.standard_normal((n_samples, n_features))
    K = rng.standard_normal((n_kernels, kernel_size))
    return conv, X, K, rng


# --------------------------------------------------------------------------
# Dense layout


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_to_dense_matches_loop_construction(geometry):
    conv, _, K, _ = _setup(geometry)
    n_features, _, stride, _ = geometry
    assert_array_equal(
        conv.to_dense(K, n_features), _fc_by_loops(K, n_features, stride)
    )


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_n_hidden_and_shapes(geometry):
    conv, X, _, _ = _setup(geometry)
    n_features, kernel_size, stride, n_kernels = geometry
    r = _n_shifts_by_counting(n_features, kernel_size, stride)
    assert conv.n_shifts(n_features) == r
    assert conv.n_hidden_for(n_features, None) == n_kernels * r
    assert conv.n_hidden_for(n_features, n_kernels * r) == n_kernels * r
    assert conv.param_shape(n_features, None) == (n_kernels, kernel_size)
    assert conv.prepare(X).shape == (X.shape[0], r, kernel_size)


# --------------------------------------------------------------------------
# Products on the patches


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_preact_on_patches_equals_dense_product(geometry):
    conv, X, K, _ = _setup(geometry)
    n_features = geometry[0]
    n_hidden = conv.n_hidden_for(n_features, None)
    Z = np.full((X.shape[0], n_hidden), np.nan)
    result = conv.preact(conv.prepare(X), K, out=Z)
    assert result is Z
    expected = X @ _fc_by_loops(K, n_features, conv.stride).T
    assert_allclose(Z, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_backprop_equals_kernel_gradient_by_loops(geometry):
    # d/dK_ij sum(D * Z), with Z[n, l k + i] = sum_j K_ij X[n, l s + j].
    conv, X, K, rng = _setup(geometry)
    n_features, kernel_size, stride, n_kernels = geometry
    r = conv.n_shifts(n_features)
    D = rng.standard_normal((X.shape[0], n_kernels * r))
    expected = np.zeros((n_kernels, kernel_size))
    for n in range(X.shape[0]):
        for shift in range(r):
            for i in range(n_kernels):
                for j in range(kernel_size):
                    expected[i, j] += (
                        D[n, shift * n_kernels + i] * X[n, shift * stride + j]
                    )
    out = np.full((n_kernels, kernel_size), np.nan)
    result = conv.backprop(conv.prepare(X), D, out=out)
    assert result is out
    assert_allclose(out, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_backprop_sums_dense_gradient_over_copies(geometry):
    # The dense gradient D^T X, each kernel entry collecting its r copies.
    conv, X, K, rng = _setup(geometry)
    n_features, kernel_size, stride, n_kernels = geometry
    r = conv.n_shifts(n_features)
    D = rng.standard_normal((X.shape[0], n_kernels * r))
    G_dense = Dense().backprop(X, D, out=np.empty((n_kernels * r, n_features)))
    assert_allclose(G_dense, D.T @ X, rtol=1e-13, atol=1e-13)
    expected = np.zeros((n_kernels, kernel_size))
    for shift in range(r):
        for i in range(n_kernels):
            for j in range(kernel_size):
                expected[i, j] += G_dense[shift * n_kernels + i, shift * stride + j]
    out = conv.backprop(conv.prepare(X), D, out=np.empty((n_kernels, kernel_size)))
    assert_allclose(out, expected, rtol=1e-13, atol=1e-13)


# --------------------------------------------------------------------------
# Projection onto the convolutional subspace


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_from_dense_inverts_to_dense(geometry):
    conv, _, K, _ = _setup(geometry)
    n_features = geometry[0]
    assert_allclose(conv.from_dense(conv.to_dense(K, n_features), n_features), K)


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_from_dense_is_mean_of_copies(geometry):
    conv, _, _, rng = _setup(geometry)
    n_features, kernel_size, stride, n_kernels = geometry
    r = conv.n_shifts(n_features)
    W = rng.standard_normal((n_kernels * r, n_features))
    expected = np.zeros((n_kernels, kernel_size))
    for i in range(n_kernels):
        for j in range(kernel_size):
            copies = [
                W[shift * n_kernels + i, shift * stride + j] for shift in range(r)
            ]
            expected[i, j] = np.mean(copies)
    assert_allclose(conv.from_dense(W, n_features), expected, rtol=1e-14)


def _check_orthogonal_projection(conv, n_features, rng):
    n_kernels, kernel_size = conv.n_kernels, conv.kernel_size
    n_hidden = conv.n_hidden_for(n_features, None)
    W = rng.standard_normal((n_hidden, n_features))
    PW = conv.to_dense(conv.from_dense(W, n_features), n_features)
    # Idempotent.
    assert_allclose(
        conv.to_dense(conv.from_dense(PW, n_features), n_features), PW, atol=1e-13
    )
    # The residual is orthogonal to every FC(K').
    residual = W - PW
    K_other = rng.standard_normal((n_kernels, kernel_size))
    W_other = conv.to_dense(K_other, n_features)
    assert abs(np.sum(residual * W_other)) <= 1e-12 * max(1.0, np.abs(W).sum())
    # Hence PW is the closest feasible point.
    assert np.linalg.norm(residual) <= np.linalg.norm(W - W_other) + 1e-12


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_from_dense_is_orthogonal_projection(geometry):
    conv, _, _, rng = _setup(geometry)
    _check_orthogonal_projection(conv, geometry[0], rng)


@settings(max_examples=40, deadline=None)
@given(
    n_features=st.integers(1, 12),
    kernel_fraction=st.floats(0.0, 1.0),
    stride=st.integers(1, 5),
    n_kernels=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_from_dense_is_orthogonal_projection_any_geometry(
    n_features, kernel_fraction, stride, n_kernels, seed
):
    kernel_size = 1 + int(kernel_fraction * (n_features - 1))
    conv = Convolution(kernel_size=kernel_size, stride=stride, n_kernels=n_kernels)
    _check_orthogonal_projection(conv, n_features, np.random.default_rng(seed))


# --------------------------------------------------------------------------
# Oymak's identity: a kernel step with mu / r is the projected dense step


@pytest.mark.parametrize("output_mode", ["ones", "random"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=_ids)
def test_oymak_projected_step_identity(geometry, activation, output_mode):
    n_features = geometry[0]
    conv, _, K, rng = _setup(geometry, seed=3)
    n_samples, mu = 25, 0.7
    X = rng.standard_normal((n_samples, n_features))
    y = rng.standard_normal(n_samples)
    n_hidden = conv.n_hidden_for(n_features, None)
    output = (
        np.ones(n_hidden) if output_mode == "ones" else rng.standard_normal(n_hidden)
    )
    r = conv.n_shifts(n_features)
    W = conv.to_dense(K, n_features)

    def gradient(architecture, hidden):
        model = ShallowModel(
            get_activation(activation),
            architecture,
            n_features,
            n_hidden,
            output,
            False,
        )
        objective = Objective(model, SquaredLoss(), X, y)
        batch = objective.batches()[0]
        out = [np.empty_like(hidden)]
        objective.gradient([hidden], batch, out=out)
        return out[0]

    G_W = gradient(Dense(), W)
    G_K = gradient(conv, K)
    projected_dense_step = conv.to_dense(
        conv.from_dense(W - mu * G_W, n_features), n_features
    )
    kernel_step = conv.to_dense(K - (mu / r) * G_K, n_features)
    assert_allclose(projected_dense_step, kernel_step, rtol=0, atol=1e-10)


# --------------------------------------------------------------------------
# Validation and resolution


def test_n_hidden_for_paper_geometry():
    # Oymak's convolutional experiment: p = 81, b = 15, s = 6, k = 4 kernels.
    conv = Convolution(kernel_size=15, stride=6, n_kernels=4)
    assert conv.n_hidden_for(81, None) == 4 * _n_shifts_by_counting(81, 15, 6) == 48


@pytest.mark.parametrize("n_hidden", [0, 7, 9, 47, 49])
def test_n_hidden_for_inconsistent(n_hidden):
    conv = Convolution(kernel_size=4, stride=2, n_kernels=2)
    with pytest.raises(ValueError, match=f"n_hidden={n_hidden} is inconsistent"):
        conv.n_hidden_for(11, n_hidden)


def test_kernel_larger_than_input():
    conv = Convolution(kernel_size=12, stride=1, n_kernels=1)
    with pytest.raises(ValueError, match="kernel_size=12 is larger than n_features=11"):
        conv.n_hidden_for(11, None)
    with pytest.raises(ValueError, match="kernel_size=12 is larger than n_features=11"):
        conv.prepare(np.zeros((3, 11)))


@pytest.mark.parametrize("name", ["kernel_size", "stride", "n_kernels"])
@pytest.mark.parametrize("value", [0, -1, 2.5])
def test_non_positive_or_non_integer_parameters(name, value):
    params = {"kernel_size": 3, "stride": 1, "n_kernels": 2, name: value}
    conv = Convolution(**params)
    with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
        conv.n_hidden_for(10, None)


def test_dense_shapes():
    assert Dense().n_hidden_for(6, 4) == 4
    assert Dense().param_shape(6, 4) == (4, 6)
    W = np.arange(12.0).reshape(3, 4)
    assert_array_equal(Dense().from_dense(Dense().to_dense(W, 4), 4), W)


def test_get_architecture():
    conv = Convolution(kernel_size=3)
    assert get_architecture(conv) is conv
    assert type(get_architecture(None)) is Dense
    assert type(get_architecture("dense")) is Dense
    with pytest.raises(ValueError, match="Unknown architecture 'conv'"):
        get_architecture("conv")
    with pytest.raises(TypeError, match="architecture must be a string"):
        get_architecture(3)


def test_clone_convolution_keeps_parameters():
    conv = Convolution(kernel_size=5, stride=3, n_kernels=4)
    copy = clone(conv)
    assert copy is not conv
    assert copy.get_params() == {"kernel_size": 5, "stride": 3, "n_kernels": 4}
    assert copy.n_hidden_for(20, None) == 4 * _n_shifts_by_counting(20, 5, 3)
