"""Time and peak memory of tensor_initialization.

For every ``d`` in {100, 1000}, ``k`` in {5, 20} and ``n`` in {1e4, 1e5}
this script draws a planted network (Zhong et al.'s setting: condition
number 2, output weights of random sign), then times one call of
:func:`~sklearn_shallow.tensor_initialization` and records its peak memory
with :mod:`tracemalloc` (numpy reports its buffers to it). The data
themselves are allocated before tracing starts, so the peak is what the
method adds on top of ``X`` (``8 n d`` bytes, shown for scale). A ``d^3``
array would need ``8 d^3`` bytes: 8 MB at ``d = 100``, 8 GB at ``d = 1000``.

The recovery error of the initial weights (Zhong et al.'s measure, with
whether the output signs match) is printed too, so that a fast but wrong
run would show.

Usage::

    python benchmarks/bench_tensor_init.py                  # relu, full grid
    python benchmarks/bench_tensor_init.py --activation squared_relu
    python benchmarks/bench_tensor_init.py --quick          # n = 1e4 only
"""

import argparse
import itertools
import os
import time
import tracemalloc

from threadpoolctl import threadpool_info

from sklearn_shallow.datasets import make_planted_network
from sklearn_shallow.metrics import recovery_error
from sklearn_shallow.tensor_init import tensor_initialization


def measure(n_samples, n_features, n_hidden, activation, seed=0):
    """One planted problem: seconds, peak MB, data MB, error, signs matched."""
    X, y, truth = make_planted_network(
        n_samples,
        n_features=n_features,
        n_hidden=n_hidden,
        activation=activation,
        output_weights="signs",
        condition_number=2.0,
        random_state=seed,
    )
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = tensor_initialization(X, y, n_hidden, activation, random_state=seed)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error, _, v_match = recovery_error(
        truth.hidden_weights,
        result.hidden_weights,
        truth.output_weights,
        result.output_weights,
        return_matching=True,
    )
    return elapsed, peak / 1e6, X.nbytes / 1e6, error, v_match


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--activation", default="relu", choices=["relu", "squared_relu", "leaky_relu"]
    )
    parser.add_argument("--quick", action="store_true", help="only n = 1e4")
    args = parser.parse_args()

    threads = ", ".join(
        f"{info['internal_api']}:{info['num_threads']}" for info in threadpool_info()
    )
    print(
        f"tensor_initialization, activation={args.activation}, "
        f"{os.cpu_count()} CPUs, BLAS threads {threads}"
    )
    header = (
        f"{'d':>5} {'k':>3} {'n':>7} {'time s':>8} {'peak MB':>8} "
        f"{'X MB':>7} {'init err':>9} {'v ok':>5}"
    )
    print(header)
    print("-" * len(header))
    sizes = [10_000] if args.quick else [10_000, 100_000]
    for d, k, n in itertools.product([100, 1000], [5, 20], sizes):
        elapsed, peak, data, error, v_match = measure(n, d, k, args.activation)
        print(
            f"{d:>5} {k:>3} {n:>7} {elapsed:>8.2f} {peak:>8.1f} "
            f"{data:>7.0f} {error:>9.3f} {str(v_match):>5}",
            flush=True,
        )


if __name__ == "__main__":
    main()
