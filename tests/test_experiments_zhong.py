"""Zhong et al. Fig. 1: the claim checks, the paper's success criterion and
the tiny run measured against the paper's statements."""

import numpy as np
import pytest

from sklearn_shallow.experiments import zhong


@pytest.fixture(scope="module")
def tiny():
    return zhong.run(**zhong.ZHONG.tiny)


def _grid_rows(least, dims=(10, 20, 30, 40), sizes=range(1000, 6001, 1000)):
    """Tensor-start rows where every n >= least[d] recovers all trials and the
    initialisation error falls like 1 / sqrt(n)."""
    return [
        {
            "panel": "a,b",
            "start": "tensor",
            "d": d,
            "n": n,
            "trials": 10,
            "recovery": 1.0 if n >= least[d] else 0.5,
            "init_error": d / np.sqrt(n),
            "sign_failures": 0,
            "iterations": 500,
        }
        for d in dims
        for n in sizes
    ]


def _curve_rows(tensor=1e-3, random_w=1.0, random_wv=10.0, its=(0, 50, 100)):
    """Panel (c): the tensor start reaches 1e-6 first, random (W, v) never."""
    rows = []
    for start, at, reach in (
        ("tensor", tensor, 400),
        ("random (W, v)", random_wv, -1),
        ("random W, true v", random_w, 800),
    ):
        rows.append(
            {
                "panel": "c",
                "start": start,
                "d": 10,
                "n": 10000,
                "seed": 0,
                "iterations": reach,
                "final_loss": at,
            }
        )
        rows += [
            {
                "panel": "c-curve",
                "start": start,
                "iteration": it,
                "loss_median": at,
                "loss_min": at,
                "loss_max": at,
            }
            for it in its
        ]
    return rows


def _good_rows():
    return _grid_rows({10: 1000, 20: 2000, 30: 3000, 40: 4000}) + _curve_rows()


def test_linear_fit_recovers_a_planted_line():
    # Full recovery from n = 100 d on: the least n is exactly 100 d, so the
    # line through it has slope 100, intercept 0 and R^2 = 1.
    least = zhong.least_full_recovery(_good_rows())
    assert least == {10: 1000, 20: 2000, 30: 3000, 40: 4000}
    slope, intercept, r2 = zhong.linear_fit(least)
    assert slope == pytest.approx(100)
    assert intercept == pytest.approx(0, abs=1e-6)
    assert r2 == pytest.approx(1)


def test_least_full_recovery_needs_every_larger_n():
    rows = _grid_rows({10: 1000, 20: 2000, 30: 3000, 40: 4000})
    # d = 10 loses one trial at n = 3000: full recovery holds from 4000 on.
    next(r for r in rows if r["d"] == 10 and r["n"] == 3000)["recovery"] = 0.9
    # d = 40 never recovers at the largest n: undefined.
    next(r for r in rows if r["d"] == 40 and r["n"] == 6000)["recovery"] = 0.9
    least = zhong.least_full_recovery(rows)
    assert least[10] == 4000
    assert least[40] is None


def test_check_accepts_the_papers_claim():
    assert zhong.check(_good_rows()) == []


def test_check_rejects_a_least_n_that_falls_with_d():
    rows = _grid_rows({10: 5000, 20: 3000, 30: 2000, 40: 1000}) + _curve_rows()
    fails = zhong.check(rows)
    assert any("does not grow with d" in f for f in fails)
    assert any("not about linear" in f for f in fails)


def test_check_rejects_missing_full_recovery():
    rows = _grid_rows({10: 1000, 20: 9000, 30: 9000, 40: 4000}) + _curve_rows()
    assert any("no full recovery" in f for f in zhong.check(rows))


def test_check_rejects_an_initialisation_error_that_grows():
    rows = _good_rows()
    for r in rows:
        if r.get("d") == 20:
            r["init_error"] = r["n"] / 1000
    assert any("(b) d=20" in f for f in zhong.check(rows))


@pytest.mark.parametrize(
    "curves, message",
    [
        (dict(random_w=1e-4), "not below random W, true v"),
        (dict(random_wv=1e-4), "not below random (W, v)"),
    ],
)
def test_check_rejects_a_tensor_curve_above_a_random_one(curves, message):
    rows = _grid_rows({10: 1000, 20: 2000, 30: 3000, 40: 4000}) + _curve_rows(**curves)
    assert any(message in f for f in zhong.check(rows))


@pytest.mark.parametrize(
    "start, iterations, message",
    [
        ("tensor", -1, "tensor start never reached"),
        ("random W, true v", 300, "reached 1e-6 first"),
        ("random (W, v)", 900, "random (W, v) reached"),
    ],
)
def test_check_rejects_a_wrong_ordering_to_the_target(start, iterations, message):
    rows = _good_rows()
    next(r for r in rows if r["panel"] == "c" and r["start"] == start)["iterations"] = (
        iterations
    )
    assert any(message in f for f in zhong.check(rows))


@pytest.mark.parametrize(
    "scale, flip, recovered",
    [(0.005, False, True), (0.02, False, False), (0.0, True, False)],
)
def test_success_is_the_papers_criterion(scale, flip, recovered):
    # Every unit within a relative 1% and every sign right, after matching.
    _, _, truth = zhong._planted(50, 10, seed=0)
    W = truth.hidden_weights[::-1].copy()  # the order does not matter
    v = truth.output_weights[::-1].copy()
    W[0] += scale * np.linalg.norm(W[0]) * np.eye(10)[0]
    if flip:
        v[0] = -v[0]
    assert zhong._recovered(truth, W, v) is recovered


def test_random_w_v_loss_is_in_the_papers_units():
    # With learned output weights the estimator descends on y / rms(y); the
    # curve of (c) multiplies its loss back by mean(y^2), giving the paper's
    # 1/(2n) ||f(X) - y||^2 of the fitted network.
    X, y, _ = zhong._planted(500, 10, seed=0)
    est = zhong._descend(X, y, 1, 3, init="random", output_weights="learn")
    paper_loss = 0.5 * np.mean((est.predict(X) - y) ** 2)
    assert est.loss_curve_[-1] * np.mean(y**2) == pytest.approx(paper_loss, rel=1e-9)


def test_tiny_run_holds_the_measurable_claims(tiny):
    # At d = 10 the tensor start recovers from n = 1000 (the paper's
    # Fig. 1(a) bottom row) and its loss is below both random starts.
    tensor = [r for r in tiny if r["panel"] == "a,b"]
    assert all(r["recovery"] == 1 for r in tensor)
    assert tensor[-1]["init_error"] < tensor[0]["init_error"] < 1
    assert zhong.check(tiny) == []


def test_tiny_paper_table_sets_the_numbers_side_by_side(tiny):
    table = {r["quantity"]: r for r in zhong.paper_table(tiny)}
    assert table["(a) least n with 100% recovery, per d"]["ours"].startswith(
        "d=10: 1000"
    )
    assert "never" in table["(c) random (W, v) (II)"]["ours"]
    assert "354-464" in table["(c) earlier measurement at the paper's setting"]["paper"]


def test_a_diverging_descent_counts_as_a_failure():
    # Ten times the planted weights: the fixed step 0.02 blows up, and the
    # trial is a failure instead of an error that ends the whole grid.
    X, y, truth = zhong._planted(500, 10, seed=0)
    est = zhong._descend(X, y, 0, 100, init=10 * truth.hidden_weights)
    assert est is None
