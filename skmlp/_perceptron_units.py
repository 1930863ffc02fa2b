"""How a Perceptron's class labels become threshold units, and back.

A threshold unit answers one yes/no question. Binary targets need one unit
("is it ``classes_[1]``?"), multiclass targets one per class (one-vs-rest), and
multilabel indicator targets one per label. This module keeps that mapping in
one place: it checks the labels of a ``fit`` or ``partial_fit`` call against
``classes_``, turns them into each unit's {-1, +1} targets and signed update
sizes (where ``eta0``, class weights and sample weights meet), builds the
starting weights from ``coef_init`` and ``intercept_init``, and turns the
units' scores back into labels.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from skmlp._compat import _check_partial_fit_first_call


def check_labels(est, y, classes, first, from_fit):
    """Check y, and set or check ``classes_`` and the kind of target of ``est``.

    Parameters
    ----------
    est : Perceptron
        Gets ``classes_``, ``_multilabel`` and ``_label_dtype`` on the first
        call of a fit.
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels, or a multilabel indicator matrix.
    classes : array-like or None
        The ``classes`` argument of :meth:`Perceptron.partial_fit`.
    first : bool
        Whether this call starts a fit (``fit``, or the first ``partial_fit``).
    from_fit : bool
        Whether the call comes from ``fit``.

    Returns
    -------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        A column vector raveled; anything else unchanged.
    """
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    if y.ndim == 2 and type_of_target(y) != "multilabel-indicator":
        raise ValueError(
            "2-D y must be a multilabel indicator matrix of 0s and 1s; for "
            "several multiclass outputs use sklearn.multioutput."
            "MultiOutputClassifier(Perceptron())."
        )
    multilabel = y.ndim == 2
    if first:
        if from_fit:
            est.classes_ = np.arange(y.shape[1]) if multilabel else np.unique(y)
        else:
            _check_partial_fit_first_call(est, classes)
        est._multilabel, est._label_dtype = multilabel, y.dtype
    else:
        _check_partial_fit_first_call(est, classes)
        if multilabel != est._multilabel:
            raise ValueError(
                "y is multilabel in one call and not in another; keep one kind."
            )
    n_classes = est.classes_.size
    if multilabel:
        if y.shape[1] != n_classes:
            raise ValueError(
                f"y has {y.shape[1]} labels but classes has {n_classes}; "
                "pass classes=np.arange(n_labels) for multilabel targets."
            )
        if est.class_weight is not None:
            raise ValueError(
                "class_weight is not supported with multilabel targets; "
                "use sample_weight instead."
            )
    elif n_classes < 2:
        raise ValueError(
            f"The number of classes has to be greater than one; got {n_classes} class."
        )
    elif not np.isin(y, est.classes_).all():
        unseen = np.setdiff1d(y, est.classes_)
        raise ValueError(
            f"y contains labels {unseen!r} not in classes_ {est.classes_!r}; "
            "pass all the labels in `classes` on the first partial_fit call."
        )
    return y


def unit_targets(est, y, sample_weight):
    """Targets in {-1, +1} per unit and the signed update size of each.

    ``est`` supplies ``classes_``, ``class_weight`` and ``eta0``.

    Returns
    -------
    Y : ndarray of shape (n_samples, n_units)
        +1 where the sample is positive for the unit, -1 otherwise.
    A : ndarray of shape (n_samples, n_units)
        ``eta0 * Y * class_weight * sample_weight``: what a mistake adds to
        the unit's weights, per unit of ``x``. In one-vs-rest, as in
        scikit-learn, a class weight scales the positive samples of its own
        unit only.
    """
    classes, eta0 = est.classes_, est.eta0
    if est._multilabel:
        Y = np.where(y > 0, 1.0, -1.0)
        return Y, eta0 * Y * sample_weight[:, None]
    weights = compute_class_weight(est.class_weight, classes=classes, y=y)
    if classes.size == 2:
        positive = (y == classes[1])[:, None]
        class_w = np.where(positive, weights[1], weights[0])
    else:
        positive = y[:, None] == classes
        class_w = np.where(positive, weights, 1.0)
    Y = np.where(positive, 1.0, -1.0)
    return Y, eta0 * Y * class_w * sample_weight[:, None]


def initial_params(coef0, b0, n_units, n_features):
    """Float64 starting weights and intercepts: zeros, or the given ones.

    Returns
    -------
    coef : ndarray of shape (n_units, n_features)
    intercept : ndarray of shape (n_units,)
    """
    coef = np.zeros((n_units, n_features))
    intercept = np.zeros(n_units)
    if coef0 is not None:
        coef0 = coef0.toarray() if sp.issparse(coef0) else np.asarray(coef0)
        # A binary model's single unit may come as (n_features,) or (1, n).
        if coef0.size != coef.size or (n_units > 1 and coef0.shape != coef.shape):
            raise ValueError(
                f"coef_init has shape {coef0.shape}; expected {coef.shape}."
            )
        coef[:] = coef0.reshape(coef.shape)
    if b0 is not None:
        b0 = np.asarray(b0, dtype=np.float64)
        if b0.size != n_units or b0.ndim > 1:
            raise ValueError(
                f"intercept_init has shape {b0.shape}; expected ({n_units},)."
            )
        intercept[:] = b0.ravel()
    return coef, intercept


def is_positive(z, step):
    """Where units with the given step rule answer yes.

    ``"sign"`` says yes for ``z > 0``; Rosenblatt's ``"heaviside"`` unit
    outputs 1 for ``z >= 0``.
    """
    return z >= 0 if step == "heaviside" else z > 0


def predicted_labels(est, scores):
    """Labels (or an indicator matrix) from scores of shape (n_samples, n_units).

    Uses the step rule ``est`` was trained with, not its current ``step``.
    """
    if est._multilabel:
        return is_positive(scores, est._fit_step).astype(est._label_dtype)
    if scores.shape[1] == 1:
        return est.classes_[is_positive(scores[:, 0], est._fit_step).astype(int)]
    return est.classes_[scores.argmax(axis=1)]
