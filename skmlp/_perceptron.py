"""Rosenblatt's perceptron: a drop-in for scikit-learn's ``Perceptron``."""

import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from skmlp._compat import (
    Interval,
    StrOptions,
    _check_partial_fit_first_call,
    _check_sample_weight,
    _fit_context,
)
from skmlp._perceptron_kernel import (
    ScanState,
    mistake_thresholds,
    scan_epoch,
    scan_epoch_l1,
)

# scikit-learn moves the intercept 100x slower than the weights on sparse
# input, whose rows are mostly zeros; we follow it to stay a drop-in.
_SPARSE_INTERCEPT_DECAY = 0.01


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
        Accepted for compatibility; it has no effect. The one-vs-rest units
        train together in one vectorised pass, so there is nothing to split
        between jobs; BLAS threads do the parallel work.
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
        self.t_, self.history_ = 1.0, {"loss": [], "n_mistakes": [], "val_score": []}
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
            self.history_ = {"loss": [], "n_mistakes": [], "val_score": []}
        return self._partial_fit(X, y, classes, sample_weight, 1, None, None, False)

    def _partial_fit(self, X, y, classes, sample_weight, max_iter, coef0, b0, from_fit):
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
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if y.ndim == 2 and type_of_target(y) != "multilabel-indicator":
            raise ValueError(
                "2-D y must be a multilabel indicator matrix of 0s and 1s; for "
                "several multiclass outputs use sklearn.multioutput."
                "MultiOutputClassifier(Perceptron())."
            )
        self._check_classes(y, classes, first, from_fit)
        self._fit_step = self.step
        sample_weight = _check_sample_weight(
            sample_weight,
            X,
            dtype=np.float64,
            allow_all_zero_weights=self.early_stopping,
        )
        Y, A = self._unit_targets(y, sample_weight)
        if coef0 is None and not from_fit and getattr(self, "coef_", None) is not None:
            coef0, b0 = self.coef_, self.intercept_  # partial_fit goes on
        coef, intercept = self._initial_params(coef0, b0, Y.shape[1], X.shape[1])
        val_mask = self._validation_split(y, sample_weight, from_fit)
        n_iter, error = self._run_epochs(
            X, y, Y, A, sample_weight, coef, intercept, val_mask, max_iter
        )
        self.coef_ = coef.astype(X.dtype)
        self.intercept_ = intercept
        self.n_iter_ = n_iter
        self.t_ = getattr(self, "t_", 1.0) + n_iter * X.shape[0]
        if error:
            raise ValueError(error)
        return self

    def _check_classes(self, y, classes, first, from_fit):
        multilabel = y.ndim == 2
        if first:
            if from_fit:
                self.classes_ = np.arange(y.shape[1]) if multilabel else np.unique(y)
            else:
                _check_partial_fit_first_call(self, classes)
            self._multilabel, self._label_dtype = multilabel, y.dtype
        else:
            _check_partial_fit_first_call(self, classes)
            if multilabel != self._multilabel:
                raise ValueError(
                    "y is multilabel in one call and not in another; keep one kind."
                )
        if multilabel:
            if y.shape[1] != self.classes_.size:
                raise ValueError(
                    f"y has {y.shape[1]} labels but classes has {self.classes_.size}; "
                    "pass classes=np.arange(n_labels) for multilabel targets."
                )
            if self.class_weight is not None:
                raise ValueError(
                    "class_weight is not supported with multilabel targets; "
                    "use sample_weight instead."
                )
        elif self.classes_.size < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{self.classes_.size} class."
            )
        elif not np.isin(y, self.classes_).all():
            unseen = np.setdiff1d(y, self.classes_)
            raise ValueError(
                f"y contains labels {unseen!r} not in classes_ {self.classes_!r}; "
                "pass all the labels in `classes` on the first partial_fit call."
            )

    def _unit_targets(self, y, sample_weight):
        """Targets in {-1, +1} per unit and the signed update size of each."""
        if self._multilabel:
            Y = np.where(y > 0, 1.0, -1.0)
            return Y, self.eta0 * Y * sample_weight[:, None]
        weights = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        if self.classes_.size == 2:
            positive = (y == self.classes_[1])[:, None]
            class_w = np.where(positive, weights[1], weights[0])
        else:
            positive = y[:, None] == self.classes_
            class_w = np.where(positive, weights, 1.0)
        Y = np.where(positive, 1.0, -1.0)
        return Y, self.eta0 * Y * class_w * sample_weight[:, None]

    def _initial_params(self, coef0, b0, n_units, n_features):
        coef = np.zeros((n_units, n_features))
        intercept = np.zeros(n_units)
        if coef0 is not None:
            coef0 = coef0.toarray() if sp.issparse(coef0) else np.asarray(coef0)
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

    def _validation_split(self, y, sample_weight, from_fit):
        mask = np.zeros(y.shape[0], dtype=bool)
        if not (self.early_stopping and from_fit):
            return mask
        splitter = ShuffleSplit if self._multilabel else StratifiedShuffleSplit
        cv = splitter(
            test_size=self.validation_fraction, random_state=self.random_state
        )
        train, val = next(cv.split(np.zeros((y.shape[0], 1)), y))
        if train.size == 0 or val.size == 0:
            raise ValueError(
                f"Splitting {y.shape[0]} samples with validation_fraction="
                f"{self.validation_fraction} leaves an empty set; change "
                "validation_fraction, add samples or disable early_stopping."
            )
        if not np.any(sample_weight[val] > 0):
            raise ValueError(
                "The sample weights for validation set are all zero, consider "
                "using a different random state."
            )
        mask[val] = True
        return mask

    def _run_epochs(
        self, X, y, Y, A, sample_weight, coef, intercept, val_mask, max_iter
    ):
        """Train until every unit stops; returns (n_iter, error message or None)."""
        n_units = coef.shape[0]
        kernel, settings, objective_of = self._kernel(X, n_units)
        # Like scikit-learn, shuffle with a stream seeded from random_state.
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        rng, train = np.random.RandomState(seed), np.flatnonzero(~val_mask)
        val = None
        if val_mask.any():
            val = X[val_mask], Y[val_mask], y[val_mask], sample_weight[val_mask]
        thresholds = mistake_thresholds(Y, self.step)
        tol = -np.inf if self.tol is None else self.tol
        best = np.full(n_units, np.inf)
        stalls, n_iter = np.zeros((2, n_units), dtype=int)
        active = np.ones(n_units, dtype=bool)
        start = time.perf_counter()
        for epoch in range(max_iter):
            units = np.flatnonzero(active)
            if self.shuffle:  # in place, each epoch, as scikit-learn's dataset does
                rng.shuffle(train)
            w, b = coef[units], intercept[units]
            with np.errstate(over="ignore", invalid="ignore"):
                sums = kernel(
                    X, train, w, b, Y[:, units], A[:, units], thresholds[:, units],
                    units=units, **settings,
                )  # fmt: skip
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                return n_iter.max(), (
                    f"Floating-point overflow at epoch {epoch + 1}; the weights of "
                    "the previous epoch are kept. Scale the input data (e.g. "
                    "StandardScaler or MinMaxScaler) or lower eta0."
                )
            coef[units], intercept[units] = w, b
            n_iter[units] = epoch + 1
            objective = objective_of(sums) / train.size
            # A unit stalls when its objective (or minus its validation accuracy
            # on its own binary task, as in scikit-learn) is not below its best
            # by tol.
            watched = objective
            if val is not None:
                z = safe_sparse_dot(val[0], w.T, dense_output=True) + b
                right = (val[1][:, units] > 0) == self._positive(z)
                watched = -np.average(right, axis=0, weights=val[3])
            stalled = watched > best[units] - tol
            best[units] = np.minimum(best[units], watched)
            stalls[units] = np.where(stalled, stalls[units] + 1, 0)
            active[units] = stalls[units] < self.n_iter_no_change
            self._record(epoch, objective, sums[1], val, coef, intercept, start)
            if not active.any():
                break
        return n_iter.max(), None

    def _kernel(self, X, n_units):
        """The epoch kernel, its settings and the objective from its sums."""
        l1_ratio = {"l1": 1.0, "elasticnet": self.l1_ratio}.get(self.penalty, 0.0)
        alpha = 0.0 if self.penalty is None else self.alpha
        intercept_step = _SPARSE_INTERCEPT_DECAY if sp.issparse(X) else 1.0
        settings = {
            "decay": max(0.0, 1.0 - (1.0 - l1_ratio) * self.eta0 * alpha),
            "intercept_step": intercept_step * self.fit_intercept,
            "state": ScanState(n_units, X.shape[1]),
        }
        if l1_ratio > 0:
            kernel, settings["shrink"] = scan_epoch_l1, l1_ratio * self.eta0 * alpha
        else:
            kernel, settings["track_norm"] = scan_epoch, alpha > 0

        def objective_of(sums):
            # scikit-learn's objective: loss + alpha * (L2 / 2 + L1 terms).
            l2, l1 = (1.0 - l1_ratio) * 0.5 * sums[2], l1_ratio * sums[3]
            return sums[0] + alpha * (l2 + l1)

        return kernel, settings, objective_of

    def _record(self, epoch, objective, mistakes, val, coef, intercept, start):
        history = self.history_
        history["loss"].append(float(objective.mean()))
        history["n_mistakes"].append(int(mistakes.sum()))
        if val is not None:
            X_val, _, y_val, sw_val = val
            scores = safe_sparse_dot(X_val, coef.T, dense_output=True) + intercept
            right = self._labels(scores) == y_val
            right = right.all(axis=1) if right.ndim == 2 else right
            history["val_score"].append(float(np.average(right, weights=sw_val)))
        if self.verbose:
            print(
                f"-- Epoch {epoch + 1}: avg. loss {history['loss'][-1]:.6f}, "
                f"mistakes {history['n_mistakes'][-1]}, "
                f"{time.perf_counter() - start:.2f} s"
            )

    def _positive(self, z):
        return z >= 0 if self._fit_step == "heaviside" else z > 0

    def _labels(self, scores):
        if self._multilabel:
            return self._positive(scores).astype(self._label_dtype)
        if scores.shape[1] == 1:
            return self.classes_[self._positive(scores[:, 0]).astype(int)]
        return self.classes_[scores.argmax(axis=1)]

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
        return self._labels(scores.reshape(scores.shape[0], -1))

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


def logic_gates_demo():
    """The textbook demo: one layer learns AND and OR, but not XOR.

    Returns
    -------
    rows : list of dict
        One row per gate: ``gate``, ``accuracy`` of a :class:`Perceptron` on
        the four inputs, and ``learned`` (all four right).

    Examples
    --------
    >>> [(row["gate"], row["learned"]) for row in logic_gates_demo()]
    [('AND', True), ('OR', True), ('XOR', False)]
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    gates = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
    rows = []
    for gate, y in gates.items():
        with warnings.catch_warnings():
            # XOR never converges: that is the point of the demo.
            warnings.simplefilter("ignore", ConvergenceWarning)
            accuracy = float(Perceptron(step="heaviside").fit(X, y).score(X, y))
        rows.append({"gate": gate, "accuracy": accuracy, "learned": accuracy == 1.0})
    return rows
