"""Size guards: what a certification will cost, counted before any work starts.

The number of partitions of the ``all`` family, the number of partitions a verification
certifies and its estimated peak memory, each refused above its field of
:class:`analyzer.limits.Limits` with a ``LimitError`` (exit 2 in the CLI; the lift text names
``--allow-large``). Used by the spec-checks interpreter and by the CLI's verify, compare and
report commands.
"""

from __future__ import annotations

from analyzer.analysis import structure
from analyzer.circuit import build_circuit
from analyzer.errors import LimitError, SpecError
from analyzer.limits import Limits, check
from analyzer.partitions import family
from verify.harness import Budget

__all__ = ["check_all_family", "check_verify_partitions", "verify_cost", "check_verify_cost"]


def check_all_family(
    arch, families: list[str] | None, limits: Limits, source: str | None = None
) -> None:
    """The family ``all``: state the number of partitions and refuse it above
    ``limits.partition_family`` (before any work). The refusal is at ``source`` when given (a
    check of a suite), else in the option ``families``."""
    if not families or not any(f.strip() == "all" for f in families):
        return
    n = build_circuit(arch).used_mask.bit_count()
    count = (1 << (n - 1)) - 1 if n > 1 else 0
    check(
        limits,
        "partition_family",
        count,
        what=f"the number of partitions of the family 'all' ({n} used modes: 2^{n - 1} - 1)",
        source=source or "",
        option="" if source else "families",
    )


def check_verify_partitions(
    arch, partitions: list[str] | None, families: list[str] | None, limits: Limits, source: str
) -> None:
    """The number of partitions a verification certifies, counted (cheaply, from the structure)
    and refused above ``limits.verify_partitions`` before any certification starts."""
    if limits.verify_partitions is None:
        return
    fams = [f.strip() for f in families or [] if f.strip()]
    if not partitions and not fams:
        return
    st = structure(arch)
    count = len(partitions or [])
    for f in fams:
        if f == "all":
            n = st.circuit.used_mask.bit_count()
            count += (1 << (n - 1)) - 1 if n > 1 else 0
            continue
        try:
            count += len(family(f, st.circuit, st.trees))
        except SpecError:
            continue  # the command reports a bad family itself
    check(
        limits,
        "verify_partitions",
        count,
        what="the number of partitions to certify",
        source=source,
    )


def verify_cost(arch, max_k: int | None, weights: str = "shared", mode: str = "both") -> dict:
    """Estimated peak memory of ``verify`` for a concrete architecture, before any allocation.

    bytes = sampled matrices (K x K x 8, one per arithmetic, plus a working copy)
          + weights (kernel x width_in x width_out x 8 per layer, per unit with per-node weights)
          + one row chunk at least (K x widest width x 8 x live units of the widest layer)
          + the float calibration batch (256 x widest width x 8 x live units).
    """
    # the largest K the adaptive search may reach: ``max_k`` when given (the verify command
    # passes its own budget's cap), else the default budget's cap
    K = Budget().k_cap if max_k is None else int(max_k)
    c = build_circuit(arch)
    M = int(arch.input_channels)
    per_layer: dict[int, int] = {}
    for u in c.units:
        per_layer[u.layer] = per_layer.get(u.layer, 0) + 1
    live = max(per_layer.values()) + 2
    widest = max([M] + [int(u.width) for u in c.units])
    arith = 2 if mode == "both" else 1
    wbytes = 0
    for b in arch.branches:
        prev = M
        for li, ly in enumerate(b.layers):
            w = int(ly.width)
            n_units = 1
            if weights == "per-node":
                n_units = sum(
                    1 for u in c.units if u.kind == "prod" and u.layer == li + 1 and u.branch >= 0
                )
            wbytes += ly.kernel * prev * w * 8 * n_units
            prev = w
    total = (arith + 1) * K * K * 8 + arith * wbytes + K * widest * 8 * live
    if mode != "exact":
        total += 256 * widest * 8 * live
    return {"bytes": total, "live_units": live, "K": K}


def check_verify_cost(
    arch,
    max_k: int | None,
    weights: str,
    mode: str,
    limits: Limits,
    source: str = "verify",
    k_option: str = "max_k",
) -> None:
    """Refuse (LimitError, exit 2) a verification whose estimated memory is above the limit;
    the message says that a smaller cap on K or width lowers it. ``k_option``: the library
    option that caps K (the error's ``option``: a front end names it its own way, the command
    line as ``--max-k``)."""
    if not arch.is_concrete:
        return  # the harness asks for values first
    cost = verify_cost(arch, max_k, weights, mode)
    check(
        limits,
        "verify_units",
        cost["live_units"],
        what="the live units of the widest layer",
        source=source,
    )
    gib = cost["bytes"] / 2**30
    lim = limits.verify_bytes
    if lim is not None and cost["bytes"] > lim:
        raise LimitError(
            source,
            f"the estimated memory (K = {cost['K']}: K x K matrices, weights, the widest layer's "
            f"{cost['live_units']} live units; a smaller cap on K or width lowers it)",
            f"{gib:.3g} GiB",
            f"{lim / 2**30:.3g} GiB",
            "--allow-large",
            option=k_option,
        )
