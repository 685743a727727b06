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

Exact output layer (variable projection)
----------------------------------------
For the squared loss on the full batch, the output weights and the intercept
enter the prediction linearly. Given the hidden layer, :class:`Objective`
solves them exactly at every evaluation (a ridge-stabilised weighted least
squares problem of size ``n_hidden + 1``) and reports the reduced objective
``F(W) = min_{o, b} L(W, o, b)``. By the envelope theorem the gradient of
``F`` in ``W`` is the partial gradient of ``L`` at the solved ``(o, b)``, so
the descent loop steps on the hidden layer alone (Golub & Pereyra 1973). The
two linear unknowns are nearly collinear for ReLU units (their outputs have a
nonzero mean), which is what makes plain gradient steps on them so slow.
"""

import numpy as np
from scipy import sparse
from scipy.linalg import LinAlgError, cho_factor, cho_solve

from . import _array_api as aa
from ._accel import fused_backward, fused_kind
from .activations import Quadratic
from .architectures import Dense

#: Ridge added to the Gram matrix of the hidden outputs, relative to its mean
#: diagonal at the first solve (then held fixed, so that the reduced objective
#: is one smooth function of the hidden weights). It only matters for dead or
#: duplicated units; the term ``ridge/2 ||o||^2`` is part of the loss.
RIDGE = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}


class ShallowModel:
    """Resolved structure of a network (not an estimator).

    Parameters
    ----------
    activation : Activation
    architecture : Architecture
    n_features : int
    n_hidden : int
    output_weights : ndarray of shape (n_hidden,) or (n_hidden, n_outputs) or None
        Fixed output weights, or None when they are learned.
    fit_intercept : bool
    column_scale : ndarray of shape (n_features,) or None, default=None
        When given, the hidden parameters are in scaled units: the network
        uses ``hidden / column_scale`` on raw inputs (dense architecture),
        which is the same as ``hidden`` on inputs divided column-wise by
        ``column_scale``, without a scaled copy of X.
    n_outputs : int or None, default=None
        None: one output, predictions of shape ``(n_samples,)``, output
        weights of shape ``(n_hidden,)``. An int: that many outputs sharing
        the hidden layer, predictions of shape ``(n_samples, n_outputs)``,
        output weights ``(n_hidden, n_outputs)`` and intercepts
        ``(n_outputs,)``.
    """

    def __init__(
        self,
        activation,
        architecture,
        n_features,
        n_hidden,
        output_weights,
        fit_intercept,
        column_scale=None,
        n_outputs=None,
    ):
        self.activation = activation
        self.architecture = architecture
        self.n_features = n_features
        self.n_hidden = n_hidden
        self.fixed_output = output_weights
        self.fit_intercept = fit_intercept
        self.column_scale = column_scale
        self.n_outputs = n_outputs
        #: Trailing shape of one prediction: () for one output, (K,) for K.
        self.output_shape = () if n_outputs is None else (n_outputs,)
        self.names = ["hidden"]
        if output_weights is None:
            self.names.append("output")
        if fit_intercept:
            self.names.append("intercept")

    def block_shapes(self, hidden_shape):
        """Shapes of the parameter blocks, in the order of ``names``."""
        shapes = {
            "hidden": tuple(hidden_shape),
            "output": (self.n_hidden,) + self.output_shape,
            "intercept": self.output_shape or (1,),
        }
        return [shapes[name] for name in self.names]

    def split(self, params):
        """Return ``(hidden, output_weights, intercept)`` from a parameter list.

        The intercept is a float for one output, an array of shape
        ``(n_outputs,)`` otherwise.
        """
        named = dict(zip(self.names, params))
        output = named.get("output", self.fixed_output)
        if not self.fit_intercept:
            intercept = 0.0
        elif self.n_outputs is None:
            intercept = named["intercept"][0]
        else:
            intercept = named["intercept"]
        return named["hidden"], output, intercept

    def raw_hidden(self, hidden, out=None):
        """The hidden parameters that act on raw inputs."""
        if self.column_scale is None:
            return hidden
        if aa.namespace_of(hidden) is not None:
            return aa.write(out, hidden / self.column_scale)
        return np.divide(hidden, self.column_scale, out=out)

    def on_device_of(self, like):
        """This model with its arrays (fixed output weights, column scales)
        in the namespace and on the device of ``like``; ``self`` when
        ``like`` is a numpy array."""
        if aa.namespace_of(like) is None:
            return self

        def move(a):
            if a is None or not aa._is_host(a):
                return a
            return aa.asarray_on(a, like, dtype=like.dtype)

        return ShallowModel(
            self.activation,
            self.architecture,
            self.n_features,
            self.n_hidden,
            move(self.fixed_output),
            self.fit_intercept,
            column_scale=move(self.column_scale),
            n_outputs=self.n_outputs,
        )

    def decision(self, params, X):
        """Network output on raw ``X`` (not the hot path: allocates freely).

        ``X`` of another array namespace is multiplied on its device; the
        parameters (and this model's arrays) are moved there first when
        they are numpy arrays.
        """
        xp = aa.namespace_of(X)
        if xp is not None:
            model = self.on_device_of(X)
            params = [
                aa.asarray_on(p, X, dtype=X.dtype) if aa._is_host(p) else p
                for p in params
            ]
            hidden, output, intercept = model.split(params)
            Xp = model.architecture.prepare(X)
            Z = model.architecture.preact(Xp, model.raw_hidden(hidden), out=None)
            return model.activation.value(Z) @ output + intercept
        hidden, output, intercept = self.split(params)
        Xp = self.architecture.prepare(X)
        Z = np.empty((X.shape[0], self.n_hidden), dtype=hidden.dtype)
        self.architecture.preact(Xp, self.raw_hidden(hidden), out=Z)
        return self.activation.value(Z, out=Z) @ output + intercept


def _weighted_mean(values, weight):
    """Mean over rows of ``values`` under normalised weights (a scalar ``1/m``
    or a vector)."""
    xp = aa.namespace_of(values)
    if xp is not None:
        return xp.mean(values, axis=0) if _scalar(weight) else weight @ values
    return values.mean(axis=0) if np.ndim(weight) == 0 else np.dot(weight, values)


def _rows_numpy(a, rows):
    return a[rows]


def _rows_xp(a, rows):
    return a[rows, ...]


def _scalar(weight):
    """Whether the normalised weights are the scalar ``1/m``."""
    return not hasattr(weight, "shape") or len(weight.shape) == 0


class Objective:
    """Loss and gradient of a :class:`ShallowModel` on fixed data.

    Rows are visited in the order set by :meth:`reorder`; a batch is a slice
    of that order, so a mini-batch is a contiguous view, not a copy.

    With ``exact_linear=True`` (the squared loss, one batch) the output
    weights (when learned) and the intercept (when fitted) are solved
    exactly at every :meth:`value` call and written into the parameter list
    passed to it; their gradient is zero and their indices are listed in
    ``solved_blocks`` (see the module docstring).

    The objective is the weighted loss plus ``alpha/2 ||hidden||^2`` (and
    ``alpha_output/2 ||output||^2`` for learned output weights that are
    gradient variables) plus the terms of ``regularisers``: parts of
    :mod:`sklearn_shallow.regularisers` with ``value(hidden)`` and
    ``add_gradient(hidden, out)``, summed in the order given.
    """

    def __init__(
        self,
        model,
        loss,
        X,
        y,
        sample_weight=None,
        batch_size=None,
        exact_linear=False,
        alpha=0.0,
        alpha_output=None,
        regularisers=(),
    ):
        self.model = model
        self.loss = loss
        # The arguments as given, for astype().
        self._data = (X, y, sample_weight, batch_size, exact_linear)
        self.Xp = model.architecture.prepare(X)
        self.y = y
        self.sw = sample_weight
        self.n_samples = X.shape[0]
        m = self.n_samples if batch_size is None else min(batch_size, self.n_samples)
        self.batch_size = m
        dtype = X.dtype
        # Another array namespace (torch, CuPy, ...): every buffer and every
        # step on X's device; None for the numpy path.
        self.xp = xp = aa.namespace_of(X)
        if xp is None:
            empty = np.empty
        else:
            dev = aa.device(X)

            def empty(shape, dtype):
                return xp.empty(shape, dtype=dtype, device=dev)

        self._empty = empty
        # Rows of a buffer or of the data: the standard wants an index for
        # every axis (a trailing ellipsis); numpy and scipy.sparse do not.
        self._rows = _rows_numpy if xp is None else _rows_xp
        self._Z = empty((m, model.n_hidden), dtype=dtype)
        self._A = empty((m, model.n_hidden), dtype=dtype)
        self._pred = empty((m,) + model.output_shape, dtype=dtype)
        self._dpred = empty((m,) + model.output_shape, dtype=dtype)
        self._shuffled = None
        self._cache = None
        fixed = model.fixed_output
        # Multiplying by output weights that are all 1 is exact: skip the pass.
        if xp is None:
            self._unit_output = fixed is not None and bool(np.all(fixed == 1))
        else:
            self._unit_output = fixed is not None and bool(xp.all(fixed == 1))
        # z^2 with fixed output signs on a dense layer (quadratic networks):
        # D = 2 o_j z dpred is (z dpred) times the exact factor 2 o_j, which
        # moves out of the product onto the rows of the hidden gradient. One
        # pass over the (batch, n_hidden) buffer instead of three, the same
        # bits as the general path (scaling by +-2 is exact).
        self._row_factor = None
        if (
            xp is None
            and type(model.activation) is Quadratic
            and isinstance(model.architecture, Dense)
            and model.n_outputs is None
            and fixed is not None
            and bool(np.all(np.abs(fixed) == 1))
        ):
            self._row_factor = (2 * fixed)[:, None].astype(dtype)
        names = model.names
        linear = [i for i, n in enumerate(names) if n in ("output", "intercept")]
        self.exact = bool(exact_linear) and m == self.n_samples and bool(linear)
        self.solved_blocks = tuple(linear) if self.exact else ()
        self._ridge = None
        # L2 weights of the hidden layer and of learned output weights.
        self.alpha = float(alpha)
        self.alpha_output = self.alpha if alpha_output is None else float(alpha_output)
        self.regularisers = tuple(regularisers)
        # The batch of the last value() call, whose loss derivatives are kept.
        self._evaluated = None
        self._B = (
            empty((m, model.n_hidden), dtype=dtype)
            if self.exact and "output" in names
            else None
        )
        self._H = None
        self._G = None
        self._y1 = None  # [y, 1] for the uncentred output-layer system
        self._ones_cache = None

    def astype(self, dtype):
        """The same objective computed in ``dtype`` (a new one, in the
        original row order).

        The model and the regularisers are shared: their arrays keep their
        dtype and enter the products exactly. The certificate of a float32
        fit uses this to work in float64.
        """
        X, y, sample_weight, batch_size, exact_linear = self._data
        return Objective(
            self.model,
            self.loss,
            X.astype(dtype, copy=False),
            y.astype(dtype, copy=False),
            None if sample_weight is None else sample_weight.astype(dtype, copy=False),
            batch_size,
            exact_linear,
            self.alpha,
            self.alpha_output,
            self.regularisers,
        )

    def on_columns(self, columns):
        """The same objective for a network that reads only ``columns``.

        For a dense layer whose hidden weights are zero outside ``columns``
        (sorted input indices), the loss, the output layer and the gradient
        on those columns equal the ones of a network on ``X[:, columns]``
        with those columns' scales: a smaller problem with the same values.
        The output layer's ridge is shared (fixed at this objective's first
        solve), so the two objectives agree to rounding; the regularisers
        are not carried (they act on the full hidden layer).
        """
        X, y, sample_weight, batch_size, exact_linear = self._data
        m = self.model
        scale = None if m.column_scale is None else m.column_scale[columns]
        model = ShallowModel(
            m.activation,
            m.architecture,
            len(columns),
            m.n_hidden,
            m.fixed_output,
            m.fit_intercept,
            column_scale=scale,
            n_outputs=m.n_outputs,
        )
        sub = Objective(
            model,
            self.loss,
            X[:, columns],
            y,
            sample_weight,
            batch_size,
            exact_linear,
            self.alpha,
            self.alpha_output,
        )
        sub._ridge = self._ridge
        return sub

    def loss_derivatives(self):
        """``w_i dl/dpred_i`` on the batch of the last :meth:`value` call.

        The weighted derivatives of the loss in the predictions (``w`` the
        normalised sample weights), a new array of shape ``(batch,)`` or
        ``(batch, n_outputs)``; :meth:`gradient` does not change them.
        """
        if self._evaluated is None:
            raise RuntimeError("loss_derivatives() needs a value() call first.")
        m = self._evaluated.stop - self._evaluated.start
        return aa.copy(self._dpred[:m, ...])

    def reset_ridge(self):
        """Fix the output layer's ridge again at the next solve (after a
        change of ``alpha_output``)."""
        self._ridge = None

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
                None if sparse.issparse(self.Xp) else np.empty_like(self.Xp),
                np.empty_like(self.y),
                None if self.sw is None else np.empty_like(self.sw),
            ]
            self._orig = (self.Xp, self.y, self.sw)
        Xo, yo, swo = self._orig
        Xs, ys, sws = self._shuffled
        if Xs is None:
            # Sparse rows are gathered into a new matrix (CSR row slices of
            # it are then the mini-batches).
            Xs = Xo[perm]
        else:
            np.take(Xo, perm, axis=0, out=Xs)
        np.take(yo, perm, axis=0, out=ys)
        if swo is not None:
            np.take(swo, perm, out=sws)
        self.Xp, self.y, self.sw = Xs, ys, sws
        self._cache = None
        self._y1 = None
        self._evaluated = None

    def _weights(self, batch):
        if self.sw is None:
            return 1.0 / (batch.stop - batch.start)
        sw = self.sw[batch]
        if self.xp is not None:
            return sw / self.xp.sum(sw)
        return sw / sw.sum()

    def value(self, params, batch, weight_decay=True, preact=None):
        """Loss at ``params`` on ``batch``; caches what :meth:`gradient` needs.

        ``weight_decay=False`` leaves out ``alpha/2 ||hidden||^2``: the
        solvers' start check compares the network's own slope with finite
        differences, which an exact quadratic term could hide.

        ``preact``, an array of shape ``(batch, n_hidden)``, holds the
        pre-activations at ``params`` computed by the caller (see
        :meth:`take_preactivations`); the forward product is then skipped.
        :meth:`gradient` reads them from that array, which must stay
        unchanged until then.
        """
        m = batch.stop - batch.start
        rows = self._rows
        A = rows(self._A, slice(0, m))
        if preact is None:
            Z = rows(self._Z, slice(0, m))
            self.model.architecture.preact(
                rows(self.Xp, batch), self._raw_hidden(params[0]), out=Z
            )
        else:
            Z = preact
        self._computed = preact is None
        self.model.activation.value(Z, out=A)
        weight = self._weights(batch)
        learned = "output" in self.model.names
        penalty = 0.0
        if self.exact and learned:
            penalty = self._solve_output_layer(params, A, batch, weight)
        _, output, _ = self.model.split(params)
        if self.xp is not None:
            pred = aa.matmul(A, output, rows(self._pred, slice(0, m)), self.xp)
        else:
            pred = np.matmul(A, output, out=self._pred[:m])
        if self.exact and not learned:
            # Fixed output weights: the intercept is the weighted mean residual.
            params[self.model.names.index("intercept")][...] = _weighted_mean(
                rows(self.y, batch) - pred, weight
            )
        pred += self.model.split(params)[2]
        dpred = rows(self._dpred, slice(0, m))
        loss = self.loss.value_and_dpred(pred, rows(self.y, batch), weight, out=dpred)
        self._cache = (batch, params, Z)
        self._evaluated = batch
        total = loss + penalty + self._l2(params, weight_decay)
        for regulariser in self.regularisers:
            total += regulariser.value(params[0])
        return total

    def take_preactivations(self, replacement=None):
        """Hand over the pre-activations of the last :meth:`value` call.

        Returns the buffer they were computed in, of shape
        ``(batch_size, n_hidden)`` (the batch's rows first); from now on the
        objective computes its forward products in ``replacement``, an
        array of the same shape and dtype (a new one when None). No copy is
        made, and :meth:`gradient` at the last point still reads them, so
        the caller must not change them before that.

        The pre-activations are linear in the hidden parameters: a caller
        that keeps those of two points ``x`` and ``x'`` has those of every
        ``x + beta (x - x')`` by elementwise arithmetic, which it passes to
        :meth:`value` as ``preact`` (the accelerated step policy does this
        to save the forward product at its extrapolated point).
        """
        if self.xp is None:
            computed = self._cache is not None and np.may_share_memory(
                self._cache[2], self._Z
            )
        else:
            computed = self._cache is not None and self._computed
        if not computed:
            raise RuntimeError(
                "take_preactivations() needs a value() call that computed "
                "the forward product first."
            )
        if replacement is None:
            replacement = aa.empty_like(self._Z)
        elif (
            tuple(replacement.shape) != tuple(self._Z.shape)
            or replacement.dtype != self._Z.dtype
        ):
            raise ValueError(
                f"The replacement buffer has shape {replacement.shape} and "
                f"dtype {replacement.dtype}; expected {self._Z.shape} and "
                f"{self._Z.dtype}."
            )
        taken, self._Z = self._Z, replacement
        return taken

    def _l2(self, params, weight_decay=True):
        """``alpha/2 ||hidden||^2 + alpha_output/2 ||output||^2``, the latter
        only when the output weights are gradient variables (when solved it
        is the ridge of the solve); without the first term when
        ``weight_decay`` is False."""
        alpha = self.alpha if weight_decay else 0.0
        total = 0.5 * alpha * aa.vdot(params[0], params[0])
        names = self.model.names
        if "output" in names and not self.exact and self.alpha_output:
            o = params[names.index("output")]
            total += 0.5 * self.alpha_output * aa.vdot(o, o)
        return total

    def _raw_hidden(self, hidden):
        if self.model.column_scale is None:
            return hidden
        if self._H is None:
            self._H = aa.empty_like(hidden)
        return self.model.raw_hidden(hidden, out=self._H)

    def _solve_output_layer(self, params, A, batch, weight):
        """Solve learned output weights (and intercept) for hidden outputs ``A``.

        Writes them into ``params`` and returns the ridge term of the loss.
        ``weight`` is ``1/m`` or the normalised sample weights.
        """
        if self.xp is not None:
            return self._solve_output_layer_xp(params, A, batch, weight)
        names = self.model.names
        y = self.y[batch]
        scalar = np.ndim(weight) == 0
        fit_b = "intercept" in names
        if fit_b and scalar and A.dtype == np.float64:
            gram, rhs, a_mean, y_mean = self._uncentred_system(A, y, weight)
        else:
            B = self._B[: len(y)]
            if fit_b:
                a_mean = (self._ones(A) @ A) * weight if scalar else weight @ A
                y_mean = _weighted_mean(y, weight)
                np.subtract(A, a_mean, out=B)
                t = y - y_mean
            else:
                np.copyto(B, A)
                t = y.copy()
            if not scalar:
                root = np.sqrt(weight)
                B *= root[:, None]
                t *= root if t.ndim == 1 else root[:, None]
            gram = (B.T @ B).astype(np.float64)  # B.T @ B runs as one syrk call
            rhs = (B.T @ t).astype(np.float64)
            if scalar:  # the weight 1/m, applied to the small system
                gram *= weight
                rhs *= weight
        if self._ridge is None:
            diag = float(np.trace(gram)) / gram.shape[0]
            stabiliser = RIDGE.get(A.dtype, 1e-5) * (diag if diag > 0 else 1.0)
            # The L2 penalty alpha_output/2 ||o||^2 is this ridge too.
            self._ridge = self.alpha_output + stabiliser
        gram.flat[:: gram.shape[0] + 1] += self._ridge
        try:
            o = cho_solve(cho_factor(gram, check_finite=False), rhs, check_finite=False)
        except (LinAlgError, ValueError):
            o = np.linalg.lstsq(gram, rhs, rcond=None)[0]
        params[names.index("output")][...] = o
        if fit_b:
            params[names.index("intercept")][...] = y_mean - a_mean @ o
        return 0.5 * self._ridge * float(np.vdot(o, o))

    def _ones(self, A):
        """A vector of ones as long as ``A``'s columns: ``ones @ A`` (one
        gemv) sums them in 0.02 ms where ``A.mean(axis=0)`` took 0.17 (a
        (10000, 20) array, numpy 2.4)."""
        ones = self._ones_cache
        if ones is None or ones.shape[0] != A.shape[0] or ones.dtype != A.dtype:
            if self.xp is None:
                ones = np.ones(A.shape[0], dtype=A.dtype)
            else:
                ones = self.xp.ones(A.shape[0], dtype=A.dtype, device=aa.device(A))
            self._ones_cache = ones
        return ones

    def _uncentred_system(self, A, y, weight):
        """The centred Gram matrix and right-hand side of the output layer
        for the weight ``1/m``, without a centred copy of ``A`` (float64).

        ``A.T A / m - a a^T`` (one syrk) and ``A.T [y, 1] / m`` (one
        product giving the right-hand side and the column sums ``m a``)
        minus ``a y_mean``: two passes over ``A`` fewer than centring it.
        The subtraction loses ``log10(1 + |mean|^2 / var)`` digits of a
        unit's column, harmless in float64 (1e-13 at a mean of 30 standard
        deviations); in float32 the same mean cost 8x the error of the
        centred system, so float32 keeps that one.
        Returns ``(gram, rhs, a_mean, y_mean)``.
        """
        xp = self.xp
        if self._y1 is None:
            # [y, 1]: the targets (one column or several) and a column of ones.
            y2 = y[:, None] if y.ndim == 1 else y
            if xp is None:
                self._y1 = np.concatenate([y2, np.ones_like(y2[:, :1])], axis=1)
            else:
                ones = xp.ones_like(y2[:, :1])
                self._y1 = xp.concat([y2, ones], axis=1)
        k = self._y1.shape[1] - 1
        M = A.T @ self._y1
        a_mean = M[:, k] * weight
        y_mean = _weighted_mean(y, weight)
        gram = A.T @ A
        if xp is None:
            gram *= weight
            gram -= np.outer(a_mean, a_mean)
            rhs = M[:, :k] * weight - np.outer(a_mean, y_mean)
        else:
            gram = gram * weight - a_mean[:, None] * a_mean[None, :]
            rhs = M[:, :k] * weight - a_mean[:, None] * xp.reshape(y_mean, (1, -1))
        if y.ndim == 1:
            rhs = rhs[:, 0]
        return gram, rhs, a_mean, y_mean

    def _solve_output_layer_xp(self, params, A, batch, weight):
        """:meth:`_solve_output_layer` in the namespace of the data: the same
        steps, the small system in float64 where the device has it."""
        xp, names = self.xp, self.model.names
        y = self.y[batch, ...]
        scalar = _scalar(weight)
        fit_b = "intercept" in names
        dtype = A.dtype
        wide = aa.wide_float(xp, aa.device(A))
        if fit_b and scalar and A.dtype == xp.float64:
            gram, rhs, a_mean, y_mean = self._uncentred_system(A, y, weight)
        else:
            B = self._B[: y.shape[0], ...]
            if fit_b:
                a_mean = (self._ones(A) @ A) * weight if scalar else weight @ A
                y_mean = _weighted_mean(y, weight)
                B[...] = A - a_mean
                t = y - y_mean
            else:
                B[...] = A
                t = aa.copy(y)
            if not scalar:
                root = xp.sqrt(weight)
                column = xp.reshape(root, (-1, 1))
                B *= column
                t *= root if t.ndim == 1 else column
            gram = xp.astype(B.T @ B, wide)
            rhs = xp.astype(B.T @ t, wide)
            if scalar:  # the weight 1/m, applied to the small system
                gram = gram * weight
                rhs = rhs * weight
        size = gram.shape[0]
        if self._ridge is None:
            diag = float(xp.linalg.trace(gram)) / size
            stabiliser = RIDGE.get(aa.host_dtype(A), 1e-5) * (diag if diag > 0 else 1.0)
            self._ridge = self.alpha_output + stabiliser
        gram = gram + self._ridge * xp.eye(size, dtype=wide, device=aa.device(A))
        o = aa.solve_spd(gram, rhs, xp)
        params[names.index("output")][...] = xp.astype(o, dtype)
        if fit_b:
            b = xp.astype(y_mean, wide) - xp.astype(a_mean, wide) @ o
            params[names.index("intercept")][...] = xp.astype(b, dtype)
        return 0.5 * self._ridge * float(xp.sum(o * o))

    def gradient(self, params, batch, out, weight_decay=True):
        """Gradient at ``params`` on ``batch``, written into ``out``.

        ``weight_decay=False`` leaves out the gradient of
        ``alpha/2 ||hidden||^2`` (as in :meth:`value`).

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
        if self.xp is not None:
            return self._gradient_xp(params, batch, out, weight_decay)
        hidden, output, _ = self.model.split(params)
        m = batch.stop - batch.start
        Xb = self.Xp[batch]
        Z, A, dpred = self._cache[2], self._A[:m], self._dpred[:m]
        names = self.model.names
        if self.exact:
            # Solved exactly in value(): no gradient step on them.
            for i in self.solved_blocks:
                out[i][...] = 0
        else:
            if "output" in names:
                np.matmul(A.T, dpred, out=out[names.index("output")])
            if "intercept" in names:
                out[names.index("intercept")][...] = dpred.sum(axis=0)
        # D = sigma'(Z) * o * dpred, built in the A buffer (A was last read for
        # the output-weight gradient above). Writing sigma'(Z) over Z itself
        # sends np.sign (relu, leaky_relu) to a loop 4-7x slower.
        activation = self.model.activation
        kind = fused_kind(activation)
        if self._row_factor is not None:
            D = np.multiply(Z, dpred[:, None], out=A)
        elif self.model.n_outputs is not None:
            # Several outputs: D = sigma'(Z) * (dpred @ o^T).
            if self._G is None:
                self._G = np.empty_like(self._A)
            G = np.matmul(dpred, output.T, out=self._G[:m])
            D = activation.derivative(Z, out=A)
            D *= G
        elif kind is None:
            D = activation.derivative(Z, out=A)
            if not self._unit_output:
                D *= output
            D *= dpred[:, None]
        else:
            # One pass instead of three (numba when installed, the same
            # numpy passes otherwise): the same gradient, bit for bit.
            D = fused_backward(
                kind,
                Z,
                None if self._unit_output else output,
                dpred,
                A,
                slope=getattr(activation, "slope", None),
            )
        self.model.architecture.backprop(Xb, D, out=out[0])
        if self._row_factor is not None:
            out[0] *= self._row_factor
        return self._finish_gradient(params, out, weight_decay)

    def _gradient_xp(self, params, batch, out, weight_decay):
        """:meth:`gradient` in the namespace of the data (after the cache
        check): the general path, without the numba kernels."""
        xp = self.xp
        hidden, output, _ = self.model.split(params)
        m = batch.stop - batch.start
        Xb = self.Xp[batch, ...]
        Z, A, dpred = self._cache[2], self._A[:m, ...], self._dpred[:m, ...]
        names = self.model.names
        if self.exact:
            for i in self.solved_blocks:
                out[i][...] = 0
        else:
            if "output" in names:
                i = names.index("output")
                out[i] = aa.matmul(A.T, dpred, out[i], xp)
            if "intercept" in names:
                out[names.index("intercept")][...] = xp.sum(dpred, axis=0)
        activation = self.model.activation
        if self.model.n_outputs is not None:
            G = dpred @ output.T
            D = activation.derivative(Z, out=A)
            D *= G
        else:
            D = activation.derivative(Z, out=A)
            if not self._unit_output:
                D *= output
            D *= xp.reshape(dpred, (-1, 1))
        out[0] = self.model.architecture.backprop(Xb, D, out=out[0])
        return self._finish_gradient(params, out, weight_decay)

    def _finish_gradient(self, params, out, weight_decay):
        """The end of :meth:`gradient` on either path: the column scales and
        the penalties' gradients, added to the loss's in ``out``."""
        names = self.model.names
        if self.model.column_scale is not None:
            out[0] /= self.model.column_scale
        if self.alpha and weight_decay:
            out[0] += self.alpha * params[0]
        for regulariser in self.regularisers:
            regulariser.add_gradient(params[0], out[0])
        if self.alpha_output and "output" in names and not self.exact:
            out[names.index("output")] += (
                self.alpha_output * params[names.index("output")]
            )
        # The A buffer now holds D: the next gradient needs a fresh forward.
        self._cache = None
        return out
