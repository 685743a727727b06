"""Array API support: the namespace of a fit, devices, and missing functions.

The parts (activations, losses, constraints, thresholds, architectures) are
written twice where it matters: a numpy path, kept exactly as it was (it uses
``out=`` buffers, ``np.partition``-free stable sorts and scipy, and it is the
reference every test compares with), and a generic path written against the
array API standard, taken when the input is an array of another namespace
(torch, CuPy, array-api-strict, ...). :func:`namespace_of` decides: it
returns None for numpy arrays and Python numbers, so the numpy path costs one
``isinstance`` check more than before.

Choosing the namespace
----------------------
Estimators call :func:`get_namespace`, which follows scikit-learn's
convention: numpy whenever ``sklearn.get_config()['array_api_dispatch']`` is
off (the default; inputs are then converted to numpy by ``validate_data`` as
before), otherwise the namespace of the inputs. Numpy inputs always take the
numpy path, dispatch or not.

The namespace of a non-numpy array comes from the public package
``array-api-compat`` (the ``array-api`` extra), which wraps torch and CuPy
into standard namespaces. We depend on it rather than on scikit-learn's
vendored copy (``sklearn.externals.array_api_compat``) because that copy is
private: its path and version are scikit-learn's to change, and a wrapper
whose version we cannot pin is a poor base for bit-level agreement tests.
The vendored copy is used as a fallback when the package is missing, so a
user who has torch and scikit-learn >= 1.6 but not the extra still gets
the same namespaces scikit-learn's own ``validate_data`` sees.

Functions the standard lacks
----------------------------
One helper per need, each with a numpy branch equal to what the numpy path
did before, a native branch where torch (or CuPy) has the function, and a
generic branch in standard functions only:

* :func:`erf` (the ``'erf'`` activation): torch's and CuPy's own, else a
  series below 3 and a continued fraction above;
* :func:`expit` and :func:`softplus` (sigmoid, softplus, logistic loss);
* :func:`logsumexp`, :func:`log_softmax`, :func:`softmax` (multinomial loss,
  ``predict_log_proba``);
* :func:`largest_mask` (the l0 projections): keeps the ``k`` largest
  entries with the tie rule of the numpy path (a stable order: on equal
  values the lower index wins), through a partial selection
  (``torch.topk``) of the ``k``-th largest value where there is one;
* :func:`solve_spd` (the exact output layer): a Cholesky solve of a small
  symmetric positive definite system, with a least-squares fallback.

Host round trips
----------------
The generic branches avoid data-dependent Python branches (``where`` in
place of ``if``), so a step does not wait for the device except where a
Python number is returned (a loss value, a feasibility test).
"""

import functools
import sys

import numpy as np

__all__ = [
    "device",
    "erf",
    "expit",
    "all_finite",
    "check_same_namespace",
    "copy",
    "empty_like",
    "float_dtype",
    "get_namespace",
    "host_dtype",
    "largest_mask",
    "max_abs",
    "log_softmax",
    "logsumexp",
    "matmul",
    "namespace_of",
    "softmax",
    "softplus",
    "solve_spd",
    "to_numpy",
    "validation_dtypes",
    "vdot",
    "wide_float",
    "zeros_like",
]


# ---------------------------------------------------------------------------
# Namespaces and devices
# ---------------------------------------------------------------------------


@functools.cache
def _compat():
    """The array-api-compat module: the package, or scikit-learn's copy."""
    try:
        import array_api_compat as compat
    except ImportError:  # pragma: no cover - depends on the environment
        try:
            from sklearn.externals import array_api_compat as compat
        except ImportError:
            raise ImportError(
                "Arrays other than numpy arrays need array-api-compat: "
                "pip install 'sklearn-shallow[array-api]'."
            ) from None
    return compat


_HOST_TYPES = (np.ndarray, np.generic, float, int, type(None))


def _is_host(x):
    """Whether ``x`` takes the numpy path: a numpy array, a number, None, or
    anything that is not an array of another namespace (a list, a scipy
    sparse matrix, a DataFrame), which the numpy code converts as before."""
    if isinstance(x, _HOST_TYPES):
        return True
    try:
        compat = _compat()
    except ImportError:  # pragma: no cover - depends on the environment
        return True
    return not compat.is_array_api_obj(x)


def namespace_of(*arrays):
    """The array namespace of non-numpy inputs, or None for the numpy path.

    Parameters
    ----------
    *arrays : arrays, numbers or None
        Numpy arrays, Python and numpy numbers and None are left out.

    Returns
    -------
    xp : module or None
        None when every argument is left out (the caller runs its numpy
        code); otherwise the common namespace of the rest, as given by
        ``array_api_compat.array_namespace`` (torch and CuPy wrapped).

    Raises
    ------
    TypeError
        When the arrays mix namespaces (a numpy array with a torch tensor
        is not mixed: the numpy one is left out, and the caller converts it
        where needed).
    """
    # One isinstance per argument on the numpy path: the parts call this at
    # every step.
    for x in arrays:
        if not isinstance(x, _HOST_TYPES) and not _is_host(x):
            break
    else:
        return None
    others = [x for x in arrays if not _is_host(x)]
    return _compat().array_namespace(*others)


def get_namespace(*arrays):
    """The namespace a fit runs in, following scikit-learn's dispatch flag.

    Parameters
    ----------
    *arrays : arrays, numbers or None

    Returns
    -------
    xp : module
        ``numpy`` when ``array_api_dispatch`` is off (scikit-learn's default)
        or when every array is a numpy array; otherwise the arrays'
        namespace (:func:`namespace_of`).
    is_array_api : bool
        False for the numpy path.
    """
    from sklearn import get_config

    if not get_config()["array_api_dispatch"]:
        return np, False
    xp = namespace_of(*arrays)
    return (np, False) if xp is None else (xp, True)


def check_same_namespace(X, fitted, estimator, method):
    """Under array API dispatch, refuse an X whose namespace or device is
    not that of the fit (the fitted array ``fitted``), as scikit-learn's
    estimators do.

    Without dispatch nothing is checked: X is converted to numpy by the
    validation, as always.

    Raises
    ------
    ValueError
        Naming ``estimator``'s ``method`` and both namespaces and devices.
    """
    from sklearn import get_config

    if not get_config()["array_api_dispatch"] or fitted is None:
        return
    fit_xp, x_xp = namespace_of(fitted), namespace_of(X)
    if fit_xp is None and x_xp is None:
        return
    if fit_xp is x_xp and device(X) == device(fitted):
        return

    def where(a, xp):
        return "numpy" if xp is None else f"{xp.__name__} on {device(a)}"

    raise ValueError(
        f"Inputs passed to {type(estimator).__name__}.{method}() must use the "
        "same namespace and the same device as those passed to fit(): fit "
        f"used {where(fitted, fit_xp)}, {method} got {where(X, x_xp)}. Move X "
        "there, or refit on X's namespace and device."
    )


def validation_dtypes(X):
    """The ``dtype`` list that ``validate_data`` is given for ``X``: numpy's
    float64 and float32 on the numpy path (dispatch off, or numpy input),
    else the namespace's own, float64 first where X's device has it."""
    xp, is_array_api = get_namespace(X)
    if not is_array_api:
        return [np.float64, np.float32]
    dev = device(X)
    if wide_float(xp, dev) == xp.float64:
        return [xp.float64, xp.float32]
    return [xp.float32]


def is_namespace(xp, name):
    """Whether ``xp`` is the namespace ``name`` ('torch', 'cupy', ...),
    wrapped by array-api-compat or not."""
    xp_name = getattr(xp, "__name__", "")
    return xp_name == name or xp_name == f"array_api_compat.{name}"


def device(x):
    """The device of ``x`` ('cpu' for numpy arrays and numbers)."""
    if _is_host(x):
        return "cpu"
    return _compat().device(x)


def to_numpy(x):
    """``x`` as a numpy array on the host (``x`` itself when it is one).

    For the parts that stay on the host: scipy's L-BFGS, the optimality
    certificate, plots. Each call copies device arrays to the host.
    """
    if _is_host(x):
        return np.asarray(x)
    xp = namespace_of(x)
    if is_namespace(xp, "torch"):
        return x.detach().cpu().numpy()
    if is_namespace(xp, "cupy"):  # pragma: no cover - needs a GPU
        return x.get()
    if xp.__name__ == "array_api_strict":
        x = xp.asarray(x, device=xp.Device("CPU_DEVICE"))
    return np.from_dlpack(x)


def float_dtype(x, xp):
    """The floating dtype a projection of ``x`` is returned in: its own, or
    the default floating dtype of its device for integer input."""
    if xp.isdtype(x.dtype, "real floating"):
        return x.dtype
    return xp.__array_namespace_info__().default_dtypes(device=device(x))[
        "real floating"
    ]


_WIDE = {}


def wide_float(xp, dev):
    """float64 where the device has it, else float32 (Apple's MPS, say).

    The parts compute small, rounding-sensitive quantities (the l1
    projection's thresholds, group norms, singular values) in float64, as
    the numpy path does; a device without float64 falls back to float32.
    """
    key = (xp.__name__, str(dev))
    if key not in _WIDE:
        dtypes = xp.__array_namespace_info__().dtypes(device=dev, kind="real floating")
        _WIDE[key] = dtypes.get("float64", xp.float32)
    return _WIDE[key]


def _numpy_dtype(dtype, xp):
    """The numpy dtype of the same name as ``xp``'s ``dtype``."""
    for name in ("float64", "float32", "float16", "int64", "int32", "bool"):
        if dtype == getattr(xp, name, None):
            return np.dtype(name)
    raise TypeError(f"No numpy counterpart for the dtype {dtype!r}.")


def asarray_on(a, like, dtype=None):
    """The numpy array (or number) ``a`` as an array of ``like``'s namespace
    and device, in ``dtype`` (default: that of ``a``).

    The cast is made on the host first, so a float64 constant reaches a
    device without float64 as float32.
    """
    xp = namespace_of(like)
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(_numpy_dtype(dtype, xp), copy=False)
    return xp.asarray(a, device=device(like))


def take_rows(a, index):
    """Rows ``index`` (a numpy integer array) of ``a``: ``a[index]`` for numpy
    arrays and sparse matrices, ``take`` on the array's own device for an
    array of another namespace (the index moves there, not the rows)."""
    xp = namespace_of(a)
    if xp is None:
        return a[index]
    return xp.take(a, asarray_on(index, a), axis=0)


def host_dtype(x):
    """The numpy dtype of ``x``'s dtype (``x.dtype`` for a numpy array)."""
    if _is_host(x):
        return np.asarray(x).dtype if not hasattr(x, "dtype") else np.dtype(x.dtype)
    return _numpy_dtype(x.dtype, namespace_of(x))


def copy(x):
    """A copy of ``x`` in its namespace and on its device (``x.copy()`` for
    numpy; the standard has no ``copy`` method)."""
    if isinstance(x, np.ndarray):
        return x.copy()
    return namespace_of(x).asarray(x, copy=True)


def empty_like(x):
    """``np.empty_like(x)``, in ``x``'s namespace and on its device."""
    if isinstance(x, np.ndarray):
        return np.empty_like(x)
    return namespace_of(x).empty_like(x)


def zeros_like(x):
    """``np.zeros_like(x)``, in ``x``'s namespace and on its device."""
    if isinstance(x, np.ndarray):
        return np.zeros_like(x)
    return namespace_of(x).zeros_like(x)


def max_abs(x):
    """The largest magnitude in the non-empty array ``x``, as a Python float."""
    xp = namespace_of(x)
    if xp is None:
        return float(np.max(np.abs(x)))
    return float(xp.max(xp.abs(x)))


def vdot(a, b):
    """``<a, b>`` over all entries, as a Python float (one scalar sync for a
    device array). numpy: ``np.vdot``, as the numpy path always did."""
    xp = namespace_of(a, b)
    if xp is None:
        return float(np.vdot(a, b))
    return float(xp.sum(a * b))


def all_finite(x):
    """Whether every entry of ``x`` is finite, as a Python bool."""
    xp = namespace_of(x)
    if xp is None:
        return bool(np.all(np.isfinite(x)))
    return bool(xp.all(xp.isfinite(x)))


def write(out, value):
    """``value`` written into ``out`` (returned), or ``value`` itself when
    ``out`` is None: the generic stand-in for numpy's ``out=`` arguments."""
    if out is None:
        return value
    out[...] = value
    return out


def matmul(a, b, out, xp):
    """``a @ b``, written into ``out`` when given.

    torch writes the product straight into ``out``; the standard has no
    ``out=``, so other namespaces form the product and copy it in.
    """
    if out is not None and is_namespace(xp, "torch"):
        return sys.modules["torch"].matmul(a, b, out=out)
    return write(out, a @ b)


# ---------------------------------------------------------------------------
# Elementwise functions
# ---------------------------------------------------------------------------


def expit(x, xp):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, without overflow.

    ``exp(-|x|)`` never overflows; the two branches are that one value
    divided two ways, as scipy's ``expit`` does.
    """
    if xp is None:
        from scipy.special import expit as scipy_expit

        return scipy_expit(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x, xp):
    """``log(1 + exp(x))`` (``logaddexp(0, x)``), without overflow."""
    if xp is None:
        return np.logaddexp(0.0, x)
    return xp.logaddexp(xp.zeros_like(x), x)


#: Terms of the series of :func:`_erf_generic` below ``_ERF_SWITCH`` and of
#: its continued fraction above it. At ``|x| = 3`` the series' terms fall
#: below ``1e-17`` of the sum after 60 terms; the continued fraction's
#: relative error at 3 after 40 terms is below ``1e-12``, which ``erfc(3) =
#: 2.2e-5`` turns into an error of ``2e-17`` in ``erf``.
_ERF_SERIES_TERMS = 60
_ERF_FRACTION_TERMS = 40
_ERF_SWITCH = 3.0
_SQRT_PI = float(np.sqrt(np.pi))


def _erf_generic(x, xp):
    """``erf`` from standard functions only.

    Notes
    -----
    For ``|x| < 3`` the series ``erf(x) = 2/sqrt(pi) exp(-x^2) sum_n
    (2 x^2)^n x / (1 3 5 ... (2n + 1))`` has positive terms only, so it sums
    without cancellation (Abramowitz & Stegun 7.1.6). Above, ``erf = 1 -
    erfc`` with ``erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x
    + (3/2) / (x + ...))))``, the continued fraction A&S 7.1.14, evaluated
    from its tail. Both branches are computed for every entry, on inputs
    clipped to their range.
    """
    ax = xp.abs(x)
    small = xp.clip(ax, max=_ERF_SWITCH)
    two_x2 = 2.0 * small * small
    term = small
    total = small
    for n in range(1, _ERF_SERIES_TERMS):
        term = term * two_x2 / (2 * n + 1)
        total = total + term
    series = (2.0 / _SQRT_PI) * xp.exp(-small * small) * total
    large = xp.clip(ax, min=_ERF_SWITCH)
    tail = large
    for k in range(_ERF_FRACTION_TERMS, 0, -1):
        tail = large + (k / 2.0) / tail
    erfc = xp.exp(-large * large) / (_SQRT_PI * tail)
    magnitude = xp.where(ax < _ERF_SWITCH, series, 1.0 - erfc)
    return xp.where(xp.isnan(x), x, xp.sign(x) * magnitude)


def erf(x, xp):
    """The error function, in the namespace of ``x``.

    Parameters
    ----------
    x : array
    xp : module or None
        None for numpy (scipy's ``erf``).

    Returns
    -------
    array of ``x``'s shape, dtype and device

    Notes
    -----
    torch and CuPy have their own; other namespaces use a series and a
    continued fraction (:func:`_erf_generic`), within ``2e-15`` (relative) of scipy's
    in float64.
    """
    if xp is None:
        from scipy.special import erf as scipy_erf

        return scipy_erf(x)
    if is_namespace(xp, "torch"):
        return sys.modules["torch"].special.erf(x)
    if is_namespace(xp, "cupy"):  # pragma: no cover - needs a GPU
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(x)
    return _erf_generic(x, xp)


def logsumexp(x, axis, xp, keepdims=False):
    """``log(sum(exp(x), axis))`` without overflow.

    The largest entry is taken out first; an infinite maximum (all
    ``-inf``, or a ``+inf``) is not, so the answer is then ``-inf`` or
    ``+inf`` rather than NaN.
    """
    if xp is None:
        from scipy.special import logsumexp as scipy_logsumexp

        return scipy_logsumexp(x, axis=axis, keepdims=keepdims)
    top = xp.max(x, axis=axis, keepdims=True)
    top = xp.where(xp.isfinite(top), top, xp.zeros_like(top))
    out = xp.log(xp.sum(xp.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else xp.squeeze(out, axis=axis)


def log_softmax(x, axis, xp):
    """``x - logsumexp(x, axis)``: log probabilities from scores."""
    if xp is None:
        from scipy.special import log_softmax as scipy_log_softmax

        return scipy_log_softmax(x, axis=axis)
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


def softmax(x, axis, xp):
    """``exp(x) / sum(exp(x), axis)``, shifted by the maximum first."""
    if xp is None:
        from scipy.special import softmax as scipy_softmax

        return scipy_softmax(x, axis=axis)
    e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


# ---------------------------------------------------------------------------
# Selection and solves
# ---------------------------------------------------------------------------


def _kth_largest(values, k, axis, xp):
    """The ``k``-th largest entry along ``axis`` (kept as a length-1 axis).

    torch selects it with ``topk`` (a partial selection, ``O(m)`` on a GPU);
    the standard has no partial sort, so other namespaces sort.
    """
    if is_namespace(xp, "torch"):
        top = sys.modules["torch"].topk(values, k, dim=axis, sorted=False).values
        return xp.min(top, axis=axis, keepdims=True)
    ordered = xp.sort(values, axis=axis, descending=True)
    index = xp.asarray([k - 1], device=device(values))
    return xp.take(ordered, index, axis=axis)


def largest_mask(values, k, axis, xp):
    """Mask of the ``k`` largest entries of ``values`` along ``axis``.

    Parameters
    ----------
    values : array of a real floating dtype
        Finite, typically magnitudes ``|w|`` or group norms.
    k : int
        How many to keep along ``axis``, ``1 <= k <= values.shape[axis]``.
    axis : int
        ``-1`` for a 1-D array, ``1`` for each row of a matrix.
    xp : module or None
        None for numpy.

    Returns
    -------
    boolean array of ``values``' shape
        Exactly ``k`` True entries along ``axis``: every entry above the
        ``k``-th largest value ``t``, then the entries equal to ``t`` in
        index order until ``k`` are kept. That is the set that a stable
        sort of ``-values`` puts first, the tie rule of the numpy path (on
        equal values the lower index wins).

    Notes
    -----
    With ``a`` the number of entries above ``t`` (``a < k``), an entry equal
    to ``t`` is kept when fewer than ``k - a`` entries equal to ``t`` come
    before it: a cumulative count of the ties. Ties need no sort, so
    ``torch.topk``, whose order among ties is unspecified, serves: only the
    value ``t`` is read from it.
    """
    if xp is None:
        order = np.argsort(-values, axis=axis, kind="stable")
        keep = np.zeros(values.shape, dtype=bool)
        np.put_along_axis(keep, np.take(order, np.arange(k), axis=axis), True, axis)
        return keep
    t = _kth_largest(values, k, axis, xp)
    above = values > t
    tied = values == t
    n_above = xp.sum(xp.astype(above, xp.int64), axis=axis, keepdims=True)
    tie_rank = xp.cumulative_sum(xp.astype(tied, xp.int64), axis=axis)
    return above | (tied & (tie_rank <= k - n_above))


def solve_spd(gram, rhs, xp):
    """Solve ``gram @ x = rhs`` for a small symmetric positive definite ``gram``.

    Parameters
    ----------
    gram : array of shape (m, m)
        Symmetric, positive definite in exact arithmetic (a ridge-stabilised
        Gram matrix; the exact output layer's is ``(n_hidden + 1)`` wide).
    rhs : array of shape (m,) or (m, n_outputs)
    xp : module or None
        None for numpy.

    Returns
    -------
    x : array of ``rhs``'s shape

    Notes
    -----
    numpy: scipy's Cholesky solve, and least squares when the factorisation
    fails, as the exact output layer does now. torch: ``cholesky_ex`` (no
    exception, no wait for the device) and ``cholesky_solve``; a failed
    factorisation is detected by the NaN it leaves in ``x``, then solved by
    least squares through the pseudo-inverse (one check on the host per
    solve). Other namespaces: the standard's ``linalg.solve`` (LU: the
    standard has no triangular solve), falling back to the
    pseudo-inverse when it raises.
    """
    if xp is None:
        from scipy.linalg import LinAlgError, cho_factor, cho_solve

        try:
            return cho_solve(
                cho_factor(gram, check_finite=False), rhs, check_finite=False
            )
        except (LinAlgError, ValueError):
            return np.linalg.lstsq(gram, rhs, rcond=None)[0]
    vector = rhs.ndim == 1
    b = xp.reshape(rhs, (rhs.shape[0], 1)) if vector else rhs
    if is_namespace(xp, "torch"):
        torch = sys.modules["torch"]
        factor, info = torch.linalg.cholesky_ex(gram)
        x = torch.cholesky_solve(b, factor)
        if bool(info != 0) or not bool(torch.isfinite(x).all()):
            x = torch.linalg.pinv(gram, hermitian=True) @ b
    else:
        try:
            x = xp.linalg.solve(gram, b)
        except Exception:  # each library raises its own LinAlgError
            x = xp.linalg.pinv(gram) @ b
    return x[:, 0] if vector else x
