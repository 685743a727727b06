"""The classifiers against MLPClassifier on scikit-learn's small data sets.

5-fold cross-validated accuracy of ``Pipeline(StandardScaler(), est)`` with
default parameters (issue 11's acceptance), fit time per fold, and the mean
number of iterations, for ProjectedShallowClassifier (unconstrained, and
with ``constraint='l0', tau=0.1``), RVSMClassifier, and
``MLPClassifier(hidden_layer_sizes=(20,))`` in the same run, over several
seeds (the accuracy of every method moves with the seed by about 0.01).

Run: ``python benchmarks/bench_classifier.py [--seeds 3]``.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_shallow import ProjectedShallowClassifier, RVSMClassifier

DATASETS = {
    "breast_cancer": load_breast_cancer,
    "wine": load_wine,
    "digits": load_digits,
}


def methods(seed):
    return {
        "MLPClassifier(20)": MLPClassifier(hidden_layer_sizes=(20,), random_state=seed),
        "PSC": ProjectedShallowClassifier(random_state=seed),
        "PSC l0 tau=0.1": ProjectedShallowClassifier(
            constraint="l0", tau=0.1, random_state=seed
        ),
        "RVSMClassifier": RVSMClassifier(random_state=seed),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'data':14s} {'method':18s} {'accuracy':>9s} {'+-':>6s} "
        f"{'fit s':>7s} {'iters':>7s} {'not conv.':>9s}"
    )
    for name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        rows = {}
        for seed in range(args.seeds):
            cv = StratifiedKFold(5, shuffle=True, random_state=seed)
            for label, est in methods(seed).items():
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", ConvergenceWarning)
                    r = cross_validate(
                        make_pipeline(StandardScaler(), est),
                        X,
                        y,
                        cv=cv,
                        return_estimator=True,
                    )
                not_converged = sum(
                    issubclass(w.category, ConvergenceWarning) for w in caught
                )
                iters = np.mean([e[-1].n_iter_ for e in r["estimator"]])
                rows.setdefault(label, []).append(
                    (r["test_score"].mean(), r["fit_time"].mean(), iters, not_converged)
                )
        for label, values in rows.items():
            v = np.array(values)
            acc, fit, iters, warned = v[:, 0], v[:, 1], v[:, 2], int(v[:, 3].sum())
            print(
                f"{name:14s} {label:18s} {acc.mean():9.4f} {acc.std():6.4f} "
                f"{fit.mean():7.3f} {iters.mean():7.0f} {warned:9d}"
            )
    print(
        "\nfit s: mean seconds per fold fit; iters: mean n_iter_ (epochs for "
        "MLP; both phases of the l0 fit's dense start); not conv.: folds that "
        "warned, over all seeds."
    )


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.0f} s")
