"""Losses on the network output: the loss part of the core.

A loss sees the network output ``pred`` and the encoded targets ``y`` of one
batch, both of shape ``(m,)`` (one output) or ``(m, n_outputs)``, and
normalised sample weights ``w`` (``sum w = 1``; uniform weights give the
scalar ``1/m``). With ``l`` the loss of one sample,

* :meth:`~SquaredLoss.value_and_dpred` returns ``sum_i w_i l(pred_i, y_i)``
  and writes ``w_i dl/dpred_i`` into a buffer (the descent loop needs only
  these two);
* ``derivative(pred, y)`` and ``curvature(pred, y)`` are the first and
  second derivatives of ``l`` in the prediction, elementwise (for the
  multinomial loss, the diagonal of the Hessian of each row);
* ``lipschitz`` bounds the curvature (None where there is no bound);
* ``baseline(y, weight)`` is the constant prediction that minimises the
  weighted loss: the start of a fitted intercept;
* ``encodes_labels`` says whether ``y`` holds encoded class labels.

Targets are encoded by the estimator's front end: real values for the
regression losses, ``-1/+1`` for :class:`LogisticLoss`, one-hot rows for
:class:`MultinomialLoss`.

Every method also takes arrays of another array-API namespace (torch, CuPy,
...; see :mod:`sklearn_shallow._array_api`): ``pred``, ``y``, the weights
and ``out`` then all belong to it and to one device, and so do the results
(the loss value stays a Python float). Numpy arrays take the numpy code,
whose results are unchanged.
"""

import numpy as np
from scipy.special import expit, log_softmax, logsumexp, softmax

from . import _array_api as aa


def _is_scalar(weight):
    return weight is None or not hasattr(weight, "shape") or len(weight.shape) == 0


def _rows(weight, values):
    """``weight`` (a scalar or one value per row) broadcast over ``values``."""
    if np.ndim(weight) == 0 or values.ndim == 1:
        return weight
    return weight[:, None]


def _rows_xp(weight, values, xp):
    """:func:`_rows` in the namespace ``xp`` (which has no ``None`` index)."""
    if _is_scalar(weight) or values.ndim == 1:
        return weight
    return xp.expand_dims(weight, axis=1)


def _weighted_average(y, weight):
    """Weighted mean of ``y`` over rows, in float64 (the widest float of the
    device for another namespace)."""
    xp = aa.namespace_of(y, weight)
    if xp is not None:
        wide = aa.wide_float(xp, aa.device(y))
        y = xp.astype(y, wide)
        if _is_scalar(weight):
            return xp.mean(y, axis=0)
        w = _rows_xp(xp.astype(weight, wide), y, xp)
        return xp.sum(w * y, axis=0) / xp.sum(w)
    y = np.asarray(y, dtype=np.float64)
    if weight is None or np.ndim(weight) == 0:
        return y.mean(axis=0)
    return np.average(y, axis=0, weights=weight)


class SquaredLoss:
    """``l(pred, y) = (pred - y)^2 / 2``, summed over outputs.

    The objective is ``1/(2n) sum_i ||f(x_i) - y_i||^2`` (ALGORITHMS.md,
    section 1); its curvature is 1, so it is 1-smooth.
    """

    name = "squared_error"
    lipschitz = 1.0
    encodes_labels = False

    def value_and_dpred(self, pred, y, weight, out):
        """Return the loss; write ``w * (pred - y)`` into ``out``."""
        xp = aa.namespace_of(pred, y, weight, out)
        if xp is not None:
            r = pred - y
            wr = _rows_xp(weight, r, xp) * r
            loss = 0.5 * float(xp.sum(wr * r))
            out[...] = wr
            return loss
        np.subtract(pred, y, out=out)
        w = _rows(weight, out)
        loss = 0.5 * float(np.vdot(w * out, out))
        out *= w
        return loss

    @staticmethod
    def derivative(pred, y):
        return pred - y

    @staticmethod
    def curvature(pred, y):
        xp = aa.namespace_of(pred)
        return np.ones_like(pred) if xp is None else xp.ones_like(pred)

    @staticmethod
    def baseline(y, weight=None):
        return _weighted_average(y, weight)


class HuberLoss:
    """Squared near zero, absolute far out: robust regression.

    ``l(pred, y) = r^2 / 2`` for ``|r| <= delta`` and
    ``delta (|r| - delta / 2)`` beyond, with ``r = pred - y``. The
    derivative is ``r`` clipped to ``[-delta, delta]``; the curvature is 1
    inside the band and 0 outside, so the loss is convex and 1-smooth.

    Parameters
    ----------
    delta : float, default=1.35
        Width of the quadratic band, in the fit's units of y: for the
        regressors with a learned output layer, y divided by 1.4826 times
        its median absolute deviation (a scale outliers do not inflate),
        where 1.35 is the usual choice of robust statistics (95 %
        efficiency for Gaussian noise).
    """

    name = "huber"
    lipschitz = 1.0
    encodes_labels = False
    #: Standardise y by a robust scale (the median absolute deviation), so
    #: that outliers do not set the width of the band.
    robust_scale = True

    def __init__(self, delta=1.35):
        self.delta = delta

    def value_and_dpred(self, pred, y, weight, out):
        """Return the loss; write ``w * l'(pred, y)`` into ``out``."""
        delta = self.delta
        xp = aa.namespace_of(pred, y, weight, out)
        if xp is not None:
            r = pred - y
            a = xp.abs(r)
            per_sample = xp.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta))
            w = _rows_xp(weight, r, xp)
            loss = float(xp.sum(w * per_sample))
            out[...] = xp.clip(r, min=-delta, max=delta) * w
            return loss
        np.subtract(pred, y, out=out)
        a = np.abs(out)
        per_sample = np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta))
        w = _rows(weight, out)
        loss = float(np.sum(w * per_sample))
        np.clip(out, -delta, delta, out=out)
        out *= w
        return loss

    def derivative(self, pred, y):
        xp = aa.namespace_of(pred, y)
        if xp is not None:
            return xp.clip(pred - y, min=-self.delta, max=self.delta)
        return np.clip(pred - y, -self.delta, self.delta)

    def curvature(self, pred, y):
        xp = aa.namespace_of(pred, y)
        if xp is not None:
            return xp.astype(xp.abs(pred - y) <= self.delta, pred.dtype)
        return (np.abs(pred - y) <= self.delta).astype(np.asarray(pred).dtype)

    def baseline(self, y, weight=None):
        # The weighted median minimises the absolute part; the mean is the
        # start of the intercept's descent, close enough for standardised y.
        return _weighted_average(y, weight)


class LogisticLoss:
    """``l(pred, y) = log(1 + exp(-y pred))`` for labels ``y`` in {-1, +1}.

    The derivative in the prediction is ``-y sigmoid(-y pred)`` and the
    second derivative ``sigmoid(pred) sigmoid(-pred)``, in (0, 1/4]: the
    loss is convex and 1/4-smooth, as Du and Lee's landscape theorems
    require. ``pred`` is the log-odds of the positive class.
    """

    name = "log_loss"
    lipschitz = 0.25
    encodes_labels = True

    def value_and_dpred(self, pred, y, weight, out):
        """Return the loss; write ``w * l'(pred, y)`` into ``out``."""
        xp = aa.namespace_of(pred, y, weight, out)
        if xp is not None:
            margin = pred * y
            loss = float(xp.sum(weight * aa.softplus(-margin, xp)))
            out[...] = (aa.expit(-margin, xp) * -y) * weight
            return loss
        np.multiply(pred, y, out=out)
        # logaddexp(0, -m) does not overflow for large margins of either sign.
        loss = float(np.sum(weight * np.logaddexp(0.0, -out)))
        np.negative(out, out=out)
        expit(out, out=out)
        out *= -y
        out *= weight
        return loss

    @staticmethod
    def derivative(pred, y):
        xp = aa.namespace_of(pred, y)
        if xp is not None:
            return -y * aa.expit(-y * pred, xp)
        return -y * expit(-y * pred)

    @staticmethod
    def curvature(pred, y):
        """Second derivative ``l''(pred, y)``, elementwise (labels in {-1, +1})."""
        xp = aa.namespace_of(pred)
        p = expit(pred) if xp is None else aa.expit(pred, xp)
        return p * (1.0 - p)

    @staticmethod
    def baseline(y, weight=None):
        """Log-odds of the weighted fraction of positive labels."""
        xp = aa.namespace_of(y, weight)
        positive = (np.asarray(y) > 0) if xp is None else (y > 0)
        p = float(_weighted_average(positive, weight))
        p = min(max(p, 1e-12), 1.0 - 1e-12)
        return np.log(p / (1.0 - p))


class MultinomialLoss:
    """Softmax cross-entropy ``l(pred, y) = logsumexp(pred) - <pred, y>``.

    ``y`` is a one-hot row and ``pred`` a row of class scores (log
    probabilities up to a constant). The derivative is
    ``softmax(pred) - y``; the Hessian of a row is
    ``diag(p) - p p^T``, whose diagonal ``p (1 - p)`` is :meth:`curvature`
    and whose largest eigenvalue is at most 1/2 (the loss is convex and
    1/2-smooth).
    """

    name = "multinomial"
    lipschitz = 0.5
    encodes_labels = True

    def value_and_dpred(self, pred, y, weight, out):
        """Return the loss; write ``w * (softmax(pred) - y)`` into ``out``."""
        xp = aa.namespace_of(pred, y, weight, out)
        if xp is not None:
            log_p = aa.log_softmax(pred, 1, xp)
            w = _rows_xp(weight, log_p, xp)
            loss = -float(xp.sum(w * (log_p * y)))
            out[...] = (xp.exp(log_p) - y) * w
            return loss
        log_p = log_softmax(pred, axis=1)
        w = _rows(weight, log_p)
        loss = -float(np.sum(w * (log_p * y)))
        np.exp(log_p, out=out)
        out -= y
        out *= w
        return loss

    @staticmethod
    def derivative(pred, y):
        xp = aa.namespace_of(pred, y)
        if xp is not None:
            return aa.softmax(pred, 1, xp) - y
        return softmax(pred, axis=1) - y

    @staticmethod
    def curvature(pred, y):
        xp = aa.namespace_of(pred)
        p = softmax(pred, axis=1) if xp is None else aa.softmax(pred, 1, xp)
        return p * (1.0 - p)

    @staticmethod
    def baseline(y, weight=None):
        """Log class frequencies, centred (the scores are shift-free)."""
        xp = aa.namespace_of(y, weight)
        if xp is not None:
            log_freq = xp.log(xp.maximum(_weighted_average(y, weight), 1e-12))
            return log_freq - xp.mean(log_freq)
        freq = np.maximum(_weighted_average(y, weight), 1e-12)
        log_freq = np.log(freq)
        return log_freq - log_freq.mean()


def log_proba(decision):
    """Log class probabilities from decision values.

    ``decision`` of shape ``(n,)`` is the log-odds of the second of two
    classes; of shape ``(n, n_classes)`` it holds class scores.
    """
    xp = aa.namespace_of(decision)
    if xp is not None:
        if decision.ndim == 1:
            both = xp.stack([decision, -decision], axis=1)
            return -aa.softplus(both, xp)
        return aa.log_softmax(decision, 1, xp)
    decision = np.asarray(decision)
    if decision.ndim == 1:
        # log sigmoid(-d), log sigmoid(d), without overflow.
        return -np.logaddexp(0.0, np.stack([decision, -decision], axis=1))
    return decision - logsumexp(decision, axis=1, keepdims=True)


LOSSES = {
    "squared_error": SquaredLoss,
    "huber": HuberLoss,
    "log_loss": LogisticLoss,
    "multinomial": MultinomialLoss,
}
