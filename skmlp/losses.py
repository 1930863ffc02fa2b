"""Loss functions: per-element value and gradient with respect to the output.

A loss is a small class with

- ``value(y, a)``: the elementwise loss between targets ``y`` and outputs ``a``,
  both of shape ``(n_samples, n_outputs)``;
- ``gradient(y, a)``: its elementwise derivative ``dL/da``;
- ``canonical_activation``: the output activation (its natural link) for which the
  gradient with respect to the pre-activation ``z`` collapses to ``a - y``. Only
  then does the network take that fused shortcut, and only then is
  ``value_from_logits(y, z, a)`` used, which evaluates the loss from ``z`` without
  taking the log of a saturated probability. Training goes through
  ``forward_from_logits``, which returns the activation and the mean loss
  together, so that a loss may share work with its link (softmax and
  categorical cross-entropy share one log-sum-exp).

Summing over outputs, weighting samples and averaging happen once, in
:func:`weighted_mean`, never inside ``value``.
"""

import math

import numpy as np
from scipy.special import xlogy

from skmlp._registry import Component, Registry

__all__ = [
    "LOSSES",
    "CLASSIFICATION_LOSSES",
    "REGRESSION_LOSSES",
    "AbsoluteError",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "Huber",
    "LogCosh",
    "Loss",
    "Poisson",
    "SquaredError",
    "weighted_mean",
]


class Loss(Component):
    """Base class of losses.

    Attributes
    ----------
    name : str
        The registered name.
    canonical_activation : str or None
        Name of the output activation with which ``dL/dz = a - y``.
    target_range : tuple of float
        Closed bounds the targets must lie in.
    needs_positive_output : bool
        True when the loss is undefined for outputs <= 0 (Poisson).
    """

    canonical_activation = None
    target_range = (-np.inf, np.inf)
    needs_positive_output = False

    def value(self, y, a):
        """Elementwise loss between targets ``y`` and outputs ``a``."""
        raise NotImplementedError

    def gradient(self, y, a):
        """Elementwise derivative of :meth:`value` with respect to ``a``.

        Returns a new array: the output activation's backward pass may overwrite
        it.
        """
        raise NotImplementedError

    def value_from_logits(self, y, z, a):
        """Elementwise loss from the pre-activation ``z`` of the canonical link.

        Only called when the output activation is ``canonical_activation``;
        ``a`` is that activation of ``z``.
        """
        return self.value(y, a)

    def forward_from_logits(self, y, z, activation, sample_weight=None):
        """The canonical activation of ``z`` and the weighted mean loss.

        Only called when ``activation`` is ``canonical_activation``. ``z`` may be
        overwritten (the activation may be computed in its memory).

        Parameters
        ----------
        y, z : ndarray of shape (n_samples, n_outputs)
        activation : Activation
            The output activation, an instance of ``canonical_activation``.
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        a : ndarray of shape (n_samples, n_outputs)
        loss : float
            As :func:`weighted_mean` of :meth:`value_from_logits`.
        """
        a = activation.forward(z)
        return a, weighted_mean(self.value_from_logits(y, z, a), sample_weight)


LOSSES = Registry("loss", Loss)


def weighted_mean(elementwise, sample_weight=None):
    """Sum an elementwise loss over outputs and average it over samples.

    Parameters
    ----------
    elementwise : ndarray of shape (n_samples, n_outputs)
        Output of :meth:`Loss.value`.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the samples; the mean is ``sum(w_i l_i) / sum(w_i)``.

    Returns
    -------
    loss : float

    Examples
    --------
    >>> import numpy as np
    >>> weighted_mean(np.array([[1.0, 1.0], [3.0, 3.0]]), np.array([1.0, 3.0]))
    5.0
    """
    if sample_weight is None:
        # np.add.reduce skips ndarray.sum's Python-level wrapper (~2 us a step).
        return float(np.add.reduce(elementwise, axis=None)) / elementwise.shape[0]
    per_sample = elementwise.sum(axis=1)
    return float(per_sample @ sample_weight) / float(sample_weight.sum())


@LOSSES.register("squared_error")
class SquaredError(Loss):
    """Half squared error, ``L = (a - y)^2 / 2``; ``dL/da = a - y``.

    Canonical with the identity output. Summed over outputs (scikit-learn averages
    over outputs in the reported value but not in the gradient; we keep both
    consistent).

    Examples
    --------
    >>> import numpy as np
    >>> SquaredError().value(np.array([[1.0]]), np.array([[3.0]]))
    array([[2.]])
    """

    canonical_activation = "identity"

    def value(self, y, a):
        r = a - y
        return 0.5 * r * r

    def gradient(self, y, a):
        return a - y


@LOSSES.register("absolute_error")
class AbsoluteError(Loss):
    """Absolute error, ``L = |a - y|``; ``dL/da = sign(a - y)``.

    Examples
    --------
    >>> import numpy as np
    >>> AbsoluteError().value(np.array([[1.0]]), np.array([[3.0]]))
    array([[2.]])
    """

    def value(self, y, a):
        return np.abs(a - y)

    def gradient(self, y, a):
        return np.sign(a - y)


@LOSSES.register("huber")
class Huber(Loss):
    """Huber loss: quadratic within ``delta`` of the target, linear beyond.

    Parameters
    ----------
    delta : float, default=1.0
        The threshold where the loss turns from quadratic to linear.

    Notes
    -----
    With ``r = a - y``: ``L = r^2 / 2`` if ``|r| <= delta`` else
    ``delta (|r| - delta / 2)``; ``dL/da = clip(r, -delta, delta)``.

    Examples
    --------
    >>> import numpy as np
    >>> Huber(delta=1.0).value(np.array([[0.0, 0.0]]), np.array([[0.5, 3.0]]))
    array([[0.125, 2.5  ]])
    """

    def __init__(self, delta=1.0):
        self.delta = delta

    def value(self, y, a):
        r = np.abs(a - y)
        return np.where(
            r <= self.delta, 0.5 * r * r, self.delta * (r - 0.5 * self.delta)
        )

    def gradient(self, y, a):
        return np.clip(a - y, -self.delta, self.delta)


@LOSSES.register("log_cosh")
class LogCosh(Loss):
    """Log-cosh loss, ``L = log(cosh(a - y))``; ``dL/da = tanh(a - y)``.

    Notes
    -----
    Evaluated as ``|r| + log1p(exp(-2|r|)) - log 2`` so it never overflows.

    Examples
    --------
    >>> import numpy as np
    >>> LogCosh().value(np.array([[0.0]]), np.array([[0.0]]))
    array([[0.]])
    """

    def value(self, y, a):
        r = np.abs(a - y)
        return r + np.log1p(np.exp(-2 * r)) - math.log(2)

    def gradient(self, y, a):
        return np.tanh(a - y)


def _positive(a):
    # sqrt(tiny) (~1e-154 in float64), not tiny: y / a then stays finite for any
    # sensible count y when an output underflowed to 0, so the backward pass of
    # the link gets a large finite gradient instead of inf (and 0 * inf = nan).
    return np.maximum(a, np.sqrt(np.finfo(a.dtype).tiny))


@LOSSES.register("poisson")
class Poisson(Loss):
    """Half Poisson deviance, ``L = y log(y / a) - y + a``; ``dL/da = 1 - y / a``.

    Canonical with the exponential output, where ``dL/dz = a - y`` and the value is
    computed as ``y log y - y z - y + a``. Needs ``y >= 0`` and positive outputs.

    Examples
    --------
    >>> import numpy as np
    >>> Poisson().value(np.array([[1.0]]), np.array([[1.0]]))
    array([[0.]])
    """

    canonical_activation = "exp"
    target_range = (0.0, np.inf)
    needs_positive_output = True

    def value(self, y, a):
        a = _positive(a)
        return xlogy(y, y) - xlogy(y, a) - y + a

    def gradient(self, y, a):
        return 1 - y / _positive(a)

    def value_from_logits(self, y, z, a):
        return xlogy(y, y) - y * z - y + a


def _clip_probability(a):
    eps = np.finfo(a.dtype).eps
    return np.clip(a, eps, 1 - eps)


@LOSSES.register("binary_crossentropy", "binary_log_loss")
class BinaryCrossEntropy(Loss):
    """Binary cross-entropy (log loss) per output, for sigmoid outputs.

    Notes
    -----
    ``L = -(y log a + (1 - y) log(1 - a))``; from the logit ``z`` of a sigmoid it
    is ``softplus(z) - y z``, exact even where ``a`` rounds to 0 or 1.
    ``dL/da = (a - y) / (a (1 - a))`` with ``a`` clipped to ``[eps, 1 - eps]``.

    Examples
    --------
    >>> import numpy as np
    >>> BinaryCrossEntropy().value_from_logits(
    ...     np.array([[1.0]]), np.array([[0.0]]), np.array([[0.5]]))
    array([[0.69314718]])
    """

    canonical_activation = "logistic"
    target_range = (0.0, 1.0)

    def value(self, y, a):
        a = _clip_probability(a)
        return -(xlogy(y, a) + xlogy(1 - y, 1 - a))

    def gradient(self, y, a):
        a = _clip_probability(a)
        return (a - y) / (a * (1 - a))

    def value_from_logits(self, y, z, a):
        return np.logaddexp(0, z) - y * z


@LOSSES.register("categorical_crossentropy")
class CategoricalCrossEntropy(Loss):
    """Categorical cross-entropy, ``L_k = -y_k log a_k``, for softmax outputs.

    Notes
    -----
    From the softmax logits it is ``y_k (logsumexp(z) - z_k)``, where
    ``logsumexp(z) = max(z) - log(max(a))`` reuses the softmax output (its largest
    entry is at least ``1 / n_classes``, so the log is exact and cheap).
    ``dL/da_k = -y_k / a_k`` with ``a`` clipped below at ``eps``.

    Examples
    --------
    >>> import numpy as np
    >>> y, a = np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])
    >>> CategoricalCrossEntropy().value(y, a).sum(axis=1)
    array([0.69314718])
    """

    canonical_activation = "softmax"
    target_range = (0.0, 1.0)

    def value(self, y, a):
        return -xlogy(y, _clip_probability(a))

    def gradient(self, y, a):
        return -y / _clip_probability(a)

    def value_from_logits(self, y, z, a):
        lse = z.max(axis=1, keepdims=True) - np.log(a.max(axis=1, keepdims=True))
        return y * (lse - z)

    def forward_from_logits(self, y, z, activation, sample_weight=None):
        # Softmax and loss share one log-sum-exp. With s = z - max(z) and
        # T = sum(exp(s)) >= 1, a = exp(s) / T and the loss of a sample is
        # sum_k y_k (log T - s_k): nothing overflows, nothing takes log(0). The
        # probabilities are written over z. Fewer NumPy calls than softmax then
        # value_from_logits: 7% of a digits epoch.
        shifted = np.subtract(z, z.max(axis=1, keepdims=True), out=z)
        if sample_weight is None:
            cross = float(np.vdot(y, shifted))
        else:
            cross_per_sample = np.einsum("ij,ij->i", y, shifted)
        a = np.exp(shifted, out=shifted)
        total = np.add.reduce(a, axis=1, keepdims=True)
        a /= total
        log_total = np.log(total[:, 0])
        y_sum = np.add.reduce(y, axis=1)
        if sample_weight is None:
            return a, (float(np.dot(y_sum, log_total)) - cross) / a.shape[0]
        per_sample = y_sum * log_total - cross_per_sample
        return a, float(per_sample @ sample_weight) / float(sample_weight.sum())


REGRESSION_LOSSES = frozenset(
    {"squared_error", "absolute_error", "huber", "poisson", "log_cosh"}
)
"""Names accepted by ``MLPRegressor(loss=...)``."""

CLASSIFICATION_LOSSES = frozenset({"log_loss", "squared_error"})
"""Names accepted by ``MLPClassifier(loss=...)``; ``log_loss`` is binary or
categorical cross-entropy depending on the output activation."""
