"""Quadratic networks: fit time of 'lbfgs' and 'gd', next to MLPRegressor.

Data: ``n = 10000`` standard Gaussian inputs in ``d`` = 50 and 200
dimensions, targets from a planted quadratic network
``y = ||W* x||^2 + noise`` with ``k0 = 5`` hidden units (rows of ``W*`` of
norm about 1) and noise of standard deviation 10% of ``std(y)``; a fresh
test set of 2000 samples. For each ``d`` this script fits

* :class:`~sklearn_shallow.quadratic.QuadraticNetRegressor` with
  ``n_hidden='auto'`` and ``weight_decay=1e-3``, with the 'lbfgs' and the
  'gd' solver (both stop once the fit is certified within a relative
  objective gap of ``tol=1e-4``, or at ``max_iter``);
* :class:`~sklearn.neural_network.MLPRegressor` with as many ReLU hidden
  units, solvers 'lbfgs' and 'adam' (scikit-learn defaults otherwise, with
  ``max_iter`` as for the quadratic networks),

and prints the fit time, the iterations, the normalised test error
``var(y - yhat) / var(y)`` and, for the quadratic networks, whether the fit
is certified and the certified relative gap.

Each configuration runs under the default BLAS threads, under
``threadpool_limits(1)``, or both (``--threads``): numpy and scipy each ship
an OpenBLAS, L-BFGS alternates between them, and on a busy machine their idle
threads compete for the cores.

Usage::

    python benchmarks/bench_quadratic.py               # d = 50 and 200
    python benchmarks/bench_quadratic.py --threads 1   # one BLAS thread only
    python benchmarks/bench_quadratic.py --quick       # n = 2000, d = 20 and 50
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

from sklearn_shallow.metrics import normalized_mse
from sklearn_shallow.quadratic import QuadraticNetRegressor, auto_width

N_TEST = 2000
PLANTED_WIDTH = 5
NOISE = 0.1
WEIGHT_DECAY = 1e-3


def planted_quadratic(n_samples, n_features, seed):
    """Train and test sets from ``y = ||W* x||^2 + noise``."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((PLANTED_WIDTH, n_features)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples + N_TEST, n_features))
    y = ((X @ W.T) ** 2).sum(axis=1)
    y += NOISE * y.std() * rng.standard_normal(y.shape)
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


def quadratic(solver, max_iter):
    def build(n_hidden, seed):
        return QuadraticNetRegressor(
            weight_decay=WEIGHT_DECAY,
            solver=solver,
            max_iter=max_iter,
            random_state=seed,
        )

    return build


def mlp(solver, max_iter):
    def build(n_hidden, seed):
        return MLPRegressor(
            hidden_layer_sizes=(n_hidden,),
            solver=solver,
            max_iter=max_iter,
            random_state=seed,
        )

    return build


def run(name, build, data, n_hidden, threads, seed):
    X, y, X_test, y_test = data
    est = build(n_hidden, seed)
    limit = threadpool_limits(1) if threads == 1 else contextlib.nullcontext()
    with limit, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(X, y)
        elapsed = time.perf_counter() - start
    row = {
        "model": name,
        "threads": "1" if threads == 1 else "default",
        "time_s": elapsed,
        "n_iter": est.n_iter_,
        "test_nmse": normalized_mse(y_test, est.predict(X_test)),
        "certified": "",
        "rel_gap": "",
    }
    if hasattr(est, "certificate_"):
        row["certified"] = str(est.is_certified_)
        row["rel_gap"] = f"{est.certificate_.relative_gap_bound:.1e}"
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iter", type=int, default=500)
    parser.add_argument(
        "--threads",
        choices=["both", "default", "1"],
        default="both",
        help="BLAS threads: the library default, one, or both in turn",
    )
    args = parser.parse_args()
    n_samples, dims = (2000, (20, 50)) if args.quick else (10000, (50, 200))
    configs = [
        ("quadratic lbfgs", quadratic("lbfgs", args.max_iter)),
        ("quadratic gd", quadratic("gd", args.max_iter)),
        ("MLP lbfgs", mlp("lbfgs", args.max_iter)),
        ("MLP adam", mlp("adam", args.max_iter)),
    ]
    print(f"cpus: {os.cpu_count()}; BLAS/OpenMP pools:")
    for pool in threadpool_info():
        print(
            f"  {pool['internal_api']:9s} {pool['num_threads']:3d} {pool['filepath']}"
        )
    header = (
        f"{'d':>4} {'k':>4} {'model':16s} {'threads':8s} {'time (s)':>9} "
        f"{'iters':>6} {'test nmse':>10} {'certified':>9} {'rel gap':>8}"
    )
    print(f"\nn = {n_samples}, test n = {N_TEST}, weight_decay = {WEIGHT_DECAY}")
    print(header)
    print("-" * len(header))
    for d in dims:
        data = planted_quadratic(n_samples, d, args.seed)
        k = auto_width(d, n_samples)
        for name, build in configs:
            for threads in {"both": (None, 1), "default": (None,), "1": (1,)}[
                args.threads
            ]:
                r = run(name, build, data, k, threads, args.seed)
                print(
                    f"{d:4d} {k:4d} {r['model']:16s} {r['threads']:8s} "
                    f"{r['time_s']:9.2f} {r['n_iter']:6d} {r['test_nmse']:10.2e} "
                    f"{r['certified']:>9} {r['rel_gap']:>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
