"""Estimators fitted on array-API inputs agree with the numpy fit.

Under ``sklearn.config_context(array_api_dispatch=True)`` the same fit (same
data, same ``random_state``) is run on numpy arrays, on array-api-strict
arrays (on its non-default device ``device1``, so that a lost device shows)
and on torch CPU tensors. Predictions must agree with the numpy fit to
1e-10 (float64) and 1e-4 (float32) relative to their largest magnitude, and
the fitted arrays and predictions must be in the input's namespace, dtype
and device.

The ``dispatch`` fixture (tests/conftest.py) turns dispatch on for one test.
Each backend is skipped when its library is not installed. Every constraint
and every RVSM penalty is fitted on the device; the convolution and the
other host fits are checked to answer in the input's namespace.
"""

import inspect

import numpy as np
import pytest
import sklearn
from sklearn.model_selection import KFold
from sklearn.utils import get_tags

import sklearn_shallow
from sklearn_shallow import (
    Convolution,
    DegenerateFitWarning,
    DivergenceError,
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    QuadraticNetClassifier,
    QuadraticNetRegressor,
    RVSMClassifier,
    RVSMRegressor,
    Subspace,
    TensorInitOneHidden,
)
from sklearn_shallow import _array_api as aa
from sklearn_shallow._fit import run as fit_run
from sklearn_shallow.certificate import _spectrum_ends
from sklearn_shallow.paths import lam_grid, projected_path, rvsm_path, tau_grid

RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-4}


@pytest.fixture(params=["array_api_strict", "torch"])
def backend(request):
    pytest.importorskip("array_api_compat")
    if request.param == "array_api_strict":
        xp = pytest.importorskip("array_api_strict")
        yield xp, xp.Device("device1")
        return
    torch = pytest.importorskip("torch")
    # On a loaded machine torch's intra-op threads turn these tiny products
    # into milliseconds each (4 s a fit instead of 0.1 s on two cores).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield pytest.importorskip("array_api_compat.torch"), torch.device("cpu")
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return np.dtype(request.param)


def _data(dtype, kind="regression", n=60, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    if kind == "regression":
        y = np.tanh(X[:, 0]) + 0.5 * X[:, 1] ** 2 + 0.1 * rng.normal(size=n)
        return X.astype(dtype), y.astype(dtype)
    if kind == "binary":
        return X.astype(dtype), (X[:, 0] + X[:, 1] ** 2 > 1).astype(np.int64)
    return X.astype(dtype), np.digitize(X[:, 0] + X[:, 2], [-0.5, 0.5])


def _to(backend, a):
    xp, dev = backend
    return xp.asarray(np.array(a, copy=True), device=dev)


def _fit_pair(cls, params, backend, X, y):
    """``cls(**params)`` fitted on numpy arrays and on ``backend``'s:
    ``(numpy fit, backend fit, X and y on the backend)``."""
    ref = cls(**params).fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    return ref, cls(**params).fit(Xb, yb), Xb, yb


def _check_like(got, like):
    """``got`` is in ``like``'s namespace, dtype and device."""
    compat = pytest.importorskip("array_api_compat")
    assert compat.array_namespace(got) is compat.array_namespace(like)
    assert aa.device(got) == aa.device(like)
    assert got.dtype == like.dtype


def _agree(got, ref, dtype):
    got, ref = aa.to_numpy(got), np.asarray(ref)
    assert got.shape == ref.shape
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    error = float(np.max(np.abs(got - ref))) / scale
    assert error <= RTOL[dtype], error
    return error


@pytest.fixture
def on_device(monkeypatch):
    """Record whether each fit ran its loop on the input's device."""
    seen = []
    original = fit_run.on_device

    def spy(spec, X):
        answer = original(spec, X)
        seen.append(answer)
        return answer

    monkeypatch.setattr(fit_run, "on_device", spy)
    return seen


SETTINGS = {
    "none": {},
    "l1": dict(constraint="l1", tau=3.0),
    "l0": dict(constraint="l0", tau=0.5),
    "nuclear": dict(constraint="nuclear", tau=2.0),
    "rank-pgd": dict(constraint="rank", tau=2, solver="pgd"),
    "l1-spg": dict(constraint="l1", tau=3.0, solver="spg"),
    "ones": dict(output_weights="ones", fit_intercept=False),
}


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_regressor_agrees(backend, dtype, setting, dispatch, on_device):
    X, y = _data(dtype)
    params = dict(n_hidden=4, max_iter=12, random_state=0, **SETTINGS[setting])
    ref, est, Xb, yb = _fit_pair(ProjectedShallowRegressor, params, backend, X, y)
    assert on_device == [True]
    pred = est.predict(Xb)
    _check_like(pred, Xb)
    _agree(pred, ref.predict(X), dtype)
    for name in ("hidden_weights_", "output_weights_", "intercept_"):
        _check_like(getattr(est, name), Xb)
        _agree(getattr(est, name), getattr(ref, name), dtype)
    _check_like(est.feature_importances_, Xb)
    if dtype == np.float64:
        # (float32 stopping tests may end one iteration apart.)
        assert est.n_iter_ == ref.n_iter_
    assert isinstance(est.score(Xb, yb), float)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("setting", ["none", "l0"])
def test_classifier_agrees(backend, dtype, kind, setting, dispatch, on_device):
    X, y = _data(dtype, kind)
    params = dict(n_hidden=4, max_iter=12, random_state=0, **SETTINGS[setting])
    ref, est, Xb, yb = _fit_pair(ProjectedShallowClassifier, params, backend, X, y)
    assert on_device == [True]
    proba = est.predict_proba(Xb)
    _check_like(proba, Xb)
    _agree(proba, ref.predict_proba(X), dtype)
    _agree(est.decision_function(Xb), ref.decision_function(X), dtype)
    labels = est.predict(Xb)
    np.testing.assert_array_equal(aa.to_numpy(labels), ref.predict(X))
    _check_like(est.classes_, yb)
    _check_like(est.hidden_weights_, Xb)


def test_rvsm_agrees(backend, dtype, dispatch, on_device):
    X, y = _data(dtype)
    params = dict(n_hidden=4, max_iter=12, random_state=0)
    ref, est, Xb, yb = _fit_pair(RVSMRegressor, params, backend, X, y)
    assert on_device == [True]
    _agree(est.predict(Xb), ref.predict(X), dtype)
    _check_like(est.hidden_weights_, Xb)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="lbfgs"),
        dict(batch_size=20),
        dict(early_stopping=True),
        dict(constraint="l0_features", tau=2),
    ],
    ids=["lbfgs", "minibatch", "early_stopping", "l0_features"],
)
def test_host_fits_return_to_namespace(backend, params, dispatch, on_device):
    """The fits that run on the host agree and still answer in the input's
    namespace and device."""
    dtype = np.dtype(np.float64)
    X, y = _data(dtype)
    params = dict(n_hidden=4, max_iter=12, random_state=0, **params)
    ref, est, Xb, yb = _fit_pair(ProjectedShallowRegressor, params, backend, X, y)
    assert on_device[-1] is False
    pred = est.predict(Xb)
    _check_like(pred, Xb)
    # The column scales come from sums on the device (rounding apart).
    _agree(pred, ref.predict(X), dtype)
    _check_like(est.hidden_weights_, Xb)


def test_dispatch_off_is_the_numpy_path():
    """Without dispatch a torch CPU tensor is converted to numpy by the
    validation, as before: the fit is the numpy fit, bit for bit."""
    torch = pytest.importorskip("torch")
    X, y = _data(np.dtype(np.float64))
    params = dict(n_hidden=4, max_iter=20, random_state=0, constraint="l0", tau=0.5)
    ref = ProjectedShallowRegressor(**params).fit(X, y)
    est = ProjectedShallowRegressor(**params).fit(torch.asarray(X), torch.asarray(y))
    assert isinstance(est.hidden_weights_, np.ndarray)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))


def test_numpy_input_under_dispatch_is_the_numpy_path(dispatch):
    X, y = _data(np.dtype(np.float64))
    params = dict(n_hidden=4, max_iter=20, random_state=0, constraint="l1", tau=3.0)
    est = ProjectedShallowRegressor(**params).fit(X, y)
    with sklearn.config_context(array_api_dispatch=False):
        ref = ProjectedShallowRegressor(**params).fit(X, y)
    assert isinstance(est.hidden_weights_, np.ndarray)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))


# ---- cross-validation, paths, quadratic nets, the tensor start --------------
# Tiny problems: n=48, p=4, 3 hidden units, 2 grid values, 2 unshuffled folds,
# a few iterations; the agreement holds at every iteration, so few suffice.
SMALL = dict(n_hidden=3, max_iter=8, random_state=0)


def _small_data(dtype, kind="regression"):
    return _data(dtype, kind, n=48, p=4)


CV_CASES = {
    "projected-regressor": (
        "ProjectedShallowRegressorCV",
        "regression",
        dict(constraint="l1", taus=[1.0, 3.0]),
    ),
    "projected-classifier": (
        "ProjectedShallowClassifierCV",
        "binary",
        dict(constraint="l0", taus=[4, 8]),
    ),
    "rvsm-regressor": ("RVSMRegressorCV", "regression", dict(lams=[0.1, 0.01])),
    "rvsm-classifier": ("RVSMClassifierCV", "multiclass", dict(lams=[0.1, 0.01])),
    "quadratic-regressor": (
        "QuadraticNetRegressorCV",
        "regression",
        dict(alphas=[0.5, 0.05], solver="pgd"),
    ),
    "quadratic-classifier": (
        "QuadraticNetClassifierCV",
        "binary",
        dict(alphas=[0.5, 0.05], solver="pgd"),
    ),
}


def _cv_estimator(case, **params):
    name, kind, grid = CV_CASES[case]
    cls = getattr(sklearn_shallow, name)
    return cls(cv=KFold(2), **{**SMALL, **grid, **params}), kind


@pytest.mark.parametrize("case", list(CV_CASES))
def test_cv_estimator_agrees(backend, case, dispatch, on_device):
    """Every fold's path and the refit run on the device; the scores, the
    chosen value and the refit's predictions are those of the numpy fit
    (sample weights, in the input's namespace too, included)."""
    dtype = np.dtype(np.float64)
    ref, kind = _cv_estimator(case)
    X, y = _small_data(dtype, kind)
    weights = np.linspace(0.5, 2.0, X.shape[0])
    ref.fit(X, y, sample_weight=weights)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = _cv_estimator(case)[0].fit(Xb, yb, sample_weight=_to(backend, weights))
    # 2 folds x 2 values, and the refit (1 or 2 fits along its path).
    assert len(on_device) >= 5 and all(on_device)
    param = est._param
    assert getattr(est, param + "_") == getattr(ref, param + "_")
    # (scikit-learn's accuracy on torch tensors is a float32 mean.)
    np.testing.assert_allclose(aa.to_numpy(est.score_path_), ref.score_path_, rtol=1e-6)
    _check_like(est.score_path_, Xb)
    np.testing.assert_array_equal(aa.to_numpy(est.path_n_iter_), ref.path_n_iter_)
    _check_like(est.hidden_weights_, Xb)
    _agree(est.hidden_weights_, ref.hidden_weights_, dtype)
    method = "predict_proba" if kind != "regression" else "predict"
    pred = getattr(est, method)(Xb)
    _check_like(pred, Xb)
    _agree(pred, getattr(ref, method)(X), dtype)


def test_cv_float32_stays_float32(backend, dispatch):
    dtype = np.dtype(np.float32)
    ref, kind = _cv_estimator("rvsm-regressor")
    X, y = _small_data(dtype, kind)
    ref.fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = _cv_estimator("rvsm-regressor")[0].fit(Xb, yb)
    pred = est.predict(Xb)
    _check_like(pred, Xb)
    _check_like(est.hidden_weights_, Xb)
    _agree(pred, ref.predict(X), dtype)


def test_cv_host_fits_copy_x_once(backend, dispatch, on_device, monkeypatch):
    """A CV fit whose fits run on the host (mini-batches) copies X to the
    host once, not once per fold or per path point; its results still agree
    and answer in X's namespace."""
    dtype = np.dtype(np.float64)
    ref, kind = _cv_estimator("projected-regressor", batch_size=16)
    X, y = _small_data(dtype, kind)
    ref.fit(X, y)
    copies = []
    to_numpy = aa.to_numpy

    def spy(a):
        if not aa._is_host(a) and a.ndim == 2 and a.shape[1] == X.shape[1]:
            copies.append(a.shape)
        return to_numpy(a)

    monkeypatch.setattr(aa, "to_numpy", spy)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = _cv_estimator("projected-regressor", batch_size=16)[0].fit(Xb, yb)
    assert not any(on_device)
    assert copies == [X.shape]
    monkeypatch.setattr(aa, "to_numpy", to_numpy)
    pred = est.predict(Xb)
    _check_like(pred, Xb)
    _agree(pred, ref.predict(X), dtype)


def test_path_functions_agree(backend, dispatch, on_device):
    dtype = np.dtype(np.float64)
    X, y = _small_data(dtype)
    Xb, yb = _to(backend, X), _to(backend, y)
    projected = ProjectedShallowRegressor(constraint="l1", **SMALL)
    rvsm = RVSMRegressor(**SMALL)
    for grid, path, est in [
        (tau_grid, projected_path, projected),
        (lam_grid, rvsm_path, rvsm),
    ]:
        # The default grids come from a reference fit on the device.
        ref_values = grid(est, X, y)
        got_values = grid(est, Xb, yb)
        _agree(got_values, ref_values, dtype)
        ref = path(X, y, ref_values[:2], estimator=est)
        got = path(Xb, yb, ref_values[:2], estimator=est)
        for name in ("hidden_weights_", "output_weights_"):
            stacked = got.coefficients(name)
            _check_like(stacked, Xb)
            _agree(stacked, ref.coefficients(name), dtype)
        np.testing.assert_array_equal(got.n_iter, ref.n_iter)
    assert all(on_device)


QUADRATIC_CASES = {
    "regressor": ("regression", dict(perturbation=0.1)),
    "binary": ("binary", {}),
    "multiclass": ("multiclass", {}),
}


@pytest.mark.parametrize(
    "case, dtype",
    [
        ("regressor", np.dtype(np.float64)),
        ("regressor", np.dtype(np.float32)),
        ("binary", np.dtype(np.float64)),
        ("multiclass", np.dtype(np.float64)),
    ],
    ids=["regressor-float64", "regressor-float32", "binary", "multiclass"],
)
def test_quadratic_net_agrees(backend, case, dtype, dispatch, on_device):
    """solver='pgd' runs on the device, the certificate's eigenproblem on the
    host: the same fit, the same certificate."""
    kind, extra = QUADRATIC_CASES[case]
    cls = QuadraticNetRegressor if kind == "regression" else QuadraticNetClassifier
    params = dict(solver="pgd", n_hidden=3, max_iter=20, random_state=0, **extra)
    X, y = _small_data(dtype, kind)
    ref, est, Xb, yb = _fit_pair(cls, params, backend, X, y)
    assert on_device and all(on_device)
    method = "predict" if kind == "regression" else "predict_proba"
    pred = getattr(est, method)(Xb)
    _check_like(pred, Xb)
    _agree(pred, getattr(ref, method)(X), dtype)
    for name in ("hidden_weights_", "hidden_bias_", "quadratic_form_"):
        _check_like(getattr(est, name), Xb)
        _agree(getattr(est, name), getattr(ref, name), dtype)
    assert est.is_certified_ == ref.is_certified_
    if dtype == np.float64:
        np.testing.assert_array_equal(est.n_iter_, ref.n_iter_)


def test_certificate_lanczos_on_device(backend):
    """The matrix-free certificate (wide inputs) multiplies by X on its
    device and finds the numpy eigenvalues."""
    rng = np.random.default_rng(0)
    X, dpred = rng.normal(size=(30, 6)), rng.normal(size=30)
    scale = rng.uniform(0.5, 2.0, size=6)
    args = ((1.0, -1.0), 0.1, None, 0)
    ref = _spectrum_ends(X, dpred, *args, np.random.default_rng(0), scale)
    got = _spectrum_ends(
        _to(backend, X),
        _to(backend, dpred),
        *args,
        np.random.default_rng(0),
        _to(backend, scale),
    )
    assert got[2] == ref[2] == "lanczos"
    np.testing.assert_allclose(got[:2], ref[:2], rtol=1e-8)


def test_tensor_init_agrees(backend, dtype, dispatch, on_device):
    """The tensor start is computed on the host, the descent on the device."""
    X, y = _small_data(dtype)
    params = dict(n_hidden=3, max_iter=10, random_state=0)
    ref, est, Xb, yb = _fit_pair(TensorInitOneHidden, params, backend, X, y)
    assert on_device == [True]
    pred = est.predict(Xb)
    _check_like(pred, Xb)
    _agree(pred, ref.predict(X), dtype)
    _check_like(est.initial_hidden_weights_, Xb)
    _agree(est.initial_hidden_weights_, ref.initial_hidden_weights_, dtype)


# ---- the tag, bad input, failed fits -----------------------------------------
def _all_estimators():
    names = [
        "ProjectedShallowRegressor",
        "ProjectedShallowClassifier",
        "RVSMRegressor",
        "RVSMClassifier",
        "QuadraticNetRegressor",
        "QuadraticNetClassifier",
        "TensorInitOneHidden",
    ]
    names += [name for name, _, _ in CV_CASES.values()]
    return [getattr(sklearn_shallow, name) for name in names]


@pytest.mark.parametrize("cls", _all_estimators(), ids=lambda c: c.__name__)
def test_array_api_support_tag(cls):
    assert get_tags(cls()).array_api_support is True


@pytest.mark.parametrize("case", ["plain", "cv"])
def test_scikit_learn_array_api_check(case, dispatch):
    """scikit-learn's own check of the tag's promise: fitted arrays and
    outputs in X's namespace, device and dtype (array-api-strict)."""
    pytest.importorskip("array_api_strict")
    from sklearn.utils.estimator_checks import check_array_api_input

    if case == "plain":
        est = ProjectedShallowClassifier(n_hidden=3, max_iter=5, random_state=0)
    else:
        est = _cv_estimator("rvsm-regressor", max_iter=3)[0]
    options = {}
    if "dtype_name" in inspect.signature(check_array_api_input).parameters:
        options["dtype_name"] = "float64"
    check_array_api_input(type(est).__name__, est, "array_api_strict", **options)


@pytest.mark.parametrize("case", ["plain", "cv"])
def test_bad_input_and_failed_fits_on_the_device(backend, case, dispatch):
    """Under dispatch, bad input is refused with scikit-learn's messages,
    and a fit that diverges raises and leaves the previous model, fitted on
    the device, whole."""
    X, y = _small_data(np.dtype(np.float64))
    if case == "plain":
        est = ProjectedShallowRegressor(**SMALL)
    else:
        est = _cv_estimator("projected-regressor")[0]
    Xb, yb = _to(backend, X), _to(backend, y)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(_to(backend, X_nan), yb)
    est.fit(Xb, yb)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(_to(backend, X[:, :3]))
    with pytest.raises(ValueError, match="same namespace"):
        est.predict(X)
    before = aa.to_numpy(est.predict(Xb))
    weights = est.hidden_weights_
    est.set_params(solver="pgd", step_size=1e8)
    with pytest.raises(DivergenceError):
        est.fit(Xb, yb)
    assert est.hidden_weights_ is weights
    np.testing.assert_array_equal(aa.to_numpy(est.predict(Xb)), before)


MORE_SETTINGS = {
    "l0_row": dict(constraint="l0_row", tau=2),
    "l1_features": dict(constraint="l1_features", tau=2.0),
    "subspace": dict(
        constraint=Subspace(
            np.linalg.qr(np.random.default_rng(1).normal(size=(20, 6)))[0]
        )
    ),
}


@pytest.mark.parametrize("setting", list(MORE_SETTINGS))
def test_more_constraints_agree(backend, dtype, setting, dispatch, on_device):
    X, y = _data(dtype)
    params = dict(n_hidden=4, max_iter=12, random_state=0, **MORE_SETTINGS[setting])
    ref, est, Xb, yb = _fit_pair(ProjectedShallowRegressor, params, backend, X, y)
    assert on_device == [True]
    _check_like(est.predict(Xb), Xb)
    _agree(est.predict(Xb), ref.predict(X), dtype)
    _agree(est.hidden_weights_, ref.hidden_weights_, dtype)


# lam per penalty: sparse fits that keep some units (or inputs) alive.
PENALTY_LAM = {
    "l0": 0.01,
    "l1": 0.01,
    "tl1": 0.01,
    "l0_features": 0.05,
    "l1_features": 0.05,
    "tl1_features": 0.03,
}


@pytest.mark.parametrize("penalty", list(PENALTY_LAM))
def test_rvsm_penalties_agree(backend, dtype, penalty, dispatch, on_device):
    X, y = _data(dtype)
    params = dict(n_hidden=4, max_iter=12, random_state=0, penalty=penalty)
    params["lam"] = PENALTY_LAM[penalty]
    ref, est, Xb, yb = _fit_pair(RVSMRegressor, params, backend, X, y)
    assert 0 < np.count_nonzero(ref.hidden_weights_) < ref.hidden_weights_.size
    assert on_device == [True]
    _agree(est.predict(Xb), ref.predict(X), dtype)
    _agree(est.hidden_weights_, ref.hidden_weights_, dtype)
    _check_like(est.hidden_weights_, Xb)


def test_degenerate_fit_warns_on_array_api(backend, dispatch, on_device):
    """A penalty that kills every unit says so on the device path too (the
    constant's report indexed X as numpy does and failed on strict arrays)."""
    X, y = _data(np.dtype(np.float64))
    params = dict(n_hidden=4, max_iter=12, random_state=0, penalty="l0", lam=0.05)
    with pytest.warns(DegenerateFitWarning, match="every"):
        ref = RVSMRegressor(**params).fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    with pytest.warns(DegenerateFitWarning, match="every"):
        est = RVSMRegressor(**params).fit(Xb, yb)
    _agree(est.predict(Xb), ref.predict(X), np.dtype(np.float64))


def test_rvsm_classifier_agrees(backend, dtype, dispatch, on_device):
    X, y = _data(dtype, "multiclass")
    params = dict(n_hidden=4, max_iter=12, random_state=0)
    ref, est, Xb, yb = _fit_pair(RVSMClassifier, params, backend, X, y)
    assert on_device == [True]
    _check_like(est.predict_proba(Xb), Xb)
    _agree(est.predict_proba(Xb), ref.predict_proba(X), dtype)


def test_convolution_agrees(backend, dtype, dispatch, on_device):
    """A convolution fits on the host (the patch view is numpy's) and
    answers in the input's namespace."""
    X, y = _data(dtype, p=12)
    params = dict(
        architecture=Convolution(kernel_size=4, stride=2, n_kernels=2),
        max_iter=12,
        random_state=0,
    )
    ref, est, Xb, yb = _fit_pair(ProjectedShallowRegressor, params, backend, X, y)
    assert on_device == [False]
    _check_like(est.predict(Xb), Xb)
    _agree(est.predict(Xb), ref.predict(X), dtype)


def test_small_torch_fit_runs_on_one_torch_thread(dispatch, monkeypatch):
    """The thread policy limits torch's own threads for a small CPU fit and
    gives them back afterwards."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("array_api_compat")
    from sklearn_shallow import _base

    seen = []
    original = _base.fit_network

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(_base, "fit_network", spy)
    X, y = _data(np.dtype(np.float64))
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        ProjectedShallowRegressor(n_hidden=3, max_iter=5).fit(
            torch.asarray(X), torch.asarray(y)
        )
        assert seen == [1]
        assert torch.get_num_threads() == 2
        # numpy input leaves torch's threads alone.
        ProjectedShallowRegressor(n_hidden=3, max_iter=5).fit(X, y)
        assert seen == [1, 2]
    finally:
        torch.set_num_threads(threads)
