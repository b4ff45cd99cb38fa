"""``expressivity analyze``: structure, size and rank bounds of an architecture (no computation)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzer import analyze, load_spec
from analyzer.analysis import Analysis, AnalyzeOptions
from analyzer.circuit import fmt_mask, mask_of, positions_of
from analyzer.numbers import json_text, show
from reports.safe_text import visible

from .options import (
    AllowLargeOpt,
    AllRowsOpt,
    ExactOpt,
    FormatOpt,
    PartitionOpt,
    PartitionsOpt,
    SetOpt,
    SpecArg,
    check_format,
    guarded,
    limits_for,
    parse_sets,
)


def default_families_for(arch, partitions, families) -> list[str]:
    """The families asked for; when nothing is asked, the library's default for the circuit
    (``nodes``, ``representative`` above a size, or halves and odd-even when overlapping)."""
    if partitions or families:
        return list(families or [])
    from analyzer.circuit import build_circuit
    from analyzer.partitions import families_for
    from analyzer.trees import mode_tree

    c = build_circuit(arch)
    return families_for(c, [mode_tree(c, b) for b in range(len(arch.branches))])


def fmt_positions(ps: list[int]) -> str:
    """A position list as ranges: ``{0..1023}``."""
    return fmt_mask(mask_of(ps))


def render_structure(a: Analysis, console: Console, exact: bool = False) -> None:
    d = a.to_dict(partitions=False)  # the rows are render_bounds' (issue 12: no 32k dicts)
    c = a.circuit
    head = Text()
    head.append(visible(d["name"]), style="bold")
    head.append(f"  ({visible(d['source'])})\n")
    if a.arch.description:
        head.append(visible(a.arch.description) + "\n", style="italic")
    head.append(
        f"kind: {d['kind']}   input channels M = {d['input_channels']}   pooling: "
        f"{d['pooling']}"
        f"{'   read-out: linear (extension)' if d['readout'] else ''}\n"
    )
    head.append(
        f"receptive field N = {d['receptive_field']}   used modes "
        f"({c.used_mask.bit_count()}): {fmt_mask(c.used_mask)}\n"
    )
    if d["values"]:
        head.append(
            "values: " + ", ".join(f"{k} = {show(v, exact)}" for k, v in d["values"].items()) + "\n"
        )
    elif d["symbols"]:
        head.append("symbols: " + ", ".join(d["symbols"]) + " (set them with --set NAME=VALUE)\n")
    console.print(head, end="")
    for b in d["branches"]:
        layers = _layers_text(b["layers"])
        console.print(
            visible(
                f"  branch {b['name']}: {b['kind']}, receptive field "
                f"{b['receptive_field']}; layers: {layers}"
            ),
            markup=False,
        )
    for i, conn in enumerate(d["connections"]):
        mix = a.structure.mixture_nodes[i]
        how = (
            f"exchange {conn['exchange']} channels"
            if conn["mode"] == "exchange"
            else "elementwise sum"
        )
        shown = ", ".join(fmt_mask(m) for m in mix[:4]) + (" ..." if len(mix) > 4 else "")
        console.print(
            visible(
                f"  connection after layer {conn['after_layer']} {'+'.join(conn['branches'])}: "
                f"{how}; mixture nodes ({len(mix)}): {shown}"
            ),
            markup=False,
        )
    if d["hybrid_trees"]:
        h = d["hybrid_trees"]
        console.print(
            f"  hybrid trees: {show(h['count'], exact)} (Claim 5 width {h['width']})", markup=False
        )
    p = d["parameters"]
    val = show(p["value"], exact) if p["value"] is not None else None
    eq = f" = {val}" if val is not None and p["symbolic"] != val else ""
    console.print(f"  parameters: {show(p['symbolic'], exact)}{eq}", markup=False)
    for note in d["notes"]:
        console.print(visible(f"  note: {note}"), markup=False)
    if a.partition_note:
        hint = "--partitions nodes for every node, --partition/--partitions for others"
        console.print(visible(f"  note: {a.partition_note} ({hint})"), markup=False)


def _layers_text(layers: list[dict]) -> str:
    """Layers as text, runs of equal kernel/width with doubling or equal dilations folded."""
    # "w=" before the width: a width may be a symbol ("w=r", "w=2*w"), not only a number
    items = [f"k{ly['kernel']} d{ly['dilation']} w={ly['channels']}" for ly in layers]
    if len(items) <= 12:
        return ", ".join(items)
    return ", ".join(items[:6]) + f", ... ({len(items) - 12} more), " + ", ".join(items[-6:])


def _row(p, exact: bool) -> tuple[str, str, str, str]:
    lo = show(p.lower, exact) if p.lower is not None else show(p.lower_symbolic, exact)
    up = show(p.upper, exact) if p.upper is not None else "-"
    return lo, up, show(p.upper_symbolic, exact), f"{p.lower_source} / {p.upper_source}"


def render_bounds(
    a: Analysis, console: Console, limit: int = 200, exact: bool = False, all_rows: bool = False
) -> None:
    """The bounds table; rows with the same family, |I| and bounds are collapsed into one
    (the first I shown, with the count) unless ``all_rows``; explicit partitions stay apart."""
    groups: dict[tuple, list] = {}
    for p in a.partitions:
        # explicit partitions are never merged; family rows with equal bounds and |I| are
        key = (p.label, len(p.I)) + _row(p, exact)
        if all_rows or p.label == "explicit":
            key = (id(p),)
        groups.setdefault(key, []).append(p)
    n_rows = len(groups)
    title = f"rank bounds of [A]_I ({len(a.partitions)} partition(s)"
    title += ")" if all_rows or n_rows == len(a.partitions) else f" in {n_rows} group(s))"
    t = Table(title=title, title_justify="left")
    merged = n_rows < len(a.partitions)
    t.add_column("I", overflow="fold")
    if merged:
        t.add_column("rows", justify="right")
    t.add_column("family")
    t.add_column("lower", justify="right", overflow="fold")
    t.add_column("upper", justify="right", overflow="fold")
    t.add_column("upper (symbolic)", overflow="fold")
    t.add_column("sources (lower / upper)", overflow="fold")
    shown = list(groups.values()) if all_rows else list(groups.values())[:limit]
    for members in shown:
        p = members[0]
        lo, up, sym, src = _row(p, exact)
        I_text = fmt_mask(mask_of(p.I), None if all_rows else 12)
        if len(members) > 1:
            I_text += f" (+{len(members) - 1} alike)"
        cells = [I_text] + ([str(len(members))] if merged else [])
        t.add_row(*map(visible, [*cells, p.label, lo, up, sym, src]))
    console.print(t)
    if len(shown) < n_rows:
        console.print(
            f"... {n_rows - len(shown)} more group(s); use --all-rows or --format json for all"
        )


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    @guarded
    def analyze_cmd(
        spec: SpecArg,
        set_: SetOpt = None,
        partition: PartitionOpt = None,
        partitions: PartitionsOpt = None,
        fmt: FormatOpt = "table",
        allow_large: AllowLargeOpt = False,
        exact: ExactOpt = False,
        all_rows: AllRowsOpt = False,
    ):
        """Mode trees, mixture nodes, parameter count and symbolic rank bounds per partition."""
        check_format(fmt)
        limits = limits_for(allow_large)
        values = parse_sets(set_, limits)
        arch = load_spec(spec, values, limits)
        options = AnalyzeOptions(
            partitions=tuple(partition or ()),
            families=list(partitions) if partitions else None,
            limits=limits,
        )
        a = analyze(arch, options)
        a.values = values  # already substituted; recorded for the header and the JSON
        if fmt == "json":
            print(json_text(a.to_dict()))  # json.dumps(jsonable(...), indent=2), faster
            return
        console = Console(highlight=False, markup=False)  # user strings are never markup
        render_structure(a, console, exact=exact)
        render_bounds(a, console, exact=exact, all_rows=all_rows)


__all__ = ["register", "render_structure", "render_bounds", "fmt_positions", "positions_of"]
