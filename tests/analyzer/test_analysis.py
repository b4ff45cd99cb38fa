"""analyzer/analysis.py: theory.md's worked table, the paper's instances, sizes, to_dict."""

from __future__ import annotations

import pytest
import sympy

from analyzer import analyze, load_spec, parameter_count, spec_from_dict, structure

from ..worked_table import WORKED_COLUMNS, WORKED_TABLE, column_positions

r = sympy.Symbol("r", positive=True, integer=True)
PAPER_I = [0, 2, 4, 6, 8, 9, 12, 13]  # theory.md sec. 4 / Corollary 8, k = 2, N = 16

# theory.md sec. 5 as data: the project's one worked table (tests/worked_table.py)


def worked_cases():
    """(builtin, column, is_tree, rank) for every cell of the table."""
    for name, (is_tree, ranks) in WORKED_TABLE.items():
        for col, rank in zip(WORKED_COLUMNS, ranks, strict=True):
            yield name, col, is_tree, rank


@pytest.fixture(scope="module")
def worked_analyses():
    cols = [",".join(c) for c in WORKED_COLUMNS]
    out = {}
    for name in WORKED_TABLE:
        a = analyze(load_spec(f"builtin:{name}"), partitions=cols)
        assert [p.I for p in a.partitions] == [column_positions(c) for c in WORKED_COLUMNS]
        out[name] = {"".join(map(str, p.I)): p for p in a.partitions}
    return out


# ------------------------------------------------------------------ theory.md's worked table
@pytest.mark.parametrize(("name", "col", "is_tree", "rank"), list(worked_cases()))
def test_worked_table_brackets_generic_rank(worked_analyses, name, col, is_tree, rank):
    p = worked_analyses[name][col]
    assert p.upper is not None and p.lower is not None
    if is_tree:
        assert p.upper == rank, "on a tree the propagation bound equals the generic rank"
        assert int(p.propagation) == rank
    else:
        assert p.upper >= rank
    assert p.lower <= rank


@pytest.mark.parametrize(("name", "col", "rank"), [(n, c, k) for n, c, t, k in worked_cases() if t])
def test_worked_table_theorem7_brackets_tree_rows(worked_analyses, name, col, rank):
    p = worked_analyses[name][col]
    assert p.theorem7_lower is not None and p.theorem7_upper is not None
    assert int(p.theorem7_lower) <= rank <= int(p.theorem7_upper)


def test_worked_builtins_match_theory_setup():
    dil = {
        "worked-T": [[1, 2, 4]],
        "worked-Tp": [[2, 1, 4]],
        "worked-Trev": [[4, 2, 1]],
        "worked-T-plus-Tp": [[1, 2, 4], [2, 1, 4]],
        "worked-mix2": [[1, 2, 4], [2, 1, 4]],
        "worked-mix2-sum": [[1, 2, 4], [2, 1, 4]],
        "worked-T-plus-Trev": [[1, 2, 4], [4, 2, 1]],
    }
    for name, dils in dil.items():
        arch = load_spec(f"builtin:{name}")
        assert arch.input_channels == 3 and arch.pooling == "product" and not arch.readout
        assert [[ly.dilation for ly in b.layers] for b in arch.branches] == dils
        assert all(ly.kernel == 2 and ly.width == 2 for b in arch.branches for ly in b.layers)
    mix = analyze(load_spec("builtin:worked-mix2")).to_dict()
    assert mix["mixture_nodes"] == [[[0, 1, 2, 3], [4, 5, 6, 7]]]
    assert mix["connections"][0]["mode"] == "exchange" and mix["connections"][0]["exchange"] == "1"
    assert (
        analyze(load_spec("builtin:worked-mix2-sum")).to_dict()["connections"][0]["mode"] == "sum"
    )


# ------------------------------------------------------------------ the paper's instances
def test_paper_mixed_claim5_lower_is_half_width_to_the_eighth():
    p = analyze(load_spec("builtin:paper-mixed"), partitions=[PAPER_I]).partitions[0]
    assert sympy.simplify(sympy.sympify(p.claim5_lower, locals={"r": r}) - (r / 2) ** 8) == 0
    # the headline lower bound: the same 8 leaf pairs, each inside a depth-2 block, so the edge
    # above each pair node stays in its branch (width r, not r/2): r^8 at M = r
    # (docs/theory.md sec. 6.4)
    assert p.lower_source == "Claim 5 + Theorem 7, widths per edge"
    assert sympy.simplify(sympy.sympify(p.routed_lower, locals={"r": r}) - r**8) == 0
    assert p.hybrid_pairs == 8
    assert p.upper is None and p.lower is None  # r unset


@pytest.mark.parametrize("name", ["paper-T", "paper-Tp"])
def test_paper_trees_theorem7_upper_is_r6(name):
    p = analyze(load_spec(f"builtin:{name}"), partitions=[PAPER_I]).partitions[0]
    assert sympy.sympify(p.theorem7_upper, locals={"r": r}) == r**6
    assert sympy.sympify(p.upper_symbolic, locals={"r": r}) == r**6


def test_paper_mixed_hybrid_trees():
    st = structure(load_spec("builtin:paper-mixed"))
    # mixture nodes: the four blocks of 4 at depth L - k = 2; segments: root + 4 blocks
    assert sorted(st.mixture_nodes[0]) == sorted(
        sum(1 << p for p in range(b, b + 4)) for b in (0, 4, 8, 12)
    )
    assert st.hybrid is not None and st.hybrid.count == 32 == 2**5
    assert len(st.hybrid.enumerate()) == 32
    assert sympy.simplify(st.hybrid_width - r / 2) == 0


def test_parameter_counts_by_hand():
    # sum_l k r_l r_{l-1}, r_0 = M = r: 4 layers of 2 r r each
    assert parameter_count(load_spec("builtin:paper-T")) == 8 * r**2
    assert parameter_count(load_spec("builtin:paper-Tp")) == 8 * r**2
    assert parameter_count(load_spec("builtin:paper-mixed")) == 16 * r**2
    # worked-T: M = 3, widths 2: 2*2*3 + 2*2*2 + 2*2*2 = 28
    assert parameter_count(load_spec("builtin:worked-T")) == 28
    assert parameter_count(load_spec("builtin:worked-mix2")) == 56  # no parameters added
    spec = {
        "name": "x",
        "input_channels": 2,
        "readout": True,
        "branches": [{"name": "A", "kernel": 3, "dilations": [1, 3], "channels": [4, 5]}],
    }
    # 3*4*2 + 3*5*4 + read-out 5 (an extension)
    assert parameter_count(spec_from_dict(spec)) == 24 + 60 + 5
    a = analyze(load_spec("builtin:paper-mixed"), values={"r": 4})
    assert a.parameters == 256 and a.parameters_symbolic == "256"


# ------------------------------------------------------------------ structure and kinds
def test_gapped_builtin_modes_by_hand():
    # dilations 1, 4, 16 with k = 2: offsets {0,1} + {0,4} + {0,16}; N = 1 + 1 + 4 + 16 = 22
    a = analyze(load_spec("builtin:wavenet-gapped"), families=["nodes"])
    d = a.to_dict()
    assert d["receptive_field"] == 22
    assert d["modes"] == [0, 1, 4, 5, 16, 17, 20, 21]
    assert d["branches"][0]["kind"] == "gapped" and d["kind"] == "gapped"
    assert all(set(p.I) <= set(d["modes"]) for p in a.partitions)


def test_overlapping_builtin_has_no_mode_tree():
    a = analyze(load_spec("builtin:wavenet-overlapping"), families=["halves", "odd-even"])
    d = a.to_dict()
    assert d["kind"] == "overlapping"
    assert d["branches"][0]["kind"] == "overlapping"
    assert d["branches"][0]["tree_nodes"] is None and d["branches"][0]["modes"] is None
    assert any("overlapping" in n for n in d["notes"])
    for p in a.partitions:  # the propagation bound still holds; Theorem 7 does not apply
        assert p.theorem7_upper is None and p.upper_symbolic


def test_kernel3_branch_is_a_non_binary_tree_without_theorem7():
    spec = {
        "name": "k3",
        "input_channels": 3,
        "branches": [{"name": "A", "kernel": 3, "dilations": [1, 3], "channels": 2}],
    }
    st = structure(spec_from_dict(spec))
    t = st.trees[0]
    assert t is not None and not t.binary
    assert len(t.children[t.root]) == 3
    assert st.thm7 is None
    a = analyze(spec_from_dict(spec), families=["nodes"])
    assert a.partitions and all(
        p.theorem7_upper is None and p.theorem7_lower is None for p in a.partitions
    )
    assert {tuple(p.I) for p in a.partitions} >= {(0, 1, 2), (3, 4, 5), (6, 7, 8)}


def test_generalized_pooling_reports_no_bound():
    spec = {
        "name": "g",
        "input_channels": 2,
        "pooling": "relu",
        "branches": [{"name": "A", "dilations": [1, 2], "channels": 2}],
    }
    a = analyze(spec_from_dict(spec), partitions=["0,1"])
    p = a.partitions[0]
    assert p.upper is None and p.lower is None and "not covered" in p.upper_symbolic
    assert any("generalized" in n for n in a.to_dict()["notes"])


def test_values_keyword_equals_concrete_spec():
    a = analyze(load_spec("builtin:paper-mixed"), families=["halves", "odd-even"], values={"r": 4})
    b = analyze(load_spec("builtin:paper-mixed", {"r": 4}), families=["halves", "odd-even"])
    assert [(p.I, p.upper, p.lower) for p in a.partitions] == [
        (p.I, p.upper, p.lower) for p in b.partitions
    ]


# worked-mix2 (M = 3, widths 2, T = (1,2,4), T' = (2,1,4), exchange s = 1 after layer 2) at
# I = {0,1,4,5}, J = {2,3,6,7}: the propagation rules of theory.md sec. 3 by hand, states
# (L, R, pi, rho), r = 2:
#   inputs: in I (3,1,1,1), in J (1,3,1,1).
#   T layer 1: {0,1}, {4,5} in I: pi = 1, L = min(3^2, 3*3, 2*1) = 2, R = 1 -> (2,1,1,1);
#              {2,3}, {6,7} in J -> (1,2,1,1).
#   T layer 2: {0..3}: pi = 1*1, L = min(9, 2*1, 2) = 2, R = 2, rho = 2 -> (2,2,1,2); {4..7} alike.
#   T' layer 1: {0,2}, {1,3}: one I and one J input: pi = 1, L = min(3, 3, 2) = 2, R = 2,
#               rho = 2 -> (2,2,1,2); {4,6}, {5,7} alike.
#   T' layer 2: {0..3}: pi = 2*2 = 4, L = min(9, 2*2, 2*4) = 4, R = 4, rho = 4 -> (4,4,4,4).
#   exchange (1 channel from the other branch, 1 own), either branch:
#               L = min(9, min(4, 1*4) + min(2, 1*1)) = 5, R = 5, rho = 5, pi = max(4, 1) = 4.
#   layer 3 (the root, paper output convention): pi = 5*5 = 25 per branch;
#   output: min(3^4, 3^4, 25 + 25) = 50.
# (The generic rank is 34, theory.md sec. 5: the plain rules are valid, not tight, here.)
PLAIN_RULES_UPPER_0145 = 50
# With the shared-read refinement (docs/theory.md sec. 4.1): on each block b the output's
# I-column space lies in W_b, the span of T's and T''s layer-2 units there: dim <= 2 (T: {0,1}
# in I, width 2) + 4 (T': two mixed layer-1 units of rank <= 2) = 6; so 6 x 6 = 36.
WORKED_MIX2_UPPER_0145 = 36


def test_to_dict_partition_fields():
    a = analyze(load_spec("builtin:worked-mix2"), partitions=["0,1,4,5"], with_tilings=True)
    p = a.to_dict()["partitions"][0]
    # by hand (docs/theory.md sec. 4.1, shared reads): on each block b the output's I-column
    # space lies in W_b, the span of T's and T''s layer-2 units there: dim <= 2 (T: {0,1} in I,
    # width 2) + 4 (T': two mixed layer-1 units of rank <= 2) = 6; so 6 x 6 = 36 >= 34 (table)
    assert p["I"] == [0, 1, 4, 5] and isinstance(p["upper_symbolic"], str)
    assert p["upper"] == WORKED_MIX2_UPPER_0145 == 36
    assert p["propagation"] == "36" and PLAIN_RULES_UPPER_0145 == 50  # shared reads tighten
    # routed lower bound by hand (docs/theory.md sec. 6): on each block take T': its layer-1
    # units {0,2} and {1,3} (resp. {4,6}, {5,7}) each pair an I with a J position, and their
    # edges to layer 2 stay inside the branch (width 2): g = min(2, 2, M, M) = 2 per pair, 4
    # pairs -> 2^4 = 16 (the edges through the exchange carry one channel, width 1 >= 1)
    assert p["lower"] == 16
    assert p["lower"] <= 34 <= p["upper"]  # the worked table's generic rank (theory.md sec. 5)
    assert p["upper_source"] == "propagation" and "Claim 5" in p["lower_source"]
    assert set(p["tilings"]) == {"T", "Tp"}
    assert p["tilings"]["T"]["I"] == [[0, 1], [4, 5]]
    assert not any(k.endswith("_expr") for k in p)


def test_hybrid_trees_enumerated_when_few():
    """worked-mix2: mixture nodes {0..3}, {4..7} plus the root: 2^3 = 8 distinct hybrid trees."""
    d = analyze(load_spec("builtin:worked-mix2")).to_dict()["hybrid_trees"]
    assert d["count"] == 8
    trees = {tuple(seg["tree"] for seg in h) for h in d["enumerated"]}
    assert len(trees) == 8 and ("T", "Tp", "T") in trees


# ------------------------------------------------------------------ options and the default family
def test_analyze_without_partitions_examines_the_default_family():
    """``analyze(arch)`` examines what ``expressivity analyze SPEC`` does: the tree nodes of a
    small tree. worked-T is the N = 8 binary tree: below the root 2 + 4 + 8 = 14 nodes, and the
    two halves are one partition (I and its complement), so 13 partitions."""
    a = analyze(load_spec("builtin:worked-T"))
    assert len(a.partitions) == 13 and {p.label for p in a.partitions} == {"node of T"}
    assert sorted(map(tuple, (p.I for p in a.partitions))) == sorted(
        [(0, 1, 2, 3), (0, 1), (2, 3), (4, 5), (6, 7)] + [(i,) for i in range(8)]
    )
    assert a.partition_note is None
    # no mode tree (overlapping): halves and odd-even, as the CLI's default
    b = analyze(load_spec("builtin:wavenet-overlapping"))
    assert [p.label for p in b.partitions] == ["halves", "odd-even"]
    # explicit partitions alone: no family; families=[]: none at all
    assert [p.I for p in analyze(load_spec("builtin:worked-T"), partitions=["0,1"]).partitions] == [
        [0, 1]
    ]
    assert analyze(load_spec("builtin:worked-T"), families=[]).partitions == []


def test_analyze_options_object_and_keyword_overrides():
    from analyzer import AnalyzeOptions

    arch = load_spec("builtin:paper-mixed")
    opts = AnalyzeOptions(families=["halves"], values={"r": 4})
    a = analyze(arch, opts)
    b = analyze(arch, families=["halves"], values={"r": 4})
    assert a.to_dict() == b.to_dict() and len(a.partitions) == 1
    # a keyword overrides the field of the options object
    c = analyze(arch, opts, families=["halves", "odd-even"])
    assert [p.label for p in c.partitions] == ["halves", "odd-even"]
    with pytest.raises(TypeError):
        analyze(arch, opts, no_such_option=1)
