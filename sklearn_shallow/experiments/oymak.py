"""Oymak (2018), Figures 1-3: constraints cut the samples PGD needs.

Sparse setting (Fig. 1 and 2): ``p = 80`` inputs, ``h = 20`` ReLU units with
``s = 8`` nonzeros each, output weights 1; good initialisation ``W* + Z``,
random initialisation ``Z`` (``Z_ij ~ N(0, 1/h)``). Convolutional setting
(Fig. 3): ``p = 81``, kernels of width 15, stride 6, 4 kernels (48 units).
"""

import numpy as np

from ..architectures import Convolution
from ..datasets import (
    make_conv_network,
    make_sparse_network,
    oymak_init,
    sample_network,
)
from ..metrics import normalized_mse, weight_correlation
from ..projected import ProjectedShallowRegressor
from ._common import Experiment, figure, quiet_convergence, save, tick

SPARSE_CLAIM = (
    "Fig. 1: from the good initialisation, l1 and l0 projected gradient descent "
    "reach ~0 test error and weight correlation ~1 once n is large enough "
    "(n = 1000 here: normalised test loss < 1e-3), while unconstrained gradient "
    "descent stays far from it (> 0.05). Fig. 2: from a random initialisation "
    "the constrained fits still beat the unconstrained one."
)


def _fit_sparse(n, seed, init, constraint, max_iter):
    X, y, truth = make_sparse_network(n, random_state=seed)
    X_test, y_test = sample_network(truth, 1000, random_state=seed + 10_000)
    tau = {None: None, "l1": truth.l1_norm, "l0": truth.n_nonzero_total}[constraint]
    est = ProjectedShallowRegressor(
        constraint=constraint,
        tau=tau,
        output_weights="ones",
        fit_intercept=False,
        solver="pgd",  # the paper's projected gradient descent
        init=oymak_init(truth, init, random_state=seed + 100),
        max_iter=max_iter,
        random_state=seed,
    )
    with quiet_convergence():
        est.fit(X, y)
    return (
        normalized_mse(y_test, est.predict(X_test)),
        weight_correlation(truth.hidden_weights, est.hidden_weights_),
    )


def run_sparse(
    full=False,
    n_values=None,
    n_trials=None,
    max_iter=None,
    inits=("good", "random"),
    progress=None,
):
    """Test loss and weight correlation against n, per init and constraint.

    Parameters
    ----------
    full : bool, default=False
        The paper's sizes: n from 100 to 2000, 20 trials, 2000 iterations.
    n_values, n_trials, max_iter : optional overrides
    inits : tuple of {'good', 'random'}
    progress : callable or None
        Called with a label after each (init, constraint, n).

    Returns
    -------
    rows : list of dict
        ``init``, ``constraint``, ``n``, ``test_nmse``, ``weight_corr``
        (means over trials).
    """
    if n_values is None:
        n_values = range(100, 2001, 100) if full else (200, 400, 600, 800, 1000)
    n_trials = n_trials or (20 if full else 3)
    max_iter = max_iter or (2000 if full else 1500)
    rows = []
    for init in inits:
        for constraint in (None, "l1", "l0"):
            for n in n_values:
                res = np.array(
                    [
                        _fit_sparse(n, seed, init, constraint, max_iter)
                        for seed in range(n_trials)
                    ]
                )
                rows.append(
                    {
                        "init": init,
                        "constraint": constraint or "none",
                        "n": int(n),
                        "test_nmse": float(res[:, 0].mean()),
                        "weight_corr": float(res[:, 1].mean()),
                    }
                )
                tick(progress, f"{init} init, {constraint or 'none'}, n={n}")
    return rows


def check_sparse(rows):
    """Failures of :data:`SPARSE_CLAIM` in ``rows`` (empty when it holds)."""
    fails = []
    good = [r for r in rows if r["init"] == "good"]
    if good:
        n_max = max(r["n"] for r in good)
        last = {r["constraint"]: r for r in good if r["n"] == n_max}
        for c in ("l1", "l0"):
            if n_max >= 1000 and last[c]["test_nmse"] >= 1e-3:
                fails.append(f"good init, {c}, n={n_max}: {last[c]['test_nmse']:.3g}")
            if last[c]["test_nmse"] >= last["none"]["test_nmse"]:
                fails.append(f"good init, {c} not better than unconstrained")
        if last["none"]["test_nmse"] <= 0.05:
            fails.append("unconstrained reached the planted model")
    rand = [r for r in rows if r["init"] == "random"]
    if rand:
        n_max = max(r["n"] for r in rand)
        last = {r["constraint"]: r for r in rand if r["n"] == n_max}
        for c in ("l1", "l0"):
            if last[c]["test_nmse"] >= last["none"]["test_nmse"]:
                fails.append(f"random init, {c} not better than unconstrained")
    return fails


def plot_sparse(rows, path):
    inits = sorted({r["init"] for r in rows}, key=["good", "random"].index)
    fig, axes = figure(2 * len(inits))
    for i, init in enumerate(inits):
        for c in ("none", "l1", "l0"):
            sel = [r for r in rows if r["init"] == init and r["constraint"] == c]
            n = [r["n"] for r in sel]
            axes[2 * i].semilogy(
                n, [max(r["test_nmse"], 1e-16) for r in sel], "o-", label=c
            )
            axes[2 * i + 1].plot(n, [1 - r["weight_corr"] for r in sel], "o-", label=c)
        axes[2 * i].set_title(f"{init} init: test loss")
        axes[2 * i].set_ylabel("normalised test MSE")
        axes[2 * i + 1].set_title(f"{init} init: 1 - corr(W*, W)")
        for ax in axes[2 * i : 2 * i + 2]:
            ax.set_xlabel("n")
            ax.legend()
    return save(fig, path)


CONV_CLAIM = (
    "Fig. 3: with the convolutional constraint and the good initialisation the "
    "test error quickly reaches ~0 (< 0.01 from n = 300); from a random start "
    "the convolutional fit is still far better than the unconstrained one, "
    "which barely learns."
)


def _fit_conv(n, seed, model, max_iter):
    X, y, truth = make_conv_network(n, random_state=seed)
    X_test, y_test = sample_network(truth, 1000, random_state=seed + 10_000)
    conv = Convolution(truth.kernel_size, truth.stride, truth.n_kernels)
    common = dict(
        output_weights="ones",
        fit_intercept=False,
        solver="pgd",  # the paper's projected gradient descent
        max_iter=max_iter,
        random_state=seed,
    )
    if model == "unconstrained, random init":
        rng = np.random.default_rng(seed)
        p, b, k = X.shape[1], truth.kernel_size, truth.n_kernels
        h = truth.hidden_weights.shape[0]
        Z = rng.standard_normal((h, p)) * np.sqrt(p / (b * k))
        est = ProjectedShallowRegressor(init=Z, n_hidden=h, **common)
    else:
        kind = "good" if "good" in model else "random"
        est = ProjectedShallowRegressor(
            architecture=conv,
            init=oymak_init(truth, kind, random_state=seed + 100),
            **common,
        )
    with quiet_convergence():
        est.fit(X, y)
    return (
        normalized_mse(y_test, est.predict(X_test)),
        weight_correlation(truth.hidden_weights, est.hidden_weights_),
    )


CONV_MODELS = ("unconstrained, random init", "CNN, random init", "CNN, good init")


def run_conv(full=False, n_values=None, n_trials=None, max_iter=None, progress=None):
    """Test loss and weight correlation against n for the three models of Fig. 3.

    Returns
    -------
    rows : list of dict
        ``model``, ``n``, ``test_nmse``, ``weight_corr`` (means over trials).
    """
    if n_values is None:
        n_values = range(100, 1001, 100) if full else (100, 200, 300, 500)
    n_trials = n_trials or (20 if full else 3)
    max_iter = max_iter or (2000 if full else 1000)
    rows = []
    for model in CONV_MODELS:
        for n in n_values:
            res = np.array([_fit_conv(n, s, model, max_iter) for s in range(n_trials)])
            rows.append(
                {
                    "model": model,
                    "n": int(n),
                    "test_nmse": float(res[:, 0].mean()),
                    "weight_corr": float(res[:, 1].mean()),
                }
            )
            tick(progress, f"{model}, n={n}")
    return rows


def check_conv(rows):
    fails = []
    by = {(r["model"], r["n"]): r for r in rows}
    ns = sorted({r["n"] for r in rows})
    for n in ns:
        if n >= 300 and by["CNN, good init", n]["test_nmse"] >= 0.01:
            fails.append(
                f"CNN good init at n={n}: {by['CNN, good init', n]['test_nmse']:.3g}"
            )
    n = ns[-1]
    if (
        by["CNN, random init", n]["test_nmse"]
        >= by["unconstrained, random init", n]["test_nmse"]
    ):
        fails.append("CNN random init not better than unconstrained")
    return fails


def plot_conv(rows, path):
    fig, axes = figure(2)
    for model in CONV_MODELS:
        sel = [r for r in rows if r["model"] == model]
        n = [r["n"] for r in sel]
        axes[0].semilogy(
            n, [max(r["test_nmse"], 1e-16) for r in sel], "o-", label=model
        )
        axes[1].plot(n, [r["weight_corr"] for r in sel], "o-", label=model)
    axes[0].set_ylabel("normalised test MSE")
    axes[1].set_ylabel("corr(W*, W)")
    for ax in axes:
        ax.set_xlabel("n")
        ax.legend()
    return save(fig, path)


OYMAK_SPARSE = Experiment(
    name="oymak-sparse",
    paper="Oymak 2018, Fig. 1-2",
    claim=SPARSE_CLAIM,
    run=run_sparse,
    check=check_sparse,
    plot=plot_sparse,
    tiny=dict(n_values=(300, 1000), n_trials=1, max_iter=800),
)

OYMAK_CONV = Experiment(
    name="oymak-conv",
    paper="Oymak 2018, Fig. 3",
    claim=CONV_CLAIM,
    run=run_conv,
    check=check_conv,
    plot=plot_conv,
    tiny=dict(n_values=(300,), n_trials=1, max_iter=500),
)

ENTRIES = (OYMAK_SPARSE, OYMAK_CONV)
