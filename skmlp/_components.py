"""Turning the estimators' parameters into component objects for one fit."""

from numbers import Integral

from skmlp.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skmlp.optimizers import OPTIMIZERS


def hidden_layer_sizes(sizes):
    """``hidden_layer_sizes`` (an int or a sequence) as a list of positive ints."""
    sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
    if any(not isinstance(s, Integral) or s <= 0 for s in sizes):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return [int(s) for s in sizes]


def hidden_activations(activation, n_hidden):
    """One fresh Activation per hidden layer (at least one, which also scales the
    initial weights when there is no hidden layer)."""
    specs = activation
    if isinstance(specs, (list, tuple)):
        if len(specs) != n_hidden:
            raise ValueError(
                f"activation has {len(specs)} entries but there are {n_hidden} "
                "hidden layers; give one activation per hidden layer or a "
                "single name for all of them."
            )
    else:
        specs = [specs] * max(n_hidden, 1)
    return [ACTIVATIONS.resolve(s, "activation", HIDDEN_ACTIVATIONS) for s in specs]


def output_activation(spec, auto_name):
    """The output Activation; ``auto_name`` is what ``"auto"`` stands for."""
    spec = auto_name if spec == "auto" else spec
    return ACTIVATIONS.resolve(spec, "output_activation", OUTPUT_ACTIVATIONS)


def optimizer(estimator):
    """The Optimizer named by ``estimator.solver``, with its hyper-parameters."""
    return OPTIMIZERS.resolve(estimator.solver, "solver").from_estimator(estimator)
