"""
=================================================
Choosing ``tau`` and ``lam`` by cross-validation
=================================================

The papers fix the constraint size ``tau`` and the penalty weight ``lam``
with knowledge of the planted network. On real data they are
hyperparameters like any other, and :class:`~sklearn.model_selection.GridSearchCV`
chooses them. The estimators are ordinary scikit-learn estimators, so the
search runs its fits in parallel through joblib: ``n_jobs=2`` below starts
two worker processes.

We use a planted sparse network with noisy targets, so that we can check
what cross-validation picks against the truth: the l1 norm of the planted
weights for ``tau``, and their sparsity (90% zeros) for ``lam``.
"""

# %%
# Data and scorers
# ----------------
# Two scorers from :mod:`sklearn_shallow.metrics`: the normalised test error
# (as a "higher is better" score, so negated), which cross-validation can
# compute on real data too, and the correlation between the fitted and the
# planted hidden units, which needs the truth and is only here to check the
# choice.
import warnings

import joblib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_shallow import ProjectedShallowRegressor, RVSMRegressor
from sklearn_shallow.datasets import make_sparse_network, oymak_init
from sklearn_shallow.metrics import normalized_mse_scorer, weight_correlation_scorer

# The planted fits are noiseless enough to keep improving until max_iter.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y, truth = make_sparse_network(800, noise=0.1, random_state=0)
start = oymak_init(truth, "good", random_state=100)
folds = KFold(n_splits=4, shuffle=True, random_state=0)
print(f"planted l1 norm {truth.l1_norm:.1f}, planted sparsity 0.90")

# %%
# ``tau``: the radius of the l1 ball
# ----------------------------------
# Seven radii around the planted norm, four folds, 28 fits on two workers.
# With several scorers, ``refit`` names the one that chooses the model.
projected = ProjectedShallowRegressor(
    constraint="l1",
    output_weights="ones",
    fit_intercept=False,
    init=start,
    max_iter=500,
    random_state=0,
)
factors = np.array([0.4, 0.6, 0.8, 1.0, 1.2, 1.6, 2.4])
search_tau = GridSearchCV(
    projected,
    {"tau": factors * truth.l1_norm},
    scoring={
        "nmse": normalized_mse_scorer,
        "correlation": weight_correlation_scorer(truth.hidden_weights),
    },
    refit="nmse",
    cv=folds,
    n_jobs=2,
).fit(X, y)
best_tau = search_tau.best_params_["tau"]
print(f"chosen tau {best_tau:.1f} = {best_tau / truth.l1_norm:.1f} x planted norm")

# %%
# ``lam`` and the penalty of RVSM
# -------------------------------
# The grid may hold several parameters: here the penalty and ``lam``. A
# scorer is any callable ``(estimator, X, y) -> float``, so the sparsity of
# each fitted network can be recorded next to its error. Instead of passing
# ``n_jobs``, this search takes its workers from a joblib context; the same
# context, with ``backend="dask"``, sends the fits to a cluster (see the
# user guide's page on distributed model selection).


def sparsity(estimator, X, y):
    """Fraction of zero hidden weights of a fitted RVSMRegressor."""
    return estimator.sparsity_


rvsm = RVSMRegressor(
    beta=0.1,
    output_weights="ones",
    fit_intercept=False,
    init=start,
    max_iter=800,
    random_state=0,
)
lams = np.logspace(-4, -2, 5)
search_lam = GridSearchCV(
    rvsm,
    {"penalty": ["l0", "tl1", "l1"], "lam": lams},
    scoring={"nmse": normalized_mse_scorer, "sparsity": sparsity},
    refit="nmse",
    cv=KFold(n_splits=3, shuffle=True, random_state=0),
)
with joblib.parallel_config(backend="loky", n_jobs=2):
    search_lam.fit(X, y)
best = search_lam.best_params_
print(f"chosen penalty {best['penalty']}, lam {best['lam']:.1e}")
print(f"sparsity of the refitted model {search_lam.best_estimator_.sparsity_:.2f}")

# %%
# What the searches saw
# ---------------------
# Left: the cross-validated error is smallest at the planted radius, where
# the learned units also line up with the planted ones. Right: for each
# penalty the error is smallest where the fitted networks are about as
# sparse as the planted one (the numbers next to the points).
fig, (ax_tau, ax_lam) = plt.subplots(1, 2, figsize=(11, 4.2))
results = search_tau.cv_results_
ax_tau.plot(factors, -results["mean_test_nmse"], "o-", label="test error")
ax_tau.set_xlabel("tau / planted l1 norm")
ax_tau.set_ylabel("cross-validated normalised MSE")
ax_corr = ax_tau.twinx()
ax_corr.plot(
    factors, results["mean_test_correlation"], "s--", color="tab:orange", label="corr"
)
ax_corr.set_ylabel("correlation with the planted units")
ax_tau.set_title("ProjectedShallowRegressor, l1 ball")
lines = ax_tau.get_lines() + ax_corr.get_lines()
ax_tau.legend(lines, [line.get_label() for line in lines], loc="upper center")

results = search_lam.cv_results_
for penalty in ("l0", "tl1", "l1"):
    mask = results["param_penalty"] == penalty
    error = -results["mean_test_nmse"][mask]
    ax_lam.semilogx(lams, error, "o-", label=penalty)
    for lam, err, frac in zip(lams, error, results["mean_test_sparsity"][mask]):
        ax_lam.annotate(
            f"{frac:.2f}",
            (lam, err),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
ax_lam.set_xlabel("lam")
ax_lam.set_ylabel("cross-validated normalised MSE")
ax_lam.set_title("RVSMRegressor (numbers: sparsity)")
ax_lam.legend(title="penalty")
fig.tight_layout()

plt.show()
