"""tensor_initialization: moments, contractions, decomposition, recovery."""

import itertools
import math
import time
import tracemalloc

import numpy as np
import pytest
from numpy.polynomial import hermite_e
from numpy.testing import assert_allclose
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_shallow import TensorInitOneHidden
from sklearn_shallow.activations import CustomActivation
from sklearn_shallow.datasets import make_planted_network
from sklearn_shallow.metrics import recovery_error
from sklearn_shallow.tensor_init import (
    _coherence,
    _jennrich,
    _moment_weights,
    _p2_operator,
    decompose_symmetric,
    hermite_contraction,
    magnitudes_and_signs,
    moment_coefficients,
    tensor_initialization,
)

SQRT_2PI = math.sqrt(2 * math.pi)


def _zhong(n_samples, activation="squared_relu", n_features=20, n_hidden=5, seed=0):
    """Zhong et al. (2017) section 7: kappa = 2, v uniform on {-1, +1}."""
    return make_planted_network(
        n_samples,
        n_features=n_features,
        n_hidden=n_hidden,
        activation=activation,
        output_weights="signs",
        condition_number=2.0,
        random_state=seed,
    )


def _init_error(truth, result):
    error, _, v_match = recovery_error(
        truth.hidden_weights,
        result.hidden_weights,
        truth.output_weights,
        result.output_weights,
        return_matching=True,
    )
    return error, v_match


# ---------------------------------------------------------------------------
# Moment coefficients
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "activation, expected",
    [
        # ALGORITHMS.md section 5 (checked there by Monte Carlo).
        ("relu", [0.5, 1 / SQRT_2PI, 0.0, -1 / SQRT_2PI]),
        # gamma_j = E[z^(j+2); z > 0]: 1/2, 2/sqrt(2pi), 3/2, 8/sqrt(2pi), 15/2.
        ("squared_relu", [2 / SQRT_2PI, 1.0, 2 / SQRT_2PI, 0.0]),
        # slope * z + (1 - slope) relu(z) with slope 0.01; z itself has m = e_1.
        ("leaky_relu", [0.505, 0.99 / SQRT_2PI, 0.0, -0.99 / SQRT_2PI]),
        # z^2 = He_2 + 1, so only m_2 = E[z^2 He_2] = 2 is nonzero.
        ("quadratic", [0.0, 2.0, 0.0, 0.0]),
    ],
)
def test_moment_coefficients_match_closed_forms(activation, expected):
    m = moment_coefficients(activation)
    np.testing.assert_allclose(m[1:], expected, atol=1e-9)


# ---------------------------------------------------------------------------
# Hermite contractions
# ---------------------------------------------------------------------------
def _hermite_diagonal(X, weights, u, order):
    """sum_n w_n H_j(x_n)[u, ..., u] = ||u||^j He_j(u.x / ||u||), by hermeval."""
    norm = np.linalg.norm(u)
    coefficients = np.zeros(order + 1)
    coefficients[order] = 1.0
    return weights @ (norm**order * hermite_e.hermeval(X @ u / norm, coefficients))


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_contraction_with_one_vector_is_the_hermite_polynomial(order):
    rng = np.random.default_rng(order)
    X = rng.standard_normal((50, 4))
    weights = rng.standard_normal(50)
    u = 1.7 * rng.standard_normal(4)
    got = hermite_contraction(X, weights, [u[:, None]] * order)
    assert got.shape == (1,) * order
    np.testing.assert_allclose(got.ravel()[0], _hermite_diagonal(X, weights, u, order))


@pytest.mark.parametrize("order", [2, 3, 4])
def test_contraction_with_distinct_vectors_matches_polarisation(order):
    # A symmetric multilinear form is fixed by its diagonal (polarisation):
    # T[u_1..u_j] = 1/(2^j j!) sum_eps eps_1..eps_j T[s, .., s], s = sum eps u.
    rng = np.random.default_rng(10 + order)
    X = rng.standard_normal((40, 3))
    weights = rng.standard_normal(40)
    vectors = rng.standard_normal((order, 3))
    expected = 0.0
    for eps in itertools.product([-1.0, 1.0], repeat=order):
        s = np.asarray(eps) @ vectors
        expected += np.prod(eps) * _hermite_diagonal(X, weights, s, order)
    expected /= 2**order * math.factorial(order)
    got = hermite_contraction(X, weights, [v[:, None] for v in vectors])
    np.testing.assert_allclose(got.ravel()[0], expected, rtol=1e-10)


@pytest.mark.parametrize("order", [2, 3, 4])
def test_block_contraction_equals_columnwise_contractions(order):
    rng = np.random.default_rng(20 + order)
    X = rng.standard_normal((30, 5))
    weights = rng.standard_normal(30)
    bases = [rng.standard_normal((5, 3)) for _ in range(min(order, 3))]
    bases += [rng.standard_normal((5, 1))] * (order - len(bases))
    block = hermite_contraction(X, weights, bases)
    for index in itertools.product(*[range(B.shape[1]) for B in bases]):
        columns = [B[:, [i]] for B, i in zip(bases, index)]
        single = hermite_contraction(X, weights, columns).ravel()[0]
        np.testing.assert_allclose(block[index], single, rtol=1e-10, atol=1e-12)


def test_free_slot_equals_identity_basis():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 4))
    weights = rng.standard_normal(30)
    U = rng.standard_normal((4, 2))
    alpha = rng.standard_normal((4, 1))
    free = hermite_contraction(X, weights, [None, U, alpha])
    dense = hermite_contraction(X, weights, [np.eye(4), U, alpha])
    np.testing.assert_allclose(free, dense, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Population moments (acceptance: relative error < 0.05 at very large n)
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["relu", "squared_relu"])
def large_sample(request):
    activation = request.param
    X, y, truth = make_planted_network(
        400_000,
        n_features=6,
        n_hidden=3,
        activation=activation,
        output_weights="signs",
        condition_number=2.0,
        random_state=1,
    )
    return activation, X, y, truth


def _population(truth, activation):
    """``(v_i m_j ||w_i||^p)_j`` and unit directions from the planted truth."""
    degree = {"relu": 1, "squared_relu": 2}[activation]
    norms = np.linalg.norm(truth.hidden_weights, axis=1)
    directions = truth.hidden_weights / norms[:, None]
    m = moment_coefficients(activation)
    scale = truth.output_weights * norms**degree
    return m, scale, directions


def test_p2_matches_population_moment(large_sample):
    activation, X, y, truth = large_sample
    m, scale, D = _population(truth, activation)
    weights = _moment_weights(X, y, np.full(len(y), 1 / len(y)), 2)
    P2 = _p2_operator(X, weights, None, 2).matmat(np.eye(X.shape[1]))
    expected = np.einsum("i,ia,ib->ab", scale * m[2], D, D)  # sum v m_2 w w^T
    error = np.linalg.norm(P2 - expected) / np.linalg.norm(expected)
    assert error < 0.05, error


def test_r3_matches_population_moment(large_sample):
    # ReLU has m_3 = 0 and goes through M_4(V, V, V, alpha); squared ReLU
    # through M_3(V, V, V).
    activation, X, y, truth = large_sample
    m, scale, D = _population(truth, activation)
    j3 = {"relu": 4, "squared_relu": 3}[activation]
    # V spans the weights, as the subspace step finds it; alpha lies inside.
    V = np.linalg.qr(truth.hidden_weights.T)[0]
    alpha = V @ np.array([0.6, -0.48, 0.64])
    slots = [V, V, V] + [alpha[:, None]] * (j3 - 3)
    n = len(y)
    coef = scale * m[j3] * (D @ alpha) ** (j3 - 3)
    P = D @ V  # rows: V^T wbar_i
    expected = np.einsum("i,ia,ib,ic->abc", coef, P, P, P)

    def relative_error(weights):
        R3 = hermite_contraction(X, weights, slots).reshape(3, 3, 3)
        return np.linalg.norm(R3 - expected) / np.linalg.norm(expected)

    deflated = relative_error(_moment_weights(X, y, np.full(n, 1 / n), j3, V))
    assert deflated < 0.05, deflated
    # Subtracting the degree < j3 part of y changes the population moment
    # by nothing (Hermite orthogonality) and the sampling noise a lot: the
    # plain average of y H_j is several times further off.
    raw = relative_error(y / n)
    assert deflated < raw / 2, (deflated, raw)


@pytest.mark.parametrize("free_slot", [None, 0, 2])
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_column_scale_equals_contracting_the_scaled_inputs(order, free_slot):
    # column_scale=c must give what X * c gives, without forming X * c.
    rng = np.random.default_rng(order)
    X = rng.standard_normal((50, 6))
    weights = rng.standard_normal(50)
    c = rng.uniform(0.1, 10.0, size=6)
    # At most three slots may be wide; the fourth is a vector, like alpha.
    bases = [rng.standard_normal((6, 2 if s < 3 else 1)) for s in range(order)]
    if free_slot is not None and free_slot < order:
        bases[free_slot] = None
    expected = hermite_contraction(X * c, weights, bases)
    got = hermite_contraction(X, weights, bases, column_scale=c)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Decomposition and magnitudes
# ---------------------------------------------------------------------------
def _match_columns(U_true, U_hat):
    """Largest angle error between matched columns, up to sign."""
    cos = np.abs(U_true.T @ U_hat)
    return 1 - cos.max(axis=1).min()


@pytest.mark.parametrize("k, n_tensors", [(1, 1), (2, 1), (6, 1), (6, 3)])
def test_decomposition_recovers_nonorthogonal_components(k, n_tensors):
    rng = np.random.default_rng(k)
    U = rng.standard_normal((k, k)) + 0.5  # correlated, not orthogonal
    U /= np.linalg.norm(U, axis=0)
    C = rng.standard_normal((n_tensors, k))
    T = np.einsum("ti,ai,bi,ci->abct", C, U, U, U)
    U_hat, weights, residual = decompose_symmetric(
        T if n_tensors > 1 else T[..., 0], random_state=0
    )
    assert residual < 1e-8
    assert _match_columns(U, U_hat) < 1e-10


def test_decomposition_without_refinement_is_exact_on_exact_tensors():
    rng = np.random.default_rng(5)
    U = rng.standard_normal((4, 4))
    U /= np.linalg.norm(U, axis=0)
    T = np.einsum("i,ai,bi,ci->abc", [2.0, -1.0, 0.5, 3.0], U, U, U)
    U_hat, c, residual = decompose_symmetric(T, refine_iter=0, random_state=0)
    assert residual < 1e-8
    assert _match_columns(U, U_hat) < 1e-10
    np.testing.assert_allclose(np.sort(np.abs(c)), [0.5, 1.0, 2.0, 3.0])


def test_jennrich_keeps_a_complex_pair_as_two_directions():
    # S_a pinv(S_b) is a rotation by 90 degrees: eigenvalues +-i. The real
    # parts of its eigenvectors alone would give the same direction twice.
    S_a = np.array([[0.0, 1.0], [1.0, 0.0]])
    S_b = np.array([[1.0, 0.0], [0.0, -1.0]])
    U = _jennrich(S_a, S_b)
    assert _coherence(U) < 1e-12


@pytest.mark.parametrize("activation", ["relu", "squared_relu", "leaky_relu"])
def test_magnitudes_and_signs_exact_on_population_moments(activation):
    # Build Q_odd = M_1(V) and Q_even = M_2(V, V) exactly from a planted
    # network, hand in directions with arbitrary signs, and get W and v back.
    rng = np.random.default_rng(0)
    degree = 2 if activation == "squared_relu" else 1
    k, d = 4, 7
    W = rng.standard_normal((k, d))
    v = np.array([1.0, -1.0, -1.0, 1.0])
    norms = np.linalg.norm(W, axis=1)
    V = np.linalg.qr(W.T)[0]
    P = (W / norms[:, None]) @ V  # rows: V^T wbar_i
    m = moment_coefficients(activation)
    Q_odd = (v * m[1] * norms**degree) @ P
    Q_even = np.einsum("i,ia,ib->ab", v * m[2] * norms**degree, P, P)
    flips = np.array([1.0, -1.0, 1.0, -1.0])
    U = (P * flips[:, None]).T
    alpha_dot = rng.standard_normal(k)  # unused by orders 1 and 2
    got_norms, signs, got_v = magnitudes_and_signs(
        U, Q_odd, Q_even, alpha_dot, m, (2, 3, 1, 2), degree
    )
    np.testing.assert_allclose(got_norms, norms, rtol=1e-10)
    np.testing.assert_array_equal(signs, flips)
    np.testing.assert_array_equal(got_v, v)
    W_hat = (signs * got_norms)[:, None] * (V @ U).T
    np.testing.assert_allclose(W_hat, W, atol=1e-10)


# ---------------------------------------------------------------------------
# The whole tensor step on planted data
# ---------------------------------------------------------------------------
def test_init_error_falls_as_n_grows():
    # Zhong et al. Fig. 1(b): squared ReLU, d = 20, k = 5, kappa = 2.
    means = []
    for n in (2000, 5000, 20000):
        errors = [
            _init_error(truth, tensor_initialization(X, y, 5, "squared_relu"))[0]
            for X, y, truth in (_zhong(n, seed=s) for s in range(3))
        ]
        means.append(np.mean(errors))
    assert means[0] > means[1] > means[2], means
    assert means[2] < 0.15, means


@pytest.mark.parametrize("activation", ["relu", "squared_relu"])
def test_tensor_step_finds_signs_and_rough_weights(activation):
    X, y, truth = _zhong(20000, activation, n_features=10, seed=3)
    result = tensor_initialization(X, y, 5, activation, random_state=0)
    error, v_match = _init_error(truth, result)
    assert v_match
    assert error < 0.25, error
    assert result.hidden_weights.shape == (5, 10)
    assert result.subspace.shape == (10, 5)
    np.testing.assert_allclose(
        result.subspace.T @ result.subspace, np.eye(5), atol=1e-12
    )


def test_partition_uses_disjoint_thirds_and_still_recovers():
    X, y, truth = _zhong(30000, n_features=10, seed=0)
    result = tensor_initialization(X, y, 5, "squared_relu", partition=True)
    error, v_match = _init_error(truth, result)
    assert v_match and error < 0.3, error
    # Each step sees a third: worse than using everything, on average.
    full = tensor_initialization(X, y, 5, "squared_relu", random_state=0)
    assert _init_error(truth, full)[0] < error


def test_integer_sample_weights_equal_repeated_rows():
    X, y, _ = _zhong(600, n_features=8, seed=2)
    counts = np.random.default_rng(0).integers(0, 3, size=len(y))
    weighted = tensor_initialization(
        X, y, 3, "relu", sample_weight=counts, random_state=0
    )
    repeated = tensor_initialization(
        np.repeat(X, counts, axis=0), np.repeat(y, counts), 3, "relu", random_state=0
    )
    np.testing.assert_allclose(
        weighted.hidden_weights, repeated.hidden_weights, rtol=1e-7, atol=1e-9
    )


def _non_isotropic(seed, n_samples=20000, n_features=10, n_hidden=3):
    """Planted data with inputs N(0, A^2), A of condition number 4."""
    X, y, truth = _zhong(n_samples, n_features=n_features, n_hidden=n_hidden, seed=seed)
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n_features, n_features)))[0]
    A = (Q * np.geomspace(0.5, 2.0, n_features)) @ Q.T
    # x' = A x and w' = A^{-1} w leave every w . x, hence y, unchanged.
    truth.hidden_weights = truth.hidden_weights @ np.linalg.inv(A)
    return X @ A, y, truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_whitening_recovers_non_identity_covariance(seed):
    X, y, truth = _non_isotropic(seed)
    white = tensor_initialization(X, y, 3, "squared_relu", whiten=True)
    plain = tensor_initialization(X, y, 3, "squared_relu", whiten=False)
    white_error, white_match = _init_error(truth, white)
    plain_error, _ = _init_error(truth, plain)
    assert white_match and white_error < 0.2, white_error
    assert plain_error > 0.5, plain_error


def test_scale_d2000_no_cubic_arrays():
    # d = 2000: a d^3 float64 array would need 64 GB, a d^2 x d one as well.
    rng = np.random.default_rng(0)
    n, d, k = 5000, 2000, 5
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((k, d)) / np.sqrt(d) * 1.5
    y = np.maximum(X @ W.T, 0) ** 2 @ np.array([1.0, -1.0, 1.0, 1.0, -1.0])
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = tensor_initialization(X, y, k, "squared_relu", random_state=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - start
    assert result.hidden_weights.shape == (k, d)
    assert np.all(np.isfinite(result.hidden_weights))
    # Far below one d x d x k array (2000 * 2000 * 5 * 8 bytes = 160 MB).
    assert peak < 100e6, peak
    assert elapsed < 60, elapsed


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------
def test_non_homogeneous_activation_is_refused():
    X, y, _ = _zhong(200, n_features=6, n_hidden=2)
    with pytest.raises(ValueError, match="positively homogeneous.*sigmoid"):
        tensor_initialization(X, y, 2, "sigmoid")


def test_activation_without_needed_moments_is_refused():
    # Quadratic is homogeneous but M_3 = M_4 = 0: nothing to decompose.
    X, y, _ = _zhong(200, n_features=6, n_hidden=2)
    with pytest.raises(ValueError, match="cannot identify.*quadratic.*m3=0"):
        tensor_initialization(X, y, 2, "quadratic")


def test_custom_homogeneous_activation_is_accepted():
    # A custom ReLU with its degree goes through the same numerical moments.
    relu = CustomActivation(
        lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float), degree=1
    )
    X, y, truth = _zhong(20000, "relu", n_features=10, seed=3)
    custom = tensor_initialization(X, y, 5, relu, random_state=0)
    named = tensor_initialization(X, y, 5, "relu", random_state=0)
    np.testing.assert_allclose(custom.hidden_weights, named.hidden_weights, atol=1e-6)


def test_more_units_than_features_is_refused():
    X, y, _ = _zhong(200, n_features=6, n_hidden=2)
    with pytest.raises(ValueError, match="n_hidden=7 must be at most n_features=6"):
        tensor_initialization(X, y, 7)


def test_too_few_slices_is_refused():
    X, y, _ = _zhong(200, n_features=6, n_hidden=2)
    with pytest.raises(InvalidParameterError, match="n_slices"):
        tensor_initialization(X, y, 2, n_slices=1)


# ---------------------------------------------------------------------------
# Units: the step is equivariant in the scale of every feature and of y
# ---------------------------------------------------------------------------
def _factors(scale, columns, n_features):
    if columns == "all":
        return np.full(n_features, scale)
    return np.r_[scale, np.ones(n_features - 1)]


@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("columns", ["all", "one"])
@pytest.mark.parametrize("scale", [1e-3, 0.1, 7.0, 1e3])
def test_tensor_step_equivariant_in_the_units_of_x(scale, columns, whiten):
    # x_j -> c_j x_j must give w_ij -> w_ij / c_j: w . x is unchanged.
    X, y, _ = _zhong(5000, "relu", n_features=10, n_hidden=3, seed=0)
    factors = _factors(scale, columns, 10)
    base = tensor_initialization(X, y, 3, "relu", whiten=whiten, random_state=0)
    scaled = tensor_initialization(
        X * factors, y, 3, "relu", whiten=whiten, random_state=0
    )
    np.testing.assert_allclose(
        scaled.hidden_weights * factors,
        base.hidden_weights,
        rtol=1e-8,
        atol=1e-10 * np.abs(base.hidden_weights).max(),
    )
    np.testing.assert_array_equal(scaled.output_weights, base.output_weights)


@pytest.mark.parametrize("activation, degree", [("relu", 1), ("squared_relu", 2)])
@pytest.mark.parametrize("scale", [1e-6, 1e-3, 1e4])
def test_tensor_step_equivariant_in_the_units_of_y(activation, degree, scale):
    # v phi(w . x) * c = v phi(c^(1/p) w . x) for phi homogeneous of degree p.
    X, y, _ = _zhong(5000, activation, n_features=8, n_hidden=3, seed=1)
    base = tensor_initialization(X, y, 3, activation, random_state=0)
    scaled = tensor_initialization(X, y * scale, 3, activation, random_state=0)
    np.testing.assert_allclose(
        scaled.hidden_weights,
        base.hidden_weights * scale ** (1 / degree),
        rtol=1e-8,
        atol=1e-10 * np.abs(base.hidden_weights).max() * scale ** (1 / degree),
    )


def test_non_finite_tensor_start_names_its_cause():
    # A feature in units of 1e-310 needs weights of about 1e310 on it: more
    # than float64 holds.
    X, y, _ = _zhong(2000, "relu", n_features=6, n_hidden=2, seed=0)
    X[:, 0] *= 1e-310
    with pytest.raises(ValueError, match="tensor initialisation gave non-finite"):
        tensor_initialization(X, y, 2, "relu", random_state=0)


@pytest.mark.parametrize("bad", [-1.0, 0.0])
def test_negative_or_all_zero_weights_are_refused(bad):
    X, y, _ = _zhong(200, n_features=6, n_hidden=2)
    weights = np.ones(len(y))
    weights[0] = -1.0
    if bad == 0.0:
        weights[:] = 0.0
    with pytest.raises(ValueError, match="Negative values|non-zero|positive sum"):
        tensor_initialization(X, y, 2, sample_weight=weights)


# ---------------------------------------------------------------------------
# A constant y is named as such (it used to end in an error about the
# activation's derivative)


@pytest.mark.parametrize("value", [0.0, 3.0])
def test_constant_y_is_refused_as_constant(value):
    X, _, _ = _zhong(200, n_features=6, n_hidden=2)
    with pytest.raises(ValueError, match="^y is constant on the samples of positive"):
        tensor_initialization(X, np.full(200, value), 2, random_state=0)


def test_y_constant_where_the_weight_is_positive_is_constant():
    X, y, _ = _zhong(200, n_features=6, n_hidden=2)
    weights = (np.arange(200) < 100).astype(float)
    y = np.where(weights > 0, 2.0, y)
    with pytest.raises(ValueError, match="y is constant"):
        tensor_initialization(X, y, 2, sample_weight=weights, random_state=0)
    # With every sample counted, the same y varies and is accepted.
    tensor_initialization(X, y, 2, random_state=0)


def test_tensor_net_on_a_constant_y_warns_and_fits_the_constant():
    X, _, _ = _zhong(200, n_features=6, n_hidden=2)
    net = TensorInitOneHidden(n_hidden=2, random_state=0)
    with pytest.warns(UserWarning, match="y is constant.*random start is kept"):
        net.fit(X, np.full(200, 1.5))
    assert_allclose(net.predict(X), 1.5, atol=1e-4)


def test_weights_whose_sum_overflows_are_named():
    X, y, _ = _zhong(50, n_features=6, n_hidden=2)
    with pytest.raises(ValueError, match=r"sum to inf \(overflow\)"):
        tensor_initialization(X, y, 2, sample_weight=np.full(50, 1e307))
