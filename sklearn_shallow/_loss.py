"""Losses on the network output, with their derivative in the prediction.

Each loss is evaluated with normalised sample weights ``w`` (``sum w = 1``;
uniform weights give ``1/n``), so that ``value = sum_i w_i l(yhat_i, y_i)``
and ``dpred_i = w_i l'(yhat_i, y_i)``. The descent loop only sees these two.
"""

import numpy as np


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


LOSSES = {"squared_error": SquaredLoss}
