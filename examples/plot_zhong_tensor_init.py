"""
=========================================================
Tensor initialisation, then gradient descent
=========================================================

Zhong et al. (2017) prove that the squared loss of a one-hidden-layer
network is locally strongly convex around the planted weights, so gradient
descent converges linearly once it starts close enough; and that for
Gaussian inputs a tensor method gets it close enough. The moments of ``y``
against Hermite polynomials of ``x`` are low-rank tensors whose components
are the directions of the hidden units; decomposing them gives the
directions, their norms and the signs of the output weights.

:func:`~sklearn_shallow.tensor_init.tensor_initialization` is that method on
its own, and :class:`~sklearn_shallow.tensor_net.TensorInitOneHidden` runs
gradient descent from it. The paper's section 7 plants ``k = 5`` squared
ReLU units with output weights of random sign and condition number 2, and
shows three things, which this example reproduces at a small size: (a) how
often tensor initialisation plus gradient descent recovers the network, as
a function of the dimension ``d`` and the number of samples ``n``; (b) how
the error of the initialisation itself falls with ``n``; (c) how the
objective falls from three different starts.
"""

# %%
# (a) Recovery rate over ``(d, n)``
# ---------------------------------
# A fit counts as a recovery when the relative error of the hidden weights,
# after matching the units (:func:`~sklearn_shallow.metrics.recovery_error`),
# is below 1%. Five planted networks per cell; the same fits started at
# random weights are shown for comparison.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow.datasets import make_planted_network
from sklearn_shallow.metrics import recovery_error
from sklearn_shallow.tensor_init import tensor_initialization
from sklearn_shallow.tensor_net import TensorInitOneHidden

n_hidden = 5


def planted(n_samples, n_features, seed):
    return make_planted_network(
        n_samples,
        n_features=n_features,
        n_hidden=n_hidden,
        activation="squared_relu",
        output_weights="signs",
        condition_number=2.0,
        random_state=seed,
    )


dims = (10, 20, 40)
sizes = (250, 500, 1000, 2000)
n_trials = 5
rate = {init: np.zeros((len(dims), len(sizes))) for init in ("tensor", "random")}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for i, d in enumerate(dims):
        for j, n in enumerate(sizes):
            for seed in range(n_trials):
                X, y, truth = planted(n, d, seed)
                for init in rate:
                    est = TensorInitOneHidden(
                        n_hidden=n_hidden,
                        activation="squared_relu",
                        init=init,
                        fit_intercept=False,
                        solver="pgd",  # the paper's algorithm
                        max_iter=300,
                        random_state=seed,
                    ).fit(X, y)
                    error = recovery_error(truth.hidden_weights, est.hidden_weights_)
                    rate[init][i, j] += (error < 1e-2) / n_trials
for init, table in rate.items():
    print(f"{init} start, recovery rate (rows d = {dims}, columns n = {sizes}):")
    print(table)

# %%
# (b) Error of the tensor initialisation alone
# --------------------------------------------
# The initialisation is a moment estimate, so its error falls like
# ``1 / sqrt(n)``: it only has to land inside the region where gradient
# descent converges, not to be accurate.
init_sizes = np.array([1000, 3000, 10000, 30000])
init_error = {d: [] for d in (10, 20)}
for d in init_error:
    for n in init_sizes:
        errors = []
        for seed in range(3):
            X, y, truth = planted(int(n), d, seed)
            start = tensor_initialization(
                X, y, n_hidden, "squared_relu", random_state=seed
            )
            errors.append(recovery_error(truth.hidden_weights, start.hidden_weights))
        init_error[d].append(np.mean(errors))
    print(f"d = {d}: initialisation error", np.round(init_error[d], 3))

# %%
# (c) The objective from three starts
# -----------------------------------
# As in the paper: both layers from the tensor method (output weights then
# kept fixed); both layers at random (output weights learned); and random
# hidden weights with the true output weights given. The tensor start is
# already close, and the loss falls linearly from the first step. The
# random start with the true signs gets there too, later; without them
# gradient descent stalls at a spurious point.
X, y, truth = planted(5000, 10, seed=0)
starts = {
    "tensor method": dict(init="tensor"),
    "random": dict(init="random", output_weights="learn"),
    "random W, true v": dict(init="random", output_weights=truth.output_weights),
}
curves = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, options in starts.items():
        est = TensorInitOneHidden(
            n_hidden=n_hidden,
            activation="squared_relu",
            fit_intercept=False,
            solver="pgd",  # the paper's algorithm
            max_iter=300,
            tol=0,
            random_state=1,
            **options,
        ).fit(X, y)
        curves[name] = est.loss_curve_
        error = recovery_error(truth.hidden_weights, est.hidden_weights_)
        print(f"{name:>17}: final loss {est.loss_curve_[-1]:.1e}, error {error:.1e}")

# %%
# The figures
# -----------
# (a) as two maps, the tensor start next to the random one; the numbers are
# the fraction of the five planted networks recovered.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
for ax, (init, table) in zip(axes, rate.items()):
    image = ax.imshow(table, vmin=0, vmax=1, cmap="viridis", origin="lower")
    for (i, j), value in np.ndenumerate(table):
        ax.text(j, i, f"{value:.1f}", ha="center", va="center", color="w")
    ax.set_xticks(range(len(sizes)), sizes)
    ax.set_yticks(range(len(dims)), dims)
    ax.set_xlabel("number of samples n")
    ax.set_ylabel("dimension d")
    ax.set_title(f"{init} start")
fig.colorbar(image, ax=axes, label="recovery rate")
fig.suptitle("(a) tensor initialisation + gradient descent, k = 5")

# %%
# (b) and (c).
fig, (ax_init, ax_loss) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for d, errors in init_error.items():
    ax_init.loglog(init_sizes, errors, "o-", label=f"d = {d}")
ax_init.set_xlabel("number of samples n")
ax_init.set_ylabel("relative error of W")
ax_init.set_title("(b) error of the tensor initialisation")
ax_init.legend()
for name, curve in curves.items():
    ax_loss.semilogy(curve, label=name)
ax_loss.set_xlabel("iteration")
ax_loss.set_ylabel("training loss")
ax_loss.set_title("(c) three starts, d = 10, n = 5000")
ax_loss.legend()

plt.show()
