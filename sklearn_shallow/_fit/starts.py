"""Starting points of a fit, as plain functions.

``init='random'`` draws each unit's weights so that its pre-activation has
unit variance in the fit's internal units; ``'zero'`` starts at zero; an
array is used as given (a dense ``(n_hidden, n_features)`` array also starts
a convolution, through its projection); ``'tensor'`` takes the hidden
weights from the tensor method of Zhong et al. (2017). Learned output
weights start at random signs of size ``1/sqrt(n_hidden)`` (in internal
units), an intercept at the loss's best constant.
"""

import numpy as np

from .. import _array_api as aa
from ..activations import CustomActivation, check_activation_output
from ..tensor_init import fill_from_tensor


def check_output_weights(output_weights, n_hidden, dtype, output_shape=()):
    """A user's fixed output weights as an array, or a clear error."""
    fixed = np.asarray(output_weights, dtype=dtype)
    expected = (n_hidden,) + tuple(output_shape)
    if fixed.shape != expected:
        per = "one weight per hidden unit" + (" and output" if output_shape else "")
        raise ValueError(
            f"output_weights has shape {fixed.shape}; expected {expected}, {per}."
        )
    if not np.all(np.isfinite(fixed)):
        raise ValueError("output_weights contains NaN or infinity.")
    return fixed


def _tensor_hidden(X, y, sample_weight, model, rng):
    """Dense hidden weights from the tensor method (Zhong et al. 2017).

    :func:`~sklearn_shallow.tensor_initialization` identifies at most
    ``n_features`` units; any others start as in ``init='random'``. Only the
    hidden weights are used: learned output weights start as for 'random'.
    A convolution receives the projection of these dense weights.
    """
    n_hidden, n_features = model.n_hidden, X.shape[1]
    W = rng.standard_normal((n_hidden, n_features)) / np.sqrt(n_features)
    fill_from_tensor(W, X, y, model.activation, rng, sample_weight=sample_weight)
    return W


def _describe_init(init):
    return f"init={init!r}" if isinstance(init, str) else "the init array"


def _check_start(model, params, X, y, init):
    """A clear error when the starting point's outputs or loss are not finite.

    Without it the loop would stop at its first step with a message about
    the loss, not about where the start came from.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        pred = model.decision(params, X)
        finite_pred = aa.all_finite(pred)
        finite_loss = finite_pred and np.isfinite(aa.vdot(pred - y, pred - y))
    if finite_loss:
        return
    if aa.namespace_of(X) is not None:
        # The messages below read X and y on the host.
        X, y, params = aa.to_numpy(X), aa.to_numpy(y), [aa.to_numpy(params[0])]
    dtype = X.dtype.name
    hidden = np.max(np.abs(params[0])) if params[0].size else 0.0
    if not finite_pred:
        if isinstance(model.activation, CustomActivation):
            # A custom activation that gives NaN or inf on finite inputs is
            # named as the cause (this raises); else the inputs are too large.
            Z = np.empty((X.shape[0], model.n_hidden), dtype=params[0].dtype)
            arch = model.architecture
            arch.preact(arch.prepare(X), params[0], out=Z)
            with np.errstate(over="ignore", invalid="ignore"):
                A = model.activation.value(Z.copy())
            check_activation_output(model.activation, Z, A)
        raise ValueError(
            f"The starting point from {_describe_init(init)} gives non-finite "
            f"network outputs in {dtype} (largest |x| = {abs(X).max():.3g}, "
            f"largest starting weight = {hidden:.3g}). Standardise X (for "
            "instance with StandardScaler) or fit in float64."
        )
    raise ValueError(
        f"The squared loss at the starting point from {_describe_init(init)} "
        f"overflows {dtype} (largest |y| = {np.max(np.abs(y)):.3g}). Rescale y "
        "or fit in float64."
    )


def initial_hidden(init, model, units, X, y_start, sample_weight, shape, rng):
    """Starting hidden parameters of the given shape, in the user's units.

    ``y_start`` are the targets a data-driven start (the tensor step) sees:
    the standardised ones when y's units are absorbed by the fit, so that the
    start is the same in any units of y.
    """
    dtype = aa.host_dtype(X)
    if isinstance(init, str):
        if init == "zero":
            return np.zeros(shape, dtype=dtype)
        if init == "random":
            V = rng.standard_normal(shape) / np.sqrt(shape[1])
            return units.hidden_out(V.astype(dtype))
        if model.n_outputs is not None:
            raise ValueError(
                "init='tensor' needs one output (1-D y for a regressor, "
                f"two classes for a classifier); this fit has "
                f"{model.n_outputs} outputs. Use init='random'."
            )
        if aa.namespace_of(X) is not None:
            # The tensor start runs on the host: one copy of X.
            X = aa.to_numpy(X)
        init = _tensor_hidden(X, y_start, sample_weight, model, rng)
    if aa.namespace_of(init) is not None:
        init = aa.to_numpy(init)
    W0 = np.asarray(init, dtype=dtype)
    n_features = X.shape[1]
    if W0.shape != shape:
        dense_shape = (model.n_hidden, n_features)
        if W0.shape == dense_shape and shape != dense_shape:
            return model.architecture.from_dense(W0, n_features).astype(dtype)
        raise ValueError(
            f"init array has shape {W0.shape}; expected {shape}"
            + (f" or {dense_shape}" if shape != dense_shape else "")
            + "."
        )
    if not np.all(np.isfinite(W0)):
        raise ValueError("init array contains NaN or infinity.")
    return W0.copy()


def initial_params(hidden, model, units, loss, y, sample_weight, blocks, rng):
    """``[hidden, output, intercept]`` (the blocks the model learns), in the
    user's units: learned output weights at random signs, the intercept at
    the loss's best constant."""
    params = [hidden]
    dtype = hidden.dtype
    if "output" in model.names:
        # With the full-batch squared loss these are solved exactly at the
        # first step; otherwise the descent starts from them.
        size = blocks[model.names.index("output")]
        o = rng.choice([-1.0, 1.0], size=size) / np.sqrt(model.n_hidden)
        params.append((o * units.y_scale).astype(dtype))
    if "intercept" in model.names:
        b = np.asarray(loss.baseline(y, sample_weight), dtype=np.float64)
        params.append(np.reshape(b, blocks[-1]).astype(dtype))
    return params
