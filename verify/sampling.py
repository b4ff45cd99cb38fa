"""Inputs that sample a K_r x K_c submatrix of the matricization [A]_I (theory.md sec. 3).

Templates are the standard basis e_1..e_M of R^M, so the grid tensor is the table of outputs on
one-hot sequences. When the output is multilinear in the inputs (trees and mixed networks of
product units), its value on inputs x_p = sum_d c_{p,d} e_d is sum_d prod_p c_{p,d_p} A[d]:
random product inputs give C_I [A]_I C_J^T, whose rank equals rank [A]_I with high probability
once K exceeds it (Schwartz-Zippel). Otherwise (overlapping circuits, relu/max pooling) rows
and columns are distinct random template configurations: a submatrix of [A]_I, all of it when
M^|I| <= K_r and M^|J| <= K_c. For relu/max pooling the templates are M fixed random Gaussian
vectors (seeded) instead of the standard basis: with nonnegative one-hot inputs and no biases,
a random relu network is often identically zero on the grid (a dead output unit).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from analyzer.circuit import positions_of

__all__ = ["Sample", "sample_partition"]


@dataclass
class Sample:
    rows: dict  # position in I -> (K_r, M)
    cols: dict  # position in J -> (K_c, M)
    Kr: int
    Kc: int
    method: str  # random-product | template-subset | all-templates

    def leaves(self, r0: int, r1: int) -> dict:
        """Leaves for rows r0:r1, shaped to broadcast to the (rows, K_c) matrix."""
        out = {p: v[r0:r1, None, :] for p, v in self.rows.items()}
        out.update({p: v[None, :, :] for p, v in self.cols.items()})
        return out


def _configs(n: int, M: int, K: int, rng) -> np.ndarray:
    """K distinct template configurations of n positions (all of them when M^n <= K)."""
    total = M**n
    if total <= K:
        return np.array(list(itertools.product(range(M), repeat=n)), dtype=np.int64).reshape(
            total, n
        )
    seen: set[tuple] = set()
    out = []
    while len(out) < K:
        for row in rng.integers(0, M, size=(K, n)):
            t = tuple(row.tolist())
            if t not in seen:
                seen.add(t)
                out.append(t)
                if len(out) == K:
                    break
    return np.array(out, dtype=np.int64)


def _onehot(digits: np.ndarray, M: int, arithmetic: str, dtype, templates=None) -> np.ndarray:
    if templates is not None:
        return np.asarray(templates, dtype=dtype)[digits]
    out = np.zeros((digits.shape[0], M), dtype=np.int64 if arithmetic == "exact" else dtype)
    out[np.arange(digits.shape[0]), digits] = 1
    return out


def sample_partition(
    circuit,
    I: int,
    Kr: int,
    Kc: int,
    M: int,
    arithmetic: str,
    rng,
    p: int,
    multilinear: bool,
    dtype=np.float64,
    templates=None,
) -> Sample:
    used = circuit.used_mask
    Ipos = positions_of(I & used)
    Jpos = positions_of(used & ~I)
    if multilinear:
        Kr = min(Kr, M ** len(Ipos))
        Kc = min(Kc, M ** len(Jpos))

        def draw(k):
            if arithmetic == "exact":
                return rng.integers(0, p, size=(k, M), dtype=np.int64)
            return rng.standard_normal((k, M)).astype(dtype)

        rows = {q: draw(Kr) for q in Ipos}
        cols = {q: draw(Kc) for q in Jpos}
        return Sample(rows, cols, Kr, Kc, "random-product")
    dr = _configs(len(Ipos), M, Kr, rng)
    dc = _configs(len(Jpos), M, Kc, rng)
    Kr, Kc = dr.shape[0], dc.shape[0]
    rows = {q: _onehot(dr[:, i], M, arithmetic, dtype, templates) for i, q in enumerate(Ipos)}
    cols = {q: _onehot(dc[:, i], M, arithmetic, dtype, templates) for i, q in enumerate(Jpos)}
    full = Kr == M ** len(Ipos) and Kc == M ** len(Jpos)
    return Sample(rows, cols, Kr, Kc, "all-templates" if full else "template-subset")
