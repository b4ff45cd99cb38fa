"""analyzer/partitions.py: explicit partitions; nodes|halves|odd-even|blocks:K|all|paper."""

from __future__ import annotations

import pytest

from analyzer import SpecError, analyze, build_circuit, load_spec, spec_from_dict
from analyzer.analysis import structure
from analyzer.circuit import mask_of
from analyzer.errors import LimitError
from analyzer.partitions import (
    MAX_ALL_MODES,
    family,
    make_partition,
    parse_partition,
    resolve_partitions,
)


@pytest.fixture(scope="module")
def worked_t():
    return structure(load_spec("builtin:worked-T"))


@pytest.fixture(scope="module")
def gapped():
    return structure(load_spec("builtin:wavenet-gapped"))


def positions(parts):
    return [p.positions for p in parts]


def test_parse_explicit(worked_t):
    p = parse_partition("0, 1,4,5", worked_t.circuit)
    assert p.positions == [0, 1, 4, 5] and p.label == "explicit"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2,3", "not used modes"),
        ("", "empty"),
        (",", "empty"),
        ("0,1,4,5,16,17,20,21", "every used mode"),
        ("a", "comma-separated"),
        ("-1", "not used modes"),
        ("99", "not used modes"),
    ],
)
def test_parse_explicit_errors(gapped, text, words):
    with pytest.raises(SpecError, match=words):
        parse_partition(text, gapped.circuit)


def test_nodes_family_every_tree_node_but_the_root(worked_t):
    parts = family("nodes", worked_t.circuit, worked_t.trees)
    assert len(parts) == 2 + 4 + 8
    assert positions(parts)[:2] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    # resolve_partitions keeps one of I and its complement: {4..7} is {0..3}'s complement
    resolved = resolve_partitions(worked_t.circuit, worked_t.trees, families=["nodes"])
    assert len(resolved) == 13


def test_nodes_family_of_two_trees_is_a_union():
    st = structure(load_spec("builtin:worked-T-plus-Tp"))
    got = {tuple(p.positions) for p in family("nodes", st.circuit, st.trees)}
    assert (0, 2) in got and (0, 1) in got and (0, 1, 2, 3) in got
    assert len(got) == 14 + 4  # T' adds its four strided pairs


def test_simple_families(gapped):
    c = gapped.circuit
    assert positions(family("halves", c)) == [[0, 1, 4, 5]]
    assert positions(family("odd-even", c)) == [[0, 4, 16, 20]]
    assert positions(family("blocks:2", c)) == [[0, 1, 16, 17]]
    assert positions(family("blocks:1", c)) == [[0, 4, 16, 20]]
    for bad in ("blocks:0", "blocks:5", "blocks:x"):
        with pytest.raises(SpecError, match="blocks:K"):
            family(bad, c)


def test_all_family_counts_every_partition_up_to_complement(gapped):
    parts = family("all", gapped.circuit)
    n = 8
    assert len(parts) == 2 ** (n - 1) - 1
    masks = {p.I for p in parts}
    used = gapped.circuit.used_mask
    assert len(masks) == len(parts)
    assert all(used & ~m not in masks for m in masks)
    assert all(m & 1 for m in masks)  # position 0 always in I


def test_all_family_guard():
    ok = spec_from_dict(
        {
            "name": "x",
            "input_channels": 2,
            "branches": [{"name": "A", "dilations": [1, 2, 4, 8], "channels": 2}],
        }
    )
    assert len(family("all", build_circuit(ok))) == 2**15 - 1
    big = load_spec("builtin:groupswap-k3-T")  # N = 64 used modes
    with pytest.raises(LimitError, match=f"is 64, above the limit {MAX_ALL_MODES}") as exc:
        family("all", build_circuit(big))
    assert exc.value.lift == "--allow-large"
    assert isinstance(exc.value, SpecError)  # exit code 2 on the command line


def test_paper_family_is_corollary8_index_set():
    st = structure(load_spec("builtin:paper-mixed"))
    parts = family("paper", st.circuit, st.trees)
    assert positions(parts) == [[0, 2, 4, 6, 8, 9, 12, 13]]
    with pytest.raises(SpecError, match="2\\^L"):
        g = structure(load_spec("builtin:wavenet-gapped"))
        family("paper", g.circuit, g.trees)


def test_unknown_family_and_nodes_without_tree():
    st = structure(load_spec("builtin:wavenet-overlapping"))
    with pytest.raises(SpecError, match="unknown partition family 'leaves'"):
        family("leaves", st.circuit, st.trees)
    with pytest.raises(SpecError, match="needs a mode tree"):
        family("nodes", st.circuit, st.trees)


def test_explicit_forms_and_dedup(worked_t):
    c = worked_t.circuit
    parts = resolve_partitions(
        c, worked_t.trees, explicit=["0,1", [0, 1], make_partition([2, 3, 4, 5, 6, 7], c), (4, 5)]
    )
    assert positions(parts) == [[0, 1], [4, 5]]
    assert parts[0].I == mask_of([0, 1])


def test_analyze_accepts_position_lists():
    a = analyze(load_spec("builtin:worked-T"), partitions=[[0, 2, 4, 6], "0,1"])
    assert [p.I for p in a.partitions] == [[0, 2, 4, 6], [0, 1]]


def test_families_for_is_the_one_default_rule():
    """Asked-for families win; explicit partitions alone mean no family; else nodes for trees
    (up to DEFAULT_NODES_MAX nodes), representative above, halves + odd-even without a tree."""
    from analyzer.analysis import structure
    from analyzer.partitions import DEFAULT_NODES_MAX, families_for

    small = structure(load_spec("builtin:worked-T"))  # one tree of 8 leaves: 14 nodes
    assert families_for(small.circuit, small.trees) == ["nodes"]
    assert families_for(small.circuit, small.trees, ["0,1"]) == []
    assert families_for(small.circuit, small.trees, (), ["halves"]) == ["halves"]
    over = structure(load_spec("builtin:wavenet-overlapping"))
    assert all(t is None for t in over.trees)
    assert families_for(over.circuit, over.trees) == ["halves", "odd-even"]
    big = structure(load_spec("builtin:paper-timit", {"r": 2}))  # two trees, N = 4096
    assert 2 * (2 * 4096 - 2) > DEFAULT_NODES_MAX
    assert families_for(big.circuit, big.trees) == ["representative"]
