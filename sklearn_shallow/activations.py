"""Activation functions: value, derivative, homogeneity and Gaussian moments.

Every activation is a small :class:`Activation` object. Estimators accept a
name from :data:`ACTIVATIONS`, an :class:`Activation` instance, or a pair of
callables ``(value, derivative)`` for a custom activation.

``value`` and ``derivative`` accept an ``out`` array so that the descent loop
can reuse preallocated buffers; ``out`` may be the input itself.

The built-in activations also take arrays of other array-API namespaces
(torch, CuPy, ...; see :mod:`sklearn_shallow._array_api`) and return them in
that namespace, dtype and device; numpy arrays take the numpy code, whose
results are unchanged. ``out`` is then filled by assignment.

:func:`get_activation` tries every activation on a small grid of
pre-activations (:data:`PROBE`) and refuses one whose value or derivative
has the wrong shape or is not finite there, with a message that names it;
:func:`check_activation_output` does the same for the pre-activations of a
fit.
"""

import functools

import numpy as np
from scipy import integrate, special

from ._array_api import erf, expit, namespace_of, softplus, to_numpy, write
from ._component import Component, resolve

_SQRT_PI_2 = np.sqrt(np.pi) / 2.0


#: Pre-activations every activation is tried on when it is resolved: a
#: ``(n_samples, n_hidden)`` block, as in a fit, from -2.5 to 3 in steps of
#: 1/2 (0, the kink of the ReLUs, included). Twelve values keep it cheap.
PROBE = np.arange(-5.0, 7.0).reshape(4, 3) / 2.0


def _out(z, out):
    return np.empty_like(z) if out is None else out


#: Blocks at least this large take ``max(z, 0)`` against an array of zeros.
_ZEROS_MIN_SIZE = 4096


@functools.lru_cache(maxsize=4)
def _zeros(shape, dtype):
    """A read-only array of zeros, kept for the next call with its shape.

    numpy takes ``np.maximum(z, zeros)`` through its vectorised two-array
    loop and ``np.maximum(z, 0)`` through a slower one, with the same result
    bit for bit (NaN and signed zeros included): 29 against 76 us on a
    ``(10000, 20)`` float32 block, 178 against 368 us on ``(10000, 100)``
    (numpy 2.4, AVX-512). A large ``np.zeros`` is mapped lazily by the
    allocator, so an array that is only read costs little memory, at most
    that of one pre-activation buffer.
    """
    zeros = np.zeros(shape, dtype)
    zeros.flags.writeable = False
    return zeros


def _callable_name(f):
    return getattr(f, "__name__", None) or repr(f)


def describe_activation(activation):
    """How error messages name an activation: its repr, or its callables."""
    if isinstance(activation, CustomActivation):
        return (
            f"the custom activation ({_callable_name(activation.function)}, "
            f"{_callable_name(activation.derivative_function)})"
        )
    return f"the activation {activation!r}"


def check_activation_output(activation, Z, A, part="value"):
    """Refuse an activation whose output ``A`` at finite ``Z`` is not finite.

    Parameters
    ----------
    activation : Activation
        Named in the message.
    Z : ndarray
        Pre-activations.
    A : ndarray
        ``activation.value(Z)`` (or its derivative, with ``part``), of
        ``Z``'s shape.
    part : {'value', 'derivative'}, default='value'
        Which of the two ``A`` is, for the message.

    Raises
    ------
    ValueError
        When ``A`` has another shape than ``Z``, or is NaN or infinite
        where ``Z`` is finite; the message names the activation and the
        first such pre-activation.
    """
    Z, A = to_numpy(Z), to_numpy(A)
    name = describe_activation(activation)
    if A.shape != Z.shape:
        raise ValueError(
            f"The {part} of {name} has shape {A.shape} for pre-activations of "
            f"shape {Z.shape}; an activation acts elementwise and returns one "
            "value per pre-activation."
        )
    bad = ~np.isfinite(A) & np.isfinite(Z)
    if bad.any():
        z = Z[bad].flat[0]
        raise ValueError(
            f"The {part} of {name} is {A[bad].flat[0]} at the pre-activation "
            f"{z:.6g} ({np.count_nonzero(bad)} of {Z.size} values are NaN or "
            "infinite); an activation must be finite wherever its input is."
        )


def check_activation(activation):
    """Try ``activation`` on :data:`PROBE`; refuse a wrong shape or NaN/inf.

    Called by :func:`get_activation`. A function that reduces its input (a
    sum, a mean) and returns a number, which would otherwise be broadcast to
    a constant, is caught here.

    Raises
    ------
    ValueError
        Naming the activation and what was wrong.
    """
    for part in ("value", "derivative"):
        z = PROBE.copy()
        check_activation_output(activation, PROBE, getattr(activation, part)(z), part)


class Activation(Component):
    """Base class of activation functions.

    Subclasses implement ``value`` and ``derivative``. ``degree`` is the degree
    ``p`` of positive homogeneity (``sigma(c z) = c^p sigma(z)`` for ``c > 0``)
    or None when the activation is not homogeneous.
    """

    degree = None

    def value(self, z, out=None):
        """Elementwise ``sigma(z)``; written into ``out`` when given."""
        raise NotImplementedError

    def derivative(self, z, out=None):
        """Elementwise ``sigma'(z)``; written into ``out`` when given."""
        raise NotImplementedError

    def gaussian_moment(self, j, scale=1.0):
        """``gamma_j(s) = E[sigma(s z) z^j]`` for ``z ~ N(0, 1)``.

        Computed by numerical quadrature against the Gaussian density, split
        at 0 so that kinks there cost no accuracy.

        Parameters
        ----------
        j : int
            Power of ``z``, ``j >= 0``.
        scale : float, default=1.0
            The scale ``s``.

        Returns
        -------
        gamma : float

        References
        ----------
        Zhong, Song, Jain, Bartlett, Dhillon (2017), "Recovery guarantees for
        one-hidden-layer neural networks", Definition 5.1.
        """

        def integrand(t):
            return (
                float(self.value(np.array([scale * t]))[0])
                * t**j
                * np.exp(-0.5 * t * t)
                / np.sqrt(2 * np.pi)
            )

        left = integrate.quad(integrand, -np.inf, 0.0, limit=200)[0]
        right = integrate.quad(integrand, 0.0, np.inf, limit=200)[0]
        return left + right


class ReLU(Activation):
    """Rectified linear unit ``max(z, 0)``.

    Notes
    -----
    The derivative at the kink is ``1/2``, i.e. ``(1 + sign(z)) / 2``, the
    convention of Soltanolkotabi (2017). It matters when fitting from
    ``W = 0``: the first step is then an average of ``y_i x_i``.
    """

    degree = 1

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.maximum(z, 0.0))
        out = _out(z, out)
        if (
            isinstance(z, np.ndarray)
            and z.size >= _ZEROS_MIN_SIZE
            and z.dtype.kind == "f"
        ):
            return np.maximum(z, _zeros(z.shape, z.dtype), out=out)
        return np.maximum(z, 0, out=out)

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, (xp.sign(z) + 1.0) * 0.5)
        out = np.sign(z, out=_out(z, out))
        out += 1
        out *= 0.5
        return out


class LeakyReLU(Activation):
    """Leaky ReLU ``max(z, slope * z)`` with ``0 <= slope < 1``.

    The derivative at 0 is the mean of the two one-sided slopes.
    """

    degree = 1

    def __init__(self, slope=0.01):
        self.slope = slope

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.maximum(z, self.slope * z))
        return np.maximum(z, self.slope * z, out=_out(z, out))

    def derivative(self, z, out=None):
        half = 0.5 * (1.0 - self.slope)
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.sign(z) * half + (half + self.slope))
        out = np.sign(z, out=_out(z, out))
        out *= half
        out += half + self.slope
        return out


class SquaredReLU(Activation):
    """Squared ReLU ``max(z, 0)^2`` (Zhong et al. 2017), degree 2."""

    degree = 2

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            positive = xp.maximum(z, 0.0)
            return write(out, positive * positive)
        out = np.maximum(z, 0, out=_out(z, out))
        return np.square(out, out=out)

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.maximum(z, 0.0) * 2.0)
        out = np.maximum(z, 0, out=_out(z, out))
        out *= 2
        return out


class Softplus(Activation):
    """Softplus ``log(1 + exp(z))``, a smooth ReLU (Oymak 2018)."""

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, softplus(z, xp))
        return np.logaddexp(0, z, out=_out(z, out))

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, expit(z, xp))
        return special.expit(z, out=_out(z, out))


class Sigmoid(Activation):
    """Logistic sigmoid ``1 / (1 + exp(-z))``."""

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, expit(z, xp))
        return special.expit(z, out=_out(z, out))

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            s = expit(z, xp)
            return write(out, s - s * s)
        out = special.expit(z, out=_out(z, out))
        out -= np.square(out)
        return out


class Tanh(Activation):
    """Hyperbolic tangent."""

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.tanh(z))
        return np.tanh(z, out=_out(z, out))

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            t = xp.tanh(z)
            return write(out, 1.0 - t * t)
        out = np.tanh(z, out=_out(z, out))
        np.square(out, out=out)
        np.subtract(1, out, out=out)
        return out


class Erf(Activation):
    """``int_0^z exp(-t^2) dt = sqrt(pi)/2 erf(z)`` (Zhong et al. 2017).

    Its derivative is ``exp(-z^2)``.
    """

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, erf(z, xp) * float(_SQRT_PI_2))
        out = special.erf(z, out=_out(z, out))
        out *= _SQRT_PI_2
        return out

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.exp(-(z * z)))
        out = np.square(z, out=_out(z, out))
        np.negative(out, out=out)
        return np.exp(out, out=out)


class Quadratic(Activation):
    """Quadratic activation ``z^2`` (Du & Lee 2018), degree 2."""

    degree = 2

    def value(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, z * z)
        return np.square(z, out=_out(z, out))

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, z * 2.0)
        return np.multiply(z, 2, out=_out(z, out))


class Linear(Activation):
    """Identity ``z``: the network is then linear in ``x``."""

    degree = 1

    def value(self, z, out=None):
        xp = namespace_of(z)
        if out is None:
            return np.array(z, copy=True) if xp is None else xp.asarray(z, copy=True)
        if out is not z:
            out[...] = z
        return out

    def derivative(self, z, out=None):
        xp = namespace_of(z)
        if xp is not None:
            return write(out, xp.ones_like(z))
        out = _out(z, out)
        out.fill(1)
        return out


class CustomActivation(Activation):
    """An activation given by two callables.

    Parameters
    ----------
    function : callable
        ``function(z) -> ndarray``, elementwise.
    derivative_function : callable
        ``derivative_function(z) -> ndarray``, elementwise derivative.
    degree : int or None, default=None
        Degree of positive homogeneity, if any.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.activations import CustomActivation
    >>> cube = CustomActivation(lambda z: z**3, lambda z: 3 * z**2, degree=3)
    >>> cube.value(np.array([2.0]))
    array([8.])
    """

    def __init__(self, function, derivative_function, degree=None):
        self.function = function
        self.derivative_function = derivative_function
        self.degree = degree

    def value(self, z, out=None):
        return self._fill(self.function, z, out, "value")

    def derivative(self, z, out=None):
        return self._fill(self.derivative_function, z, out, "derivative")

    def _fill(self, function, z, out, part):
        result = function(z)
        # Writing into ``out`` would broadcast a number (a sum, a mean, a
        # constant) to every entry without a word; one shape check per call
        # catches it at fit time as well as in the probe.
        xp = namespace_of(z)
        if xp is not None:
            if tuple(getattr(result, "shape", ())) != tuple(z.shape):
                check_activation_output(self, z, result, part)
            if out is None:
                return xp.asarray(result, copy=True)
            out[...] = result
            return out
        if np.shape(result) != np.shape(z):
            check_activation_output(self, z, np.asarray(result), part)
        out = _out(z, out)
        out[...] = result
        return out


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "squared_relu": SquaredReLU,
    "softplus": Softplus,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "erf": Erf,
    "quadratic": Quadratic,
    "linear": Linear,
}


def get_activation(spec):
    """Resolve ``spec`` (a name, an Activation, or a pair of callables).

    Parameters
    ----------
    spec : str, Activation or tuple of two callables
        A name in :data:`ACTIVATIONS`, an :class:`Activation` object, or
        ``(value, derivative)``.

    Returns
    -------
    activation : Activation

    Raises
    ------
    ValueError
        For an unknown name, or an activation whose value or derivative has
        the wrong shape or is NaN or infinite on :data:`PROBE`
        (:func:`check_activation`).
    """
    if isinstance(spec, tuple) and len(spec) == 2 and all(callable(f) for f in spec):
        activation = CustomActivation(*spec)
    else:
        activation = resolve(spec, ACTIVATIONS, "activation", Activation)
    check_activation(activation)
    return activation
