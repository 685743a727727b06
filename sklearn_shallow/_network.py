"""The one-hidden-layer network and its training objective.

``f(x) = sum_j o_j sigma(w_j . x) + b``. The parameters the loop updates are a
list of arrays: the hidden parameters (``W``, or kernels ``K`` for a
convolution), then the output weights when they are learned, then the
intercept (an array of length 1) when it is fitted. Fixed output weights live
in the model, not in that list.

One loss-and-gradient evaluation costs two matrix products (one in
:meth:`Objective.value`, one in :meth:`Objective.gradient`) plus elementwise
work on preallocated ``(batch, n_hidden)`` buffers; no ``n x h x p`` array is
ever formed.
"""

import numpy as np


class ShallowModel:
    """Resolved structure of a network (not an estimator).

    Parameters
    ----------
    activation : Activation
    architecture : Architecture
    n_features : int
    n_hidden : int
    output_weights : ndarray of shape (n_hidden,) or None
        Fixed output weights, or None when they are learned.
    fit_intercept : bool
    """

    def __init__(
        self,
        activation,
        architecture,
        n_features,
        n_hidden,
        output_weights,
        fit_intercept,
    ):
        self.activation = activation
        self.architecture = architecture
        self.n_features = n_features
        self.n_hidden = n_hidden
        self.fixed_output = output_weights
        self.fit_intercept = fit_intercept
        self.names = ["hidden"]
        if output_weights is None:
            self.names.append("output")
        if fit_intercept:
            self.names.append("intercept")

    def split(self, params):
        """Return ``(hidden, output_weights, intercept)`` from a parameter list."""
        named = dict(zip(self.names, params))
        output = named.get("output", self.fixed_output)
        intercept = named["intercept"][0] if self.fit_intercept else 0.0
        return named["hidden"], output, intercept

    def decision(self, params, X):
        """Network output on raw ``X`` (not the hot path: allocates freely)."""
        hidden, output, intercept = self.split(params)
        Xp = self.architecture.prepare(X)
        Z = np.empty((X.shape[0], self.n_hidden), dtype=hidden.dtype)
        self.architecture.preact(Xp, hidden, out=Z)
        return self.activation.value(Z, out=Z) @ output + intercept


class Objective:
    """Loss and gradient of a :class:`ShallowModel` on fixed data.

    Rows are visited in the order set by :meth:`reorder`; a batch is a slice
    of that order, so a mini-batch is a contiguous view, not a copy.
    """

    def __init__(self, model, loss, X, y, sample_weight=None, batch_size=None):
        self.model = model
        self.loss = loss
        self.Xp = model.architecture.prepare(X)
        self.y = y
        self.sw = sample_weight
        self.n_samples = X.shape[0]
        m = self.n_samples if batch_size is None else min(batch_size, self.n_samples)
        self.batch_size = m
        dtype = X.dtype
        self._Z = np.empty((m, model.n_hidden), dtype=dtype)
        self._A = np.empty((m, model.n_hidden), dtype=dtype)
        self._pred = np.empty(m, dtype=dtype)
        self._dpred = np.empty(m, dtype=dtype)
        self._shuffled = None
        self._cache = None
        fixed = model.fixed_output
        # Multiplying by output weights that are all 1 is exact: skip the pass.
        self._unit_output = fixed is not None and bool(np.all(fixed == 1))

    def batches(self):
        """Slices covering all rows once, in the current order."""
        step = self.batch_size
        return [
            slice(i, min(i + step, self.n_samples))
            for i in range(0, self.n_samples, step)
        ]

    def reorder(self, rng):
        """Shuffle the rows (for mini-batches) into preallocated copies."""
        perm = rng.permutation(self.n_samples)
        if self._shuffled is None:
            self._shuffled = [
                np.empty_like(self.Xp),
                np.empty_like(self.y),
                None if self.sw is None else np.empty_like(self.sw),
            ]
            self._orig = (self.Xp, self.y, self.sw)
        Xo, yo, swo = self._orig
        Xs, ys, sws = self._shuffled
        np.take(Xo, perm, axis=0, out=Xs)
        np.take(yo, perm, out=ys)
        if swo is not None:
            np.take(swo, perm, out=sws)
        self.Xp, self.y, self.sw = Xs, ys, sws
        self._cache = None

    def _weights(self, batch):
        if self.sw is None:
            return 1.0 / (batch.stop - batch.start)
        sw = self.sw[batch]
        return sw / sw.sum()

    def value(self, params, batch):
        """Loss at ``params`` on ``batch``; caches what :meth:`gradient` needs."""
        hidden, output, intercept = self.model.split(params)
        m = batch.stop - batch.start
        Xb = self.Xp[batch]
        Z, A = self._Z[:m], self._A[:m]
        self.model.architecture.preact(Xb, hidden, out=Z)
        self.model.activation.value(Z, out=A)
        pred = np.matmul(A, output, out=self._pred[:m])
        pred += intercept
        weight = self._weights(batch)
        dpred = self._dpred[:m]
        loss = self.loss.value_and_dpred(pred, self.y[batch], weight, out=dpred)
        self._cache = (batch, params)
        return loss

    def gradient(self, params, batch, out):
        """Gradient at ``params`` on ``batch``, written into ``out``.

        Reuses the forward pass of the last :meth:`value` call when it was made
        with the same ``params`` list and batch. The cache is keyed on the
        list's identity: a caller that changes ``params`` in place between the
        two calls must call :meth:`value` again.
        """
        if (
            self._cache is None
            or self._cache[0] != batch
            or self._cache[1] is not params
        ):
            self.value(params, batch)
        hidden, output, _ = self.model.split(params)
        m = batch.stop - batch.start
        Xb = self.Xp[batch]
        Z, A, dpred = self._Z[:m], self._A[:m], self._dpred[:m]
        names = self.model.names
        if "output" in names:
            np.matmul(dpred, A, out=out[names.index("output")])
        if "intercept" in names:
            out[names.index("intercept")][0] = dpred.sum()
        # D = sigma'(Z) * o * dpred, built in the A buffer (A was last read for
        # the output-weight gradient above). Writing sigma'(Z) over Z itself
        # sends np.sign (relu, leaky_relu) to a loop 4-7x slower.
        D = self.model.activation.derivative(Z, out=A)
        if not self._unit_output:
            D *= output
        D *= dpred[:, None]
        self.model.architecture.backprop(Xb, D, out=out[0])
        self._cache = None
        return out
