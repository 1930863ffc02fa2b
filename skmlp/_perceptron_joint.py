"""Several units' online scans without L1, solved jointly a block at a time.

Walking the one-vs-rest (or multilabel) units one after the other costs a few
NumPy calls per mistake and per unit. Solving them together costs more per
block but settles many mistakes of all the units with each matrix product, so
it wins on dense input with several units. It takes dense input only: on CSR,
scipy's overhead on the small block products would eat the gain, and the units
walk instead.

Within a block, the margin of row ``k`` for one unit is ::

    z_k = decay**k * x_k.w + b + sum(c_i * (decay**(k-1-i) * x_i.x_k + s_b)
                                     for mistakes i < k)

with ``w`` and ``b`` the weights at the start of the block, ``c_i = eta0 *
y_i * sample_weight_i * class_weight_i`` and ``s_b`` the intercept step. Only
rows whose block-start margin is near or past the boundary (*candidates*) can
be mistakes; their interactions form a small triangular system, solved for all
units at once by fixed-point sweeps (each sweep settles at least one more row,
usually all). The other rows are then checked exactly; if one is a mistake
after all (a *surprise*), the block is cut just before it and the next block
starts there. The result is the sequential one, up to floating-point rounding.
"""

import numpy as np

from skmlp._perceptron_blocks import MAX_BLOCK, MIN_BLOCK, gather_rows, geometric_sums

# Candidate rows aimed at per block: bigger blocks amortise the Python work,
# but the candidates' Gram rows grow with the block's square. And how the
# slack narrows after a clean block and widens past a surprise. Tuned on the
# benchmark; they change the speed, not the results.
_TARGET_CANDIDATES = 64
_SLACK_DECAY, _SLACK_GROW = 0.95, 2.0


def solve_epoch(
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
    """Scan several units through one epoch, a block of rows at a time.

    Arguments as in :func:`~skmlp._perceptron_kernel.scan_epoch`; ``coef``,
    ``intercept``, ``state.block_size``, ``state.slack`` and ``sums`` (what
    that function returns) are updated in place.
    """
    slack, pos = state.slack[units], 0
    while pos < order.size:
        rows = order[pos : pos + state.block_size]
        Xb = gather_rows(X, rows)
        n_done, z, yz, cand, wrong, steps, missed = _solve_block(
            Xb,
            Y[rows],
            A[rows],
            thresholds[rows],
            coef,
            intercept,
            decay,
            intercept_step,
            slack,
        )
        sums[0] += np.maximum(-yz, 0.0).sum(axis=0)
        sums[1] += wrong.sum(axis=0)
        if track_norm:
            sums[2] += _block_sq_norms(
                Xb, coef, intercept, z, cand, steps, n_done, decay, intercept_step
            )
        intercept += intercept_step * steps.sum(axis=0)
        if decay != 1.0:
            coef *= decay**n_done
            steps = steps * (decay ** (n_done - 1 - cand))[:, None]
        if cand.size:
            coef += (Xb[cand].T @ steps).T
        # A surprise costs the rest of its block, a candidate costs Gram rows:
        # widen the slack past each surprise, narrow it slowly otherwise.
        if missed is None:
            slack *= _SLACK_DECAY
        else:
            slack = np.maximum(slack, _SLACK_GROW * missed)
        size = _TARGET_CANDIDATES * rows.size // max(cand.size, 1)
        size = min(max(size, rows.size // 2), 2 * rows.size)
        state.block_size = min(max(size, MIN_BLOCK), MAX_BLOCK)
        pos += n_done
    state.slack[units] = slack


def _solve_block(Xb, Yb, Ab, Tb, coef, intercept, decay, intercept_step, slack):
    """Exact online pass of several units over a block, or a prefix of it.

    Parameters
    ----------
    Xb : ndarray of shape (n_rows, n_features)
        The block's rows, in visiting order.
    Yb, Ab, Tb : ndarray of shape (n_rows, n_units)
        Targets in {-1, +1}, signed update sizes and mistake thresholds.
    coef, intercept : ndarray
        Weights and intercepts at the start of the block (not modified).
    decay, intercept_step : float
        As in :func:`solve_epoch`.
    slack : ndarray of shape (n_units,)
        How far past its threshold a block-start ``y * z`` may be and still
        make its row a candidate.

    Returns
    -------
    n_done : int
        Rows done: all of them, or those before the first surprise.
    z : ndarray of shape (n_rows, n_units)
        Margins at the visit of each row (exact for the first n_done rows).
    yz : ndarray of shape (n_done, n_units)
        ``y * z`` of the rows done.
    cand : ndarray of int
        The candidate rows among the rows done.
    wrong : ndarray of bool of shape (cand.size, n_units)
        Which candidates are mistakes, per unit.
    steps : ndarray of shape (cand.size, n_units)
        Their updates (zero where not a mistake).
    missed : ndarray of shape (n_units,) or None
        How far past its threshold the first surprise's block-start ``y * z``
        was: the slack that would have made it a candidate. None if none.
    """
    n_rows = Xb.shape[0]
    z = Xb @ coef.T
    if decay != 1.0:
        z *= (decay ** np.arange(n_rows))[:, None]
    z += intercept
    yz_start = Yb * z
    is_candidate = (yz_start <= Tb + slack).any(axis=1)
    cand = np.flatnonzero(is_candidate)
    wrong = np.zeros((cand.size, coef.shape[0]), dtype=bool)
    n_done, yz = n_rows, yz_start
    if cand.size:
        gram = _causal_gram(Xb, cand, decay, intercept_step)
        within, yz_cand = gram[:, cand], yz_start[cand]
        Yc, Ac, Tc = Yb[cand], Ab[cand], Tb[cand]
        wrong = yz_cand <= Tc
        # Row k depends only on rows before it, so sweep t settles row t at
        # the latest: cand.size + 1 sweeps always reach the fixed point.
        for _ in range(cand.size + 1):
            now_wrong = yz_cand + Yc * (within.T @ (Ac * wrong)) <= Tc
            if np.array_equal(now_wrong, wrong):
                break
            wrong = now_wrong
        z = z + gram.T @ (Ac * wrong)
        yz = Yb * z
        surprise = np.flatnonzero((yz <= Tb).any(axis=1) & ~is_candidate)
        if surprise.size:
            n_done = int(surprise[0])
            wrong = wrong[cand < n_done]
            cand = cand[: wrong.shape[0]]
    missed = (yz_start - Tb)[n_done] if n_done < n_rows else None
    return n_done, z, yz[:n_done], cand, wrong, Ab[cand] * wrong, missed


def _causal_gram(Xb, rows, decay, intercept_step):
    """``K[r, k]``: change of ``z_k`` per unit step at row ``rows[r]`` of Xb."""
    gram = Xb[rows] @ Xb.T
    lag = np.arange(Xb.shape[0]) - rows[:, None] - 1
    if decay != 1.0:
        gram *= decay ** np.maximum(lag, 0)
    gram += intercept_step
    gram *= lag >= 0  # a step only affects the rows visited after it
    return gram


def _block_sq_norms(Xb, coef, intercept, z, cand, steps, n_done, decay, intercept_step):
    """Sum of ``||w_k||**2`` over the first n_done visits of a block.

    ``||w||**2`` enters the L2 objective that the stopping rule watches; it is
    summed in closed form rather than by visiting the rows.
    """
    # ||w_{k+1}||^2 = decay^2 ||w_k||^2 + 2 decay c_k w_k.x_k + c_k^2 ||x_k||^2
    # and w_k.x_k = z_k - b_k is known: the sum has a closed form.
    total = (coef**2).sum(axis=1) * geometric_sums(decay**2, np.array(n_done))
    if not cand.size:
        return total
    b_before = intercept + intercept_step * (np.cumsum(steps, axis=0) - steps)
    x_sq = (Xb[cand] ** 2).sum(axis=1)
    jumps = 2 * decay * steps * (z[cand] - b_before) + steps**2 * x_sq[:, None]
    tails = geometric_sums(decay**2, n_done - 1 - cand)
    return total + (jumps * tails[:, None]).sum(axis=0)
