"""Blocks of training rows in visiting order, read alike for dense and CSR input.

Every Perceptron scan works on blocks: it gathers the next rows of the epoch's
visiting order into one contiguous array (a NumPy fancy-index or a CSR row
selection), then scores windows of them or reads single rows. These helpers
hide the dense/CSR difference from the scans, and read CSR blocks straight
from their arrays, because slicing a scipy matrix costs more than the
arithmetic on the few rows of a window.
"""

import numpy as np
import scipy.sparse as sp

# Bounds on the rows of a gathered block and of a scoring window: below 16
# rows the Python work per call dominates, above 4096 a window scored past a
# mistake is wasted work and the joint solver's Gram rows grow too big.
MIN_BLOCK, MAX_BLOCK = 16, 4096
# A gathered block holds about this many stored values (1 MiB of float64):
# enough rows to amortise the Python work per block, few enough to stay in
# cache while every unit walks the block in turn.
_VALUES_PER_BLOCK = 2**17


def gather_rows(X, rows):
    """Rows of X in the given order, as float64 (dense array or CSR).

    Training runs in float64 whatever the input dtype, so that float32 input
    gives the float64 model, rounded.
    """
    if sp.issparse(X):
        return X[rows].astype(np.float64, copy=False)
    return np.take(X, rows, axis=0).astype(np.float64, copy=False)


def rows_per_block(X):
    """Rows per gathered block, so that a block holds about 2**17 values."""
    per_row = X.nnz / max(X.shape[0], 1) if sp.issparse(X) else X.shape[1]
    return int(min(MAX_BLOCK, max(MIN_BLOCK, _VALUES_PER_BLOCK // max(per_row, 1))))


def entry_rows(Xb):
    """Row index of each stored entry of a CSR block (None when dense)."""
    if not sp.issparse(Xb):
        return None
    return np.repeat(np.arange(Xb.shape[0]), np.diff(Xb.indptr))


def window_margins(Xb, row_of, start, end, w):
    """``Xb[start:end] @ w`` for a CSR block, straight from its arrays.

    ``row_of`` is :func:`entry_rows` of Xb, computed once per block. (The scan
    multiplies dense blocks itself: it runs once per mistake.)
    """
    lo, hi = Xb.indptr[start], Xb.indptr[end]
    products = Xb.data[lo:hi] * w[Xb.indices[lo:hi]]
    return np.bincount(row_of[lo:hi], products, minlength=end)[start:]


def row_entries(Xb, i):
    """Column indices and values of row i of Xb (all columns when dense)."""
    if sp.issparse(Xb):
        span = slice(Xb.indptr[i], Xb.indptr[i + 1])
        return Xb.indices[span], Xb.data[span]
    return slice(None), Xb[i]


def geometric_sums(ratio, counts):
    """``sum(ratio**j for j in range(m))`` for every ``m`` in counts.

    A norm rescaled by the penalty at every visit sums to this over ``m``
    visits, which is how the scans add up the objective's norm term without
    visiting the rows between two mistakes.
    """
    if ratio == 1.0:
        return counts.astype(np.float64)
    return (1.0 - ratio**counts) / (1.0 - ratio)
