"""Convergence of the training core against its old version and its peers.

Two printed comparisons, run in one process on one machine (issue 10, item 7).

1. **Oymak's planted sparse network**: p=80 inputs, h=20 ReLU units with s=8
   nonzero weights each, output weights one (``make_sparse_network(n,
   random_state=seed)``), n training samples, and a test set of 1000 from
   ``sample_network(truth, 1000, random_state=1000 + seed)``. After every
   iteration of every method a callback computes the test NMSE
   ``var(y - yhat) / var(y)``; the time of that evaluation is subtracted from
   the clock. Per method and setting (one table per n, constraint, setting
   and initialisation; one row per method) the tables give the wall seconds
   and the iterations until the test NMSE first falls to 1e-2 and to 1e-4
   (medians over the seeds that reach it, and how many do), the final test
   NMSE (median and worst seed), the training NMSE, the fit's wall and CPU
   seconds, ``n_iter_`` and the number of fits that raised a
   ConvergenceWarning.

   Settings: output weights fixed to one without an intercept (the papers')
   and the estimator defaults (output layer learned, intercept); Oymak's good
   and random initial hidden weights, ``oymak_init(truth, kind,
   random_state=seed)`` passed as ``init=``; the l1 ball of radius
   ``||W*||_1``, and the l0 ball of ``h s`` weights at the sizes in
   ``--l0-n`` (default 600).

   Methods:

   * ``fista``, ``spg``, ``pgd``: ProjectedShallowRegressor of this checkout
     with that ``solver``, ``max_iter=2000`` and the default ``tol`` and
     ``alpha``, so that each stops where a user's fit would (``--tol``
     changes it for all three);
   * ``old (380d413)``: the same estimator at commit 380d413 (backtracking
     projected gradient, gradient steps on the output layer and intercept),
     ``max_iter=2000`` and its default ``tol=1e-5``, and also ``tol=0`` at the
     sizes in ``--old-tol0-n`` (default 600). It runs in a worker subprocess
     that imports the old package from ``--old-tree`` (a checkout of the
     commit, for instance a ``git worktree``) or, by default, from a
     ``git archive`` of the commit in a temporary directory;
   * ``torch adam`` (lr 1e-2, 2000 steps) and ``torch lbfgs``
     (``torch.optim.LBFGS``: strong Wolfe line search, ``max_iter=2000``,
     ``history_size=10`` as in scipy, default tolerances), when torch imports:
     full batch, float64, ``--torch-threads`` threads (default 1), the
     library's model (``Linear(p, h, bias=False)``, ReLU, then
     ``Linear(h, 1)``, or the plain sum for the papers' setting), the same
     initial hidden weights, loss ``mean((f - y)^2) / 2``, no constraint (its
     rows are given with the l1 tables only);
   * ``MLPRegressor(hidden_layer_sizes=(20,))``, ``solver='lbfgs'`` and
     ``'adam'``, ``max_iter=2000``, ``tol=1e-8``, ``random_state=seed`` (its
     own initialisation, hidden biases, learned output layer, no constraint:
     one table per n), under ``threadpool_limits(1)`` for every seed and under
     the default threads for the first ``--mlp-default-threads-seeds`` seeds
     (default 1), where a fit is stopped after ``--mlp-budget`` wall seconds
     (default 20) and flagged: on a busy 2-core machine the default threads
     can make it 20x slower.

   The library applies its own BLAS thread policy (one thread at these
   sizes). Hooks: the library's ``callback``; for MLPRegressor, overrides of
   its private ``_loss_grad_lbfgs`` (one call per function evaluation) and
   ``_update_no_improvement_count`` (one per epoch). The in-callback NMSE is
   computed with ``np.var`` (``metrics.normalized_mse`` validates its input
   and costs about 15x more per call); the final NMSE is
   ``metrics.normalized_mse`` of ``predict``, and a row is flagged when the
   last in-callback value disagrees with it.

2. **Default fits on scikit-learn's diabetes data** (442 x 10):
   ``make_pipeline(StandardScaler(), estimator)`` under ``cross_validate``
   with ``KFold(5, shuffle=True, random_state=0)``: mean and spread of the
   test R^2, mean fit time, median ``n_iter_`` and the number of
   ConvergenceWarnings over the 5 fits (and where the first one points), for
   ProjectedShallowRegressor() and RVSMRegressor() of this checkout and of
   380d413 (``random_state=0``), and MLPRegressor((20,), random_state=0)
   with its default ``max_iter=200`` and with 2000.

The header gives the machine (CPUs, library versions, BLAS pools) and the
revision of the library measured. The machine may be shared: the load
average is printed as the run goes; wall seconds measured under load are
inflated (compare the CPU seconds), iterations are not.

Usage::

    python benchmarks/bench_convergence.py --quick  # n=600, 1 seed, l1: ~1-2 min
    python benchmarks/bench_convergence.py          # n=600/1000/2000, 3 seeds
    python benchmarks/bench_convergence.py --old-tree /path/to/380d413-checkout
    python benchmarks/bench_convergence.py --n 1000 --seeds 0 1 --no-torch
"""

import argparse
import contextlib
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_validate
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

import sklearn_shallow
from sklearn_shallow import ProjectedShallowRegressor, RVSMRegressor
from sklearn_shallow.datasets import make_sparse_network, oymak_init, sample_network
from sklearn_shallow.metrics import normalized_mse

THRESHOLDS = (1e-2, 1e-4)
FOOTNOTE = (
    "s->t, it->t: median wall seconds (evaluation time excluded) and iterations "
    "until the test NMSE first is <= t, over the seeds that reach it (k/S when "
    "not all do; '-' when none does). it: iterations for the library and torch "
    "Adam, epochs for MLP adam, function evaluations for the L-BFGS rows "
    "(line-search trials included); n_iter: n_iter_ (torch: steps, L-BFGS "
    "iterations). test NMSE: median / worst seed; train: median training NMSE. "
    "fit s, cpu s: mean wall and process-CPU seconds of a fit, evaluations "
    "excluded. CW: fits that raised a ConvergenceWarning; '*' marks a row where "
    "the last in-callback NMSE differs from normalized_mse(y_test, predict)."
)
N_TEST = 1000
OLD_COMMIT = "380d413"
OLD_LABEL = f"old ({OLD_COMMIT})"
OLD_TOL0 = f"{OLD_LABEL} tol=0"
TORCH_LABELS = {o: f"torch {o} (no constraint)" for o in ("adam", "lbfgs")}
SETTINGS = {
    "papers": {"output_weights": "ones", "fit_intercept": False},
    "defaults": {},
}
SETTING_TITLES = {
    "papers": "output ones, no intercept (papers)",
    "defaults": "defaults: output learned, intercept",
}
NEW_SOLVERS = ("fista", "spg", "pgd")
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------
# The probe: test NMSE after every iteration, on a clock without its own time
# --------------------------------------------------------------------------


class OutOfTime(Exception):
    """Raised by a probe whose fit has used up its wall-time budget."""


class Probe:
    """Test NMSE per iteration; its clock leaves out the probe's own time.

    With a ``budget`` (wall seconds on the clock) :meth:`record` raises
    :class:`OutOfTime` once the fit has run that long.
    """

    def __init__(self, X_test, y_test, budget=None):
        self.X_test = X_test
        self.y_test = y_test
        self.var = float(np.var(y_test))
        self.budget = budget
        self.reset()

    def reset(self):
        self.excluded = 0.0
        self.cpu_excluded = 0.0
        self.count = 0
        self.last = float("nan")
        self.reached = {t: None for t in THRESHOLDS}
        self.cpu_start = time.process_time()
        self.start = time.perf_counter()

    def elapsed(self):
        """Wall and process CPU seconds since ``reset``, probe time excluded."""
        wall = time.perf_counter() - self.start - self.excluded
        return wall, time.process_time() - self.cpu_start - self.cpu_excluded

    def nmse(self, prediction):
        return float(np.var(self.y_test - prediction) / self.var)

    def record(self, compute):
        """Call ``compute() -> test NMSE`` and log it, off the clock."""
        cpu_entered = time.process_time()
        entered = time.perf_counter()
        value = compute()
        self.count += 1
        self.last = value
        for t in THRESHOLDS:
            if self.reached[t] is None and value <= t:
                clock = entered - self.start - self.excluded
                self.reached[t] = (clock, self.count)
        self.excluded += time.perf_counter() - entered
        self.cpu_excluded += time.process_time() - cpu_entered
        if self.budget is not None and self.elapsed()[0] > self.budget:
            raise OutOfTime

    def result(
        self, seconds, final, train, n_iter, n_convergence_warnings, timed_out=False
    ):
        mismatch = abs(self.last - final) > 1e-6 * final + 1e-12
        return {
            "seconds": seconds[0],
            "cpu": seconds[1],
            "reached": {str(t): self.reached[t] for t in THRESHOLDS},
            "final": final,
            "train": train,
            "last_probe": self.last,
            "mismatch": bool(mismatch),
            "n_iter": int(n_iter),
            "n_probe": self.count,
            "convergence_warnings": n_convergence_warnings,
            "timed_out": timed_out,
        }


def count_convergence(caught):
    return sum(issubclass(w.category, ConvergenceWarning) for w in caught)


# --------------------------------------------------------------------------
# The library (this checkout in the main process, 380d413 in the worker)
# --------------------------------------------------------------------------


def library_nmse(probe, params):
    W = params["hidden"]
    output = params.get("output")
    intercept = params.get("intercept")

    def compute():
        A = np.maximum(probe.X_test @ W.T, 0.0)
        prediction = A.sum(axis=1) if output is None else A @ output
        if intercept is not None:
            prediction = prediction + float(np.ravel(intercept)[0])
        return probe.nmse(prediction)

    return compute


def fit_library(estimator, data):
    """Fit ``estimator`` on the data with a probe; return the result dict."""
    probe = Probe(data["X_test"], data["y_test"])

    def callback(info):
        probe.record(library_nmse(probe, info["params"]))
        return False

    estimator.set_params(callback=callback)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe.reset()
        estimator.fit(data["X"], data["y"])
        seconds = probe.elapsed()
    final = normalized_mse(data["y_test"], estimator.predict(data["X_test"]))
    train = normalized_mse(data["y"], estimator.predict(data["X"]))
    n_warnings = count_convergence(caught)
    return probe.result(seconds, final, train, estimator.n_iter_, n_warnings)


def library_estimator(data, constraint, setting, init, seed, **params):
    if constraint == "l1":
        tau = float(data["l1_norm"])
    else:
        tau = int(data["n_nonzero_total"])
    params = {"max_iter": 2000, "random_state": seed, **SETTINGS[setting], **params}
    return ProjectedShallowRegressor(
        n_hidden=int(data["n_hidden"]),
        constraint=constraint,
        tau=tau,
        init=data[f"init_{init}"],
        **params,
    )


def diabetes_cv(estimator):
    """5-fold R^2, fit time, n_iter_ and ConvergenceWarnings of a pipeline."""
    X, y = load_diabetes(return_X_y=True)
    cv = KFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = cross_validate(
            make_pipeline(StandardScaler(), estimator),
            X,
            y,
            cv=cv,
            scoring="r2",
            return_estimator=True,
        )
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    where = ""
    if convergence:
        w = convergence[0]
        where = f"{os.path.basename(w.filename)}:{w.lineno}"
    others = sorted({w.category.__name__ for w in caught} - {"ConvergenceWarning"})
    return {
        "r2": float(np.mean(scores["test_score"])),
        "r2_std": float(np.std(scores["test_score"])),
        "fit": float(np.mean(scores["fit_time"])),
        "n_iter": float(np.median([e[-1].n_iter_ for e in scores["estimator"]])),
        "convergence_warnings": len(convergence),
        "where": where,
        "other_warnings": others,
    }


def worker():
    """Serve JSON jobs on stdin with the sklearn_shallow found on sys.path."""
    cache = {}
    hello = {"library": sklearn_shallow.__file__}
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        if job["task"] == "oymak":
            if job["data"] not in cache:
                cache.clear()
                with np.load(job["data"]) as f:
                    cache[job["data"]] = dict(f)
            data = cache[job["data"]]
            estimator = library_estimator(
                data,
                job["constraint"],
                job["setting"],
                job["init"],
                job["seed"],
                **job["params"],
            )
            result = fit_library(estimator, data)
        else:
            cls = {"ProjectedShallowRegressor": ProjectedShallowRegressor}.get(
                job["estimator"], RVSMRegressor
            )
            result = diabetes_cv(cls(random_state=0))
        print(json.dumps(result), flush=True)


class OldLibrary:
    """A worker process importing sklearn_shallow from an old source tree."""

    def __init__(self, tree):
        env = dict(os.environ, PYTHONPATH=str(tree))
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(tree),
        )
        hello = json.loads(self.process.stdout.readline())
        self.library = hello["library"]
        if not Path(self.library).resolve().is_relative_to(Path(tree).resolve()):
            self.close()
            raise RuntimeError(f"the worker imported {self.library}, not {tree}")

    def call(self, job):
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the old-library worker died on {job}")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


@contextlib.contextmanager
def old_tree(path):
    """The old sources: ``path`` if given, else a git archive in a temp dir."""
    if path is not None:
        yield Path(path)
        return
    with tempfile.TemporaryDirectory(prefix="bench_convergence_old_") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", OLD_COMMIT, "sklearn_shallow"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp)


# --------------------------------------------------------------------------
# Peers: MLPRegressor and a torch loop
# --------------------------------------------------------------------------


class ProbedMLP(MLPRegressor):
    """MLPRegressor that reports the test NMSE to a probe as it trains.

    The hooks are private methods of scikit-learn's MLP: the L-BFGS
    objective (one call per function evaluation, after the coefficients are
    unpacked) and the per-epoch bookkeeping of the stochastic solvers.
    """

    def _probe_record(self):
        probe = self._probe
        coefs, intercepts = self.coefs_, self.intercepts_

        def compute():
            hidden = np.maximum(probe.X_test @ coefs[0] + intercepts[0], 0.0)
            return probe.nmse((hidden @ coefs[1] + intercepts[1]).ravel())

        probe.record(compute)

    def _loss_grad_lbfgs(self, *args, **kwargs):
        out = super()._loss_grad_lbfgs(*args, **kwargs)
        self._probe_record()
        return out

    def _update_no_improvement_count(self, *args, **kwargs):
        out = super()._update_no_improvement_count(*args, **kwargs)
        self._probe_record()
        return out


def fit_mlp(solver, data, seed, max_iter, budget=None):
    """MLPRegressor((h,)); stopped (and flagged) after ``budget`` wall seconds."""
    probe = Probe(data["X_test"], data["y_test"], budget)
    estimator = ProbedMLP(
        hidden_layer_sizes=(int(data["n_hidden"]),),
        solver=solver,
        max_iter=max_iter,
        tol=1e-8,
        random_state=seed,
    )
    estimator._probe = probe
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe.reset()
        try:
            estimator.fit(data["X"], data["y"])
            timed_out = False
        except OutOfTime:
            # coefs_ hold the last evaluated point; L-BFGS has no n_iter_ yet.
            timed_out = True
        seconds = probe.elapsed()
    final = normalized_mse(data["y_test"], estimator.predict(data["X_test"]))
    train = normalized_mse(data["y"], estimator.predict(data["X"]))
    n_warnings = count_convergence(caught)
    # A stopped L-BFGS fit has no n_iter_ of its own: count its evaluations.
    n_iter = probe.count if timed_out and solver == "lbfgs" else estimator.n_iter_
    return probe.result(seconds, final, train, n_iter, n_warnings, timed_out)


def fit_torch(torch, optimizer, data, setting, init, seed, steps):
    """Full-batch float64 torch loop on the library's model; a result dict."""
    dtype = torch.float64
    X = torch.from_numpy(data["X"])
    y = torch.from_numpy(data["y"])
    X_test = torch.from_numpy(data["X_test"])
    probe = Probe(data["X_test"], data["y_test"])
    y_test = torch.from_numpy(data["y_test"])
    n_hidden, n_features = data[f"init_{init}"].shape
    hidden = torch.nn.Linear(n_features, n_hidden, bias=False, dtype=dtype)
    with torch.no_grad():
        hidden.weight.copy_(torch.from_numpy(data[f"init_{init}"]))
    modules = [hidden]
    if setting == "defaults":
        # torch's own Linear initialisation, drawn from a seeded numpy stream.
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(n_hidden)
        output = torch.nn.Linear(n_hidden, 1, dtype=dtype)
        with torch.no_grad():
            output.weight.copy_(
                torch.from_numpy(rng.uniform(-bound, bound, (1, n_hidden)))
            )
            output.bias.copy_(torch.from_numpy(rng.uniform(-bound, bound, 1)))
        modules.append(output)

        def forward(inputs):
            return output(torch.relu(hidden(inputs))).squeeze(1)

    else:

        def forward(inputs):
            return torch.relu(hidden(inputs)).sum(dim=1)

    parameters = [p for m in modules for p in m.parameters()]

    def loss():
        return 0.5 * torch.mean((forward(X) - y) ** 2)

    def compute():
        with torch.no_grad():
            residual = y_test - forward(X_test)
            return float(torch.var(residual, correction=0) / probe.var)

    probe.reset()
    if optimizer == "adam":
        opt = torch.optim.Adam(parameters, lr=1e-2)
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            value = loss()
            value.backward()
            opt.step()
            probe.record(compute)
            if not torch.isfinite(value):
                break
        n_iter = probe.count
    else:
        opt = torch.optim.LBFGS(
            parameters,
            lr=1,
            max_iter=steps,
            max_eval=2 * steps,
            history_size=10,
            line_search_fn="strong_wolfe",
        )

        def closure():
            opt.zero_grad(set_to_none=True)
            value = loss()
            value.backward()
            probe.record(compute)
            return value

        opt.step(closure)
        n_iter = opt.state[parameters[0]]["n_iter"]
    seconds = probe.elapsed()
    with torch.no_grad():
        final = normalized_mse(data["y_test"], forward(X_test).numpy())
        train = normalized_mse(data["y"], forward(X).numpy())
    return probe.result(seconds, final, train, n_iter, 0)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def fmt_seconds(value):
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def summarise(results):
    """One table row's cells from the per-seed results of one method."""
    n_seeds = len(results)
    cells = []
    for t in THRESHOLDS:
        hits = [r["reached"][str(t)] for r in results if r["reached"][str(t)]]
        if not hits:
            cells += ["-", "-"]
            continue
        share = "" if len(hits) == n_seeds else f" ({len(hits)}/{n_seeds})"
        cells.append(fmt_seconds(float(np.median([h[0] for h in hits]))) + share)
        cells.append(f"{np.median([h[1] for h in hits]):.0f}")
    finals = [r["final"] for r in results]
    cells.append(f"{np.median(finals):.1e} / {np.max(finals):.1e}")
    cells.append(f"{np.median([r['train'] for r in results]):.1e}")
    cells.append(fmt_seconds(float(np.mean([r["seconds"] for r in results]))))
    cells.append(fmt_seconds(float(np.mean([r["cpu"] for r in results]))))
    cells.append(f"{np.median([r['n_iter'] for r in results]):.0f}")
    warned = sum(r["convergence_warnings"] > 0 for r in results)
    flags = "*" if any(r["mismatch"] for r in results) else ""
    timed_out = sum(r.get("timed_out", False) for r in results)
    flags += f" T{timed_out}" if timed_out else ""
    cells.append(f"{warned}/{n_seeds}{flags}")
    return cells


COLUMNS = [
    "method",
    "s->1e-2",
    "it->1e-2",
    "s->1e-4",
    "it->1e-4",
    "test NMSE med / max",
    "train",
    "fit s",
    "cpu s",
    "n_iter",
    "CW",
]


def print_table(title, rows):
    """``rows``: list of (label, per-seed results)."""
    body = [[label, *summarise(results)] for label, results in rows if results]
    widths = [
        max(len(str(r[i])) for r in [COLUMNS, *body]) for i in range(len(COLUMNS))
    ]
    print(f"\n{title}")
    line = "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(COLUMNS, widths))
    )
    print(line)
    print("-" * len(line))
    for r in body:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths))
            )
        )


# --------------------------------------------------------------------------
# Machine description
# --------------------------------------------------------------------------


def cpu_model():
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def library_revision():
    def git(*args):
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "?"
    diff = git("diff", "HEAD", "--", "sklearn_shallow")
    untracked = git("ls-files", "--others", "--exclude-standard", "sklearn_shallow")
    if not (diff or untracked):
        return head
    digest = hashlib.sha1((diff + untracked).encode()).hexdigest()[:10]
    return f"{head} + uncommitted changes in sklearn_shallow/ (diff sha1 {digest})"


def describe_machine(torch):
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    print(f"cpu: {cpu_model()}; os.cpu_count()={os.cpu_count()}, usable={usable}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"torch {torch.__version__ if torch else 'not available'}"
        + (f" (threads={torch.get_num_threads()})" if torch else "")
    )
    print(f"sklearn_shallow: {sklearn_shallow.__file__} at {library_revision()}")
    print("BLAS/OpenMP (threadpoolctl):")
    for pool in threadpool_info():
        print(
            f"  {pool['internal_api']:<9} {pool.get('version') or '?':<10} "
            f"threads={pool['num_threads']:<3} "
            f"{pool.get('threading_layer', '')} {os.path.basename(pool['filepath'])}"
        )


def describe_settings(args):
    defaults = ProjectedShallowRegressor().get_params()
    tol = defaults["tol"] if args.tol is None else args.tol
    text = (
        f"new core: max_iter=2000, tol={tol} (default {defaults['tol']}), "
        f"alpha={defaults['alpha']!r}; {OLD_LABEL}: max_iter=2000, its default "
        "tol=1e-5"
    )
    if args.old_tol0_n:
        text += f", and tol=0 at n in {args.old_tol0_n}"
    return text


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# --------------------------------------------------------------------------
# Part 1: Oymak's sparse network
# --------------------------------------------------------------------------


def make_data(n_samples, seed, directory):
    X, y, truth = make_sparse_network(n_samples, random_state=seed)
    X_test, y_test = sample_network(truth, N_TEST, random_state=1000 + seed)
    data = {
        "X": X,
        "y": y,
        "X_test": X_test,
        "y_test": y_test,
        "init_good": oymak_init(truth, "good", random_state=seed),
        "init_random": oymak_init(truth, "random", random_state=seed),
        "l1_norm": np.float64(truth.l1_norm),
        "n_nonzero_total": np.int64(truth.n_nonzero_total),
        "n_hidden": np.int64(truth.hidden_weights.shape[0]),
    }
    path = Path(directory) / f"oymak_n{n_samples}_seed{seed}.npz"
    np.savez(path, **data)
    return data, str(path)


def cells(args, n_samples):
    """The (constraint, setting, init) triples run at ``n_samples``."""
    constraints = ["l1"] + (["l0"] if n_samples in args.l0_n else [])
    return [
        (constraint, setting, init)
        for constraint in constraints
        for setting in SETTINGS
        for init in ("good", "random")
    ]


def new_params(args, solver):
    return (
        {"solver": solver} if args.tol is None else {"solver": solver, "tol": args.tol}
    )


def run_oymak(args, old, torch, directory):
    """Every fit of part 1; returns the results and the wall time per method."""
    results = {}  # (n, constraint, setting, init, label) -> list of dicts
    mlp = {}  # (n, label) -> list of dicts
    spent = {}  # label -> wall seconds, evaluations and overheads included

    def run(store, key, label, fit, *fit_args):
        entered = time.perf_counter()
        store.setdefault((*key, label), []).append(fit(*fit_args))
        spent[label] = spent.get(label, 0.0) + time.perf_counter() - entered

    for n_samples in args.n:
        for seed in args.seeds:
            data, path = make_data(n_samples, seed, directory)
            for constraint, setting, init in cells(args, n_samples):
                key = (n_samples, constraint, setting, init)
                for solver in NEW_SOLVERS:
                    params = new_params(args, solver)
                    estimator = library_estimator(
                        data, constraint, setting, init, seed, **params
                    )
                    run(results, key, solver, fit_library, estimator, data)
                old_runs = [(OLD_LABEL, {})]
                if n_samples in args.old_tol0_n:
                    old_runs.append((OLD_TOL0, {"tol": 0.0}))
                for label, params in old_runs if old is not None else []:
                    job = {
                        "task": "oymak",
                        "data": path,
                        "constraint": constraint,
                        "setting": setting,
                        "init": init,
                        "seed": seed,
                        "params": params,
                    }
                    run(results, key, label, old.call, job)
                # torch has no constraint: its rows would repeat under l0.
                if torch is None or constraint != "l1":
                    continue
                for optimizer, label in TORCH_LABELS.items():
                    fit_args = (torch, optimizer, data, setting, init, seed, 2000)
                    run(results, key, label, fit_torch, *fit_args)
            for solver in ("lbfgs", "adam"):
                label = f"MLP {solver}, 1 thread"
                with threadpool_limits(limits=1):
                    run(mlp, (n_samples,), label, fit_mlp, solver, data, seed, 2000)
                if seed in args.seeds[: args.mlp_default_threads_seeds]:
                    label = f"MLP {solver}, default threads"
                    fit_args = (solver, data, seed, 2000, args.mlp_budget)
                    run(mlp, (n_samples,), label, fit_mlp, *fit_args)
            print(f"  done n={n_samples} seed={seed} ({load()})", flush=True)
    return results, mlp, spent


def print_oymak(args, results, mlp):
    labels = [*NEW_SOLVERS, OLD_LABEL, OLD_TOL0, *TORCH_LABELS.values()]
    n_seeds = len(args.seeds)
    for n_samples in args.n:
        for constraint, setting, init in cells(args, n_samples):
            key = (n_samples, constraint, setting, init)
            rows = [(label, results.get((*key, label), [])) for label in labels]
            title = (
                f"Oymak sparse n={n_samples}, {constraint} ball, "
                f"{SETTING_TITLES[setting]}, {init} init, {n_seeds} seed(s)"
            )
            print_table(title, rows)
        rows = [(label, res) for (m, label), res in mlp.items() if m == n_samples]
        print_table(
            f"Oymak sparse n={n_samples}: MLPRegressor((20,)), own init, learned "
            f"output, intercepts, no constraint, {n_seeds} seed(s)",
            rows,
        )


# --------------------------------------------------------------------------
# Part 2: diabetes
# --------------------------------------------------------------------------


def run_diabetes(old):
    rows = [
        (
            "ProjectedShallowRegressor(random_state=0)",
            diabetes_cv(ProjectedShallowRegressor(random_state=0)),
        ),
        ("RVSMRegressor(random_state=0)", diabetes_cv(RVSMRegressor(random_state=0))),
    ]
    if old is not None:
        for name in ("ProjectedShallowRegressor", "RVSMRegressor"):
            result = old.call({"task": "diabetes", "estimator": name})
            rows.append((f"{OLD_LABEL} {name}(random_state=0)", result))
    for max_iter in (200, 2000):
        est = MLPRegressor(hidden_layer_sizes=(20,), max_iter=max_iter, random_state=0)
        rows.append((f"MLPRegressor((20,), max_iter={max_iter})", diabetes_cv(est)))
    return rows


def print_diabetes(rows):
    columns = [
        "estimator",
        "R^2 mean",
        "R^2 std",
        "fit s",
        "n_iter",
        "CW",
        "CW at",
        "other warnings",
    ]
    body = [
        [
            label,
            f"{r['r2']:.4f}",
            f"{r['r2_std']:.4f}",
            f"{r['fit']:.3f}",
            f"{r['n_iter']:.0f}",
            str(r["convergence_warnings"]),
            r["where"] or "-",
            ", ".join(r["other_warnings"]) or "-",
        ]
        for label, r in rows
    ]
    widths = [max(len(r[i]) for r in [columns, *body]) for i in range(len(columns))]
    print(
        "\nDiabetes (442 x 10), make_pipeline(StandardScaler(), est), "
        "KFold(5, shuffle=True, random_state=0)"
    )
    fmt = lambda r: "  ".join(  # noqa: E731
        c.ljust(w) if i in (0, 6, 7) else c.rjust(w)
        for i, (c, w) in enumerate(zip(r, widths))
    )
    print(fmt(columns))
    print("-" * len(fmt(columns)))
    for r in body:
        print(fmt(r))


# --------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n=600, one seed")
    parser.add_argument("--n", type=int, nargs="+", default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument(
        "--l0-n",
        type=int,
        nargs="*",
        default=None,
        help="sizes at which the l0 ball also runs (default: 600; quick: none)",
    )
    parser.add_argument(
        "--old-tol0-n",
        type=int,
        nargs="*",
        default=None,
        help="sizes at which the old library also runs with tol=0 (default: 600)",
    )
    parser.add_argument("--tol", type=float, default=None, help="tol of the new core")
    parser.add_argument("--old-tree", default=None, help=f"a checkout of {OLD_COMMIT}")
    parser.add_argument("--no-old", action="store_true")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument(
        "--mlp-default-threads-seeds",
        type=int,
        default=1,
        help="MLP under the default threads for this many of the seeds (default 1)",
    )
    parser.add_argument(
        "--mlp-budget",
        type=float,
        default=20.0,
        help="wall seconds after which an MLP fit under the default threads is "
        "stopped and flagged T (default 20)",
    )
    parser.add_argument("--torch-threads", type=int, default=1)
    parser.add_argument("--skip-oymak", action="store_true")
    parser.add_argument("--skip-diabetes", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.n is None:
        args.n = [600] if args.quick else [600, 1000, 2000]
    if args.seeds is None:
        args.seeds = [0] if args.quick else [0, 1, 2]
    if args.l0_n is None:
        args.l0_n = [] if args.quick else [600]
    if args.old_tol0_n is None:
        args.old_tol0_n = [600]
    return args


def import_torch(args):
    if args.no_torch:
        return None, "torch rows skipped (--no-torch)"
    try:
        import torch
    except ImportError as exc:
        return None, f"torch rows skipped: import torch failed ({exc})"
    torch.set_num_threads(args.torch_threads)
    return torch, None


def warm_up(args, old, torch, directory):
    """One short run of each kind: imports, thread pools, first-call costs."""
    data, path = make_data(200, 12345, directory)
    for setting in SETTINGS:
        for solver in NEW_SOLVERS:
            est = library_estimator(data, "l1", setting, "good", 0, solver=solver)
            fit_library(est.set_params(max_iter=5), data)
        if torch is not None:
            for optimizer in ("adam", "lbfgs"):
                fit_torch(torch, optimizer, data, setting, "good", 0, 5)
    for solver in ("lbfgs", "adam"):
        fit_mlp(solver, data, 0, 5)
    if old is not None:
        for setting in SETTINGS:
            job = {
                "task": "oymak",
                "data": path,
                "constraint": "l1",
                "setting": setting,
                "init": "good",
                "seed": 0,
                "params": {"max_iter": 5},
            }
            old.call(job)


def main():
    args = parse_args()
    if args.worker:
        worker()
        return
    torch, torch_note = import_torch(args)
    print(__doc__.splitlines()[0])
    describe_machine(torch)
    if torch_note:
        print(torch_note)
    if args.tol is not None:
        print(f"new core: tol={args.tol} (instead of its default)")
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        old = None
        if not args.no_old:
            tree = stack.enter_context(old_tree(args.old_tree))
            old = OldLibrary(tree)
            stack.callback(old.close)
            print(f"old library: {old.library}")
        directory = stack.enter_context(tempfile.TemporaryDirectory())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warm_up(args, old, torch, directory)
        if not args.skip_oymak:
            print(f"\nPart 1: Oymak sparse ({load()})")
            print(describe_settings(args), flush=True)
            results, mlp, spent = run_oymak(args, old, torch, directory)
            print_oymak(args, results, mlp)
            print("\n" + textwrap.fill(FOOTNOTE, 88))
            print("\nWall seconds per method in part 1 (evaluations included):")
            for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
                print(f"  {label:<32} {seconds:7.1f}")
        if not args.skip_diabetes:
            print(f"\nPart 2: diabetes ({load()})", flush=True)
            print_diabetes(run_diabetes(old))
    print(f"\ntotal {time.perf_counter() - start:.0f} s ({load()})")


if __name__ == "__main__":
    main()
