"""Smooth regularisers of the hidden layer: terms summed into the objective.

A regulariser is a small part with two methods on the hidden parameters
``W`` (of shape ``(n_hidden, n_features)``):

* ``value(hidden)`` returns the term, a float;
* ``add_gradient(hidden, out)`` adds its gradient in ``W`` to ``out`` (in
  place) and returns ``out``.

:class:`~sklearn_shallow._network.Objective` adds the values of its
``regularisers`` to the loss and their gradients to the hidden block's
gradient. The parts hold no state between the two calls (they are pure), so
one part may serve several objectives.

A regulariser that is linear in the Gram matrix ``M = W^T W``, that is
``value(W) = <R, W^T W>`` for a fixed symmetric ``R``, also says so through
``gram_form()``, which returns ``R``. The optimality certificate of
quadratic networks (:mod:`sklearn_shallow.certificate`) needs that form: its
convex problem is stated in ``M``, and only such terms keep it convex.

Weight decay ``alpha/2 ||W||_F^2`` (``R = alpha/2 I``) is not a part here:
it stays the ``alpha`` of :class:`~sklearn_shallow._network.Objective`,
because the objective also uses it outside the sum (the ridge of the exact
output layer is ``alpha_output``, and the descent loop's start check switches
``alpha`` off to test the data loss alone) and every estimator sets it there.
"""

import numpy as np

from ._array_api import asarray_on, namespace_of

__all__ = ["Perturbation"]


class Perturbation:
    """The term ``<C, W^T W> = trace(C W^T W)`` of Du and Lee's objective.

    Parameters
    ----------
    matrix : ndarray of shape (n_features, n_features)
        The symmetric PSD matrix ``C``.

    Notes
    -----
    With ``C`` symmetric, ``<C, W^T W> = sum_j w_j^T C w_j`` over the rows
    ``w_j`` of ``W``, whose gradient in ``w_j`` is ``2 C w_j``: the gradient
    in ``W`` is ``2 W C``. Both cost one product of ``O(k d^2)``; the value
    is ``<W C, W>``.

    Du and Lee's Theorem 3.2 adds this term with a small random ``C`` (with
    a density on the PSD cone) to cover widths ``k`` with
    ``k (k + 1) / 2 > n``; it raises the optimal value by at most
    ``||C||_F ||W*||_F^2``.

    References
    ----------
    .. [1] S. S. Du and J. D. Lee, "On the Power of Over-parametrization in
       Neural Networks with Quadratic Activation", ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.regularisers import Perturbation
    >>> term = Perturbation(np.diag([1.0, 2.0]))
    >>> W = np.array([[1.0, 1.0], [0.0, 3.0]])
    >>> term.value(W)  # 1*1 + 2*1 + 2*9
    21.0
    >>> term.add_gradient(W, np.zeros((2, 2)))
    array([[ 2.,  4.],
           [ 0., 12.]])
    """

    def __init__(self, matrix):
        self.matrix = matrix

    def _matrix_for(self, hidden):
        """``C`` in the namespace, device and dtype of ``hidden``.

        With hidden weights of another namespace than ``C`` (a torch fit
        with a numpy ``C``), ``C`` is copied to their device at each call:
        build the term with ``C`` in the fit's namespace to avoid it.
        """
        xp = namespace_of(hidden)
        if xp is None:
            return self.matrix, None
        if namespace_of(self.matrix) is None:
            return asarray_on(self.matrix, hidden, hidden.dtype), xp
        return xp.astype(self.matrix, hidden.dtype, copy=False), xp

    def value(self, hidden):
        """``<C, W^T W>``."""
        matrix, xp = self._matrix_for(hidden)
        if xp is not None:
            return float(xp.sum((hidden @ matrix) * hidden))
        return float(np.vdot(hidden @ self.matrix, hidden))

    def add_gradient(self, hidden, out):
        """Add ``2 W C`` to ``out``."""
        matrix, xp = self._matrix_for(hidden)
        if xp is not None:
            out += (hidden @ matrix) * 2.0
            return out
        grad = hidden @ self.matrix
        grad *= 2.0
        out += grad
        return out

    def gram_form(self):
        """``C``: the term is ``<C, W^T W>``."""
        return self.matrix
