"""Callbacks: every training policy (stopping, learning-rate changes, logging).

The training loop in :mod:`skmlp._solvers` knows nothing but epochs; after each one
it hands a ``logs`` dict (``epoch``, ``loss``, ``learning_rate``, ``time`` and, with
a validation set, ``val_score``) to each callback, which may read and change the
trainer: set ``trainer.learning_rate``, set ``trainer.stop_training`` with a
``trainer.stop_reason``, or read ``trainer.params``.

The estimators build their own callbacks anew for every fit and deep-copy the
user's, so a callback instance passed to ``callbacks=`` is never shared between
fits (as :func:`sklearn.base.clone` and grid searches require); a callback that
keeps per-fit state should still reset it in ``on_train_begin``.
"""

import math

__all__ = ["Callback", "History", "InverseScaling", "PlateauMonitor", "ProgressPrinter"]


class Callback:
    """Base class: every hook is a no-op."""

    def on_train_begin(self, trainer):
        """Called once before the first epoch."""

    def on_epoch_end(self, trainer, logs):
        """Called after every epoch with that epoch's ``logs``."""

    def on_train_end(self, trainer):
        """Called once after the last epoch, also when training stops early."""


class History(Callback):
    """Record every epoch's logs as lists: ``history[key][epoch]``.

    Parameters
    ----------
    history : dict of list, default=None
        Lists to append to (continues a previous fit); a new dict when None.

    Examples
    --------
    >>> h = History()
    >>> h.on_train_begin(None)
    >>> h.on_epoch_end(None, {"epoch": 1, "loss": 0.5})
    >>> h.history
    {'epoch': [1], 'loss': [0.5]}
    """

    def __init__(self, history=None):
        self.history = history

    def on_train_begin(self, trainer):
        if self.history is None:
            self.history = {}

    def on_epoch_end(self, trainer, logs):
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)


class ProgressPrinter(Callback):
    """Print scikit-learn's ``Iteration N, loss = ...`` line after each epoch."""

    def on_epoch_end(self, trainer, logs):
        # scikit-learn counts the iterations of the current call.
        print("Iteration %d, loss = %.8f" % (trainer.n_iter, logs["loss"]))
        if "val_score" in logs:
            print("Validation score: %f" % logs["val_score"])


class InverseScaling(Callback):
    """Set ``learning_rate = learning_rate_init / (t + 1) ** power_t`` each epoch.

    ``t`` is the number of samples seen so far (``trainer.t``), as in
    scikit-learn's ``learning_rate='invscaling'``.

    Parameters
    ----------
    learning_rate_init : float
    power_t : float
    """

    def __init__(self, learning_rate_init, power_t):
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t

    def on_epoch_end(self, trainer, logs):
        trainer.learning_rate = (
            self.learning_rate_init / (trainer.t + 1) ** self.power_t
        )


class PlateauMonitor(Callback):
    """scikit-learn's convergence rule, with best-weight tracking.

    Counts the epochs in a row in which the monitored quantity did not improve by
    at least ``tol`` (training loss, lower is better, or validation score, higher
    is better). When that count exceeds ``n_iter_no_change`` training stops, or,
    with ``adaptive=True``, the learning rate is divided by 5 and the count
    restarts until it falls to 1e-6 or below.

    With a validation score, the parameters of the best epoch are kept in
    ``best_params`` (a copy) so the trainer can restore them at the end.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int or float
    monitor : {"loss", "val_score"}
    adaptive : bool, default=False
    best : float, default=None
        Best value so far (continues a previous fit); infinitely bad when None.
    no_improvement_count : int, default=0
        Count so far (continues a previous fit).
    verbose : bool, default=False
        Print scikit-learn's messages when the rule fires.
    """

    def __init__(
        self,
        tol,
        n_iter_no_change,
        monitor="loss",
        adaptive=False,
        best=None,
        no_improvement_count=0,
        verbose=False,
    ):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.adaptive = adaptive
        self.best = best
        self.no_improvement_count = no_improvement_count
        self.verbose = verbose

    @property
    def _sign(self):
        return -1.0 if self.monitor == "val_score" else 1.0

    def on_train_begin(self, trainer):
        if self.best is None:
            self.best = self._sign * math.inf
        self.best_params = None

    def on_epoch_end(self, trainer, logs):
        # Compare on "lower is better" values: loss as is, -score for scores.
        value = self._sign * logs[self.monitor]
        best = self._sign * self.best
        if value > best - self.tol:
            self.no_improvement_count += 1
        else:
            self.no_improvement_count = 0
        if value < best:
            self.best = logs[self.monitor]
            if self.monitor == "val_score":
                self.best_params = trainer.params.copy()

        if self.no_improvement_count <= self.n_iter_no_change:
            return
        if self.monitor == "val_score":
            what = "Validation score did not improve more than"
        else:
            what = "Training loss did not improve more than"
        msg = "%s tol=%f for %d consecutive epochs." % (
            what,
            self.tol,
            self.n_iter_no_change,
        )
        if not self.adaptive:
            self._stop(trainer, msg + " Stopping.")
        elif trainer.learning_rate <= 1e-6:
            self._stop(trainer, msg + " Learning rate too small. Stopping.")
        else:
            trainer.learning_rate /= 5.0
            self.no_improvement_count = 0
            if self.verbose:
                print(msg + " Setting learning rate to %f" % trainer.learning_rate)

    def _stop(self, trainer, msg):
        trainer.stop_training = True
        trainer.stop_reason = msg
        if self.verbose:
            print(msg)
