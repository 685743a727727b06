"""Soltanolkotabi (2017), Figure 1: iterative hard thresholding learns a ReLU.

A unit-norm ``w*`` in ``d = 1000`` dimensions with ``s = 20`` nonzeros, and
``n = ceil(8 s log(d / s))`` Gaussian samples. Projected gradient descent with
the l0 projection, started at ``w = 0``, on ReLU observations
``y = relu(X w*)`` and, for comparison, on linear observations ``y = X w*``.
"""

import math

import numpy as np

from ..datasets import make_sparse_relu
from ..projected import ProjectedShallowRegressor
from ._common import Experiment, figure, quiet_convergence, save, tick

CLAIM = (
    "Fig. 1: from w = 0, with n = 8 s log(d/s) samples, the estimation error "
    "||w_t - w*|| falls from 1 to ~0 within 20 iterations for ReLU "
    "observations (here: mean < 1e-3 at t = 20), about as fast as for linear "
    "observations of the same w*."
)


def _trajectory(X, y, truth, activation, n_iter):
    errors = []
    w_star = truth.hidden_weights[0]

    def record(info):
        errors.append(float(np.linalg.norm(info["params"]["hidden"][0] - w_star)))

    est = ProjectedShallowRegressor(
        n_hidden=1,
        activation=activation,
        constraint="l0",
        tau=int(np.count_nonzero(w_star)),
        output_weights="ones",
        fit_intercept=False,
        init="zero",
        solver="pgd",  # iterative hard thresholding, as in the paper
        max_iter=n_iter,
        tol=0,
        callback=record,
    )
    with quiet_convergence():
        est.fit(X, y)
    return [float(np.linalg.norm(w_star))] + errors


def run(
    full=False, n_features=1000, n_nonzero=20, n_trials=None, n_iter=20, progress=None
):
    """Mean estimation error per iteration, ReLU and linear observations.

    Returns
    -------
    rows : list of dict
        ``iteration``, ``relu_error``, ``linear_error`` (means over trials).
    """
    n_trials = n_trials or (100 if full else 10)
    n = math.ceil(8 * n_nonzero * math.log(n_features / n_nonzero))
    relu, linear = [], []
    for seed in range(n_trials):
        X, y, truth = make_sparse_relu(
            n, n_features=n_features, n_nonzero=n_nonzero, random_state=seed
        )
        relu.append(_trajectory(X, y, truth, "relu", n_iter))
        y_lin = X @ truth.hidden_weights[0]
        linear.append(_trajectory(X, y_lin, truth, "linear", n_iter))
        tick(progress, f"trial {seed + 1}")
    relu, linear = np.mean(relu, axis=0), np.mean(linear, axis=0)
    return [
        {"iteration": t, "relu_error": float(r), "linear_error": float(li)}
        for t, (r, li) in enumerate(zip(relu, linear))
    ]


def check(rows):
    fails = []
    last = rows[-1]
    if rows[0]["relu_error"] != 1.0:
        fails.append("the error does not start at ||w*|| = 1")
    if last["iteration"] >= 20 and last["relu_error"] >= 1e-3:
        fails.append(f"ReLU error at t={last['iteration']}: {last['relu_error']:.3g}")
    if last["linear_error"] >= 1e-3 and last["iteration"] >= 20:
        fails.append(
            f"linear error at t={last['iteration']}: {last['linear_error']:.3g}"
        )
    return fails


def plot(rows, path):
    fig, (ax,) = figure(1)
    t = [r["iteration"] for r in rows]
    ax.plot(t, [r["relu_error"] for r in rows], "o-", label="ReLU samples")
    ax.plot(t, [r["linear_error"] for r in rows], "s-", label="linear samples")
    ax.set_xlabel("iteration")
    ax.set_ylabel("||w_t - w*||")
    ax.legend()
    return save(fig, path)


SOLTANOLKOTABI = Experiment(
    name="soltanolkotabi",
    paper="Soltanolkotabi 2017, Fig. 1",
    claim=CLAIM,
    run=run,
    check=check,
    plot=plot,
    tiny=dict(n_features=200, n_nonzero=5, n_trials=2),
)

ENTRIES = (SOLTANOLKOTABI,)
