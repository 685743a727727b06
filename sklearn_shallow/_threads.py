"""The BLAS thread policy shared by every fit and by the tensor step.

Below :data:`SINGLE_THREAD_BELOW` multiply-adds per matrix product, BLAS
threads cost more than they give: numpy and scipy load separate OpenBLAS
pools, and on a busy 2-core machine the default threads made fits 10-25x
slower (benchmarks/bench_oymak_vs_mlp.py). Running small problems on one
thread also makes their results independent of the machine's thread count.
"""

from contextlib import nullcontext

from threadpoolctl import threadpool_limits

SINGLE_THREAD_BELOW = 2e7


def blas_threads(size):
    """Context manager: one BLAS thread when ``size`` multiply-adds is small."""
    if size < SINGLE_THREAD_BELOW:
        return threadpool_limits(1, user_api="blas")
    return nullcontext()
