"""``compare()``: the steps of a comparison, from the two architectures to the verdict.

1. ``_problem``: fix the given symbol values, choose the sweep, refuse what no bound covers;
2. ``_align``: A's positions in B (by time offset), B's mode trees drawn in A's positions;
3. the named partitions (:mod:`.families`) and the search mode (:mod:`.search`);
4. per sweep value, ``_sweep_point``: the two sides (:mod:`.evaluators`), the search, the
   optional certification, the reported rows;
5. the fit and the verdict (:mod:`.verdict`), and the bounds at the final witness as expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ..analysis import Structure, _fmt, analyze, bound_partition, parameter_count, structure
from ..bounds import INT, Propagator
from ..circuit import Circuit, build_circuit, mask_of, positions_of
from ..errors import OptionError
from ..partitions import Partition, canonical, make_partition, parse_partition
from ..spec import Architecture, SpecError
from ..symbols import ExprError, parse_expr
from ..trees import ModeTree, mode_tree
from .evaluators import LowerA, UpperB
from .families import named_partitions, tree_in_positions
from .options import CompareOptions
from .results import ComparePoint, CompareRow, Comparison
from .search import (
    EXHAUSTIVE_LIMIT_MODES,
    SEARCH_MODES,
    PointBounds,
    SearchSettings,
    SearchState,
    reported_partitions,
    resolve_mode,
    scan,
)
from .verdict import judge

__all__ = ["compare"]

DEFAULT_SWEEP = [2, 4, 8, 16]


@dataclass(frozen=True)
class _Problem:
    """The two architectures with their fixed values, and the sweep."""

    A: Architecture  # as given (its name and source label the results)
    B: Architecture
    arch_a: Architecture  # A with values_A substituted
    arch_b: Architecture  # B with values_B substituted
    fixed_a: dict[str, sympy.Expr]
    fixed_b: dict[str, sympy.Expr]
    sweep_symbol: str | None
    sweep_values: list  # ints, or [None] when A has no symbol left

    @property
    def source_a(self) -> str:
        return self.A.source or self.A.name

    def a_at(self, value) -> Architecture:
        """A at one sweep value."""
        if self.sweep_symbol is None:
            return self.arch_a
        return self.arch_a.substitute({self.sweep_symbol: sympy.Integer(value)})


@dataclass(frozen=True)
class _Alignment:
    """A's positions in B: position p of A is time offset N_A - 1 - p, read by B at the same
    offset; B's mode trees in A's positions (for the ``nodes`` and pair-split families)."""

    structure_a: Structure  # A at the first sweep value
    circuit_b: Circuit  # B with input dimension 1 (its positions do not depend on it)
    position_map: list[int]  # A position -> B position (-1: B does not see it)
    trees_b_in_a: list[ModeTree]
    width_symbols: list[str]  # B's symbols once its input dimension is A's

    @property
    def circuit_a(self) -> Circuit:
        return self.structure_a.circuit

    @property
    def used_a(self) -> int:
        return self.circuit_a.used_mask

    @property
    def modes(self) -> int:
        return self.used_a.bit_count()


@dataclass
class _Run:
    """What every sweep point shares."""

    problem: _Problem
    alignment: _Alignment
    options: CompareOptions
    certifier: Callable | None
    named: list[Partition]
    settings: SearchSettings
    notes: list[str]
    label_of: dict[int, str] = field(default_factory=dict)  # canonical I -> family label
    shared_a: dict = field(default_factory=dict)  # A's caches valid across sweep points
    shared_b: dict = field(default_factory=dict)  # B's caches valid across sweep points

    def label(self, I: int) -> str:
        return self.label_of.get(canonical(I, self.alignment.used_a), "search")


def compare(
    A: Architecture,
    B: Architecture,
    options: CompareOptions | None = None,
    *,
    certifier: Callable | None = None,
    **fields: Any,
) -> Comparison:
    """Lower bound on the width and size of B (or a sum of ``copies`` B's) that replicates A.

    Parameters
    ----------
    A, B : architectures (``load_spec``); B's input dimension is replaced by A's (same data).
    options : :class:`CompareOptions` (default: ``CompareOptions()``); keyword arguments named
        like its fields override it (``compare(A, B, sweep=("r", [2, 4]))``).
    certifier : required with ``options.certify``: a callable like
        ``verify.verify_architecture`` (``certifier(arch, partitions=..., mode="exact",
        seed=..., max_k=...)``), injected so that the analyzer does not import the harness
        (ValueError when missing).

    Returns
    -------
    Comparison

    References
    ----------
    Claim 5, Theorem 7 and Corollary 8 (sec. 6) of Cohen, Tamari, Shashua, ICLR 2018.
    """
    opts = options or CompareOptions()
    if fields:
        opts = replace(opts, **fields)
    problem = _problem(A, B, opts, certifier)
    notes: list[str] = []
    alignment = _align(problem, notes)
    named = _named(opts.partitions, opts.families, alignment)
    mode = resolve_mode(opts.search, alignment.modes)
    if mode == "exhaustive" and alignment.modes > EXHAUSTIVE_LIMIT_MODES:
        n = alignment.modes
        raise OptionError("search", f"exhaustive search over {n} modes is too large (2^{n - 1})")
    run = _Run(
        problem,
        alignment,
        opts,
        certifier,
        named,
        SearchSettings(mode, opts.top, opts.search_budget, opts.seed),
        notes,
        label_of={canonical(p.I, alignment.used_a): p.label for p in named},
    )
    points = [_sweep_point(run, value) for value in problem.sweep_values]
    return _comparison(run, points)


# --------------------------------------------------------------------------- the problem
def _fixed_values(values: Mapping[str, Any] | None, source: str) -> dict[str, sympy.Expr]:
    out = {}
    for k, v in (values or {}).items():
        try:
            out[k] = parse_expr(v) if not isinstance(v, sympy.Expr) else v
        except ExprError as exc:
            raise SpecError(source, k, str(exc)) from None
    return out


def _substitute(arch: Architecture, values: dict, option: str) -> Architecture:
    """``arch`` with ``values``; a bad value is an OptionError of ``option`` (A's or B's)."""
    if not values:
        return arch
    try:
        return arch.substitute(values)
    except OptionError as exc:
        raise OptionError(option, exc.problem, exc.source) from None


def _problem(
    A: Architecture, B: Architecture, opts: CompareOptions, certifier: Callable | None
) -> _Problem:
    """Check the options, fix the given values, choose the sweep; SpecError on bad input."""
    if opts.certify and certifier is None:
        raise ValueError("compare(certify=True) needs a certifier, e.g. verify.verify_architecture")
    if opts.copies < 1:
        raise OptionError("copies", f"copies must be >= 1, got {opts.copies}")
    if opts.search not in SEARCH_MODES:
        raise OptionError(
            "search", f"unknown search {opts.search!r} (auto, exhaustive, local, none)"
        )
    source_a, source_b = A.source or A.name, B.source or B.name
    fixed_a = _fixed_values(opts.values_A, source_a)
    fixed_b = _fixed_values(opts.values_B, source_b)
    arch_a = _substitute(A, fixed_a, "values_A")
    arch_b = _substitute(B, fixed_b, "values_B")
    free_a = arch_a.symbol_names
    sweep = opts.sweep
    if sweep is None:
        if len(free_a) == 1:
            sweep = (free_a[0], DEFAULT_SWEEP)
        elif not free_a:
            sweep = (None, [None])
        else:
            raise OptionError(
                "sweep",
                f"A has symbols {', '.join(free_a)}: sweep one ({free_a[0]}=2,4,8), give the "
                "others values",
                source_a,
            )
    symbol, values = sweep
    if symbol is not None:
        if symbol not in free_a:
            raise OptionError(
                "sweep",
                f"{symbol!r} is not a symbol of A (A's symbols: {', '.join(free_a) or 'none'})",
                source_a,
            )
        rest = [s for s in free_a if s != symbol]
        if rest:
            raise OptionError(
                "values_A",
                f"A's symbol(s) {', '.join(rest)} need values (NAME=VALUE)",
                source_a,
            )
    if arch_a.pooling != "product":
        raise SpecError(
            source_a,
            "pooling",
            f"A uses {arch_a.pooling} pooling: no rank lower bound covers it, nothing to compare",
        )
    if arch_b.pooling != "product":
        raise SpecError(
            source_b,
            "pooling",
            f"B uses {arch_b.pooling} pooling: no rank upper bound covers it, nothing to compare",
        )
    return _Problem(A, B, arch_a, arch_b, fixed_a, fixed_b, symbol, values)


def _align(problem: _Problem, notes: list[str]) -> _Alignment:
    """A's positions in B, by time offset; B's trees in A's positions."""
    st_a = structure(problem.a_at(problem.sweep_values[0]))
    circuit_a = st_a.circuit
    used_a = circuit_a.used_mask
    b_probe = replace(problem.arch_b, input_channels=sympy.Integer(1))
    circuit_b = build_circuit(b_probe)
    position_map: list[int] = []
    missing: list[int] = []
    for p in range(circuit_a.N):
        q = circuit_b.N - circuit_a.N + p  # the same time offset N_A - 1 - p in B
        if 0 <= q < circuit_b.N and (circuit_b.used_mask >> q) & 1:
            position_map.append(q)
        else:
            position_map.append(-1)
            if (used_a >> p) & 1:
                missing.append(p)
    if missing:
        notes.append(
            f"B does not see A's position(s) {missing}: B's function cannot depend on them"
        )
    a_position_of = {q: p for p, q in enumerate(position_map) if q >= 0}
    trees_b_in_a = []
    for b in range(len(b_probe.branches)):
        tree = mode_tree(circuit_b, b)
        if tree is not None:
            trees_b_in_a.append(tree_in_positions(tree, a_position_of, f"B:{tree.branch}"))
    return _Alignment(st_a, circuit_b, position_map, trees_b_in_a, sorted(b_probe.symbol_names))


def _named(
    partitions: Iterable[str | Partition], families: list[str] | None, alignment: _Alignment
) -> list[Partition]:
    """Explicit partitions, then the named families, each partition once (up to complement)."""
    explicit = [
        parse_partition(p, alignment.circuit_a) if isinstance(p, str) else p for p in partitions
    ]
    candidates = explicit + named_partitions(
        alignment.structure_a, alignment.trees_b_in_a, families
    )
    out: list[Partition] = []
    seen: set[int] = set()
    for p in candidates:
        key = canonical(p.I, alignment.used_a)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# --------------------------------------------------------------------------- one sweep point
def _sweep_point(run: _Run, value) -> ComparePoint:
    problem, alignment, opts = run.problem, run.alignment, run.options
    used_a = alignment.used_a
    a_here = problem.a_at(value)
    if not a_here.is_concrete:
        raise OptionError(
            "values_A", f"A's symbols {a_here.symbol_names} need values", problem.source_a
        )
    st_a = structure(a_here)
    input_channels = int(a_here.input_channels)
    lower_a = LowerA(st_a, rules=opts.lower_rules, shared=run.shared_a)
    b_here = replace(problem.arch_b, input_channels=sympy.Integer(input_channels))
    upper_b = UpperB(
        b_here,
        alignment.width_symbols,
        opts.copies,
        alignment.position_map,
        alignment.circuit_b.used_mask,
        run.shared_b,
    )
    bounds = PointBounds(lower_a, upper_b, st_a, used_a, input_channels**alignment.modes)

    state = scan(bounds, run.named, run.settings)
    reported = reported_partitions(state, run.named, opts.top)
    certified: dict[int, tuple[int | None, str]] = {}
    if opts.certify:
        # certify the reported partitions, then scan again with the larger lower bounds
        certified = _certify(a_here, st_a.circuit.used_mask, reported, run)
        for key, (rank, _) in certified.items():
            if rank is not None:
                lower_a.override[key] = rank
        state = scan(bounds, run.named, run.settings)
        keys = {canonical(I, used_a) for I in reported}
        reported += [
            I
            for I in reported_partitions(state, run.named, opts.top)
            if canonical(I, used_a) not in keys
        ]
    rows = [_row(state, I, run.label(I), certified) for I in reported]
    witness_I = state.best_I if state.best_I is not None else reported[0]
    witness = _row(state, witness_I, run.label(witness_I), certified)
    unmatched = None
    if state.infeasible is not None:
        unmatched = _row(state, state.infeasible, run.label(state.infeasible), certified)
    matches = None
    if not alignment.width_symbols:
        required = None
        matches = state.infeasible is None
        size_b = opts.copies * int(parameter_count(b_here))
        width_values = {}
    else:
        required = state.w_best
        width_values = {s: required for s in alignment.width_symbols}
        size_b = opts.copies * int(parameter_count(upper_b.arch_at(required)))
    symbol = problem.sweep_symbol
    return ComparePoint(
        value=value,
        values_A={k: int(v) for k, v in problem.fixed_a.items()}
        | ({symbol: value} if symbol else {}),
        input_channels=input_channels,
        size_A=int(parameter_count(a_here)),
        required_width=required,
        width_values=width_values,
        size_B=size_b,
        witness=witness,
        rows=rows,
        examined=state.examined,
        search=run.settings.mode,
        matches=matches,
        unmatched=unmatched,
    )


def _row(state: SearchState, I: int, label: str, certified: dict) -> CompareRow:
    """The reported row of partition I: both bounds, B's requirement and its neighbours."""
    upper_b = state.upper_b
    lower, source = state.lower_a(I)  # includes certified ranks where larger
    certified_rank, certified_status = certified.get(canonical(I, state.used), (None, None))
    w = state.requirement(I)
    upper = below = None
    if w is not None:
        upper = upper_b.upper(I, w)
        prev = upper_b.prev_admissible(w - 1) if w > 1 else None
        below = upper_b.upper(I, prev) if prev else None
    else:
        saturated = upper_b.next_admissible(state.saturation)
        upper = upper_b.upper(I, saturated) if saturated else None
    pairs, hybrid_tree = state.lower_a.witness(I)
    st_a = state.bounds.structure_a
    upper_a = bound_partition(st_a, Partition(I, label), INT, Propagator(st_a.circuit, INT)).upper
    return CompareRow(
        I=positions_of(I),
        label=label,
        lower_A=lower,
        lower_A_source=source,
        required_width=w,
        upper_B=upper,
        upper_B_below=below,
        hybrid_pairs=pairs,
        hybrid_witness=hybrid_tree,
        upper_A=upper_a,
        certified_A=certified_rank,
        certified_status=certified_status,
    )


def _certify(
    a_here: Architecture, used_a: int, reported: list[int], run: _Run
) -> dict[int, tuple[int | None, str]]:
    """Certified ranks of A's reported partitions: canonical I -> (rank, status)."""
    opts = run.options
    result = run.certifier(
        a_here,
        partitions=[Partition(I, "compare") for I in reported],
        mode="exact",
        seed=opts.seed,
        max_k=opts.certify_max_k,
    )
    out = {}
    for p in result.partitions:
        out[canonical(mask_of(p.I), used_a)] = (p.certified_lower, p.status)
    note = (
        f"certified ranks (harness, seed {opts.seed}, K <= {opts.certify_max_k}) used where "
        "larger than the symbolic bounds"
    )
    if note not in run.notes:
        run.notes.append(note)
    return out


# --------------------------------------------------------------------------- the whole sweep
def _comparison(run: _Run, points: list[ComparePoint]) -> Comparison:
    problem, alignment, opts, notes = run.problem, run.alignment, run.options, run.notes
    symbol = problem.sweep_symbol
    verdict = judge(points, symbol, bool(alignment.width_symbols), alignment.modes)
    final = verdict.fit[-1] if verdict.fit else points[-1]
    witness = {"value": final.value, **final.witness.to_dict()}
    unmatched_witness = None
    last_unmatched = next((p for p in reversed(points) if p.unmatched is not None), None)
    if last_unmatched is not None:
        unmatched_witness = {"value": last_unmatched.value, **last_unmatched.unmatched.to_dict()}
    upper_symbolic = lower_symbolic = upper_expr = lower_expr = None
    if opts.symbolic:
        witness_partition = make_partition(final.witness.I, alignment.circuit_a)
        (at_witness,) = analyze(problem.arch_a, partitions=[witness_partition]).partitions
        lower_symbolic, lower_expr = at_witness.lower_symbolic, at_witness.lower_expr
        if alignment.width_symbols:
            upper_symbolic, upper_expr = _upper_b_symbolic(
                problem.arch_b,
                final.input_channels,
                final.witness.I,
                alignment,
                notes,
                problem.arch_a.symbol_names,
            )
    skipped = [p.value for p in points if not p.informative]
    if skipped and symbol is not None:
        notes.append(
            f"{symbol} = {', '.join(map(str, skipped))}: A's lower bounds are all 1 there "
            "(e.g. Claim 5's "
            "r/2 = 1), so the point is left out of the fit"
        )
    return Comparison(
        A=problem.A.name,
        A_source=problem.A.source,
        B=problem.B.name,
        B_source=problem.B.source,
        sweep_symbol=symbol,
        sweep_values=[v for v in problem.sweep_values if v is not None],
        values_A={k: _fmt(v) for k, v in problem.fixed_a.items()},
        values_B={k: _fmt(v) for k, v in problem.fixed_b.items()},
        width_symbols=alignment.width_symbols,
        copies=opts.copies,
        modes=alignment.modes,
        points=points,
        exponent=verdict.exponent,
        width_exponent=verdict.width_exponent,
        fit_values=[p.value for p in verdict.fit],
        verdict=verdict.verdict,
        verdict_text=verdict.text,
        finite_verdict=verdict.finite_verdict,
        witness=witness,
        unmatched_witness=unmatched_witness,
        upper_B_symbolic=upper_symbolic,
        lower_A_symbolic=lower_symbolic,
        certified=opts.certify,
        notes=notes,
        lower_A_expr=lower_expr,
        upper_B_expr=upper_expr,
    )


def _upper_b_symbolic(
    arch_b: Architecture,
    input_channels: int,
    I_positions: list[int],
    alignment: _Alignment,
    notes: list[str],
    avoid: Iterable[str] = (),
) -> tuple[str | None, Any]:
    """B's upper bound at the witness partition as a function of its width symbol(s), with its
    input dimension A's at that sweep point: its text and the analyzer's value (None, None when
    there is none). B's symbols named like A's (``avoid``) are renamed ``NAME_B``."""
    avoid = set(avoid)
    I_b = 0
    for p in I_positions:
        q = alignment.position_map[p]
        if q >= 0:
            I_b |= 1 << q
    used_b = alignment.circuit_b.used_mask
    if I_b == 0 or I_b & used_b == used_b:
        return "1", 1
    try:
        b_here = replace(arch_b, input_channels=sympy.Integer(input_channels))
        clash = {s: parse_expr(f"{s}_B") for s in b_here.symbol_names if s in avoid}
        if clash:  # B's width symbol named like A's: rename it NAME_B
            b_here = b_here.substitute(clash)
        (pb,) = analyze(b_here, partitions=[Partition(I_b, "witness")]).partitions
        return pb.upper_symbolic, pb.upper_expr
    except (SpecError, ExprError, ValueError) as exc:  # pragma: no cover - reporting only
        notes.append(f"no symbolic upper bound for B: {exc}")
        return None, None
