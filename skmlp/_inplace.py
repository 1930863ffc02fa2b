"""In-place vector updates in one memory pass.

``y += a * x`` written with NumPy allocates ``a * x`` and sweeps memory three
times; BLAS ``axpy`` does it in one sweep without a temporary. The optimizer and
the L2 penalty run it over every parameter at every step, where memory bandwidth,
not arithmetic, is the limit.
"""

import numpy as np
from scipy.linalg.blas import get_blas_funcs

_AXPY = {
    np.dtype(dt): get_blas_funcs("axpy", dtype=dt) for dt in (np.float32, np.float64)
}


def axpy(a, x, y):
    """Set ``y += a * x`` in place and return ``y``.

    Parameters
    ----------
    a : float
    x, y : ndarray of the same shape
        ``y`` is updated in place.

    Returns
    -------
    y : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> y = np.ones(3)
    >>> axpy(2.0, np.arange(3.0), y)
    array([1., 3., 5.])
    """
    blas = _AXPY.get(y.dtype)
    # BLAS updates y in place only when it can use y's memory as it is.
    if (
        blas is not None
        and x.dtype == y.dtype
        and y.flags.c_contiguous
        and (x.flags.c_contiguous)
    ):
        blas(x.ravel(), y.ravel(), a=a)
    else:
        y += a * x
    return y
