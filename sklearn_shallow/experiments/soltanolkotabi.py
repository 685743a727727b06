"""Soltanolkotabi (2017), Figure 1: iterative hard thresholding learns a ReLU.

A unit-norm ``w*`` in ``d = 1000`` dimensions with ``s = 20`` nonzeros, and
``n = ceil(8 s log(d / s))`` Gaussian samples. Projected gradient descent with
the l0 projection, started at ``w = 0``, on ReLU observations
``y = relu(X w*)`` and, for comparison, on linear observations ``y = X w*``.

Step sizes
----------
Theorem 3.1 sets ``mu_0 = 2`` and ``mu_t = 1`` for ``t >= 1`` on the
generalised gradient ``(1/n) sum_i (relu(<w, x_i>) - y_i)(1 + sgn(<w, x_i>))
x_i`` (its eq. 3.1), which is twice the gradient of our loss
``1/(2n) sum_i (relu(<w, x_i>) - y_i)^2`` (our ReLU derivative at 0 is 1/2,
the paper's ``(1 + sgn 0)`` halved). The schedule is therefore the steps 4,
then 2, in our units: the first step from ``w = 0`` lands on
``(2/n) sum_i y_i x_i``, whose mean is ``w*``. For the linear observations
the paper steps ``w - (1/n) X'(X w - y)``, step 1 in our units.
``paper_steps=True`` runs these fixed steps; the default backtracks.
"""

import math

import numpy as np

from ..datasets import make_sparse_relu
from ..projected import ProjectedShallowRegressor
from ._common import Experiment, figure, quiet_convergence, save, tick

#: Theorem 3.1's schedule (the paper's units) and its factor 1/2 per step.
PAPER_STEPS = (2.0, 1.0)
PAPER_RATE = 0.5
#: Our gradient is half the paper's: our steps are twice its steps.
RELU_STEPS = tuple(2 * mu for mu in PAPER_STEPS)
LINEAR_STEPS = (1.0, 1.0)

#: Sample trials drawn (and tabulated) beside the mean, as in the paper.
N_SHOWN = 3

#: Every trial must have come this far at t = 20: a tenth of ||w*||. Under
#: the paper's schedule the slowest of 100 trials is at 0.02 (the mean at
#: 2.5e-4): n = 8 s log(d/s) is at the edge of Theorem 3.1's c n0.
WORST = 0.1

CLAIM = (
    "Fig. 1: from w = 0, with n = 8 s log(d/s) samples, the estimation error "
    "||w_t - w*|| falls from 1 to ~0 within 20 iterations for ReLU "
    f"observations (here: mean < 1e-3 at t = 20, and every trial below "
    f"{WORST:g}), "
    "about as fast as for linear observations of the same w*."
)


def _trajectory(X, y, truth, activation, n_iter, steps=None):
    """``||w_t - w*||`` for t = 0..n_iter; ``steps`` = (first, later) or None."""
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
        # The paper's start w0 = 0, given as an array: the fit then runs in
        # the units of X, as the paper's iteration does (a named start would
        # scale the columns to unit root mean square first).
        init=np.zeros((1, X.shape[1])),
        solver="pgd",  # iterative hard thresholding, as in the paper
        step_size="auto" if steps is None else steps[0],
        max_iter=n_iter if steps is None else 1,
        tol=0,
        callback=record,
        warm_start=steps is not None,
    )
    with quiet_convergence():
        est.fit(X, y)
        if steps is not None and n_iter > 1:
            # The schedule's later steps continue the same iterate.
            est.set_params(step_size=steps[1], max_iter=n_iter - 1)
            est.fit(X, y)
    return [float(np.linalg.norm(w_star))] + errors


def run(
    full=False,
    n_features=1000,
    n_nonzero=20,
    n_trials=None,
    n_iter=20,
    paper_steps=False,
    progress=None,
):
    """Estimation error per iteration, ReLU and linear observations.

    Parameters
    ----------
    full : bool, default=False
        100 trials, as the paper (else 10).
    paper_steps : bool, default=False
        Theorem 3.1's fixed schedule (see the module docstring) instead of
        backtracking.

    Returns
    -------
    rows : list of dict
        ``iteration``, ``relu_error``, ``linear_error`` (means over trials),
        ``relu_worst``, ``linear_worst`` (largest over trials) and the
        errors of the first ``N_SHOWN`` trials, ``relu_1``, ``linear_1``, ...
    """
    n_trials = n_trials or (100 if full else 10)
    n = math.ceil(8 * n_nonzero * math.log(n_features / n_nonzero))
    relu_steps = RELU_STEPS if paper_steps else None
    linear_steps = LINEAR_STEPS if paper_steps else None
    relu, linear = [], []
    for seed in range(n_trials):
        X, y, truth = make_sparse_relu(
            n, n_features=n_features, n_nonzero=n_nonzero, random_state=seed
        )
        relu.append(_trajectory(X, y, truth, "relu", n_iter, relu_steps))
        y_lin = X @ truth.hidden_weights[0]
        linear.append(_trajectory(X, y_lin, truth, "linear", n_iter, linear_steps))
        tick(progress, f"trial {seed + 1}")
    relu, linear = np.array(relu), np.array(linear)
    rows = []
    for t in range(n_iter + 1):
        row = {
            "iteration": t,
            "relu_error": float(relu[:, t].mean()),
            "linear_error": float(linear[:, t].mean()),
            "relu_worst": float(relu[:, t].max()),
            "linear_worst": float(linear[:, t].max()),
        }
        for k in range(min(N_SHOWN, n_trials)):
            row[f"relu_{k + 1}"] = float(relu[k, t])
            row[f"linear_{k + 1}"] = float(linear[k, t])
        row["n"] = n
        row["steps"] = "paper" if paper_steps else "auto"
        rows.append(row)
    return rows


def rate(rows, key="relu_error", last=10):
    """Mean factor by which ``key`` shrinks per iteration over the last steps."""
    errors = np.array([r[key] for r in rows[-last - 1 :]])
    if np.any(errors <= 0):
        return 0.0
    return float(np.exp(np.mean(np.diff(np.log(errors)))))


def check(rows):
    fails = []
    last = rows[-1]
    # ||w*|| = 1 up to rounding (the normalised planted vector's norm is 1
    # only to an ulp or two).
    if abs(rows[0]["relu_error"] - 1.0) > 1e-12:
        fails.append("the error does not start at ||w*|| = 1")
    if last["iteration"] >= 20:
        for kind in ("relu", "linear"):
            if last[f"{kind}_error"] >= 1e-3:
                fails.append(
                    f"{kind} mean error at t={last['iteration']}: "
                    f"{last[f'{kind}_error']:.3g}"
                )
            if last[f"{kind}_worst"] >= WORST:
                fails.append(
                    f"{kind} worst trial at t={last['iteration']}: "
                    f"{last[f'{kind}_worst']:.3g}"
                )
    return fails


def _steps_text(rows):
    if rows[0]["steps"] == "paper":
        return f"{RELU_STEPS[0]:g}, then {RELU_STEPS[1]:g} (linear: 1)"
    return "auto (backtracking)"


def paper_table(rows):
    """Theorem 3.1 and Fig. 1 beside our numbers."""
    last = rows[-1]
    t = last["iteration"]
    return [
        {
            "quantity": "samples n = ceil(8 s log(d/s))",
            "paper": "626 (d = 1000, s = 20)",
            "ours": rows[0]["n"],
        },
        {
            "quantity": "ReLU steps",
            "paper": "mu_0 = 2, then 1 (gradient of (1/n) sum = 2x ours)",
            "ours": _steps_text(rows),
        },
        {
            "quantity": f"ReLU mean error at t={t}",
            "paper": "~0 (Fig. 1, 100 trials)",
            "ours": f"{last['relu_error']:.3g}",
        },
        {
            "quantity": f"ReLU worst trial at t={t}",
            "paper": "(sample trials drawn, not summarised)",
            "ours": f"{last['relu_worst']:.3g}",
        },
        {
            "quantity": f"linear mean error at t={t}",
            "paper": "~0 (Fig. 1)",
            "ours": f"{last['linear_error']:.3g}",
        },
        {
            "quantity": "ReLU error factor per step (last 10)",
            "paper": f"<= {PAPER_RATE:g} (Theorem 3.1, n >= c n0)",
            "ours": f"{rate(rows):.3g}",
        },
        {
            "quantity": "linear error factor per step (last 10)",
            "paper": "(not stated)",
            "ours": f"{rate(rows, 'linear_error'):.3g}",
        },
    ]


def plot(rows, path):
    fig, axes = figure(2)
    t = [r["iteration"] for r in rows]
    for ax, scale in zip(axes, ("linear", "log")):
        for kind, marker, label in (
            ("relu", "o", "ReLU samples"),
            ("linear", "s", "linear samples"),
        ):
            (line,) = ax.plot(
                t,
                [max(r[f"{kind}_error"], 1e-16) for r in rows],
                marker + "-",
                lw=2.5,
                label=f"{label}: mean",
            )
            k = 1
            while f"{kind}_{k}" in rows[0]:
                ax.plot(
                    t,
                    [max(r[f"{kind}_{k}"], 1e-16) for r in rows],
                    "-",
                    lw=0.8,
                    alpha=0.5,
                    color=line.get_color(),
                    label=f"{label}: sample trials" if k == 1 else None,
                )
                k += 1
        ax.set_yscale(scale)
        ax.set_xlabel("iteration")
        ax.set_ylabel("||w_t - w*||")
        ax.legend(fontsize=7)
    axes[0].set_title("estimation error")
    axes[1].set_title("the same, log scale")
    return save(fig, path)


SOLTANOLKOTABI = Experiment(
    name="soltanolkotabi",
    paper="Soltanolkotabi 2017, Fig. 1",
    claim=CLAIM,
    run=run,
    check=check,
    plot=plot,
    tiny=dict(n_features=200, n_nonzero=5, n_trials=2),
    paper_table=paper_table,
    options=("paper_steps",),
)

ENTRIES = (SOLTANOLKOTABI,)
