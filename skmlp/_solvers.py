"""The training loops: mini-batch (SGD, Adam) and L-BFGS (through SciPy).

Both loops run the same callbacks after every epoch (an L-BFGS iteration counts as
an epoch), so stopping rules, learning-rate changes and logging are written once,
in :mod:`skmlp.callbacks`. Nothing here knows about scikit-learn estimators.
"""

import collections
import math
import time
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from skmlp._compat import _check_optimize_result


class Trainer:
    """What the loop and the callbacks share.

    Parameters
    ----------
    network : Network
        Architecture, loss and penalty.
    params : ndarray of shape (n_params,)
        Flat parameters, updated in place.
    learning_rate : float
        Current learning rate (callbacks may change it).
    callbacks : list of Callback
    t : int, default=0
        Number of training samples seen before this fit.
    initial_epoch : int, default=0
        Epochs run by earlier fits (``warm_start``, ``partial_fit``); the
        ``epoch`` of the logs counts on from it.
    """

    def __init__(self, network, params, learning_rate, callbacks, t=0, initial_epoch=0):
        self.network = network
        self.params = params
        self.learning_rate = learning_rate
        self.callbacks = callbacks
        self.t = t
        self.initial_epoch = initial_epoch
        self.n_iter = 0
        self.stop_training = False
        self.stop_reason = None
        self.diverged = False
        self.recovered_loss = None

    def _begin(self):
        for callback in self.callbacks:
            callback.on_train_begin(self)

    def _end_epoch(self, logs):
        for callback in self.callbacks:
            callback.on_epoch_end(self, logs)

    def _end(self):
        for callback in self.callbacks:
            callback.on_train_end(self)

    def _epoch_logs(self, loss, started, validation):
        logs = {
            "epoch": self.initial_epoch + self.n_iter,
            "loss": loss,
            "learning_rate": self.learning_rate,
            "time": time.perf_counter() - started,
        }
        if validation is not None:
            logs["val_score"] = validation(self.params)
        return logs


def _diverged(trainer, snapshots, data, epoch_loss, started, validation):
    """Record the diverged epoch, then put back the last parameters that are good.

    ``snapshots`` holds the parameters at the start of the last epochs, newest
    last. The newest can already be poor (the last update of an epoch is never
    evaluated), so the kept parameters are the newest snapshot whose loss over
    the whole training data is finite.
    """
    trainer.diverged = True
    trainer.n_iter += 1
    trainer._end_epoch(trainer._epoch_logs(epoch_loss, started, validation))
    trainer.stop_training = True
    trainer.stop_reason = (
        f"The loss became non-finite ({epoch_loss}) in epoch {trainer.n_iter}"
    )
    for snapshot in reversed(snapshots):
        trainer.params[...] = snapshot
        loss, _ = trainer.network.loss_and_gradient(snapshot, *data)
        if math.isfinite(loss):
            trainer.recovered_loss = loss
            break


def _rows(A, batch):
    """The rows ``batch`` (indices or a slice) of ``A``.

    ``ndarray.take`` gathers rows about 15% faster than fancy indexing ``A[idx]``
    (measured for W1's 200x784 batches); slices and sparse matrices index as usual.
    """
    if isinstance(A, np.ndarray) and not isinstance(batch, slice):
        return A.take(batch, axis=0)
    return A[batch]


def fit_stochastic(
    trainer,
    X,
    Y,
    sample_weight,
    *,
    optimizer,
    opt_state,
    batch_size,
    shuffle,
    random_state,
    max_iter,
    validation=None,
    incremental=False,
):
    """Mini-batch training for at most ``max_iter`` epochs.

    Parameters
    ----------
    trainer : Trainer
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    optimizer : Optimizer
    opt_state : object
        The optimizer's state (from ``optimizer.init`` or a previous fit).
    batch_size : int
    shuffle : bool
    random_state : RandomState
    max_iter : int
    validation : callable, default=None
        ``validation(params) -> score`` on held-out data, run after every epoch.
    incremental : bool, default=False
        Run exactly one epoch without warning (``partial_fit``).

    Returns
    -------
    opt_state : object
        The optimizer's state after training.
    """
    network, params = trainer.network, trainer.params
    n_samples = X.shape[0]
    sample_idx = np.arange(n_samples)
    grad = np.empty_like(params)
    snapshots = collections.deque(maxlen=2)
    trainer._begin()
    try:
        for _ in range(max_iter):
            started = time.perf_counter()
            snapshots.append(params.copy())
            if shuffle:
                # scikit-learn's draw order (sklearn.utils.shuffle), for parity.
                order = np.arange(n_samples)
                random_state.shuffle(order)
                sample_idx = sample_idx[order]
            accumulated_loss = 0.0
            for start in range(0, n_samples, batch_size):
                batch = (
                    sample_idx[start : start + batch_size]
                    if shuffle
                    else slice(start, start + batch_size)
                )
                sw_batch = None if sample_weight is None else sample_weight[batch]
                if sw_batch is not None and not sw_batch.any():
                    continue
                batch_loss, grad = network.loss_and_gradient(
                    params, _rows(X, batch), _rows(Y, batch), sw_batch, grad
                )
                if not math.isfinite(batch_loss):
                    data = (X, Y, sample_weight)
                    _diverged(trainer, snapshots, data, batch_loss, started, validation)
                    break
                accumulated_loss += batch_loss * min(batch_size, n_samples - start)
                opt_state = optimizer.step(
                    params, grad, opt_state, trainer.learning_rate
                )
            if trainer.diverged:
                break
            trainer.n_iter += 1
            trainer.t += n_samples
            trainer._end_epoch(
                trainer._epoch_logs(accumulated_loss / n_samples, started, validation)
            )
            if trainer.stop_training or incremental:
                break
        else:
            if not incremental:
                warnings.warn(
                    "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                    "optimization hasn't converged yet." % max_iter,
                    ConvergenceWarning,
                    stacklevel=2,
                )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=2)
    trainer._end()
    return opt_state


def fit_lbfgs(trainer, X, Y, sample_weight, *, max_iter, max_fun, tol, validation=None):
    """Full-batch training with SciPy's L-BFGS-B.

    Each L-BFGS iteration is an epoch for the callbacks; a callback that sets
    ``trainer.stop_training`` (early stopping) ends the optimisation there.

    Parameters
    ----------
    trainer : Trainer
    X, Y, sample_weight : arrays
        As in :func:`fit_stochastic`.
    max_iter : int
        Maximum number of L-BFGS iterations.
    max_fun : int
        Maximum number of loss evaluations.
    tol : float
        Gradient tolerance (``gtol``).
    validation : callable, default=None
        As in :func:`fit_stochastic`.
    """
    network, params = trainer.network, trainer.params
    started = time.perf_counter()

    def on_iteration(intermediate_result):
        nonlocal started
        trainer.params[...] = intermediate_result.x
        trainer.n_iter += 1
        trainer._end_epoch(
            trainer._epoch_logs(float(intermediate_result.fun), started, validation)
        )
        started = time.perf_counter()
        if trainer.stop_training:
            raise StopIteration

    def objective(x):
        # SciPy works in float64; evaluate in the parameters' dtype so float32
        # data trains in float32 as with the stochastic solvers.
        loss, grad = network.loss_and_gradient(
            x.astype(params.dtype, copy=False), X, Y, sample_weight
        )
        return loss, grad.astype(np.float64, copy=False)

    trainer._begin()
    x0 = params.astype(np.float64)
    result = scipy.optimize.minimize(
        objective,
        x0,
        method="L-BFGS-B",
        jac=True,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        callback=on_iteration,
    )
    if not trainer.stop_training:
        trainer.n_iter = _check_optimize_result("lbfgs", result, max_iter)
    if np.all(np.isfinite(result.x)):
        params[...] = result.x
    else:
        trainer.diverged = True
        params[...] = x0
    trainer._end()
    return float(result.fun)
