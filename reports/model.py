"""Report contents as data: analysis / verification / comparison dicts -> :class:`ReportData`.

Pure: no I/O, no plotting, no typesetting. Everything a renderer shows is computed here once
(display strings, math trees, which rows are violations), so the Markdown and PDF renderers
and a notebook user see the same tables (:meth:`ReportData.partition_table`,
:meth:`ReportData.architecture_table`).

Inputs are the result objects (``analyzer.Analysis``, ``analyzer.compare.Comparison``: bounds
typeset from the analyzer's expressions, its mode trees and hybrid trees kept for the figures)
or their documented JSON forms (``to_dict()``: texts parsed back), and
``verify.verify_architecture(...).to_dict()``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import os
import platform
import sys
from dataclasses import dataclass, field, fields, is_dataclass
from importlib import metadata
from typing import Any

import sympy

from analyzer import circuit
from analyzer.numbers import from_json, jsonable, log2, show

from .mathexpr import parse_bound, to_latex, to_text, to_tree

__all__ = [
    "ReportData",
    "PartitionRow",
    "BranchInfo",
    "ComparisonInfo",
    "Reproducibility",
    "build_report_data",
    "comparison_from_dict",
    "comparison_info",
    "reproducibility_info",
    "fmt_positions",
    "fmt_int",
    "VIOLATION_STATUSES",
]

VIOLATION_STATUSES = ("VIOLATION", "below-lower")
PACKAGES = (
    "expressivity",
    "numpy",
    "scipy",
    "sympy",
    "python-flint",
    "matplotlib",
    "typst",
    "pydantic",
    "cupy-cuda12x",
)


# the analyzer's own objects kept beside the JSON fields (typed results): not in ``to_dict``
TYPED = {"typed": True}


def _plain(obj):
    """``dataclasses.asdict`` without the :data:`TYPED` fields (not copied, not in the JSON)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: _plain(getattr(obj, f.name)) for f in fields(obj) if not f.metadata.get("typed")
        }
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((_plain(k), _plain(v)) for k, v in obj.items())
    return copy.deepcopy(obj)


def _typed_or_text(value, text):
    """What to typeset: the analyzer's value when the report has it, else its text."""
    return text if value is None else value


# --------------------------------------------------------------------------- formatting
def fmt_positions(ps: list[int] | None) -> str:
    """``{0..3,8,9}``: runs of three or more consecutive positions are shortened (the analyzer's
    one position formatter, ``analyzer.circuit.fmt_mask``, every run listed); ``-`` for None."""
    if ps is None:
        return "-"
    return circuit.fmt_positions(ps)


def fmt_int(n: int | str | None) -> str:
    """Integers exactly up to 15 digits, then compactly (``2^64``, ``≈ 1.8e19``).

    Accepts the JSON form too (an exact decimal string); see :mod:`analyzer.numbers`.
    """
    return show(n)


# --------------------------------------------------------------------------- records
@dataclass
class LayerInfo:
    kernel: int
    dilation: int
    width: str  # symbolic
    width_value: str | None  # at the values used, when they differ
    width_latex: str | None
    width_math: dict


@dataclass
class BranchInfo:
    name: str
    kind: str
    receptive_field: int
    layers: list[LayerInfo]
    modes: list[int] | None
    tree_nodes: list[list[int]] | None
    # the analyzer's mode tree (figures draw it), when built from the Analysis objects
    tree: Any = field(default=None, repr=False, compare=False, metadata=TYPED)


@dataclass
class PartitionRow:
    """One partition I | J: analyzer bounds (symbolic and numeric) plus the harness's result."""

    index: int
    I: list[int]
    J: list[int]
    label: str
    tilings: dict[str, dict[str, list[list[int]]]] | None
    upper: int | None
    upper_symbolic: str
    upper_source: str
    lower: int | None
    lower_symbolic: str
    lower_source: str
    claim5_lower: str | None = None
    theorem7_upper: str | None = None
    theorem7_lower: str | None = None
    hybrid_pairs: int | None = None
    hybrid_witness: list[dict] | None = None
    # verification (None when not verified)
    verified: bool = False
    K: list[int] | None = None
    capped: bool | None = None
    certified_lower: int | None = None
    certified_text: str | None = None
    float_rank: int | None = None
    float_tolerance: float | None = None
    singular_values: list[float] | None = field(default=None, repr=False)
    status: str | None = None
    warnings: list[str] = field(default_factory=list)
    stop: str | None = None  # why the adaptive K stopped (verify.harness.STOP_REASONS)
    epsilon: float | None = None  # stated error probability (docs/verify.md)
    window: list[int] | None = None  # positions that varied (None: all)
    # typesetting of the symbolic bounds (filled by build_report_data)
    upper_latex: str | None = None
    lower_latex: str | None = None
    upper_math: dict | None = None
    lower_math: dict | None = None
    # the symbolic bounds as the analyzer's values (ints, sympy expressions or posynomials),
    # when the Analysis objects were given (not the JSON form); not part of ``to_dict``
    upper_expr: Any = field(default=None, repr=False, compare=False, metadata=TYPED)
    lower_expr: Any = field(default=None, repr=False, compare=False, metadata=TYPED)

    @property
    def is_violation(self) -> bool:
        return self.status in VIOLATION_STATUSES

    @property
    def bounds_meet(self) -> bool:
        return self.upper is not None and self.upper == self.lower

    def tiling_text(self) -> str:
        """``T: {0}{2}{8,9} | {1}{3}{10,11}``, one line per tree (Def. 6)."""
        if not self.tilings:
            return "-"
        parts = []
        for br, t in self.tilings.items():
            ti = " ".join(fmt_positions(n) for n in t["I"])
            tj = " ".join(fmt_positions(n) for n in t["J"])
            parts.append(f"{br}: {ti} | {tj}")
        return "; ".join(parts)

    def display(self) -> dict[str, str]:
        """The table cells, as plain strings (the symbolic bounds also as text)."""
        cert = "-"
        if self.verified:
            cert = self.certified_text or fmt_int(self.certified_lower)
            if self.capped and self.K and self.certified_lower == min(self.K):
                cert = f"at least {fmt_int(self.certified_lower)} (K capped)"
        flt = "-"
        if self.float_rank is not None:
            flt = str(self.float_rank)
        how = "-"
        if self.verified and self.K:
            how = f"K {self.K[0]}x{self.K[1]}"
            if self.stop:
                how += f", {self.stop}"
            if self.epsilon is not None:
                how += ", eps 0" if self.epsilon == 0 else f", eps <= {self.epsilon:.1e}"
            if self.window:
                how += f", window {fmt_positions(self.window)}"
        return {
            "I": fmt_positions(self.I),
            "family": self.label,
            "tiling": self.tiling_text(),
            "upper_symbolic": to_text(_typed_or_text(self.upper_expr, self.upper_symbolic)),
            "lower_symbolic": to_text(_typed_or_text(self.lower_expr, self.lower_symbolic)),
            "upper": fmt_int(self.upper),
            "upper_source": self.upper_source,
            "lower": fmt_int(self.lower),
            "lower_source": self.lower_source,
            "certified": cert,
            "float": flt,
            "certification": how,
            "status": self.status or ("bounds meet" if self.bounds_meet else "not verified"),
        }


@dataclass
class ComparisonInfo:
    """A comparison (``analyzer.compare``): how large must B be to replicate A, over a sweep."""

    a_name: str
    b_name: str
    symbol: str | None
    copies: int
    points: list[dict]  # {value, size_a, width_b, size_b, partition, lower_a, upper_b, informative}
    exponent: float | None
    width_exponent: float | None
    verdict: str
    verdict_text: str
    witness: dict | None
    lower_a_symbolic: str | None
    upper_b_symbolic: str | None
    lower_a_latex: str | None
    upper_b_latex: str | None
    lower_a_math: dict | None
    upper_b_math: dict | None
    notes: list[str]
    certified: bool = False

    def witness_text(self) -> str | None:
        """The partition (and hybrid tree) that decides the comparison, as one line."""
        w = self.witness
        if not w:
            return None
        parts = [
            f"I = {fmt_positions(w.get('I'))}" + (f" ({w['label']})" if w.get("label") else "")
        ]
        if w.get("value") is not None and self.symbol:
            parts.append(f"at {self.symbol} = {w['value']}")
        if w.get("lower_A") is not None:
            parts.append(
                f"rank of {self.a_name} >= {fmt_int(w['lower_A'])} ({w.get('lower_A_source', '')})"
            )
        if w.get("required_width") is None:
            if w.get("upper_B") is not None:
                parts.append(
                    f"{self.b_name}'s upper bound stays at {fmt_int(w['upper_B'])} at every width"
                )
        else:
            parts.append(f"{self.b_name} needs width >= {w['required_width']}")
        if w.get("hybrid_witness"):
            parts.append(
                "hybrid tree: "
                + ", ".join(
                    f"{fmt_positions(s['segment'])} from {s['tree']}" for s in w["hybrid_witness"]
                )
            )
        return "; ".join(parts)

    def table(self) -> list[dict[str, str]]:
        return [
            {
                "value": "-" if p.get("value") is None else str(p["value"]),
                "size_a": fmt_int(p.get("size_a")),
                "width_b": "none suffices" if p.get("width_b") is None else str(p["width_b"]),
                "size_b": fmt_int(p.get("size_b")),
                "ratio": "-"
                if not (p.get("size_a") and p.get("size_b"))
                else f"{p['size_b'] / p['size_a']:.3g}",
                "partition": fmt_positions(p.get("partition")) if p.get("partition") else "-",
            }
            for p in self.points
        ]


@dataclass
class Reproducibility:
    command: str
    versions: dict[str, str]
    seed: int | None
    prime: int | None
    backend: str | None
    weights: str | None
    mode: str | None
    max_k: int | None
    python: str
    platform: str
    machine: str
    cpu_count: int | None
    date: str
    elapsed_seconds: float | None

    # fields that legitimately differ between two runs with the same seed
    VOLATILE = ("date", "elapsed_seconds")


@dataclass
class ReportData:
    """Everything a report shows. Renderers (Markdown, PDF, figures) only read it."""

    name: str
    source: str
    description: str
    kind: str
    input_channels: str  # symbolic
    input_channels_value: str | None  # at the values used, when it differs
    input_channels_latex: str | None
    input_channels_math: dict
    pooling: str
    readout: bool
    receptive_field: int
    modes: list[int]
    symbols: list[str]
    values: dict[str, Any]
    branches: list[BranchInfo]
    connections: list[dict]
    mixture_nodes: list[list[list[int]]]
    hybrid_trees: dict | None
    parameters_symbolic: str
    parameters_latex: str | None
    parameters_math: dict
    parameters_value: int | None
    notes: list[str]
    partitions: list[PartitionRow]
    verification: dict | None
    verification_note: str | None
    comparison: ComparisonInfo | None
    reproducibility: Reproducibility | None
    omitted_partitions: int = 0
    # the analyzer's hybrid trees (analyzer.trees.HybridStructure; the figures draw one), when
    # built from the Analysis objects
    hybrid: Any = field(default=None, repr=False, compare=False, metadata=TYPED)

    # ---- derived views
    @property
    def violations(self) -> list[PartitionRow]:
        return [p for p in self.partitions if p.is_violation]

    @property
    def verified(self) -> bool:
        return self.verification is not None

    @property
    def certified_count(self) -> int:
        """Partitions with a certified (exact) rank: what a violation check can rest on."""
        return sum(p.certified_lower is not None for p in self.partitions)

    def verdict_line(self) -> str | None:
        """One sentence on the verification as a whole (None when not verified)."""
        if not self.verified:
            return None
        if self.violations:
            return (
                f"{len(self.violations)} VIOLATION(S): a certified rank contradicts a proved bound."
            )
        if self.certified_count == 0:
            return (
                "No certified rank (floating point only, or not covered by the theory): "
                "nothing to hold against the bounds."
            )
        return "No violation: every certified rank lies within the analyzer's bounds."

    def summary_lines(self) -> list[str]:
        """The report's summary as plain text lines (what the CLI prints)."""
        out = [
            f"{self.name}: {self.kind}, N = {self.receptive_field}, parameters "
            f"{self.parameters_symbolic}"
        ]
        line = self.verdict_line()
        if line:
            out.append(line)
        hl = self.highlight
        if hl is not None:
            low = show(hl.lower_symbolic) + (
                f" = {fmt_int(hl.lower)}"
                if hl.lower is not None and show(hl.lower_symbolic) != fmt_int(hl.lower)
                else ""
            )
            up = show(hl.upper_symbolic) + (
                f" = {fmt_int(hl.upper)}"
                if hl.upper is not None and show(hl.upper_symbolic) != fmt_int(hl.upper)
                else ""
            )
            cert = f"; certified: {hl.display()['certified']}" if hl.verified else ""
            out.append(
                f"strongest lower bound: I = {fmt_positions(hl.I)} ({hl.label}): rank >= {low} "
                f"({hl.lower_source}), upper bound {up}{cert}"
            )
        if self.comparison is not None:
            c = self.comparison
            exp = f" (fitted size exponent {c.exponent:.3f})" if c.exponent is not None else ""
            why = f": {c.verdict_text}" if c.verdict_text else exp
            out.append(f"comparison with {c.b_name}: {c.verdict}{why}")
        counts = ", ".join(f"{k}: {n}" for k, n in sorted(self.status_counts().items()))
        out.append(f"partitions: {len(self.partitions)} ({counts})")
        return out

    def status_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.partitions:
            s = p.display()["status"]
            out[s] = out.get(s, 0) + 1
        return out

    def architecture_table(self) -> list[dict[str, str]]:
        """One row per layer of every branch."""
        rows = []
        for b in self.branches:
            for i, ly in enumerate(b.layers, 1):
                w = ly.width if ly.width_value is None else f"{ly.width} = {ly.width_value}"
                rows.append(
                    {
                        "branch": b.name,
                        "layer": str(i),
                        "kernel": str(ly.kernel),
                        "dilation": str(ly.dilation),
                        "width": w,
                    }
                )
        return rows

    def partition_table(self) -> list[dict[str, str]]:
        """The per-partition table (violations first), as display strings."""
        return [p.display() for p in self.ordered_partitions()]

    @property
    def highlight(self) -> PartitionRow | None:
        """The partition with the strongest lower bound (shown in the summary)."""
        return highlight(self)

    def ordered_partitions(self) -> list[PartitionRow]:
        return self.violations + [p for p in self.partitions if not p.is_violation]

    def to_dict(self, volatile: bool = True) -> dict:
        """JSON-ready dict (what the PDF template reads). ``volatile=False`` drops date/elapsed."""
        d = _plain(self)
        d["violations"] = [p.index for p in self.violations]
        d["status_counts"] = self.status_counts()
        d["table"] = self.partition_table()
        d["order"] = [p.index for p in self.ordered_partitions()]
        h = self.highlight
        d["highlight"] = None if h is None else h.index
        d["verdict_line"] = self.verdict_line()
        d["architecture_table"] = self.architecture_table()
        if self.comparison is not None:
            d["comparison"].pop("raw", None)
            d["comparison"]["table"] = self.comparison.table()
        if not volatile and d["reproducibility"]:
            for k in Reproducibility.VOLATILE:
                d["reproducibility"].pop(k, None)
        return jsonable(d)


# --------------------------------------------------------------------------- builders
def _version(pkg: str) -> str | None:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def reproducibility_info(
    command: str | list[str] | None = None,
    verification: dict | None = None,
    seed: int | None = None,
    elapsed_seconds: float | None = None,
    date: str | None = None,
) -> Reproducibility:
    """Command line, package versions, seed/prime/backend/weights, hardware, date, elapsed."""
    if command is None:
        command = sys.argv
    if isinstance(command, (list, tuple)):
        import shlex

        command = " ".join(shlex.quote(str(c)) for c in command)
    v = verification or {}
    versions = {p: ver for p in PACKAGES if (ver := _version(p)) is not None}
    return Reproducibility(
        command=command,
        versions=versions,
        seed=v.get("seed", seed),
        prime=v.get("prime"),
        backend=v.get("backend"),
        weights=v.get("weights"),
        mode=v.get("mode"),
        max_k=v.get("max_k"),
        python=platform.python_version(),
        platform=platform.platform(),
        machine=platform.machine() or "unknown",
        cpu_count=os.cpu_count(),
        date=date or _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        elapsed_seconds=None if elapsed_seconds is None else round(float(elapsed_seconds), 2),
    )


def _norm_I(ps) -> tuple[int, ...]:
    return tuple(sorted(int(p) for p in ps))


def _partition_key(I, modes) -> tuple[int, ...]:
    """I and its complement are the same partition: key on the side holding the first mode."""
    I = set(I)
    if modes and modes[0] not in I:
        I = set(modes) - I
    return tuple(sorted(I))


def _bound_exprs(analysis, modes: list[int]) -> dict:
    """Partition key -> (upper, lower) as the analyzer's expressions, when ``analysis`` is an
    ``Analysis`` (its rows carry them); empty for the JSON form (strings are parsed then)."""
    if isinstance(analysis, dict) or analysis is None:
        return {}
    return {_partition_key(p.I, modes): (p.upper_expr, p.lower_expr) for p in analysis.partitions}


def build_report_data(
    analysis,
    verification: dict | None = None,
    comparison: Any = None,
    *,
    symbolic=None,
    description: str = "",
    reproducibility: Reproducibility | None = None,
    verification_note: str | None = None,
    omitted_partitions: int = 0,
) -> ReportData:
    """Assemble the report from the documented JSON forms (pure).

    Parameters
    ----------
    analysis : the ``Analysis`` at the numeric values used (or symbolic when none), or its
        ``to_dict()``. Given the ``Analysis`` objects, the bounds are typeset from the
        analyzer's expressions; given the JSON form, from its strings parsed back.
    verification : ``verify_architecture(...).to_dict()`` on the same partitions, or None.
    comparison : the ``analyzer.compare.Comparison`` (its bounds typeset from the analyzer's
        expressions), its ``to_dict()`` (texts parsed back), a :class:`ComparisonInfo`, or None.
    symbolic : the ``Analysis`` (or its ``to_dict()``) of the same architecture *without*
        values, for the symbolic columns; defaults to ``analysis``.
    """
    symbolic = symbolic or analysis
    typed = symbolic
    st = None if isinstance(typed, dict) else typed.structure  # the analyzer's trees
    trees = {} if st is None else {t.branch: t for t in st.trees if t is not None}
    sym_arch = None if st is None else typed.arch
    analysis = analysis if isinstance(analysis, dict) else analysis.to_dict()
    symbolic = symbolic if isinstance(symbolic, dict) else symbolic.to_dict()
    syms = list(symbolic.get("symbols") or analysis.get("symbols") or [])
    modes = list(analysis["modes"])
    exprs = _bound_exprs(typed, modes)

    sym_by_key = {_partition_key(p["I"], modes): p for p in symbolic.get("partitions", [])}
    ver_by_key = {}
    if verification:
        ver_by_key = {_partition_key(p["I"], modes): p for p in verification.get("partitions", [])}

    rows: list[PartitionRow] = []
    for i, p in enumerate(analysis.get("partitions", [])):
        key = _partition_key(p["I"], modes)
        sp = sym_by_key.get(key, p)
        row = PartitionRow(
            index=i,
            I=list(p["I"]),
            J=[m for m in modes if m not in set(p["I"])],
            label=p.get("label", ""),
            tilings=p.get("tilings"),
            upper=from_json(p.get("upper")),
            upper_symbolic=sp.get("upper_symbolic", p.get("upper_symbolic", "")),
            upper_source=p.get("upper_source", ""),
            lower=from_json(p.get("lower")),
            lower_symbolic=sp.get("lower_symbolic", p.get("lower_symbolic", "")),
            lower_source=p.get("lower_source", ""),
            claim5_lower=sp.get("claim5_lower"),
            theorem7_upper=sp.get("theorem7_upper"),
            theorem7_lower=sp.get("theorem7_lower"),
            hybrid_pairs=p.get("hybrid_pairs"),
            hybrid_witness=p.get("hybrid_witness"),
        )
        v = ver_by_key.get(key)
        if v is not None:
            row.verified = True
            row.K = list(v["K"]) if v.get("K") is not None else None
            row.capped = v.get("capped")
            row.certified_lower = v.get("certified_lower")
            row.certified_text = v.get("certified_text")
            row.float_rank = v.get("float_rank")
            row.float_tolerance = v.get("float_tolerance")
            sv = v.get("singular_values")
            row.singular_values = None if sv is None else [float(x) for x in sv if math.isfinite(x)]
            if row.float_tolerance is not None and not math.isfinite(row.float_tolerance):
                row.float_tolerance = None
            row.status = v.get("status")
            row.stop = v.get("stop")
            row.epsilon = v.get("epsilon")
            row.window = v.get("window")
            row.warnings = list(v.get("warnings") or [])
        upper, lower = row.upper_symbolic, row.lower_symbolic
        if key in exprs and key in sym_by_key:  # typed: the analyzer's own expressions
            upper, lower = (
                text if expr is None else expr
                for expr, text in zip(exprs[key], (upper, lower), strict=True)
            )
        row.upper_latex = to_latex(upper, syms)
        row.lower_latex = to_latex(lower, syms)
        row.upper_math = to_tree(upper, syms)
        row.lower_math = to_tree(lower, syms)
        if not isinstance(upper, str):
            row.upper_expr = upper
        if not isinstance(lower, str):
            row.lower_expr = lower
        rows.append(row)

    branches = []
    sym_branches = {b["name"]: b for b in symbolic.get("branches", [])}
    for b in analysis["branches"]:
        sb = sym_branches.get(b["name"], b)
        layers = []
        # the widths as the analyzer's expressions when the symbolic Analysis was given
        typed_layers = (
            [None] * len(sb["layers"]) if sym_arch is None else _typed_widths(sym_arch, sb["name"])
        )
        for ly, sly, tw in zip(b["layers"], sb["layers"], typed_layers, strict=True):
            w = str(sly["channels"])
            wv = str(ly["channels"]) if str(ly["channels"]) != w else None
            width = sly["channels"] if tw is None else tw
            layers.append(
                LayerInfo(
                    ly["kernel"],
                    ly["dilation"],
                    w,
                    wv,
                    to_latex(width, syms),
                    to_tree(width, syms),
                )
            )
        branches.append(
            BranchInfo(
                b["name"],
                b["kind"],
                b["receptive_field"],
                layers,
                b.get("modes"),
                b.get("tree_nodes"),
                trees.get(b["name"]) if b.get("tree_nodes") is not None else None,
            )
        )

    params_sym = symbolic["parameters"]["symbolic"]
    M_sym = str(symbolic.get("input_channels", analysis["input_channels"]))
    # typeset from the analyzer's expressions when given, else from the texts
    M_math = M_sym if sym_arch is None else sym_arch.input_channels
    params_math = _typed_or_text(None if st is None else typed.parameters_expr, params_sym)

    comp = comparison
    if isinstance(comparison, dict):
        comp = comparison_from_dict(comparison)
    elif comparison is not None and not isinstance(comparison, ComparisonInfo):
        comp = comparison_info(comparison)  # analyzer.compare.Comparison

    return ReportData(
        name=str(analysis["name"]),
        source=str(analysis.get("source", "")),
        description=description or "",
        kind=analysis["kind"],
        input_channels=M_sym,
        input_channels_value=None
        if M_sym == str(analysis["input_channels"])
        else str(analysis["input_channels"]),
        input_channels_latex=to_latex(M_math, syms),
        input_channels_math=to_tree(M_math, syms),
        pooling=analysis["pooling"],
        readout=bool(analysis.get("readout")),
        receptive_field=analysis["receptive_field"],
        modes=modes,
        symbols=syms,
        values=dict(analysis.get("values") or {}),
        branches=branches,
        connections=_connections(analysis, symbolic),
        mixture_nodes=list(analysis.get("mixture_nodes", [])),
        hybrid_trees=_hybrid(analysis, symbolic),
        parameters_symbolic=params_sym,
        parameters_latex=to_latex(params_math, syms),
        parameters_math=to_tree(params_math, syms),
        parameters_value=from_json(analysis["parameters"].get("value")),
        notes=list(analysis.get("notes", [])),
        partitions=rows,
        verification=None
        if verification is None
        else {
            k: verification.get(k)
            for k in ("seed", "prime", "backend", "weights", "mode", "max_k", "violations")
        },
        verification_note=verification_note,
        comparison=comp,
        reproducibility=reproducibility,
        omitted_partitions=omitted_partitions,
        hybrid=None if st is None else st.hybrid,
    )


def _typed_widths(arch, branch: str) -> list:
    """The layer widths of a branch as the analyzer's expressions."""
    return [ly.width for ly in arch.branch(branch).layers]


def _connections(analysis: dict, symbolic: dict) -> list[dict]:
    """Connections with the exchanged channel count symbolic (``exchange``) and at the values."""
    out = []
    sym = symbolic.get("connections", [])
    for i, c in enumerate(analysis.get("connections", [])):
        c = dict(c)
        sx = sym[i].get("exchange") if i < len(sym) else None
        if sx is not None and c.get("exchange") is not None and str(sx) != str(c["exchange"]):
            c["exchange_value"] = c["exchange"]
            c["exchange"] = sx
        else:
            c["exchange_value"] = None
        out.append(c)
    return out


def _hybrid(analysis: dict, symbolic: dict) -> dict | None:
    h = analysis.get("hybrid_trees")
    if h is None:
        return None
    h = dict(h)
    h["count"] = show(from_json(h.get("count")))  # 2^1365 for the paper-timit network (N = 4096)
    sh = symbolic.get("hybrid_trees") or {}
    h["width_value"] = None
    if sh.get("width") is not None and str(sh["width"]) != str(h.get("width")):
        h["width_value"] = h.get("width")
        h["width"] = sh["width"]
    return h


def highlight(data: ReportData) -> PartitionRow | None:
    """The partition with the strongest lower bound (numeric, else the symbolic one at 64).

    Ties: explicit partitions first, then witnesses whose hybrid tree really mixes the trees.
    """
    best, best_key = None, None
    for p in data.partitions:
        # compared on a log2 scale: bounds like 32^2048 do not fit a float
        val = log2(p.lower) if p.lower is not None else None
        if p.lower is None:
            # typed (the analyzer's value), else the text parsed back
            e = parse_bound(_typed_or_text(p.lower_expr, p.lower_symbolic), data.symbols)
            if e is None:
                continue
            try:
                v = e.subs({s: 64 for s in e.free_symbols})
                val = log2(int(v)) if v.is_Integer else float(sympy.log(v, 2).evalf())
            except (TypeError, ValueError, OverflowError):
                continue
        if val is None:
            val = float("-inf")
        mixes = len({w["tree"] for w in p.hybrid_witness or []})
        key = (val, p.label == "explicit", mixes, -p.index)
        if best_key is None or key > best_key:
            best, best_key = p, key
    return best


# --------------------------------------------------------------------------- comparison
def comparison_info(comparison) -> ComparisonInfo:
    """A :class:`ComparisonInfo` from an ``analyzer.compare.Comparison``: its JSON fields, with
    the symbolic bounds at the witness typeset from the analyzer's own values (no parsing)."""
    return comparison_from_dict(
        comparison.to_dict(),
        lower_a=comparison.lower_A_expr,
        upper_b=comparison.upper_B_expr,
    )


def comparison_from_dict(d: dict, *, lower_a=None, upper_b=None) -> ComparisonInfo:
    """Normalise ``analyzer.compare.Comparison.to_dict()`` into a :class:`ComparisonInfo`.

    ``lower_a``, ``upper_b``: the bounds at the witness as the analyzer's values, when the
    caller has them (:func:`comparison_info`); else their texts in ``d`` are parsed back.
    """
    points = []
    for p in d.get("points", []):
        w = p.get("witness") or {}
        points.append(
            {
                "value": p.get("value"),
                "size_a": p.get("size_A"),
                "width_b": p.get("required_width"),
                "size_b": p.get("size_B"),
                "partition": w.get("I"),
                "lower_a": w.get("lower_A"),
                "upper_b": w.get("upper_B"),
                "informative": p.get("informative"),
            }
        )
    A, B = d.get("A", {}), d.get("B", {})
    la, ub = d.get("lower_A_symbolic"), d.get("upper_B_symbolic")
    # what is typeset: the analyzer's values when given, else the texts
    la_math = la if lower_a is None or la is None else lower_a
    ub_math = ub if upper_b is None or ub is None else upper_b
    return ComparisonInfo(
        a_name=str(A.get("name", "A")),
        b_name=str(B.get("name", "B")),
        symbol=(d.get("sweep") or {}).get("symbol"),
        copies=int(B.get("copies", 1) or 1),
        points=points,
        exponent=d.get("exponent"),
        width_exponent=d.get("width_exponent"),
        verdict=str(d.get("verdict", "")),
        verdict_text=str(d.get("verdict_text", "")),
        witness=d.get("witness"),
        lower_a_symbolic=la,
        upper_b_symbolic=ub,
        lower_a_latex=to_latex(la_math),
        upper_b_latex=to_latex(ub_math),
        lower_a_math=None if la is None else to_tree(la_math),
        upper_b_math=None if ub is None else to_tree(ub_math),
        notes=[str(n) for n in d.get("notes", [])],
        certified=bool(d.get("certified")),
    )
