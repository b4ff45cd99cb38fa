"""Claim 5 as a check: a hybrid tree of width w is realised by the mixed network of width r.

Construction (after the paper's App. B.1, written out for any hybrid tree): every node of the
hybrid tree H is computed by the branch whose tree its segment was taken from, in ``w``
channels; all other units get zero weights (so they output 0 under product pooling). At a
mixture node the value must end up in the branch that computes the parent: an exchange of
``s`` channels (channels ``[0, s)`` swap branches) moves it when it sits in channels ``[0, w)``
and leaves it in place when it sits in ``[s, s + w)``; so ``w <= min(s, r - s)`` (``r/2`` for the
paper's half exchange). A sum connection adds the other branch's unit, which is zero. At the
root, channel y of the computing branch carries H's output; the other branch outputs 0.
Outputs are then compared exactly (mod p) on random inputs: equality on random inputs is
equality of the two polynomials with high probability (Schwartz-Zippel), and any difference
found is a certain failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analyzer.analysis import structure
from analyzer.errors import OptionError
from analyzer.spec import Architecture, SpecError, exchange_count
from networks import PRIME, Network, get_xp, random_tree_decomposition, to_numpy
from networks.backend import BackendError

__all__ = ["claim5_check", "copy_hybrid_weights", "Claim5Result", "hybrid_children", "CORRUPTIONS"]

CORRUPTIONS = ("wrong-exchange", "wrong-copy")


@dataclass
class Claim5Result:
    ok: bool
    prime: int
    width: int
    hybrid_width: int
    n_inputs: int
    checked: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def hybrid_children(
    hs, choice: dict[int, int]
) -> tuple[dict[int, tuple[int, ...]], dict[int, int]]:
    """The hybrid tree H: node -> ordered children, and node -> index of the tree computing it
    (:meth:`analyzer.trees.HybridStructure.tree`)."""
    return hs.tree(choice)


def _default_choices(hs, seed: int) -> list[dict[int, int]]:
    tops = [s.top for s in hs.segments]
    if hs.count <= 8:
        return hs.enumerate(8)
    rng = np.random.default_rng([seed, 5])
    out = [dict.fromkeys(tops, 0), dict.fromkeys(tops, 1), {t: i % 2 for i, t in enumerate(tops)}]
    for _ in range(3):
        out.append({t: int(rng.integers(0, 2)) for t in tops})
    return out


def copy_hybrid_weights(arch, st, children, owner, td, corrupt: str | None = None) -> dict:
    """Per-node weights of the mixed network that realise the hybrid tree ``td`` (App. B.1).

    ``children``/``owner`` describe the hybrid tree H (:func:`hybrid_children`); every unit not
    in H gets zero weights. ``corrupt`` breaks the copy on purpose (for tests).
    """
    hs, c = st.hybrid, st.circuit
    w, M, y = int(st.hybrid_width), int(arch.input_channels), arch.output_channel
    root = hs.trees[0].root
    parent = {ch: n for n, chs in children.items() for ch in chs}
    conn_at = {conn.after_layer: conn for conn in arch.connections}
    # the unit of branch b computing tree node n: match (layer, support) among its product units
    unit_of = [
        {(c.units[u].layer, c.units[u].support): u for u in c.prod_units[b].values()}
        for b in range(2)
    ]

    def layer_of(n: int) -> int:
        return hs.trees[owner[n]].layer[n]

    def placement(n: int, corrupted: bool = False) -> slice:
        """Channels holding n's value in the branch that computes n's parent (post-connection)."""
        if n not in hs.mixture_nodes:
            return slice(0, w)
        conn = conn_at[layer_of(n)]
        if conn.mode == "sum":
            return slice(0, w)
        s = int(exchange_count(conn, int(arch.join_width(conn))))
        stays = owner[parent[n]] == owner[n]
        if corrupted:
            stays = not stays
        return slice(s, s + w) if stays else slice(0, w)

    W: dict[int, list[np.ndarray]] = {}
    for b in range(2):
        br = arch.branches[b]
        for u in c.prod_units[b].values():
            unit = c.units[u]
            r_in = M if unit.layer == 1 else int(br.layers[unit.layer - 2].width)
            shape = (r_in, int(unit.width))
            W[u] = [
                np.zeros(shape, dtype=np.int64) for _ in range(br.layers[unit.layer - 1].kernel)
            ]
    corrupted_done = False
    for n, chs in children.items():
        if not chs:
            continue
        u = unit_of[owner[n]][(layer_of(n), n)]
        if n == root:
            out_cols = slice(y, y + 1)
        else:
            bad = corrupt == "wrong-exchange" and n in hs.mixture_nodes and not corrupted_done
            out_cols = placement(n, corrupted=bad)
            corrupted_done = corrupted_done or bad
        for j, ch in enumerate(chs):
            rows = slice(0, M) if not children[ch] else placement(ch)
            W[u][j][rows, out_cols] = td.weights[n][j]
    if corrupt == "wrong-copy":
        root_u = unit_of[owner[root]][(layer_of(root), root)]
        W[root_u][0][0, y] = (W[root_u][0][0, y] + 1) % PRIME
    return W


def claim5_check(
    arch: Architecture,
    choices: list[dict[int, int]] | None = None,
    seed: int = 0,
    n_inputs: int = 64,
    corrupt: str | None = None,
    backend: str = "numpy",
    values: dict | None = None,
) -> Claim5Result:
    """Copy random hybrid-tree weights into the mixed network and compare outputs exactly.

    References
    ----------
    Claim 5 and App. B.1 of Cohen, Tamari, Shashua (ICLR 2018).
    """
    if values:
        arch = arch.substitute(values)
    if not arch.is_concrete:
        raise OptionError(
            "values",
            f"the Claim 5 check needs numbers: set {', '.join(arch.symbol_names)}",
            arch.source,
        )
    if corrupt is not None and corrupt not in CORRUPTIONS:
        raise OptionError(
            "corrupt", f"unknown corruption {corrupt!r} (choose from {', '.join(CORRUPTIONS)})"
        )
    try:
        xp = get_xp(backend)
    except BackendError as exc:
        raise OptionError("backend", str(exc)) from None
    st = structure(arch)
    hs = st.hybrid
    if corrupt == "wrong-exchange" and not any(
        conn.mode == "exchange" for conn in arch.connections
    ):
        raise SpecError(
            arch.source, "connections", "corrupt='wrong-exchange' needs an exchange connection"
        )
    if hs is None or arch.readout:
        raise SpecError(
            arch.source,
            "",
            "Claim 5 applies to two binary tree branches joined at mixture nodes (paper output "
            "convention)",
        )
    c = st.circuit
    w = int(st.hybrid_width)
    M = int(arch.input_channels)
    if w < 1:
        raise SpecError(arch.source, "", "the hybrid width is 0: nothing to realise")
    choices = choices if choices is not None else _default_choices(hs, seed)
    rng_inputs = np.random.default_rng([seed, 6])
    x = rng_inputs.integers(0, PRIME, size=(n_inputs, c.N, M), dtype=np.int64)
    checked = []
    ok_all = True
    for ci, choice in enumerate(choices):
        children, owner = hybrid_children(hs, choice)
        td = random_tree_decomposition(hs.trees[0].root, children, w, M, seed=seed * 1000 + ci)
        W = copy_hybrid_weights(arch, st, children, owner, td, corrupt=corrupt)
        net = Network(c, "exact", "per-node", W, {}, PRIME)
        got = to_numpy(net.evaluate_batch(xp.asarray(x), xp))
        want = to_numpy(td.evaluate_batch(xp.asarray(x), xp))
        mismatches = int(np.count_nonzero(got != want))
        equal = mismatches == 0
        ok_all &= equal
        checked.append(
            {
                "hybrid": hs.describe(choice),
                "equal": equal,
                "mismatches": mismatches,
                "nodes": len(children),
            }
        )
    return Claim5Result(
        ok=ok_all,
        prime=PRIME,
        width=max(int(ly.width) for b in arch.branches for ly in b.layers),
        hybrid_width=w,
        n_inputs=n_inputs,
        checked=checked,
    )
