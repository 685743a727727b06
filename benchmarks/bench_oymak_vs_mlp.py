"""Oymak's sparse setting: projected gradient descent against scikit-learn MLPs.

The data follow Oymak (2018), section 6: ``n = 600`` Gaussian inputs in
``p = 80`` dimensions, a planted ReLU network with ``h = 20`` hidden units of
8 nonzero weights each and output weights one
(:func:`~sklearn_shallow.datasets.make_sparse_network`), and a fresh test set
of 1000 samples from the same network. For each seed this script fits

* :class:`~sklearn_shallow.ProjectedShallowRegressor` under the l1 ball of
  radius ``||W*||_1`` and the l0 ball of ``n_hidden * n_nonzero`` entries,
  and with no constraint, all from Oymak's good initialisation
  (``W* + N(0, 1/h)``), output weights fixed to one and no intercept;
* :class:`~sklearn.neural_network.MLPRegressor` with 20 hidden units and the
  'lbfgs' and 'adam' solvers (learned output weights and intercepts, default
  random initialisation),

each under the default BLAS/OpenMP threads and under
``threadpool_limits(1)``, and prints the mean fit time, the mean normalised
test loss ``var(y - yhat) / var(y)`` (and the training one, which shows
when a method interpolates 600 samples with its 1600-odd weights but does
not generalise) and the mean number of iterations.

numpy and scipy each ship their own OpenBLAS; L-BFGS alternates between the
two, which is where oversubscribing a small machine hurts most.

Usage::

    python benchmarks/bench_oymak_vs_mlp.py            # 5 seeds
    python benchmarks/bench_oymak_vs_mlp.py --quick    # 2 seeds
"""

import argparse
import contextlib
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_shallow import ProjectedShallowRegressor
from sklearn_shallow.datasets import make_sparse_network, oymak_init, sample_network
from sklearn_shallow.metrics import normalized_mse

N_TRAIN = 600
N_TEST = 1000


def pgd(constraint, tau_field, max_iter):
    """Factory for a projected-gradient fit from Oymak's good start."""

    def build(truth, seed):
        tau = None if tau_field is None else truth[tau_field]
        return ProjectedShallowRegressor(
            n_hidden=truth.hidden_weights.shape[0],
            constraint=constraint,
            tau=tau,
            output_weights="ones",
            fit_intercept=False,
            init=oymak_init(truth, "good", random_state=seed + 100),
            max_iter=max_iter,
            random_state=seed,
        )

    return build


def mlp(solver, max_iter):
    """Factory for scikit-learn's MLPRegressor with 20 hidden units."""

    def build(truth, seed):
        return MLPRegressor(
            hidden_layer_sizes=(truth.hidden_weights.shape[0],),
            solver=solver,
            max_iter=max_iter,
            random_state=seed,
        )

    return build


def methods(args):
    return {
        "PGD l1 (good init)": pgd("l1", "l1_norm", args.max_iter),
        "PGD l0 (good init)": pgd("l0", "n_nonzero_total", args.max_iter),
        "GD unconstrained (good init)": pgd(None, None, args.max_iter),
        "MLP lbfgs": mlp("lbfgs", args.lbfgs_max_iter),
        "MLP adam": mlp("adam", args.adam_max_iter),
    }


def thread_settings(limit):
    """The contexts to compare: default threads and a limit."""
    return {
        "default": contextlib.nullcontext,
        str(limit): lambda: threadpool_limits(limits=limit),
    }


def usable_cpus():
    """CPUs this process may run on (its affinity), else all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def describe_threads():
    return "\n".join(
        f"  {pool['internal_api']:<9} {pool.get('version') or '?':<14} "
        f"threads={pool['num_threads']:<3} {os.path.basename(pool['filepath'])}"
        for pool in threadpool_info()
    )


def fit_once(build, truth, seed, X, y, X_test, y_test, context):
    """Fit in ``context``; return (seconds, test and train NMSE, n_iter_)."""
    est = build(truth, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with context():
            start = time.perf_counter()
            est.fit(X, y)
            elapsed = time.perf_counter() - start
    test = normalized_mse(y_test, est.predict(X_test))
    return elapsed, test, normalized_mse(y, est.predict(X)), est.n_iter_


def warm_up(all_methods, contexts):
    """One short fit of every method in every setting (imports, pools)."""
    X, y, truth = make_sparse_network(N_TRAIN, random_state=12345)
    for build in all_methods.values():
        for context in contexts.values():
            est = build(truth, 0).set_params(max_iter=3)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                with context():
                    est.fit(X, y)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--max-iter", type=int, default=2000, help="PGD epochs")
    parser.add_argument("--lbfgs-max-iter", type=int, default=2000)
    parser.add_argument("--adam-max-iter", type=int, default=2000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="fits per (method, threads, seed); the median time is kept",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="the limit compared with default"
    )
    args = parser.parse_args()
    if args.seeds is None:
        args.seeds = [0, 1] if args.quick else [0, 1, 2, 3, 4]
    if args.repeats is None:
        args.repeats = 1 if args.quick else 2
    return args


def main():
    args = parse_args()
    all_methods = methods(args)
    contexts = thread_settings(args.threads)
    print(
        f"Oymak sparse setting: n={N_TRAIN}, p=80, h=20, s=8, test n={N_TEST}; "
        f"seeds {args.seeds}; median of {args.repeats} fit(s) per seed; "
        f"{usable_cpus()} usable CPUs"
    )
    print("Default thread pools:")
    print(describe_threads())
    warm_up(all_methods, contexts)

    records = {(m, t): [] for m in all_methods for t in contexts}
    for seed in args.seeds:
        X, y, truth = make_sparse_network(N_TRAIN, random_state=seed)
        X_test, y_test = sample_network(truth, N_TEST, random_state=seed + 10_000)
        for name, build in all_methods.items():
            # Alternate the settings so that drifting load affects both.
            for _ in range(args.repeats):
                for threads, context in contexts.items():
                    records[name, threads].append(
                        (seed,)
                        + fit_once(build, truth, seed, X, y, X_test, y_test, context)
                    )

    header = (
        f"{'method':<30}{'threads':>8}{'fit s (mean)':>14}{'test NMSE (mean)':>18}"
        f"{'train NMSE':>12}{'n_iter (mean)':>15}"
    )
    print()
    print(header)
    print("-" * len(header))
    for (name, threads), rows in records.items():
        by_seed = {}
        for seed, *result in rows:
            by_seed.setdefault(seed, []).append(result)
        # Time: median over the repeats of a seed, then mean over seeds. The
        # losses and iteration counts do not depend on the repeat.
        seconds = np.mean([np.median([r[0] for r in v]) for v in by_seed.values()])
        test, train, n_iter = np.mean([v[0][1:] for v in by_seed.values()], axis=0)
        print(
            f"{name:<30}{threads:>8}{seconds:>14.3f}{test:>18.3g}{train:>12.3g}"
            f"{n_iter:>15.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
