"""Inputs that sample a K_r x K_c submatrix of the matricization [A]_I (docs/theory.md sec. 7).

Templates are the standard basis e_1..e_M of R^M, so the grid tensor is the table of outputs on
one-hot sequences. When the output is multilinear in the inputs (trees and mixed networks of
product units), its value on inputs x_p = sum_d c_{p,d} e_d is sum_d prod_p c_{p,d_p} A[d]:
random product inputs give C_I [A]_I C_J^T, whose rank equals rank [A]_I with high probability
once K exceeds it (Schwartz-Zippel). Otherwise (overlapping circuits, relu/max pooling) rows
and columns are distinct random template configurations: a submatrix of [A]_I, all of it when
M^|I| <= K_r and M^|J| <= K_c. For relu/max pooling the templates are M fixed random Gaussian
vectors (seeded) instead of the standard basis: with nonnegative one-hot inputs and no biases,
a random relu network is often identically zero on the grid (a dead output unit).

**Windows** (docs/verify.md, "Verification at scale"): positions outside a window W get one
fixed input each, the same for every row and column: a random vector (multilinear networks:
the matrix is then C [A x_O v_O] C^T, a restriction of [A]_I) or a random template (other
networks: the matrix is then a submatrix of [A]_I). Either way its rank is a lower bound.

A :class:`Sampler` grows its sample: ``sample(Kr, Kc)`` keeps every row and column drawn before
and appends new ones, so the matrices of an adaptive run are nested.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from analyzer.circuit import positions_of

__all__ = ["Sample", "Sampler", "sample_partition"]


@dataclass
class Sample:
    rows: dict  # position in I ∩ W -> (K_r, M)
    cols: dict  # position in J ∩ W -> (K_c, M)
    Kr: int
    Kc: int
    method: str  # random-product | template-subset | all-templates
    fixed: dict = field(default_factory=dict)  # position outside the window -> (M,)

    def leaves(self, r0: int, r1: int, c0: int = 0, c1: int | None = None) -> dict:
        """Leaves for rows r0:r1 and columns c0:c1, shaped to broadcast to (rows, columns).

        Fixed positions come as (1, 1, M): units that only read them stay (1, 1, r).
        """
        c1 = self.Kc if c1 is None else c1
        out = {p: v[r0:r1, None, :] for p, v in self.rows.items()}
        out.update({p: v[None, c0:c1, :] for p, v in self.cols.items()})
        out.update(self.fixed_leaves())
        return out

    def fixed_leaves(self) -> dict:
        return {p: v[None, None, :] for p, v in self.fixed.items()}


def _all_configs(n: int, M: int) -> list[tuple]:
    return list(itertools.product(range(M), repeat=n))


class _Configs:
    """Distinct template configurations of n positions, grown in a nested way."""

    def __init__(self, n: int, M: int, rng):
        self.n, self.M, self.rng = n, M, rng
        self.total = M**n
        self.out: list[tuple] = []
        self.seen: set[tuple] = set()

    def grow(self, K: int) -> np.ndarray:
        K = min(K, self.total)
        if K >= self.total:
            for t in _all_configs(self.n, self.M):
                if t not in self.seen:
                    self.seen.add(t)
                    self.out.append(t)
        while len(self.out) < K:
            for row in self.rng.integers(0, self.M, size=(K, self.n)):
                t = tuple(row.tolist())
                if t not in self.seen:
                    self.seen.add(t)
                    self.out.append(t)
                    if len(self.out) == K:
                        break
        return np.array(self.out, dtype=np.int64).reshape(len(self.out), self.n)


def _onehot(digits: np.ndarray, M: int, arithmetic: str, dtype, templates=None) -> np.ndarray:
    if templates is not None:
        return np.asarray(templates, dtype=dtype)[digits]
    out = np.zeros((digits.shape[0], M), dtype=np.int64 if arithmetic == "exact" else dtype)
    out[np.arange(digits.shape[0]), digits] = 1
    return out


class Sampler:
    """Nested samples of [A]_I (restricted to a window when ``window`` is a position mask).

    ``rng`` seeds everything; the rows, the columns and the fixed inputs use independent
    streams, so a sample at (K_r, K_c) is the same whatever the sequence of calls.
    """

    def __init__(
        self,
        circuit,
        I: int,
        M: int,
        arithmetic: str,
        rng,
        p: int,
        multilinear: bool,
        dtype=np.float64,
        templates=None,
        window: int | None = None,
    ):
        used = circuit.used_mask
        W = used if window is None else (window & used)
        self.Ipos = positions_of(I & W)
        self.Jpos = positions_of(W & ~I)
        self.Opos = positions_of(used & ~W)
        self.M, self.arithmetic, self.p = M, arithmetic, p
        self.multilinear, self.dtype, self.templates = multilinear, dtype, templates
        seeds = rng.integers(0, 2**63 - 1, size=3)
        self.rng_r, self.rng_c, rng_o = (np.random.default_rng(int(s)) for s in seeds)
        self.max_r = M ** len(self.Ipos)
        self.max_c = M ** len(self.Jpos)
        self.rows = {q: np.zeros((0, M), dtype=self._dt) for q in self.Ipos}
        self.cols = {q: np.zeros((0, M), dtype=self._dt) for q in self.Jpos}
        if multilinear:
            self.fixed = {q: self._draw(rng_o, 1)[0] for q in self.Opos}
        else:
            digits = rng_o.integers(0, M, size=len(self.Opos))
            vecs = _onehot(digits, M, arithmetic, dtype, templates)
            self.fixed = {q: vecs[i] for i, q in enumerate(self.Opos)}
            self._cr = _Configs(len(self.Ipos), M, self.rng_r)
            self._cc = _Configs(len(self.Jpos), M, self.rng_c)

    @property
    def _dt(self):
        return np.int64 if self.arithmetic == "exact" else self.dtype

    def _draw(self, rng, k: int) -> np.ndarray:
        if self.arithmetic == "exact":
            return rng.integers(0, self.p, size=(k, self.M), dtype=np.int64)
        return rng.standard_normal((k, self.M)).astype(self.dtype)

    def sample(self, Kr: int, Kc: int) -> Sample:
        """The first K_r rows and K_c columns (at most M^|I ∩ W| and M^|J ∩ W|)."""
        Kr, Kc = min(Kr, self.max_r), min(Kc, self.max_c)
        if self.multilinear:
            for side, K, rng in ((self.rows, Kr, self.rng_r), (self.cols, Kc, self.rng_c)):
                for q, v in side.items():
                    if v.shape[0] < K:
                        side[q] = np.concatenate([v, self._draw(rng, K - v.shape[0])])
            rows = {q: v[:Kr] for q, v in self.rows.items()}
            cols = {q: v[:Kc] for q, v in self.cols.items()}
            return Sample(rows, cols, Kr, Kc, "random-product", dict(self.fixed))
        dr, dc = self._cr.grow(Kr)[:Kr], self._cc.grow(Kc)[:Kc]
        a, dt, T = self.arithmetic, self.dtype, self.templates
        rows = {q: _onehot(dr[:, i], self.M, a, dt, T) for i, q in enumerate(self.Ipos)}
        cols = {q: _onehot(dc[:, i], self.M, a, dt, T) for i, q in enumerate(self.Jpos)}
        full = Kr == self.max_r and Kc == self.max_c and not self.Opos
        method = "all-templates" if full else "template-subset"
        return Sample(rows, cols, Kr, Kc, method, dict(self.fixed))


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
    window: int | None = None,
) -> Sample:
    """One K_r x K_c sample (see :class:`Sampler` for nested, growing samples)."""
    s = Sampler(circuit, I, M, arithmetic, rng, p, multilinear, dtype, templates, window)
    return s.sample(Kr, Kc)
