"""Warnings about feature units that a fit cannot make its own.

A dense layer fits on columns scaled to unit root mean square (see
:mod:`~sklearn_shallow._fit.units`), so the units of each feature do not
matter to it. Two things remain that no exact reparametrisation removes:

* features of very different scales where the fit keeps the user's units
  (a convolution, whose kernels are shared across columns, or a start given
  as an array): one step size cannot suit them all;
* a large offset: the network ``sum_j o_j sigma(w_j . x) + b`` has no
  hidden bias, so a column far from zero relative to its spread enters
  every unit as a near constant, and its variation is lost to rounding and
  conditioning (a classifier on ``X + 1e6`` sits at chance). Centring the
  columns (``StandardScaler``) changes the model class, so the fit does not
  do it; it says so.
"""

import os
import sys
import warnings

import numpy as np
from scipy import sparse

from .. import _array_api as aa

__all__ = [
    "FeatureScaleWarning",
    "check_feature_offsets",
    "check_feature_scales",
    "column_moments",
]

#: Largest ratio of two features' root mean squares a fit in the user's units
#: is left to without a warning.
SCALE_SPREAD = 1e2

#: Largest ratio of a feature's mean to its standard deviation accepted
#: without a warning (a count or an indicator is far below; a calendar year
#: is 200, a column shifted by 1e6 is 1e6).
OFFSET_RATIO = 1e2


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_stacklevel():
    """The ``stacklevel`` that points a warning at the first frame outside
    this package and scikit-learn's fit wrappers (the user's call to fit),
    however deep the estimator's fit calls the check."""
    frame, level = sys._getframe(1), 1
    while frame is not None:
        name = os.path.abspath(frame.f_code.co_filename)
        inside = name.startswith(_PACKAGE + os.sep) or (
            os.sep + "sklearn" + os.sep in name and name.endswith("base.py")
        )
        if not inside:
            return level
        frame, level = frame.f_back, level + 1
    return 1


class FeatureScaleWarning(UserWarning):
    """The units of X can harm the fit: features of very different scales
    where the fit cannot rescale them, or columns far from zero."""


#: Rows per block of :func:`column_moments` (bounded memory, one pass).
MOMENT_ROWS = 4096


def column_moments(X, sample_weight=None):
    """``(mean, rms, spread, constant)`` of each column of a dense ``X``.

    Weighted mean, root mean square and standard deviation in float64, and
    whether the column is exactly constant. One pass over blocks of
    :data:`MOMENT_ROWS` rows, each divided by its column's largest magnitude
    before squaring (no overflow or underflow, whatever the units), so that
    no ``n x p`` copy of X is made; sums in a fixed order (no BLAS), so the
    result is the same on every machine and thread count. The spread comes
    from ``E[x^2] - E[x]^2``: it is only resolved to about ``1e-8`` of the
    mean, enough to tell an offset.
    """
    if aa.namespace_of(X) is not None:
        return _column_moments_xp(X, sample_weight)
    n, p = X.shape
    high = np.asarray(X.max(axis=0), dtype=np.float64) if n else np.zeros(p)
    low = np.asarray(X.min(axis=0), dtype=np.float64) if n else np.zeros(p)
    size = np.maximum(np.abs(high), np.abs(low))
    safe = np.where((size > 0) & np.isfinite(size), size, 1.0)
    w = None if sample_weight is None else sample_weight / sample_weight.sum()
    # Division by the magnitudes only where squares could leave float64's
    # range; the sums themselves copy nothing (einsum, fixed order).
    rescale = bool(np.any((safe > 1e100) | (safe < 1e-100)))
    first, second = np.zeros(p), np.zeros(p)
    for start in range(0, n, MOMENT_ROWS):
        block = X[start : start + MOMENT_ROWS]
        if block.dtype != np.float64:
            block = block.astype(np.float64)
        if rescale:
            block = block / safe
        if w is None:
            first += np.einsum("ij->j", block)
            second += np.einsum("ij,ij->j", block, block)
        else:
            weight = w[start : start + MOMENT_ROWS]
            first += np.einsum("i,ij->j", weight, block)
            second += np.einsum("i,ij,ij->j", weight, block, block)
    return _moments(first, second, safe if rescale else None, w is None, n, high, low)


def _moments(first, second, safe, mean_of_sums, n, high, low):
    """The end of :func:`column_moments` on either path, from the column sums
    ``first`` and ``second`` (of ``X / safe`` when ``safe`` is given; divided
    by ``n`` when ``mean_of_sums``, the rows unweighted)."""
    if safe is None:
        safe = np.ones(len(first))
    if mean_of_sums and n:
        first /= n
        second /= n
    mean = first * safe
    rms = np.sqrt(second) * safe
    spread = np.sqrt(np.maximum(second - first * first, 0.0)) * safe
    return mean, rms, spread, high == low


def _column_moments_xp(X, sample_weight):
    """:func:`column_moments` of an array of another namespace: the sums on
    X's device (in float64 where it has it), the four results on the host."""
    xp = aa.namespace_of(X)
    n, p = X.shape
    wide = aa.wide_float(xp, aa.device(X))
    if n:
        high = aa.to_numpy(xp.astype(xp.max(X, axis=0), wide)).astype(np.float64)
        low = aa.to_numpy(xp.astype(xp.min(X, axis=0), wide)).astype(np.float64)
    else:
        high = low = np.zeros(p)
    size = np.maximum(np.abs(high), np.abs(low))
    safe = np.where((size > 0) & np.isfinite(size), size, 1.0)
    rescale = bool(np.any((safe > 1e100) | (safe < 1e-100)))
    w = None
    if sample_weight is not None:
        w = np.asarray(aa.to_numpy(sample_weight), dtype=np.float64)
        w = aa.asarray_on(w / w.sum(), X, dtype=wide)
    safe_on = aa.asarray_on(safe, X, dtype=wide)
    first = xp.zeros(p, dtype=wide, device=aa.device(X))
    second = xp.zeros(p, dtype=wide, device=aa.device(X))
    for start in range(0, n, MOMENT_ROWS):
        stop = min(start + MOMENT_ROWS, n)
        block = xp.astype(X[start:stop, ...], wide)
        if rescale:
            block = block / safe_on
        if w is None:
            first += xp.sum(block, axis=0)
            second += xp.sum(block * block, axis=0)
        else:
            weight = xp.reshape(w[start:stop], (-1, 1))
            first += xp.sum(weight * block, axis=0)
            second += xp.sum(weight * block * block, axis=0)
    first = aa.to_numpy(first).astype(np.float64)
    second = aa.to_numpy(second).astype(np.float64)
    return _moments(first, second, safe if rescale else None, w is None, n, high, low)


def check_feature_scales(X, sample_weight, name, why, moments=None):
    """Warn when ``X``'s columns have very different scales and the fit keeps
    the user's units (``why`` says why it does). ``moments``: the result of
    :func:`column_moments` when the caller has it."""
    if sparse.issparse(X) or X.shape[0] == 0:
        return
    _, rms, _, _ = moments or column_moments(X, sample_weight)
    used = rms[rms > 0]
    if used.size < 2:
        return
    low, high = float(used.min()), float(used.max())
    if high > SCALE_SPREAD * low:
        warnings.warn(
            f"{name}: the features' scales (root mean square) range from "
            f"{low:.3g} (column {int(np.flatnonzero(rms == low)[0])}) to "
            f"{high:.3g} (column {int(np.flatnonzero(rms == high)[0])}), and "
            f"the fit keeps the units of X because {why}. One step size cannot "
            "suit both: standardise X (StandardScaler).",
            FeatureScaleWarning,
            stacklevel=_user_stacklevel(),
        )


def check_feature_offsets(X, sample_weight, name, moments=None):
    """Warn when some column's mean is large against its spread
    (``moments`` as in :func:`check_feature_scales`)."""
    if sparse.issparse(X) or X.shape[0] < 2:
        return
    mean, _, spread, constant = moments or column_moments(X, sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(mean) / spread
    # Constant columns (a column of ones, the quadratic nets' hidden bias)
    # are another matter; a spread lost to rounding is a huge offset.
    ratio[constant] = 0.0
    ratio[np.isnan(ratio)] = 0.0
    worst = int(np.argmax(ratio))
    if ratio[worst] > OFFSET_RATIO:
        warnings.warn(
            f"{name}: column {worst} of X has mean {mean[worst]:.6g} and "
            f"standard deviation {spread[worst]:.3g} (an offset {ratio[worst]:.3g} "
            "times its spread). The network has no hidden bias, so such a "
            "column reaches every unit as a near constant and its variation is "
            "lost. Centre X (StandardScaler).",
            FeatureScaleWarning,
            stacklevel=_user_stacklevel(),
        )
