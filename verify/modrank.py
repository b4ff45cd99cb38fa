"""Exact rank of an integer matrix modulo a prime, on the array module (NumPy or CuPy).

Works purely at the level of arrays of the namespace ``xp`` (NumPy, CuPy, or any namespace of
the Python array API standard: the code uses only standard functions), so the same code runs on
the host and on a GPU. Nothing is converted to Python objects except a few scalars per block
(pivot counts and one modular inverse per leaf panel).

The approach is FFLAS-FFPACK's: the bulk of the work is float64 matrix multiplication on
operands small enough that every product-sum is an exact integer below 2^53, and results are
reduced modulo p between products. The elimination is a recursive rank-revealing Gaussian
elimination over the columns (see :func:`_factor`); only the rank is returned.

Supported: primes 2 <= p < 2^31 (``networks.modular.PRIME`` = 268435399 < 2^28 needs two
limbs, primes below about 2^22 one, primes up to 2^31 three). Anything else raises ValueError.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from networks.modular import PRIME

__all__ = ["rank_mod_p", "ModPlan", "plan_for", "MAX_PRIME"]

MAX_PRIME = 2**31  # p < 2**31: residues < 2**31, products in the int64 leaf < 2**62
EXACT = 2**51  # every float64 product-sum is kept below 2**51 (exact integers up to 2**53)
MIN_INNER = 256  # fewest inner-dimension terms per GEMM we accept before adding a limb
INT_INNER = 8  # products with at most this many inner terms run in int64 (no BLAS call)
LEAF = 8  # columns per leaf panel (eliminated column by column in int64)


# -- exactness plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModPlan:
    """How products modulo ``p`` are cut so that float64 sums stay exact.

    Entries are centered residues, |a| <= half = (p - 1) // 2. The right operand of a product
    is written in ``limbs`` balanced digits of base 2^shift, each |digit| <= digit_bound, so
    one term is at most half * digit_bound and a sum of ``inner`` terms at most
    inner * half * digit_bound <= 2^51 (< 2^53: exact in float64, with room for the reduction
    of :func:`_reduce1`).
    """

    p: int
    half: int
    limbs: int
    shift: int
    digit_bound: int
    inner: int
    int_inner: int

    def check(self) -> None:
        # Invariants: the exactness argument, in integers. A GEMM sums at most `inner` terms
        # of size <= half * digit_bound; Horner's recombination adds a reduced (<= 1.5 p)
        # partial result times 2^shift; subtracting from a centered entry stays below 2^52.
        assert self.inner >= 1
        assert self.inner * self.half * self.digit_bound <= EXACT
        horner = 0 if self.limbs == 1 else (3 * self.p << self.shift) // 2
        assert self.half + horner + EXACT < 2**52
        # int64 route: int_inner products of centered residues plus one residue < 2^62.
        assert self.int_inner * self.half**2 + self.half < 2**62


def _digit_bounds(half: int, limbs: int, shift: int) -> int:
    """Largest |digit| of a balanced base-2^shift expansion in ``limbs`` digits of |x| <= half.

    Lower digits are x - 2^shift * round(x / 2^shift), at most 2^(shift - 1); the carried
    value satisfies |round(x / 2^shift)| <= floor(|x| / 2^shift + 1/2); the top digit is what
    is left after limbs - 1 carries.
    """
    if limbs == 1:
        return half
    top = half
    for _ in range(limbs - 1):
        top = (top + (1 << (shift - 1))) >> shift
    return max(1 << (shift - 1), top)


@lru_cache(maxsize=64)
def plan_for(p: int) -> ModPlan:
    """The limb plan for prime ``p``: the fewest limbs giving at least MIN_INNER inner terms.

    For p = 268435399 (half < 2^27): two limbs of base 2^14, digits <= 2^13, so a GEMM may
    sum 2048 terms: 2048 * (2^27 - 29) * 2^13 < 2^51.
    """
    _check_prime(p)
    half = (p - 1) // 2
    int_inner = min(INT_INNER, (2**62 - 1 - half) // max(1, half * half))
    best = None
    for limbs in (1, 2, 3, 4):
        shifts = [31] if limbs == 1 else range(1, 32)
        for shift in shifts:
            d = _digit_bounds(half, limbs, shift)
            inner = EXACT // max(1, half * d)
            if best is None or inner > best.inner:
                best = ModPlan(p, half, limbs, shift, d, inner, int_inner)
        if best.inner >= MIN_INNER:
            break
    best.check()
    return best


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    for q in (2, 3, 5, 7, 11, 13):
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7):  # deterministic for n < 3,215,031,751 > 2**31
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _check_prime(p) -> None:
    if not isinstance(p, int | np.integer) or isinstance(p, bool):
        raise ValueError(f"p must be an int, got {type(p).__name__}")
    p = int(p)
    if not 2 <= p < MAX_PRIME or not _is_prime(p):
        raise ValueError(f"rank_mod_p supports primes 2 <= p < 2**31; got p = {p}")


# -- namespace helpers (standard functions only; CuPy lacks a few standard names) -------------


def _namespace(X):
    if isinstance(X, np.ndarray | np.generic):
        return np
    mod = type(X).__module__.split(".")[0]
    if mod == "cupy":
        return sys.modules["cupy"]
    get = getattr(X, "__array_namespace__", None)
    if get is not None:
        return get()
    return np


def _astype(xp, x, dtype):
    f = getattr(xp, "astype", None)
    return f(x, dtype) if f is not None else x.astype(dtype)


def _concat(xp, arrays, axis):
    f = getattr(xp, "concat", None) or xp.concatenate
    return f(arrays, axis=axis)


def _is_integral(xp, dtype) -> bool:
    f = getattr(xp, "isdtype", None)
    if f is not None:
        return bool(f(dtype, "integral"))
    return np.dtype(dtype).kind in "iu"


# -- modular float64 kernels -----------------------------------------------------------------


def _reduce1(xp, x, p: int):
    """x - p * round(x / p) for exact integers |x| < 2^52: the result has |.| <= 1.5 p.

    fl(x * fl(1/p)) is within |x / p| * 2^-52 < 1/p <= 1/2 of x / p, so the rounded quotient
    q is off by at most one; |q * p| <= |x| + p < 2^53 is exact, and so is the subtraction (its
    exact result, an integer of size <= 1.5 p, is representable).
    """
    return x - p * xp.round(x * (1.0 / p))


def _center(xp, x, p: int):
    """Centered residue of exact integers |x| < 2^52: |result| <= (p - 1) / 2, exactly.

    After :func:`_reduce1`, |x| <= 1.5 p, so fl(x / p) is within 2^-51 of x / p, while x / p
    (p odd) is at least 1 / (2p) > 2^-32 away from any half-integer: the second rounding is
    the exact nearest integer. (p = 2: the result is in {-1, 0, 1}, all residues.)
    """
    return _reduce1(xp, _reduce1(xp, x, p), p)


def _sub_matmul(xp, A, N, B, plan: ModPlan):
    """Centered residues of A - N @ B mod p; A, N, B float64 centered residues.

    Short inner dimensions (k <= plan.int_inner, a few terms) run in int64: k products of
    size <= half^2 plus |A| stay below 2^62. Otherwise B is cut into plan.limbs balanced
    digits (|digit| <= plan.digit_bound), placed side by side so one GEMM computes all of
    them, and the inner dimension into chunks of plan.inner: each GEMM sums at most
    plan.inner terms of size <= half * digit_bound, |GEMM| <= 2^51. Digits are recombined by
    Horner's rule with a reduction before each shift: |reduce1(acc)| * 2^shift + |GEMM| <=
    1.5 p * 2^shift + 2^51 < 2^52 (ModPlan.check).
    """
    p, k = plan.p, N.shape[1]
    m, n = A.shape
    if k == 0 or m == 0 or n == 0:
        return A
    if k <= plan.int_inner:
        Ai, Ni, Bi = (_astype(xp, x, xp.int64) for x in (A, N, B))
        out = _astype(xp, (Ai - xp.matmul(Ni, Bi)) % p, xp.float64)
        return xp.where(out > plan.half, out - p, out)
    base = float(1 << plan.shift)
    out = A
    for s in range(0, k, plan.inner):
        e = min(s + plan.inner, k)  # in-bounds slices (the array API leaves others unspecified)
        Nc, Bc = (N, B) if (s, e) == (0, k) else (N[:, s:e], B[s:e, :])
        digits = []
        rest = Bc
        for _ in range(plan.limbs - 1):
            carry = xp.round(rest * (1.0 / base))  # exact: division by a power of two
            digits.append(rest - base * carry)
            rest = carry
        digits.append(rest)
        Z = xp.matmul(Nc, _concat(xp, digits, 1)) if len(digits) > 1 else xp.matmul(Nc, rest)
        acc = Z[:, (plan.limbs - 1) * n :]
        for i in range(plan.limbs - 2, -1, -1):
            acc = _reduce1(xp, acc, p) * base + Z[:, i * n : (i + 1) * n]
        out = _center(xp, out - acc, p)  # |out| <= half, |acc| < 2^52 - 2^31: below 2^52
    return out


# -- the elimination -------------------------------------------------------------------------


@dataclass
class _Factor:
    """A rank-revealing row selection of a matrix A (m x n) over GF(p).

    rows: indices of r = rank(A) pivot rows (A[rows] has rank r);
    others: indices of the other m - r rows;
    coef: (m - r) x r float64 centered residues with A[others] == coef @ A[rows] (mod p), or
    None when the caller does not need it.
    Then for any B with m rows, rank([A | B]) = r + rank(B[others] - coef @ B[rows]).
    """

    rows: object
    others: object
    coef: object | None

    @property
    def rank(self) -> int:
        return int(self.rows.shape[0])


def _leaf(xp, A, p: int, need_coef: bool) -> _Factor:
    """Column-by-column elimination of a thin panel (a few columns), in int64.

    Every row is updated at each step: row <- v * row - a * pivot_row (fraction-free; v the
    pivot, a the row's entry in the pivot column), which zeroes the column, turns the pivot row
    into zero (so it is never chosen again) and multiplies all rows by the same unit v. So the
    current row i equals d * A_i - sum_k C[i, k] * A_{piv_k} with one scalar d for all rows.
    Residues are < p < 2^31: products < 2^62 fit int64. A column without a nonzero entry gets
    v = 1 and a = 0: the step changes nothing and records no pivot.
    """
    m, w = A.shape
    P = _astype(xp, A, xp.int64) % p
    C = xp.zeros((m, w), dtype=xp.int64) if need_coef else None
    d = xp.ones((1,), dtype=xp.int64)
    pivots, values = [], []
    for j in range(w):
        # Invariant: P holds columns j.. of the current rows (d * A_i - sum_k C[i, k] A_piv_k).
        col = P[:, 0]
        piv = xp.reshape(xp.argmax(col), (1,))  # the largest residue: nonzero iff any is
        v = xp.take(col, piv)  # shape (1,)
        v1 = xp.where(v == 0, xp.ones_like(v), v)
        a = xp.reshape(col, (m, 1))
        if need_coef:
            if j > 0:
                crow = xp.take(C[:, :j], piv, axis=0)
                C[:, :j] = (v1 * C[:, :j] - a * crow) % p
            C[:, j] = (col * d) % p
            d = (d * v1) % p
        if j + 1 < w:
            rest = P[:, 1:]
            P = (v1 * rest - a * xp.take(rest, piv, axis=0)) % p
        pivots.append(piv)
        values.append(v)
    piv = _concat(xp, pivots, 0)
    found = _concat(xp, values, 0) != 0
    rows = piv[found]
    is_pivot = xp.any(xp.reshape(xp.arange(m, dtype=rows.dtype), (m, 1)) == rows, axis=1)
    others = xp.nonzero(xp.logical_not(is_pivot))[0]
    if not need_coef:
        return _Factor(rows, others, None)
    cols = xp.nonzero(found)[0]
    coef = xp.take(xp.take(C, others, axis=0), cols, axis=1)
    if rows.shape[0]:
        dinv = pow(int(d[0]), -1, p)  # one scalar per panel; d is a product of units
        coef = (coef * dinv) % p
    coef = _astype(xp, coef, xp.float64)
    coef = xp.where(coef > (p - 1) // 2, coef - p, coef)
    return _Factor(rows, others, coef)


def _factor(xp, A, plan: ModPlan, leaf: int, need_coef: bool) -> _Factor:
    """Rank-revealing elimination of A (float64 centered residues), recursive over columns.

    Split A = [A1 | A2]. Factor A1 (rows R1, others O1, coefficients C1). The Schur
    complement S = A2[O1] - C1 @ A2[R1] has rank(A) - rank(A1): the rows R1 together with
    G1 = (E_O1 - C1 E_R1) form an invertible row operation mapping A to
    [[A1[R1], A2[R1]], [0, S]], and A1[R1] has full row rank r1 = rank(A1). Factor S (rows R2,
    others O2 of S's rows, C2). Then the pivot rows of A are R1 + O1[R2], the others O1[O2],
    and composing G2 G1 gives the coefficients [C1[O2] - C2 @ C1[R2] | C2].
    """
    m, n = A.shape
    if m == 0 or n == 0:
        empty = xp.zeros((0,), dtype=xp.int64)
        coef = xp.zeros((m, 0), dtype=xp.float64) if need_coef else None
        return _Factor(empty, xp.arange(m, dtype=xp.int64), coef)
    if n <= leaf:
        return _leaf(xp, A, plan.p, need_coef)
    n1 = max(leaf, (n // 2) // leaf * leaf)
    f1 = _factor(xp, A[:, :n1], plan, leaf, True)
    A2 = A[:, n1:]
    S = _sub_matmul(xp, xp.take(A2, f1.others, axis=0), f1.coef, xp.take(A2, f1.rows, axis=0), plan)
    f2 = _factor(xp, S, plan, leaf, need_coef)
    rows = _concat(xp, [f1.rows, xp.take(f1.others, f2.rows)], 0)
    others = xp.take(f1.others, f2.others)
    if not need_coef:
        return _Factor(rows, others, None)
    c1_others = xp.take(f1.coef, f2.others, axis=0)
    c1_rows = xp.take(f1.coef, f2.rows, axis=0)
    left = _sub_matmul(xp, c1_others, f2.coef, c1_rows, plan)
    return _Factor(rows, others, _concat(xp, [left, f2.coef], 1))


def rank_mod_p(X, p: int = PRIME, *, xp=None, block: int | None = None) -> int:
    """Rank of the integer matrix X over GF(p), computed on X's array module.

    Parameters
    ----------
    X : integer array (m, n) of NumPy, CuPy or an array-API namespace; entries are reduced
        mod p first (any int64 values, negative ones included).
    p : a prime, 2 <= p < 2^31 (default ``networks.modular.PRIME``).
    xp : the array namespace (default: inferred from X).
    block : leaf panel width (default LEAF); a tuning knob, the result does not depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> rank_mod_p(np.array([[1, 2], [2, 4]]), 7)
    1
    >>> rank_mod_p(np.array([[1, 2], [3, 4]]), 2)
    2
    """
    _check_prime(p)
    plan = plan_for(int(p))
    p = plan.p
    if xp is None:
        xp = _namespace(X)
    X = xp.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"rank_mod_p needs a 2-D matrix, got shape {tuple(X.shape)}")
    if not _is_integral(xp, X.dtype):
        raise ValueError(f"rank_mod_p needs an integer matrix, got dtype {X.dtype}")
    m, n = X.shape
    if m == 0 or n == 0:
        return 0
    if X.dtype == xp.uint64:
        X = X % p
    A = _astype(xp, _astype(xp, X, xp.int64) % p, xp.float64)
    A = xp.where(A > plan.half, A - p, A)
    if n > m:
        A = A.T  # recursion over the shorter side
    leaf = LEAF if block is None else int(block)
    if leaf < 1:
        raise ValueError(f"block must be >= 1, got {block}")
    return _factor(xp, A, plan, leaf, False).rank
