"""Optional compiled kernels for the elementwise part of a gradient step.

One full-batch gradient step costs two matrix products (``Z = X @ W.T`` and
``G = D.T @ X``) plus elementwise passes over ``(n, h)`` arrays. The backward
part, ``D = sigma'(Z) * o * dpred[:, None]``, takes three numpy passes (the
derivative, the product with the output weights, the product with the
residual). :func:`fused_backward` does it in one pass with a serial
``numba.njit`` kernel when numba is installed (``pip install
sklearn-shallow[accel]``), and with the three numpy passes otherwise. The
kernel is deliberately serial: ``parallel=True`` measured 2-16x slower, since
OpenBLAS worker threads keep spinning between the products.

Both paths give bit-for-bit the same ``D`` as the numpy passes: every product
is formed in the dtype of ``Z`` in the same order, ``(sigma'(z) * o_j) *
dpred_i``, and the derivative values of the piecewise-constant activations
(ReLU, leaky ReLU, linear) are taken from the activation classes themselves,
including the value at 0 (ReLU's ``1/2``) and at NaN.

Only the built-in activations of :func:`fused_kind` are fused; any other
activation (softplus, tanh, custom callables, subclasses) keeps the numpy
path. numba is imported on first use, not when the library is imported.
"""

import functools
import importlib.util

import numpy as np

from .activations import LeakyReLU, Linear, ReLU, SquaredReLU

#: Whether numba can be found. Tests set it to False to force the numpy path.
HAVE_NUMBA = importlib.util.find_spec("numba") is not None

#: The activations with a fused kernel, by exact class (a subclass may change
#: the derivative, so it keeps the numpy path).
_KINDS = {
    ReLU: "relu",
    LeakyReLU: "leaky_relu",
    Linear: "linear",
    SquaredReLU: "squared_relu",
}
KINDS = tuple(_KINDS.values())

#: Kinds whose derivative takes one value on each of z > 0, z < 0, z == 0
#: and NaN.
_PIECEWISE = ("relu", "leaky_relu", "linear")

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def fused_kind(activation):
    """The kind string of a built-in activation with a fused kernel, or None.

    Parameters
    ----------
    activation : Activation

    Returns
    -------
    kind : {'relu', 'leaky_relu', 'linear', 'squared_relu'} or None
        None for every other activation, which keeps the numpy path.
    """
    return _KINDS.get(type(activation))


def _activation(kind, slope):
    if kind == "relu":
        return ReLU()
    if kind == "leaky_relu":
        if slope is None:
            raise ValueError("kind 'leaky_relu' needs the slope of its activation.")
        return LeakyReLU(slope)
    if kind == "linear":
        return Linear()
    if kind == "squared_relu":
        return SquaredReLU()
    raise ValueError(f"Unknown fused kind {kind!r}; expected one of {KINDS}.")


def _piecewise_values(kind, slope, dtype):
    """``sigma'`` at ``[1, -1, 0, nan]``, computed by the activation itself.

    Memoised on the type of ``slope`` as well as its value: numpy rounds
    ``0.01`` and ``np.float64(0.01)`` differently in a float32 pass.
    """
    try:
        return _cached_piecewise_values(kind, slope, type(slope), dtype)
    except TypeError:  # an unhashable slope (a 0-d array)
        return _compute_piecewise_values(kind, slope, dtype)


@functools.lru_cache(maxsize=64)
def _cached_piecewise_values(kind, slope, slope_type, dtype):
    return _compute_piecewise_values(kind, slope, dtype)


def _compute_piecewise_values(kind, slope, dtype):
    probe = np.array([1.0, -1.0, 0.0, np.nan], dtype=dtype)
    values = _activation(kind, slope).derivative(probe, out=probe)
    values.flags.writeable = False
    return values


# The kernels, as plain Python; numba compiles them on first use. Every
# product is between two values of the dtype of Z (``c`` and ``zero`` are of
# that dtype), so float32 stays float32 and each product is rounded exactly
# as numpy rounds it.


def _piecewise_kernel(Z, c, output, dpred, out):
    n, h = Z.shape
    pos, neg, zero, nan = c[0], c[1], c[2], c[3]
    for i in range(n):
        s = dpred[i]
        for j in range(h):
            z = Z[i, j]
            # Three two-way selects, not a four-way branch: branch-free code
            # that LLVM vectorises, and fast on random signs in the remainder.
            d = pos if z > 0 else neg
            d = zero if z == 0 else d
            d = d if z == z else nan
            out[i, j] = d * output[j] * s


def _piecewise_kernel_unit(Z, c, dpred, out):
    n, h = Z.shape
    pos, neg, zero, nan = c[0], c[1], c[2], c[3]
    for i in range(n):
        s = dpred[i]
        for j in range(h):
            z = Z[i, j]
            # Three two-way selects, not a four-way branch: branch-free code
            # that LLVM vectorises, and fast on random signs in the remainder.
            d = pos if z > 0 else neg
            d = zero if z == 0 else d
            d = d if z == z else nan
            out[i, j] = d * s


def _squared_relu_kernel(Z, zero, output, dpred, out):
    # sigma'(z) = 2 max(z, 0); NaN stays NaN, as with np.maximum.
    n, h = Z.shape
    for i in range(n):
        s = dpred[i]
        for j in range(h):
            z = Z[i, j]
            d = zero if z <= 0 else z + z
            out[i, j] = d * output[j] * s


def _squared_relu_kernel_unit(Z, zero, dpred, out):
    n, h = Z.shape
    for i in range(n):
        s = dpred[i]
        for j in range(h):
            z = Z[i, j]
            d = zero if z <= 0 else z + z
            out[i, j] = d * s


@functools.lru_cache(maxsize=1)
def _kernels():
    """The compiled kernels, or None when numba cannot be imported."""
    try:
        import numba
    except ImportError:
        return None
    jit = numba.njit(cache=True, nogil=True)
    return {
        "piecewise": jit(_piecewise_kernel),
        "piecewise_unit": jit(_piecewise_kernel_unit),
        "squared_relu": jit(_squared_relu_kernel),
        "squared_relu_unit": jit(_squared_relu_kernel_unit),
    }


def _numpy_backward(kind, Z, output, dpred, out, slope):
    """The three numpy passes of ``Objective.gradient``."""
    D = _activation(kind, slope).derivative(Z, out=out)
    if output is not None:
        D *= output
    D *= dpred[:, None]
    return D


def _can_fuse(Z, output, dpred, out):
    dtype = Z.dtype
    if dtype not in _FLOATS:
        return False
    arrays = (Z, dpred, out) if output is None else (Z, output, dpred, out)
    return all(a.dtype == dtype and a.flags.c_contiguous for a in arrays) and (
        out.flags.writeable
    )


def fused_backward(kind, Z, output, dpred, out, *, slope=None):
    """``out[i, j] = sigma'(Z[i, j]) * output[j] * dpred[i]`` in one pass.

    Uses the compiled kernel when numba is available and every array is
    C-contiguous float32 or float64 of the dtype of ``Z``; the numpy passes
    of ``Objective.gradient`` otherwise. Both give the same result bit for
    bit (up to the sign of zeros).

    Parameters
    ----------
    kind : {'relu', 'leaky_relu', 'linear', 'squared_relu'}
        As returned by :func:`fused_kind`.
    Z : ndarray of shape (n, h)
        Pre-activations.
    output : ndarray of shape (h,) or None
        Output weights; None means all ones (the product is skipped).
    dpred : ndarray of shape (n,)
        Derivative of the loss in the predictions.
    out : ndarray of shape (n, h)
        Written in place and returned; may be ``Z`` itself.
    slope : float, optional
        The slope of the leaky ReLU (its ``slope`` attribute); required for
        ``kind='leaky_relu'``, ignored otherwise.

    Returns
    -------
    out : ndarray of shape (n, h)
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown fused kind {kind!r}; expected one of {KINDS}.")
    if kind != "leaky_relu":
        slope = None
    elif slope is None:
        raise ValueError("kind 'leaky_relu' needs the slope of its activation.")
    n, h = Z.shape
    if out.shape != (n, h) or dpred.shape != (n,):
        raise ValueError(
            f"Shapes do not match: Z {Z.shape}, dpred {dpred.shape}, out {out.shape}."
        )
    if output is not None and output.shape != (h,):
        raise ValueError(f"output has shape {output.shape}; expected ({h},).")
    kernels = _kernels() if HAVE_NUMBA else None
    if kernels is None or not _can_fuse(Z, output, dpred, out):
        return _numpy_backward(kind, Z, output, dpred, out, slope)
    if kind in _PIECEWISE:
        c = _piecewise_values(kind, slope, Z.dtype)
        if output is None:
            kernels["piecewise_unit"](Z, c, dpred, out)
        else:
            kernels["piecewise"](Z, c, output, dpred, out)
    else:
        zero = Z.dtype.type(0)
        if output is None:
            kernels["squared_relu_unit"](Z, zero, dpred, out)
        else:
            kernels["squared_relu"](Z, zero, output, dpred, out)
    return out
