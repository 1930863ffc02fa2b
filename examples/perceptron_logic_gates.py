"""The textbook's first network: a perceptron learns AND and OR, but not XOR.

A perceptron is a single layer of threshold units: it draws one straight line
through the input plane and says "1" on one side. AND and OR are linearly
separable, so the perceptron rule finds such a line and gets all four inputs
right. XOR's positives sit on a diagonal: no line separates them, and the best
any line does is three out of four (accuracy 0.75). One hidden layer is enough
to learn XOR.

Both threshold rules are shown: scikit-learn's ``step="sign"`` and Rosenblatt's
``step="heaviside"`` (0/1 outputs, ``w += eta0 * (t - h) * x``). They differ
only on a zero margin, so they can end at different lines.

Run: ``python examples/perceptron_logic_gates.py``
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skmlp import Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def perceptron_gates():
    print(
        f"{'gate':<5} {'step':<10} {'accuracy':>8}  {'weights':<14}  {'intercept':>9}"
    )
    for gate, y in GATES.items():
        for step in ("sign", "heaviside"):
            with warnings.catch_warnings():
                # XOR never converges: there is no line to converge to.
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf = Perceptron(step=step, random_state=0).fit(X, y)
            accuracy, weights = clf.score(X, y), np.array2string(clf.coef_[0])
            print(
                f"{gate:<5} {step:<10} {accuracy:>8.2f}  {weights:<14}"
                f"  {clf.intercept_[0]:>9.1f}"
            )
            if gate == "XOR":
                assert accuracy <= 0.75, "a straight line cannot get XOR right"
            else:
                assert accuracy == 1.0, f"{gate} is linearly separable"


def mlp_learns_xor():
    # Imported here: the example's first part needs only the perceptron.
    from skmlp import MLPClassifier

    y = GATES["XOR"]
    mlp = MLPClassifier(
        hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", random_state=0
    ).fit(X, y)
    print(f"\nMLP with one hidden layer of 4 tanh units on XOR: {mlp.predict(X)}")
    print(f"accuracy {mlp.score(X, y):.2f}")
    assert mlp.score(X, y) == 1.0


if __name__ == "__main__":
    perceptron_gates()
    mlp_learns_xor()
