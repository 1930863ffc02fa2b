"""A short tour of skmlp: ``python -m skmlp``.

Trains a few small models on generated data and on data scikit-learn ships, and
prints compact tables. It takes well under a minute and doubles as a smoke test of
an installation.
"""

import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor, Perceptron


def _table(title, header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join("{:<%d}" % w for w in widths)
    print(f"\n{title}")
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


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


def logic_gates():
    """Rosenblatt's perceptron learns AND and OR but not XOR."""
    rows = [
        (row["gate"], f"{row['accuracy']:.2f}", "yes" if row["learned"] else "no")
        for row in logic_gates_demo()
    ]
    _table("Perceptron (step='heaviside')", ("gate", "accuracy", "learned"), rows)


def xor_demo():
    """XOR needs a hidden layer; logistic and relu hidden units both learn it."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0])
    rows = []
    for activation in ("logistic", "relu"):
        clf = MLPClassifier(
            hidden_layer_sizes=(4,),
            activation=activation,
            solver="lbfgs",
            random_state=1,
        ).fit(X, y)
        rows.append(
            (activation, "".join(map(str, clf.predict(X))), f"{clf.score(X, y):.2f}")
        )
    _table(
        "MLP on XOR (targets 0110)",
        ("hidden activation", "predictions", "accuracy"),
        rows,
    )


def digits_demo():
    """skmlp and scikit-learn side by side on the digits data."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    rows = []
    for name, cls in (("skmlp", MLPClassifier), ("scikit-learn", SklearnMLPClassifier)):
        model = make_pipeline(StandardScaler(), cls(random_state=0))
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows.append(
            (
                name,
                f"{model.score(X_test, y_test):.3f}",
                f"{seconds:.2f}",
                model[-1].n_iter_,
            )
        )
    _table(
        "Digits, default MLPClassifier",
        ("library", "test accuracy", "fit s", "epochs"),
        rows,
    )


def outliers_demo():
    """Robust losses shrug off 10% gross outliers in the training targets."""
    rng = np.random.RandomState(0)
    X, y = make_regression(n_samples=1000, n_features=5, noise=1.0, random_state=0)
    y = y / y.std()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    y_dirty = y_train.copy()
    outliers = rng.rand(len(y_dirty)) < 0.1
    y_dirty[outliers] += rng.choice([-1, 1], outliers.sum()) * 10
    rows = []
    for loss in ("squared_error", "huber", "log_cosh", "absolute_error"):
        reg = MLPRegressor(
            hidden_layer_sizes=(16,),
            loss=loss,
            learning_rate_init=0.01,
            random_state=0,
        ).fit(X_train, y_dirty)
        rows.append((loss, f"{reg.score(X_test, y_test):.3f}"))
    _table(
        "Regression with 10% outliers (R^2 on clean test targets)",
        ("loss", "test R^2"),
        rows,
    )


def positive_demo():
    """A softplus output never predicts a negative value for positive targets."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(800, 3))
    y = np.exp(X[:, 0]) * 0.5 + 0.1 * rng.rand(800)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    rows = []
    for output in ("identity", "softplus", "exp"):
        reg = MLPRegressor(
            hidden_layer_sizes=(16,),
            output_activation=output,
            solver="lbfgs",
            max_iter=300,
            random_state=0,
        )
        reg.fit(X_train, y_train)
        pred = reg.predict(X_test - 1.5)  # extrapolate towards small targets
        rows.append(
            (output, f"{reg.score(X_test, y_test):.3f}", f"{(pred < 0).mean():.1%}")
        )
    _table(
        "Positive targets: output activation",
        ("output_activation", "test R^2", "negative predictions (shifted X)"),
        rows,
    )


def main():
    """Run every demo and print its table."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        logic_gates()
        xor_demo()
        digits_demo()
        outliers_demo()
        positive_demo()
    print(f"\nskmlp tour finished in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
