"""Property tests of the rank bounds (analyzer/bounds.py through analyzer.analyze).

Random small trees (k in {2, 3}, permuted dilations, gapped), sums of trees and mixed networks,
widths 1..4, M 1..4; random partitions I | J of the used modes.
"""

from __future__ import annotations

import copy

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import analyze, build_circuit, spec_from_dict

# ------------------------------------------------------------------ random architectures
# Trees use a permutation of the dilations 1, k, k^2, ... (spread to k^(2i): gapped trees);
# mixed networks join two k-ary trees whose first ``after`` layers use the same set of
# dilations, so the joined units have equal supports (mixture nodes).
WIDTHS = st.integers(1, 4)


@st.composite
def tree_branch(draw, name: str, k: int | None = None, max_n: int = 27):
    k = k or draw(st.sampled_from([2, 3]))
    spread = draw(st.sampled_from([1, 1, 2]))  # 2: gapped tree
    max_depth = {(2, 1): 4, (2, 2): 3, (3, 1): 3, (3, 2): 2}[(k, spread)]
    depth = draw(st.integers(1, max_depth))
    while k**depth > max_n and depth > 1:
        depth -= 1
    dil = draw(st.permutations([k ** (spread * i) for i in range(depth)]))
    widths = [draw(WIDTHS) for _ in range(depth)]
    return {"name": name, "kernel": k, "dilations": list(dil), "channels": widths}


@st.composite
def mixed_spec(draw, max_depth: int = 4):
    k = draw(st.sampled_from([2, 2, 3]))
    depth = draw(st.integers(2, min(max_depth, 4 if k == 2 else 3)))
    after = draw(st.integers(1, depth - 1))
    low = [k**i for i in range(after)]
    high = [k**i for i in range(after, depth)]
    dils = [list(draw(st.permutations(low))) + list(draw(st.permutations(high))) for _ in range(2)]
    widths = [[draw(WIDTHS) for _ in range(depth)] for _ in range(2)]
    conn: dict = {"after_layer": after, "branches": ["T", "Tp"]}
    mode = draw(st.sampled_from(["half", "exchange", "sum"]))
    if mode == "half":
        w = draw(st.sampled_from([2, 4]))
    else:
        w = draw(WIDTHS)
    widths[0][after - 1] = widths[1][after - 1] = w
    if mode == "exchange":
        conn["exchange"] = draw(st.integers(1, w))
    elif mode == "sum":
        conn["mode"] = "sum"
    branches = [
        {"name": n, "kernel": k, "dilations": d, "channels": ws}
        for n, d, ws in zip(("T", "Tp"), dils, widths, strict=True)
    ]
    return {
        "name": "mixed",
        "input_channels": draw(st.integers(1, 4)),
        "branches": branches,
        "connections": [conn],
    }


@st.composite
def tree_spec(draw):
    return {
        "name": "tree",
        "input_channels": draw(st.integers(1, 4)),
        "branches": [draw(tree_branch("A"))],
    }


@st.composite
def sum_spec(draw):
    k = draw(st.sampled_from([2, 3]))
    return {
        "name": "sum",
        "input_channels": draw(st.integers(1, 4)),
        "branches": [draw(tree_branch("A", k, max_n=16)), draw(tree_branch("B", k, max_n=16))],
    }


any_spec = st.one_of(tree_spec(), sum_spec(), mixed_spec())


def uniform(spec: dict, draw_width: int) -> dict:
    """The same spec with every width equal (Theorem 7's setting)."""
    out = copy.deepcopy(spec)
    for b in out["branches"]:
        b["channels"] = draw_width
    for c in out.get("connections", []):
        if "exchange" in c:
            c["exchange"] = min(c["exchange"], draw_width)
        elif c.get("mode") != "sum" and draw_width % 2:
            c["mode"] = "sum"
    return out


def width_sites(spec: dict) -> list[tuple]:
    """Every place a width can be increased: ("M",) or (branch index, layer index)."""
    sites: list[tuple] = [("M",)]
    for bi, b in enumerate(spec["branches"]):
        sites += [(bi, li) for li in range(len(b["dilations"]))]
    return sites


def bump(spec: dict, site: tuple) -> dict:
    """Increase one width (both joined widths at a connection; by 2 for a default half exchange)."""
    out = copy.deepcopy(spec)
    if site == ("M",):
        out["input_channels"] += 1
        return out
    bi, li = site
    step = 1
    joined = [bi]
    for c in out.get("connections", []):
        if c["after_layer"] - 1 == li:
            joined = [0, 1]
            if c.get("mode") != "sum" and "exchange" not in c:
                step = 2
    for b in joined:
        out["branches"][b]["channels"][li] += step
    return out


PROPS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def draw_I(data, arch) -> list[int]:
    used = build_circuit(arch).used_positions
    n = len(used)
    bits = data.draw(st.integers(1, 2**n - 2), label="I bits") if n > 1 else 0
    return [p for i, p in enumerate(used) if (bits >> i) & 1]


def bounds(arch, I):
    return analyze(arch, partitions=[I]).partitions[0]


def complement(arch, I):
    return [p for p in build_circuit(arch).used_positions if p not in I]


FIELDS = (
    "upper",
    "lower",
    "propagation",
    "theorem7_upper",
    "theorem7_lower",
    "claim5_lower",
    "hybrid_pairs",
    "upper_source",
    "lower_source",
)


@PROPS
@given(spec=any_spec, data=st.data())
def test_complement_gets_the_same_bounds(spec, data):
    arch = spec_from_dict(spec)
    I = draw_I(data, arch)
    if not I:
        return
    a, b = bounds(arch, I), bounds(arch, complement(arch, I))
    for f in FIELDS:
        assert getattr(a, f) == getattr(b, f), f


@PROPS
@given(spec=any_spec, data=st.data())
def test_lower_le_upper_le_trivial_cap(spec, data):
    arch = spec_from_dict(spec)
    I = draw_I(data, arch)
    if not I:
        return
    p = bounds(arch, I)
    M = spec["input_channels"]
    n = len(build_circuit(arch).used_positions)
    assert 1 <= p.lower <= p.upper <= M ** min(len(I), n - len(I))
    assert p.upper <= int(p.propagation)
    if p.theorem7_upper is not None:
        assert int(p.theorem7_lower) <= int(p.theorem7_upper)
        assert p.upper <= int(p.theorem7_upper)
    if p.claim5_lower is not None:
        assert int(p.claim5_lower) <= p.upper


@PROPS
@given(spec=st.one_of(tree_spec(), sum_spec()), width=st.integers(1, 4), data=st.data())
def test_propagation_never_exceeds_theorem7_upper(spec, width, data):
    arch = spec_from_dict(uniform(spec, width))
    I = draw_I(data, arch)
    if not I:
        return
    p = bounds(arch, I)
    if p.theorem7_upper is None:  # a kernel-3 or depth-1 branch: Theorem 7 does not apply
        assert any(b["kernel"] != 2 or len(b["dilations"]) == 1 for b in spec["branches"])
        return
    assert int(p.propagation) <= int(p.theorem7_upper)
    assert int(p.theorem7_lower) <= int(p.propagation)


@PROPS
@given(spec=any_spec, data=st.data())
def test_bounds_monotone_in_every_width_and_M(spec, data):
    arch = spec_from_dict(spec)
    I = draw_I(data, arch)
    if not I:
        return
    site = data.draw(st.sampled_from(width_sites(spec)), label="site")
    bigger = spec_from_dict(bump(spec, site))
    p, q = bounds(arch, I), bounds(bigger, I)
    assert q.upper >= p.upper, (site, p.upper, q.upper)
    assert q.lower >= p.lower, (site, p.lower, q.lower)
    assert int(q.propagation) >= int(p.propagation)


# ------------------------------------------------------------------ symbolic = numeric
@st.composite
def symbolic_spec(draw):
    """A concrete spec, the symbol values, and the same spec with widths written in r and q."""
    spec = draw(st.one_of(tree_spec(), mixed_spec_small()))
    vals = {"r": draw(st.integers(1, 4)), "q": draw(st.integers(1, 3))}

    def forms(w: int) -> list[str | int]:
        out: list[str | int] = [w]
        r, q = vals["r"], vals["q"]
        if w == r:
            out.append("r")
        if w > r:
            out.append(f"r + {w - r}")
        if w == 2 * r:
            out.append("2*r")
        if w == q:
            out.append("q")
        if w == r * q:
            out.append("r*q")
        return out

    sym = {**spec, "branches": [dict(b) for b in spec["branches"]]}
    sym["input_channels"] = draw(st.sampled_from(forms(spec["input_channels"])))
    conn_layers = {c["after_layer"] - 1 for c in spec.get("connections", [])}
    shared: dict[int, str | int] = {}
    for b in sym["branches"]:
        ch = []
        for li, w in enumerate(b["channels"]):
            if li in conn_layers:  # joined widths: the same expression in both branches
                shared.setdefault(li, draw(st.sampled_from(forms(w))))
                ch.append(shared[li])
            else:
                ch.append(draw(st.sampled_from(forms(w))))
        b["channels"] = ch
    return spec, sym, vals


def mixed_spec_small():
    # depth <= 3: symbolic mixed networks of depth 4 with several symbols take seconds to tens
    # of seconds per partition (nested Min/Max that sympy cannot decide), too slow for the suite
    return mixed_spec(max_depth=3)


@settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(case=symbolic_spec(), data=st.data())
def test_symbolic_bound_substituted_equals_numeric(case, data):
    spec, sym, vals = case
    concrete = spec_from_dict(spec)
    symbolic = spec_from_dict(sym)
    I = draw_I(data, concrete)
    if not I:
        return
    num = bounds(concrete, I)
    s = bounds(symbolic, I)
    used = {k: v for k, v in vals.items() if k in symbolic.symbol_names}

    def value(text: str) -> int:
        e = sympy.parse_expr(text, evaluate=False)  # evaluating nested Min/Max is slow
        e = e.subs({x: used[x.name] for x in e.free_symbols})
        assert e.is_integer, (text, e)
        return int(e)

    if len(spec["branches"]) == 1:
        assert value(s.upper_symbolic) == num.upper
        assert value(s.lower_symbolic) == num.lower
        assert value(s.propagation) == int(num.propagation)
    else:  # joint spans and joint pair sources (theory.md sec. 4.3, 6.6) run on integers only
        assert value(s.upper_symbolic) >= num.upper
        assert value(s.lower_symbolic) <= num.lower
        assert value(s.propagation) >= int(num.propagation)
    for f in ("theorem7_upper", "theorem7_lower", "claim5_lower"):
        # applicability may differ: widths [2, r] are uniform only once r = 2
        a, b = getattr(s, f), getattr(num, f)
        if a is not None and b is not None:
            assert value(a) == int(b), f
    # the API's values= keyword gives the numbers directly
    direct = analyze(symbolic, partitions=[I], values=used).partitions[0]
    assert (direct.upper, direct.lower) == (num.upper, num.lower)
