"""The CV estimators against GridSearchCV on the same grid (issue 12).

For each problem: the chosen value, the wall time and the held-out error of
``ProjectedShallowRegressorCV`` / ``RVSMRegressorCV`` and of
``GridSearchCV`` over the same grid (5 folds, the same estimator settings,
the same ``n_jobs`` for both, ``--n-jobs``), and the iterations of all the
fits. Problems:

* Oymak's planted sparse network (n=1000, output weights 1, no intercept),
  from the good start of Oymak's Fig. 1 and from a random start; the
  planted l1 norm and sparsity beside the choice;
* scikit-learn's diabetes data (StandardScaler), with the CV estimators'
  5-fold R^2 (an outer cross-validation) beside MLPRegressor(20) and
  HistGradientBoostingRegressor.

Run: ``python benchmarks/bench_cv.py [--quick] [--n-jobs 2] [--no-diabetes]``.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_diabetes
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import (
    ProjectedShallowRegressor,
    ProjectedShallowRegressorCV,
    RVSMRegressor,
    RVSMRegressorCV,
)
from sklearn_shallow.datasets import make_sparse_network, oymak_init, sample_network
from sklearn_shallow.metrics import normalized_mse


def _n_iter(estimator, X, y):
    return estimator.n_iter_


N_JOBS = 1


def compare(label, cv_est, plain, param, X, y, X_test, y_test, truth_value):
    cv_est.set_params(n_jobs=N_JOBS)
    start = time.perf_counter()
    cv_est.fit(X, y)
    t_cv = time.perf_counter() - start
    values = getattr(cv_est, param + "s_")
    # The second scorer only reads each fold fit's iteration count.
    grid = GridSearchCV(
        plain,
        {param: list(values)},
        scoring={"score": None, "n_iter": _n_iter},
        refit="score",
        n_jobs=N_JOBS,
    )
    start = time.perf_counter()
    grid.fit(X, y)
    t_grid = time.perf_counter() - start
    iters_grid = int(
        sum(grid.cv_results_[f"split{k}_test_n_iter"].sum() for k in range(5))
    )
    chosen = getattr(cv_est, param + "_")
    err_cv = normalized_mse(y_test, cv_est.predict(X_test))
    err_grid = normalized_mse(y_test, grid.predict(X_test))
    iters_cv = int(cv_est.path_n_iter_.sum())
    print(
        f"{label:34s} {chosen:10.4g} {grid.best_params_[param]:10.4g} "
        f"{truth_value:>8s} {err_cv:9.2e} {err_grid:9.2e} {t_cv:7.1f} "
        f"{t_grid:7.1f} {t_grid / t_cv:6.2f} {iters_cv:7d} {iters_grid:7d}"
    )


def warm_up():
    """Pay the one-time costs before the first timing: joblib's workers
    (both searches reuse them), imports and the numba kernels' compilation
    (in this process and in the workers); the first search timed would
    otherwise pay them (0.3 s of the first row's 3 s, measured)."""
    X, y, _ = make_sparse_network(60, n_features=10, n_hidden=3, n_nonzero=3)
    small = dict(n_hidden=3, constraint="l1", max_iter=20, random_state=0)
    ProjectedShallowRegressorCV(n_taus=2, cv=2, n_jobs=N_JOBS, **small).fit(X, y)
    GridSearchCV(
        ProjectedShallowRegressor(tau=1.0, **small),
        {"tau": [1.0, 2.0]},
        cv=2,
        n_jobs=N_JOBS,
    ).fit(X, y)


def planted(seeds):
    print(
        f"{'problem':34s} {'CV chose':>10s} {'GS chose':>10s} {'truth':>8s} "
        f"{'CV NMSE':>9s} {'GS NMSE':>9s} {'CV s':>7s} {'GS s':>7s} "
        f"{'GS/CV':>6s} {'CV its':>7s} {'GS its':>7s}"
        "\n(its: iterations of the 5 folds' fits; CV: the warm-started paths, GS: the "
        "cold fits; neither counts the reference or final refit)"
    )
    for seed in seeds:
        X, y, truth = make_sparse_network(1000, random_state=seed)
        X_test, y_test = sample_network(truth, 1000, random_state=1000 + seed)
        for start in ("good", "random"):
            init = oymak_init(truth, start, random_state=seed)
            kw = dict(
                output_weights="ones",
                fit_intercept=False,
                init=init,
                random_state=seed,
            )
            planted_size = {
                "l1": f"{truth.l1_norm:.4g}",
                "l0": f"{truth.n_nonzero_total}",
            }
            for constraint, size in planted_size.items():
                compare(
                    f"{constraint}, {start} start, seed {seed}",
                    ProjectedShallowRegressorCV(constraint=constraint, **kw),
                    ProjectedShallowRegressor(constraint=constraint, **kw),
                    "tau",
                    X,
                    y,
                    X_test,
                    y_test,
                    size,
                )
            cv = RVSMRegressorCV(penalty="l0", **kw)
            compare(
                f"RVSM l0 lam, {start} start, seed {seed}",
                cv,
                RVSMRegressor(penalty="l0", **kw),
                "lam",
                X,
                y,
                X_test,
                y_test,
                "",
            )
            print(f"{'':34s} RVSM sparsity {cv.sparsity_:.3f} (planted 0.900)")


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    models = {
        "ProjectedShallowRegressorCV l1": ProjectedShallowRegressorCV(random_state=0),
        "RVSMRegressorCV l1": RVSMRegressorCV(random_state=0),
        "ProjectedShallowRegressor": ProjectedShallowRegressor(random_state=0),
        "MLPRegressor(20)": MLPRegressor(
            hidden_layer_sizes=(20,), max_iter=2000, random_state=0
        ),
        "HistGradientBoosting": HistGradientBoostingRegressor(random_state=0),
    }
    print(f"\n{'diabetes, 5-fold R^2':34s} {'mean':>7s} {'std':>6s} {'s':>7s}")
    for label, est in models.items():
        start = time.perf_counter()
        scores = cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=5)
        print(
            f"{label:34s} {scores.mean():7.4f} {scores.std():6.4f} "
            f"{time.perf_counter() - start:7.1f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one seed")
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="joblib workers of both searches"
    )
    parser.add_argument(
        "--no-diabetes", action="store_true", help="only the planted problems"
    )
    args = parser.parse_args()
    global N_JOBS
    N_JOBS = args.n_jobs
    print(f"n_jobs={N_JOBS} for the CV estimators and GridSearchCV")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warm_up()
    planted([0] if args.quick else [0, 1])
    if not args.no_diabetes:
        diabetes()


if __name__ == "__main__":
    main()
