"""The example specs under examples/: their structure, sizes and bounds against values derived
by hand from theory.md (and its worked table), and the regression example passes."""

from pathlib import Path

import pytest
import sympy

from analyzer import analyze, load_spec
from checks import run_suite
from verify import verify_architecture

from .worked_table import WORKED_COLUMNS, WORKED_TABLE, column_positions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
r, w = sympy.symbols("r w")


def _params(a) -> sympy.Expr:
    return sympy.expand(sympy.sympify(a.parameters_symbolic, locals={"r": r, "w": w}))


def test_every_example_is_covered_here():
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == [
        "kernel3-mixed.yaml",
        "mixed-T-Tp.yaml",
        "wavenet-stack.yaml",
    ]


def test_mixed_T_Tp():
    arch = load_spec(EXAMPLES / "mixed-T-Tp.yaml")
    a = analyze(arch, families=["odd-even"])
    d = a.to_dict()
    assert d["kind"] == "mixed" and d["receptive_field"] == 8
    # T = (1,2,4) and T' = (2,1,4) both have the blocks {0..3}, {4..7} as layer-2 nodes
    assert d["mixture_nodes"] == [[[0, 1, 2, 3], [4, 5, 6, 7]]]
    # per branch: k r_l r_{l-1} = 2*r*3 + 2*r*r + 2*r*r (theory.md sec. 4)
    assert _params(a) == 8 * r**2 + 12 * r
    # at r = 2 it is theory.md's worked "mix2": the bounds bracket the table's generic ranks
    parts = [column_positions(c) for c in WORKED_COLUMNS]
    b = analyze(arch, partitions=parts, values={"r": 2})
    ranks = WORKED_TABLE["worked-mix2"][1]
    for pb, rank in zip(b.partitions, ranks, strict=True):
        assert pb.lower <= rank <= pb.upper, (pb.I, rank)
    # and the upper bound at {0,1,4,5} is the 36 derived by hand in
    # tests/analyzer/test_analysis.py (WORKED_MIX2_UPPER_0145, shared reads)
    assert b.partitions[WORKED_COLUMNS.index("0145")].upper == 36


def test_kernel3_mixed():
    arch = load_spec(EXAMPLES / "kernel3-mixed.yaml")
    a = analyze(arch, partitions=[[0, 1, 2]])
    d = a.to_dict()
    # N = 1 + 2*(1 + 3 + 9) = 27; offsets are base-3 numbers (distinct): two trees
    assert d["receptive_field"] == 27 and d["modes"] == list(range(27))
    assert [b["kind"] for b in d["branches"]] == ["tree", "tree"]
    # both first layers (dilation 1) see the blocks {3i, 3i+1, 3i+2}: the 9 mixture nodes
    assert d["mixture_nodes"] == [[[3 * i, 3 * i + 1, 3 * i + 2] for i in range(9)]]
    # per branch: 3*r*3 + 3*r*r + 3*r*r
    assert _params(a) == 12 * r**2 + 18 * r
    # I = {0,1,2}, r = 2: the output depends on positions 0..2 only through the r = 2 channels
    # of the joined (summed) unit of that block, so rank <= 2 (and <= M^3 = 27); the harness
    # certifies 2, so the generic rank is exactly 2 and every sound upper bound is >= 2
    res = verify_architecture(arch, partitions=["0,1,2"], values={"r": 2}, mode="exact")
    (p,) = res.partitions
    assert p.certified_lower == 2 and 2 <= p.upper <= 27 and p.lower <= 2


def test_wavenet_stack():
    arch = load_spec(EXAMPLES / "wavenet-stack.yaml")
    a = analyze(arch, families=["odd-even"])
    d = a.to_dict()
    # N = 1 + 2*(1 + 2 + 4 + 8) = 31; two stacks of 1,2,4,8: offsets repeat (overlapping),
    # and every offset 0..30 is reached
    assert d["kind"] == "overlapping" and d["receptive_field"] == 31
    assert d["modes"] == list(range(31))
    # 2*w*4 + 3*(2*w*w) + 2*(2w)*w + 3*(2*(2w)*(2w)) = 8w + 6w^2 + 4w^2 + 24w^2
    assert _params(a) == 34 * w**2 + 8 * w
    # one position in I: rank <= M^1 = 4 whatever the widths
    (one,) = analyze(arch, partitions=[[30]], values={"w": 100}).partitions
    assert one.upper <= 4
    # w = 1: layers 1-4 have one channel, a product of linear forms of the inputs (rank 1 for
    # every I); layers 5-8 take linear forms of one channel (multiples of it): every unit, and
    # the output, has rank 1. The bound must say so, and the harness certifies the 1.
    parts = [list(range(15)), [30], list(range(0, 31, 2))]
    for p in analyze(arch, partitions=parts, values={"w": 1}).partitions:
        assert p.upper == 1 == p.lower
    res = verify_architecture(arch, partitions=parts, values={"w": 1}, mode="exact", max_k=64)
    assert [p.certified_lower for p in res.partitions] == [1, 1, 1]


def test_wavenet_stack_symbolic_default_partitions():
    """The plain ``analyze examples/wavenet-stack.yaml`` (symbolic w, default partitions), which
    took minutes before the min-of-posynomials arithmetic (analyzer.posy.PMin), completes.

    What is asserted, per partition: (1) substituting w = 1..4 into the symbolic upper bound
    gives at least the integer analysis of the same spec at that w (soundness: both are valid
    upper bounds, and the symbolic one holds for every w), and in fact exactly it: for one
    overlapping branch without joins the integer path applies the same rules (its extra
    integer-only rules need joins or a mode tree, docs/theory.md sec. 4.3 and 6), and the
    symbolic arithmetic keeps every undecided min as Min(...), an exact function of w, so
    nothing is lost by leaving w symbolic. (2) Independently of the code, from theory: at
    w = 1 the rank is 1 (see test_wavenet_stack), and at every w the bound is at most
    M^min(|I|, |J|) = 4^15, the smaller dimension of [A]_I (31 modes).
    """
    arch = load_spec(EXAMPLES / "wavenet-stack.yaml")
    a = analyze(arch)
    assert {p.label for p in a.partitions} == {"halves", "odd-even"}
    concrete = {k: analyze(arch, values={"w": k}).partitions for k in (1, 2, 3, 4)}
    for i, p in enumerate(a.partitions):
        up = sympy.sympify(p.upper_symbolic, locals={"w": w})
        low = sympy.sympify(p.lower_symbolic, locals={"w": w})
        assert up.free_symbols <= {w}
        for k, parts in concrete.items():
            q = parts[i]
            assert q.I == p.I
            assert int(up.subs(w, k)) >= q.upper  # sound
            assert int(up.subs(w, k)) == q.upper  # and exact (see above)
            assert int(low.subs(w, k)) == q.lower
        assert up.subs(w, 1) == 1
        for k in (1, 2, 5, 10, 1000, 10**6):
            assert up.subs(w, k) <= 4**15


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_analyses_symbolically(path):
    arch = load_spec(path)
    a = analyze(arch, families=["odd-even"])
    assert arch.symbol_names and a.partitions
    for p in a.partitions:
        expr = sympy.sympify(p.upper_symbolic)
        assert expr.free_symbols <= {sympy.Symbol(s) for s in arch.symbol_names}


def test_regression_example_passes():
    res = run_suite(str(EXAMPLES / "regress"))
    assert res.ok and len(res.checks) >= 4
