"""``expressivity verify``: certified ranks of the real networks against the analyzer's bounds."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from analyzer import SpecError, load_spec
from analyzer.circuit import fmt_mask, mask_of
from analyzer.numbers import jsonable, show
from reports.safe_text import visible

from .cmd_analyze import default_families_for
from .options import (
    AllowLargeOpt,
    BackendOpt,
    FormatOpt,
    MaxKOpt,
    ModeOpt,
    PartitionOpt,
    PartitionsOpt,
    SeedOpt,
    SetOpt,
    SpecArg,
    WeightsOpt,
    check_format,
    check_seed,
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
            f"mode {d['mode']}, {budget_text(d)}, {d['elapsed_seconds']:.2f} s"
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
        ("stop", "left"),
        ("epsilon", "right"),
        ("status", "left"),
    ):
        t.add_column(col, justify=just, overflow="fold")
    for p in res.partitions:
        style = STATUS_STYLE.get(p.status, "")
        t.add_row(
            fmt_mask(mask_of(p.I)) + (f" window {fmt_mask(mask_of(p.window))}" if p.window else ""),
            show(p.lower),
            (f">= {p.certified_lower} (capped)" if p.status == "capped" else p.certified_text),
            show(p.upper),
            "-" if p.float_rank is None else str(p.float_rank),
            f"{p.K[0]}x{p.K[1]}",
            p.stop or "-",
            epsilon_text(p.epsilon),
            f"[{style}]{p.status}[/]" if style else p.status,
        )
    console.print(t)
    warns = [(p, w) for p in res.partitions for w in p.warnings]
    for p, w in warns[:20]:
        console.print(visible(f"warning {fmt_mask(mask_of(p.I))}: {w}"), markup=False)
    counts: dict[str, int] = {}
    for p in res.partitions:
        counts[p.status] = counts.get(p.status, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    verdict = "VIOLATION: theory and practice disagree" if res.violations else "no violation"
    console.print(f"{len(res.partitions)} partition(s): {summary}. {verdict}.", markup=False)


def budget_text(d: dict) -> str:
    b = d.get("budget") or {}
    cap = f"max K {d['max_k']}" if d.get("max_k") else "no explicit K cap"
    mem = b.get("memory_bytes")
    mem_txt = f"{mem / 2**30:.3g} GiB" if mem else "?"
    return (
        f"K from {b.get('k_start')} x{b.get('growth')}, {cap}, memory {mem_txt}, "
        f"{b.get('seconds')} s per partition, repeat {d.get('repeat', 1)}, "
        f"rank {d.get('rank_method', 'auto')}"
    )


def epsilon_text(eps) -> str:
    if eps is None:
        return "-"
    if eps == 0:
        return "0"
    return f"{eps:.1e}"


def parse_bytes(text: str) -> int:
    """'2GiB', '512MiB', '1e9' -> bytes (bad input: SpecError naming --memory)."""
    t = text.strip().lower().replace(" ", "")
    units = {"kib": 2**10, "mib": 2**20, "gib": 2**30, "kb": 10**3, "mb": 10**6, "gb": 10**9}
    for u, f in units.items():
        if t.endswith(u):
            t, mult = t[: -len(u)], f
            break
    else:
        mult = 1
    try:
        v = float(t) * mult
    except ValueError:
        raise SpecError(
            "--memory", "", f"expected a size like 2GiB or 512MiB, got {text!r}"
        ) from None
    if v < 1:
        raise SpecError("--memory", "", f"must be positive, got {text!r}")
    return int(v)


def register(app: typer.Typer) -> None:
    @app.command("verify")
    @guarded
    def verify_cmd(
        spec: SpecArg,
        set_: SetOpt = None,
        partition: PartitionOpt = None,
        partitions: PartitionsOpt = None,
        backend: BackendOpt = "numpy",
        weights: WeightsOpt = "shared",
        mode: ModeOpt = "both",
        seed: SeedOpt = 0,
        max_k: MaxKOpt = None,
        k_start: int = typer.Option(64, "--k-start", help="First K of the adaptive search."),
        memory: str = typer.Option(
            "2GiB", "--memory", help="Memory budget of the K x K matrix and its exact rank."
        ),
        seconds: float = typer.Option(
            10.0, "--seconds", help="Time budget per partition (the next K is not started)."
        ),
        repeat: int = typer.Option(
            1,
            "--repeat",
            help="Independent repetitions when the rank fell below K (epsilon shrinks).",
        ),
        window: str | None = typer.Option(
            None,
            "--window",
            help="Positions that vary (others fixed): SIZE, START:END, a list, auto or none "
            "(default: auto above 64 used positions).",
        ),
        rank_method: str = typer.Option(
            "auto", "--rank-method", help="Exact rank mod p: auto, flint or array."
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
        # not at the top: `expressivity analyze` needs no harness (NumPy)
        from checks.guards import check_all_family, check_verify_cost, check_verify_partitions
        from verify import VerifyOptions, claim5_check, verify_architecture
        from verify.harness import Budget

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
        budget = Budget(
            k_start=k_start, max_k=max_k, memory_bytes=parse_bytes(memory), seconds=seconds
        )
        budget.validate()
        check_verify_cost(arch, budget.k_cap, weights, mode, limits)
        options = VerifyOptions(
            mode=mode,
            weights=weights,
            seed=seed,
            max_k=max_k,
            backend=backend,
            dtype=dtype,
            budget=budget,
            repeat=repeat,
            window=window,
            rank_method=rank_method,
        )
        console = Console(highlight=False)
        with progress_bar() as cb:
            res = verify_architecture(
                arch,
                partition or [],
                fams,
                options,
                progress=cb if fmt == "table" else None,
            )
        c5 = claim5_check(arch, seed=seed, backend=backend) if claim5 else None
        if fmt == "json":
            d = res.to_dict()
            if c5 is not None:
                d["claim5"] = c5.to_dict()
            print(json.dumps(jsonable(d), indent=2))
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
