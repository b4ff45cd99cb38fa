"""Issue 12's fast paths compute the values of the general paths (docs/analyze.md, "Speed").

Each fast path is checked against an independent computation: the definitions of Def. 6 and
Theorem 7 evaluated node by node, the same bound rules run on sympy numbers (the symbolic
arithmetic, no integer shortcut), a fresh computation per partition, sympy's exact rank, or
the theory's routing widths (r - s and s at an exchange).
"""

from __future__ import annotations

import gc
import json
import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import analyze, build_circuit, load_spec, spec_from_dict
from analyzer.analysis import _fmt, structure
from analyzer.bounds import INT, Arith, Propagator, _rank, routed_lower, routes
from analyzer.circuit import _build_cached, mask_of
from analyzer.errors import SpecError
from analyzer.numbers import expr_text, json_text, jsonable, show, show_int
from analyzer.partitions import family, resolve_partitions
from analyzer.trees import ModeTree, mode_tree

# sympy numbers through the general rules (Arith.min/prod/sum), never the integer shortcuts
GENERAL = Arith(True)


def one_branch(dilations, kernel=2, channels=3, M=2):
    return spec_from_dict(
        {
            "name": "x",
            "input_channels": M,
            "branches": [
                {"name": "A", "kernel": kernel, "dilations": dilations, "channels": channels}
            ],
        }
    )


def random_masks(used: int, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    pos = [p for p in range(used.bit_length()) if used >> p & 1]
    out = []
    for _ in range(n):
        k = rng.randint(1, len(pos) - 1)
        out.append(mask_of(rng.sample(pos, k)))
    return out


# --------------------------------------------------------------------------- Theorem 7 walk
def counts_by_definition(t, I):
    """|Θ(I;T)|, |Θ(J;T)| (maximal nodes inside I, resp. J: Def. 6) and the sibling pairs of
    Theorem 7 (siblings below the root, one inside I and one inside J), node by node."""
    I &= t.root
    J = t.root & ~I
    parent = t.parent_map()

    def inside(n, S):
        return n & ~S == 0

    def maximal(n, S):
        return inside(n, S) and (n == t.root or not inside(parent[n], S))

    tI = sum(maximal(n, I) for n in t.nodes)
    tJ = sum(maximal(n, J) for n in t.nodes)
    pairs = sum(
        1
        for p, ch in t.children.items()
        if p != t.root
        and len(ch) == 2
        and (inside(ch[0], I) and inside(ch[1], J) or inside(ch[0], J) and inside(ch[1], I))
    )
    return tI, tJ, pairs


@pytest.mark.parametrize(
    "dilations,kernel",
    [([1, 2, 4, 8], 2), ([2, 1, 4], 2), ([4, 2, 1, 8, 16], 2), ([1, 3, 9], 3), ([1], 2)],
)
def test_theorem7_walk_equals_the_definitions(dilations, kernel):
    t = mode_tree(build_circuit(one_branch(dilations, kernel)), 0)
    masks = random_masks(t.root, 60, seed=len(dilations)) + [0, t.root] + list(t.nodes)
    # a tree built elsewhere (analyzer.compare) has no numbering: made on first use
    bare = ModeTree(t.branch, t.root, t.children, t.depth, t.layer, t.binary)
    assert t.index and not bare.index and bare == t
    for I in masks:
        got = t.theorem7_counts(I)
        assert got == counts_by_definition(t, I)
        assert got == (*t.tiling_counts(I & t.root), t.sibling_pairs(I & t.root))
        assert bare.theorem7_counts(I) == got
    assert bare.index == t.index


# --------------------------------------------------------------------------- propagation
CASES = [
    ("builtin:worked-T", {}),
    ("builtin:worked-mix2", {}),
    ("builtin:paper-mixed", {"r": 4}),
    ("builtin:groupswap-k2-mixed", {"r": 4}),
    ("builtin:wavenet-overlapping", {}),  # overlapping: children's supports meet
    ("builtin:tcn", {"r": 2}),
]


def concrete(ref, values):
    arch = load_spec(ref)
    return arch.substitute(values) if values else arch


def partitions_of(c, trees, seed):
    fams = ["halves", "odd-even"] + (["nodes"] if any(t is not None for t in trees) else [])
    masks = [p.I for p in resolve_partitions(c, trees, [], fams)]
    return masks + random_masks(c.used_mask, 12, seed)


@pytest.mark.parametrize("ref,values", CASES)
def test_integer_propagation_equals_the_general_rules(ref, values):
    """The integer product rule (pure children from the memo, |I ∩ S| summed over disjoint
    children) gives what the same rules give on sympy numbers, partition by partition."""
    st = structure(concrete(ref, values))
    c = st.circuit
    fast = Propagator(c, INT)
    for k, I in enumerate(partitions_of(c, st.trees, seed=k_seed(ref))):
        want = Propagator(c, GENERAL).output_bound(I)
        assert fast.output_bound(I) == int(want)
        if k % 5 == 0:
            assert Propagator(c, INT).output_bound(I) == int(want)  # fresh memo too


def k_seed(ref: str) -> int:
    return sum(map(ord, ref))


def test_overlapping_case_exercises_the_popcount_path():
    """wavenet-overlapping has product units whose children's supports meet: there the cut
    unit's |I ∩ S| is counted on its support, not summed (the test above covers both)."""
    c = build_circuit(concrete("builtin:wavenet-overlapping", {}))
    prop = Propagator(c, INT)
    prods = [u for u in c.units if u.kind == "prod"]
    assert not all(prop._disjoint[u.id] for u in prods)
    assert any(prop._disjoint[u.id] for u in prods)


# --------------------------------------------------------------------------- routed lower bound
@pytest.mark.parametrize(
    "arch",
    [
        one_branch([1, 2, 4, 8], channels=[3, 2, 4, 1], M=3),
        one_branch([2, 1, 4], channels=2, M=2),
        one_branch([1, 3, 9], kernel=3, channels=[2, 5, 1], M=2),
    ],
    ids=["tree-widths-per-node", "tree-permuted", "tree-kernel-3"],
)
def test_integer_routed_lower_equals_the_general_path(arch):
    """On trees (no joins, so the symbolic routing table is the exact one) the integer path
    (single-source taps read from the memo) equals the symbolic path on sympy numbers."""
    st = structure(arch)
    c = st.circuit
    rt_int, rt_gen = routes(c, INT), routes(c, GENERAL)
    for I in partitions_of(c, st.trees, seed=7):
        assert routed_lower(rt_int, I, INT) == int(routed_lower(rt_gen, I, GENERAL))


def test_exchange_routing_widths_are_r_minus_s_and_s():
    """docs/theory.md sec. 6: through an exchange of s of r channels a tap gets r - s channels
    from its own branch and s from the other (integer route matrices, exact ranks)."""
    arch = spec_from_dict(
        {
            "name": "x",
            "input_channels": 2,
            "branches": [
                {"name": "T", "dilations": [1, 2, 4, 8], "channels": 4},
                {"name": "U", "dilations": [2, 1, 4, 8], "channels": 4},
            ],
            "connections": [
                {"after_layer": 2, "branches": ["T", "U"], "mode": "exchange", "exchange": 1}
            ],
        }
    )
    c = build_circuit(arch)
    rt = routes(c, INT)
    seen = 0
    for u in c.units:
        if u.kind != "prod":
            continue
        for tap, read in zip(rt.taps[u.id], u.children, strict=True):
            ru = c.units[read]
            if ru.kind == "exchange":
                other, own = ru.children
                assert dict(tap) == {own: 3, other: 1}
                assert rt.joint[read] == 4  # both sources together: all r channels
                seen += 1
    assert seen == 2 * 2 * 2  # per branch, two layer-3 units, each tap reading an exchange


def test_integer_rank_equals_sympy_rank():
    rng = random.Random(3)
    for _ in range(30):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        R = [[rng.choice([0, 0, 1, -1, 2]) for _ in range(cols)] for _ in range(rows)]
        assert _rank(R) == sympy.Matrix(R).rank()
    assert _rank([]) == 0 and _rank([[]]) == 0


# --------------------------------------------------------------------------- spec and CLI paths
def test_load_spec_with_values_validates_the_substituted_spec_once(tmp_path):
    """The circuit the analysis needs is built once (validation of the substituted spec)."""
    _build_cached.cache_clear()
    arch = load_spec("builtin:paper-mixed", {"r": 4})
    analyze(arch, families=["odd-even"])
    info = _build_cached.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert arch == load_spec("builtin:paper-mixed").substitute({"r": 4})


def test_structural_fault_reported_before_bad_values(tmp_path):
    """As before: the file's structural fault first, even when the values are bad too."""
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: s\ninput_channels: r\nbranches:\n"
        "  - {name: T, dilations: [1, 2], channels: r}\n"
        "  - {name: U, dilations: [2, 1], channels: r}\n"
        "connections:\n  - {after_layer: 1, branches: [T, U], mode: sum}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match="not a mixture node"):
        load_spec(str(p), {"r": 0})
    with pytest.raises(SpecError, match="not a mixture node"):
        load_spec(str(p), {"r": 4})
    with pytest.raises(SpecError, match="unknown symbol"):
        load_spec("builtin:worked-T", {"q": 3})


def test_half_exchange_of_a_symbol_is_the_same_expression():
    """analyzer/spec.py writes r - r/2 as r/2 for a symbol width (no sympy subtraction)."""
    r = sympy.Symbol("r", positive=True, integer=True)
    assert r - r / 2 == r / 2
    assert sympy.srepr(r - r / 2) == sympy.srepr(r / 2)


@pytest.mark.parametrize(
    "n", [0, 1, 7, 10**15 - 1, 10**15, 2**53 + 1, 3**40, 2**2048, -5, -(10**20), 10**600]
)
def test_small_int_text_shortcuts(n):
    assert show(n) == show_int(n) and show(n, True) == show_int(n, True)
    assert _fmt(n) == expr_text(n)


def test_structure_dict_without_rows_is_the_full_dict_less_the_rows():
    a = analyze(load_spec("builtin:paper-mixed"), families=["nodes"], values={"r": 4})
    full, head = a.to_dict(), a.to_dict(partitions=False)
    assert head["partitions"] is None and len(full["partitions"]) == len(a.partitions)
    assert {k: v for k, v in full.items() if k != "partitions"} == {
        k: v for k, v in head.items() if k != "partitions"
    }


def test_nodes_family_over_several_trees_lists_each_node_once():
    """Nodes shared by two trees appear once (one hash per node of the first tree only)."""
    arch = load_spec("builtin:worked-T-plus-Tp")
    st = structure(arch)
    c = st.circuit
    got = [p.I for p in family("nodes", c, st.trees)]
    want = (set(st.trees[0].nodes) | set(st.trees[1].nodes)) - {c.used_mask}
    assert len(got) == len(set(got)) and set(got) == want
    same = structure(
        spec_from_dict(
            {
                "name": "twice",
                "input_channels": 2,
                "branches": [
                    {"name": "A", "dilations": [1, 2, 4], "channels": 2},
                    {"name": "B", "dilations": [1, 2, 4], "channels": 2},
                ],
            }
        )
    )
    assert len(family("nodes", same.circuit, same.trees)) == 14  # 15 nodes, less the root


def test_cli_main_with_arguments_leaves_the_collector_alone(capsys):
    """Only the process entry point (argv None) freezes the imports' objects."""
    from expressivity import cli

    before = gc.get_freeze_count(), gc.get_threshold()
    with pytest.raises(SystemExit) as e:
        cli.main(["analyze", "builtin:worked-T", "--format", "json"])
    assert e.value.code == 0
    assert (gc.get_freeze_count(), gc.get_threshold()) == before
    capsys.readouterr()


# --------------------------------------------------------------------------- JSON text
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 3, max_value=2**53 + 3)
    | st.integers(min_value=4300, max_value=5000).map(lambda k: 7**k)  # past str()'s limit
    | st.integers(min_value=100, max_value=700).map(lambda k: -(10**k) - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.lists(inner, max_size=4).map(tuple)
        | st.lists(st.integers(min_value=-(2**60), max_value=2**60), max_size=8)
        | st.dictionaries(_keys, inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=150, deadline=None)
@given(_values)
def test_json_text_is_json_dumps_of_jsonable(x):
    """The CLI's JSON text (analyzer.numbers.json_text) is byte for byte the text of
    ``json.dumps(jsonable(x), indent=2)``, on any JSON-able value."""
    assert json_text(x) == json.dumps(jsonable(x), indent=2)


def test_json_text_refuses_what_json_refuses():
    for bad in ({(1, 2): 3}, [object()], {"a": {1j}}):
        with pytest.raises(TypeError):
            json.dumps(jsonable(bad), indent=2)
        with pytest.raises(TypeError):
            json_text(bad)
