"""The shared descent loop, exercised through ProjectedShallowRegressor."""

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import DivergenceError, ProjectedShallowRegressor
from sklearn_shallow.datasets import make_sparse_network, oymak_init


@pytest.fixture(scope="module")
def planted():
    X, y, truth = make_sparse_network(400, random_state=0)
    return X, y, truth


def _paper_net(**kw):
    params = dict(output_weights="ones", fit_intercept=False, random_state=0)
    params.update(kw)
    return ProjectedShallowRegressor(**params)


def test_auto_step_decreases_full_batch_loss_monotonically(planted):
    X, y, _ = planted
    est = _paper_net(max_iter=100, tol=0).fit(X, y)
    curve = np.asarray(est.loss_curve_)
    assert len(curve) == est.n_iter_ == 100
    assert np.all(np.diff(curve) <= 1e-12 * curve[:-1])
    assert curve[-1] < 0.2 * curve[0]


def test_fixed_step_that_diverges_raises_clear_error(planted):
    X, y, _ = planted
    msg = re.escape("diverged") + ".*step_size=50.0"
    with pytest.raises(DivergenceError, match=msg):
        _paper_net(step_size=50.0, max_iter=100).fit(X, y)


def test_paper_step_of_five_diverges_under_our_scaling(planted):
    # ALGORITHMS.md section 2: mu = 5 from Oymak (2018) diverges with the
    # 1/(2n) loss used here; the error must say so instead of returning NaN.
    X, y, truth = planted
    W0 = oymak_init(truth, "good", random_state=100)
    with pytest.raises(DivergenceError, match="diverged"):
        _paper_net(step_size=5.0, init=W0, max_iter=2000).fit(X, y)


def test_small_fixed_step_is_used_as_given(planted):
    X, y, truth = planted
    W0 = oymak_init(truth, "good", random_state=100)
    est = _paper_net(step_size=0.05, init=W0, max_iter=5, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.step_size_ == 0.05
    # One step by hand from W0: W1 = W0 - mu * grad, grad = D^T X / n.
    Z = X @ W0.T
    r = np.maximum(Z, 0).sum(axis=1) - y
    grad = ((Z > 0) * r[:, None]).T @ X / len(y)
    one = _paper_net(step_size=0.05, init=W0, max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one.fit(X, y)
    np.testing.assert_allclose(one.hidden_weights_, W0 - 0.05 * grad, rtol=1e-12)


def test_max_iter_reached_warns(planted):
    X, y, _ = planted
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        _paper_net(max_iter=3).fit(X, y)


def test_tol_stops_a_noisy_fit_before_max_iter():
    X, y, _ = make_sparse_network(300, noise=1.0, random_state=1)
    est = ProjectedShallowRegressor(random_state=0, max_iter=5000, tol=1e-3)
    est.fit(X, y)
    assert est.n_iter_ < 5000


def test_callback_receives_iterates_and_can_stop(planted):
    X, y, _ = planted
    seen = []

    def callback(info):
        seen.append((info["iteration"], info["loss"], info["params"]["hidden"].copy()))
        return info["iteration"] == 7

    est = _paper_net(max_iter=50, callback=callback).fit(X, y)
    assert est.n_iter_ == 7
    assert [s[0] for s in seen] == list(range(1, 8))
    assert seen[-1][1] == est.loss_curve_[-1]
    np.testing.assert_array_equal(seen[-1][2], est.hidden_weights_)


def test_early_stopping_keeps_best_weights(planted):
    X, y, _ = planted
    rng = np.random.default_rng(0)
    y_noisy = y + 2.0 * rng.standard_normal(len(y))
    snapshots = {}

    def callback(info):
        snapshots[info["iteration"]] = (
            info["validation_score"],
            info["params"]["hidden"].copy(),
        )

    est = ProjectedShallowRegressor(
        n_hidden=40,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=5,
        max_iter=500,
        callback=callback,
        random_state=0,
    ).fit(X, y_noisy)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(snapshots)
    best = int(np.argmax(scores))
    assert est.best_validation_score_ == pytest.approx(scores[best])
    # The model returned is the best iterate, not the last one.
    np.testing.assert_array_equal(est.hidden_weights_, snapshots[best + 1][1])
    assert est.n_iter_ < 500


def test_early_stopping_needs_validation_samples():
    X = np.random.default_rng(0).standard_normal((5, 2))
    y = X[:, 0]
    est = ProjectedShallowRegressor(early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="at least 2 validation samples"):
        est.fit(X, y)


def test_verbose_prints_progress(planted, capsys):
    X, y, _ = planted
    _paper_net(max_iter=20, verbose=1, tol=0).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss =" in out
    assert "Iteration 20, loss =" in out


def test_minibatches_learn_the_planted_network(planted):
    X, y, truth = planted
    W0 = oymak_init(truth, "good", random_state=100)
    est = _paper_net(
        constraint="l1",
        tau=truth.l1_norm,
        init=W0,
        batch_size=100,
        max_iter=300,
        tol=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_curve_[-1] < 1e-2 * est.loss_curve_[0]


def test_warm_start_continues_from_previous_fit(planted):
    X, y, _ = planted
    est = _paper_net(max_iter=30, tol=0, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        first = est.loss_curve_[-1]
        est.set_params(max_iter=1)
        est.fit(X, y)
    assert est.loss_curve_[0] <= first
    cold = _paper_net(max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cold.fit(X, y)
    assert est.loss_curve_[0] < 0.5 * cold.loss_curve_[0]


def test_integer_sample_weights_equal_repeated_rows(planted):
    X, y, _ = planted
    X, y = X[:60], y[:60]
    w = np.random.default_rng(0).integers(0, 3, size=60)
    a = _paper_net(max_iter=20, tol=0).fit(X, y, sample_weight=w)
    b = _paper_net(max_iter=20, tol=0).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.hidden_weights_, b.hidden_weights_, rtol=1e-7)
