"""Figures (reports/figures.py): planning, tree layout, hybrid trees, N = 64."""

from __future__ import annotations

import math

import numpy as np

from analyzer import analyze, load_spec
from reports import build_report_data, make_figures, plan_figures
from reports.figures import draw, hybrid_nodes, tree_layout


def _data(name, parts=(), fams=("nodes",), values=None):
    arch = load_spec(f"builtin:{name}")
    sym = analyze(arch, partitions=list(parts), families=list(fams), with_tilings=True).to_dict()
    num = analyze(
        arch, partitions=list(parts), families=list(fams), values=values, with_tilings=True
    ).to_dict()
    return build_report_data(num, symbolic=sym)


def test_tree_layout_is_planar_for_swapped_tree():
    # T' = dilations (2, 1, 8, 4): the root's children are {0..3, 8..11} and {4..7, 12..15}
    d = _data("paper-Tp")
    sets, children, xy = tree_layout(d.branches[0].tree_nodes)
    leaves = [i for i in xy if not children[i]]
    order = [next(iter(sets[i])) for i in sorted(leaves, key=lambda i: xy[i][0])]
    assert order == [0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15]
    assert max(d for _, d in xy.values()) == 4


def test_hybrid_tree_of_the_paper_example():
    d = _data("paper-mixed", parts=["0,2,4,6,8,9,12,13"], fams=())
    row = d.partitions[0]
    nodes, owner = hybrid_nodes(d, row)
    # a binary tree over 16 leaves: 31 nodes; the witness takes T on the blocks {0..3}, {4..7}
    # (every other position: pairs of T's leaves split) and T' on {8..11}, {12..15}
    assert len(nodes) == 31
    assert owner[frozenset({0, 1})] == "T"
    assert owner[frozenset({8, 10})] == "Tp"
    assert frozenset({8, 9}) not in owner


def test_plan_for_mixed_and_overlapping():
    keys = [f.key for f in plan_figures(_data("paper-mixed", fams=("nodes", "paper")))]
    assert keys == ["tree-0", "tree-1", "hybrid"]
    assert plan_figures(_data("wavenet-overlapping", fams=("halves",))) == []


def test_n64_tree_is_readable():
    d = _data("groupswap-k3-mixed", parts=[], fams=("paper",))
    figs = make_figures(d)
    assert set(figs) == {"tree-0", "tree-1", "hybrid"}
    fig = figs["hybrid"]
    w, h = fig.get_size_inches()
    assert w >= 12  # about 0.2 inch per leaf
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert {str(p) for p in range(64)} <= labels  # every position is labelled
    assert all(t.get_fontsize() >= 5 for t in ax.texts)


def test_compare_figure(paper_mixed_report):
    d = paper_mixed_report.data
    (spec,) = [f for f in plan_figures(d) if f.kind == "compare"]
    ax = draw(spec, d).axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    # the data, by hand. x: paper-mixed has 2 branches x 4 layers x k r_l r_{l-1} = 16 r^2
    # parameters (M = r): 256 at r = 4, 1024 at r = 8. y: on I = {0..5} the mixed network's
    # lower bound is max(r^2, (r/2)^3): the routed bound (docs/theory.md sec. 6) gives T''s leaf
    # pairs {4}|{6} and {5}|{7} the full width r (their edges stay inside the branch; the pair
    # {0..3}|{8..11} under the root counts 1), and Claim 5 + Theorem 7 gives (r/2)^3 (the hybrid
    # tree taking T' everywhere: those three pairs at width r/2). paper-T at width w has rank
    # <= w there (its node {0..7} is a product of a rank-1 {0..3} factor and a {4..7} factor
    # with w channels): w = 16 at r = 4 and w = 64 at r = 8, and paper-T's size with M = r is
    # 2 M w + 3 * 2 w^2 = 1664 and 25600. The fitted slope through the two points is
    # log(25600 / 1664) / log(1024 / 256). (Verdict "unbounded" from I = {0..7}, where paper-T's
    # root makes its rank 1 at every width.)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    (needs,) = [ln for lbl, ln in lines.items() if lbl.startswith("size paper-T needs")]
    assert [float(x) for x in needs.get_xdata()] == [256.0, 1024.0]
    assert [float(y) for y in needs.get_ydata()] == [1664.0, 25600.0]
    (fit,) = [ln for lbl, ln in lines.items() if lbl.startswith("fit: slope")]
    fx, fy = (np.asarray(v, dtype=float) for v in fit.get_data())
    slope = math.log(fy[1] / fy[0]) / math.log(fx[1] / fx[0])
    assert math.isclose(slope, math.log(25600 / 1664) / math.log(4), rel_tol=1e-9)
    diag = lines["equal size"]
    assert list(diag.get_xdata()) == list(diag.get_ydata())  # the diagonal y = x
    assert "unbounded" in ax.get_title()


def test_figures_take_the_analyzers_trees():
    """Built from the Analysis objects, the report keeps the analyzer's mode trees and hybrid
    trees, and the figures draw those (no reconstruction from node lists): the same layouts and
    the same hybrid tree as from the JSON form. The hand-checked facts of the two tests above
    hold for the typed form too."""
    arch = load_spec("builtin:paper-mixed")
    I = ["0,2,4,6,8,9,12,13"]
    an = analyze(arch, partitions=I, families=["nodes"], with_tilings=True)
    typed, plain = build_report_data(an), build_report_data(an.to_dict())
    assert typed.hybrid is an.structure.hybrid and plain.hybrid is None
    for tb, pb in zip(typed.branches, plain.branches, strict=True):
        assert tb.tree is not None and pb.tree is None
        assert tree_layout(tb.tree) == tree_layout(pb.tree_nodes)
    nodes, owner = hybrid_nodes(typed, typed.partitions[0])
    assert (nodes, owner) == hybrid_nodes(plain, plain.partitions[0])
    assert len(nodes) == 31 and owner[frozenset({0, 1})] == "T"
    assert owner[frozenset({8, 10})] == "Tp" and frozenset({8, 9}) not in owner
    swapped = build_report_data(analyze(load_spec("builtin:paper-Tp"), families=["nodes"]))
    sets, children, xy = tree_layout(swapped.branches[0].tree)
    order = [next(iter(sets[i])) for i in sorted(xy, key=lambda i: xy[i][0]) if not children[i]]
    assert order == [0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15]
