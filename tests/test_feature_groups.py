"""The estimators' ``groups`` parameter (issue 21): input columns chosen together.

Data with a categorical input: four numeric inputs and a colour one-hot
encoded into three columns (4, 5, 6 after the ColumnTransformer); the
target reads numeric input 0 and the colour. With ``groups=[[4, 5, 6]]``
the colour is one input: its columns are kept or dropped together at every
point of the path and in the chosen model, and ``tau`` counts five groups,
not seven columns. The plain estimators with ``groups`` fit exactly what the
operator objects with the same groups fit.
"""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_shallow import (
    L0Ball,
    L0Features,
    L1Features,
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    ProjectedShallowRegressorCV,
    RVSMClassifier,
    RVSMRegressor,
    RVSMRegressorCV,
)
from sklearn_shallow.thresholds import (
    L0FeaturesPenalty,
    L1FeaturesPenalty,
    TransformedL1FeaturesPenalty,
)

COLOUR = [4, 5, 6]  # the colour's one-hot columns after the transformer
GROUPS = [COLOUR]
N_GROUPS = 5  # four numeric inputs and the colour


def _frame(n=200, seed=0):
    """The raw table (four numbers and a colour name per row) and y."""
    rng = np.random.default_rng(seed)
    numeric = rng.standard_normal((n, 4))
    colour = rng.choice(["red", "green", "blue"], size=n)
    y = np.maximum(numeric[:, 0], 0) + 1.5 * (colour == "red") - (colour == "blue")
    frame = np.empty((n, 5), dtype=object)
    frame[:, :4], frame[:, 4] = numeric, colour
    return frame, y


def _columns():
    return ColumnTransformer(
        [("num", StandardScaler(), [0, 1, 2, 3]), ("cat", OneHotEncoder(), [4])],
        sparse_threshold=0,
    )


def _encoded(n=200, seed=0):
    frame, y = _frame(n, seed)
    return _columns().fit_transform(frame), y


def _used_columns(W):
    return set(np.flatnonzero(np.any(np.asarray(W) != 0, axis=0)).tolist())


def _check_together(used):
    colour = used & set(COLOUR)
    assert colour in (set(), set(COLOUR)), f"colour split: columns {sorted(used)}"


def _quiet_fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


# ---- the CV estimators -----------------------------------------------------


def test_cv_budget_counts_groups_and_keeps_the_one_hot_columns_together():
    frame, y = _frame()
    cv = ProjectedShallowRegressorCV(
        constraint="l0_features", groups=GROUPS, cv=3, max_iter=300, random_state=0
    )
    model = _quiet_fit(make_pipeline(_columns(), cv), frame, y)
    cv = model[-1]
    # The default grid counts groups: 1 to 5, not 1 to the 7 columns.
    assert_array_equal(cv.taus_, np.arange(1, N_GROUPS + 1))
    assert cv.best_estimator_.groups == GROUPS
    # The chosen model reads the colour, all three columns of it.
    used = set(np.flatnonzero(cv.feature_importances_).tolist())
    assert set(COLOUR) <= used and 0 in used
    assert cv.n_features_selected_ == len(used)
    # Every point of the path the refit followed: the colour whole or absent,
    # and at most tau groups, so that a budget of 2 holds 4 columns.
    X = model[0].transform(frame)
    path = clone(cv.best_estimator_).path(X, y, cv.taus_)
    for tau, W in zip(cv.taus_, path.coefficients("hidden_weights_")):
        used = _used_columns(W)
        _check_together(used)
        n_groups = len(used - set(COLOUR)) + bool(used & set(COLOUR))
        assert n_groups <= tau
    assert _used_columns(path.coefficients("hidden_weights_")[1]) == {0, *COLOUR}


def test_cv_feature_penalty_keeps_the_one_hot_columns_together():
    X, y = _encoded()
    cv = RVSMRegressorCV(
        penalty="l0_features",
        groups=GROUPS,
        n_lams=5,
        cv=3,
        max_iter=300,
        random_state=0,
    )
    cv = _quiet_fit(cv, X, y)
    assert cv.best_estimator_.penalty_.groups == GROUPS
    used = set(np.flatnonzero(cv.feature_importances_).tolist())
    assert set(COLOUR) <= used
    path = clone(cv.best_estimator_).path(X, y, cv.lams_)
    entered = set()
    for W in path.coefficients("hidden_weights_"):
        used = _used_columns(W)
        _check_together(used)
        entered |= used
    assert set(COLOUR) <= entered


# ---- the plain estimators: the same fit as the objects ---------------------


@pytest.mark.parametrize("tau", [2, 0.4])
@pytest.mark.parametrize(
    "estimator_class", [ProjectedShallowRegressor, ProjectedShallowClassifier]
)
def test_groups_fit_exactly_what_l0_features_with_groups_fits(estimator_class, tau):
    X, y = _encoded(n=120)
    if estimator_class is ProjectedShallowClassifier:
        y = (y > np.median(y)).astype(int)
    common = dict(max_iter=100, random_state=0)
    by_name = estimator_class(
        constraint="l0_features", tau=tau, groups=GROUPS, **common
    )
    by_object = estimator_class(constraint=L0Features(tau, groups=GROUPS), **common)
    by_name, by_object = _quiet_fit(by_name, X, y), _quiet_fit(by_object, X, y)
    # The same operations in the same order: equal to the last bit.
    assert_array_equal(by_name.hidden_weights_, by_object.hidden_weights_)
    assert_array_equal(by_name.output_weights_, by_object.output_weights_)
    assert_array_equal(by_name.predict(X), by_object.predict(X))
    # tau counts groups (a float is a fraction of the 5 groups, 0.4 -> 2):
    # the colour and one numeric input, 4 columns, where 2 columns (0.4 of
    # 7 rounds to 3) would be kept without groups.
    used = _used_columns(by_name.hidden_weights_)
    _check_together(used)
    assert used == {0, *COLOUR}
    assert by_name.n_features_selected_ == 4
    assert by_name.feature_importances_.shape == (7,)


def test_groups_fit_exactly_what_l1_features_with_groups_fits():
    X, y = _encoded(n=120)
    common = dict(max_iter=100, random_state=0)
    by_name = ProjectedShallowRegressor(
        constraint="l1_features", tau=1.0, groups=GROUPS, **common
    )
    by_object = ProjectedShallowRegressor(
        constraint=L1Features(1.0, groups=GROUPS), **common
    )
    by_name, by_object = _quiet_fit(by_name, X, y), _quiet_fit(by_object, X, y)
    assert_array_equal(by_name.hidden_weights_, by_object.hidden_weights_)
    _check_together(_used_columns(by_name.hidden_weights_))


@pytest.mark.parametrize(
    "name, penalty",
    [
        ("l0_features", L0FeaturesPenalty(groups=GROUPS)),
        ("l1_features", L1FeaturesPenalty(groups=GROUPS)),
        ("tl1_features", TransformedL1FeaturesPenalty(a=0.5, groups=GROUPS)),
    ],
)
@pytest.mark.parametrize("estimator_class", [RVSMRegressor, RVSMClassifier])
def test_rvsm_groups_fit_exactly_what_the_penalty_with_groups_fits(
    estimator_class, name, penalty
):
    X, y = _encoded(n=120)
    if estimator_class is RVSMClassifier:
        y = (y > np.median(y)).astype(int)
    common = dict(lam=0.01, a=0.5, max_iter=100, random_state=0)
    by_name = estimator_class(penalty=name, groups=GROUPS, **common)
    by_object = estimator_class(penalty=penalty, **common)
    by_name, by_object = _quiet_fit(by_name, X, y), _quiet_fit(by_object, X, y)
    assert_array_equal(by_name.hidden_weights_, by_object.hidden_weights_)
    assert_array_equal(by_name.predict(X), by_object.predict(X))
    assert by_name.penalty_.groups == GROUPS
    _check_together(_used_columns(by_name.hidden_weights_))


def test_groups_are_stored_as_given_and_clone():
    groups = [np.array([4, 5, 6])]
    est = ProjectedShallowRegressor(constraint="l0_features", tau=2, groups=groups)
    assert est.get_params()["groups"] is groups
    twin = clone(est)
    assert_array_equal(twin.groups[0], groups[0])
    X, y = _encoded(n=60)
    _quiet_fit(est.set_params(max_iter=20), X, y)
    assert est.groups is groups


# ---- errors ------------------------------------------------------------------

_NOT_FEATURES = (
    r"groups=\[\[4, 5, 6\]\] is given with {param}={value}; groups apply only to "
    r"the {param}s that select inputs, {names}"
)
_CONSTRAINT_NAMES = re.escape("['l0_features', 'l1_features']")
_PENALTY_NAMES = re.escape("['l0_features', 'l1_features', 'tl1_features']")


@pytest.mark.parametrize(
    "estimator, match",
    [
        (
            ProjectedShallowRegressor(constraint="l0", tau=3, groups=GROUPS),
            _NOT_FEATURES.format(
                param="constraint", value="'l0'", names=_CONSTRAINT_NAMES
            ),
        ),
        (
            ProjectedShallowClassifier(groups=GROUPS),
            _NOT_FEATURES.format(
                param="constraint", value="None", names=_CONSTRAINT_NAMES
            ),
        ),
        (
            ProjectedShallowRegressor(constraint=L0Features(2), groups=GROUPS),
            r"groups is given together with constraint=L0Features\(.*\), an "
            r"object; an object carries its own groups",
        ),
        (
            RVSMRegressor(penalty="l1", groups=GROUPS),
            _NOT_FEATURES.format(param="penalty", value="'l1'", names=_PENALTY_NAMES),
        ),
        (
            RVSMClassifier(penalty=L0FeaturesPenalty(), groups=GROUPS),
            r"groups is given together with penalty=L0FeaturesPenalty\(.*\), an "
            r"object; an object carries its own groups",
        ),
        (
            RVSMRegressor(penalty=L0Ball(5), groups=GROUPS),
            r"groups is given together with penalty=L0Ball\(.*\), an object",
        ),
        (
            ProjectedShallowRegressorCV(constraint="l1", groups=GROUPS),
            _NOT_FEATURES.format(
                param="constraint", value="'l1'", names=_CONSTRAINT_NAMES
            ),
        ),
        (
            RVSMRegressorCV(penalty="tl1", groups=GROUPS),
            _NOT_FEATURES.format(param="penalty", value="'tl1'", names=_PENALTY_NAMES),
        ),
        (
            ProjectedShallowRegressor(
                constraint="l0_features", tau=2, groups=[[4, 5, 9]]
            ),
            re.escape(
                "groups[0] holds column 9, out of range for weights of shape "
                "(20, 7) (7 input columns, indices 0 to 6)."
            ),
        ),
        (
            ProjectedShallowRegressorCV(constraint="l0_features", groups=[[7]]),
            re.escape("groups[0] holds column 7, out of range"),
        ),
        (
            RVSMRegressor(penalty="l1_features", groups=[[0, 1], [1, 2]]),
            re.escape("column 1 is in groups[0] and in groups[1]"),
        ),
        (
            RVSMRegressorCV(penalty="l0_features", groups=[[4, 5], []]),
            re.escape("groups[1] is empty"),
        ),
        (
            ProjectedShallowRegressor(constraint="l0_features", tau=6, groups=GROUPS),
            re.escape(
                "n_features=6 is larger than the 5 groups of input columns of "
                "weights of shape (20, 7)"
            ),
        ),
    ],
    ids=[
        "constraint-l0",
        "constraint-none",
        "constraint-object",
        "penalty-l1",
        "penalty-object",
        "penalty-constraint-object",
        "cv-constraint-l1",
        "cv-penalty-tl1",
        "column-out-of-range",
        "cv-column-out-of-range",
        "column-in-two-groups",
        "cv-empty-group",
        "tau-above-the-number-of-groups",
    ],
)
def test_groups_that_do_not_apply_are_refused(estimator, match):
    X, y = _encoded(n=60)
    if "Classifier" in type(estimator).__name__:
        y = (y > np.median(y)).astype(int)
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y)


def test_groups_of_the_wrong_type_are_refused_by_parameter_validation():
    X, y = _encoded(n=60)
    est = ProjectedShallowRegressor(constraint="l0_features", tau=2, groups=4)
    with pytest.raises(InvalidParameterError, match="The 'groups' parameter"):
        est.fit(X, y)
