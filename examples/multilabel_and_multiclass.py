"""Sigmoid or softmax outputs: multilabel, multiclass and binary targets.

- Multilabel (each sample may carry several labels): one sigmoid unit per label,
  each an independent probability, so a ``predict_proba`` row need not sum to 1.
  A softmax output would force the labels to compete and is refused.
- Multiclass (exactly one class per sample): ``'auto'`` picks a softmax over the
  classes. Independent sigmoids (one-vs-rest) also train; their
  ``predict_proba`` rows are renormalised to sum to 1.
- Binary: ``'auto'`` uses one sigmoid unit; ``output_activation='softmax'``
  uses two softmax units. Both give ``predict_proba`` of shape (n, 2).

Run: ``python examples/multilabel_and_multiclass.py``
"""

import warnings

import numpy as np
from sklearn.datasets import (
    load_wine,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
np.set_printoptions(precision=3, suppress=True)


def describe(clf, X_test, y_test):
    """One line: output layer, loss, predict_proba shape and row sums, accuracy."""
    mlp = clf[-1]
    proba = clf.predict_proba(X_test)
    sums = proba.sum(axis=1)
    return (
        f"out={mlp.out_activation_:<8} units={mlp.n_outputs_} "
        f"loss={mlp.loss_function_.name:<24} "
        f"proba {proba.shape} sums {sums.min():.2f}-{sums.max():.2f}  "
        f"accuracy={clf.score(X_test, y_test):.3f}"
    )


def model(**params):
    return make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0, **params),
    )


print("== multilabel: 4 labels, any subset per sample ==")
X, Y = make_multilabel_classification(
    n_samples=800, n_features=10, n_classes=4, random_state=0
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
clf = model().fit(X_train, Y_train)
print("auto    ", describe(clf, X_test, Y_test), "(subset accuracy)")
print("first predictions (label-indicator rows):\n", clf.predict(X_test[:3]))
print("their probabilities:\n", clf.predict_proba(X_test[:3]))
try:
    model(output_activation="softmax").fit(X_train, Y_train)
except ValueError as exc:
    print("softmax -> ValueError:", exc)

print("\n== multiclass: 3 wine cultivars, one per sample ==")
X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
for output in ("auto", "softmax", "sigmoid"):
    clf = model(output_activation=output).fit(X_train, y_train)
    print(f"{output:<8}", describe(clf, X_test, y_test))
clf = model(loss="squared_error").fit(X_train, y_train)
print("sq_error", describe(clf, X_test, y_test))

print("\n== binary ==")
X, y = make_classification(n_samples=600, n_features=8, random_state=0)
y = np.array(["no", "yes"])[y]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
for output in ("auto", "softmax"):
    clf = model(output_activation=output).fit(X_train, y_train)
    print(f"{output:<8}", describe(clf, X_test, y_test))
print("classes_:", clf[-1].classes_, " predict:", clf.predict(X_test[:4]))
