"""The computation graph of an architecture: the units that feed the output, their supports.

Pure structure (no arrays, no I/O). Both the analyzer's bounds and the networks' evaluator
walk this graph, so the two halves of the project agree on what the architecture is.

Positions are 0-based: position ``p`` is the input ``x[t - (N-1) + p]`` (docs/theory.md
sec. 1), so a unit at time offset ``tau`` (time ``t - tau``) reading tap ``j`` of dilation
``d`` reads offset ``tau + j*d``, i.e. position ``N - 1 - (tau + j*d)``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from .limits import DEFAULT_LIMITS, check
from .spec import Architecture, SpecError, exchange_count

__all__ = [
    "Unit",
    "Circuit",
    "build_circuit",
    "estimate_size",
    "check_size",
    "branch_offsets",
    "branch_kind",
    "mask_of",
    "mask_runs",
    "positions_of",
    "fmt_mask",
    "fmt_positions",
]


def mask_of(positions) -> int:
    """Bitmask of a set of positions; ``range`` objects are set in one operation.

    >>> mask_of([0, 2, 3])
    13
    >>> mask_of([])
    0
    >>> mask_of(range(4, 8)) == mask_of([4, 5, 6, 7])
    True
    """
    if isinstance(positions, range) and positions.step == 1:
        if len(positions) == 0:
            return 0
        return ((1 << len(positions)) - 1) << positions.start
    m = 0
    for p in positions:
        m |= 1 << p
    return m


def mask_runs(mask: int) -> list[tuple[int, int]]:
    """The maximal runs of set bits as ``(start, stop)`` pairs (stop exclusive), in order.

    Cost is proportional to the number of runs (each step isolates the lowest run with a few
    big-integer operations), never to the number of bits.

    >>> mask_runs(0b1110011)
    [(0, 2), (4, 7)]
    """
    out = []
    while mask:
        low = mask & -mask
        start = low.bit_length() - 1
        # adding the lowest set bit carries through the run: the run's end is the carry
        carry = mask + low
        stop = (carry & -carry).bit_length() - 1
        out.append((start, stop))
        mask &= ~((1 << stop) - 1)
    return out


def positions_of(mask: int) -> list[int]:
    """The positions of a bitmask, ascending (built from runs, not bit by bit); the inverse
    of :func:`mask_of`.

    >>> positions_of(13)
    [0, 2, 3]
    >>> positions_of(mask_of([5, 1]))
    [1, 5]
    """
    out: list[int] = []
    for a, b in mask_runs(mask):
        out.extend(range(a, b))
    return out


def fmt_mask(mask: int, max_parts: int | None = 12) -> str:
    """A position set as ranges: ``{0..1023}``, ``{0,2,4}``, ``{0..3,8..11}``.

    With more than ``max_parts`` runs the middle ones are elided and the count is given:
    ``{0,2,4,6,...,4092,4094} (2048 runs)``; ``max_parts=None`` lists every run.
    """
    parts = []
    for a, b in mask_runs(mask):
        parts.append(str(a) if b - a == 1 else f"{a},{a + 1}" if b - a == 2 else f"{a}..{b - 1}")
    if max_parts is not None and len(parts) > max_parts:
        n = len(parts)
        return "{" + ",".join(parts[:4] + ["..."] + parts[-2:]) + "}" + f" ({n} runs)"
    return "{" + ",".join(parts) + "}"


def fmt_positions(positions, max_parts: int | None = None) -> str:
    """A set of positions as ranges, :func:`fmt_mask` of their mask (every run by default):
    ``{0,2,4,6,8,9,12,13}``, ``{0..3,8..11}``.

    >>> fmt_positions([0, 1, 2, 3, 8, 9])
    '{0..3,8,9}'
    """
    return fmt_mask(mask_of(positions), max_parts)


@dataclass(frozen=True)
class Unit:
    """One unit (a vector of channels) of the circuit.

    kind: ``input`` (position ``pos``, width M), ``prod`` (a layer's unit; ``children`` per tap),
    ``exchange`` (channels ``[0, s)`` from ``children[0]``, ``[s, width)`` from ``children[1]``;
    eq. 4 line 8), ``sum`` (elementwise sum of ``children``).
    """

    id: int
    kind: str
    branch: int  # -1 for inputs and for sums shared by several branches
    layer: int
    tau: int
    width: sympy.Expr
    support: int
    children: tuple[int, ...] = ()
    s: sympy.Expr | None = None  # exchanged channels (exchange units)
    pos: int = -1  # input units
    conn: int = -1  # index of the connection that made an exchange/sum unit


@dataclass
class Circuit:
    arch: Architecture
    N: int  # positions 0..N-1 (receptive field of the whole network)
    units: list[Unit]  # topological order
    outputs: tuple[int, ...]  # per branch: the unit whose channel y is the branch output
    used_mask: int
    # per branch: {(layer, tau): unit id} of the layer's product units (pre-connection)
    prod_units: list[dict[tuple[int, int], int]]
    # per connection: list of (tau, unit ids joined (pre), supports equal?)
    joins: list[list[tuple[int, tuple[int, ...], bool]]] = field(default_factory=list)
    kinds: tuple[str, ...] = ()  # per branch: tree | gapped | overlapping

    @property
    def used_positions(self) -> list[int]:
        return positions_of(self.used_mask)

    @property
    def valid_connections(self) -> bool:
        return all(ok for join in self.joins for (_, _, ok) in join)

    @property
    def multilinear(self) -> bool:
        """Every used input enters every monomial exactly once (trees joined at mixture nodes,
        every branch output seeing every used position).

        Then the output is multilinear and homogeneous of degree 1 in each used input, and a
        random-input evaluation is a random linear combination of grid-tensor entries
        (docs/theory.md sec. 7). A sum of branches with different supports (a shorter branch sees
        only the last positions) is multilinear but not homogeneous: the branch that does not
        read position p contributes to every one-hot value of p, while on a random input x_p it
        is not scaled by sum_d x_p[d], so random inputs would sample another tensor than the grid
        tensor.
        """
        return (
            self.arch.pooling == "product"
            and all(k != "overlapping" for k in self.kinds)
            and self.valid_connections
            and all(self.units[o].support == self.used_mask for o in self.outputs)
        )


def branch_offsets(branch) -> list[int]:
    """All offsets ``sum_l j_l d_l`` (with multiplicity) of a branch's inputs.

    Lists ``prod_l k_l`` numbers: for small branches and tests only (see :func:`branch_kind`).
    """
    offs = [0]
    for ly in branch.layers:
        offs = [o + j * ly.dilation for o in offs for j in range(ly.kernel)]
    return offs


def branch_kind(branch) -> str:
    """``tree``, ``gapped`` or ``overlapping`` (docs/theory.md sec. 1), without listing all offsets.

    The set of distinct offsets is built layer by layer; as long as no two sums coincide it has
    exactly ``prod k_l`` elements, each a used position, so its size never exceeds the
    receptive field. The first layer at which the set grows by less than a factor ``k_l`` has a
    coincidence, and the branch is overlapping: the loop stops there. The work is thus at most
    ``k_l`` times the number of used positions per layer (a 2^30 dilation with two used
    positions costs two additions), never ``prod k_l``.
    """
    return _branch_kind_cached(tuple((ly.kernel, ly.dilation) for ly in branch.layers))


@lru_cache(maxsize=256)
def _branch_kind_cached(layers: tuple[tuple[int, int], ...]) -> str:
    offs = {0}
    for k, d in layers:
        nxt = {o + j * d for o in offs for j in range(k)}
        if len(nxt) < k * len(offs):
            return "overlapping"
        offs = nxt
    N = 1 + sum((k - 1) * d for k, d in layers)
    return "gapped" if len(offs) < N else "tree"


def estimate_size(arch: Architecture) -> tuple[int, int]:
    """(units, bytes of support masks) of the circuit, bounded from above without building it.

    Layer ``l`` of a lone branch needs at most ``min(N, prod_{m > l} k_m)`` units (distinct
    time offsets of its outputs' cone). A connection after layer ``l`` makes every joined
    branch compute the units at the offsets any of them needs: their union, at most the sum of
    their counts, where branches whose offset sets are equal by construction (the same layers
    above ``l`` since their outputs or the same joins) count once; the connection adds one
    exchange or sum unit per joined branch and offset. N is the circuit's number of positions
    (a join can make it exceed the receptive field: the largest offset read is followed through
    the joins). Each unit stores a support mask of at most N bits, whose memory is at most that
    of the full N-bit integer (measured with ``sys.getsizeof``, CPython's own layout; a fixed
    bytes-per-bit rate would under-state it for large N). Arithmetic only: cost proportional
    to the layers and connections.
    """
    branches = arch.branches
    depths = [b.depth for b in branches]
    idx = {b.name: i for i, b in enumerate(branches)}
    joins_at: dict[int, list[list[int]]] = {}
    for c in arch.connections:
        joins_at.setdefault(c.after_layer, []).append([idx[n] for n in c.branches])
    # N: the positions of the circuit. A join can make a branch read beyond its own receptive
    # field (it computes the offsets its partner needs), so the largest offset read is followed
    # through the joins first: per branch, the largest offset at the current layer.
    reach = [0] * len(branches)
    for l in range(max(depths), 0, -1):
        for b in range(len(branches)):
            if depths[b] > l:
                ly = branches[b].layers[l]
                reach[b] += (ly.kernel - 1) * ly.dilation
        for group in _joined(joins_at.get(l, [])):
            top = max(reach[m] for m in group)
            for m in group:
                reach[m] = top
    N = arch.receptive_field
    for r, b in zip(reach, branches, strict=True):  # layer 1 reads up to offset r + (k-1) d
        N = max(N, r + (b.layers[0].kernel - 1) * b.layers[0].dilation + 1)
    count = [0] * len(branches)  # per branch: units at the current layer (at most N)
    # per branch: a description of its set of offsets at the current layer; equal
    # descriptions mean equal sets (the same expansions of {0} and the same unions)
    sig: list[object] = [None] * len(branches)
    units = 0
    for l in range(max(depths), 0, -1):
        for b in range(len(branches)):
            if depths[b] == l:  # the branch output: offset 0
                count[b], sig[b] = 1, "out"
            elif depths[b] > l:  # layer l + 1 reads k offsets per unit
                ly = branches[b].layers[l]
                count[b] = min(N, count[b] * ly.kernel)
                sig[b] = (sig[b], ly.kernel, ly.dilation)
        for group in _joined(joins_at.get(l, [])):
            distinct = {sig[m]: count[m] for m in group}
            total = min(N, sum(distinct.values()))
            joined = ("join", tuple(sorted(distinct, key=repr)))
            for m in group:
                count[m], sig[m] = total, joined
        units += sum(count[b] for b in range(len(branches)) if depths[b] >= l)
        units += sum(len(members) * count[members[0]] for members in joins_at.get(l, []))
    # inputs: the positions read by layer 1, shared by the branches
    units += min(N, sum(count[b] * b_.layers[0].kernel for b, b_ in enumerate(branches)))
    return units, units * sys.getsizeof((1 << N) - 1)


def _joined(member_lists: list[list[int]]) -> list[set[int]]:
    """The groups of branches joined (transitively) by the connections after one layer."""
    groups: list[set[int]] = []
    for members in member_lists:
        group = set(members)
        for g in [g for g in groups if g & group]:
            group |= g
            groups.remove(g)
        groups.append(group)
    return groups


def check_size(arch: Architecture, limits=None) -> tuple[int, int]:
    """Refuse (LimitError) a circuit above ``limits.units`` or ``limits.circuit_bytes``."""
    limits = DEFAULT_LIMITS if limits is None else limits
    units, nbytes = estimate_size(arch)
    check(limits, "units", units, what="the estimated number of units", source=arch.source)
    check(
        limits,
        "circuit_bytes",
        nbytes,
        what="the estimated memory of the circuit's support masks (bytes)",
        source=arch.source,
    )
    return units, nbytes


def build_circuit(arch: Architecture, limits=None) -> Circuit:
    """The circuit of an architecture (cached); sizes are checked first (analyzer.limits)."""
    check_size(arch, limits)
    return _build_cached(arch)


@lru_cache(maxsize=64)
def _build_cached(arch: Architecture) -> Circuit:
    src = arch.source
    nb = len(arch.branches)
    depths = [b.depth for b in arch.branches]
    Lmax = max(depths)
    bidx = {b.name: i for i, b in enumerate(arch.branches)}
    conns_at: dict[int, list[int]] = {}
    for ci, c in enumerate(arch.connections):
        conns_at.setdefault(c.after_layer, []).append(ci)

    # --- top-down: which (branch, layer, tau) units feed the outputs
    need: list[list[set[int]]] = [[set() for _ in range(d + 1)] for d in depths]
    inputs_needed: set[int] = set()
    count = 0
    for l in range(Lmax, 0, -1):
        for b in range(nb):
            if depths[b] == l:
                need[b][l].add(0)
        # connections after layer l join pre-connection units of several branches
        changed = True
        while changed:
            changed = False
            for ci in conns_at.get(l, []):
                members = [bidx[n] for n in arch.connections[ci].branches]
                union = set().union(*(need[m][l] for m in members))
                for m in members:
                    if need[m][l] != union:
                        need[m][l] = set(union)
                        changed = True
        for b in range(nb):
            if depths[b] < l:
                continue
            ly = arch.branches[b].layers[l - 1]
            target = need[b][l - 1] if l > 1 else inputs_needed
            for tau in need[b][l]:
                for j in range(ly.kernel):
                    target.add(tau + j * ly.dilation)
            count += len(need[b][l])
    N = max(inputs_needed) + 1
    N = max(N, arch.receptive_field)

    # --- bottom-up construction
    units: list[Unit] = []
    M = arch.input_channels

    def add(**kw) -> int:
        uid = len(units)
        units.append(Unit(id=uid, **kw))
        return uid

    post: list[dict[int, int]] = [dict() for _ in range(nb)]  # tau -> unit id at current layer
    input_ids: dict[int, int] = {}
    for off in sorted(inputs_needed, reverse=True):  # position order
        p = N - 1 - off
        input_ids[off] = add(
            kind="input", branch=-1, layer=0, tau=off, width=M, support=1 << p, pos=p
        )
    prod_units: list[dict[tuple[int, int], int]] = [dict() for _ in range(nb)]
    joins: list[list] = [[] for _ in arch.connections]
    for l in range(1, Lmax + 1):
        new_post: list[dict[int, int]] = [dict() for _ in range(nb)]
        for b in range(nb):
            if depths[b] < l:
                continue
            ly = arch.branches[b].layers[l - 1]
            for tau in sorted(need[b][l]):
                ch = []
                for j in range(ly.kernel):
                    o = tau + j * ly.dilation
                    ch.append(input_ids[o] if l == 1 else post[b][o])
                sup = 0
                for c in ch:
                    sup |= units[c].support
                uid = add(
                    kind="prod",
                    branch=b,
                    layer=l,
                    tau=tau,
                    width=ly.width,
                    support=sup,
                    children=tuple(ch),
                )
                new_post[b][tau] = uid
                prod_units[b][(l, tau)] = uid
        for ci in conns_at.get(l, []):
            c = arch.connections[ci]
            members = [bidx[n] for n in c.branches]
            for tau in sorted(need[members[0]][l]):
                pre = tuple(new_post[m][tau] for m in members)
                sups = {units[u].support for u in pre}
                ok = len(sups) == 1
                joins[ci].append((tau, pre, ok))
                if not ok and not c.allow_overlap:
                    a, bb = pre[0], pre[1]
                    raise SpecError(
                        src,
                        f"connections.{ci}",
                        f"not a mixture node: after layer {l} at time offset {tau} the joined "
                        "units see "
                        f"different positions ({_fmt(units[a].support)} vs "
                        f"{_fmt(units[bb].support)}); "
                        "set 'allow_overlap: true' to accept it as an overlapping circuit",
                    )
                sup = 0
                for u in pre:
                    sup |= units[u].support
                width = units[pre[0]].width
                if c.mode == "exchange":
                    s = exchange_count(c, width)
                    ua, ub = pre
                    # each branch keeps channels [s, r) of its own unit and takes [0, s) of
                    # the other's (eq. 4, line 8)
                    for me, other, own in ((members[0], ub, ua), (members[1], ua, ub)):
                        new_post[me][tau] = add(
                            kind="exchange",
                            branch=me,
                            layer=l,
                            tau=tau,
                            width=width,
                            support=sup,
                            children=(other, own),
                            s=s,
                            conn=ci,
                        )
                else:
                    su = add(
                        kind="sum",
                        branch=-1,
                        layer=l,
                        tau=tau,
                        width=width,
                        support=sup,
                        children=pre,
                        conn=ci,
                    )
                    for m in members:
                        new_post[m][tau] = su
        post = [new_post[b] if depths[b] >= l else post[b] for b in range(nb)]
    outputs = tuple(post[b][0] for b in range(nb))
    used = 0
    for o in outputs:
        used |= units[o].support
    kinds = tuple(branch_kind(b) for b in arch.branches)
    return Circuit(
        arch=arch,
        N=N,
        units=units,
        outputs=outputs,
        used_mask=used,
        prod_units=prod_units,
        joins=joins,
        kinds=kinds,
    )


def _fmt(mask: int) -> str:
    return fmt_mask(mask)
