"""The stages of a column-sparse fit (issue 21).

A fit with ``constraint='l0_features'`` from the dense start passes through
halving input budgets, settles on its input columns in a few projected
steps, descends on those columns alone (a network on ``X[:, columns]``),
then ends with projected steps on every input, and swaps one input for
another while a swap fits better
(``sklearn_shallow._fit.run._descend_by_support``). These tests check that
the smaller problem is the same problem, that the staged fit ends where the
constrained problem's optimum is (a closed form), that it finds planted
inputs, and that the user's callback and ``max_iter`` see one fit.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from sklearn_shallow import ProjectedShallowClassifier, ProjectedShallowRegressor
from sklearn_shallow._base import auto_alpha_scale
from sklearn_shallow._fit import run as run_module
from sklearn_shallow._fit.run import EXCHANGE_TRIALS
from sklearn_shallow._loss import LogisticLoss, SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import ReLU
from sklearn_shallow.architectures import Dense
from sklearn_shallow.projected import ALPHA_FEATURES_START


def _blocks(model, hidden, rng):
    params = [hidden]
    if "output" in model.names:
        params.append(rng.standard_normal((model.n_hidden,) + model.output_shape))
    if "intercept" in model.names:
        params.append(rng.standard_normal(model.output_shape or (1,)))
    return params


@pytest.mark.parametrize("as_sparse", [False, True])
@pytest.mark.parametrize("n_outputs", [None, 3])
def test_the_objective_on_columns_is_the_same_objective(as_sparse, n_outputs):
    rng = np.random.default_rng(0)
    n, p, h = 60, 9, 4
    X = rng.standard_normal((n, p)) * (rng.random((n, p)) < 0.5)
    if as_sparse:
        X = sparse.csr_matrix(X)
    y = rng.standard_normal(n if n_outputs is None else (n, n_outputs))
    scale = rng.uniform(0.5, 2.0, p)
    columns = np.array([1, 4, 5, 8])
    for loss, exact in ((SquaredLoss(), True), (SquaredLoss(), False)):
        model = ShallowModel(
            ReLU(), Dense(), p, h, None, True, column_scale=scale, n_outputs=n_outputs
        )
        full = Objective(model, loss, X, y, exact_linear=exact, alpha=0.3)
        hidden = np.zeros((h, p))
        hidden[:, columns] = rng.standard_normal((h, columns.size))
        params = _blocks(model, hidden, rng)
        batch = full.batches()[0]
        f_full = full.value(params, batch)  # fixes the output layer's ridge
        sub = full.on_columns(columns)
        sub_params = [hidden[:, columns].copy()] + [b.copy() for b in params[1:]]
        assert_allclose(sub.value(sub_params, batch), f_full, rtol=1e-12)
        g_full = [np.empty_like(b) for b in params]
        g_sub = [np.empty_like(b) for b in sub_params]
        full.gradient(params, batch, g_full)
        sub.gradient(sub_params, batch, g_sub)
        assert_allclose(g_sub[0], g_full[0][:, columns], rtol=1e-10, atol=1e-14)
        for a, b in zip(g_sub[1:], g_full[1:]):
            assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_on_columns_keeps_the_classification_loss():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 6))
    y = (rng.random(40) < 0.5).astype(float)
    model = ShallowModel(ReLU(), Dense(), 6, 3, None, True)
    full = Objective(model, LogisticLoss(), X, y)
    hidden = np.zeros((3, 6))
    hidden[:, [0, 2]] = rng.standard_normal((3, 2))
    params = _blocks(model, hidden, rng)
    sub = full.on_columns(np.array([0, 2]))
    sub_params = [hidden[:, [0, 2]].copy()] + [b.copy() for b in params[1:]]
    batch = full.batches()[0]
    assert_allclose(sub.value(sub_params, batch), full.value(params, batch), rtol=1e-12)


def _linear_problem(seed, n=300, p=40, s=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * (rng.random((n, p)) < 0.6)
    support = np.sort(rng.choice(p, s, replace=False))
    coef = rng.choice([-1.0, 1.0], s) * rng.uniform(1.0, 2.0, s)
    y = X[:, support] @ coef + 0.1 * rng.standard_normal(n) + 3.0
    return sparse.csr_matrix(X), y, support


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_staged_fit_ends_at_least_squares_on_its_columns(seed, monkeypatch):
    # Linear units with output weights fixed to one and no penalty: the
    # network is x -> (sum of the hidden rows) . x + b, so on a fixed set of
    # columns the optimum is least squares on those columns (a closed form),
    # which the fit must reach whatever way it went there.
    X, y, support = _linear_problem(seed)
    calls = []
    on_columns = Objective.on_columns

    def spy(self, columns):
        calls.append(np.array(columns))
        return on_columns(self, columns)

    monkeypatch.setattr(Objective, "on_columns", spy)
    est = ProjectedShallowRegressor(
        n_hidden=2,
        activation="linear",
        output_weights="ones",
        alpha=0.0,
        constraint="l0_features",
        tau=len(support),
        tol=1e-10,
        random_state=seed,
    ).fit(X, y)
    used = np.flatnonzero(np.any(est.hidden_weights_ != 0, axis=0))
    assert_array_equal(used, support)
    # It ran, estimated the swaps on the support, then tried swaps of one
    # column (none fits better here).
    assert_array_equal(calls[0], support)
    assert_array_equal(calls[1], support)
    assert len(calls) == 2 + min(EXCHANGE_TRIALS, len(support))
    assert all(len(np.setdiff1d(c, support)) == 1 for c in calls[2:])
    ls = LinearRegression().fit(X[:, support].toarray(), y)
    assert_allclose(est.predict(X), ls.predict(X[:, support].toarray()), atol=1e-5)


def _text_like(seed=0, n=300, p=200):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=0.05, random_state=seed, format="csr")
    y = (X[:, :5] @ rng.standard_normal(5) > 0).astype(int)
    return X, np.asarray(y).ravel()


def test_the_callback_sees_every_iteration_with_all_inputs_and_can_stop():
    X, y = _text_like()
    seen = []

    def callback(info):
        seen.append(info["params"]["hidden"].shape)
        return len(seen) >= 40

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = ProjectedShallowClassifier(
            constraint="l0_features", tau=5, callback=callback, random_state=0
        ).fit(X, y)
    assert len(seen) == 40
    assert set(seen) == {(20, X.shape[1])}
    assert est.n_features_selected_ <= 5
    # The callback is not asked during the dense warm-up; every other
    # iteration it is.
    # (The warm-up is the dense fit under the start's weight decay.)
    alpha = ALPHA_FEATURES_START * auto_alpha_scale(X.shape[0])
    warm = ProjectedShallowClassifier(alpha=alpha, random_state=0).fit(X, y).n_iter_
    assert est.n_iter_ == warm + 40


def test_the_stages_share_max_iter():
    X, y = _text_like()
    alpha = ALPHA_FEATURES_START * auto_alpha_scale(X.shape[0])
    warm = ProjectedShallowClassifier(alpha=alpha, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        n_warm = warm.fit(X, y).n_iter_
    with pytest.warns(ConvergenceWarning, match="max_iter=30"):
        est = ProjectedShallowClassifier(
            constraint="l0_features", tau=5, max_iter=30, random_state=0
        ).fit(X, y)
    assert est.n_iter_ == n_warm + 30
    assert est.n_features_selected_ <= 5


@pytest.mark.parametrize(
    "n_keep, groups, expected",
    [
        (5, None, [25, 12, 6]),
        (3, None, [25, 12, 6]),
        (6, None, [25, 12]),
        (25, None, []),
        (2, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], [20, 10, 5]),
    ],
)
def test_the_budgets_halve_down_to_the_set(n_keep, groups, expected):
    from sklearn_shallow import L0Features

    sets = L0Features(n_keep, groups=groups).narrowing((4, 50))
    assert [c.n_features for c in sets] == expected
    assert all(c.groups == groups for c in sets)


def _planted_network(seed, p=50, s=5, h=5):
    # Learned output layer and intercept, Gaussian inputs, n = 10 s h.
    rng = np.random.default_rng(seed)
    n = 10 * s * h
    X = rng.standard_normal((n, p))
    relevant = np.sort(rng.choice(p, s, replace=False))
    W = rng.standard_normal((h, s))
    y = np.maximum(X[:, relevant] @ W.T, 0) @ rng.standard_normal(h) + 0.5
    return X, y, relevant


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_input_budget_finds_the_planted_inputs(seed):
    X, y, relevant = _planted_network(seed)
    est = ProjectedShallowRegressor(
        constraint="l0_features", tau=len(relevant), random_state=seed
    ).fit(X, y)
    used = np.flatnonzero(np.any(est.hidden_weights_ != 0, axis=0))
    assert_array_equal(used, relevant)


def test_a_budget_of_every_input_builds_no_smaller_problem(monkeypatch):
    # With every column kept there is nothing to drop: no copy of X[:, all].
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6))
    y = np.maximum(X[:, 0], 0) + X[:, 1]
    sizes = []
    on_columns = Objective.on_columns

    def spy(self, columns):
        sizes.append(len(columns))
        return on_columns(self, columns)

    monkeypatch.setattr(Objective, "on_columns", spy)
    # tau=2: the support, the swaps' estimates on it, then a swap tried in
    # place of each kept column.
    for tau, expected in ((6, []), (2, [2, 2, 2, 2])):
        sizes.clear()
        est = ProjectedShallowRegressor(
            constraint="l0_features", tau=tau, random_state=0
        ).fit(X, y)
        assert sizes == expected
        assert est.score(X, y) > 0.95


def _decoy_problem(seed, n=400, p=8):
    # y = x0 + x1 exactly, and a decoy x2 = 0.8 x0 + 0.4 x1 + noise that
    # explains more of y alone than x0 or x1 does. The best two columns are
    # x0 and x1 (zero residual); a fit on the decoy and x1 is a fixed point
    # of projected steps (its residual is the decoy's noise, orthogonal to
    # x0 in expectation), from which one swap (x2 out, x0 in) reaches them.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 2] = 0.8 * X[:, 0] + 0.4 * X[:, 1] + 0.4 * rng.standard_normal(n)
    return X, X[:, 0] + X[:, 1]


def _least_squares_best_pair(X, y):
    best = None
    for i in range(X.shape[1]):
        for j in range(i + 1, X.shape[1]):
            A = np.column_stack([X[:, [i, j]], np.ones(len(y))])
            rss = np.sum((y - A @ np.linalg.lstsq(A, y, rcond=None)[0]) ** 2)
            if best is None or rss < best[0]:
                best = (rss, [i, j])
    return best[1]


def _fit_from_the_decoy(X, y, seed):
    # Linear units with output weights fixed to one: the network is
    # x -> (w_1 + w_2) . x + b. Start near least squares on columns 1 and 2
    # (at it exactly, the first gradient is rounding noise).
    A = np.column_stack([X[:, [1, 2]], np.ones(len(y))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    start = np.zeros((2, X.shape[1]))
    start[:, [1, 2]] = 0.9 * coef[:2] / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ProjectedShallowRegressor(
            n_hidden=2,
            activation="linear",
            output_weights="ones",
            alpha=0.0,
            constraint="l0_features",
            tau=2,
            init=start,
            tol=1e-10,
            random_state=seed,
        ).fit(X, y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_swaps_reach_the_best_subset_past_a_decoy(seed, monkeypatch):
    # On a set of columns the fit is least squares, so the best budget of
    # two is found by brute force over every pair. From the decoy's fit the
    # projected steps alone stay there (checked with the swaps switched
    # off: the test can fail); the swaps reach the best pair, exactly.
    X, y = _decoy_problem(seed)
    best = _least_squares_best_pair(X, y)
    assert best == [0, 1]
    est = _fit_from_the_decoy(X, y, seed)
    used = np.flatnonzero(np.any(est.hidden_weights_ != 0, axis=0))
    assert_array_equal(used, best)
    assert_allclose(est.predict(X), y, atol=1e-4)
    assert est.n_iter_ <= est.max_iter

    monkeypatch.setattr(run_module, "EXCHANGE_TRIALS", 0)
    plain = _fit_from_the_decoy(X, y, seed)
    assert_array_equal(
        np.flatnonzero(np.any(plain.hidden_weights_ != 0, axis=0)), [1, 2]
    )
