"""Shared fit of the shallow-network estimators.

``fit`` is the same for every estimator: validate the data, resolve the parts
(activation, architecture, output layer), build the starting point, hand an
:class:`~sklearn_shallow.solvers.UpdateRule` to the one descent loop, and store
the result. An estimator only says which update rule it uses
(:meth:`BaseShallowNetwork._make_update`) and how it starts.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._loss import SquaredLoss
from ._network import Objective, ShallowModel
from ._threads import blas_threads
from .activations import ACTIVATIONS, Activation, get_activation
from .architectures import Architecture, Convolution, get_architecture
from .solvers import SOLVERS, descend, rows_that_can_vary, warn_constant_fit
from .tensor_init import fill_from_tensor

#: The L2 penalty ``alpha/2 (||W||^2 + ||o||^2)`` that ``alpha='auto'`` gives a
#: fit with no other regulariser, in the fit's internal units (standardised
#: y). Measured on scikit-learn's diabetes data (5-fold R^2, 20 ReLU units):
#: 0.09 at alpha=0 (the exact optimum overfits), 0.48 at 1e-2, 0.49 at 3e-2;
#: on planted sparse networks a constraint of the right size already
#: regularises and any alpha only biases the fit (benchmarks/bench_convergence.py).
ALPHA = 1e-2


def check_output_weights(output_weights, n_hidden, dtype, output_shape=()):
    """A user's fixed output weights as an array, or a clear error."""
    fixed = np.asarray(output_weights, dtype=dtype)
    expected = (n_hidden,) + tuple(output_shape)
    if fixed.shape != expected:
        per = "one weight per hidden unit" + (" and output" if output_shape else "")
        raise ValueError(
            f"output_weights has shape {fixed.shape}; expected {expected}, {per}."
        )
    if not np.all(np.isfinite(fixed)):
        raise ValueError("output_weights contains NaN or infinity.")
    return fixed


def _tensor_hidden(X, y, sample_weight, model, rng):
    """Dense hidden weights from the tensor method (Zhong et al. 2017).

    :func:`~sklearn_shallow.tensor_initialization` identifies at most
    ``n_features`` units; any others start as in ``init='random'``. Only the
    hidden weights are used: learned output weights start as for 'random'.
    A convolution receives the projection of these dense weights.
    """
    n_hidden, n_features = model.n_hidden, X.shape[1]
    W = rng.standard_normal((n_hidden, n_features)) / np.sqrt(n_features)
    fill_from_tensor(W, X, y, model.activation, rng, sample_weight=sample_weight)
    return W


def _describe_init(init):
    return f"init={init!r}" if isinstance(init, str) else "the init array"


def _check_start(model, params, X, y, init):
    """A clear error when the starting point's outputs or loss are not finite.

    Without it the loop would stop at its first step with a message about
    the loss, not about where the start came from.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        pred = model.decision(params, X)
        finite_pred = bool(np.all(np.isfinite(pred)))
        finite_loss = finite_pred and np.isfinite(np.vdot(pred - y, pred - y))
    if finite_loss:
        return
    dtype = X.dtype.name
    hidden = np.max(np.abs(params[0])) if params[0].size else 0.0
    if not finite_pred:
        raise ValueError(
            f"The starting point from {_describe_init(init)} gives non-finite "
            f"network outputs in {dtype} (largest |x| = {abs(X).max():.3g}, "
            f"largest starting weight = {hidden:.3g}). Standardise X (for "
            "instance with StandardScaler) or fit in float64."
        )
    raise ValueError(
        f"The squared loss at the starting point from {_describe_init(init)} "
        f"overflows {dtype} (largest |y| = {np.max(np.abs(y)):.3g}). Rescale y "
        "or fit in float64."
    )


def _constant_fit(model, params, X, y, sample_weight):
    """``(reason, constant)`` when the fitted network predicts one value.

    That happens when every hidden unit is constant on the training samples
    of positive weight (dead ReLUs, saturated sigmoids) or when the units
    that vary all have output weight zero. It is the right answer only when
    y is constant, and then this is None, as for a healthy fit.
    """
    counted = rows_that_can_vary(X, y, sample_weight)
    if counted is None:
        return None
    X, y = counted
    hidden, output, _ = model.split(params)
    Z = np.empty((X.shape[0], model.n_hidden), dtype=hidden.dtype)
    model.architecture.preact(model.architecture.prepare(X), hidden, out=Z)
    A = model.activation.value(Z, out=Z)
    # Constant up to rounding, relative to the unit's own size.
    varies = np.ptp(A, axis=0) > 16 * np.finfo(A.dtype).eps * np.max(np.abs(A), axis=0)
    used = np.asarray(output) != 0
    if used.ndim > 1:
        used = used.any(axis=1)
    if np.any(varies & used):
        return None
    if not np.any(varies):
        reason = "every hidden unit is constant on the training samples (dead)"
    else:
        reason = "every hidden unit that varies has output weight zero"
    # The first output stands for all of them in the message.
    return reason, float(np.ravel(model.decision(params, X[:1]))[0])


_GRID_BITS = 30


def _keep_on_failure(estimator, method, *args, **kwargs):
    """Run ``method``; when it fails, leave ``estimator`` as it was.

    A fit that fails keeps the previous model whole, or the estimator
    unfitted (NotFittedError, not a half-set AttributeError).
    """
    state = estimator.__dict__.copy()
    try:
        return method(*args, **kwargs)
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


def _weighted_median(values, weight=None):
    """Median over rows of ``values`` (1-D or 2-D) under weights."""
    if weight is None:
        return np.median(values, axis=0)
    order = np.argsort(values, axis=0)
    sorted_values = np.take_along_axis(values, order, axis=0)
    w = weight[order]  # one weight per row, in each column's order
    cumulative = np.cumsum(w, axis=0)
    index = np.argmax(cumulative >= 0.5 * cumulative[-1], axis=0)
    return np.take_along_axis(sorted_values, np.expand_dims(index, 0), axis=0)[0]


class _Units:
    """The internal units of a fit, and the exact maps to and from the user's.

    The descent runs on ``y_int = (y - y_shift) / y_scale``; the hidden
    parameters it sees are ``V = W * column_scale`` (a per-feature scale for
    a dense layer, or None), so that the network on raw ``X`` with
    ``V / column_scale`` computes ``X W^T``.

    * ``y_shift`` is the weighted mean of y when an intercept is fitted (the
      intercept absorbs it exactly), else 0. With several outputs, shift and
      scale are per output (each target is made free of its own units).
    * ``y_scale`` is the weighted standard deviation (root mean square
      without an intercept) when the output weights are learned: they absorb
      it exactly (``o = y_scale * o_int``). With fixed output weights the
      user has fixed the output scale, so y keeps its units (1 here); the
      papers' planted fits run in the papers' units.
    * ``column_scale`` (RVSM on a dense layer) is the root mean square of
      each feature, so that thresholds act on weights of unit-scale inputs.

    Encoded class labels (the classifiers) are never shifted or scaled.
    """

    def __init__(self, y_shift=0.0, y_scale=1.0, column_scale=None, scaled=False):
        self.y_shift = y_shift
        self.y_scale = y_scale
        self.column_scale = column_scale
        self.scaled = scaled  # y standardised (learned output weights)

    @classmethod
    def for_fit(
        cls, model, X, y, sample_weight, scale_columns, labels=False, robust=False
    ):
        w = None if sample_weight is None else sample_weight / sample_weight.sum()
        # In float64: the squares of float32 targets may overflow float32.
        y64 = y.astype(np.float64, copy=False)
        one = y.ndim == 1
        shift = 0.0
        if model.fit_intercept and not labels:
            shift = np.average(y64, axis=0, weights=w)
            shift = float(shift) if one else shift
        scale = 1.0
        scaled = "output" in model.names and not labels
        if scaled:
            scale = np.sqrt(np.average((y64 - shift) ** 2, axis=0, weights=w))
            if robust:
                # Outliers must not set the units of a robust loss: 1.4826
                # times the median absolute deviation (the standard
                # deviation for Gaussian data), where it is positive.
                centre = _weighted_median(y64, w)
                mad = 1.4826 * _weighted_median(np.abs(y64 - centre), w)
                scale = np.where(mad > 0, mad, scale)
            scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
            scale = float(scale) if one else scale
        column_scale = None
        if scale_columns:
            if sparse.issparse(X):
                squares = X.multiply(X).astype(np.float64)
                mean = squares.T @ w if w is not None else squares.mean(axis=0)
                rms = np.sqrt(np.asarray(mean).ravel())
            else:
                squares = np.square(X, dtype=np.float64)
                rms = np.sqrt(np.average(squares, axis=0, weights=w))
            rms[~(rms > 0) | ~np.isfinite(rms)] = 1.0
            column_scale = rms.astype(X.dtype)
        return cls(shift, scale, column_scale, scaled)

    def same_as(self, other):
        """Whether ``other`` maps to and from the same internal units."""
        pairs = [
            (self.y_shift, other.y_shift),
            (self.y_scale, other.y_scale),
            (self.column_scale, other.column_scale),
        ]
        for a, b in pairs:
            if (a is None) != (b is None):
                return False
            if a is not None and (np.shape(a) != np.shape(b) or np.any(a != b)):
                return False
        return self.scaled == other.scaled

    def y_in(self, y):
        y_int = ((y - self.y_shift) / self.y_scale).astype(y.dtype, copy=False)
        if self.scaled and y_int.dtype == np.float64:
            # A grid of 2^-30 standard deviations: c * y and y then give the
            # same internal target bit for bit (unless a value sits within
            # rounding of a grid point, about one in 10^7), so the whole fit,
            # every step-size decision included, is the same in any units of
            # y. The change to the data is below 1e-9 of its spread.
            y_int = np.ldexp(np.round(np.ldexp(y_int, _GRID_BITS)), -_GRID_BITS)
        return y_int

    def hidden_in(self, W):
        return W.copy() if self.column_scale is None else W * self.column_scale

    def hidden_out(self, V):
        return V.copy() if self.column_scale is None else V / self.column_scale

    def params_in(self, params, names):
        dtype = params[0].dtype
        out = []
        for name, p in zip(names, params):
            if name == "hidden":
                p = self.hidden_in(p)
            elif name == "output":
                p = p / self.y_scale
            else:
                p = (p - self.y_shift) / self.y_scale
            out.append(np.asarray(p, dtype=dtype))
        return out

    def params_out(self, params, names):
        dtype = params[0].dtype
        out = []
        for name, p in zip(names, params):
            if name == "hidden":
                p = self.hidden_out(p)
            elif name == "output":
                p = p * self.y_scale
            else:
                p = p * self.y_scale + self.y_shift
            out.append(np.asarray(p, dtype=dtype))
        return out


class BaseShallowNetwork(BaseEstimator):
    """Common parameters and ``fit`` of the shallow networks (the core).

    A task front end (:class:`ShallowRegressorMixin`,
    :class:`ShallowClassifierMixin`) says how targets are encoded, which
    loss fits them and how a validation split is scored; an algorithm part
    (projected steps, RVSM, ...) says which update rule the loop runs
    (:meth:`_make_update`) and how it starts. Concrete estimators set their
    own parameters in ``__init__``.
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
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
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

    # ---- hooks of the algorithm part -------------------------------------
    def _make_update(self, param_shape):
        raise NotImplementedError

    def _store_extra(self, result):
        """Store estimator-specific fitted attributes."""

    def _warm_up(self, objective, params, rng):
        """A first descent before the fit's own: ``(params, result or None)``.

        ``params`` are in internal units. None: no warm-up (the default).
        """
        return params, None

    def _auto_alpha(self):
        """The L2 weights ``(hidden, output)`` that ``alpha='auto'`` stands for.

        ``ALPHA`` on both for a learned output layer; nothing with fixed
        output weights (the papers' planted setting, whose algorithms have
        no weight decay). Called after ``_make_update``.
        """
        alpha = ALPHA if "output" in self._model.names else 0.0
        return alpha, alpha

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

    def _init_spec(self):
        """The ``init`` the start is built from (a name or an array)."""
        return self.init

    def _initial_hidden(self, X, y, sw, shape, rng):
        """Starting hidden parameters of the given shape, in the user's units."""
        init = self._init_spec()
        dtype = X.dtype
        if isinstance(init, str):
            if init == "zero":
                return np.zeros(shape, dtype=dtype)
            if init == "random":
                # Each unit's pre-activation has unit variance in the fit's
                # internal units (standardised y and, for RVSM, features).
                V = rng.standard_normal(shape) / np.sqrt(shape[1])
                return self._units.hidden_out(V.astype(dtype))
            if self._model.n_outputs is not None:
                raise ValueError(
                    "init='tensor' needs one output (1-D y for a regressor, "
                    f"two classes for a classifier); this fit has "
                    f"{self._model.n_outputs} outputs. Use init='random'."
                )
            init = _tensor_hidden(X, self._y_for_start(y), sw, self._model, rng)
        W0 = np.asarray(init, dtype=dtype)
        arch = self._model.architecture
        n_features = X.shape[1]
        if W0.shape != shape:
            dense_shape = (self._model.n_hidden, n_features)
            if W0.shape == dense_shape and shape != dense_shape:
                return arch.from_dense(W0, n_features).astype(dtype)
            raise ValueError(
                f"init array has shape {W0.shape}; expected {shape}"
                + (f" or {dense_shape}" if shape != dense_shape else "")
                + "."
            )
        if not np.all(np.isfinite(W0)):
            raise ValueError("init array contains NaN or infinity.")
        return W0.copy()

    def _y_for_start(self, y):
        """The targets a data-driven start (the tensor step) should see.

        With learned output weights the hidden layer lives in units free of
        y's (the output weights carry the scale): the start is computed from
        the standardised targets, so it is the same in any units of y.
        """
        return self._units.y_in(y) if self._units.scaled else y

    def _initial_params(self, X, y, sw, shape, rng):
        """Starting parameters in the user's units (hidden, output, intercept)."""
        model = self._model
        blocks = model.block_shapes(shape)
        self._warm_started = False
        if self.warm_start and hasattr(self, "_raw_params"):
            if [p.shape for p in self._raw_params] == blocks:
                self._warm_started = True
                return [p.astype(X.dtype, copy=True) for p in self._raw_params]
        params = [self._initial_hidden(X, y, sw, shape, rng)]
        units = self._units
        if "output" in model.names:
            # With the full-batch squared loss these are solved exactly at
            # the first step; otherwise the descent starts from them.
            h = model.n_hidden
            size = blocks[model.names.index("output")]
            o = rng.choice([-1.0, 1.0], size=size) / np.sqrt(h) * units.y_scale
            params.append(o.astype(X.dtype))
        if "intercept" in model.names:
            # The best constant prediction for the loss (in user units).
            b = np.asarray(self._loss.baseline(y, sw), dtype=np.float64)
            params.append(np.reshape(b, blocks[-1]).astype(X.dtype))
        return params

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
        return tags

    # Whether the fit scales each feature to unit root mean square internally
    # (RVSM: thresholds then act on scale-free weights). Dense layers only.
    _scale_columns = False

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
        """
        result, constant = _keep_on_failure(self, self._fit, X, y, sample_weight)
        # A fit starts over: a later partial_fit continues from its result,
        # with a generator seeded afresh.
        self.__dict__.pop("_partial_state", None)
        self.__dict__.pop("_partial_rng", None)
        # Warnings point at the caller of fit (stacklevel 3: this method, the
        # _fit_context wrapper, the caller).
        if not result.converged:
            warnings.warn(
                f"{type(self).__name__} did not converge: {result.message}.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if constant is not None:
            warn_constant_fit(
                *constant,
                "Try another random_state, a smaller step_size, standardised "
                "inputs or another init.",
                stacklevel=3,
            )
        return self

    def _prepare(self, X, y, sample_weight, **target_options):
        """Validated data, encoded targets and weights; the model's parts."""
        X, y, n_outputs, loss, task_weight = self._check_targets(X, y, **target_options)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        if task_weight is not None:
            task_weight = task_weight.astype(X.dtype)
            sample_weight = (
                task_weight if sample_weight is None else sample_weight * task_weight
            )
        if sample_weight is not None and sample_weight.sum() <= 0:
            raise ValueError("sample_weight must have a positive sum.")
        return X, y, sample_weight, n_outputs, loss

    def _set_up(self, X, y, sample_weight, n_outputs, loss):
        """Resolve the model and the internal units of a new fit."""
        self._loss = loss
        self._model = self._resolve_model(X.shape[1], X.dtype, n_outputs)
        model = self._model
        scale_columns = self._scale_columns and not isinstance(
            model.architecture, Convolution
        )
        self._units = _Units.for_fit(
            model,
            X,
            y,
            sample_weight,
            scale_columns,
            labels=loss.encodes_labels,
            robust=getattr(loss, "robust_scale", False),
        )
        return model.architecture.param_shape(X.shape[1], self.n_hidden)

    def _fit(self, X, y, sample_weight):
        X, y, sample_weight, n_outputs, loss = self._prepare(X, y, sample_weight)
        rng = check_random_state(self.random_state)
        shape = self._set_up(X, y, sample_weight, n_outputs, loss)
        model = self._model
        # One thread policy for the whole fit, the tensor start included.
        with blas_threads(X.shape[0] * X.shape[1] * model.n_hidden):
            result, X_fit, y_fit, sw_fit = self._fit_params(
                X, y, sample_weight, shape, rng
            )
            constant = _constant_fit(model, result.params, X_fit, y_fit, sw_fit)
        continued = self._warm_started and hasattr(self, "loss_curve_")
        self._store(result, X.shape[1], continued)
        return result, constant

    def _store(self, result, n_features, continued):
        """Write the fitted attributes (``continued``: extend the history)."""
        model, loss = self._model, self._loss
        n_outputs = model.n_outputs
        dtype = result.params[0].dtype
        self._params = result.params
        self._raw_params = result.raw_params
        hidden, output, intercept = model.split(result.params)
        arch = model.architecture
        self.hidden_weights_ = arch.to_dense(hidden, n_features)
        self.output_weights_ = np.array(output, copy=True)
        if model.n_outputs is None:
            self.intercept_ = float(intercept)
        else:
            self.intercept_ = np.array(intercept, dtype=dtype).reshape(n_outputs)
        self.n_outputs_ = 1 if n_outputs is None else n_outputs
        self.loss_ = loss
        # A warm start (and partial_fit) continues the history, as MLP's does.
        self.n_iter_ = result.n_iter + (self.n_iter_ if continued else 0)
        # In the fit's internal units (standardised y), whatever the units of y.
        self.loss_curve_ = (list(self.loss_curve_) if continued else []) + list(
            result.loss_curve
        )
        self._loop_state = (result.state, self._units)
        self.validation_scores_ = (
            result.validation_scores if self.early_stopping else None
        )
        self.best_validation_score_ = result.best_validation_score
        self.step_size_ = result.step_size
        self.stationarity_ = result.stationarity
        self.activation_ = model.activation
        self.architecture_ = arch
        if isinstance(arch, Convolution):
            self.kernels_ = hidden.copy()
        self._store_extra(result)

    # ---- partial_fit -----------------------------------------------------
    def _partial_fit(self, X, y, sample_weight, **target_options):
        """One pass of mini-batch steps over ``(X, y)``, resuming the state.

        The first call sets the model up (and the internal units, from this
        first chunk: later chunks are fitted in the same units); every call
        runs one epoch of plain steps on mini-batches of ``batch_size`` (200
        when None), the constraint or the threshold after each step, and
        keeps the loop's state (step size, RVSM's ``u``, ADMM's ``z``) for
        the next call. Early stopping and the exact output layer do not
        apply.
        """
        # After fit, partial_fit continues the fitted model (as MLP's does).
        first = not hasattr(self, "_raw_params")
        X, y, sample_weight, n_outputs, loss = self._prepare(
            X, y, sample_weight, reset=first, **target_options
        )
        if first:
            self._partial_rng = check_random_state(self.random_state)
            shape = self._set_up(X, y, sample_weight, n_outputs, loss)
        else:
            shape = self._raw_params[0].shape
        update = self._make_update(shape)
        if first:
            self._resolve_alpha()
            self._warm_started = False
            self._partial_start = True
            try:
                params = self._initial_params(
                    X, y, sample_weight, shape, self._partial_rng
                )
            finally:
                self._partial_start = False
            state = None
        else:
            params = self._raw_params
            state = getattr(self, "_partial_state", None)
            if not hasattr(self, "_partial_rng"):
                self._partial_rng = check_random_state(self.random_state)
        model, units, names = self._model, self._units, self._model.names
        params = units.params_in(params, names)
        y_int = units.y_in(y)
        batch = min(self.batch_size or 200, X.shape[0])
        objective = Objective(
            self._internal_model(),
            loss,
            X,
            y_int,
            sample_weight,
            batch,
            exact_linear=False,
            alpha=self.alpha_,
            alpha_output=self.alpha_output_,
        )
        with blas_threads(X.shape[0] * X.shape[1] * model.n_hidden):
            result = descend(
                objective,
                params,
                update,
                solver="pgd",
                step_size=self.step_size,
                max_iter=1,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                rng=self._partial_rng,
                callback=self._user_callback(),
                verbose=self.verbose,
                names=names,
                state=state,
            )
        result.params = units.params_out(result.params, names)
        result.raw_params = units.params_out(result.raw_params, names)
        self._partial_state = result.state
        self._store(result, X.shape[1], continued=not first)
        self.validation_scores_ = self.best_validation_score_ = None
        return self

    def _resolve_alpha(self):
        if self.alpha == "auto":
            self.alpha_, self.alpha_output_ = self._auto_alpha()
        else:
            self.alpha_ = self.alpha_output_ = float(self.alpha)
        if "output" not in self._model.names:
            self.alpha_output_ = 0.0

    def _internal_model(self):
        """The fit's model in internal units (see :class:`_Units`)."""
        model = self._model
        return ShallowModel(
            model.activation,
            model.architecture,
            model.n_features,
            model.n_hidden,
            model.fixed_output,
            model.fit_intercept,
            column_scale=self._units.column_scale,
            n_outputs=model.n_outputs,
        )

    def _fit_params(self, X, y, sample_weight, shape, rng):
        """Start, split off the validation data, descend.

        Returns the :class:`~sklearn_shallow.solvers.DescentResult` with its
        parameters mapped back to the user's units, and the training part
        ``(X, y, sample_weight)`` the loop saw.
        """
        update = self._make_update(shape)
        self._resolve_alpha()
        params = self._initial_params(X, y, sample_weight, shape, rng)
        units, names = self._units, self._model.names
        internal = self._internal_model()
        params = units.params_in(params, names)
        y_int = units.y_in(y)
        _check_start(internal, params, X, y_int, self._init_spec())

        validate = None
        X_fit, y_fit, sw_fit = X, y_int, sample_weight
        if self.early_stopping:
            idx_train, idx_val = self._split_validation(
                y_int, self.validation_fraction, rng
            )
            if len(idx_val) < 2:
                raise ValueError(
                    f"early_stopping needs at least 2 validation samples; "
                    f"validation_fraction={self.validation_fraction} of "
                    f"{X.shape[0]} samples gives {len(idx_val)}."
                )
            X_fit, y_fit = X[idx_train], y_int[idx_train]
            X_val, y_val = X[idx_val], y_int[idx_val]
            sw_val = None if sample_weight is None else sample_weight[idx_val]
            sw_fit = None if sample_weight is None else sample_weight[idx_train]

            def validate(p):
                # Score the model fit() returns: with the exact output layer,
                # o and b solved for the predicting hidden weights (RVSM's u),
                # on the training data. R^2 and accuracy are the same in
                # internal and user units.
                if objective.exact:
                    p = [a.copy() for a in p]
                    objective.value(p, objective.batches()[0])
                pred = internal.decision(p, X_val)
                return self._validation_score(y_val, pred, sw_val)

        objective = Objective(
            internal,
            self._loss,
            X_fit,
            y_fit,
            sw_fit,
            self.batch_size,
            # 'pgd' is the papers' algorithm: gradient steps on every block.
            # The output layer is linear least squares only for the squared
            # loss.
            exact_linear=self.solver != "pgd" and isinstance(self._loss, SquaredLoss),
            alpha=self.alpha_,
            alpha_output=self.alpha_output_,
        )
        params, warm = self._warm_up(objective, params, rng)
        # After a warm-up the fit resumes its scales and step size (the start
        # was checked there; the projected point may sit on kinks).
        state = self._resume_state() if warm is None else warm.state
        result = self._descend(objective, params, update, rng, validate, state=state)
        if warm is not None:
            # One history for the whole fit: the warm-up, then the fit.
            result.loss_curve = list(warm.loss_curve) + list(result.loss_curve)
            result.n_iter += warm.n_iter
        if objective.exact:
            # The predicting hidden weights may differ from the loop's own
            # (RVSM's sparse u): solve the output layer for them.
            result.params = [p.copy() for p in result.params]
            objective.value(result.params, objective.batches()[0])
        result.params = units.params_out(result.params, names)
        result.raw_params = units.params_out(result.raw_params, names)
        # y_fit is in internal units: the constant-fit check only asks
        # whether it varies.
        return result, X_fit, y_fit, sw_fit

    def _user_callback(self):
        """The user's callback, seeing parameters in the user's units."""
        if self.callback is None:
            return None
        units, names = self._units, self._model.names

        def callback(info):
            arrays = [info["params"][name] for name in names]
            info = dict(info, params=dict(zip(names, units.params_out(arrays, names))))
            return self.callback(info)

        return callback

    def _resume_state(self):
        """The loop state a warm start resumes from, or None.

        The state (last step size, RVSM's ``u``, ADMM's ``z``) is in the
        internal units of the fit that left it; it is only reused when this
        fit's units are the same (the same data), else the rule starts its
        variables afresh from the parameters.
        """
        previous = getattr(self, "_loop_state", None)
        if not self._warm_started or previous is None:
            return None
        state, units = previous
        if not self._units.same_as(units):
            return {"mu": state.get("mu")}
        return state

    def _descend(
        self, objective, params, update, rng, validate, callback=True, state=None
    ):
        """Run the loop with the estimator's settings (``callback=False``:
        without the user's callback, as in a warm-up)."""
        return descend(
            objective,
            params,
            update,
            solver=self.solver,
            step_size=self.step_size,
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            rng=rng,
            validate=validate,
            callback=self._user_callback() if callback else None,
            verbose=self.verbose,
            names=self._model.names,
            state=state,
        )

    def _decision(self, X):
        """Network output ``sum_j o_j sigma(w_j . x) + b`` on validated X."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            reset=False,
            accept_sparse=self._sparse_formats(),
        )
        return self._model.decision(self._params, X)
