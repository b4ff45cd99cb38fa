"""analyzer/circuit.py: supports, receptive field, used modes and branch kinds."""

from __future__ import annotations

import pytest

from analyzer import build_circuit, load_spec, spec_from_dict
from analyzer.circuit import branch_kind, branch_offsets, mask_of, positions_of


def one_branch(dilations, kernel=2, channels=2, M=2):
    return spec_from_dict(
        {
            "name": "x",
            "input_channels": M,
            "branches": [
                {"name": "A", "kernel": kernel, "dilations": dilations, "channels": channels}
            ],
        }
    )


def test_masks_round_trip():
    assert mask_of([0, 2, 5]) == 0b100101
    assert positions_of(0b100101) == [0, 2, 5]
    assert positions_of(0) == [] and mask_of([]) == 0


def test_mask_helpers_are_their_definitions():
    """mask_of, positions_of, mask_runs and fmt_mask against bit-by-bit definitions, on ranges
    of every length (the one-operation path for ranges) and on random position sets."""
    import random

    from analyzer.circuit import fmt_mask, mask_runs

    def bits(positions):
        return sum(1 << p for p in set(positions))

    def runs(positions):  # maximal runs of consecutive positions, by a scan
        out = []
        for p in sorted(positions):
            if out and out[-1][1] == p:
                out[-1][1] = p + 1
            else:
                out.append([p, p + 1])
        return [tuple(r) for r in out]

    for a in range(0, 70, 3):
        for b in range(a, a + 70):  # every length, 0 and 1 included
            for step in (1, 2, 3):
                assert mask_of(range(a, b, step)) == bits(range(a, b, step)), (a, b, step)
    rng = random.Random(3)
    for _ in range(300):
        ps = rng.sample(range(130), rng.randint(0, 40))
        m = mask_of(ps)
        assert m == bits(ps) and positions_of(m) == sorted(ps)
        assert mask_runs(m) == runs(ps)
        parts = [
            str(x) if y - x == 1 else f"{x},{x + 1}" if y - x == 2 else f"{x}..{y - 1}"
            for x, y in runs(ps)
        ]
        want = "{" + ",".join(parts) + "}"
        assert fmt_mask(m, None) == want
        if len(parts) > 12:
            elided = "{" + ",".join(parts[:4] + ["..."] + parts[-2:]) + "}"
            assert fmt_mask(m) == f"{elided} ({len(parts)} runs)"
        else:
            assert fmt_mask(m) == want


@pytest.mark.parametrize(
    ("dilations", "kernel", "kind", "N"),
    [
        ([1, 2, 4], 2, "tree", 8),
        ([2, 1, 4], 2, "tree", 8),
        ([4, 2, 1], 2, "tree", 8),
        ([1, 3], 3, "tree", 9),
        ([3, 1], 3, "tree", 9),
        ([1, 4], 2, "gapped", 6),
        ([1, 4, 16], 2, "gapped", 22),
        ([1, 1], 2, "overlapping", 3),
        ([1, 2, 4, 1, 2, 4], 2, "overlapping", 15),
    ],
)
def test_kinds_and_receptive_field(dilations, kernel, kind, N):
    arch = one_branch(dilations, kernel)
    b = arch.branches[0]
    assert branch_kind(b) == kind
    assert b.receptive_field == N == 1 + sum((kernel - 1) * d for d in dilations)
    c = build_circuit(arch)
    assert c.N == N and c.kinds == (kind,)


def test_gapped_used_positions():
    # theory.md: dilations 1, 4 with k = 2 use {0,1,4,5} of N = 6
    c = build_circuit(one_branch([1, 4]))
    assert c.used_positions == [0, 1, 4, 5]
    assert sorted(set(branch_offsets(one_branch([1, 4]).branches[0]))) == [0, 1, 4, 5]


def test_baseline_supports_are_blocks():
    # dilations 2^(l-1): the units of layer l see blocks of 2^l consecutive positions
    c = build_circuit(one_branch([1, 2, 4, 8]))
    for u in c.units:
        if u.kind == "prod":
            ps = positions_of(u.support)
            assert len(ps) == 2**u.layer and ps == list(range(ps[0], ps[0] + len(ps)))
            assert ps[0] % len(ps) == 0
    assert c.units[c.outputs[0]].support == (1 << 16) - 1


def test_swapped_supports_are_strided():
    # T' = (2, 1, 4): layer-1 units pair positions two apart, layer 2 is a block of 4
    c = build_circuit(one_branch([2, 1, 4]))
    sups = {u.layer: set() for u in c.units if u.kind == "prod"}
    for u in c.units:
        if u.kind == "prod":
            sups[u.layer].add(tuple(positions_of(u.support)))
    assert sups[1] == {(0, 2), (1, 3), (4, 6), (5, 7)}
    assert sups[2] == {(0, 1, 2, 3), (4, 5, 6, 7)}


def test_mixed_circuit_joins_and_exchange_units():
    c = build_circuit(load_spec("builtin:worked-mix2"))
    assert c.valid_connections and c.multilinear
    (join,) = c.joins
    assert [positions_of(c.units[pre[0]].support) for _, pre, _ in join] == [
        [4, 5, 6, 7],
        [0, 1, 2, 3],
    ]
    ex = [u for u in c.units if u.kind == "exchange"]
    assert len(ex) == 4 and all(u.s == 1 for u in ex)
    assert len(c.outputs) == 2


def test_sum_connection_builds_a_shared_unit():
    c = build_circuit(load_spec("builtin:worked-mix2-sum"))
    sums = [u for u in c.units if u.kind == "sum"]
    assert len(sums) == 2 and all(len(u.children) == 2 for u in sums)


def test_overlapping_is_not_multilinear():
    c = build_circuit(load_spec("builtin:wavenet-overlapping"))
    assert c.kinds == ("overlapping",) and not c.multilinear
    assert c.used_positions == list(range(15))


def test_branches_of_different_receptive_fields_share_positions():
    arch = spec_from_dict(
        {
            "name": "x",
            "input_channels": 2,
            "branches": [
                {"name": "A", "dilations": [1, 2], "channels": 2},
                {"name": "B", "dilations": [1, 2, 4], "channels": 2},
            ],
        }
    )
    c = build_circuit(arch)
    assert c.N == 8 and c.used_positions == list(range(8))
    assert positions_of(c.units[c.outputs[0]].support) == [4, 5, 6, 7]  # x[t-3..t]


@pytest.mark.parametrize(
    ("dilations", "kernel", "units"),
    [
        ([1, 2, 4], 2, 8 + 4 + 2 + 1),  # a tree: k^L leaves, k^(L-l) units at layer l
        ([4, 1, 2], 2, 8 + 4 + 2 + 1),
        ([1, 2, 4, 8, 16], 2, 32 + 16 + 8 + 4 + 2 + 1),
        ([1, 3], 3, 9 + 3 + 1),
        ([1, 4], 2, 4 + 2 + 1),  # gapped: 4 used positions of N = 6
        ([1, 4, 16], 2, 8 + 4 + 2 + 1),
    ],
)
def test_size_estimate_is_exact_for_one_tree(dilations, kernel, units):
    """estimate_size bounds the units from above by min(N, prod of the kernels above a layer)
    per layer: for one (gapped) tree every unit of that cone is distinct, so the bound is the
    count itself (derived by hand here), and the circuit has exactly that many units."""
    from analyzer.circuit import estimate_size

    arch = one_branch(dilations, kernel)
    c = build_circuit(arch)
    assert len(c.units) == units
    assert estimate_size(arch)[0] == units
    # layer by layer (the inputs are layer 0; checks.guards sizes verify's memory from this)
    L = len(dilations)
    per_layer = [sum(1 for u in c.units if u.layer == layer) for layer in range(L + 1)]
    assert per_layer[1:] == [kernel ** (L - layer) for layer in range(1, L + 1)]
    assert per_layer[0] == len(c.used_positions) == sum(u.kind == "input" for u in c.units)


def test_size_estimate_bounds_joined_and_overlapping_circuits():
    from analyzer.circuit import estimate_size

    for ref in ("builtin:worked-mix2", "builtin:worked-mix2-sum", "builtin:wavenet-overlapping"):
        arch = load_spec(ref)
        assert estimate_size(arch)[0] >= len(build_circuit(arch).units), ref
    # exchange after layer 2 of T = (1, 2, 4) and T' = (2, 1, 4): layer 3: 1 + 1; layer 2:
    # both read by a dilation-4 layer, the same offsets {0, 4} (counted once): 2 + 2, plus two
    # exchange units per offset; layer 1: 4 + 4; the 8 inputs: 26, the exact count
    assert estimate_size(load_spec("builtin:worked-mix2"))[0] == 2 + 4 + 4 + 8 + 8 == 26


def test_branch_kind_is_its_definition_on_every_small_branch():
    """theory.md sec. 1, by brute force: the offsets sum_l j_l d_l (0 <= j_l < k_l) listed with
    itertools; overlapping when two coincide, gapped when they are fewer than the receptive
    field 1 + sum (k_l - 1) d_l, a tree otherwise. Every kernel 2..3, dilations 1..6, 1..3
    layers (e.g. k = 2, d = (1, 3): offsets {0, 1, 3, 4} of N = 5, gapped)."""
    import itertools
    from types import SimpleNamespace

    for k in (2, 3):
        for depth in (1, 2, 3):
            for dil in itertools.product(range(1, 7), repeat=depth):
                offs = [
                    sum(j * d for j, d in zip(js, dil, strict=True))
                    for js in itertools.product(range(k), repeat=depth)
                ]
                N = 1 + sum((k - 1) * d for d in dil)
                if len(set(offs)) < len(offs):
                    want = "overlapping"
                else:
                    want = "gapped" if len(offs) < N else "tree"
                layers = [SimpleNamespace(kernel=k, dilation=d) for d in dil]
                assert branch_kind(SimpleNamespace(layers=layers)) == want, (k, dil)


def test_size_estimate_bounds_the_masks_memory_and_counts_join_layers():
    """The byte estimate bounds the memory of the support masks actually built (sys.getsizeof
    of each unit's mask), small circuits included; a join after layer 1 adds two units per
    joined time offset (4 offsets of 8 positions), each branch counted alone (15 units)."""
    import sys

    from analyzer.circuit import estimate_size

    for ref in ("builtin:worked-T", "builtin:worked-mix2", "builtin:wavenet-gapped"):
        arch = load_spec(ref)
        masks = sum(sys.getsizeof(u.support) for u in build_circuit(arch).units)
        assert estimate_size(arch)[1] >= masks, ref
    big = one_branch([1, 2, 4, 8, 16, 32, 64, 128, 256, 512])  # N = 1024: 128-byte masks
    masks = sum(sys.getsizeof(u.support) for u in build_circuit(big).units)
    assert estimate_size(big)[1] >= masks
    spec = {
        "name": "x",
        "input_channels": 2,
        "branches": [
            {"name": "T", "dilations": [1, 2, 4], "channels": 2},
            {"name": "U", "dilations": [1, 4, 2], "channels": 2},
        ],
        "connections": [{"after_layer": 1, "branches": ["T", "U"]}],
    }
    arch = spec_from_dict(spec)
    assert len(build_circuit(arch).units) == 8 + 7 + 7 + 2 * 4
    # layer 3: 1 + 1; layer 2: 2 + 2; layer 1: 4 + 4 offsets of different descriptions (read
    # through dilations 2, 4 and 4, 2), so the union is bounded by 8 for each, plus 2 x 8
    # exchange units; inputs: min(8, 2 x 8 x 2)
    assert estimate_size(arch)[0] == 2 + 4 + 16 + 16 + 8


def test_join_of_different_supports_names_both_in_branch_order():
    """T = (1, 2, 4) and T' = (2, 1, 4) joined after layer 1. Each branch computes the layer-1
    units at the offsets either needs ({0, 2, 4, 6} and {0, 1, 4, 5}); T''s at offset 6 reads
    offset 8, so N = 9 and offset o is position 8 - o. At offset 0 T's unit reads offsets 0, 1
    (positions {7, 8}), T''s offsets 0, 2 (positions {6, 8}): named in branch order."""
    from analyzer import SpecError

    spec = {
        "name": "x",
        "input_channels": 2,
        "branches": [
            {"name": "T", "dilations": [1, 2, 4], "channels": 2},
            {"name": "Tp", "dilations": [2, 1, 4], "channels": 2},
        ],
        "connections": [{"after_layer": 1, "branches": ["T", "Tp"]}],
    }
    with pytest.raises(SpecError, match="not a mixture node") as ei:
        build_circuit(spec_from_dict(spec))
    assert "after layer 1 at time offset 0" in str(ei.value)
    assert "({7,8} vs {6,8})" in str(ei.value)


def test_size_estimate_bounds_joins_of_branches_with_different_kernels():
    """A (k = 2, d = 1, 2, 4) joined after layer 1 with B (k = 2, 3, 3; d = 1, 2, 6): B's
    layer-1 units at the offsets A needs, and A's at the offsets B needs, are all built."""
    from analyzer.circuit import estimate_size

    layers = [{"kernel": k, "dilation": d, "channels": 2} for k, d in [(2, 1), (3, 2), (3, 6)]]
    spec = {
        "name": "x",
        "input_channels": 2,
        "branches": [
            {"name": "A", "dilations": [1, 2, 4], "channels": 2},
            {"name": "B", "layers": layers},
        ],
        "connections": [{"after_layer": 1, "branches": ["A", "B"]}],
    }
    arch = spec_from_dict(spec)
    # 61 units; the estimate counted each branch's own cone (54) before the fix
    assert estimate_size(arch)[0] >= len(build_circuit(arch).units) == 61


def test_size_estimate_bounds_random_joined_networks():
    """estimate_size >= the units actually built, on random networks of 2-3 branches with
    kernels 2-3 per layer, dilations 1-6, depths 1-4, and 1-2 connections (exchange or sum,
    with allow_overlap, so that joins of unequal supports are built too)."""
    import random

    from analyzer import SpecError
    from analyzer.circuit import estimate_size

    rng = random.Random(7)
    checked = 0
    while checked < 150:
        nb = rng.choice([2, 2, 3])
        branches = []
        for i in range(nb):
            layers = [
                {"kernel": rng.choice([2, 3]), "dilation": rng.randint(1, 6), "channels": 2}
                for _ in range(rng.randint(1, 4))
            ]
            branches.append({"name": f"B{i}", "layers": layers})
        conns = []
        for _ in range(rng.randint(1, 2)):
            a, b = rng.sample(range(nb), 2)
            top = min(len(branches[a]["layers"]), len(branches[b]["layers"])) - 1
            if top < 1:
                continue
            mode = rng.choice(["exchange", "sum"])
            conns.append(
                {
                    "after_layer": rng.randint(1, top),
                    "branches": [f"B{a}", f"B{b}"],
                    "mode": mode,
                    "allow_overlap": True,
                }
            )
        spec = {"name": "r", "input_channels": 2, "branches": branches, "connections": conns}
        try:
            arch = spec_from_dict(spec)
            c = build_circuit(arch)
        except SpecError:
            continue
        units, nbytes = estimate_size(arch)
        assert units >= len(c.units), spec
        assert nbytes >= len(c.units) * (c.N // 8), spec  # N-bit masks, N of the circuit
        checked += 1


def test_size_estimate_bounds_every_mask_above_4300_positions():
    """Per unit, the byte estimate is at least the largest support mask actually built, also
    where CPython's 4 bytes per 30-bit digit outgrow N / 8 + 64 bytes (N > about 4300): a tree
    of 8192 positions, and a join that makes a circuit of 2^20 + 1 positions (below)."""
    import sys

    from analyzer.circuit import estimate_size

    arch = one_branch([2**j for j in range(13)])  # N = 8192
    c = build_circuit(arch)
    assert c.N == 8192
    units, nbytes = estimate_size(arch)
    largest = max(sys.getsizeof(u.support) for u in c.units)
    assert largest > 8192 // 8 + 64  # the case the old rate missed
    assert nbytes >= units * largest >= len(c.units) * largest


def test_size_estimate_follows_a_join_beyond_the_receptive_field():
    """A = (1, 2^19) and B = (2^19, 1) (receptive fields 2^19 + 2) joined after layer 1 with
    allow_overlap: B computes its layer-1 unit at A's offset 2^19 too, which reads offset 2^20:
    the circuit has N = 2^20 + 1 positions, and its masks that many bits."""
    import sys

    from analyzer.circuit import estimate_size

    spec = {
        "name": "x",
        "input_channels": 2,
        "branches": [
            {"name": "A", "dilations": [1, 2**19], "channels": 2},
            {"name": "B", "dilations": [2**19, 1], "channels": 2},
        ],
        "connections": [{"after_layer": 1, "branches": ["A", "B"], "allow_overlap": True}],
    }
    arch = spec_from_dict(spec)
    c = build_circuit(arch)
    assert arch.receptive_field == 2**19 + 2 and c.N == 2**20 + 1
    units, nbytes = estimate_size(arch)
    assert units >= len(c.units)
    assert nbytes >= sum(sys.getsizeof(u.support) for u in c.units)
    assert nbytes >= units * max(sys.getsizeof(u.support) for u in c.units)
