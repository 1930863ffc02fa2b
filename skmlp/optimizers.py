"""Stochastic optimizers over one flat parameter vector.

An optimizer holds hyper-parameters only. Its state is an explicit value:
``init(params)`` returns it and ``step(params, grads, state, learning_rate)`` updates
the parameters in place and returns the new state. Keeping the state out of the
object lets ``warm_start`` and ``partial_fit`` carry Adam's moments across calls,
and keeps fitted estimators picklable.

The update rules follow scikit-learn's conventions (velocity form of momentum,
Adam's bias correction folded into the step size) so trajectories are comparable.

The updates are NumPy operations written into the state's arrays and one scratch
array; they call no BLAS routine. SciPy's wheels bring their own copy of
OpenBLAS besides NumPy's, with its own thread pool: a SciPy ``axpy`` over more
than 10,000 values wakes that pool between two of NumPy's threaded GEMMs, and the
two pools then fight over the cores (a W1 epoch took 3.5x longer on 2 cores).
"""

import math
from dataclasses import dataclass

import numpy as np

from skmlp._registry import Component, Registry

__all__ = ["OPTIMIZERS", "SGD", "Adam", "AdamState", "Optimizer", "SGDState"]


class Optimizer(Component):
    """Base class of optimizers."""

    @classmethod
    def from_estimator(cls, estimator):
        """This optimizer with the hyper-parameters an MLP estimator holds."""
        return cls()

    def init(self, params):
        """Return the initial state for a flat parameter vector ``params``."""
        raise NotImplementedError

    def step(self, params, grads, state, learning_rate):
        """Update ``params`` in place from ``grads``; return the new state.

        ``grads`` is spent by the step: an optimizer may use it as scratch space.
        """
        raise NotImplementedError


OPTIMIZERS = Registry("optimizer", Optimizer)


@dataclass
class SGDState:
    """State of :class:`SGD`: the velocity of every parameter."""

    velocity: np.ndarray


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """Stochastic gradient descent with (Nesterov) momentum.

    Parameters
    ----------
    momentum : float, default=0.9
        Fraction of the previous velocity kept at each step.
    nesterov : bool, default=True
        Use Nesterov's look-ahead form.

    Notes
    -----
    With learning rate ``lr`` and gradient ``g``::

        v <- momentum * v - lr * g
        w <- w + v                                   # nesterov=False
        w <- w + momentum * v - lr * g               # nesterov=True

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0]); opt = SGD(momentum=0.0)
    >>> state = opt.step(w, np.array([2.0]), opt.init(w), learning_rate=0.1)
    >>> w
    array([0.8])
    """

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov

    @classmethod
    def from_estimator(cls, estimator):
        return cls(estimator.momentum, estimator.nesterovs_momentum)

    def init(self, params):
        return SGDState(velocity=np.zeros_like(params))

    def step(self, params, grads, state, learning_rate):
        v = state.velocity
        scaled_grads = np.multiply(grads, -learning_rate, out=grads)
        if self.momentum == 0:
            params += scaled_grads
            return state
        v *= self.momentum
        v += scaled_grads
        if self.nesterov:
            scaled_grads += self.momentum * v
            params += scaled_grads
        else:
            params += v
        return state


@dataclass
class AdamState:
    """State of :class:`Adam`: step count and first/second moment estimates."""

    t: int
    m: np.ndarray
    v: np.ndarray


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014).

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay rate of the first-moment estimate.
    beta_2 : float, default=0.999
        Decay rate of the second-moment estimate.
    epsilon : float, default=1e-8
        Added to the root of the second moment for stability.

    Notes
    -----
    With learning rate ``lr`` and gradient ``g``::

        t <- t + 1
        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g**2
        w <- w - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0]); opt = Adam()
    >>> state = opt.step(w, np.array([2.0]), opt.init(w), learning_rate=0.1)
    >>> w.round(6)
    array([0.9])
    """

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    @classmethod
    def from_estimator(cls, estimator):
        return cls(estimator.beta_1, estimator.beta_2, estimator.epsilon)

    def init(self, params):
        return AdamState(t=0, m=np.zeros_like(params), v=np.zeros_like(params))

    def step(self, params, grads, state, learning_rate):
        state.t += 1
        b1, b2 = self.beta_1, self.beta_2
        m, v = state.m, state.v
        # scikit-learn's operations in scikit-learn's order, each in place. One
        # scratch vector, and grads once spent: a second large temporary per
        # step can make the C allocator hand the pages back to the system and
        # fault them in again at the next step (3x slower in float64).
        scratch = np.multiply(grads, 1 - b1)
        m *= b1
        m += scratch
        np.multiply(grads, grads, out=scratch)
        scratch *= 1 - b2
        v *= b2
        v += scratch
        step_size = learning_rate * math.sqrt(1 - b2**state.t) / (1 - b1**state.t)
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        update = np.multiply(m, -step_size, out=grads)
        update /= scratch
        params += update
        return state
