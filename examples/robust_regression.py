"""Regression with 10% outliers: which loss survives?

We corrupt 10% of the training targets of Friedman's #1 problem with large
shifts (20 to 40 units, either sign; the clean targets have a standard deviation
of about 5) and fit the same network with four losses. Every model is scored on
clean test targets, so the R^2 says how well it recovered the real function.

The squared error gives each outlier a pull proportional to its size, so a few
corrupted points bend the fit. Huber (quadratic near zero, linear beyond
``huber_delta``), the absolute error and log-cosh all cap that pull.

Run: ``python examples/robust_regression.py``
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from skmlp import MLPRegressor

X, y = make_friedman1(n_samples=2000, noise=0.5, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

rng = np.random.RandomState(1)
y_dirty = y_train.copy()
outliers = rng.choice(len(y_dirty), size=len(y_dirty) // 10, replace=False)
y_dirty[outliers] += rng.choice([-1, 1], len(outliers)) * rng.uniform(
    20, 40, len(outliers)
)
print(f"{len(outliers)} of {len(y_dirty)} training targets corrupted\n")

runs = [
    ("squared_error, clean y", dict(loss="squared_error"), y_train),
    ("squared_error", dict(loss="squared_error"), y_dirty),
    ("huber (delta=1.0)", dict(loss="huber", huber_delta=1.0), y_dirty),
    ("absolute_error", dict(loss="absolute_error"), y_dirty),
    ("log_cosh", dict(loss="log_cosh"), y_dirty),
]
print(f"{'loss':<24} {'test R^2':>8} {'epochs':>7} {'time':>6}")
for label, params, targets in runs:
    model = MLPRegressor(
        hidden_layer_sizes=(32, 32),
        learning_rate_init=0.003,
        max_iter=500,
        random_state=0,
        **params,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, targets)
    elapsed = time.perf_counter() - started
    score = r2_score(y_test, model.predict(X_test))
    print(f"{label:<24} {score:8.3f} {model.n_iter_:7d} {elapsed:5.1f}s")
