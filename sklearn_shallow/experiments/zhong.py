"""Zhong et al. (2017), Figure 1(a)-(c): tensor initialisation then descent.

Planted networks with ``k = 5`` squared-ReLU units, condition number 2 and
output weights of random sign, Gaussian inputs. (a) how often tensor
initialisation plus gradient descent recovers the network over ``(d, n)``,
next to a random start; (b) the error of the initialisation alone against
``n``; (c) iterations to a training loss of 1e-6 from three starts.
"""

import numpy as np

from ..datasets import make_planted_network
from ..metrics import recovery_error
from ..tensor_init import tensor_initialization
from ..tensor_net import TensorInitOneHidden
from ._common import Experiment, figure, quiet_convergence, save, tick

CLAIM = (
    "Fig. 1: tensor initialisation followed by gradient descent recovers the "
    "planted network (error <= 0.01 with matching output signs) once n is a "
    "few thousand, where random starts mostly fail (a); the initialisation "
    "error itself falls as n grows (b); and from the tensor start the "
    "training loss reaches 1e-6 in fewer iterations than from random W with "
    "the true v, while random (W, v) mostly does not get there (c)."
)

K = 5
TARGET = 1e-6


def _planted(n, d, seed):
    return make_planted_network(
        n,
        n_features=d,
        n_hidden=K,
        activation="squared_relu",
        output_weights="signs",
        condition_number=2.0,
        random_state=seed,
    )


def _recovered(truth, est):
    error, _, v_match = recovery_error(
        truth.hidden_weights,
        est.hidden_weights_,
        truth.output_weights,
        np.sign(est.output_weights_),
        return_matching=True,
    )
    return error <= 0.01 and v_match


def run(
    full=False,
    dims=None,
    sizes=None,
    init_sizes=None,
    n_trials=None,
    max_iter=300,
    progress=None,
):
    """Rows for the three panels; ``part`` is 'recovery', 'init_error' or
    'convergence'.

    Returns
    -------
    rows : list of dict
        ``part``, ``start``, ``d``, ``n``, ``value`` (recovery rate,
        initialisation error, or iterations to a loss of 1e-6 with -1 for
        never) and ``trials``.
    """
    dims = dims or ((10, 20, 40, 60, 80, 100) if full else (10, 20, 40))
    sizes = sizes or (
        (250, 500, 1000, 2000, 5000, 10000) if full else (250, 500, 1000, 5000)
    )
    init_sizes = init_sizes or (2000, 5000, 20000)
    n_trials = n_trials or (10 if full else 3)
    rows = []
    for d in dims:
        for n in sizes:
            for start in ("tensor", "random"):
                hits = 0
                for seed in range(n_trials):
                    X, y, truth = _planted(n, d, seed)
                    est = TensorInitOneHidden(
                        n_hidden=K,
                        activation="squared_relu",
                        init=start,
                        fit_intercept=False,
                        solver="pgd",  # the paper's gradient descent
                        max_iter=max_iter,
                        random_state=seed,
                    )
                    with quiet_convergence():
                        est.fit(X, y)
                    hits += _recovered(truth, est)
                rows.append(
                    {
                        "part": "recovery",
                        "start": start,
                        "d": d,
                        "n": n,
                        "value": hits / n_trials,
                        "trials": n_trials,
                    }
                )
            tick(progress, f"recovery d={d} n={n}")
    for n in init_sizes:
        errors = []
        for seed in range(n_trials):
            X, y, truth = _planted(n, 20, seed)
            W0 = tensor_initialization(
                X, y, K, "squared_relu", random_state=seed
            ).hidden_weights
            errors.append(recovery_error(truth.hidden_weights, W0))
        rows.append(
            {
                "part": "init_error",
                "start": "tensor",
                "d": 20,
                "n": n,
                "value": float(np.mean(errors)),
                "trials": n_trials,
            }
        )
        tick(progress, f"initialisation error n={n}")
    for seed in range(n_trials):
        X, y, truth = _planted(5000, 10, seed)
        starts = {
            "tensor": dict(init="tensor"),
            "random W, true v": dict(
                init="random", output_weights=truth.output_weights
            ),
            "random (W, v)": dict(init="random", output_weights="learn"),
        }
        for name, options in starts.items():
            est = TensorInitOneHidden(
                n_hidden=K,
                activation="squared_relu",
                fit_intercept=False,
                solver="pgd",  # the paper's gradient descent on W (and v)
                max_iter=1000,
                tol=0,
                random_state=seed + 1,
                **options,
            )
            with quiet_convergence():
                est.fit(X, y)
            below = np.flatnonzero(np.asarray(est.loss_curve_) <= TARGET)
            rows.append(
                {
                    "part": "convergence",
                    "start": name,
                    "d": 10,
                    "n": 5000,
                    "value": int(below[0] + 1) if below.size else -1,
                    "trials": 1,
                }
            )
        tick(progress, f"convergence seed {seed}")
    return rows


def check(rows):
    fails = []
    rec = [r for r in rows if r["part"] == "recovery"]
    n_max = max(r["n"] for r in rec)
    for r in rec:
        if r["start"] == "tensor" and r["n"] == n_max and r["n"] >= 5000:
            if r["value"] < 0.8:
                fails.append(f"tensor start, d={r['d']}, n={r['n']}: rate {r['value']}")
    init = [r["value"] for r in rows if r["part"] == "init_error"]
    if init and not init[0] > init[-1]:
        fails.append(f"initialisation error does not fall with n: {init}")
    conv = [r for r in rows if r["part"] == "convergence"]
    by_seed = [conv[i : i + 3] for i in range(0, len(conv), 3)]
    for trio in by_seed:
        t = {r["start"]: r["value"] for r in trio}
        if t["tensor"] < 0:
            fails.append("the tensor start did not reach a loss of 1e-6")
        elif 0 <= t["random W, true v"] < t["tensor"]:
            fails.append("random W with true v was faster than the tensor start")
    stuck = sum(r["value"] < 0 for r in conv if r["start"] == "random (W, v)")
    if by_seed and stuck < len(by_seed) / 2:
        fails.append("random (W, v) reached 1e-6 in most trials")
    return fails


def plot(rows, path):
    fig, axes = figure(3)
    rec = [r for r in rows if r["part"] == "recovery"]
    for start, ls in (("tensor", "-"), ("random", ":")):
        for d in sorted({r["d"] for r in rec}):
            sel = [r for r in rec if r["start"] == start and r["d"] == d]
            axes[0].plot(
                [r["n"] for r in sel],
                [r["value"] for r in sel],
                "o" + ls,
                label=f"{start}, d={d}",
            )
    axes[0].set_xscale("log")
    axes[0].set_xlabel("n")
    axes[0].set_ylabel("recovery rate")
    axes[0].legend(fontsize=7)
    init = [r for r in rows if r["part"] == "init_error"]
    axes[1].loglog([r["n"] for r in init], [r["value"] for r in init], "o-")
    axes[1].set_xlabel("n")
    axes[1].set_ylabel("initialisation error (d = 20)")
    conv = [r for r in rows if r["part"] == "convergence"]
    names = ["tensor", "random W, true v", "random (W, v)"]
    for i, name in enumerate(names):
        vals = [r["value"] for r in conv if r["start"] == name]
        shown = [v if v >= 0 else 1000 for v in vals]
        axes[2].scatter([i] * len(vals), shown, s=40)
    axes[2].set_xticks(range(3), names, fontsize=8)
    axes[2].set_ylabel("iterations to loss 1e-6 (1000: never)")
    return save(fig, path)


ZHONG = Experiment(
    name="zhong",
    paper="Zhong et al. 2017, Fig. 1(a)-(c)",
    claim=CLAIM,
    run=run,
    check=check,
    plot=plot,
    tiny=dict(
        dims=(10,), sizes=(2000,), init_sizes=(2000, 8000), n_trials=1, max_iter=100
    ),
)

ENTRIES = (ZHONG,)
