"""The optional fused backward kernel (sklearn_shallow._accel)."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_shallow import _accel
from sklearn_shallow.activations import (
    CustomActivation,
    LeakyReLU,
    Linear,
    ReLU,
    Softplus,
    SquaredReLU,
    Tanh,
    get_activation,
)

DTYPES = [np.float64, np.float32]
ACTIVATIONS = [ReLU(), LeakyReLU(), LeakyReLU(0.2), LeakyReLU(0.0), Linear()]
ACTIVATIONS += [SquaredReLU()]
IDS = ["relu", "leaky_relu", "leaky_relu_0.2", "leaky_relu_0", "linear"]
IDS += ["squared_relu"]


def make_data(dtype, n=103, h=20, seed=0):
    """Z with exact zeros, signed zeros, infinities and a NaN."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, h)).astype(dtype)
    Z[::3, 0] = 0.0
    Z[::5] = 0.0  # whole rows of exact zeros
    Z[1, ::2] = -0.0
    Z[2, 0] = np.inf
    Z[2, -1] = -np.inf
    Z[3, -1] = np.nan
    output = rng.standard_normal(h).astype(dtype)
    dpred = rng.standard_normal(n).astype(dtype)
    dpred[7] = 0.0
    return Z, output, dpred


def reference(activation, Z, output, dpred):
    """``sigma'(Z) * output * dpred[:, None]``, as numpy computes it."""
    D = activation.derivative(Z)
    if output is not None:
        D = D * output
    return D * dpred[:, None]


def run_fused(activation, Z, output, dpred):
    out = np.full_like(Z, 7.0)
    kind = _accel.fused_kind(activation)
    result = _accel.fused_backward(
        kind, Z, output, dpred, out, slope=getattr(activation, "slope", None)
    )
    assert result is out
    return out


def check_equal(activation, dtype, use_output):
    Z, output, dpred = make_data(dtype)
    output = output if use_output else None
    expected = reference(activation, Z, output, dpred)
    got = run_fused(activation, Z, output, dpred)
    assert got.dtype == np.dtype(dtype)
    assert expected.dtype == np.dtype(dtype)
    # Same products in the same order and dtype: equal bit for bit (NaN in
    # the same places), well inside 1e-15 (f64) or 1e-6 (f32) relative.
    assert_array_equal(got, expected)


@pytest.fixture
def numba_kernels():
    pytest.importorskip("numba")
    assert _accel.HAVE_NUMBA
    kernels = _accel._kernels()
    assert kernels is not None
    return kernels


@pytest.mark.parametrize("use_output", [False, True], ids=["ones", "output"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=IDS)
def test_numba_kernel_equals_numpy(numba_kernels, activation, dtype, use_output):
    check_equal(activation, dtype, use_output)


@pytest.mark.parametrize("use_output", [False, True], ids=["ones", "output"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=IDS)
def test_fallback_equals_numpy(monkeypatch, activation, dtype, use_output):
    monkeypatch.setattr(_accel, "HAVE_NUMBA", False)

    def no_kernels():
        raise AssertionError("the numpy fallback must not reach numba")

    monkeypatch.setattr(_accel, "_kernels", no_kernels)
    check_equal(activation, dtype, use_output)


def test_numba_kernel_is_used(numba_kernels, monkeypatch):
    """With numba the compiled kernel runs, not the numpy passes."""

    def no_numpy(*args, **kwargs):
        raise AssertionError("the numpy fallback ran")

    monkeypatch.setattr(_accel, "_numpy_backward", no_numpy)
    for activation in ACTIVATIONS:
        for dtype in DTYPES:
            Z, output, dpred = make_data(dtype, n=11, h=5, seed=1)
            run_fused(activation, Z, output, dpred)
            run_fused(activation, Z, None, dpred)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("h", [1, 3, 8, 20, 100])
def test_numba_kernel_shapes(numba_kernels, dtype, h):
    """Widths below, at and above the vector length; an empty batch."""
    for n in (0, 1, 37):
        Z, output, dpred = make_data(dtype, n=40, h=h, seed=h)
        Z, dpred = Z[:n], dpred[:n]
        for activation in (ReLU(), SquaredReLU()):
            for out_w in (None, output):
                assert_array_equal(
                    run_fused(activation, Z, out_w, dpred),
                    reference(activation, Z, out_w, dpred),
                )


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_derivative_at_zero_is_half(dtype):
    Z = np.array([[0.0, -0.0, 2.0, -2.0]], dtype=dtype)
    dpred = np.array([4.0], dtype=dtype)
    out = np.empty_like(Z)
    _accel.fused_backward("relu", Z, None, dpred, out)
    assert_array_equal(out, [[2.0, 2.0, 4.0, 0.0]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", [0.01, np.float32(0.3), np.float64(0.3), 0])
def test_leaky_slope_types(dtype, slope):
    """numpy rounds a Python float and a numpy scalar slope differently in a
    float32 pass; the fused result follows the activation in each case."""
    activation = LeakyReLU(slope)
    Z, output, dpred = make_data(dtype)
    assert_array_equal(
        run_fused(activation, Z, output, dpred),
        reference(activation, Z, output, dpred),
    )


def test_leaky_slope_follows_set_params():
    activation = LeakyReLU(0.1)
    Z, output, dpred = make_data(np.float64)
    before = run_fused(activation, Z, output, dpred)
    activation.set_params(slope=0.25)
    after = run_fused(activation, Z, output, dpred)
    assert not np.array_equal(before, after, equal_nan=True)
    assert_array_equal(after, reference(LeakyReLU(0.25), Z, output, dpred))


def test_output_may_be_z_itself():
    Z, output, dpred = make_data(np.float64)
    expected = reference(ReLU(), Z, output, dpred)
    _accel.fused_backward("relu", Z, output, dpred, Z)
    assert_array_equal(Z, expected)


@pytest.mark.parametrize(
    "case", ["fortran_z", "strided_output", "strided_dpred", "output_f64"]
)
def test_unsupported_layouts_fall_back(case, monkeypatch):
    """Non-contiguous or mixed-dtype inputs take the numpy passes."""
    calls = []
    numpy_backward = _accel._numpy_backward

    def counting(*args):
        calls.append(1)
        return numpy_backward(*args)

    monkeypatch.setattr(_accel, "_numpy_backward", counting)
    dtype = np.float32 if case == "output_f64" else np.float64
    Z, output, dpred = make_data(dtype)
    if case == "fortran_z":
        Z = np.asfortranarray(Z)
    elif case == "strided_output":
        output = np.repeat(output, 2)[::2]
    elif case == "strided_dpred":
        dpred = np.repeat(dpred, 2)[::2]
    else:
        output = output.astype(np.float64)
    activation = ReLU()
    expected = activation.derivative(Z)
    expected *= output
    expected *= dpred[:, None]
    got = run_fused(activation, Z, output, dpred)
    assert_array_equal(got, expected)
    assert got.dtype == np.dtype(dtype)
    assert calls


def test_fused_kind():
    assert _accel.fused_kind(ReLU()) == "relu"
    assert _accel.fused_kind(get_activation("relu")) == "relu"
    assert _accel.fused_kind(LeakyReLU(0.2)) == "leaky_relu"
    assert _accel.fused_kind(Linear()) == "linear"
    assert _accel.fused_kind(SquaredReLU()) == "squared_relu"
    assert _accel.fused_kind(Softplus()) is None
    assert _accel.fused_kind(Tanh()) is None
    assert _accel.fused_kind(get_activation((np.tanh, np.cosh))) is None
    assert _accel.fused_kind(CustomActivation(abs, np.sign)) is None

    class MyReLU(ReLU):
        def derivative(self, z, out=None):
            return np.greater(z, 0, out=out)

    # A subclass may redefine the derivative: it keeps the numpy path.
    assert _accel.fused_kind(MyReLU()) is None


def test_bad_arguments():
    Z, output, dpred = make_data(np.float64)
    out = np.empty_like(Z)
    with pytest.raises(ValueError, match="Unknown fused kind"):
        _accel.fused_backward("tanh", Z, output, dpred, out)
    with pytest.raises(ValueError, match="slope"):
        _accel.fused_backward("leaky_relu", Z, output, dpred, out)
    with pytest.raises(ValueError, match="Shapes"):
        _accel.fused_backward("relu", Z, output, dpred[:-1], out)
    with pytest.raises(ValueError, match="Shapes"):
        _accel.fused_backward("relu", Z, output, dpred, out[:-1])
    with pytest.raises(ValueError, match="output has shape"):
        _accel.fused_backward("relu", Z, output[:-1], dpred, out)


def test_kernels_none_when_numba_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba fails
    _accel._kernels.cache_clear()
    try:
        assert _accel._kernels() is None
        Z, output, dpred = make_data(np.float64)
        assert_array_equal(
            run_fused(ReLU(), Z, output, dpred), reference(ReLU(), Z, output, dpred)
        )
    finally:
        _accel._kernels.cache_clear()


def test_library_imports_without_numba():
    """numba is optional and imported on first use only."""
    code = (
        "import sys; sys.modules['numba'] = None\n"
        "import numpy as np, sklearn_shallow\n"
        "from sklearn_shallow import _accel\n"
        "assert not _accel.HAVE_NUMBA\n"
        "Z = np.array([[0.0, 1.0, -1.0]]); out = np.empty_like(Z)\n"
        "_accel.fused_backward('relu', Z, None, np.array([2.0]), out)\n"
        "assert out.tolist() == [[1.0, 2.0, 0.0]], out\n"
        "del sys.modules['numba']\n"
        "import importlib; importlib.reload(_accel)\n"
        "assert 'numba' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
