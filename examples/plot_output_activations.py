"""Positive targets: identity, softplus or exponential output?

The targets are positive and right-skewed (a gamma-distributed quantity whose mean
depends on the features), the kind of data where a linear output unit happily
predicts negative values for samples near zero. We fit the same network with
three output activations and the same squared-error loss, then once more with the
Poisson loss, whose natural link is the exponential (``output_activation='auto'``).

For each model we print the test R^2 against the observed targets, the R^2
against the noise-free mean (what the network should learn), and the fraction of
test predictions below zero. A figure is saved only if matplotlib is installed.

Run: ``python examples/plot_output_activations.py``
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from skmlp import MLPRegressor

rng = np.random.RandomState(0)
n_samples = 3000
X = rng.uniform(-2, 2, size=(n_samples, 4))
mean = np.exp(np.sin(2 * X[:, 0]) + X[:, 1] - 1.0)  # only 2 of 4 features matter
y = rng.gamma(shape=4.0, scale=mean / 4.0)  # E[y | X] = mean, y > 0

X_train, X_test, y_train, y_test, _, mean_test = train_test_split(
    X, y, mean, random_state=0
)
print(
    f"targets: min={y.min():.3f}  median={np.median(y):.3f}  max={y.max():.1f}  "
    f"(share below 0.1: {np.mean(y < 0.1):.0%})\n"
)

models = {
    "identity + squared_error": dict(output_activation="identity"),
    "softplus + squared_error": dict(output_activation="softplus"),
    "exp + squared_error": dict(output_activation="exp"),
    "auto (exp) + poisson": dict(loss="poisson"),
}
predictions = {}
print(f"{'output + loss':<26} {'R^2 (y)':>8} {'R^2 (mean)':>11} {'< 0':>7}")
for label, params in models.items():
    model = MLPRegressor(
        hidden_layer_sizes=(32, 32),
        learning_rate_init=0.003,
        max_iter=300,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    pred = model.predict(X_test)
    predictions[label] = pred
    print(
        f"{label:<26} {r2_score(y_test, pred):8.3f} "
        f"{r2_score(mean_test, pred):11.3f} {np.mean(pred < 0):7.1%}"
    )

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    fig, axes = plt.subplots(1, len(predictions), figsize=(14, 3.5), sharey=True)
    for ax, (label, pred) in zip(axes, predictions.items(), strict=True):
        ax.scatter(mean_test, pred, s=4, alpha=0.5)
        ax.axhline(0, color="grey", lw=0.8)
        ax.plot([0, mean_test.max()], [0, mean_test.max()], color="black", lw=0.8)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("noise-free mean")
    axes[0].set_ylabel("prediction")
    fig.tight_layout()
    fig.savefig("plot_output_activations.png", dpi=100)
    print("\nsaved plot_output_activations.png")
