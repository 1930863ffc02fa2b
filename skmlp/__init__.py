"""skmlp: scikit-learn compatible multi-layer perceptrons on a NumPy core."""

from skmlp._classifier import MLPClassifier
from skmlp._perceptron import Perceptron
from skmlp._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "Perceptron"]
__version__ = "0.1.0"
