"""scipy.sparse X for the dense architecture (issue 11, item 3).

The two products of a step run on the sparse matrix itself; the model equals
the one fitted on the dense copy to rounding; X is never densified.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import (
    Convolution,
    ProjectedShallowRegressor,
    RVSMRegressor,
    TensorInitOneHidden,
)


def _sparse_problem(n_samples=300, n_features=40, density=0.2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X *= rng.random((n_samples, n_features)) < density
    y = np.maximum(X[:, :5].sum(axis=1), 0) + 0.1 * rng.standard_normal(n_samples)
    return X, y


CONFIGS = {
    "psr": lambda: ProjectedShallowRegressor(random_state=0),
    "psr_l1": lambda: ProjectedShallowRegressor(
        constraint="l1", tau=3.0, random_state=0
    ),
    "psr_l0_ones": lambda: ProjectedShallowRegressor(
        constraint="l0", tau=20, output_weights="ones", random_state=0
    ),
    "psr_minibatch": lambda: ProjectedShallowRegressor(
        batch_size=64, max_iter=30, random_state=0
    ),
    "psr_early_stopping": lambda: ProjectedShallowRegressor(
        early_stopping=True, random_state=0
    ),
    "psr_pgd_fixed_step": lambda: ProjectedShallowRegressor(
        solver="pgd", step_size=0.1, max_iter=50, tol=0, random_state=0
    ),
    "rvsm": lambda: RVSMRegressor(random_state=0),
    "tensor_net_random_init": lambda: TensorInitOneHidden(
        n_hidden=3, init="random", output_weights="learn", random_state=0
    ),
}


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_sparse_fit_equals_dense_fit(name, fmt):
    X, y = _sparse_problem()
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    Xs = sp.csr_matrix(X).asformat(fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = CONFIGS[name]().fit(X, y, sample_weight=w)
        est = CONFIGS[name]().fit(Xs, y, sample_weight=w)
    scale = np.ptp(dense.predict(X))
    np.testing.assert_allclose(est.predict(Xs), dense.predict(X), atol=1e-9 * scale)
    np.testing.assert_allclose(est.predict(X), dense.predict(X), atol=1e-9 * scale)
    np.testing.assert_allclose(
        est.hidden_weights_, dense.hidden_weights_, atol=1e-9, rtol=1e-8
    )


def test_sparse_float32_stays_float32():
    X, y = _sparse_problem()
    Xs = sp.csr_matrix(X.astype(np.float32))
    est = ProjectedShallowRegressor(random_state=0).fit(Xs, y.astype(np.float32))
    assert est.hidden_weights_.dtype == np.float32
    assert est.predict(Xs).dtype == np.float32


def test_sparse_x_is_never_densified():
    # A dense copy of this X would take 320 MB; the fit must stay far below.
    rng = np.random.default_rng(0)
    n, p = 20000, 2000
    X = sp.random(n, p, density=1e-3, format="csr", random_state=0, dtype=float)
    y = rng.standard_normal(n)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            RVSMRegressor(n_hidden=5, max_iter=3, random_state=0).fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40e6, peak


def test_convolution_refuses_sparse_x_clearly():
    X, y = _sparse_problem(n_features=20)
    est = ProjectedShallowRegressor(
        architecture=Convolution(kernel_size=5, stride=5), random_state=0
    )
    with pytest.raises(ValueError, match="Convolution needs dense X"):
        est.fit(sp.csr_matrix(X), y)


def test_tensor_start_refuses_sparse_x_clearly():
    X, y = _sparse_problem()
    with pytest.raises(TypeError, match="dense data is required"):
        TensorInitOneHidden(n_hidden=3).fit(sp.csr_matrix(X), y)
    with pytest.raises(TypeError, match="dense data is required"):
        ProjectedShallowRegressor(init="tensor").fit(sp.csr_matrix(X), y)


def test_a_sparse_fit_sizes_its_thread_policy_by_its_nonzeros():
    # 2000 x 5000 with 0.2 % nonzeros: 2e7 entries but 2e4 nonzeros, far
    # below the size where more than one BLAS thread pays; the fit runs on
    # one thread (seen from inside the loop, through the callback).
    from threadpoolctl import threadpool_info

    from sklearn_shallow._threads import SINGLE_THREAD_BELOW

    X = sp.random(2000, 5000, density=0.002, format="csr", random_state=0)
    y = np.asarray(X.sum(axis=1)).ravel()
    seen = []

    def callback(info):
        blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        seen.append(max(blas))

    est = ProjectedShallowRegressor(n_hidden=5, max_iter=3, callback=callback)
    assert X.shape[0] * X.shape[1] * 5 > SINGLE_THREAD_BELOW
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert seen and set(seen) == {1}
