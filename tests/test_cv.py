"""The cross-validated estimators as front ends on the paths (issue 20).

What a user must see: the refit's warnings, which path points converged,
clear errors for grids and folds that cannot work; and the shape: front
ends of the plain estimators (not subclasses), paths of light points.
"""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import (
    parametrize_with_checks,
)

from sklearn_shallow import (
    DegenerateFitWarning,
    ProjectedShallowClassifier,
    ProjectedShallowClassifierCV,
    ProjectedShallowRegressor,
    ProjectedShallowRegressorCV,
    QuadraticNetClassifier,
    QuadraticNetClassifierCV,
    QuadraticNetRegressor,
    QuadraticNetRegressorCV,
    RVSMClassifier,
    RVSMClassifierCV,
    RVSMRegressor,
    RVSMRegressorCV,
)
from sklearn_shallow.cv import EXPECTED_FAILED_CHECKS
from sklearn_shallow.datasets import make_sparse_network
from sklearn_shallow.paths import Path, PathPoint

CV_CLASSES = {
    ProjectedShallowRegressorCV: ProjectedShallowRegressor,
    ProjectedShallowClassifierCV: ProjectedShallowClassifier,
    RVSMRegressorCV: RVSMRegressor,
    RVSMClassifierCV: RVSMClassifier,
    QuadraticNetRegressorCV: QuadraticNetRegressor,
    QuadraticNetClassifierCV: QuadraticNetClassifier,
}


def _data(cv_class, n=120):
    X, y, _ = make_sparse_network(
        n, n_features=6, n_hidden=3, n_nonzero=3, random_state=0
    )
    if "Classifier" in cv_class.__name__:
        y = np.where(y > np.median(y), "high", "low")
    return X, y


def _small(cv_class, **params):
    grid = {"tau": "n_taus", "lam": "n_lams", "alpha": "n_alphas"}
    name = grid[cv_class._base._path_param]
    return cv_class(**{name: 3}, cv=3, random_state=0, **params)


@pytest.mark.parametrize("cv_class", list(CV_CLASSES))
def test_cv_estimators_are_front_ends_not_subclasses(cv_class):
    base = CV_CLASSES[cv_class]
    assert not issubclass(cv_class, base)
    # Choosing the value needs all the data at once (as LassoCV).
    assert not hasattr(cv_class(), "partial_fit")
    # Every parameter of the plain estimator but the chosen one (and the
    # names the plain estimator keeps only for deprecation).
    chosen = base._path_param
    plain = set(base._get_param_names()) - {chosen, "weight_decay", "output_signs"}
    assert plain <= set(cv_class._get_param_names())
    X, y = _data(cv_class)
    cv = _small(cv_class).fit(X, y)
    assert type(cv.best_estimator_) is base
    # The refit is the plain estimator set through set_params at the value.
    assert cv.best_estimator_.get_params()[chosen] == getattr(cv, chosen + "_")
    assert_array_equal(cv.predict(X), cv.best_estimator_.predict(X))


@pytest.mark.parametrize("cv_class", list(CV_CLASSES))
def test_max_iter_2_warns_and_says_which_points_converged(cv_class):
    X, y = _data(cv_class)
    cv = _small(cv_class, max_iter=2)
    with pytest.warns(ConvergenceWarning) as record:
        cv.fit(X, y)
    messages = [str(w.message) for w in record if w.category is ConvergenceWarning]
    # The refit's own warning, as the plain estimator gives it ...
    base_name = CV_CLASSES[cv_class].__name__
    assert any(m.startswith(f"{base_name} did not converge") for m in messages)
    # ... and one warning for the folds at the chosen value.
    folds = [m for m in messages if "at the chosen" in m]
    assert len(folds) == 1, messages
    n_values = len(getattr(cv, cv_class._base._path_param + "s_"))
    assert cv.path_converged_.shape == (n_values, 3)
    assert cv.path_converged_.dtype == bool
    assert not cv.path_converged_.all()
    # (A projected path's first point counts its dense warm-up too.)
    assert np.all(cv.path_n_iter_ <= 4)


def test_path_converged_is_each_fold_path_convergence():
    # An independent answer: each fold's column is the convergence of the
    # public path on that fold's training rows.
    X, y, _ = make_sparse_network(
        150, n_features=8, n_hidden=4, n_nonzero=4, random_state=1
    )
    est = ProjectedShallowRegressor(constraint="l0", max_iter=40, random_state=0)
    taus = [4, 12, 32]
    cv = ProjectedShallowRegressorCV(
        taus=taus, cv=3, constraint="l0", max_iter=40, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv.fit(X, y)
        for k, (train, _) in enumerate(KFold(3).split(X)):
            path = est.path(X[train], y[train], taus)
            assert_array_equal(cv.path_converged_[:, k], path.converged)
            assert_array_equal(cv.path_n_iter_[:, k], path.n_iter)
    assert cv.path_converged_.any() and not cv.path_converged_.all()


def test_paths_hold_light_points_not_estimators():
    X, y, _ = make_sparse_network(100, random_state=0)
    est = RVSMRegressor(random_state=0)
    path = est.path(X, y, n_values=3)
    assert isinstance(path, Path) and len(path) == 3
    for point in path.points:
        assert isinstance(point, PathPoint)
        for value in vars(point).values():
            assert not isinstance(value, BaseEstimator)
        assert set(point.coefficients) == {
            "hidden_weights_",
            "output_weights_",
            "intercept_",
        }
    # The estimator itself is left as it was.
    assert not hasattr(est, "n_features_in_")
    # The first point is lam_max: every weight zero; later ones are not.
    W = path.coefficients("hidden_weights_")
    assert not np.any(W[0]) and np.any(W[-1])


def test_one_lam_at_lam_max_is_refused_with_a_reason():
    X, y, _ = make_sparse_network(100, random_state=0)
    with pytest.raises(ValueError, match="n_lams=1 would hold only lam_max"):
        RVSMRegressorCV(n_lams=1, cv=3, random_state=0).fit(X, y)


def test_a_grid_at_lam_max_gives_a_constant_model_with_a_warning():
    # Given by hand, a grid that zeroes every weight is fitted as asked, and
    # the constant it gives is said, as for the plain estimator.
    X, y, _ = make_sparse_network(100, random_state=0)
    with pytest.warns(DegenerateFitWarning, match="constant predictor"):
        RVSMRegressorCV(lams=[1e3, 1e4], cv=3, random_state=0).fit(X, y)


def test_leave_one_out_r2_is_undefined_and_says_so():
    X, y, _ = make_sparse_network(
        30, n_features=5, n_hidden=2, n_nonzero=3, random_state=0
    )
    cv = ProjectedShallowRegressorCV(n_taus=2, cv=30, max_iter=20, random_state=0)
    with pytest.raises(ValueError, match="undefined.*R\\^2 needs at least 2"):
        cv.fit(X, y)
    # A score defined on one sample works.
    cv.set_params(scoring="neg_mean_squared_error")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv.fit(X, y)
    assert np.isfinite(cv.score_path_).all()


@pytest.mark.parametrize(
    "cv_class, grid, match",
    [
        (ProjectedShallowRegressorCV, {"taus": ["a", "b"]}, "taus must be numbers"),
        (RVSMRegressorCV, {"lams": [0.1, np.nan]}, "lams must be finite"),
        (RVSMRegressorCV, {"lams": [0.1, -1.0]}, "lams must be >= 0"),
        (ProjectedShallowRegressorCV, {"taus": [0.0, 1.0]}, "taus must be positive"),
        (QuadraticNetRegressorCV, {"alphas": [[0.1, 0.2]]}, "non-empty 1-d"),
        (QuadraticNetRegressorCV, {"alphas": []}, "non-empty 1-d"),
    ],
)
def test_bad_grids_get_clear_errors(cv_class, grid, match):
    X, y = _data(cv_class, n=60)
    cv = cv_class(**grid, cv=2, random_state=0)
    with pytest.raises(ValueError, match=match):
        cv.fit(X, y)
    assert not hasattr(cv, "best_estimator_")


def test_a_broken_activation_gives_a_constant_model_that_warns():
    X, y, _ = make_sparse_network(100, random_state=0)
    constant = (lambda z: 0.0 * z + 1.0, lambda z: 0.0 * z)
    with pytest.warns(DegenerateFitWarning, match="every hidden unit is constant"):
        ProjectedShallowRegressor(activation=constant, random_state=0).fit(X, y)
    cv = ProjectedShallowRegressorCV(
        activation=constant, taus=[1.0, 10.0], cv=2, random_state=0
    )
    with pytest.warns(DegenerateFitWarning, match="every hidden unit is constant"):
        cv.fit(X, y)


def test_verbose_prints_one_labelled_line_per_fold_and_value(capsys):
    X, y, _ = make_sparse_network(
        90, n_features=6, n_hidden=3, n_nonzero=3, random_state=0
    )
    cv = ProjectedShallowRegressorCV(
        taus=[2.0, 6.0], cv=3, max_iter=30, verbose=1, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    pattern = re.compile(
        r"\[ProjectedShallowRegressorCV\] fold (\d)/3, tau=(\S+) \((\d)/2\): "
        r"(\d+) iterations, score (-?[\d.]+), [\d.]+ s, about [\d.]+ s left"
    )
    matches = [pattern.match(line) for line in lines]
    assert all(matches), lines
    assert len(lines) == 6
    seen = {(m.group(1), float(m.group(2))) for m in matches}
    assert seen == {(str(k), t) for k in (1, 2, 3) for t in (2.0, 6.0)}
    # The iterations printed are those of the path points.
    for m in matches:
        k, t = int(m.group(1)) - 1, float(m.group(2))
        row = list(cv.taus_).index(t)
        assert int(m.group(4)) == cv.path_n_iter_[row, k]


def test_quadratic_cv_chooses_alpha_as_grid_search_does():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((160, 4))
    y = X[:, 0] ** 2 - 0.5 * X[:, 1] * X[:, 2] + 0.5 * rng.standard_normal(160)
    cv = QuadraticNetRegressorCV(n_alphas=5, cv=4, random_state=0).fit(X, y)
    assert np.all(np.diff(cv.alphas_) < 0)
    # The first value is alpha_max, where the fit is (near) the constant.
    assert cv.score_path_[0].mean() < 0.05
    grid = GridSearchCV(
        QuadraticNetRegressor(random_state=0),
        {"alpha": list(cv.alphas_)},
        cv=4,
    ).fit(X, y)
    mean = cv.score_path_.mean(axis=1)
    # Warm starts and cold fits reach the same convex-in-the-form optimum:
    # the held-out scores agree, and so does the choice.
    assert_allclose(mean, grid.cv_results_["mean_test_score"], atol=0.02)
    assert abs(cv.score(X, y) - grid.score(X, y)) < 0.02


def test_quadratic_classifier_cv_on_three_classes():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    cv = QuadraticNetClassifierCV(n_alphas=4, cv=3, random_state=0).fit(X, y)
    assert cv.score(X, y) > 0.95
    assert_array_equal(cv.classes_, [0, 1, 2])
    assert cv.predict_proba(X).shape == (150, 3)


# ---- the estimator checks ------------------------------------------------------


@parametrize_with_checks(
    [
        ProjectedShallowRegressorCV(n_taus=2, cv=2, max_iter=20, random_state=0),
        ProjectedShallowClassifierCV(n_taus=2, cv=2, max_iter=20, random_state=0),
        RVSMRegressorCV(n_lams=2, cv=2, max_iter=20, random_state=0),
        RVSMClassifierCV(n_lams=2, cv=2, max_iter=20, random_state=0),
        QuadraticNetRegressorCV(n_alphas=2, cv=2, max_iter=30, random_state=0),
        QuadraticNetClassifierCV(n_alphas=2, cv=2, max_iter=30, random_state=0),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(
        type(est).__name__, {}
    ),
)
def test_cv_estimators_pass_the_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _weighted_and_repeated(cv_class, **params):
    """The two CV fits of scikit-learn's sample-weight check, by hand:
    integer weights in the first group against repeated rows, the same
    three folds (one group each)."""
    rng = np.random.RandomState(42)
    n = 15
    X = rng.rand(n, 2 * n)
    y = rng.randint(0, 3, size=n).astype(float)
    sw = rng.randint(0, 5, size=n)
    X_rep, y_rep = X.repeat(sw, axis=0), y.repeat(sw)
    X_w, y_w = np.vstack([X, X, X]), np.hstack([y, y, y])
    w = np.hstack([sw, np.ones(n), np.ones(n)])
    X_r, y_r = np.vstack([X_rep, X, X]), np.hstack([y_rep, y, y])

    def folds(first):
        groups = np.repeat([0, 1, 2], [first, n, n])
        return [
            (np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in range(3)
        ]

    weighted = cv_class(cv=folds(n), **params).fit(X_w, y_w, sample_weight=w)
    repeated = cv_class(cv=folds(len(y_rep)), **params).fit(X_r, y_r)
    return weighted, repeated, X


@pytest.mark.parametrize("cv_class", [RVSMRegressorCV, ProjectedShallowRegressorCV])
def test_integer_weights_are_repeated_rows_with_default_parameters(cv_class):
    # Folds and held-out scores are weight-aware: with default parameters
    # both fits choose the same value and predict alike.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted, repeated, X = _weighted_and_repeated(cv_class, random_state=0)
    assert_allclose(weighted.score_path_, repeated.score_path_, atol=1e-2)
    expected = repeated.predict(X)
    if cv_class is RVSMRegressorCV:
        # RVSM's paths agree to rounding (scores 2e-14 apart, measured): the
        # same choice, the same model to the loop's tolerance.
        assert weighted.lam_ == pytest.approx(repeated.lam_, rel=1e-12)
        tol = 1e-3 * np.abs(expected).max()
    else:
        # Projected paths stop at tol a few iterations apart (scores 3e-3
        # apart, measured) and the best two values score 0.99999 and
        # 0.99996: either may be chosen, and both fit the data to 1e-2 of
        # its scale.
        tol = 1e-2 * np.abs(expected).max()
    assert_allclose(weighted.predict(X), expected, rtol=0, atol=tol)


def test_the_expected_failures_name_their_reasons():
    for name, checks in EXPECTED_FAILED_CHECKS.items():
        assert name.endswith("CV")
        for reason in checks.values():
            assert "1e-7" in reason


def test_one_standard_error_rule_picks_the_simplest_model_within_one_se():
    # A noisy sample, where a sparser model scores within one standard
    # error of the best (measured: 0.277 against 0.341, one SE 0.083).
    X, y, _ = make_sparse_network(
        300, n_features=10, n_hidden=4, n_nonzero=3, noise=2.0, random_state=0
    )
    kw = dict(penalty="l0", n_lams=8, cv=5, random_state=0)
    best = RVSMRegressorCV(**kw).fit(X, y)
    one_se = RVSMRegressorCV(selection="1se", **kw).fit(X, y)
    # The same folds and paths: the same scores; only the choice differs.
    assert_allclose(one_se.score_path_, best.score_path_)
    scores = best.score_path_
    mean = scores.mean(axis=1)
    top = int(np.argmax(mean))
    se = scores[top].std() / np.sqrt(scores.shape[1])
    expected = best.lams_[np.flatnonzero(mean >= mean[top] - se)[0]]
    assert one_se.lam_ == expected
    # lams fall from the sparsest model: 1se chooses a sparser one here.
    assert one_se.lam_ > best.lam_
    assert one_se.best_estimator_.lam == one_se.lam_
    with pytest.raises(ValueError, match="selection"):
        RVSMRegressorCV(selection="2se").fit(X, y)
