"""The demo behind ``python -m sklearn_shallow demo``.

A planted sparse network (Oymak 2018: 80 inputs, 20 ReLU units, 8 nonzeros
per unit) is learned from 1000 samples, without a constraint and under l1 and
l0 constraints whose size ``tau`` is chosen by ``GridSearchCV`` (3-fold,
``n_jobs`` workers). The table reports held-out loss and how well the hidden
weights are recovered.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from .datasets import make_sparse_network, oymak_init, sample_network
from .metrics import normalized_mse, normalized_mse_scorer, weight_correlation
from .projected import ProjectedShallowRegressor

# tau grids: l1 radii and l0 counts (the truth has 160 nonzeros of 1600).
L1_GRID = (50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0)
L0_GRID = (80, 120, 160, 200, 240, 320)


def run_demo(
    n_samples=1000,
    n_jobs=-1,
    max_iter=2000,
    out=None,
    quick=False,
    random_state=0,
    print_fn=print,
):
    """Fit and compare unconstrained, l1 and l0 networks; return the rows.

    Parameters
    ----------
    n_samples : int, default=1000
    n_jobs : int, default=-1
        Workers for GridSearchCV.
    max_iter : int, default=2000
    out : str or path-like or None
        Where to save the figure (needs matplotlib); None saves nothing.
    quick : bool, default=False
        Smaller grids and fewer iterations (for tests).
    random_state : int, default=0
    print_fn : callable
        Receives the lines of the report.

    Returns
    -------
    rows : list of dict
        One per model: ``model``, ``tau``, ``test_nmse``,
        ``weight_correlation``, ``nonzeros``, ``seconds``.
    """
    X, y, truth = make_sparse_network(n_samples, random_state=random_state)
    X_test, y_test = sample_network(truth, 2000, random_state=random_state + 1)
    W0 = oymak_init(truth, "good", random_state=random_state + 100)
    base = dict(
        output_weights="ones",
        fit_intercept=False,
        init=W0,
        max_iter=max_iter,
        random_state=random_state,
    )
    grids = {"unconstrained": None, "l1": L1_GRID, "l0": L0_GRID}
    if quick:
        base["max_iter"] = min(max_iter, 1000)
        grids = {"unconstrained": None, "l1": L1_GRID[2:5], "l0": L0_GRID[1:4]}
    print_fn(
        f"Planted sparse ReLU network: {X.shape[1]} inputs, "
        f"{truth.hidden_weights.shape[0]} hidden units, "
        f"{truth.n_nonzero_total} nonzero weights (l1 norm "
        f"{truth.l1_norm:.1f}); {n_samples} training samples."
    )
    rows, searches = [], {}
    with warnings.catch_warnings():
        # Noiseless planted fits keep improving until max_iter: expected.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, grid in grids.items():
            rows.append(
                _fit_one(
                    name, grid, X, y, X_test, y_test, truth, base, n_jobs, searches
                )
            )
    print_fn("")
    print_fn(format_table(rows))
    if out is not None:
        path = _plot(rows, searches, out)
        if path is not None:
            print_fn(f"\nFigure saved to {path}")
    return rows


def _fit_one(name, grid, X, y, X_test, y_test, truth, base, n_jobs, searches):
    """Fit one row of the demo; a grid search when ``grid`` is given."""
    start = time.perf_counter()
    if grid is None:
        est = ProjectedShallowRegressor(**base).fit(X, y)
        tau = None
    else:
        search = GridSearchCV(
            ProjectedShallowRegressor(constraint=name, **base),
            {"tau": list(grid)},
            scoring=normalized_mse_scorer,
            cv=3,
            n_jobs=n_jobs,
        ).fit(X, y)
        est, tau = search.best_estimator_, search.best_params_["tau"]
        searches[name] = search
    return {
        "model": name,
        "tau": tau,
        "test_nmse": normalized_mse(y_test, est.predict(X_test)),
        "weight_correlation": weight_correlation(
            truth.hidden_weights, est.hidden_weights_
        ),
        "nonzeros": int(np.count_nonzero(est.hidden_weights_)),
        "seconds": time.perf_counter() - start,
    }


def format_table(rows):
    """Plain-text table of the demo rows."""
    header = (
        f"{'model':<14}{'tau (CV)':>10}{'test nMSE':>12}"
        f"{'weight corr':>13}{'nonzeros':>10}{'seconds':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        tau = "-" if r["tau"] is None else f"{r['tau']:g}"
        lines.append(
            f"{r['model']:<14}{tau:>10}{r['test_nmse']:>12.2e}"
            f"{r['weight_correlation']:>13.4f}{r['nonzeros']:>10d}"
            f"{r['seconds']:>9.1f}"
        )
    return "\n".join(lines)


def _plot(rows, searches, out):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, name in zip(axes[:2], ("l1", "l0")):
        search = searches[name]
        taus = np.asarray(search.cv_results_["param_tau"], dtype=float)
        score = -np.asarray(search.cv_results_["mean_test_score"])
        ax.semilogy(taus, np.maximum(score, 1e-16), "o-")
        ax.axvline(search.best_params_["tau"], color="k", ls=":")
        ax.set_xlabel("tau")
        ax.set_ylabel("CV normalised MSE")
        ax.set_title(f"{name} constraint: choosing tau")
    names = [r["model"] for r in rows]
    axes[2].bar(names, [max(r["test_nmse"], 1e-16) for r in rows])
    axes[2].set_yscale("log")
    axes[2].set_ylabel("test normalised MSE")
    axes[2].set_title("held-out loss")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
