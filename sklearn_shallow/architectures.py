"""Parameterisations of the hidden layer: dense, or convolutional.

An architecture maps free parameters ``P`` to the pre-activations
``Z = X W^T`` of the hidden units and back-propagates a gradient ``D`` with
respect to ``Z`` to a gradient with respect to ``P``. Each direction costs one
matrix product.

- :class:`Dense`: ``P = W``, shape ``(n_hidden, n_features)``.
- :class:`Convolution`: ``P = K``, shape ``(n_kernels, kernel_size)``. Hidden
  unit ``l * n_kernels + i`` applies kernel ``i`` to the patch
  ``x[l * stride : l * stride + kernel_size]``. The products run on the
  strided patches, never on the dense matrix ``FC(K)``, which
  :meth:`Convolution.to_dense` builds for inspection only.

Both also take arrays of another array-API namespace (torch, CuPy, ...; see
:mod:`sklearn_shallow._array_api`) for ``X``, the parameters and ``out``,
all of one namespace and device; numpy arrays take the numpy code, whose
results are unchanged.
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import sparse

from ._array_api import device as _device
from ._array_api import matmul, namespace_of
from ._component import Component, resolve

DEFAULT_N_HIDDEN = 20


class Architecture(Component):
    """Base class: how free parameters become hidden-unit weights."""

    def n_hidden_for(self, n_features, n_hidden):
        """Number of hidden units, checking ``n_hidden`` against the layout."""
        raise NotImplementedError

    def param_shape(self, n_features, n_hidden):
        """Shape of the free parameters."""
        raise NotImplementedError

    def prepare(self, X):
        """Data in the layout that :meth:`preact` and :meth:`backprop` use."""
        return X

    def preact(self, Xp, P, out):
        """Write the pre-activations ``(n_samples, n_hidden)`` into ``out``."""
        raise NotImplementedError

    def backprop(self, Xp, D, out):
        """Gradient w.r.t. ``P`` of ``sum(D * Z)``, written into ``out``."""
        raise NotImplementedError

    def to_dense(self, P, n_features):
        """The dense weights ``W`` of shape ``(n_hidden, n_features)``."""
        raise NotImplementedError

    def from_dense(self, W, n_features):
        """Euclidean projection of dense weights onto this parameterisation."""
        raise NotImplementedError


class Dense(Architecture):
    """Fully connected hidden layer: every unit has its own weight vector.

    Examples
    --------
    >>> from sklearn_shallow.architectures import Dense
    >>> Dense().param_shape(n_features=5, n_hidden=3)
    (3, 5)
    """

    def n_hidden_for(self, n_features, n_hidden):
        return DEFAULT_N_HIDDEN if n_hidden is None else int(n_hidden)

    def param_shape(self, n_features, n_hidden):
        return (self.n_hidden_for(n_features, n_hidden), n_features)

    def preact(self, Xp, P, out):
        xp = namespace_of(Xp, P)
        if xp is not None:
            return matmul(Xp, P.T, out, xp)
        if sparse.issparse(Xp):
            # The sparse product, never a dense copy of X.
            out[...] = Xp @ P.T
            return out
        return np.matmul(Xp, P.T, out=out)

    def backprop(self, Xp, D, out):
        xp = namespace_of(Xp, D)
        if xp is not None:
            return matmul(D.T, Xp, out, xp)
        if sparse.issparse(Xp):
            out[...] = (Xp.T @ D).T
            return out
        return np.matmul(D.T, Xp, out=out)

    def to_dense(self, P, n_features):
        return P

    def from_dense(self, W, n_features):
        return W


class Convolution(Architecture):
    """One-dimensional convolution with shared kernels, no padding.

    Parameters
    ----------
    kernel_size : int
        Width ``b`` of each kernel.
    stride : int, default=1
        Shift ``s`` between consecutive patches.
    n_kernels : int, default=1
        Number of kernels ``k``.

    Notes
    -----
    With ``p`` input features there are ``r = (p - b) // s + 1`` patches and
    ``h = k r`` hidden units. The dense weight matrix ``FC(K)`` has the kernel
    ``k_i`` in row ``l k + i``, columns ``l s`` to ``l s + b - 1``.

    The set of such matrices is a subspace; projecting a dense matrix onto it
    replaces each kernel entry by the mean of its ``r`` copies. Hence a
    gradient step on ``K`` with step ``mu / r`` equals the projected dense
    gradient step with step ``mu`` (Oymak 2018, Section 4): fitting ``K``
    directly *is* projected gradient descent under the convolutional
    constraint, at ``O(n k r b)`` cost per step instead of ``O(n k r p)``.

    References
    ----------
    Oymak (2018), "Learning compact neural networks with regularization",
    ICML, Definition 4.1.

    Examples
    --------
    >>> from sklearn_shallow.architectures import Convolution
    >>> conv = Convolution(kernel_size=15, stride=6, n_kernels=4)
    >>> conv.n_shifts(81), conv.n_hidden_for(81, None)
    (12, 48)
    """

    def __init__(self, kernel_size, stride=1, n_kernels=1):
        self.kernel_size = kernel_size
        self.stride = stride
        self.n_kernels = n_kernels

    def _check(self, n_features):
        for name in ("kernel_size", "stride", "n_kernels"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(
                    f"Convolution {name} must be a positive integer, got {value!r}."
                )
        if self.kernel_size > n_features:
            raise ValueError(
                f"Convolution kernel_size={self.kernel_size} is larger than "
                f"n_features={n_features}."
            )

    def n_shifts(self, n_features):
        """Number ``r`` of patches of an input with ``n_features`` entries."""
        self._check(n_features)
        return (n_features - self.kernel_size) // self.stride + 1

    def n_hidden_for(self, n_features, n_hidden):
        h = self.n_kernels * self.n_shifts(n_features)
        if n_hidden is not None and n_hidden != h:
            raise ValueError(
                f"n_hidden={n_hidden} is inconsistent with the convolution: "
                f"n_kernels * n_shifts = {self.n_kernels} * "
                f"{self.n_shifts(n_features)} = {h}; leave n_hidden=None."
            )
        return h

    def param_shape(self, n_features, n_hidden):
        self.n_hidden_for(n_features, n_hidden)
        return (self.n_kernels, self.kernel_size)

    def prepare(self, X):
        # (n, r, b) contiguous copy of the strided patches, made once per fit.
        if sparse.issparse(X):
            raise ValueError(
                "A Convolution needs dense X (its patches are strided views); "
                "got a scipy.sparse matrix. Pass X.toarray(), or use the dense "
                "architecture, which works on sparse X without densifying it."
            )
        self._check(X.shape[1])
        xp = namespace_of(X)
        if xp is not None:
            # The standard has no strided view: the same (n, r, b) copy, one
            # slice per shift.
            b, s = self.kernel_size, self.stride
            starts = range(0, self.n_shifts(X.shape[1]) * s, s)
            return xp.stack([X[:, i : i + b] for i in starts], axis=1)
        patches = sliding_window_view(X, self.kernel_size, axis=1)[:, :: self.stride]
        return np.ascontiguousarray(patches)

    def preact(self, Xp, P, out):
        n, r, b = Xp.shape
        xp = namespace_of(Xp, P)
        if xp is not None:
            Z = xp.reshape(Xp, (n * r, b)) @ P.T
            Z = xp.reshape(Z, (n, r * P.shape[0]))
            return Z if out is None else _write(out, Z)
        if not out.flags.c_contiguous:
            out[...] = self.preact(Xp, P, np.empty(out.shape, dtype=out.dtype))
            return out
        np.matmul(Xp.reshape(n * r, b), P.T, out=out.reshape(n * r, len(P)))
        return out

    def backprop(self, Xp, D, out):
        n, r, b = Xp.shape
        xp = namespace_of(Xp, D)
        if xp is not None:
            k = D.shape[1] // r
            Dk = xp.reshape(D, (n * r, k))
            return matmul(Dk.T, xp.reshape(Xp, (n * r, b)), out, xp)
        k = out.shape[0]
        return np.matmul(D.reshape(n * r, k).T, Xp.reshape(n * r, b), out=out)

    def to_dense(self, P, n_features):
        r = self.n_shifts(n_features)
        k, b = P.shape
        xp = namespace_of(P)
        if xp is not None:
            W = xp.zeros((r * k, n_features), dtype=P.dtype, device=_device(P))
        else:
            W = np.zeros((r * k, n_features), dtype=P.dtype)
        for shift in range(r):
            start = shift * self.stride
            W[shift * k : (shift + 1) * k, start : start + b] = P
        return W

    def from_dense(self, W, n_features):
        r = self.n_shifts(n_features)
        k, b = self.n_kernels, self.kernel_size
        xp = namespace_of(W)
        if xp is not None:
            P = xp.zeros((k, b), dtype=W.dtype, device=_device(W))
        else:
            P = np.zeros((k, b), dtype=W.dtype)
        for shift in range(r):
            start = shift * self.stride
            P += W[shift * k : (shift + 1) * k, start : start + b]
        return P / r


def _write(out, value):
    out[...] = value
    return out


ARCHITECTURES = {"dense": Dense}


def get_architecture(spec):
    """Resolve None or 'dense' to :class:`Dense`; objects pass through."""
    if spec is None:
        return Dense()
    return resolve(spec, ARCHITECTURES, "architecture", Architecture)
