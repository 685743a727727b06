"""Large n (issue 22): the default fit against Adam, one step against its
floor, peak memory against the data.

The data: a planted ReLU network, ``y = relu(X W^T) o + b`` with Gaussian
``X`` (float32), ``W ~ N(0, 1/p)``, ``o ~ N(0, 1)``, no noise; the test
R^2 is measured on 5000 fresh rows. For every ``(n, p, h)``:

- ``ProjectedShallowRegressor(n_hidden=h)`` (``batch_size='auto'``: subsample stages
  from 50000 rows, see the user guide's page on large data), with
  ``--full-batch`` also ``batch_size=None``: the fit's wall time, the
  iterations of each stage, the test R^2, and the times at which the fit
  first reached test R^2 0.999 and the R^2 of MLPRegressor in the same run
  (a callback scores the weights every few iterations; its own time is
  taken off the clock);
- ``MLPRegressor(hidden_layer_sizes=(h,), early_stopping=True)`` (Adam,
  batches of 200): wall time, epochs, test R^2;
- with torch installed, a plain torch loop of the same recipe (Adam at
  1e-3, batches of 200, early stopping on a 10% split after 10 epochs
  without a 1e-4 gain, keeping the best weights), on the CPU and, when
  there is one, on the GPU;
- one full-batch step (objective and gradient) of the library against the
  two products it cannot avoid, ``X W^T`` and ``D^T X``, on the same
  arrays (numpy on the CPU; torch on the GPU when present);
- ``--device cuda`` (or ``cpu``, to try the path without a GPU): the same
  default fit on torch tensors on that device under
  ``array_api_dispatch=True`` (the loop runs there), and one step of the
  library's objective on the device against the two products on the same
  tensors; ``--max-iter`` caps the library's fits, host and device alike,
  and ``--no-mlp`` leaves MLPRegressor out;
- ``--memory``: the peak of the default fit's allocations (tracemalloc,
  which numpy reports to) over the bytes of X, with a loose ``tol`` so
  that every stage stops early (the buffers are the same).

The fits run one after the other in one process, MLP first then the
library, ``--repeats`` times; the tables report medians. Other processes
load the machine: the script prints the load average before and after.

Run: ``python benchmarks/bench_scale.py --quick`` (n=20000, p=100, h=20,
about a minute), or ``--n 2e4 2e5 1e6 --p 100 1000 --h 20 100`` for the
issue's grid (hours on 2 cores), ``--memory --n 1e6`` for the memory row.

The GPU check of issue 22 (n=1e6, p=1000, h=100, float32; one step
within 1.3x of the products on the device, the fit 20x faster than the
numpy fit on the same host) is one command, to run where torch sees a GPU
(no GPU was lent when this was written, so it has not been run; on 16
cores the host fits take several minutes)::

    python benchmarks/bench_scale.py --n 1e6 --p 1000 --h 100 \
        --device cuda --no-mlp --no-torch --max-iter 200

Measured on a quiet 2-core machine (load average 0.5-1.2; two helper
sessions started during the library's fit), 2026-12-07, p=100, h=20,
float32, one repeat::

    n=2e+04                            time s  iterations  test R2 t(0.999) t(MLP R2)
    MLPRegressor (Adam, early stop.)     3.58  168 epochs  0.99924    3.58     3.58
    ProjectedShallowRegressor()          9.59        1245  0.99872       -        -
    one full-batch step 3.7 ms, two-product floor 1.9 ms (x1.94)

    n=2e+05                            time s  iterations  test R2 t(0.999) t(MLP R2)
    MLPRegressor (Adam, early stop.)     5.16   25 epochs  0.99925    5.16     5.16
    ProjectedShallowRegressor()         30.95  912+88+307  0.99942    1.58     3.05
      rows per stage 10105+40420+200000
    one full-batch step 38.3 ms, two-product floor 22.4 ms (x1.71)

At n=2e5 the default passes MLP's test R^2 at 3.05 s, before MLP's fit
ends (5.16 s), and ends at 31 s; at n=2e4 it stays below (see below).

Measured on a shared 2-core machine with other benchmarks running (load
average 4-5.5 on 2 cores, so times are 2-4x those of a quiet machine;
compare within one setting), p=100, h=20, float32, seed 0, one repeat,
the torch rows with torch 2.13 (CPU)::

    n=2e+04                            time s  iterations  test R2 t(0.999) t(MLP R2)
    MLPRegressor (Adam, early stop.)    10.38  168 epochs  0.99924   10.38    10.38
    ProjectedShallowRegressor()          8.88         980  0.99873       -        -
    torch loop (Adam), cpu              62.83   114 epochs 0.99856       -        -
    one full-batch step 22.3 ms, two-product floor 11.1 ms (x2.02)

    n=2e+05                            time s  iterations  test R2 t(0.999) t(MLP R2)
    MLPRegressor (Adam, early stop.)    10.13   25 epochs  0.99925   10.13    10.13
    ProjectedShallowRegressor()        231.76  907+93+324  0.99942   16.52    37.55
      rows per stage 10105+40420+200000
    torch loop (Adam), cpu             149.33   31 epochs  0.99975   84.99    89.24
    one full-batch step 189.4 ms, two-product floor 277.4 ms (x0.68, noisy)

At n=2e4 (no stages: below 50000 rows) ``alpha='auto'`` (2.5e-4) holds
the fit below 0.999. At n=2e5 the stage on 10105 rows reaches 0.999 in 16
s; the last stage, 324 full-batch iterations on all rows until the
gradient mapping is 1e-4 of its first value, is 85% of the fit's time.
Another draw of the planted network (another generator order) on a
quieter machine (load 1.4-3.8) gave MLP 7.6 s (27 epochs, 0.99929) and the
default 191.6 s (stages 901+99+268, 0.99986), at MLP's R^2 after 12.9 s.

n=1e6 (p=100, h=20, float32), 2026-12-07, one BLAS thread
(``OPENBLAS_NUM_THREADS=1``, for MLP and the library alike), with one
other single-threaded benchmark on the second core (load 2-3)::

    n=1e+06                           time s  iterations      test R2 t(0.999) t(MLP)
    MLPRegressor (Adam, early stop.)   23.57  17 epochs       0.99935   23.57  23.57
    ProjectedShallowRegressor()       541.42  205+54+91+1237  0.99736       -      -
      rows per stage 10105+40420+161680+1000000
    one full-batch step 363.2 ms, two-product floor 294.0 ms (x1.24)

At n=1e6 the default does not reach 0.999 and takes 23 times MLP's
time. Its first stage, on 10105 rows, stopped after 205 iterations (912
at 2e5): a stage on ``m`` of ``n`` rows stops at ``tol * sqrt(n / m)``,
ten times ``tol`` here. That is not the whole cause: with that factor
capped at 2 (an experiment, not kept), the first stage ran the stages'
whole budget (1000 iterations, half of ``max_iter``) and the fit ended
at the same R^2 (0.99738) after 1000 iterations on all rows (352 s,
``max_iter``). The default fit at two threads (400 s; stages 210+53+83+
1202) ended without a warning: the stopping rule held (gradient mapping
1e-4 of its first value) while the loss (1.4367e-3) still fell by 2e-5 of
itself per iteration. At 2e5 (alpha 2.5e-5) the first stage on the same
10105 rows passed 0.999; at 1e6 (alpha 5e-6) even 1000 first-stage
iterations left the fit at 0.9974, so a stage-sized penalty (a
continuation in alpha as well as in rows) is the next thing to measure.
Open.

``--memory --n 1e6`` (X 400 MB): the fit's peak allocations were 1.10 x X
(2.10 x with X) while the full objective's buffers were still alive
during the constant-predictor check; freed first, 0.71 x X (1.71 x
with X; at n=2e5, 1.38 -> 0.99 x X).
"""

import argparse
import os
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor

from sklearn_shallow import ProjectedShallowRegressor
from sklearn_shallow._fit.units import _Units  # noqa: F401 (import cost off the clock)
from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import get_activation
from sklearn_shallow.architectures import get_architecture

try:
    import torch
except ImportError:  # the torch rows are skipped
    torch = None

N_TEST = 5000
TARGET = 0.999


def planted(n, p, h, seed=0, dtype=np.float32):
    """Train and test rows of a planted ReLU network (no noise)."""
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((h, p)) / np.sqrt(p)).astype(dtype)
    o = rng.standard_normal(h).astype(dtype)
    b = dtype(rng.standard_normal())
    X = rng.standard_normal((n + N_TEST, p), dtype=np.float32).astype(dtype)
    y = np.maximum(X @ W.T, 0) @ o + b
    return X[:n], y[:n], X[n:], y[n:]


def _first(trace, level):
    """The first time in ``trace`` at which the R^2 reached ``level``."""
    return next((t for t, r2 in trace if r2 >= level), None)


def fit_library(X, y, Xt, yt, every, **params):
    """The library's fit with a scored trace; the callback's time is off
    the clock."""
    trace, spent, count = [], [0.0], [0]
    began = time.perf_counter()

    def score(info):
        count[0] += 1
        if count[0] % every:
            return False
        now = time.perf_counter()
        w = info["params"]
        pred = np.maximum(Xt @ w["hidden"].T, 0) @ w["output"] + w["intercept"]
        trace.append((now - began - spent[0], r2_score(yt, pred)))
        spent[0] += time.perf_counter() - now
        return False

    est = ProjectedShallowRegressor(random_state=0, callback=score, **params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    seconds = time.perf_counter() - began - spent[0]
    r2 = r2_score(yt, est.predict(Xt))
    stages = est.fit_stages_ or [(X.shape[0], est.n_iter_)]
    return dict(
        seconds=seconds,
        r2=r2,
        iterations="+".join(str(i) for _, i in stages),
        rows="+".join(str(r) for r, _ in stages),
        trace=trace,
        warned=len(caught),
    )


def fit_mlp(X, y, Xt, yt, h):
    began = time.perf_counter()
    mlp = MLPRegressor(hidden_layer_sizes=(h,), early_stopping=True, random_state=0)
    mlp.fit(X, y)
    seconds = time.perf_counter() - began
    return dict(seconds=seconds, r2=r2_score(yt, mlp.predict(Xt)), epochs=mlp.n_iter_)


def fit_torch(X, y, Xt, yt, h, device, max_epochs=200):
    """Adam at 1e-3 on batches of 200, early stopping as MLPRegressor's."""
    gen = torch.Generator().manual_seed(0)
    n_val = max(2, X.shape[0] // 10)
    perm = torch.randperm(X.shape[0], generator=gen)
    Xa = torch.from_numpy(X)[perm].to(device)
    ya = torch.from_numpy(y)[perm].to(device)
    Xv, yv, Xf, yf = Xa[:n_val], ya[:n_val], Xa[n_val:], ya[n_val:]
    net = torch.nn.Sequential(
        torch.nn.Linear(X.shape[1], h), torch.nn.ReLU(), torch.nn.Linear(h, 1)
    ).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xtt = torch.from_numpy(Xt).to(device)
    best, best_state, stall, trace, spent = -np.inf, None, 0, [], 0.0
    began = time.perf_counter()
    epochs = 0
    while epochs < max_epochs:
        epochs += 1
        order = torch.randperm(Xf.shape[0], generator=gen).to(device)
        for i in range(0, Xf.shape[0], 200):
            idx = order[i : i + 200]
            opt.zero_grad()
            loss = torch.mean((net(Xf[idx]).squeeze(1) - yf[idx]) ** 2)
            loss.backward()
            opt.step()
        with torch.no_grad():
            resid = net(Xv).squeeze(1) - yv
            val = 1 - float(resid.pow(2).mean() / yv.var(unbiased=False))
            now = time.perf_counter()
            pred = net(Xtt).squeeze(1).cpu().numpy()
            trace.append((now - began - spent, r2_score(yt, pred)))
            spent += time.perf_counter() - now
        if val > best + 1e-4:
            stall = 0
        else:
            stall += 1
        if val > best:
            best = val
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        if stall >= 10:
            break
    if device != "cpu":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - began - spent
    net.load_state_dict(best_state)
    with torch.no_grad():
        r2 = r2_score(yt, net(Xtt).squeeze(1).cpu().numpy())
    return dict(seconds=seconds, r2=r2, epochs=epochs, trace=trace)


def step_against_floor(X, h, repeats=5):
    """Seconds of one full-batch objective and gradient, and of the two
    products ``X W^T`` and ``D^T X`` alone (medians), on the CPU."""
    n, p = X.shape
    rng = np.random.default_rng(0)
    model = ShallowModel(
        get_activation("relu"), get_architecture(None), p, h, None, True
    )
    y = rng.standard_normal(n).astype(X.dtype)
    objective = Objective(model, SquaredLoss(), X, y, exact_linear=True)
    params = [
        (rng.standard_normal((h, p)) / np.sqrt(p)).astype(X.dtype),
        np.zeros(h, X.dtype),
        np.zeros(1, X.dtype),
    ]
    grads = [np.empty_like(a) for a in params]
    batch = objective.batches()[0]
    W, Z = params[0], np.empty((n, h), X.dtype)
    G = np.empty((h, p), X.dtype)
    step, floor = [], []
    for _ in range(repeats):
        began = time.perf_counter()
        objective.value(params, batch)
        objective.gradient(params, batch, grads)
        step.append(time.perf_counter() - began)
        began = time.perf_counter()
        np.matmul(X, W.T, out=Z)
        np.matmul(Z.T, X, out=G)
        floor.append(time.perf_counter() - began)
    return statistics.median(step), statistics.median(floor)


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def step_on_device(X, h, repeats=5):
    """The library's full-batch objective and gradient on torch tensors (on
    ``X``'s device, through the array API), and the two products alone, on
    the same arrays (medians, seconds)."""
    import array_api_compat

    xp = array_api_compat.array_namespace(X)
    n, p = X.shape
    gen = torch.Generator(device=X.device).manual_seed(0)
    model = ShallowModel(
        get_activation("relu"), get_architecture(None), p, h, None, True
    )
    y = torch.randn(n, generator=gen, device=X.device, dtype=X.dtype)
    objective = Objective(model, SquaredLoss(), X, y, exact_linear=True)
    W = torch.randn(h, p, generator=gen, device=X.device, dtype=X.dtype) / p**0.5
    params = [W, xp.zeros(h, dtype=X.dtype, device=X.device)]
    params.append(xp.zeros(1, dtype=X.dtype, device=X.device))
    grads = [xp.empty_like(a) for a in params]
    batch = objective.batches()[0]
    step, floor = [], []
    for _ in range(repeats + 1):
        _sync(X.device)
        began = time.perf_counter()
        objective.value(params, batch)
        objective.gradient(params, batch, grads)
        _sync(X.device)
        step.append(time.perf_counter() - began)
        began = time.perf_counter()
        Z = X @ W.T
        Z.T @ X
        _sync(X.device)
        floor.append(time.perf_counter() - began)
    return statistics.median(step[1:]), statistics.median(floor[1:])


def fit_on_device(X, y, Xt, yt, device, **params):
    """``ProjectedShallowRegressor(n_hidden=h)`` on torch tensors on ``device`` under
    array-API dispatch (the loop runs there); wall time, iterations, test
    R^2 (no trace: scoring on the way would wait for the device)."""
    import sklearn

    os.environ.setdefault("SCIPY_ARRAY_API", "1")
    Xd = torch.asarray(X, device=device)
    yd = torch.asarray(y, device=device)
    _sync(Xd.device)
    with sklearn.config_context(array_api_dispatch=True):
        began = time.perf_counter()
        est = ProjectedShallowRegressor(random_state=0, **params).fit(Xd, yd)
        _sync(Xd.device)
        seconds = time.perf_counter() - began
        pred = est.predict(torch.asarray(Xt, device=device)).cpu().numpy()
    stages = est.fit_stages_ or [(X.shape[0], est.n_iter_)]
    return dict(
        seconds=seconds,
        r2=r2_score(yt, pred),
        iterations="+".join(str(i) for _, i in stages),
        rows="+".join(str(r) for r, _ in stages),
        trace=[],
    )


def floor_on_gpu(n, p, h, repeats=5):
    """The two products on the GPU (torch), or None without one."""
    if torch is None or not torch.cuda.is_available():
        return None
    X = torch.randn(n, p, device="cuda")
    W = torch.randn(h, p, device="cuda")
    times = []
    for _ in range(repeats + 1):
        torch.cuda.synchronize()
        began = time.perf_counter()
        Z = X @ W.T
        Z.T @ X
        torch.cuda.synchronize()
        times.append(time.perf_counter() - began)
    return statistics.median(times[1:])


def peak_memory(X, y):
    """Peak bytes the default fit allocates, over the bytes of X."""
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ProjectedShallowRegressor(random_state=0, tol=0.5).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / X.nbytes


def _fmt(value, spec=".2f"):
    return "-" if value is None else format(value, spec)


def run_setting(n, p, h, args):
    X, y, Xt, yt = planted(n, p, h)
    rows = {}
    every = max(1, args.every)
    for _ in range(args.repeats):
        mlp = None
        if not args.no_mlp:
            mlp = fit_mlp(X, y, Xt, yt, h)
            rows.setdefault("MLPRegressor (Adam, early stop.)", []).append(mlp)
        # The same width as the planted network and the MLP.
        cap = dict(n_hidden=h)
        if args.max_iter is not None:
            cap["max_iter"] = args.max_iter
        lib = fit_library(X, y, Xt, yt, every, **cap)
        lib["to_mlp"] = None if mlp is None else _first(lib["trace"], mlp["r2"])
        rows.setdefault("ProjectedShallowRegressor, h units", []).append(lib)
        if args.full_batch:
            full = fit_library(X, y, Xt, yt, every, batch_size=None, **cap)
            full["to_mlp"] = None if mlp is None else _first(full["trace"], mlp["r2"])
            rows.setdefault("  batch_size=None", []).append(full)
        if args.device is not None:
            dev = fit_on_device(X, y, Xt, yt, args.device, **cap)
            rows.setdefault(f"  the same on torch, {args.device}", []).append(dev)
        if torch is not None and not args.no_torch:
            loop = fit_torch(X, y, Xt, yt, h, "cpu")
            loop["to_mlp"] = None if mlp is None else _first(loop["trace"], mlp["r2"])
            rows.setdefault("torch loop (Adam), cpu", []).append(loop)
            if torch.cuda.is_available():
                loop = fit_torch(X, y, Xt, yt, h, "cuda")
                rows.setdefault("torch loop (Adam), cuda", []).append(loop)
    print(f"\nn={n:.0e} p={p} h={h}  (medians of {args.repeats})")
    print(
        f"  {'model':34s} {'time s':>7s} {'iterations':>16s} {'test R2':>8s} "
        f"{'t(0.999)':>8s} {'t(MLP R2)':>9s}"
    )
    for name, runs in rows.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        r2 = statistics.median(r["r2"] for r in runs)
        iters = runs[0].get("iterations", runs[0].get("epochs"))
        to_target = [_first(r.get("trace", []), TARGET) for r in runs]
        to_target = None if None in to_target else statistics.median(to_target)
        to_mlp = [r.get("to_mlp") for r in runs]
        to_mlp = None if None in to_mlp else statistics.median(to_mlp)
        if name.startswith("MLP"):
            to_target = seconds if r2 >= TARGET else None
            to_mlp = seconds
            iters = f"{iters} epochs"
        print(
            f"  {name:34s} {seconds:7.2f} {str(iters):>16s} {r2:8.5f} "
            f"{_fmt(to_target):>8s} {_fmt(to_mlp):>9s}"
        )
        if "rows" in runs[0] and "+" in runs[0]["rows"]:
            print(f"  {'':34s} rows per stage {runs[0]['rows']}")
    step, floor = step_against_floor(X, h)
    gpu = floor_on_gpu(n, p, h)
    print(
        f"  one full-batch step {step * 1e3:.1f} ms, two-product floor "
        f"{floor * 1e3:.1f} ms (x{step / floor:.2f}) on the CPU"
        + ("" if gpu is None else f"; floor on the GPU {gpu * 1e3:.2f} ms")
    )
    if args.device is not None:
        step, floor = step_on_device(torch.asarray(X, device=args.device), h)
        print(
            f"  one full-batch step {step * 1e3:.2f} ms, two-product floor "
            f"{floor * 1e3:.2f} ms (x{step / floor:.2f}) on torch, {args.device}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=float, nargs="+", default=[2e4, 2e5])
    parser.add_argument("--p", type=int, nargs="+", default=[100])
    parser.add_argument("--h", type=int, nargs="+", default=[20])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--full-batch", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument(
        "--device",
        default=None,
        help="also fit the library on torch tensors on this device ('cuda', "
        "or 'cpu' to try the path) under array_api_dispatch, and time its "
        "step there against the two products",
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="max_iter of the library's fits (host and device alike)",
    )
    parser.add_argument(
        "--no-mlp",
        action="store_true",
        help="leave out MLPRegressor (the GPU check at n=1e6, p=1000)",
    )
    args = parser.parse_args()
    if args.quick:
        args.n, args.p, args.h = [2e4], [100], [20]
    print(f"load average before: {os.getloadavg()}")
    for n in args.n:
        for p in args.p:
            for h in args.h:
                if args.memory:
                    X, y, _, _ = planted(int(n), p, h)
                    ratio = peak_memory(X, y)
                    print(
                        f"n={n:.0e} p={p} h={h}: X {X.nbytes / 1e6:.0f} MB, "
                        f"peak allocated by the fit {ratio:.2f} x X "
                        f"(with X: {1 + ratio:.2f} x)"
                    )
                else:
                    run_setting(int(n), p, h, args)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
