"""Du & Lee's experiment (sklearn_shallow.experiments.du_lee).

The convex reference is checked against a closed form (one feature) and a
direct minimisation over factors; the Rademacher complexity against exact
enumeration of the signs and Theorem 5.2's bound; the theorems' statements
on a tiny run; and the check against tables where a statement fails.
"""

import itertools

import numpy as np
import pytest
from scipy.linalg import eigvalsh
from scipy.optimize import minimize

from sklearn_shallow.experiments import EXPERIMENTS, du_lee

EXP = EXPERIMENTS["du-lee"]


@pytest.fixture(scope="module")
def tiny_rows():
    return EXP.run(**EXP.tiny)


def test_convex_optimum_one_feature_closed_form():
    # With d = 1, F(m) = (1/2n) sum (x_i^2 m - y_i)^2 + (lam/2 + c) m over
    # m >= 0 is a parabola: m* = max(0, (mean(x^2 y) - lam/2 - c) / mean(x^4)).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 1))
    y = 1.7 * X[:, 0] ** 2 + 0.1 * rng.standard_normal(40)
    lam, c = 0.3, 0.05
    m = max(0.0, (np.mean(X[:, 0] ** 2 * y) - lam / 2 - c) / np.mean(X[:, 0] ** 4))
    best = du_lee.convex_objective(X, y, lam, np.array([[c]]), np.array([[m]]))
    upper, lower, M = du_lee.convex_optimum(X, y, lam, np.array([[c]]), rtol=1e-10)
    assert M[0, 0] == pytest.approx(m, rel=1e-4)
    assert lower <= best + 1e-12 <= upper + 2e-12
    assert upper - lower <= 1e-10 * upper


def test_convex_optimum_matches_a_direct_minimisation():
    # The same convex problem minimised over a full square factor L
    # (M = L L^T) by BFGS from several starts: the best of those values.
    rng = np.random.default_rng(1)
    n, d, lam = 15, 3, 0.05
    X = rng.standard_normal((n, d))
    y = rng.uniform(0.5, 3.0, n)
    C = du_lee._random_psd(d, 0.01, rng)

    def f(v):
        L = v.reshape(d, d)
        return du_lee.convex_objective(X, y, lam, C, L @ L.T)

    direct = min(
        minimize(f, rng.standard_normal(d * d), method="BFGS", tol=1e-12).fun
        for _ in range(5)
    )
    upper, lower, _ = du_lee.convex_optimum(X, y, lam, C)
    assert lower <= direct + 1e-9
    assert upper == pytest.approx(direct, rel=1e-6)


def test_convex_lower_bound_holds_before_convergence():
    # Stopped after one step, the dual bound must still lie under the optimum.
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 4))
    y = rng.uniform(0.0, 2.0, 30)
    _, optimum, _ = du_lee.convex_optimum(X, y, 0.1, rtol=1e-10)
    upper, lower, _ = du_lee.convex_optimum(X, y, 0.1, max_iter=1)
    assert lower <= optimum + 1e-12
    assert upper > lower


def test_convex_optimum_refuses_no_weight_decay():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="lam > 0; got 0"):
        du_lee.convex_optimum(X, np.ones(3), 0.0)


def test_rademacher_complexity_against_enumerated_signs():
    # n = 10: all 1024 sign vectors, the supremum over {tr M <= r, M PSD}
    # taken as r * max(0, top eigenvalue).
    rng = np.random.default_rng(3)
    X = rng.standard_normal((10, 3))
    exact = (
        np.mean(
            [
                max(0.0, eigvalsh((X * np.array(s)[:, None]).T @ X)[-1])
                for s in itertools.product((-1.0, 1.0), repeat=10)
            ]
        )
        * 2.5
        / 10
    )
    estimate = du_lee.rademacher_complexity(X, 2.5, n_draws=4000, rng=0)
    assert estimate == pytest.approx(exact, rel=0.05)
    # Theorem 5.2: R_S <= M^2 sqrt(2 s log d) / n.
    norms2 = np.sum(X**2, axis=1)
    s = eigvalsh((X * norms2[:, None]).T @ X)[-1]
    assert exact <= 2.5 * np.sqrt(2 * s * np.log(3)) / 10


def test_tiny_run_covers_both_theorems(tiny_rows):
    width = {r["k"]: r for r in tiny_rows if r["panel"] == "width"}
    # d = 6, n = 12: k = 5 is Theorem 3.2's regime (15 > 12, k < d), k = 6
    # Theorem 3.1's, k = 1 neither.
    assert width[5]["kk_gt_n"] and not width[5]["k_ge_d"]
    assert width[6]["k_ge_d"]
    assert not (width[1]["kk_gt_n"] or width[1]["k_ge_d"])


@pytest.mark.parametrize("k", [5, 6])
def test_tiny_run_covered_widths_reach_the_convex_optimum(tiny_rows, k):
    row = next(r for r in tiny_rows if r["panel"] == "width" and r["k"] == k)
    assert row["certified"] == 1.0
    assert -1e-6 <= row["min_gap"] <= row["max_gap"] <= du_lee.GAP_TOL
    # Theorem 3.2, second half.
    assert row["excess_unperturbed"] <= row["delta_Wstar2"]


def test_tiny_run_width_below_the_optimum_rank_is_not_global(tiny_rows):
    row = next(r for r in tiny_rows if r["panel"] == "width" and r["k"] == 1)
    assert row["optimum_rank"] > 1
    assert row["certified"] == 0.0
    assert row["max_gap"] > 1e-2


def test_tiny_run_holds_the_claim(tiny_rows):
    assert EXP.check(tiny_rows) == []


def test_decay_bound_quantities_at_a_small_size():
    rows = du_lee._decay_rows(10, 40, (0.0, 0.01, 0.3), 2, 50, None)
    frob = [r["frob2"] for r in rows]
    assert frob[0] >= frob[1] >= frob[2]
    for r in rows:
        assert r["rademacher_mc"] <= r["rademacher_bound"]
        assert r["train_mse"] <= r["test_mse"]
        assert r["gen_gap"] <= r["bound_41_mc"]
        # Theorem 4.4 gains about sqrt(d) on Theorem 4.3 for Gaussian inputs:
        # their ratio is b^2 sqrt(log d / d) with b^2 = max ||x_i||^2 >~ d.
        assert r["bound_43"] / r["bound_44"] >= np.sqrt(10)


def _broken(rows, panel, select, **changes):
    out = [dict(r) for r in rows]
    for r in out:
        if r["panel"] == panel and select(r):
            r.update(changes)
    return out


@pytest.mark.parametrize(
    "panel, select, changes, message",
    [
        ("width", lambda r: r["k"] == 5, dict(certified=0.5), "Theorem 3.2"),
        ("width", lambda r: r["k"] == 6, dict(certified=0.5), "Theorem 3.1"),
        ("width", lambda r: r["k"] == 6, dict(max_gap=1e-2), "above the convex"),
        ("width", lambda r: r["k"] == 6, dict(min_gap=-1e-3), "below the convex"),
        ("width", lambda r: r["k"] == 5, dict(excess_unperturbed=1.0), "delta"),
        ("width", lambda r: r["k"] == 1, dict(certified=1.0), "below the planted"),
        ("width", lambda r: r["k"] == 6, dict(reference_accuracy=0.1), "known only"),
        ("decay", lambda r: r["lam"] > 0, dict(test_mse=9.0), "beats weight decay 0"),
        ("decay", lambda r: r["lam"] > 0, dict(frob2=99.0), "does not shrink as"),
        ("decay", lambda r: r["lam"] > 0, dict(gen_gap=1e3), "above 2 L R_S"),
        ("decay", lambda r: r["lam"] > 0, dict(rademacher_mc=1e3), "Theorem 5.2"),
    ],
)
def test_check_rejects_a_broken_table(tiny_rows, panel, select, changes, message):
    fails = EXP.check(_broken(tiny_rows, panel, select, **changes))
    assert any(message in f for f in fails), fails


def test_paper_table_states_the_theorems(tiny_rows):
    table = EXP.paper_table(tiny_rows)
    quantities = " ".join(r["quantity"] for r in table)
    for theorem in ("3.1", "3.2", "5.2", "4.3", "4.4"):
        assert theorem in quantities
    assert "100% of 2 fits certified" in table[0]["ours"]


def test_weight_decay_is_cited_as_theorems_4_3_and_4_4():
    # The paper's Theorem 4.1 is Koltchinskii and Panchenko's generic
    # Rademacher bound; the weight-decay bounds are Theorems 4.3 and 4.4.
    assert "4.3" in EXP.paper and "4.4" in EXP.paper
    assert "Theorem 4.1:" not in EXP.claim
