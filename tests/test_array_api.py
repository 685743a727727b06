"""The parts on array-API namespaces agree with their numpy code.

Every activation, loss, projection, prox, regulariser and architecture, and
each helper of :mod:`sklearn_shallow._array_api`, is run on the same data as
a numpy array and as an array of each namespace that is installed: numpy
through array-api-compat (the numpy path itself), array-api-strict (which
raises on anything outside the standard, and whose arrays live here on a
non-default device, so that a lost device shows) and torch on the CPU; and
torch on CUDA and CuPy when a GPU is present. The results must agree to
1e-12 relative in float64 and 1e-5 in float32, and keep the input's
namespace, dtype and device.
"""

import importlib.util

import numpy as np
import pytest
from scipy import special

from sklearn_shallow import _array_api as aa
from sklearn_shallow._loss import LOSSES, log_proba
from sklearn_shallow.activations import ACTIVATIONS, CustomActivation
from sklearn_shallow.architectures import Convolution, Dense
from sklearn_shallow.constraints import (
    L0Ball,
    L0Features,
    L1Features,
    Rank,
    Subspace,
    make_constraint,
    project_l1_ball,
)
from sklearn_shallow.regularisers import Perturbation
from sklearn_shallow.thresholds import (
    L0FeaturesPenalty,
    L1FeaturesPenalty,
    TransformedL1FeaturesPenalty,
    get_penalty,
    hard_threshold,
    soft_threshold,
    tl1_threshold,
)

RTOL = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-5}


class Backend:
    """One namespace and device, with conversions and the agreement check."""

    def __init__(self, name, xp, device):
        self.name, self.xp, self.device = name, xp, device

    def __repr__(self):
        return self.name

    def asarray(self, a):
        # A copy: torch.asarray would share the numpy array's memory.
        return self.xp.asarray(np.array(a, copy=True), device=self.device)

    def check(self, got, ref, like):
        """``got`` (from ``like``) agrees with the numpy result ``ref``."""
        ref = np.asarray(ref)
        if self.name == "numpy":
            assert isinstance(got, np.ndarray)
        else:
            compat = pytest.importorskip("array_api_compat")
            assert compat.array_namespace(got) is compat.array_namespace(like)
            assert aa.device(got) == aa.device(like)
        assert got.dtype == like.dtype
        assert tuple(got.shape) == ref.shape
        rtol = RTOL[ref.dtype]
        finite = np.abs(ref[np.isfinite(ref)])
        scale = max(float(np.max(finite, initial=0.0)), 1.0)
        np.testing.assert_allclose(aa.to_numpy(got), ref, rtol=rtol, atol=rtol * scale)


def _backends():
    """numpy, array-api-strict and torch CPU; torch on CUDA and CuPy where the
    library is installed (skipped without a GPU). No library is imported
    here, so that collecting the module stays cheap."""
    names = ["numpy", "array_api_strict", "torch"]
    if importlib.util.find_spec("torch") is not None:
        names.append("torch_cuda")
    if importlib.util.find_spec("cupy") is not None:  # pragma: no cover
        names.append("cupy")
    return names


@pytest.fixture(params=_backends())
def backend(request):
    if request.param == "numpy":
        xp = pytest.importorskip("array_api_compat.numpy")
        return Backend("numpy", xp, "cpu")
    if request.param == "array_api_strict":
        xp = pytest.importorskip("array_api_strict")
        return Backend("array_api_strict", xp, xp.Device("device1"))
    if request.param == "cupy":  # pragma: no cover - needs a GPU
        cupy = pytest.importorskip("cupy")
        if cupy.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("no CUDA device")
        xp = pytest.importorskip("array_api_compat.cupy")
        return Backend("cupy", xp, cupy.cuda.Device(0))
    torch = pytest.importorskip("torch")
    xp = pytest.importorskip("array_api_compat.torch")
    if request.param == "torch_cuda":
        if not torch.cuda.is_available():
            pytest.skip("no CUDA device")
        return Backend("torch_cuda", xp, torch.device("cuda"))  # pragma: no cover
    return Backend("torch", xp, torch.device("cpu"))


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return np.dtype(request.param)


def _weights(dtype, shape=(5, 7), seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape).astype(dtype)


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------


CUBE = CustomActivation(lambda z: z * z * z, lambda z: 3.0 * z * z, degree=3)


@pytest.mark.parametrize("activation", [*ACTIVATIONS.values(), lambda: CUBE])
@pytest.mark.parametrize("part", ["value", "derivative"])
def test_activation(backend, dtype, activation, part):
    act = activation()
    z = (np.linspace(-4.0, 4.0, 24).reshape(6, 4) + 0.05).astype(dtype)
    z[0, 0] = 0.0  # the kink of the ReLUs
    ref = getattr(act, part)(z)
    zx = backend.asarray(z)
    backend.check(getattr(act, part)(zx), ref, zx)
    out = backend.asarray(np.zeros_like(z))
    assert getattr(act, part)(zx, out=out) is out
    backend.check(out, ref, zx)


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------


def _loss_data(name, dtype):
    rng = np.random.default_rng(1)
    if name == "log_loss":
        pred = rng.normal(scale=3.0, size=8)
        y = np.where(rng.random(8) < 0.5, -1.0, 1.0)
    elif name == "multinomial":
        pred = rng.normal(scale=3.0, size=(8, 3))
        y = np.eye(3)[rng.integers(0, 3, 8)]
    else:
        pred, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 2))
    weight = rng.random(8) + 0.1
    return pred.astype(dtype), y.astype(dtype), (weight / weight.sum()).astype(dtype)


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_value_and_dpred(backend, dtype, name, weighted):
    loss = LOSSES[name]()
    pred, y, weight = _loss_data(name, dtype)
    w = weight if weighted else 1.0 / len(pred)
    out = np.empty_like(pred)
    ref = loss.value_and_dpred(pred, y, w, out)
    px, yx = backend.asarray(pred), backend.asarray(y)
    wx = backend.asarray(weight) if weighted else w
    outx = backend.asarray(np.zeros_like(pred))
    got = loss.value_and_dpred(px, yx, wx, outx)
    assert isinstance(got, float)
    assert got == pytest.approx(ref, rel=RTOL[dtype])
    backend.check(outx, out, px)


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("part", ["derivative", "curvature"])
def test_loss_derivatives(backend, dtype, name, part):
    loss = LOSSES[name]()
    pred, y, _ = _loss_data(name, dtype)
    px = backend.asarray(pred)
    got = getattr(loss, part)(px, backend.asarray(y))
    backend.check(got, getattr(loss, part)(pred, y), px)


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_baseline(backend, name):
    loss = LOSSES[name]()
    _, y, weight = _loss_data(name, np.float64)
    ref = loss.baseline(y, weight)
    got = loss.baseline(backend.asarray(y), backend.asarray(weight))
    np.testing.assert_allclose(aa.to_numpy(got), ref, rtol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_log_proba(backend, dtype, n_classes):
    rng = np.random.default_rng(2)
    shape = (6,) if n_classes == 2 else (6, n_classes)
    decision = rng.normal(scale=4.0, size=shape).astype(dtype)
    dx = backend.asarray(decision)
    backend.check(log_proba(dx), log_proba(decision), dx)


# ---------------------------------------------------------------------------
# Constraints and prox operators
# ---------------------------------------------------------------------------


CONSTRAINTS = {
    "none": lambda: make_constraint(None),
    "l0": lambda: make_constraint("l0", 9),
    "l0_row": lambda: make_constraint("l0_row", 3),
    "l0_fraction": lambda: L0Ball(0.3),
    "l1": lambda: make_constraint("l1", 2.0),
    "l1_inside": lambda: make_constraint("l1", 1e3),
    "rank": lambda: make_constraint("rank", 2),
    "nuclear": lambda: make_constraint("nuclear", 2.0),
    "nuclear_inside": lambda: make_constraint("nuclear", 1e3),
    "l0_features": lambda: make_constraint("l0_features", 3),
    "l0_features_groups": lambda: L0Features(2, groups=[[0, 5], [2, 3, 6]]),
    "l1_features": lambda: make_constraint("l1_features", 2.0),
    "l1_features_groups": lambda: L1Features(2.0, groups=[[1, 4], [0, 6]]),
    "subspace": lambda: Subspace(
        np.linalg.qr(np.random.default_rng(3).normal(size=(35, 4)))[0]
    ),
}


@pytest.mark.parametrize("name", list(CONSTRAINTS))
def test_projection(backend, dtype, name):
    constraint = CONSTRAINTS[name]()
    W = _weights(dtype)
    ref = constraint.project(W)
    Wx = backend.asarray(W)
    got = constraint.project(Wx)
    backend.check(got, ref, Wx)
    if name.endswith("_inside") or name == "none":
        np.testing.assert_array_equal(aa.to_numpy(got), W)
    for point, px in [(W, Wx), (ref, got)]:
        assert constraint.is_feasible(px) == constraint.is_feasible(point)
        assert constraint.value(px) == constraint.value(point)


@pytest.mark.parametrize(
    "constraint",
    [L0Ball(3), L0Ball(2, per_row=True), L0Features(2), Rank(1)],
    ids=["l0", "l0_row", "l0_features", "rank"],
)
def test_projection_ties(backend, constraint):
    """Equal magnitudes: the lower index is kept, as in the numpy path."""
    W = np.array([[1.0, -2.0, 2.0, 0.5], [2.0, -1.0, 1.0, -2.0], [0.0, 2.0, 0.0, 1.0]])
    if isinstance(constraint, Rank):
        W = np.eye(3, 4)
    ref = constraint.project(W)
    Wx = backend.asarray(W)
    got = aa.to_numpy(constraint.project(Wx))
    np.testing.assert_array_equal(got != 0, ref != 0)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_project_l1_ball_function(backend, dtype):
    v = np.array([1e17, 1.0, -3.0, 0.0], dtype=dtype)
    vx = backend.asarray(v)
    backend.check(project_l1_ball(vx, 5.0), project_l1_ball(v, 5.0), vx)


@pytest.mark.parametrize(
    "threshold",
    [
        lambda w: soft_threshold(w, 0.4),
        lambda w: hard_threshold(w, 0.3),
        lambda w: tl1_threshold(w, 0.5, 1.0),
        lambda w: tl1_threshold(w, 0.05, 2.0),
        lambda w: tl1_threshold(w, 0.0, 2.0),
    ],
    ids=["soft", "hard", "tl1_large_t", "tl1_small_t", "tl1_zero_t"],
)
def test_threshold(backend, dtype, threshold):
    W = _weights(dtype)
    Wx = backend.asarray(W)
    backend.check(threshold(Wx), threshold(W), Wx)


PENALTIES = {
    "l0": lambda: get_penalty("l0"),
    "l1": lambda: get_penalty("l1"),
    "tl1": lambda: get_penalty("tl1", a=0.7),
    "l0_features": lambda: get_penalty("l0_features"),
    "l1_features": lambda: get_penalty("l1_features"),
    "tl1_features": lambda: get_penalty("tl1_features", a=0.7),
    "l0_features_groups": lambda: L0FeaturesPenalty(groups=[[0, 3], [1, 2, 6]]),
    "l1_features_groups": lambda: L1FeaturesPenalty(groups=[[0, 3]]),
    "tl1_features_groups": lambda: TransformedL1FeaturesPenalty(groups=[[4, 6]]),
}


@pytest.mark.parametrize("name", list(PENALTIES))
def test_penalty(backend, dtype, name):
    penalty = PENALTIES[name]()
    W = _weights(dtype)
    Wx = backend.asarray(W)
    backend.check(penalty.prox(Wx, 0.6), penalty.prox(W, 0.6), Wx)
    assert penalty.value(Wx) == pytest.approx(penalty.value(W), rel=RTOL[dtype])


def test_perturbation(backend, dtype):
    rng = np.random.default_rng(4)
    C = rng.normal(size=(7, 7))
    term = Perturbation(C @ C.T)
    W = _weights(dtype)
    Wx = backend.asarray(W)
    assert term.value(Wx) == pytest.approx(term.value(W), rel=RTOL[dtype])
    ref = term.add_gradient(W, np.ones_like(W))
    out = backend.asarray(np.ones_like(W))
    assert term.add_gradient(Wx, out) is out
    backend.check(out, ref, Wx)


# ---------------------------------------------------------------------------
# Architectures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "architecture",
    [Dense(), Convolution(3, stride=2, n_kernels=2)],
    ids=["dense", "convolution"],
)
def test_architecture(backend, dtype, architecture):
    rng = np.random.default_rng(5)
    n, p = 6, 9
    dense = isinstance(architecture, Dense)
    h = architecture.n_hidden_for(p, 4 if dense else None)
    X = rng.normal(size=(n, p)).astype(dtype)
    P = rng.normal(size=architecture.param_shape(p, h)).astype(dtype)
    D = rng.normal(size=(n, h)).astype(dtype)
    Xp = architecture.prepare(X)
    Z = architecture.preact(Xp, P, np.empty((n, h), dtype=dtype))
    G = architecture.backprop(Xp, D, np.empty_like(P))

    Xx, Px = backend.asarray(X), backend.asarray(P)
    Xpx = architecture.prepare(Xx)
    backend.check(Xpx, Xp, Xx)
    Zx = backend.asarray(np.zeros((n, h), dtype=dtype))
    assert architecture.preact(Xpx, Px, Zx) is Zx
    backend.check(Zx, Z, Xx)
    Gx = backend.asarray(np.zeros_like(P))
    assert architecture.backprop(Xpx, backend.asarray(D), Gx) is Gx
    backend.check(Gx, G, Px)
    W = architecture.to_dense(P, p)
    backend.check(architecture.to_dense(Px, p), W, Px)
    Wx = backend.asarray(W)
    backend.check(architecture.from_dense(Wx, p), architecture.from_dense(W, p), Px)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "helper, reference",
    [
        (aa.erf, special.erf),
        (aa._erf_generic, special.erf),
        (aa.expit, special.expit),
        (aa.softplus, lambda x: np.logaddexp(0.0, x)),
    ],
    ids=["erf", "erf_generic", "expit", "softplus"],
)
def test_elementwise_helper(backend, dtype, helper, reference):
    x = np.concatenate([np.linspace(-7.0, 7.0, 57), [0.0, 2.99, 3.01, 40.0, -40.0]])
    x = x.astype(dtype)
    xx = backend.asarray(x)
    backend.check(helper(xx, backend.xp), reference(x), xx)


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize(
    "helper, reference",
    [
        (aa.logsumexp, special.logsumexp),
        (aa.log_softmax, special.log_softmax),
        (aa.softmax, special.softmax),
    ],
    ids=["logsumexp", "log_softmax", "softmax"],
)
def test_reduction_helper(backend, dtype, axis, helper, reference):
    x = np.random.default_rng(6).normal(scale=30.0, size=(5, 4)).astype(dtype)
    x[1] = -np.inf  # a row without mass: no NaN, as scipy
    xx = backend.asarray(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = reference(x, axis=axis)
        got = helper(xx, axis, backend.xp)
    backend.check(got, ref, xx)


@pytest.mark.parametrize("axis", [-1, 1])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_largest_mask_stable_ties(backend, axis, k):
    """The mask is the first ``k`` of a stable sort of ``-values``."""
    values = np.array([[2.0, 1.0, 2.0, 3.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0, 5.0, 1.0]])
    if axis == -1:
        values = values.ravel()
    order = np.argsort(-values, axis=axis, kind="stable")
    expected = np.zeros(values.shape, dtype=bool)
    np.put_along_axis(expected, np.take(order, np.arange(k), axis=axis), True, axis)
    vx = backend.asarray(values)
    got = aa.to_numpy(aa.largest_mask(vx, k, axis, backend.xp))
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(aa.largest_mask(values, k, axis, None), expected)


@pytest.mark.parametrize("n_outputs", [None, 2])
def test_solve_spd(backend, dtype, n_outputs):
    rng = np.random.default_rng(7)
    B = rng.normal(size=(20, 5))
    gram = (B.T @ B + 0.1 * np.eye(5)).astype(dtype)
    rhs = rng.normal(size=(5,) if n_outputs is None else (5, n_outputs)).astype(dtype)
    ref = aa.solve_spd(gram, rhs, None)
    gx = backend.asarray(gram)
    backend.check(aa.solve_spd(gx, backend.asarray(rhs), backend.xp), ref, gx)


def test_solve_spd_singular(backend):
    """A singular Gram matrix gets the least-squares answer, as in numpy."""
    gram = np.array([[1.0, 1.0], [1.0, 1.0]])
    rhs = np.array([2.0, 2.0])
    got = aa.solve_spd(backend.asarray(gram), backend.asarray(rhs), backend.xp)
    np.testing.assert_allclose(aa.to_numpy(got), [1.0, 1.0], rtol=1e-10)
    np.testing.assert_allclose(aa.solve_spd(gram, rhs, None), [1.0, 1.0], rtol=1e-10)


def test_namespace_follows_dispatch(backend, monkeypatch):
    """numpy unless array_api_dispatch is on and the inputs are not numpy."""
    from sklearn import config_context

    # scikit-learn refuses the flag unless scipy's array API support is on.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    x = backend.asarray(np.ones(3))
    assert aa.get_namespace(x) == (np, False)
    with config_context(array_api_dispatch=True):
        xp, is_array_api = aa.get_namespace(x, None)
    if backend.name == "numpy":
        assert (xp, is_array_api) == (np, False)
    else:
        assert is_array_api and xp is aa.namespace_of(x)
    assert aa.namespace_of(np.ones(3), 1.0, None, [1.0]) is None


def test_to_numpy(backend):
    x = np.arange(6.0).reshape(2, 3)
    got = aa.to_numpy(backend.asarray(x))
    assert isinstance(got, np.ndarray)
    np.testing.assert_array_equal(got, x)


def test_wide_float_without_float64():
    """A device without float64 computes in float32 (array-api-strict's
    'no_float64' device stands for Apple's MPS)."""
    xp = pytest.importorskip("array_api_strict")
    assert aa.wide_float(xp, xp.Device("no_float64")) == xp.float32
    assert aa.wide_float(xp, xp.Device("CPU_DEVICE")) == xp.float64
    W = xp.asarray(_weights(np.float32), device=xp.Device("no_float64"))
    got = make_constraint("l1", 2.0).project(W)
    ref = make_constraint("l1", 2.0).project(_weights(np.float32))
    np.testing.assert_allclose(aa.to_numpy(got), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "architecture",
    [Dense(), Convolution(3, n_kernels=2)],
    ids=["dense", "convolution"],
)
def test_projected_steps_from_the_parts(backend, dtype, architecture):
    """Five projected gradient steps built from the parts (what the shared
    loop does, without its buffers) end at the numpy weights."""
    rng = np.random.default_rng(8)
    n, p = 40, 8
    dense = isinstance(architecture, Dense)
    h = architecture.n_hidden_for(p, 6 if dense else None)
    X = rng.normal(size=(n, p)).astype(dtype)
    y = rng.normal(size=n).astype(dtype)
    W0 = rng.normal(scale=0.5, size=architecture.param_shape(p, h)).astype(dtype)
    o = rng.normal(size=h).astype(dtype)
    activation, loss = ACTIVATIONS["softplus"](), LOSSES["huber"]()
    constraint = make_constraint("l1", 3.0)

    def steps(X, y, W, o):
        xp = aa.namespace_of(X)
        host = xp is None  # numpy: the parts write into buffers
        xp = np if host else xp
        Xp = architecture.prepare(X)
        for _ in range(5):
            Z = architecture.preact(Xp, W, np.empty((n, h), dtype) if host else None)
            pred = activation.value(Z) @ o
            dpred = np.empty_like(pred) if host else xp.zeros_like(pred)
            loss.value_and_dpred(pred, y, 1.0 / n, dpred)
            D = activation.derivative(Z) * o * xp.reshape(dpred, (n, 1))
            G = architecture.backprop(Xp, D, np.empty_like(W) if host else None)
            W = constraint.project(W - 0.5 * G)
        return W

    ref = steps(X, y, W0, o)
    Wx = backend.asarray(W0)
    got = steps(backend.asarray(X), backend.asarray(y), Wx, backend.asarray(o))
    backend.check(got, ref, Wx)
