"""Which inputs a fitted network uses: feature_importances_ (issue 21).

Checked against independent answers: an input the network cannot use (its
weights zero by construction) gets exactly 0; the importances of a fit on a
column scaled by 1000 equal those of the unscaled fit; they sum to 1; and
scikit-learn's selectors (SelectFromModel, RFE, SequentialFeatureSelector)
work with the estimators inside Pipelines.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import RFE, SelectFromModel, SequentialFeatureSelector
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_shallow import (
    Convolution,
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
    QuadraticNetClassifier,
    QuadraticNetRegressor,
    RVSMClassifier,
    RVSMRegressor,
    TensorInitOneHidden,
)
from sklearn_shallow.constraints import Subspace

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

REGRESSORS = {
    "projected": lambda: ProjectedShallowRegressor(n_hidden=6, random_state=0),
    "rvsm": lambda: RVSMRegressor(n_hidden=6, random_state=0),
    "quadratic": lambda: QuadraticNetRegressor(n_hidden=4, random_state=0),
    "tensor": lambda: TensorInitOneHidden(n_hidden=3, random_state=0),
}


def _planted(n=300, p=6, seed=0):
    """A ReLU network of inputs 0 and 1 only (2 and up are noise inputs)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.maximum(X[:, 0] + X[:, 1], 0) - 0.5 * np.maximum(X[:, 0] - X[:, 1], 0)
    return X, y


@pytest.mark.parametrize("name", list(REGRESSORS))
def test_importances_sum_to_one_and_are_free_of_column_units(name):
    X, y = _planted()
    X_scaled = X.copy()
    X_scaled[:, 0] *= 1000.0
    X_scaled[:, 3] *= 1e-3
    a = REGRESSORS[name]().fit(X, y).feature_importances_
    b = REGRESSORS[name]().fit(X_scaled, y).feature_importances_
    assert a.shape == (6,) and np.all(a >= 0)
    assert_allclose(a.sum(), 1.0)
    # The fit on scaled columns is the same network in other units.
    assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    # The two inputs the target depends on matter most.
    assert set(np.argsort(a)[-2:]) == {0, 1}


def test_an_input_no_unit_can_use_gets_exactly_zero():
    # A subspace constraint whose basis spans inputs 0-3 only: every hidden
    # weight of inputs 4 and 5 is zero by construction.
    X, y = _planted()
    used = np.zeros((6, 6), dtype=bool)  # (hidden units, inputs)
    used[:, :4] = True
    basis = np.eye(36)[:, np.flatnonzero(used.ravel())]
    est = ProjectedShallowRegressor(
        n_hidden=6, constraint=Subspace(basis), random_state=0
    ).fit(X, y)
    importances = est.feature_importances_
    assert np.all(importances[4:] == 0.0) and np.all(importances[:4] > 0)
    assert est.n_features_selected_ == 4
    # Units whose output weight is zero do not count either.
    est.output_weights_[:] = 0.0
    assert np.all(est.feature_importances_ == 0.0)
    assert est.n_features_selected_ == 0


def test_quadratic_importances_are_zero_for_an_input_outside_the_form():
    # Fixed signs: a form built from inputs 0 and 1 only, no intercept.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 4))
    y = X[:, 0] ** 2 + X[:, 0] * X[:, 1]
    est = QuadraticNetRegressor(random_state=0).fit(X, y)
    importances = est.feature_importances_
    # Inputs 2 and 3 carry no signal: their weight is at most the noise of
    # a finite sample, far below the two used inputs.
    assert importances[:2].min() > 20 * importances[2:].max()
    assert_allclose(importances.sum(), 1.0)


def test_classifiers_have_importances_too():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for est in (
        ProjectedShallowClassifier(random_state=0),
        RVSMClassifier(random_state=0),
        QuadraticNetClassifier(random_state=0),
    ):
        importances = est.fit(X, y).feature_importances_
        assert_allclose(importances.sum(), 1.0)
        # The petal measurements separate the species best.
        assert set(np.argsort(importances)[-2:]) == {2, 3}


def test_a_convolution_has_no_importances():
    X, y = _planted(p=8)
    est = ProjectedShallowRegressor(
        architecture=Convolution(kernel_size=3, stride=1), random_state=0
    ).fit(X, y)
    assert not hasattr(est, "feature_importances_")
    with pytest.raises(AttributeError, match="dense input layer"):
        getattr(est, "feature_importances_")  # noqa: B009


def test_unfitted_estimator_has_no_importances():
    assert not hasattr(ProjectedShallowRegressor(), "feature_importances_")


def _mixed_frame(n=300, seed=0):
    """Numeric columns and a categorical one, as an object array."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    colour = rng.choice(["red", "green", "blue"], size=n)
    y = np.maximum(X[:, 0], 0) + (colour == "red") - 0.5 * X[:, 1]
    frame = np.empty((n, 5), dtype=object)
    frame[:, :4] = X
    frame[:, 4] = colour
    return frame, y


def _columns():
    return ColumnTransformer(
        [("num", StandardScaler(), [0, 1, 2, 3]), ("cat", OneHotEncoder(), [4])]
    )


def test_select_from_model_and_rfe_in_a_pipeline():
    frame, y = _mixed_frame()
    est = RVSMRegressor(penalty="l0", lam=3e-3, random_state=0)
    pipe = make_pipeline(
        _columns(), SelectFromModel(est, threshold=1e-12), RVSMRegressor(random_state=0)
    ).fit(frame, y)
    selector = pipe[1]
    kept = selector.get_support()
    fitted = selector.estimator_
    # Exactly the inputs the fitted network uses are kept.
    assert kept.sum() == fitted.n_features_selected_
    assert np.array_equal(kept, fitted.feature_importances_ > 1e-12)
    assert pipe.score(frame, y) > 0.8
    rfe = make_pipeline(
        _columns(),
        RFE(
            ProjectedShallowRegressor(n_hidden=6, random_state=0),
            n_features_to_select=3,
        ),
    ).fit(frame, y)
    chosen = rfe[1].get_support()
    assert chosen.sum() == 3
    # Input 0 (the ReLU's) and input 1 (linear) are among them.
    assert chosen[0] and chosen[1]


def test_sequential_feature_selector_runs():
    X, y = _planted(n=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sfs = SequentialFeatureSelector(
            ProjectedShallowRegressor(n_hidden=4, max_iter=200, random_state=0),
            n_features_to_select=2,
            cv=3,
        ).fit(X, y)
    assert set(np.flatnonzero(sfs.get_support())) == {0, 1}


def test_cv_estimators_delegate_their_importances():
    from sklearn_shallow import RVSMRegressorCV

    X, y = _planted(n=200)
    cv = RVSMRegressorCV(penalty="l0", n_lams=3, cv=3, random_state=0)
    assert not hasattr(cv, "feature_importances_")
    cv.fit(X, y)
    assert_allclose(cv.feature_importances_, cv.best_estimator_.feature_importances_)
    assert cv.n_features_selected_ == cv.best_estimator_.n_features_selected_
    selector = SelectFromModel(cv, threshold=1e-12, prefit=True)
    assert selector.get_support().sum() == cv.n_features_selected_
