"""Dinh & Xin (2020): sparsity against accuracy, RVSM versus ADMM.

Claim reproduced (the paper's Table 1, on a planted network instead of deep
nets on images): at equal ``lam`` and ``beta``, RVSM's sparse weights ``u``
are sparser with the l0 penalty than with transformed l1, and with
transformed l1 than with l1; and RVSM is sparser than ADMM, whose multiplier
pulls ``u`` towards the dense ``w``.
"""

import numpy as np

from ..datasets import make_sparse_network, oymak_init, sample_network
from ..metrics import normalized_mse
from ..rvsm import RVSMRegressor
from ._common import Experiment, figure, quiet_convergence, save, tick

CLAIM = (
    "Table 1: at equal lam and beta, RVSM's weights are sparser with l0 than "
    "with transformed l1, and with transformed l1 than with l1, and RVSM is "
    "sparser than ADMM with l0 and l1, at comparable accuracy (here l0-RVSM: "
    "sparsity >= 0.8 with normalised test loss < 0.05)."
)


def rvsm_tradeoff(
    n_samples=1000,
    lam=1e-3,
    beta=0.1,
    a=1.0,
    seeds=(0, 1, 2),
    max_iter=2000,
    full=False,
    progress=None,
):
    """Sparsity and test loss of RVSM and ADMM for the l0, tl1 and l1 penalties.

    The data follow Oymak's sparse setting (80 inputs, 20 ReLU units, 8
    nonzeros per unit, so 90% of the true weights are zero), started from
    his good initialisation; output weights fixed to 1.

    Parameters
    ----------
    n_samples : int, default=1000
    lam, beta, a : float
        RVSM hyperparameters, shared by every row.
    seeds : sequence of int, default=(0, 1, 2)
        Planted networks to average over.
    max_iter : int, default=2000
    full : bool, default=False
        Ten seeds instead of ``seeds``.
    progress : callable or None
        Called with a label after each (method, penalty).

    Returns
    -------
    rows : list of dict
        ``method``, ``penalty``, ``sparsity``, ``test_nmse`` (means over
        seeds), ``true_sparsity``.
    """
    if full:
        seeds = range(10)
    data = []
    for seed in seeds:
        X, y, truth = make_sparse_network(n_samples, random_state=seed)
        X_test, y_test = sample_network(truth, 2000, random_state=seed + 1000)
        W0 = oymak_init(truth, "good", random_state=seed + 100)
        data.append((X, y, X_test, y_test, W0, truth))
    rows = []
    for method in ("rvsm", "admm"):
        for penalty in ("l0", "tl1", "l1"):
            sparsity, loss = [], []
            for X, y, X_test, y_test, W0, _ in data:
                est = RVSMRegressor(
                    penalty=penalty,
                    lam=lam,
                    beta=beta,
                    a=a,
                    method=method,
                    solver="pgd",  # the paper's gradient step in w
                    output_weights="ones",
                    fit_intercept=False,
                    init=W0,
                    max_iter=max_iter,
                    random_state=0,
                )
                with quiet_convergence():
                    est.fit(X, y)
                sparsity.append(est.sparsity_)
                loss.append(normalized_mse(y_test, est.predict(X_test)))
            rows.append(
                {
                    "method": method,
                    "penalty": penalty,
                    "sparsity": float(np.mean(sparsity)),
                    "test_nmse": float(np.mean(loss)),
                    "true_sparsity": float(
                        np.mean([np.mean(d[5].hidden_weights == 0) for d in data])
                    ),
                }
            )
            tick(progress, f"{method} {penalty}")
    return rows


def check(rows):
    t = {(r["method"], r["penalty"]): r for r in rows}
    fails = []
    s = {p: t["rvsm", p]["sparsity"] for p in ("l0", "tl1", "l1")}
    if not s["l0"] >= s["tl1"] >= s["l1"]:
        fails.append(f"RVSM sparsity not ordered l0 >= tl1 >= l1: {s}")
    for p in ("l0", "l1"):
        if t["rvsm", p]["sparsity"] <= t["admm", p]["sparsity"]:
            fails.append(f"RVSM not sparser than ADMM with {p}")
    l0 = t["rvsm", "l0"]
    if l0["sparsity"] < 0.8 or l0["test_nmse"] >= 0.05:
        fails.append(
            f"l0-RVSM: sparsity {l0['sparsity']:.3f}, loss {l0['test_nmse']:.3g}"
        )
    return fails


def plot(rows, path):
    fig, (ax,) = figure(1, width=5.5)
    for method, marker in (("rvsm", "o"), ("admm", "s")):
        sel = [r for r in rows if r["method"] == method]
        ax.scatter(
            [r["sparsity"] for r in sel],
            [max(r["test_nmse"], 1e-16) for r in sel],
            marker=marker,
            s=60,
            label=method.upper(),
        )
        for r in sel:
            ax.annotate(
                r["penalty"],
                (r["sparsity"], max(r["test_nmse"], 1e-16)),
                textcoords="offset points",
                xytext=(6, 4),
            )
    ax.axvline(rows[0]["true_sparsity"], color="k", ls=":", label="true sparsity")
    ax.set_yscale("log")
    ax.set_xlabel("sparsity of u (fraction of zeros)")
    ax.set_ylabel("normalised test MSE")
    ax.legend()
    return save(fig, path)


DINH_XIN = Experiment(
    name="dinh-xin",
    paper="Dinh & Xin 2020, Table 1",
    claim=CLAIM,
    run=rvsm_tradeoff,
    check=check,
    plot=plot,
    tiny=dict(n_samples=600, max_iter=500),
)

ENTRIES = (DINH_XIN,)
