"""Dinh & Xin (2020): sparsity against accuracy, RVSM versus ADMM.

Claim reproduced (the paper's Table 1, on a planted network instead of deep
nets on images): at equal ``lam`` and ``beta``, RVSM's sparse weights ``u``
are sparser with the l0 penalty than with transformed l1, and with
transformed l1 than with l1; and RVSM is sparser than ADMM, whose multiplier
pulls ``u`` towards the dense ``w``.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..datasets import make_sparse_network, oymak_init, sample_network
from ..metrics import normalized_mse
from ..rvsm import RVSMRegressor


def rvsm_tradeoff(n_samples=1000, lam=1e-3, beta=0.1, a=1.0, seeds=(0,), max_iter=2000):
    """Sparsity and test loss of RVSM and ADMM for the l0, tl1 and l1 penalties.

    The data follow Oymak's sparse setting (80 inputs, 20 ReLU units, 8
    nonzeros per unit, so 90% of the true weights are zero), started from
    his good initialisation; output weights fixed to 1.

    Parameters
    ----------
    n_samples : int, default=1000
    lam, beta, a : float
        RVSM hyperparameters, shared by every row.
    seeds : sequence of int, default=(0,)
        Planted networks to average over.
    max_iter : int, default=2000

    Returns
    -------
    rows : list of dict
        ``method``, ``penalty``, ``sparsity``, ``test_nmse`` (means over
        seeds), ``true_sparsity``.
    """
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
                    output_weights="ones",
                    fit_intercept=False,
                    init=W0,
                    max_iter=max_iter,
                    random_state=0,
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
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
    return rows


def format_rows(rows, floats="{:.4g}"):
    """A plain-text table of a list of dicts with the same keys."""
    keys = list(rows[0])
    cells = [
        [floats.format(r[k]) if isinstance(r[k], float) else str(r[k]) for k in keys]
        for r in rows
    ]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = "  ".join(k.rjust(w) for k, w in zip(keys, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(out)
