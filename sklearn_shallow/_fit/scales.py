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

import warnings

import numpy as np
from scipy import sparse

__all__ = ["FeatureScaleWarning", "check_feature_offsets", "check_feature_scales"]

#: Largest ratio of two features' root mean squares a fit in the user's units
#: is left to without a warning.
SCALE_SPREAD = 1e2

#: Largest ratio of a feature's mean to its standard deviation accepted
#: without a warning (a count or an indicator is far below; a calendar year
#: is 200, a column shifted by 1e6 is 1e6).
OFFSET_RATIO = 1e2


class FeatureScaleWarning(UserWarning):
    """The units of X can harm the fit: features of very different scales
    where the fit cannot rescale them, or columns far from zero."""


def _column_moments(X, sample_weight):
    w = None if sample_weight is None else sample_weight / sample_weight.sum()
    X64 = X.astype(np.float64, copy=False)
    mean = np.average(X64, axis=0, weights=w)
    size = np.max(np.abs(X64), axis=0) if X.shape[0] else np.ones(X.shape[1])
    safe = np.where(size > 0, size, 1.0)
    ratio = X64 / safe
    rms = safe * np.sqrt(np.average(ratio * ratio, axis=0, weights=w))
    # Two passes: a constant column has spread exactly 0, not rounding.
    centred = ratio - mean / safe
    spread = safe * np.sqrt(np.average(centred * centred, axis=0, weights=w))
    return mean, rms, spread


def check_feature_scales(X, sample_weight, name, why):
    """Warn when ``X``'s columns have very different scales and the fit keeps
    the user's units (``why`` says why it does)."""
    if sparse.issparse(X) or X.shape[0] == 0:
        return
    _, rms, _ = _column_moments(X, sample_weight)
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
            stacklevel=5,
        )


def check_feature_offsets(X, sample_weight, name):
    """Warn when some column's mean is large against its spread."""
    if sparse.issparse(X) or X.shape[0] < 2:
        return
    mean, _, spread = _column_moments(X, sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(mean) / spread
    # Constant columns (a spread at the rounding level of the mean: a
    # column of ones, the quadratic nets' hidden bias) are another matter.
    constant = spread <= 1e3 * np.finfo(np.float64).eps * np.abs(mean)
    ratio[~np.isfinite(ratio) | constant] = 0.0
    worst = int(np.argmax(ratio))
    if ratio[worst] > OFFSET_RATIO:
        warnings.warn(
            f"{name}: column {worst} of X has mean {mean[worst]:.6g} and "
            f"standard deviation {spread[worst]:.3g} (an offset {ratio[worst]:.3g} "
            "times its spread). The network has no hidden bias, so such a "
            "column reaches every unit as a near constant and its variation is "
            "lost. Centre X (StandardScaler).",
            FeatureScaleWarning,
            stacklevel=5,
        )
