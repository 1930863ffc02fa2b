"""Early stopping, the per-epoch ``history_`` and a custom callback.

1. ``early_stopping=True`` with Adam: a validation split is scored after every
   epoch, training stops once the score has stalled for ``n_iter_no_change``
   epochs, and the weights of the best epoch are put back.
2. The same with L-BFGS, where every L-BFGS iteration counts as an epoch.
3. A custom :class:`skmlp.callbacks.Callback` that records the learning rate of
   every epoch (here a decaying ``'invscaling'`` schedule) and ends training as
   soon as the training loss drops below a threshold, by setting
   ``trainer.stop_training = True``.

skmlp deep-copies the callbacks you pass at the start of every fit (so clones and
grid-search candidates never share state) and keeps the copies that ran in the
fitted attribute ``callbacks_``: read what a callback recorded there.

Run: ``python examples/callbacks_and_history.py``
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier
from skmlp.callbacks import Callback

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

print("== 1. early stopping with adam ==")
clf = MLPClassifier(
    hidden_layer_sizes=(32,), early_stopping=True, max_iter=300, random_state=0
).fit(X_train, y_train)
history = clf.history_
best_epoch = int(np.argmax(clf.validation_scores_)) + 1
print("history_ keys:", sorted(history))
print(f"{'epoch':>5} {'loss':>8} {'val_score':>9} {'lr':>7} {'time':>7}")
for i in range(0, clf.n_iter_, 10):
    print(
        f"{history['epoch'][i]:5d} {history['loss'][i]:8.4f} "
        f"{history['val_score'][i]:9.4f} {history['learning_rate'][i]:7.4f} "
        f"{history['time'][i] * 1000:5.1f}ms"
    )
print(
    f"stopped after {clf.n_iter_} epochs; best validation score "
    f"{clf.best_validation_score_:.4f} at epoch {best_epoch} (weights restored)"
)
print(f"test accuracy: {clf.score(X_test, y_test):.4f}")

print("\n== 2. early stopping with lbfgs ==")
clf = MLPClassifier(
    hidden_layer_sizes=(32,),
    solver="lbfgs",
    early_stopping=True,
    n_iter_no_change=5,
    max_iter=300,
    random_state=0,
).fit(X_train, y_train)
print("validation score per iteration:", np.round(clf.validation_scores_, 3))
print(
    f"{clf.n_iter_} iterations, best {clf.best_validation_score_:.4f}, "
    f"test accuracy {clf.score(X_test, y_test):.4f}"
)


class LossThreshold(Callback):
    """Stop when the epoch's training loss falls below ``threshold``.

    Parameters
    ----------
    threshold : float
        Training loss at which to stop.
    """

    def __init__(self, threshold):
        self.threshold = threshold

    def on_train_begin(self, trainer):
        self.rates = []

    def on_epoch_end(self, trainer, logs):
        # logs["learning_rate"] is the rate used during this epoch;
        # trainer.learning_rate may already hold the next epoch's rate.
        self.rates.append(logs["learning_rate"])
        if logs["loss"] < self.threshold:
            trainer.stop_training = True


print("\n== 3. custom callback: record the learning rate, stop at loss < 0.05 ==")
clf = MLPClassifier(
    hidden_layer_sizes=(32,),
    solver="sgd",
    learning_rate="invscaling",
    learning_rate_init=0.1,
    power_t=0.3,
    max_iter=300,
    random_state=0,
    callbacks=[LossThreshold(0.05)],
).fit(X_train, y_train)
rates = clf.callbacks_[0].rates  # the copy that ran
print(f"stopped after {clf.n_iter_} of 300 epochs, final loss {clf.loss_:.4f}")
print("recorded learning rates:", np.round(rates[:4], 4), "...", np.round(rates[-1], 4))
print("same as history_['learning_rate']:", rates == clf.history_["learning_rate"])
print(f"test accuracy: {clf.score(X_test, y_test):.4f}")
