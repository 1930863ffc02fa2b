"""Activation functions, each with its forward map and its backward pass side by side.

Every activation is a small stateless class with

- ``forward(z, out=None)``: the activation ``a = f(z)`` of the pre-activation
  ``z``, written into ``out`` when given;
- ``backward(z, a, grad_a)``: the vector-Jacobian product ``grad_z``, given both
  ``z`` and ``a = f(z)`` so that non-invertible (GELU) and non-elementwise
  (softmax) activations fit the same shape as ReLU. The caller hands over
  ``grad_a``: backward may write its result into it (ReLU does).

Activations whose backward pass reads only ``a`` say so with
``backward_uses_z = False``; the network then computes them in place,
``forward(z, out=z)``, and keeps one array per hidden layer instead of two.
Together with ReLU's in-place backward this keeps a full-batch (L-BFGS) step's
memory below scikit-learn's.

All of them stay finite and silent (no overflow warning) for ``|z|`` up to 1e4 and
keep the dtype of ``z``.
"""

import math
from functools import lru_cache

import numpy as np
from scipy.special import erf, expit

from skmlp._registry import Component, Registry

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "Activation",
    "Exponential",
    "ELU",
    "GELU",
    "Identity",
    "LeakyReLU",
    "Logistic",
    "ReLU",
    "SELU",
    "SiLU",
    "Softmax",
    "Softplus",
    "Tanh",
]


# Largest array (in elements) for which ``_zeros_like`` keeps a zero array.
_CACHED_ZEROS_MAX_SIZE = 1 << 16


@lru_cache(maxsize=16)
def _zeros(shape, dtype):
    zeros = np.zeros(shape, dtype=dtype)
    zeros.flags.writeable = False
    return zeros


def _zeros_like(z):
    """Zeros to compare ``z`` with: a cached array for a mini-batch, else a scalar.

    ``np.maximum(z, 0)`` takes NumPy's slow broadcast-scalar loop; against an array
    of zeros it is about 3x faster, which matters for the ReLU of every mini-batch.
    The array is cached per (shape, dtype): allocating it each time costs more than
    it saves once the page allocator is involved. Large inputs (prediction chunks)
    get the scalar, so the cache stays small.
    """
    if z.size > _CACHED_ZEROS_MAX_SIZE:
        return z.dtype.type(0)
    return _zeros(z.shape, z.dtype)


def _into(result, out):
    """``result``, copied into ``out`` when ``out`` is given."""
    if out is None:
        return result
    out[...] = result
    return out


class Activation(Component):
    """Base class of activation functions.

    Attributes
    ----------
    name : str
        The registered name.
    output_range : tuple of float
        Closed bounds ``(low, high)`` of the values the activation can reach; used
        to refuse regression targets the output layer can never predict.
    strictly_positive : bool
        True when every output is > 0 (needed by the Poisson loss).
    backward_uses_z : bool
        False when :meth:`backward` reads only ``a``, so that ``forward`` may
        overwrite ``z`` and ``backward`` may be given ``z=None``.
    init_factor : float
        Numerator of the Glorot-uniform bound ``sqrt(init_factor / (fan_in +
        fan_out))`` used by the default initialisation (scikit-learn's values).
    """

    output_range = (-np.inf, np.inf)
    strictly_positive = False
    init_factor = 6.0
    backward_uses_z = True

    def forward(self, z, out=None):
        """Return ``a = f(z)``, written into ``out`` when it is given.

        ``out`` has the shape and dtype of ``z`` and may be ``z`` itself.
        """
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        """Return ``grad_z = grad_a * f'(z)`` (a vector-Jacobian product).

        ``grad_a`` belongs to the caller, who never reads it again: the result
        may be written into it and returned.
        """
        raise NotImplementedError


ACTIVATIONS = Registry("activation", Activation)


@ACTIVATIONS.register("identity", "linear")
class Identity(Activation):
    """Identity, ``f(z) = z``.

    Examples
    --------
    >>> import numpy as np
    >>> Identity().forward(np.array([-1.0, 2.0]))
    array([-1.,  2.])
    """

    backward_uses_z = False

    def forward(self, z, out=None):
        return z if out is z else _into(z, out)

    def backward(self, z, a, grad_a):
        return grad_a


@ACTIVATIONS.register("logistic", "sigmoid")
class Logistic(Activation):
    """Logistic sigmoid, ``f(z) = 1 / (1 + exp(-z))``.

    Notes
    -----
    ``f'(z) = a (1 - a)``; computed with :func:`scipy.special.expit`, which does
    not overflow.

    Examples
    --------
    >>> import numpy as np
    >>> Logistic().forward(np.array([0.0]))
    array([0.5])
    """

    output_range = (0.0, 1.0)
    strictly_positive = True
    init_factor = 2.0

    backward_uses_z = False

    def forward(self, z, out=None):
        return expit(z, out=out)

    def backward(self, z, a, grad_a):
        return grad_a * a * (1 - a)


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    """Hyperbolic tangent, ``f(z) = tanh(z)``; ``f'(z) = 1 - a^2``.

    Examples
    --------
    >>> import numpy as np
    >>> Tanh().forward(np.array([0.0]))
    array([0.])
    """

    output_range = (-1.0, 1.0)

    backward_uses_z = False

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def backward(self, z, a, grad_a):
        return grad_a * (1 - a * a)


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    """Rectified linear unit, ``f(z) = max(z, 0)``; ``f'(z) = 1[z > 0]``.

    Examples
    --------
    >>> import numpy as np
    >>> ReLU().forward(np.array([-1.0, 2.0]))
    array([0., 2.])
    """

    output_range = (0.0, np.inf)

    backward_uses_z = False

    def forward(self, z, out=None):
        return np.maximum(z, _zeros_like(z), out=out)

    def backward(self, z, a, grad_a):
        grad_a *= a > 0
        return grad_a


@ACTIVATIONS.register("leaky_relu")
class LeakyReLU(Activation):
    """Leaky ReLU, ``f(z) = z`` for ``z > 0`` and ``negative_slope * z`` otherwise.

    Parameters
    ----------
    negative_slope : float, default=0.2
        Slope for negative inputs (Keras' default).

    Examples
    --------
    >>> import numpy as np
    >>> LeakyReLU(negative_slope=0.1).forward(np.array([-1.0, 2.0]))
    array([-0.1,  2. ])
    """

    def __init__(self, negative_slope=0.2):
        self.negative_slope = negative_slope

    def forward(self, z, out=None):
        return _into(np.where(z > 0, z, z * self.negative_slope), out)

    def backward(self, z, a, grad_a):
        return np.where(z > 0, grad_a, grad_a * self.negative_slope)


@ACTIVATIONS.register("elu")
class ELU(Activation):
    """Exponential linear unit, ``f(z) = z`` for ``z > 0``, ``alpha (e^z - 1)`` else.

    Parameters
    ----------
    alpha : float, default=1.0
        Value approached for large negative inputs is ``-alpha``.

    Notes
    -----
    ``f'(z) = 1`` for ``z > 0`` and ``a + alpha`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> ELU().forward(np.array([0.0, 1.0]))
    array([0., 1.])
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, z, out=None):
        a = np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0)))
        return _into(a, out)

    def backward(self, z, a, grad_a):
        return np.where(z > 0, grad_a, grad_a * (a + self.alpha))


@ACTIVATIONS.register("selu")
class SELU(Activation):
    """Scaled ELU with the self-normalising constants of Klambauer et al. (2017).

    Notes
    -----
    ``f(z) = scale * z`` for ``z > 0`` and ``scale * alpha * (e^z - 1)`` otherwise,
    with ``alpha ~ 1.6733`` and ``scale ~ 1.0507``.

    Examples
    --------
    >>> import numpy as np
    >>> SELU().forward(np.array([0.0]))
    array([0.])
    """

    alpha = 1.6732632423543772
    scale = 1.0507009873554805

    def forward(self, z, out=None):
        neg = (self.scale * self.alpha) * np.expm1(np.minimum(z, 0))
        return _into(np.where(z > 0, self.scale * z, neg), out)

    def backward(self, z, a, grad_a):
        neg_slope = a + self.scale * self.alpha
        return np.where(z > 0, grad_a * self.scale, grad_a * neg_slope)


@ACTIVATIONS.register("gelu")
class GELU(Activation):
    """Gaussian error linear unit, ``f(z) = z * Phi(z)`` (exact, erf form).

    Notes
    -----
    ``f'(z) = Phi(z) + z * phi(z)`` with ``Phi``/``phi`` the standard normal CDF and
    density. Not invertible, hence ``backward`` reads ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> GELU().forward(np.array([0.0]))
    array([0.])
    """

    # Python-float constants: a NumPy float64 scalar would promote float32 z.
    def forward(self, z, out=None):
        return _into(0.5 * z * (1 + erf(z / math.sqrt(2))), out)

    def backward(self, z, a, grad_a):
        cdf = 0.5 * (1 + erf(z / math.sqrt(2)))
        pdf = np.exp(-0.5 * np.minimum(z * z, 1e4)) / math.sqrt(2 * math.pi)
        return grad_a * (cdf + z * pdf)


@ACTIVATIONS.register("softplus")
class Softplus(Activation):
    """Softplus, ``f(z) = log(1 + e^z)``; ``f'(z) = sigmoid(z)``.

    Examples
    --------
    >>> import numpy as np
    >>> Softplus().forward(np.array([0.0]))
    array([0.69314718])
    """

    output_range = (0.0, np.inf)
    strictly_positive = True

    def forward(self, z, out=None):
        return _into(np.logaddexp(0, z).astype(z.dtype, copy=False), out)

    def backward(self, z, a, grad_a):
        return grad_a * expit(z)


@ACTIVATIONS.register("silu", "swish")
class SiLU(Activation):
    """Sigmoid linear unit (swish), ``f(z) = z * sigmoid(z)``.

    Notes
    -----
    ``f'(z) = s + a (1 - s)`` with ``s = sigmoid(z)``.

    Examples
    --------
    >>> import numpy as np
    >>> SiLU().forward(np.array([0.0]))
    array([0.])
    """

    def forward(self, z, out=None):
        return _into(z * expit(z), out)

    def backward(self, z, a, grad_a):
        s = expit(z)
        return grad_a * (s + a * (1 - s))


@ACTIVATIONS.register("exp", "exponential")
class Exponential(Activation):
    """Exponential, ``f(z) = e^z`` (the canonical link of the Poisson loss).

    Notes
    -----
    ``z`` is clipped at ``log(max float) / 2`` before exponentiating so that a huge
    pre-activation gives a large finite value, not ``inf`` and a warning.

    Examples
    --------
    >>> import numpy as np
    >>> Exponential().forward(np.array([0.0]))
    array([1.])
    """

    output_range = (0.0, np.inf)
    strictly_positive = True

    backward_uses_z = False

    def forward(self, z, out=None):
        limit = np.log(np.finfo(z.dtype).max) / 2
        return np.exp(np.minimum(z, limit, out=out), out=out)

    def backward(self, z, a, grad_a):
        return grad_a * a


@ACTIVATIONS.register("softmax")
class Softmax(Activation):
    """Softmax over the last axis, ``f(z)_k = e^{z_k} / sum_j e^{z_j}``.

    Notes
    -----
    Computed as ``exp(z - max(z))`` normalised, which cannot overflow. The
    Jacobian is full, so the backward pass is
    ``a * (grad_a - sum_k grad_a_k a_k)``.

    Examples
    --------
    >>> import numpy as np
    >>> Softmax().forward(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """

    output_range = (0.0, 1.0)
    strictly_positive = True

    backward_uses_z = False

    def forward(self, z, out=None):
        a = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(a, out=a)
        a /= a.sum(axis=1, keepdims=True)
        return a

    def backward(self, z, a, grad_a):
        return a * (grad_a - np.sum(grad_a * a, axis=1, keepdims=True))


HIDDEN_ACTIVATIONS = frozenset(
    {
        "identity",
        "logistic",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "selu",
        "gelu",
        "softplus",
        "silu",
        "swish",
        "linear",
    }
)
"""Names accepted for hidden layers (``activation``)."""

OUTPUT_ACTIVATIONS = frozenset(
    {
        "identity",
        "linear",
        "relu",
        "softplus",
        "exp",
        "exponential",
        "logistic",
        "sigmoid",
        "tanh",
        "softmax",
    }
)
"""Names accepted for the output layer (``output_activation``)."""
