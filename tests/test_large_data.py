"""The large-data policy of ``batch_size='auto'`` (issue 22): subsample
stages that end with the full-batch fit on every row."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import ProjectedShallowClassifier, ProjectedShallowRegressor
from sklearn_shallow._fit import large
from sklearn_shallow._fit.large import subsample_sizes


def _planted(n, p=8, h=3, seed=0, noise=0.0):
    """A planted ReLU network with a learned output layer."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((h, p)) / np.sqrt(p)
    o = rng.standard_normal(h)
    y = np.maximum(X @ W.T, 0.0) @ o + 0.3 + noise * rng.standard_normal(n)
    return X, y


@pytest.fixture
def small_stages(monkeypatch):
    """The policy at a size the tests can afford: stages from 1000 rows,
    the first of 250 rows."""
    monkeypatch.setattr(large, "STAGED_FROM", 1000)
    monkeypatch.setattr(large, "FIRST_ROWS", 250)
    monkeypatch.setattr(large, "ROWS_PER_PARAM", 5)


@pytest.mark.parametrize(
    "n_rows, n_params, expected",
    [
        (large.STAGED_FROM - 1, 10, ()),
        # 10000 * 4 ** k up to a quarter of the rows.
        (200_000, 2021, (10_105, 40_420)),
        (1_000_000, 2021, (10_105, 40_420, 161_680)),
        # Many parameters: the first stage grows with them, and no stage
        # when it would not be GROWTH times smaller than the data.
        (1_000_000, 110_201, ()),
        (2_400_000, 110_201, (551_005,)),
    ],
)
def test_subsample_sizes(n_rows, n_params, expected):
    assert subsample_sizes(n_rows, n_params) == expected


def test_auto_is_the_full_batch_fit_below_the_threshold():
    # Below STAGED_FROM rows 'auto' is batch_size=None, bit for bit.
    X, y = _planted(400)
    fits = [
        ProjectedShallowRegressor(n_hidden=3, batch_size=b, random_state=0).fit(X, y)
        for b in ("auto", None)
    ]
    np.testing.assert_array_equal(fits[0].hidden_weights_, fits[1].hidden_weights_)
    np.testing.assert_array_equal(fits[0].output_weights_, fits[1].output_weights_)
    assert fits[0].loss_curve_ == fits[1].loss_curve_
    assert fits[0].fit_stages_ is None


def test_stages_reach_the_full_batch_loss(small_stages):
    # With noise the optimum on all rows is not the planted network, and
    # each stage's differs from it: the last stage must still reach the
    # full-batch fit's objective on every row.
    X, y = _planted(4000, noise=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        staged = ProjectedShallowRegressor(n_hidden=3, random_state=0).fit(X, y)
    full = ProjectedShallowRegressor(n_hidden=3, batch_size=None, random_state=0)
    full.fit(X, y)
    # The handover: stages of 250 and 1000 rows, then all 4000.
    rows = [r for r, _ in staged.fit_stages_]
    assert rows == [250, 1000, 4000]
    assert sum(i for _, i in staged.fit_stages_) == staged.n_iter_
    assert staged.fit_stages_[-1][1] >= 1
    # The objective on all rows (internal units) no higher than the
    # full-batch fit's: the two runs may end in different minima (here the
    # staged one lower), never a worse one by more than the tolerance.
    assert staged.loss_curve_[-1] <= full.loss_curve_[-1] * (1 + 1e-3)
    assert staged.score(X, y) >= full.score(X, y) - 1e-3


def test_stages_honour_max_iter_and_callback(small_stages):
    X, y = _planted(2000)
    est = ProjectedShallowRegressor(n_hidden=3, max_iter=30, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter=30"):
        est.fit(X, y)
    assert est.n_iter_ <= 30
    assert est.fit_stages_[-1][0] == 2000
    # No iteration left for a stage: the fit on all rows alone.
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        est.set_params(max_iter=1).fit(X, y)
    assert est.n_iter_ == 1 and est.fit_stages_ is None
    # A callback that stops the fit stops it within the first stage.
    seen = []
    est = ProjectedShallowRegressor(
        n_hidden=3, callback=lambda info: seen.append(1) or len(seen) == 3
    ).fit(X, y)
    assert est.n_iter_ == 3 and est.fit_stages_ == [(250, 3)]


def test_stages_keep_the_constraint(small_stages):
    # A constraint's dense start runs the stages unconstrained; the fit on
    # all rows then projects and keeps every iterate in the set.
    X, y = _planted(2000)
    est = ProjectedShallowRegressor(
        n_hidden=3, constraint="l0", tau=12, random_state=0
    ).fit(X, y)
    assert np.count_nonzero(est.hidden_weights_) <= 12
    assert est.fit_stages_[-1][0] == 2000


def test_stages_with_early_stopping_and_classifier(small_stages):
    X, y = _planted(2000)
    est = ProjectedShallowRegressor(
        n_hidden=3, early_stopping=True, random_state=0
    ).fit(X, y)
    # The stages run on the training split (90% of the rows).
    assert est.fit_stages_[-1][0] == 1800
    assert est.best_validation_score_ > 0.99
    clf = ProjectedShallowClassifier(n_hidden=3, random_state=0).fit(X, y > 0.3)
    assert [r for r, _ in clf.fit_stages_] == [250, 2000]
    assert clf.score(X, y > 0.3) > 0.95


def test_partial_fit_under_auto():
    # partial_fit runs mini-batches of 200 rows whatever 'auto' means.
    X, y = _planted(300)
    est = ProjectedShallowRegressor(n_hidden=3, random_state=0).partial_fit(X, y)
    assert est.n_iter_ == 1 and est.fit_stages_ is None


def test_stages_on_sparse_x_equal_dense(small_stages):
    # The stages copy rows of a CSR matrix as they copy rows of an array:
    # the same fit, to rounding.
    from scipy import sparse

    X, y = _planted(2000)
    dense = ProjectedShallowRegressor(n_hidden=3, random_state=0).fit(X, y)
    csr = ProjectedShallowRegressor(n_hidden=3, random_state=0)
    csr.fit(sparse.csr_matrix(X), y)
    assert csr.fit_stages_ == dense.fit_stages_
    np.testing.assert_allclose(
        csr.predict(X[:50]), dense.predict(X[:50]), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_stages_on_array_api_input_equal_numpy(small_stages, library, dispatch):
    # Under dispatch the stages take their rows in X's namespace and on its
    # device: the same stages and the same fit as on numpy arrays.
    pytest.importorskip("array_api_compat")
    lib = pytest.importorskip(library)
    from sklearn_shallow import _array_api as aa

    if library == "torch":
        put = lib.asarray
    else:
        put = lambda a: lib.asarray(a, device=lib.Device("device1"))  # noqa: E731
    X, y = _planted(1200, p=4)
    ref = ProjectedShallowRegressor(n_hidden=3, random_state=0).fit(X, y)
    assert len(ref.fit_stages_) == 2
    est = ProjectedShallowRegressor(n_hidden=3, random_state=0)
    est.fit(put(X), put(y))
    pred = aa.to_numpy(est.predict(put(X[:50])))
    assert est.fit_stages_ == ref.fit_stages_
    expected = ref.predict(X[:50])
    scale = np.max(np.abs(expected))
    assert np.max(np.abs(pred - expected)) <= 1e-10 * scale
