"""MLPClassifier and MLPRegressor."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from skmlp._base import BaseMultilayerPerceptron
from skmlp._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_partial_fit_first_call,
    _fit_context,
)
from skmlp.losses import (
    CLASSIFICATION_LOSSES,
    LOSSES,
    REGRESSION_LOSSES,
    Huber,
    Poisson,
)

_LOSS_OBJECT = HasMethods(["value", "gradient"])

_COMMON_PARAMETERS = """
    hidden_layer_sizes : int or array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units of the ith hidden layer; ``()``
        gives a network without hidden layer.

    activation : str, Activation or list of them, default='relu'
        Hidden-layer activation: one of 'identity', 'logistic' (alias
        'sigmoid'), 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu',
        'softplus', 'silu', an :class:`skmlp.activations.Activation` instance, or
        a list with one of those per hidden layer.

    output_activation : str or Activation, default='auto'
        Output-layer activation. 'auto' uses the loss's natural link (see the
        class description); otherwise one of 'identity', 'relu', 'softplus',
        'exp', 'logistic'/'sigmoid', 'tanh', 'softmax' or an instance.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The optimizer: L-BFGS (full batch, through SciPy), stochastic gradient
        descent with momentum, or Adam.

    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights; the penalty is divided by the
        (weighted) number of samples, as in scikit-learn.

    batch_size : int or 'auto', default='auto'
        Mini-batch size of the stochastic solvers; 'auto' is
        ``min(200, n_samples)``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of ``solver='sgd'``: constant, ``learning_rate_init
        / (t + 1) ** power_t`` with ``t`` the samples seen (updated each epoch),
        or divided by 5 each time the monitored quantity stalls for
        ``n_iter_no_change`` epochs.

    learning_rate_init : float, default=0.001
        Initial learning rate of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (L-BFGS).

    shuffle : bool, default=True
        Shuffle the samples every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the early-stopping split and the
        shuffling; the same seed gives scikit-learn's initial weights.

    tol : float, default=1e-4
        Training stops when the loss (or validation score) does not improve by
        ``tol`` for more than ``n_iter_no_change`` epochs; for L-BFGS it is the
        gradient tolerance.

    verbose : bool, default=False
        Print ``Iteration N, loss = ...`` after every epoch.

    warm_start : bool, default=False
        Start from the previous solution, keeping the optimizer's state (Adam's
        moments), instead of re-initialising.

    momentum : float, default=0.9
        Momentum of 'sgd'.

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd'.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its score stalls
        for ``n_iter_no_change`` epochs, and keep the weights of the best epoch.
        Works with every solver, L-BFGS included.

    validation_fraction : float, default=0.1
        Fraction of the data held out for early stopping.

    beta_1 : float, default=0.9
        Adam's first-moment decay rate.

    beta_2 : float, default=0.999
        Adam's second-moment decay rate.

    epsilon : float, default=1e-8
        Adam's stability constant.

    n_iter_no_change : int or np.inf, default=10
        Number of stalled epochs tolerated (see ``tol``).

    max_fun : int, default=15000
        Maximum number of loss evaluations of L-BFGS.

    callbacks : list of Callback, default=None
        Extra :class:`skmlp.callbacks.Callback` objects run after every epoch
        (copied at each fit).
"""

_COMMON_ATTRIBUTES = """
    loss_ : float
        Loss of the last epoch (or the final L-BFGS loss).

    best_loss_ : float or None
        Lowest training loss (stochastic solvers; None with early stopping).

    loss_curve_ : list of float
        Training loss per epoch (stochastic solvers).

    validation_scores_ : list of float or None
        Validation score per epoch with early stopping, else None.

    best_validation_score_ : float or None
        Best validation score with early stopping, else None.

    history_ : dict of list
        Per-epoch logs: 'epoch', 'loss', 'learning_rate', 'time' and, with early
        stopping, 'val_score', plus any key a callback adds to ``logs``. Kept
        across ``warm_start`` and ``partial_fit``, where 'epoch' counts on.

    callbacks_ : list of Callback
        The copies of ``callbacks`` that ran during the last fit, with whatever
        state they recorded.

    t_ : int
        Number of training samples seen by the stochastic solvers.

    coefs_ : list of ndarray
        Weight matrix of each layer, ``coefs_[i]`` of shape (units i, units i+1).

    intercepts_ : list of ndarray
        Bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs (iterations) run by the last call.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Name of the output activation.

    activations_ : list of Activation
        Hidden-layer activations used by predict.

    output_activation_ : Activation
        Output activation used by predict.

    loss_function_ : Loss
        The training loss.

    learning_rate_ : float
        Learning rate at the end of training (stochastic solvers).
"""


def _common_init(self, params):
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(self, name, value)


class MLPClassifier(ClassifierMixin, BaseMultilayerPerceptron):
    __doc__ = (
        """Multi-layer perceptron classifier.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier` that
    also accepts per-layer and extra activations, a choice of output activation
    and loss, class weights and callbacks.

    The output layer is chosen from the targets when ``output_activation='auto'``:
    one sigmoid unit for binary targets, one sigmoid per label for multilabel
    targets, a softmax over the classes for multiclass targets. With
    ``output_activation='softmax'`` binary targets use two softmax units.

    Parameters
    ----------"""
        + _COMMON_PARAMETERS
        + """
    loss : {'log_loss', 'squared_error'} or Loss, default='log_loss'
        'log_loss' is the binary cross-entropy of sigmoid outputs or the
        categorical cross-entropy of softmax outputs; 'squared_error' is the
        squared error on the output probabilities.

    class_weight : dict, list of dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``; 'balanced'
        uses ``n_samples / (n_classes * np.bincount(y))``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels."""
        + _COMMON_ATTRIBUTES
        + """
    See Also
    --------
    MLPRegressor : Multi-layer perceptron regressor.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skmlp import MLPClassifier
    >>> X, y = make_classification(n_samples=100, random_state=1)
    >>> clf = MLPClassifier(random_state=1, max_iter=300).fit(X, y)
    >>> clf.predict_proba(X[:1]).shape
    (1, 2)
    >>> clf.score(X, y) > 0.9
    True
    """
    )

    _parameter_constraints: dict = {
        **BaseMultilayerPerceptron._parameter_constraints,
        "loss": [StrOptions(CLASSIFICATION_LOSSES), _LOSS_OBJECT],
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        output_activation="auto",
        loss="log_loss",
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
        class_weight=None,
        callbacks=None,
    ):
        _common_init(self, locals())

    # ---- targets ----------------------------------------------------------------

    def _encode_targets(self, y, first_pass, incremental):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or first_pass and not incremental:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously "
                        f"got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        Y = self._label_binarizer.transform(y)
        # Binary targets under a softmax output need two units, one per class.
        spec = self.output_activation
        self._two_unit_binary = self._label_binarizer.y_type_ == "binary" and (
            getattr(spec, "name", spec) == "softmax"
        )
        if self._two_unit_binary:
            Y = np.hstack([1 - Y, Y])
        return Y

    def _fit_sample_weight(self, y, sample_weight, incremental):
        if self.class_weight is None:
            return sample_weight
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the whole training set and cannot "
                "be used with partial_fit; pass a dict of class weights, e.g. from "
                "sklearn.utils.class_weight.compute_class_weight."
            )
        weights = compute_sample_weight(self.class_weight, y)
        if sample_weight is not None:
            weights = weights * sample_weight
        return weights

    def _resolve_loss_and_output(self, Y):
        y_type = self._label_binarizer.y_type_
        output = self._resolve_output_activation(
            "softmax" if y_type == "multiclass" else "logistic"
        )
        if output.name not in ("logistic", "softmax"):
            raise ValueError(
                f"MLPClassifier needs probabilities from its output layer: use "
                f"output_activation='sigmoid' or 'softmax' (or 'auto'), not "
                f"{output.name!r}. For other outputs use MLPRegressor."
            )
        if output.name == "softmax" and y_type.startswith("multilabel"):
            raise ValueError(
                "output_activation='softmax' makes the labels exclusive, but y is "
                "multilabel; use output_activation='sigmoid' (or 'auto')."
            )
        if self.loss == "log_loss":
            name = (
                "categorical_crossentropy"
                if output.name == "softmax"
                else "binary_crossentropy"
            )
            loss = LOSSES.resolve(name, "loss")
        else:
            loss = LOSSES.resolve(self.loss, "loss", CLASSIFICATION_LOSSES)
        return loss, output

    def _decode_validation_targets(self, Y_val):
        return self._decode(Y_val)

    def _decode(self, output):
        if self._two_unit_binary:
            output = output[:, 1]
        elif output.shape[1] == 1:
            output = output.ravel()
        return self._label_binarizer.inverse_transform(output)

    def _stratify_validation(self, Y):
        return self._label_binarizer.y_type_ == "binary"

    def _score_output(self, output, y, sample_weight):
        return accuracy_score(y, self._decode(output), sample_weight=sample_weight)

    # ---- public API -------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label-indicator matrix (multilabel).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : MLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over ``X``, ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call (not for multilabel).

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted classes (a label-indicator matrix for multilabel models).
        """
        return self._decode(self._forward(X))

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1 except for
            multilabel models (one independent probability per label).
        """
        output = self._forward(X)
        if output.shape[1] == 1:
            return np.hstack([1 - output, output])
        if self._label_binarizer.y_type_ == "multiclass" and self.out_activation_ != (
            "softmax"
        ):
            output /= output.sum(axis=1, keepdims=True)
        return output

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


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
        "loss": [StrOptions(REGRESSION_LOSSES), _LOSS_OBJECT],
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
        _common_init(self, locals())

    def _encode_targets(self, y, first_pass, incremental):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y.reshape(len(y), -1)

    def _resolve_loss_and_output(self, Y):
        if self.loss == "huber":
            loss = Huber(delta=self.huber_delta)
        else:
            loss = LOSSES.resolve(self.loss, "loss", REGRESSION_LOSSES)
        output = self._resolve_output_activation(
            loss.canonical_activation or "identity"
        )
        _check_regression_targets(Y, loss, output)
        return loss, output

    def _score_output(self, output, y, sample_weight):
        return r2_score(y, output, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

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
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

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
