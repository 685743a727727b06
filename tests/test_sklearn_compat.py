"""scikit-learn's estimator checks, run on every estimator.

Each estimator is checked with ``random_state=0`` and with the default
``random_state=None`` under several seeds of numpy's global generator (what
None draws from), so that a check cannot pass by the luck of one draw.
"""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

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


def _run_with_global_seed(check, estimator, seed):
    # random_state=None draws from numpy's legacy global generator: the one
    # place where seeding it is the point of the test.
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    try:
        check(estimator)
    finally:
        np.random.set_state(state)  # noqa: NPY002


pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# The classifiers share the regressors' core, start and loop, which the
# three seeds below exercise; one draw each keeps the suite's time in budget.
CLASSIFIERS = (ProjectedShallowClassifier, RVSMClassifier)


@pytest.mark.parametrize("global_seed", [0, 1, 2])
@parametrize_with_checks(
    [cls() for cls in CLASSES if cls not in (TensorInitOneHidden, *CLASSIFIERS)],
    expected_failed_checks=_expected_failed,
)
def test_sklearn_compatible_unseeded(estimator, check, global_seed):
    _run_with_global_seed(check, estimator, global_seed)


@parametrize_with_checks([cls() for cls in CLASSIFIERS])
def test_classifiers_unseeded_once(estimator, check):
    _run_with_global_seed(check, estimator, 0)


# The tensor start once made these checks depend on the machine: ten draws.
@pytest.mark.parametrize("global_seed", range(10))
@parametrize_with_checks([TensorInitOneHidden()])
def test_tensor_net_unseeded_ten_times(estimator, check, global_seed):
    _run_with_global_seed(check, estimator, global_seed)
