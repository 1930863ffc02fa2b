"""One unit's online scan without L1, jumping from mistake to mistake.

Only mistakes move the weights, and an L2 penalty only rescales them by
``decay`` per visited sample. So until the next mistake, the margin of the
``k``-th upcoming row (``k = 0`` for the next) is ``decay**k * x.w + b``, with
``w`` and ``b`` as they are now. One GEMV scores a window of upcoming rows;
the first mistake among them gets its update, and the next window starts
right after it. The Python work is a few NumPy calls per mistake, whatever
the number of samples visited in between.

This scan serves binary problems, the last unit still training, and every
unit on CSR input; :mod:`skmlp._perceptron_joint` handles several units on
dense input at once.
"""

import numpy as np

from skmlp._perceptron_blocks import (
    MAX_BLOCK,
    MIN_BLOCK,
    entry_rows,
    gather_rows,
    geometric_sums,
    row_entries,
    rows_per_block,
    window_margins,
)


def walk_epoch(
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
    sums,
    track_norm,
):
    """Walk every unit through one epoch, a gathered block at a time.

    Arguments as in :func:`~skmlp._perceptron_kernel.scan_epoch`; ``coef``,
    ``intercept``, ``state.look`` and ``sums`` (what that function returns)
    are updated in place.
    """
    # One contiguous row per unit, so that each walker slices its own targets.
    Yo, Ao, To = (np.ascontiguousarray(M[order].T) for M in (Y, A, thresholds))
    sq = (coef**2).sum(axis=1) if track_norm else [None] * coef.shape[0]
    powers = decay ** np.arange(MAX_BLOCK, dtype=np.float64)
    walkers = [
        _Walker(coef[u], intercept[u], look, sq[u], decay, intercept_step, powers)
        for u, look in enumerate(state.look[units])
    ]
    block = rows_per_block(X)
    # Every unit walks a block before the next is gathered: one gather serves
    # all units, and the block is still in cache for the next unit.
    for start in range(0, order.size, block):
        Xb = gather_rows(X, order[start : start + block])
        row_of, span = entry_rows(Xb), slice(start, start + block)
        for u, walker in enumerate(walkers):
            walker.walk(Xb, row_of, Yo[u, span], Ao[u, span], To[u, span], sums[:, u])
    for u, walker in enumerate(walkers):
        intercept[u] = walker.b
    state.look[units] = [walker.look for walker in walkers]


class _Walker:
    """One unit's weights, advanced from mistake to mistake.

    Parameters
    ----------
    w : ndarray of shape (n_features,)
        Weights, a view updated in place.
    b : float
        Intercept.
    look : int
        Rows scored per jump.
    sq : float or None
        ``||w||**2``, or None when the objective needs no norm (no penalty).
    decay : float
        L2 rescaling per visited sample.
    intercept_step : float
        Intercept change per unit of update.
    powers : ndarray
        ``decay**k`` for k up to :data:`MAX_BLOCK`, shared by the walkers.
    """

    def __init__(self, w, b, look, sq, decay, intercept_step, powers):
        self.w, self.b, self.look, self.sq = w, b, look, sq
        self.decay, self.intercept_step, self.powers = decay, intercept_step, powers

    def walk(self, Xb, row_of, yb, ab, tb, sums):
        """Visit every row of the block Xb, adding to ``sums`` in place.

        ``yb``, ``ab`` and ``tb`` are the unit's targets, signed update sizes
        and mistake thresholds for the rows of Xb; ``row_of`` is
        :func:`entry_rows` of Xb.
        """
        w, b, sq, decay = self.w, self.b, self.sq, self.decay
        k, tracked, n_rows = 0, sq is not None, Xb.shape[0]
        # This loop runs once per mistake, so its Python work is kept lean
        # (binary fits 12% faster): dense blocks are read inline rather than
        # through the helpers, which test for CSR at every call; bounds are
        # plain comparisons; the loss and mistake sums are Python numbers,
        # written back once (the same float64 additions, in the same order).
        dense = row_of is None
        loss_sum, n_mistakes = float(sums[0]), float(sums[1])
        while k < n_rows:
            end = k + self.look
            if end > n_rows:
                end = n_rows
            z = Xb[k:end] @ w if dense else window_margins(Xb, row_of, k, end, w)
            if decay != 1.0:
                z *= self.powers[: end - k]
            yz = z + b
            yz *= yb[k:end]
            wrong = yz <= tb[k:end]
            j = int(wrong.argmax())
            mistake = bool(wrong[j])
            visits = j + 1 if mistake else end - k
            if tracked:
                sums[2] += sq * geometric_sums(decay**2, np.array(visits))
                sq *= decay ** (2 * visits)
            if decay != 1.0:
                w *= decay**visits
            # Look twice as far as the last jump: most windows then hold a
            # mistake, and few rows are scored past it.
            look = 2 * visits
            self.look = MIN_BLOCK if look < MIN_BLOCK else min(look, MAX_BLOCK)
            if mistake:
                step = ab[k + j]
                if dense:
                    x = Xb[k + j]
                    w += step * x
                else:
                    idx, x = row_entries(Xb, k + j)
                    w[idx] += step * x
                # ||w + c x||^2 for the rescaled w, whose w.x = decay * z_j.
                if tracked:
                    sq += 2 * decay * step * z[j] + step**2 * (x @ x)
                b += step * self.intercept_step
                loss_sum -= yz[j]
                n_mistakes += 1
            k += visits
        sums[0], sums[1] = loss_sum, n_mistakes
        self.b, self.sq = b, sq
