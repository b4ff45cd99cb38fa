"""Partitions I | J of the used positions: explicit lists and named families.

A partition is given by I (a set of used positions); J is the rest of the used positions.
Families: ``nodes`` (every node of every mode tree), ``halves``, ``odd-even``, ``blocks:K``,
``all`` (every I up to complement; guarded), ``tilings`` (nodes of hybrid trees' tilings are
covered by ``nodes``), ``paper`` (the index sets of Corollary 8's construction).
"""

from __future__ import annotations

from dataclasses import dataclass

from .circuit import Circuit, mask_of, positions_of
from .spec import SpecError

__all__ = [
    "Partition",
    "parse_partition",
    "family",
    "FAMILIES",
    "MAX_ALL_MODES",
    "resolve_partitions",
]

MAX_ALL_MODES = 20  # 2^19 - 1 partitions at most for --partitions all
FAMILIES = ("nodes", "halves", "odd-even", "blocks:K", "all", "paper")


@dataclass(frozen=True)
class Partition:
    I: int  # bitmask of positions in I
    label: str = ""

    @property
    def positions(self) -> list[int]:
        return positions_of(self.I)


def parse_partition(text: str, circuit: Circuit, source: str = "--partition") -> Partition:
    try:
        items = [int(x) for x in text.replace(" ", "").split(",") if x != ""]
    except ValueError:
        raise SpecError(
            source, "", f"expected comma-separated positions like 0,1,4,5; got {text!r}"
        ) from None
    return make_partition(items, circuit, source=source, label="explicit")


def make_partition(
    items, circuit: Circuit, source: str = "--partition", label: str = "explicit"
) -> Partition:
    used = circuit.used_mask
    items = list(items)
    if not items:
        raise SpecError(source, "", "I is empty: give at least one used position")
    bad = [p for p in items if p < 0 or not (used >> p) & 1]
    if bad:
        up = positions_of(used)
        raise SpecError(
            source,
            "",
            f"position(s) {bad} are not used modes of {circuit.arch.name!r} (used: {_ranges(up)})",
        )
    I = mask_of(items)
    if I == used:
        raise SpecError(source, "", "I contains every used mode: J would be empty")
    return Partition(I, label)


def _ranges(ps: list[int]) -> str:
    if not ps:
        return "{}"
    out, start, prev = [], ps[0], ps[0]
    for p in ps[1:] + [None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        out.append(f"{start}" if start == prev else f"{start}..{prev}")
        if p is not None:
            start = prev = p
    return "{" + ",".join(out) + "}"


def family(name: str, circuit: Circuit, trees=(), source: str = "--partitions") -> list[Partition]:
    used = circuit.used_positions
    n = len(used)
    if name == "nodes":
        out, seen = [], set()
        for t in trees:
            if t is None:
                continue
            for node in sorted(t.nodes, key=lambda m: (-m.bit_count(), (m & -m).bit_length())):
                if node == circuit.used_mask or node in seen:
                    continue
                if node & circuit.used_mask != node:
                    continue
                seen.add(node)
                out.append(Partition(node, f"node of {t.branch}"))
        if not out:
            raise SpecError(
                source, "", "'nodes' needs a mode tree, and no branch is a tree (overlapping)"
            )
        return out
    if name == "halves":
        return [Partition(mask_of(used[: n // 2]), "halves")]
    if name == "odd-even":
        return [Partition(mask_of(used[0::2]), "odd-even")]
    if name.startswith("blocks:"):
        try:
            k = int(name.split(":", 1)[1])
        except ValueError:
            raise SpecError(source, "", f"blocks:K needs an integer K, got {name!r}") from None
        if k < 1 or 2 * k > n:
            raise SpecError(source, "", f"blocks:K needs 1 <= K <= {n // 2} here, got {k}")
        return [
            Partition(mask_of(p for i, p in enumerate(used) if (i // k) % 2 == 0), f"blocks:{k}")
        ]
    if name == "all":
        if n > MAX_ALL_MODES:
            raise SpecError(
                source,
                "",
                f"'all' enumerates 2^{n - 1} - 1 partitions for {n} used modes; the guard is "
                f"{MAX_ALL_MODES} modes",
            )
        first, rest = used[0], used[1:]
        out = []
        for bits in range(0, 1 << (n - 1)):
            if bits == (1 << (n - 1)) - 1:
                continue
            I = 1 << first
            for i, p in enumerate(rest):
                if (bits >> i) & 1:
                    I |= 1 << p
            out.append(Partition(I, "all"))
        return out
    if name == "paper":
        from .paper import paper_partitions

        return paper_partitions(circuit, trees)
    raise SpecError(
        source, "", f"unknown partition family {name!r} (choose from {', '.join(FAMILIES)})"
    )


def resolve_partitions(circuit: Circuit, trees, explicit=(), families=()) -> list[Partition]:
    """Explicit partitions then families, without duplicates (I and its complement are one).

    An explicit partition is a string ``"0,1,4,5"``, a :class:`Partition`, or an iterable of
    positions (``[0, 1, 4, 5]``).
    """
    out: list[Partition] = []
    seen: set[int] = set()
    used = circuit.used_mask
    parts = [
        parse_partition(t, circuit)
        if isinstance(t, str)
        else t
        if isinstance(t, Partition)
        else make_partition(t, circuit)  # any iterable of positions
        for t in explicit
    ]
    for name in families:
        parts.extend(family(name, circuit, trees))
    for p in parts:
        key = min(p.I, used & ~p.I)
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out
