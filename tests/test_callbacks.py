"""Tests of skmlp.callbacks against scripted epochs and a minimal fake trainer."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network._stochastic_optimizers import SGDOptimizer

from skmlp.callbacks import (
    Callback,
    History,
    InverseScaling,
    PlateauMonitor,
    ProgressPrinter,
)


class FakeTrainer:
    """What callbacks may read and change on the real Trainer."""

    def __init__(self, learning_rate=0.1, params=None, t=0):
        self.learning_rate = learning_rate
        self.params = np.zeros(3) if params is None else params
        self.t = t
        self.stop_training = False
        self.stop_reason = None


def _run(callback, trainer, key, values):
    """Feed one epoch per value; return per-epoch (count, lr) until a stop."""
    callback.on_train_begin(trainer)
    seen = []
    for epoch, value in enumerate(values, start=1):
        callback.on_epoch_end(trainer, {"epoch": epoch, key: value})
        seen.append((callback.no_improvement_count, trainer.learning_rate))
        if trainer.stop_training:
            break
    callback.on_train_end(trainer)
    return seen


# ---- PlateauMonitor: scikit-learn's tol / n_iter_no_change rule ----------------


def test_plateau_counts_epochs_without_tol_improvement_on_loss():
    # tol = 0.01, n_iter_no_change = 2: stop when the count exceeds 2.
    losses = [1.0, 0.995, 0.98, 0.975, 0.99, 0.97, 0.5]
    # 1.0: first value improves on inf                       -> 0, best 1.0
    # 0.995 > 1.0 - 0.01: no tol-improvement, but lower      -> 1, best 0.995
    # 0.98 <= 0.995 - 0.01                                   -> 0, best 0.98
    # 0.975 > 0.97                                           -> 1, best 0.975
    # 0.99 > 0.965                                           -> 2
    # 0.97 > 0.965                                           -> 3 > 2: stop
    monitor = PlateauMonitor(tol=0.01, n_iter_no_change=2)
    trainer = FakeTrainer()

    seen = _run(monitor, trainer, "loss", losses)

    assert [count for count, _ in seen] == [0, 1, 0, 1, 2, 3]
    assert trainer.stop_training
    assert trainer.stop_reason == (
        "Training loss did not improve more than tol=0.010000 for 2 "
        "consecutive epochs. Stopping."
    )
    assert monitor.best == 0.97
    assert monitor.best_params is None  # only tracked for validation scores
    assert trainer.learning_rate == 0.1


def test_plateau_on_validation_score_keeps_best_params():
    scores = [0.5, 0.7, 0.705, 0.6, 0.71, 0.69]
    # higher is better, tol = 0.01, n_iter_no_change = 2:
    # 0.5 -> 0; 0.7 -> 0; 0.705 < 0.71 -> 1 (best 0.705); 0.6 -> 2;
    # 0.71 < 0.715 -> 3 > 2: stop, best 0.71 (epoch 5)
    monitor = PlateauMonitor(tol=0.01, n_iter_no_change=2, monitor="val_score")
    trainer = FakeTrainer()
    monitor.on_train_begin(trainer)
    counts = []
    for epoch, score in enumerate(scores, start=1):
        trainer.params[...] = epoch  # parameters the trainer holds after epoch
        monitor.on_epoch_end(trainer, {"epoch": epoch, "val_score": score})
        counts.append(monitor.no_improvement_count)
        if trainer.stop_training:
            break

    assert counts == [0, 0, 1, 2, 3]
    assert monitor.best == 0.71
    assert_array_equal(monitor.best_params, [5.0, 5.0, 5.0])
    assert monitor.best_params is not trainer.params
    assert trainer.stop_reason.startswith(
        "Validation score did not improve more than tol=0.010000 for 2 "
    )


def test_plateau_best_params_are_a_copy():
    monitor = PlateauMonitor(tol=0.0, n_iter_no_change=5, monitor="val_score")
    trainer = FakeTrainer(params=np.array([1.0, 2.0]))
    monitor.on_train_begin(trainer)
    monitor.on_epoch_end(trainer, {"val_score": 0.9})
    trainer.params += 10.0  # a later (worse) epoch changes the weights in place
    monitor.on_epoch_end(trainer, {"val_score": 0.1})
    assert_array_equal(monitor.best_params, [1.0, 2.0])


def test_plateau_adaptive_divides_learning_rate_by_5_down_to_1e_6():
    # A loss that never improves after the first epoch, n_iter_no_change = 1:
    # every second epoch the count reaches 2 > 1 and the rule fires.
    monitor = PlateauMonitor(tol=1e-4, n_iter_no_change=1, adaptive=True)
    trainer = FakeTrainer(learning_rate=1e-3)

    seen = _run(monitor, trainer, "loss", [1.0] * 100)

    rates = [lr for _, lr in seen]
    expected = [1e-3, 1e-3] + [r for r in (2e-4, 4e-5, 8e-6, 1.6e-6) for _ in (0, 1)]
    # ... then 3.2e-7 <= 1e-6: the next firing stops instead of dividing.
    expected += [3.2e-7, 3.2e-7, 3.2e-7]
    assert_allclose(rates, expected, rtol=1e-12)
    assert len(seen) == 13
    assert [count for count, _ in seen] == [0, 1] + [0, 1] * 5 + [2]
    assert trainer.stop_training
    assert trainer.stop_reason.endswith(" Learning rate too small. Stopping.")


def test_plateau_adaptive_matches_scikit_learn_sgd_optimizer():
    # scikit-learn's own trigger_stopping, fired at the same epochs.
    reference = SGDOptimizer([], learning_rate_init=0.1, lr_schedule="adaptive")
    monitor = PlateauMonitor(tol=1e-4, n_iter_no_change=2, adaptive=True)
    trainer = FakeTrainer(learning_rate=0.1)
    monitor.on_train_begin(trainer)
    best, count, stopped_at = np.inf, 0, None
    for epoch, loss in enumerate([1.0, 0.9] + [0.9] * 200, start=1):
        # scikit-learn's _update_no_improvement_count and loop, inline.
        count = count + 1 if loss > best - 1e-4 else 0
        best = min(best, loss)
        if count > 2:
            if reference.trigger_stopping("msg", verbose=False):
                stopped_at = epoch
            count = 0
        monitor.on_epoch_end(trainer, {"loss": loss})
        assert trainer.learning_rate == pytest.approx(
            reference.learning_rate, rel=1e-15
        )
        if stopped_at:
            break
    assert trainer.stop_training
    assert stopped_at is not None


def test_plateau_adaptive_verbose_messages(capsys):
    monitor = PlateauMonitor(tol=0.0, n_iter_no_change=0, adaptive=True, verbose=True)
    trainer = FakeTrainer(learning_rate=1e-3)
    _run(monitor, trainer, "loss", [1.0, 1.1])
    assert capsys.readouterr().out == (
        "Training loss did not improve more than tol=0.000000 for 0 consecutive "
        "epochs. Setting learning rate to 0.000200\n"
    )


def test_plateau_not_adaptive_stops_even_with_large_learning_rate(capsys):
    monitor = PlateauMonitor(tol=0.0, n_iter_no_change=0, verbose=True)
    trainer = FakeTrainer(learning_rate=1.0)
    seen = _run(monitor, trainer, "loss", [1.0, 1.1, 1.2])
    assert len(seen) == 2
    assert trainer.learning_rate == 1.0
    assert capsys.readouterr().out.endswith("0 consecutive epochs. Stopping.\n")


def test_plateau_tol_zero_only_a_rise_counts():
    # scikit-learn's strict test `loss > best - tol`: with tol=0 an equal loss
    # resets the count, only a higher one increments it.
    monitor = PlateauMonitor(tol=0.0, n_iter_no_change=10)
    seen = _run(monitor, FakeTrainer(), "loss", [1.0, 1.0, 1.2, 1.0, 0.99])
    assert [count for count, _ in seen] == [0, 0, 1, 0, 0]


def test_plateau_continues_from_previous_fit():
    # warm_start / partial_fit hand in the best value and the count so far.
    monitor = PlateauMonitor(
        tol=0.01, n_iter_no_change=2, best=0.5, no_improvement_count=2
    )
    trainer = FakeTrainer()
    seen = _run(monitor, trainer, "loss", [0.499])
    assert seen == [(3, 0.1)]
    assert trainer.stop_training
    assert monitor.best == 0.499


def test_plateau_infinite_patience_never_stops():
    monitor = PlateauMonitor(tol=1.0, n_iter_no_change=np.inf)
    trainer = FakeTrainer()
    seen = _run(monitor, trainer, "loss", np.linspace(1, 2, 50))
    assert len(seen) == 50
    assert not trainer.stop_training


# ---- History, InverseScaling, ProgressPrinter -----------------------------------


def test_history_accumulates_every_key():
    history = History()
    history.on_train_begin(FakeTrainer())
    for epoch, loss in enumerate([0.5, 0.4, 0.3], start=1):
        history.on_epoch_end(None, {"epoch": epoch, "loss": loss, "learning_rate": 0.1})
    history.on_train_end(None)
    assert history.history == {
        "epoch": [1, 2, 3],
        "loss": [0.5, 0.4, 0.3],
        "learning_rate": [0.1, 0.1, 0.1],
    }


def test_history_continues_a_previous_fit():
    previous = {"epoch": [1], "loss": [0.9]}
    history = History(previous)
    history.on_train_begin(None)
    history.on_epoch_end(None, {"epoch": 2, "loss": 0.8, "val_score": 0.7})
    assert history.history is previous
    assert previous == {"epoch": [1, 2], "loss": [0.9, 0.8], "val_score": [0.7]}


@pytest.mark.parametrize(
    "t, expected",
    [(0, 0.1), (3, 0.05), (99, 0.01), (9999, 0.001)],
)
def test_inverse_scaling_formula(t, expected):
    # learning_rate_init / (t + 1) ** power_t with power_t = 0.5
    trainer = FakeTrainer(learning_rate=123.0, t=t)
    InverseScaling(learning_rate_init=0.1, power_t=0.5).on_epoch_end(trainer, {})
    assert trainer.learning_rate == pytest.approx(expected, rel=1e-15)


def test_inverse_scaling_matches_scikit_learn():
    reference = SGDOptimizer(
        [], learning_rate_init=0.3, lr_schedule="invscaling", power_t=0.25
    )
    callback = InverseScaling(learning_rate_init=0.3, power_t=0.25)
    trainer = FakeTrainer()
    for t in (7, 200, 12345):
        trainer.t = t
        callback.on_epoch_end(trainer, {})
        reference.iteration_ends(t)
        assert trainer.learning_rate == reference.learning_rate


def test_progress_printer_uses_scikit_learn_format(capsys):
    # scikit-learn numbers the iterations of the current call (trainer.n_iter),
    # not the epochs counted on across warm starts (logs["epoch"]).
    printer, trainer = ProgressPrinter(), FakeTrainer()
    trainer.n_iter = 3
    printer.on_epoch_end(trainer, {"epoch": 13, "loss": 0.123456789})
    trainer.n_iter = 4
    printer.on_epoch_end(trainer, {"epoch": 14, "loss": 0.1, "val_score": 0.875})
    assert capsys.readouterr().out == (
        "Iteration 3, loss = 0.12345679\n"
        "Iteration 4, loss = 0.10000000\nValidation score: 0.875000\n"
    )


def test_base_callback_hooks_are_no_ops():
    trainer = FakeTrainer()
    callback = Callback()
    callback.on_train_begin(trainer)
    callback.on_epoch_end(trainer, {"loss": 1.0})
    callback.on_train_end(trainer)
    assert not trainer.stop_training
    assert trainer.learning_rate == 0.1
