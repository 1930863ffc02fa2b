"""The epoch loop of :class:`skmlp.Perceptron`: order, stopping rule, history.

The kernel modules run one epoch. This module decides what an epoch is for the
estimator: which kernel and penalty settings, which samples in which order,
when each unit stops, and what ``history_`` records. It follows scikit-learn's
SGD loop (its shuffling stream, its stopping objective, its validation rule)
so that ``n_iter_`` matches scikit-learn's for the same visiting order.
"""

import time

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot

from skmlp._perceptron_kernel import ScanState, mistake_thresholds, scan_epoch
from skmlp._perceptron_l1 import scan_epoch_l1
from skmlp._perceptron_units import is_positive, predicted_labels

# scikit-learn moves the intercept 100x slower than the weights on sparse
# input, whose rows are mostly zeros; we follow it to stay a drop-in.
_SPARSE_INTERCEPT_DECAY = 0.01


def empty_history():
    """The ``history_`` of a new fit: one list per recorded quantity."""
    return {"loss": [], "n_mistakes": [], "val_score": []}


def validation_split(est, y, sample_weight):
    """Mask of the samples held out by ``est.early_stopping``.

    Stratified like scikit-learn's, except for multilabel targets, which
    :class:`~sklearn.model_selection.StratifiedShuffleSplit` cannot stratify.
    """
    splitter = ShuffleSplit if est._multilabel else StratifiedShuffleSplit
    fraction = est.validation_fraction
    cv = splitter(test_size=fraction, random_state=est.random_state)
    train, val = next(cv.split(np.zeros((y.shape[0], 1)), y))
    if train.size == 0 or val.size == 0:
        raise ValueError(
            f"Splitting {y.shape[0]} samples with validation_fraction="
            f"{fraction} leaves an empty set; change "
            "validation_fraction, add samples or disable early_stopping."
        )
    if not np.any(sample_weight[val] > 0):
        raise ValueError(
            "The sample weights for validation set are all zero, consider "
            "using a different random state."
        )
    mask = np.zeros(y.shape[0], dtype=bool)
    mask[val] = True
    return mask


def run_epochs(est, X, y, Y, A, sample_weight, coef, intercept, val_mask, max_iter):
    """Train the units until each has stopped or ``max_iter`` epochs have run.

    Parameters
    ----------
    est : Perceptron
        Supplies the hyper-parameters and the fitted step rule; its
        ``history_`` gets one entry per epoch.
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Training and validation data.
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels, for the validation score of the whole model.
    Y, A : ndarray of shape (n_samples, n_units)
        Targets in {-1, +1} and signed update sizes, from
        :func:`skmlp._perceptron_units.unit_targets`.
    sample_weight : ndarray of shape (n_samples,)
        Weights of the validation score.
    coef, intercept : ndarray
        Float64 weights and intercepts, updated in place.
    val_mask : ndarray of bool of shape (n_samples,)
        Samples held out for validation (none without early stopping).
    max_iter : int
        Maximum number of epochs.

    Returns
    -------
    n_iter : int
        Epochs run by the unit that ran longest.
    error : str or None
        What went wrong, if the weights overflowed; ``coef`` and ``intercept``
        then hold the last finite weights.
    """
    n_units = coef.shape[0]
    kernel, settings, objective_of = _epoch_kernel(est, X, n_units)
    # Like scikit-learn, shuffle with a stream seeded from random_state.
    seed = check_random_state(est.random_state).randint(np.iinfo(np.int32).max)
    rng, train = np.random.RandomState(seed), np.flatnonzero(~val_mask)
    val = None
    if val_mask.any():
        val = X[val_mask], Y[val_mask], y[val_mask], sample_weight[val_mask]
    thresholds = mistake_thresholds(Y, est._fit_step)
    tol = -np.inf if est.tol is None else est.tol
    best = np.full(n_units, np.inf)
    stalls, n_iter = np.zeros((2, n_units), dtype=int)
    active = np.ones(n_units, dtype=bool)
    start = time.perf_counter()
    for epoch in range(max_iter):
        units = np.flatnonzero(active)
        if est.shuffle:  # in place, each epoch, as scikit-learn's dataset does
            rng.shuffle(train)
        # Copies: a unit keeps its last finite weights if this epoch overflows.
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
            X_val, Y_val, _, sw_val = val
            z = safe_sparse_dot(X_val, w.T, dense_output=True) + b
            right = (Y_val[:, units] > 0) == is_positive(z, est._fit_step)
            watched = -np.average(right, axis=0, weights=sw_val)
        stalled = watched > best[units] - tol
        best[units] = np.minimum(best[units], watched)
        stalls[units] = np.where(stalled, stalls[units] + 1, 0)
        active[units] = stalls[units] < est.n_iter_no_change
        _record_epoch(est, epoch, objective, sums[1], val, coef, intercept, start)
        if not active.any():
            break
    return n_iter.max(), None


def _epoch_kernel(est, X, n_units):
    """The epoch kernel, its settings and the objective from its sums."""
    l1_ratio = {"l1": 1.0, "elasticnet": est.l1_ratio}.get(est.penalty, 0.0)
    alpha = 0.0 if est.penalty is None else est.alpha
    intercept_step = _SPARSE_INTERCEPT_DECAY if sp.issparse(X) else 1.0
    settings = {
        # Clipped at 0, as in scikit-learn: a strong L2 penalty erases the
        # weights at every visit rather than flipping their signs.
        "decay": max(0.0, 1.0 - (1.0 - l1_ratio) * est.eta0 * alpha),
        "intercept_step": intercept_step * est.fit_intercept,
        "state": ScanState(n_units, X.shape[1]),
    }
    if l1_ratio > 0:
        kernel, settings["shrink"] = scan_epoch_l1, l1_ratio * est.eta0 * alpha
    else:
        kernel, settings["track_norm"] = scan_epoch, alpha > 0

    def objective_of(sums):
        # scikit-learn's objective: loss + alpha * (L2 / 2 + L1 terms).
        l2, l1 = (1.0 - l1_ratio) * 0.5 * sums[2], l1_ratio * sums[3]
        return sums[0] + alpha * (l2 + l1)

    return kernel, settings, objective_of


def _record_epoch(est, epoch, objective, mistakes, val, coef, intercept, start):
    """Append an epoch to ``est.history_`` and print it when verbose."""
    history = est.history_
    history["loss"].append(float(objective.mean()))
    history["n_mistakes"].append(int(mistakes.sum()))
    if val is not None:
        X_val, _, y_val, sw_val = val
        scores = safe_sparse_dot(X_val, coef.T, dense_output=True) + intercept
        right = predicted_labels(est, scores) == y_val
        right = right.all(axis=1) if right.ndim == 2 else right
        history["val_score"].append(float(np.average(right, weights=sw_val)))
    if est.verbose:
        print(
            f"-- Epoch {epoch + 1}: avg. loss {history['loss'][-1]:.6f}, "
            f"mistakes {history['n_mistakes'][-1]}, "
            f"{time.perf_counter() - start:.2f} s"
        )
