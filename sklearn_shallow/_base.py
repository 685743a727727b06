"""The one front end of the shallow-network estimators.

``fit`` is a straight line for every estimator: validate the data and
encode the targets (the task, :mod:`~sklearn_shallow._task`), ask the
algorithm for its :class:`~sklearn_shallow._fit.spec.FitSpec`
(:meth:`BaseShallowNetwork._fit_spec`, one method per algorithm), run it
with :func:`~sklearn_shallow._fit.run.fit_network`, store the result. The
fitted attributes are written once, at the end of a successful fit: a fit
that fails or is interrupted leaves the previous model whole, or the
estimator unfitted.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _array_api as aa
from ._fit.large import subsample_sizes
from ._fit.run import _keep_on_failure, fit_network
from ._fit.scales import (
    check_feature_offsets,
    check_feature_scales,
    column_moments,
)
from ._fit.spec import FitData, FitSpec
from ._fit.starts import check_output_weights, initial_hidden, initial_params
from ._fit.units import _Units
from ._network import ShallowModel
from ._threads import blas_threads
from ._validation import combine_weights
from .activations import ACTIVATIONS, Activation, get_activation
from .architectures import Architecture, Convolution, get_architecture
from .solvers import SOLVERS, UpdateRule, warn_constant_fit

__all__ = [
    "ALPHA",
    "N_AUTO",
    "BaseShallowNetwork",
    "auto_alpha_scale",
    "check_output_weights",
]

#: The L2 penalty ``alpha/2 (||W||^2 + ||o||^2)`` that ``alpha='auto'`` gives a
#: fit of up to :data:`N_AUTO` samples with no other regulariser, in the fit's
#: internal units (standardised y). Measured on scikit-learn's diabetes data
#: (5-fold R^2, 20 ReLU units, 353 training rows): 0.09 at alpha=0 (the exact
#: optimum overfits), 0.48 at 1e-2, 0.49 at 3e-2; on planted sparse networks
#: a constraint of the right size already regularises and any alpha only
#: biases the fit (benchmarks/bench_convergence.py).
ALPHA = 1e-2

#: ``alpha='auto'`` is ``ALPHA * min(1, N_AUTO / n_samples)``: the full
#: :data:`ALPHA` up to ``N_AUTO`` samples, then falling as ``1/n``. The
#: objective is the *mean* loss plus the penalty, so a fixed alpha is a prior
#: that weighs as much against 20000 samples as against 200: on a planted
#: ReLU network (p=100, 20 units, n=20000) 1e-2 stops the fit at training
#: R^2 0.984 and, on diamonds' cut (n=6400 per fold), at 5-fold accuracy
#: 0.696 against 0.759 at 7.8e-4. A penalty of fixed weight against the
#: *summed* loss (scikit-learn's MLP divides its alpha by n; a Gaussian
#: prior in MAP estimation; ridge regression's optimal penalty on the mean
#: loss, ``sigma^2 p / (n ||beta||^2)``) falls as ``1/n``. Below N_AUTO the
#: value measured on small data sets is kept (diabetes' 353 training rows,
#: breast cancer's 455, wine's 142 get 1e-2 as before). See
#: benchmarks/bench_defaults.py.
N_AUTO = 500


def auto_alpha_scale(n_samples):
    """The factor ``min(1, N_AUTO / n_samples)`` of ``alpha='auto'``."""
    return min(1.0, N_AUTO / max(int(n_samples), 1))


#: Mini-batch size of ``partial_fit`` when ``batch_size`` is None.
PARTIAL_BATCH = 200


class BaseShallowNetwork(BaseEstimator):
    """Common parameters and the one ``fit`` of the shallow networks.

    A task front end (:class:`~sklearn_shallow._task.ShallowRegressorMixin`,
    :class:`~sklearn_shallow._task.ShallowClassifierMixin`) says how targets
    are encoded, which loss fits them and how a validation split is scored;
    an algorithm (projected steps, RVSM, ...) says what it fits, in one
    method, :meth:`_fit_spec`. Concrete estimators set their own parameters
    in ``__init__``.
    """

    _parameter_constraints = {
        "n_hidden": [Interval(Integral, 1, None, closed="left"), None],
        "activation": [StrOptions(set(ACTIVATIONS)), Activation, tuple],
        "architecture": [StrOptions({"dense"}), Architecture, None],
        "output_weights": [StrOptions({"ones", "learn"}), "array-like"],
        "fit_intercept": ["boolean"],
        "init": [StrOptions({"random", "zero", "tensor"}), "array-like"],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "step_size": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "callback": [callable, None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    # ---- hooks of the task front end --------------------------------------
    def _check_targets(self, X, y):
        """Validate ``(X, y)``; return ``(X, y_encoded, n_outputs, loss, weight)``.

        ``y_encoded`` is a float array of X's dtype, of shape ``(n,)`` for
        one output (``n_outputs`` None) or ``(n, n_outputs)``; ``weight`` is
        a factor of every sample's weight that the task adds (class
        weights), or None.
        """
        raise NotImplementedError

    def _validation_score(self, y_val, decision, sample_weight):
        """Score (higher is better) of internal decisions on encoded targets."""
        raise NotImplementedError

    def _split_validation(self, y, test_size, rng):
        """Train and validation row indices for early stopping."""
        return train_test_split(
            np.arange(y.shape[0]), test_size=test_size, random_state=rng
        )

    # ---- the algorithm's specification -------------------------------------
    def _fit_spec(self, data, rng, partial=False):
        """The :class:`~sklearn_shallow._fit.spec.FitSpec` of this fit.

        The default: plain gradient steps (no constraint), ``alpha='auto'``
        as :data:`ALPHA` (scaled by :func:`auto_alpha_scale`) on a learned
        output layer. ``partial``: the spec of
        one ``partial_fit`` pass.
        """
        return self._network_spec(
            data, rng, lambda shape: (UpdateRule(project=None), {}), partial=partial
        )

    def _auto_alpha(self, model, n_samples):
        """The L2 weights ``(hidden, output)`` that ``alpha='auto'`` stands for:
        ``ALPHA * min(1, N_AUTO / n_samples)`` on both for a learned output
        layer (:data:`N_AUTO`), nothing with fixed output weights (the
        papers' planted setting, whose algorithms have no weight decay)."""
        if "output" not in model.names:
            return 0.0, 0.0
        alpha = ALPHA * auto_alpha_scale(n_samples)
        return alpha, alpha

    def _alphas(self, model, auto):
        """``(alpha_, alpha_output_)`` of a fit; ``auto`` what 'auto' means."""
        if self.alpha == "auto":
            alpha, alpha_output = auto
        else:
            alpha = alpha_output = float(self.alpha)
        if "output" not in model.names:
            alpha_output = 0.0
        return alpha, alpha_output

    # Whether y's scale is absorbed by the hidden weights of a network with
    # fixed output weights (its degree of homogeneity), or None (y keeps its
    # units, as in the papers' planted fits).
    _hidden_degree = None

    def _scales_columns(self, model, init):
        """Whether this fit scales each feature to unit root mean square.

        A dense layer does, unless its start is the user's array (given in
        the user's units, often the papers' start, run as the paper runs
        it). A convolution shares its kernels across columns: it cannot.
        """
        if isinstance(model.architecture, Convolution):
            return False
        return isinstance(init, str)

    def _network_spec(
        self,
        data,
        rng,
        make_update,
        auto_alpha=None,
        init=None,
        partial=False,
        make_start=None,
    ):
        """The parts every algorithm shares, around its own update rule.

        ``make_update(shape) -> (update, attributes)`` builds the update rule
        for the hidden parameters' shape (and the fitted attributes it
        adds); ``auto_alpha(model, n_samples)`` is what ``alpha='auto'``
        means (default :meth:`_auto_alpha`; ``n_samples`` the rows of X, and
        a resumed ``partial_fit`` keeps the alphas of the fit it
        continues); ``init`` the start ('random', 'zero', 'tensor' or an
        array; default ``self.init``); ``make_start(model,
        units, data, shape, rng) -> (params, attributes)`` replaces the
        shared start (a cold start only).
        """
        X, y, sw = data.X, data.y, data.sample_weight
        init = self.init if init is None else init
        resumed = partial and hasattr(self, "_raw_params")
        if resumed:
            # partial_fit continues the model and the units of its first call.
            model, units = self._model, self._units
        else:
            model = self._resolve_model(X.shape[1], aa.host_dtype(X), data.n_outputs)
            scale = self._scales_columns(model, init)
            moments = None if sparse.issparse(X) else column_moments(X, sw)
            name = type(self).__name__
            check_feature_offsets(X, sw, name, moments)
            if not scale:
                check_feature_scales(X, sw, name, _why_unscaled(model), moments)
            units = _Units.for_fit(
                model,
                X,
                y,
                sw,
                scale,
                labels=data.loss.encodes_labels,
                robust=getattr(data.loss, "robust_scale", False),
                hidden_degree=self._hidden_degree,
                moments=moments,
            )
        shape = model.architecture.param_shape(X.shape[1], self.n_hidden)
        update, attributes = make_update(shape)
        auto_alpha = self._auto_alpha if auto_alpha is None else auto_alpha
        if resumed and self.alpha == "auto":
            # partial_fit continues one objective: the chunks' sizes do not
            # move the penalty of the first call (or of the fit) it resumes.
            alpha, alpha_output = self.alpha_, self.alpha_output_
        else:
            alpha, alpha_output = self._alphas(model, auto_alpha(model, X.shape[0]))
        spec = FitSpec(
            model=model,
            units=units,
            update=update,
            start=None,
            loss=data.loss,
            alpha=alpha,
            alpha_output=alpha_output,
            init=init,
            attributes=attributes,
            **self._loop_settings(
                partial,
                X.shape[0],
                sum(int(np.prod(s)) for s in model.block_shapes(shape)),
            ),
        )
        if resumed:
            spec.start = [
                p.astype(aa.host_dtype(X), copy=True) for p in self._raw_params
            ]
            # A resumed model was checked when it started: its point may now
            # sit on kinks, where the start's gradient check cannot judge it.
            # After fit, the steps start from the cold rule.
            state = getattr(self, "_partial_state", None) or {"mu": None}
            spec.resume, spec.continued = state, True
            return spec
        previous = (
            None
            if partial
            else self._previous_fit(model, shape, units, aa.host_dtype(X))
        )
        if previous is not None:
            spec.start, spec.resume = previous
            spec.continued = True
            return spec
        if make_start is not None:
            spec.start, extra = make_start(model, units, data, shape, rng)
            spec.attributes.update(extra)
            return spec
        # The targets a data-driven start (the tensor step) sees: standardised
        # when y's units are absorbed, so the start is free of them.
        y_start = units.y_in(y) if units.scaled else y
        hidden = initial_hidden(init, model, units, X, y_start, sw, shape, rng)
        blocks = model.block_shapes(shape)
        spec.start = initial_params(hidden, model, units, data.loss, y, sw, blocks, rng)
        return spec

    def _loop_settings(self, partial, n_samples, n_params):
        """The loop's settings: the estimator's, or one ``partial_fit`` pass
        (one epoch of plain steps on mini-batches, no exact output layer,
        no early stopping). ``batch_size='auto'`` is all rows, through the
        subsample stages of :func:`~._fit.large.subsample_sizes` on large
        data."""
        batch_size = self.batch_size
        if partial:
            if not isinstance(batch_size, Integral):
                batch_size = PARTIAL_BATCH
            return dict(
                solver="pgd",
                step_size=self.step_size,
                max_iter=1,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                batch_size=min(batch_size, n_samples),
                exact_linear=False,
                callback=self.callback,
                verbose=self.verbose,
                check_constant=False,
            )
        return dict(
            # 'pgd' is the papers' algorithm: gradient steps on every block.
            exact_linear=self.solver != "pgd",
            solver=self.solver,
            step_size=self.step_size,
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            batch_size=None if batch_size == "auto" else batch_size,
            subsamples=(
                subsample_sizes(n_samples, n_params) if batch_size == "auto" else ()
            ),
            validation_fraction=(
                self.validation_fraction if self.early_stopping else None
            ),
            split=self._split_validation,
            score=self._validation_score,
            callback=self.callback,
            verbose=self.verbose,
        )

    def _previous_fit(self, model, shape, units, dtype, stored=None):
        """``(start, loop state)`` of a warm start, or None.

        The previous fit's parameters when ``warm_start`` is set and their
        shapes match this fit's. Its loop state (last step size, RVSM's
        ``u``, ADMM's ``z``) is in the internal units of the fit that left
        it: it is only reused when this fit's units are the same (the same
        data); else the rule starts its variables afresh from the
        parameters and only the step size carries over. ``stored``:
        ``(raw params, (loop state, units))`` of the previous fit when it is
        not this estimator's single model (the quadratic classifier's
        networks, one per class).
        """
        if stored is None:
            stored = (
                getattr(self, "_raw_params", None),
                getattr(self, "_loop_state", (None, None)),
            )
        previous, (state, previous_units) = stored
        if not self.warm_start or previous is None:
            return None
        if [p.shape for p in previous] != model.block_shapes(shape):
            return None
        start = [p.astype(dtype, copy=True) for p in previous]
        if state is not None and not units.same_as(previous_units):
            state = {"mu": state.get("mu"), "mu_max": state.get("mu_max")}
        return start, state or {}

    # ---- paths ------------------------------------------------------------
    #: The parameter a path runs over: the weight decay here; the
    #: algorithms with a constraint or a penalty run over its size.
    _path_param = "alpha"
    #: Whether the path's values grow from its simplest model (the first
    #: kept, the one ties choose) to the most complex: ``tau`` does; a
    #: penalty or a weight decay falls.
    _path_increasing = False

    def _path_reversed(self):
        """Whether a path solves its grid from the last value back to the
        first (the order warm starts suit)."""
        return False

    def _path_values(self, values):
        """The user's grid, checked, in the order a path keeps it."""
        return check_path_values(values, self._path_param, self._path_increasing)

    def _path_grid(self, data, n_values, eps):
        """``(values, reference)``: the default grid of the path parameter
        on ``data`` and the fitted estimator it was computed from (a start
        for the path), or None.

        The weight decay: ``n_values`` values from 1 down to ``eps`` (1e-4
        when None), in the fit's internal units (a mean loss of about 0.5
        for a zero network on standardised y).
        """
        eps = 1e-4 if eps is None else eps
        return np.geomspace(1.0, eps, n_values), None

    def _fit_reference(self, data, **params):
        """A copy of this estimator with ``params`` fitted on ``data``, the
        data this one prepared (its validated attributes, such as
        ``n_features_in_`` and ``classes_``, carry over): the reference fit
        a default grid is computed from, and the path's start."""
        reference = clone(self).set_params(warm_start=False, verbose=0, **params)
        for key, value in vars(self).items():
            if key.endswith("_") and not key.startswith("_"):
                setattr(reference, key, value)
        reference._fit_prepared(data)
        return reference

    def _path_coefficients(self):
        """The fitted coefficients a path point keeps (copies; in the
        namespace and on the device of the fit's X, as the attributes)."""
        return {
            name: _copy(getattr(self, name))
            for name in ("hidden_weights_", "output_weights_", "intercept_")
        }

    def _adopt_start(self, other):
        """Start the next warm-started fit from ``other``'s fitted weights.

        The weights carry over (in the user's units) with the step size and
        the scales of the stopping rule (the objective and gradient mapping
        of ``other``'s cold start): a start near the next optimum must not
        become the scale its progress is measured against. The update
        rule's own variables start afresh: ``other`` ran another rule (the
        grid's unconstrained reference fit, the start of a CV refit at the
        chosen radius).
        """
        self._raw_params = [p.copy() for p in other._raw_params]
        state, units = other._loop_state
        if state is not None:
            kept = ("mu", "mu_max", "f0", "G0")
            state = {key: state.get(key) for key in kept}
        self._loop_state = (state, units)

    def path(self, X, y, values=None, *, sample_weight=None, n_values=10, eps=None):
        """Fit this network along a grid of its path parameter.

        The path parameter is ``tau`` for a projected network, ``lam`` for
        RVSM and ``alpha`` (the weight decay) for the others. The data are
        validated once; the fits then run over the grid in the order that
        warm starts suit (see :mod:`sklearn_shallow.paths`), each starting
        from the previous solution with the loop's state. The estimator
        itself is not fitted or changed.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        values : array-like or None, default=None
            The grid; None computes ``n_values`` values from the data
            (:func:`~sklearn_shallow.paths.tau_grid`,
            :func:`~sklearn_shallow.paths.lam_grid`, or weight decays from
            1 down to ``eps``).
        sample_weight : array-like of shape (n_samples,), default=None
        n_values : int, default=10
        eps : float or None, default=None
            Smallest value relative to the largest (None: the grid's own
            default).

        Returns
        -------
        path : :class:`~sklearn_shallow.paths.Path`
            The grid (``values``) and one
            :class:`~sklearn_shallow.paths.PathPoint` per value (fitted
            coefficients, final objective, iterations, convergence).
        """
        worker = clone(self).set_params(verbose=0)
        data = worker._prepare(X, y, sample_weight)
        if values is None:
            values = worker._path_grid(data, _check_n_values(n_values), eps)[0]
        else:
            values = worker._path_values(values)
        # The first fit starts from the estimator's own start, as a cold fit
        # (and each fold's path of the CV estimators) does.
        return worker._run_path(data, values)[0]

    def path_grid(self, X, y, *, n_values=10, eps=None, sample_weight=None):
        """The default grid of :meth:`path` on ``(X, y)``.

        Parameters
        ----------
        X, y : the training data
        n_values : int, default=10
        eps : float or None, default=None
            Smallest value relative to the largest (None: the grid's own
            default).
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        values : ndarray of shape (n_values,) or fewer (distinct counts)
            From the simplest model to the most complex.
        """
        worker = clone(self).set_params(verbose=0)
        data = worker._prepare(X, y, sample_weight)
        return worker._path_grid(data, _check_n_values(n_values), eps)[0]

    def _run_path(self, data, values, start=None, on_point=None, last=None):
        """Fit ``self`` (a fresh clone) along ``values``; ``(Path, fitted)``.

        ``start``: a fitted estimator whose weights start the first fit;
        ``on_point(self, point)`` sees each point while ``self`` is fitted
        at it (the folds score it there); ``last``: the index after which
        the path stops. ``fitted`` is the last fit's
        :class:`~sklearn_shallow._fit.spec.FitResult`.
        """
        from .paths import Path, PathPoint

        param = self._path_param
        order = range(len(values))
        if self._path_reversed():
            order = reversed(order)
        self.set_params(warm_start=True)
        if start is not None:
            self._adopt_start(start)
        points, fitted = [None] * len(values), None
        # Strict array namespaces take Python numbers, not numpy scalars, in
        # their arithmetic (the numpy path keeps the grid's own scalars).
        plain = aa.namespace_of(data.X) is not None
        for index in order:
            value = values[index]
            self.set_params(**{param: value.item() if plain else value})
            began = time.perf_counter()
            fitted = self._fit_prepared(data)
            result = fitted.descent
            points[index] = PathPoint(
                value=value,
                coefficients=self._path_coefficients(),
                loss=float(result.loss_curve[-1]) if result.loss_curve else np.nan,
                n_iter=int(result.n_iter),
                converged=bool(result.converged),
                message=result.message,
                constant=fitted.constant is not None,
                time=time.perf_counter() - began,
            )
            if on_point is not None:
                on_point(self, points[index])
            if index == last:
                break
        return Path(param, np.asarray(values), points), fitted

    # ---- resolution of the parts -----------------------------------------
    def _resolve_model(self, n_features, dtype, n_outputs=None):
        activation = get_activation(self.activation)
        architecture = get_architecture(self.architecture)
        n_hidden = architecture.n_hidden_for(n_features, self.n_hidden)
        output_shape = () if n_outputs is None else (n_outputs,)
        if isinstance(self.output_weights, str):
            fixed = None
            if self.output_weights == "ones":
                if n_outputs is not None and n_outputs > 1:
                    raise ValueError(
                        f"output_weights='ones' would give all {n_outputs} "
                        "outputs the same combination of hidden units. Use "
                        "'learn' or an array of shape (n_hidden, n_outputs)."
                    )
                fixed = np.ones((n_hidden,) + output_shape, dtype=dtype)
        else:
            fixed = check_output_weights(
                self.output_weights, n_hidden, dtype, output_shape
            )
        return ShallowModel(
            activation,
            architecture,
            n_features,
            n_hidden,
            fixed,
            self.fit_intercept,
            n_outputs=n_outputs,
        )

    def _sparse_formats(self):
        """The scipy.sparse formats fit and predict take (False: none).

        A dense layer computes its two products on sparse X directly (CSR or
        CSC, never densified); a convolution refuses sparse X in ``prepare``;
        the tensor start needs dense X.
        """
        if isinstance(self.init, str) and self.init == "tensor":
            return False
        return ["csr", "csc"]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._sparse_formats() is not False
        # Arrays of other namespaces (torch, CuPy, ...) under scikit-learn's
        # array_api_dispatch: fitted on their device where the loop runs
        # there, the results in their namespace (see fit).
        tags.array_api_support = True
        return tags

    # ---- fit / predict ----------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A scipy.sparse matrix (CSR or CSC; other formats are converted
            to CSR) is used as it is by a dense layer, never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (a regressor; 2-D for several outputs) or class labels
            (a classifier).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples' losses; None gives every sample weight 1.

        Returns
        -------
        self : object

        Notes
        -----
        Under ``sklearn.config_context(array_api_dispatch=True)`` an X of
        another array namespace (torch, CuPy, array-api-strict; scikit-learn
        asks for ``SCIPY_ARRAY_API=1``) is validated in its namespace, and
        a dense layer on one batch with ``solver`` 'fista', 'pgd' or 'spg'
        (projected steps, RVSM, ADMM, the quadratic nets' descent,
        :class:`TensorInitOneHidden`'s) iterates on X's device; the start,
        y and the weights are made on the host and moved once. Other fits
        (``solver='lbfgs'``, which is scipy's, mini-batches and
        ``partial_fit``, early stopping, a convolution, 'l0_features') copy
        X to the host once and run there, as do ``init='tensor'``'s start
        and the quadratic nets' certificate eigenproblem (their products
        with X stay on the device). Either way the fitted arrays
        (``hidden_weights_``, ``output_weights_``, ``intercept_``,
        ``feature_importances_``, ``classes_``, which follows X) and
        predictions are in X's namespace and on its device; ``predict`` and
        the other methods then refuse an X of another namespace or device,
        as scikit-learn's estimators do.
        """
        fitted = _keep_on_failure(self, self._fit, X, y, sample_weight)
        self._report(fitted, stacklevel=4)
        return self

    def _report(self, fitted, stacklevel):
        """Warn about a fit that did not converge or predicts a constant.

        ``stacklevel`` points the warnings at the user's call.
        """
        result = fitted.descent
        if not result.converged:
            warnings.warn(
                f"{type(self).__name__} did not converge: {result.message}.",
                ConvergenceWarning,
                stacklevel=stacklevel,
            )
        if fitted.constant is not None:
            warn_constant_fit(
                *fitted.constant, self._constant_hint(), stacklevel=stacklevel
            )

    def _constant_hint(self):
        """What the constant-predictor warning suggests."""
        return (
            "Try another random_state, a smaller step_size, standardised "
            "inputs or another init."
        )

    def _prepare(self, X, y, sample_weight, host=None, **target_options):
        """Validated data, encoded targets and weights, and the loss.

        ``host``: for an X of another namespace, a function that returns X
        on the host (a copy the caller shares between fits, see
        :class:`~sklearn_shallow._fit.spec.FitData`), or None.
        """
        X, y, n_outputs, loss, task_weight = self._check_targets(X, y, **target_options)
        if aa.namespace_of(X) is not None:
            # X of another namespace stays on its device; y (encoded) and
            # the weights are vectors, checked and scaled on the host.
            if sample_weight is not None and not aa._is_host(sample_weight):
                sample_weight = aa.to_numpy(sample_weight)
            like = np.empty((X.shape[0], 0), dtype=aa.host_dtype(X))
            sample_weight = combine_weights(sample_weight, task_weight, like)
        else:
            sample_weight = combine_weights(sample_weight, task_weight, X)
        if sample_weight is not None:
            # Only relative weights matter (the losses use w / sum(w)): a
            # power of two (exact) brings the largest to [0.5, 1), so that no
            # later sum or square of the weights can overflow.
            largest = float(np.max(sample_weight, initial=0.0))
            sample_weight = np.ldexp(sample_weight, -np.frexp(largest)[1])
        return FitData(X, y, sample_weight, n_outputs, loss, host=host)

    def _fit(self, X, y, sample_weight):
        return self._fit_prepared(self._prepare(X, y, sample_weight))

    def _product_size(self, data, batch_size=None):
        """Multiply-adds of one product of the fit (the thread policy's size):
        a sparse X multiplies by its nonzeros only (tf-idf of 3404 texts and
        6090 words: 2e5 nonzeros, not the 2e7 entries of its dense shape);
        mini-batches of ``batch_size`` rows (default: the ``batch_size``
        parameter when an int) by their share of it. Sized by all rows,
        batches of 1000 rows of a 200000 x 100 X ran their products on two
        threads of a busy 2-core machine, 45x slower (30 epochs in 154 s
        against 3.4 s on one thread)."""
        X = data.X
        entries = X.nnz if sparse.issparse(X) else X.shape[0] * X.shape[1]
        if batch_size is None:
            batch_size = getattr(self, "batch_size", None)
        if isinstance(batch_size, Integral) and 0 < batch_size < X.shape[0]:
            entries = entries * batch_size / X.shape[0]
        return entries * (self.n_hidden or 1)

    def _fit_prepared(self, data):
        rng = check_random_state(self.random_state)
        # One thread policy for the whole fit, the tensor start included.
        with blas_threads(self._product_size(data), like=data.X):
            spec = self._fit_spec(data, rng)
            fitted = fit_network(spec, data, rng)
        self._store(spec, fitted.descent, data)
        self.fit_stages_ = fitted.stages
        # A fit starts over: a later partial_fit continues from its result,
        # with a generator seeded afresh.
        self.__dict__.pop("_partial_state", None)
        self.__dict__.pop("_partial_rng", None)
        return fitted

    def _partial_fit(self, X, y, sample_weight, **target_options):
        """One pass of mini-batch steps over ``(X, y)``, resuming the state.

        The first call sets the model up (and the internal units, from this
        first chunk: later chunks are fitted in the same units); every call
        runs one epoch of plain steps on mini-batches of ``batch_size``
        (:data:`PARTIAL_BATCH` when None), the constraint or the threshold
        after each step, and keeps the loop's state (step size, RVSM's
        ``u``, ADMM's ``z``) for the next call. Early stopping and the exact
        output layer do not apply.
        """
        # After fit, partial_fit continues the fitted model (as MLP's does).
        first = not hasattr(self, "_raw_params")
        data = self._prepare(X, y, sample_weight, reset=first, **target_options)
        rng = getattr(self, "_partial_rng", None)
        if rng is None:
            rng = check_random_state(self.random_state)
        batch_size = self.batch_size
        if not isinstance(batch_size, Integral):
            batch_size = PARTIAL_BATCH
        with blas_threads(self._product_size(data, batch_size), like=data.X):
            spec = self._fit_spec(data, rng, partial=True)
            fitted = fit_network(spec, data, rng)
        self._store(spec, fitted.descent, data)
        self._partial_state = fitted.descent.state
        self._partial_rng = rng
        self.fit_stages_ = None
        self.validation_scores_ = self.best_validation_score_ = None
        return self

    def _store(self, spec, result, data):
        """Write the fitted attributes, all at once at the end of a fit."""
        model = spec.model
        n_outputs, n_features = model.n_outputs, data.X.shape[1]
        dtype = result.params[0].dtype
        continued = spec.continued and hasattr(self, "loss_curve_")
        hidden, output, intercept = model.split(result.params)
        arch = model.architecture
        self._model, self._units, self._loss = model, spec.units, spec.loss
        self._params = result.params
        self._raw_params = result.raw_params
        self.hidden_weights_ = arch.to_dense(hidden, n_features)
        self.output_weights_ = np.array(output, copy=True)
        if n_outputs is None:
            self.intercept_ = float(intercept)
        else:
            self.intercept_ = np.array(intercept, dtype=dtype).reshape(n_outputs)
        self.n_outputs_ = 1 if n_outputs is None else n_outputs
        self.loss_ = spec.loss
        self.alpha_, self.alpha_output_ = spec.alpha, spec.alpha_output
        # A warm start (and partial_fit) continues the history, as MLP's does.
        self.n_iter_ = result.n_iter + (self.n_iter_ if continued else 0)
        # In the fit's internal units (standardised y), whatever the units of y.
        self.loss_curve_ = (list(self.loss_curve_) if continued else []) + list(
            result.loss_curve
        )
        self._loop_state = (result.state, spec.units)
        self.validation_scores_ = (
            result.validation_scores if getattr(self, "early_stopping", False) else None
        )
        self.best_validation_score_ = result.best_validation_score
        self.step_size_ = result.step_size
        self.stationarity_ = result.stationarity
        self.activation_ = model.activation
        self.architecture_ = arch
        if isinstance(arch, Convolution):
            self.kernels_ = hidden.copy()
        for name, value in spec.attributes.items():
            setattr(self, name, value)
        self._store_extra(result)
        if aa.namespace_of(data.X) is not None:
            self._to_namespace_of(data.X)

    #: Fitted array attributes moved to the namespace and device of X after
    #: a fit on an array of another namespace (see :meth:`_to_namespace_of`).
    _device_attributes = ("hidden_weights_", "output_weights_", "kernels_")

    def _to_namespace_of(self, X):
        """Move the public fitted arrays to ``X``'s namespace and device.

        The fit keeps its own state (the parameters of warm starts and
        predictions, the units) as numpy arrays on the host; what the user
        reads (``hidden_weights_``, ``output_weights_``, ``intercept_``, ...)
        is in the namespace and on the device of the X it was fitted on.
        """
        for name in self._device_attributes:
            value = getattr(self, name, None)
            if isinstance(value, np.ndarray):
                setattr(self, name, aa.asarray_on(value, X))
        self.intercept_ = aa.asarray_on(np.asarray(self.intercept_), X, dtype=X.dtype)

    def _store_extra(self, result):
        """Store estimator-specific fitted attributes computed from the result."""

    # ---- which inputs the network uses --------------------------------------
    @property
    def feature_importances_(self):
        """How much the fitted network uses each input, summing to 1.

        For input ``j``, ``sum_k c_k |V_kj|``: ``V`` the hidden weights in the
        fit's scaled units (``W_kj * rms(x_j)``, the weight an input of unit
        scale gets; a fit that keeps X's units, with an init array, uses
        ``W`` itself) and ``c_k`` the size of unit ``k``'s output weights
        in units of y's spread (summed over outputs), normalised to sum to
        1. An input that no unit uses, or whose units all have output weight
        zero, gets exactly 0; scaling a column of X leaves the importances
        as they are. (The quadratic nets use the fitted quadratic form
        instead; see their class.) All zero when the network uses no input.
        A convolution shares its kernels across inputs and has none.

        Returns
        -------
        ndarray of shape (n_features_in_,)
        """
        check_is_fitted(self)
        if isinstance(self.architecture_, Convolution):
            raise AttributeError(
                "feature_importances_ is defined for a dense input layer; a "
                "convolution shares its kernels across inputs."
            )
        terms = np.asarray(self._importance_terms(), dtype=float)
        total = terms.sum()
        importances = terms / total if total > 0 else terms
        like = self.hidden_weights_
        if aa.namespace_of(like) is not None:
            return aa.asarray_on(importances, like, dtype=like.dtype)
        return importances

    @property
    def n_features_selected_(self):
        """The number of inputs the fitted network uses (nonzero
        :attr:`feature_importances_`)."""
        return int(np.count_nonzero(aa.to_numpy(self.feature_importances_)))

    def _importance_terms(self):
        """Unnormalised ``sum_k c_k |V_kj|`` (see :attr:`feature_importances_`)."""
        units = self._units
        V = np.abs(np.asarray(aa.to_numpy(self.hidden_weights_), dtype=float))
        if units.column_scale is not None:
            V = V * np.asarray(units.column_scale, dtype=float)
        output = np.abs(np.asarray(aa.to_numpy(self.output_weights_), dtype=float))
        if output.ndim > 1:
            # Each output in units of its own spread, then summed.
            output = (output / np.asarray(units.y_scale, dtype=float)).sum(axis=1)
        return output @ V

    def _check_namespace(self, X, method):
        """Under array API dispatch, an X of the fit's namespace and device
        (:func:`~sklearn_shallow._array_api.check_same_namespace`)."""
        fitted = getattr(self, "hidden_weights_", None)
        aa.check_same_namespace(X, fitted, self, method)

    def _decision(self, X):
        """Network output ``sum_j o_j sigma(w_j . x) + b`` on validated X."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            dtype=aa.validation_dtypes(X),
            reset=False,
            accept_sparse=self._sparse_formats(),
        )
        return self._model.decision(self._params, X)


def _copy(value):
    """A copy of a fitted array (a 0-d numpy array for a number)."""
    if aa._is_host(value):
        return np.array(value, copy=True)
    return aa.copy(value)


def _check_n_values(n_values):
    if not isinstance(n_values, Integral) or isinstance(n_values, bool) or n_values < 1:
        raise ValueError(f"n_values must be an int >= 1; got {n_values!r}.")
    return int(n_values)


def check_path_values(values, name, increasing):
    """A grid of ``name`` as a float array sorted as a path keeps it.

    Clear errors for what a grid cannot be: empty, not numbers, not finite,
    negative (or zero for ``tau``).
    """
    plural = name + "s"
    given = values
    try:
        values = np.asarray(values)
        if values.dtype.kind not in "iu":
            # Counts stay ints; the rest are floats.
            values = values.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"{plural} must be numbers; got {given!r}.") from None
    if values.dtype.kind not in "iuf":
        raise ValueError(f"{plural} must be numbers; got {given!r}.")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{plural} must be a non-empty 1-d array of numbers; got shape "
            f"{values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{plural} must be finite; got {values.tolist()}.")
    low = values.min()
    if low < 0 or (name == "tau" and low == 0):
        bound = "positive" if name == "tau" else ">= 0"
        raise ValueError(f"{plural} must be {bound}; got {values.tolist()}.")
    values = np.unique(values)
    return values if increasing else values[::-1]


def _why_unscaled(model):
    """Why a fit keeps the user's feature units (for the scale warning)."""
    if isinstance(model.architecture, Convolution):
        return "a convolution shares its kernels across columns"
    return "the fit starts from the given init array, in the units of X"
