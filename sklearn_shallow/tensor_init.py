"""Tensor initialisation of a one-hidden-layer network (Zhong et al. 2017).

For Gaussian inputs ``x ~ N(0, I_d)`` and ``y = sum_i v_i phi(w_i . x)``,
the moments of ``y`` against the Hermite tensors ``H_j(x)`` are low-rank
tensors whose components are the unit directions ``wbar_i = w_i / ||w_i||``
(Zhong et al., Claim 5.2)::

    M_j = E[y H_j(x)] = sum_i v_i m_j(||w_i||) wbar_i^{(x) j}.

:func:`tensor_initialization` turns this into a starting point for gradient
descent in four steps, none of which forms a ``d x d x d`` (or ``d^2 x d``)
array:

1. the span ``V`` of the ``wbar_i``: top eigenvectors of a second-order
   moment ``P2``, by a matrix-free eigensolver (each product costs
   ``O(n d)``);
2. the projected third-order moment ``R3 = P3(V, V, V)``, a ``k x k x k``
   array, straight from the samples ``X V`` (``O(n k^3)``);
3. a non-orthogonal decomposition ``R3 = sum_i c_i u_i^{(x) 3}``, by
   simultaneous diagonalisation of random slices and alternating least
   squares, giving ``wbar_i = +- V u_i``;
4. magnitudes ``||w_i||``, the signs ``+-`` and ``v_i`` from an even and an
   odd moment, for positively homogeneous activations.

All moments are contracted with vectors through the formula of the
multivariate Hermite polynomial as a sum over partial matchings of its slots
(see :func:`hermite_contraction`).

Two additions to the paper's Algorithm 1 reduce the sampling noise without
changing any population moment:

- before a moment of order ``j`` is averaged, ``y`` loses its mean, its
  linear part and (for ``j >= 3``) its quadratic part inside ``V``; Hermite
  tensors are orthogonal to polynomials of lower degree, so ``M_j`` is
  unchanged, but at ``n = 4e5`` the error of ``R3`` falls from about 0.1 to
  0.02 (ReLU);
- when ``P3`` comes from ``M4`` (ReLU), ``R3`` is formed for
  :data:`N_CONTRACTIONS` random vectors ``alpha`` and the stack is
  decomposed at once, since a unit with ``alpha . wbar_i`` near zero is
  invisible in a single ``M4(V, V, V, alpha)``.

The result depends on the data and ``random_state`` only, not on the units
or the machine: the method runs on features scaled to unit root mean square
and on ``y`` scaled to unit standard deviation, and maps the weights back
exactly; eigenvectors get canonical signs and repeated eigenvalues canonical
eigenspace bases (:func:`canonical_phase`), since LAPACK fixes neither; the
units come out largest norm (on the scaled inputs) first; and the step runs
on one BLAS thread below the size at which the fits switch to several.

References
----------
.. [1] K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon,
   "Recovery Guarantees for One-hidden-layer Neural Networks", ICML 2017,
   section 5 and Algorithm 1.
.. [2] V. Kuleshov, A. Chaganty and P. Liang, "Tensor Factorization via
   Matrix Factorization", AISTATS 2015.

Why one module of ~1200 lines: about 500 are code; the rest derive each
moment estimator, its Gaussian moments and the measurements behind its
choices. The steps (moments, subspace, decomposition, signs and scales) are
one algorithm whose helpers are used by it alone; they stay together.
"""

import warnings
from numbers import Integral

import numpy as np
from scipy import linalg
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_X_y

from ._threads import blas_threads
from ._validation import combine_weights
from .activations import ACTIVATIONS, Activation, get_activation

__all__ = [
    "canonical_phase",
    "decompose_symmetric",
    "hermite_contraction",
    "magnitudes_and_signs",
    "moment_coefficients",
    "tensor_initialization",
]

#: Number of random vectors ``alpha`` contracted into ``M4`` when ``M3`` vanishes
#: (ReLU): a unit with ``alpha . wbar_i`` near zero is faint in one of the
#: tensors ``M4(V, V, V, alpha)`` but not in all of them.
N_CONTRACTIONS = 3

#: The candidates from Jennrich's algorithm that diagonalise the slices best
#: are each refined by alternating least squares; the best fit is kept.
N_STARTS = 5

#: Alternating least squares may drive two components together while their
#: weights diverge (a degenerate fit); such a refinement is rejected.
MAX_COHERENCE = 0.99

# Relative cut-off of singular values in the magnitude step.
_RCOND = 1e-3

#: Up to this many features, ``P2`` is formed densely (``O(n d^2)``) and
#: diagonalised with ``eigh``; above it, ``eigsh`` works on matrix products.
DENSE_MAX_FEATURES = 64

# A coefficient m_j this small relative to the largest one counts as zero
# (the quadrature behind the gamma_j is accurate to about 1e-10).
_ZERO_MOMENT = 1e-7

_LETTERS = "abcdefgh"


# ---------------------------------------------------------------------------
# Gaussian moments of the activation
# ---------------------------------------------------------------------------
def moment_coefficients(activation):
    """Coefficients ``m_1, ..., m_4`` of an activation at unit scale.

    With ``gamma_j = E[phi(z) z^j]`` for ``z ~ N(0, 1)`` (computed by
    quadrature, :meth:`Activation.gaussian_moment`)::

        m_1 = gamma_1              m_2 = gamma_2 - gamma_0
        m_3 = gamma_3 - 3 gamma_1  m_4 = gamma_4 + 3 gamma_0 - 6 gamma_2

    These are ``E[phi(z) He_j(z)]`` with ``He_j`` the probabilists' Hermite
    polynomials. For an activation homogeneous of degree ``p``,
    ``m_j(s) = s^p m_j(1)``.

    Parameters
    ----------
    activation : str, Activation or (callable, callable)
        Anything :func:`~sklearn_shallow.activations.get_activation` accepts.

    Returns
    -------
    m : ndarray of shape (5,)
        ``m[j]`` is ``m_j`` for ``j = 1, ..., 4``; ``m[0]`` is ``gamma_0``.

    References
    ----------
    .. [1] Zhong et al. (2017), Definition 5.1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.tensor_init import moment_coefficients
    >>> m = moment_coefficients("relu")
    >>> np.round(m[1:] * np.sqrt(2 * np.pi), 6)  # sqrt(2 pi)/2, 1, 0, -1
    array([ 1.253314,  1.      ,  0.      , -1.      ])
    """
    act = get_activation(activation)
    gamma = [act.gaussian_moment(j, 1.0) for j in range(5)]
    return np.array(
        [
            gamma[0],
            gamma[1],
            gamma[2] - gamma[0],
            gamma[3] - 3.0 * gamma[1],
            gamma[4] + 3.0 * gamma[0] - 6.0 * gamma[2],
        ]
    )


def _moment_orders(m, name):
    """Which moments the method uses, given the coefficients ``m``.

    Returns ``(j2, j3, l_odd, l_even)``: ``P2`` is ``M_{j2}`` contracted down
    to a matrix, ``P3`` is ``M_{j3}`` contracted down to a third-order
    tensor; the magnitude and sign step uses the first odd order ``l_odd``
    and the first even order ``l_even >= 2`` with ``m_l != 0``.
    """
    scale = np.max(np.abs(m[1:]))
    nonzero = {j for j in range(1, 5) if abs(m[j]) > _ZERO_MOMENT * scale}

    def first(orders):
        return next((j for j in orders if j in nonzero), None)

    j2, j3 = first((2, 3, 4)), first((3, 4))
    l_odd, l_even = first((1, 3)), first((2, 4))
    if None in (j2, j3, l_odd, l_even):
        shown = ", ".join(f"m{j}={m[j]:.3g}" for j in range(1, 5))
        raise ValueError(
            f"The tensor initialisation cannot identify a network with the "
            f"activation {name}: it needs a nonzero m_j among j = 3, 4 (for "
            f"the third-order tensor), among j = 1, 3 (for the signs) and "
            f"among j = 2, 4 (for the output weights), but {shown}. "
            "Use init='random' for this activation."
        )
    return j2, j3, l_odd, l_even


# ---------------------------------------------------------------------------
# Hermite moments contracted with vectors
# ---------------------------------------------------------------------------
def _partial_matchings(slots):
    """All sets of disjoint pairs of ``slots`` (the empty set included)."""
    if not slots:
        yield []
        return
    first, rest = slots[0], slots[1:]
    yield from _partial_matchings(rest)
    for i, other in enumerate(rest):
        for matching in _partial_matchings(rest[:i] + rest[i + 1 :]):
            yield [(first, other), *matching]


def _product_moment(weights, projections):
    """``sum_n weights_n prod_s projections[s][n, a_s]``, indexed by ``a``.

    Columns of width one are folded into the weights first, so at most three
    wide blocks remain; three cost ``O(n m^3)`` through ``m`` matrix products,
    never an ``n x m x m`` array.
    """
    w = weights
    wide = []
    for Z in projections:
        if Z.shape[1] == 1:
            w = w * Z[:, 0]
        else:
            wide.append(Z)
    if not wide:
        out = np.sum(w)
    elif len(wide) == 1:
        out = wide[0].T @ w
    elif len(wide) == 2:
        out = wide[0].T @ (wide[1] * w[:, None])
    elif len(wide) == 3:
        A, B, C = wide
        out = np.stack([B.T @ (C * (w * A[:, a])[:, None]) for a in range(A.shape[1])])
    else:
        raise ValueError("At most three wide slots are supported.")
    return np.reshape(out, tuple(Z.shape[1] for Z in projections))


def hermite_contraction(X, weights, bases, column_scale=None):
    """Weighted sum of Hermite tensors contracted with the columns of bases.

    Computes the array ``T`` with
    ``T[a_1, ..., a_j] = sum_n weights_n H_j(x_n)[b_1, ..., b_j]`` where
    ``b_s`` is column ``a_s`` of ``bases[s]``. The Hermite tensor contracted
    with vectors is a sum over the partial matchings ``pi`` of the ``j``
    slots::

        H_j(x)[b_1, ..., b_j] = sum_pi (-1)^|pi| prod_{(s,t) in pi} <b_s, b_t>
                                       prod_{s unmatched} (b_s . x)

    For instance ``H_2[u, w] = (u.x)(w.x) - <u, w>`` and
    ``H_4 = prod - (6 pair terms) + (3 pairing terms)``. Only the projections
    ``X @ b`` are formed, so the cost is ``O(n d m)`` for the projections and
    ``O(n m^3)`` at most for the products.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    weights : ndarray of shape (n_samples,)
        Sample weights; use ``y / n`` for the empirical moment ``E[y H_j]``.
    bases : list of (ndarray of shape (n_features, m_s) or None)
        One entry per slot, ``j <= 4`` slots. ``None`` stands for the
        identity (the slot is left free, ``m_s = n_features``); at most one
        slot may be ``None`` and at most three may have more than one column.
    column_scale : ndarray of shape (n_features,) or None, default=None
        Contract as if ``X`` were ``X * column_scale`` (the bases live in
        those scaled coordinates) without forming the scaled copy.

    Returns
    -------
    T : ndarray of shape (m_1, ..., m_j)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.tensor_init import hermite_contraction
    >>> X = np.array([[2.0, 0.0]])
    >>> u = np.array([[1.0], [0.0]])
    >>> # H_3[u, u, u] = He_3(2) = 2^3 - 3 * 2 = 2
    >>> hermite_contraction(X, np.ones(1), [u, u, u]).ravel()
    array([2.])
    """
    free = [s for s, B in enumerate(bases) if B is None]
    if len(free) > 1:
        raise ValueError("At most one slot of a contraction can be left free.")
    c = column_scale
    if c is None:
        projections = [X if B is None else X @ B for B in bases]
    else:
        # (X diag(c)) B = X (c B); the free slot keeps X and gets c below.
        projections = [X if B is None else X @ (c[:, None] * B) for B in bases]

    def gram(s, t):
        if bases[s] is None:
            return bases[t]
        if bases[t] is None:
            return bases[s].T
        return bases[s].T @ bases[t]

    j = len(bases)
    letters = _LETTERS[:j]
    shape = tuple(Z.shape[1] for Z in projections)
    total = np.zeros(shape)
    cache = {}
    for matching in _partial_matchings(tuple(range(j))):
        matched = {s for pair in matching for s in pair}
        unmatched = tuple(s for s in range(j) if s not in matched)
        if unmatched not in cache:
            moment = _product_moment(weights, [projections[s] for s in unmatched])
            if c is not None and free and free[0] in unmatched:
                axis = unmatched.index(free[0])
                shape_c = [1] * moment.ndim
                shape_c[axis] = -1
                moment = moment * c.reshape(shape_c)
            cache[unmatched] = moment
        operands = [cache[unmatched]] + [gram(s, t) for s, t in matching]
        subscripts = ["".join(letters[s] for s in unmatched)]
        subscripts += [letters[s] + letters[t] for s, t in matching]
        term = np.einsum(",".join(subscripts) + "->" + letters, *operands)
        total += term if len(matching) % 2 == 0 else -term
    return total


# ---------------------------------------------------------------------------
# Step 1: the subspace
# ---------------------------------------------------------------------------
def _p2_operator(X, weights, alpha, j2, column_scale=None):
    """``P2 = M_{j2}(I, I, alpha, ...)`` as a symmetric LinearOperator."""
    d = X.shape[1]
    tail = [] if j2 == 2 else [alpha[:, None]] * (j2 - 2)

    def matmat(U):
        U = np.asarray(U, dtype=float).reshape(d, -1)
        T = hermite_contraction(X, weights, [None, U, *tail], column_scale)
        return T.reshape(d, U.shape[1])

    return LinearOperator(
        (d, d), matvec=matmat, matmat=matmat, rmatvec=matmat, dtype=float
    )


def _top_subspace(operator, n_hidden, rng):
    """The ``n_hidden`` eigenvectors of largest ``|eigenvalue|``, canonically.

    ``P2`` is indefinite when the output weights have mixed signs, so the
    ranking is by magnitude. The basis is a function of ``P2`` alone, not of
    LAPACK's choices (see :func:`_select_eigenvectors`), since random vectors
    are drawn in its coordinates later on.
    """
    d = operator.shape[0]
    if d > DENSE_MAX_FEATURES and n_hidden < d - 2:
        v0 = rng.standard_normal(d)
        # Converged to machine precision (tol=0), not to the sampling error
        # of P2: a looser tolerance leaves V depending on the rounding of
        # each product, hence on the BLAS build and thread count. One pair
        # more than needed shows whether the last one kept is tied.
        try:
            values, vectors = eigsh(operator, k=n_hidden + 1, which="LM", v0=v0, tol=0)
        except ArpackNoConvergence:
            selected = None  # the dense solver below always converges
        else:
            selected = _select_eigenvectors(values, vectors, n_hidden)
        if selected is not None:
            return selected
        # A tie at the cut that may reach past the pairs computed (inputs
        # of lower rank than n_features give many equal eigenvalues): the
        # whole spectrum settles it.
    P2 = operator.matmat(np.eye(d))
    values, vectors = linalg.eigh(0.5 * (P2 + P2.T))
    return _select_eigenvectors(values, vectors, n_hidden, complete=True)


#: Eigenvalues closer than this, relative to the largest magnitude, count as
#: equal: their eigenvectors are then not determined one by one, only the
#: span they share is.
_EIGEN_TIE = 1e-9


def _canonical_basis(Q):
    """An orthonormal basis of ``span(Q)`` that depends on the span only.

    Gram-Schmidt with pivoting on the projections ``P e_j`` of the coordinate
    vectors (``P = Q Q^T``), the longest remaining one first: a QR with column
    pivoting of ``Q^T``, whose column norms and pivots do not change when
    ``Q`` is replaced by ``Q R`` for an orthogonal ``R``.
    """
    if Q.shape[1] == 1:
        return canonical_phase(Q)
    O, R, _ = linalg.qr(Q.T, pivoting=True)
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return Q @ (O * signs)


def _select_eigenvectors(values, vectors, n_hidden, complete=False):
    """``(V, eigenvalues)``: ``n_hidden`` pairs of largest ``|value|``.

    LAPACK fixes neither the sign of an eigenvector nor, for a repeated
    eigenvalue, the basis of its eigenspace; both change with the build and
    with rounding. Each group of equal eigenvalues is therefore given the
    basis :func:`_canonical_basis` of its eigenspace, and when the cut at
    ``n_hidden`` falls inside a group of equal magnitudes, the first vectors
    of the canonical basis of that group's span are kept (their Rayleigh
    quotients are reported as eigenvalues). With ``complete=False``, the
    pairs are only the largest ones; None is returned when the cut may be
    tied with pairs that were not computed.
    """
    magnitudes = np.abs(values)
    tol = _EIGEN_TIE * max(float(magnitudes.max(initial=0.0)), np.finfo(float).tiny)
    cut = np.sort(magnitudes)[::-1][n_hidden - 1]
    above = np.flatnonzero(magnitudes > cut + tol)
    tied = np.flatnonzero(np.abs(magnitudes - cut) <= tol)
    if not complete and magnitudes.min() >= cut - tol:
        return None
    blocks = []  # (magnitude, vectors, values)
    # Groups of equal eigenvalues among those kept outright.
    above = above[np.argsort(values[above], kind="stable")]
    for group in np.split(above, np.flatnonzero(np.diff(values[above]) > tol) + 1):
        if group.size:
            basis = _canonical_basis(vectors[:, group])
            blocks.append((magnitudes[group].max(), basis, values[group]))
    need = n_hidden - above.size
    basis = _canonical_basis(vectors[:, tied])[:, :need]
    coefficients = vectors[:, tied].T @ basis
    blocks.append((cut, basis, (coefficients**2).T @ values[tied]))
    blocks.sort(key=lambda block: -block[0])
    V = np.hstack([block[1] for block in blocks])
    return V, np.concatenate([block[2] for block in blocks])


# ---------------------------------------------------------------------------
# Step 3: non-orthogonal symmetric decomposition of k x k x k tensors
# ---------------------------------------------------------------------------
def canonical_phase(vectors):
    """Eigenvectors with a fixed sign (or complex phase), column by column.

    An eigen- or singular vector is only defined up to a factor of modulus
    one, and which factor LAPACK returns depends on its build and on
    rounding (scikit-learn's ``svd_flip`` settles the same question for the
    SVD). Each column is multiplied by the factor that makes its entry of
    largest modulus real and positive, which is a function of the vector
    alone. The first such entry counts when several tie.

    Parameters
    ----------
    vectors : ndarray of shape (n, m), real or complex

    Returns
    -------
    vectors : ndarray of shape (n, m)
        A new array, of the same dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.tensor_init import canonical_phase
    >>> canonical_phase(np.array([[0.6, 0.8], [-0.8, 0.6]]))
    array([[-0.6,  0.8],
           [ 0.8,  0.6]])
    """
    vectors = np.asarray(vectors)
    return vectors * _phase_factors(vectors)


def _phase_factors(vectors):
    """The factors of modulus one applied by :func:`canonical_phase`."""
    if vectors.shape[1] == 0:
        return np.ones(0, dtype=vectors.dtype)
    rows = np.argmax(np.abs(vectors), axis=0)
    pivots = vectors[rows, np.arange(vectors.shape[1])]
    moduli = np.abs(pivots)
    factors = np.ones_like(pivots)
    nonzero = moduli > 0
    factors[nonzero] = np.conj(pivots[nonzero]) / moduli[nonzero]
    return factors


def _unit_columns(A):
    norms = np.linalg.norm(A, axis=0)
    norms[norms == 0] = 1.0
    return A / norms


def _khatri_rao(A, B):
    """Columnwise Kronecker product, shape ``(rows_A * rows_B, n_columns)``."""
    return np.einsum("ai,bi->abi", A, B).reshape(-1, A.shape[1])


def _mttkrp(T, factors, mode):
    """``T`` contracted with the columns of every factor but ``mode``'s.

    ``out[a, i] = sum T[.., a, ..] prod_{j != mode} factors[j][., i]``, by one
    matrix product and elementwise reductions (no Khatri-Rao matrix).
    """
    out = np.moveaxis(T, mode, 0)
    others = [f for j, f in enumerate(factors) if j != mode]
    out = out @ others[-1]
    for f in reversed(others[:-1]):
        out = np.einsum("...jr,jr->...r", out, f)
    return out


def _symmetric_fit(T, U):
    """Best ``C`` in ``T[..., t] ~ sum_i C[t, i] u_i^{(x)3}``; relative misfit.

    Least squares through the normal equations: the Gram matrix of the
    ``u_i^{(x)3}`` is ``(U^T U)^3`` elementwise, so no ``k^3 x k`` design
    matrix is formed.
    """
    rhs = _mttkrp(T, [U, U, U, np.eye(T.shape[3])], 3)  # (m, k)
    C = np.linalg.lstsq((U.T @ U) ** 3, rhs.T, rcond=None)[0].T
    fitted = np.einsum("ti,ai,bi,ci->abct", C, U, U, U, optimize=True)
    scale = max(np.linalg.norm(T), np.finfo(float).tiny)
    return C, float(np.linalg.norm(fitted - T) / scale)


def _jennrich(S_a, S_b):
    """Common eigenvectors of ``S_a = U D_a U^T`` and ``S_b = U D_b U^T``.

    ``S_a pinv(S_b) = U (D_a / D_b) U^{-1}``, so its eigenvectors are the
    columns of ``U`` (Jennrich's algorithm). Noise can turn two real
    eigenvalues into a complex-conjugate pair; its two conjugate eigenvectors
    span the same real plane as the two wanted ones, so the real and
    imaginary parts are kept (the real parts alone would be a duplicate).
    """
    values, vectors = linalg.eig(S_a @ np.linalg.pinv(S_b))
    # Fixed phases make the candidate (real and imaginary parts included)
    # independent of LAPACK's choice of factor.
    vectors = canonical_phase(vectors)
    U = np.real(vectors).copy()
    # LAPACK lists a conjugate pair consecutively, positive imaginary part
    # first.
    for j in np.flatnonzero(values.imag > 0):
        if j + 1 < U.shape[1]:
            U[:, j + 1] = vectors[:, j].imag
    return _unit_columns(U)


def _coherence(U):
    """Largest ``|cos|`` between two distinct columns of ``U``."""
    if U.shape[1] < 2:
        return 0.0
    G = np.abs(U.T @ U)
    np.fill_diagonal(G, 0.0)
    return float(G.max())


def _diagonalisation_misfit(slices, U):
    """How far ``U`` is from diagonalising every slice at once.

    For each slice the best diagonal ``D_l`` in ``S_l ~ U D_l U^T`` is found
    by least squares; the result is the total squared misfit over all slices.
    """
    basis = np.linalg.qr(_khatri_rao(U, U))[0]
    rhs = slices.reshape(slices.shape[0], -1).T
    return float(np.sum(rhs**2) - np.sum((basis.T @ rhs) ** 2))


def _als_refine(T, U, C, n_iter):
    """Alternating least squares on ``T ~ sum_i a_i (x) b_i (x) c_i (x) e_i``.

    ``T`` has shape ``(k, k, k, m)``; the three symmetric modes start from
    ``U`` and the last from ``C``. Returns unit directions averaged over the
    three (sign-aligned) symmetric factors.
    """
    factors = [U.copy(), U.copy(), U.copy(), C.copy()]
    for _ in range(n_iter):
        for mode in range(4):
            others = [f for j, f in enumerate(factors) if j != mode]
            gram = np.prod([f.T @ f for f in others], axis=0)
            rhs = _mttkrp(T, factors, mode)
            factors[mode] = np.linalg.lstsq(gram, rhs.T, rcond=None)[0].T
    units = [_unit_columns(f) for f in factors[:3]]
    for f in units[1:]:
        f *= np.where(np.sum(f * units[0], axis=0) < 0, -1.0, 1.0)
    return _unit_columns(sum(units))


def _refined(T, U, refine_iter):
    """``(U, weights, residual)`` after ALS from ``U``, if ALS fits better."""
    weights, residual = _symmetric_fit(T, U)
    if refine_iter > 0:
        refined_U = _als_refine(T, U, weights, refine_iter)
        refined_weights, refined_residual = _symmetric_fit(T, refined_U)
        if (
            np.all(np.isfinite(refined_U))
            and refined_residual < residual
            and _coherence(refined_U) < MAX_COHERENCE
        ):
            return refined_U, refined_weights, refined_residual
    return U, weights, residual


def decompose_symmetric(T, n_slices=100, refine_iter=20, random_state=None):
    """Non-orthogonal decomposition ``T = sum_i c_i u_i^{(x) 3}``.

    Random slices ``S_l = T(I, I, theta_l)`` equal
    ``U diag(c * U^T theta_l) U^T``: they are diagonalised simultaneously by
    ``U``. Jennrich's algorithm on each pair of slices gives a candidate
    ``U``; the :data:`N_STARTS` candidates that best diagonalise all
    ``n_slices`` slices at once (the use of many slices that makes the
    method robust to noise, Kuleshov et al. 2015) are each refined by
    ``refine_iter`` sweeps of alternating least squares on ``T`` (a
    refinement is kept only if it fits ``T`` better without merging two
    components), and the best fit of ``T`` is returned.

    Several tensors with the same components and different weights,
    ``T[..., t] = sum_i C[t, i] u_i^{(x) 3}``, are decomposed together: each
    slice then also mixes the tensors with random coefficients, so a
    component that is faint in one of them is carried by the others.

    Parameters
    ----------
    T : ndarray of shape (k, k, k) or (k, k, k, m)
        Symmetric tensor(s) with linearly independent components.
    n_slices : int, default=100
        Number of random slices (at least 2).
    refine_iter : int, default=20
        Alternating-least-squares sweeps; 0 skips the refinement.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    U : ndarray of shape (k, k)
        Unit columns ``u_i`` (each up to sign).
    weights : ndarray of shape (k,) or (m, k)
        ``c_i`` (or ``C``), by least squares given ``U``.
    residual : float
        ``||T - sum_i c_i u_i^{(x)3}|| / ||T||``.

    References
    ----------
    .. [1] V. Kuleshov, A. Chaganty and P. Liang, "Tensor Factorization via
       Matrix Factorization", AISTATS 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.tensor_init import decompose_symmetric
    >>> U = np.array([[1.0, 0.6], [0.0, 0.8]])
    >>> T = 2 * np.einsum("a,b,c->abc", *[U[:, 0]] * 3) - np.einsum(
    ...     "a,b,c->abc", *[U[:, 1]] * 3)
    >>> U_hat, c, residual = decompose_symmetric(T, random_state=0)
    >>> order = np.argsort(-np.abs(c))  # u_i and c_i are found up to sign
    >>> np.round(np.abs(U_hat[:, order]), 6), np.round(np.abs(c[order]), 6)
    (array([[1. , 0.6],
           [0. , 0.8]]), array([2., 1.]))
    >>> bool(residual < 1e-10)
    True
    """
    rng = check_random_state(random_state)
    single = T.ndim == 3
    T = T[..., None] if single else T
    k, m = T.shape[0], T.shape[3]
    thetas = rng.standard_normal((n_slices, k))
    mixing = rng.standard_normal((n_slices, m))
    slices = np.einsum("abct,lc,lt->lab", T, thetas, mixing)
    candidates = [
        _jennrich(slices[a], slices[a + 1]) for a in range(0, n_slices - 1, 2)
    ]
    misfits = [_diagonalisation_misfit(slices, U) for U in candidates]
    best = (None, None, np.inf)
    for index in np.argsort(misfits, kind="stable")[:N_STARTS]:
        fit = _refined(T, candidates[index], refine_iter)
        if fit[2] < best[2]:
            best = fit
    best_U, weights, residual = best
    # Canonical form: each u_i with its largest entry positive (c_i changes
    # sign with u_i, the tensor does not), strongest component first.
    signs = _phase_factors(best_U)
    best_U, weights = best_U * signs, weights * signs
    order = np.argsort(-np.linalg.norm(weights, axis=0), kind="stable")
    best_U, weights = best_U[:, order], weights[:, order]
    return best_U, weights[0] if single else weights, float(residual)


# ---------------------------------------------------------------------------
# Step 4: magnitudes and signs
# ---------------------------------------------------------------------------
def magnitudes_and_signs(U, Q_odd, Q_even, alpha_dot, m, orders, degree):
    """Norms ``||w_i||``, direction signs ``s_i`` and output weights ``v_i``.

    The directions are ``wbar_i = s_i V u_i`` with unknown ``s_i``. With
    ``a_i = alpha . (V u_i)``, the projected moments of orders ``l_odd`` and
    ``l_even`` are

        Q_even = sum_i r_i a_i^(l_even - 2) u_i u_i^T,
        r_i = v_i m_{l_even} ||w_i||^p                (no s_i: even power)
        Q_odd  = sum_i z_i a_i^(l_odd - 1) u_i,
        z_i = s_i v_i m_{l_odd} ||w_i||^p             (s_i once: odd power)

    so least squares gives ``r`` and ``z``, and then
    ``v_i = sign(r_i m_{l_even})``, ``s_i = sign(z_i v_i m_{l_odd})`` and
    ``||w_i|| = (|r_i| / |m_{l_even}|)^(1/p)``. Output weights in {-1, +1}
    lose nothing for a homogeneous activation:
    ``v phi(w.x) = sign(v) phi(|v|^(1/p) w.x)``.

    Parameters
    ----------
    U : ndarray of shape (k, k)
        Unit components ``u_i`` in the coordinates of the subspace.
    Q_odd : ndarray of shape (k,)
        ``M_{l_odd}(V, alpha, ..., alpha)``.
    Q_even : ndarray of shape (k, k)
        ``M_{l_even}(V, V, alpha, ..., alpha)``.
    alpha_dot : ndarray of shape (k,)
        ``alpha . (V u_i)``.
    m : ndarray of shape (5,)
        Moment coefficients from :func:`moment_coefficients`.
    orders : tuple
        ``(j2, j3, l_odd, l_even)``.
    degree : float
        Degree ``p`` of homogeneity.

    Returns
    -------
    norms, signs, output_weights : ndarrays of shape (k,)
    """
    _, _, l_odd, l_even = orders
    # Nearly parallel components (a failed decomposition) would make the
    # least-squares coefficients huge with opposite signs; cutting small
    # singular values splits them instead.
    r = np.linalg.lstsq(_khatri_rao(U, U), Q_even.ravel(), rcond=_RCOND)[0]
    z = np.linalg.lstsq(U, Q_odd, rcond=_RCOND)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.nan_to_num(r / alpha_dot ** (l_even - 2))
        z = np.nan_to_num(z / alpha_dot ** (l_odd - 1))
    output_weights = np.where(r * m[l_even] < 0, -1.0, 1.0)
    signs = np.where(z * output_weights * m[l_odd] < 0, -1.0, 1.0)
    norms = (np.abs(r) / abs(m[l_even])) ** (1.0 / degree)
    return norms, signs, output_weights


# ---------------------------------------------------------------------------
# The public function
# ---------------------------------------------------------------------------
def _whitening(X, weights, column_scale):
    """Symmetric ``S^(-1/2)`` of the weighted second moment ``S = E[x x^T]``.

    ``S`` is that of ``X * column_scale``. Directions with (numerically) zero
    second moment are left unscaled.
    """
    S = X.T @ (X * weights[:, None])
    S *= np.outer(column_scale, column_scale)
    values, vectors = linalg.eigh(0.5 * (S + S.T))
    floor = X.shape[1] * np.finfo(float).eps * max(values.max(), 0.0)
    inv_sqrt = np.ones_like(values)
    kept = values > floor
    inv_sqrt[kept] = 1.0 / np.sqrt(values[kept])
    return (vectors * inv_sqrt) @ vectors.T


def _normalised(sample_weight, index):
    w = sample_weight[index]
    total = w.sum()
    return w / total if total > 0 else np.full(w.shape, 1.0 / max(w.size, 1))


def _moment_weights(X, y, weights, order, V=None, column_scale=None):
    """Weights ``weights * y_res`` whose sum against ``H_order`` is ``M_order``.

    ``E[y H_j(x)]`` does not change when a polynomial of degree below ``j``
    is subtracted from ``y`` (Hermite polynomials are orthogonal to lower
    degrees), but the sampling noise does: ``y_res`` is ``y`` minus its mean,
    then (``order >= 2``) minus its linear part ``E[y x] . x``, then
    (``order >= 3`` and a subspace ``V`` known) minus its quadratic part
    ``H_2(x)[Q] / 2`` with ``Q = M_2(V, V)``. Each part costs ``O(n d)`` or
    ``O(n k^2)``. ``column_scale`` as in :func:`hermite_contraction`.
    """
    c2 = 1.0 if column_scale is None else column_scale**2
    residual = y - weights @ y
    if order >= 2:
        residual = residual - X @ (c2 * (X.T @ (weights * residual)))
    if order >= 3 and V is not None:
        Q = hermite_contraction(X, weights * residual, [V, V], column_scale)
        Z = X @ (V if column_scale is None else column_scale[:, None] * V)
        residual = residual - 0.5 * (np.sum((Z @ Q) * Z, axis=1) - np.trace(Q))
    return weights * residual


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS)), Activation, tuple],
        "sample_weight": ["array-like", None],
        "n_slices": [Interval(Integral, 2, None, closed="left")],
        "refine_iter": [Interval(Integral, 0, None, closed="left")],
        "whiten": ["boolean"],
        "partition": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def tensor_initialization(
    X,
    y,
    n_hidden,
    activation="relu",
    *,
    sample_weight=None,
    n_slices=100,
    refine_iter=20,
    whiten=False,
    partition=False,
    random_state=None,
):
    """Estimate ``W`` and ``v`` of ``y = sum_i v_i phi(w_i^T x)`` from moments.

    Zhong et al.'s Algorithm 1 [1]_ for Gaussian inputs and a positively
    homogeneous activation (relu, leaky_relu, squared_relu, or a custom one
    with a ``degree``). The result is meant as the starting point of gradient
    descent (:class:`~sklearn_shallow.TensorInitOneHidden`), whose error
    then falls linearly.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Inputs, assumed ``N(0, D)`` with ``D`` diagonal (or ``N(0, Sigma)``
        with ``whiten=True``): each feature is scaled to unit root mean
        square first and the weights are scaled back, so the result does not
        depend on the units of any feature.
    y : array-like of shape (n_samples,)
        Targets.
    n_hidden : int
        Number of hidden units ``k``; at most ``n_features``.
    activation : str, Activation or (callable, callable), default='relu'
        Must be positively homogeneous (``degree`` not None) and have the
        nonzero moments the method needs; others raise a ValueError.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples in every moment.
    n_slices : int, default=100
        Random slices of ``R3`` diagonalised simultaneously (Kuleshov et al.
        use 100).
    refine_iter : int, default=20
        Alternating-least-squares sweeps refining the decomposition of
        ``R3``; 0 skips them.
    whiten : bool, default=False
        Map the (scaled) inputs to identity second moment first (for
        ``x ~ N(0, Sigma)``) and the weights back afterwards. This forms the
        ``n_features x n_features`` second-moment matrix; off by default to
        keep the memory ``O(n k + d k)`` for wide data, since the per-feature
        scaling alone already removes the dependence on units.
    partition : bool, default=False
        Use three disjoint thirds of the samples for the subspace, the
        tensor and the magnitudes, as in the analysis of Algorithm 1. Off by
        default: every step is more accurate with all the samples.
    random_state : int, RandomState instance or None, default=None
        Draws the vector ``alpha``, the slices, the eigensolver's start and
        the partition.

    Returns
    -------
    result : Bunch
        hidden_weights : ndarray of shape (n_hidden, n_features)
            The estimate of ``W``, rows in decreasing order of norm (the
            norm on the scaled, or whitened, inputs).
        output_weights : ndarray of shape (n_hidden,)
            The estimate of ``v``, in {-1, +1}, in the same order.
        subspace : ndarray of shape (n_features, n_hidden)
            Orthonormal basis ``V`` of the span of the weights, in the
            coordinates of the scaled (and, with ``whiten=True``, whitened)
            inputs.
        eigenvalues : ndarray of shape (n_hidden,)
            Eigenvalues of ``P2`` kept for ``V``, largest magnitude first.
        tensor : ndarray of shape (n_hidden, n_hidden, n_hidden, n_tensors)
            The projected third-order moments ``R3 = P3(V, V, V)``:
            ``tensor[..., t]`` uses ``alphas[:, t]`` when ``P3`` comes from
            ``M4`` (``n_tensors = min(N_CONTRACTIONS, n_hidden)``); with
            ``M3`` there is one, free of ``alpha``.
        decomposition_residual : float
            Relative misfit of the decomposition of ``R3``.
        alphas : ndarray of shape (n_features, n_tensors)
            The random unit vectors of the contractions; the first one also
            enters ``P2`` and the magnitude step when those need it.
        moments : ndarray of shape (5,)
            ``m_1 .. m_4`` at unit scale (``moments[0]`` is ``gamma_0``).
        orders : tuple of int
            ``(j2, j3, l_odd, l_even)``: the orders of ``P2``, ``P3`` and of
            the moments used for signs and magnitudes.
        whitening : ndarray of shape (n_features, n_features) or None
            With ``whiten=True``, the map ``A`` for which ``X @ A`` has
            identity second moment: the feature scaling followed by
            ``S^(-1/2)`` of the scaled inputs.
        feature_scale : ndarray of shape (n_features,)
            Root mean square of each feature (1 for a zero feature).
        target_scale : float
            Standard deviation of ``y`` (a constant ``y`` raises a
            ValueError); the norms of the weights scale with its ``1/p``-th
            power.

    Notes
    -----
    With ``gamma_j(s) = E[phi(s z) z^j]``, ``m_1 = gamma_1``,
    ``m_2 = gamma_2 - gamma_0``, ``m_3 = gamma_3 - 3 gamma_1``,
    ``m_4 = gamma_4 + 3 gamma_0 - 6 gamma_2`` and
    ``M_j = E[y H_j(x)] = sum_i v_i m_j(||w_i||) wbar_i^{(x) j}``.
    ``P2`` is the first nonzero of ``M_2``, ``M_3(I, I, alpha)``,
    ``M_4(I, I, alpha, alpha)`` and ``P3`` the first nonzero of ``M_3``,
    ``M_4(I, I, I, alpha)``: ReLU uses ``M_2`` and ``M_4``, squared ReLU
    ``M_2`` and ``M_3``. When ``P2`` does not involve ``alpha``, ``alpha`` is
    drawn inside the subspace, which keeps every ``alpha . wbar_i`` of order
    ``1/sqrt(k)`` rather than ``1/sqrt(d)``; with ``M_4``, ``R3`` is formed
    for :data:`N_CONTRACTIONS` such vectors and decomposed as one stack.
    Before each moment of order ``j`` is averaged, the part of ``y`` of
    degree below ``min(j, 3)`` is subtracted (its mean, linear part, and
    quadratic part inside ``V``): this leaves every population moment as it
    is and removes most of the sampling noise.

    Time ``O(n d k + n k^3)`` plus ``O(n d)`` per eigensolver product; memory
    ``O(n k + d k)`` beyond the data (``O(d^2)`` only for ``whiten=True`` or
    ``n_features <= DENSE_MAX_FEATURES``).

    Whitening uses the second moment ``E[x x^T]`` rather than the covariance:
    the network has no hidden biases, so a mean shift could not be mapped
    back into the weights, whereas ``w . (S^(-1/2) x) = (S^(-1/2) w) . x``
    maps back exactly. The two agree for zero-mean inputs.

    References
    ----------
    .. [1] K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon,
       "Recovery Guarantees for One-hidden-layer Neural Networks", ICML 2017.
    .. [2] V. Kuleshov, A. Chaganty and P. Liang, "Tensor Factorization via
       Matrix Factorization", AISTATS 2015.

    Examples
    --------
    >>> from sklearn_shallow.datasets import make_planted_network
    >>> from sklearn_shallow.metrics import recovery_error
    >>> from sklearn_shallow.tensor_init import tensor_initialization
    >>> X, y, truth = make_planted_network(
    ...     20000, n_features=10, n_hidden=3, activation="squared_relu",
    ...     output_weights="signs", condition_number=2.0, random_state=0)
    >>> init = tensor_initialization(X, y, 3, "squared_relu", random_state=0)
    >>> error, perm, v_match = recovery_error(
    ...     truth.hidden_weights, init.hidden_weights,
    ...     truth.output_weights, init.output_weights, return_matching=True)
    >>> bool(error < 0.3), v_match
    (True, True)
    """
    X, y = check_X_y(X, y, dtype=np.float64, y_numeric=True)
    n_samples, n_features = X.shape
    if n_hidden > n_features:
        raise ValueError(
            f"n_hidden={n_hidden} must be at most n_features={n_features}: the "
            "moment tensors identify at most n_features linearly independent "
            "hidden units (Zhong et al. assume k <= d)."
        )
    act = get_activation(activation)
    name = activation if isinstance(activation, str) else type(act).__name__
    if act.degree is None:
        raise ValueError(
            f"The tensor initialisation needs a positively homogeneous "
            f"activation (one with a degree p, such as relu, leaky_relu or "
            f"squared_relu) to recover magnitudes and signs; {name} has none. "
            "Use init='random' for this activation."
        )
    m = moment_coefficients(act)
    orders = _moment_orders(m, name)
    rng = check_random_state(random_state)
    sample_weight = combine_weights(sample_weight, None, X)
    if sample_weight is None:
        sample_weight = np.ones(n_samples)
    _check_varying_target(y, sample_weight)
    with blas_threads(n_samples * n_features * n_hidden), np.errstate(over="ignore"):
        return _tensor_step(
            X, y, n_hidden, act, m, orders, sample_weight, rng,
            n_slices=n_slices, refine_iter=refine_iter, whiten=whiten,
            partition=partition,
        )  # fmt: skip


_CONSTANT_Y = (
    "y is constant on the samples of positive weight: its moments are zero, "
    "so the tensor initialisation has no hidden unit to identify."
)


def _is_constant(y, sample_weight):
    """Whether ``y`` is constant, up to rounding, where the weight is positive."""
    counted = y if sample_weight is None else y[sample_weight > 0]
    if counted.size == 0:
        return False
    top = np.max(np.abs(counted))
    return bool(np.ptp(counted) <= 16 * np.finfo(counted.dtype).eps * top)


def _check_varying_target(y, sample_weight):
    """Refuse a ``y`` that is constant on the samples of positive weight.

    Every moment the method uses is taken of ``y`` minus its mean, so a
    constant ``y`` gives zero moments and zero weights; gradient descent from
    there would stall at once, and its error would point at the activation.
    Constant means equal up to rounding: a spread below 16 ulps of the
    largest ``|y|``.
    """
    if _is_constant(y, sample_weight):
        raise ValueError(_CONSTANT_Y + " Use init='random' for a constant y.")


def _column_scale(X, weights):
    """Root mean square of each column (1 for a zero column), overflow-safe.

    Squares are taken after dividing by the column's largest magnitude, a
    block of rows at a time, so that no temporary exceeds about 2 MB.
    """
    chunk = max(1, 2**18 // max(X.shape[1], 1))
    peak = np.maximum(X.max(axis=0), -X.min(axis=0))  # no |X| temporary
    peak[peak == 0] = 1.0
    mean_square = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], chunk):
        rows = slice(start, start + chunk)
        mean_square += weights[rows] @ (X[rows] / peak) ** 2
    scale = peak * np.sqrt(mean_square)
    scale[scale == 0] = 1.0
    return scale


def _tensor_step(
    X, y, n_hidden, act, m, orders, sample_weight, rng, *,
    n_slices, refine_iter, whiten, partition,
):  # fmt: skip
    """The body of :func:`tensor_initialization`, on validated inputs."""
    n_samples, n_features = X.shape
    j2, j3, l_odd, l_even = orders
    all_weights = _normalised(sample_weight, slice(None))

    # Units: the method assumes inputs of unit second moment, so it works on
    # x_j / s_j with s_j the root mean square of feature j, and on y / c with
    # c the standard deviation of y. Both map back exactly: w . x equals
    # (w * s) . (x / s), and for phi homogeneous of degree p,
    # v phi(w . x) / c = v phi(c^(-1/p) w . x).
    # X itself is never scaled: a copy would double the memory. Every use
    # of the scaled inputs goes through column_scale instead.
    feature_scale = _column_scale(X, all_weights)
    with np.errstate(over="ignore", divide="ignore"):
        column_scale = 1.0 / feature_scale
    tiny = np.flatnonzero(~np.isfinite(column_scale))
    if tiny.size:
        raise ValueError(
            "The tensor initialisation gave non-finite weights: features "
            f"{tiny[:5].tolist()} have root mean squares down to "
            f"{feature_scale[tiny].min():.3g}, whose inverse (the scale of "
            "their weights) exceeds float64. Rescale X, for instance with "
            "StandardScaler."
        )
    target_scale = float(_column_scale((y - all_weights @ y)[:, None], all_weights)[0])
    y = y / target_scale

    whitening = None
    if whiten:
        whitening = _whitening(X, all_weights, column_scale)
        X = X @ (column_scale[:, None] * whitening)
        column_scale = None

    if partition:
        parts = np.array_split(rng.permutation(n_samples), 3)
    else:
        parts = [slice(None)] * 3

    def moment_weights(part, order, V=None):
        return _moment_weights(
            X[part], y[part], _normalised(sample_weight, part), order, V, column_scale
        )

    # Step 1: the subspace. alpha enters P2 only when M2 vanishes; otherwise
    # it is drawn later, inside the subspace.
    alpha = None
    if j2 > 2:
        alpha = rng.standard_normal(n_features)
        alpha /= np.linalg.norm(alpha)
    operator = _p2_operator(
        X[parts[0]], moment_weights(parts[0], j2), alpha, j2, column_scale
    )
    V, eigenvalues = _top_subspace(operator, n_hidden, rng)
    if alpha is None:
        alpha = _unit_columns(V @ rng.standard_normal((n_hidden, 1)))[:, 0]

    # Step 2: R3 = P3(V, V, V) from the samples; for M4, one R3 per vector of
    # a few random unit vectors in the subspace (alpha first).
    n_tensors = 1 if j3 == 3 else min(N_CONTRACTIONS, n_hidden)
    alphas = np.column_stack(
        [alpha, V @ rng.standard_normal((n_hidden, n_tensors - 1))]
    )
    alphas = _unit_columns(alphas)
    X3, w3 = X[parts[1]], moment_weights(parts[1], j3, V)
    R3 = np.stack(
        [
            hermite_contraction(
                X3, w3, [V, V, V] + [b[:, None]] * (j3 - 3), column_scale
            ).reshape(n_hidden, n_hidden, n_hidden)
            for b in alphas.T
        ],
        axis=-1,
    )
    a = alpha[:, None]

    # Step 3: components u_i, directions +- V u_i.
    U, _, residual = decompose_symmetric(R3, n_slices, refine_iter, rng)
    directions = (V @ U).T

    # Step 4: magnitudes, signs and output weights.
    X4 = X[parts[2]]
    Q_odd = hermite_contraction(
        X4, moment_weights(parts[2], l_odd, V), [V] + [a] * (l_odd - 1), column_scale
    ).reshape(n_hidden)
    Q_even = hermite_contraction(
        X4,
        moment_weights(parts[2], l_even, V),
        [V, V] + [a] * (l_even - 2),
        column_scale,
    ).reshape(n_hidden, n_hidden)
    norms, signs, output_weights = magnitudes_and_signs(
        U, Q_odd, Q_even, directions @ alpha, m, orders, act.degree
    )
    hidden_weights = (signs * norms)[:, None] * directions
    if whitening is not None:
        hidden_weights = hidden_weights @ whitening
        # The map from the raw inputs: x -> (x / s) S^(-1/2).
        whitening = whitening / feature_scale[:, None]
    hidden_weights *= target_scale ** (1.0 / act.degree)
    hidden_weights /= feature_scale
    if not np.all(np.isfinite(hidden_weights)):
        raise ValueError(
            "The tensor initialisation gave non-finite hidden weights: its "
            "moments overflowed or the decomposition broke down (standard "
            f"deviation of y: {target_scale:.3g}; root mean squares of the "
            f"features from {feature_scale.min():.3g} to "
            f"{feature_scale.max():.3g}). Check the data for extreme values "
            "or use init='random'."
        )
    # Canonical order of the units: largest norm first, measured where the
    # method worked, so that the order does not change with the units.
    order = np.argsort(-norms, kind="stable")
    return Bunch(
        hidden_weights=hidden_weights[order],
        output_weights=output_weights[order],
        subspace=V,
        eigenvalues=eigenvalues,
        tensor=R3,
        decomposition_residual=residual,
        alphas=alphas,
        moments=m,
        orders=orders,
        whitening=whitening,
        feature_scale=feature_scale,
        target_scale=target_scale,
    )


def fill_from_tensor(W, X, y, activation, rng, v=None, **options):
    """Overwrite the first rows of random starting weights with the tensor step.

    The tensor method identifies at most ``n_features`` units, so rows of
    ``W`` (and entries of ``v``, when given) beyond that keep their random
    values. ``options`` go to :func:`tensor_initialization`. Modifies ``W``
    and ``v`` in place and returns them. A constant ``y`` (whose moments are
    zero) leaves them as they are, with a warning that says so.
    """
    sample_weight = options.get("sample_weight")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
    if _is_constant(np.asarray(y, dtype=np.float64), sample_weight):
        # An estimator can still fit a constant y (through its intercept and
        # output layer) from the random start; say why the start is random.
        warnings.warn(
            _CONSTANT_Y + " The random start is kept.", UserWarning, stacklevel=3
        )
        return W, v
    n_tensor = min(W.shape[0], X.shape[1])
    result = tensor_initialization(
        X, y, n_tensor, activation, random_state=rng, **options
    )
    W[:n_tensor] = result.hidden_weights
    if v is not None:
        v[:n_tensor] = result.output_weights
    return W, v
