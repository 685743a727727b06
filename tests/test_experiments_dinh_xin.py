"""Dinh & Xin (2020): the no-overlap CNN model, its checks, the digits table."""

import numpy as np
import pytest

from sklearn_shallow.experiments import EXPERIMENTS
from sklearn_shallow.experiments.dinh_xin import (
    PAPER_TABLES,
    _cnn_estimator,
    _kernel,
    _sparsity_at_risk,
    _trajectory,
    cnn_experiment,
    equal_risk_rows,
    make_no_overlap_cnn,
    population_risk,
    relative_risk,
    relu_kernel,
    theorem1_conditions,
)

CNN = EXPERIMENTS["dinh-xin"]
DIGITS = EXPERIMENTS["dinh-xin-digits"]


@pytest.fixture(scope="module")
def cnn_rows():
    return CNN.run(**CNN.tiny)


@pytest.fixture(scope="module")
def digits_rows():
    return DIGITS.run(**DIGITS.tiny)


def _copy(rows):
    return [dict(r) for r in rows]


# ---- the closed-form population risk -------------------------------------------


def test_population_risk_matches_monte_carlo():
    rng = np.random.default_rng(0)
    k, d, n = 3, 5, 400_000
    X, _, w_star = make_no_overlap_cnn(n, d, k, random_state=1)
    w = rng.standard_normal(d)
    patches = X.reshape(n, k, d)
    out = np.maximum(patches @ w, 0).mean(1) - np.maximum(patches @ w_star, 0).mean(1)
    mc = np.mean(out**2)
    assert population_risk(w, w_star, k) == pytest.approx(mc, rel=0.02)


def test_relu_kernel_on_the_diagonal_is_half_the_squared_norm():
    # E[relu(z)^2] = Var(z) / 2 for centred Gaussian z.
    u = np.array([3.0, -4.0])
    assert relu_kernel(u, u) == pytest.approx(12.5)
    # Opposite vectors: relu(z) relu(-z) = 0.
    assert relu_kernel(u, -u) == pytest.approx(0.0, abs=1e-12)


def test_relative_risk_is_one_at_zero_and_zero_at_the_truth():
    w_star = np.array([0.6, 0.8, 0.0])
    assert relative_risk(np.zeros(3), w_star, 4) == pytest.approx(1.0)
    assert relative_risk(w_star, w_star, 4) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("k", [2, 5])
def test_population_risk_has_lemma3_critical_points(k):
    # Lemma 3: the global minimum w* and the saddle -(k^2-k)/(k^2+(pi-1)k) w*
    # are critical points; checked by central differences of the closed form.
    w_star = np.array([0.28, -0.96, 0.0])
    saddle = -(k * k - k) / (k * k + (np.pi - 1) * k) * w_star
    for point in (w_star, saddle):
        grad = [
            (
                population_risk(point + 1e-6 * e, w_star, k)
                - population_risk(point - 1e-6 * e, w_star, k)
            )
            / 2e-6
            for e in np.eye(3)
        ]
        assert np.allclose(grad, 0, atol=1e-6), (point, grad)
    assert population_risk(0.5 * w_star, w_star, k) > 0


def test_theorem1_conditions_in_our_units():
    w_star = np.array([1.0, 0.0])
    w0 = np.array([0.0, 1.0])  # at right angles: delta = pi / 2
    cond = theorem1_conditions(w0, w_star, n_patches=4, kernel_size=16)
    assert cond["delta"] == pytest.approx(np.pi / 2)
    # beta_p <= (pi/2) / (4 pi) = 1/8, ours is half of it.
    assert cond["beta_max"] == pytest.approx(1 / 16)
    assert cond["threshold_max"] == pytest.approx(0.25)
    assert cond["lipschitz"] == pytest.approx(7.0)
    # eta_p = 1 / (beta_p + L) with beta_p = 0.2, ours is twice it.
    assert cond["step"](0.1) == pytest.approx(2 / 7.2)


def test_cnn_experiment_refuses_a_beta_outside_theorem1():
    with pytest.raises(ValueError, match="leave Theorem 1"):
        cnn_experiment(n_samples=50, kernel_size=8, betas=(0.5,), max_iter=2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_trajectory_chunks_are_one_run():
    # The convergence panel reads w between warm-started chunks: they must
    # be the iterates of a single run of the same length.
    k, d = 3, 8
    X, y, w_star = make_no_overlap_cnn(200, d, k, random_state=0)
    w0 = np.random.default_rng(1).standard_normal(d)
    w0 /= np.linalg.norm(w0)
    est, points = _trajectory(X, y, w_star, w0, "tl1", 1e-3, 0.02, 0.25, [3, 10, 40], k)
    one = _cnn_estimator(d, k, w0, "tl1", 1e-3, 0.02, "rvsm", 0.25, max_iter=40)
    one.fit(X, y)
    w_chunks, _ = _kernel(est, d)
    w_one, _ = _kernel(one, d)
    np.testing.assert_allclose(w_chunks, w_one, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(est.loss_curve_, one.loss_curve_, rtol=1e-12)
    assert [t for t, _, _ in points] == [3, 10, 40]


# ---- the CNN experiment at its tiny size ---------------------------------------


def test_rvsm_lagrangian_never_rises(cnn_rows):
    limit = [r for r in cnn_rows if r["panel"] == "limit"]
    assert len(limit) == 3
    assert all(r["lagrangian_rise"] <= 1e-9 for r in limit)


def test_w_approaches_the_truth_within_delta(cnn_rows):
    limit = {r["penalty"]: r for r in cnn_rows if r["panel"] == "limit"}
    start = {}
    for r in cnn_rows:
        if r["panel"] == "convergence":
            start.setdefault(r["penalty"], r)
    for p, r in limit.items():
        assert r["angle"] < r["delta"]
        assert r["w_error"] < 0.5 * start[p]["w_error"]


def test_sparsity_ordered_by_threshold_and_rvsm_above_admm(cnn_rows):
    limit = {r["penalty"]: r["sparsity"] for r in cnn_rows if r["panel"] == "limit"}
    assert limit["l0"] >= limit["tl1"] >= limit["l1"]
    assert limit["l0"] > limit["l1"]
    trade = {
        (r["method"], r["penalty"], r["lam"]): r["sparsity"]
        for r in cnn_rows
        if r["panel"] == "tradeoff"
    }
    for (method, p, lam), s in trade.items():
        if method == "rvsm":
            assert s >= trade["admm", p, lam], (p, lam)


def test_check_passes_the_theorem_parts_of_a_tiny_run(cnn_rows):
    fails = CNN.check(_copy(cnn_rows))
    # At 150 iterations the beta sweep and the equal-risk comparison are not
    # settled; everything Theorem 1 states already holds.
    assert not [f for f in fails if "Lagrangian" in f or "angle" in f]
    assert not [f for f in fails if "ordered" in f or "equal lam" in f]


def test_check_rejects_a_rising_lagrangian(cnn_rows):
    rows = _copy(cnn_rows)
    next(r for r in rows if r["panel"] == "limit")["lagrangian_rise"] = 1e-3
    assert any("Lagrangian rose" in f for f in CNN.check(rows))


def test_check_rejects_a_wrong_sparsity_order(cnn_rows):
    rows = _copy(cnn_rows)
    for r in rows:
        if r["panel"] == "limit":
            r["sparsity"] = {"l0": 0.1, "tl1": 0.5, "l1": 0.9}[r["penalty"]]
    assert any("not ordered" in f for f in CNN.check(rows))


def test_check_rejects_an_error_that_does_not_grow_with_beta(cnn_rows):
    rows = _copy(cnn_rows)
    for r in rows:
        if r["panel"] == "beta":
            r["w_error"] = 0.1 / r["beta"]
    assert any("does not grow with beta" in f for f in CNN.check(rows))


def test_check_flags_rvsm_overtaking_admm_at_equal_risk(cnn_rows):
    rows = _copy(cnn_rows)
    for r in rows:
        if r["panel"] == "equal_risk":
            r["rvsm_sparsity"], r["admm_sparsity"] = 0.9, 0.2
    assert any("measured finding changed" in f for f in CNN.check(rows))


def test_sparsity_at_risk_interpolates_in_log_risk():
    # Within the level at the second point; the third crosses 0.05 halfway
    # in log risk between 0.01 and 0.25 (sqrt(0.01 * 0.25) = 0.05).
    points = [(0.2, 0.001), (0.4, 0.01), (0.8, 0.25)]
    assert _sparsity_at_risk(points, 0.05) == pytest.approx(0.6)
    assert _sparsity_at_risk(points, 0.5) == 0.8
    assert _sparsity_at_risk([(0.2, 0.3)], 0.05) == 0.0


def test_check_rejects_admm_sparser_with_l0_at_equal_risk(cnn_rows):
    rows = _copy(cnn_rows)
    for r in rows:
        if r["panel"] == "equal_risk":
            r["rvsm_sparsity"], r["admm_sparsity"] = 0.2, 0.6
    fails = CNN.check(rows)
    assert any(f.startswith("l0, risk") for f in fails)
    assert any(f.startswith("best, risk") for f in fails)
    assert not any("measured finding changed" in f for f in fails)


def test_equal_risk_rows_take_each_methods_best_penalty():
    trade = [
        {
            "panel": "tradeoff",
            "method": m,
            "penalty": p,
            "lam": lam,
            "sparsity": s,
            "u_risk": e,
        }
        for m, p, lam, s, e in [
            ("rvsm", "l0", 1, 0.8, 0.2),
            ("rvsm", "l1", 1, 0.3, 0.01),
            ("admm", "l0", 1, 0.6, 0.05),
            ("admm", "l1", 1, 0.1, 0.001),
        ]
    ]
    best = {
        r["risk_level"]: r
        for r in equal_risk_rows(trade, (0.02, 0.1))
        if r["penalty"] == "best"
    }
    assert (best[0.02]["rvsm_sparsity"], best[0.02]["admm_sparsity"]) == (0.3, 0.1)
    assert (best[0.1]["rvsm_sparsity"], best[0.1]["admm_sparsity"]) == (0.3, 0.6)


def test_cnn_paper_table_sets_the_theorem_beside_ours(cnn_rows):
    table = CNN.paper_table(cnn_rows)
    text = " ".join(str(r["paper"]) for r in table)
    assert "1/sqrt(d)" in text and "O(beta)" in text and "86.9" in text


# ---- the digits analogue of Tables 1-2 -----------------------------------------


def test_digits_paper_table_carries_the_papers_numbers(digits_rows):
    table = DIGITS.paper_table(digits_rows)
    for (net, model), (acc, sparsity) in PAPER_TABLES.items():
        row = next(
            r
            for r in table
            if r["quantity"].startswith(f"{net} ")
            and r["quantity"].endswith(f": {model}")
        )
        assert str(acc) in row["paper"] and str(sparsity) in row["paper"]
        assert row["ours"] != "-"


def test_digits_table_rows_are_the_curve_at_lam_table(digits_rows):
    table = {r["model"]: r for r in digits_rows if r["panel"] == "table"}
    curve = {
        (r["method"], r["penalty"], r["lam"]): r
        for r in digits_rows
        if r["panel"] == "curve"
    }
    assert set(table) == {
        "base",
        *(f"{m} {p}" for m in ("rvsm", "admm") for p in ("l0", "tl1", "l1")),
    }
    for model, r in table.items():
        if model != "base":
            method, p = model.split()
            assert curve[method, p, r["lam"]]["accuracy"] == r["accuracy"]


def test_digits_check_rejects_swapped_penalties(digits_rows):
    rows = _copy(digits_rows)
    for r in rows:
        if r["panel"] == "table" and r["model"].startswith("rvsm"):
            p = r["model"].split()[1]
            r["sparsity"] = {"l0": 0.1, "tl1": 0.5, "l1": 0.9}[p]
            r["accuracy"] = {"l0": 0.99, "tl1": 0.9, "l1": 0.5}[p]
    fails = DIGITS.check(rows)
    assert any("sparsity not ordered" in f for f in fails)
    assert any("accuracy not ordered" in f for f in fails)
    assert any("below the base" in f for f in fails)
