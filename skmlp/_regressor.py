"""MLPRegressor."""

from numbers import Real

from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d

from skmlp import _components as components
from skmlp._base import LOSS_OBJECT, BaseMultilayerPerceptron, store_parameters
from skmlp._compat import Interval, StrOptions, _fit_context
from skmlp._docstrings import _COMMON_ATTRIBUTES, _COMMON_PARAMETERS
from skmlp.losses import LOSSES, REGRESSION_LOSSES, Huber, Poisson


class MLPRegressor(RegressorMixin, BaseMultilayerPerceptron):
    __doc__ = (
        """Multi-layer perceptron regressor.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor` with
    more losses, any output activation, per-layer activations and callbacks.
    With ``output_activation='auto'`` the output is the identity, or the
    exponential for ``loss='poisson'``.

    Parameters
    ----------"""
        + _COMMON_PARAMETERS
        + """
    loss : str or Loss, default='squared_error'
        'squared_error' (half squared error), 'absolute_error', 'huber',
        'poisson' (half Poisson deviance, needs ``y >= 0``), 'log_cosh', or a
        :class:`skmlp.losses.Loss` instance. Each is summed over outputs.

    huber_delta : float, default=1.0
        Threshold of ``loss='huber'`` between its quadratic and linear parts.

    Attributes
    ----------"""
        + _COMMON_ATTRIBUTES
        + """
    See Also
    --------
    MLPClassifier : Multi-layer perceptron classifier.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skmlp import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=1)
    >>> reg = MLPRegressor(loss="huber", solver="lbfgs", random_state=1).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """
    )

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions(REGRESSION_LOSSES), LOSS_OBJECT],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        output_activation="auto",
        loss="squared_error",
        huber_delta=1.0,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
    ):
        store_parameters(self, locals())

    def _encode_targets(self, y, first_pass, incremental):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y.reshape(len(y), -1)

    def _resolve_loss_and_output(self, Y):
        if self.loss == "huber":
            loss = Huber(delta=self.huber_delta)
        else:
            loss = LOSSES.resolve(self.loss, "loss", REGRESSION_LOSSES)
        output = components.output_activation(
            self.output_activation, loss.canonical_activation or "identity"
        )
        _check_regression_targets(Y, loss, output)
        return loss, output

    def _score_output(self, output, y, sample_weight):
        return r2_score(y, output, sample_weight=sample_weight)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over ``X``, ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions.
        """
        output = self._forward(X)
        return output.ravel() if output.shape[1] == 1 else output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = isinstance(self.loss, Poisson) or (
            self.loss == "poisson"
        )
        return tags


def _check_regression_targets(Y, loss, output):
    """Refuse targets the loss or the output activation cannot handle."""
    if output.name == "softmax" and Y.shape[1] < 2:
        raise ValueError(
            "output_activation='softmax' needs at least 2 outputs (it normalises "
            "across them); with a single target use 'sigmoid' or 'identity'."
        )
    if loss.needs_positive_output and not output.strictly_positive:
        raise ValueError(
            f"loss={loss.name!r} needs strictly positive predictions, but "
            f"output_activation={output.name!r} can give values <= 0; use 'exp' "
            "(or 'auto'), 'softplus' or 'sigmoid'."
        )
    y_min, y_max = float(Y.min()), float(Y.max())
    low, high = loss.target_range
    if y_min < low or y_max > high:
        raise ValueError(
            f"loss={loss.name!r} needs targets in [{low}, {high}]; got min={y_min:.4g},"
            f" max={y_max:.4g}. Transform y or choose another loss."
        )
    low, high = output.output_range
    if y_min < low or y_max > high:
        raise ValueError(
            f"output_activation={output.name!r} needs targets in [{low}, {high}]; "
            f"got min={y_min:.4g}, max={y_max:.4g}. Scale y (e.g. with "
            "TransformedTargetRegressor and MinMaxScaler) or use "
            "output_activation='identity'."
        )
