"""Quadratic networks: fit time and accuracy against MLP and torch's L-BFGS.

Two problems (``python benchmarks/bench_quadratic.py digits|planted``):

``digits`` (the default; issue 11, item 4)
    scikit-learn's ``load_digits`` (1797 samples, 64 features, 10 classes)
    through ``Pipeline(StandardScaler(), model)``. For each model the
    script prints the time of one fit on all the data (the best of
    ``--repeat`` fits), the iterations it took (summed over the one-vs-rest
    networks), the 5-fold cross-validated accuracy (``StratifiedKFold(5)``)
    and, for the quadratic networks, whether every network is certified and
    the largest certified relative gap. The models:

    * :class:`~sklearn_shallow.QuadraticNetClassifier` with its defaults
      (``stop='stationary'``), and with ``stop='certified'`` (the fit runs
      until the certificate proves a relative gap of ``tol``, the only
      stopping rule before this option);
    * :class:`~sklearn.neural_network.MLPClassifier` with
      ``hidden_layer_sizes=(20,)`` (scikit-learn's defaults otherwise);
    * when torch is installed, the same one-vs-rest quadratic networks (the
      same objective, widths, start and weight decay) trained with
      ``torch.optim.LBFGS`` (strong Wolfe line search, its default
      tolerances).

``planted``
    ``n = 10000`` standard Gaussian inputs in ``d`` = 50 and 200 dimensions,
    targets ``y = ||W* x||^2 + noise`` from a planted network of 5 units
    (noise of standard deviation 10% of ``std(y)``), a fresh test set of
    2000 samples: :class:`~sklearn_shallow.QuadraticNetRegressor` with
    'lbfgs' and 'pgd', both stops, next to
    :class:`~sklearn.neural_network.MLPRegressor` ('lbfgs', 'adam') with as
    many ReLU units; the normalised test error ``var(y - yhat) / var(y)``.

Measured on a busy 2-core machine (load 2-6 from other jobs), digits:

=============================  ========  =====  =========  =========
model                          fit (s)   iters  CV acc.    certified
=============================  ========  =====  =========  =========
before (one commit back: own
L-BFGS, default BLAS threads,
certified stop)                61.5      3070   0.9466     True
                               (139 s in a second run)
stop='certified' (now)         13.3      3120   0.9466     True
stop='stationary' (default)    5.4       1113   0.9466     False
=============================  ========  =====  =========  =========

The first factor is the BLAS thread policy (these products of
``n k d = 1.4e7`` multiply-adds now run on one thread, where the default
threads of numpy and scipy competed for the two cores); the second is the
stopping rule: test accuracy settles long before the certified gap reaches
``1e-4`` (0.938 after 10 iterations a network, 0.949 after 40, 0.947 at the
certified end). See the output of this script for MLP and torch in the same
run.

On the shared core (issue 11, item 4: the shared ``Objective`` with the
quadratic activation, fixed signs and a ``Perturbation`` part instead of
the module's own objective), old and new fits timed alternately in one
process (the load of the machine moves both alike), default stop:

=============================  ================  =====  =========
model                          fit (s), 4 runs   iters  CV acc.
=============================  ================  =====  =========
own objective (before)         5.44 - 5.96       1113   0.9466
shared core                    5.11 - 5.36       1077   0.9466
=============================  ================  =====  =========

and with ``stop='certified'`` (2 runs each, at a load near 4):
41.4 - 49.9 s before, 43.0 - 44.4 s after, 3090 and 3050 iterations, both
certified at a largest relative gap of 8.7e-5 and 9.8e-5. One evaluation
(value and gradient of one network) costs the same, 1.8 ms, once the
shared objective's backward pass for ``z^2`` with signs +-1 takes one pass
over the ``(n, k)`` buffer; the general three-pass path had cost 8-15 % more.

Usage::

    python benchmarks/bench_quadratic.py                 # digits
    python benchmarks/bench_quadratic.py digits --repeat 3
    python benchmarks/bench_quadratic.py planted --quick  # n = 2000, d = 20, 50
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from sklearn_shallow.metrics import normalized_mse
from sklearn_shallow.quadratic import (
    QuadraticNetClassifier,
    QuadraticNetRegressor,
    auto_width,
)

N_TEST = 2000
PLANTED_WIDTH = 5
NOISE = 0.1
ALPHA = 1e-3


# ---- torch's L-BFGS on the same one-vs-rest quadratic networks -----------------
class TorchQuadraticOvR(ClassifierMixin, BaseEstimator):
    """One quadratic network per class, ``sum_j a_j (w_j . x + c_j)^2 + b``,
    with balanced signs and width :func:`auto_width` per sign, logistic loss
    and weight decay ``alpha / 2 ||[W, c]||^2``, trained by
    ``torch.optim.LBFGS``: the objective of QuadraticNetClassifier's
    defaults, for a timing baseline."""

    def __init__(self, alpha=ALPHA, max_iter=1000, random_state=0):
        self.alpha = alpha
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y):
        import torch

        self.classes_, codes = np.unique(y, return_inverse=True)
        X1 = np.hstack([X, np.ones((X.shape[0], 1))])
        k = auto_width(X1.shape[1], X1.shape[0])
        signs = torch.tensor(np.r_[np.ones(k), -np.ones(k)], dtype=torch.float64)
        Xt = torch.tensor(X1, dtype=torch.float64)
        rng = np.random.default_rng(self.random_state)
        self.nets_, self.n_iter_ = [], 0
        for c in range(len(self.classes_)):
            t = torch.tensor(np.where(codes == c, 1.0, -1.0), dtype=torch.float64)
            W0 = rng.standard_normal((2 * k, X1.shape[1])) / np.sqrt(
                2 * k * X1.shape[1]
            )
            W = torch.tensor(W0, requires_grad=True)
            b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.LBFGS(
                [W, b], max_iter=self.max_iter, line_search_fn="strong_wolfe"
            )

            def closure(W=W, b=b, t=t, opt=opt):
                opt.zero_grad()
                f = torch.square(Xt @ W.T) @ signs + b
                loss = torch.nn.functional.softplus(-t * f).mean()
                loss = loss + 0.5 * self.alpha * torch.sum(W * W)
                loss.backward()
                return loss

            opt.step(closure)
            self.n_iter_ += opt.state[opt._params[0]]["n_iter"]
            self.nets_.append((W.detach().numpy().copy(), float(b.detach())))
        self.signs_ = signs.numpy()
        return self

    def decision_function(self, X):
        X1 = np.hstack([X, np.ones((X.shape[0], 1))])
        return np.column_stack(
            [np.square(X1 @ W.T) @ self.signs_ + b for W, b in self.nets_]
        )

    def predict(self, X):
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


def _torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ---- digits --------------------------------------------------------------------
def digits_models():
    models = [
        ("QuadraticNet stationary", QuadraticNetClassifier(random_state=0)),
        (
            "QuadraticNet certified",
            QuadraticNetClassifier(stop="certified", random_state=0),
        ),
        ("MLP (20,)", MLPClassifier(hidden_layer_sizes=(20,), random_state=0)),
    ]
    if _torch_available():
        models.append(("torch L-BFGS", TorchQuadraticOvR()))
    return models


def run_digits(repeat):
    X, y = load_digits(return_X_y=True)
    header = (
        f"{'model':24s} {'fit (s)':>8} {'iters':>6} {'CV acc':>7} {'CV (s)':>7} "
        f"{'certified':>9} {'max gap':>8}"
    )
    print(f"\ndigits: n = {X.shape[0]}, d = {X.shape[1]}, 10 classes")
    print(header)
    print("-" * len(header))
    for name, model in digits_models():
        pipe = make_pipeline(StandardScaler(), model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                pipe.fit(X, y)
                times.append(time.perf_counter() - start)
            start = time.perf_counter()
            scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(5))
            cv_time = time.perf_counter() - start
        est = pipe[-1]
        certified, gap = "", ""
        if hasattr(est, "certificate_"):
            certified = str(est.is_certified_)
            gap = f"{max(c.relative_gap_bound for c in est.certificate_):.1e}"
        print(
            f"{name:24s} {min(times):8.2f} {int(np.sum(est.n_iter_)):6d} "
            f"{scores.mean():7.4f} {cv_time:7.1f} {certified:>9} {gap:>8}",
            flush=True,
        )
    if not _torch_available():
        print("(torch is not installed: no torch L-BFGS row)")


# ---- planted regression -------------------------------------------------------------
def planted_quadratic(n_samples, n_features, seed):
    """Train and test sets from ``y = ||W* x||^2 + noise``."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((PLANTED_WIDTH, n_features)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples + N_TEST, n_features))
    y = ((X @ W.T) ** 2).sum(axis=1)
    y += NOISE * y.std() * rng.standard_normal(y.shape)
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


def planted_models(n_hidden, max_iter, seed):
    quad = dict(
        alpha=ALPHA,
        output_weights="ones",
        fit_intercept=False,
        hidden_bias=False,
        max_iter=max_iter,
        random_state=seed,
    )
    mlp = dict(hidden_layer_sizes=(n_hidden,), max_iter=max_iter, random_state=seed)
    return [
        ("quadratic lbfgs", QuadraticNetRegressor(**quad)),
        ("quadratic lbfgs cert", QuadraticNetRegressor(**quad, stop="certified")),
        ("quadratic pgd", QuadraticNetRegressor(**quad, solver="pgd")),
        ("MLP lbfgs", MLPRegressor(**mlp, solver="lbfgs")),
        ("MLP adam", MLPRegressor(**mlp, solver="adam")),
    ]


def run_planted(quick, max_iter, seed):
    n_samples, dims = (2000, (20, 50)) if quick else (10000, (50, 200))
    header = (
        f"{'d':>4} {'k':>4} {'model':20s} {'time (s)':>9} {'iters':>6} "
        f"{'test nmse':>10} {'certified':>9} {'rel gap':>8}"
    )
    print(f"\nplanted: n = {n_samples}, test n = {N_TEST}, alpha = {ALPHA}")
    print(header)
    print("-" * len(header))
    for d in dims:
        X, y, X_test, y_test = planted_quadratic(n_samples, d, seed)
        k = auto_width(d, n_samples)
        for name, est in planted_models(k, max_iter, seed):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                est.fit(X, y)
                elapsed = time.perf_counter() - start
            certified, gap = "", ""
            if hasattr(est, "certificate_"):
                certified = str(est.is_certified_)
                gap = f"{est.certificate_.relative_gap_bound:.1e}"
            nmse = normalized_mse(y_test, est.predict(X_test))
            print(
                f"{d:4d} {k:4d} {name:20s} {elapsed:9.2f} {est.n_iter_:6d} "
                f"{nmse:10.2e} {certified:>9} {gap:>8}",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", nargs="?", choices=["digits", "planted"])
    parser.add_argument("--repeat", type=int, default=1, help="digits: fits timed")
    parser.add_argument("--quick", action="store_true", help="planted: smaller")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-iter", type=int, default=500)
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}; BLAS/OpenMP pools:")
    for pool in threadpool_info():
        print(
            f"  {pool['internal_api']:9s} {pool['num_threads']:3d} {pool['filepath']}"
        )
    if args.problem in (None, "digits"):
        run_digits(args.repeat)
    else:
        run_planted(args.quick, args.max_iter, args.seed)


if __name__ == "__main__":
    main()
