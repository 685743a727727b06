"""Default estimators at small and large n (issue 20, "Defaults that
generalise at any n").

``alpha='auto'`` is an L2 penalty added to the *mean* loss; a fixed value
weighs as much against 20000 samples as against 200 and biases large fits.
This script measures the defaults, with their time, iterations
(``n_iter_``), the ``alpha_`` used and the warnings of every fit:

- a planted ReLU network (``p=100``, 20 units, learned output weights and
  intercept, Gaussian inputs, float64, no noise) at ``n`` in {2000, 20000}:
  training R^2 of ``ProjectedShallowRegressor()`` and of
  ``MLPRegressor(hidden_layer_sizes=(20,))``, for several seeds (the seed
  draws the network, the data and the estimator's start);
- scikit-learn's diabetes (n=442): 5-fold R^2 of the default regressors,
  raw and through ``StandardScaler`` (small n needs the penalty);
- with ``--diamonds PATH`` (ggplot2's diamonds.csv, for instance from the
  plotnine wheel's ``plotnine/data/diamonds.csv``): the target ``cut`` (5
  classes) on an 8000-row subsample, numerics standardised and ``color``,
  ``clarity`` one-hot, 5-fold accuracy of ``ProjectedShallowClassifier()``
  against ``MLPClassifier(hidden_layer_sizes=(20,))`` and
  ``HistGradientBoostingClassifier()``;
- with ``--hitters PATH`` (ISLR's Hitters.csv, for instance from the ISLP
  wheel's ``ISLP/data/Hitters.csv``): log salary of the 263 players with
  one, numerics standardised and the three categoricals one-hot in a
  ``ColumnTransformer``, 5-fold R^2 (KFold, shuffled, seed 0) of the
  quadratic nets (``QuadraticNetRegressor()``, ``QuadraticNetRegressorCV()``)
  against ``Ridge()`` and ``RidgeCV``, and whether the fits are certified.

Run: ``python benchmarks/bench_defaults.py [--seeds 3] [--diamonds PATH]
[--hitters PATH]``.
Run it once with ``PYTHONPATH`` on each version to compare two versions.
"""

import argparse
import csv
import time
import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_shallow import (
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    QuadraticNetRegressor,
    QuadraticNetRegressorCV,
    RVSMRegressor,
)

HEADER = (
    f"{'data':16s} {'method':22s} {'score':>8s} {'alpha_':>9s} {'iters':>7s} "
    f"{'fit s':>7s} {'conv.w':>6s} {'other w':>7s}"
)


def planted_relu(n, p=100, h=20, seed=0):
    """``y = relu(X W^T) o + b``: Gaussian X, ``W ~ N(0, 1/p)``, no noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((h, p)) / np.sqrt(p)
    o = rng.standard_normal(h)
    y = np.maximum(X @ W.T, 0.0) @ o + rng.standard_normal()
    return X, y


def load_diamonds(path, n=8000, seed=0):
    """``(X, y)``: ``cut`` from an n-row subsample of diamonds.csv."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    rng = np.random.default_rng(seed)
    rows = [rows[i] for i in rng.choice(len(rows), n, replace=False)]
    numeric = ("carat", "depth", "table", "price", "x", "y", "z")
    num = np.array([[float(r[k]) for k in numeric] for r in rows])
    columns = [(num - num.mean(0)) / num.std(0)]
    for key in ("color", "clarity"):
        levels = sorted({r[key] for r in rows})
        columns.append(np.array([[r[key] == v for v in levels] for r in rows], float))
    return np.hstack(columns), np.array([r["cut"] for r in rows])


HITTERS_CATEGORIES = ("League", "Division", "NewLeague")


def load_hitters(path):
    """``(X, y, numeric columns, categorical columns)``: the players with a
    salary, ``y = log(Salary)``, X as an object array."""
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Salary"] not in ("", "NA")]
    names = [c for c in rows[0] if c not in ("Salary", "")]
    X = np.array([[r[c] for c in names] for r in rows], dtype=object)
    numeric = [i for i, c in enumerate(names) if c not in HITTERS_CATEGORIES]
    X[:, numeric] = X[:, numeric].astype(float)
    categorical = [i for i, c in enumerate(names) if c in HITTERS_CATEGORIES]
    y = np.log(np.array([float(r["Salary"]) for r in rows]))
    return X, y, numeric, categorical


def timed_fit(est, X, y):
    """``(fitted, seconds, convergence warnings, other warnings)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        est.fit(X, y)
        seconds = time.perf_counter() - start
    conv = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return est, seconds, conv, len(caught) - conv


def _last(est):
    return est[-1] if hasattr(est, "steps") else est


def report(data, label, scores, fits):
    """One row: mean score, mean alpha_, mean iterations and fit time, and
    the warnings summed over ``fits`` (tuples of :func:`timed_fit`)."""
    alphas = [getattr(_last(e), "alpha_", np.nan) for e, *_ in fits]
    iters = [getattr(_last(e), "n_iter_", None) for e, *_ in fits]
    # (Ridge's n_iter_ is None: no iterations to count.)
    iters = [np.nan if i is None else np.sum(i) for i in iters]
    print(
        f"{data:16s} {label:22s} {np.mean(scores):8.4f} {np.mean(alphas):9.2e} "
        f"{np.mean(iters):7.0f} {np.mean([f[1] for f in fits]):7.2f} "
        f"{sum(f[2] for f in fits):6d} {sum(f[3] for f in fits):7d}",
        flush=True,
    )


def cross_fit(make, X, y, cv):
    scores, fits = [], []
    for train, test in cv.split(X, y):
        fit = timed_fit(make(), X[train], y[train])
        scores.append(fit[0].score(X[test], y[test]))
        fits.append(fit)
    return scores, fits


def planted(seeds):
    for n in (2000, 20000):
        for label, make in {
            "PSR()": lambda s: ProjectedShallowRegressor(random_state=s),
            "MLPRegressor(20)": lambda s: MLPRegressor(
                hidden_layer_sizes=(20,), random_state=s
            ),
        }.items():
            scores, fits = [], []
            for seed in range(seeds):
                X, y = planted_relu(n, seed=seed)
                fit = timed_fit(make(seed), X, y)
                scores.append(fit[0].score(X, y))
                fits.append(fit)
            report(f"planted n={n}", label, scores, fits)
            print(
                f"{'':16s} {'  per seed R^2':22s} "
                + " ".join(f"{s:.5f}" for s in scores)
            )


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    cv = KFold(5, shuffle=True, random_state=0)
    for label, make in {
        "PSR()": lambda: ProjectedShallowRegressor(random_state=0),
        "scaler+PSR()": lambda: make_pipeline(
            StandardScaler(), ProjectedShallowRegressor(random_state=0)
        ),
        "RVSMRegressor()": lambda: RVSMRegressor(random_state=0),
    }.items():
        report("diabetes", label, *cross_fit(make, X, y, cv))


def diamonds(path):
    X, y = load_diamonds(path)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    for label, make in {
        "PSC()": lambda: ProjectedShallowClassifier(random_state=0),
        "MLPClassifier(20)": lambda: MLPClassifier(
            hidden_layer_sizes=(20,), random_state=0
        ),
        "HistGradientBoosting": lambda: HistGradientBoostingClassifier(random_state=0),
    }.items():
        report("diamonds cut", label, *cross_fit(make, X, y, cv))


def hitters(path):
    X, y, numeric, categorical = load_hitters(path)
    cv = KFold(5, shuffle=True, random_state=0)

    def pipe(est):
        columns = ColumnTransformer(
            [
                ("num", StandardScaler(), numeric),
                ("cat", OneHotEncoder(), categorical),
            ]
        )
        return lambda: make_pipeline(columns, est)

    for label, make in {
        "Ridge()": pipe(Ridge()),
        "RidgeCV": pipe(RidgeCV(alphas=np.logspace(-3, 3, 25))),
        "QuadraticNetRegressor()": pipe(QuadraticNetRegressor(random_state=0)),
        "QuadraticNetRegressorCV()": pipe(QuadraticNetRegressorCV(random_state=0)),
    }.items():
        scores, fits = cross_fit(make, X, y, cv)
        report("Hitters log sal.", label, scores, fits)
        certified = [getattr(_last(f[0]), "is_certified_", None) for f in fits]
        if certified[0] is not None:
            print(f"{'':16s} {'  certified folds':22s} {sum(certified)}/5")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--diamonds", metavar="PATH", default=None)
    parser.add_argument("--hitters", metavar="PATH", default=None)
    parser.add_argument(
        "--only",
        choices=("planted", "diabetes", "diamonds", "hitters"),
        default=None,
    )
    args = parser.parse_args()
    print(HEADER)
    if args.only in (None, "planted"):
        planted(args.seeds)
    if args.only in (None, "diabetes"):
        diabetes()
    if args.diamonds and args.only in (None, "diamonds"):
        diamonds(args.diamonds)
    if args.hitters and args.only in (None, "hitters"):
        hitters(args.hitters)
    print(
        "\nscore: training R^2 (planted), 5-fold R^2 (diabetes, Hitters) or "
        "accuracy (diamonds); alpha_, iters (n_iter_), fit s: means over fits; conv.w: "
        "fits that warned ConvergenceWarning; other w: any other warning."
    )


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.0f} s")
