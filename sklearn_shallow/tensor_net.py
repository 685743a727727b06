"""TensorInitOneHidden: tensor initialisation, then gradient descent."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from . import _array_api as aa
from ._base import BaseShallowNetwork, check_output_weights
from ._network import ShallowModel
from ._task import ShallowRegressorMixin
from .activations import get_activation
from .architectures import Dense
from .solvers import UpdateRule
from .tensor_init import fill_from_tensor


class TensorInitOneHidden(ShallowRegressorMixin, BaseShallowNetwork):
    """One-hidden-layer network started by the tensor method of Zhong et al.

    Fits ``f(x) = sum_j v_j sigma(w_j . x) + b`` by minimising
    ``1/(2n) sum_i (f(x_i) - y_i)^2`` with gradient descent (the shared
    descent loop), started from :func:`~sklearn_shallow.tensor_initialization`
    (Zhong et al. 2017, Algorithm 2): the moments of ``y`` against Hermite
    tensors of ``x`` give the span of the hidden weights, their directions,
    their norms and the signs of the output weights. For Gaussian inputs
    and a homogeneous activation the start lies where the loss is locally
    strongly convex, and gradient descent recovers the planted network.

    Parameters
    ----------
    n_hidden : int, default=5
        Number of hidden units ``k``. The tensor step identifies at most
        ``n_features`` units; when ``n_hidden > n_features`` the others start
        from the random initialisation.
    activation : str, Activation or (callable, callable), default='relu'
        With ``init='tensor'`` it must be positively homogeneous with the
        moments the method needs: 'relu', 'leaky_relu' and 'squared_relu'
        (or a custom activation with a ``degree``); others raise a
        ValueError that suggests ``init='random'``.
    init : {'tensor', 'random'} or array-like, default='tensor'
        'tensor': hidden and output weights from the tensor method. 'random':
        Gaussian hidden weights of variance ``1/n_features`` and output
        weights of random sign. An array gives the hidden weights.
    output_weights : {'fixed', 'learn'} or array-like of shape (n_hidden,), \
            default='fixed'
        'fixed' keeps the output weights of the initialisation (the signs
        from the tensor step, as in Algorithm 2); 'learn' descends on them
        too; an array fixes them to its values.
    fit_intercept : bool, default=True
        Fit an output bias ``b``, started at the mean residual of the
        initial network.
    n_slices : int, default=100
        Random slices in the simultaneous diagonalisation of the tensor step.
    whiten : bool, default=False
        Whiten the inputs for the tensor step (Gaussian inputs with any
        covariance); the weights are mapped back, the descent runs on the
        data as given.
    partition : bool, default=False
        Estimate the tensor step's three moments on disjoint thirds of the
        data, as in the paper's analysis.
    alpha : float, default=0.0
        L2 penalty ``alpha/2 (||W||^2 + ||v||^2)`` (standardised units with
        learned output weights). The paper's descent has none.
    solver : {'fista', 'spg', 'pgd', 'lbfgs'}, default='fista'
        Step policy (see :class:`~sklearn_shallow.ProjectedShallowRegressor`).
        'pgd' is the paper's gradient descent (Algorithm 2), with gradient
        steps on learned output weights and the intercept; 'fista' and 'spg'
        solve those exactly at every step. With learned output weights the
        tensor step sees the standardised y.
    step_size : float or 'auto', default='auto'
        'auto' backtracks (always decreases the full-batch loss); a float is
        a fixed step (the paper's experiments use 0.02).
    max_iter : int, default=500
        Number of iterations (epochs with mini-batches).
    tol : float, default=1e-5
        Stop when the gradient-mapping norm has fallen to ``tol`` times its
        first value (see :class:`~sklearn_shallow.ProjectedShallowRegressor`;
        with mini-batches, when the epoch loss has not fallen by a relative
        ``tol`` for ``n_iter_no_change`` epochs).
    n_iter_no_change : int, default=10
    batch_size : int or None, default=None
        None uses all samples in every step; an int runs mini-batch epochs.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data for the descent, stop
        when its R^2 stops improving, and keep the best weights. The tensor
        step uses all the data.
    validation_fraction : float, default=0.1
    callback : callable or None, default=None
        Called after every epoch with a dict (``iteration``, ``loss``,
        ``step_size``, ``validation_score``, ``params``); returning True
        stops.
    random_state : int, RandomState instance or None, default=None
        Seeds the tensor step and the random initialisation.
    warm_start : bool, default=False
        Start from the previous solution when the shapes agree.
    verbose : int, default=0
        Print progress: every tenth of ``max_iter`` (1) or every epoch (2).

    Attributes
    ----------
    hidden_weights_ : ndarray of shape (n_hidden, n_features)
    output_weights_ : ndarray of shape (n_hidden,)
    intercept_ : float
    initial_hidden_weights_ : ndarray of shape (n_hidden, n_features)
        The starting hidden weights (from the tensor step with
        ``init='tensor'``).
    initial_output_weights_ : ndarray of shape (n_hidden,)
        The starting output weights.
    n_iter_ : int
    loss_curve_ : list of float
        Training loss after each epoch.
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    step_size_ : float
        The last step size used.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when X has string feature names.

    See Also
    --------
    sklearn_shallow.tensor_initialization : the tensor step on its own.
    ProjectedShallowRegressor : projected gradient descent, which accepts the
        tensor step's weights as ``init``.

    Notes
    -----
    Output weights in {-1, +1} lose nothing for a homogeneous activation of
    degree ``p``: ``v sigma(w . x) = sign(v) sigma(|v|^(1/p) w . x)``. Keeping
    them fixed at the tensor step's signs (the default) removes the rescaling
    symmetry ``(v, w) -> (c v, c^(-1/p) w)``, along which the loss is flat,
    so gradient descent converges to the planted ``W`` itself; with
    ``output_weights='learn'`` it converges to a rescaled version.

    Under ``sklearn.config_context(array_api_dispatch=True)`` an X of
    another namespace (torch, CuPy, ...) is fitted on its device by the
    first-order solvers ('fista', 'spg', 'pgd'). The tensor step (moments
    against Hermite tensors, its eigen- and tensor decompositions, all in
    numpy and scipy) and the start's intercept run on
    the host from one copy of X; the start then moves to the device once.
    ``solver='lbfgs'`` fits on the host. The fitted arrays (including
    ``initial_hidden_weights_``) and predictions are in X's namespace and
    on its device.

    References
    ----------
    K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon, "Recovery
    Guarantees for One-hidden-layer Neural Networks", ICML 2017.

    Examples
    --------
    >>> from sklearn_shallow.tensor_net import TensorInitOneHidden
    >>> from sklearn_shallow.datasets import make_planted_network
    >>> from sklearn_shallow.metrics import recovery_error
    >>> X, y, truth = make_planted_network(
    ...     5000, n_features=10, n_hidden=3, activation="squared_relu",
    ...     output_weights="signs", condition_number=2.0, random_state=0)
    >>> est = TensorInitOneHidden(
    ...     n_hidden=3, activation="squared_relu", fit_intercept=False,
    ...     random_state=0).fit(X, y)
    >>> error = recovery_error(truth.hidden_weights, est.hidden_weights_)
    >>> bool(error < 1e-3)
    True
    """

    _parameter_constraints = {
        **{
            key: value
            for key, value in BaseShallowNetwork._parameter_constraints.items()
            if key not in ("architecture", "output_weights", "init", "n_hidden")
        },
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"tensor", "random"}), "array-like"],
        "output_weights": [StrOptions({"fixed", "learn"}), "array-like"],
        "n_slices": [Interval(Integral, 2, None, closed="left")],
        "whiten": ["boolean"],
        "partition": ["boolean"],
        "step_size": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        n_hidden=5,
        activation="relu",
        init="tensor",
        output_weights="fixed",
        fit_intercept=True,
        n_slices=100,
        whiten=False,
        partition=False,
        alpha=0.0,
        solver="fista",
        step_size="auto",
        max_iter=500,
        tol=1e-5,
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
        self.init = init
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.n_slices = n_slices
        self.whiten = whiten
        self.partition = partition
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

    def _fit_spec(self, data, rng, partial=False):
        """Plain gradient descent on ``(W, v)`` (or ``W`` with ``v`` fixed)
        from the tensor start: the hidden layer is dense and unconstrained."""
        fixed_by_user = not isinstance(self.output_weights, str)
        model_learns = not fixed_by_user and self.output_weights == "learn"
        spec = self._network_spec(
            data,
            rng,
            lambda shape: (UpdateRule(project=None), {}),
            partial=partial,
            make_start=self._start,
        )
        if spec.continued and not model_learns and not fixed_by_user:
            # The output weights the previous fit's start fixed.
            spec.model.fixed_output = aa.to_numpy(self.output_weights_).astype(
                aa.host_dtype(data.X)
            )
        return spec

    # The tensor method estimates one output's weights.
    _multi_output = False

    #: The fitted arrays that follow X to its namespace and device.
    _device_attributes = BaseShallowNetwork._device_attributes + (
        "initial_hidden_weights_",
        "initial_output_weights_",
    )

    def _resolve_model(self, n_features, dtype, n_outputs=None):
        activation = get_activation(self.activation)
        if isinstance(self.output_weights, str):
            # 'fixed' weights are only known after the initialisation, which
            # fills them in (see _initial_params).
            fixed = (
                None
                if self.output_weights == "learn"
                else np.ones(self.n_hidden, dtype)
            )
        else:
            fixed = check_output_weights(self.output_weights, self.n_hidden, dtype)
        return ShallowModel(
            activation,
            Dense(),
            n_features,
            self.n_hidden,
            fixed,
            self.fit_intercept,
        )

    def _random_weights(self, n_hidden, n_features, rng):
        W = rng.standard_normal((n_hidden, n_features)) / np.sqrt(n_features)
        v = rng.choice(np.array([-1.0, 1.0]), size=n_hidden)
        return W, v

    def _initial_weights(self, X, y, sample_weight, model, rng):
        """Starting ``(W, v)`` in float64, from the tensor step or at random."""
        n_features = X.shape[1]
        W, v = self._random_weights(self.n_hidden, n_features, rng)
        if isinstance(self.init, str):
            if self.init == "tensor":
                fill_from_tensor(
                    W,
                    X,
                    y,
                    model.activation,
                    rng,
                    v=v,
                    sample_weight=sample_weight,
                    n_slices=self.n_slices,
                    whiten=self.whiten,
                    partition=self.partition,
                )
            return W, v
        W0 = np.asarray(self.init, dtype=float)
        if W0.shape != W.shape:
            raise ValueError(f"init array has shape {W0.shape}; expected {W.shape}.")
        if not np.all(np.isfinite(W0)):
            raise ValueError("init array contains NaN or infinity.")
        return W0.copy(), v

    def _start(self, model, units, data, shape, rng):
        """``(params, attributes)`` of a cold start: ``W`` and ``v`` from the
        tensor step (or at random); ``v`` fixes the output weights unless
        they are learned or given."""
        # The start is computed on the host (for X of another namespace, from
        # one host copy of it); the descent then runs on X's device.
        X, y, sw = data.host_X(), data.y, data.sample_weight
        learn = "output" in model.names
        fixed_by_user = not learn and not isinstance(self.output_weights, str)
        y_start = units.y_in(y) if units.scaled else y
        W, v = self._initial_weights(X, y_start, sw, model, rng)
        if fixed_by_user:
            v = np.asarray(self.output_weights, dtype=float)
        attributes = {
            "initial_hidden_weights_": W.astype(X.dtype),
            "initial_output_weights_": v.astype(X.dtype),
        }
        params = [W.astype(X.dtype)]
        if learn:
            params.append(v.astype(X.dtype))
        elif not fixed_by_user:
            model.fixed_output = v.astype(X.dtype)
        if model.fit_intercept:
            # The moments carry no information on b: start it where the
            # initial network's mean residual puts it.
            prediction = model.activation.value(X @ W.T) @ v
            b0 = np.average(y - prediction, weights=sw)
            params.append(np.array([b0], dtype=X.dtype))
        return params, attributes
