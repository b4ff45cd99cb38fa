"""Exact rank of an integer matrix modulo a prime, on the array module (NumPy or CuPy).

Works purely at the level of arrays of the namespace ``xp`` (NumPy, CuPy, or any namespace of
the Python array API standard: the code uses only standard functions), so the same code runs on
the host and on a GPU. Nothing is converted to Python objects except one scalar per column
(its pivot value, inverted on the host) and the pivot count of each leaf panel.

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

__all__ = ["rank_mod_p", "rank_memory_bytes", "ModPlan", "plan_for", "MAX_PRIME"]

MAX_PRIME = 2**31  # p < 2**31: residues < 2**31, products in the int64 leaf < 2**62
GEMM_BOUND = 2**50  # |every float64 GEMM entry| <= 2**50: sums of exact integers stay < 2**51
MIN_INNER = 256  # fewest inner-dimension terms per GEMM we accept before adding a limb
INT_INNER = 8  # products with at most this many inner terms run in int64 (no BLAS call)
ROUND_MAGIC = 1.5 * 2**52  # x + 1.5 * 2**52 - 1.5 * 2**52 rounds |x| < 2**51 to an integer
SPLIT_BLOCK = 2**18  # NumPy: multiply-adds per single-threaded row block of a mid-size GEMM
SPLIT_MAX = 2**26  # NumPy: GEMMs up to this many multiply-adds are split into such blocks
WIDE = 64  # from this many columns on, the digits of a product share one GEMM call
MEMORY_FACTOR = 5  # working memory: 5 float64 copies of the matrix, plus leaf panels
LEAF = 16  # columns per leaf panel (eliminated column by column in int64)


# -- exactness plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModPlan:
    """How products modulo ``p`` are cut so that float64 sums stay exact.

    Entries are centered residues, |a| <= half = p // 2. The right operand of a product is
    written in ``limbs`` balanced digits of base 2^shift, each |digit| <= digit_bound, so one
    term is at most half * digit_bound and a GEMM over ``inner`` terms at most
    inner * half * digit_bound <= 2^50. What is added to a GEMM result before the next
    reduction (a centered entry, a reduced higher digit times 2^shift) keeps it below 2^51,
    where :func:`_center` is exact.
    """

    p: int
    half: int
    limbs: int
    shift: int
    digit_bound: int
    inner: int
    int_inner: int
    lazy_steps: int

    def check(self) -> None:
        # Invariants: the exactness argument, in integers.
        assert self.inner >= 1 and self.int_inner >= 1
        assert self.inner * self.half * self.digit_bound <= GEMM_BOUND
        horner = 0 if self.limbs == 1 else self.half << self.shift
        assert self.half + horner + GEMM_BOUND < 2**51
        # int64 route: int_inner products of centered residues plus one residue < 2^62.
        assert self.int_inner * self.half**2 + self.half < 2**62
        # int64 leaf: lazy_steps products of residues added to a residue stay below 2^63.
        assert self.lazy_steps >= 1
        assert self.p + self.lazy_steps * (self.p - 1) ** 2 < 2**63


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

    For p = 268435399 (half = 134217699 < 2^27): two limbs of base 2^14, digits <= 2^13, so a
    GEMM may sum 1024 terms: 1024 * 134217699 * 2^13 < 2^50. Primes below about 2^22 need
    one limb (no split), primes up to 2^31 three.
    """
    _check_prime(p)
    half = p // 2
    int_inner = min(INT_INNER, (2**62 - 1 - half) // (half * half))
    lazy_steps = (2**63 - 1 - p) // (p - 1) ** 2
    best = None
    for limbs in (1, 2, 3, 4):
        shifts = [31] if limbs == 1 else range(1, 32)
        for shift in shifts:
            d = _digit_bounds(half, limbs, shift)
            inner = GEMM_BOUND // (half * d)
            if best is None or inner > best.inner:
                best = ModPlan(p, half, limbs, shift, d, inner, int_inner, lazy_steps)
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


def _round_inplace(x):
    """x rounded to the nearest integer (ties to even), in place, for |x| < 2^51.

    x + 1.5 * 2^52 lies in (2^52, 2^53), where float64 spacing is 1, so the addition rounds x
    to an integer exactly and the subtraction is exact. (In place: no allocation.)
    """
    x += ROUND_MAGIC
    x -= ROUND_MAGIC
    return x


def _center(xp, x, p: int, *, own: bool = False):
    """Centered residues of exact integers |x| < 2^51: |result| <= p // 2, exactly.

    fl(x * fl(1/p)) = (x / p)(1 + e) with |e| <= 2^-52 + 2^-106, so it lies within
    |x| / p * (2^-52 + 2^-106) < 1 / (2p) of x / p; for odd p, x / p is at least 1 / (2p) away
    from every half-integer, so rounding gives the nearest integer q exactly. |q p| <=
    |x| + p / 2 < 2^53 and x - q p (an integer of size <= p / 2) are exact. (p = 2: x / 2 is
    exact and the result is in {-1, 0, 1}.) ``own``: x may be overwritten.
    """
    q = _round_inplace(x * (1.0 / p))
    q *= p
    if own:
        x -= q
        return x
    return x - q


def _gemm(xp, a, b):
    """a @ b (float64). On NumPy, mid-size products go in row blocks below OpenBLAS's
    threading threshold (2^18 multiply-adds): a threaded call must wait for both cores, which
    on a busy machine costs milliseconds per call; single-threaded blocks never wait. Large
    products (most of the work) stay one threaded call. Other namespaces: one call."""
    m, k = a.shape
    n = b.shape[1]
    if xp is not np or m * n * k > SPLIT_MAX or n * k == 0:
        return xp.matmul(a, b)
    rows = max(1, SPLIT_BLOCK // (n * k))
    if rows >= m:
        return xp.matmul(a, b)
    out = np.empty((m, n), dtype=np.result_type(a.dtype, b.dtype))
    for s in range(0, m, rows):
        np.matmul(a[s : s + rows], b, out=out[s : s + rows])
    return out


def _sub_matmul(xp, A, N, B, plan: ModPlan):
    """Centered residues of A - N @ B mod p; A, N, B float64 centered residues. A is overwritten.

    Short inner dimensions (k <= plan.int_inner, a few terms) run in int64: k products of
    size <= half^2 plus |A| stay below 2^62. Otherwise B is cut into plan.limbs balanced
    digits (|digit| <= plan.digit_bound), placed side by side so one GEMM computes all of
    them, and the inner dimension into chunks of plan.inner terms: |GEMM| <= 2^50. Digits are
    recombined by Horner's rule, reducing before each shift: |center(acc) * 2^shift + GEMM|
    <= half * 2^shift + 2^50, and subtracting from a centered entry stays below 2^51
    (ModPlan.check), where :func:`_center` is exact.
    """
    p, k = plan.p, N.shape[1]
    m, n = A.shape
    if k == 0 or m == 0 or n == 0:
        return A
    if k <= plan.int_inner:
        Ai, Ni, Bi = (_astype(xp, x, xp.int64) for x in (A, N, B))
        Ai -= xp.matmul(Ni, Bi)
        Ai = _imod(xp, Ai, p)
        return _centered_float(xp, Ai, p)
    base = float(1 << plan.shift)
    out = A
    for s in range(0, k, plan.inner):
        e = min(s + plan.inner, k)  # in-bounds slices (the array API leaves others unspecified)
        Nc, Bc = (N, B) if (s, e) == (0, k) else (N[:, s:e], B[s:e, :])
        digits = []
        rest = Bc
        for _ in range(plan.limbs - 1):
            carry = _round_inplace(rest * (1.0 / base))  # exact: division by a power of two
            digits.append(rest - base * carry)
            rest = carry
        digits.append(rest)
        if n >= WIDE:  # one GEMM for all digits, side by side
            Z = _gemm(xp, Nc, _concat(xp, digits, 1) if plan.limbs > 1 else rest)
            Z = [Z[:, i * n : (i + 1) * n] for i in range(plan.limbs)]
        else:  # narrow: one GEMM per digit, so the results stay contiguous
            Z = [_gemm(xp, Nc, dgt) for dgt in digits]
        acc = Z[-1]
        for i in range(plan.limbs - 2, -1, -1):
            acc = _center(xp, acc, p, own=True)
            acc *= base
            acc += Z[i]
        out -= acc
        out = _center(xp, out, p, own=True)
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


def _leaf(xp, A, plan: ModPlan, need_coef: bool) -> _Factor:
    """Column-by-column elimination of a thin panel (a few columns), in int64.

    Pivot search: the largest residue of the column (nonzero iff any entry is); its value is
    read on the host (one scalar per column) and inverted there. Then every row is updated,
    row <- row - a * pivot_row / v (a: the row's entry in the column, v: the pivot), which
    zeroes the column and turns the pivot row into zero, so it is never chosen again. A
    column without a nonzero entry records no pivot. The panel is held transposed (w x m), so
    every operation runs along rows of length m.

    Lazy reduction: an update adds a product of two residues, < (p - 1)^2, to nonnegative
    entries, so after s updates entries are < p + s (p - 1)^2; they are reduced mod p only
    every plan.lazy_steps updates (127 for p = 268435399; 1 near 2^31), keeping them < 2^63.
    Only the column about to be searched, and the pivot row, are reduced at every step.

    The coefficients follow from the pivot columns alone: rows of the panel lie in the span of
    its pivot rows R, so A[others] = coef @ A[R] restricted to the pivot columns gives
    coef = A[others, pc] @ inv(A[R, pc]), where A[R, pc] (r x r, r <= w) is invertible and
    inverted by :func:`_small_inverse`.
    """
    p = plan.p
    m, w = A.shape
    F = xp.empty((w, m), dtype=xp.float64)
    F[:, :] = A.T  # copied in C order: the panel's columns become contiguous rows
    T0 = _imod(xp, _astype(xp, F, xp.int64), p)  # w x m
    del F
    T = T0
    rows, pcols, pivots = [], [], []
    pending = 0  # updates since T was last reduced
    for j in range(w):
        # Invariant: T holds columns j.. of the current rows (mod p, entries in [0, 2^63));
        # pivot rows so far are zero mod p.
        col = _imod(xp, T[0, :] * 1, p) if pending else T[0, :]
        piv = xp.reshape(xp.argmax(col), (1,))  # the largest residue: nonzero iff any is
        v = int(xp.take(col, piv)[0])  # one scalar per column, to the host
        T = T[1:, :]
        if v == 0:
            continue
        rows.append(piv)
        pcols.append(j)
        pivots.append(v)
        if j + 1 < w:
            # T <- T - prow * col / v, as T + col * (-prow / v mod p): one allocation
            prow = ((xp.take(T, piv, axis=1) % p) * (p - pow(v, -1, p))) % p  # (w-j-1) x 1
            U = prow * xp.reshape(col, (1, m))
            U += T
            pending += 1
            if pending >= plan.lazy_steps:
                U = _imod(xp, U, p)
                pending = 0
            T = U
    r = len(rows)
    rows = _concat(xp, rows, 0) if r else xp.zeros((0,), dtype=xp.int64)
    is_pivot = xp.any(xp.reshape(rows, (r, 1)) == xp.arange(m, dtype=rows.dtype), axis=0)
    others = xp.nonzero(xp.logical_not(is_pivot))[0]
    if not need_coef:
        return _Factor(rows, others, None)
    if r == 0:
        return _Factor(rows, others, xp.zeros((m, 0), dtype=xp.float64))
    pc = xp.asarray(pcols, dtype=xp.int64)
    T0 = xp.take(T0, pc, axis=0)  # r x m: the pivot columns
    inv = _small_inverse(xp, xp.take(T0, rows, axis=1).T, p, pivots)
    A_others = xp.take(T0, others, axis=1).T  # (m - r) x r
    if r * (p - 1) ** 2 < 2**63:  # r products of residues in [0, p) fit int64
        coef = _imod(xp, xp.matmul(A_others, inv), p)
        return _Factor(rows, others, _centered_float(xp, coef, p))
    coef = _sub_matmul(
        xp,
        xp.zeros((m - r, r), dtype=xp.float64),
        _centered_float(xp, A_others, p),
        _centered_float(xp, (p - inv) % p, p),  # - inv: A - N @ (-inv) = N @ inv
        plan,
    )
    return _Factor(rows, others, coef)


def _imod(xp, x, p: int):
    """x mod p in [0, p) for int64 x, in place: x - p * floor(x / p), Python's % exactly.

    (On NumPy, floor division by a scalar is several times faster than %.)"""
    q = x // p
    q *= p
    x -= q
    return x


def _centered_float(xp, R, p: int):
    """int64 values |R| < 2^51 as float64 centered residues (|.| <= p // 2)."""
    return _center(xp, _astype(xp, R, xp.float64), p, own=True)


def _small_inverse(xp, B, p: int, pivots: list[int]):
    """Inverse mod p of the r x r pivot block B = A[R, pc] of a leaf (int64 residues).

    Gauss-Jordan on [B | I] without row exchanges. Rows and columns of B come in elimination
    order, and the leaf's elimination is LU of B without pivoting (row j is reduced by the
    earlier pivot rows only), so the pivot Gauss-Jordan meets at step j is the leaf's j-th
    pivot value, already on the host: ``pivots[j]`` (nonzero). Products of residues < 2^62.
    """
    r = B.shape[0]
    M = _concat(xp, [B, xp.eye(r, dtype=xp.int64)], 1)
    for j in range(r):
        row = (M[j : j + 1, :] * pow(pivots[j], -1, p)) % p
        M = M - M[:, j : j + 1] * row
        M %= p
        M[j : j + 1, :] = row
    return M[:, r:]


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
        return _leaf(xp, A, plan, need_coef)
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


def rank_memory_bytes(m: int, n: int) -> int:
    """Stated bound on the working memory of :func:`rank_mod_p` for an m x n matrix, in bytes
    (besides the input): MEMORY_FACTOR float64 copies of the matrix plus 4 leaf panels
    (LEAF x max(m, n) entries each), for sizing K against a memory budget. Measured with
    tracemalloc on NumPy: 3.2-3.6 copies for square and moderately tall matrices (the
    top-level split holds the matrix, its Schur complement, the GEMM result with both digits
    and a reduction quotient); thin ones (n a few leaf widths) are dominated by the leaf
    panels. The tests check the bound on such shapes."""
    return 8 * (MEMORY_FACTOR * int(m) * int(n) + 4 * LEAF * max(int(m), int(n)))


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
    >>> rank_mod_p(np.array([[1, 2], [3, 4]]), 7)  # determinant -2
    2
    >>> rank_mod_p(np.array([[1, 2], [3, 4]]), 2)
    1
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
    R = _imod(xp, _astype(xp, X, xp.int64), p)  # astype copies: X is not modified
    A = _astype(xp, R, xp.float64)
    del R  # at most two matrix-sized arrays at a time
    A = _center(xp, A, p, own=True)
    if n > m:
        A = A.T  # recursion over the shorter side
    leaf = LEAF if block is None else int(block)
    if leaf < 1:
        raise ValueError(f"block must be >= 1, got {block}")
    return _factor(xp, A, plan, leaf, False).rank
