"""The symbolic and the integer evaluation paths of the bounds agree, unit by unit.

``analyzer.bounds`` runs the same rules on Python integers (concrete widths; with a hand-written
fast path for product units and for the shared-read span) and on expressions (symbolic widths:
exact posynomials in one symbol, or sympy). Substituting the symbols' values into the
symbolic result must give exactly the integer result with those widths: every ``min``/``max``
the symbolic path keeps or drops is decided for all admissible values, these included.

Checked on random small JOINED networks of the oracle strategy (tests/oracle/strategies.py:
exchanges of any s, default half exchanges, sums of two or three branches, several connections
after one layer, joins of unequal supports), each width written as an expression in ``r`` and
``q`` whose value is that width, for every unit's whole state (L, R, pi, rho), the output
bound, and the routed-tree lower bound. The same rules are also run through the symbolic
code on the concrete widths (sympy integers), which reaches the general product rule and the
symbolic shared-read span cheaply. The expected values come from the integer path, itself
checked against the exact rank of the full grid tensor by tests/oracle; this file kills
mutants that change one path only (bench/results/mutation-2026-11-30b.md).

The routed lower bound's symbolic path gives a tap that reads through two joins in a row no
source (a weaker but valid choice, analyzer.bounds.routes): there it may only be smaller.

Two rules exist on integer widths only (docs/theory.md sec. 4.3 joint spans, sec. 6.6 joint
pair sources): the paths are compared with them switched off (``shared_rules_only``), and with
them on the integer path may only be tighter (upper no larger, lower no smaller).
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from unittest import mock

import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from analyzer import SpecError, build_circuit, spec_from_dict
from analyzer.analysis import _arith_for
from analyzer.bounds import INT, SYM, Propagator, routed_lower, symbol_minima
from tests.oracle.strategies import (
    chained_architectures,
    oracle_settings,
    spec_dicts,
    subtree_partitions,
)

AGREE = oracle_settings(60, fixed=True)


def _forms(w: int, vals: dict) -> list:
    """Expressions in r and q (and the constant) whose value at ``vals`` is ``w``."""
    r, q = vals["r"], vals["q"]
    out: list = [w]
    if w == r:
        out.append("r")
    if w > r:
        out.append(f"r + {w - r}")
    if w == 2 * r:
        out.append("2*r")
    if w == q:
        out.append("q")
    if w > q:
        out.append(f"q + {w - q}")
    if w == r * q:
        out.append("r*q")
    if w == r + q:
        out.append("r + q")
    return out


def _layers(branch: dict) -> list[dict]:
    if "layers" in branch:
        return branch["layers"]
    ch = branch["channels"]
    return [
        {
            "kernel": branch["kernel"],
            "dilation": d,
            "channels": ch[i] if isinstance(ch, list) else ch,
        }
        for i, d in enumerate(branch["dilations"])
    ]


@st.composite
def symbolic_cases(draw, joined_only: bool = True):
    """(concrete spec, symbolic spec, symbol values): equal widths get one expression, so that
    joined widths stay equal as expressions."""
    spec = draw(spec_dicts(max_n=8))
    if joined_only:
        assume(spec.get("connections") or len(spec["branches"]) > 1)
    vals = {"r": draw(st.integers(1, 4)), "q": draw(st.integers(1, 3))}
    chosen: dict[int, object] = {}

    def form(w: int):
        if w not in chosen:
            chosen[w] = draw(st.sampled_from(_forms(w, vals)))
        return chosen[w]

    concrete = {**spec, "branches": []}
    sym = {**spec, "branches": []}
    sym["input_channels"] = form(spec["input_channels"])
    widths: dict[tuple[str, int], int] = {}
    for b in spec["branches"]:
        layers = _layers(b)
        concrete["branches"].append({"name": b["name"], "layers": layers})
        sym["branches"].append(
            {
                "name": b["name"],
                "layers": [{**ly, "channels": form(ly["channels"])} for ly in layers],
            }
        )
        for i, ly in enumerate(layers):
            widths[(b["name"], i + 1)] = ly["channels"]
    if spec.get("connections"):
        conns = []
        for c in spec["connections"]:
            c = dict(c)
            if "exchange" in c and draw(st.booleans()):
                w = widths[(c["branches"][0], c["after_layer"])]
                # s = w: the width's own expression (a full exchange); else s's own form
                c["exchange"] = form(w) if c["exchange"] == w else form(c["exchange"])
            conns.append(c)
        sym["connections"] = conns
    try:
        spec_from_dict(sym, source="agreement")
    except SpecError:  # an exchange count not provably <= its width: keep it concrete
        sym["connections"] = spec.get("connections", [])
        try:
            spec_from_dict(sym, source="agreement")
        except SpecError:  # a concrete count above a width expression's least value
            assume(False)
    return concrete, sym, {k: v for k, v in vals.items()}


def _value(x, vals: dict) -> int:
    if isinstance(x, int):
        return x
    e = sympy.sympify(x)
    e = e.subs({s: vals[s.name] for s in e.free_symbols})
    assert e.is_integer, (x, e)
    return int(e)


def _has_join_chain(c) -> bool:
    return any(
        u.kind in ("exchange", "sum")
        and any(c.units[ch].kind in ("exchange", "sum") for ch in u.children)
        for u in c.units
    )


def _partitions(data, c, count: int = 2) -> list[int]:
    used = c.used_positions
    out = []
    for _ in range(count):
        bits = data.draw(st.integers(1, 2 ** len(used) - 2), label="I bits")
        out.append(sum(1 << q for i, q in enumerate(used) if (bits >> i) & 1))
    return out


@contextmanager
def shared_rules_only():
    """The integer path without its integer-only rules (joint spans, joint pair sources)."""
    with (
        mock.patch.object(Propagator, "_joint", lambda self, units, I, L, R: (L, R)),
        mock.patch("analyzer.bounds.pair_sources", lambda *a, **k: None),
    ):
        yield


def _integer_path(cc, Is: list[int]) -> dict:
    """Per I: every unit's state, the output bound and the routed lower bound (integers)."""
    pint = Propagator(cc, INT)
    rt = pint.routes()
    return {
        I: (
            [pint.state(uid, I) for uid in range(len(cc.units))],
            pint.output_bound(I),
            routed_lower(rt, I, INT) if rt is not None else None,
        )
        for I in Is
    }


def check_agreement(concrete: dict, sym: dict, vals: dict, Is: list[int]) -> None:
    ca = spec_from_dict(concrete, source="agreement")
    sa = spec_from_dict(sym, source="agreement")
    used_vals = {k: v for k, v in vals.items() if k in sa.symbol_names}
    cc, sc = build_circuit(ca), build_circuit(sa)
    assert len(cc.units) == len(sc.units)
    for u, v in zip(cc.units, sc.units, strict=True):
        assert (u.kind, u.support, u.children) == (v.kind, v.support, v.children)
    arith = _arith_for(sa)  # what analyze uses: posynomials in one symbol, or sympy
    paths = [
        ("symbolic widths", Propagator(sc, arith), used_vals),
        ("sympy on the concrete widths", Propagator(cc, SYM.with_minima(symbol_minima(ca))), {}),
    ]
    with shared_rules_only():
        shared = _integer_path(cc, Is)
    full = _integer_path(cc, Is)
    chain = _has_join_chain(cc)
    for I in Is:
        want, want_out, want_low = shared[I]
        full_states, full_out, full_low = full[I]
        for w, f in zip(want, full_states, strict=True):  # integer-only rules: only tighter
            assert all(a <= b for a, b in zip(f, w, strict=True)), (I, w, f)
        assert full_out <= want_out and (want_low is None or full_low >= want_low), I
        for name, prop, vs in paths:
            # a spec without symbols runs on integers: compared without the integer-only rules
            with nullcontext() if prop.a.symbolic else shared_rules_only():
                check_path(name, prop, vs, I, want, want_out, want_low, chain, sym, concrete)


def check_path(name, prop, vs, I, want, want_out, want_low, chain, sym, concrete) -> None:
    """One evaluation path against the integer path's values at one partition I."""
    where = f"{name}: {sym if vs else concrete} values={vs} I={I:#b}"
    for uid, w in enumerate(want):
        got = tuple(_value(x, vs) for x in prop.state(uid, I))
        assert got == tuple(w), f"unit {uid} ({prop.c.units[uid].kind}) {got} != {w}: {where}"
    assert _value(prop.output_bound(I), vs) == want_out, where
    srt = prop.routes()
    assert (srt is None) == (want_low is None), where
    if want_low is not None:
        low = _value(routed_lower(srt, I, prop.a), vs)
        if chain:  # the symbolic path's weaker choice through a chain of joins
            assert 1 <= low <= want_low, where
        else:
            assert low == want_low, f"routed lower {low} != {want_low}: {where}"


@AGREE
@given(case=symbolic_cases(), data=st.data())
def test_symbolic_path_equals_integer_path_on_joined_networks(case, data):
    concrete, sym, vals = case
    c = build_circuit(spec_from_dict(concrete, source="agreement"))
    check_agreement(concrete, sym, vals, _partitions(data, c))


@pytest.mark.slow
@oracle_settings(600, fixed=False)
@given(case=symbolic_cases(), data=st.data())
def test_symbolic_path_equals_integer_path_on_joined_networks_large(case, data):
    concrete, sym, vals = case
    c = build_circuit(spec_from_dict(concrete, source="agreement"))
    check_agreement(concrete, sym, vals, _partitions(data, c, 3))


# The symbolic arithmetic on concrete widths (the code a symbolic spec runs: sympy, no
# integer-only rules) against the integer path on the oracle's chained strategy: joins in a
# row on two or three trees, exchanges of every count, regrouped trees, partitions aligned with
# the trees' nodes: every unit state, the output bound and the routed lower bound (the
# random strategy above draws joins in a row rarely).
@oracle_settings(60, fixed=True)
@given(arch=chained_architectures(), data=st.data())
def test_symbolic_arithmetic_equals_integer_path_on_joins_in_a_row(arch, data):
    spec, a, used = arch
    parts = data.draw(subtree_partitions(a, used, count=4), label="partitions")
    check_agreement(spec, spec, {}, [sum(1 << q for q in I) for I in parts])


# Networks where the shared-read span binds (two trees joined after layers 1 and 2: at layer 2
# both branches read the same join unit): rare in the random strategy, so listed here.
def _joined(first: dict, second: dict, widths_a, widths_b, M: int = 3, readout: bool = True):
    tree = {"kernel": 2, "dilations": [1, 2, 4]}
    conns = [
        {"after_layer": 1, "branches": ["A", "B"], **first},
        {"after_layer": 2, "branches": ["A", "B"], **second},
    ]
    return {
        "name": "joined-twice",
        "input_channels": M,
        "readout": readout,
        "branches": [
            {"name": "A", **tree, "channels": widths_a},
            {"name": "B", **tree, "channels": widths_b},
        ],
        "connections": conns,
    }


SUM, EXCH1 = {"mode": "sum"}, {"exchange": 1}
SHARED = [
    _joined(SUM, SUM, [3, 2, 1], [3, 2, 2]),
    _joined(EXCH1, SUM, [3, 4, 1], [3, 4, 2], M=2),
    _joined(SUM, EXCH1, [2, 3, 2], [2, 3, 1], readout=False),
    _joined(EXCH1, {"exchange": 2}, [4, 3, 3], [4, 3, 1], M=2),
    # one exchange after layer 2 (bench/mutation_witness.py: the caps and the sources' sum of
    # the span bind here)
    {
        "name": "exchange-3-after-2",
        "input_channels": 3,
        "readout": True,
        "branches": [
            {"name": "A", "kernel": 2, "dilations": [1, 2, 4], "channels": [1, 4, 1]},
            {"name": "B", "kernel": 2, "dilations": [1, 2, 4], "channels": [1, 4, 3]},
        ],
        "connections": [{"after_layer": 2, "branches": ["A", "B"], "exchange": 3}],
    },
]


def _in_r(spec: dict) -> dict:
    """The same spec with every width w written r + (w - 1) (r = 1): one symbol, posynomials."""
    out = {**spec, "input_channels": f"r + {spec['input_channels'] - 1}", "branches": []}
    for b in spec["branches"]:
        out["branches"].append({**b, "channels": [f"r + {w - 1}" for w in b["channels"]]})
    return out


@pytest.mark.parametrize("spec", SHARED, ids=range(len(SHARED)))
def test_symbolic_path_equals_integer_path_on_shared_reads(spec):
    used = build_circuit(spec_from_dict(spec, source="agreement")).used_positions
    Is = [sum(1 << q for i, q in enumerate(used) if (b >> i) & 1) for b in range(1, 255, 11)]
    check_agreement(spec, _in_r(spec), {"r": 1, "q": 1}, Is)


# The routed lower bound's symbolic code (analyzer.bounds.routed_lower) against its integer
# fast path (_int_info) on trees, sums and mixtures with widths that make every term of it bind
# somewhere: edges narrower and wider than the product of the taps' outs (widths 1 and 5 next
# to each other), read-out on and off, M 2 and 3; every 7th partition of the used positions.
ROUTED = [
    {"name": "T", "kernel": 2, "dilations": [1, 2, 4], "channels": [1, 5, 2]},
    {"name": "T", "kernel": 2, "dilations": [2, 1, 4], "channels": [5, 1, 3]},
    {"name": "T", "kernel": 2, "dilations": [1, 2, 4, 8], "channels": [2, 5, 1, 2]},
    {"name": "T", "kernel": 3, "dilations": [1, 3], "channels": [5, 2]},
]


def _routed_specs():
    out = []
    for k, br in enumerate(ROUTED):
        for M, readout in ((2, False), (3, True)):
            out.append(
                {"name": f"tree-{k}", "input_channels": M, "readout": readout, "branches": [br]}
            )
    out.append(
        {
            "name": "sum",
            "input_channels": 2,
            "branches": [ROUTED[0], {**ROUTED[1], "name": "U"}],
        }
    )
    out.append(_joined(EXCH1, SUM, [1, 5, 2], [1, 5, 3], M=2, readout=False))
    out.append(_joined({"exchange": 2}, {"exchange": 3}, [4, 5, 1], [4, 5, 2], M=3))
    return out


@pytest.mark.parametrize("spec", _routed_specs(), ids=lambda s: s["name"])
def test_symbolic_routed_lower_equals_integer(spec):
    c = build_circuit(spec_from_dict(spec, source="agreement"))
    used = c.used_positions
    rt_int = Propagator(c, INT).routes()
    rt_full = Propagator(c, INT).routes()  # its own memo: the routes cache per partition
    rt_sym = Propagator(c, SYM.with_minima({})).routes()
    assert rt_int is not None and rt_sym is not None
    for b in range(1, 2 ** len(used) - 1, 7):
        I = sum(1 << q for i, q in enumerate(used) if (b >> i) & 1)
        with shared_rules_only():
            want = routed_lower(rt_int, I, INT)
        assert routed_lower(rt_full, I, INT) >= want  # with the integer-only rules
        got = int(routed_lower(rt_sym, I, SYM))
        if _has_join_chain(c):
            assert 1 <= got <= want
        else:
            assert got == want, f"{spec} I={I:#b}: symbolic {got}, integer {want}"


# Cases found by bench/mutation_witness.py --agree for mutants of the symbolic code that the
# random cases above missed (each: spec, partitions I as position lists)
WITNESSES = [
    # the general product rule: pi = min(prod rho, L, R) with R left out (an exchange of one
    # channel after layer 1, widths 3 and 4 above it)
    (
        {
            "name": "prod-pi-R",
            "input_channels": 2,
            "readout": False,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 1], "channels": 3},
                {"name": "B", "kernel": 2, "dilations": [1, 1], "channels": [3, 4]},
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 1}],
        },
        [[0, 2]],
    ),
    # the general product rule: L, R = min(L, r pi), ... with r pi left out of L (the same
    # network, a width-1 unit above the exchange in A)
    (
        {
            "name": "prod-L-r-pi",
            "input_channels": 2,
            "readout": False,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 1], "channels": [3, 1]},
                {"name": "B", "kernel": 2, "dilations": [1, 1], "channels": 3},
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"], "exchange": 1}],
        },
        [[0, 2]],
    ),
    # the general product rule: rho = min(L, R, r pi) with r pi written r + pi (a sum after
    # layer 1 of two kernel-3 units of width 4)
    (
        {
            "name": "prod-rho-r-pi",
            "input_channels": 2,
            "readout": False,
            "branches": [
                {
                    "name": "A",
                    "layers": [
                        {"kernel": 3, "dilation": 1, "channels": 4},
                        {"kernel": 2, "dilation": 3, "channels": 2},
                    ],
                },
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 3, "dilation": 1, "channels": 4},
                        {"kernel": 3, "dilation": 1, "channels": 1},
                        {"kernel": 2, "dilation": 1, "channels": 1},
                    ],
                },
            ],
            "connections": [{"after_layer": 1, "branches": ["A", "B"], "mode": "sum"}],
        },
        [[2, 4, 5]],
    ),
    # the general product rule: R = min(capJ, prod R, r pi) without capJ (three branches, two
    # default half exchanges after layer 1, a kernel-3 unit reading both)
    (
        {
            "name": "prod-R-cap",
            "input_channels": 3,
            "readout": False,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 1], "channels": [2, 4]},
                {
                    "name": "B",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 2},
                        {"kernel": 2, "dilation": 2, "channels": 1},
                        {"kernel": 3, "dilation": 1, "channels": 4},
                    ],
                },
                {
                    "name": "C",
                    "layers": [
                        {"kernel": 2, "dilation": 1, "channels": 2},
                        {"kernel": 3, "dilation": 1, "channels": 4},
                    ],
                },
            ],
            "connections": [
                {"after_layer": 1, "branches": ["A", "B"]},
                {"after_layer": 1, "branches": ["A", "C"]},
            ],
        },
        [[0, 2, 3, 4, 5]],
    ),
]


@pytest.mark.parametrize("spec,parts", WITNESSES, ids=[w[0]["name"] for w in WITNESSES])
def test_symbolic_path_equals_integer_path_witnesses(spec, parts):
    check_agreement(spec, spec, {}, [sum(1 << q for q in I) for I in parts])
