"""Oymak (2018) Fig. 1-3: the paper's steps, the switch point, the panels."""

import pytest

from sklearn_shallow import Convolution, ProjectedShallowRegressor
from sklearn_shallow.datasets import (
    make_conv_network,
    make_sparse_network,
    oymak_init,
    sample_network,
)
from sklearn_shallow.experiments import oymak
from sklearn_shallow.experiments._common import quiet_convergence
from sklearn_shallow.metrics import normalized_mse


def _fit_raw(n, step, constraint="l1", max_iter=300, seed=0):
    """PGD on the data as generated (x ~ N(0, I_p)), with a fixed step."""
    X, y, truth = make_sparse_network(n, random_state=seed)
    X_test, y_test = sample_network(truth, 1000, random_state=seed + 10_000)
    est = ProjectedShallowRegressor(
        constraint=constraint,
        tau=truth.l1_norm if constraint == "l1" else None,
        output_weights="ones",
        fit_intercept=False,
        solver="pgd",
        init=oymak_init(truth, "good", random_state=seed + 100),
        step_size=step,
        max_iter=max_iter,
        random_state=seed,
    )
    with quiet_convergence():
        est.fit(X, y)
    return normalized_mse(y_test, est.predict(X_test)), normalized_mse(
        y, est.predict(X)
    )


def test_paper_step_on_unit_inputs_is_step_over_p_on_ours():
    # ReLU is positively homogeneous: PGD on (x / sqrt(p), W sqrt(p)) with
    # step mu is PGD on (x, W) with step mu / p, the l1 radius scaled along.
    test, train, _ = oymak._fit_sparse(300, 0, "good", "l1", 100, paper_steps=True)
    raw_test, raw_train = _fit_raw(300, oymak.PAPER_STEP_SPARSE / 80, max_iter=100)
    assert test == pytest.approx(raw_test, rel=1e-6)
    assert train == pytest.approx(raw_train, rel=1e-6)


def test_paper_step_fails_on_the_inputs_as_written_and_not_on_unit_inputs():
    # x ~ N(0, I_p), loss 1/(2n) sum, mu = 5: the fit ends far from the data.
    _, train_written = _fit_raw(400, oymak.PAPER_STEP_SPARSE, max_iter=100)
    assert not train_written < 1.0
    # The same mu on x / sqrt(p) falls below the start (NMSE of W0 ~ 1).
    _, train_unit, _ = oymak._fit_sparse(400, 0, "good", "l1", 100, paper_steps=True)
    assert train_unit < 0.1


def test_sparse_claim_at_one_size():
    # n = 800 > the paper's 600: l1 and l0 find W*, plain GD overfits.
    rows = oymak.run_sparse(n_values=(800,), n_trials=1, inits=("good",))
    by = {r["constraint"]: r for r in rows}
    for c in ("l1", "l0"):
        assert by[c]["test_nmse"] < 1e-3
        assert by[c]["weight_corr"] > 0.99
    assert by["none"]["train_nmse"] < 1e-2
    assert by["none"]["test_nmse"] > 0.05


def _table(switch_l1, switch_l0, overfit=True):
    """Good-init rows whose l1 / l0 curves reach ~0 from the given n."""
    rows = []
    for n in range(100, 1001, 100):
        for c, switch in (("none", None), ("l1", switch_l1), ("l0", switch_l0)):
            zero = switch is not None and n >= switch
            rows.append(
                {
                    "init": "good",
                    "constraint": c,
                    "n": n,
                    "test_nmse": 1e-6 if zero else 0.3,
                    "train_nmse": 1e-6 if (c != "none" or overfit) else 0.2,
                    "weight_corr": 1.0 if zero else 0.8,
                    "step": "auto",
                }
            )
    return rows


def test_switch_n_is_where_the_curve_stays_below_the_level():
    rows = [
        {"n": n, "test_nmse": v}
        for n, v in ((100, 0.5), (200, 1e-3), (300, 0.2), (400, 1e-4), (500, 0.0))
    ]
    assert oymak.switch_n(rows) == 400
    assert oymak.switch_n(rows[:1]) is None


def test_check_accepts_the_papers_figure_and_rejects_a_late_switch():
    assert oymak.check_sparse(_table(600, 600)) == []
    fails = oymak.check_sparse(_table(600, 1000))
    assert fails == ["good init, l0: test loss ~0 from n=1000, the paper from n=600"]
    assert any("from n=None" in f for f in oymak.check_sparse(_table(None, 600)))


def test_check_rejects_an_unconstrained_fit_that_does_not_overfit():
    fails = oymak.check_sparse(_table(600, 700, overfit=False))
    assert len(fails) == 10 and all("does not overfit" in f for f in fails)


def test_paper_table_reports_our_switch_beside_600():
    table = oymak.paper_table_sparse(_table(700, 800))
    by = {row["quantity"]: row for row in table}
    assert by["good init, l1: test loss ~0 from n"] == {
        "quantity": "good init, l1: test loss ~0 from n",
        "paper": 600,
        "ours": "700",
    }
    assert by["good init, l0: test loss ~0 from n"]["ours"] == "800"


def test_conv_claim_and_trial_summaries_at_one_size():
    rows = oymak.run_conv(n_values=(300,), n_trials=1, max_iter=500)
    by = {r["model"]: r for r in rows}
    assert by["CNN, good init"]["test_nmse"] < 1e-2
    assert by["unconstrained, random init"]["test_nmse"] > 0.5
    for r in rows:  # one trial: its median is its mean
        assert r["test_median"] == r["test_nmse"]
        assert r["exact_frac"] == float(r["test_nmse"] < oymak.EXACT)
    assert oymak.check_conv(rows) == []


def test_conv_check_rejects_an_unconstrained_fit_that_learns():
    rows = [
        {"model": m, "n": 300, "test_nmse": v}
        for m, v in zip(oymak.CONV_MODELS, (0.1, 0.05, 1e-5))
    ]
    assert oymak.check_conv(rows) == [
        "unconstrained learned the planted model at n=300"
    ]


def test_conv_paper_step_is_mu_over_p_on_ours():
    # The paper's step mu on the kernel gradient, on x / sqrt(p), is the
    # kernel step mu / p on the data as generated.
    test, train, _ = oymak._fit_conv(300, 0, "CNN, good init", 200, True)
    X, y, truth = make_conv_network(300, random_state=0)
    X_test, y_test = sample_network(truth, 1000, random_state=10_000)
    est = ProjectedShallowRegressor(
        architecture=Convolution(truth.kernel_size, truth.stride, truth.n_kernels),
        output_weights="ones",
        fit_intercept=False,
        solver="pgd",
        init=oymak_init(truth, "good", random_state=100),
        step_size=oymak.PAPER_STEP_CONV / 81,
        max_iter=200,
        random_state=0,
    )
    with quiet_convergence():
        est.fit(X, y)
    assert test == pytest.approx(normalized_mse(y_test, est.predict(X_test)), rel=1e-6)
    assert train == pytest.approx(normalized_mse(y, est.predict(X)), rel=1e-6)
    # Stable, and from the good start it reaches the planted kernels.
    assert test < oymak.ZERO_LOSS
