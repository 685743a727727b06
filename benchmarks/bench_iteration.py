"""Cost of one gradient iteration against the cost of its two matrix products.

One full-batch iteration of :class:`~sklearn_shallow.ProjectedShallowRegressor`
needs the forward product ``Z = X @ W.T`` and the backward product
``G = D.T @ X``; everything else (activation, its derivative, the loss, the
step) is elementwise work on ``(n, h)`` or ``(h, p)`` arrays plus Python
overhead. With the default solver ('fista') the objective is also needed at
the extrapolated point ``y``; its pre-activations are formed from those of
the last two iterates (they are linear in ``W``), so a fixed-step iteration
makes one forward and one backward product ("fwd/it" counts the forward
products). This script measures, in one process and interleaved round by
round so that background load hits every column alike:

* the *floor*: the two products alone, on preallocated ``out=`` arrays;
* the time per iteration of a fit with a fixed step and with
  ``step_size='auto'`` (backtracking), by the difference method: fits with
  ``max_iter=lo`` and ``max_iter=hi`` are timed in the same round and
  ``(t_hi - t_lo) / (n_iter_hi - n_iter_lo)`` is taken, which leaves out the
  per-fit setup (validation, allocation, first-touch page faults);
* the setup itself, ``t_lo - n_iter_lo * per_iteration``;
* the CPU load of *other* processes meanwhile ("bg cores"): on a shared
  2-core machine any background load makes multi-threaded BLAS calls wait
  for a core, and the timings of that row are then not to be trusted.
  ``--clock cpu`` times the CPU time of the calling thread instead, at one
  BLAS thread: robust to being descheduled, not to the cache and memory
  traffic of the other processes.

Medians over the rounds are reported. The target is a fixed-step ratio
(iteration / floor) of at most 1.3. The fits take the numpy backward (no
numba), as on the default install.

Measured (2026-12-07, n=1e4, fixed step, ratio = iteration / floor): before
is the commit before the kept pre-activations (two forward products per
iteration), after is this one (one, and ReLU's ``max`` against an array of
zeros). "idle" is the previous session's wall-clock run on an idle machine;
"loaded" are medians of 2-5 runs per version with ``--clock cpu``, before
and after interleaved, with 1.0-1.7 cores of other helpers' benchmarks
running (the "bg cores" column); the range of the runs is in brackets.

=======  =======  ====  ====  ===========  =================  =================
threads  dtype    p     h     before idle  before loaded      after loaded
=======  =======  ====  ====  ===========  =================  =================
1        float64  80    20    1.90         1.69 (1.45-2.17)   1.44 (1.33-1.71)
1        float32  80    20    1.94         2.09 (1.99-2.71)   1.56 (1.41-1.71)
1        float64  500   100   1.60         1.59 (1.53-1.65)   1.15 (1.14-1.16)
1        float32  500   100   1.62         1.65 (1.64-1.66)   1.15 (1.11-1.18)
2        float64  80    20    2.39         --                 --
2        float32  80    20    1.87         --                 --
2        float64  500   100   1.76         --                 --
2        float32  500   100   1.73         --                 --
=======  =======  ====  ====  ===========  =================  =================

Per iteration at one thread (medians, ms): p=80, h=20: 4.90 -> 3.74
(float64), 2.19 -> 1.52 (float32); p=500, h=100: 87.0 -> 59.4 (float64),
43.1 -> 29.1 (float32). The two-thread ratios could not be measured under
that load: the floor (two products, 1-3 ms at one thread at p=80, h=20) read
9-350 ms in wall time while BLAS threads waited for a core, so every ratio
there was noise. The per-iteration wall times at two threads, medians of 1-3
runs in the same load, still show the product saved: p=80, h=20: 4.42 ->
2.63 ms (float64), 3.05 -> 2.57 ms (float32); p=500, h=100: 279 -> 207 ms
(float64, a third of the products gone predicts 186), 137 -> 114 ms
(float32). At two threads the products take about half as long and the
elementwise passes do not, so the ratios there are higher than at one.

p=500, h=100 is within 1.3 at one thread (the elementwise passes are a few
percent of two products of 1e9 flops). p=80, h=20 is not, by 0.14 (float64)
and 0.26 (float32): about 11 passes over the ``(n, h)`` arrays remain per
iteration (``--breakdown``: the pre-activations at ``y``, 3; the activation,
2; the output sums, 2; the ReLU derivative, 3; its product with ``dpred``,
1), 0.6-0.9 ms against products of 1-3 ms. With ``h = 20`` numpy is slow on
several of them: ``np.sign`` takes 3-8x the time of an add, and the product
with ``dpred[:, None]`` runs 10000 inner loops of 20 values. The fused
kernel (``--fused``, numba) does the derivative and that product in one pass
(replayed at one thread: 1.37 -> 1.29 float64, 1.73 -> 1.46 float32).

Idle machine, 2026-12-07 (load average 0.6-1.0, wall clock, ``--p 80
--h 20 --threads 1 --repeats 7`` and ``--p 500 --h 100 --threads 1
--repeats 5``), at the commit with one forward product per iteration; the
first measurement of the two-thread rows:

=======  =======  ====  ====  =========  ============  =====
threads  dtype    p     h     floor ms   iteration ms  ratio
=======  =======  ====  ====  =========  ============  =====
1        float64  80    20    1.873      2.818         1.50
1        float32  80    20    0.915      1.290         1.41
1        float64  500   100   49.99      54.43         1.09
1        float32  500   100   23.59      26.45         1.12
2        float64  80    20    1.519      3.638         2.40
2        float32  80    20    0.660      1.367         2.07
2        float64  500   100   26.44      30.88         1.17
2        float32  500   100   14.28      19.05         1.33
=======  =======  ====  ====  =========  ============  =====

At p=80, h=20 two BLAS threads make the products only 1.2-1.4x faster
than one on this 2-vCPU machine, and the elementwise passes stay on one
core, so the two-thread ratios are the furthest from 1.3. A helper's branch
(``step2``) then tried, interleaved with the code above on the quiet
machine (medians of 4 runs): two row blocks of the full batch, fixed by
the shape, whose products and forward pass ran on two Python threads with
one BLAS thread each: two threads, p=80, h=20: 2.27 -> 1.79 (float64),
1.99 -> 2.10 (float32); one thread 1.60 -> 1.54 and 1.63 -> 1.54. The
two Python threads cost 15-70% more CPU time for that, and in one of two
in-process runs gained nothing; it was not merged. Its exact output layer
without the centred copy (float64, equal weights) was: a learned output
and intercept, p=80, h=20, one thread, 4.7 -> 4.3-4.9 ms (float64). What
did not pay there: FISTA's extrapolation by scipy's BLAS ``scal``/``axpy``
(scipy's OpenBLAS is a second thread pool whose spinning workers made
p=500, h=100 on two threads 4x slower), ReLU's derivative by ``Z > 0``
with fix-ups (5-8% slower at p=500), the outer product ``dpred o^T`` as a
k=1 matmul (0.23 against 0.09 ms), and an ``(h, n)`` layout of the
buffers (the float32 forward product into them 0.43 -> 0.69 ms).

The 1.3 target is met at p=500, h=100 except float32 on two threads
(1.33), and missed at p=80, h=20: about 11 numpy passes over the
``(n, h)`` arrays and the loop's Python remain, 0.6-0.9 ms against 1-2 ms
of products; with numba (``--fused``) float64 reached 1.29 at one thread.

Usage::

    python benchmarks/bench_iteration.py            # full grid, default threads
    python benchmarks/bench_iteration.py --quick    # a smaller grid
    python benchmarks/bench_iteration.py --threads 1  # also under a limit
    python benchmarks/bench_iteration.py --clock cpu  # one thread, CPU time
    python benchmarks/bench_iteration.py --profile  # cProfile of one fit each
    python benchmarks/bench_iteration.py --breakdown --skip-table  # per step
    python benchmarks/bench_iteration.py --fused --skip-table  # fused kernel

``--fused`` compares one step with the optional fused backward kernel
(:func:`sklearn_shallow._accel.fused_backward`, numba) against the numpy
step and the floor. Its step table replays the library calls of one
fixed-step iteration (as ``--breakdown`` does) with the elementwise
backward done by numpy (the derivative, then the product with ``dpred``)
and by the fused kernel, under each ``--fused-threads`` BLAS limit; with
the fit table it also times fits with the fused kernel (numba installed).
"""

import argparse
import cProfile
import io
import os
import pstats
import time
import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_shallow import ProjectedShallowRegressor, _accel
from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow.activations import get_activation
from sklearn_shallow.architectures import Dense
from sklearn_shallow.solvers import DivergenceError

TARGET_RATIO = 1.3


@contextmanager
def backward_path(fused):
    """Fits in this block run the elementwise backward of ``Objective.gradient``
    fused (numba, when installed) or as the three numpy passes."""
    saved = _accel.HAVE_NUMBA
    _accel.HAVE_NUMBA = saved and fused
    try:
        yield
    finally:
        _accel.HAVE_NUMBA = saved


def usable_cpus():
    """CPUs this process may run on (its affinity), else all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def describe_threads():
    """One line per native thread pool that threadpoolctl sees."""
    lines = []
    for pool in threadpool_info():
        lines.append(
            f"  {pool['internal_api']:<9} {pool.get('version') or '?':<14} "
            f"threads={pool['num_threads']:<3} "
            f"{os.path.basename(pool['filepath'])}"
        )
    return "\n".join(lines) if lines else "  (no native thread pool found)"


class LoadMeter:
    """CPU time spent by other processes while a block runs, in cores.

    Reads the machine-wide busy time from ``/proc/stat`` and subtracts this
    process's own CPU time (all its threads, spinning BLAS workers
    included). Reports NaN where ``/proc/stat`` is missing.
    """

    @staticmethod
    def _machine_busy():
        try:
            with open("/proc/stat") as f:
                ticks = [int(v) for v in f.readline().split()[1:9]]
        except (OSError, ValueError):
            return float("nan")
        idle = ticks[3] + ticks[4]
        return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self._start = (
            self._machine_busy(),
            time.process_time(),
            time.perf_counter(),
        )
        return self

    def __exit__(self, *exc):
        busy0, own0, wall0 = self._start
        wall = time.perf_counter() - wall0
        other = (self._machine_busy() - busy0) - (time.process_time() - own0)
        self.cores = max(other, 0.0) / wall if wall > 0 else float("nan")
        return False


def planted_problem(n, p, h, dtype, seed):
    """Gaussian inputs and the output of a random ReLU network on them."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((h, p)) / np.sqrt(p)
    y = np.maximum(X @ W.T, 0.0).sum(axis=1)
    return np.ascontiguousarray(X, dtype=dtype), y.astype(dtype)


class Floor:
    """The two products of an iteration, on buffers allocated once."""

    def __init__(self, X, h, seed):
        rng = np.random.default_rng(seed + 1)
        n, p = X.shape
        self.X = X
        self.W = (rng.standard_normal((h, p)) / np.sqrt(p)).astype(X.dtype)
        # A stand-in for the backpropagated (n, h) array, as in the fit.
        self.D = rng.standard_normal((n, h)).astype(X.dtype)
        self.Z = np.empty((n, h), dtype=X.dtype)
        self.G = np.empty((h, p), dtype=X.dtype)

    def products(self):
        np.matmul(self.X, self.W.T, out=self.Z)
        np.matmul(self.D.T, self.X, out=self.G)

    def once(self, clock=time.perf_counter):
        start = clock()
        self.products()
        return clock() - start

    def sample(self, calls):
        """Median of several back-to-back calls (one sample per round)."""
        return float(np.median([self.once(CLOCK[0]) for _ in range(calls)]))


#: Extra estimator parameters from the command line (``--solver``).
ESTIMATOR_OPTIONS = {}
#: The clock of the fit table (``--clock``): wall time, or the CPU time of
#: the calling thread.
CLOCK = [time.perf_counter]


def make_estimator(h, step_size, max_iter):
    return ProjectedShallowRegressor(
        **ESTIMATOR_OPTIONS,
        n_hidden=h,
        activation="relu",
        constraint=None,
        architecture="dense",
        output_weights="ones",
        fit_intercept=False,
        step_size=step_size,
        max_iter=max_iter,
        tol=0.0,
        # Never stop early: the number of iterations must be max_iter.
        n_iter_no_change=max_iter + 1,
        random_state=0,
    )


def timed_fit(X, y, h, step_size, max_iter):
    """Return (seconds, n_iter_) of one fit."""
    est = make_estimator(h, step_size, max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clock = CLOCK[0]
        start = clock()
        est.fit(X, y)
        elapsed = clock() - start
    return elapsed, est.n_iter_


def count_forward_passes(X, y, h, step_size, lo, hi):
    """Forward products (``Dense.preact`` calls) per iteration, untimed."""
    original = Dense.preact
    calls = [0]

    def counting_preact(self, Xp, P, out):
        calls[0] += 1
        return original(self, Xp, P, out)

    counts = {}
    Dense.preact = counting_preact
    try:
        for max_iter in (lo, hi):
            calls[0] = 0
            _, n_iter = timed_fit(X, y, h, step_size, max_iter)
            counts[max_iter] = (calls[0], n_iter)
    finally:
        Dense.preact = original
    (c_lo, i_lo), (c_hi, i_hi) = counts[lo], counts[hi]
    return (c_hi - c_lo) / max(i_hi - i_lo, 1)


def per_iteration(X, y, h, step_size, lo, hi):
    """One paired sample: (per-iteration seconds, setup seconds) or None."""
    try:
        t_lo, n_lo = timed_fit(X, y, h, step_size, lo)
        t_hi, n_hi = timed_fit(X, y, h, step_size, hi)
    except DivergenceError:
        return None
    if n_hi <= n_lo:
        return None
    per_iter = (t_hi - t_lo) / (n_hi - n_lo)
    return per_iter, t_lo - n_lo * per_iter


def median_or_nan(values):
    return float(np.median(values)) if values else float("nan")


def bench_config(n, p, h, dtype, args):
    X, y = planted_problem(n, p, h, dtype, seed=p + h)
    floor = Floor(X, h, seed=p + h)
    lo, hi = args.iters

    fused_fits = args.fused_fits

    # Warm-up: BLAS kernels, thread pools, code paths, allocator.
    floor.sample(3)
    with backward_path(False):
        per_iteration(X, y, h, args.step_size, 1, 2)
        per_iteration(X, y, h, "auto", 1, 2)
    if fused_fits:
        with backward_path(True):
            per_iteration(X, y, h, args.step_size, 1, 2)

    floors, fixed, setups, auto, fused = [], [], [], [], []
    with LoadMeter() as load:
        for _ in range(args.repeats):
            floors.append(floor.sample(args.floor_calls))
            with backward_path(False):
                sample = per_iteration(X, y, h, args.step_size, lo, hi)
            if sample is not None:
                fixed.append(sample[0])
                setups.append(sample[1])
            with backward_path(False):
                sample = per_iteration(X, y, h, "auto", lo, hi)
            if sample is not None:
                auto.append(sample[0])
            if fused_fits:
                with backward_path(True):
                    sample = per_iteration(X, y, h, args.step_size, lo, hi)
                if sample is not None:
                    fused.append(sample[0])
    fixed_evals = count_forward_passes(X, y, h, args.step_size, lo, hi)
    evals = count_forward_passes(X, y, h, "auto", lo, hi)
    return {
        "floor": median_or_nan(floors),
        "fixed": median_or_nan(fixed),
        "fused": median_or_nan(fused),
        "auto": median_or_nan(auto),
        "setup": median_or_nan(setups),
        "auto_evals": evals,
        "fixed_evals": fixed_evals,
        "diverged": not fixed,
        "background": load.cores,
    }


HEADER = (
    f"{'dtype':<8}{'p':>6}{'h':>5}{'floor ms':>10}{'fixed ms/it':>13}"
    f"{'ratio':>7}{'fwd/it':>7}{'auto ms/it':>12}{'ratio':>7}{'auto fwd/it':>13}"
    f"{'setup ms':>10}{'bg cores':>10}  note"
)
FUSED_COLUMNS = f"{'fused ms/it':>13}{'ratio':>7}"


def format_row(dtype, p, h, r, with_fused=False):
    fixed_ratio = r["fixed"] / r["floor"]
    auto_ratio = r["auto"] / r["floor"]
    if r["diverged"]:
        note = "fixed step diverged"
    elif fixed_ratio > TARGET_RATIO:
        note = f"> {TARGET_RATIO}"
    else:
        note = "ok"
    if with_fused:
        fused_ratio = r["fused"] / r["floor"]
        fused = f"{1e3 * r['fused']:>13.3f}{fused_ratio:>7.2f}"
        note += "; fused ok" if fused_ratio <= TARGET_RATIO else "; fused > 1.3"
    else:
        fused = ""
    return (
        f"{np.dtype(dtype).name:<8}{p:>6}{h:>5}{1e3 * r['floor']:>10.3f}"
        f"{1e3 * r['fixed']:>13.3f}{fixed_ratio:>7.2f}{r['fixed_evals']:>7.2f}{fused}"
        f"{1e3 * r['auto']:>12.3f}"
        f"{auto_ratio:>7.2f}{r['auto_evals']:>13.2f}{1e3 * r['setup']:>10.2f}"
        f"{r['background']:>10.2f}"
        f"  {note}"
    )


def run_table(args, title):
    print(f"\n{title}")
    print(describe_threads())
    with_fused = args.fused_fits
    header = HEADER
    if with_fused:
        split = HEADER.index(f"{'auto ms/it':>12}")
        header = HEADER[:split] + FUSED_COLUMNS + HEADER[split:]
    print(header)
    print("-" * len(header))
    for dtype in args.dtypes:
        for p in args.p:
            for h in args.h:
                result = bench_config(args.n, p, h, dtype, args)
                print(format_row(dtype, p, h, result, with_fused), flush=True)


def profile_fit(args):
    """cProfile of one fixed-step fit per configuration (first dtype only)."""
    hi = args.iters[1]
    for p in args.p:
        for h in args.h:
            X, y = planted_problem(args.n, p, h, args.dtypes[0], seed=p + h)
            timed_fit(X, y, h, args.step_size, 2)
            profiler = cProfile.Profile()
            profiler.enable()
            timed_fit(X, y, h, args.step_size, hi)
            profiler.disable()
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("tottime").print_stats(8)
            print(f"\n--- profile: p={p}, h={h}, max_iter={hi} ---")
            # Keep the table of functions, drop the preamble.
            text = stream.getvalue()
            print(text[text.find("ncalls") :].rstrip())


class IterationSteps:
    """The calls of one fixed-step iteration, replayed on buffers of its own.

    The steps are the library calls that one iteration of the default
    solver ('fista', past its first two iterations) makes for a dense ReLU
    network with output weights fixed to one, in the same order and on
    arrays of the same shapes and layouts: the objective at the
    extrapolated point from kept pre-activations (no product), the gradient
    there (``Objective.gradient``), the step, and the objective at the
    candidate (``Objective.value``, the forward product).
    """

    def __init__(self, n, p, h, dtype, mu, activation="relu"):
        self.X, self.y = planted_problem(n, p, h, dtype, seed=p + h)
        rng = np.random.default_rng(0)
        self.W = (rng.standard_normal((h, p)) / np.sqrt(p)).astype(dtype)
        self.W_new = np.empty_like(self.W)
        self.G = np.empty_like(self.W)
        self.Z = np.empty((n, h), dtype)
        self.A = np.empty((n, h), dtype)
        # The kept pre-activations of the last two iterates.
        self.Z_x = self.X @ self.W.T
        self.Z_prev = self.X @ (0.9 * self.W).T
        self.momentum = 0.5
        self.pred = np.empty(n, dtype)
        self.dpred = np.empty(n, dtype)
        self.o = np.ones(h, dtype)
        self.weight = 1.0 / n
        self.mu = mu
        self.relu = get_activation(activation)
        self.kind = _accel.fused_kind(self.relu)
        self.slope = getattr(self.relu, "slope", None)
        self.loss = SquaredLoss()

    # the objective at the extrapolated point (FISTA.point)
    def extrapolate(self):
        np.subtract(self.Z_x, self.Z_prev, out=self.Z)
        self.Z *= self.momentum
        self.Z += self.Z_x

    # the objective at a point (Objective.value)
    def product_1(self):
        np.matmul(self.X, self.W.T, out=self.Z)

    def activation_value(self):
        self.relu.value(self.Z, out=self.A)

    def output_sum(self):
        np.matmul(self.A, self.o, out=self.pred)

    def loss_dpred(self):
        self.loss.value_and_dpred(self.pred, self.y, self.weight, out=self.dpred)

    # the gradient (Objective.gradient, numpy path): sigma'(Z) into the A
    # buffer, no product with output weights that are all one
    def derivative_to_a(self):
        self.relu.derivative(self.Z, out=self.A)

    def a_times_dpred(self):
        np.multiply(self.A, self.dpred[:, None], out=self.A)

    def product_2(self):
        np.matmul(self.A.T, self.X, out=self.G)

    # the fused backward: sigma'(Z) * dpred[:, None] in one pass into A
    def fused_backward_to_a(self):
        _accel.fused_backward(
            self.kind, self.Z, None, self.dpred, self.A, slope=self.slope
        )

    # UpdateRule.step
    def step(self):
        np.multiply(self.G, -self.mu, out=self.W_new)
        np.add(self.W_new, self.W, out=self.W_new)

    AT_EXTRAPOLATED = (
        ("Z_y = Z + b (Z - Z_prev)", "extrapolate"),
        ("activation Z_y -> A", "activation_value"),
        ("A @ o (at y)", "output_sum"),
        ("loss and dpred (at y)", "loss_dpred"),
    )
    BACKWARD = (
        ("derivative Z_y -> A", "derivative_to_a"),
        ("A *= dpred[:, None]", "a_times_dpred"),
        ("A.T @ X (product 2)", "product_2"),
    )
    STEP = (("step W - mu G", "step"),)
    AT_CANDIDATE = (
        ("X @ W.T (product 1)", "product_1"),
        ("activation Z -> A", "activation_value"),
        ("A @ o", "output_sum"),
        ("loss and dpred", "loss_dpred"),
    )
    PRODUCTS = ("X @ W.T (product 1)", "A.T @ X (product 2)")
    # One iteration as the library runs it, and the same with the
    # elementwise backward fused.
    NUMPY_ITERATION = AT_EXTRAPOLATED + BACKWARD + STEP + AT_CANDIDATE
    FUSED_ITERATION = (
        AT_EXTRAPOLATED
        + (("fused backward Z_y -> A", "fused_backward_to_a"),)
        + BACKWARD[-1:]
        + STEP
        + AT_CANDIDATE
    )

    def runner(self, steps, clock=time.perf_counter):
        """A function that runs ``steps`` once and returns the seconds."""
        calls = [getattr(self, method) for _, method in steps]

        def run():
            start = clock()
            for call in calls:
                call()
            return clock() - start

        return run

    def timed(self, steps, times, clock=time.perf_counter):
        for label, method in steps:
            call = getattr(self, method)
            start = clock()
            call()
            times.setdefault(label, []).append(clock() - start)


def breakdown_config(n, p, h, dtype, mu, rounds, clock):
    """Median ms of every step; the first two rounds are a warm-up."""
    steps = IterationSteps(n, p, h, dtype, mu)
    times = {}
    for _ in range(rounds + 2):
        steps.timed(steps.NUMPY_ITERATION, times, clock)
    return {label: 1e3 * float(np.median(v[2:])) for label, v in times.items()}


def breakdown(args):
    """Print the time of each step of an iteration (numpy path, no numba):
    the median over rounds of each step, timed on its own."""
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    for dtype in args.dtypes:
        for p in args.p:
            for h in args.h:
                ms = breakdown_config(
                    args.n, p, h, dtype, args.step_size, 4 * args.repeats, clock
                )
                name = np.dtype(dtype).name
                print(f"\n--- breakdown: {name}, n={args.n}, p={p}, h={h} ---")
                for label, _ in IterationSteps.NUMPY_ITERATION:
                    print(f"  {label:<30}{ms[label]:>9.3f} ms")
                total = sum(ms[label] for label, _ in IterationSteps.NUMPY_ITERATION)
                products = sum(ms[label] for label in IterationSteps.PRODUCTS)
                print(
                    f"  {'sum':<30}{total:>9.3f} ms = products {products:.3f} ms "
                    f"+ other {total - products:.3f} ms "
                    f"(ratio {total / products:.2f})"
                )


def fused_config(n, p, h, dtype, args):
    """The floor and one numpy and one fused step, in seconds.

    Each round takes the median (``--stat min``: the minimum) of
    ``floor_calls`` back-to-back calls of each, interleaved; the result is
    the median (minimum) over rounds. The minimum is the better estimate of
    the cost on a busy machine, where other processes only ever add time.
    Also checks that both steps give the same gradient.
    """
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    steps = IterationSteps(n, p, h, dtype, args.step_size, args.activation)
    floor = Floor(steps.X, h, seed=p + h)
    numpy_step = steps.runner(steps.NUMPY_ITERATION, clock)
    fused_step = steps.runner(steps.FUSED_ITERATION, clock)
    # Same gradient, bit for bit, from the same W (the step does not
    # write W, so every call starts from the same point).
    numpy_step()
    G_numpy = steps.G.copy()
    fused_step()
    same = bool(np.array_equal(G_numpy, steps.G))
    for _ in range(2):  # warm-up
        floor.once(), numpy_step(), fused_step()
    floors, numpys, fuseds = [], [], []
    calls = args.floor_calls
    stat = np.min if args.stat == "min" else np.median
    with LoadMeter() as load:
        for _ in range(args.repeats):
            floors.append(float(stat([floor.once(clock) for _ in range(calls)])))
            numpys.append(float(stat([numpy_step() for _ in range(calls)])))
            fuseds.append(float(stat([fused_step() for _ in range(calls)])))
    return {
        "floor": float(stat(floors)),
        "numpy": float(stat(numpys)),
        "fused": float(stat(fuseds)),
        "same": same,
        "background": load.cores,
    }


FUSED_HEADER = (
    f"{'dtype':<8}{'p':>6}{'h':>5}{'thr':>4}{'floor ms':>10}{'numpy ms':>10}"
    f"{'ratio':>7}{'fused ms':>10}{'ratio':>7}{'numpy it/s':>11}"
    f"{'fused it/s':>11}{'speedup':>8}{'same G':>7}{'bg cores':>9}  note"
)


def fused_table(args):
    """The step table of ``--fused``, under each BLAS thread limit."""
    if not _accel.HAVE_NUMBA or _accel._kernels() is None:
        print("\nnumba is not available: 'fused' below is the numpy fallback.")
    else:
        import numba

        print(f"\nnumba {numba.__version__}, numpy {np.__version__}")
    print(
        f"\nOne fixed-step iteration replayed on preallocated buffers "
        f"(activation {args.activation!r}, output weights 1): numpy backward "
        f"(the derivative, then the product with dpred, as Objective.gradient "
        f"without numba) against the fused kernel; "
        f"ratio = step / floor (the two products alone); {args.stat} of "
        f"{args.floor_calls} calls x {args.repeats} rounds."
    )
    thread_limits = args.fused_threads
    if args.clock == "cpu":
        # thread_time sees the calling thread only: BLAS workers would be
        # missed, so only the one-thread rows are measured.
        thread_limits = [1]
        print(
            "Clock: CPU time of the calling thread (one BLAS thread only): "
            "the cost on a core of its own, whatever the background load."
        )
    print(FUSED_HEADER)
    print("-" * len(FUSED_HEADER))
    for threads in thread_limits:
        with threadpool_limits(limits=threads):
            for dtype in args.dtypes:
                for p in args.p:
                    for h in args.h:
                        r = fused_config(args.n, p, h, dtype, args)
                        ratio_np = r["numpy"] / r["floor"]
                        ratio_fu = r["fused"] / r["floor"]
                        note = "ok" if ratio_fu <= TARGET_RATIO else "> 1.3"
                        print(
                            f"{np.dtype(dtype).name:<8}{p:>6}{h:>5}{threads:>4}"
                            f"{1e3 * r['floor']:>10.3f}{1e3 * r['numpy']:>10.3f}"
                            f"{ratio_np:>7.2f}{1e3 * r['fused']:>10.3f}"
                            f"{ratio_fu:>7.2f}{1 / r['numpy']:>11.1f}"
                            f"{1 / r['fused']:>11.1f}"
                            f"{r['numpy'] / r['fused']:>8.2f}"
                            f"{'yes' if r['same'] else 'NO':>7}"
                            f"{r['background']:>9.2f}  {note}",
                            flush=True,
                        )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller grid")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--p", type=int, nargs="+", default=None)
    parser.add_argument("--h", type=int, nargs="+", default=None)
    parser.add_argument(
        "--dtypes", nargs="+", choices=["float64", "float32"], default=None
    )
    parser.add_argument("--step-size", type=float, default=1e-3)
    parser.add_argument(
        "--iters",
        type=int,
        nargs=2,
        default=None,
        metavar=("LO", "HI"),
        help="the two max_iter values of the difference method",
    )
    parser.add_argument("--repeats", type=int, default=None, help="rounds")
    parser.add_argument(
        "--floor-calls", type=int, default=5, help="floor calls per round"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="after the default-threads table, run again under "
        "threadpool_limits(THREADS)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile per config"
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also time each step of an iteration on its own",
    )
    parser.add_argument(
        "--solver",
        choices=["fista", "spg", "pgd"],
        default=None,
        help="solver of the timed fits (default: the estimator's); 'pgd' "
        "makes one forward and one backward product per fixed-step iteration",
    )
    parser.add_argument(
        "--fused",
        action="store_true",
        help="also compare a step with the fused backward kernel (numba), "
        "replayed and, in the fit table, in fits",
    )
    parser.add_argument(
        "--fused-threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="BLAS thread limits of the --fused step table",
    )
    parser.add_argument(
        "--stat",
        choices=["median", "min"],
        default="median",
        help="statistic of the --fused step table over calls and rounds",
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="clock of the fit table and of the --fused step table; 'cpu' "
        "(CPU time of the calling thread, one BLAS thread only, no --threads "
        "table) is robust to background load",
    )
    parser.add_argument(
        "--activation",
        default="relu",
        choices=sorted(_accel.KINDS),
        help="activation of the --fused step table",
    )
    parser.add_argument(
        "--skip-table", action="store_true", help="no fit timings (with the above)"
    )
    args = parser.parse_args()
    if args.quick:
        defaults = {
            "p": [80, 500],
            "h": [20, 100],
            "dtypes": ["float64"],
            "iters": [3, 13],
            "repeats": 3,
        }
    else:
        defaults = {
            "p": [80, 500, 1000],
            "h": [20, 100],
            "dtypes": ["float64", "float32"],
            "iters": [5, 30],
            "repeats": 5,
        }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.dtypes = [np.dtype(d).type for d in args.dtypes]
    if args.solver is not None:
        ESTIMATOR_OPTIONS["solver"] = args.solver
    args.fused_fits = bool(args.fused and not args.skip_table and _accel.HAVE_NUMBA)
    return args


def main():
    args = parse_args()
    lo, hi = args.iters
    print(
        f"n={args.n}, fixed step_size={args.step_size}, difference of "
        f"max_iter={hi} and max_iter={lo} fits, median of {args.repeats} rounds, "
        f"{usable_cpus()} usable CPUs; target fixed-step ratio <= {TARGET_RATIO}"
    )
    if not args.skip_table and args.clock == "cpu":
        # thread_time sees the calling thread only: with BLAS worker threads
        # it would miss their share, so the fit table runs on one thread.
        CLOCK[0] = time.thread_time
        with threadpool_limits(limits=1):
            run_table(
                args,
                "Clock: CPU time of the calling thread, under "
                "threadpool_limits(1) (the cost on a core of its own, whatever "
                "the background load):",
            )
    elif not args.skip_table:
        run_table(args, "Default BLAS threads:")
        if args.threads is not None:
            with threadpool_limits(limits=args.threads):
                run_table(args, f"Under threadpool_limits({args.threads}):")
    if args.breakdown and args.clock == "cpu":
        print("\nStep-by-step breakdown (CPU time, threadpool_limits(1)):")
        with threadpool_limits(limits=1):
            breakdown(args)
    elif args.breakdown:
        print("\nStep-by-step breakdown (default threads):")
        breakdown(args)
        if args.threads is not None:
            with threadpool_limits(limits=args.threads):
                print(f"\nStep-by-step breakdown (threadpool_limits({args.threads})):")
                breakdown(args)
    if args.fused:
        fused_table(args)
    if args.profile:
        profile_fit(args)


if __name__ == "__main__":
    main()
