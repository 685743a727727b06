"""The BLAS thread policy shared by every fit and by the tensor step.

Below :data:`SINGLE_THREAD_BELOW` multiply-adds per matrix product, BLAS
threads cost more than they give: numpy and scipy load separate OpenBLAS
pools, and on a busy 2-core machine the default threads made fits 10-25x
slower (benchmarks/bench_oymak_vs_mlp.py). Running small problems on one
thread also makes their results independent of the machine's thread count.

BLAS thread limits are process-wide. A limit set and restored by each of
several fits running in Python threads at once (joblib's threading backend,
a user's thread pool) can restore the wrong value: fit A sets 1, fit B finds
1 and sets 1, A restores the original, B then "restores" 1 for the rest of
the process (tests/test_machine_independence.py runs that order). So the
policy only changes the limit from the main thread; a fit in another thread
runs with the limits the process has (set them around the pool, for instance
with threadpoolctl, to choose).
"""

import sys
import threading
from contextlib import contextmanager, nullcontext

from threadpoolctl import threadpool_limits

SINGLE_THREAD_BELOW = 2e7


def blas_threads(size, like=None):
    """Context manager: one BLAS thread when ``size`` multiply-adds is small.

    Only in the main thread; elsewhere the limits are left as they are.
    When ``like`` (the fit's X) is a torch tensor on the CPU, torch's own
    intra-op threads are limited to one as well: torch runs its products
    and elementwise kernels on its own pool, which threadpoolctl's BLAS
    limit does not reach, and on a busy 2-core machine its default threads
    made a fit of 60 rows take 4 s instead of 0.1 s.
    """
    if (
        size < SINGLE_THREAD_BELOW
        and threading.current_thread() is threading.main_thread()
    ):
        return _one_thread(like)
    return nullcontext()


@contextmanager
def _one_thread(like):
    """One BLAS thread, and one torch intra-op thread for a CPU tensor
    ``like``, while the block runs."""
    with threadpool_limits(1, user_api="blas"), _torch_threads(like):
        yield


@contextmanager
def _torch_threads(like):
    """torch's intra-op threads at one while the block runs, when ``like``
    is a torch tensor on the CPU (torch is then imported); else nothing."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(like, torch.Tensor) or like.device.type != "cpu":
        yield
        return
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)
