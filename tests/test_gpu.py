"""The estimators on a CUDA device (torch), skipped without one.

On a machine with a GPU, one command runs every check here, the slow fit
included, and prints the timings of that fit::

    python -m pytest tests/test_gpu.py -m "slow or not slow" -s

(the tests set ``SCIPY_ARRAY_API=1`` themselves while dispatch is on).
The agreement checks are those of ``tests/test_array_api_estimators.py``:
the same fit on numpy and on torch CUDA tensors, predictions within 1e-10
(float64) and 1e-4 (float32) of each other relative to their largest
magnitude, fitted arrays and predictions in torch on the input's device.
The slow test fits a network at a size where the device matters (200000
rows, 200 inputs, 64 units) and prints the wall time of the numpy fit and
of the CUDA fit; it checks that both reach the same training loss.
"""

import time

import numpy as np
import pytest
import sklearn

from sklearn_shallow import (
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    RVSMRegressor,
)
from sklearn_shallow import _array_api as aa

torch = pytest.importorskip("torch")
pytest.importorskip("array_api_compat")
if not torch.cuda.is_available():  # pragma: no cover - depends on the machine
    pytest.skip("no CUDA device", allow_module_level=True)

RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-4}


def _cuda(a):
    return torch.asarray(np.array(a, copy=True), device="cuda")


def _agree(got, ref, dtype):
    assert got.device.type == "cuda"
    got, ref = aa.to_numpy(got), np.asarray(ref)
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    assert float(np.max(np.abs(got - ref))) / scale <= RTOL[dtype]


def _data(dtype, n=80, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = np.tanh(X[:, 0]) + 0.5 * X[:, 1] ** 2 + 0.1 * rng.normal(size=n)
    return X.astype(dtype), y.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "params",
    [{}, dict(constraint="l1", tau=3.0), dict(constraint="l0", tau=0.5)],
    ids=["none", "l1", "l0"],
)
def test_regressor_on_cuda(dtype, params, dispatch):
    dtype = np.dtype(dtype)
    X, y = _data(dtype)
    params = dict(n_hidden=4, max_iter=12, random_state=0, **params)
    ref = ProjectedShallowRegressor(**params).fit(X, y)
    est = ProjectedShallowRegressor(**params).fit(_cuda(X), _cuda(y))
    pred = est.predict(_cuda(X))
    assert pred.dtype == _cuda(X).dtype
    _agree(pred, ref.predict(X), dtype)
    _agree(est.hidden_weights_, ref.hidden_weights_, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_classifier_and_rvsm_on_cuda(dtype, dispatch):
    dtype = np.dtype(dtype)
    X, y = _data(dtype)
    labels = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    params = dict(n_hidden=4, max_iter=12, random_state=0)
    ref = ProjectedShallowClassifier(constraint="l0", tau=0.5, **params).fit(X, labels)
    est = ProjectedShallowClassifier(constraint="l0", tau=0.5, **params)
    est.fit(_cuda(X), _cuda(labels))
    _agree(est.predict_proba(_cuda(X)), ref.predict_proba(X), dtype)
    ref = RVSMRegressor(**params).fit(X, y)
    est = RVSMRegressor(**params).fit(_cuda(X), _cuda(y))
    _agree(est.predict(_cuda(X)), ref.predict(X), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cv_quadratic_and_tensor_start_on_cuda(dtype, dispatch):
    """A CV estimator (folds and paths on the device), a quadratic net
    (its certificate's eigenproblem on the host) and the tensor-started
    net."""
    from sklearn.model_selection import KFold

    from sklearn_shallow import (
        QuadraticNetRegressor,
        RVSMRegressorCV,
        TensorInitOneHidden,
    )

    dtype = np.dtype(dtype)
    X, y = _data(dtype)
    small = dict(n_hidden=3, max_iter=10, random_state=0)
    for make in (
        lambda: RVSMRegressorCV(lams=[0.1, 0.01], cv=KFold(2), **small),
        lambda: QuadraticNetRegressor(solver="pgd", perturbation=0.1, **small),
        lambda: TensorInitOneHidden(**small),
    ):
        ref = make().fit(X, y)
        est = make().fit(_cuda(X), _cuda(y))
        pred = est.predict(_cuda(X))
        assert pred.dtype == _cuda(X).dtype
        _agree(pred, ref.predict(X), dtype)
        _agree(est.hidden_weights_, ref.hidden_weights_, dtype)


@pytest.mark.slow
def test_large_fit_on_cuda(dispatch):
    """A fit where the device matters; prints the two wall times."""
    rng = np.random.default_rng(0)
    n, p = 200_000, 200
    X = rng.normal(size=(n, p)).astype(np.float32)
    w = rng.normal(size=(8, p)) / np.sqrt(p)
    y = (np.maximum(X @ w.T, 0).sum(axis=1) + 0.1 * rng.normal(size=n)).astype(
        np.float32
    )
    params = dict(n_hidden=64, max_iter=100, random_state=0, constraint="l1", tau=20.0)
    with sklearn.config_context(array_api_dispatch=False):
        began = time.perf_counter()
        ref = ProjectedShallowRegressor(**params).fit(X, y)
        host = time.perf_counter() - began
    Xc, yc = _cuda(X), _cuda(y)
    torch.cuda.synchronize()
    began = time.perf_counter()
    est = ProjectedShallowRegressor(**params).fit(Xc, yc)
    torch.cuda.synchronize()
    device = time.perf_counter() - began
    print(
        f"\nn={n}, p={p}, h=64, float32, l1, {ref.n_iter_} / {est.n_iter_} "
        f"iterations: numpy {host:.2f} s, torch CUDA {device:.2f} s"
    )
    assert est.hidden_weights_.device.type == "cuda"
    assert est.loss_curve_[-1] == pytest.approx(ref.loss_curve_[-1], rel=1e-2)
