"""Soltanolkotabi (2017) Fig. 1: the schedule, the trial traces, the claim."""

import math

import numpy as np
import pytest

from sklearn_shallow.datasets import make_sparse_relu
from sklearn_shallow.experiments import soltanolkotabi as sk

D, S = 200, 5


def _iht_by_hand(X, y, s, steps, n_iter):
    """Theorem 3.1's iteration written out: the paper's gradient (3.1),
    ``(1/n) sum (relu(<w,x>) - y)(1 + sgn(<w,x>)) x``, the steps mu_0, then
    mu_1, and hard thresholding to the s largest entries."""
    n, d = X.shape
    w = np.zeros(d)
    out = []
    for t in range(n_iter):
        z = X @ w
        grad = X.T @ ((np.maximum(z, 0) - y) * (1 + np.sign(z))) / n
        w = w - steps[min(t, 1)] * grad
        keep = np.argsort(np.abs(w))[-s:]
        thresholded = np.zeros(d)
        thresholded[keep] = w[keep]
        w = thresholded
        out.append(w)
    return out


def test_paper_schedule_is_theorem_3_1_by_hand():
    n = math.ceil(8 * S * math.log(D / S))
    X, y, truth = make_sparse_relu(n, n_features=D, n_nonzero=S, random_state=3)
    w_star = truth.hidden_weights[0]
    ours = sk._trajectory(X, y, truth, "relu", 8, sk.RELU_STEPS)
    by_hand = [1.0] + [
        float(np.linalg.norm(w - w_star))
        for w in _iht_by_hand(X, y, S, sk.PAPER_STEPS, 8)
    ]
    np.testing.assert_allclose(ours, by_hand, rtol=1e-9, atol=1e-12)
    # Theorem 3.1's steps learn w*: the error shrinks by far in 8 steps.
    assert ours[-1] < 0.05


def test_paper_steps_translate_by_the_factor_two_of_the_gradient():
    assert sk.PAPER_STEPS == (2.0, 1.0)
    assert sk.RELU_STEPS == (4.0, 2.0)


@pytest.fixture(scope="module")
def tiny_runs():
    return {
        paper: sk.run(n_features=D, n_nonzero=S, n_trials=3, paper_steps=paper)
        for paper in (False, True)
    }


@pytest.mark.parametrize("paper", [False, True])
def test_claim_holds_at_tiny_size(tiny_runs, paper):
    rows = tiny_runs[paper]
    assert sk.check(rows) == []
    assert rows[0]["relu_error"] == pytest.approx(1.0, abs=1e-12)
    assert rows[-1]["iteration"] == 20


def test_rows_carry_the_sample_trials_and_their_mean(tiny_runs):
    rows = tiny_runs[True]
    for r in rows:
        trials = [r[f"relu_{k}"] for k in range(1, 4)]
        assert r["relu_error"] == pytest.approx(np.mean(trials))
        assert r["relu_worst"] == pytest.approx(max(trials))


def test_paper_table_sets_the_theorem_beside_ours(tiny_runs):
    table = sk.paper_table(tiny_runs[True])
    by = {row["quantity"]: row for row in table}
    assert by["ReLU steps"]["ours"].startswith("4, then 2")
    assert "mu_0 = 2" in by["ReLU steps"]["paper"]
    assert by["samples n = ceil(8 s log(d/s))"]["ours"] == math.ceil(
        8 * S * math.log(D / S)
    )


def test_rate_of_a_geometric_sequence():
    rows = [{"relu_error": 0.3**t} for t in range(15)]
    assert sk.rate(rows) == pytest.approx(0.3)


def _rows(mean, worst):
    base = {"linear_error": 1e-9, "linear_worst": 1e-9}
    first = {**base, "iteration": 0, "relu_error": 1.0, "relu_worst": 1.0}
    last = {**base, "iteration": 20, "relu_error": mean, "relu_worst": worst}
    return [first, last]


def test_check_rejects_a_slow_mean_and_a_stuck_trial():
    assert sk.check(_rows(1e-5, 1e-4)) == []
    assert any("mean error" in f for f in sk.check(_rows(0.2, 0.5)))
    # One trial of many stuck: the mean may pass, the worst trial does not.
    assert any("worst trial" in f for f in sk.check(_rows(5e-4, 0.2)))


def test_figure_draws_the_trials(tiny_runs, tmp_path):
    pytest.importorskip("matplotlib")
    path = sk.plot(tiny_runs[True], tmp_path / "s.png")
    assert path.stat().st_size > 5_000
