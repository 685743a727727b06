"""scikit-learn's estimator checks, run on every estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_shallow import ProjectedShallowRegressor, RVSMRegressor

ESTIMATORS = [
    ProjectedShallowRegressor(random_state=0),
    RVSMRegressor(random_state=0),
]

# Expected failures, each with the reason.
EXPECTED_FAILED = {}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED.get(type(est), {})
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
