"""Vectorised online training kernel of :class:`skmlp.Perceptron`: the entry point.

Why the Perceptron has its own kernel
-------------------------------------
The MLP engine (``_solvers.py``) is a mini-batch engine: a step computes a
gradient over a batch, then moves the weights. The perceptron rule is online:
every sample is scored with the weights left by *all* the samples before it,
and the weights move after each misclassified one. Getting that from the
mini-batch engine takes batches of one sample, i.e. a Python loop over the
samples, hundreds of times slower than scikit-learn's compiled loop. The
kernel reproduces the online rule exactly with a few NumPy/BLAS calls per
mistake or per block of samples instead.

The idea that makes it fast: only mistakes move the weights, and an L2
penalty only rescales them by a known factor per visited sample. So the
margins of many upcoming samples under the current weights come from one
matrix product, and a scan can jump from mistake to mistake. The result is the
sequential one, up to floating-point rounding.

Where things are
----------------
- this module: what every scan shares (the mistake test of the two step rules,
  the state carried across epochs) and :func:`scan_epoch`, which picks a scan;
- :mod:`skmlp._perceptron_walk`: one unit, mistake to mistake;
- :mod:`skmlp._perceptron_joint`: several units on dense input, solved jointly
  a block at a time;
- :mod:`skmlp._perceptron_l1`: the L1 and elasticnet penalties;
- :mod:`skmlp._perceptron_blocks`: gathering and reading rows, dense or CSR.
"""

import numpy as np
import scipy.sparse as sp

from skmlp._perceptron_joint import solve_epoch
from skmlp._perceptron_walk import walk_epoch

# ``label * margin <= threshold`` marks a mistake. 0 makes a zero margin a
# mistake (sign rule); the negative number closest to 0 turns ``<=`` into
# ``<``, so a zero margin is not a mistake (heaviside rule, positive targets).
STRICT = -np.nextafter(0.0, 1.0)


def mistake_thresholds(Y, step):
    """Per-sample, per-unit threshold on ``label * margin`` marking a mistake.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_units)
        Targets in {-1, +1}.
    step : {"sign", "heaviside"}
        ``"sign"``: a zero margin is a mistake for both labels. ``"heaviside"``:
        the unit outputs 1 for ``z >= 0``, so a zero margin is right for +1.

    Returns
    -------
    thresholds : ndarray of shape (n_samples, n_units)

    Examples
    --------
    >>> import numpy as np
    >>> mistake_thresholds(np.array([[1.0], [-1.0]]), "heaviside")[:, 0] < 0
    array([ True, False])
    """
    if step == "sign":
        return np.zeros_like(Y)
    return np.where(Y > 0, STRICT, 0.0)


class ScanState:
    """Adaptive sizes and penalty state carried across the epochs of one fit.

    Parameters
    ----------
    n_units : int
        Number of threshold units (1 for binary, n_classes or n_labels).
    n_features : int
        Number of input features.

    Attributes
    ----------
    block_size : int
        Rows per block of the joint solver, adapted to the mistake density.
    look : ndarray of shape (n_units,)
        Rows scored per jump of each unit's walk, adapted likewise.
    slack : ndarray of shape (n_units,)
        How far past the boundary a block-start margin may be and still make
        its row a candidate of the joint solver.
    l1_budget : ndarray of shape (n_units,)
        Total L1 penalty a weight may have received so far (Tsuruoka's ``u``).
    l1_applied : ndarray of shape (n_units, n_features)
        L1 penalty actually applied to each weight (Tsuruoka's ``q``).
    norm_cache : ndarray of shape (2, n_units) or None
        ``||w||**2`` and ``||w||_1`` as scikit-learn caches them (L1 path).

    Notes
    -----
    The sizes only set how much work a call does, never its result; they
    start small and adapt within the first epoch.
    """

    def __init__(self, n_units, n_features):
        self.block_size = 64
        self.look = np.full(n_units, 32)
        self.slack = np.zeros(n_units)
        self.l1_budget = np.zeros(n_units)
        self.l1_applied = np.zeros((n_units, n_features))
        self.norm_cache = None


def scan_epoch(
    X,
    order,
    coef,
    intercept,
    Y,
    A,
    thresholds,
    *,
    decay,
    intercept_step,
    state,
    units,
    track_norm=False,
):
    """One epoch of the online rule without L1 penalty, for several units.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Training data.
    order : ndarray of int
        Training rows in visiting order.
    coef : ndarray of shape (n_units, n_features)
        Float64 weights, updated in place.
    intercept : ndarray of shape (n_units,)
        Float64 intercepts, updated in place.
    Y, A, thresholds : ndarray of shape (n_samples, n_units)
        Targets in {-1, +1}, signed update sizes and mistake thresholds.
    decay : float
        L2 rescaling per visited sample (1.0 without penalty).
    intercept_step : float
        Intercept change per unit of update (0.0 without intercept).
    state : ScanState
        Adaptive state of the fit.
    units : ndarray of int
        Indices of these units in ``state``.
    track_norm : bool, default=False
        Whether to sum ``||w||**2`` before each visit (for the L2 objective).

    Returns
    -------
    sums : ndarray of shape (4, n_units)
        Over the visited rows: perceptron loss, mistakes, ``||w||**2`` (if
        tracked) and ``||w||_1`` (always zero here).
    """
    sums = np.zeros((4, coef.shape[0]))
    # The joint solver pays off for several units on dense data; on CSR its
    # block products cost more in scipy overhead than they save.
    scan = walk_epoch if coef.shape[0] == 1 or sp.issparse(X) else solve_epoch
    scan(
        X, order, coef, intercept, Y, A, thresholds, decay=decay,
        intercept_step=intercept_step, state=state, units=units, sums=sums,
        track_norm=track_norm,
    )  # fmt: skip
    return sums
