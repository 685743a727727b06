"""Du & Lee (2018): over-parametrised quadratic networks and weight decay.

Planted data ``y = ||W* x||^2 + noise`` with ``k0 = 3`` units. Part one
fits networks of growing width from several random starts and asks each fit
for its certificate of global optimality; part two varies the weight decay
and measures the test error.
"""

import numpy as np

from ..metrics import normalized_mse
from ..quadratic import QuadraticNetRegressor
from ._common import Experiment, figure, quiet_convergence, save, tick

# The paper's network f(x) = sum_j a_j (w_j . x)^2: no intercept, no hidden
# bias; fits stop at the certificate, whose verdict the experiment reports.
_PAPER = dict(fit_intercept=False, hidden_bias=False, stop="certified")

CLAIM = (
    "Theorems 3.1-3.2: once the width k reaches d (or k(k+1)/2 > n with a "
    "perturbation) every local minimum is global, so every random start ends "
    "certified optimal; widths below the rank of the optimum cannot be. "
    "Theorem 4.1: weight decay controls generalisation, so a positive weight "
    "decay gives a lower test error than none."
)


def _planted(n_samples, n_features, k0, noise, seed, n_test=2000):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((k0, n_features)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples + n_test, n_features))
    y = ((X @ W.T) ** 2).sum(axis=1)
    y_noisy = y + noise * rng.standard_normal(len(y))
    return X[:n_samples], y_noisy[:n_samples], X[n_samples:], y[n_samples:]


def run(
    full=False,
    n_features=10,
    n_samples=100,
    widths=None,
    n_starts=None,
    weight_decays=(0.0, 1e-3, 1e-2, 1e-1, 1.0),
    n_trials=None,
    progress=None,
):
    """Certified fraction per width, and test error per weight decay.

    Returns
    -------
    rows : list of dict
        ``part`` ('width' or 'weight_decay'), ``d`` (input dimension),
        ``value`` (k or lambda),
        ``certified`` (fraction of starts), ``objective_spread`` (max - min
        final objective over starts, relative), ``test_nmse``.
    """
    widths = widths or (1, 2, 3, 4, 6, 8, n_features, n_features + 2)
    n_starts = n_starts or (20 if full else 5)
    n_trials = n_trials or (10 if full else 3)
    rows = []
    X, y, X_test, y_test = _planted(n_samples, n_features, 3, 0.1, seed=0)
    for k in widths:
        fits = []
        for start in range(n_starts):
            est = QuadraticNetRegressor(
                n_hidden=k, alpha=1e-2, random_state=start, **_PAPER
            )
            with quiet_convergence():
                est.fit(X, y)
            fits.append(est)
        objective = np.array([e.loss_curve_[-1] for e in fits])
        rows.append(
            {
                "part": "width",
                "d": n_features,
                "value": float(k),
                "certified": float(np.mean([e.is_certified_ for e in fits])),
                "objective_spread": float(np.ptp(objective) / objective.min()),
                "test_nmse": float(
                    np.mean([normalized_mse(y_test, e.predict(X_test)) for e in fits])
                ),
            }
        )
        tick(progress, f"width {k}")
    for lam in weight_decays:
        errors = []
        for trial in range(n_trials):
            Xw, yw, Xw_test, yw_test = _planted(
                2 * n_samples, 2 * n_features, 3, 1.0, seed=100 + trial
            )
            est = QuadraticNetRegressor(alpha=lam, random_state=trial, **_PAPER)
            with quiet_convergence():
                est.fit(Xw, yw)
            errors.append(normalized_mse(yw_test, est.predict(Xw_test)))
        rows.append(
            {
                "part": "weight_decay",
                "d": 2 * n_features,
                "value": float(lam),
                "certified": float("nan"),
                "objective_spread": float("nan"),
                "test_nmse": float(np.mean(errors)),
            }
        )
        tick(progress, f"weight decay {lam:g}")
    return rows


def check(rows):
    fails = []
    width = [r for r in rows if r["part"] == "width"]
    for r in width:
        if r["value"] >= r["d"] and r["certified"] < 1.0:
            fails.append(
                f"width {r['value']:g} >= d: only {r['certified']:.0%} certified"
            )
        if r["value"] < 3 and r["certified"] > 0:
            fails.append(f"width {r['value']:g} < k0 certified")
    decay = {r["value"]: r["test_nmse"] for r in rows if r["part"] == "weight_decay"}
    if 0.0 in decay and min(v for k, v in decay.items() if k > 0) >= decay[0.0]:
        fails.append("no positive weight decay beats weight decay 0")
    return fails


def plot(rows, path):
    fig, axes = figure(2)
    width = [r for r in rows if r["part"] == "width"]
    axes[0].plot([r["value"] for r in width], [r["certified"] for r in width], "o-")
    axes[0].set_xlabel("width k")
    axes[0].set_ylabel("fraction of starts certified optimal")
    axes[0].set_ylim(-0.05, 1.05)
    decay = [r for r in rows if r["part"] == "weight_decay"]
    lam = [max(r["value"], 1e-4) for r in decay]
    axes[1].semilogx(lam, [r["test_nmse"] for r in decay], "o-")
    axes[1].set_xlabel("weight decay (0 drawn at 1e-4)")
    axes[1].set_ylabel("normalised test MSE")
    return save(fig, path)


DU_LEE = Experiment(
    name="du-lee",
    paper="Du & Lee 2018, Theorems 3.1-4.1",
    claim=CLAIM,
    run=run,
    check=check,
    plot=plot,
    tiny=dict(
        n_features=6,
        n_samples=60,
        widths=(1, 6, 8),
        n_starts=2,
        weight_decays=(0.0, 0.1),
        n_trials=1,
    ),
)

ENTRIES = (DU_LEE,)
