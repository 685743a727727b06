"""Cross-validated estimators: ``tau``, ``lam`` or ``alpha`` chosen along a path.

Each estimator is a front end of its plain estimator, in the shape of
scikit-learn's ``LassoCV``: it computes a grid on all the data (with the
reference fit the grid comes from, when there is one), runs one
warm-started path per cross-validation fold (folds in parallel with joblib,
so under joblib's Dask backend too) and scores each path point on its
held-out fold while the fold's network is fitted at it, picks the value
with the best mean score (the simplest model among ties up to rounding),
and refits the plain estimator on all the data at that value, set through
``set_params``. The refitted estimator is ``best_estimator_``; its public
fitted attributes are also this estimator's, and ``predict``, ``score``
and the probabilities are its.

Nothing is hidden: the refit's warnings (no convergence, a constant
predictor) are the CV estimator's, a chosen value whose fold fits did not
converge warns once, ``path_converged_`` says which path points converged
in each fold, and a held-out score that is undefined (R^2 on folds of one
sample) is an error that says so.

Under ``sklearn.config_context(array_api_dispatch=True)`` X and y of
another array namespace (torch, CuPy, ...) are taken as they are: the folds
are indexed on X's device, each fold's path and the refit run there when
the plain estimator's fit does (see its ``fit``), and the refitted
estimator's attributes, its predictions and the arrays of the path
(``taus_``/``lams_``/``alphas_``, ``score_path_``, ``path_n_iter_``,
``path_converged_``) are in X's namespace and on its device; the chosen
value is a number. The held-out scores are computed in the namespace too
(scikit-learn's metrics under dispatch). What runs on the host: the
splitter (it sees y, copied once), the grid of weight decays of the
quadratic nets (``alpha_max``, a ``d x d`` eigenproblem in scipy) and the
fits that run on the host for the plain estimator (``solver='lbfgs'``,
mini-batches, early stopping, 'l0_features'); all of them share one host
copy of X, made at the first need, so X is copied to the host at most once
per CV fit, never per fold or path point.

Each fold's path starts cold, from the estimator's own start. Starting the
folds from the reference fit on all the data (the unconstrained fit of an
'l1' grid) was measured and refused: that start has seen the fold's
held-out rows, and on Oymak's planted network (bench_cv.py, l1, good
start) it made the large radii score too well: the CV chose tau=224
(test NMSE 0.13) where grid search and the cold folds choose 104 (0.0037).
"""

import inspect
import time
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, _fit_context, clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _array_api as aa
from ._fit.run import _keep_on_failure
from .projected import (
    PATH_CONSTRAINTS,
    ProjectedShallowClassifier,
    ProjectedShallowRegressor,
)
from .quadratic import QuadraticNetClassifier, QuadraticNetRegressor
from .rvsm import RVSMClassifier, RVSMRegressor

__all__ = [
    "ProjectedShallowClassifierCV",
    "ProjectedShallowRegressorCV",
    "QuadraticNetClassifierCV",
    "QuadraticNetRegressorCV",
    "RVSMClassifierCV",
    "RVSMRegressorCV",
]

_CV_CONSTRAINTS = {
    "selection": [StrOptions({"best", "1se"})],
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "n_jobs": [Integral, None],
    "eps": [Interval(Real, 0, 1, closed="right")],
}


_STOPS_AT_TOL = (
    "held-out scores are weighted, so integer weights are repeated rows "
    "here too, but each warm-started path fit stops at tol: the rounding of "
    "weighted sums against repeated rows moves a stop by a few iterations, "
    "and predictions agree to about 1e-5 relative, not the check's 1e-7 "
    "(tests/test_cv.py checks the equivalence to 1e-3 with default "
    "parameters; the RVSM CV estimators pass the check)"
)
_QUADRATIC_GAP = (
    "as for the plain quadratic nets: fits stop at a certified relative gap "
    "of tol, and predictions agree to about 1e-5, not 1e-7"
)

#: The scikit-learn estimator checks each CV estimator fails, with the
#: reason (for ``parametrize_with_checks(expected_failed_checks=...)``).
EXPECTED_FAILED_CHECKS = {
    "ProjectedShallowRegressorCV": {
        "check_sample_weight_equivalence_on_dense_data": _STOPS_AT_TOL,
        "check_sample_weight_equivalence_on_sparse_data": _STOPS_AT_TOL,
    },
    "ProjectedShallowClassifierCV": {
        "check_sample_weight_equivalence_on_dense_data": _STOPS_AT_TOL,
        "check_sample_weight_equivalence_on_sparse_data": _STOPS_AT_TOL,
    },
    "QuadraticNetRegressorCV": {
        "check_sample_weight_equivalence_on_dense_data": _QUADRATIC_GAP,
    },
    "QuadraticNetClassifierCV": {
        "check_sample_weight_equivalence_on_dense_data": _QUADRATIC_GAP,
    },
}


#: Mean held-out scores this close to the best (relative to it, or absolute
#: below 1) count as ties, won by the simplest model.
TIE = 1e-6


def _choose(scores, selection):
    """Index of the chosen value from ``scores`` (values x folds), values
    ordered from the simplest model.

    Values whose mean score is the best up to rounding (a path that keeps
    one solution over several values scores them the same) are ties; the
    first is the simplest model. With ``'1se'`` every value whose mean is
    within one standard error of the best (``std / sqrt(n_folds)`` of the
    best value's fold scores) ties with it.
    """
    mean = scores.mean(axis=1)
    top_index = int(np.argmax(mean))
    top = mean[top_index]
    margin = TIE * max(1.0, abs(top))
    if selection == "1se":
        folds = scores.shape[1]
        margin = max(margin, scores[top_index].std() / np.sqrt(folds))
    return int(np.flatnonzero(mean >= top - margin)[0])


def _without(estimator_class, name):
    """The estimator's parameter constraints without the chosen parameter."""
    constraints = estimator_class._parameter_constraints
    return {k: v for k, v in constraints.items() if k != name}


def _rows(a, index):
    """Rows ``index`` (numpy integers) of ``a``: scikit-learn's indexing for
    numpy arrays and sparse matrices, ``take`` on the array's own device for
    an array of another namespace (the index moves there, not the rows)."""
    if aa.namespace_of(a) is None:
        return _safe_indexing(a, index)
    return aa.take_rows(a, index)


class _HostCopy:
    """An X of another namespace, copied to the host at most once per CV fit.

    The folds and the refit index X on its device. A fit that runs on the
    host (``solver='lbfgs'``, mini-batches, early stopping, 'l0_features',
    ...) asks its data for a host copy (:meth:`FitData.host_X`); the first
    request copies all of X, later ones index that copy. Nothing is copied
    per fold or per path point, and nothing at all when every fit runs on
    the device.
    """

    def __init__(self, X):
        self._X = X
        self._host = None

    def all(self):
        if self._host is None:
            self._host = aa.to_numpy(self._X)
        return self._host

    def rows(self, index):
        return lambda: self.all()[index]


def _on_device_of(a, X):
    """The host array ``a`` in X's namespace and on its device: floats in the
    widest floating dtype there, integers and booleans as they are."""
    a = np.ascontiguousarray(a)  # (torch takes no negative strides)
    if a.dtype.kind != "f":
        return aa.asarray_on(a, X)
    xp = aa.namespace_of(X)
    return aa.asarray_on(a, X, dtype=aa.wide_float(xp, aa.device(X)))


def _fold_path(template, values, X, y, sample_weight, split, scoring, log, host):
    """Run the path on one fold's training rows; score each point on its
    held-out rows while the fold's network is fitted at it.

    ``host``: the :class:`_HostCopy` of an X of another namespace, None for
    numpy X. Returns ``(scores, n_iter, converged, messages)``, one entry
    per value.
    """
    train, test = split
    worker = clone(template)
    sw = None if sample_weight is None else sample_weight[train]
    options = {} if host is None else {"host": host.rows(train)}
    data = worker._prepare(_rows(X, train), _rows(y, train), sw, **options)
    scorer = check_scoring(template, scoring=scoring)
    X_test, y_test = _rows(X, test), _rows(y, test)
    weights = {}
    if sample_weight is not None and _takes_sample_weight(scorer):
        # Held-out rows count by their weights, as repeated rows would (in
        # the namespace of the targets the scorer compares).
        weights["sample_weight"] = sample_weight[test]
        if host is not None:
            weights["sample_weight"] = _on_device_of(sample_weight[test], X_test)
    scores = np.full(len(values), np.nan)
    began = time.perf_counter()
    done = []

    def score(estimator, point):
        index = int(np.flatnonzero(values == point.value)[0])
        with warnings.catch_warnings():
            # An undefined score (R^2 of one sample) is NaN; said after the
            # folds, once.
            warnings.simplefilter("ignore")
            scores[index] = float(scorer(estimator, X_test, y_test, **weights))
        done.append(index)
        if log is not None:
            log(point, scores[index], len(done), time.perf_counter() - began)

    path, _ = worker._run_path(data, values, on_point=score)
    messages = [p.message for p in path.points]
    return scores, path.n_iter, path.converged, messages


def _takes_sample_weight(scorer):
    """Whether ``scorer`` can be given ``sample_weight`` (scikit-learn's
    scorers and the estimators' ``score`` can; a user's function may not)."""
    try:
        parameters = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.name == "sample_weight" or p.kind is inspect.Parameter.VAR_KEYWORD
        for p in parameters
    )


class _PathCV(BaseEstimator):
    """The cross-validation shared by the *CV estimators (a front end of the
    plain estimator ``_base``, which chooses ``_base._path_param``)."""

    _base = None

    @property
    def _param(self):
        return self._base._path_param

    def _template(self):
        """The plain estimator with this one's parameters (the chosen one
        unset); its own fits print only from ``verbose=2`` on."""
        names = set(self._base._get_param_names()) & set(self._get_param_names())
        params = {n: getattr(self, n) for n in names if n != self._param}
        params["verbose"] = max(0, int(self.verbose) - 1)
        return self._base(**params)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose the parameter by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the fits and of the held-out scores (when the
            scoring takes them, as scikit-learn's scorers and the
            estimators' ``score`` do): integer weights count as repeated
            rows.

        Returns
        -------
        self : object
        """
        estimator, fitted, unconverged = _keep_on_failure(
            self, self._fit, X, y, sample_weight
        )
        if unconverged:
            warnings.warn(unconverged, ConvergenceWarning, stacklevel=3)
        estimator._report(fitted, stacklevel=4)
        return self

    def _grid(self, template):
        """The user's grid of the chosen parameter, or None."""
        return getattr(self, self._param + "s")

    def _fit(self, X, y, sample_weight):
        template = self._template()
        classifier = is_classifier(template)
        sparse_ok = template.__sklearn_tags__().input_tags.sparse
        X, y = validate_data(
            self,
            X,
            y,
            dtype=aa.validation_dtypes(X),
            accept_sparse=["csr", "csc"] if sparse_ok else False,
            multi_output=not classifier,
            y_numeric=not classifier,
        )
        if classifier:
            check_classification_targets(y)
        # An X of another namespace (under array API dispatch) stays on its
        # device: folds are taken there, and the fits that must run on the
        # host share one host copy (_HostCopy). The splitter sees y (and an
        # X without columns) on the host.
        host = None if aa.namespace_of(X) is None else _HostCopy(X)
        y_split = y if aa._is_host(y) else aa.to_numpy(y)
        X_split = X if host is None else np.empty((X.shape[0], 0))
        if X.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to "
                f"cross-validate; got {X.shape[0]} sample."
            )
        if sample_weight is not None:
            sample_weight = np.asarray(aa.to_numpy(sample_weight), dtype=float)
        # The refit's network sets up on all the data once: the default
        # grid (and its reference fit) comes from the same validated data.
        final = clone(template)
        options = {} if host is None else {"host": host.all}
        data = final._prepare(X, y, sample_weight, **options)
        grid, reference = self._grid(template), None
        if grid is None:
            values, reference = final._path_grid(data, self._n_values(), self.eps)
        else:
            values = final._path_values(grid)
        cv = check_cv(self.cv, y_split, classifier=classifier)
        splits = list(cv.split(X_split, y_split))
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_path)(
                template,
                values,
                X,
                y,
                sample_weight,
                split,
                self.scoring,
                self._logger(k, len(splits), len(values)),
                host,
            )
            for k, split in enumerate(splits)
        )
        scores = np.column_stack([r[0] for r in results])
        self._check_scores(scores, splits)
        converged = np.column_stack([r[2] for r in results])
        best = _choose(scores, self.selection)
        chosen = values[best]
        estimator, fitted = self._refit(final, data, values, best, reference)
        self.best_estimator_ = estimator
        # The refitted estimator's public fitted attributes are this one's.
        for key, value in vars(estimator).items():
            if key.endswith("_") and not key.startswith("_"):
                setattr(self, key, value)
        param = self._param
        setattr(self, param + "_", chosen)
        path_arrays = {
            param + "s_": values,
            "score_path_": scores,
            "path_n_iter_": np.column_stack([r[1] for r in results]),
            "path_converged_": converged,
        }
        for name, value in path_arrays.items():
            # Small arrays, computed on the host; they follow X, as the
            # refit's attributes do (the chosen value stays a number).
            setattr(self, name, value if host is None else _on_device_of(value, X))
        failed = np.flatnonzero(~converged[best])
        unconverged = None
        if failed.size:
            message = results[failed[0]][3][best]
            unconverged = (
                f"{type(self).__name__}: at the chosen {param}={chosen:.4g}, the "
                f"path fits of {failed.size} of {len(splits)} folds (folds "
                f"{(failed + 1).tolist()}) did not converge ({message}); their "
                "held-out scores may be off. Raise max_iter or tol; "
                "path_converged_ says which points converged."
            )
        return estimator, fitted, unconverged

    def _refit(self, final, data, values, best, reference):
        """The plain estimator at the chosen value, fitted on all the data.

        A path that runs from the simplest model (l0 counts, ranks, ``lam``
        and ``alpha`` from the largest) is followed up to the chosen value:
        the folds scored path solutions, which a cold fit at that value
        need not find (RVSM on Oymak's problem: sparsity 0.91 and test NMSE
        9e-4 on the path, 0.54 and 0.12 cold). A path over radii runs from
        the largest, where the grid's unconstrained reference fit is the
        natural start: the refit is one fit at the chosen radius from it
        (from the estimator's own start when the radii were given).
        """
        if final._path_reversed():
            values = values[best : best + 1]
            last = 0
        else:
            last, reference = best, None
        path, fitted = final._run_path(data, values, start=reference, last=last)
        # The refitted estimator is the plain one with this one's settings.
        final.set_params(warm_start=self.warm_start, verbose=self.verbose)
        return final, fitted

    def _check_scores(self, scores, splits):
        bad = np.flatnonzero(np.isnan(scores).all(axis=0))
        if bad.size:
            smallest = min(len(test) for _, test in splits)
            raise ValueError(
                f"The held-out score ({self.scoring or 'the estimator score'}) "
                f"is undefined (NaN) on {bad.size} of {len(splits)} folds; the "
                f"smallest held-out fold has {smallest} samples (R^2 needs at "
                "least 2). Use fewer folds (cv), or a scoring defined on small "
                "folds such as 'neg_mean_squared_error'."
            )
        if np.isnan(scores).any():
            raise ValueError(
                "The held-out score is undefined (NaN) at some path points: "
                f"{np.argwhere(np.isnan(scores)).tolist()} (value, fold)."
            )

    def _logger(self, fold, n_folds, n_values):
        """The progress line of each path point, with ``verbose``."""
        if not self.verbose:
            return None
        name, param = type(self).__name__, self._param

        def log(point, score, done, elapsed):
            left = elapsed / done * (n_values - done)
            print(
                f"[{name}] fold {fold + 1}/{n_folds}, {param}={point.value:.4g} "
                f"({done}/{n_values}): {point.n_iter} iterations, score "
                f"{score:.4f}, {elapsed:.2f} s, about {left:.1f} s left in this "
                "fold",
                flush=True,
            )

        return log

    # ---- the refitted estimator's predictions ------------------------------
    def predict(self, X):
        """Predict with the estimator refitted at the chosen value.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray
        """
        X = self._check_X(X, "predict")
        return self.best_estimator_.predict(X)

    def score(self, X, y, sample_weight=None):
        """The refitted estimator's ``score`` (R^2 or accuracy)."""
        X = self._check_X(X, "score")
        return self.best_estimator_.score(X, y, sample_weight=sample_weight)

    def _check_X(self, X, method):
        check_is_fitted(self)
        aa.check_same_namespace(X, self.best_estimator_.hidden_weights_, self, method)
        return validate_data(
            self,
            X,
            dtype=aa.validation_dtypes(X),
            reset=False,
            accept_sparse=["csr", "csc"],
        )

    @property
    def feature_importances_(self):
        """The refitted estimator's ``feature_importances_``."""
        check_is_fitted(self)
        return self.best_estimator_.feature_importances_

    @property
    def n_features_selected_(self):
        """The number of inputs the refitted estimator uses."""
        check_is_fitted(self)
        return self.best_estimator_.n_features_selected_

    def _has(name):
        return lambda self: hasattr(self._base, name)

    @available_if(_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the refitted estimator."""
        X = self._check_X(X, "predict_proba")
        return self.best_estimator_.predict_proba(X)

    @available_if(_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the refitted estimator."""
        X = self._check_X(X, "predict_log_proba")
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the refitted estimator."""
        X = self._check_X(X, "decision_function")
        return self.best_estimator_.decision_function(X)

    def __sklearn_tags__(self):
        return self._template().__sklearn_tags__()


class _TauCV(_PathCV):
    _parameter_constraints = {
        "taus": ["array-like", None],
        "n_taus": [Interval(Integral, 1, None, closed="left")],
        "constraint": [StrOptions(set(PATH_CONSTRAINTS))],
        **_CV_CONSTRAINTS,
    }

    def _n_values(self):
        return self.n_taus


class _LamCV(_PathCV):
    _parameter_constraints = {
        "lams": ["array-like", None],
        "n_lams": [Interval(Integral, 1, None, closed="left")],
        **_CV_CONSTRAINTS,
        "eps": [Interval(Real, 0, 1, closed="neither")],
    }

    def _n_values(self):
        return self.n_lams


class _AlphaCV(_PathCV):
    _parameter_constraints = {
        "alphas": ["array-like", None],
        "n_alphas": [Interval(Integral, 1, None, closed="left")],
        **_CV_CONSTRAINTS,
        "eps": [Interval(Real, 0, 1, closed="neither")],
    }

    def _n_values(self):
        return self.n_alphas


class ProjectedShallowRegressorCV(_TauCV):
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
    selection : {'best', '1se'}, default='best'
        'best': the value with the best mean held-out score. '1se': the
        simplest model (the smallest ``tau``, the largest ``lam`` or
        ``alpha``) whose mean score is within one standard error of the
        best (the standard deviation over folds over the square root of
        their number), glmnet's ``lambda.1se``: a sparser model at a score
        the folds cannot tell from the best.
    constraint : {'l1', 'nuclear', 'l0', 'l0_row', 'rank', 'l0_features', \
            'l1_features'}, default='l1'
        The named constraint whose size ``tau`` is chosen.
    groups : list of lists of int, default=None
        Input columns kept or dropped together, with 'l0_features' or
        'l1_features' (as in the plain estimator). With 'l0_features' the
        default grid counts groups: from 1 to their number (each column in
        no group one of them).
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
        selection="best",
        n_hidden=None,
        activation="relu",
        constraint="l1",
        groups=None,
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        loss="squared_error",
        init="auto",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=2000,
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
        self.selection = selection
        self.n_hidden = n_hidden
        self.activation = activation
        self.constraint = constraint
        self.groups = groups
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


class ProjectedShallowClassifierCV(_TauCV):
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
    selection : {'best', '1se'}, default='best'
        'best': the value with the best mean held-out score. '1se': the
        simplest model (the smallest ``tau``, the largest ``lam`` or
        ``alpha``) whose mean score is within one standard error of the
        best (the standard deviation over folds over the square root of
        their number), glmnet's ``lambda.1se``: a sparser model at a score
        the folds cannot tell from the best.
    constraint : {'l1', 'nuclear', 'l0', 'l0_row', 'rank', 'l0_features', \
            'l1_features'}, default='l1'
        The named constraint whose size ``tau`` is chosen.
    groups : list of lists of int, default=None
        Input columns kept or dropped together, with 'l0_features' or
        'l1_features' (as in the plain estimator). With 'l0_features' the
        default grid counts groups: from 1 to their number (each column in
        no group one of them).
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
        selection="best",
        n_hidden=None,
        activation="relu",
        constraint="l1",
        groups=None,
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        init="auto",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=2000,
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
        self.selection = selection
        self.n_hidden = n_hidden
        self.activation = activation
        self.constraint = constraint
        self.groups = groups
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


class RVSMRegressorCV(_LamCV):
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
    selection : {'best', '1se'}, default='best'
        'best': the value with the best mean held-out score. '1se': the
        simplest model (the smallest ``tau``, the largest ``lam`` or
        ``alpha``) whose mean score is within one standard error of the
        best (the standard deviation over folds over the square root of
        their number), glmnet's ``lambda.1se``: a sparser model at a score
        the folds cannot tell from the best.
    groups : list of lists of int, default=None
        Input columns kept or dropped together by a ``_features`` penalty
        (as in :class:`RVSMRegressor`).
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
        selection="best",
        n_hidden=None,
        activation="relu",
        penalty="l1",
        beta=0.1,
        a=1.0,
        groups=None,
        method="rvsm",
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        loss="squared_error",
        init="random",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=2000,
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
        self.selection = selection
        self.n_hidden = n_hidden
        self.activation = activation
        self.penalty = penalty
        self.beta = beta
        self.a = a
        self.groups = groups
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


class RVSMClassifierCV(_LamCV):
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
    selection : {'best', '1se'}, default='best'
        'best': the value with the best mean held-out score. '1se': the
        simplest model (the smallest ``tau``, the largest ``lam`` or
        ``alpha``) whose mean score is within one standard error of the
        best (the standard deviation over folds over the square root of
        their number), glmnet's ``lambda.1se``: a sparser model at a score
        the folds cannot tell from the best.
    groups : list of lists of int, default=None
        Input columns kept or dropped together by a ``_features`` penalty
        (as in :class:`RVSMClassifier`).
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
        selection="best",
        n_hidden=None,
        activation="relu",
        penalty="l1",
        beta=0.1,
        a=1.0,
        groups=None,
        method="rvsm",
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        init="random",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=2000,
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
        self.selection = selection
        self.n_hidden = n_hidden
        self.activation = activation
        self.penalty = penalty
        self.beta = beta
        self.a = a
        self.groups = groups
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


_QUADRATIC_DOC = """Quadratic network {kind}, its weight decay ``alpha`` chosen
    by cross-validation (the papers' lambda).

    The path runs from :func:`~sklearn_shallow.quadratic.alpha_max` (the
    zero network is the optimum there) down to ``eps * alpha_max``, each fit
    starting from the previous one; the refit follows it on all the data to
    the chosen value.

    Parameters
    ----------
    alphas : array-like or None, default=None
        The grid of weight decays; None: ``n_alphas`` values from
        ``alpha_max`` down to ``eps * alpha_max``.
    n_alphas : int, default=10
    eps : float, default=1e-3
        Smallest ``alpha`` relative to ``alpha_max``.
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None: 5 folds; stratified for a classifier).
    scoring : str, callable or None, default=None
        None: the estimator's ``score`` (R^2 or accuracy).
    n_jobs : int or None, default=None
        Folds run in parallel with joblib.
    selection : {{'best', '1se'}}, default='best'
        'best': the value with the best mean held-out score. '1se': the
        simplest model (the smallest ``tau``, the largest ``lam`` or
        ``alpha``) whose mean score is within one standard error of the
        best (the standard deviation over folds over the square root of
        their number), glmnet's ``lambda.1se``: a sparser model at a score
        the folds cannot tell from the best.
    The other parameters are those of :class:`{base}` (without the names
    deprecated there).

    Attributes
    ----------
    alpha_ : float
        The chosen value; the estimator is refitted on all the data with it.
    alphas_ : ndarray of shape (n_values,)
        The grid, decreasing.
    score_path_ : ndarray of shape (n_values, n_splits)
        Held-out score of each path point, per fold.
    path_n_iter_ : ndarray of shape (n_values, n_splits)
        Iterations of each path fit.
    path_converged_ : ndarray of shape (n_values, n_splits) of bool
        Whether each path fit converged.
    best_estimator_ : {base}
        The estimator refitted on all the data at ``alpha_``.
    quadratic_form_, is_certified_, certificate_, ...
        Those of ``best_estimator_``.

    See Also
    --------
    {base} : the estimator at one value.
    sklearn_shallow.quadratic.alpha_grid : the default grid.
    """


class QuadraticNetRegressorCV(_AlphaCV):
    __doc__ = _QUADRATIC_DOC.format(kind="regressor", base="QuadraticNetRegressor")

    _base = QuadraticNetRegressor
    _parameter_constraints = {
        **{
            k: v
            for k, v in QuadraticNetRegressor._parameter_constraints.items()
            if k not in ("alpha", "weight_decay", "output_signs")
        },
        **_AlphaCV._parameter_constraints,
    }

    def __init__(
        self,
        alphas=None,
        n_alphas=10,
        eps=1e-3,
        cv=None,
        scoring=None,
        n_jobs=None,
        selection="best",
        n_hidden="auto",
        perturbation=0.0,
        output_weights="balanced",
        hidden_bias=True,
        fit_intercept=True,
        loss="squared_error",
        solver="lbfgs",
        step_size="auto",
        max_iter=1000,
        tol=1e-4,
        stop="certified",
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.selection = selection
        self.n_hidden = n_hidden
        self.perturbation = perturbation
        self.output_weights = output_weights
        self.hidden_bias = hidden_bias
        self.fit_intercept = fit_intercept
        self.loss = loss
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.stop = stop
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class QuadraticNetClassifierCV(_AlphaCV):
    __doc__ = _QUADRATIC_DOC.format(kind="classifier", base="QuadraticNetClassifier")

    _base = QuadraticNetClassifier
    _parameter_constraints = {
        **{
            k: v
            for k, v in QuadraticNetClassifier._parameter_constraints.items()
            if k not in ("alpha", "weight_decay", "output_signs")
        },
        **_AlphaCV._parameter_constraints,
    }

    def __init__(
        self,
        alphas=None,
        n_alphas=10,
        eps=1e-3,
        cv=None,
        scoring=None,
        n_jobs=None,
        selection="best",
        n_hidden="auto",
        perturbation=0.0,
        output_weights="balanced",
        hidden_bias=True,
        fit_intercept=True,
        solver="lbfgs",
        step_size="auto",
        max_iter=1000,
        tol=1e-4,
        stop="stationary",
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.selection = selection
        self.n_hidden = n_hidden
        self.perturbation = perturbation
        self.output_weights = output_weights
        self.hidden_bias = hidden_bias
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.stop = stop
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
