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


# --------------------------------------------------------------------------- the definitions
class _Used:
    """What the mask families read of a circuit: its used positions (any set of positions)."""

    def __init__(self, positions):
        self.used_positions = sorted(positions)
        self.used_mask = mask_of(positions)


def _random_used(seed: int, count: int = 300):
    """Used-position sets with every shape of runs: 2..14 positions in 0..39 (gaps, odd runs)."""
    import random

    rng = random.Random(seed)
    out = [[0, 1], [0, 2], [1, 2, 3], [0, 1, 2, 3, 4, 5, 6], [3, 5, 6, 7, 9], [0, 2, 3, 5, 6, 7]]
    for _ in range(count):
        n = rng.randint(2, 14)
        out.append(rng.sample(range(40), n))
    return out


def test_mask_families_are_their_definitions_on_every_shape_of_used_positions():
    """halves, odd-even and blocks:K read off the sorted used positions directly (the code
    works run by run on the mask): the first floor(n/2); every other one from the first; the
    positions i with floor(i/K) even (i their index among the used ones)."""
    for used in _random_used(seed=10):
        c = _Used(used)
        pos = c.used_positions
        n = len(pos)
        assert positions(family("halves", c)) == [pos[: n // 2]], used
        assert positions(family("odd-even", c)) == [pos[::2]], used
        for k in range(1, n // 2 + 1):
            want = [p for i, p in enumerate(pos) if (i // k) % 2 == 0]
            assert positions(family(f"blocks:{k}", c)) == [want], (used, k)


def test_all_family_is_every_bipartition_once():
    """'all': every I with J nonempty, one of each complementary pair (the one holding the first
    used position), by enumeration of all subsets."""
    import itertools

    from analyzer.partitions import all_masks, canonical

    for used in _random_used(seed=11, count=40):
        if len(used) > 9:
            continue
        c = _Used(used)
        pos = c.used_positions
        subsets = {
            mask_of(s)
            for k in range(1, len(pos))
            for s in itertools.combinations(pos, k)
            if pos[0] in s
        }
        got = [p.I for p in family("all", c)]
        assert sorted(got) == sorted(subsets) and len(got) == 2 ** (len(pos) - 1) - 1
        assert list(all_masks(c.used_mask)) == got
        for I in subsets:  # the key of I | J is the key of J | I
            J = c.used_mask & ~I
            assert canonical(I, c.used_mask) == canonical(J, c.used_mask) == min(I, J)


def test_bad_family_errors_name_the_option_or_the_source(gapped):
    """Without a source the library names its parameter (OptionError 'families', which a front
    end maps to its flag); with a source (a spec, a check) the error is placed there."""
    from analyzer.errors import OptionError

    c = gapped.circuit
    for name in ("blocks:x", "blocks:0", "leaves"):
        with pytest.raises(OptionError) as ei:
            family(name, c)
        assert ei.value.option == "families" and ei.value.source == ""
        with pytest.raises(SpecError) as ei:
            family(name, c, source="suite.yaml")
        assert not isinstance(ei.value, OptionError)
        assert str(ei.value).startswith("suite.yaml: ")
    with pytest.raises(OptionError, match="empty"):
        make_partition([], c)
    with pytest.raises(SpecError, match="^s.yaml: I is empty"):
        make_partition([], c, source="s.yaml")


def test_default_family_is_nodes_up_to_the_limit_inclusive():
    """docs: 'nodes' while the trees have at most DEFAULT_NODES_MAX nodes (the roots not
    counted: they are no partition), 'representative' above."""
    from types import SimpleNamespace

    from analyzer.partitions import DEFAULT_NODES_MAX, default_families

    def tree(nodes):  # what the rule reads of a mode tree: its nodes (depth's keys)
        return SimpleNamespace(depth=dict.fromkeys(range(nodes)))

    at = [tree(DEFAULT_NODES_MAX // 2 + 1), tree(DEFAULT_NODES_MAX // 2 + 1), None]
    assert default_families(None, at) == (["nodes"], None)
    over = [tree(DEFAULT_NODES_MAX // 2 + 2), tree(DEFAULT_NODES_MAX // 2 + 1)]
    fams, note = default_families(None, over)
    assert fams == ["representative"] and f"{DEFAULT_NODES_MAX + 1} nodes" in note


def test_refusals_state_the_right_numbers_and_place(gapped):
    """The one-line errors say what was expected: blocks:K's range is 1..floor(n/2) for n used
    modes; 'all' states its 2^(n-1) - 1 partitions and names the source it was asked at."""
    c = gapped.circuit  # 8 used modes
    for bad in ("blocks:0", "blocks:5", "blocks:2:3", "blocks:"):
        with pytest.raises(SpecError, match="blocks:K") as ei:
            family(bad, c)
        if bad in ("blocks:0", "blocks:5"):
            assert "needs 1 <= K <= 4 here" in str(ei.value)
    big = build_circuit(load_spec("builtin:groupswap-k3-T"))  # 64 used modes
    with pytest.raises(LimitError) as ei:
        family("all", big)
    assert "2^63 - 1 partitions" in str(ei.value) and ei.value.option == "families"
    with pytest.raises(LimitError) as ei:
        family("all", big, source="suite.yaml")
    assert str(ei.value).startswith("suite.yaml: ") and ei.value.option == ""


def test_node_partitions_are_the_distinct_nodes_inside_the_used_positions():
    """node_partitions by its definition, on real mode trees of random dilations and random
    used sets: every node (clipped to the used positions with ``clip``) that is neither empty
    nor all of them, each once, the larger first; without ``clip`` a node holding an unused
    position is left out."""
    import random

    from analyzer.partitions import node_partitions

    from .test_trees import tree_of

    rng = random.Random(12)
    perms = [[1, 2, 4], [2, 1, 4], [4, 2, 1], [1, 4, 2], [2, 4, 1]]
    for _ in range(40):
        trees = [tree_of(rng.choice(perms)) for _ in range(rng.randint(1, 3))]
        root = trees[0].root  # positions 0..7
        for used in (root, mask_of(rng.sample(range(8), rng.randint(2, 7)))):
            nodes = [n for t in trees for n in t.nodes]
            for clip in (False, True):
                got = [p.I for p in node_partitions(trees + [None], used, clip=clip)]
                if clip:
                    want = {n & used for n in nodes} - {0, used}
                else:
                    want = {n for n in nodes if n & used == n and n != used}
                assert len(got) == len(set(got)) and set(got) == want, (used, clip)
                if not clip:  # the first tree's nodes come first, the larger first
                    first = [m for m in got if m in trees[0].depth]
                    assert got[: len(first)] == first
                    sizes = [m.bit_count() for m in first]
                    assert sizes == sorted(sizes, reverse=True)


TWO_DEPTHS = {  # branches of different receptive fields: B's root is not the used set
    "name": "two-depths",
    "input_channels": 2,
    "branches": [
        {"name": "A", "dilations": [1, 2, 4], "channels": 2},
        {"name": "B", "dilations": [1, 2], "channels": 2},
    ],
}


@pytest.mark.parametrize(
    "ref", ["builtin:paper-mixed", "builtin:worked-T", "builtin:wavenet-gapped", "two-depths"]
)
def test_representative_family_is_its_definition(ref):
    """'representative' (module docstring): per tree the nodes of depth 1 to
    REPRESENTATIVE_LEVELS (the oracle's own trees: depth by depth, the lowest position first),
    then halves, odd-even and Corollary 8's sets where they apply."""
    from analyzer.partitions import REPRESENTATIVE_LEVELS

    from ..oracle.oracle import mode_tree as oracle_tree

    arch = spec_from_dict(TWO_DEPTHS) if ref == "two-depths" else load_spec(ref)
    st = structure(arch)
    c = st.circuit
    want = []
    for b, t in enumerate(st.trees):
        if t is None:
            continue
        _root, _children, depth, _layer = oracle_tree(arch, b)
        top = [n for n, d in depth.items() if 1 <= d <= REPRESENTATIVE_LEVELS]
        want += [sorted(n) for n in sorted(top, key=lambda n: (depth[n], min(n)))]
    want += positions(family("halves", c)) + positions(family("odd-even", c))
    if ref != "builtin:wavenet-gapped":  # Corollary 8 needs 2^L consecutive positions
        want += positions(family("paper", c, st.trees))
    got = family("representative", c, st.trees)
    assert positions(got) == want
    assert [p.label for p in got[:2]] == [f"node of {st.trees[0].branch} (depth 1)"] * 2


def test_paper_family_from_four_positions_on():
    """Corollary 8's sets exist for N = 2^L, L >= 2: for L = 2 (k = 1, blocks of 2) the first
    block takes every other position, the second its first half: I = {0, 2}; N = 2 is refused.
    Without a connection every k = 1..L-1 is listed."""

    def tree(dilations):
        branch = {"name": "A", "dilations": dilations, "channels": 2}
        return structure(spec_from_dict({"name": "x", "input_channels": 2, "branches": [branch]}))

    st = tree([1, 2])
    assert positions(family("paper", st.circuit, st.trees)) == [[0, 2]]
    st = tree([1])
    with pytest.raises(SpecError, match="2\\^L consecutive used positions"):
        family("paper", st.circuit, st.trees)
    st = tree([1, 2, 4])  # no mixture node: k = 1 (blocks of 2) and k = 2 (blocks of 4)
    assert positions(family("paper", st.circuit, st.trees)) == [[0, 2, 4, 6], [0, 2, 4, 5]]
