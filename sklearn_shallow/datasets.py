"""Planted one-hidden-layer networks: synthetic data with a known answer.

Each generator draws a ground-truth network ``f(x) = sum_j o_j sigma(w_j . x)``
and Gaussian inputs ``X ~ N(0, I)``, and returns ``X, y, truth`` with

    y = sigma(X @ W.T) @ o + noise * N(0, 1).

``truth`` is a :class:`sklearn.utils.Bunch` that always holds
``hidden_weights`` (ndarray of shape (n_hidden, n_features)),
``output_weights`` (ndarray of shape (n_hidden,)) and ``activation`` (a name),
plus fields particular to the generator. :func:`sample_network` draws fresh
samples from an existing ``truth`` (a test set), and :func:`oymak_init` draws
the initial weights used in Oymak's experiments.

The random draws happen in a fixed order (network, then inputs, then noise),
and the noise vector is drawn even when ``noise=0``; so the same
``random_state`` gives the same network and inputs whatever ``noise`` is.

References
----------
.. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
   ICML 2018.
.. [2] M. Soltanolkotabi, "Learning ReLUs via Gradient Descent", NeurIPS 2017.
.. [3] K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon,
   "Recovery Guarantees for One-hidden-layer Neural Networks", ICML 2017.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .architectures import Convolution

__all__ = [
    "make_conv_network",
    "make_planted_network",
    "make_sparse_network",
    "make_sparse_relu",
    "oymak_init",
    "sample_network",
]

# Only what the generators need; the full activation family, with derivatives
# and moments, lives in its own module.
_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "squared_relu": lambda z: np.maximum(z, 0.0) ** 2,
    "linear": lambda z: z,
}


def _check_fits(name, value, limit_name, limit):
    """Raise a ValueError naming both values when ``value > limit``."""
    if value > limit:
        raise ValueError(f"{name}={value} must be at most {limit_name}={limit}.")


def _network_output(X, truth):
    """Noise-free output of the planted network for inputs ``X``."""
    activation = _ACTIVATIONS[truth.activation]
    return activation(X @ truth.hidden_weights.T) @ truth.output_weights


def _draw_samples(truth, n_samples, noise, rng):
    """Draw ``X ~ N(0, I)`` and ``y = f(X) + noise * N(0, 1)``."""
    n_features = truth.hidden_weights.shape[1]
    X = rng.standard_normal((n_samples, n_features))
    # Always drawn, so that the stream (and thus X) never depends on noise.
    eps = rng.standard_normal(n_samples)
    y = _network_output(X, truth) + noise * eps
    return X, y


def _random_supports(n_rows, n_cols, n_nonzero, rng):
    """Column indices of ``n_nonzero`` distinct random entries in each row."""
    # The smallest n_nonzero of iid uniforms sit at a uniformly random subset.
    # argpartition finds that subset but lists it in an order that depends on
    # the numpy version and the CPU (its SIMD code paths): sorted, the
    # indices, hence the planted weights, are the same on every machine.
    keys = rng.random((n_rows, n_cols))
    return np.sort(np.argpartition(keys, n_nonzero - 1, axis=1)[:, :n_nonzero], axis=1)


def _haar_orthonormal(n_rows, n_cols, rng):
    """Random ``n_rows x n_cols`` matrix with orthonormal columns (Haar)."""
    q, r = np.linalg.qr(rng.standard_normal((n_rows, n_cols)))
    # Fixing the signs of diag(r) makes q uniformly distributed.
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    return q * signs


# Named choices of output weights, as functions of (n_hidden, rng).
_OUTPUT_WEIGHTS = {
    "ones": lambda n_hidden, rng: np.ones(n_hidden),
    "signs": lambda n_hidden, rng: rng.choice(np.array([-1.0, 1.0]), size=n_hidden),
}

_N_SAMPLES = [Interval(Integral, 1, None, closed="left")]
_POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]
_NOISE = [Interval(Real, 0, None, closed="left")]


@validate_params(
    {
        "n_samples": _N_SAMPLES,
        "n_features": _POSITIVE_INT,
        "n_hidden": _POSITIVE_INT,
        "n_nonzero": _POSITIVE_INT,
        "noise": _NOISE,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sparse_network(
    n_samples,
    n_features=80,
    n_hidden=20,
    n_nonzero=8,
    noise=0.0,
    random_state=None,
):
    """Planted ReLU network whose hidden weights are sparse, row by row.

    Oymak's sparse setting [1]_: each row of ``W*`` has ``n_nonzero`` nonzero
    entries at uniformly random positions, drawn iid from
    ``N(0, n_features / (n_hidden * n_nonzero))``, so that every hidden unit
    sees an input of variance ``n_features / n_hidden`` on average. The output
    weights are all one.

    Parameters
    ----------
    n_samples : int
        Number of samples, at least 1.
    n_features : int, default=80
        Input dimension ``p``.
    n_hidden : int, default=20
        Number of hidden units ``h``.
    n_nonzero : int, default=8
        Nonzero entries per row of ``W*`` (``s``); at most ``n_features``.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for every random draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard Gaussian inputs.
    y : ndarray of shape (n_samples,)
        Network outputs plus noise.
    truth : Bunch
        ``hidden_weights`` (ndarray of shape (n_hidden, n_features)),
        ``output_weights`` (ones of shape (n_hidden,)), ``activation``
        (``"relu"``), ``n_nonzero_total`` (``n_hidden * n_nonzero``) and
        ``l1_norm`` (``sum |W*_ij|``, the radius of the natural l1 ball).

    References
    ----------
    .. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
       ICML 2018, section 6.

    Examples
    --------
    >>> from sklearn_shallow.datasets import make_sparse_network
    >>> X, y, truth = make_sparse_network(100, random_state=0)
    >>> X.shape, y.shape, truth.hidden_weights.shape
    ((100, 80), (100,), (20, 80))
    >>> int((truth.hidden_weights != 0).sum())
    160
    """
    _check_fits("n_nonzero", n_nonzero, "n_features", n_features)
    rng = check_random_state(random_state)

    scale = np.sqrt(n_features / (n_hidden * n_nonzero))
    hidden_weights = np.zeros((n_hidden, n_features))
    columns = _random_supports(n_hidden, n_features, n_nonzero, rng)
    rows = np.arange(n_hidden)[:, None]
    hidden_weights[rows, columns] = scale * rng.standard_normal((n_hidden, n_nonzero))

    truth = Bunch(
        hidden_weights=hidden_weights,
        output_weights=np.ones(n_hidden),
        activation="relu",
        n_nonzero_total=n_hidden * n_nonzero,
        l1_norm=float(np.abs(hidden_weights).sum()),
    )
    X, y = _draw_samples(truth, n_samples, noise, rng)
    return X, y, truth


@validate_params(
    {
        "n_samples": _N_SAMPLES,
        "n_features": _POSITIVE_INT,
        "kernel_size": _POSITIVE_INT,
        "stride": _POSITIVE_INT,
        "n_kernels": _POSITIVE_INT,
        "noise": _NOISE,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_conv_network(
    n_samples,
    n_features=81,
    kernel_size=15,
    stride=6,
    n_kernels=4,
    noise=0.0,
    random_state=None,
):
    """Planted one-dimensional convolutional ReLU network.

    Oymak's convolutional setting [1]_. ``n_kernels`` kernels of length
    ``b = kernel_size`` slide over the input with step ``stride``, giving
    ``r = (p - b) // stride + 1`` shifts and ``h = n_kernels * r`` hidden
    units. Kernel entries are iid ``N(0, p / (h b))``; output weights are all
    one. The dense hidden weights ``FC(K*)`` put kernel ``i`` at shift ``l``
    in row ``l * n_kernels + i``.

    Parameters
    ----------
    n_samples : int
        Number of samples, at least 1.
    n_features : int, default=81
        Input dimension ``p``.
    kernel_size : int, default=15
        Kernel length ``b``; at most ``n_features``.
    stride : int, default=6
        Shift between consecutive patches.
    n_kernels : int, default=4
        Number of kernels ``k``.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for every random draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard Gaussian inputs.
    y : ndarray of shape (n_samples,)
        Network outputs plus noise.
    truth : Bunch
        ``kernels`` (ndarray of shape (n_kernels, kernel_size)),
        ``hidden_weights`` (``FC(K*)``, ndarray of shape (h, n_features)),
        ``output_weights`` (ones of shape (h,)), ``activation`` (``"relu"``),
        ``stride``, ``kernel_size``, ``n_kernels`` and ``n_shifts`` (``r``).

    References
    ----------
    .. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
       ICML 2018, section 6.

    Examples
    --------
    >>> from sklearn_shallow.datasets import make_conv_network
    >>> X, y, truth = make_conv_network(50, random_state=0)
    >>> truth.kernels.shape, truth.hidden_weights.shape
    ((4, 15), (48, 81))
    """
    _check_fits("kernel_size", kernel_size, "n_features", n_features)
    rng = check_random_state(random_state)

    n_shifts = (n_features - kernel_size) // stride + 1
    n_hidden = n_kernels * n_shifts
    scale = np.sqrt(n_features / (n_hidden * kernel_size))
    kernels = scale * rng.standard_normal((n_kernels, kernel_size))

    truth = Bunch(
        kernels=kernels,
        hidden_weights=Convolution(kernel_size, stride, n_kernels).to_dense(
            kernels, n_features
        ),
        output_weights=np.ones(n_hidden),
        activation="relu",
        stride=stride,
        kernel_size=kernel_size,
        n_kernels=n_kernels,
        n_shifts=n_shifts,
    )
    X, y = _draw_samples(truth, n_samples, noise, rng)
    return X, y, truth


@validate_params(
    {
        "n_samples": _N_SAMPLES,
        "n_features": _POSITIVE_INT,
        "n_nonzero": _POSITIVE_INT,
        "noise": _NOISE,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sparse_relu(
    n_samples,
    n_features=1000,
    n_nonzero=20,
    noise=0.0,
    random_state=None,
):
    """A single ReLU with a unit-norm sparse weight vector.

    Soltanolkotabi's setting [1]_: ``y = relu(X w*) + noise``, where ``w*`` has
    ``n_nonzero`` Gaussian entries at random positions and is then scaled to
    unit Euclidean norm. The paper takes ``n_samples = 8 s log(d / s)``.

    Parameters
    ----------
    n_samples : int
        Number of samples, at least 1.
    n_features : int, default=1000
        Input dimension ``d``.
    n_nonzero : int, default=20
        Nonzero entries of ``w*`` (``s``); at most ``n_features``.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for every random draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard Gaussian inputs.
    y : ndarray of shape (n_samples,)
        ReLU outputs plus noise.
    truth : Bunch
        ``hidden_weights`` (ndarray of shape (1, n_features), unit norm),
        ``output_weights`` (``ones(1)``), ``activation`` (``"relu"``) and
        ``support`` (sorted indices of the nonzero entries).

    References
    ----------
    .. [1] M. Soltanolkotabi, "Learning ReLUs via Gradient Descent",
       NeurIPS 2017, section 5.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.datasets import make_sparse_relu
    >>> X, y, truth = make_sparse_relu(300, random_state=0)
    >>> float(np.round(np.linalg.norm(truth.hidden_weights), 12))
    1.0
    """
    _check_fits("n_nonzero", n_nonzero, "n_features", n_features)
    rng = check_random_state(random_state)

    support = np.sort(_random_supports(1, n_features, n_nonzero, rng)[0])
    values = rng.standard_normal(n_nonzero)
    weights = np.zeros(n_features)
    weights[support] = values / np.linalg.norm(values)

    truth = Bunch(
        hidden_weights=weights[None, :],
        output_weights=np.ones(1),
        activation="relu",
        support=support,
    )
    X, y = _draw_samples(truth, n_samples, noise, rng)
    return X, y, truth


@validate_params(
    {
        "n_samples": _N_SAMPLES,
        "n_features": _POSITIVE_INT,
        "n_hidden": _POSITIVE_INT,
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "output_weights": [StrOptions(set(_OUTPUT_WEIGHTS)), "array-like"],
        "condition_number": [Interval(Real, 1, None, closed="left")],
        "noise": _NOISE,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_planted_network(
    n_samples,
    n_features=20,
    n_hidden=5,
    activation="relu",
    output_weights="ones",
    condition_number=1.0,
    noise=0.0,
    random_state=None,
):
    """Dense planted network with a prescribed condition number.

    Zhong et al.'s setting [1]_: ``W* = U diag(sigma) V^T`` with ``U`` a random
    orthogonal ``k x k`` matrix, ``V`` a random ``d x k`` matrix with
    orthonormal columns (both from QR factorisations of Gaussian matrices) and
    singular values ``sigma`` evenly spaced from 1 to ``condition_number``.
    The paper uses ``k = 5``, ``kappa = 2``, squared ReLU and output weights
    drawn uniformly from {-1, +1}.

    Parameters
    ----------
    n_samples : int
        Number of samples, at least 1.
    n_features : int, default=20
        Input dimension ``d``.
    n_hidden : int, default=5
        Number of hidden units ``k``; at most ``n_features``.
    activation : {"relu", "squared_relu", "linear"}, default="relu"
        Activation ``sigma`` of the hidden units.
    output_weights : {"ones", "signs"} or array-like of shape (n_hidden,), \
            default="ones"
        ``"ones"``: all one; ``"signs"``: iid uniform on {-1, +1}; an array is
        used as given.
    condition_number : float, default=1.0
        Ratio ``kappa`` of the largest to the smallest singular value of
        ``W*``, at least 1.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for every random draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard Gaussian inputs.
    y : ndarray of shape (n_samples,)
        Network outputs plus noise.
    truth : Bunch
        ``hidden_weights`` (ndarray of shape (n_hidden, n_features)),
        ``output_weights`` (ndarray of shape (n_hidden,)), ``activation``,
        ``singular_values`` (increasing, ndarray of shape (n_hidden,)) and
        ``condition_number``.

    References
    ----------
    .. [1] K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon,
       "Recovery Guarantees for One-hidden-layer Neural Networks", ICML 2017,
       section 6.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.datasets import make_planted_network
    >>> X, y, truth = make_planted_network(
    ...     1000, n_features=10, activation="squared_relu",
    ...     output_weights="signs", condition_number=2.0, random_state=0)
    >>> np.round(np.linalg.svd(truth.hidden_weights, compute_uv=False), 6)
    array([2.  , 1.75, 1.5 , 1.25, 1.  ])
    """
    _check_fits("n_hidden", n_hidden, "n_features", n_features)
    if isinstance(output_weights, str):
        output_values = None
    else:
        output_values = np.asarray(output_weights, dtype=float)
        if output_values.shape != (n_hidden,):
            raise ValueError(
                "output_weights given as an array must have shape "
                f"(n_hidden,) = ({n_hidden},); got shape {output_values.shape}."
            )
    rng = check_random_state(random_state)

    left = _haar_orthonormal(n_hidden, n_hidden, rng)
    right = _haar_orthonormal(n_features, n_hidden, rng)
    singular_values = np.linspace(1.0, condition_number, n_hidden)
    hidden_weights = (left * singular_values) @ right.T

    if output_values is None:
        output_values = _OUTPUT_WEIGHTS[output_weights](n_hidden, rng)

    truth = Bunch(
        hidden_weights=hidden_weights,
        output_weights=output_values,
        activation=activation,
        singular_values=singular_values,
        condition_number=float(condition_number),
    )
    X, y = _draw_samples(truth, n_samples, noise, rng)
    return X, y, truth


def _check_truth(truth):
    """Check that ``truth`` describes a network the generators can sample."""
    missing = [
        key
        for key in ("hidden_weights", "output_weights", "activation")
        if key not in truth
    ]
    if missing:
        raise ValueError(
            f"truth must hold hidden_weights, output_weights and activation; "
            f"missing {missing}."
        )
    if truth["activation"] not in _ACTIVATIONS:
        raise ValueError(
            f"truth.activation={truth['activation']!r} is not one of "
            f"{sorted(_ACTIVATIONS)}."
        )


@validate_params(
    {
        "truth": [dict],
        "n_samples": _N_SAMPLES,
        "noise": _NOISE,
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def sample_network(truth, n_samples, noise=0.0, random_state=None):
    """Fresh samples from the network described by ``truth``.

    Use it to draw a test set for a network returned by any generator of this
    module.

    Parameters
    ----------
    truth : Bunch
        Ground truth as returned by the generators; needs ``hidden_weights``,
        ``output_weights`` and ``activation``.
    n_samples : int
        Number of samples, at least 1.
    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for the inputs and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard Gaussian inputs.
    y : ndarray of shape (n_samples,)
        Network outputs plus noise.

    Examples
    --------
    >>> from sklearn_shallow.datasets import make_sparse_network, sample_network
    >>> X, y, truth = make_sparse_network(100, random_state=0)
    >>> X_test, y_test = sample_network(truth, 500, random_state=1)
    >>> X_test.shape
    (500, 80)
    """
    _check_truth(truth)
    truth = Bunch(**truth)
    rng = check_random_state(random_state)
    return _draw_samples(truth, n_samples, noise, rng)


@validate_params(
    {
        "truth": [dict],
        "kind": [StrOptions({"good", "random"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def oymak_init(truth, kind="good", random_state=None):
    """Initial weights from Oymak's experiments: near the truth, or random.

    For a dense network with ``h`` hidden units, ``Z`` has iid ``N(0, 1/h)``
    entries; ``"good"`` returns ``W* + Z`` and ``"random"`` returns ``Z``.

    For a convolutional truth (one with ``kernels``) the result lives in
    kernel space. Oymak perturbs the dense ``FC(K*)`` by iid
    ``N(0, p / (b k))`` entries and projects onto the convolutional set, which
    averages the ``r`` copies of each kernel entry; the average of ``r`` such
    entries is ``N(0, p / (b k r)) = N(0, p / (b h))``, which is what is drawn
    here directly.

    Parameters
    ----------
    truth : Bunch
        Ground truth from :func:`make_sparse_network`,
        :func:`make_planted_network`, :func:`make_sparse_relu` or
        :func:`make_conv_network`.
    kind : {"good", "random"}, default="good"
        ``"good"``: the truth plus noise; ``"random"``: the noise alone.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for the noise.

    Returns
    -------
    init : ndarray of shape (n_hidden, n_features) or (n_kernels, kernel_size)
        Initial hidden weights, or initial kernels for a convolutional truth.

    References
    ----------
    .. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
       ICML 2018, section 6.

    Examples
    --------
    >>> from sklearn_shallow.datasets import make_conv_network, oymak_init
    >>> X, y, truth = make_conv_network(10, random_state=0)
    >>> oymak_init(truth, kind="random", random_state=0).shape
    (4, 15)
    """
    _check_truth(truth)
    rng = check_random_state(random_state)
    n_hidden, n_features = np.shape(truth["hidden_weights"])
    if "kernels" in truth:
        center = np.asarray(truth["kernels"], dtype=float)
        kernel_size = center.shape[1]
        scale = np.sqrt(n_features / (kernel_size * n_hidden))
    else:
        center = np.asarray(truth["hidden_weights"], dtype=float)
        scale = np.sqrt(1.0 / n_hidden)
    perturbation = scale * rng.standard_normal(center.shape)
    if kind == "good":
        return center + perturbation
    return perturbation
