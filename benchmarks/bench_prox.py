"""Time per prox call of every constraint and penalty, against a product floor.

Every operator of :data:`sklearn_shallow.prox.PROX` (and a
:class:`~sklearn_shallow.constraints.Subspace`) is applied to a
``(n_hidden, n_features) = (1600, 400)`` weight matrix, as the hidden layer
of a fit would be once per iteration. ``check`` runs first, once, as a fit
runs it; its time is reported apart, and the prox calls after it must not
repeat it. A :class:`Subspace` basis has one row per weight, so a
``(1600, 400)`` basis spans 400 directions of ``W.size = 1600`` weights: its
weights are ``(40, 40)``.

The *floor* is one forward product ``W @ X.T`` of the fit with the same
``W`` and ``n_samples`` rows of ``X``, measured in the same run; a prox far
below it does not matter for the fit's time per iteration.

Medians (and minima) over ``--repeats`` calls are reported, in ms.

Usage::

    python benchmarks/bench_prox.py
    python benchmarks/bench_prox.py --repeats 50 --n-samples 4000
"""

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_info

from sklearn_shallow.constraints import Subspace, make_constraint
from sklearn_shallow.thresholds import get_penalty

N_HIDDEN, N_FEATURES = 1600, 400
SUBSPACE_BASIS = (1600, 400)  # (n_weights, n_basis)


def _times(call, repeats):
    """Seconds per call, one entry per repeat (after one warm-up call)."""
    call()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return np.array(out)


def _operators(W, rng):
    """(label, operator, weights) for each row of the table."""
    l1 = float(np.abs(W).sum())
    nuclear = float(np.linalg.svd(W, compute_uv=False).sum())
    # Sizes that make every set active on W (the projection does real work).
    sizes = {
        "none": None,
        "l0": W.size // 10,
        "l0_row": N_FEATURES // 10,
        "l1": 0.5 * l1,
        "rank": N_FEATURES // 10,
        "nuclear": 0.5 * nuclear,
    }
    rows = [
        (f"constraint {name}", make_constraint(name, tau), W)
        for name, tau in sizes.items()
    ]
    n_weights, n_basis = SUBSPACE_BASIS
    basis = np.linalg.qr(rng.standard_normal((n_weights, n_basis)))[0]
    side = int(round(np.sqrt(n_weights)))
    W_small = rng.standard_normal((side, n_weights // side))
    rows.append(
        (f"constraint subspace {n_weights}x{n_basis}", Subspace(basis), W_small)
    )
    for name in ("l1", "l0", "tl1"):
        rows.append((f"penalty {name}", get_penalty(name, a=1.0), W))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--n-samples", type=int, default=1600)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    W = rng.standard_normal((N_HIDDEN, N_FEATURES))
    X = rng.standard_normal((args.n_samples, N_FEATURES))
    out = np.empty((N_HIDDEN, args.n_samples))
    floor = np.median(_times(lambda: np.matmul(W, X.T, out=out), args.repeats))

    threads = [
        (info["internal_api"], info["num_threads"]) for info in threadpool_info()
    ]
    print(f"BLAS: {threads}; repeats: {args.repeats}")
    print(
        f"floor: W @ X.T with W {W.shape}, X ({args.n_samples}, {N_FEATURES}): "
        f"{1e3 * floor:.3f} ms"
    )
    header = (
        f"{'operator':<32} {'weights':>11} {'check ms':>9} {'prox ms':>9} "
        f"{'min ms':>9} {'/ floor':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, operator, weights in _operators(W, rng):
        start = time.perf_counter()
        operator.check(weights.shape if operator.kind == "constraint" else None)
        check = time.perf_counter() - start
        times = _times(lambda op=operator, w=weights: op.prox(w, 0.1), args.repeats)
        median = np.median(times)
        shape = "x".join(map(str, weights.shape))
        print(
            f"{label:<32} {shape:>11} {1e3 * check:>9.3f} {1e3 * median:>9.3f} "
            f"{1e3 * times.min():>9.3f} {median / floor:>8.3f}"
        )


if __name__ == "__main__":
    main()
