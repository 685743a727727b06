"""Quadratic networks with weight decay, and a certificate of global optimality.

Du and Lee (2018) study the one-hidden-layer network with quadratic
activation

    f(x) = sum_j a_j (w_j . x)^2 + b = x^T W^T A W x + b,    A = diag(a),

trained on the regularised objective (ALGORITHMS.md, section 4)

    L(W) = sum_i s_i l(f(x_i), y_i) + lam/2 ||W||_F^2 + <C, W^T W>,

with normalised sample weights ``s_i`` (``1/n`` without weights), a convex
loss ``l`` and an optional small random PSD perturbation ``C``. They prove
that every local minimum is global and every saddle strict once the width
``k`` satisfies ``k >= d`` or, with the perturbation, ``k(k+1)/2 > n``.

The estimators report whether their fit is certifiably the global minimum:
the certificate, its derivation and its use in the fit (the stopping rule,
the intercept at its minimiser, the refinement of a stalled run) are in
:mod:`sklearn_shallow.certificate`.

The estimators run on the package's one front end
(:class:`~sklearn_shallow._base.BaseShallowNetwork`): validation, label
encoding, the internal units, :func:`~sklearn_shallow._fit.run.fit_network`
on the shared :class:`~sklearn_shallow._network.Objective`, and fitted
attributes written once at the end (a failed fit leaves the previous model
whole). What is theirs (:class:`_QuadraticPart`): the model (quadratic
activation, the signs as fixed output weights, a hidden bias as a column of
ones), ``<C, W^T W>`` as a regulariser part
(:class:`~sklearn_shallow.regularisers.Perturbation`), the certificate.

Units: each column of X is scaled to unit root mean square, and for the
squared loss y is standardised, ``y_s = (y - m) / s`` (``m = 0`` without an
intercept). ``f`` is positively homogeneous of degree 2 in the augmented
hidden weights ``[W, c]``, so ``[W, c] -> sqrt(s) [W, c]`` and
``b -> s b + m`` map the fitted network back exactly; this bijection
multiplies the objective by ``s^2`` when the weight decay and ``C`` are
read as ``s lam`` and ``s C``, so the certificate of the internal problem
(standardised y, scaled columns, where weight decay and ``C`` act)
certifies the returned network as well.

Why a module of ~1000 lines: about 470 are code (the two estimators'
parameters, the signs and width, the perturbation, the per-network
attributes and the one-vs-rest loop); the rest are the estimators' full
numpydoc pages. The certificate and its refinement live in
:mod:`~sklearn_shallow.certificate`, the fit in the shared front end.

References
----------
.. [1] S. S. Du and J. D. Lee, "On the Power of Over-parametrization in
   Neural Networks with Quadratic Activation", ICML 2018.
"""

import functools
import inspect
import math
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.linalg import eigvalsh
from scipy.special import expit, logsumexp
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _array_api as aa
from ._base import BaseShallowNetwork
from ._fit.run import fit_network
from ._fit.scales import check_feature_offsets, column_moments
from ._fit.spec import FitData, FitResult, FitSpec
from ._fit.starts import initial_params
from ._fit.units import _Units
from ._loss import LogisticLoss, SquaredLoss
from ._task import ShallowClassifierMixin, ShallowRegressorMixin
from ._threads import blas_threads

# The certificate lives in its own module; its names stay importable from
# here (``from sklearn_shallow.quadratic import certify``).
from .certificate import (
    CERTIFICATE_RTOL,
    CHECK_EVERY,  # noqa: F401 (importable from here, as before)
    DENSE_CERTIFICATE_MAX_FEATURES,
    OptimalityCertificate,
    _CertifiedStop,
    _finish,
    _spectrum_ends,
    certify,
    quadratic_model,
    quadratic_objective,
)
from .regularisers import Perturbation
from .solvers import UpdateRule

__all__ = [
    "CERTIFICATE_RTOL",
    "DENSE_CERTIFICATE_MAX_FEATURES",
    "OptimalityCertificate",
    "QuadraticNetClassifier",
    "QuadraticNetRegressor",
    "alpha_grid",
    "alpha_max",
    "auto_alpha",
    "auto_width",
    "certify",
    "quadratic_objective",
]


def auto_width(n_features, n_samples):
    """Smallest width covered by Du and Lee's landscape theorems.

    The smallest ``k`` with ``k >= n_features`` (Theorem 3.1) or
    ``k (k + 1) / 2 > n_samples`` (Theorem 3.2, which needs the random
    perturbation ``C``).

    Parameters
    ----------
    n_features : int
    n_samples : int

    Returns
    -------
    n_hidden : int

    Examples
    --------
    >>> from sklearn_shallow.quadratic import auto_width
    >>> auto_width(15, 60), auto_width(20, 200), auto_width(5, 1000)
    (11, 20, 5)
    """
    # k (k + 1) / 2 > n  <=>  k > (sqrt(8 n + 1) - 1) / 2, in integer arithmetic.
    by_samples = (math.isqrt(8 * n_samples + 1) - 1) // 2 + 1
    return max(1, min(n_features, by_samples))


def auto_alpha(n_features, n_samples):
    """The weight decay that ``alpha='auto'`` stands for: ``sqrt(d / n)``.

    ``d`` counts the hidden bias as a feature and ``n`` the samples of
    positive weight. In the fit's internal units (columns of unit root mean
    square, standardised ``y``) the weight decay ``lam`` shrinks the
    spectrum of the fitted form ``W^T A W`` by ``lam / 2``: it is a nuclear
    norm penalty, and the zero network is optimal exactly when ``lam / 2``
    exceeds the top eigenvalue of ``M = sum_i s_i r_i x_i x_i^T`` (the
    residuals of the constant; :func:`alpha_max`). For targets that are
    pure noise of unit variance on isotropic inputs that eigenvalue is about
    ``2 sqrt(d / n)`` (a random matrix of that size), so the fit to pure
    noise is the constant from ``lam`` near ``4 sqrt(d / n)`` on. 'auto' is
    a quarter of that: it stops the fit from interpolating the noise of
    small samples, and fades as ``n`` grows.

    Measured (5-fold CV R^2, issue 20): ISLR's Hitters (log salary,
    n = 263, 22 columns), -0.77 at ``alpha=1e-3`` and 0.37 at
    ``sqrt(d / n)`` (0.52 with ``output_weights='balanced'``; RidgeCV
    0.45); scikit-learn's diabetes 0.48 and 0.45; a noiseless planted
    quadratic (n = 1000, d = 20) 1.000 and 0.971. Fits that need the small
    bias of a tiny ``alpha`` (the papers' planted, noiseless problems)
    should set it; a search over :func:`alpha_grid` picks it from the data.

    Parameters
    ----------
    n_features : int
        Columns of the internal problem (with the hidden bias's column).
    n_samples : int

    Returns
    -------
    alpha : float

    Examples
    --------
    >>> from sklearn_shallow.quadratic import auto_alpha
    >>> round(auto_alpha(23, 210), 3)
    0.331
    """
    return math.sqrt(n_features / max(n_samples, 1))


def _internal_problem(X, y, sample_weight, hidden_bias, fit_intercept, loss):
    """``(X, scale, s, dloss)`` of the internal problem at the zero network.

    ``X`` with the column of ones of hidden biases, its columns' root mean
    square ``scale`` (the hidden weights act on ``X / scale``), the
    normalised sample weights ``s`` and the loss derivatives ``l'_i`` at the
    zero network with its optimal intercept: the units of the fit
    (:class:`~sklearn_shallow._fit.units._Units`), without a fit.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(
            f"X must be 2-d and y 1-d with as many samples; got X of shape "
            f"{X.shape} and y of shape {y.shape}."
        )
    n = X.shape[0]
    if sample_weight is None:
        s = np.full(n, 1.0 / n)
    else:
        s = np.asarray(sample_weight, dtype=np.float64)
        s = s / s.sum()
    if hidden_bias:
        X = _augment(X)
    scale = column_moments(X, None if sample_weight is None else s)[1].copy()
    scale[~(scale > 0) | ~np.isfinite(scale)] = 1.0
    if loss == "squared_error":
        # Standardised y (the intercept's optimum at W = 0 is its mean, 0):
        # l' = f - y_s = -y_s.
        centred = y - (np.dot(s, y) if fit_intercept else 0.0)
        spread = math.sqrt(float(np.dot(s, centred**2)))
        dloss = -centred / (spread if spread > 0 else 1.0)
    elif loss == "log_loss":
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise ValueError("loss='log_loss' needs targets in {-1, +1}.")
        # The intercept's optimum at W = 0: sigmoid(b) = P(y = +1).
        positive = float(np.dot(s, y > 0))
        b = 0.0
        if fit_intercept and 0 < positive < 1:
            b = math.log(positive / (1 - positive))
        dloss = -y * expit(-y * b)
    else:
        raise ValueError(f"loss must be 'squared_error' or 'log_loss'; got {loss!r}.")
    return X, scale, s, dloss


def alpha_max(
    X,
    y,
    *,
    sample_weight=None,
    output_weights="balanced",
    hidden_bias=True,
    fit_intercept=True,
    loss="squared_error",
):
    """Smallest ``alpha`` at which the zero network is the global optimum.

    At ``W = 0`` the gradient of ``L`` vanishes (``f`` is quadratic in
    ``W``), and the convex view of the certificate
    (:mod:`sklearn_shallow.certificate`) says ``W = 0`` (with the intercept
    at its optimum) is a global minimiser exactly when
    ``a S0 + lam/2 I`` is positive semidefinite for every sign ``a`` among
    the output weights, where ``S0 = sum_i s_i l'_i x_i x_i^T`` is taken at
    the zero network. With the squared loss ``l'_i = -y_i`` (standardised
    targets), so ``S0 = -M`` with ``M = sum_i s_i y_i x_i x_i^T``, and

        alpha_max = 2 max(lambda_max(M), 0)                 output_weights='ones'
        alpha_max = 2 max(lambda_max(M), -lambda_min(M))     'balanced'

    all in the internal units of the fit (columns of X, with the column of
    ones of hidden biases, scaled to unit root mean square; ``y``
    standardised), where ``alpha`` acts. For ``alpha >= alpha_max`` the fit
    is the constant ``mean(y)``; below it the zero network is a strict
    saddle and a fit moves away. A positive ``perturbation`` ``C`` (PSD)
    lowers the threshold, to no less than ``alpha_max - 2 ||C||_2``; it is
    not included.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data as the estimator receives it (dense).
    y : array-like of shape (n_samples,)
        Targets; with ``loss='log_loss'``, in {-1, +1} (one one-vs-rest
        problem of :class:`QuadraticNetClassifier`).
    sample_weight : array-like of shape (n_samples,), default=None
    output_weights : 'ones', 'balanced' or array-like of -1 and +1, \
            default='balanced'
        Only which signs occur matters (the estimators' defaults are
        'balanced').
    hidden_bias, fit_intercept : bool, default=True
        As in the estimators.
    loss : {'squared_error', 'log_loss'}, default='squared_error'

    Returns
    -------
    alpha_max : float
        In the units of the estimators' ``alpha``; 0.0 when no positive
        ``alpha`` makes the zero network suboptimal.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.quadratic import QuadraticNetRegressor, alpha_max
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 3))
    >>> y = X[:, 0] ** 2 + 0.1 * rng.standard_normal(100)
    >>> top = alpha_max(X, y)
    >>> below = QuadraticNetRegressor(alpha=0.9 * top, random_state=0).fit(X, y)
    >>> bool(np.abs(below.quadratic_form_).max() > 0), below.is_certified_
    (True, True)

    Above ``top`` the fit is the constant (with a ``DegenerateFitWarning``).
    """
    Xa, scale, s, dloss = _internal_problem(
        X, y, sample_weight, hidden_bias, fit_intercept, loss
    )
    signs = _sign_set(output_weights)
    lo, _, _ = _spectrum_ends(
        Xa,
        s * dloss,
        signs,
        0.0,
        None,
        DENSE_CERTIFICATE_MAX_FEATURES,
        np.random.default_rng(0),
        scale,
    )
    return max(0.0, -2.0 * lo)


def _sign_set(output_weights):
    """The distinct signs of ``output_weights`` ('ones', 'balanced' or an array)."""
    if isinstance(output_weights, str):
        return (1.0,) if output_weights == "ones" else (1.0, -1.0)
    return tuple(float(a) for a in np.unique(np.asarray(output_weights, dtype=float)))


def alpha_grid(X, y, *, n_alphas=30, eps=1e-4, **options):
    """A decreasing geometric grid of ``alpha`` for a path or a search.

    From :func:`alpha_max` (the zero network, the constant ``mean(y)``)
    down to ``eps * alpha_max``, ``n_alphas`` values evenly spaced in
    ``log(alpha)``, as scikit-learn's lasso path does for its ``alpha``.

    Parameters
    ----------
    X, y :
        As in :func:`alpha_max`.
    n_alphas : int, default=30
    eps : float, default=1e-4
        ``alpha_min / alpha_max``.
    **options :
        ``sample_weight``, ``output_weights``, ``hidden_bias``,
        ``fit_intercept``, ``loss``, passed to :func:`alpha_max` (the
        estimator's own values, so that the grid is in the units of its
        ``alpha``).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing; ``alphas[0] = alpha_max``. When ``alpha_max`` is 0 (no
        quadratic form improves on the constant), ``n_alphas`` copies of the
        smallest resolvable float, as scikit-learn's lasso does.
    """
    top = alpha_max(X, y, **options)
    if not top > 0:
        return np.full(n_alphas, np.finfo(float).resolution)
    return np.geomspace(top, top * eps, num=n_alphas)


# ---- solvers ---------------------------------------------------------------
#: The step policies of the shared loop (:func:`~sklearn_shallow.solvers.descend`)
#: a quadratic net may use: its objective is smooth, so L-BFGS applies.
SOLVERS = ("lbfgs", "pgd")

#: Parameters renamed in version 0.1: (old, new).
RENAMED = (("weight_decay", "alpha"), ("output_signs", "output_weights"))

#: When a fit may end: see the ``stop`` parameter.
STOPS = ("stationary", "certified")


# ---- estimators ---------------------------------------------------------------
class _QuadraticPart(BaseShallowNetwork):
    """Du and Lee's networks on the shared front end: the model, the
    perturbation and the certificate are theirs, the rest is the front
    end's (module docstring)."""

    _parameter_constraints = {
        "n_hidden": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "perturbation": [Interval(Real, 0, None, closed="left"), "array-like"],
        "output_weights": [StrOptions({"ones", "balanced"}), "array-like"],
        "hidden_bias": ["boolean"],
        "fit_intercept": ["boolean"],
        "solver": [StrOptions(set(SOLVERS) | {"gd"}, deprecated={"gd"})],
        "stop": [StrOptions(set(STOPS))],
        "step_size": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        # Renamed in 0.1 (issue 11, item 6); removed in 0.2.
        "weight_decay": [
            Interval(Real, 0, None, closed="left"),
            Hidden(StrOptions({"deprecated"})),
        ],
        "output_signs": [
            StrOptions({"balanced"}),
            "array-like",
            None,
            Hidden(StrOptions({"deprecated"})),
        ],
    }

    # y's scale is absorbed by the hidden weights: f is homogeneous of
    # degree 2 in them.
    _hidden_degree = 2
    # The certificate is a statement about the full objective.
    _partial_fit_supported = False

    def _sparse_formats(self):
        return False

    #: The fitted arrays that follow X to its namespace and device.
    _device_attributes = BaseShallowNetwork._device_attributes + (
        "hidden_bias_",
        "quadratic_form_",
        "perturbation_matrix_",
    )

    def _resolve_renamed(self):
        """``(alpha, output_weights, solver)``, from the old names when given.

        An old name that is set warns (FutureWarning) and is used; an old
        name set together with its new name (away from its default) is an
        error.
        """
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        resolved = {"alpha": self.alpha, "output_weights": self.output_weights}
        for old, new in RENAMED:
            value = getattr(self, old)
            if isinstance(value, str) and value == "deprecated":
                continue
            current = getattr(self, new)
            default = defaults.get(new, current)
            if not (isinstance(current, str) or np.isscalar(current)) or (
                current != default
            ):
                raise ValueError(
                    f"Both {new}={current!r} and the deprecated {old}={value!r} "
                    f"are set; set only {new}."
                )
            warnings.warn(
                f"'{old}' was renamed '{new}' in version 0.1 and will be removed "
                f"in 0.2: use {new}=... instead.",
                FutureWarning,
                stacklevel=7,
            )
            # The old default None (every sign +1) is 'ones' now.
            resolved[new] = "ones" if value is None else value
        solver = self.solver
        if solver == "gd":
            warnings.warn(
                "solver='gd' was renamed 'pgd' in version 0.1 and will be removed "
                "in 0.2: use solver='pgd' instead.",
                FutureWarning,
                stacklevel=7,
            )
            solver = "pgd"
        return resolved["alpha"], resolved["output_weights"], solver

    def _resolve_signs(self, signs, n_features, n_samples):
        """Output signs ``a``, which also fix the width."""
        auto = self.n_hidden == "auto"
        if isinstance(signs, str) and signs == "ones":
            k = auto_width(n_features, n_samples) if auto else self.n_hidden
            return np.ones(k)
        if isinstance(signs, str):  # 'balanced'
            if auto:
                k = auto_width(n_features, n_samples)
                return np.concatenate([np.ones(k), -np.ones(k)])
            k = self.n_hidden
            return np.concatenate([np.ones(k - k // 2), -np.ones(k // 2)])
        a = np.asarray(signs, dtype=float)
        if a.ndim != 1 or a.size == 0 or not np.all(np.isin(a, (-1.0, 1.0))):
            raise ValueError(
                "output_weights must be 'ones', 'balanced' or a 1-d array of -1 "
                f"and +1 entries; got {signs!r}."
            )
        if not auto and a.size != self.n_hidden:
            raise ValueError(
                f"output_weights has {a.size} entries but n_hidden={self.n_hidden}; "
                "give one sign per hidden unit, or n_hidden='auto' to take the "
                "width from output_weights."
            )
        return a

    def _perturbation(self, n_features, dtype, rng):
        """``(C or None, direction)``.

        A float ``delta`` gives ``delta G G^T / ||G G^T||_F`` with ``G``
        standard normal: the Wishart direction has a density on the PSD
        cone, as Theorem 3.2 asks. A warm start keeps the previous
        direction. An array is checked and used as it is.
        """
        delta = self.perturbation
        if not isinstance(delta, Real):
            C = np.asarray(delta, dtype=float)
            if C.shape != (n_features, n_features):
                raise ValueError(
                    f"perturbation given as a matrix must have shape "
                    f"({n_features}, {n_features}) (n_features, plus one with "
                    f"hidden_bias=True); got {C.shape}."
                )
            if not np.all(np.isfinite(C)) or not np.allclose(C, C.T):
                raise ValueError(
                    "perturbation given as a matrix must be finite and symmetric."
                )
            lowest = eigvalsh(C)[0]
            if lowest < -1e-12 * max(1.0, np.linalg.norm(C)):
                raise ValueError(
                    "perturbation given as a matrix must be positive semidefinite; "
                    f"its smallest eigenvalue is {lowest:.3g}."
                )
            return C.astype(dtype), None
        if delta == 0:
            return None, None
        direction = getattr(self, "_perturbation_direction", None)
        if not (
            self.warm_start
            and direction is not None
            and direction.shape == (n_features, n_features)
        ):
            G = rng.standard_normal((n_features, n_features))
            direction = G @ G.T
            direction /= np.linalg.norm(direction)
        return (delta * direction).astype(dtype), direction

    def _prepare(self, X, y, sample_weight, **target_options):
        """The front end's data; with hidden biases, X gets a column of ones
        (the model then is Du and Lee's on the augmented inputs)."""
        data = super()._prepare(X, y, sample_weight, **target_options)
        if self.hidden_bias:
            data.X = _augment(data.X)
            if data.host is not None:
                source = data.host
                data.host = functools.cache(lambda: _augment(source()))
        return data

    def _path_grid(self, data, n_values, eps):
        """``n_values`` weight decays from :func:`alpha_max` (the zero
        network is optimal there) down to ``eps * alpha_max`` (1e-3 when
        None); the largest over the one-vs-rest problems of a classifier.
        On Hitters (log salary, 5-fold R^2) the best alphas lie between
        2e-3 and 0.2 of alpha_max; below 1e-3 of it fits run to max_iter."""
        eps = 1e-3 if eps is None else eps
        if not 0 < eps < 1:
            raise ValueError(f"eps must be in (0, 1); got {eps}.")
        _, output_weights, _ = self._resolve_renamed()
        options = dict(
            sample_weight=data.sample_weight,
            output_weights=output_weights,
            # data.X already holds the hidden biases' column of ones.
            hidden_bias=False,
            fit_intercept=self.fit_intercept,
        )
        # alpha_max is computed on the host (scipy's eigenvalues of a d x d
        # matrix; for X of another namespace, from the fit's one host copy).
        X = data.host_X()
        if not data.loss.encodes_labels:
            top = alpha_max(X, data.y, loss="squared_error", **options)
        else:
            y = data.y if data.y.ndim > 1 else data.y[:, None]
            top = max(
                alpha_max(
                    X, np.where(column > 0, 1.0, -1.0), loss="log_loss", **options
                )
                for column in y.T
            )
        if not top > 0:
            raise ValueError(
                "No weight decay makes the zero network suboptimal on these "
                "data (alpha_max = 0): no quadratic form improves on the "
                "constant. Pass alphas."
            )
        return top * np.geomspace(1.0, eps, n_values), None

    def _fit_spec(self, data, rng, partial=False, stored=None):
        """The quadratic network, its objective and its stopping rule.

        ``stored``: the previous fit of this network when the estimator
        holds several (one per class).
        """
        X, y, sw = data.X, data.y, data.sample_weight
        alpha, output_weights, solver = self._resolve_renamed()
        n_used = X.shape[0] if sw is None else int(np.count_nonzero(sw))
        if isinstance(alpha, str):  # 'auto'
            alpha = auto_alpha(X.shape[1], n_used)
        signs = self._resolve_signs(output_weights, X.shape[1], n_used)
        dtype = aa.host_dtype(X)
        signs = signs.astype(dtype)
        model = quadratic_model(X.shape[1], signs, self.fit_intercept)
        moments = column_moments(X, sw)
        check_feature_offsets(X, sw, type(self).__name__, moments)
        units = _Units.for_fit(
            model,
            X,
            y,
            sw,
            True,
            labels=data.loss.encodes_labels,
            hidden_degree=self._hidden_degree,
            moments=moments,
        )
        C, direction = self._perturbation(X.shape[1], dtype, rng)
        certified_only = self.stop == "certified"
        tol = self.tol
        spec = FitSpec(
            model=model,
            units=units,
            update=UpdateRule(),
            start=None,
            loss=data.loss,
            alpha=alpha,
            exact_linear=isinstance(data.loss, SquaredLoss),
            solver=solver,
            step_size=self.step_size,
            max_iter=self.max_iter,
            # Only the certificate, a stall or max_iter end a 'certified' fit.
            tol=0.0 if certified_only else tol,
            verbose=self.verbose,
            regularisers=() if C is None else (Perturbation(C),),
            # The perturbation, the certificate stop and the finish work in
            # any namespace: with solver='pgd' an X of another namespace is
            # fitted on its device (the certificate's d x d eigenproblem on
            # the host).
            device_hooks=True,
            attributes={
                "perturbation_matrix_": C,
                "n_hidden_": int(signs.shape[0]),
                "_perturbation_direction": direction,
                "_alpha": alpha,
            },
        )
        stops = []

        def monitor(objective):
            stops.append(_CertifiedStop(objective, tol, rng))
            return stops[0]

        spec.monitor = monitor
        spec.finish = lambda objective, result: _finish(
            objective, result, stops[0], self.max_iter, tol, rng, certified_only
        )
        shape = (model.n_hidden, X.shape[1])
        if stored is None:
            stored = (
                getattr(self, "_raw_params", None),
                getattr(self, "_loop_state", (None, None)),
            )
        previous = self._previous_fit(model, shape, units, dtype, stored)
        names = model.names
        if previous is not None:
            spec.start, spec.resume = previous
            spec.continued = True
            # The previous weights of the internal problem, whatever the
            # units of this y: the same standardised fit resumes where it was.
            internal = stored[1][1].params_in(spec.start, names)
            spec.start_map = lambda params: [p.copy() for p in internal]
            return spec
        # E ||V x||^2 = ||V||_F^2 ~ 1 for inputs of unit scale (internal units).
        V = rng.standard_normal(shape) / math.sqrt(shape[0] * shape[1])
        V = V.astype(dtype)
        blocks = model.block_shapes(shape)
        spec.start = initial_params(
            units.hidden_out(V), model, units, data.loss, y, sw, blocks, rng
        )

        def start_map(params):
            # Drawn in internal units: no round trip through the user's.
            params[0] = V.copy()
            return params

        spec.start_map = start_map
        return spec

    def _store_extra(self, result):
        self.__dict__.pop("_class_nets", None)
        self._set_network_attributes([result])

    def _set_network_attributes(self, results):
        """The attributes of the fitted networks (a leading class axis when
        there are several)."""
        signs = aa.to_numpy(self.output_weights_)
        parts = [self._split(r.params) for r in results]
        forms = [h.T @ (signs[:, None] * h) for h, _, _ in parts]
        certificates = [r.certificate for r in results]
        stack = len(results) > 1

        def pick(values, as_array=True):
            if stack:
                return np.array(values) if as_array else list(values)
            return values[0]

        self.hidden_weights_ = pick([h for h, _, _ in parts])
        self.hidden_bias_ = pick([c for _, c, _ in parts])
        self.intercept_ = pick([b for _, _, b in parts])
        self.quadratic_form_ = pick(forms)
        self.certificate_ = pick(certificates, as_array=False)
        self.is_certified_ = all(c.certifies() for c in certificates)
        self.loss_ = pick([c.objective for c in certificates])
        self.n_iter_ = pick([r.n_iter for r in results])
        self.loss_curve_ = pick([list(r.loss_curve) for r in results], as_array=False)

    def _importance_terms(self):
        """For input ``j``, ``sum_i |Q_ji| + |L_j|`` in the fit's scaled
        units (columns of unit root mean square): ``Q`` the fitted quadratic
        form and ``L = 2 W^T (a * c)`` the linear terms the hidden biases
        ``c`` make, summed over the one-vs-rest networks of a classifier. An
        input that enters neither gets exactly 0."""
        scale = self._units.column_scale
        forms = np.asarray(aa.to_numpy(self.quadratic_form_), dtype=float)
        hidden = np.asarray(aa.to_numpy(self.hidden_weights_), dtype=float)
        bias = np.asarray(aa.to_numpy(self.hidden_bias_), dtype=float)
        if forms.ndim == 2:
            forms, hidden, bias = forms[None], hidden[None], bias[None]
        signs = np.asarray(aa.to_numpy(self.output_weights_), dtype=float)
        n = forms.shape[-1]
        s = np.ones(n) if scale is None else np.asarray(scale, dtype=float)[:n]
        terms = np.zeros(n)
        for Q, W, c in zip(forms, hidden, bias):
            linear = 2.0 * W.T @ (signs * c)
            terms += np.abs(s[:, None] * Q * s[None, :]).sum(axis=1)
            terms += np.abs(s * linear)
        return terms

    def _split(self, params):
        """``(hidden_weights, hidden_bias, intercept)`` of one network."""
        W = params[0]
        if self.hidden_bias:
            hidden, bias = W[:, :-1].copy(), W[:, -1].copy()
        else:
            hidden, bias = W.copy(), np.zeros(W.shape[0], dtype=W.dtype)
        intercept = float(params[-1][0]) if self.fit_intercept else 0.0
        return hidden, bias, intercept

    def _decision(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=aa.validation_dtypes(X), reset=False)
        if self.hidden_bias:
            X = _augment(X)
        nets = getattr(self, "_class_nets", None)
        if nets is None:
            return self._model.decision(self._params, X)
        scores = [model.decision(p, X) for model, p, _ in nets]
        xp = aa.namespace_of(X)
        return np.column_stack(scores) if xp is None else xp.stack(scores, axis=1)

    def _product_size(self, data):
        n, d = data.X.shape
        width = d if self.n_hidden == "auto" else self.n_hidden
        return n * d * width

    def _constant_hint(self):
        return (
            f"alpha={self._alpha} is too large for this data: zero weights are "
            "then the optimum. Lower it."
        )

    @property
    def output_signs_(self):
        """The fitted ``output_weights_`` under its name before 0.1."""
        warnings.warn(
            "'output_signs_' was renamed 'output_weights_' in version 0.1 and "
            "will be removed in 0.2.",
            FutureWarning,
            stacklevel=2,
        )
        return self.output_weights_


def _augment(X):
    """``[X, 1]``: the hidden biases as the weights of a column of ones (in
    X's namespace and on its device)."""
    xp = aa.namespace_of(X)
    if xp is None:
        return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])
    ones = xp.ones((X.shape[0], 1), dtype=X.dtype, device=aa.device(X))
    return xp.concat([X, ones], axis=1)


class QuadraticNetRegressor(ShallowRegressorMixin, _QuadraticPart):
    """One-hidden-layer network with quadratic activation and weight decay.

    Fits ``f(x) = sum_j a_j (w_j . x + c_j)^2 + b`` (``||W x||^2``, Du and
    Lee's network, with ``output_weights='ones'``, ``hidden_bias=False`` and
    ``fit_intercept=False``) by minimising

        L(W) = sum_i s_i l(f(x_i), y_i) + lam/2 ||W||_F^2 + <C, W^T W>

    with ``l(yhat, y) = (yhat - y)^2 / 2`` and ``s_i = 1/n`` (or normalised
    sample weights), and reports whether the result is certifiably the global
    minimum (:class:`OptimalityCertificate`). With this squared loss the
    objective is that of standardised targets (see Notes), so the fit does
    not depend on the units of ``y``.

    Parameters
    ----------
    n_hidden : 'auto' or int, default='auto'
        Width ``k``. 'auto' is the smallest ``k`` with ``k >= d`` or
        ``k (k + 1) / 2 > n`` (:func:`auto_width`), where ``d`` counts the
        hidden bias as a feature and ``n`` the samples of positive weight.
        The second case is covered by the theory only with a positive
        ``perturbation``. With ``output_weights='balanced'`` each sign gets
        this width.
    alpha : 'auto' or float, default='auto'
        ``lam`` in ``lam/2 ||W||_F^2``, which equals ``lam/2`` times the
        trace (nuclear norm) of ``W^T W`` for positive signs: the capacity
        control of Du and Lee's section 4. Hidden biases are decayed too.
        With ``loss='squared_error'`` it acts on the network fitted to the
        standardised targets ``(y - m) / s`` (see Notes), so the same value
        means the same fit whatever the units of ``y``; in those units it is
        a weight decay of ``s * lam``. 'auto' is ``sqrt(d / n)``
        (:func:`auto_alpha`; ``d`` with the hidden bias's column, ``n`` the
        samples of positive weight), the resolved value is ``alpha_``. The
        default was 1e-3 before version 0.1, which interpolated the noise of
        small data sets: on ISLR's Hitters (log salary, 263 samples, 22
        columns after one-hot encoding) 5-fold R^2 was -0.77, against 0.37
        with 'auto' and 0.45 for RidgeCV (issue 20). ``alpha_max(X, y)``
        (:func:`alpha_max`) is where the fit becomes the constant, and
        :func:`alpha_grid` proposes values for a search.
    perturbation : float or array-like of shape (n_aug, n_aug), default=0.0
        Adds ``<C, W^T W>``. A float ``delta`` draws a random PSD ``C`` of
        Frobenius norm ``delta`` (Theorem 3.2; it raises the optimal value by
        at most ``delta ||W*||_F^2``). A symmetric PSD matrix is used as
        ``C``; ``n_aug`` is ``n_features``, plus one with a hidden bias.
        With ``loss='squared_error'``, ``C`` too acts in standardised units
        (``s C`` in the units of ``y``).
    output_weights : 'ones', 'balanced' or array-like of shape (n_hidden,), \
            default='balanced'
        Fixed output weights ``a_j``. 'ones': all +1 (Du and Lee's network, a
        PSD quadratic form). 'balanced': half +1, half -1 (indefinite forms;
        every quadratic form once each half has ``d`` units). An array of -1
        and +1 entries is used as given, and sets the width when
        ``n_hidden='auto'``. The default was 'ones' before version 0.1: a
        PSD form cannot bend down (a target that saturates, as salaries do
        with seniority); on ISLR's Hitters (log salary, 5-fold R^2 at
        ``alpha='auto'``) 'ones' scored 0.37 and 'balanced' 0.52 (RidgeCV
        0.45), on scikit-learn's diabetes 0.45 and 0.49, on a planted
        PSD form (n = 200, d = 20, noise 0.5) 0.30 and 0.29. The width, and
        the cost of a fit, double.
    hidden_bias : bool, default=True
        Give each hidden unit a bias, ``(w_j . x + c_j)^2``, by appending a
        constant feature; the model then has linear terms as well. False
        (with ``fit_intercept=False`` and ``output_weights='ones'``) is Du
        and Lee's network ``||W x||^2``.
        The default was False before version 0.1: on scikit-learn's diabetes
        data (5-fold, after StandardScaler) the model scored R^2 = -0.04
        without biases and intercept, 0.02 with the intercept alone and 0.48
        with both.
    fit_intercept : bool, default=True
        Fit an unpenalised output bias ``b`` (the default was False before
        version 0.1; see ``hidden_bias``).
    loss : {'squared_error', 'log_loss'}, default='squared_error'
        'log_loss' is ``log(1 + exp(-y f(x)))`` for targets in {-1, +1}:
        the paper's general convex loss, with ``predict`` returning the raw
        output ``f``. Use :class:`QuadraticNetClassifier` for labels.
    solver : {'lbfgs', 'pgd'}, default='lbfgs'
        Step policy of the package's descent loop: 'lbfgs', limited-memory
        BFGS (scipy's L-BFGS-B on the packed weights); 'pgd', full-batch
        gradient steps with a backtracking or fixed step. 'gd', the name of
        'pgd' before 0.1, still works until 0.2, with a FutureWarning.
    step_size : 'auto' or float, default='auto'
        Step of 'pgd': 'auto' backtracks, a float is fixed. Unused by 'lbfgs'.
    max_iter : int, default=1000
        Iterations of either solver.
    tol : float, default=1e-4
        Relative tolerance of both stopping rules (see ``stop``): the fit
        ends once the optimality certificate proves
        ``L(W) - min L <= tol * L(W)`` (checked every 10 iterations), or,
        with ``stop='stationary'``, once the gradient has fallen below
        ``tol`` times its first value and the objective changed by less than
        ``tol`` times its first value over the last 10 iterations.
    stop : {'stationary', 'certified'}, default='certified'
        When the fit may end. 'certified': only the certificate (or
        ``max_iter``) ends the fit; a run that stalls short of ``tol`` gets
        up to 200 gradient-only steps that sharpen the certificate.
        'stationary': at the first of the two rules above; the certificate
        is then computed for the final weights and may report a larger gap
        than ``tol`` (``is_certified_`` says). Driving the certified gap to
        ``tol`` can take several times more iterations than the accuracy
        needs (benchmarks/bench_quadratic.py); on ISLR's Hitters (log
        salary, 5-fold) it took 20 % more, and certified fits are global
        minima: the model is then a function of ``alpha`` alone, the same
        for every ``random_state``, which is what a search over ``alpha``
        needs (:class:`QuadraticNetRegressorCV`: 5-fold R^2 0.45 against
        0.38 with 'stationary' stops). Changed from 'stationary' in 0.1.
    random_state : int, RandomState instance or None, default=None
        Seeds the starting weights, ``C`` and the Lanczos start vector.
    warm_start : bool, default=False
        Start from the previous weights (and keep the previous ``C``) when
        the shapes agree. With ``loss='squared_error'`` the fit resumes
        from the previous weights of the standardised problem, so a new
        ``y`` in other units starts from the same network shape.
    verbose : int, default=0
        Print the objective after every iteration (of the standardised
        problem with ``loss='squared_error'``).
    weight_decay : float, default="deprecated"
        The old name of ``alpha``.

        .. deprecated:: 0.1
           Renamed ``alpha`` in 0.1; the old name is removed in 0.2.
    output_signs : None, 'balanced' or array-like, default="deprecated"
        The old name of ``output_weights`` (None meant 'ones').

        .. deprecated:: 0.1
           Renamed ``output_weights`` in 0.1; the old name is removed in 0.2.

    Attributes
    ----------
    hidden_weights_ : ndarray of shape (`n_hidden_`, n_features)
        ``W``, in the units of X and ``y`` (mapped back exactly from the
        internal problem: standardised y, columns of unit root mean square).
    hidden_bias_ : ndarray of shape (`n_hidden_`,)
        ``c`` (zeros when ``hidden_bias=False``), in the units of ``y``.
    intercept_ : float
        ``b`` (0.0 when ``fit_intercept=False``), in the units of ``y``.
    quadratic_form_ : ndarray of shape (n_features, n_features)
        ``W^T A W``, the matrix of the quadratic part of ``f``.
    n_hidden_ : int
        Resolved width.
    alpha_ : float
        Resolved weight decay (``alpha``, or what 'auto' stands for).
    output_weights_ : ndarray of shape (`n_hidden_`,)
        The signs ``a_j`` (named ``output_signs_`` before 0.1; that name
        still reads it, with a FutureWarning, until 0.2).
    perturbation_matrix_ : ndarray of shape (n_aug, n_aug) or None
        The matrix ``C`` of the internal problem (it acts on the weights of
        the scaled columns); ``n_aug`` is ``n_features`` plus one with a
        hidden bias.
    certificate_ : OptimalityCertificate
        ``lambda_min`` of ``S``, the stationarity residual ``||W S||_F`` and
        the bound they give on the gap to the global minimum, for the
        internal problem; the exact map back (module docstring) makes its
        relative gap that of the returned network.
    is_certified_ : bool
        ``certificate_.certifies()``: the objective is proven to be within a
        relative ``CERTIFICATE_RTOL = 1e-4`` of its global minimum.
    loss_ : float
        Final value of the internal objective ``L``
        (``certificate_.objective``), free of the units of ``y`` and X.
    n_iter_ : int
    loss_curve_ : list of float
        Objective after each iteration, in the units of ``loss_``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when X has string feature names.

    See Also
    --------
    QuadraticNetClassifier : the same network with the logistic loss.

    Notes
    -----
    The gradient ``2 A W S`` with ``S = S0 + C + lam/2 I`` is computed as
    ``2 A ((X W^T) * l')^T X + lam W + 2 W C`` in ``O(n k d)``; ``S`` is only
    formed by the certificate, and only below
    ``DENSE_CERTIFICATE_MAX_FEATURES`` features (above, Lanczos on a linear
    operator). The certificate's derivation is in
    :mod:`sklearn_shallow.certificate`.

    Each column of X is scaled to unit root mean square and, with
    ``loss='squared_error'``, ``y`` is standardised (``y_s = (y - m) / s``:
    the weighted mean and standard deviation, or ``m = 0`` and the root mean
    square without an intercept); the fitted network is mapped back exactly
    (module docstring). Weight decay and ``C`` act on that internal problem,
    and the certificate is its own. Predictions are equivariant in the units
    of ``y`` and of each feature, to the precision the solver stops at.
    ``loss='log_loss'`` fits its {-1, +1} targets as they are.

    The certified gap cannot fall much below ``1e-9 / alpha`` (relative)
    in double precision. With a smaller ``tol`` the solver runs until no step
    decreases the objective, then up to 200 gradient-only (Barzilai-Borwein)
    steps refine the point, which sharpens the certificate. Threads follow
    the package's one policy (``sklearn_shallow._threads.blas_threads``).

    Under ``sklearn.config_context(array_api_dispatch=True)`` an X of
    another namespace (torch, CuPy, ...) is fitted on its device with
    ``solver='pgd'``: the descent, the perturbation, the intercept's
    Newton steps, the refinement and the certificate's products with X
    (``X^T diag(l') X``, or the Lanczos products above
    ``DENSE_CERTIFICATE_MAX_FEATURES`` features) run there; the
    certificate's ``d x d`` eigenproblem runs on the host (scipy), with
    the formed matrix (or a length-d vector per Lanczos product) copied
    over. ``solver='lbfgs'`` (scipy's) copies X to the host once and fits
    there. The fitted arrays (``hidden_weights_``, ``hidden_bias_``,
    ``quadratic_form_``, ...) and predictions are in X's namespace and on
    its device.

    With all output weights +1 the quadratic part is PSD, so
    scikit-learn's generic regression check is told to expect a poor score
    (the tag is the class's, whatever the signs); the default
    ``output_weights='balanced'`` (with the hidden biases) gives every
    quadratic polynomial.

    References
    ----------
    .. [1] S. S. Du and J. D. Lee, "On the Power of Over-parametrization in
       Neural Networks with Quadratic Activation", ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.quadratic import QuadraticNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = (X[:, 0] + X[:, 1]) ** 2 + (X[:, 2] - X[:, 3]) ** 2
    >>> est = QuadraticNetRegressor(
    ...     output_weights="ones",
    ...     fit_intercept=False,
    ...     hidden_bias=False,
    ...     stop="certified",
    ...     random_state=0,
    ... ).fit(X, y)
    >>> est.n_hidden_, est.is_certified_, round(est.alpha_, 3)
    (5, True, 0.158)
    >>> np.round(np.linalg.eigvalsh(est.quadratic_form_)[-2:], 2)
    array([1.83, 1.93])

    The default weight decay shrinks the form's spectrum; a noiseless
    planted form (Du and Lee's experiments) is recovered with a small one:

    >>> est.set_params(alpha=1e-3).fit(X, y).is_certified_
    True
    >>> np.round(np.linalg.eigvalsh(est.quadratic_form_)[-2:], 2)
    array([2., 2.])
    """

    _parameter_constraints = {
        **_QuadraticPart._parameter_constraints,
        # The convex, twice-differentiable losses of Du & Lee's theorems.
        "loss": [StrOptions({"squared_error", "log_loss"})],
    }

    def __init__(
        self,
        n_hidden="auto",
        alpha="auto",
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
        weight_decay="deprecated",
        output_signs="deprecated",
    ):
        self.n_hidden = n_hidden
        self.alpha = alpha
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
        self.weight_decay = weight_decay
        self.output_signs = output_signs

    _multi_output = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A PSD quadratic form (output_weights='ones') cannot fit the linear
        # target of        # scikit-learn's regression check.
        tags.regressor_tags.poor_score = True
        return tags

    def _check_targets(self, X, y, reset=True):
        X, y, n_outputs, loss, weight = super()._check_targets(X, y, reset)
        if self.loss == "log_loss" and not np.all(np.isin(y, (-1.0, 1.0))):
            values = np.unique(y)
            shown = values[:5].tolist() + (["..."] if values.size > 5 else [])
            raise ValueError(
                "loss='log_loss' needs targets in {-1, +1}; got "
                f"{values.size} distinct values {shown}. For class labels use "
                "QuadraticNetClassifier."
            )
        return X, y, n_outputs, loss, weight


class QuadraticNetClassifier(ShallowClassifierMixin, _QuadraticPart):
    """Quadratic network classifier with the logistic loss and weight decay.

    For two classes, one network ``f`` is fitted to labels ``y`` in {-1, +1}
    (``classes_[1]`` is +1) by minimising

        L(W) = sum_i s_i log(1 + exp(-y_i f(x_i))) + lam/2 ||W||_F^2
               + <C, W^T W>,

    and ``P(classes_[1] | x) = sigmoid(f(x))``. For more classes, one such
    network per class against the rest; probabilities are the per-class
    sigmoids normalised to sum to one. Each network carries its own
    :class:`OptimalityCertificate`: every one-vs-rest problem is a problem of
    Du and Lee's form, which a joint softmax would not be: their certificate
    is for one output, so the classes do not share a hidden layer (the other
    classifiers' scheme).

    Parameters
    ----------
    n_hidden : 'auto' or int, default='auto'
        Width ``k``, as in :class:`QuadraticNetRegressor` (:func:`auto_width`).
    alpha : 'auto' or float, default=1e-3
        ``lam`` in ``lam/2 ||W||_F^2`` (hidden biases included), on the
        weights of the scaled columns. 'auto' is :func:`auto_alpha`, as in
        :class:`QuadraticNetRegressor`; the classifier keeps 1e-3 (its
        digits benchmark, ``benchmarks/bench_quadratic.py``, was measured
        there).
    perturbation : float or array-like of shape (n_aug, n_aug), default=0.0
        Adds ``<C, W^T W>``, as in :class:`QuadraticNetRegressor`.
    output_weights : 'ones', 'balanced' or array-like of shape (n_hidden,), \
            default='balanced'
        Fixed output weights ``a_j``. 'ones': all +1 (Du and Lee's network, a
        PSD quadratic form). 'balanced': half +1, half -1 (indefinite forms;
        every quadratic form once each half has ``d`` units). An array of -1
        and +1 entries is used as given, and sets the width when
        ``n_hidden='auto'``.
    hidden_bias : bool, default=True
        Give each hidden unit a bias, ``(w_j . x + c_j)^2``, by appending a
        constant feature; the model then has linear terms as well.
    fit_intercept : bool, default=True
        Fit an unpenalised output bias ``b``.
    solver : {'lbfgs', 'pgd'}, default='lbfgs'
        Step policy, as in :class:`QuadraticNetRegressor` ('gd' is the
        deprecated name of 'pgd').
    step_size : 'auto' or float, default='auto'
        Step of 'pgd': 'auto' backtracks, a float is fixed.
    max_iter : int, default=1000
        Iterations of either solver.
    tol : float, default=1e-4
        Relative tolerance of the stopping rules (see
        :class:`QuadraticNetRegressor`).
    stop : {'stationary', 'certified'}, default='stationary'
        When the fit may end, as in :class:`QuadraticNetRegressor`.
    random_state : int, RandomState instance or None, default=None
        Seeds the starting weights, ``C`` and the Lanczos start vector.
    warm_start : bool, default=False
        Start from the previous weights (and keep the previous ``C``) when
        the shapes agree.
    verbose : int, default=0
        Print the objective after every iteration.
    weight_decay : float, default="deprecated"
        The old name of ``alpha``.

        .. deprecated:: 0.1
           Renamed ``alpha`` in 0.1; the old name is removed in 0.2.
    output_signs : None, 'balanced' or array-like, default="deprecated"
        The old name of ``output_weights`` (None meant 'ones').

        .. deprecated:: 0.1
           Renamed ``output_weights`` in 0.1; the old name is removed in 0.2.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    hidden_weights_ : ndarray of shape (`n_hidden_`, n_features) or \
(n_classes, `n_hidden_`, n_features)
        ``W``; the second shape with more than two classes, one network per
        class (so for every attribute below).
    hidden_bias_ : ndarray of shape (`n_hidden_`,) or (n_classes, `n_hidden_`)
    intercept_ : float or ndarray of shape (n_classes,)
    quadratic_form_ : ndarray of shape (n_features, n_features) or \
(n_classes, n_features, n_features)
        ``W^T A W``.
    n_hidden_ : int
        Resolved width.
    alpha_ : float
        Resolved weight decay.
    output_weights_ : ndarray of shape (`n_hidden_`,)
        The signs ``a_j`` (named ``output_signs_`` before 0.1; that name
        still reads it, with a FutureWarning, until 0.2).
    perturbation_matrix_ : ndarray of shape (n_aug, n_aug) or None
        The matrix ``C``; ``n_aug`` is ``n_features`` plus one with a hidden
        bias.
    certificate_ : OptimalityCertificate or list of OptimalityCertificate
    is_certified_ : bool
        Every network is certified (relative gap ``CERTIFICATE_RTOL = 1e-4``).
    loss_ : float or ndarray of shape (n_classes,)
    n_iter_ : int or ndarray of shape (n_classes,)
    loss_curve_ : list of float, or one such list per class
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when X has string feature names.

    See Also
    --------
    QuadraticNetRegressor : the same network for regression.

    Notes
    -----
    The gradient, the certificate, the stopping rule and the threading are
    those of :class:`QuadraticNetRegressor` (see its Notes).

    The output weights default to 'balanced', unlike the regressor's: with
    all signs +1 the boundary ``f(x) = 0`` can only put ``classes_[0]``
    inside an ellipsoid. Balanced signs and hidden biases give every
    quadratic boundary; the certificate covers them (module docstring).

    References
    ----------
    .. [1] S. S. Du and J. D. Lee, "On the Power of Over-parametrization in
       Neural Networks with Quadratic Activation", ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.quadratic import QuadraticNetClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 4))
    >>> y = np.where((X**2).sum(axis=1) > 3.4, "out", "in")
    >>> clf = QuadraticNetClassifier(stop="certified", random_state=0).fit(X, y)
    >>> clf.classes_.tolist(), clf.score(X, y) > 0.95, clf.is_certified_
    (['in', 'out'], True, True)
    """

    def __init__(
        self,
        n_hidden="auto",
        alpha=1e-3,
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
        weight_decay="deprecated",
        output_signs="deprecated",
    ):
        self.n_hidden = n_hidden
        self.alpha = alpha
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
        self.weight_decay = weight_decay
        self.output_signs = output_signs

    def _prepare(self, X, y, sample_weight, **target_options):
        data = super()._prepare(X, y, sample_weight, **target_options)
        codes = self._codes(data.y)
        totals = np.bincount(
            codes, weights=data.sample_weight, minlength=self.classes_.shape[0]
        )
        present = aa.to_numpy(self.classes_)[totals > 0]
        if present.size < 2:
            raise ValueError(
                "QuadraticNetClassifier needs samples of at least two classes "
                f"(with positive weight); got one class: {present.tolist()}."
            )
        return data

    def _fit_prepared(self, data):
        """Two classes: the shared fit. More: one network per class against
        the rest, each a :func:`~sklearn_shallow._fit.run.fit_network` run
        of Du and Lee's form (its own certificate), stored together once
        all succeeded."""
        if data.n_outputs is None:
            return super()._fit_prepared(data)
        rng = check_random_state(self.random_state)
        stored = getattr(self, "_class_nets", None)
        if stored is None or len(stored) != data.n_outputs:
            stored = [None] * data.n_outputs
        fits, nets = [], []
        with blas_threads(self._product_size(data), like=data.X):
            for c, previous in enumerate(stored):
                task = FitData(
                    data.X,
                    (2 * data.y[:, c] - 1).astype(aa.host_dtype(data.X)),
                    data.sample_weight,
                    None,
                    LogisticLoss(),
                    host=data.host_X,
                )
                spec = self._fit_spec(
                    task, rng, stored=None if previous is None else previous[1:]
                )
                fitted = fit_network(spec, task, rng)
                fits.append(fitted)
                result = fitted.descent
                nets.append((spec.model, result.params, (result.state, spec.units)))
        self._store(spec, result, task)
        self._set_network_attributes([f.descent for f in fits])
        if aa.namespace_of(data.X) is not None:
            self._to_namespace_of(data.X)
        self._class_nets = nets
        worst = next((f for f in fits if not f.descent.converged), fits[0])
        constant = next((f.constant for f in fits if f.constant), None)
        return FitResult(worst.descent, constant)

    def predict_log_proba(self, X):
        """Log class probabilities, columns in the order of ``classes_``.

        With more than two classes, the per-class sigmoids normalised to
        sum to one (computed in logs: no 0/0 on far samples).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        self._check_namespace(X, "predict_log_proba")
        scores = self._decision(X)
        if scores.ndim == 1:
            return super().predict_log_proba(X)
        xp = aa.namespace_of(scores)
        if xp is None:
            log_sigmoid = -np.logaddexp(0.0, -scores)
            return log_sigmoid - logsumexp(log_sigmoid, axis=1, keepdims=True)
        log_sigmoid = -aa.softplus(-scores, xp)
        return log_sigmoid - aa.logsumexp(log_sigmoid, 1, xp, keepdims=True)
