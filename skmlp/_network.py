"""A fully connected network as plain functions of its parameters.

The parameters live in one flat vector: every weight matrix (``coefs``) then every
bias vector (``intercepts``), in layer order, the layout scikit-learn's L-BFGS
bridge uses. ``coefs`` and ``intercepts`` are views into that vector, so an
optimizer can update all parameters with a handful of array operations and
L-BFGS can work on the vector directly.
"""

from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

import numpy as np

from skmlp.losses import weighted_mean

# Rows per forward pass at predict time: bounds the memory of the hidden
# activations for very large inputs while keeping GEMMs big enough for BLAS.
PREDICT_CHUNK_ROWS = 16384

# Weight matrices up to this many entries are copied transposed before the
# input-gradient GEMM (see Network._input_gradient).
SMALL_COEF_SIZE = 8192


@dataclass
class Network:
    """Architecture of a multi-layer perceptron, without its parameters.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input and output included.
    hidden_activations : list of Activation
        One activation per hidden layer.
    output_activation : Activation
        The output layer's activation.
    loss : Loss, default=None
        The training loss (not needed to predict).
    alpha : float, default=0.0
        L2 penalty strength on the weights (not the biases).
    """

    layer_units: list
    hidden_activations: list
    output_activation: object
    loss: object = None
    alpha: float = 0.0
    # The last few (flat, views) pairs and ones-vectors: training passes the
    # same parameter and gradient buffers at every step, and rebuilding their
    # views costs more than a small network's GEMMs.
    _views: list = field(default_factory=list, repr=False, compare=False)
    _ones: dict = field(default_factory=dict, repr=False, compare=False)
    # GEMM outputs of training steps, kept from one step to the next: see _buffer.
    _buffers: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_params(self):
        """Total number of parameters."""
        units = self.layer_units
        return sum((i + 1) * o for i, o in pairwise(units))

    @cached_property
    def n_weights(self):
        """Number of weights (the first block of the flat vector, before biases)."""
        return sum(i * o for i, o in pairwise(self.layer_units))

    @property
    def fused(self):
        """True when the loss's canonical link is the output activation."""
        return (
            self.loss is not None
            and self.loss.canonical_activation == self.output_activation.name
        )

    def unpack(self, flat):
        """Return ``(coefs, intercepts)`` as views into the flat vector ``flat``."""
        units = self.layer_units
        coefs, intercepts, start = [], [], 0
        for fan_in, fan_out in pairwise(units):
            end = start + fan_in * fan_out
            coefs.append(flat[start:end].reshape(fan_in, fan_out))
            start = end
        for fan_out in units[1:]:
            intercepts.append(flat[start : start + fan_out])
            start += fan_out
        return coefs, intercepts

    def _cached_unpack(self, flat):
        for cached, views in self._views:
            if cached is flat:
                return views
        views = self.unpack(flat)
        self._views = [*self._views[-3:], (flat, views)]
        return views

    def _ones_like_rows(self, delta):
        key = (delta.shape[0], delta.dtype)
        if key not in self._ones:
            self._ones[key] = np.ones(delta.shape[0], dtype=delta.dtype)
        return self._ones[key]

    def _buffer(self, key, shape, dtype):
        """An array of ``shape`` and ``dtype`` that training steps reuse for ``key``.

        A full-batch (L-BFGS) step makes several arrays of many MiB. Allocated
        afresh at every step, they make the C allocator return the pages to the
        system and fault them in again, which measured 15-25% of an L-BFGS
        iteration; writing GEMM results into kept buffers avoids it. (Small
        mini-batch arrays gain nothing, but lose nothing measurable either.)
        """
        buffer = self._buffers.get(key)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = self._buffers[key] = np.empty(shape, dtype=dtype)
        return buffer

    def _matmul(self, a, b, key):
        """``a @ b``, written into the buffer ``key`` when ``a`` is dense."""
        if not isinstance(a, np.ndarray):  # sparse input
            return a @ b
        shape = (a.shape[0], b.shape[1])
        return np.matmul(a, b, out=self._buffer(key, shape, np.result_type(a, b)))

    def _input_gradient(self, delta, coef, key):
        """``delta @ coef.T``: the gradient with respect to a layer's input.

        A layer with one unit makes it an outer product, which BLAS runs as a
        GEMM with an inner dimension of 1, several times slower than NumPy's
        broadcast product (15 us against 5 us for 200 rows and 50 inputs). A
        small weight matrix is first copied transposed: OpenBLAS multiplies by
        a transposed operand up to a third slower at these sizes (26 us against
        19 us plus 1 us for the copy at 200 rows and 50x50 weights), while for
        large ones the copy costs what it saves. All give the same values up
        to rounding.
        """
        out = self._buffer(key, (delta.shape[0], coef.shape[0]), delta.dtype)
        if coef.shape[1] == 1:
            return np.multiply(delta, coef.T, out=out)
        if coef.size <= SMALL_COEF_SIZE:
            coef_t = self._buffer(("coef_t", *coef.shape), coef.shape[::-1], coef.dtype)
            np.copyto(coef_t, coef.T)
            return np.matmul(delta, coef_t, out=out)
        return np.matmul(delta, coef.T, out=out)

    def pack(self, coefs, intercepts, dtype):
        """Copy ``coefs`` and ``intercepts`` into a new flat vector of ``dtype``."""
        parts = [np.ravel(c) for c in coefs] + [np.ravel(b) for b in intercepts]
        return np.concatenate(parts).astype(dtype, copy=False)

    def init_params(self, random_state, dtype, scale_activations=None):
        """Draw initial parameters as scikit-learn does (Glorot uniform).

        Weights and biases of layer ``i`` are drawn from ``U(-b, b)`` with
        ``b = sqrt(factor / (fan_in + fan_out))``, in scikit-learn's order of
        draws, so the same ``random_state`` gives scikit-learn's initial network.

        Parameters
        ----------
        random_state : RandomState
        dtype : dtype
        scale_activations : list of Activation, default=None
            Layer ``i`` takes ``factor`` from the ``init_factor`` (2 for logistic,
            6 otherwise) of entry ``min(i, len - 1)``. scikit-learn scales every
            layer by the hidden activation, also without hidden layer, so the
            estimator passes it; defaults to the hidden activations.
        """
        units = self.layer_units
        acts = scale_activations or self.hidden_activations or [self.output_activation]
        coefs, intercepts = [], []
        for i, (fan_in, fan_out) in enumerate(pairwise(units)):
            factor = acts[min(i, len(acts) - 1)].init_factor
            bound = np.sqrt(factor / (fan_in + fan_out))
            coefs.append(random_state.uniform(-bound, bound, (fan_in, fan_out)))
            intercepts.append(random_state.uniform(-bound, bound, fan_out))
        return self.pack(coefs, intercepts, dtype)

    def _activations(self):
        return [*self.hidden_activations, self.output_activation]

    def forward(self, X, coefs, intercepts, lean=False, output_activation=True):
        """Forward pass keeping every layer's pre-activation and activation.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        coefs, intercepts : lists of ndarray
        lean : bool, default=False
            For training steps and prediction chunks: the pre-activations go
            into buffers the network keeps between calls (the next lean call
            overwrites them), and a hidden activation whose backward pass does
            not read ``z`` is computed in place, its ``zs[i]`` being None.
        output_activation : bool, default=True
            False leaves the output layer's activation to the caller (the
            loss computes it with the loss value): ``activations[-1]`` is None.

        Returns
        -------
        zs, activations : lists of ndarray
            ``zs[i]`` and ``activations[i + 1]`` belong to layer ``i``;
            ``activations[0]`` is ``X``.
        """
        zs, activations = [], [X]
        acts = self._activations()
        for i, (act, coef, intercept) in enumerate(
            zip(acts, coefs, intercepts, strict=True)
        ):
            if lean:
                z = self._matmul(activations[-1], coef, ("z", i))
            else:
                z = activations[-1] @ coef
            z += intercept
            # The output layer keeps z: losses read the logits.
            if lean and not act.backward_uses_z and i < len(acts) - 1:
                zs.append(None)
                activations.append(act.forward(z, out=z))
            elif i == len(acts) - 1 and not output_activation:
                zs.append(z)
                activations.append(None)
            else:
                zs.append(z)
                activations.append(act.forward(z))
        return zs, activations

    def predict(self, X, coefs, intercepts):
        """Output of the network for ``X``, computed in chunks of rows."""
        n = X.shape[0]
        if n <= PREDICT_CHUNK_ROWS:
            return self.forward(X, coefs, intercepts)[1][-1]
        out = np.empty((n, self.layer_units[-1]), dtype=coefs[0].dtype)
        for start in range(0, n, PREDICT_CHUNK_ROWS):
            rows = slice(start, start + PREDICT_CHUNK_ROWS)
            # Chunks reuse the layers' buffers; the output is copied out.
            _, activations = self.forward(X[rows], coefs, intercepts, lean=True)
            out[rows] = activations[-1]
        return out

    def loss_and_gradient(self, flat, X, Y, sample_weight=None, grad=None):
        """Objective and its gradient with respect to the flat parameters.

        The objective is ``sum_i w_i L_i / sum_i w_i + alpha ||W||^2 / (2 sum_i
        w_i)``, with ``L_i`` the loss of sample ``i`` summed over outputs (the L2
        term is scaled as in scikit-learn).

        Parameters
        ----------
        flat : ndarray of shape (n_params,)
            The parameters.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_outputs)
        sample_weight : ndarray of shape (n_samples,), default=None
        grad : ndarray of shape (n_params,), default=None
            Buffer the gradient is written into (allocated when None).

        Returns
        -------
        loss : float
        grad : ndarray of shape (n_params,)
        """
        coefs, intercepts = self._cached_unpack(flat)
        if grad is None:
            grad = np.empty_like(flat)
        coef_grads, intercept_grads = self._cached_unpack(grad)
        fused = self.fused
        zs, activations = self.forward(
            X, coefs, intercepts, lean=True, output_activation=not fused
        )
        z, a = zs[-1], activations[-1]
        sw_sum = X.shape[0] if sample_weight is None else sample_weight.sum()

        if fused:
            a, loss = self.loss.forward_from_logits(
                Y, z, self.output_activation, sample_weight
            )
            # The probabilities are needed no more: delta takes their memory.
            in_place = a.dtype == Y.dtype and a.flags.writeable
            delta = np.subtract(a, Y, out=a) if in_place else a - Y
        else:
            loss = weighted_mean(self.loss.value(Y, a), sample_weight)
            delta = self.output_activation.backward(z, a, self.loss.gradient(Y, a))
        weights = flat[: self.n_weights]
        if self.alpha:
            loss += 0.5 * self.alpha * float(np.dot(weights, weights)) / sw_sum

        # Fold the 1/sum(w) of the mean into the output delta once, so every
        # layer's gradient below is already averaged.
        if sample_weight is None:
            delta *= 1.0 / sw_sum
        else:
            delta *= (sample_weight / sw_sum)[:, np.newaxis]

        # A user's activation or loss may return another dtype; the BLAS calls
        # below write into the gradient buffer and need its dtype.
        delta = delta.astype(grad.dtype, copy=False)
        ones = self._ones_like_rows(delta)
        for i in range(len(coefs) - 1, -1, -1):
            if isinstance(activations[i], np.ndarray):
                np.matmul(activations[i].T, delta, out=coef_grads[i])
            else:  # sparse input
                coef_grads[i][...] = activations[i].T @ delta
            # A GEMV with a ones vector sums the rows faster than np.sum.
            np.dot(ones, delta, out=intercept_grads[i])
            if i:
                # Two buffers per width take turns: grad_a of layer i becomes
                # delta of layer i - 1, still in use when layer i - 1 needs its
                # own grad_a, but dead by layer i - 2.
                key = ("grad_a", i % 2, coefs[i].shape[0])
                grad_a = self._input_gradient(delta, coefs[i], key)
                delta = (
                    self.hidden_activations[i - 1]
                    .backward(zs[i - 1], activations[i], grad_a)
                    .astype(grad.dtype, copy=False)
                )
        if self.alpha:
            grad[: self.n_weights] += (self.alpha / sw_sum) * weights
        return float(loss), grad
