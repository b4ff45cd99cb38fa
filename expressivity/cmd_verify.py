"""``expressivity verify``: certified ranks of the real networks against the analyzer's bounds."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from analyzer import SpecError, load_spec
from reports.safe_text import visible

from .cmd_analyze import default_families_for
from .options import (
    AllowLargeOpt,
    FormatOpt,
    PartitionOpt,
    PartitionsOpt,
    SetOpt,
    check_all_family,
    check_format,
    check_seed,
    check_verify_cost,
    check_verify_partitions,
    guarded,
    limits_for,
    parse_sets,
    progress_bar,
)

STATUS_STYLE = {
    "exact": "green",
    "not-attained": "yellow",
    "capped": "cyan",
    "VIOLATION": "bold red",
    "below-lower": "magenta",
    "not-covered": "dim",
}


def render_verify(res, console: Console) -> None:
    d = res.to_dict()
    console.print(
        visible(
            f"{d['name']}: seed {d['seed']}, prime {d['prime']}, backend {d['backend']}, weights "
            f"{d['weights']}, "
            f"mode {d['mode']}, K cap {d['max_k']}, {d['elapsed_seconds']:.2f} s"
        ),
        markup=False,
    )
    for n in d["notes"]:
        console.print(visible(f"note: {n}"), markup=False)
    t = Table(
        title="certified ranks (exact mod p: lower bounds) vs analyzer bounds", title_justify="left"
    )
    for col, just in (
        ("I", "left"),
        ("lower", "right"),
        ("certified", "right"),
        ("upper", "right"),
        ("float est.", "right"),
        ("K", "right"),
        ("status", "left"),
    ):
        t.add_column(col, justify=just, overflow="fold")
    for p in res.partitions:
        style = STATUS_STYLE.get(p.status, "")
        t.add_row(
            "{" + ",".join(map(str, p.I)) + "}",
            "-" if p.lower is None else str(p.lower),
            (f">= {p.certified_lower} (capped)" if p.status == "capped" else p.certified_text),
            "-" if p.upper is None else str(p.upper),
            "-" if p.float_rank is None else str(p.float_rank),
            f"{p.K[0]}x{p.K[1]}",
            f"[{style}]{p.status}[/]" if style else p.status,
        )
    console.print(t)
    warns = [(p, w) for p in res.partitions for w in p.warnings]
    for p, w in warns[:20]:
        console.print(visible(f"warning {{{','.join(map(str, p.I))}}}: {w}"), markup=False)
    counts: dict[str, int] = {}
    for p in res.partitions:
        counts[p.status] = counts.get(p.status, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    verdict = "VIOLATION: theory and practice disagree" if res.violations else "no violation"
    console.print(f"{len(res.partitions)} partition(s): {summary}. {verdict}.", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("verify")
    @guarded
    def verify_cmd(
        spec: str = typer.Argument(..., help="Spec file (YAML/JSON) or builtin:NAME."),
        set_: SetOpt = None,
        partition: PartitionOpt = None,
        partitions: PartitionsOpt = None,
        backend: str = typer.Option("numpy", "--backend", help="numpy or cupy (GPU)."),
        weights: str = typer.Option(
            "shared",
            "--weights",
            help="shared (a convolution) or per-node (the paper's decomposition).",
        ),
        mode: str = typer.Option(
            "both", "--mode", help="exact (certified, mod p), float (SVD estimate) or both."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of weights and samples."),
        max_k: int | None = typer.Option(
            None, "--max-k", help="Cap on sampled rows/columns (default 1024)."
        ),
        dtype: str = typer.Option(
            "float64", "--dtype", help="float64 or float32 for the float mode."
        ),
        claim5: bool = typer.Option(
            False, "--claim5", help="Also run the Claim 5 weight-copy check (mixed networks)."
        ),
        fmt: FormatOpt = "table",
        allow_large: AllowLargeOpt = False,
    ):
        """Certify ranks of sampled grid-tensor matricizations mod p against the bounds.

        Exit code 0: no violation; 1: a violation (or a failed Claim 5 check); 2: bad input.
        """
        from verify import claim5_check, verify_architecture

        check_format(fmt)
        if weights not in ("shared", "per-node"):
            raise SpecError(
                "--weights", "", f"unknown weights mode {weights!r} (choose from shared, per-node)"
            )
        if backend not in ("numpy", "cupy"):
            raise SpecError(
                "--backend", "", f"unknown backend {backend!r} (choose from numpy, cupy)"
            )
        check_seed(seed)
        limits = limits_for(allow_large)
        arch = load_spec(spec, parse_sets(set_, limits), limits)
        fams = default_families_for(arch, partition, partitions)
        check_all_family(arch, fams, limits)
        check_verify_partitions(arch, partition, fams, limits, source="verify")
        check_verify_cost(arch, max_k, weights, mode, limits)
        console = Console(highlight=False)
        with progress_bar() as cb:
            res = verify_architecture(
                arch,
                partitions=partition or [],
                families=fams,
                mode=mode,
                weights=weights,
                seed=seed,
                max_k=max_k,
                backend=backend,
                progress=cb if fmt == "table" else None,
                dtype=dtype,
            )
        c5 = claim5_check(arch, seed=seed, backend=backend) if claim5 else None
        if fmt == "json":
            d = res.to_dict()
            if c5 is not None:
                d["claim5"] = c5.to_dict()
            print(json.dumps(d, indent=2))
        else:
            render_verify(res, console)
            if c5 is not None:
                eq = sum(ch["equal"] for ch in c5.checked)
                console.print(
                    f"Claim 5: {eq}/{len(c5.checked)} hybrid trees of width {c5.hybrid_width} "
                    "realised exactly "
                    f"by the mixed network: {'pass' if c5.ok else 'FAIL'}",
                    markup=False,
                )
        if not res.ok or (c5 is not None and not c5.ok):
            raise typer.Exit(1)
