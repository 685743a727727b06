"""Estimators fitted on array-API inputs agree with the numpy fit.

Under ``sklearn.config_context(array_api_dispatch=True)`` the same fit (same
data, same ``random_state``) is run on numpy arrays, on array-api-strict
arrays (on its non-default device ``device1``, so that a lost device shows)
and on torch CPU tensors. Predictions must agree with the numpy fit to
1e-10 (float64) and 1e-4 (float32) relative to their largest magnitude, and
the fitted arrays and predictions must be in the input's namespace, dtype
and device.

scikit-learn refuses dispatch unless ``SCIPY_ARRAY_API=1`` is set; the
``dispatch`` fixture sets it for the duration of each test only (scipy is
already imported by then, so its own behaviour on numpy arrays does not
change). Each backend is skipped when its library is not installed.
"""

import numpy as np
import pytest
import sklearn

from sklearn_shallow import (
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    RVSMRegressor,
)
from sklearn_shallow import _array_api as aa
from sklearn_shallow._fit import run as fit_run

RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-4}


@pytest.fixture
def dispatch(monkeypatch):
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    try:
        # scikit-learn before 1.7 needs the separate array-api-compat.
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as error:
        pytest.skip(f"scikit-learn cannot dispatch here: {error}")
    with sklearn.config_context(array_api_dispatch=True):
        yield


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
    ref = ProjectedShallowRegressor(**params).fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = ProjectedShallowRegressor(**params).fit(Xb, yb)
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
    ref = ProjectedShallowClassifier(**params).fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = ProjectedShallowClassifier(**params).fit(Xb, yb)
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
    ref = RVSMRegressor(**params).fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = RVSMRegressor(**params).fit(Xb, yb)
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
    ref = ProjectedShallowRegressor(**params).fit(X, y)
    Xb, yb = _to(backend, X), _to(backend, y)
    est = ProjectedShallowRegressor(**params).fit(Xb, yb)
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
