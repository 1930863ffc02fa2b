"""An optional third contender: the same MLP trained by a hand-written PyTorch loop.

torch is not a dependency of skmlp or of the benchmarks (``pip install
torch==2.13.0`` adds it). This module imports without it: :func:`load_torch`
returns None when torch cannot be imported, and ``run.py`` then reports
"torch: not installed, skipped". Setting the environment variable
``SKMLP_BENCH_NO_TORCH=1`` makes it behave as if torch were absent, to check the
benchmarks without it.

The estimators train what the fixed-epoch Adam workloads train in the two other
libraries: the same layers and activation, scikit-learn's Glorot-uniform
initialisation, Adam, an L2 penalty on the weights, the same mini-batches. They
draw their initial weights and every epoch's shuffle from a NumPy
``RandomState`` exactly as scikit-learn does, so at the same ``random_state``
they see the same batches in the same order and start from the same weights.
"""

import functools
import os
from itertools import pairwise

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state, shuffle

DISABLE_VARIABLE = "SKMLP_BENCH_NO_TORCH"


@functools.cache
def _import_torch():
    """``(torch, None)`` or ``(None, reason it is unavailable)``; imported once."""
    if os.environ.get(DISABLE_VARIABLE):
        return None, f"disabled by {DISABLE_VARIABLE}, skipped"
    try:
        import torch
    except ModuleNotFoundError:
        return None, "not installed, skipped"
    except (ImportError, OSError) as error:
        # Installed but broken (a missing shared library, say): still optional.
        return None, f"not importable ({error}), skipped"
    return torch, None


def load_torch():
    """The ``torch`` module, or None when it is not importable or disabled."""
    return _import_torch()[0]


def status(threads):
    """One line for the report header: torch's version and threads, or why not."""
    torch, reason = _import_torch()
    if torch is None:
        return reason
    return f"{torch.__version__}, {threads} intra-op thread(s)"


def set_threads(threads):
    """Pin torch's intra-op threads (``--threads``); no-op without torch.

    torch sizes its intra-op pool to the cores when it starts, and threadpoolctl's
    limits reach only the libraries loaded when they are set: torch gets the
    number explicitly.
    """
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(threads)


def warm_up():
    """Pay torch's one-time costs before anything is timed or measured.

    The first fit in a process takes about a second more (lazy imports behind
    ``torch.optim``, kernel set-up per dtype); a few tiny fits in every dtype
    and output type move that out of the first timed repeat.
    """
    if load_torch() is None:
        return
    rng = np.random.RandomState(0)
    X = rng.standard_normal((20, 3))
    y = np.arange(20) % 3
    for dtype in (np.float64, np.float32):
        settings = {"hidden_layer_sizes": (4,), "batch_size": 10, "max_iter": 1}
        for estimator, target in (
            (TorchClassifier(**settings), y),
            (TorchClassifier(**settings), y % 2),
            (TorchRegressor(**settings), X[:, 0]),
        ):
            estimator.fit(X.astype(dtype), target).predict(X.astype(dtype))


def _require_torch():
    torch, reason = _import_torch()
    if torch is None:
        raise RuntimeError(f"torch: {reason}")
    return torch


def _hidden_activation(torch, name):
    return {
        "identity": lambda a: a,
        "logistic": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
    }[name]


class _TorchMLP(BaseEstimator):
    """Shared fitting loop of :class:`TorchClassifier` and :class:`TorchRegressor`.

    Trains exactly ``max_iter`` epochs of mini-batch Adam (``torch.optim.Adam``,
    fused CPU kernel) on the loss ``data_loss + alpha / (2 * batch_rows) *
    sum(||W||^2)`` (weights only, scikit-learn's convention), in the dtype of
    ``X`` (float32 or float64; anything else trains in float64).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
    solver : {"adam"}, default="adam"
        Only Adam; the parameter exists so the workloads' shared settings apply.
    alpha : float, default=1e-4
        L2 penalty on the weights.
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)``, as in scikit-learn.
    learning_rate_init : float, default=1e-3
    max_iter : int, default=200
        Number of epochs, always all of them.
    shuffle : bool, default=True
        Shuffle the samples before every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the shuffles, drawn as scikit-learn draws
        them.
    tol : float, default=0.0
    n_iter_no_change : int or float, default=np.inf
        Accepted so the workloads' shared settings apply; this loop has no
        early stopping, so they must leave it off (``tol=0`` or an infinite
        ``n_iter_no_change``).
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's constants. torch adds ``epsilon`` to the bias-corrected
        ``sqrt(v_hat)``, scikit-learn to the uncorrected ``sqrt(v)``; with
        ``epsilon=1e-8`` the steps differ only where ``v`` is tiny.

    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
        Weights ``(fan_in, fan_out)`` and biases per layer, as in scikit-learn.
    n_iter_ : int
        Epochs run (``max_iter``).
    loss_ : float
        Mean training loss of the last epoch, penalty included.
    n_features_in_ : int
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=0.0,
        n_iter_no_change=np.inf,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def fit(self, X, y):
        """Train for ``max_iter`` epochs on ``X`` (2-D array) and ``y``."""
        torch = _require_torch()
        if self.solver != "adam":
            raise ValueError(f"only solver='adam' is implemented, not {self.solver!r}")
        if self.tol > 0 and np.isfinite(self.n_iter_no_change):
            raise ValueError(
                "this loop always runs max_iter epochs: pass tol=0 or "
                "n_iter_no_change=np.inf"
            )
        X = np.asarray(X)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        X = np.ascontiguousarray(X, dtype=dtype)
        target, n_outputs = self._encode_target(np.asarray(y), dtype)
        n_samples, self.n_features_in_ = X.shape
        batch_size = self.batch_size
        if batch_size == "auto":
            batch_size = min(200, n_samples)
        batch_size = int(np.clip(batch_size, 1, n_samples))

        random_state = check_random_state(self.random_state)
        weights, biases = self._init_parameters(
            torch,
            [self.n_features_in_, *self.hidden_layer_sizes, n_outputs],
            dtype,
            random_state,
        )
        optimizer = torch.optim.Adam(
            weights + biases,
            lr=self.learning_rate_init,
            betas=(self.beta_1, self.beta_2),
            eps=self.epsilon,
            fused=True,
        )
        hidden = _hidden_activation(torch, self.activation)
        X_all, target_all = torch.from_numpy(X), torch.from_numpy(target)
        sample_idx = np.arange(n_samples)
        self.loss_ = np.nan
        for _ in range(self.max_iter):
            if self.shuffle:
                # The same call on the same RandomState as scikit-learn's loop.
                sample_idx = shuffle(sample_idx, random_state=random_state)
            order = torch.from_numpy(sample_idx)
            # Summed as a tensor: one .item() per epoch, not one per step.
            epoch_loss = torch.zeros((), dtype=X_all.dtype)
            for start in range(0, n_samples, batch_size):
                batch = order[start : start + batch_size]
                n_rows = batch.shape[0]
                output = self._forward(
                    torch.index_select(X_all, 0, batch), weights, biases, hidden
                )
                loss = self._data_loss(torch, output, target_all[batch])
                penalty = sum((W * W).sum() for W in weights)
                loss = loss + self.alpha / (2 * n_rows) * penalty
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                epoch_loss += loss.detach() * n_rows
            self.loss_ = float(epoch_loss) / n_samples
        self.n_iter_ = self.max_iter
        self.coefs_ = [W.detach().numpy() for W in weights]
        self.intercepts_ = [b.detach().numpy() for b in biases]
        return self

    def _init_parameters(self, torch, units, dtype, random_state):
        """Glorot-uniform weights and biases, drawn in scikit-learn's order."""
        factor = 2.0 if self.activation == "logistic" else 6.0
        weights, biases = [], []
        for fan_in, fan_out in pairwise(units):
            bound = np.sqrt(factor / (fan_in + fan_out))
            W = random_state.uniform(-bound, bound, (fan_in, fan_out))
            b = random_state.uniform(-bound, bound, fan_out)
            weights.append(torch.tensor(W.astype(dtype), requires_grad=True))
            biases.append(torch.tensor(b.astype(dtype), requires_grad=True))
        return weights, biases

    @staticmethod
    def _forward(a, weights, biases, hidden):
        """Output layer's pre-activation: the loss functions take logits."""
        last = len(weights) - 1
        for i, (W, b) in enumerate(zip(weights, biases, strict=True)):
            a = b.addmm(a, W)
            if i < last:
                a = hidden(a)
        return a

    def _raw_output(self, X):
        torch = _require_torch()
        dtype = self.coefs_[0].dtype
        hidden = _hidden_activation(torch, self.activation)
        with torch.inference_mode():
            output = self._forward(
                torch.from_numpy(np.ascontiguousarray(X, dtype=dtype)),
                [torch.from_numpy(W) for W in self.coefs_],
                [torch.from_numpy(b) for b in self.intercepts_],
                hidden,
            )
        return torch, output


class TorchClassifier(_TorchMLP):
    """Binary (one logistic unit) or multiclass (softmax) classifier.

    The loss is the mean cross-entropy, computed from the logits: the same value
    and gradient (``(p - y) / batch_rows``) as scikit-learn's log loss.
    """

    def _encode_target(self, y, dtype):
        self.classes_, indices = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("need at least two classes")
        if len(self.classes_) == 2:
            return indices.astype(dtype).reshape(-1, 1), 1
        return indices.astype(np.int64), len(self.classes_)

    def _data_loss(self, torch, logits, target):
        if len(self.classes_) == 2:
            return torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
        return torch.nn.functional.cross_entropy(logits, target)

    def predict_proba(self, X):
        """Class probabilities, ``(n_samples, n_classes)``."""
        torch, logits = self._raw_output(X)
        if len(self.classes_) == 2:
            positive = torch.sigmoid(logits).numpy().ravel()
            return np.column_stack([1 - positive, positive])
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X):
        """Most probable class per row."""
        _, logits = self._raw_output(X)
        logits = logits.numpy()
        if len(self.classes_) == 2:
            return self.classes_[(logits[:, 0] > 0).astype(int)]
        return self.classes_[logits.argmax(axis=1)]


class TorchRegressor(_TorchMLP):
    """Identity output; loss ``sum((output - y)^2) / (2 * batch_rows)``.

    That is scikit-learn's squared error for one output, and for several outputs
    the loss whose gradient scikit-learn's backpropagation uses
    (``(output - y) / batch_rows``).
    """

    def _encode_target(self, y, dtype):
        self._single_output = y.ndim == 1
        target = np.ascontiguousarray(y.reshape(len(y), -1), dtype=dtype)
        return target, target.shape[1]

    def _data_loss(self, torch, output, target):
        return ((output - target) ** 2).sum() / (2 * output.shape[0])

    def predict(self, X):
        """Predicted targets, 1-D for a single output."""
        _, output = self._raw_output(X)
        output = output.numpy()
        return output.ravel() if self._single_output else output
