"""Matrix ranks: exact over GF(p) (python-flint; certified) and floating (SVD; an estimate).

Works purely at the level of NumPy matrices.
"""

from __future__ import annotations

import numpy as np

__all__ = ["exact_rank_mod_p", "float_rank", "FloatRank", "FLOAT_RULE"]

FLOAT_RULE = (
    "rows and columns scaled to unit Euclidean norm (a rank-preserving equilibration), then "
    "rank = #{singular values > sigma_max * max(K_r, K_c) * eps} (numpy.linalg.matrix_rank's "
    "rule), "
    "eps the machine epsilon of the dtype the matrix was computed in (float64 or float32)"
)


def exact_rank_mod_p(X: np.ndarray, p: int) -> int:
    """Rank of the integer matrix X over GF(p) (entries are reduced mod p).

    A rank over GF(p) can be lower than over Q (never higher, for integer matrices):

    >>> exact_rank_mod_p(np.array([[1, 2], [3, 4]]), 7)
    2
    >>> exact_rank_mod_p(np.array([[1, 2], [3, 4]]), 2)  # det = -2 = 0 mod 2
    1
    """
    import flint

    X = np.asarray(X)
    if X.size == 0:
        return 0
    rows = (X.astype(np.int64) % p).tolist()
    return int(flint.nmod_mat(rows, p).rank())


class FloatRank:
    def __init__(self, rank: int, tol: float, singular_values: np.ndarray):
        self.rank, self.tol, self.singular_values = rank, tol, singular_values


def float_rank(X: np.ndarray) -> FloatRank:
    """Floating rank with the documented tolerance rule (:data:`FLOAT_RULE`)."""
    X = np.asarray(X)
    eps = (
        float(np.finfo(X.dtype).eps)
        if np.issubdtype(X.dtype, np.floating)
        else float(np.finfo(np.float64).eps)
    )
    X = X.astype(np.float64)
    if X.size == 0:
        return FloatRank(0, 0.0, np.zeros(0))
    if not np.all(np.isfinite(X)):
        return FloatRank(-1, float("nan"), np.zeros(0))
    rn = np.linalg.norm(X, axis=1)
    rn[rn == 0] = 1.0
    X = X / rn[:, None]
    cn = np.linalg.norm(X, axis=0)
    cn[cn == 0] = 1.0
    X = X / cn[None, :]
    s = np.linalg.svd(X, compute_uv=False)
    tol = float(s[0] * max(X.shape) * eps) if s.size else 0.0
    return FloatRank(int((s > tol).sum()), tol, s)
