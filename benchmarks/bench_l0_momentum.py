"""Momentum on non-convex sets: does FISTA recover Oymak's planted network less often?

Issue 19 item 7. The setting is the project's Oymak sparse experiment
(:mod:`sklearn_shallow.experiments.oymak`, ``_fit_sparse`` with the good
initialisation): ``p = 80`` Gaussian inputs, a planted ReLU network of
``h = 20`` units with 8 nonzeros each and output weights one
(:func:`~sklearn_shallow.datasets.make_sparse_network`), a test set of 1000
samples from the same network (seed + 10000), the good start
``W* + N(0, 1/h)`` (:func:`~sklearn_shallow.datasets.oymak_init`, seed +
100), output weights fixed to ones, no intercept, ``step_size='auto'`` (the
experiment's default; ``--paper-steps`` runs its fixed step instead) and the
experiment's ``max_iter=2000`` of the full run. ``tau`` is the true number
of nonzeros for 'l0' and the true l1 norm for 'l1'.

With fixed output weights and no intercept there is nothing for variable
projection to solve, so the three solvers differ only in their step policy:
'pgd' (plain projected gradient, the paper's, step grown by 1.5 after each
accepted step), 'fista' (extrapolated point, monotone restart) and 'spg'
(Barzilai-Borwein first trial, non-monotone on convex sets only).

For each solver and constraint the script prints how many of the seeds
recovered the planted network (test NMSE below ``RECOVERED``, the
experiment's ``EXACT`` threshold of its convolutional figure; the share
with weight correlation above 0.999 is printed beside it), and the median
number of iterations, fit seconds and test NMSE.

Measured (2 cores, one thread, step 'auto', 10 seeds, n = 600): l0 recovered
pgd 6, fista 8, spg 5; l1 pgd 10, fista 10, spg 9, FISTA in 1/5 of PGD's
iterations. On 50 seeds (paired): l0 n = 500 pgd 11 / fista 13, n = 600
38 / 42, n = 700 49 / 48 (no difference is significant); l1 n = 500 13 / 32
(McNemar p = 4e-6). Momentum does not lose the planted network on l0 here.

Usage::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        python benchmarks/bench_l0_momentum.py                # n = 600, l0 and l1
    python benchmarks/bench_l0_momentum.py --n 500 700 --constraints l0
    python benchmarks/bench_l0_momentum.py --paper-steps      # fixed step mu = 5
    python benchmarks/bench_l0_momentum.py --seeds 3          # quick
"""

import argparse
import time

import numpy as np

from sklearn_shallow import ProjectedShallowRegressor
from sklearn_shallow.datasets import make_sparse_network, oymak_init, sample_network
from sklearn_shallow.experiments import oymak
from sklearn_shallow.experiments._common import quiet_convergence
from sklearn_shallow.metrics import normalized_mse, weight_correlation

SOLVERS = ("pgd", "fista", "spg")
CONSTRAINTS = ("l0", "l1")
#: Test NMSE below which a fit counts as having found the planted network
#: (oymak.EXACT; oymak.ZERO_LOSS = 1e-2 is the figure's "~0").
RECOVERED = 1e-4
CORR_RECOVERED = 0.999
MAX_ITER = 2000  # the experiment's full run (1500 in its quick one)


def fit_one(n, seed, solver, constraint, max_iter=MAX_ITER, paper_steps=False):
    """One fit in the setting of ``oymak._fit_sparse(n, seed, 'good', ...)``.

    ``paper_steps``: the experiment's option, the paper's fixed step
    ``mu = 5`` on ``x / sqrt(p)`` (``W0 sqrt(p)``, the l1 radius alike).
    """
    X, y, truth = make_sparse_network(n, random_state=seed)
    X_test, y_test = sample_network(truth, 1000, random_state=seed + 10_000)
    tau = {"l1": truth.l1_norm, "l0": truth.n_nonzero_total}[constraint]
    W0 = oymak_init(truth, "good", random_state=seed + 100)
    step = "auto"
    W_true = truth.hidden_weights
    if paper_steps:
        scale, (X, X_test) = oymak._unit_inputs(X, X_test)
        W0 = W0 / scale
        tau = tau / scale if constraint == "l1" else tau
        step = oymak.PAPER_STEP_SPARSE
    est = ProjectedShallowRegressor(
        constraint=constraint,
        tau=tau,
        output_weights="ones",
        fit_intercept=False,
        solver=solver,
        init=W0,
        step_size=step,
        max_iter=max_iter,
        random_state=seed,
    )
    t0 = time.perf_counter()
    with quiet_convergence():
        est.fit(X, y)
    seconds = time.perf_counter() - t0
    return {
        "test_nmse": normalized_mse(y_test, est.predict(X_test)),
        "train_nmse": normalized_mse(y, est.predict(X)),
        "corr": weight_correlation(W_true, est.hidden_weights_),
        "n_iter": est.n_iter_,
        "seconds": seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[600])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--constraints", nargs="+", default=list(CONSTRAINTS))
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS))
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    parser.add_argument(
        "--paper-steps",
        action="store_true",
        help="the paper's fixed step 5 on x / sqrt(p) instead of 'auto'",
    )
    parser.add_argument(
        "--per-seed", action="store_true", help="also print each seed's test NMSE"
    )
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    header = (
        f"{'n':>4} {'solver':>6} {'set':>4} {'recovered':>9} {'corr>.999':>9} "
        f"{'med iter':>8} {'med s':>7} {'med test NMSE':>13}"
    )
    step = "5 on x/sqrt(p)" if args.paper_steps else "'auto'"
    print(
        f"good start, output weights ones, no intercept, step {step}, "
        f"max_iter={args.max_iter}; recovered: test NMSE < {RECOVERED:g}"
    )
    print(header)
    print("-" * len(header))
    for n in args.n:
        for constraint in args.constraints:
            for solver in args.solvers:
                res = [
                    fit_one(n, s, solver, constraint, args.max_iter, args.paper_steps)
                    for s in seeds
                ]
                test = np.array([r["test_nmse"] for r in res])
                corr = np.array([r["corr"] for r in res])
                print(
                    f"{n:>4} {solver:>6} {constraint:>4} "
                    f"{int(np.sum(test < RECOVERED)):>4}/{len(res):<4} "
                    f"{int(np.sum(corr > CORR_RECOVERED)):>4}/{len(res):<4} "
                    f"{np.median([r['n_iter'] for r in res]):>8.0f} "
                    f"{np.median([r['seconds'] for r in res]):>7.2f} "
                    f"{np.median(test):>13.3g}",
                    flush=True,
                )
                if args.per_seed:
                    print(
                        "      per seed test NMSE: "
                        + " ".join(f"{t:.1e}" for t in test)
                        + "\n      per seed iterations: "
                        + " ".join(str(r["n_iter"]) for r in res),
                        flush=True,
                    )


if __name__ == "__main__":
    main()
