"""Losses on the network output, with their derivative in the prediction.

Each loss is evaluated with normalised sample weights ``w`` (``sum w = 1``;
uniform weights give ``1/n``), so that ``value = sum_i w_i l(yhat_i, y_i)``
and ``dpred_i = w_i l'(yhat_i, y_i)``. The descent loop only sees these two.
"""

import numpy as np
from scipy.special import expit


class SquaredLoss:
    """``l(yhat, y) = (yhat - y)^2 / 2``, so the objective is
    ``1/(2n) sum_i (f(x_i) - y_i)^2`` (ALGORITHMS.md, section 1)."""

    name = "squared_error"

    def value_and_dpred(self, pred, y, weight, out):
        """Return the loss; write ``w * (pred - y)`` into ``out``."""
        np.subtract(pred, y, out=out)
        loss = 0.5 * float(np.dot(weight * out, out))
        out *= weight
        return loss


class LogisticLoss:
    """``l(yhat, y) = log(1 + exp(-y yhat))`` for labels ``y`` in {-1, +1}.

    The derivative in the prediction is ``-y sigmoid(-y yhat)`` and the second
    derivative ``sigmoid(yhat) sigmoid(-yhat)``, in (0, 1/4]: the loss is
    convex and smooth, as Du and Lee's landscape theorems require.
    """

    name = "log_loss"

    def value_and_dpred(self, pred, y, weight, out):
        """Return the loss; write ``w * l'(pred, y)`` into ``out``."""
        np.multiply(pred, y, out=out)
        # logaddexp(0, -m) does not overflow for large margins of either sign.
        loss = float(np.sum(weight * np.logaddexp(0.0, -out)))
        np.negative(out, out=out)
        expit(out, out=out)
        out *= -y
        out *= weight
        return loss

    @staticmethod
    def curvature(pred, y):
        """Second derivative ``l''(pred, y)``, elementwise (labels in {-1, +1})."""
        p = expit(pred)
        return p * (1.0 - p)


LOSSES = {"squared_error": SquaredLoss, "log_loss": LogisticLoss}
