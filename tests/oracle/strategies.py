"""Hypothesis strategies: random small architectures across the whole spec language.

Branch 0 is a tree (layers in a random order with mixed-radix dilations), a gapped tree (the
same, spread by a factor), or an overlapping stack (random dilations). Every other branch is
either independent (its outputs are only summed) or *joined*: its first ``depth`` layers are
branch 0's first layers permuted within blocks, so that after every block boundary the units
of the two branches have equal supports (mixture nodes; Def. 4), and connections (exchange of
s channels, the default half, or ``mode: sum``) can sit after any boundary. Now and then a
connection joins units of different supports (``allow_overlap``). Widths are drawn per layer
and per branch (joined layers share one width). Kernels 2 and 3, readout on and off, any
output channel. Specs that end up with more than ``max_n`` used positions or a grid tensor
larger than ``max_grid`` entries are rejected (``assume``).
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from analyzer import spec_from_dict

from .oracle import mode_tree, used_positions


def oracle_settings(examples: int, *, fixed: bool):
    """The oracle tests' Hypothesis profile: no deadline, no example database; ``fixed``: the
    same examples on every run (the default run), else new ones (the ``-m slow`` profiles)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=fixed,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


__all__ = [
    "spec_dicts",
    "architectures",
    "joined_spec_dicts",
    "joined_architectures",
    "chained_spec_dicts",
    "chained_architectures",
    "subtree_partitions",
    "ARCH_NAMES",
]

ARCH_NAMES = ("A", "B", "C")
# widths per (branch, layer): mostly 1..4; now and then wider than M^|S| of a layer-1 unit
# (up to 10), where a unit's own cap, not its width, limits what it delivers (two unsound
# mutants of the routed lower bound hid there: tests/oracle/test_oracle_witnesses.py)
_WIDTHS = st.integers(1, 4) | st.integers(1, 4) | st.integers(1, 4) | st.integers(5, 10)


@st.composite
def _base_layers(draw, max_n: int) -> list[tuple[int, int]]:
    """(kernel, dilation) of branch 0, receptive field <= max_n."""
    style = draw(st.sampled_from(["tree", "tree", "gapped", "overlapping"]))
    depth = draw(st.sampled_from([1, 2, 3, 3, 4]))
    kernels = [draw(st.sampled_from([2, 2, 2, 3])) for _ in range(depth)]
    if style == "overlapping":
        dil = [draw(st.integers(1, 3)) for _ in range(depth)]
    else:
        order = draw(st.permutations(range(depth)))
        spread = 1 if style == "tree" else draw(st.sampled_from([2, 3]))
        dil = [0] * depth
        step = 1
        for pos, li in enumerate(order):
            dil[li] = step
            step *= kernels[li] * (spread if pos == 0 else 1)
    layers = list(zip(kernels, dil, strict=True))
    while len(layers) > 1 and 1 + sum((k - 1) * d for k, d in layers) > max_n:
        layers.pop()
    assume(1 + sum((k - 1) * d for k, d in layers) <= max_n)
    return layers


@st.composite
def _blocks(draw, n: int) -> list[int]:
    """Cut points 0 < c_1 < ... < n of the first n layers into blocks."""
    if n <= 1:
        return [n]
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=n - 1)))
    return cuts + [n]


def _layered_branch(b: int, layers, widths) -> dict:
    """Branch ``b`` in the explicit form: one (kernel, dilation, width) per layer."""
    return {
        "name": ARCH_NAMES[b],
        "layers": [
            {"kernel": k, "dilation": d, "channels": w}
            for (k, d), w in zip(layers, widths, strict=True)
        ],
    }


def _joined_widths(conns, depths, width) -> list[list[int]]:
    """Per branch, its layers' widths: one per (branch, layer), and joined layers share one
    (union-find over the connections ``(layer, branches, mode)``); ``width(layer)`` draws a
    new one, in the order of the branches and their layers."""
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for l, bs, _ in conns:
        for b in bs[1:]:
            ra, rb = find((bs[0], l)), find((b, l))
            if ra != rb:
                parent[rb] = ra
    width_of: dict = {}
    widths = []
    for b, depth in enumerate(depths):
        ws = []
        for l in range(1, depth + 1):
            root = find((b, l))
            if root not in width_of:
                width_of[root] = width(l)
            ws.append(width_of[root])
        widths.append(ws)
    return widths


@st.composite
def spec_dicts(draw, max_n: int = 10, max_grid: int = 6561, allow_readout: bool = True) -> dict:
    base = draw(_base_layers(max_n))
    L0 = len(base)
    nb = draw(st.sampled_from([1, 2, 2, 2, 3]))
    M = draw(st.sampled_from([2, 2, 3]))
    layers: list[list[tuple[int, int]]] = [base]
    boundaries: list[list[int]] = [[]]  # per branch: layers after which it may join branch 0
    for _ in range(1, nb):
        joined = L0 >= 2 and draw(st.integers(0, 3)) > 0
        if joined:
            cuts = draw(_blocks(L0 - 1))
            low, start = [], 0
            for c in cuts:
                low += list(draw(st.permutations(base[start:c])))
                start = c
            extra = draw(st.integers(0, 2))
            tail = [
                (draw(st.sampled_from([2, 2, 3])), draw(st.integers(1, 4)))
                for _ in range(L0 - cuts[-1] + extra - 1)
            ]
            lay = low + (tail or [base[-1]])
            boundaries.append(cuts)
        else:
            depth = draw(st.integers(1, 3))
            lay = [
                (draw(st.sampled_from([2, 2, 3])), draw(st.integers(1, 4))) for _ in range(depth)
            ]
            boundaries.append([])
        while len(lay) > 1 and 1 + sum((k - 1) * d for k, d in lay) > max_n:
            lay.pop()
        layers.append(lay)
    depths = [len(x) for x in layers]
    # connections: (after_layer, branch indices, mode)
    conns: list[tuple[int, list[int], str]] = []
    for b in range(1, nb):
        for c in boundaries[b]:
            if c < min(depths[0], depths[b]) and draw(st.integers(0, 3)) > 0:
                mode = draw(st.sampled_from(["exchange", "exchange", "sum"]))
                conns.append((c, [0, b], mode))
    if nb == 3 and draw(st.integers(0, 4)) == 0:  # a sum joining all three at a shared boundary
        common = [c for c in boundaries[1] if c in boundaries[2] and c < min(depths)]
        if common:
            conns.append((draw(st.sampled_from(common)), [0, 1, 2], "sum"))
    if nb >= 2 and draw(st.integers(0, 5)) == 0:  # units of different supports (extension)
        b = draw(st.integers(1, nb - 1))
        top = min(depths[0], depths[b]) - 1
        if top >= 1:
            conns.append((draw(st.integers(1, top)), [0, b], "overlap"))
    widths = _joined_widths(conns, depths[:nb], lambda l: draw(_WIDTHS))
    readout = allow_readout and draw(st.booleans())
    spec: dict = {"name": "oracle", "input_channels": M, "readout": readout, "branches": []}
    if not readout:
        y_max = min(w[-1] for w in widths) - 1
        y = draw(st.integers(0, y_max)) if y_max > 0 and draw(st.booleans()) else 0
        if y:
            spec["output_channel"] = y
    for b in range(nb):
        same_k = len({k for k, _ in layers[b]}) == 1 and draw(st.booleans())
        if same_k:  # the compact form
            spec["branches"].append(
                {
                    "name": ARCH_NAMES[b],
                    "kernel": layers[b][0][0],
                    "dilations": [d for _, d in layers[b]],
                    "channels": widths[b] if len(set(widths[b])) > 1 else widths[b][0],
                }
            )
        else:
            spec["branches"].append(_layered_branch(b, layers[b], widths[b]))
    any_overlap = any(mode == "overlap" for _, _, mode in conns)
    out_conns = []
    for l, bs, mode in conns:
        c: dict = {"after_layer": l, "branches": [ARCH_NAMES[b] for b in bs]}
        w = widths[bs[0]][l - 1]
        if any_overlap:  # supports above an overlapping join differ: every join is accepted
            c["allow_overlap"] = True
        if mode == "sum":
            c["mode"] = "sum"
        else:
            if w % 2 == 0 and draw(st.booleans()):
                pass  # the paper's default half exchange
            else:
                c["exchange"] = draw(st.integers(1, w))
        out_conns.append(c)
    if out_conns:
        spec["connections"] = out_conns
    return spec


@st.composite
def architectures(draw, max_n: int = 10, max_grid: int = 6561, allow_readout: bool = True):
    """(spec dict, Architecture, used positions), grid M^n <= max_grid, n <= max_n."""
    spec = draw(spec_dicts(max_n=max_n, max_grid=max_grid, allow_readout=allow_readout))
    arch = spec_from_dict(spec, source="oracle")
    used = used_positions(arch)
    M = spec["input_channels"]
    assume(2 <= len(used) <= max_n and M ** len(used) <= max_grid)
    return spec, arch, used


@st.composite
def joined_spec_dicts(draw, max_depth: int = 3, M_choices=(2,)) -> dict:
    """Mixed networks that stress the joint-span rule (docs/theory.md sec. 4.3): two or three
    kernel-2 tree branches (occasionally kernel 3, depth 2) whose layers are permuted within the
    blocks between joins, several joins per cut (up to two exchanges of 1..r channels, then
    possibly a sum), narrow widths (1..3, so joined units share their past
    and their channel spaces overlap), read-out or not."""
    k = 3 if draw(st.integers(0, 5)) == 0 else 2
    L = 2 if k == 3 else draw(st.integers(2, max_depth))
    base = [k**i for i in range(L)]
    nb = draw(st.sampled_from([2, 2, 2, 3]))
    names = list(ARCH_NAMES[:nb])
    cuts = sorted(draw(st.sets(st.integers(1, L - 1), min_size=1, max_size=L - 1)))
    widths = {n: [draw(st.integers(1, 3)) for _ in range(L)] for n in names}
    for c in cuts:  # joined units have one width: all branches share it at a cut
        for n in names:
            widths[n][c - 1] = widths[names[0]][c - 1]
    conns = []
    for c in cuts:
        # exchanges first, then at most one sum: a connection after a sum of the same branches
        # would join one unit with itself
        for _ in range(draw(st.integers(0, 2))):
            members = draw(st.sampled_from([names[:2], names[1:]])) if nb == 3 else names
            w = widths[members[0]][c - 1]
            conn: dict = {"after_layer": c, "branches": list(members), "mode": "exchange"}
            conn["exchange"] = draw(st.integers(1, w))
            conns.append(conn)
        if draw(st.booleans()) or not any(x["after_layer"] == c for x in conns):
            members = names if nb == 2 else draw(st.sampled_from([names[:2], names[1:], names]))
            conns.append({"after_layer": c, "branches": list(members), "mode": "sum"})
    branches = []
    for n in names:
        dils: list[int] = []
        for lo, hi in zip([0, *cuts], [*cuts, L], strict=True):
            dils += list(draw(st.permutations(base[lo:hi])))
        branches.append({"name": n, "kernel": k, "dilations": dils, "channels": widths[n]})
    readout = draw(st.booleans())
    spec = {
        "name": "joined",
        "input_channels": draw(st.sampled_from(list(M_choices))),
        "readout": readout,
        "branches": branches,
        "connections": conns,
    }
    return spec


@st.composite
def joined_architectures(draw, max_depth: int = 3, max_grid: int = 6561, M_choices=(2, 3)):
    """(spec dict, Architecture, used positions) of :func:`joined_spec_dicts`, M^n <= max_grid."""
    spec = draw(joined_spec_dicts(max_depth=max_depth, M_choices=M_choices))
    arch = spec_from_dict(spec, source="oracle")
    used = used_positions(arch)
    assume(2 <= len(used) and spec["input_channels"] ** len(used) <= max_grid)
    return spec, arch, used


# ---------------------------------------------------------------- joins in a row
@st.composite
def _tree_layers(draw, max_n: int) -> list[tuple[int, int]]:
    """(kernel, dilation) of a tree or gapped tree of 2 to 4 layers with N <= max_n: kernels 2
    and 3 (mixed radix), the dilations the running products in a random order, now and then
    spread by a factor after the first (a gapped tree). Mostly three layers (the most joins in
    a row that N <= 10 allows); too wide a draw loses its spread, then its kernels 3 (from the
    top), then layers."""
    depths = [3, 3, 3, 2] + ([4, 4] if max_n >= 16 else [])
    depth = draw(st.sampled_from(depths))
    kernels = [draw(st.sampled_from([2, 2, 2, 3])) for _ in range(depth)]
    order = draw(st.permutations(range(depth)))
    spread = draw(st.sampled_from([1, 1, 1, 1, 1, 1, 1, 2, 3]))
    while True:
        dil, step = [0] * depth, 1
        for pos, li in enumerate(order):
            dil[li] = step
            step *= kernels[li] * (spread if pos == 0 else 1)
        layers = list(zip(kernels, dil, strict=True))
        if 1 + sum((k - 1) * d for k, d in layers) <= max_n:
            return layers
        if spread > 1:
            spread = 1
        elif 3 in kernels:
            kernels[max(i for i in range(depth) if kernels[i] == 3)] = 2
        else:
            depth -= 1
            order = [i for i in order if i < depth]
            kernels = kernels[:depth]


# widths of chained_spec_dicts, one regime per spec: any (per unit), a bottleneck (narrow
# layers up to a cut, wider above: the units above then carry fewer independent functions than
# channels), or wide layer-1 units (wider than M^|S|: their cap, not their width, limits them)
_REGIMES = {
    "any": ([1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10], [1, 2, 2, 3, 3, 4, 4, 5, 6]),
    "bottleneck": ([1, 1, 2], [2, 3, 4, 4, 5]),
    "wide-1": ([5, 6, 7, 8, 9, 10], [1, 2, 3, 4]),
}


def _chained_width(draw, regime: str, layer: int, cut: int) -> int:
    low, high = _REGIMES[regime]
    return draw(
        st.sampled_from(low if layer == 1 or (regime == "bottleneck" and layer <= cut) else high)
    )


@st.composite
def chained_spec_dicts(draw, max_n: int = 10, max_grid: int = 6561, M_choices=(2, 3)) -> dict:
    """Two or three trees that are the same tree of branch 0 with its layers in another order,
    joined by several connections at successive layers (joins in a row). Units of two branches
    after layer l have equal supports when their first l layers are the same set. Nominal
    chances below; Hypothesis's draws vary around them (docs/testing.md has measured ones).

    * the layer orders (per branch): branch 0's; layer 1 kept and the layers above permuted
      (the same layer-1 units grouped differently above: dilations [1, 2, 4] and [1, 4, 2]);
      the first c >= 2 layers permuted (equal supports from layer c on, reached through
      different tap partitions: [2, 1, 4] and [1, 2, 4]); any permutation;
    * after each inner layer 0 to 3 connections among the branches whose units there have equal
      supports (at least one in all, except one time in sixteen, or where no two branches
      share supports): exchanges of any count 1..r (the default half when r is even; an
      exchange of 0 is refused by the spec: it is no connection), sums of two or three
      branches; a connection reads the units the earlier ones after that layer made (a join
      reading a join), never one unit twice (a sum's members share their unit);
    * one time in three, ``allow_overlap``: the first join after each layer is one of units of
      unequal supports where there is one, with further joins after it and above it (every
      connection then carries the flag);
    * one time in eight, a branch ends a layer early (the outputs have unequal supports);
    * widths per layer and per branch (joined units share one), in one regime per spec
      (``_REGIMES``: any, a bottleneck, wide layer-1 units); M = 3 only where the grid stays
      within ``max_grid``;
    * kernels 2 and 3 (mixed radix), gapped trees, read-out on and off, any output channel.
    """
    base = draw(_tree_layers(max_n))
    L = len(base)
    n_max = 1 + sum((k - 1) * d for k, d in base)
    Ms = [m for m in M_choices if m**n_max <= max_grid] or [min(M_choices)]
    M = draw(st.sampled_from(Ms))
    nb = draw(st.sampled_from([3, 3, 2]))
    # allow_overlap: joins of unequal supports, so orders that differ from layer 1 or 2 on
    overlap = draw(st.sampled_from([False, False, True]))
    hows = ["same", "keep-1", "regroup", "any"]
    hows = hows[1:] if overlap else [*hows, "same", "keep-1", "regroup"]
    layers = [base]
    for _ in range(1, nb):
        how = draw(st.sampled_from(hows)) if L >= 2 else "same"
        if how == "same":
            lay = list(base)
        elif how == "keep-1":  # the same layer-1 units, grouped differently above
            lay = [base[0], *draw(st.permutations(base[1:]))]
        elif how == "regroup":  # the first c layers reordered: equal supports from layer c on,
            c = draw(st.integers(2, L))  # from different tap partitions
            lay = [*draw(st.permutations(base[:c])), *base[c:]]
        else:
            lay = list(draw(st.permutations(base)))
        if L >= 3 and draw(st.sampled_from([False] * 7 + [True])):
            lay = lay[:-1]  # ends early: its output sees fewer positions
        layers.append(lay)
    depths = [len(x) for x in layers]
    none = draw(st.sampled_from([False] * 15 + [True]))
    conns: list[tuple[int, tuple[int, ...], str]] = []
    for l in range(1, L):
        alive = [b for b in range(nb) if depths[b] > l]
        if overlap:
            groups = [alive]
        else:  # the branches whose units after layer l have equal supports
            sets = [frozenset(layers[b][:l]) for b in alive]
            groups = [[b for b, x in zip(alive, sets, strict=True) if x == y] for y in set(sets)]
            groups = sorted(g for g in groups if len(g) >= 2)
        if none or not groups:
            continue
        unit = {b: (b, "own") for b in alive}  # which unit a branch holds after layer l
        # overlap: the first join after a layer is one of unequal supports where there is one
        unequal = [
            (a, b)
            for a in alive
            for b in alive
            if a < b and set(layers[a][:l]) != set(layers[b][:l])
        ]
        count = draw(st.sampled_from([1, 2, 1, 2, 3, 0]))
        if l == L - 1 and not conns:  # no spec without a connection but by ``none``
            count = max(count, 1)
        for i in range(count):
            group = draw(st.sampled_from(groups))
            mode = draw(st.sampled_from(["exchange", "exchange", "sum"]))
            size = 2 if mode == "exchange" or len(group) == 2 else draw(st.sampled_from([2, 2, 3]))
            if overlap and unequal and i == 0:
                members = draw(st.permutations(draw(st.sampled_from(unequal))))
                size = 2
            else:
                members = tuple(draw(st.permutations(group))[:size])
            if len({unit[b] for b in members}) < size:
                continue  # a sum's members share their unit: it would be joined with itself
            conns.append((l, members, mode))
            for b in members:
                unit[b] = (l, len(conns)) if mode == "sum" else (l, len(conns), b)
    regime = draw(st.sampled_from(["any", "bottleneck", "wide-1", "bottleneck", "any"]))
    cut = draw(st.integers(1, max(1, L - 1)))  # a bottleneck's last narrow layer
    widths = _joined_widths(conns, depths[:nb], lambda l: _chained_width(draw, regime, l, cut))
    readout = draw(st.booleans())
    spec: dict = {"name": "chained", "input_channels": M, "readout": readout, "branches": []}
    if not readout:
        y_max = min(w[-1] for w in widths) - 1
        if y_max > 0 and draw(st.sampled_from([False, False, False, True])):
            spec["output_channel"] = draw(st.integers(1, y_max))
    for b in range(nb):
        ks = {k for k, _ in layers[b]}
        if len(ks) == 1:  # the compact form
            spec["branches"].append(
                {
                    "name": ARCH_NAMES[b],
                    "kernel": ks.pop(),
                    "dilations": [d for _, d in layers[b]],
                    "channels": widths[b],
                }
            )
        else:
            spec["branches"].append(_layered_branch(b, layers[b], widths[b]))
    out = []
    for l, bs, mode in conns:
        c: dict = {"after_layer": l, "branches": [ARCH_NAMES[b] for b in bs]}
        if overlap:
            c["allow_overlap"] = True
        if mode == "sum":
            c["mode"] = "sum"
        else:
            w = widths[bs[0]][l - 1]
            if w % 2 or draw(st.sampled_from([True, True, False])):
                # every count 1..r, the ends (1 and r: all channels) more often
                c["exchange"] = draw(st.sampled_from([1, w, *range(1, w + 1)]))
        out.append(c)
    if out:
        spec["connections"] = out
    return spec


@st.composite
def chained_architectures(
    draw, max_n: int = 10, max_grid: int = 6561, M_choices=(2, 3)
) -> tuple[dict, object, list[int]]:
    """(spec dict, Architecture, used positions) of :func:`chained_spec_dicts`."""
    spec = draw(chained_spec_dicts(max_n=max_n, max_grid=max_grid, M_choices=M_choices))
    arch = spec_from_dict(spec, source="oracle")
    used = used_positions(arch)
    # joins of unequal supports may read positions beyond branch 0's receptive field
    assume(2 <= len(used) <= max_n and spec["input_channels"] ** len(used) <= max_grid)
    return spec, arch, used


@st.composite
def subtree_partitions(draw, arch, used: list[int], count: int = 4) -> list[list[int]]:
    """Partitions I of ``used``, each either random (any subset) or, more often, aligned with a
    branch's mode tree (oracle.mode_tree: the positions under each unit, joins ignored): the
    union of some nodes of one level (the root's children most often), now and then with one
    node of another level. Then the taps of the units above are pure (all in I or all in J),
    where the rules of pure taps (Claim 5, the joint pair sources, the joint spans' tap
    partitions) decide the bound. I or its complement, at random (the bounds' code is not
    symmetric in I and J)."""
    n = len(used)
    trees = [mode_tree(arch, b) for b in range(len(arch.branches))]
    out: dict = {}
    for _ in range(count):
        if draw(st.sampled_from([True, True, False])):
            _, children, depth, _ = trees[draw(st.integers(0, len(trees) - 1))]
            levels: dict = {}
            for node, d in depth.items():
                levels.setdefault(d, []).append(node)
            top = max(levels)
            d = draw(st.sampled_from([1, 1, 2, 1, 2, 3][: 2 * top] if top > 1 else [1]))
            row = sorted(levels[min(d, top)], key=sorted)
            most = max(1, len(row) - 1)  # not the whole row (unless it is the root)
            pick = draw(st.sets(st.integers(0, len(row) - 1), min_size=1, max_size=most))
            nodes = set().union(*(row[i] for i in pick))
            if draw(st.sampled_from([False, False, False, True])):  # a node of any level
                nodes |= draw(st.sampled_from(sorted(children, key=sorted)))
            I = sorted(set(used) & nodes)
        else:
            bits = draw(st.integers(1, 2**n - 2))
            I = [q for i, q in enumerate(used) if (bits >> i) & 1]
        if not I or len(I) == n:
            continue
        if draw(st.booleans()):
            I = [q for q in used if q not in I]
        J = [q for q in used if q not in I]
        out.setdefault(tuple(min(I, J)), I)
    if not out:  # every draw was empty or everything: the first position alone
        out[(used[0],)] = [used[0]]
    return list(out.values())
