"""``expressivity analyze``: structure, size and rank bounds of an architecture (no computation)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from analyzer import analyze, load_spec
from analyzer.analysis import Analysis
from analyzer.circuit import positions_of
from reports.safe_text import visible

from .options import (
    AllowLargeOpt,
    FormatOpt,
    PartitionOpt,
    PartitionsOpt,
    SetOpt,
    check_format,
    guarded,
    limits_for,
    parse_sets,
)


def default_families_for(arch, partitions, families) -> list[str]:
    """``nodes`` when nothing is asked (or halves and odd-even for overlapping networks)."""
    if partitions or families:
        return list(families or [])
    from analyzer.circuit import branch_kind, build_circuit

    build_circuit(arch)
    if any(branch_kind(b) != "overlapping" for b in arch.branches):
        return ["nodes"]
    return ["halves", "odd-even"]


def fmt_positions(ps: list[int]) -> str:
    return "{" + ",".join(map(str, ps)) + "}"


def render_structure(a: Analysis, console: Console) -> None:
    d = a.to_dict()
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
        f"receptive field N = {d['receptive_field']}   used modes ({len(d['modes'])}): "
        f"{fmt_positions(d['modes'])}\n"
    )
    if d["values"]:
        head.append("values: " + ", ".join(f"{k} = {v}" for k, v in d["values"].items()) + "\n")
    elif d["symbols"]:
        head.append("symbols: " + ", ".join(d["symbols"]) + " (set them with --set NAME=VALUE)\n")
    console.print(head, end="")
    for b in d["branches"]:
        layers = ", ".join(
            f"k{ly['kernel']} d{ly['dilation']} w{ly['channels']}" for ly in b["layers"]
        )
        console.print(
            visible(
                f"  branch {b['name']}: {b['kind']}, receptive field "
                f"{b['receptive_field']}; layers: {layers}"
            ),
            markup=False,
        )
    for i, c in enumerate(d["connections"]):
        mix = d["mixture_nodes"][i]
        how = f"exchange {c['exchange']} channels" if c["mode"] == "exchange" else "elementwise sum"
        shown = ", ".join(fmt_positions(m) for m in mix[:8]) + (" ..." if len(mix) > 8 else "")
        console.print(
            visible(
                f"  connection after layer {c['after_layer']} {'+'.join(c['branches'])}: "
                f"{how}; mixture nodes ({len(mix)}): {shown}"
            ),
            markup=False,
        )
    if d["hybrid_trees"]:
        h = d["hybrid_trees"]
        console.print(f"  hybrid trees: {h['count']} (Claim 5 width {h['width']})", markup=False)
    p = d["parameters"]
    val = f" = {p['value']}" if p["value"] is not None and p["symbolic"] != str(p["value"]) else ""
    console.print(f"  parameters: {p['symbolic']}{val}", markup=False)
    for note in d["notes"]:
        console.print(visible(f"  note: {note}"), markup=False)


def render_bounds(a: Analysis, console: Console, limit: int = 200) -> None:
    t = Table(
        title=f"rank bounds of [A]_I ({len(a.partitions)} partition(s))", title_justify="left"
    )
    t.add_column("I", overflow="fold")
    t.add_column("family")
    t.add_column("lower", justify="right")
    t.add_column("upper", justify="right")
    t.add_column("upper (symbolic)", overflow="fold")
    t.add_column("sources (lower / upper)", overflow="fold")
    for p in a.partitions[:limit]:
        lo = str(p.lower) if p.lower is not None else p.lower_symbolic
        up = str(p.upper) if p.upper is not None else "-"
        cells = [fmt_positions(p.I), p.label, lo, up, p.upper_symbolic]
        t.add_row(*map(visible, [*cells, f"{p.lower_source} / {p.upper_source}"]))
    console.print(t)
    if len(a.partitions) > limit:
        console.print(
            f"... {len(a.partitions) - limit} more partition(s); use --format json for all"
        )


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    @guarded
    def analyze_cmd(
        spec: str = typer.Argument(..., help="Spec file (YAML/JSON) or builtin:NAME."),
        set_: SetOpt = None,
        partition: PartitionOpt = None,
        partitions: PartitionsOpt = None,
        fmt: FormatOpt = "table",
        allow_large: AllowLargeOpt = False,
    ):
        """Mode trees, mixture nodes, parameter count and symbolic rank bounds per partition."""
        check_format(fmt)
        limits = limits_for(allow_large)
        values = parse_sets(set_, limits)
        arch = load_spec(spec, values, limits)
        fams = default_families_for(arch, partition, partitions)
        a = analyze(arch, partitions=partition or [], families=fams)
        a.values = values  # already substituted; recorded for the header and the JSON
        if fmt == "json":
            print(json.dumps(a.to_dict(), indent=2))
            return
        console = Console(highlight=False, markup=False)  # user strings are never markup
        render_structure(a, console)
        render_bounds(a, console)


__all__ = ["register", "render_structure", "render_bounds", "fmt_positions", "positions_of"]
