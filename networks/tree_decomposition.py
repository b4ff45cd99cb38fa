"""A hierarchical (tree) tensor decomposition evaluated directly on its mode tree.

Independent of the circuit machinery: nodes are position sets (bitmasks) with ordered children,
every interior node has its own weights (the paper's decomposition, Def. 1 / eq. 2), leaves
read the input vector at their position. Used to check Claim 5 by comparing outputs exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .modular import PRIME, modmatmul

__all__ = ["TreeDecomposition", "random_tree_decomposition"]


@dataclass
class TreeDecomposition:
    root: int
    children: dict[int, tuple[int, ...]]  # node -> ordered children (leaves map to ())
    width: int  # uniform width of interior nodes (the root has one output channel)
    M: int
    weights: dict[int, list[np.ndarray]]  # node -> per child: (dim(child), width or 1 at the root)
    p: int = PRIME

    def dim(self, node: int) -> int:
        return self.M if not self.children[node] else self.width

    def evaluate_batch(self, x, xp=np):
        """Output for input sequences x (B, N, M), exactly mod p."""

        def ev(node):
            ch = self.children[node]
            if not ch:
                pos = (node & -node).bit_length() - 1
                return xp.asarray(x[:, pos, :])
            v = None
            for j, c in enumerate(ch):
                t = modmatmul(xp, ev(c), xp.asarray(self.weights[node][j]), self.p)
                v = t if v is None else (v * t) % self.p
            return v

        return ev(self.root)[:, 0]


def random_tree_decomposition(root, children, width, M, seed=0, p=PRIME) -> TreeDecomposition:
    rng = np.random.default_rng(seed)
    W = {}

    def walk(node):
        ch = children[node]
        if not ch:
            return
        out = 1 if node == root else width
        W[node] = [
            rng.integers(0, p, size=(M if not children[c] else width, out), dtype=np.int64)
            for c in ch
        ]
        for c in ch:
            walk(c)

    walk(root)
    return TreeDecomposition(root, dict(children), width, M, W, p)
