"""The analyzer's public entry point: architecture -> structure, sizes and rank bounds.

Pure: no I/O, no randomness. ``analyze`` returns an :class:`Analysis` (a dataclass whose
``to_dict`` is the documented JSON), which the CLI prints and the reports render.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from .bounds import (
    INT,
    SYM,
    Propagator,
    Theorem7Info,
    claim5_lower,
    routed_lower,
    symbol_minima,
    theorem7,
)
from .circuit import Circuit, build_circuit, positions_of
from .limits import DEFAULT_LIMITS, Limits, check
from .numbers import expr_text, log2, to_json
from .partitions import Partition, default_families, families_for, resolve_partitions
from .posy import posy_arith_for
from .spec import Architecture, exchange_count, exchange_split
from .trees import HybridStructure, ModeTree, hybrid_structure, mode_tree

__all__ = [
    "Analysis",
    "AnalyzeOptions",
    "PartitionBounds",
    "Structure",
    "structure",
    "analyze",
    "parameter_count",
    "bound_partition",
]


HYBRID_ENUMERATION_LIMIT = 64  # hybrid trees are listed in the JSON up to this many
TREE_NODES_JSON_MAX = 4095  # mode tree nodes are listed in the JSON up to this many (N <= 2048)


def parameter_count(arch: Architecture) -> sympy.Expr:
    """Size = sum over branches and layers of k_l r_l r_{l-1} (docs/theory.md sec. 8), plus
    read-outs."""
    total = sympy.Integer(0)
    for b in arch.branches:
        prev = arch.input_channels
        for ly in b.layers:
            total += ly.kernel * ly.width * prev
            prev = ly.width
        if arch.readout:
            total += prev
    return sympy.expand(total)


@dataclass
class Structure:
    """Everything about an architecture that does not depend on a partition."""

    arch: Architecture
    circuit: Circuit
    trees: list[ModeTree | None]
    mixture_nodes: list[list[int]]  # per connection: the supports (masks) joined
    hybrid: HybridStructure | None
    hybrid_width: sympy.Expr | None
    thm7: Theorem7Info | None
    notes: list[str] = field(default_factory=list)

    @property
    def network_kind(self) -> str:
        c = self.circuit
        if not c.valid_connections or any(k == "overlapping" for k in c.kinds):
            return "overlapping"
        if self.arch.connections:
            return "mixed"
        if len(self.arch.branches) > 1:
            return "sum"
        return c.kinds[0]


def _uniform_width(branch) -> sympy.Expr | None:
    ws = [ly.width for ly in branch.layers[:-1]]
    if not ws:
        return None
    w0 = ws[0]
    if all(w == w0 or sympy.simplify(w - w0) == 0 for w in ws[1:]):
        return w0
    return None


def structure(arch: Architecture, limits: Limits | None = None) -> Structure:
    c = build_circuit(arch, limits)
    trees = [mode_tree(c, b) for b in range(len(arch.branches))]
    notes: list[str] = []
    if arch.pooling != "product":
        notes.append(
            f"pooling '{arch.pooling}' is a generalized network: the bounds of docs/theory.md "
            "cover product "
            "pooling only, so no bound is reported"
        )
    if arch.readout:
        notes.append(
            "linear read-out (an extension): the output is a linear combination of the "
            "last layer's channels"
        )
    mixture: list[list[int]] = []
    for ci, join in enumerate(c.joins):
        sups = sorted(
            {c.units[pre[0]].support for (_, pre, ok) in join if ok}, key=lambda m: m & -m
        )
        mixture.append(sups)
        if any(not ok for (_, _, ok) in join):
            notes.append(
                f"connection {ci} joins units of different supports: overlapping circuit (override)"
            )
    for b, k in zip(arch.branches, c.kinds, strict=True):
        if k == "overlapping":
            notes.append(
                f"branch {b.name!r} is overlapping: no mode tree; the propagation bound still holds"
            )
    # Claim 5 + Theorem 7 applies to two binary tree branches joined at mixture nodes
    hybrid = None
    hwidth = None
    if (
        len(arch.branches) == 2
        and arch.pooling == "product"
        and all(t is not None and t.binary for t in trees)
        and c.valid_connections
        and trees[0].root == trees[1].root
    ):
        allmix = set()
        for sups in mixture:
            allmix |= set(sups)
        hybrid = hybrid_structure(trees[0], trees[1], allmix)
        if hybrid is not None:
            widths = [ly.width for b in arch.branches for ly in b.layers[:-1]]
            for conn in arch.connections:
                w = arch.join_width(conn)
                widths += exchange_split(conn, w) if conn.mode == "exchange" else [w]
            if widths:
                hwidth = SYM.with_minima(symbol_minima(arch)).min(*widths)
            else:
                hybrid = None
    thm7 = None
    if (
        not arch.connections
        and arch.pooling == "product"
        and all(t is not None and t.binary for t in trees)
    ):
        if all(b.depth >= 2 for b in arch.branches):
            # upper bound: uniform widths only; lower bound: at the least width (zeroing channels)
            ws = [_uniform_width(b) for b in arch.branches]
            least = SYM.with_minima(symbol_minima(arch))
            lows = [least.min(*(ly.width for ly in b.layers[:-1])) for b in arch.branches]
            thm7 = Theorem7Info(tuple(trees), tuple(ws), tuple(lows))
    return Structure(arch, c, trees, mixture, hybrid, hwidth, thm7, notes)


@dataclass
class PartitionBounds:
    I: list[int]
    label: str
    upper: int | None
    upper_symbolic: str
    upper_source: str
    lower: int | None
    lower_symbolic: str
    lower_source: str
    propagation: str
    theorem7_upper: str | None = None
    theorem7_lower: str | None = None
    claim5_lower: str | None = None
    hybrid_pairs: int | None = None
    hybrid_witness: list[dict] | None = None
    routed_lower: str | None = None
    tilings: dict[str, dict[str, list[list[int]]]] | None = None
    upper_expr: Any = field(default=None, repr=False)
    lower_expr: Any = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """JSON form: ``upper``/``lower`` exact (a decimal string above 2^53), plus log2."""
        d = {k: v for k, v in self.__dict__.items() if not k.endswith("_expr")}
        for k in ("upper", "lower"):
            d[k] = to_json(self.__dict__[k])
            d[f"{k}_log2"] = log2(self.__dict__[k])
        return d


def _as_int(x) -> int | None:
    if isinstance(x, int):
        return x
    x = sympy.sympify(x)
    if x.free_symbols:
        return None
    if x.is_integer:
        return int(x)
    return None


def _tightest(cands: list[tuple[Any, str]], arith, want_min: bool):
    """Combine (value, source) candidates into the tightest bound and its source name."""
    cands = [(v, s) for v, s in cands if v is not None]
    if not arith.symbolic:  # Python integers: min/max and == as they are
        best = (min if want_min else max)(v for v, _ in cands)
        names = [s for v, s in cands if v == best]
        return best, " = ".join(dict.fromkeys(names))
    pick = arith.min if want_min else arith.max
    best = pick(*(v for v, _ in cands))
    names = [s for v, s in cands if arith._le(v, best) and arith._le(best, v)]
    if not names:
        names = [f"{'min' if want_min else 'max'}({', '.join(s for _, s in cands)})"]
    return best, " = ".join(dict.fromkeys(names))


def bound_partition(
    st: Structure, part: Partition, arith, prop: Propagator, with_tilings: bool = False
) -> PartitionBounds:
    arch = st.arch
    I = part.I
    M = arith.lift(arch.input_channels)
    if arch.pooling != "product":
        return PartitionBounds(
            I=part.positions,
            label=part.label,
            upper=None,
            upper_symbolic="not covered",
            upper_source="none: relu/max pooling is not covered by the bounds",
            lower=None,
            lower_symbolic="not covered",
            lower_source="none",
            propagation="not covered",
        )
    ub = prop.output_bound(I)
    uppers = [(ub, "propagation")]
    lowers = [(arith.lift(1), "nonzero output")]
    t7u = t7l = c5 = None
    pairs = witness = None
    if st.thm7 is not None:
        t7u, t7l = theorem7(st.thm7, arch.input_channels, I, arith)
        uppers.append((t7u, "Theorem 7"))
        lowers.append((t7l, "Theorem 7"))
    if st.hybrid is not None:
        c5, pairs, choice = claim5_lower(st.hybrid, st.hybrid_width, M, I, arith)
        lowers.append((c5, "Claim 5 + Theorem 7"))
        witness = st.hybrid.describe(choice)
    rt = prop.routes()
    rl = None
    if rt is not None:  # Theorem 7 / Claim 5 with a width per node and per edge (theory sec. 5)
        rl = routed_lower(rt, I, arith)
        name = (
            "Claim 5 + Theorem 7, widths per edge"
            if arch.connections
            else "Theorem 7, widths per node"
        )
        lowers.append((rl, name))
    upper, usrc = _tightest(uppers, arith, True)
    lower, lsrc = _tightest(lowers, arith, False)
    tilings = None
    if with_tilings:
        tilings = {}
        for t in st.trees:
            if t is not None:
                tI, tJ = t.tiling(I & t.root)
                tilings[t.branch] = {
                    "I": [positions_of(x) for x in tI],
                    "J": [positions_of(x) for x in tJ],
                }
    return PartitionBounds(
        I=part.positions,
        label=part.label,
        upper=_as_int(upper),
        upper_symbolic=_fmt(upper),
        upper_source=usrc,
        lower=_as_int(lower),
        lower_symbolic=_fmt(lower),
        lower_source=lsrc,
        propagation=_fmt(ub),
        theorem7_upper=None if t7u is None else _fmt(t7u),
        theorem7_lower=None if t7l is None else _fmt(t7l),
        claim5_lower=None if c5 is None else _fmt(c5),
        hybrid_pairs=pairs,
        hybrid_witness=witness,
        routed_lower=None if rl is None else _fmt(rl),
        tilings=tilings,
        upper_expr=upper,
        lower_expr=lower,
    )


_SHORT_INT = 1 << 1600  # below 10^482: str() gives the exact decimal (numbers.to_decimal)


def _fmt(x) -> str:
    """Exact text of a value (decimal for integers of any size; see analyzer.numbers)."""
    if type(x) is int and -_SHORT_INT < x < _SHORT_INT:
        return str(x)  # performance only (issue 12): expr_text's result for a small int
    return expr_text(x)


@dataclass
class Analysis:
    name: str
    source: str
    arch: Architecture
    structure: Structure
    values: dict[str, Any]
    partitions: list[PartitionBounds]
    parameters_symbolic: str
    parameters: int | None
    partition_note: str | None = None  # set when the default family was a representative one
    parameters_expr: Any = field(default=None, repr=False)  # parameter_count (sympy), not JSON

    @property
    def circuit(self) -> Circuit:
        return self.structure.circuit

    def to_dict(self, partitions: bool = True) -> dict:
        """The documented JSON form; ``partitions=False`` leaves the (possibly 32,000) rows out
        (``"partitions": None``), for a caller that renders the structure only."""
        st = self.structure
        c = st.circuit
        arch = self.arch
        branches = []
        for b, kind, t in zip(arch.branches, c.kinds, st.trees, strict=True):
            branches.append(
                {
                    "name": b.name,
                    "kind": kind,
                    "receptive_field": b.receptive_field,
                    "layers": [
                        {"kernel": ly.kernel, "dilation": ly.dilation, "channels": _fmt(ly.width)}
                        for ly in b.layers
                    ],
                    "modes": positions_of(t.root) if t is not None else None,
                    "tree_nodes_count": None if t is None else len(t.depth),
                    "tree_nodes": None
                    if t is None or len(t.depth) > TREE_NODES_JSON_MAX
                    else [
                        positions_of(n)
                        for n in sorted(t.nodes, key=lambda m: (t.depth[m], (m & -m).bit_length()))
                    ],
                }
            )
        return {
            "name": self.name,
            "source": self.source,
            "input_channels": _fmt(arch.input_channels),
            "pooling": arch.pooling,
            "readout": arch.readout,
            "symbols": arch.symbol_names,
            "values": {
                k: _fmt(v) if _as_int(v) is None else to_json(_as_int(v))
                for k, v in self.values.items()
            },
            "kind": st.network_kind,
            "modes": c.used_positions,
            "receptive_field": c.N,
            "branches": branches,
            "connections": [
                {
                    "after_layer": conn.after_layer,
                    "branches": list(conn.branches),
                    "mode": conn.mode,
                    "exchange": None
                    if conn.mode != "exchange"
                    else _fmt(exchange_count(conn, arch.join_width(conn))),
                    "valid": all(ok for (_, _, ok) in c.joins[i]),
                }
                for i, conn in enumerate(arch.connections)
            ],
            "mixture_nodes": [[positions_of(m) for m in sups] for sups in st.mixture_nodes],
            "hybrid_trees": None
            if st.hybrid is None
            else {
                "count": to_json(st.hybrid.count),
                "width": _fmt(st.hybrid_width),
                "segments": [positions_of(s.top) for s in st.hybrid.segments],
                # every hybrid tree (segment -> tree it is taken from) when there are few
                "enumerated": None
                if st.hybrid.count > HYBRID_ENUMERATION_LIMIT
                else [
                    st.hybrid.describe(ch) for ch in st.hybrid.enumerate(HYBRID_ENUMERATION_LIMIT)
                ],
            },
            "parameters": {
                "symbolic": self.parameters_symbolic,
                "value": to_json(self.parameters),
            },
            "notes": st.notes,
            "partition_note": self.partition_note,
            "partitions": [p.to_dict() for p in self.partitions] if partitions else None,
        }


def _arith_for(arch: Architecture):
    """Python integers for concrete widths; else exact posynomial arithmetic in the one symbol
    when it applies (analyzer.posy: same bounds, much faster); else sympy expressions."""
    if arch.is_concrete:
        return INT
    minima = symbol_minima(arch)
    return posy_arith_for(arch, minima) or SYM.with_minima(minima)


@dataclass(frozen=True)
class AnalyzeOptions:
    """The options of :func:`analyze` (defaults: the ``analyze`` command's).

    partitions : explicit I's (``"0,1,4,5"``, a list of positions, or :class:`Partition`).
    families : names of partition families (``nodes``, ``odd-even``, ``all``, ...); ``None``:
        those of :func:`analyzer.partitions.families_for` (none beside explicit partitions,
        else the default family of the circuit; ``Analysis.partition_note`` says when a
        representative subset was chosen); ``[]``: no family.
    values : symbol values to substitute first.
    with_tilings : also give, per partition, the tilings of each mode tree.
    limits : size limits (:mod:`analyzer.limits`; default ``DEFAULT_LIMITS``), checked before
        the work: circuit size, number of partitions, partitions x units, digits of the bounds.
    """

    partitions: Sequence[str | Partition | list[int]] = ()
    families: Sequence[str] | None = None
    values: Mapping[str, Any] | None = None
    with_tilings: bool = False
    limits: Limits | None = None


def analyze(arch: Architecture, options: AnalyzeOptions | None = None, **fields) -> Analysis:
    """Analyse an architecture: structure, parameter count and bounds per partition.

    ``options``: an :class:`AnalyzeOptions` (default ``AnalyzeOptions()``: the default
    partition family); keyword arguments named like its fields override it
    (``analyze(arch, families=["nodes"], values={"r": 4})``).

    With concrete widths the bounds are computed on Python integers (fast); otherwise on exact
    posynomials in the one symbol (:mod:`analyzer.posy`) or on sympy expressions. All run the
    same code (:class:`analyzer.bounds.Propagator`).
    """
    o = replace(options or AnalyzeOptions(), **fields)
    partitions, families, with_tilings = o.partitions or (), o.families, o.with_tilings
    limits = DEFAULT_LIMITS if o.limits is None else o.limits
    values = dict(o.values or {})
    if values:
        arch = arch.substitute(values)
    st = structure(arch, limits)
    note = None
    if families is None:
        families = families_for(st.circuit, st.trees, partitions)
        if not partitions:
            note = default_families(st.circuit, st.trees)[1]
    parts = resolve_partitions(st.circuit, st.trees, partitions, families, limits=limits)
    _check_work(st, len(parts), limits)
    arith = _arith_for(arch)
    prop = Propagator(st.circuit, arith)
    results = []
    for i, p in enumerate(parts):
        results.append(bound_partition(st, p, arith, prop, with_tilings=with_tilings))
        if i % 64 == 63:
            _prune_memo(prop)
    size = parameter_count(arch)
    return Analysis(
        name=arch.name,
        source=arch.source,
        arch=arch,
        structure=st,
        values=values,
        partitions=results,
        parameters_symbolic=_fmt(size),
        parameters=_as_int(size),
        partition_note=note,
        parameters_expr=size,
    )


MEMO_PRUNE_FACTOR = 4  # prune the propagation memo above this many states per unit


def _prune_memo(prop: Propagator) -> None:
    """Keep only the partition-independent states (units wholly in I or wholly in J).

    :meth:`Propagator.state` memoises those by (unit, side), at most two per unit, and the
    states of the units cut by the current partition only until the next partition, so memory
    is proportional to the circuit (issue 12). Above ``MEMO_PRUNE_FACTOR`` states per unit
    (which the default factor 4 never reaches) the current partition's cut states are dropped
    too. Values are unchanged: a dropped state is recomputed by the same rules.
    """
    units = prop.c.units
    if len(prop.memo) + len(prop._mixed) <= MEMO_PRUNE_FACTOR * len(units):
        return
    prop.memo = {k: v for k, v in prop.memo.items() if k[1] in (0, 1)}
    prop._mixed, prop._mixed_n, prop._mixed_I = {}, {}, None


def _check_work(st: Structure, n_parts: int, limits: Limits) -> None:
    """Refuse, before bounding, more partitions or digits than the limits allow."""
    src = st.arch.source
    c = st.circuit
    check(limits, "partitions", n_parts, what="the number of partitions", source=src)
    check(
        limits,
        "partition_units",
        n_parts * len(c.units),
        what=f"the propagation work ({n_parts} partitions x {len(c.units)} units)",
        source=src,
    )
    M = st.arch.input_channels
    if not M.free_symbols:  # the largest possible bound is M^(used/2): its digits
        digits = int(c.used_mask.bit_count() / 2 * math.log10(max(int(M), 2))) + 1
        check(limits, "bound_digits", digits, what="the digits of the largest bound", source=src)
