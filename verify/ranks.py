"""Matrix ranks: exact over GF(p) (certified) and floating (SVD; an estimate).

Works purely at the level of matrices. The exact rank has two routes, chosen by size:
python-flint (host, via Python lists) and :mod:`verify.modrank` (array-native, NumPy or CuPy).
"""

from __future__ import annotations

import numpy as np

from networks.backend import to_numpy

from .modrank import MAX_PRIME, rank_mod_p

__all__ = [
    "exact_rank_mod_p",
    "choose_rank_method",
    "RANK_METHODS",
    "ARRAY_MIN_SIZE",
    "float_rank",
    "FloatRank",
    "FLOAT_RULE",
]

FLOAT_RULE = (
    "rows and columns scaled to unit Euclidean norm (a rank-preserving equilibration), then "
    "rank = #{singular values > sigma_max * max(K_r, K_c) * eps} (numpy.linalg.matrix_rank's "
    "rule), "
    "eps the machine epsilon of the dtype the matrix was computed in (float64 or float32)"
)


RANK_METHODS = ("auto", "flint", "array")
# "auto" uses the array route from this size on (min(m, n)). Measured on the 2-core machine,
# less loaded (load average 1.7-2.1, OPENBLAS_NUM_THREADS=1, 2026-11-30 07:22), square
# matrices of full rank and of rank 97 %, best of 5 (flint's time includes the conversion to
# Python lists): 128: flint 2.3 ms, array 2.5; 192: 5.4 / 4.1; 256: 10.7-18 / 6.3;
# 512: 63-67 / 37-54; 1024: 357-375 / 180-259. (Under heavy load, bench/bench_rank.py had
# found them about equal at 768-1024.) From 256 the array route wins by 1.2-2x.
ARRAY_MIN_SIZE = 256


def choose_rank_method(X, p: int) -> str:
    """The route "auto" takes for X mod p: "array" or "flint" (a pure function of the input).

    Non-NumPy arrays (CuPy) stay on their device: "array". NumPy matrices use the array
    route from :data:`ARRAY_MIN_SIZE` on, flint below. Primes the array route does not
    support (p >= 2^31) go to flint.
    """
    if not 2 <= int(p) < MAX_PRIME:
        return "flint"
    if not isinstance(X, np.ndarray):
        return "array"
    return "array" if min(X.shape, default=0) >= ARRAY_MIN_SIZE else "flint"


def exact_rank_mod_p(X, p: int, method: str = "auto") -> int:
    """Rank of the integer matrix X over GF(p) (entries are reduced mod p).

    method: "flint" (python-flint's nmod_mat, after converting to Python lists: the
    independent cross-check), "array" (:func:`verify.modrank.rank_mod_p`, blocked elimination
    with float64 GEMMs on X's own array module, NumPy or CuPy) or "auto"
    (:func:`choose_rank_method`). Both routes return the exact rank; they differ in speed.
    A rank over GF(p) can be lower than over Q (never higher, for integer matrices):

    >>> exact_rank_mod_p(np.array([[1, 2], [3, 4]]), 7)
    2
    >>> exact_rank_mod_p(np.array([[1, 2], [3, 4]]), 2)  # det = -2 = 0 mod 2
    1
    """
    if method not in RANK_METHODS:
        raise ValueError(f"unknown rank method {method!r} (choose from {', '.join(RANK_METHODS)})")
    if method == "auto":
        method = choose_rank_method(X, p)
    if method == "array":
        return rank_mod_p(X, int(p))
    return _flint_rank(X, int(p))


def _flint_rank(X, p: int) -> int:
    import flint

    X = to_numpy(X) if not isinstance(X, np.ndarray) else X
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
