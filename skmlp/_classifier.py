"""MLPClassifier."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from skmlp import _components as components
from skmlp._base import LOSS_OBJECT, BaseMultilayerPerceptron, store_parameters
from skmlp._compat import StrOptions, _check_partial_fit_first_call, _fit_context
from skmlp._docstrings import _COMMON_ATTRIBUTES, _COMMON_PARAMETERS
from skmlp.losses import CLASSIFICATION_LOSSES, LOSSES


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
        "loss": [StrOptions(CLASSIFICATION_LOSSES), LOSS_OBJECT],
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
        store_parameters(self, locals())

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
        output = components.output_activation(
            self.output_activation, "softmax" if y_type == "multiclass" else "logistic"
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
            # Instances of either cross-entropy are accepted as well.
            allowed = CLASSIFICATION_LOSSES | {
                "binary_crossentropy",
                "categorical_crossentropy",
            }
            loss = LOSSES.resolve(self.loss, "loss", allowed)
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
        # Independent sigmoid units on exclusive classes: normalise the rows.
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        if multiclass and self.out_activation_ != "softmax":
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
