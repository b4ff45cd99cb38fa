"""Report figures with matplotlib (Agg): mode trees, hybrid tree, spectra, comparison.

Works on :class:`reports.model.ReportData` only. :func:`plan_figures` decides which figures a
report has (pure); :func:`draw` returns a matplotlib ``Figure`` (for a notebook);
:func:`save_figures` writes PNGs for the Markdown and PDF renderers. File names never contain
user strings (branches are numbered).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from analyzer.circuit import mask_of, positions_of

from .errors import MissingDependency
from .model import PartitionRow, ReportData, fmt_positions
from .safe_text import mathtext

__all__ = [
    "FigureSpec",
    "plan_figures",
    "draw",
    "make_figures",
    "save_figures",
    "tree_layout",
    "hybrid_nodes",
    "spectrum_partitions",
]

MAX_SPECTRA = 6
DPI = 150
COLORS = {
    "node": "#4c72b0",
    "mixture": "#dd8452",
    "I": "#c44e52",
    "J": "#8c8c8c",
    "branch0": "#4c72b0",
    "branch1": "#55a868",
}


@dataclass(frozen=True)
class FigureSpec:
    key: str  # "tree-0", "hybrid", "spectra", "compare"
    filename: str
    caption: str
    kind: str
    arg: int | None = None  # branch index / partition index


def _figure_cls():
    """matplotlib's Figure class (object API: no pyplot, no global backend switch)."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependency(
            "matplotlib", "pip install matplotlib", "the report figures"
        ) from None
    return Figure


def _subplots(figsize, nrows=1, ncols=1, squeeze=True):
    fig = _figure_cls()(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=squeeze)
    return fig, axes


# --------------------------------------------------------------------------- planning (pure)
def _hybrid_partition(data: ReportData) -> PartitionRow | None:
    """The partition whose hybrid tree to draw: most sibling pairs, preferring a witness that
    really mixes the trees (else the hybrid tree is just T or T'), then explicit partitions."""

    def key(p: PartitionRow):
        trees = {w["tree"] for w in p.hybrid_witness}
        return (p.hybrid_pairs, len(trees), p.label == "explicit", -p.index)

    cands = [p for p in data.partitions if p.hybrid_witness and p.hybrid_pairs is not None]
    return max(cands, key=key) if cands else None


def spectrum_partitions(data: ReportData, limit: int = MAX_SPECTRA) -> list[PartitionRow]:
    """Which spectra to plot: violations, then one per status, then the largest bounds."""
    cands = [p for p in data.partitions if p.singular_values]
    chosen: list[PartitionRow] = [p for p in cands if p.is_violation][:limit]
    seen = {p.status for p in chosen}
    for p in cands:
        if len(chosen) >= limit:
            break
        if p not in chosen and p.status not in seen:
            chosen.append(p)
            seen.add(p.status)
    rest = sorted((p for p in cands if p not in chosen), key=lambda p: -(p.lower or 0))
    for p in rest:
        if len(chosen) >= limit:
            break
        chosen.append(p)
    return sorted(chosen, key=lambda p: p.index)


def plan_figures(data: ReportData) -> list[FigureSpec]:
    out: list[FigureSpec] = []
    mixed = any(data.mixture_nodes)
    for i, b in enumerate(data.branches):
        if b.tree_nodes:
            cap = f"Mode tree of branch {b.name} (Def. 1): leaves are input positions, "
            cap += "depth increases downward"
            if mixed:
                cap += "; mixture nodes highlighted"
            out.append(FigureSpec(f"tree-{i}", f"figures/tree-{i}.png", cap + ".", "tree", i))
    hp = _hybrid_partition(data)
    if hp is not None:
        cap = (
            f"A hybrid tree (Def. 4) maximising the sibling pairs for I = {fmt_positions(hp.I)}: "
            f"{hp.hybrid_pairs} pairs, hence the Claim 5 + Theorem 7 lower bound; leaves in I "
            "are red, segments coloured by the tree they come from."
        )
        out.append(FigureSpec("hybrid", "figures/hybrid.png", cap, "hybrid", hp.index))
    if spectrum_partitions(data):
        out.append(
            FigureSpec(
                "spectra",
                "figures/spectra.png",
                "Singular values of the sampled matricizations (float estimate, "
                "normalised), with the analyzer's bounds and the certified rank marked.",
                "spectra",
            )
        )
    c = data.comparison
    if c is not None and any(p.get("size_a") for p in c.points):
        exp = "" if c.exponent is None else f" (fitted exponent {c.exponent:.3f})"
        out.append(
            FigureSpec(
                "compare",
                "figures/compare.png",
                f"Size that {c.b_name} needs to match {c.a_name}, against the size of "
                f"{c.a_name}, log-log{exp}.",
                "compare",
            )
        )
    return out


# --------------------------------------------------------------------------- tree layout (pure)
def _tree_from_nodes(nodes: list[list[int]]) -> tuple[int, dict[int, list[int]], list[frozenset]]:
    """Parent/children of nodes given as position lists (containment = ancestry)."""
    sets = [frozenset(n) for n in nodes]
    order = sorted(range(len(sets)), key=lambda i: (-len(sets[i]), min(sets[i])))
    children: dict[int, list[int]] = {i: [] for i in range(len(sets))}
    root = order[0]
    for pos, i in enumerate(order[1:], 1):
        parent = None
        for j in reversed(order[:pos]):  # smallest strict superset seen so far
            if sets[i] < sets[j] and (parent is None or len(sets[j]) < len(sets[parent])):
                parent = j
        if parent is not None:
            children[parent].append(i)
    for k in children:
        children[k].sort(key=lambda c: min(sets[c]))
    return root, children, sets


def _tree_from_mode_tree(tree) -> tuple[int, dict[int, list[int]], list[frozenset]]:
    """The same from the analyzer's :class:`~analyzer.trees.ModeTree` (its own children, no
    containment search), the nodes numbered in the JSON's order (depth, lowest position)."""
    masks = sorted(tree.nodes, key=lambda m: (tree.depth[m], (m & -m).bit_length()))
    number = {m: i for i, m in enumerate(masks)}
    sets = [frozenset(positions_of(m)) for m in masks]
    children = {
        i: sorted((number[c] for c in tree.children.get(m, ())), key=lambda c: min(sets[c]))
        for i, m in enumerate(masks)
    }
    return number[tree.root], children, sets


def tree_layout(nodes):
    """(x, y) per node: leaves in depth-first order (a planar drawing), parents centred.

    ``nodes``: the analyzer's ``ModeTree``, or the nodes as position lists (the JSON form).
    Returns (sets, children, xy) with ``xy[i] = (x, depth)``.
    """
    if hasattr(nodes, "children"):  # analyzer.trees.ModeTree
        root, children, sets = _tree_from_mode_tree(nodes)
    else:
        root, children, sets = _tree_from_nodes(nodes)
    xy: dict[int, tuple[float, int]] = {}
    counter = [0]

    def walk(i: int, d: int) -> float:
        ch = children[i]
        if not ch:
            x = float(counter[0])
            counter[0] += 1
        else:
            xs = [walk(c, d + 1) for c in ch]
            x = sum(xs) / len(xs)
        xy[i] = (x, d)
        return x

    walk(root, 0)
    return sets, children, xy


def hybrid_nodes(
    data: ReportData, row: PartitionRow
) -> tuple[list[list[int]], dict[frozenset, str]]:
    """The hybrid tree picked by a witness: its nodes and, per node, the branch it comes from.

    With the analyzer's hybrid trees (``data.hybrid``), H is theirs
    (:meth:`analyzer.trees.HybridStructure.tree`); from the JSON form, a node belongs to the
    segment of the smallest segment top that contains it and is taken from the tree chosen for
    that segment (Def. 4).
    """
    if data.hybrid is not None:
        hs = data.hybrid
        names = [t.branch for t in hs.trees]
        choice = {mask_of(w["segment"]): names.index(w["tree"]) for w in row.hybrid_witness}
        _, by_tree = hs.tree(choice)
        owned = {frozenset(positions_of(m)): names[t] for m, t in by_tree.items()}
        nodes = sorted(owned, key=lambda s: (-len(s), min(s)))
        return [sorted(n) for n in nodes], owned
    trees = {b.name: [frozenset(n) for n in b.tree_nodes] for b in data.branches if b.tree_nodes}
    tops = [(frozenset(w["segment"]), w["tree"]) for w in row.hybrid_witness]
    owner: dict[frozenset, str] = {}
    for top, br in tops:
        for n in trees.get(br, []):
            if not n <= top:
                continue
            smallest = min((t for t, _ in tops if n <= t), key=len)
            if smallest == top:
                owner.setdefault(n, br)
    nodes = sorted(owner, key=lambda s: (-len(s), min(s)))
    return [sorted(n) for n in nodes], owner


# --------------------------------------------------------------------------- drawing
def _draw_tree(ax, nodes, *, highlight=frozenset(), leaf_I=None, owner=None, branch_colors=None):
    sets, children, xy = tree_layout(nodes)
    nleaves = sum(1 for i in children if not children[i])
    depth = max(d for _, d in xy.values())
    fs = 8 if nleaves <= 24 else (6 if nleaves <= 48 else 5)
    for i, ch in children.items():
        for c in ch:
            col = "#999999"
            if owner is not None and branch_colors is not None:
                col = branch_colors.get(owner.get(sets[i]), col)
            ax.plot([xy[i][0], xy[c][0]], [-xy[i][1], -xy[c][1]], color=col, lw=1.2, zorder=1)
    for i, (x, d) in xy.items():
        leaf = not children[i]
        s = sets[i]
        if s in highlight and not leaf:
            ax.scatter([x], [-d], s=90, color=COLORS["mixture"], edgecolor="black", zorder=3)
        elif leaf:
            col = COLORS["node"]
            if leaf_I is not None:
                col = COLORS["I"] if next(iter(s)) in leaf_I else COLORS["J"]
            ax.scatter([x], [-d], s=22, color=col, zorder=2)
            ax.text(
                x,
                -d - 0.18,
                str(next(iter(s))),
                ha="center",
                va="top",
                fontsize=fs,
                rotation=90 if nleaves > 32 else 0,
            )
        else:
            col = COLORS["node"]
            if owner is not None and branch_colors is not None:
                col = branch_colors.get(owner.get(s), col)
            ax.scatter([x], [-d], s=26, color=col, zorder=2)
    ax.set_xlim(-0.8, nleaves - 0.2)
    ax.set_ylim(-depth - 0.9, 0.4)
    ax.set_yticks([-d for d in range(depth + 1)])
    ax.set_yticklabels([f"depth {d}" for d in range(depth + 1)], fontsize=7)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)


def _tree_figsize(nodes) -> tuple[float, float]:
    _, children, xy = tree_layout(nodes)
    nleaves = sum(1 for ch in children.values() if not ch)
    depth = max(1, max(d for _, d in xy.values()))
    return (min(14.0, max(8.0, 0.2 * nleaves + 1.5)), min(5.0, 0.8 + 0.45 * depth))


def draw(spec: FigureSpec, data: ReportData):
    """The matplotlib Figure for one planned figure."""
    if spec.kind == "tree":
        b = data.branches[spec.arg]
        mix = frozenset(frozenset(n) for conn in data.mixture_nodes for n in conn)
        tree = b.tree if b.tree is not None else b.tree_nodes  # the analyzer's, when given
        fig, ax = _subplots(figsize=_tree_figsize(tree))
        _draw_tree(ax, tree, highlight=mix)
        ax.set_title(
            f"mode tree of branch {mathtext(b.name)} ({b.kind}, N = {data.receptive_field})",
            fontsize=9,
        )
        if mix:
            ax.scatter(
                [], [], s=90, color=COLORS["mixture"], edgecolor="black", label="mixture node"
            )
            ax.legend(loc="upper right", fontsize=7, frameon=False)
    elif spec.kind == "hybrid":
        row = data.partitions[spec.arg]
        nodes, owner = hybrid_nodes(data, row)
        names = [b.name for b in data.branches if b.tree_nodes]
        bcol = {n: COLORS[f"branch{i % 2}"] for i, n in enumerate(names)}
        mix = frozenset(frozenset(n) for conn in data.mixture_nodes for n in conn)
        fig, ax = _subplots(figsize=_tree_figsize(nodes))
        _draw_tree(ax, nodes, highlight=mix, leaf_I=set(row.I), owner=owner, branch_colors=bcol)
        for n, c in bcol.items():
            ax.plot([], [], color=c, lw=2, label=f"from {mathtext(n)}")
        ax.scatter([], [], s=22, color=COLORS["I"], label="leaf in I")
        ax.scatter([], [], s=22, color=COLORS["J"], label="leaf in J")
        ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=2)
        ax.set_title(
            f"hybrid tree for I = {fmt_positions(row.I)}: {row.hybrid_pairs} sibling pairs",
            fontsize=9,
        )
    elif spec.kind == "spectra":
        rows = spectrum_partitions(data)
        n = len(rows)
        cols = min(3, n)
        nr = math.ceil(n / cols)
        fig, axes = _subplots((3.6 * cols, 2.7 * nr), nr, cols, squeeze=False)
        for ax in axes.flat[n:]:
            ax.axis("off")
        for ax, p in zip(axes.flat, rows, strict=False):
            _draw_spectrum(ax, p)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7, frameon=False)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    elif spec.kind == "compare":
        fig, ax = _subplots(figsize=(5.5, 4.0))
        _draw_compare(ax, data)
    else:  # pragma: no cover
        raise ValueError(f"Unknown figure kind: {spec.kind}")
    if spec.kind != "spectra":
        fig.tight_layout()
    return fig


def _draw_spectrum(ax, p: PartitionRow) -> None:
    sv = [x for x in p.singular_values]
    top = max(sv) if sv and max(sv) > 0 else 1.0
    ys = [max(x / top, 1e-18) for x in sv]
    xs = list(range(1, len(ys) + 1))
    ax.semilogy(xs, ys, ".", ms=2.5, color="#333333")
    lim = len(ys)
    marks = [
        ("analyzer upper", p.upper, "#c44e52", "--"),
        ("analyzer lower", p.lower, "#55a868", ":"),
        ("certified", p.certified_lower, "#4c72b0", "-"),
    ]
    for label, val, col, ls in marks:
        if val is not None and 0 < val <= lim:
            ax.axvline(val + 0.5, color=col, ls=ls, lw=1.2, label=label)
        else:
            ax.plot([], [], color=col, ls=ls, lw=1.2, label=label)
    if p.float_tolerance:
        ax.axhline(max(p.float_tolerance / top, 1e-18), color="#999999", lw=0.8, label="tolerance")
    ax.set_title(f"I = {fmt_positions(p.I)}\n{p.status or ''}", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.set_xlabel("index", fontsize=7)


def _draw_compare(ax, data: ReportData) -> None:
    c = data.comparison
    pts = [p for p in c.points if p.get("size_a") and p.get("size_b")]
    none = [p for p in c.points if p.get("size_a") and not p.get("size_b")]
    xa = [float(p["size_a"]) for p in pts]
    yb = [float(p["size_b"]) for p in pts]
    allx = xa + [float(p["size_a"]) for p in none]
    lo = min(allx + yb)
    hi = max(allx + yb)
    if pts:
        ax.loglog(
            xa,
            yb,
            "o-",
            color=COLORS["node"],
            label=f"size {mathtext(c.b_name)} needs (lower bound)",
        )
    ax.loglog([lo, hi], [lo, hi], ":", color="#999999", label="equal size")
    if none:
        top = hi * 2
        ax.loglog(
            [float(p["size_a"]) for p in none],
            [top] * len(none),
            "x",
            color=COLORS["I"],
            ms=8,
            label="no width suffices",
        )
    if c.exponent is not None and len(pts) >= 2:
        # the fitted slope, drawn through the centroid of the points (log scale)
        mx = sum(math.log(x) for x in xa) / len(xa)
        my = sum(math.log(y) for y in yb) / len(yb)
        fx = [min(xa), max(xa)]
        fy = [math.exp(my + c.exponent * (math.log(x) - mx)) for x in fx]
        ax.loglog(fx, fy, "--", color=COLORS["I"], label=f"fit: slope p = {c.exponent:.3f}")
    for p in c.points:
        if p.get("value") is None or not p.get("size_a"):
            continue
        y = float(p["size_b"]) if p.get("size_b") else hi * 2
        ax.annotate(
            f"{c.symbol or ''}={p['value']}",
            (float(p["size_a"]), y),
            fontsize=6,
            xytext=(3, -9),
            textcoords="offset points",
        )
    a_name, b_name = mathtext(c.a_name), mathtext(c.b_name)
    ax.set_xlabel(f"size of {a_name} (parameters)", fontsize=8)
    ax.set_ylabel(f"size {b_name} needs (parameters)", fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.set_title(f"{b_name} vs {a_name}: {mathtext(c.verdict)}", fontsize=9)


def _plain_text():
    """matplotlib settings for user text: ``usetex`` off (labels are escaped for mathtext)."""
    import matplotlib

    return matplotlib.rc_context({"text.usetex": False})


def make_figures(data: ReportData) -> dict[str, object]:
    """All planned figures as matplotlib Figures, keyed by :attr:`FigureSpec.key`."""
    with _plain_text():
        return {s.key: draw(s, data) for s in plan_figures(data)}


def save_figures(data: ReportData, out_dir: str | Path) -> list[FigureSpec]:
    """Write every planned figure as a PNG under ``out_dir``; returns the specs written."""
    out = Path(out_dir)
    specs = plan_figures(data)
    if specs:
        (out / "figures").mkdir(parents=True, exist_ok=True)
    with _plain_text():
        for s in specs:
            fig = draw(s, data)
            # no timestamps or software strings: the same data gives the same bytes
            fig.savefig(out / s.filename, dpi=DPI, metadata={"Software": None})
    return specs
