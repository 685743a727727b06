"""Cross-validated estimators: ``tau`` or ``lam`` chosen along a path.

Each estimator computes a grid on all the data (:func:`~sklearn_shallow.paths.tau_grid`
or :func:`~sklearn_shallow.paths.lam_grid`), runs one warm-started path per
cross-validation fold (folds in parallel with joblib, so under joblib's Dask
backend too), scores every fit of the path on its held-out fold, picks the
value with the best mean score (the smallest ``tau``, the largest ``lam``,
among ties up to rounding), and refits on all the data at that value. The
fitted estimator is then the plain estimator at the chosen value, with its
attributes, plus the path's.

The estimators take every parameter of the estimator they cross-validate,
except the one they choose.

Why ~700 lines: about 450 are code, the rest the four estimators' numpydoc
pages. This module is still built around the estimators (they subclass
them and wrap every fit); the next step (issue 20) makes them front ends on
the one front end's paths.
"""

from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import _fit_context, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._base import _keep_on_failure
from .paths import (
    _fit_quietly,
    _solve_order,
    _sorted,
    lam_grid,
    projected_path,
    rvsm_path,
    tau_grid,
)
from .projected import ProjectedShallowClassifier, ProjectedShallowRegressor
from .rvsm import RVSMClassifier, RVSMRegressor

__all__ = [
    "ProjectedShallowClassifierCV",
    "ProjectedShallowRegressorCV",
    "RVSMClassifierCV",
    "RVSMRegressorCV",
]

_CV_CONSTRAINTS = {
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "n_jobs": [Integral, None],
    "eps": [Interval(Real, 0, 1, closed="right")],
}


#: Mean held-out scores this close to the best (relative to it, or absolute
#: below 1) count as ties, won by the simplest model.
TIE = 1e-6


def _without(estimator_class, name):
    """The estimator's parameter constraints without the chosen parameter."""
    constraints = estimator_class._parameter_constraints
    return {k: v for k, v in constraints.items() if k != name}


def _fold_scores(
    path_function, template, values, X, y, sample_weight, train, test, scoring
):
    """Fit the path on ``train``; score each of its fits on ``test``."""
    sw = None if sample_weight is None else sample_weight[train]
    path = path_function(
        _safe_indexing(X, train),
        _safe_indexing(y, train),
        values,
        estimator=template,
        sample_weight=sw,
    )
    scorer = check_scoring(template, scoring=scoring)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    scores = [scorer(model, X_test, y_test) for model in path.models]
    return np.asarray(scores, dtype=float), path.n_iter


class _PathCV:
    """The cross-validation shared by the four *CV estimators."""

    # Set by each estimator: the estimator it cross-validates, the parameter
    # it chooses, and the grid and path functions of that parameter.
    _base = None
    _param = None

    def _template(self):
        """The plain estimator with this one's parameters (the chosen one unset)."""
        names = self._base._get_param_names()
        return self._base(**{n: getattr(self, n) for n in names if n != self._param})

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose the parameter by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the fits (the held-out scores are unweighted).

        Returns
        -------
        self : object
        """
        return _keep_on_failure(self, self._fit_path, X, y, sample_weight)

    def _fit_path(self, X, y, sample_weight):
        template = self._template()
        classifier = is_classifier(self)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            accept_sparse=template._sparse_formats(),
            multi_output=not classifier,
            y_numeric=not classifier,
        )
        if classifier:
            check_classification_targets(y)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=float)
        values = self._values(template, X, y, sample_weight)
        cv = check_cv(self.cv, y, classifier=classifier)
        splits = list(cv.split(X, y))
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_scores)(
                self._path_function,
                template,
                values,
                X,
                y,
                sample_weight,
                train,
                test,
                self.scoring,
            )
            for train, test in splits
        )
        scores = np.column_stack([r[0] for r in results])
        n_iter = np.column_stack([r[1] for r in results])
        values = _sorted(self._param, values)
        mean = scores.mean(axis=1)
        # Values whose mean score is the best up to rounding (a path that
        # keeps one solution over several values scores them the same) are
        # ties; the first is the simplest model (values are ordered so).
        top = np.nanmax(mean)
        best = int(np.flatnonzero(mean >= top - TIE * max(1.0, abs(top)))[0])
        chosen = values[best]
        # The refit follows the path on all the data up to the chosen value
        # (the folds scored path solutions, which a cold fit at that value
        # need not find: RVSM on Oymak's problem, sparsity 0.91 and test
        # NMSE 9e-4 on the path, 0.54 and 0.12 cold), and also fits cold
        # there; of the two minimisers of the same objective it keeps the
        # one with the lower objective (l1 on the same problem: the cold
        # fit, test NMSE 0.0032 against 0.0036 on the path).
        order = list(_solve_order(template, self._param, len(values)))
        path = self._path_function(
            X,
            y,
            values[order[: order.index(best) + 1]],
            estimator=template,
            sample_weight=sample_weight,
        )
        model = path.models[int(np.flatnonzero(path.values == chosen)[0])]
        model.set_params(warm_start=template.warm_start)
        cold = clone(template).set_params(**{self._param: chosen})
        _fit_quietly(cold, X, y, sample_weight)
        if cold.loss_curve_[-1] < model.loss_curve_[-1]:
            model = cold
        # The refitted model's attributes become this estimator's.
        params = set(model.get_params(deep=False)) | set(self.get_params(deep=False))
        for key, value in vars(model).items():
            if key not in params:
                setattr(self, key, value)
        setattr(self, self._param + "_", chosen)
        setattr(self, self._param + "s_", values)
        self.score_path_ = scores
        self.path_n_iter_ = n_iter
        return self

    def __sklearn_tags__(self):
        return self._template().__sklearn_tags__()

    @property
    def partial_fit(self):
        # Choosing tau or lam needs all the data at once (as for LassoCV);
        # hasattr(estimator, "partial_fit") is False.
        raise AttributeError(
            f"{type(self).__name__} has no partial_fit: it chooses its "
            f"parameter by cross-validation on all the data. Stream into the "
            f"plain {self._base.__name__} at the chosen value instead."
        )


class _TauCV(_PathCV):
    _param = "tau"
    _parameter_constraints = {
        "taus": ["array-like", None],
        "n_taus": [Interval(Integral, 1, None, closed="left")],
        "constraint": [StrOptions({"l1", "nuclear", "l0", "l0_row", "rank"})],
        **_CV_CONSTRAINTS,
    }

    @staticmethod
    def _path_function(X, y, values, **kw):
        return projected_path(X, y, values, **kw)

    def _values(self, template, X, y, sample_weight):
        if self.taus is not None:
            return np.asarray(self.taus)
        return tau_grid(
            template,
            X,
            y,
            n_taus=self.n_taus,
            eps=self.eps,
            sample_weight=sample_weight,
        )


class _LamCV(_PathCV):
    _param = "lam"
    _parameter_constraints = {
        "lams": ["array-like", None],
        "n_lams": [Interval(Integral, 1, None, closed="left")],
        **_CV_CONSTRAINTS,
        "eps": [Interval(Real, 0, 1, closed="neither")],
    }

    @staticmethod
    def _path_function(X, y, values, **kw):
        return rvsm_path(X, y, values, **kw)

    def _values(self, template, X, y, sample_weight):
        if self.lams is not None:
            return np.asarray(self.lams, dtype=float)
        return lam_grid(
            template,
            X,
            y,
            n_lams=self.n_lams,
            eps=self.eps,
            sample_weight=sample_weight,
        )


class ProjectedShallowRegressorCV(_TauCV, ProjectedShallowRegressor):
    """Projected shallow regressor with ``tau`` chosen by cross-validation.

    Parameters
    ----------
    taus : array-like or None, default=None
        The grid of constraint sizes; None: ``n_taus`` values from
        :func:`~sklearn_shallow.paths.tau_grid`.
    n_taus : int, default=10
    eps : float, default=0.1
        Smallest radius (or fraction of weights) relative to the largest.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5 folds; stratified for a classifier).
    scoring : str, callable or None, default=None
        None: the estimator's ``score`` (R^2 or accuracy).
    n_jobs : int or None, default=None
        Folds run in parallel with joblib.
    constraint : {'l1', 'nuclear', 'l0', 'l0_row', 'rank'}, default='l1'
        The named constraint whose size ``tau`` is chosen.
    The other parameters are those of :class:`ProjectedShallowRegressor`.
    Attributes
    ----------
    tau_ : float
        The chosen value; the estimator is refitted on all the data with it.
    taus_ : ndarray of shape (n_values,)
        The grid, increasing.
    score_path_ : ndarray of shape (n_values, n_splits)
        Held-out score of each path fit, per fold (the estimator's ``score``
        or ``scoring``; higher is better).
    path_n_iter_ : ndarray of shape (n_values, n_splits)
        Iterations of each path fit.
    hidden_weights_, output_weights_, intercept_, n_iter_, loss_curve_, ...
        Those of the model refitted at the chosen value, as for
        :class:`ProjectedShallowRegressor`.

    See Also
    --------
    ProjectedShallowRegressor : the estimator at one value.
    sklearn_shallow.paths : the path functions it runs per fold.
    """

    _base = ProjectedShallowRegressor
    _parameter_constraints = {
        **{
            k: v
            for k, v in ProjectedShallowRegressor._parameter_constraints.items()
            if k != "tau"
        },
        **_TauCV._parameter_constraints,
    }

    def __init__(
        self,
        taus=None,
        n_taus=10,
        eps=0.1,
        cv=None,
        scoring=None,
        n_jobs=None,
        n_hidden=None,
        activation="relu",
        constraint="l1",
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        loss="squared_error",
        init="auto",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=1000,
        tol=0.0001,
        n_iter_no_change=10,
        batch_size=None,
        early_stopping=False,
        validation_fraction=0.1,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.taus = taus
        self.n_taus = n_taus
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.n_hidden = n_hidden
        self.activation = activation
        self.constraint = constraint
        self.architecture = architecture
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.loss = loss
        self.init = init
        self.alpha = alpha
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.callback = callback
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class ProjectedShallowClassifierCV(_TauCV, ProjectedShallowClassifier):
    """Projected shallow classifier with ``tau`` chosen by cross-validation.

    Parameters
    ----------
    taus : array-like or None, default=None
        The grid of constraint sizes; None: ``n_taus`` values from
        :func:`~sklearn_shallow.paths.tau_grid`.
    n_taus : int, default=10
    eps : float, default=0.1
        Smallest radius (or fraction of weights) relative to the largest.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5 folds; stratified for a classifier).
    scoring : str, callable or None, default=None
        None: the estimator's ``score`` (R^2 or accuracy).
    n_jobs : int or None, default=None
        Folds run in parallel with joblib.
    constraint : {'l1', 'nuclear', 'l0', 'l0_row', 'rank'}, default='l1'
        The named constraint whose size ``tau`` is chosen.
    The other parameters are those of :class:`ProjectedShallowClassifier`.
    Attributes
    ----------
    tau_ : float
        The chosen value; the estimator is refitted on all the data with it.
    taus_ : ndarray of shape (n_values,)
        The grid, increasing.
    score_path_ : ndarray of shape (n_values, n_splits)
        Held-out score of each path fit, per fold (the estimator's ``score``
        or ``scoring``; higher is better).
    path_n_iter_ : ndarray of shape (n_values, n_splits)
        Iterations of each path fit.
    hidden_weights_, output_weights_, intercept_, n_iter_, loss_curve_, ...
        Those of the model refitted at the chosen value, as for
        :class:`ProjectedShallowClassifier`.

    See Also
    --------
    ProjectedShallowClassifier : the estimator at one value.
    sklearn_shallow.paths : the path functions it runs per fold.
    """

    _base = ProjectedShallowClassifier
    _parameter_constraints = {
        **{
            k: v
            for k, v in ProjectedShallowClassifier._parameter_constraints.items()
            if k != "tau"
        },
        **_TauCV._parameter_constraints,
    }

    def __init__(
        self,
        taus=None,
        n_taus=10,
        eps=0.1,
        cv=None,
        scoring=None,
        n_jobs=None,
        n_hidden=None,
        activation="relu",
        constraint="l1",
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        init="auto",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=1000,
        tol=0.0001,
        n_iter_no_change=10,
        batch_size=None,
        early_stopping=False,
        validation_fraction=0.1,
        class_weight=None,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.taus = taus
        self.n_taus = n_taus
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.n_hidden = n_hidden
        self.activation = activation
        self.constraint = constraint
        self.architecture = architecture
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.init = init
        self.alpha = alpha
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.callback = callback
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class RVSMRegressorCV(_LamCV, RVSMRegressor):
    """RVSM regressor with ``lam`` chosen by cross-validation.

    Parameters
    ----------
    lams : array-like or None, default=None
        The grid of penalty weights; None: ``n_lams`` values from
        :func:`~sklearn_shallow.paths.lam_grid`.
    n_lams : int, default=10
    eps : float, default=1e-3
        Smallest ``lam`` relative to ``lam_max``.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5 folds; stratified for a classifier).
    scoring : str, callable or None, default=None
        None: the estimator's ``score`` (R^2 or accuracy).
    n_jobs : int or None, default=None
        Folds run in parallel with joblib.
    The other parameters are those of :class:`RVSMRegressor`.
    Attributes
    ----------
    lam_ : float
        The chosen value; the estimator is refitted on all the data with it.
    lams_ : ndarray of shape (n_values,)
        The grid, decreasing.
    score_path_ : ndarray of shape (n_values, n_splits)
        Held-out score of each path fit, per fold (the estimator's ``score``
        or ``scoring``; higher is better).
    path_n_iter_ : ndarray of shape (n_values, n_splits)
        Iterations of each path fit.
    hidden_weights_, output_weights_, intercept_, n_iter_, loss_curve_, ...
        Those of the model refitted at the chosen value, as for
        :class:`RVSMRegressor`.

    See Also
    --------
    RVSMRegressor : the estimator at one value.
    sklearn_shallow.paths : the path functions it runs per fold.
    """

    _base = RVSMRegressor
    _parameter_constraints = {
        **_without(RVSMRegressor, "lam"),
        **_LamCV._parameter_constraints,
    }

    def __init__(
        self,
        lams=None,
        n_lams=10,
        eps=1e-3,
        cv=None,
        scoring=None,
        n_jobs=None,
        n_hidden=None,
        activation="relu",
        penalty="l1",
        beta=0.1,
        a=1.0,
        method="rvsm",
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        loss="squared_error",
        init="random",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=1000,
        tol=0.0001,
        n_iter_no_change=10,
        batch_size=None,
        early_stopping=False,
        validation_fraction=0.1,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.lams = lams
        self.n_lams = n_lams
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.n_hidden = n_hidden
        self.activation = activation
        self.penalty = penalty
        self.beta = beta
        self.a = a
        self.method = method
        self.architecture = architecture
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.loss = loss
        self.init = init
        self.alpha = alpha
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.callback = callback
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class RVSMClassifierCV(_LamCV, RVSMClassifier):
    """RVSM classifier with ``lam`` chosen by cross-validation.

    Parameters
    ----------
    lams : array-like or None, default=None
        The grid of penalty weights; None: ``n_lams`` values from
        :func:`~sklearn_shallow.paths.lam_grid`.
    n_lams : int, default=10
    eps : float, default=1e-3
        Smallest ``lam`` relative to ``lam_max``.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5 folds; stratified for a classifier).
    scoring : str, callable or None, default=None
        None: the estimator's ``score`` (R^2 or accuracy).
    n_jobs : int or None, default=None
        Folds run in parallel with joblib.
    The other parameters are those of :class:`RVSMClassifier`.
    Attributes
    ----------
    lam_ : float
        The chosen value; the estimator is refitted on all the data with it.
    lams_ : ndarray of shape (n_values,)
        The grid, decreasing.
    score_path_ : ndarray of shape (n_values, n_splits)
        Held-out score of each path fit, per fold (the estimator's ``score``
        or ``scoring``; higher is better).
    path_n_iter_ : ndarray of shape (n_values, n_splits)
        Iterations of each path fit.
    hidden_weights_, output_weights_, intercept_, n_iter_, loss_curve_, ...
        Those of the model refitted at the chosen value, as for
        :class:`RVSMClassifier`.

    See Also
    --------
    RVSMClassifier : the estimator at one value.
    sklearn_shallow.paths : the path functions it runs per fold.
    """

    _base = RVSMClassifier
    _parameter_constraints = {
        **{
            k: v for k, v in RVSMClassifier._parameter_constraints.items() if k != "lam"
        },
        **_LamCV._parameter_constraints,
    }

    def __init__(
        self,
        lams=None,
        n_lams=10,
        eps=1e-3,
        cv=None,
        scoring=None,
        n_jobs=None,
        n_hidden=None,
        activation="relu",
        penalty="l1",
        beta=0.1,
        a=1.0,
        method="rvsm",
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        init="random",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=1000,
        tol=0.0001,
        n_iter_no_change=10,
        batch_size=None,
        early_stopping=False,
        validation_fraction=0.1,
        class_weight=None,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.lams = lams
        self.n_lams = n_lams
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.n_hidden = n_hidden
        self.activation = activation
        self.penalty = penalty
        self.beta = beta
        self.a = a
        self.method = method
        self.architecture = architecture
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.init = init
        self.alpha = alpha
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.callback = callback
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
