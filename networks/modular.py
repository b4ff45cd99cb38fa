"""Exact integer arithmetic modulo a prime on int64 arrays (NumPy or CuPy).

The prime is P = 268435399, the largest prime below 2^28. Residues are < 2^28, so a product
of two is < 2^56 and a sum of up to 127 such products is < 2^63: a matrix product over an
inner dimension of at most 127 cannot overflow int64. Longer inner dimensions are cut into
chunks of 127 and reduced after each chunk.

Reductions use :func:`mod`, ``x - (x // p) * p``: the same value as ``x % p`` (floor
division, so the result is in [0, p) for either sign), but NumPy divides int64 arrays by a
scalar with libdivide in ``//`` and not in ``%``: measured 0.17 ms instead of 0.46 ms on
2^18 entries (2 cores, 2026-11-30).
"""

from __future__ import annotations

__all__ = ["PRIME", "CHUNK", "mod", "modmatmul", "modmul", "modsum"]

PRIME = 268_435_399  # largest prime < 2**28
CHUNK = 127  # 127 * (PRIME - 1)**2 < 2**63


def mod(x, p: int = PRIME):
    """x mod p in [0, p) for an int64 array x (any sign): ``x - (x // p) * p``."""
    return x - (x // p) * p


def modmatmul(xp, a, b, p: int = PRIME):
    """(a @ b) mod p for int64 arrays with entries in [0, p); a (..., n), b (n, m)."""
    n = b.shape[0]
    if n <= CHUNK:
        return mod(xp.matmul(a, b), p)
    out = None
    for s in range(0, n, CHUNK):
        part = mod(xp.matmul(a[..., s : s + CHUNK], b[s : s + CHUNK]), p)
        out = part if out is None else mod(out + part, p)
    return out


def modmul(a, b, p: int = PRIME):
    return mod(a * b, p)


def modsum(xs, p: int = PRIME):
    out = xs[0]
    for x in xs[1:]:
        out = mod(out + x, p)
    return out
