"""Tests of the activation functions in sklearn_shallow.activations.

Each property is checked against a reference computed another way: central
finite differences for derivatives, closed forms (or a quadrature) for values,
a rescaled evaluation for homogeneity, Monte Carlo and textbook Gaussian
integrals for the moments ``gamma_j`` and the derived ``m_j`` of
ALGORITHMS.md section 5.
"""

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import integrate
from sklearn.base import clone

from sklearn_shallow import ProjectedShallowRegressor
from sklearn_shallow.activations import (
    ACTIVATIONS,
    CustomActivation,
    LeakyReLU,
    ReLU,
    check_activation_output,
    get_activation,
)

SQRT_2PI = math.sqrt(2.0 * math.pi)


def _cube(z):
    return z**3


def _cube_derivative(z):
    return 3.0 * z**2


# Every activation under test: the named ones, a leaky ReLU with a non-default
# slope, and a custom activation built from two callables.
FACTORIES = {name: cls for name, cls in ACTIVATIONS.items()}
FACTORIES["leaky_relu_0.2"] = lambda: LeakyReLU(slope=0.2)
FACTORIES["custom_cube"] = lambda: CustomActivation(_cube, _cube_derivative, degree=3)
CASES = list(FACTORIES)

# Activations whose derivative (or second derivative) jumps at 0: finite
# differences are only meaningful away from there.
KINKED = {"relu", "leaky_relu", "leaky_relu_0.2", "squared_relu"}

# Written out from the definitions, without the module's code.
REFERENCE_VALUES = {
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "leaky_relu_0.2": lambda z: np.where(z > 0, z, 0.2 * z),
    "squared_relu": lambda z: np.where(z > 0, z * z, 0.0),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: (np.exp(2 * z) - 1.0) / (np.exp(2 * z) + 1.0),
    "erf": lambda z: np.array(
        [integrate.quad(lambda t: math.exp(-t * t), 0.0, zi)[0] for zi in z]
    ),
    "quadratic": lambda z: z * z,
    "linear": lambda z: 1.0 * z,
    "custom_cube": lambda z: z * z * z,
}

# Degree of positive homogeneity, from ALGORITHMS.md section 1.
EXPECTED_DEGREE = {
    "relu": 1,
    "leaky_relu": 1,
    "leaky_relu_0.2": 1,
    "squared_relu": 2,
    "softplus": None,
    "sigmoid": None,
    "tanh": None,
    "erf": None,
    "quadratic": 2,
    "linear": 1,
    "custom_cube": 3,
}
HOMOGENEOUS = [name for name in CASES if EXPECTED_DEGREE[name] is not None]
NOT_HOMOGENEOUS = [name for name in CASES if EXPECTED_DEGREE[name] is None]


def _points(name, seed=0, size=200):
    """Test points in [-4, 4]; 0 included unless the activation has a kink."""
    z = np.random.default_rng(seed).uniform(-4.0, 4.0, size=size)
    if name in KINKED:
        return z[np.abs(z) >= 1e-3]
    return np.concatenate([z, [0.0]])


# --------------------------------------------------------------------------
# Derivatives


@pytest.mark.parametrize("name", CASES)
def test_derivative_matches_central_differences(name):
    act = FACTORIES[name]()
    z = _points(name)
    step = 1e-5
    numerical = (act.value(z + step) - act.value(z - step)) / (2 * step)
    assert_allclose(act.derivative(z), numerical, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("zero", [0.0, -0.0])
def test_relu_derivative_at_zero_is_one_half(zero):
    # Soltanolkotabi's (1 + sgn z) / 2 convention.
    assert ReLU().derivative(np.array([zero]))[0] == 0.5


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 0.5])
def test_leaky_relu_derivative_at_zero_is_mean_of_slopes(slope):
    act = LeakyReLU(slope=slope)
    assert act.derivative(np.array([0.0]))[0] == pytest.approx((1.0 + slope) / 2)
    # And the one-sided slopes themselves (to rounding).
    assert_allclose(act.derivative(np.array([-2.0, 3.0])), [slope, 1.0], rtol=1e-14)


def test_squared_relu_derivative_at_zero_is_zero():
    assert FACTORIES["squared_relu"]().derivative(np.array([0.0]))[0] == 0.0


# --------------------------------------------------------------------------
# The ``out`` argument and dtypes (the descent loop's hot path)


def _matrix(seed=1):
    z = np.random.default_rng(seed).normal(scale=2.0, size=(7, 5))
    z[0, 0] = 0.0  # the kink, where in-place sign tricks could go wrong
    return z


@pytest.mark.parametrize("method", ["value", "derivative"])
@pytest.mark.parametrize("name", CASES)
def test_out_aliasing_input_matches_fresh_output(name, method):
    act = FACTORIES[name]()
    z = _matrix()
    expected = getattr(act, method)(z.copy())
    buffer = z.copy()
    result = getattr(act, method)(buffer, out=buffer)
    assert result is buffer
    assert_array_equal(buffer, expected)


@pytest.mark.parametrize("method", ["value", "derivative"])
@pytest.mark.parametrize("name", CASES)
def test_out_separate_buffer_matches_fresh_output(name, method):
    act = FACTORIES[name]()
    z = _matrix()
    z_before = z.copy()
    expected = getattr(act, method)(z.copy())
    out = np.full_like(z, np.nan)
    result = getattr(act, method)(z, out=out)
    assert result is out
    assert_array_equal(out, expected)
    assert_array_equal(z, z_before)  # the input is left alone


@pytest.mark.parametrize("method", ["value", "derivative"])
@pytest.mark.parametrize("name", CASES)
def test_float32_in_gives_float32_out(name, method):
    act = FACTORIES[name]()
    z64 = _matrix()
    z32 = z64.astype(np.float32)
    result = getattr(act, method)(z32)
    assert result.dtype == np.float32
    # Same numbers, to single precision, as the double computation on the
    # rounded inputs.
    expected = getattr(act, method)(z32.astype(np.float64))
    assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    in_place = z32.copy()
    assert getattr(act, method)(in_place, out=in_place).dtype == np.float32
    assert_allclose(in_place, expected, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------
# Values


@pytest.mark.parametrize("name", CASES)
def test_value_matches_closed_form(name):
    act = FACTORIES[name]()
    z = np.linspace(-5.0, 5.0, 41)
    assert_allclose(act.value(z), REFERENCE_VALUES[name](z), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "name, z, expected",
    [
        # log(1 + e^z) = z + log(1 + e^-z), and e^-1000 underflows to 0.
        ("softplus", 1000.0, 1000.0),
        ("softplus", -1000.0, 0.0),
        ("sigmoid", 1000.0, 1.0),
        ("sigmoid", -1000.0, 0.0),
        ("tanh", 1000.0, 1.0),
        # int_0^inf exp(-t^2) dt = sqrt(pi) / 2.
        ("erf", 1000.0, math.sqrt(math.pi) / 2),
    ],
)
def test_value_is_stable_far_from_zero(name, z, expected):
    # Underflow to 0 is the right answer; overflow or NaN would not be.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = FACTORIES[name]().value(np.array([z]))[0]
    assert value == pytest.approx(expected, rel=1e-15, abs=1e-300)


# --------------------------------------------------------------------------
# Homogeneity


@pytest.mark.parametrize("name", CASES)
def test_degree_attribute(name):
    assert FACTORIES[name]().degree == EXPECTED_DEGREE[name]


@pytest.mark.parametrize("c", [0.3, 1.7, 4.0])
@pytest.mark.parametrize("name", HOMOGENEOUS)
def test_positive_homogeneity_of_declared_degree(name, c):
    act = FACTORIES[name]()
    z = _matrix()
    assert_allclose(
        act.value(c * z), c**act.degree * act.value(z), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("name", NOT_HOMOGENEOUS)
def test_no_degree_means_not_homogeneous(name):
    # No degree p in 0..3 makes sigma(2 z) = 2^p sigma(z) on these points.
    act = FACTORIES[name]()
    z = np.array([0.5, 1.0, 2.0])
    for degree in range(4):
        assert not np.allclose(act.value(2 * z), 2.0**degree * act.value(z))


# --------------------------------------------------------------------------
# Gaussian moments gamma_j(s) = E[sigma(s z) z^j]

N_MONTE_CARLO = 1_000_000


@pytest.fixture(scope="module")
def gaussian_sample():
    return np.random.default_rng(12345).standard_normal(N_MONTE_CARLO)


@pytest.mark.parametrize("scale", [1.0, 1.7])
@pytest.mark.parametrize("j", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("name", CASES)
def test_gaussian_moment_matches_monte_carlo(name, j, scale, gaussian_sample):
    act = FACTORIES[name]()
    z = gaussian_sample
    draws = act.value(scale * z) * z**j
    estimate = draws.mean()
    standard_error = draws.std() / math.sqrt(z.size)
    assert abs(act.gaussian_moment(j, scale) - estimate) <= 5 * standard_error


# Half moments E[z^q 1{z > 0}] = (q - 1)!! / 2 for even q, (q - 1)!! / sqrt(2 pi)
# for odd q; full moments E[z^q] = (q - 1)!! for even q, 0 for odd q.
GAMMA_CLOSED_FORMS = [
    # ReLU: gamma_j = E[z^(j+1) 1{z > 0}].
    ("relu", 0, 1.0, 1 / SQRT_2PI),
    ("relu", 1, 1.0, 1 / 2),
    ("relu", 2, 1.0, 2 / SQRT_2PI),
    ("relu", 3, 1.0, 3 / 2),
    ("relu", 4, 1.0, 8 / SQRT_2PI),
    # Squared ReLU: gamma_j = E[z^(j+2) 1{z > 0}].
    ("squared_relu", 0, 1.0, 1 / 2),
    ("squared_relu", 1, 1.0, 2 / SQRT_2PI),
    ("squared_relu", 2, 1.0, 3 / 2),
    ("squared_relu", 3, 1.0, 8 / SQRT_2PI),
    ("squared_relu", 4, 1.0, 15 / 2),
    # Quadratic: gamma_j = E[z^(j+2)].
    ("quadratic", 0, 1.0, 1.0),
    ("quadratic", 1, 1.0, 0.0),
    ("quadratic", 2, 1.0, 3.0),
    ("quadratic", 4, 1.0, 15.0),
    # Linear: gamma_j = E[z^(j+1)].
    ("linear", 0, 1.0, 0.0),
    ("linear", 1, 1.0, 1.0),
    ("linear", 3, 1.0, 3.0),
    # Leaky ReLU: relu(z) + slope * min(z, 0), so gamma_0 = (1 - slope) / sqrt(2 pi).
    ("leaky_relu_0.2", 0, 1.0, 0.8 / SQRT_2PI),
    ("leaky_relu_0.2", 1, 1.0, (1 + 0.2) / 2),
    # Symmetry: sigmoid(z) + sigmoid(-z) = 1, tanh and erf are odd.
    ("sigmoid", 0, 1.0, 1 / 2),
    ("tanh", 0, 1.0, 0.0),
    ("erf", 2, 1.0, 0.0),
    # Stein's lemma E[z g(z)] = E[g'(z)]: softplus' = sigmoid has mean 1/2, and
    # for erf E[z F(s z)] = s E[exp(-s^2 z^2)] = s / sqrt(1 + 2 s^2).
    ("softplus", 1, 1.0, 1 / 2),
    ("erf", 1, 1.0, 1 / math.sqrt(3)),
    ("erf", 1, 0.5, 0.5 / math.sqrt(1.5)),
    ("erf", 1, 2.0, 2 / 3),
    # Cube: E[z^(j+3)].
    ("custom_cube", 1, 1.0, 3.0),
    ("custom_cube", 3, 1.0, 15.0),
]


@pytest.mark.parametrize("name, j, scale, expected", GAMMA_CLOSED_FORMS)
def test_gaussian_moment_closed_forms(name, j, scale, expected):
    gamma = FACTORIES[name]().gaussian_moment(j, scale)
    assert gamma == pytest.approx(expected, rel=1e-8, abs=1e-10)


def _derived_moment(act, j, scale=1.0):
    """m_j of ALGORITHMS.md section 5, from the gamma_j."""
    gamma = [act.gaussian_moment(i, scale) for i in range(5)]
    return {
        1: gamma[1],
        2: gamma[2] - gamma[0],
        3: gamma[3] - 3 * gamma[1],
        4: gamma[4] + 3 * gamma[0] - 6 * gamma[2],
    }[j]


@pytest.mark.parametrize(
    "name, j, expected",
    [
        ("relu", 1, 1 / 2),
        ("relu", 2, 1 / SQRT_2PI),
        ("relu", 3, 0.0),
        ("relu", 4, -1 / SQRT_2PI),
        ("squared_relu", 1, 2 / SQRT_2PI),
        ("squared_relu", 2, 1.0),
        ("squared_relu", 3, 2 / SQRT_2PI),
        ("squared_relu", 4, 0.0),
    ],
)
def test_derived_moments_match_zhong_et_al(name, j, expected):
    m = _derived_moment(FACTORIES[name](), j)
    assert m == pytest.approx(expected, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("scale", [0.4, 2.5])
@pytest.mark.parametrize("j", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("name", HOMOGENEOUS)
def test_gaussian_moment_scales_with_degree(name, j, scale):
    act = FACTORIES[name]()
    expected = scale**act.degree * act.gaussian_moment(j, 1.0)
    assert act.gaussian_moment(j, scale) == pytest.approx(expected, rel=1e-8, abs=1e-10)


# --------------------------------------------------------------------------
# Resolution and parameters


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_get_activation_by_name(name):
    act = get_activation(name)
    assert type(act) is ACTIVATIONS[name]
    z = np.linspace(-3.0, 3.0, 13)
    assert_allclose(act.value(z), REFERENCE_VALUES[name](z), rtol=1e-12, atol=1e-14)


def test_get_activation_passes_instances_through():
    act = LeakyReLU(slope=0.3)
    assert get_activation(act) is act


def test_get_activation_pair_of_callables():
    act = get_activation((_cube, _cube_derivative))
    assert isinstance(act, CustomActivation)
    assert act.degree is None
    z = np.array([-2.0, 0.5, 3.0])
    assert_allclose(act.value(z), [-8.0, 0.125, 27.0])
    assert_allclose(act.derivative(z), [12.0, 0.75, 27.0])


def test_get_activation_unknown_name():
    with pytest.raises(ValueError, match="Unknown activation 'swish'"):
        get_activation("swish")


@pytest.mark.parametrize("spec", [3, None, ("relu", "tanh"), [_cube, _cube_derivative]])
def test_get_activation_wrong_type(spec):
    with pytest.raises(TypeError, match="activation must be a string"):
        get_activation(spec)


def test_clone_keeps_slope():
    act = LeakyReLU(slope=0.3)
    copy = clone(act)
    assert copy is not act
    assert type(copy) is LeakyReLU
    assert copy.slope == 0.3
    assert copy.derivative(np.array([-1.0]))[0] == pytest.approx(0.3)


def test_clone_custom_activation_keeps_callables():
    act = CustomActivation(_cube, _cube_derivative, degree=3)
    copy = clone(act)
    assert copy.function is _cube
    assert copy.derivative_function is _cube_derivative
    assert copy.degree == 3


def test_get_params_and_set_params():
    act = LeakyReLU(slope=0.3)
    assert act.get_params() == {"slope": 0.3}
    assert act.set_params(slope=0.1) is act
    assert act.derivative(np.array([-1.0]))[0] == pytest.approx(0.1)
    assert ReLU().get_params() == {}
    params = CustomActivation(_cube, _cube_derivative, degree=3).get_params()
    assert params == {
        "degree": 3,
        "derivative_function": _cube_derivative,
        "function": _cube,
    }


def test_set_params_unknown_name():
    with pytest.raises(ValueError, match="Invalid parameter 'alpha' for LeakyReLU"):
        LeakyReLU().set_params(alpha=0.1)


# --------------------------------------------------------------------------
# Refusing broken activations, by name


def _sum(z):
    return np.sum(z)


def _one(z):
    return 1.0


def _flat(z):
    return np.ravel(z)


def _reciprocal(z):
    return 1.0 / z


@pytest.mark.parametrize(
    "spec, message",
    [
        # A reduction would be broadcast to a constant without the check.
        (
            (_sum, np.ones_like),
            "The value of the custom activation (_sum, ones_like) has shape () "
            "for pre-activations of shape (4, 3); an activation acts "
            "elementwise",
        ),
        (
            (_cube, _one),
            "The derivative of the custom activation (_cube, _one) has shape ()",
        ),
        (
            (_flat, _one),
            "The value of the custom activation (_flat, _one) has shape (12,)",
        ),
        (
            (np.log, _reciprocal),
            "The value of the custom activation (log, _reciprocal) is nan at the "
            "pre-activation -2.5 (6 of 12 values are NaN or infinite); an "
            "activation must be finite wherever its input is.",
        ),
        (
            (_cube, _reciprocal),
            "The derivative of the custom activation (_cube, _reciprocal) is inf at "
            "the pre-activation 0 (1 of 12",
        ),
        (
            LeakyReLU(slope=np.nan),
            "The value of the activation LeakyReLU(slope=nan) is nan",
        ),
    ],
)
def test_get_activation_refuses_a_broken_activation(spec, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(ValueError, match=re.escape(message)):
            get_activation(spec)


def test_a_fit_refuses_a_constant_derivative_and_names_it():
    # It used to fail at the first step, blaming the gradient check.
    X = np.random.default_rng(0).standard_normal((30, 3))
    reg = ProjectedShallowRegressor(activation=(np.tanh, _one), max_iter=5)
    with pytest.raises(ValueError, match=re.escape("(tanh, _one) has shape ()")):
        reg.fit(X, X[:, 0])


def test_custom_activation_checks_the_shape_on_every_call():
    # Beyond the probe: a function that reduces only large inputs is caught
    # on the pre-activations of a fit.
    act = CustomActivation(lambda z: z if z.size < 100 else z.sum(), np.ones_like)
    get_activation(act)
    with pytest.raises(ValueError, match=re.escape("has shape () for pre-activations")):
        act.value(np.zeros((50, 2)))


def test_check_activation_output_on_a_fits_pre_activations():
    Z = np.array([[0.0, 800.0], [-1.0, np.inf]])
    with np.errstate(over="ignore"):
        A = np.exp(Z)
    # exp(inf) = inf is the input's fault, exp(800) = inf the activation's.
    with pytest.raises(ValueError, match=r"is inf at the pre-activation 800 \(1 of 4"):
        check_activation_output(CustomActivation(np.exp, np.exp), Z, A)
    check_activation_output(ReLU(), Z, ReLU().value(Z))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4), (1000, 7)])
def test_relu_value_equals_max_with_zero_bit_for_bit(dtype, shape):
    # Large blocks take the maximum against an array of zeros (a faster
    # numpy loop): the same bits as against the scalar 0, signed zeros, NaN
    # and infinities included, also when written over the input.
    rng = np.random.default_rng(0)
    z = rng.standard_normal(shape).astype(dtype)
    special_values = np.array([0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 1e-45])
    z.flat[: len(special_values)] = special_values
    expected = np.maximum(z, 0)
    uint = np.uint32 if dtype == np.float32 else np.uint64
    got = get_activation("relu").value(z)
    assert_array_equal(got.view(uint), expected.view(uint))
    in_place = z.copy()
    get_activation("relu").value(in_place, out=in_place)
    assert_array_equal(in_place.view(uint), expected.view(uint))
