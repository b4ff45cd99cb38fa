"""Partitions I | J of the used positions: explicit lists and named families.

A partition is given by I (a set of used positions); J is the rest of the used positions.
Families: ``nodes`` (every node of every mode tree), ``halves``, ``odd-even``, ``blocks:K``,
``all`` (every I up to complement; guarded), ``tilings`` (nodes of hybrid trees' tilings are
covered by ``nodes``), ``paper`` (the index sets of Corollary 8's construction),
``representative`` (the top ``REPRESENTATIVE_LEVELS`` levels of each mode tree, halves,
odd-even and, where they apply, Corollary 8's sets).

Default (:func:`default_families`, applied by :func:`families_for`): ``nodes`` while the trees
have at most
``DEFAULT_NODES_MAX`` nodes in all, ``representative`` above (with a note saying so),
``halves`` + ``odd-even`` when no branch is a tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from .circuit import Circuit, fmt_mask, mask_of, mask_runs, positions_of
from .errors import OptionError
from .limits import DEFAULT_LIMITS, check
from .paper_formulas import _log2, corollary8_index_set
from .spec import SpecError

__all__ = [
    "Partition",
    "parse_partition",
    "family",
    "FAMILIES",
    "MAX_ALL_MODES",
    "resolve_partitions",
    "default_families",
    "families_for",
    "DEFAULT_NODES_MAX",
    "REPRESENTATIVE_LEVELS",
    "canonical",
    "all_masks",
    "node_partitions",
]

MAX_ALL_MODES = 20  # default of Limits.all_modes: 2^19 - 1 partitions for the family 'all'
FAMILIES = ("nodes", "halves", "odd-even", "blocks:K", "all", "paper", "representative")
DEFAULT_NODES_MAX = 1024  # above this many tree nodes the default family is 'representative'
REPRESENTATIVE_LEVELS = 3  # tree levels (below the root) in the 'representative' family


@dataclass(frozen=True)
class Partition:
    I: int  # bitmask of positions in I
    label: str = ""

    @property
    def positions(self) -> list[int]:
        return positions_of(self.I)


def _bad(source: str | None, option: str, problem: str) -> SpecError:
    """Bad input: at ``source`` when given (a spec, a check), else in the library ``option``."""
    return OptionError(option, problem) if source is None else SpecError(source, "", problem)


def parse_partition(text: str, circuit: Circuit, source: str | None = None) -> Partition:
    try:
        items = [int(x) for x in text.replace(" ", "").split(",") if x != ""]
    except ValueError:
        raise _bad(
            source, "partitions", f"expected comma-separated positions like 0,1,4,5; got {text!r}"
        ) from None
    return make_partition(items, circuit, source=source, label="explicit")


def make_partition(
    items, circuit: Circuit, source: str | None = None, label: str = "explicit"
) -> Partition:
    used = circuit.used_mask
    items = list(items)
    if not items:
        raise _bad(source, "partitions", "I is empty: give at least one used position")
    bad = [p for p in items if p < 0 or not (used >> p) & 1]
    if bad:
        raise _bad(
            source,
            "partitions",
            f"position(s) {bad} are not used modes of {circuit.arch.name!r} "
            f"(used: {fmt_mask(used)})",
        )
    I = mask_of(items)
    if I == used:
        raise _bad(source, "partitions", "I contains every used mode: J would be empty")
    return Partition(I, label)


def default_families(circuit: Circuit, trees) -> tuple[list[str], str | None]:
    """The default partition families for a circuit, and a note when a subset was chosen."""
    real = [t for t in trees if t is not None]
    if not real:
        return ["halves", "odd-even"], None
    n_nodes = sum(len(t.depth) - 1 for t in real)
    if n_nodes <= DEFAULT_NODES_MAX:
        return ["nodes"], None
    note = (
        f"default partitions: the representative family (the mode trees have {n_nodes} nodes, "
        f"more than {DEFAULT_NODES_MAX}): the top {REPRESENTATIVE_LEVELS} levels of each tree, "
        "halves, odd-even and Corollary 8's sets where they apply; ask for every node with "
        "the family 'nodes', or for others with explicit partitions or families"
    )
    return ["representative"], note


def families_for(circuit: Circuit, trees, partitions=(), families=None) -> list[str]:
    """The families a run examines: those asked for (none when only explicit partitions are
    asked for), else :func:`default_families` of the circuit. The one rule of analyze, verify,
    the spec checks and the command line."""
    if partitions or families:
        return list(families or [])
    return default_families(circuit, trees)[0]


def family(
    name: str, circuit: Circuit, trees=(), source: str | None = None, limits=None
) -> list[Partition]:
    """The partitions of family ``name`` (:data:`FAMILIES`); bad input is an OptionError of
    ``families``, or a SpecError at ``source`` when given."""
    if name == "representative":
        return _representative(circuit, trees, source)
    if name == "all":
        n = circuit.used_mask.bit_count()
        check(
            DEFAULT_LIMITS if limits is None else limits,
            "all_modes",
            n,
            what=f"'all' enumerates 2^{n - 1} - 1 partitions: the number of used modes",
            source=source or "",
            option="" if source else "families",
        )
    used = circuit.used_positions
    n = len(used)
    if name == "nodes":
        out = node_partitions(trees, circuit.used_mask)
        if not out:
            raise _bad(
                source,
                "families",
                "'nodes' needs a mode tree, and no branch is a tree (overlapping)",
            )
        return out
    if name == "halves":
        return [Partition(_first_half(circuit), "halves")]
    if name == "odd-even":
        return [Partition(_every_other(circuit), "odd-even")]
    if name.startswith("blocks:"):
        try:
            k = int(name.split(":", 1)[1])
        except ValueError:
            raise _bad(source, "families", f"blocks:K needs an integer K, got {name!r}") from None
        if k < 1 or 2 * k > n:
            raise _bad(source, "families", f"blocks:K needs 1 <= K <= {n // 2} here, got {k}")
        return [
            Partition(mask_of(p for i, p in enumerate(used) if (i // k) % 2 == 0), f"blocks:{k}")
        ]
    if name == "all":
        return [Partition(I, "all") for I in all_masks(circuit.used_mask)]
    if name == "paper":
        return paper_partitions(circuit, trees, source)
    raise _bad(
        source,
        "families",
        f"unknown partition family {name!r} (choose from {', '.join(FAMILIES)})",
    )


def canonical(I: int, used: int) -> int:
    """The key of the partition I | J (J = used minus I): the smaller of the masks of I and J,
    so that a partition and its complement are one."""
    return min(I, used & ~I)


def all_masks(used: int):
    """Every I up to complement (I holds the first used position), lazily, in the order of the
    ``all`` family: 2^(n-1) - 1 masks for n used positions."""
    first, *rest = positions_of(used)
    n = len(rest)
    for bits in range((1 << n) - 1):
        I = 1 << first
        for i, p in enumerate(rest):
            if (bits >> i) & 1:
                I |= 1 << p
        yield I


def node_partitions(trees, used: int, clip: bool = False) -> list[Partition]:
    """One partition per node of each mode tree (largest nodes first), without repeats.

    A node equal to the used positions is skipped. A node holding unused positions is skipped,
    or with ``clip`` cut down to its used positions (the comparison's trees of B, drawn in A's
    positions, may hold positions A does not use).
    """
    out, seen = [], set()
    real = [t for t in trees if t is not None]
    for k, t in enumerate(real):
        # a tree's nodes are distinct (its dicts' keys): unless clipped, only the nodes of the
        # trees before are looked up, and only those of a tree with trees after it are kept
        # (hashing an N-bit mask costs microseconds: issue 12)
        look = clip or k > 0
        keep = clip or k + 1 < len(real)
        for node in sorted(t.nodes, key=lambda m: (-m.bit_count(), (m & -m).bit_length())):
            if clip:
                node &= used
            if node == 0 or node == used or node & used != node:
                continue
            if look and node in seen:
                continue
            if keep:
                seen.add(node)
            out.append(Partition(node, f"node of {t.branch}"))
    return out


def _first_half(circuit: Circuit) -> int:
    """The first half (rounded down) of the used positions, by runs of the mask."""
    n = circuit.used_mask.bit_count() // 2
    out = 0
    for a, b in mask_runs(circuit.used_mask):
        if n <= 0:
            break
        take = min(n, b - a)
        out |= mask_of(range(a, a + take))
        n -= take
    return out


def _every_other(circuit: Circuit) -> int:
    """Every other used position, starting with the first (odd-even), by runs of the mask."""
    out = 0
    parity = 0  # index of the run's first position among the used ones, mod 2
    for a, b in mask_runs(circuit.used_mask):
        start = a if parity == 0 else a + 1
        if start < b:
            k = (b - start + 1) // 2  # positions start, start+2, ... < b
            out |= _alternate(k) << start
        parity = (parity + b - a) % 2
    return out


def _alternate(k: int) -> int:
    """The mask 0b0101...01 with k ones (bits 0, 2, ..., 2k-2), without a per-bit loop."""
    if k <= 0:
        return 0
    return ((1 << (2 * k)) - 1) // 3


def _representative(circuit: Circuit, trees, source: str) -> list[Partition]:
    out: list[Partition] = []
    used = circuit.used_mask
    for t in trees:
        if t is None:
            continue
        top = [m for m, d in t.depth.items() if 1 <= d <= REPRESENTATIVE_LEVELS]
        for node in sorted(top, key=lambda m: (t.depth[m], (m & -m).bit_length())):
            d = t.depth[node]
            if node & used == node and node != used:
                out.append(Partition(node, f"node of {t.branch} (depth {d})"))
    out.append(Partition(_first_half(circuit), "halves"))
    out.append(Partition(_every_other(circuit), "odd-even"))
    try:
        out.extend(paper_partitions(circuit, trees))
    except SpecError:
        pass  # Corollary 8's sets need 2^L consecutive used positions
    return out


def resolve_partitions(
    circuit: Circuit, trees, explicit=(), families=(), limits=None
) -> list[Partition]:
    """Explicit partitions then families, without duplicates (I and its complement are one).

    An explicit partition is a string ``"0,1,4,5"``, a :class:`Partition`, or an iterable of
    positions (``[0, 1, 4, 5]``).
    """
    out: list[Partition] = []
    seen: set[tuple[int, int]] = set()
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
        parts.extend(family(name, circuit, trees, limits=limits))
    for p in parts:
        key = canonical(p.I, used)
        # with its length: Python's int hash is the value mod 2^61 - 1, so masks of single
        # positions p and p + 61 collide (long probe chains); one hash, not two (issue 12)
        key = (key.bit_length(), key)
        before = len(seen)
        seen.add(key)
        if len(seen) == before:
            continue
        out.append(p)
    return out


def paper_partitions(circuit: Circuit, trees, source: str | None = None) -> list[Partition]:
    """Corollary 8's index sets for this architecture's size (block size from mixture nodes)."""
    used = circuit.used_positions
    L = _log2(len(used))
    if L is None or used != list(range(len(used))) or L < 2:
        raise _bad(source, "families", "'paper' needs 2^L consecutive used positions (L >= 2)")
    ks = None
    for join in circuit.joins:
        sizes = {circuit.units[pre[0]].support.bit_count() for (_, pre, ok) in join if ok}
        if len(sizes) == 1:
            ks = [_log2(sizes.pop())]
            break
    if not ks or ks[0] is None or ks[0] >= L:
        ks = list(range(1, L))
    return [Partition(mask_of(corollary8_index_set(L, k)), f"Corollary 8 (k={k})") for k in ks]
