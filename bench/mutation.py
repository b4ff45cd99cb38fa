"""Mutation testing of the theory code: does the test suite kill every wrong rule?

A hand-written AST mutator (mutmut and cosmic-ray need their own runners and a network-fetched
install; this script needs nothing beyond the project's own test dependencies). For each target
file it lists mutants of the chosen functions:

* ``binop``: ``+`` <-> ``-``, ``*`` -> ``+``, ``**`` -> ``*``, ``//`` -> ``/``, ``%`` -> ``//``,
  ``&`` <-> ``|``, ``<<`` <-> ``>>``;
* ``drop``: a sum/difference ``a + b`` -> ``a`` and -> ``b``; one argument of ``min``/``max``
  (with two or more) left out;
* ``cmp``: ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``, ``in`` <-> ``not in``;
* ``minmax``: ``min`` <-> ``max`` (builtins and ``a.min``/``a.max`` of the Arith);
* ``const``: an integer constant ``c`` -> ``c + 1`` and ``c - 1``;
* ``swap``: the two elements of a 2-tuple swapped (``n, m = s, r - s`` -> ``r - s, s``);
* ``bool``: ``and`` <-> ``or``, ``not x`` -> ``x``.

Each mutant is written into a private copy of the project (the worktree is never modified) and a
targeted test selection runs against it, fastest first, stopping at the first failure (``-x``),
with a timeout per mutant. A mutant is *killed* when a test fails (or the run times out), and
*survives* otherwise. The report lists the score per file and every survivor with its source
line, for classification (equivalent, or killed by a new test) in
``bench/results/mutation-DATE.md``.

Not part of the default test run. Usage::

    nice python bench/mutation.py                      # the bound rules: bounds.py, trees.py
    nice python bench/mutation.py --all                # every target below
    python bench/mutation.py --file analyzer/bounds.py --list        # list mutants only
    python bench/mutation.py --file analyzer/bounds.py --only 17 --show  # print one mutant's diff
    # a quick selection first, each survivor then on the file's whole selection
    nice python bench/mutation.py --file analyzer/spans.py \
        --tests tests/oracle/test_oracle_joins.py --recheck

or ``tox -e mutation`` (same options after ``--``).
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# one thread per process: forked children must not inherit BLAS thread pools, and the machine
# running this is usually shared
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# file -> functions to mutate (qualified "Class.method" or plain names; None: every function)
TARGETS: dict[str, list[str] | None] = {
    "analyzer/bounds.py": None,
    "analyzer/trees.py": None,
    # Theorem 7 / Claim 5 applicability and the combination of the bounds
    "analyzer/analysis.py": ["_uniform_width", "structure", "_tightest", "bound_partition"],
    "analyzer/partitions.py": None,
    "analyzer/circuit.py": None,
    "verify/ranks.py": None,
    "verify/modrank.py": None,
    "verify/sampling.py": None,
    # the window bound of verification at scale (docs/verify.md)
    "analyzer/window.py": None,
    # the integer-only rules for mixed networks (docs/theory.md secs. 4.3 and 6.6)
    "analyzer/spans.py": None,
    "analyzer/pairsources.py": None,
}
# the bound rules, run by default: every rule of bounds.py (not the Arith comparison engine,
# which --all adds) and the trees (tilings, sibling pairs, hybrid trees)
RULES: dict[str, list[str] | None] = {
    "analyzer/bounds.py": [
        "Propagator.__init__",
        "Propagator._cap",
        "Propagator.state",
        "Propagator.output_bound",
        "_part",
        "theorem7",
        "claim5_lower",
        "symbol_minima",
    ],
    "analyzer/trees.py": None,
    "analyzer/spans.py": None,
    "analyzer/pairsources.py": None,
}

# fastest first: the oracle's regressions and worked table, then the properties, then the rest
_ORACLE = [
    "tests/oracle/test_oracle_bounds.py::test_tight_cases",
    "tests/oracle/test_oracle_bounds.py::test_regressions",
    "tests/oracle/test_oracle_bounds.py::test_issue_exchange_swap_example",
    "tests/oracle/test_oracle_witnesses.py",
    "tests/analyzer/test_bounds_agreement.py",
    "tests/oracle/test_oracle_bounds.py",
    "tests/oracle/test_oracle_joins.py",
    "tests/oracle/test_window_oracle.py",
    "tests/oracle/test_reference.py",
]
SELECTION: dict[str, list[str]] = {
    "analyzer": _ORACLE + ["tests/analyzer"],
    "verify": _ORACLE + ["tests/verify"],
}
# files whose own tests are quicker to fail than the package's selection (fastest first)
_JOINS = [
    "tests/analyzer/test_pairsources.py",
    "tests/oracle/test_oracle_joins.py",
    "tests/analyzer/test_bounds_upper.py",
    "tests/oracle/test_oracle_witnesses.py",
    "tests/oracle/test_oracle_bounds.py",
    "tests/analyzer/test_bounds_agreement.py",
    "tests/analyzer/test_bounds_properties.py",
]
# the trees: their own tests, the paper checks, the oracle witnesses, then the bound tests
_TREES = [
    "tests/analyzer/test_trees.py",
    "tests/analyzer/test_fast_paths.py::test_theorem7_walk_equals_the_definitions",
    "tests/checks/test_paper.py",
    "tests/oracle/test_oracle_witnesses.py",
    "tests/analyzer/test_paper.py",
    "tests/oracle/test_oracle_bounds.py",
    "tests/analyzer/test_analysis.py",
    "tests/analyzer/test_fast_paths.py",
]
# the partition families: their definitions, then the analyses that list them
_PARTITIONS = [
    "tests/analyzer/test_partitions.py",
    "tests/analyzer/test_fast_paths.py::test_nodes_family_over_several_trees_lists_each_node_once",
    "tests/analyzer/test_scale.py::test_paper_timit_default_is_representative_and_says_so",
    "tests/analyzer/test_scale.py::test_guard_partitions_work_and_digits",
    "tests/checks/test_spec_checks.py",
    "tests/analyzer/test_analysis.py",
]
# the circuit: its own tests, the evaluator against the per-position reference (which builds
# no circuit), the trees, the mask helpers' doctests, sizes and kinds, the oracle witnesses
_CIRCUIT = [
    "tests/analyzer/test_circuit.py",
    "tests/oracle/test_reference.py",
    "tests/analyzer/test_trees.py",
    "tests/test_docs.py::test_docstring_examples",
    "tests/analyzer/test_scale.py",
    "tests/oracle/test_oracle_witnesses.py",
]
# verify's ranks: the dispatcher, the worked table's float ranks (harness), the doctests,
# then tests/verify/test_ranks.py (written for this file's survivors)
_RANKS = [
    "tests/verify/test_modrank.py::test_dispatcher_methods_agree",
    "tests/verify/test_modrank.py::test_dispatcher_unknown_method",
    "tests/verify/test_modrank.py::test_auto_choice",
    "tests/verify/test_harness.py",
    "tests/test_docs.py::test_docstring_examples",
    "tests/verify/test_ranks.py",
]
# the sampling: nested samples, windows, the strict (array API) evaluation, the harness, the
# brute-force ranks, then the oracle (certified rank = exact rank when K covers the grid)
_SAMPLING = [
    "tests/verify/test_adaptive.py",
    "tests/verify/test_window.py",
    "tests/networks/test_strict.py",
    "tests/verify/test_harness.py",
    "tests/verify/test_bruteforce.py",
    "tests/oracle/test_oracle_bounds.py",
]
FILE_SELECTION: dict[str, list[str]] = {
    "analyzer/spans.py": _JOINS,
    "analyzer/pairsources.py": _JOINS,
    "analyzer/trees.py": _TREES,
    "analyzer/partitions.py": _PARTITIONS,
    "analyzer/circuit.py": _CIRCUIT,
    "verify/ranks.py": _RANKS,
    "verify/sampling.py": _SAMPLING,
    # its own tests compare with python-flint on random, low-rank and structured matrices
    "verify/modrank.py": ["tests/verify/test_modrank.py"],
}
COPY = (
    "analyzer",
    "networks",
    "verify",
    "checks",
    "reports",
    "expressivity",
    "tests",
    "examples",
    "bench",  # tests import bench.differential (the full-grid oracle)
)


# --------------------------------------------------------------------------- mutants
@dataclass
class Mutant:
    file: str
    index: int  # position in the file's mutant list
    function: str
    line: int
    col: int
    op: str
    description: str
    status: str = ""  # killed | survived | timeout | error
    seconds: float = 0.0
    failed_test: str = ""
    source_line: str = ""


_BINOP_SWAP = {
    ast.Add: [ast.Sub],
    ast.Sub: [ast.Add],
    ast.Mult: [ast.Add],
    ast.Pow: [ast.Mult],
    ast.FloorDiv: [ast.Div],
    ast.Mod: [ast.FloorDiv],
    ast.BitAnd: [ast.BitOr],
    ast.BitOr: [ast.BitAnd],
    ast.LShift: [ast.RShift],
    ast.RShift: [ast.LShift],
}
_CMP_SWAP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


def _minmax_name(call: ast.Call) -> str | None:
    f = call.func
    if isinstance(f, ast.Name) and f.id in ("min", "max"):
        return f.id
    if isinstance(f, ast.Attribute) and f.attr in ("min", "max"):
        return f.attr
    return None


def _candidates(node: ast.AST) -> list[tuple[str, str, object]]:
    """(op, description, payload) of every mutation of this node itself."""
    out: list[tuple[str, str, object]] = []
    sym = {
        ast.Add: "+",
        ast.Sub: "-",
        ast.Mult: "*",
        ast.Pow: "**",
        ast.FloorDiv: "//",
        ast.Div: "/",
        ast.Mod: "%",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.LShift: "<<",
        ast.RShift: ">>",
    }
    if isinstance(node, ast.BinOp):
        for new in _BINOP_SWAP.get(type(node.op), []):
            out.append(("binop", f"{sym[type(node.op)]} -> {sym[new]}", ("binop", new)))
        if isinstance(node.op, (ast.Add, ast.Sub)):
            out.append(("drop", "a +/- b -> a", ("keep", "left")))
            out.append(("drop", "a +/- b -> b", ("keep", "right")))
    elif isinstance(node, ast.AugAssign):
        for new in _BINOP_SWAP.get(type(node.op), []):
            out.append(("binop", f"{sym[type(node.op)]}= -> {sym[new]}=", ("augop", new)))
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            new = _CMP_SWAP.get(type(op))
            if new is not None:
                out.append(("cmp", f"{type(op).__name__} -> {new.__name__}", ("cmp", i, new)))
    elif isinstance(node, ast.Call):
        name = _minmax_name(node)
        if name is not None:
            other = "max" if name == "min" else "min"
            out.append(("minmax", f"{name} -> {other}", ("minmax", other)))
            if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args):
                for i in range(len(node.args)):
                    out.append(("drop", f"{name}: argument {i + 1} dropped", ("droparg", i)))
    elif isinstance(node, ast.Constant):
        if type(node.value) is int:
            out.append(("const", f"{node.value} -> {node.value + 1}", ("const", node.value + 1)))
            out.append(("const", f"{node.value} -> {node.value - 1}", ("const", node.value - 1)))
    elif isinstance(node, ast.Tuple) and isinstance(node.ctx, ast.Load) and len(node.elts) == 2:
        a, b = node.elts
        if ast.dump(a) != ast.dump(b) and not any(isinstance(e, ast.Starred) for e in node.elts):
            out.append(("swap", "2-tuple elements swapped", ("swap",)))
    elif isinstance(node, ast.BoolOp):
        new = "or" if isinstance(node.op, ast.And) else "and"
        old = "and" if new == "or" else "or"
        out.append(("bool", f"{old} -> {new}", ("boolop",)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append(("bool", "not x -> x", ("unnot",)))
    return out


def _apply(node: ast.AST, payload) -> ast.AST:
    kind = payload[0]
    node = copy.deepcopy(node)
    if kind == "binop":
        node.op = payload[1]()
    elif kind == "augop":
        node.op = payload[1]()
    elif kind == "keep":
        return node.left if payload[1] == "left" else node.right
    elif kind == "cmp":
        node.ops[payload[1]] = payload[2]()
    elif kind == "minmax":
        if isinstance(node.func, ast.Name):
            node.func.id = payload[1]
        else:
            node.func.attr = payload[1]
    elif kind == "droparg":
        del node.args[payload[1]]
    elif kind == "const":
        node.value = payload[1]
    elif kind == "swap":
        node.elts = [node.elts[1], node.elts[0]]
    elif kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "unnot":
        return node.operand
    return node


def _functions(tree: ast.Module, wanted: list[str] | None):
    """(qualified name, FunctionDef) of the functions to mutate."""
    out = []
    for top in tree.body:
        if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((top.name, top))
        elif isinstance(top, ast.ClassDef):
            for m in top.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out.append((f"{top.name}.{m.name}", m))
    if wanted is not None:
        out = [(n, f) for n, f in out if n in wanted or n.split(".")[-1] in wanted]
    return out


def _is_docstring(parent: ast.AST, node: ast.AST) -> bool:
    return (
        isinstance(parent, ast.Expr)
        and isinstance(node, ast.Constant)
        and isinstance(node.value, str)
    )


def _sites(fn: ast.AST):
    """Every (node, parent) in a function body except docstrings, annotations and decorators."""
    skip: set[int] = set()
    for n in ast.walk(fn):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in n.decorator_list:
                skip |= {id(x) for x in ast.walk(d)}
            if n.returns is not None:
                skip |= {id(x) for x in ast.walk(n.returns)}
            for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs:
                if a.annotation is not None:
                    skip |= {id(x) for x in ast.walk(a.annotation)}
            for d in n.args.defaults + n.args.kw_defaults:
                if d is not None:
                    skip |= {id(x) for x in ast.walk(d)}
        if isinstance(n, ast.AnnAssign):
            skip |= {id(x) for x in ast.walk(n.annotation)}
    for parent in ast.walk(fn):
        for child in ast.iter_child_nodes(parent):
            if id(child) in skip or _is_docstring(parent, child):
                continue
            yield child, parent


def list_mutants(rel: str, wanted: list[str] | None) -> list[Mutant]:
    src = (ROOT / rel).read_text()
    tree = ast.parse(src)
    lines = src.splitlines()
    out: list[Mutant] = []
    for name, fn in _functions(tree, wanted):
        for node, _parent in _sites(fn):
            for op, desc, _payload in _candidates(node):
                out.append(
                    Mutant(
                        file=rel,
                        index=len(out),
                        function=name,
                        line=node.lineno,
                        col=node.col_offset,
                        op=op,
                        description=desc,
                        source_line=lines[node.lineno - 1].strip(),
                    )
                )
    return out


def mutated_source(rel: str, wanted: list[str] | None, index: int) -> str:
    """The file's source with mutant ``index`` applied (same enumeration as list_mutants)."""
    src = (ROOT / rel).read_text()
    tree = ast.parse(src)
    k = 0
    for _name, fn in _functions(tree, wanted):
        for node, parent in list(_sites(fn)):
            for _op, _desc, payload in _candidates(node):
                if k == index:
                    new = _apply(node, payload)
                    _replace(parent, node, new)
                    ast.fix_missing_locations(tree)
                    return ast.unparse(tree) + "\n"
                k += 1
    raise IndexError(index)


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for field, value in ast.iter_fields(parent):
        if isinstance(value, list):
            for i, v in enumerate(value):
                if v is old:
                    value[i] = new
                    return
        elif value is old:
            setattr(parent, field, new)
            return
    raise ValueError("node not found under its parent")


# --------------------------------------------------------------------------- running
MARKERS = "not slow and not gpu"  # the tests' marker expression (--markers: e.g. the slow ones)


def _set_markers(expr: str) -> None:
    global MARKERS
    MARKERS = expr


def _run_tests(workdir: Path, selection: list[str], timeout: float) -> tuple[str, str, float]:
    env = {**os.environ, "PYTHONPATH": str(workdir), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:warnings", "-p", "no:randomly"]
    cmd += ["-m", MARKERS, *selection]
    t0 = time.perf_counter()
    try:
        r = subprocess.run(
            cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout", "", time.perf_counter() - t0
    dt = time.perf_counter() - t0
    failed = next((ln for ln in r.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))), "")
    if r.returncode == 0:
        return "survived", "", dt
    if r.returncode in (1,):
        return "killed", failed.split(" - ")[0], dt
    return "killed", f"pytest exit {r.returncode} {failed}".strip(), dt


_PRELOAD = ("numpy", "sympy", "pydantic", "yaml", "flint", "hypothesis", "pytest", "scipy.linalg")


def _run_tests_fork(workdir: Path, selection: list[str], timeout: float) -> tuple[str, str, float]:
    """As :func:`_run_tests`, in a forked child of this process, which has already imported the
    heavy third-party libraries (never a project module): saves their import per mutant."""
    import importlib
    import signal

    for name in _PRELOAD:
        importlib.import_module(name)
    log = workdir / ".mutant-log"
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        code = 3
        try:
            os.chdir(workdir)
            os.environ.update(
                {"PYTHONPATH": str(workdir), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
            )
            sys.path.insert(0, str(workdir))
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            import pytest
            from hypothesis import Phase, settings

            # a failing example is all a mutant needs: no shrinking (it is the slow part)
            settings.register_profile(
                "mutation",
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                report_multiple_bugs=False,
            )
            settings.load_profile("mutation")
            code = int(pytest.main(["-x", "-q", "-p", "no:warnings", "-m", MARKERS, *selection]))
        finally:
            sys.stdout.flush()
            os._exit(code)
    deadline = t0 + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", "", time.perf_counter() - t0
        time.sleep(0.05)
    dt = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace") if log.exists() else ""
    failed = next((ln for ln in text.splitlines() if ln.startswith(("FAILED", "ERROR"))), "")
    if code == 0:
        return "survived", "", dt
    if code == 1:
        return "killed", failed.split(" - ")[0], dt
    return "killed", f"pytest exit {code} {failed}".strip(), dt


def _workdir() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="mutation-"))
    for d in COPY:
        if (ROOT / d).exists():
            shutil.copytree(
                ROOT / d,
                tmp / d,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis"),
            )
    for f in ("pyproject.toml", "README.md"):
        if (ROOT / f).exists():
            shutil.copy2(ROOT / f, tmp / f)
    return tmp


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", *TARGETS], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return out.stdout.strip() + (" (+ uncommitted changes in the targets)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run(
    files: list[str],
    timeout: float,
    only: list[int] | None,
    out_json: Path | None,
    fork: bool = True,
    functions: list[str] | None = None,
    targets: dict[str, list[str] | None] | None = None,
    start: int = 0,
    tests: list[str] | None = None,
    recheck: bool = False,
) -> list[Mutant]:
    """Run the mutants; with ``tests`` that selection instead of the file's own, and with
    ``recheck`` each survivor of it again on the file's own selection (a quick first pass that
    kills most mutants in seconds, then the whole selection for the few that survive it)."""
    targets = TARGETS if targets is None else targets
    runner = _run_tests_fork if fork and hasattr(os, "fork") else _run_tests
    work = _workdir()
    results: list[Mutant] = []
    try:
        for rel in files:
            wanted = targets.get(rel)
            muts = list_mutants(rel, wanted)
            if functions:
                muts = [m for m in muts if m.function in functions]
            if only is not None:
                muts = [m for m in muts if m.index in only]
            muts = [m for m in muts if m.index >= start]
            pkg = rel.split("/")[0]
            own = FILE_SELECTION.get(rel) or SELECTION.get(pkg, SELECTION["analyzer"])
            selection = tests or own
            second = own if (tests and recheck) else None
            original = (ROOT / rel).read_text()
            target = work / rel
            # baseline: the unmutated copy must pass its selections, else every mutant would be
            # "killed" by the same broken environment (a missing package, an import error)
            for sel, limit in ((selection, timeout), (second, timeout * 4))[: 2 if second else 1]:
                status, failed, _ = runner(work, sel, limit)
                if status != "survived":
                    raise SystemExit(
                        f"the unmutated copy fails its own test selection ({status}: {failed}); "
                        "fix the copy (COPY) or the tests before counting kills"
                    )
            t_file = time.perf_counter()
            for m in muts:
                target.write_text(mutated_source(rel, wanted, m.index))
                try:
                    m.status, m.failed_test, m.seconds = runner(work, selection, timeout)
                    if second and m.status == "survived":
                        m.status, failed, dt = runner(work, second, timeout * 4)
                        m.failed_test = f"{failed} (second pass)" if failed else ""
                        m.seconds += dt
                finally:
                    target.write_text(original)
                results.append(m)
                mark = {"killed": ".", "timeout": "T", "survived": "S"}.get(m.status, "?")
                print(mark, end="", flush=True)
                if m.status == "survived":
                    print(f"\n  SURVIVED {rel}:{m.line} [{m.index}] {m.function}: {m.description}")
                if out_json is not None:
                    out_json.write_text(json.dumps([asdict(x) for x in results], indent=1))
            print(f"\n{rel}: {len(muts)} mutants in {time.perf_counter() - t_file:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def report(results: list[Mutant], commit: str) -> str:
    lines = [f"code at commit {commit}", ""]
    lines.append("| file | mutants | killed | timeout | survived | score |")
    lines.append("|---|---|---|---|---|---|")
    for rel in dict.fromkeys(m.file for m in results):
        ms = [m for m in results if m.file == rel]
        k = sum(m.status == "killed" for m in ms)
        t = sum(m.status == "timeout" for m in ms)
        s = sum(m.status == "survived" for m in ms)
        lines.append(f"| {rel} | {len(ms)} | {k} | {t} | {s} | {(k + t) / len(ms):.1%} |")
    lines += ["", "Survivors:", ""]
    for m in results:
        if m.status == "survived":
            lines.append(
                f"- `{m.file}:{m.line}` [{m.index}] `{m.function}`: {m.description} "
                f"in `{m.source_line}`"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", action="append", help="target file(s) (default: the bound rules)")
    ap.add_argument("--all", action="store_true", help="every target file")
    ap.add_argument("--only", type=int, action="append", help="mutant index (with one --file)")
    ap.add_argument("--start", type=int, default=0, help="skip mutants with a smaller index")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument("--show", action="store_true", help="print the mutant's diff (with --only)")
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds per mutant")
    ap.add_argument("--json", type=Path, help="write every result here (updated as it runs)")
    ap.add_argument("--function", action="append", help="only mutants of these functions")
    ap.add_argument("--no-fork", action="store_true", help="a fresh interpreter per mutant")
    ap.add_argument(
        "--tests", action="append", help="pytest selection instead of the default (re-checks)"
    )
    ap.add_argument(
        "--recheck",
        action="store_true",
        help="with --tests: rerun each survivor on the file's own selection",
    )
    ap.add_argument(
        "--markers",
        default=MARKERS,
        help=f"pytest marker expression of the tests run (default: {MARKERS!r}; 'slow' runs "
        "the larger property-test profiles)",
    )
    args = ap.parse_args(argv)
    _set_markers(args.markers)
    targets = dict(TARGETS) if (args.all or args.file) else dict(RULES)
    files = args.file or list(targets)
    for rel in files:
        if rel not in TARGETS:
            ap.error(f"not a target: {rel} (targets: {', '.join(TARGETS)})")
    if args.list or args.show:
        for rel in files:
            for m in list_mutants(rel, targets[rel]):
                if args.only is not None and m.index not in args.only:
                    continue
                print(f"{rel}:{m.line} [{m.index}] {m.function}: {m.description}")
                if args.show:
                    old = ast.unparse(ast.parse((ROOT / rel).read_text())).splitlines()
                    new = mutated_source(rel, targets[rel], m.index).splitlines()
                    print("\n".join(difflib.unified_diff(old, new, lineterm="", n=1)))
        return 0
    commit = _git_commit()
    results = run(
        files,
        args.timeout,
        args.only,
        args.json,
        not args.no_fork,
        args.function or None,
        targets,
        args.start,
        args.tests,
        args.recheck,
    )
    print(report(results, commit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
