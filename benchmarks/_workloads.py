"""The benchmark workloads: data, shared estimator settings and helpers.

Every data set is generated or shipped with scikit-learn (no download), and every
workload builds skmlp's and scikit-learn's estimators from the same keyword
arguments, so the two libraries always train at identical settings. The
fixed-epoch Adam workloads also train a hand-written PyTorch loop (``_torch.py``)
when torch can be imported. Imported by ``run.py`` and ``profile_epoch.py``.
"""

import hashlib
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnClassifier
from sklearn.neural_network import MLPRegressor as SklearnRegressor
from sklearn.preprocessing import StandardScaler

# Benchmark the working tree, not whichever skmlp happens to be installed.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import _torch  # noqa: E402

import skmlp  # noqa: E402
from skmlp import MLPClassifier, MLPRegressor  # noqa: E402

# The libraries every workload compares; "torch" joins the workloads that set
# ``Workload.torch`` when it can be imported (``Workload.libraries``).
LIBRARIES = ("skmlp", "sklearn")
ESTIMATORS = {
    ("skmlp", "classification"): MLPClassifier,
    ("skmlp", "regression"): MLPRegressor,
    ("sklearn", "classification"): SklearnClassifier,
    ("sklearn", "regression"): SklearnRegressor,
    ("torch", "classification"): _torch.TorchClassifier,
    ("torch", "regression"): _torch.TorchRegressor,
}

# Train for exactly ``max_iter`` epochs: no tolerance-based stopping.
FIXED_EPOCHS = {"tol": 0.0, "n_iter_no_change": np.inf}
# Run exactly ``max_iter`` L-BFGS iterations: no gradient tolerance, and a budget
# of loss evaluations (line searches included) that the iterations never reach.
FIXED_ITERATIONS = {"tol": 0.0, "max_fun": 1_000_000}


@dataclass
class Workload:
    """One benchmark workload.

    Parameters
    ----------
    key : str
        Short name used by ``--only`` (``"W1"``).
    name : str
        Human-readable name.
    task : {"classification", "regression"}
    params : dict
        Estimator keyword arguments shared by both libraries.
    dtypes : tuple of str
        Data types the workload trains in.
    sizes : dict
        ``{"full": (n_train, n_test), "quick": (n_train, n_test)}``.
    quick_params : dict
        Overrides of ``params`` in ``--quick`` mode (fewer epochs).
    seeds : tuple of int
        Seeds of the data split and of the estimator (W2: one fit per seed).
    torch : bool
        Also train the PyTorch contender (fixed-epoch Adam workloads only).
    """

    key: str
    name: str
    task: str
    params: dict
    dtypes: tuple = ("float64",)
    sizes: dict = field(default_factory=dict)
    quick_params: dict = field(default_factory=dict)
    seeds: tuple = (0,)
    torch: bool = False

    def settings(self, quick):
        return {**self.params, **(self.quick_params if quick else {})}

    def estimator(self, library, seed=0, quick=False):
        """A fresh estimator of ``library`` with this workload's settings."""
        cls = ESTIMATORS[library, self.task]
        return cls(**self.settings(quick), random_state=seed)

    def libraries(self):
        """The libraries this workload trains: torch too where set and importable."""
        if self.torch and _torch.load_torch() is not None:
            return (*LIBRARIES, "torch")
        return LIBRARIES

    @property
    def iteration(self):
        """What ``n_iter_`` counts: L-BFGS iterations or epochs."""
        return "iteration" if self.params.get("solver") == "lbfgs" else "epoch"

    def data(self, quick=False, seed=0):
        """``X_train, y_train, X_test, y_test`` in float64."""
        n_train, n_test = self.sizes["quick" if quick else "full"]
        return _DATA[self.key](n_train, n_test, seed)


def _mnist_shape(n_train, n_test, seed):
    # 10 well-separated Gaussian clusters in 60 of 784 dimensions: a task of
    # MNIST's shape that a (300, 100) network learns to ~95% in a few epochs.
    X, y = make_classification(
        n_samples=n_train + n_test,
        n_features=784,
        n_informative=60,
        n_redundant=0,
        n_classes=10,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _digits(n_train, n_test, seed):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


def _housing_shape(n_train, n_test, seed):
    # Friedman #1 uses the first 5 features; the other 3 are noise, giving
    # California housing's 8 columns.
    X, y = make_friedman1(
        n_samples=n_train + n_test, n_features=8, noise=1.0, random_state=seed
    )
    scaler = StandardScaler().fit(X[:n_train])
    X = scaler.transform(X)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _small_batches(n_train, n_test, seed):
    X, y = make_classification(
        n_samples=n_train + n_test, n_features=20, random_state=seed
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _many_classes(n_train, n_test, seed):
    # 10 classes of 2 Gaussian clusters each in 30 of 100 dimensions: hard enough
    # that L-BFGS keeps making progress for all of W7b's iterations.
    X, y = make_classification(
        n_samples=n_train + n_test,
        n_features=100,
        n_informative=30,
        n_redundant=0,
        n_classes=10,
        random_state=seed,
    )
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


_DATA = {
    "W1": _mnist_shape,
    "W2": _digits,
    "W3": _housing_shape,
    "W5": _small_batches,
    "W7a": _housing_shape,
    "W7b": _many_classes,
}

W1 = Workload(
    key="W1",
    name="mnist-shape",
    task="classification",
    params={
        "hidden_layer_sizes": (300, 100),
        "activation": "relu",
        "solver": "adam",
        "batch_size": 200,
        "max_iter": 5,
        **FIXED_EPOCHS,
    },
    dtypes=("float64", "float32"),
    sizes={"full": (60000, 10000), "quick": (6000, 1000)},
    quick_params={"max_iter": 2},
    torch=True,
)
W2 = Workload(
    key="W2",
    name="digits",
    task="classification",
    params={},
    dtypes=("float64", "float32"),
    sizes={"full": (None, None), "quick": (None, None)},
    seeds=(0, 1, 2, 3, 4),
)
W3 = Workload(
    key="W3",
    name="housing-shape",
    task="regression",
    params={
        "hidden_layer_sizes": (50, 50, 50),
        "activation": "relu",
        "solver": "adam",
        "batch_size": 200,
        "max_iter": 20,
        **FIXED_EPOCHS,
    },
    sizes={"full": (20640, 5000), "quick": (4000, 1000)},
    quick_params={"max_iter": 5},
    torch=True,
)
W5 = Workload(
    key="W5",
    name="small batches",
    task="classification",
    params={
        "hidden_layer_sizes": (32,),
        "activation": "relu",
        "solver": "adam",
        "batch_size": 32,
        "max_iter": 5,
        **FIXED_EPOCHS,
    },
    sizes={"full": (20000, 5000), "quick": (4000, 1000)},
    quick_params={"max_iter": 2},
    torch=True,
)
# W7, "lbfgs has to be no slower": two full-batch L-BFGS fits of fixed length,
# one regression (W3's data and network) and one 10-class softmax classifier.
W7a = Workload(
    key="W7a",
    name="lbfgs housing-shape",
    task="regression",
    params={
        "hidden_layer_sizes": (50, 50, 50),
        "activation": "relu",
        "solver": "lbfgs",
        "max_iter": 100,
        **FIXED_ITERATIONS,
    },
    sizes={"full": (20640, 5000), "quick": (4000, 1000)},
    quick_params={"max_iter": 20},
)
W7b = Workload(
    key="W7b",
    name="lbfgs 10 classes",
    task="classification",
    params={
        "hidden_layer_sizes": (100,),
        "activation": "relu",
        "solver": "lbfgs",
        "max_iter": 100,
        **FIXED_ITERATIONS,
    },
    sizes={"full": (10000, 2000), "quick": (2000, 1000)},
    quick_params={"max_iter": 20},
)
LBFGS_WORKLOADS = (W7a, W7b)
FIT_WORKLOADS = {w.key: w for w in (W1, W2, W3, W5, W7a, W7b)}

# W6: predict_proba of W1's float32 model on this many rows.
PREDICT_ROWS = {"full": 1_000_000, "quick": 50_000}


def predict_rows(n_rows, n_features, seed=0):
    """Standard-normal float32 rows for the predict-throughput workload."""
    return np.random.default_rng(seed).standard_normal(
        (n_rows, n_features), dtype=np.float32
    )


def layer_units(n_features, hidden_layer_sizes, n_outputs):
    return [n_features, *hidden_layer_sizes, n_outputs]


def n_weights(units):
    """Number of connection weights (biases excluded) of a dense network."""
    return sum(i * o for i, o in pairwise(units))


def fitted_units(estimator):
    """Units per layer of a fitted estimator of either library."""
    return [c.shape[0] for c in estimator.coefs_] + [estimator.coefs_[-1].shape[1]]


def versions():
    import scipy
    import sklearn

    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skmlp": f"{skmlp.__version__} (source {source_digest()})",
    }


def source_digest():
    """Short hash of skmlp's source files, to tie numbers to a code state."""
    digest = hashlib.sha1()
    for path in sorted((ROOT / "skmlp").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]
