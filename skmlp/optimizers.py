"""Stochastic optimizers over one flat parameter vector.

An optimizer holds hyper-parameters only. Its state is an explicit value:
``init(params)`` returns it and ``step(params, grads, state, learning_rate)`` updates
the parameters in place and returns the new state. Keeping the state out of the
object lets ``warm_start`` and ``partial_fit`` carry Adam's moments across calls,
and keeps fitted estimators picklable.

The update rules follow scikit-learn's conventions (velocity form of momentum,
Adam's bias correction folded into the step size) so trajectories are comparable.
"""

import math
from dataclasses import dataclass

import numpy as np

from skmlp._inplace import axpy
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
        """Update ``params`` in place from ``grads``; return the new state."""
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
        if self.momentum == 0:
            axpy(-learning_rate, grads, params)
            return state
        v *= self.momentum
        axpy(-learning_rate, grads, v)
        if self.nesterov:
            axpy(self.momentum, v, params)
            axpy(-learning_rate, grads, params)
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
        scratch = np.multiply(grads, grads)
        m *= b1
        axpy(1 - b1, grads, m)
        v *= b2
        axpy(1 - b2, scratch, v)
        step_size = learning_rate * math.sqrt(1 - b2**state.t) / (1 - b1**state.t)
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        np.divide(m, scratch, out=scratch)
        axpy(-step_size, scratch, params)
        return state
