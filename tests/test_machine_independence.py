"""The same results on every machine: LAPACK's choices and BLAS threads.

LAPACK returns each eigenvector up to sign (a complex one up to phase) and a
repeated eigenvalue's eigenspace in any basis; which one depends on the
build. The fakes below return the same decompositions with those choices
made at random, as another build could, and the tensor step must not
notice. The thread tests run the same fits under one and two BLAS threads.
"""

import numpy as np
import pytest
from scipy import linalg
from scipy.sparse import linalg as sparse_linalg
from threadpoolctl import threadpool_limits

from sklearn_shallow import TensorInitOneHidden, tensor_init
from sklearn_shallow._threads import SINGLE_THREAD_BELOW
from sklearn_shallow.datasets import make_planted_network
from sklearn_shallow.tensor_init import tensor_initialization


def _random_orthogonal(size, rng):
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return q * np.sign(np.diag(r))


def _rebased(values, vectors, rng):
    """Same eigenpairs, another basis of each eigenspace (signs included)."""
    vectors = vectors.copy()
    tol = 1e-9 * np.abs(values).max()
    order = np.argsort(values)
    groups = np.split(order, np.flatnonzero(np.diff(values[order]) > tol) + 1)
    for group in groups:
        vectors[:, group] = vectors[:, group] @ _random_orthogonal(group.size, rng)
    return values, vectors


def _fake_eigh(rng):
    real = linalg.eigh

    def eigh(a, *args, **kwargs):
        return _rebased(*real(a, *args, **kwargs), rng)

    return eigh


def _fake_eigsh(rng):
    real = sparse_linalg.eigsh

    def eigsh(*args, **kwargs):
        return _rebased(*real(*args, **kwargs), rng)

    return eigsh


def _fake_eig(rng):
    """Eigenpairs in another order, each vector times a random phase.

    A complex-conjugate pair stays together, positive imaginary part first,
    as LAPACK lists it, and its second vector stays the conjugate of the
    first.
    """
    real = linalg.eig

    def eig(a, *args, **kwargs):
        values, vectors = real(a, *args, **kwargs)
        blocks, j = [], 0
        while j < values.size:
            width = 2 if values[j].imag > 0 and j + 1 < values.size else 1
            blocks.append(list(range(j, j + width)))
            j += width
        new_values, new_vectors = [], []
        for index in rng.permutation(len(blocks)):
            block = blocks[index]
            if len(block) == 1:
                new_values.append(values[block[0]])
                new_vectors.append(vectors[:, block[0]] * rng.choice([-1.0, 1.0]))
            else:
                first = vectors[:, block[0]] * np.exp(1j * rng.uniform(0, 2 * np.pi))
                new_values += [values[block[0]], values[block[1]]]
                new_vectors += [first, np.conj(first)]
        return np.array(new_values), np.column_stack(new_vectors)

    return eig


def _planted(n_samples, n_features, activation, seed=0):
    X, y, _ = make_planted_network(
        n_samples,
        n_features=n_features,
        n_hidden=4,
        activation=activation,
        output_weights="signs",
        condition_number=2.0,
        random_state=seed,
    )
    return X, y


def _tiny_wide():
    # Fewer samples than features, as in scikit-learn's estimator checks:
    # P2 then has an eigenvalue repeated n_features - n_samples times.
    rng = np.random.RandomState(42)
    return rng.rand(15, 30), rng.randint(0, 3, size=15).astype(float)


CASES = {
    # eigh on a dense P2 (n_features <= DENSE_MAX_FEATURES).
    "dense-relu": lambda: _planted(4000, 10, "relu"),
    "dense-squared-relu": lambda: _planted(4000, 10, "squared_relu"),
    # Lanczos (eigsh) on the matrix-free P2.
    "lanczos": lambda: _planted(3000, 80, "squared_relu"),
    # A repeated eigenvalue at the cut.
    "fewer-samples-than-features": _tiny_wide,
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_tensor_step_ignores_lapack_choices(case, seed, monkeypatch):
    X, y = CASES[case]()
    expected = tensor_initialization(X, y, 4, "relu", random_state=0)
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(tensor_init.linalg, "eigh", _fake_eigh(rng))
    monkeypatch.setattr(tensor_init.linalg, "eig", _fake_eig(rng))
    monkeypatch.setattr(tensor_init, "eigsh", _fake_eigsh(rng))
    got = tensor_initialization(X, y, 4, "relu", random_state=0)
    scale = np.abs(expected.hidden_weights).max()
    np.testing.assert_allclose(
        got.hidden_weights, expected.hidden_weights, rtol=0, atol=1e-10 * scale
    )
    np.testing.assert_array_equal(got.output_weights, expected.output_weights)
    np.testing.assert_allclose(got.subspace, expected.subspace, rtol=0, atol=1e-10)


def test_units_come_in_canonical_order():
    X, y = _planted(4000, 10, "squared_relu")
    result = tensor_initialization(X, y, 4, "squared_relu", random_state=0)
    # Largest first, on the inputs scaled to unit root mean square.
    norms = np.linalg.norm(result.hidden_weights * result.feature_scale, axis=1)
    assert np.all(np.diff(norms) <= 0), norms
    np.testing.assert_allclose(result.feature_scale, np.sqrt(np.mean(X**2, axis=0)))


# Large enough for the fits and the tensor step to use several BLAS threads.
_LARGE = int(SINGLE_THREAD_BELOW // (20 * 4)) + 1000


def _under_threads(n_threads, function, *args, **kwargs):
    with threadpool_limits(n_threads, user_api="blas"):
        return function(*args, **kwargs)


@pytest.mark.parametrize(
    "n_samples, n_features",
    [
        (3000, 20),  # below the single-thread size: one thread either way
        (_LARGE, 20),  # BLAS threads run
    ],
)
def test_tensor_step_same_under_one_and_two_blas_threads(n_samples, n_features):
    X, y = _planted(n_samples, n_features, "relu", seed=1)
    one = _under_threads(1, tensor_initialization, X, y, 4, "relu", random_state=0)
    two = _under_threads(2, tensor_initialization, X, y, 4, "relu", random_state=0)
    scale = np.abs(one.hidden_weights).max()
    np.testing.assert_allclose(
        two.hidden_weights, one.hidden_weights, rtol=0, atol=1e-10 * scale
    )
    np.testing.assert_array_equal(two.output_weights, one.output_weights)


@pytest.mark.parametrize(
    "data, max_iter",
    [
        ("planted", 500),
        ("fewer-samples-than-features", 500),
        # Two threads on a busy 2-core machine can take a minute here.
        pytest.param("large", 20, marks=pytest.mark.slow),
    ],
)
def test_tensor_net_same_under_one_and_two_blas_threads(data, max_iter):
    if data == "fewer-samples-than-features":
        X, y = _tiny_wide()
    else:
        X, y = _planted(3000 if data == "planted" else _LARGE, 20, "relu", seed=1)
    est = TensorInitOneHidden(n_hidden=4, max_iter=max_iter, random_state=0)
    one = _under_threads(1, est.fit, X, y).predict(X)
    two = _under_threads(2, est.fit, X, y).predict(X)
    np.testing.assert_allclose(two, one, rtol=1e-10, atol=1e-10 * np.abs(one).max())


def _blas_thread_counts():
    from threadpoolctl import threadpool_info

    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_concurrent_fits_in_threads_restore_the_blas_threads():
    # Fits in four threads enter and leave the one-thread limit in every
    # order; afterwards BLAS must run on as many threads as before (with
    # a plain process-wide limit per fit, it stayed at 1 in 2 of 3 runs).
    from concurrent.futures import ThreadPoolExecutor

    X, y = _planted(2000, 10, "relu")
    params = dict(n_hidden=3, max_iter=100, tol=0)
    before = _blas_thread_counts()

    def fit(seed):
        return TensorInitOneHidden(random_state=seed, **params).fit(X, y)

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=4) as pool:
            fitted = list(pool.map(fit, range(12)))
        assert _blas_thread_counts() == before
    # The fits themselves ran as they would alone.
    alone = TensorInitOneHidden(random_state=5, **params).fit(X, y)
    # (Worker threads keep the process limits, so rounding may differ a little.)
    np.testing.assert_allclose(fitted[5].predict(X), alone.predict(X), rtol=1e-8)


def test_thread_limit_left_out_of_order_is_restored():
    # Fit A enters the one-thread limit, fit B enters, A leaves, B leaves:
    # the order in which a process-wide limit per fit restores the wrong
    # count (B would put back the 1 it found on entering).
    import threading

    from sklearn_shallow._threads import blas_threads

    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    inside = []

    def fit_a():
        with blas_threads(0):
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def fit_b():
        a_in.wait(10)
        with blas_threads(0):
            b_in.set()
            a_out.wait(10)
            inside.append(_blas_thread_counts())

    before = _blas_thread_counts()
    threads = [threading.Thread(target=f) for f in (fit_a, fit_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(inside) == 1
    assert _blas_thread_counts() == before
