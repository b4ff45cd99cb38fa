"""The oracle: exact ranks of the FULL grid tensor, computed without the analyzer.

Independent of ``analyzer.circuit``, ``analyzer.bounds`` and ``verify``:

* :func:`reference_output` evaluates a network by a plain recursion over (branch, layer, time
  offset) following theory.md sec. 1-2 (product of the k linear forms of the taps, then the
  connections after the layer: an exchange swaps channels ``[0, s)``, a sum adds the joined
  units; the outputs of the branches are summed; channel y, or the read-out). Python integers
  modulo the prime. It only borrows the network's weight matrices (and, for per-node weights,
  the unit id under which each node's weights are filed).
* :func:`used_positions` finds the positions the output reads by the same recursion, channel by
  channel.
* :func:`grid_tensor` evaluates the network (``networks.Network.evaluate_batch``, checked
  against :func:`reference_output` in ``test_reference.py``) on EVERY one-hot sequence over the
  used positions: the grid tensor A[d_1..d_n] with the standard basis as templates (eq. 1).
* :func:`matricization_rank` reshapes A into [A]_I and takes its exact rank over GF(p) with
  python-flint directly (not through ``verify.ranks``, which is under test).
"""

from __future__ import annotations

import itertools

import flint
import numpy as np

from networks import PRIME, random_network

__all__ = [
    "is_tree",
    "used_positions",
    "receptive_positions",
    "reference_output",
    "grid_tensor",
    "matricization_rank",
    "generic_rank",
]


def is_tree(branch) -> bool:
    """Tree or gapped tree: the offsets sum_l j_l d_l (0 <= j_l < k_l) are all distinct."""
    offs = [0]
    for ly in branch.layers:
        offs = [o + j * ly.dilation for o in offs for j in range(ly.kernel)]
    return len(set(offs)) == len(offs)


def _conns_at(arch, l: int):
    return [c for c in arch.connections if c.after_layer == l]


def _component(arch, b: int, l: int) -> list[int]:
    """Branches joined with ``b`` (transitively) by connections after layer ``l``."""
    names = [br.name for br in arch.branches]
    comp = {b}
    changed = True
    while changed:
        changed = False
        for c in _conns_at(arch, l):
            idx = {names.index(n) for n in c.branches}
            if idx & comp and not idx <= comp:
                comp |= idx
                changed = True
    return sorted(comp)


def _offsets(arch) -> set[int]:
    """Time offsets (0 = the output time) of the inputs the output reads."""
    seen: set[tuple[int, int, int]] = set()
    out: set[int] = set()

    def visit(b: int, l: int, tau: int) -> None:
        if l == 0:
            out.add(tau)
            return
        for bb in _component(arch, b, l):
            if (bb, l, tau) in seen:
                continue
            seen.add((bb, l, tau))
            ly = arch.branches[bb].layers[l - 1]
            for j in range(ly.kernel):
                visit(bb, l - 1, tau + j * ly.dilation)

    for b, br in enumerate(arch.branches):
        visit(b, br.depth, 0)
    return out


def receptive_positions(arch) -> int:
    """N: the number of positions (time offsets 0..N-1; position p is offset N-1-p)."""
    return max(_offsets(arch)) + 1


def _channel_offsets(arch) -> set[int]:
    """Time offsets the output reads, channel by channel (the recursion of
    :func:`reference_output` on sets of offsets instead of values): an exchange of all a
    branch's channels, or of channels nobody reads, can leave a unit's inputs unread, which the
    branch-level :func:`_offsets` does not see."""
    names = [br.name for br in arch.branches]
    memo: dict = {}

    def pre(b: int, l: int, tau: int) -> list[frozenset]:
        ly = arch.branches[b].layers[l - 1]
        reads: frozenset = frozenset()
        for j in range(ly.kernel):  # every channel is a product of forms in all the taps
            for ch in post(b, l - 1, tau + j * ly.dilation):
                reads |= ch
        return [reads] * int(ly.width)

    def post(b: int, l: int, tau: int) -> list[frozenset]:
        if l == 0:
            return [frozenset({tau})] * int(arch.input_channels)
        if (b, l, tau) in memo:
            return memo[(b, l, tau)]
        comp = _component(arch, b, l)
        cur = {bb: pre(bb, l, tau) for bb in comp}
        for c in _conns_at(arch, l):  # as in reference_output
            idx = [names.index(n) for n in c.branches]
            if idx[0] not in comp:
                continue
            if c.mode == "exchange":
                a, bb = idx
                s = int(c.exchange) if c.exchange is not None else len(cur[a]) // 2
                cur[a], cur[bb] = cur[bb][:s] + cur[a][s:], cur[a][:s] + cur[bb][s:]
            else:
                tot = [frozenset().union(*col) for col in zip(*(cur[i] for i in idx), strict=True)]
                for i in idx:
                    cur[i] = list(tot)
        for bb in comp:
            memo[(bb, l, tau)] = cur[bb]
        return memo[(b, l, tau)]

    out: set[int] = set()
    for b, br in enumerate(arch.branches):
        h = post(b, br.depth, 0)
        for ch in h if arch.readout else [h[arch.output_channel]]:
            out |= ch
    return out


def used_positions(arch) -> list[int]:
    """The positions the output reads (position p is offset N - 1 - p, N structural)."""
    N = receptive_positions(arch)
    return sorted(N - 1 - t for t in _channel_offsets(arch))


def reference_output(net, x, p: int = PRIME) -> int:
    """Output of ``net`` (exact arithmetic) on one sequence ``x[pos][channel]`` (ints)."""
    arch = net.arch
    N = len(x)
    names = [br.name for br in arch.branches]
    memo: dict = {}

    def weights(b: int, l: int, tau: int):
        if net.weights_mode == "shared":
            key = (b, l)
        else:  # per-node: the network files each node's weights under its unit id
            key = net.circuit.prod_units[b][(l, tau)]
        return [np.asarray(w).tolist() for w in net.weights[key]]

    def pre(b: int, l: int, tau: int) -> list[int]:
        """h_l[t]: product over taps j of <a_{l,γ,j}, h_{l-1}[t - j d_l]> (theory.md sec. 1)."""
        ly = arch.branches[b].layers[l - 1]
        W = weights(b, l, tau)
        r_out = int(ly.width)
        out = [1] * r_out
        for j in range(ly.kernel):
            h = post(b, l - 1, tau + j * ly.dilation)
            for g in range(r_out):
                lin = sum(h[i] * W[j][i][g] for i in range(len(h))) % p
                out[g] = out[g] * lin % p
        return out

    def post(b: int, l: int, tau: int) -> list[int]:
        """The unit read by layer l+1: h_l after the connections after layer l (eq. 4)."""
        if l == 0:
            return [int(v) % p for v in x[N - 1 - tau]]
        if (b, l, tau) in memo:
            return memo[(b, l, tau)]
        comp = _component(arch, b, l)
        cur = {bb: pre(bb, l, tau) for bb in comp}
        for c in _conns_at(arch, l):  # in the order given
            idx = [names.index(n) for n in c.branches]
            if idx[0] not in comp:  # another component's connection
                continue
            if c.mode == "exchange":
                a, bb = idx
                r = len(cur[a])
                s = int(c.exchange) if c.exchange is not None else r // 2
                cur[a], cur[bb] = cur[bb][:s] + cur[a][s:], cur[a][:s] + cur[bb][s:]
            else:
                tot = [sum(col) % p for col in zip(*(cur[i] for i in idx), strict=True)]
                for i in idx:
                    cur[i] = list(tot)
        for bb in comp:
            memo[(bb, l, tau)] = cur[bb]
        return memo[(b, l, tau)]

    total = 0
    for b, br in enumerate(arch.branches):
        h = post(b, br.depth, 0) if br.depth else None
        if arch.readout:
            w = np.asarray(net.readout[b]).tolist()
            total += sum(hi * wi for hi, wi in zip(h, w, strict=True))
        else:
            total += h[arch.output_channel]
    return total % p


def grid_tensor(net) -> tuple[list[int], int, np.ndarray]:
    """(used positions, M, A) with A of shape (M,)*n: the output on every one-hot sequence."""
    arch = net.arch
    M = int(arch.input_channels)
    used = used_positions(arch)
    N = receptive_positions(arch)
    n = len(used)
    configs = np.array(list(itertools.product(range(M), repeat=n)), dtype=np.int64)
    configs = configs.reshape(M**n, n)
    x = np.zeros((M**n, N, M), dtype=np.int64)
    rows = np.arange(M**n)
    for i, q in enumerate(used):
        x[rows, q, configs[:, i]] = 1
    vals = np.asarray(net.evaluate_batch(x)) % net.p
    return used, M, vals.reshape((M,) * n)


def matricization_rank(used: list[int], A: np.ndarray, I, p: int = PRIME) -> int:
    """rank over GF(p) of [A]_I: rows indexed by the positions in I, columns by the rest."""
    I = set(I)
    ax_I = [i for i, q in enumerate(used) if q in I]
    ax_J = [i for i, q in enumerate(used) if q not in I]
    M = A.shape[0] if A.ndim else 1
    mat = np.transpose(A, ax_I + ax_J).reshape(M ** len(ax_I), M ** len(ax_J))
    return int(flint.nmod_mat(mat.tolist(), p).rank())


def generic_rank(arch, partitions, weights: str, seeds=(0, 1)) -> dict:
    """{tuple(I): (max rank over the seeds, [rank per seed])}: the generic rank (w.h.p.)."""
    out: dict = {}
    for seed in seeds:
        net = random_network(arch, "exact", weights, seed=seed)
        used, _, A = grid_tensor(net)
        for I in partitions:
            out.setdefault(tuple(I), []).append(matricization_rank(used, A, I, net.p))
    return {k: (max(v), v) for k, v in out.items()}


# --------------------------------------------------------------------------- formula oracles
# Theorem 7 and Claim 5 written from their definitions (Def. 1, 4, 6), on mode trees built by
# the same recursion as :func:`reference_output`, not by ``analyzer.trees``.
def mode_tree(arch, b: int):
    """(root, children, depth, layer) of branch ``b``'s mode tree; nodes are frozensets."""
    N = receptive_positions(arch)
    br = arch.branches[b]
    children: dict = {}
    depth: dict = {}
    layer: dict = {}

    def build(l: int, tau: int, d: int) -> frozenset:
        if l == 0:
            node = frozenset({N - 1 - tau})
            ch: tuple = ()
        else:
            ly = br.layers[l - 1]
            ch = tuple(build(l - 1, tau + j * ly.dilation, d + 1) for j in range(ly.kernel))
            node = frozenset().union(*ch)
        children[node], depth[node], layer[node] = ch, d, l
        return node

    root = build(br.depth, 0, 0)
    return root, children, depth, layer


def tiling(tree, I: set) -> tuple[list, list]:
    """Θ(I;T), Θ(J;T) (Def. 6): the maximal nodes contained in I (in J = root minus I)."""
    root, children, _, _ = tree
    parent = {c: p for p, ch in children.items() for c in ch}
    J = set(root) - I
    tI = [n for n in children if n <= I and (n == root or not parent[n] <= I)]
    tJ = [n for n in children if n <= J and (n == root or not parent[n] <= J)]
    return tI, tJ


def sibling_pairs(children: dict, depth: dict, I: set, J: set) -> int:
    """#{(ν1, ν2) in Θ(I) x Θ(J): siblings, depth > 1} (Theorem 7), on any binary tree."""
    parent = {c: p for p, ch in children.items() for c in ch}
    root = next(n for n in children if n not in parent)
    tI = [n for n in children if n <= I and (n == root or not parent[n] <= I)]
    tJ = [n for n in children if n <= J and (n == root or not parent[n] <= J)]
    return sum(
        1
        for a in tI
        for c in tJ
        if depth[a] > 1 and a != root and c != root and parent[a] == parent[c]
    )


def theorem7_reference(arch, I) -> tuple[int | None, int] | None:
    """(upper, lower) of Theorem 7 for unconnected binary tree branches of depth >= 2, else None.

    upper = sum_b r_b^min(|Θ(I;T_b)|, |Θ(J;T_b)|) (None unless each branch has one width r_b in
    layers 1..L-1; subadditivity over the summed branches); lower = max_b min(M, least width of
    layers 1..L-1)^pairs(I;T_b).
    """
    if arch.connections or arch.pooling != "product":
        return None
    if any(br.depth < 2 or not is_tree(br) for br in arch.branches):
        return None
    if any(ly.kernel != 2 for br in arch.branches for ly in br.layers):
        return None
    M = int(arch.input_channels)
    ups, lows = [], []
    I = set(I)
    for b, br in enumerate(arch.branches):
        t = mode_tree(arch, b)
        Ib = I & t[0]
        tI, tJ = tiling(t, Ib)
        ws = [int(ly.width) for ly in br.layers[:-1]]
        if len(set(ws)) == 1:
            ups.append(ws[0] ** min(len(tI), len(tJ)))
        pairs = sibling_pairs(t[1], t[2], Ib, set(t[0]) - Ib)
        lows.append(min(M, min(ws)) ** pairs)
    return (sum(ups) if len(ups) == len(arch.branches) else None), max(lows)


def hybrid_pairs_reference(arch, I) -> int | None:
    """max over hybrid trees H (Def. 4) of pairs(I;H), by enumerating every H; None when Claim 5
    does not apply (two binary tree branches with one root, joined at mixture nodes)."""
    if len(arch.branches) != 2 or arch.pooling != "product":
        return None
    brs = arch.branches
    if any(not is_tree(br) or any(ly.kernel != 2 for ly in br.layers) for br in brs):
        return None
    trees = [mode_tree(arch, b) for b in (0, 1)]
    if trees[0][0] != trees[1][0]:
        return None
    root = trees[0][0]
    interior = [{n for n, ch in t[1].items() if ch} for t in trees]
    mixture: set = set()
    for c in arch.connections:
        for n, l in trees[0][3].items():
            if l == c.after_layer:
                if n not in interior[1]:
                    return None  # joined units of different supports: not a mixture node
                mixture.add(n)
    mixture.discard(root)
    tops = [root] + sorted(mixture, key=sorted)
    best = 0
    I = set(I) & root
    J = root - I
    for choice in itertools.product((0, 1), repeat=len(tops)):
        pick = dict(zip(tops, choice, strict=True))
        children, depth = _hybrid_tree(trees, mixture, pick, root)
        best = max(best, sibling_pairs(children, depth, I, J))
    return best


def _hybrid_tree(trees, mixture: set, pick: dict, root) -> tuple[dict, dict]:
    """The hybrid tree for one choice (segment top -> tree index): its children and depths."""
    children: dict = {}
    depth: dict = {}
    stack = [(root, pick[root], 0)]
    while stack:
        n, t, d = stack.pop()
        depth[n] = d
        children[n] = trees[t][1][n]
        for c in children[n]:
            stack.append((c, pick[c] if c in mixture else t, d + 1))
    return children, depth
