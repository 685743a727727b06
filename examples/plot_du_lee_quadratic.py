"""
=====================================================
Quadratic networks that certify their own optimum
=====================================================

Du & Lee (2018) study networks with quadratic activation,
``f(x) = sum_j (w_j . x)^2 = ||W x||^2``, trained with weight decay. The
objective is not convex in ``W``, yet they prove that once the width ``k``
is large enough (``k >= d``, or ``k (k + 1) / 2 > n`` with a small random
perturbation of the objective) every local minimum is global. Weight decay
on ``W`` is a nuclear-norm penalty on the matrix ``W^T W``, which keeps the
learned quadratic form of low rank and controls how well it generalises.

:class:`~sklearn_shallow.QuadraticNetRegressor` turns the proof into a
number: after each fit it computes the smallest eigenvalue of the gradient
matrix ``S`` of the convex problem behind the network and a bound on the
distance to the global minimum (``certificate_``); ``is_certified_`` says
whether that bound is below ``1e-4`` of the objective. This example measures
the two quantities the paper is about: how wide the network must be to reach
the global minimum, and how weight decay trades fit for test error.

``python -m sklearn_shallow reproduce du-lee`` runs the larger experiment
from the command line: a width sweep at ``d = 30, n = 100`` that crosses
both ``k (k + 1) / 2 > n`` (Theorem 3.2, with the perturbation) and
``k >= d`` (Theorem 3.1), with the true gap to the optimum of the convex
problem solved independently, and a weight-decay sweep with the
generalisation bound of Theorems 4.3 and 4.4 beside the measured error.
"""

# %%
# A planted quadratic network
# ---------------------------
# Three planted units in 15 dimensions, ``y = ||W* x||^2`` plus noise.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_shallow import QuadraticNetRegressor

# The paper's network (no intercept, no hidden bias), fitted until certified.
paper = dict(
    output_weights="ones", fit_intercept=False, hidden_bias=False, stop="certified"
)

n_features, n_planted = 15, 3
rng = np.random.default_rng(0)
W_star = rng.standard_normal((n_planted, n_features)) / np.sqrt(n_features)


def sample(n_samples, noise, seed):
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((n_samples, n_features))
    y = ((X @ W_star.T) ** 2).sum(axis=1) + noise * gen.standard_normal(n_samples)
    return X, y


X, y = sample(300, noise=0.1, seed=1)

# %%
# Width against the certificate
# -----------------------------
# We fit every width from 1 to ``d = 15`` with the same weight decay. Narrow
# networks cannot reach the global minimum of the convex problem: their
# certificate shows a negative ``lambda_min`` and a large gap bound. From
# some width on (here well below ``d``: the optimum has low rank, so a few
# more units than that rank suffice) every fit is certified, and the
# objective stops decreasing, because it is already the global minimum.
widths = np.arange(1, n_features + 1)
gap, objective, certified = [], [], []
for k in widths:
    est = QuadraticNetRegressor(n_hidden=int(k), alpha=1e-2, random_state=0, **paper)
    est.fit(X, y)
    gap.append(est.certificate_.relative_gap_bound)
    objective.append(est.loss_)
    certified.append(est.is_certified_)
    print(
        f"k = {k:2d}  objective {est.loss_:.6f}  "
        f"relative gap bound {gap[-1]:.2e}  certified {est.is_certified_}"
    )
first = int(widths[np.argmax(certified)])
print(f"first certified width: {first}")

# %%
# Weight decay against test error
# -------------------------------
# With few noisy samples (60 in 15 dimensions, where a quadratic form has
# 120 coefficients) the weight decay ``lam`` matters. Too little, and the
# network also fits the noise, with about twice as many directions as the
# three planted ones; too much, and it shrinks the planted form towards
# zero. Every fit below is certified, so the curve shows the regulariser at
# work, not the optimiser failing. We also count the eigenvalues of the
# learned form ``W^T W`` above 1% of the largest: weight decay lowers that
# rank. And we print ``||W||_F^2``, the trace of ``W^T W``: the ``M^2`` of
# the generalisation bounds of Du & Lee's Theorems 4.3 and 4.4, which grow
# in proportion to it.
X_small, y_small = sample(60, noise=0.5, seed=2)
X_test, y_test = sample(2000, noise=0.0, seed=3)
decays = np.logspace(-4.5, 0.5, 11)  # in standardised units of y
test_error, rank = [], []
for lam in decays:
    est = QuadraticNetRegressor(alpha=lam, random_state=0, **paper).fit(
        X_small, y_small
    )
    residual = est.predict(X_test) - y_test
    test_error.append(np.mean(residual**2) / np.var(y_test))
    eigenvalues = np.linalg.eigvalsh(est.quadratic_form_)
    rank.append(int(np.sum(eigenvalues > 0.01 * eigenvalues.max())))
    print(
        f"lam = {lam:.1e}  test error {test_error[-1]:.3f}  rank {rank[-1]:2d}  "
        f"||W||_F^2 {np.trace(est.quadratic_form_):.3f}  "
        f"certified {est.is_certified_}"
    )

# %%
# The two curves
# --------------
fig, (ax_width, ax_decay) = plt.subplots(1, 2, figsize=(11, 4.2))
colors = ["tab:green" if c else "tab:red" for c in certified]
ax_width.semilogy(widths, gap, "-", color="0.6")
ax_width.scatter(widths, gap, c=colors, zorder=3)
ax_width.axhline(1e-4, color="k", ls=":", label="certification level 1e-4")
ax_width.axvline(n_planted, color="tab:blue", ls="--", label="planted units")
ax_width.set_xlabel("width k")
ax_width.set_ylabel("bound on (L(W) - min L) / L(W)")
ax_width.set_title("green: certified global minimum")
ax_width.legend(loc="upper right")

ax_decay.semilogx(decays, test_error, "o-", label="test error")
ax_decay.set_xlabel("weight decay lam")
ax_decay.set_ylabel("normalised test MSE")
ax_rank = ax_decay.twinx()
ax_rank.semilogx(decays, rank, "s--", color="tab:orange", label="rank of W^T W")
ax_rank.set_ylabel("numerical rank of W^T W")
ax_decay.set_title("60 noisy samples, d = 15")
lines = ax_decay.get_lines() + ax_rank.get_lines()
ax_decay.legend(lines, [line.get_label() for line in lines], loc="upper center")
fig.suptitle("Du & Lee (2018): width and weight decay")
fig.tight_layout()

plt.show()
