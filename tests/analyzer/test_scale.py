"""Real-scale architectures (issue 12): builtins' hand-derived numbers, ranges, guards."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

from analyzer import analyze, load_spec, spec_from_dict
from analyzer.analysis import structure
from analyzer.circuit import (
    branch_kind,
    branch_offsets,
    build_circuit,
    estimate_size,
    fmt_mask,
    mask_of,
    mask_runs,
)
from analyzer.errors import LimitError, SpecError
from analyzer.limits import DEFAULT_LIMITS, Limits
from analyzer.partitions import DEFAULT_NODES_MAX, family

r = sympy.Symbol("r")


def one_branch(dilations, kernel=2, repeat=1, channels="r"):
    return spec_from_dict(
        {
            "name": "x",
            "input_channels": "r",
            "branches": [
                {
                    "name": "A",
                    "kernel": kernel,
                    "dilations": dilations,
                    "channels": channels,
                    "repeat": repeat,
                }
            ],
        }
    )


# --------------------------------------------------------------------------- position sets
def test_ranges_and_runs():
    assert fmt_mask(mask_of(range(1024))) == "{0..1023}"
    assert fmt_mask(mask_of([0, 2, 4])) == "{0,2,4}"
    assert fmt_mask(mask_of([0, 1, 2, 3, 8, 9, 10, 11])) == "{0..3,8..11}"
    assert fmt_mask(mask_of(range(0, 4096, 2))) == "{0,2,4,6,...,4092,4094} (2048 runs)"
    assert fmt_mask(0) == "{}"
    big = mask_of(range(5, 1 << 20))
    assert mask_runs(big) == [(5, 1 << 20)]  # one run, whatever its length


def test_branch_kind_matches_the_offset_listing():
    cases = [([1, 2, 4], 2), ([1, 4], 2), ([1, 1], 2), ([1, 2, 4, 8], 3), ([1, 3], 3), ([2, 1], 2)]
    for dil, k in cases:
        br = one_branch(dil, kernel=k).branches[0]
        offs = branch_offsets(br)  # the definition (theory.md sec. 1), listed
        want = (
            "overlapping"
            if len(set(offs)) < len(offs)
            else "gapped"
            if len(offs) < br.receptive_field
            else "tree"
        )
        assert branch_kind(br) == want, (dil, k)


def test_branch_kind_without_listing_offsets():
    # 2^30 offsets would be listed by the definition; a coincidence at layer 11 stops the scan
    br = one_branch([2**i for i in range(10)], repeat=3).branches[0]
    assert br.depth == 30 and branch_kind(br) == "overlapping"
    assert branch_kind(one_branch([2**30]).branches[0]) == "gapped"  # two used positions


# --------------------------------------------------------------------------- builtins
def test_paper_timit_hand_derived():
    arch = load_spec("builtin:paper-timit")
    st = structure(arch)
    c = st.circuit
    assert c.N == 4096 == 2**12 and c.used_mask == (1 << 4096) - 1
    assert c.kinds == ("tree", "tree") and st.network_kind == "mixed"
    assert [b.depth for b in arch.branches] == [12, 12]
    assert [ly.dilation for ly in arch.branches[1].layers[:4]] == [2, 1, 8, 4]
    # mixture nodes after layer l = 2, 4, ..., 10: the 4096 / 2^l blocks of 2^l positions
    assert [len(m) for m in st.mixture_nodes] == [1024, 256, 64, 16, 4]
    assert st.hybrid.count == 2 ** (1 + 1024 + 256 + 64 + 16 + 4)  # one choice per segment
    a = analyze(arch, families=["odd-even"], values={"r": 32})
    assert a.parameters == 2 * 12 * 2 * 32 * 32  # k r_l r_(l-1) per layer, M = r
    (p,) = a.partitions
    # odd-even splits all 2048 leaf pairs of T: |Θ(I;T)| = 2048 and the cap M^|I| = 32^2048
    assert p.upper == 32**2048
    # hybrid tree: T in every bottom segment (4-blocks: 2 split leaf pairs each, T' only 1),
    # 1024 * 2 = 2048 pairs, at the Claim 5 width min(M, r/2) = 16
    # Claim 5 counts 2048 sibling pairs of a hybrid tree; the routed lower bound (docs/theory.md
    # sec. 6) gives each layer-1 leaf pair its full width r = M = 32 (its edge to layer 2 stays
    # inside the branch), so lower = 32^2048 = upper
    assert p.hybrid_pairs == 2048 and p.lower == 32**2048 == p.upper


def test_paper_timit_default_is_representative_and_says_so():
    a = analyze(load_spec("builtin:paper-timit"), values={"r": 32}, families=None)
    assert a.partition_note and "the family 'nodes'" in a.partition_note
    assert "--" not in a.partition_note  # the library names no command-line flag
    labels = [p.label for p in a.partitions]
    assert "odd-even" in labels  # halves = {0..2047} is T's first node: listed once
    assert any(p.I == list(range(2048)) for p in a.partitions)
    assert any(lab.startswith("Corollary 8") for lab in labels)
    # top 3 levels of each tree: 2 + 4 + 8 nodes per tree, shared blocks counted once
    nodes = [p for p in a.partitions if p.label.startswith("node of")]
    assert 14 <= len(nodes) <= 28
    assert all(p.lower <= p.upper for p in a.partitions)
    assert 2 * 4095 > DEFAULT_NODES_MAX


@pytest.mark.parametrize(
    "name, N, kernel, layers, params",
    [
        ("wavenet", 1 + 3 * 1023, 2, 30, 30 * 2),  # 1 + 3 (1 + 2 + ... + 512)
        ("tcn", 1 + 2 * (1 + 2 + 4 + 8), 3, 4, 4 * 3),
        ("bytenet", 1 + 2 * 2 * 31, 3, 10, 10 * 3),
    ],
)
def test_stacks_hand_derived(name, N, kernel, layers, params):
    arch = load_spec(f"builtin:{name}")
    (br,) = arch.branches
    assert br.depth == layers and br.receptive_field == N
    assert all(ly.kernel == kernel for ly in br.layers)
    st = structure(arch)
    # every offset 0..N-1 is a sum of j_l d_l (dilations 1, 2, 4, ... with j up to k-1)
    assert st.circuit.used_mask == (1 << N) - 1
    assert st.circuit.kinds == ("overlapping",) and st.network_kind == "overlapping"
    a = analyze(arch, families=None, values={"r": 4})
    assert a.parameters == params * 4**2  # k r r per layer, M = r
    assert [p.label for p in a.partitions] == ["halves", "odd-even"]


@pytest.mark.parametrize("name", ["tcn", "bytenet", "paper-mixed", "groupswap-k2-mixed"])
def test_symbolic_and_integer_paths_agree(name):
    """The symbolic bound (exact posynomial arithmetic) at r = 6 equals the integer path's."""
    arch = load_spec(f"builtin:{name}")
    fams = ["halves", "odd-even"] if name in ("tcn", "bytenet") else ["nodes"]
    sym = analyze(arch, families=fams)
    num = analyze(arch, families=fams, values={"r": 6})
    for ps, pn in zip(sym.partitions, num.partitions, strict=True):
        assert sympy.sympify(ps.upper_symbolic).subs(r, 6) == pn.upper
        assert sympy.sympify(ps.lower_symbolic).subs(r, 6) == pn.lower


def test_repeat_is_the_list_repeated():
    a = one_branch([1, 2, 4], repeat=3)
    b = one_branch([1, 2, 4] * 3)
    assert a.branches == b.branches
    w = one_branch([1, 2], repeat=2, channels=["r", "2*r"]).branches[0].layers[3].width
    assert str(w) == "2*r"
    with pytest.raises(SpecError):
        one_branch([1, 2], repeat=0)
    with pytest.raises(SpecError, match="at most 100000 layers"):
        one_branch([1, 2], repeat=10**9)  # refused before the layer list is built


# --------------------------------------------------------------------------- guards
def tree(depth: int):
    return one_branch([2**i for i in range(depth)])


def test_estimate_bounds_the_real_circuit():
    for arch in (tree(6), load_spec("builtin:paper-mixed"), load_spec("builtin:tcn")):
        units, _ = estimate_size(arch)
        assert units >= len(build_circuit(arch).units)


def test_guard_units_and_memory_before_building():
    with pytest.raises(LimitError, match="estimated number of units") as e:
        build_circuit(tree(21))  # 2^22 units; refused from arithmetic alone
    assert e.value.lift == "--allow-large"
    with pytest.raises(LimitError, match="support masks"):
        build_circuit(one_branch([2**30]))  # 3 units of 2^30-bit masks
    with pytest.raises(LimitError, match="support masks"):
        analyze(tree(17), partitions=["0,1"])


def test_guard_partitions_work_and_digits():
    arch = load_spec("builtin:paper-T")
    small = dataclasses.replace(DEFAULT_LIMITS, partitions=3)
    with pytest.raises(LimitError, match="number of partitions is 29"):
        analyze(arch, families=["nodes"], limits=small)
    with pytest.raises(LimitError, match="propagation work"):
        analyze(
            arch,
            families=["nodes"],
            limits=dataclasses.replace(small, partitions=None, partition_units=100),
        )
    with pytest.raises(LimitError, match="digits of the largest bound"):
        # 16 used modes, M = 10^6: the largest bound M^8 has 49 digits
        analyze(
            arch,
            families=["halves"],
            values={"r": 10**6},
            limits=dataclasses.replace(DEFAULT_LIMITS, bound_digits=40),
        )
    with pytest.raises(LimitError, match="above the limit 20"):
        family("all", build_circuit(load_spec("builtin:groupswap-k3-T")))
    # the same runs pass when the limits are lifted
    a = analyze(arch, families=["nodes"], limits=Limits.unlimited())
    assert len(a.partitions) == 29


def test_memo_pruning_keeps_the_values(monkeypatch):
    import analyzer.analysis as A

    arch = load_spec("builtin:groupswap-k3-mixed")  # 178 node partitions: prunes at 64, 128
    keep = analyze(arch, families=["nodes", "odd-even"], values={"r": 4})
    monkeypatch.setattr(A, "MEMO_PRUNE_FACTOR", 0)  # prune at every opportunity
    calls = []
    real = A._prune_memo
    monkeypatch.setattr(A, "_prune_memo", lambda prop: calls.append(1) or real(prop))
    pruned = analyze(arch, families=["nodes", "odd-even"], values={"r": 4})
    assert len(calls) >= 2
    assert [(p.upper, p.lower) for p in pruned.partitions] == [
        (p.upper, p.lower) for p in keep.partitions
    ]


@pytest.mark.parametrize("ref", ["builtin:groupswap-k3-mixed", "builtin:worked-mix2"])
def test_shared_memo_equals_a_fresh_computation_per_partition(ref):
    """One Propagator / routing table over many partitions (states memoised by side, cut
    states per partition; issue 12) gives the values of a fresh one per partition, in any
    order, including a partition met twice and the window propagator's shifted I."""
    from analyzer.bounds import INT, Propagator, routed_lower, routes
    from analyzer.window import FixedInputPropagator

    arch = load_spec(ref)
    st = structure(arch.substitute({"r": 4}) if arch.symbol_names else arch)
    c = st.circuit
    masks = [p.I for p in family("nodes", c, st.trees) + family("odd-even", c, st.trees)]
    masks = masks + masks[::-1]  # every partition again, in the other order
    prop, rt = Propagator(c, INT), routes(c, INT)
    fixed = c.used_mask & ~masks[0]  # hold the first node's complement fixed
    win = FixedInputPropagator(c, INT, fixed)
    for I in masks:
        assert prop.output_bound(I) == Propagator(c, INT).output_bound(I)
        if rt is not None:
            assert routed_lower(rt, I, INT) == routed_lower(routes(c, INT), I, INT)
        fresh = FixedInputPropagator(c, INT, fixed)
        assert win.output_bound(I & ~fixed) == fresh.output_bound(I & ~fixed)
    assert len(prop.memo) <= 2 * len(c.units)
