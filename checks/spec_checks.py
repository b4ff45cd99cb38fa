"""The interpreter of a spec's ``checks:`` entries (``CheckModel`` in ``analyzer/spec.py``).

:func:`spec_suite` runs every check of a spec file, or of each spec of a directory; a spec
without checks gets a default one (the certification of its tree nodes, or of the halves and
odd-even partitions when it has no tree). A check's own inputs (its ``set:``, partition,
family and expected ranks) and the sizes of what it certifies are checked before it runs:
bad input raises ``SpecError`` naming the check (``checks.<i>``), a refused size
``LimitError``. Certified ranks come from the harness (``verify``) in exact mode.
"""

from __future__ import annotations

import time
from pathlib import Path

import verify
from analyzer import analyze, load_spec
from analyzer.analysis import structure
from analyzer.circuit import fmt_positions
from analyzer.errors import LimitError, SpecError
from analyzer.limits import DEFAULT_LIMITS
from analyzer.partitions import families_for

from .guards import check_all_family, check_verify_cost, check_verify_partitions
from .model import Recorder, SuiteResult

__all__ = ["SPEC_SUFFIXES", "spec_suite"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def _spec_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in SPEC_SUFFIXES and p.is_file()
        )
        return files
    return [path]


def spec_suite(
    path_text: str,
    values: dict | None = None,
    certify: bool = True,
    seed: int = 0,
    limits=None,
    max_k: int | None = None,
) -> SuiteResult:
    """The checks carried by spec files (``checks:``), or a default certification per spec;
    ``max_k``: cap on K of the certifications (None: the harness's memory budget decides)."""
    limits = DEFAULT_LIMITS if limits is None else limits

    t0 = time.perf_counter()
    path = Path(path_text)
    if not path.exists():
        raise SpecError(path_text, "", "no such file or directory (builtin suites: builtin:paper)")
    files = _spec_files(path)
    if not files:
        raise SpecError(
            path_text, "", f"no spec files ({', '.join(SPEC_SUFFIXES)}) in the directory"
        )
    rec = Recorder(path_text)
    for f in files:
        arch = load_spec(f, limits=limits)
        rec.suite = str(f)
        checks = list(arch.checks) or [{}]
        for i, chk in enumerate(checks):
            _spec_check(rec, arch, i, chk, values or {}, certify, seed, limits, max_k)
    return SuiteResult(
        path_text,
        rec.checks,
        time.perf_counter() - t0,
        {"files": [str(f) for f in files], "certify": certify, "seed": seed}
        | ({"max_k": max_k} if max_k is not None else {}),
    )


def _check_inputs(arch, where: str, chk: dict) -> None:
    """A check's own inputs, validated before it runs (bad input names the check: exit 2)."""
    known = set(arch.symbol_names)
    unknown = sorted(set(chk.get("set") or {}) - known)
    if unknown:
        have = ", ".join(sorted(known)) or "none"
        raise SpecError(
            arch.source,
            f"{where}.set",
            f"unknown symbol(s) {', '.join(unknown)} (the spec's symbols: {have})",
        )
    for k, v in (chk.get("set") or {}).items():
        if v < 1:
            raise SpecError(arch.source, f"{where}.set.{k}", f"a symbol is >= 1, got {v}")
    if chk.get("partition") is not None and not chk["partition"]:
        raise SpecError(
            arch.source,
            f"{where}.partition",
            "an empty partition (give the positions of I, or drop 'partition')",
        )
    if chk.get("partitions") is not None and not chk["partitions"].strip(", "):
        raise SpecError(arch.source, f"{where}.partitions", "no partition family named")
    for k in ("expect_upper", "expect_lower", "expect_rank"):
        if chk.get(k) is not None and chk[k] < 1:
            raise SpecError(arch.source, f"{where}.{k}", f"a rank is >= 1, got {chk[k]}")


def _spec_check(
    rec: Recorder,
    arch,
    index: int,
    chk: dict,
    values: dict,
    certify: bool,
    seed: int,
    limits=None,
    max_k: int | None = None,
) -> None:
    limits = DEFAULT_LIMITS if limits is None else limits
    where = f"checks.{index}" if chk else "(default check)"
    _check_inputs(arch, where, chk)
    vals = dict(values)
    vals.update(chk.get("set") or {})
    known = set(arch.symbol_names)
    try:
        a = arch.substitute({k: v for k, v in vals.items() if k in known}, limits) if vals else arch
    except LimitError:
        raise
    except SpecError as exc:
        raise SpecError(arch.source, where, f"with {_values_text(vals)}: {exc.problem}") from None
    explicit = [",".join(map(str, chk["partition"]))] if chk.get("partition") else []
    fams = [f.strip() for f in (chk.get("partitions") or "").split(",") if f.strip()]
    if not explicit and not fams:
        st = structure(a)
        fams = families_for(st.circuit, st.trees)
    do_cert = certify and chk.get("certify", True)
    name = chk.get("name") or (
        f"{where}: I={fmt_positions(chk['partition'])}"
        if chk.get("partition")
        else f"{where}: {','.join(fams)}"
    )
    if vals:
        name += " (" + ", ".join(f"{k}={v}" for k, v in vals.items()) + ")"
    needs_numbers = do_cert or any(
        chk.get(k) is not None for k in ("expect_upper", "expect_lower", "expect_rank")
    )
    if needs_numbers and not a.is_concrete:
        raise SpecError(
            arch.source,
            where,
            f"needs values for {', '.join(a.symbol_names)} (a 'set:' in the check, or the "
            "suite's values)",
        )
    try:
        an = analyze(a, partitions=explicit, families=fams)  # bad partition -> exit 2
    except LimitError:
        raise
    except SpecError as exc:
        raise SpecError(
            arch.source, where, f"{exc.field + ': ' if exc.field else ''}{exc.problem}"
        ) from None
    if do_cert:
        check_all_family(a, fams, limits, source=f"{where}.partitions")
        check_verify_partitions(a, explicit, fams, limits, source=f"{arch.source}: {where}")
        check_verify_cost(
            a,
            max_k,
            chk.get("weights") or "shared",
            "exact",
            limits,
            source=f"{arch.source}: {where}",
        )

    def check():
        rows, bad = [], []
        cert_by_I = {}
        vres = None
        if do_cert:
            vres = verify.verify_architecture(
                a,
                partitions=explicit,
                families=fams,
                mode="exact",
                weights=chk.get("weights") or "shared",
                seed=seed,
                max_k=max_k,
            )
            cert_by_I = {tuple(p.I): p for p in vres.partitions}
        for pb in an.partitions:
            row = {"I": pb.I, "lower": pb.lower, "upper": pb.upper}
            problems = []
            if chk.get("expect_upper") is not None and pb.upper != chk["expect_upper"]:
                problems.append(f"upper {pb.upper} != expected {chk['expect_upper']}")
            if chk.get("expect_lower") is not None and pb.lower != chk["expect_lower"]:
                problems.append(f"lower {pb.lower} != expected {chk['expect_lower']}")
            er = chk.get("expect_rank")
            if er is not None and not (
                (pb.lower or 1) <= er <= (pb.upper if pb.upper is not None else er)
            ):
                problems.append(f"expected rank {er} outside the bounds [{pb.lower}, {pb.upper}]")
            p = cert_by_I.get(tuple(pb.I))
            if p is not None:
                row.update({"certified": p.certified_lower, "status": p.status, "K": p.K})
                if p.status == "VIOLATION":
                    problems.append(
                        f"VIOLATION: certified {p.certified_text} vs bounds [{p.lower}, {p.upper}]"
                    )
                if er is not None and p.certified_lower is not None:
                    if p.certified_lower > er or (p.certified_lower < er and not p.capped):
                        problems.append(f"certified rank {p.certified_lower} != expected {er}")
            if problems:
                row["problems"] = problems
                bad.append(row)
            rows.append(row)
        if chk.get("claim5"):
            r5 = verify.claim5_check(a, seed=seed)
            rows.append({"claim5": r5.ok, "checked": len(r5.checked)})
            if not r5.ok:
                bad.append(
                    {
                        "I": [],
                        "problems": [
                            f"Claim 5: {sum(not c['equal'] for c in r5.checked)} "
                            f"of {len(r5.checked)} hybrid trees not realized"
                        ],
                    }
                )
        nums = {"partitions": rows[:50], "failures": bad[:20]}
        if vres is not None:
            nums.update({"seed": vres.seed, "prime": vres.prime, "weights": vres.weights})
        if bad:
            b = bad[0]
            msg = f"{len(bad)} failing: I={fmt_positions(b['I'])}: {'; '.join(b['problems'])}"
        else:
            what = "certified and bounded" if do_cert else "bounded"
            msg = f"{len(an.partitions)} partition(s) {what} as expected"
        return not bad, msg, nums

    rec.run(arch.name, name, check)


def _values_text(vals: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in vals.items()) or "no values"
