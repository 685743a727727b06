"""The internal units of a fit, and the exact maps to and from the user's.

Every estimator fits in units free of the user's: y standardised, the
columns of X scaled to unit root mean square where the parametrisation
allows it (a dense layer whose start is not a user's array), and the fitted
network mapped back exactly. Constraints, penalties and weight decay then
act on the scaled weights, as glmnet's ``standardize`` does; in the papers'
settings the features have unit variance, so nothing changes there.
"""

import numpy as np
from scipy import sparse

from .._array_api import host_dtype
from .scales import column_moments

_GRID_BITS = 30


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

    def __init__(
        self, y_shift=0.0, y_scale=1.0, column_scale=None, scaled=False, degree=1
    ):
        self.y_shift = y_shift
        self.y_scale = y_scale
        self.column_scale = column_scale
        self.scaled = scaled  # y standardised
        # How y's scale reaches the parameters: learned output weights
        # absorb it (degree 1, through ``o``); a network with fixed output
        # weights that is positively homogeneous of degree ``k`` in its
        # hidden weights absorbs it there (``W -> s^(1/k) W``: the quadratic
        # nets, k = 2).
        self.degree = degree

    @classmethod
    def for_fit(
        cls,
        model,
        X,
        y,
        sample_weight,
        scale_columns,
        labels=False,
        robust=False,
        hidden_degree=None,
        moments=None,
    ):
        """Units of a fit.

        ``hidden_degree``: with fixed output weights, the degree of positive
        homogeneity of the network in its hidden weights when y's scale
        should be absorbed there (None: fixed output weights fix the output
        scale, and y keeps its units, as in the papers' planted fits).
        """
        w = None if sample_weight is None else sample_weight / sample_weight.sum()
        # In float64: the squares of float32 targets may overflow float32.
        y64 = y.astype(np.float64, copy=False)
        one = y.ndim == 1
        shift = 0.0
        if model.fit_intercept and not labels:
            shift = np.average(y64, axis=0, weights=w)
            shift = float(shift) if one else shift
        scale = 1.0
        learned = "output" in model.names
        scaled = (learned or hidden_degree is not None) and not labels
        degree = 1 if learned or hidden_degree is None else hidden_degree
        if scaled:
            # The columns' RMS helper, one column per output: no underflow
            # or overflow whatever the units of y (1e-170 or 1e170).
            centred = y64 - shift
            rms = column_moments(centred.reshape(len(centred), -1), sample_weight)[1]
            scale = rms if centred.ndim > 1 else rms[0]
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
                rms = (moments or column_moments(X, sample_weight))[1].copy()
            rms[~(rms > 0) | ~np.isfinite(rms)] = 1.0
            column_scale = rms.astype(host_dtype(X))
        return cls(shift, scale, column_scale, scaled, degree)

    def _hidden_factor(self):
        """What y's scale multiplies the hidden weights by (1: nothing)."""
        if not self.scaled or self.degree == 1:
            return None
        return np.asarray(self.y_scale) ** (1.0 / self.degree)

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
        return self.scaled == other.scaled and self.degree == other.degree

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
        V = W.copy() if self.column_scale is None else W * self.column_scale
        factor = self._hidden_factor()
        if factor is not None:
            V = (V / factor).astype(W.dtype, copy=False)
        return V

    def hidden_out(self, V):
        W = V.copy() if self.column_scale is None else V / self.column_scale
        factor = self._hidden_factor()
        if factor is not None:
            W = (W * factor).astype(V.dtype, copy=False)
        return W

    def params_in(self, params, names):
        dtype = params[0].dtype
        out = []
        for name, p in zip(names, params):
            if name == "hidden":
                p = self.hidden_in(p)
            elif name == "output":
                p = p / self.y_scale if self.degree == 1 else p
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
                p = p * self.y_scale if self.degree == 1 else p
            else:
                p = p * self.y_scale + self.y_shift
            out.append(np.asarray(p, dtype=dtype))
        return out
