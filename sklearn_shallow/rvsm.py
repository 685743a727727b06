"""Relaxed variable splitting (RVSM) for sparse shallow networks, and ADMM."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseShallowNetwork
from ._groups import check_groups_apply, refuse_convolution, with_groups
from ._task import REGRESSION_LOSSES, ShallowClassifierMixin, ShallowRegressorMixin
from .architectures import Convolution, get_architecture
from .constraints import Constraint
from .solvers import UPDATES, ADMMUpdate, RVSMUpdate  # noqa: F401 (re-exported)
from .thresholds import PENALTIES, Penalty, get_penalty

#: Penalty names that select inputs, and so take ``groups``.
GROUPED_PENALTIES = tuple(name for name in PENALTIES if name.endswith("_features"))


class _RVSMPart:
    """The algorithm part: a gradient step on ``w``, then ``u = prox(w)``."""

    #: The fitted arrays that follow X to its namespace and device.
    _device_attributes = BaseShallowNetwork._device_attributes + ("dense_weights_",)

    _parameter_constraints = {
        "penalty": [StrOptions(set(PENALTIES)), Penalty, Constraint],
        "lam": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "a": [Interval(Real, 0, None, closed="neither")],
        "groups": ["array-like", None],
        "method": [StrOptions(set(UPDATES))],
        # Every step is followed by a threshold: L-BFGS does not apply.
        "solver": [StrOptions({"fista", "spg", "pgd"})],
    }

    def _scales_columns(self, model, init):
        # Thresholds act on the weights of unit-scale features, whatever the
        # start (an init array is mapped into the scaled units exactly).
        return not isinstance(model.architecture, Convolution)

    # ---- the path over lam ------------------------------------------------
    _path_param = "lam"

    def _path_values(self, values):
        self._check_penalised()
        return super()._path_values(values)

    def _check_penalised(self):
        check_groups_apply(self.groups, "penalty", self.penalty, GROUPED_PENALTIES)
        if isinstance(self.penalty, Constraint):
            raise ValueError(
                f"A path over lam needs a penalty; penalty={self.penalty!r} "
                "is a constraint (lam plays no part)."
            )

    def _path_grid(self, data, n_values, eps):
        """``n_values`` lams from ``lam_max`` down to ``eps * lam_max``; the
        unpenalised fit ``lam_max`` comes from is returned as the path's
        start.

        ``lam_max`` is the smallest ``lam`` whose threshold ``lam / beta``
        sends every hidden weight of the unpenalised fit (internal units)
        to zero, found by bisection on the penalty's own prox.
        """
        self._check_penalised()
        eps = 1e-3 if eps is None else eps
        if not 0 < eps < 1:
            raise ValueError(f"eps must be in (0, 1); got {eps}.")
        if n_values < 2:
            raise ValueError(
                f"A grid of lam needs at least 2 values; n_lams={n_values} "
                "would hold only lam_max, where every weight is zero. Pass "
                "n_lams >= 2, or the values as lams."
            )
        reference = self._fit_reference(data, lam=0.0)
        w = reference._units.hidden_in(reference._raw_params[0])
        penalty = reference.penalty_
        if not np.any(w):
            raise ValueError("The unpenalised fit has zero hidden weights: pass lams.")
        low, high = 0.0, 1.0
        while np.any(penalty.prox(w, high)):
            high *= 2.0
        for _ in range(60):
            mid = 0.5 * (low + high)
            if np.any(penalty.prox(w, mid)):
                low = mid
            else:
                high = mid
        lam_max = self.beta * high
        return lam_max * np.geomspace(1.0, eps, n_values), reference

    def _fit_spec(self, data, rng, partial=False):
        """A gradient step on ``w``, then ``u = prox(w)`` (or ADMM's steps).

        Thresholds act on the weights of unit-scale features (the front
        end's scaled columns).
        """
        if isinstance(self.penalty, Constraint):
            # The prox of a set's indicator is the projection: u is the
            # projection of w, and lam plays no part.
            penalty = self.penalty
        else:
            penalty = get_penalty(self.penalty, a=self.a)
        penalty = with_groups(
            penalty, self.groups, "penalty", self.penalty, GROUPED_PENALTIES
        )

        def make_update(shape):
            # The feature penalties act on the columns of a dense layer.
            refuse_convolution(penalty, get_architecture(self.architecture))
            penalty.check(shape)
            rule = UPDATES[self.method](penalty, self.lam, self.beta)
            return rule, {"penalty_": penalty}

        return self._network_spec(data, rng, make_update, partial=partial)

    def _store_extra(self, result):
        w = result.raw_params[0]
        self.dense_weights_ = self.architecture_.to_dense(w, self.n_features_in_)
        self.sparsity_ = float(np.mean(result.params[0] == 0))


class RVSMRegressor(ShallowRegressorMixin, _RVSMPart, BaseShallowNetwork):
    """Sparse one-hidden-layer network by relaxed variable splitting.

    Minimises ``f(w) + lam P(u) + beta/2 ||w - u||^2`` over a dense copy
    ``w`` of the hidden weights and a sparse copy ``u``, alternating a
    gradient step in ``w`` with a thresholding step ``u = prox(w)``
    (Dinh & Xin 2020). ``f`` is the squared loss ``1/(2n) sum (f(x_i)-y_i)^2``;
    ``P`` is the l0, l1 or transformed-l1 penalty. The network predicts with
    the sparse ``u``; no Lagrange multiplier is kept, which is what makes
    ``u`` much sparser than ADMM's (``method='admm'``) at equal accuracy.

    Parameters
    ----------
    n_hidden : int or None, default=None
        Number of hidden units (None: 20 for a dense layer, the number of
        kernels times patches for a convolution).
    activation : str, Activation or (callable, callable), default='relu'
        As in :class:`ProjectedShallowRegressor`.
    penalty : {'l1', 'l0', 'tl1', 'l1_features', 'l0_features', \
            'tl1_features'}, Penalty or Constraint, default='l1'
        The sparsity penalty ``P``; 'tl1' is transformed l1 with shape ``a``.
        The ``_features`` names apply the same thresholds to the norms of
        the input columns of ``w`` (feature selection; refused with a
        convolution).
        A Constraint object (for instance ``L0Ball(n_nonzero=40)``) is the
        indicator of its set: ``u`` is then the projection of ``w`` onto it
        (in the fit's internal units, see Notes) and ``lam`` plays no part.
    lam : float, default=1e-3
        Penalty weight ``lambda >= 0``. The threshold applied to ``w`` is
        ``t = lam / beta``; Theorem 1 asks ``lam / beta < 1/sqrt(d)``.
        The penalty acts on the weights of features scaled to unit root mean
        square (``w_ij * rms(x_j)``), so which weights survive does not
        depend on the units of X; with a learned output layer ``lam`` is
        relative to the loss of the standardised y (see Notes).
    beta : float, default=0.1
        Coupling ``beta > 0`` between ``w`` and ``u``. Small ``beta`` keeps
        ``w`` close to a minimiser of the loss (``||w - w*|| = O(beta)``).
    a : float, default=1.0
        Shape of the transformed-l1 penalty (only with ``penalty='tl1'``):
        small ``a`` behaves like l0, large ``a`` like l1.
    groups : list of lists of int, default=None
        Input columns kept or dropped together by the ``_features``
        penalties, as LassoNet's ``groups`` (the one-hot columns of one
        categorical input, say): each group a list of column indices of X,
        each column in at most one group; the columns in no group are groups
        of their own. The threshold then acts on each group's norm. Only
        with a ``_features`` penalty given by name (a ValueError otherwise;
        a penalty object takes its own ``groups``).
    method : {'rvsm', 'admm'}, default='rvsm'
        'admm' adds the multiplier ``z`` (the baseline of the paper).
    architecture : 'dense', Convolution or None, default=None
        The paper's no-overlap CNN is ``Convolution(kernel_size=d, stride=d)``
        with ``output_weights=np.full(k, 1/k)``.
    output_weights : {'learn', 'ones'} or array-like, default='learn'
    fit_intercept : bool, default=True
    loss : {'squared_error', 'huber'}, default='squared_error'
        As in :class:`ProjectedShallowRegressor`.
    init : {'random', 'zero', 'tensor'} or array-like, default='random'
        As in :class:`ProjectedShallowRegressor`; 'tensor' is the tensor
        method of Zhong et al. 2017 (:func:`~sklearn_shallow.tensor_initialization`;
        hidden weights only; needs a positively homogeneous activation).
    alpha : 'auto' or float, default='auto'
        L2 penalty ``alpha/2 (||w||^2 + ||o||^2)`` on the dense copy and the
        output layer, added to the mean loss in standardised units; 'auto'
        is ``1e-2 * min(1, 500 / n_samples)`` with a learned output layer
        (1e-2 up to 500 samples, then falling as ``1/n``, see
        :class:`ProjectedShallowRegressor`) and 0 with fixed output weights.
    solver : {'fista', 'spg', 'pgd'}, default='fista'
        Step policy of the ``w`` step (see
        :class:`ProjectedShallowRegressor`); ADMM always takes plain steps.
    step_size : float or 'auto', default='auto'
        ``eta``. A fixed step ``eta <= 1/(beta + L)`` with ``solver='pgd'``
        makes the augmented Lagrangian decrease at every iteration
        (Theorem 1); 'fista' keeps it monotone by restarts.
    max_iter : int, default=2000
        Number of iterations (epochs with mini-batches). The small
        ``alpha='auto'`` of large data sets takes more of them: 880-1590
        on diamonds' cut (n=6400), 610-1090 on a planted network at
        n=20000 (``benchmarks/bench_defaults.py``).
    tol : float, default=1e-4
        As in :class:`ProjectedShallowRegressor`; for ADMM the gap
        ``beta ||w - u||`` counts toward stationarity.
    n_iter_no_change : int, default=10
    batch_size : 'auto', int or None, default=None
        Mini-batches per epoch (Algorithm 1's inner loop); None: full batch;
        'auto': the subsample stages of :class:`ProjectedShallowRegressor`
        on large data, ending with the full-batch fit.
    early_stopping : bool, default=False
        Stop on the validation R^2 of the sparse network, keep the best.
    validation_fraction : float, default=0.1
    callback : callable or None, default=None
        Receives the sparse ``u`` as ``params['hidden']``.
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
        Continue from the previous dense ``w`` (``u`` is re-thresholded).
    verbose : int, default=0

    Attributes
    ----------
    hidden_weights_ : ndarray of shape (n_hidden, n_features)
        The sparse weights ``u`` the model predicts with (``FC(u)`` for a
        convolution).
    dense_weights_ : ndarray of shape (n_hidden, n_features)
        The dense variable ``w``.
    kernels_ : ndarray of shape (n_kernels, kernel_size)
        Sparse kernels ``u``, only with a convolution.
    sparsity_ : float
        Fraction of exactly-zero entries of ``u``.
    penalty_ : Penalty or Constraint
        The resolved penalty.
    output_weights_ : ndarray of shape (n_hidden,) or (n_hidden, n_outputs)
    intercept_ : float or ndarray of shape (n_outputs,)
        A float for 1-D y.
    n_outputs_ : int
    loss_ : loss part
    loss_curve_ : list of float
        Augmented Lagrangian after each epoch (for ADMM with its multiplier
        term).
    n_iter_ : int
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    step_size_ : float
    alpha_ : float
    alpha_output_ : float
    stationarity_ : float or None
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    ProjectedShallowRegressor : hard constraints instead of penalties.

    Notes
    -----
    The fit runs in internal units: each feature divided by its root mean
    square (a dense layer; a convolution keeps X as it is, since its kernels
    are shared across features), and, with learned output weights, y
    standardised. Weights are mapped back exactly, so ``hidden_weights_``
    and ``dense_weights_`` are in the units of X; the thresholds, ``lam``,
    ``beta`` and ``loss_curve_`` are in the internal units. With the exact
    output layer of ``solver='fista'`` or ``'spg'``, the output weights and
    intercept are solved once more for the sparse ``u`` the model predicts
    with.

    References
    ----------
    T. Dinh and J. Xin, "Convergence of a relaxed variable splitting method
    for learning sparse neural networks via l1, l0, and transformed-l1
    penalties", IntelliSys 2020.

    Examples
    --------
    >>> from sklearn_shallow import RVSMRegressor
    >>> from sklearn_shallow.datasets import make_sparse_network
    >>> X, y, truth = make_sparse_network(300, random_state=0)
    >>> est = RVSMRegressor(penalty="l0", lam=1e-4, beta=0.1,
    ...                     random_state=0).fit(X, y)
    >>> est.sparsity_ > 0.8, est.score(X, y) > 0.9
    (True, True)
    """

    _parameter_constraints = {
        **BaseShallowNetwork._parameter_constraints,
        **_RVSMPart._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
    }

    def __init__(
        self,
        n_hidden=None,
        activation="relu",
        penalty="l1",
        lam=1e-3,
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
        tol=1e-4,
        n_iter_no_change=10,
        batch_size=None,
        early_stopping=False,
        validation_fraction=0.1,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.n_hidden = n_hidden
        self.activation = activation
        self.penalty = penalty
        self.lam = lam
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


class RVSMClassifier(ShallowClassifierMixin, _RVSMPart, BaseShallowNetwork):
    """Sparse one-hidden-layer classifier by relaxed variable splitting.

    The classification twin of :class:`RVSMRegressor`: ``f(w)`` is the mean
    logistic loss (two classes, one output: the log-odds of
    ``classes_[1]``) or the mean multinomial loss (one output per class,
    sharing the hidden layer), and the network predicts with the sparse
    copy ``u`` of the hidden weights.

    Parameters
    ----------
    n_hidden : int or None, default=None
        Number of hidden units (None: 20 for a dense layer).
    activation : str, Activation or (callable, callable), default='relu'
    penalty : {'l1', 'l0', 'tl1', 'l1_features', 'l0_features', \
            'tl1_features'}, Penalty or Constraint, default='l1'
        As in :class:`RVSMRegressor` (a constraint: ``u`` is the projection
        of ``w`` onto its set).
    lam : float, default=1e-3
        Penalty weight, relative to the mean loss; the threshold is
        ``lam / beta`` on the weights of unit-scale features.
    beta : float, default=0.1
    a : float, default=1.0
        Shape of the transformed-l1 penalty.
    groups : list of lists of int, default=None
        Input columns kept or dropped together by the ``_features``
        penalties (see :class:`RVSMRegressor`).
    method : {'rvsm', 'admm'}, default='rvsm'
    architecture : 'dense', Convolution or None, default=None
    output_weights : {'learn', 'ones'} or array-like, default='learn'
        As in :class:`ProjectedShallowClassifier`.
    fit_intercept : bool, default=True
    init : {'random', 'zero', 'tensor'} or array-like, default='random'
        'tensor' only for two classes.
    alpha : 'auto' or float, default='auto'
        L2 penalty on the dense copy and the output layer; 'auto' is
        ``1e-2 * min(1, 500 / n_samples)`` with a learned output layer (as
        in :class:`RVSMRegressor`), 0 with fixed output weights.
    solver : {'fista', 'spg', 'pgd'}, default='fista'
    step_size : float or 'auto', default='auto'
    max_iter : int, default=2000
    tol : float, default=1e-4
    n_iter_no_change : int, default=10
    batch_size : 'auto', int or None, default=None
    early_stopping : bool, default=False
        Stop on the validation accuracy of the sparse network, keep the best.
    validation_fraction : float, default=0.1
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying ``sample_weight``.
    callback : callable or None, default=None
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
    verbose : int, default=0

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    hidden_weights_ : ndarray of shape (n_hidden, n_features)
        The sparse weights ``u`` the model predicts with.
    dense_weights_ : ndarray of shape (n_hidden, n_features)
    kernels_ : ndarray of shape (n_kernels, kernel_size)
        Only with a convolution.
    sparsity_ : float
        Fraction of exactly-zero entries of ``u``.
    output_weights_ : ndarray of shape (n_hidden,) or (n_hidden, n_classes)
    intercept_ : float or ndarray of shape (n_classes,)
    n_outputs_ : int
    loss_ : loss part
    penalty_ : Penalty
    loss_curve_ : list of float
    n_iter_ : int
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    step_size_ : float
    alpha_ : float
    alpha_output_ : float
    stationarity_ : float or None
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    RVSMRegressor : the same algorithm for regression.
    ProjectedShallowClassifier : hard constraints instead of penalties.

    References
    ----------
    T. Dinh and J. Xin, "Convergence of a relaxed variable splitting method
    for learning sparse neural networks via l1, l0, and transformed-l1
    penalties", IntelliSys 2020.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_shallow import RVSMClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), RVSMClassifier(
    ...     penalty="l0", lam=1e-3, random_state=0)).fit(X, y)
    >>> clf[-1].sparsity_ > 0.3, clf.score(X, y) > 0.9
    (True, True)
    """

    _parameter_constraints = {
        **BaseShallowNetwork._parameter_constraints,
        **_RVSMPart._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        n_hidden=None,
        activation="relu",
        penalty="l1",
        lam=1e-3,
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
        tol=1e-4,
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
        self.n_hidden = n_hidden
        self.activation = activation
        self.penalty = penalty
        self.lam = lam
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
