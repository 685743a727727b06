"""
===============================================
Learning a sparse ReLU by hard thresholding
===============================================

Soltanolkotabi (2017) shows that a single ReLU ``y = max(0, w* . x)`` with
a sparse weight vector is learned by the simplest possible method: start
from ``w = 0``, take a gradient step, keep the ``s`` largest entries, repeat
(iterative hard thresholding, IHT). With Gaussian inputs and on the order of
``s log(d / s)`` samples the error shrinks by a constant factor at every
step, even though the loss is not convex and a ReLU hides every negative
response.

In the package this is a :class:`~sklearn_shallow.ProjectedShallowRegressor`
with one hidden unit, ``init="zero"`` and the l0 constraint. The paper's
Figure 1 uses ``d = 1000`` inputs, ``s = 20`` nonzeros and
``n = 8 s log(d / s)`` = 626 samples, and compares the ReLU observations with
linear ones of the same ``w*``.
"""

# %%
# The paper's experiment
# ----------------------
# ``EXPERIMENTS["soltanolkotabi"]`` records ``||w_t - w*||`` after every
# iteration, averaged over planted vectors (five here, a hundred with
# ``--full``), and keeps the traces of the first three trials.
# ``paper_steps=True`` takes Theorem 3.1's steps, ``mu_0 = 2`` and then 1 on
# the paper's gradient, which is twice the gradient of the package's loss
# ``1/(2n) sum (relu(w . x) - y)^2``: steps 4, then 2, here.
import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import ProjectedShallowRegressor
from sklearn_shallow.datasets import make_sparse_relu
from sklearn_shallow.experiments import EXPERIMENTS, format_rows

experiment = EXPERIMENTS["soltanolkotabi"]
rows = experiment.run(n_trials=5, paper_steps=True)
print(format_rows(rows))
print()
print(experiment.claim)
failures = experiment.check(rows)
print("Claim holds at this size." if not failures else failures)

# %%
# How many samples?
# -----------------
# The guarantee needs ``n`` of the order of ``s log(d / s)``. We rerun IHT on
# one planted vector with ``n = c s log(d / s)`` for a few constants ``c``,
# recording the error through the estimator's ``callback``, which receives
# the current weights after every iteration. Below ``c = 2`` the iterates
# stall at a wrong support; from ``c = 4`` on the error falls geometrically,
# faster with more samples.
n_features, n_nonzero, n_iter = 1000, 20, 40
base = n_nonzero * math.log(n_features / n_nonzero)


def iht_errors(n_samples, seed):
    X, y, truth = make_sparse_relu(
        n_samples, n_features=n_features, n_nonzero=n_nonzero, random_state=seed
    )
    w_star = truth.hidden_weights[0]
    errors = [np.linalg.norm(w_star)]

    def record(info):
        errors.append(np.linalg.norm(info["params"]["hidden"][0] - w_star))

    est = ProjectedShallowRegressor(
        n_hidden=1,
        constraint="l0",
        tau=n_nonzero,
        output_weights="ones",
        fit_intercept=False,
        solver="pgd",  # the paper's algorithm
        init="zero",
        max_iter=n_iter,
        tol=0,
        callback=record,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return errors


constants = (1, 2, 4, 8)
curves = {c: iht_errors(math.ceil(c * base), seed=0) for c in constants}

# %%
# The two figures
# ---------------
fig, (ax_paper, ax_n) = plt.subplots(1, 2, figsize=(10, 4))
t = [r["iteration"] for r in rows]
for kind, marker in (("relu", "o"), ("linear", "s")):
    (mean,) = ax_paper.semilogy(
        t, [r[f"{kind}_error"] for r in rows], marker + "-", label=f"{kind}: mean"
    )
    for k in (1, 2, 3):
        ax_paper.semilogy(
            t, [r[f"{kind}_{k}"] for r in rows], color=mean.get_color(), lw=0.7
        )
ax_paper.set_title(f"n = 8 s log(d/s) = {math.ceil(8 * base)}")
for c, errors in curves.items():
    ax_n.semilogy(errors, label=f"c = {c} (n = {math.ceil(c * base)})")
ax_n.set_title("ReLU samples, n = c s log(d/s)")
for ax in (ax_paper, ax_n):
    ax.set_xlabel("iteration t")
    ax.set_ylabel("||w_t - w*||")
    ax.legend()
fig.suptitle("Soltanolkotabi (2017), Fig. 1: d = 1000, s = 20")
fig.tight_layout()

plt.show()
