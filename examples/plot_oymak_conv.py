"""
================================================
Convolutional networks: weight sharing as a set
================================================

A one-dimensional convolutional layer is a dense layer whose rows are
shifted copies of a few short kernels. Oymak (2018) treats that structure as
one more constraint set: a dense gradient step followed by the projection
onto "rows that are shifted kernels", which averages the copies of each
kernel entry. The package computes the same step directly on the kernels,
through :class:`~sklearn_shallow.Convolution`, without ever building the
dense matrix.

His Figure 3 uses 81 inputs, 4 kernels of width 15 and stride 6 (so 12
shifts and 48 hidden units, but only 60 free weights) and compares three
fits: a dense network from a random start, and the convolutional network
from a random and from a good start. This example runs the package's
reproduction (``EXPERIMENTS["oymak-conv"]``) with one planted network per
sample size.
"""

# %%
# Run the experiment
# ------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import Convolution, ProjectedShallowRegressor
from sklearn_shallow.datasets import make_conv_network, oymak_init
from sklearn_shallow.experiments import EXPERIMENTS, format_rows

experiment = EXPERIMENTS["oymak-conv"]
rows = experiment.run(n_values=(100, 200, 300, 500), n_trials=1, max_iter=1000)
print(format_rows(rows))
print()
print(experiment.claim)
failures = experiment.check(rows)
print("Claim holds at this size." if not failures else failures)

# %%
# Test error and weight correlation
# ---------------------------------
# The dense network has 48 x 81 = 3888 weights to find and a few hundred
# samples are not enough: in this run its test error stays above the
# variance of the targets. The convolutional one has 60 weights to find;
# from the good start its test error is below 1e-4 with 100 samples, and
# from a random start it reaches the planted network by 300.
fig, (ax_loss, ax_corr) = plt.subplots(1, 2, figsize=(10, 4))
for model, marker in zip(
    ("unconstrained, random init", "CNN, random init", "CNN, good init"), "os^"
):
    sel = [r for r in rows if r["model"] == model]
    n = [r["n"] for r in sel]
    ax_loss.semilogy(
        n, [max(r["test_nmse"], 1e-16) for r in sel], marker=marker, label=model
    )
    ax_corr.plot(n, [r["weight_corr"] for r in sel], marker=marker, label=model)
ax_loss.set_ylabel("normalised test MSE")
ax_corr.set_ylabel("correlation of W* and W")
ax_corr.set_ylim(0, 1.05)
for ax in (ax_loss, ax_corr):
    ax.set_xlabel("number of samples n")
ax_loss.legend()
fig.suptitle("Oymak (2018), Fig. 3 at reduced size")
fig.tight_layout()

# %%
# The learned kernels
# -------------------
# The fitted estimator exposes the kernels it learned (``kernels_``) and the
# equivalent dense matrix ``FC(K)`` (``hidden_weights_``). With 300 samples
# and a random start the four kernels are recovered, up to their order: the
# output layer adds all units with the same weight, so relabelling the
# kernels gives the same network. We match them before drawing them.
X, y, truth = make_conv_network(300, random_state=0)
conv = Convolution(kernel_size=truth.kernel_size, stride=truth.stride, n_kernels=4)
est = ProjectedShallowRegressor(
    architecture=conv,
    output_weights="ones",
    fit_intercept=False,
    solver="pgd",  # the paper's algorithm
    init=oymak_init(truth, "random", random_state=100),
    max_iter=1000,
    random_state=0,
)
with warnings.catch_warnings():
    # noiseless data: the loss falls until max_iter, which the fit reports
    warnings.simplefilter("ignore", ConvergenceWarning)
    est.fit(X, y)
print("kernels:", est.kernels_.shape, " dense layer:", est.hidden_weights_.shape)

similarity = np.corrcoef(truth.kernels, est.kernels_)[:4, 4:]
_, match = linear_sum_assignment(-similarity)
learned = est.kernels_[match]
print("largest error per kernel:", np.abs(learned - truth.kernels).max(axis=1))

fig, axes = plt.subplots(1, 4, figsize=(12, 2.8), sharey=True)
for i, ax in enumerate(axes):
    ax.plot(truth.kernels[i], "k-", lw=3, alpha=0.3, label="planted")
    ax.plot(learned[i], "o", ms=4, label="learned")
    ax.set_title(f"kernel {i}")
    ax.set_xticks(np.arange(0, truth.kernel_size, 7))
axes[0].legend()
fig.tight_layout()

plt.show()
