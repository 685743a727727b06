"""scikit-learn's estimator checks, run on every estimator.

Every check runs once on each estimator with ``random_state=0``. With the
default ``random_state=None`` an estimator draws from numpy's global
generator, and a check could then pass by the luck of one draw; those checks
run again under several seeds of that generator, and only those.

Which checks draw (measured with scikit-learn 1.9.1, every estimator with
``random_state=None``, each check run under global seeds 0 to 4, noting
whether the global generator's state moved and whether the outcome changed):

- Most checks that fit call ``set_random_state(estimator)`` first: the fit
  idempotence, subset invariance, train-score, pickle, ``n_iter`` and
  ``n_features_in`` checks run at ``random_state=0`` whatever the estimator
  was built with, so an unseeded run repeats the seeded one exactly. The
  metadata checks (repr, tags, get/set_params, clone) fit nothing.
- The checks in ``DRAWING_CHECKS`` fit a clone left at ``random_state=None``
  (the sample-weight, dtype, sparse-input, memory-layout, multi-output and
  one-label checks, the decision/probability rank check) or draw a
  permutation from the global generator themselves
  (``check_methods_sample_order_invariance``). Their outcome did not change
  over the five seeds; they are the ones a draw could fail (a start that
  diverges or saturates the probabilities), so they run under
  ``GLOBAL_SEEDS``, and ``TensorInitOneHidden``'s under ten seeds: its
  tensor start once made such checks depend on the machine.

To remeasure after an upgrade of scikit-learn, run each check of
``estimator_checks_generator(cls())`` with ``np.random.seed(s)`` before it and
compare ``np.random.get_state()`` before and after.
"""

from functools import partial

import numpy as np
import pytest
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)

from sklearn_shallow import (
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    QuadraticNetClassifier,
    QuadraticNetRegressor,
    RVSMClassifier,
    RVSMRegressor,
    TensorInitOneHidden,
)

CLASSES = [
    ProjectedShallowRegressor,
    ProjectedShallowClassifier,
    RVSMRegressor,
    RVSMClassifier,
    QuadraticNetRegressor,
    QuadraticNetClassifier,
    TensorInitOneHidden,
]
ESTIMATORS = [cls(random_state=0) for cls in CLASSES]

_QUADRATIC = {
    "check_sample_weight_equivalence_on_dense_data": (
        "a non-convex fit stopped at a certified relative gap of tol=1e-4; "
        "predictions agree to about 1e-5, not the check's 1e-7 (the "
        "equivalence is tested at tol=0 in tests/test_quadratic.py)"
    ),
}
# Expected failures, each with the reason.
EXPECTED_FAILED = {
    QuadraticNetRegressor: _QUADRATIC,
    QuadraticNetClassifier: _QUADRATIC,
}


def _expected_failed(estimator):
    return EXPECTED_FAILED.get(type(estimator), {})


pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# The checks that draw from numpy's global generator for at least one of the
# estimators at random_state=None (see the module docstring).
DRAWING_CHECKS = frozenset(
    {
        "check_classifiers_one_label_sample_weights",
        "check_decision_proba_consistency",
        "check_dtype_object",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimator_sparse_tag",
        "check_estimators_partial_fit_n_features",
        "check_f_contiguous_array_estimator",
        "check_methods_sample_order_invariance",
        "check_n_features_in_after_fitting",
        "check_regressor_multioutput",
        "check_regressors_no_decision_function",
        "check_sample_weights_list",
        "check_sample_weights_not_an_array",
        "check_sample_weights_shape",
    }
)
GLOBAL_SEEDS = (0, 1, 2)
# The tensor start once made these checks depend on the machine: ten draws.
SEEDS = {TensorInitOneHidden: range(10)}
# The sparse checks of the two regressors fit a default estimator once per
# sparse format (8-11 s a draw on 2 cores, under 0.6 s for the others): their
# first draw runs by default, the other two under -m slow.
SLOW_AFTER_FIRST_DRAW = {
    (cls, check)
    for cls in ("ProjectedShallowRegressor", "RVSMRegressor")
    for check in ("check_estimator_sparse_array", "check_estimator_sparse_matrix")
}


def _check_name(check):
    while isinstance(check, partial):
        check = check.func
    return check.__name__


def _drawing_checks():
    for cls in CLASSES:
        estimator = cls()
        for est, check in estimator_checks_generator(estimator):
            name = _check_name(check)
            if name not in DRAWING_CHECKS or name in _expected_failed(estimator):
                continue
            for k, seed in enumerate(SEEDS.get(cls, GLOBAL_SEEDS)):
                slow = k > 0 and (cls.__name__, name) in SLOW_AFTER_FIRST_DRAW
                yield pytest.param(
                    est,
                    check,
                    seed,
                    id=f"{cls.__name__}-{name}-{seed}",
                    marks=[pytest.mark.slow] if slow else [],
                )


@pytest.mark.parametrize("estimator, check, global_seed", list(_drawing_checks()))
def test_drawing_checks_unseeded(estimator, check, global_seed):
    # random_state=None draws from numpy's legacy global generator: the one
    # place where seeding it is the point of the test.
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(global_seed)  # noqa: NPY002
    try:
        check(estimator)
    finally:
        np.random.set_state(state)  # noqa: NPY002
