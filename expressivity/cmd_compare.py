"""``expressivity compare A B``: how wide must B be to replicate A (paper sec. 6)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analyzer import SpecError, load_spec
from analyzer.circuit import fmt_mask, mask_of
from analyzer.compare import CompareOptions, Comparison, compare, parse_sweep
from analyzer.numbers import jsonable, show
from reports.safe_text import visible

from .options import (
    AllowLargeOpt,
    CopiesOpt,
    FormatOpt,
    MaxKOpt,
    PartitionOpt,
    PartitionsOpt,
    SearchOpt,
    SeedOpt,
    SetOpt,
    SweepOpt,
    check_format,
    check_seed,
    guarded,
    limits_for,
    parse_sets,
)

SetBOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set-b",
        help="Fix one of B's symbols (the others are B's widths, solved for), e.g. --set-b M=4.",
    ),
]
CertifyOpt = Annotated[
    bool,
    typer.Option(
        "--certify",
        help="Also certify A's lower bounds with the harness (exact ranks mod p) on the "
        "reported partitions; small sizes only (K capped by --max-k).",
    ),
]


def _out(console: Console, text: str, **kw) -> None:
    """Print a line with user strings inert (control/bidi characters visible, no markup)."""
    kw["markup"] = False
    console.print(visible(text), **kw)


def _set(ps: list[int]) -> str:
    return fmt_mask(mask_of(ps), None)


def _at(sym: str, value) -> str:
    return "no sweep" if value is None else f"{sym} = {value}"


def _num(x) -> str:
    """Numbers of any size through analyzer.numbers (``2^2048``, ``≈ 3.2e616``; no overflow)."""
    if x is None:
        return "-"
    return show(x)


def _hybrid(h: list[dict] | None) -> str:
    if not h:
        return "-"
    return ", ".join(f"{_set(s['segment'])}: {s['tree']}" for s in h)


def render(c: Comparison, console: Console) -> None:
    sym = c.sweep_symbol or "-"
    cp = f", a sum of {c.copies} copies" if c.copies > 1 else ""
    _out(
        console,
        f"A = {c.A} ({c.A_source})   vs   B = {c.B} ({c.B_source}){cp}",
        markup=False,
        style="bold",
    )
    ws = ", ".join(c.width_symbols) or "none (B checked as given)"
    _out(
        console,
        f"B reads A's input (B's input channels := A's); B's width symbol(s) solved for: {ws}"
        f"{' (one uniform width)' if len(c.width_symbols) > 1 else ''}",
        markup=False,
    )
    if c.points:
        p0 = c.points[0]
        how = {
            "exhaustive": f"every partition of the {c.modes} used modes",
            "local": f"named partitions plus a local search over the {c.modes} used modes",
            "none": "the named partitions only (no search)",
        }[p0.search]
        _out(console, f"partitions: {p0.examined} examined per sweep point: {how}", markup=False)
    t = Table(title="lower bound on what B needs, per sweep point", title_justify="left")
    for col, just in [
        (sym, "right"),
        ("M", "right"),
        ("size A", "right"),
        ("width B", "right"),
        ("size B", "right"),
        ("B / A", "right"),
        ("witness I", "left"),
        ("lower A", "right"),
        ("upper B at w / w-1", "right"),
    ]:
        t.add_column(col, justify=just, overflow="fold")
    for p in c.points:
        w = p.witness
        width = "-" if p.required_width is None else str(p.required_width)
        if p.matches is not None:
            width = "matches" if p.matches else "fails"
        t.add_row(
            *map(
                visible,
                [
                    "-" if p.value is None else str(p.value),
                    str(p.input_channels),
                    _num(p.size_A),
                    width,
                    _num(p.size_B),
                    "-" if p.ratio is None else f"{p.ratio:.3g}",
                    f"{_set(w.I)} ({w.label})",
                    _num(w.lower_A),
                    f"{_num(w.upper_B)} / {_num(w.upper_B_below)}",
                ],
            )
        )
    console.print(t)
    for p in c.points:
        if p.unmatched is not None:
            u = p.unmatched
            _out(
                console,
                f"  {_at(sym, p.value)}: no width of B matches I = {_set(u.I)} ({u.label}): "
                "A's lower bound "
                f"{_num(u.lower_A)} ({u.lower_A_source}), B's upper bound at most "
                f"{_num(u.upper_B)} "
                "at every width",
                markup=False,
            )
    fit = ", ".join(map(str, c.fit_values)) or "-"
    ex = "-" if c.exponent is None else f"{c.exponent:.3f}"
    wex = "-" if c.width_exponent is None else f"{c.width_exponent:.3f}"
    _out(
        console,
        f"growth exponent (least squares, log size B vs log size A, {sym} = {fit}): {ex}",
        markup=False,
    )
    _out(console, f"width exponent (log width B vs log {sym}): {wex}", markup=False)
    _out(console, f"verdict: {c.verdict}", markup=False, style="bold")
    _out(console, f"  {c.verdict_text}", markup=False)
    if c.witness:
        w = c.witness
        pairs = f", {w['hybrid_pairs']} hybrid sibling pairs" if w["hybrid_pairs"] else ""
        _out(
            console,
            f"witness ({_at(sym, w['value'])}): I = {_set(w['I'])} ({w['label']}); A's lower bound "
            f"{_num(w['lower_A'])} ({w['lower_A_source']}"
            f"{pairs}); "
            f"B needs width {_num(w['required_width'])}",
            markup=False,
        )
        if w.get("hybrid_witness"):
            _out(console, f"  hybrid tree: {_hybrid(w['hybrid_witness'])}", markup=False)
        if c.lower_A_symbolic:
            _out(console, f"  A's lower bound there, symbolic: {c.lower_A_symbolic}", markup=False)
        if c.upper_B_symbolic:
            up = c.upper_B_symbolic
            if len(up) > 300:
                up = up[:300] + " ... (full text in --format json)"
            _out(
                console,
                f"  B's upper bound there, a function of its width ({_at(sym, w['value'])}; "
                f"B's symbols named like A's get _B): {up}",
                markup=False,
            )
    if c.unmatched_witness:
        u = c.unmatched_witness
        _out(
            console,
            f"unmatched ({_at(sym, u['value'])}): I = {_set(u['I'])} ({u['label']}); hybrid tree: "
            f"{_hybrid(u.get('hybrid_witness'))}",
            markup=False,
        )
    last = c.points[-1] if c.points else None
    if last is not None:
        t2 = Table(
            title=f"partitions at {_at(sym, last.value)} (named, then the largest requirements)",
            title_justify="left",
        )
        for col, just in [
            ("I", "left"),
            ("family", "left"),
            ("lower A", "right"),
            ("source", "left"),
            ("width B", "right"),
            ("upper B there", "right"),
        ]:
            t2.add_column(col, justify=just, overflow="fold")
        for r in last.rows[:16]:
            src = r.lower_A_source + (
                f" [certified {r.certified_A}: {r.certified_status}]" if r.certified_A else ""
            )
            t2.add_row(
                *map(
                    visible,
                    [
                        _set(r.I),
                        r.label,
                        _num(r.lower_A),
                        src,
                        "never" if r.required_width is None else str(r.required_width),
                        _num(r.upper_B),
                    ],
                )
            )
        console.print(t2)
    for n in c.notes:
        _out(console, f"note: {n}", markup=False)


def _check_certify_cost(A, sw, values: dict, max_k: int, limits) -> None:
    """--certify runs the harness on A at every sweep point: size the largest one first."""
    syms = [s for s in A.symbol_names if s not in values]
    if sw is None:
        sw = (syms[0], [2, 4, 8, 16]) if len(syms) == 1 else None
    vals = dict(values)
    if sw is not None and sw[1]:
        vals[sw[0]] = max(sw[1])
    try:
        Av = A.substitute(vals, limits) if vals else A
    except SpecError:
        return  # compare reports bad values itself
    from checks.guards import check_verify_cost  # not at the top: analyze needs no harness

    check_verify_cost(Av, max_k, "shared", "exact", limits, source="compare --certify")


def register(app: typer.Typer) -> None:
    @app.command("compare")
    @guarded
    def compare_cmd(
        spec_a: str = typer.Argument(
            ..., metavar="A", help="The architecture to replicate (spec file or builtin:NAME)."
        ),
        spec_b: str = typer.Argument(
            ..., metavar="B", help="The architecture that must replicate A."
        ),
        set_: SetOpt = None,
        set_b: SetBOpt = None,
        sweep: SweepOpt = None,
        partition: PartitionOpt = None,
        partitions: PartitionsOpt = None,
        copies: CopiesOpt = 1,
        certify: CertifyOpt = False,
        max_k: MaxKOpt = 1024,
        search: SearchOpt = "auto",
        seed: SeedOpt = 0,
        fmt: FormatOpt = "table",
        allow_large: AllowLargeOpt = False,
    ):
        """Smallest width (and size) of B whose rank bounds match A's on every partition."""
        from verify import verify_architecture  # not at the top: analyze needs no harness

        check_format(fmt)
        check_seed(seed)
        limits = limits_for(allow_large)
        A = load_spec(spec_a, limits=limits)
        B = load_spec(spec_b, limits=limits)
        sw = parse_sweep(sweep) if sweep else None
        if certify:
            _check_certify_cost(A, sw, parse_sets(set_, limits), max_k, limits)
        options = CompareOptions(
            sweep=sw,
            values_A=parse_sets(set_, limits),
            values_B=parse_sets(set_b, limits),
            partitions=tuple(partition or ()),
            families=list(partitions) if partitions else None,
            copies=copies,
            search=search,
            seed=seed,
            certify=certify,
            certify_max_k=max_k,
        )
        c = compare(A, B, options, certifier=verify_architecture if certify else None)
        if fmt == "json":
            print(json.dumps(jsonable(c.to_dict()), indent=2))
            return
        render(c, Console(highlight=False, markup=False, width=max(Console().width, 120)))


__all__ = ["register", "render"]
