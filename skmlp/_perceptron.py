"""Rosenblatt's perceptron: a drop-in for scikit-learn's ``Perceptron``.

The estimator's public face: parameters, documentation, the ``fit`` and
``partial_fit`` orchestration, and prediction. It delegates the mapping of
labels to threshold units (``_perceptron_units``), the epoch loop with its
stopping rule and history (``_perceptron_epochs``) and the vectorised online
rule (``_perceptron_kernel``), and holds the textbook's logic-gates demo.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted, validate_data

from skmlp._compat import Interval, StrOptions, _check_sample_weight, _fit_context
from skmlp._perceptron_epochs import empty_history, run_epochs, validation_split
from skmlp._perceptron_units import (
    check_labels,
    initial_params,
    predicted_labels,
    unit_targets,
)


class Perceptron(ClassifierMixin, BaseEstimator):
    """Linear threshold units trained with the online perceptron rule.

    Same parameters, defaults, methods and fitted attributes as
    :class:`sklearn.linear_model.Perceptron`, plus Rosenblatt's 0/1
    ``step="heaviside"`` rule, multilabel targets and a per-epoch ``history_``.
    Training is exact (one update per misclassified sample, in visiting
    order) and vectorised: see :mod:`skmlp._perceptron_kernel`.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"} or None, default=None
        Regularisation, applied at every visited sample as scikit-learn does:
        L2 rescales the weights by ``1 - eta0 * alpha``; L1 is the cumulative
        truncated-gradient penalty of Tsuruoka et al. (2009).
    alpha : float, default=0.0001
        Strength of the penalty.
    l1_ratio : float, default=0.15
        Share of L1 in the elasticnet penalty (0 is L2, 1 is L1).
    fit_intercept : bool, default=True
        Whether to learn an intercept.
    max_iter : int, default=1000
        Maximum number of epochs of :meth:`fit` (not :meth:`partial_fit`).
    tol : float or None, default=1e-3
        An epoch counts as no improvement when its objective is above the best
        one minus ``tol`` (or its validation score below the best plus ``tol``
        with ``early_stopping``). None disables the stopping rule.
    shuffle : bool, default=True
        Whether to visit the samples in a new random order at each epoch.
    verbose : int, default=0
        Print a line per epoch when positive.
    eta0 : float, default=1.0
        Size of an update (the learning rate).
    n_jobs : int, default=None
        Accepted for compatibility; it has no effect: the units train together
        in one vectorised pass, and BLAS threads do the parallel work.
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling and the validation split.
    early_stopping : bool, default=False
        Whether to hold out a stratified ``validation_fraction`` of the
        training data and stop a unit when its validation accuracy stops
        improving. As in scikit-learn, the last weights are kept.
    validation_fraction : float, default=0.1
        Share of the training data held out by ``early_stopping``.
    n_iter_no_change : int, default=5
        Epochs without improvement tolerated before a unit stops.
    class_weight : dict, "balanced" or None, default=None
        Multiplies the update of samples of each class (in one-vs-rest, the
        update of the positive samples of each unit, as scikit-learn does).
        "balanced" uses ``n_samples / (n_classes * np.bincount(y))``.
    warm_start : bool, default=False
        Whether :meth:`fit` starts from the previous solution.
    step : {"sign", "heaviside"}, default="sign"
        Threshold of the units; see Notes.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (label indices ``0..n_labels-1`` for multilabel targets).
    coef_ : ndarray of shape (1, n_features) if binary else (n_units, n_features)
        Weights, in the dtype of the training data (float32 stays float32).
    intercept_ : ndarray of shape (1,) if binary else (n_units,)
        Intercepts (float64, as in scikit-learn).
    n_iter_ : int
        Epochs run by the last call; the maximum over the units.
    t_ : float
        ``1 + n_iter_ * n_samples`` accumulated over calls, as in scikit-learn.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during :term:`fit`, when they are all strings.
    history_ : dict of lists
        One entry per epoch (``fit`` restarts it, ``partial_fit`` appends):
        ``"loss"``, the training objective (mean perceptron loss
        ``max(0, -y * z)`` plus penalty, averaged over the units that trained
        in that epoch); ``"n_mistakes"``, the number of updates made, summed
        over units; ``"val_score"``, the accuracy of the whole model on the
        validation set (only with ``early_stopping``).

    See Also
    --------
    sklearn.linear_model.Perceptron : The compiled original.
    skmlp.MLPClassifier : Hidden layers learn what a single layer cannot (XOR).

    Notes
    -----
    Targets are ``y = +1`` for the positive class and ``-1`` otherwise, and
    ``z = w.x + b``. The two step rules differ only when ``z == 0``:

    - ``"sign"`` (scikit-learn's): a sample is a mistake when ``y * z <= 0``;
      then ``w += eta0 * y * x`` and ``b += eta0 * y``. :meth:`predict` says
      positive when ``z > 0``.
    - ``"heaviside"`` (Rosenblatt's): the unit outputs ``h = 1 if z >= 0 else
      0`` and learns ``w += eta0 * (t - h) * x``, ``b += eta0 * (t - h)`` with
      ``t`` in {0, 1}. A positive sample with ``z == 0`` is then right and
      left alone. :meth:`predict` says positive when ``z >= 0``.

    Updates are scaled by sample and class weights. Multiclass targets train
    one unit per class (one-vs-rest); multilabel indicator targets one unit per
    label, side by side. Unlike scikit-learn, all units visit the samples in
    the same order, which lets them share the work; each unit still stops on
    its own. Training runs in float64 whatever the input dtype.

    The stopping rule watches scikit-learn's objective, penalty included, so
    ``n_iter_`` matches scikit-learn's for the same visiting order; the one
    known exception is sparse input with ``penalty="l2"``, where scikit-learn's
    objective uses a norm cached over the last update's features only.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skmlp._perceptron import Perceptron
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = Perceptron(random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.9)
    True
    >>> X_and, y_and = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1]
    >>> Perceptron(step="heaviside").fit(X_and, y_and).predict(X_and)
    array([0, 0, 0, 1])
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "step": [StrOptions({"sign", "heaviside"})],
    }

    def __init__(
        self,
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        step="sign",
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.step = step

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the units with the online perceptron rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; sparse input is used as CSR.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        coef_init : ndarray of shape (n_units, n_features), default=None
            Initial weights (``(n_features,)`` or ``(1, n_features)`` if binary).
        intercept_init : ndarray of shape (n_units,), default=None
            Initial intercepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies each sample's update (together with ``class_weight``).

        Returns
        -------
        self : Perceptron
            The fitted estimator.
        """
        if self.warm_start and getattr(self, "coef_", None) is not None:
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = (
                self.intercept_ if intercept_init is None else intercept_init
            )
        self.t_, self.history_ = 1.0, empty_history()
        self._partial_fit(
            X, y, None, sample_weight, self.max_iter, coef_init, intercept_init, True
        )
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Maximum number of iterations ({self.max_iter}) reached before "
                "convergence. Increase max_iter or tol, or scale the data.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the perceptron rule over the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        classes : array-like of shape (n_classes,), default=None
            All the classes (label indices for multilabel targets); required
            on the first call, optional afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Multiplies each sample's update.

        Returns
        -------
        self : Perceptron
            The updated estimator.
        """
        if not hasattr(self, "classes_"):
            if self.early_stopping:
                raise ValueError("early_stopping should be False with partial_fit")
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit: it "
                    "needs all of y. Compute the weights with sklearn.utils."
                    "compute_class_weight('balanced', classes=classes, y=y_sample) "
                    "and pass them as a dict."
                )
            self.t_ = 1.0
            self.history_ = empty_history()
        return self._partial_fit(X, y, classes, sample_weight, 1, None, None, False)

    def _partial_fit(self, X, y, classes, sample_weight, max_iter, coef0, b0, from_fit):
        """Validate one call's data, then train for up to max_iter epochs."""
        first = from_fit or not hasattr(self, "classes_")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            accept_large_sparse=False,
            multi_output=True,
            reset=first,
        )
        y = check_labels(self, y, classes, first, from_fit)
        # Predictions follow the rule the model was trained with, even if
        # set_params changes `step` afterwards.
        self._fit_step = self.step
        sample_weight = _check_sample_weight(
            sample_weight,
            X,
            dtype=np.float64,
            allow_all_zero_weights=self.early_stopping,
        )
        Y, A = unit_targets(self, y, sample_weight)
        if coef0 is None and not from_fit and getattr(self, "coef_", None) is not None:
            coef0, b0 = self.coef_, self.intercept_  # partial_fit goes on
        coef, intercept = initial_params(coef0, b0, Y.shape[1], X.shape[1])
        val_mask = np.zeros(y.shape[0], dtype=bool)
        if self.early_stopping and from_fit:
            val_mask = validation_split(self, y, sample_weight)
        n_iter, error = run_epochs(
            self, X, y, Y, A, sample_weight, coef, intercept, val_mask, max_iter
        )
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = intercept
        self.n_iter_ = n_iter
        self.t_ = getattr(self, "t_", 1.0) + n_iter * X.shape[0]
        if error:
            raise ValueError(error)
        return self

    def decision_function(self, X):
        """Signed distance ``z = X @ coef_.T + intercept_`` of each unit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) if binary else (n_samples, n_units)
            Positive scores mean the positive class of the unit.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        scores = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
        if scores.shape[1] == 1 and not self._multilabel:
            return scores.ravel()
        return scores

    def predict(self, X):
        """Predict class labels (an indicator matrix for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels.
        """
        scores = self.decision_function(X)
        return predicted_labels(self, scores.reshape(scores.shape[0], -1))

    def densify(self):
        """Store ``coef_`` as a dense array again (undoes :meth:`sparsify`).

        Returns
        -------
        self : Perceptron
            The estimator.
        """
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

    def sparsify(self):
        """Store ``coef_`` as a CSR matrix, which pays off when it is mostly zeros.

        Returns
        -------
        self : Perceptron
            The estimator.
        """
        check_is_fitted(self)
        self.coef_ = sp.csr_matrix(self.coef_)
        return self
