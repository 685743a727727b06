"""A certificate of global optimality for quadratic networks (Du & Lee 2018).

The objective of a quadratic network with fixed output signs ``a_j``,

    L(W) = sum_i s_i l(f(x_i), y_i) + lam/2 ||W||_F^2 + <C, W^T W>,
    f(x) = sum_j a_j (w_j . x)^2 + b,

depends on ``W`` only through ``M_+ = W_+^T W_+`` and ``M_- = W_-^T W_-``
(the rows with ``a_j = +1`` and ``-1``). As a function ``F(M_+, M_-)`` of
two PSD matrices, with no limit on their rank, it is convex. Its partial
gradients are

    S_+ = S0 + C + lam/2 I,    S_- = -S0 + C + lam/2 I,
    S0 = sum_i s_i l'(f(x_i), y_i) x_i x_i^T,

and a pair ``(M_+, M_-)`` minimises ``F`` exactly when both ``S`` are PSD
and ``M_+ S_+ = M_- S_- = 0``. The last two equations say ``W_+ S_+ = 0``
and ``W_- S_- = 0``, which is ``grad L(W) = 0``. Hence a stationary ``W``
whose matrices ``S`` are PSD is a global minimiser of ``L`` at every width.

A fit that is only nearly there still gets a bound. For any feasible
``M*``, convexity gives ``F(M*) >= F(M) + <S, M* - M>``; with
``lambda_min`` the smallest eigenvalue over ``S_+`` and ``S_-``,
``<S, M*> >= lambda_min trace M*``, and ``lam/2 trace M* <= L(W)`` at a
minimiser (the loss and ``<C, M>`` are non-negative). Together,

    L(W) - min L <= <S, M> + max(0, -lambda_min) * 2 L(W) / lam,

where ``<S, M> = <S_+, M_+> + <S_-, M_->`` equals ``<grad L(W) / 2, W>``.
:func:`certify` evaluates the right-hand side; it needs the intercept (when
there is one) at its minimiser for ``W``, so that ``F`` depends on ``M``
alone.

:func:`certify` reads everything from the package's shared
:class:`~sklearn_shallow._network.Objective` (built for quadratic networks
by :func:`~sklearn_shallow.quadratic.quadratic_objective`): the inputs
``Xp`` (with the column of ones of hidden biases), the signs (the model's
fixed output weights), ``lam`` (its ``alpha``), ``C`` (the sum of the
``gram_form()`` of its regularisers) and the weighted loss derivatives
``s_i l'_i`` of a value call (``loss_derivatives()``).

References
----------
.. [1] S. S. Du and J. D. Lee, "On the Power of Over-parametrization in
   Neural Networks with Quadratic Activation", ICML 2018.
"""

import math

import numpy as np
from scipy.linalg import eigvalsh
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.utils import check_random_state

from . import _array_api as aa
from ._loss import SquaredLoss
from ._network import Objective, ShallowModel
from .activations import Quadratic, get_activation
from .architectures import Dense
from .regularisers import Perturbation

__all__ = [
    "CERTIFICATE_RTOL",
    "DENSE_CERTIFICATE_MAX_FEATURES",
    "OptimalityCertificate",
    "certify",
]

#: Above this many (augmented) features the certificate uses the matrix-free
#: Lanczos solver instead of forming ``S`` and calling a dense eigensolver.
DENSE_CERTIFICATE_MAX_FEATURES = 500

#: Relative gap of ``is_certified_``; see :class:`OptimalityCertificate`.
CERTIFICATE_RTOL = 1e-4


class OptimalityCertificate:
    """Numbers that show whether a fitted quadratic network is a global minimum.

    Attributes
    ----------
    lambda_min : float
        Smallest eigenvalue of ``S_+ = S0 + C + lam/2 I`` (and of
        ``S_- = -S0 + C + lam/2 I`` when some output signs are negative).
    spectral_norm : float
        Largest absolute eigenvalue of the same matrices, the scale of
        ``lambda_min``.
    stationarity : float
        ``||A W S||_F``, half the norm of the gradient in ``W``: the residual
        of ``W_+ S_+ = 0`` and ``W_- S_- = 0``.
    weight_norm : float
        ``||W||_F``, the scale of ``stationarity``.
    gap_bound : float
        Upper bound on ``L(W) - min L`` from convexity (module docstring);
        ``inf`` when ``lambda_min < 0`` and ``alpha = 0``.
    objective : float
        ``L(W)``.
    method : {'dense', 'lanczos'}
        How the eigenvalues were computed.

    Notes
    -----
    The fit is certified when the proven gap is small next to the objective,
    ``gap_bound <= rtol * objective``: no network of any width, and no PSD
    matrix ``M``, does better than ``(1 - rtol) L(W)``. ``is_certified_``
    uses ``rtol = CERTIFICATE_RTOL = 1e-4``; :meth:`certifies` takes
    another. The bound is first order in the residuals, so it cannot go much
    below ``1e-9 / alpha`` in double precision, although the true gap
    usually does (it is second order); with ``alpha = 0`` it is
    infinite unless ``lambda_min >= 0``. The scale-free
    :attr:`relative_lambda_min` and :attr:`relative_stationarity` are
    reported as well.
    """

    def __init__(
        self,
        lambda_min,
        spectral_norm,
        stationarity,
        weight_norm,
        gap_bound,
        objective,
        method,
    ):
        self.lambda_min = lambda_min
        self.spectral_norm = spectral_norm
        self.stationarity = stationarity
        self.weight_norm = weight_norm
        self.gap_bound = gap_bound
        self.objective = objective
        self.method = method

    @property
    def relative_lambda_min(self):
        """``lambda_min / spectral_norm`` (0 when ``S = 0``)."""
        if self.spectral_norm == 0:
            return 0.0
        return self.lambda_min / self.spectral_norm

    @property
    def relative_stationarity(self):
        """``stationarity / (spectral_norm * weight_norm)`` (0 when either is 0)."""
        scale = self.spectral_norm * self.weight_norm
        return 0.0 if scale == 0 else self.stationarity / scale

    @property
    def relative_gap_bound(self):
        """``gap_bound / objective``."""
        if self.objective == 0:
            return 0.0 if self.gap_bound == 0 else np.inf
        return self.gap_bound / self.objective

    def certifies(self, rtol=CERTIFICATE_RTOL):
        """Whether ``gap_bound <= rtol * objective``."""
        return bool(self.gap_bound <= rtol * self.objective)

    def __repr__(self):
        return (
            f"OptimalityCertificate(lambda_min={self.lambda_min:.3g}, "
            f"spectral_norm={self.spectral_norm:.3g}, "
            f"stationarity={self.stationarity:.3g}, "
            f"gap_bound={self.gap_bound:.3g}, objective={self.objective:.6g})"
        )


def _spectrum_ends(X, dpred, sign_blocks, shift, C, dense_max, rng, scale=None):
    """Smallest eigenvalue and largest |eigenvalue| over ``s S0 + C + shift I``.

    ``scale``: the model's column scale ``D`` (the hidden weights act on
    ``X / D``), so that ``S0`` is ``D^-1 X^T diag(dpred) X D^-1``, formed
    without a scaled copy of X.

    For an X of another namespace (a fit on its device) the products with
    X run on its device; the ``d x d`` eigenproblem runs on the host
    (scipy): the formed ``S0`` comes to the host once, and each Lanczos
    product sends a vector of length d each way.
    """
    n_features = X.shape[1]
    xp = aa.namespace_of(X)
    if scale is not None and xp is not None:
        scale = np.asarray(aa.to_numpy(scale), dtype=np.float64)
    if n_features <= dense_max:
        if xp is None:
            S0 = ((X * dpred[:, None]).T @ X).astype(np.float64, copy=False)
        else:
            weighted = X * xp.reshape(dpred, (-1, 1))
            S0 = aa.to_numpy(weighted.T @ X).astype(np.float64)
        if scale is not None:
            S0 /= np.outer(scale, scale)
        return _dense_ends(S0, sign_blocks, shift, C)

    def product(u):
        """``X^T diag(dpred) X u`` on the host, for a host vector ``u``."""
        if xp is None:
            return np.asarray(X.T @ (dpred * (X @ u)), dtype=np.float64)
        u = aa.asarray_on(u, X, dtype=X.dtype)
        return aa.to_numpy(X.T @ (dpred * (X @ u))).astype(np.float64)

    lo, norm = np.inf, 0.0
    for s in sign_blocks:

        def matvec(v, s=s):
            v = np.ravel(v)
            u = v if scale is None else v / scale
            Su = product(u)
            out = s * (Su if scale is None else Su / scale) + shift * v
            return out if C is None else out + C @ v

        op = LinearOperator((n_features, n_features), matvec=matvec, dtype=np.float64)
        ends = eigsh(
            op,
            k=2,
            which="BE",
            v0=rng.standard_normal(n_features),
            return_eigenvectors=False,
        )
        lo = min(lo, ends.min())
        norm = max(norm, *np.abs(ends))
    return float(lo), float(norm), "lanczos"


def _dense_ends(S0, sign_blocks, shift, C):
    """:func:`_spectrum_ends` from ``S0`` formed on the host (float64)."""
    n_features = S0.shape[0]
    lo, norm = np.inf, 0.0
    for s in sign_blocks:
        S = s * S0 if C is None else s * S0 + C
        S.flat[:: n_features + 1] += shift
        ends = eigvalsh(S)[[0, -1]]
        lo = min(lo, ends[0])
        norm = max(norm, *np.abs(ends))
    return float(lo), float(norm), "dense"


def _full_batch(objective):
    """The objective's one batch; a certificate is about the full objective."""
    batches = objective.batches()
    if len(batches) != 1:
        raise ValueError(
            f"certify needs a full-batch objective; this one has {len(batches)} "
            "mini-batches (batch_size must be None)."
        )
    return batches[0]


def _stationarity(objective, params):
    """``L(W)``, ``<A W S, W>`` and ``A W S`` (half the gradient in ``W``).

    ``params`` is a list the objective may write its solved blocks into.
    """
    batch = _full_batch(objective)
    value = objective.value(params, batch)
    grads = objective.gradient(params, batch, out=[aa.empty_like(p) for p in params])
    half_grad = 0.5 * grads[0]
    # Summed over the sign blocks, <S, M> = <A W S, W> = <grad / 2, W>.
    return value, aa.vdot(half_grad, params[0]), half_grad


def _parts(objective):
    """Signs ``a`` and the matrix ``C`` (or None) of a quadratic network's
    objective; a ``ValueError`` names what does not fit Du and Lee's form."""
    model = objective.model
    problems = []
    if not isinstance(model.activation, Quadratic):
        problems.append(f"activation {type(model.activation).__name__} (not z^2)")
    if model.fixed_output is None:
        problems.append("learned output weights (not fixed signs)")
    elif not np.all(np.isin(aa.to_numpy(model.fixed_output), (-1.0, 1.0))):
        problems.append("output weights other than -1 and +1")
    if model.n_outputs is not None:
        problems.append(f"n_outputs={model.n_outputs} (not one output)")
    forms = []
    for part in objective.regularisers:
        form = getattr(part, "gram_form", None)
        if form is None:
            problems.append(
                f"regulariser {type(part).__name__} (no gram_form(): not "
                "linear in W^T W)"
            )
        else:
            forms.append(form())
    if problems:
        raise ValueError(
            "certify needs Du and Lee's objective (quadratic activation, fixed "
            "output signs, regularisers linear in W^T W); this one has "
            + "; ".join(problems)
            + "."
        )
    C = None
    for form in forms:
        C = np.array(form, dtype=np.float64) if C is None else C + form
    return np.asarray(aa.to_numpy(model.fixed_output), dtype=np.float64), C


def certify(objective, params, random_state=None, dense_max=None):
    """Optimality certificate of ``params`` for a quadratic-network objective.

    Computed in float64 whatever the objective's dtype. Up to
    ``dense_max`` features (default :data:`DENSE_CERTIFICATE_MAX_FEATURES`)
    ``S0`` is formed and ``scipy.linalg.eigvalsh`` used; above, Lanczos
    (``scipy.sparse.linalg.eigsh``) on a ``LinearOperator`` whose product
    costs ``O(n d + d^2)``.

    Parameters
    ----------
    objective : Objective
        Du and Lee's objective on the shared core
        (:func:`~sklearn_shallow.quadratic.quadratic_objective`): quadratic
        activation, fixed output signs, one batch, regularisers with a
        ``gram_form()``.
    params : list of ndarray
        ``[W]`` or ``[W, b]`` (not modified); ``b`` should minimise the
        objective for ``W`` (the bound ignores the intercept's derivative).
        An objective that solves the intercept itself (the squared loss)
        replaces it by its minimiser.
    random_state : int, RandomState instance or None, default=None
        Starting vector of the Lanczos iterations.
    dense_max : int or None, default=None

    Returns
    -------
    certificate : OptimalityCertificate
    """
    if objective.Xp.dtype != np.float64:
        objective = objective.astype(np.float64)
    return _certify(objective, params, random_state, dense_max)


def _certify(objective, params, random_state=None, dense_max=None):
    """:func:`certify` in the objective's own dtype (no float64 copy of X).

    The estimators certify their float32 fits this way: the products are
    rounded in float32 (about ``1e-7`` of ``||S0||`` on the eigenvalues,
    far below the default ``tol``), the eigenvalue problem of the ``d x d``
    matrix is solved in float64. A model with scaled columns (the
    estimators fit on columns of unit root mean square) is certified for
    the scaled problem: ``S0`` is that of ``X / column_scale``.
    """
    rng = check_random_state(random_state)
    dense_max = DENSE_CERTIFICATE_MAX_FEATURES if dense_max is None else dense_max
    signs, C = _parts(objective)
    # A copy: the objective may write the solved intercept into it.
    if aa.namespace_of(objective.Xp) is None:
        params = [np.array(p, dtype=objective.Xp.dtype) for p in params]
    else:
        params = [aa.copy(p) for p in params]
    value, alignment, half_grad = _stationarity(objective, params)
    dpred = objective.loss_derivatives()
    lam = objective.alpha
    lo, norm, method = _spectrum_ends(
        objective.Xp,
        dpred,
        np.unique(signs),
        0.5 * lam,
        C,
        dense_max,
        rng,
        objective.model.column_scale,
    )
    deficit = max(0.0, -lo)
    if deficit == 0.0:
        slack = 0.0
    elif lam > 0:
        slack = deficit * 2.0 * value / lam
    else:
        slack = np.inf
    return OptimalityCertificate(
        lambda_min=lo,
        spectral_norm=norm,
        stationarity=_norm(half_grad),
        weight_norm=_norm(params[0]),
        gap_bound=max(0.0, alignment + slack),
        objective=float(value),
        method=method,
    )


def _norm(a):
    """The Frobenius norm of ``a``, as a Python float."""
    if aa.namespace_of(a) is None:
        return float(np.linalg.norm(a))
    return math.sqrt(aa.vdot(a, a))


def quadratic_model(n_features, signs, fit_intercept):
    """Du and Lee's network ``sum_j a_j (w_j . x)^2 + b`` as a shared
    :class:`~sklearn_shallow._network.ShallowModel`: the quadratic
    activation, a dense layer, the signs ``a`` as fixed output weights."""
    return ShallowModel(
        get_activation("quadratic"),
        Dense(),
        n_features,
        signs.shape[0],
        signs,
        fit_intercept,
    )


def quadratic_objective(
    X,
    y,
    loss,
    signs,
    alpha,
    perturbation=None,
    fit_intercept=False,
    sample_weight=None,
):
    """Du and Lee's objective on the package's shared core.

    The network is a :class:`~sklearn_shallow._network.ShallowModel` with the
    quadratic activation, a dense layer and the signs as fixed output
    weights; the objective is the shared
    :class:`~sklearn_shallow._network.Objective` with weight decay ``alpha``
    and the perturbation as a regulariser part
    (:class:`~sklearn_shallow.regularisers.Perturbation`). It has one batch:
    the landscape results and the certificate are statements about the full
    objective.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs (with a column of ones appended when the hidden units have a
        bias).
    y : ndarray of shape (n_samples,)
    loss : SquaredLoss or LogisticLoss
    signs : ndarray of shape (n_hidden,)
        Fixed output weights ``a_j`` in {-1, +1}.
    alpha : float
        ``lam``.
    perturbation : ndarray of shape (n_features, n_features) or None
        The PSD matrix ``C``.
    fit_intercept : bool
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    objective : Objective
        Its parameters are ``[W]`` or ``[W, b]`` (``b`` of shape (1,)). For
        the squared loss every ``value`` call sets ``b`` to its exact
        minimiser for ``W`` (the weighted mean residual) in the list it is
        given, and ``b`` gets no gradient step; for other losses ``b`` is a
        gradient variable.

    Notes
    -----
    With ``Z = X W^T`` and ``l'`` the weighted loss derivatives,

        grad_W L = 2 A ((Z * l')^T X) + lam W + 2 W C,    A = diag(a),

    two matrix products of cost ``O(n k d)`` and one pass over ``Z`` (the
    shared objective's backward pass for ``z^2`` with signs +-1); the
    ``d x d`` matrix ``S0`` is never formed.
    """
    signs = np.asarray(signs, dtype=X.dtype)
    model = quadratic_model(X.shape[1], signs, fit_intercept)
    return Objective(
        model,
        loss,
        X,
        y,
        sample_weight,
        exact_linear=isinstance(loss, SquaredLoss),
        alpha=alpha,
        regularisers=() if perturbation is None else (Perturbation(perturbation),),
    )


# ---- the certificate in the estimators' fits ----------------------------------
#: Iterations between two certificate checks of the stopping rule.
CHECK_EVERY = 10

#: Most gradient-only steps after a solver stalls short of ``tol``.
REFINE_STEPS = 200


def _minimise_intercept(objective, params, max_steps=50):
    """Return ``params`` with ``b`` replaced by its minimiser for fixed ``W``.

    The certificate's bound assumes that minimiser. An objective that solves
    ``b`` itself (the squared loss) sets it in one value call; otherwise
    damped Newton steps on the one-dimensional convex problem.
    """
    names = objective.model.names
    if "intercept" not in names:
        return params
    params = [aa.copy(p) for p in params]
    batch = objective.batches()[0]
    if objective.exact:
        objective.value(params, batch)
        return params
    i = names.index("intercept")
    loss, y = objective.loss, objective.y
    sw = objective.sw
    xp = aa.namespace_of(objective.Xp)
    total = np.sum if xp is None else xp.sum
    weight = 1.0 / y.shape[0] if sw is None else sw / total(sw)
    b = float(params[i][0])
    q = objective.model.decision(params, objective.Xp) - b
    buf = aa.empty_like(q)
    f = loss.value_and_dpred(q + b, y, weight, out=buf)
    g = float(total(buf))
    for _ in range(max_steps):
        h = float(total(weight * loss.curvature(q + b, y)))
        if g == 0.0 or not h > 0.0:
            break
        step, t = g / h, 1.0
        while True:
            b_new = b - t * step
            f_new = loss.value_and_dpred(q + b_new, y, weight, out=buf)
            if f_new <= f:
                break
            t *= 0.5
            if t < 1e-12:
                params[i][0] = b
                return params
        g = float(total(buf))
        done = abs(b_new - b) <= 1e-15 * max(1.0, abs(b))
        b, f = b_new, f_new
        if done:
            break
    params[i][0] = b
    return params


class _CertifiedStop:
    """Stopping rule: the certificate bounds the relative gap by ``tol``.

    Checked every :data:`CHECK_EVERY` iterations, on the loop's objective in
    its own dtype (no float64 copy of X); the eigenvalues are only computed
    once the stationarity part of the bound, ``<A W S, W>``, is already
    below ``tol * L(W)``.
    """

    def __init__(self, objective, tol, rng):
        self.objective = objective
        self.tol = tol
        self.rng = rng

    def __call__(self, info):
        names = self.objective.model.names
        return self.check([info["params"][n] for n in names], info["iteration"])

    def check(self, params, iteration):
        if iteration % CHECK_EVERY:
            return False
        params = [aa.copy(p) for p in params]
        params = _minimise_intercept(self.objective, params)
        value, alignment, _ = _stationarity(self.objective, params)
        if alignment > self.tol * value:
            return False
        return _certify(self.objective, params, self.rng).certifies(self.tol)


def _refine(objective, params, stop, max_steps):
    """Gradient-only refinement of a point where a solver stalled.

    Line searches compare objective values, so they stall once a step gains
    less than the rounding of ``L`` (about ``1e-16 L``), with the gradient
    still about ``1e-8`` of its scale. Barzilai-Borwein steps use gradients
    alone and carry on. Returns the visited point with the smallest gradient
    among those whose objective exceeds the start's by at most a relative
    ``1e-12``. Blocks the objective solves itself (the squared loss's
    intercept) take no step and stay out of the secant.
    """
    grads = [aa.empty_like(p) for p in params]
    batch = objective.batches()[0]
    solved = set(objective.solved_blocks)
    free = [i for i in range(len(params)) if i not in solved]

    def inner(u, v):
        return sum(aa.vdot(u[i], v[i]) for i in free)

    def evaluate(x):
        value = objective.value(x, batch)
        objective.gradient(x, batch, out=grads)
        return value, [aa.copy(g) for g in grads]

    x = [aa.copy(p) for p in params]
    f0, g = evaluate(x)
    norm = math.sqrt(inner(g, g))
    best, best_norm = x, norm
    if norm == 0.0:
        return best
    size = math.sqrt(inner(x, x))
    # A first step that moves by 1e-6 of the parameters' norm: close enough
    # for the objective to stay within rounding, long enough for a secant.
    step = 1e-6 * max(size, 1.0) / norm
    for iteration in range(1, max_steps + 1):
        x_new = [a - step * b for a, b in zip(x, g)]
        f, g_new = evaluate(x_new)
        if not np.isfinite(f):
            break
        dx = [a - b for a, b in zip(x_new, x)]
        s_y = inner(dx, [a - b for a, b in zip(g_new, g)])
        s_s = inner(dx, dx)
        if s_y <= 0.0:
            break
        step = s_s / s_y
        x, g = x_new, g_new
        norm = math.sqrt(inner(g, g))
        if norm < best_norm and f <= f0 + 1e-12 * abs(f0):
            best, best_norm = x, norm
            if stop.check(best, iteration):
                break
    return best


def _finish(objective, result, stop, max_iter, tol, rng, certified_only):
    """After the loop: the intercept at its minimiser, the certificate and,
    after a stall short of ``tol``, a refinement (internal units)."""
    params = _minimise_intercept(objective, result.params)
    certificate = _certify(objective, params, rng)
    # The loop ends at max_iter, at its stopping rule, at the certificate
    # (its callback) or where no step decreases the objective at working
    # precision: only the first is a failure to report.
    limit = not result.converged and result.n_iter >= max_iter
    if not (limit or result.converged) and not certificate.certifies(tol):
        # A stall short of tol (tol=0 runs to it): refine.
        params = _refine(objective, params, stop, REFINE_STEPS)
        params = _minimise_intercept(objective, params)
        certificate = _certify(objective, params, rng)
    if certificate.certifies(tol):
        result.converged = True
    elif limit:
        result.message = (
            f"max_iter={max_iter} was reached before the fit was "
            + ("certified" if certified_only else "stationary")
            + "; increase max_iter or tol"
        )
    else:
        result.converged = True  # a stall at working precision
    result.params = params
    result.raw_params = [aa.copy(p) for p in params]
    result.certificate = certificate
    return result
