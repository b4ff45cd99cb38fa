"""Look for a witness that kills a surviving mutant of analyzer/bounds.py (bench/mutation.py).

A survivor either changes no bound on any network (equivalent), or changes one that the tests
never look at. This script loads the mutated ``analyzer/bounds.py`` as a separate module (the
worktree is not touched), evaluates the original and the mutated integer bounds on a corpus of
random (spec, I) cases of the oracle strategy (tests/oracle/strategies.py), and for every case
where they differ computes the generic rank of the full grid tensor (tests/oracle/oracle.py):

* ``UNSOUND``: the mutant's upper bound is below the rank (or its lower bound above it): a
  regression example for ``REGRESSIONS``;
* ``TIGHT``: the original upper bound equals the rank and the mutant's differs: a tightness
  witness for ``TIGHT`` (a sound improvement of a rule can never break it);
* ``AGREE``: only the symbolic path changes: the symbolic = integer agreement test
  (tests/analyzer/test_bounds_agreement.py) must see it (run it in a mutated copy instead).

Usage::

    python bench/mutation_witness.py INDEX [INDEX ...] [--examples 3000] [--max-n 10]

INDEX as printed by ``python bench/mutation.py --file analyzer/bounds.py --list``. Prints the
smallest witness found per mutant (fewest used positions), or that none was found in the corpus
(then the mutant is either equivalent or needs a hand-made case). Not part of the test run.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


SHARED = False  # --shared: the integer-only rules off in the original and in every mutant


TARGET = "analyzer/bounds.py"  # --target: the file whose mutants are loaded


def _module(name: str, src: str, label: str):
    spec = importlib.util.spec_from_loader(name, loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "analyzer"
    sys.modules[spec.name] = mod  # dataclasses look their module up
    exec(compile(src, label, "exec"), mod.__dict__)
    return mod


def load_mutant(index: int):
    """A module with the API of analyzer.bounds, with mutant ``index`` of ``TARGET`` applied
    (imported as a sibling of the package's modules; the worktree is not touched). For a
    mutant of analyzer/spans.py or analyzer/pairsources.py: the mutated module, and a copy of
    the original bounds.py that imports it instead of the original."""
    from bench.mutation import TARGETS, mutated_source

    src = mutated_source(TARGET, TARGETS.get(TARGET), index)
    if TARGET == "analyzer/bounds.py":
        mod = _module(f"analyzer._bounds_mutant_{index}", src, f"<bounds mutant {index}>")
    else:
        stem = Path(TARGET).stem
        name = f"_{stem}_mutant_{index}"
        _module(f"analyzer.{name}", src, f"<{stem} mutant {index}>")
        bounds = (ROOT / "analyzer" / "bounds.py").read_text()
        bounds = bounds.replace(f"from .{stem} import", f"from .{name} import")
        mod = _module(f"analyzer._bounds_with{name}", bounds, f"<bounds with {stem} {index}>")
    if SHARED:
        shared_rules_only(mod)
    return mod


def corpus(examples: int, max_n: int, seed: int = 0) -> list[tuple[dict, list[list[int]]]]:
    """(spec, partitions) cases of the oracle strategy, a fixed sample."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.oracle.strategies import architectures
    from tests.oracle.test_oracle_bounds import partitions_of

    out: list = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(arch=architectures(max_n=max_n), data=st.data())
    def collect(arch, data):
        spec, _, used = arch
        parts = data.draw(partitions_of(used, count=3))
        # and the complements: partitions_of keeps used[0] in J (rank [A]_I = rank [A]_J), but
        # the code is not symmetric (memo keys per side): a mutant may differ on one side only
        parts += [[q for q in used if q not in I] for I in parts]
        out.append((spec, parts))

    collect()
    return out


def joined_corpus(seed: int = 0, count: int = 400) -> list[tuple[dict, list[list[int]]]]:
    """Two 3-layer kernel-2 trees joined after layers 1 and 2 (the shared-read spans bind only
    there: a unit reading a join, read again by the next join), random widths, exchange counts
    and modes, every partition of the 8 positions."""
    import random

    rng = random.Random(seed)
    out = []
    parts = [[q for q in range(8) if (b >> q) & 1] for b in range(1, 255, 3)]  # 0 in I or J
    for _ in range(count):
        w = [rng.randint(1, 4) for _ in range(3)]
        wb = [w[0], w[1], rng.randint(1, 4)]
        conns = []
        for layer in (1, 2):
            mode = rng.choice(["exchange", "sum", "none"])
            if mode == "exchange":
                conns.append(
                    {
                        "after_layer": layer,
                        "branches": ["A", "B"],
                        "exchange": rng.randint(1, w[layer - 1]),
                    }
                )
            elif mode == "sum":
                conns.append({"after_layer": layer, "branches": ["A", "B"], "mode": "sum"})
        dil_b = [1, 2, 4] if rng.random() < 0.5 else [2, 1, 4]
        spec = {
            "name": "joined",
            "input_channels": rng.choice([2, 3]),
            "readout": rng.random() < 0.5,
            "branches": [
                {"name": "A", "kernel": 2, "dilations": [1, 2, 4], "channels": w},
                {"name": "B", "kernel": 2, "dilations": dil_b, "channels": wb},
            ],
        }
        if dil_b != [1, 2, 4]:
            conns = [c for c in conns if c["after_layer"] == 2]
        if not conns:
            continue
        spec["connections"] = conns
        out.append((spec, parts))
    return out


def chained_corpus(seed: int = 0, count: int = 1000) -> list[tuple[dict, list[list[int]]]]:
    """Two or three kernel-2 trees of depth 3 or 4 (N = 8 or 16), joined after every inner layer
    at random: exchanges of one, some or all channels, sums, and with three branches joins in a
    row after one layer (a join reading a join) and a sum of all three; twelve random
    partitions each. The oracle strategy rarely builds these; the witnesses of
    ``test_symbolic_path_attains_rank`` came from here."""
    import random

    from analyzer import SpecError, spec_from_dict

    rng = random.Random(seed)
    out = []
    while len(out) < count:
        depth = rng.choice([3, 3, 4])
        M = rng.choice([2, 2, 3]) if depth == 3 else 2
        nb = rng.choice([2, 3, 3])
        dil = [1, 2, 4, 8][:depth]
        names = "ABC"[:nb]
        # other trees: layer 1 swapped with 2 (no join after layer 1), or layer 2 with 3 (the
        # same layer-1 units, different groupings above: the joint spans' rule 4)
        alt = [[2, 1, *dil[2:]], [1, *dil[2:0:-1], *dil[3:]]]
        dils = [dil] + [dil if rng.random() < 0.5 else rng.choice(alt) for _ in range(nb - 1)]
        widths = [[rng.randint(1, 4) for _ in range(depth)] for _ in range(nb)]
        conns: list[dict] = []
        for layer in range(1, depth):
            w = widths[0][layer - 1]
            for b in range(1, nb):
                if dils[b][:layer] != dil[:layer]:
                    continue  # no common nodes after this layer
                mode = rng.choice(["exchange", "exchange", "sum", "none"])
                if mode == "none":
                    continue
                widths[b][layer - 1] = w
                c = {"after_layer": layer, "branches": ["A", names[b]]}
                if mode == "exchange":
                    c["exchange"] = rng.choice([1, w, rng.randint(1, w)])
                else:
                    c["mode"] = "sum"
                conns.append(c)
            common = nb == 3 and dils[1][:layer] == dils[2][:layer] == dil[:layer]
            if common and rng.random() < 0.15:
                for b in (1, 2):
                    widths[b][layer - 1] = w
                conns.append({"after_layer": layer, "branches": list(names), "mode": "sum"})
        if not conns:
            continue
        spec = {
            "name": "chained",
            "input_channels": M,
            "readout": rng.random() < 0.5,
            "branches": [
                {"name": names[b], "kernel": 2, "dilations": dils[b], "channels": widths[b]}
                for b in range(nb)
            ],
            "connections": conns,
        }
        try:
            spec_from_dict(spec, source="chained")
        except SpecError:
            continue
        n = 2**depth
        parts = []
        for _ in range(12):
            p = rng.choice([0.2, 0.5, 0.8])
            I = [q for q in range(n) if rng.random() < p]
            if 0 < len(I) < n:
                parts.append(I)
        out.append((spec, parts))
    return out


def shared_rules_only(*mods) -> None:
    """Switch the integer-only rules (joint spans, joint pair sources) off in these modules: the
    integer code then computes what the symbolic path computes (the agreement test's claim), so
    a TIGHT witness found this way is one for the symbolic path, where a rule masked by the
    joint spans on integers still decides the bound."""
    for mod in mods:
        mod.Propagator._joint = lambda self, units, I, L, R: (L, R)
        mod.pair_sources = lambda *a, **k: None


def bounds_of(mod, circuit, I: int):
    """(upper, lower) of the propagation bound and the routed lower bound with module ``mod``."""
    prop = mod.Propagator(circuit, mod.INT)
    up = prop.output_bound(I)
    rt = prop.routes()
    low = mod.routed_lower(rt, I, mod.INT) if rt is not None else None
    return up, low


def hunt(index: int, cases, verbose: bool = False) -> str:
    from analyzer import bounds as original
    from analyzer import build_circuit, spec_from_dict
    from tests.oracle.oracle import generic_rank, used_positions

    mod = load_mutant(index)
    best = None
    changed = 0
    for spec, parts in cases:
        arch = spec_from_dict(spec, source="witness")
        c = build_circuit(arch)
        for I in parts:
            mask = sum(1 << q for q in I)
            want = bounds_of(original, c, mask)
            try:
                got = bounds_of(mod, c, mask)
            except Exception as exc:  # a crash is a kill in the test run as well
                return f"[{index}] the mutant raises {type(exc).__name__} on {spec} I={I}"
            if got == want:
                continue
            changed += 1
            rank = generic_rank(arch, [I], "per-node")[tuple(I)][0]
            kind = None
            if got[0] < rank or (got[1] is not None and got[1] > rank):
                kind = "UNSOUND"
            elif want[0] == rank and got[0] != rank:
                kind = "TIGHT"
            elif want[1] == rank and got[1] != rank:
                kind = "TIGHT-lower"
            if kind is None:
                continue
            n = len(used_positions(arch))
            if best is None or (kind == "UNSOUND") > (best[0] == "UNSOUND") or n < best[1]:
                best = (kind, n, spec, I, want, got, rank)
    if best is None:
        return f"[{index}] no witness: {changed} case(s) changed, none tight or unsound"
    kind, n, spec, I, want, got, rank = best
    return (
        f"[{index}] {kind} (n={n}): {spec} I={I} original (upper, lower)={want} "
        f"mutant={got} rank={rank}"
    )


def hunt_agreement(index: int, cases) -> str:
    """A case where the mutant's symbolic code (sympy, on the concrete widths) gives another
    unit state than the original integer code: the agreement test kills it there."""
    from analyzer import bounds as original
    from analyzer import build_circuit, spec_from_dict
    from tests.oracle.oracle import used_positions

    mod = load_mutant(index)
    best = None
    for spec, parts in cases:
        arch = spec_from_dict(spec, source="witness")
        c = build_circuit(arch)
        n = len(used_positions(arch))
        if best is not None and n >= best[0]:
            continue
        pint, psym = original.Propagator(c, original.INT), mod.Propagator(c, mod.SYM)
        for I in parts:
            mask = sum(1 << q for q in I)
            try:
                diff = [
                    u
                    for u in range(len(c.units))
                    if tuple(int(x) for x in psym.state(u, mask)) != tuple(pint.state(u, mask))
                ]
            except Exception as exc:
                return f"[{index}] the mutant raises {type(exc).__name__} on {spec} I={I}"
            if diff:
                best = (n, spec, I, diff[0])
                break
    if best is None:
        return f"[{index}] no agreement witness"
    n, spec, I, u = best
    return f"[{index}] AGREE (n={n}): unit {u} differs on {spec} I={I}"


def screen(index: int, cases, sym_cases: int = 60) -> str:
    """How many cases the mutant changes: any unit state, output bound or routed lower bound on
    integers; any unit state of the symbolic code on the concrete widths (first ``sym_cases``
    specs). A mutant that changes nothing is a candidate equivalent (argue it)."""
    from analyzer import bounds as original
    from analyzer import build_circuit, spec_from_dict

    mod = load_mutant(index)
    n_int = n_sym = 0
    for k, (spec, parts) in enumerate(cases):
        c = build_circuit(spec_from_dict(spec, source="witness"))
        pi_o, pi_m = original.Propagator(c, original.INT), mod.Propagator(c, mod.INT)
        ps_m = mod.Propagator(c, mod.SYM) if k < sym_cases else None
        ps_o = original.Propagator(c, original.SYM) if k < sym_cases else None
        for I in parts:
            mask = sum(1 << q for q in I)
            try:
                want = [tuple(pi_o.state(u, mask)) for u in range(len(c.units))]
                if [tuple(pi_m.state(u, mask)) for u in range(len(c.units))] != want or (
                    bounds_of(original, c, mask) != bounds_of(mod, c, mask)
                ):
                    n_int += 1
                if ps_m is not None:
                    got = [tuple(int(x) for x in ps_m.state(u, mask)) for u in range(len(c.units))]
                    # the symbolic routed lower bound against the original's symbolic one (it
                    # may be below the integer one through a chain of joins)
                    rt_o, rt_m = ps_o.routes(), ps_m.routes()
                    low_o = int(original.routed_lower(rt_o, mask, original.SYM)) if rt_o else None
                    low_m = int(mod.routed_lower(rt_m, mask, mod.SYM)) if rt_m else None
                    if got != want or low_m != low_o:
                        n_sym += 1
            except Exception as exc:
                return f"[{index}] raises {type(exc).__name__}"
    return f"[{index}] changes: integer {n_int}, symbolic {n_sym}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", type=int, nargs="+")
    ap.add_argument("--examples", type=int, default=3000)
    ap.add_argument("--max-n", type=int, default=10)
    ap.add_argument("--agree", action="store_true", help="symbolic-path witnesses instead")
    ap.add_argument("--screen", action="store_true", help="count the cases each mutant changes")
    ap.add_argument("--joined", type=int, default=0, help="add this many joined_corpus specs")
    ap.add_argument(
        "--target",
        default="analyzer/bounds.py",
        choices=["analyzer/bounds.py", "analyzer/spans.py", "analyzer/pairsources.py"],
        help="the file whose mutants INDEX are",
    )
    ap.add_argument("--chained", type=int, default=0, help="add this many chained_corpus specs")
    ap.add_argument(
        "--shared",
        action="store_true",
        help="integer-only rules off in both (witnesses for the symbolic path)",
    )
    args = ap.parse_args(argv)
    cases = corpus(args.examples, args.max_n) if args.examples else []
    if args.joined:
        cases += joined_corpus(count=args.joined)
    if args.chained:
        cases += chained_corpus(count=args.chained)
    print(f"corpus: {len(cases)} specs, {sum(len(p) for _, p in cases)} partitions", flush=True)
    global TARGET
    TARGET = args.target
    if args.shared:
        from analyzer import bounds as original

        global SHARED
        SHARED = True
        shared_rules_only(original)
    for i in args.index:
        fn = screen if args.screen else hunt_agreement if args.agree else hunt
        print(fn(i, cases), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
