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
# As in the paper, a fit counts as a recovery when, after matching the units
# (:func:`~sklearn_shallow.metrics.recovery_error`), every hidden unit is
# within a relative error of 1% and every output sign is right. Gradient
# descent runs with the paper's fixed step 0.02 and stops once the training
# loss reaches 1e-6. Three planted networks per cell; the same descent
# started at random hidden weights, given the true output weights, is shown
# for comparison.
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


def descend(X, y, seed, max_iter, callback=None, **start):
    """The paper's gradient descent: fixed step 0.02, no intercept."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return TensorInitOneHidden(
            n_hidden=n_hidden,
            activation="squared_relu",
            fit_intercept=False,
            solver="pgd",
            step_size=0.02,
            max_iter=max_iter,
            tol=0.0,
            callback=callback,
            random_state=seed,
            **start,
        ).fit(X, y)


def reached_target(info):
    return info["loss"] <= 1e-6


dims = (10, 20, 40)
sizes = (1000, 2000, 4000)
n_trials = 3
starts = ("tensor", "random W, true v")
rate = {start: np.zeros((len(dims), len(sizes))) for start in starts}
for i, d in enumerate(dims):
    for j, n in enumerate(sizes):
        for seed in range(n_trials):
            X, y, truth = planted(n, d, seed)
            for start in starts:
                options = (
                    dict(init="tensor")
                    if start == "tensor"
                    else dict(init="random", output_weights=truth.output_weights)
                )
                est = descend(X, y, seed, 600, reached_target, **options)
                error, _, signs_match = recovery_error(
                    truth.hidden_weights,
                    est.hidden_weights_,
                    truth.output_weights,
                    est.output_weights_,
                    return_matching=True,
                )
                rate[start][i, j] += (error <= 0.01 and signs_match) / n_trials
for start, table in rate.items():
    print(f"{start} start, recovery rate (rows d = {dims}, columns n = {sizes}):")
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
# The paper's setting: ``d = 10``, ``n = 10000``, step 0.02. Both layers
# from the tensor method (output weights then kept fixed); both layers at
# random (output weights descended too); and random hidden weights with the
# true output weights given. The tensor start is already close, and the
# loss falls linearly from the first step. The random start with the true
# signs gets there later, if at all within the budget; without them the
# loss is still far from zero when the iterations run out.
#
# With descended output weights the estimator works on ``y / rms(y)``; its
# loss is multiplied back by ``mean(y^2)`` to be in the paper's units.
X, y, truth = planted(10000, 10, seed=0)
starts = {
    "tensor method": dict(init="tensor"),
    "random (W, v)": dict(init="random", output_weights="learn"),
    "random W, true v": dict(init="random", output_weights=truth.output_weights),
}
curves = {}
for name, options in starts.items():
    est = descend(X, y, 1, 800, **options)
    scale = np.mean(y**2) if name == "random (W, v)" else 1.0
    curves[name] = np.asarray(est.loss_curve_) * scale
    print(f"{name:>17}: loss after {est.n_iter_} iterations {curves[name][-1]:.1e}")

# %%
# The figures
# -----------
# (a) as two maps, the tensor start next to the random one; the numbers are
# the fraction of the three planted networks recovered.
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
ax_loss.set_title("(c) three starts, d = 10, n = 10000, step 0.02")
ax_loss.legend()

plt.show()
