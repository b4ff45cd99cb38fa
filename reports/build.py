"""Report orchestration: run the analysis, verification and comparison, then render."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import MissingDependency, ReportError
from .figures import plan_figures, save_figures
from .markdown import render_markdown
from .model import (
    ReportData,
    build_report_data,
    reproducibility_info,
)
from .pdf import render_pdf

FORMATS = ("md", "pdf")
MAX_DEFAULT_PARTITIONS = 48  # cap on the default families (explicit partitions are never cut)


# --------------------------------------------------------------------------- checks
def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """``"md,pdf"`` or ``("md",)`` -> validated tuple; ReportError on an unknown format."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out = []
    for f in items:
        f = f.strip().lower()
        if not f:
            continue
        if f not in FORMATS:
            raise ReportError(
                f"unknown format {f!r} (choose from {', '.join(FORMATS)}, comma-separated)"
            )
        if f not in out:
            out.append(f)
    if not out:
        raise ReportError(f"no output format given (choose from {', '.join(FORMATS)})")
    return tuple(out)


REPORT_FILES = ("report.md", "report.pdf", "report.json", "figures")
_TMP_PREFIX = ".expressivity-tmp-"  # a report being written, next to its target
_OLD_PREFIX = ".expressivity-old-"  # a replaced report, deleted right after the swap


def check_output_dir(out_dir: str | Path) -> Path:
    """Check (before any long computation, creating nothing but missing parent directories)
    that ``out_dir`` can receive a report: a new path, or a writable directory that holds
    only an earlier report (it is replaced as a whole, so nothing else may live there)."""
    out = Path(out_dir)

    def fail(reason: str) -> ReportError:
        return ReportError(f"cannot write the report to {str(out)!r}: {reason}")

    try:
        if out.exists() or out.is_symlink():
            if out.is_symlink() or not out.is_dir():
                raise fail("it exists and is not a directory")
            if not os.access(out, os.W_OK | os.X_OK):
                raise fail("Permission denied")
            other = sorted(
                p.name
                for p in out.iterdir()
                if p.name not in REPORT_FILES and not p.name.startswith(".write-test-")
            )
            if other:
                shown = ", ".join(other[:3]) + (" ..." if len(other) > 3 else "")
                raise fail(
                    f"it holds files that are not a report ({shown}); the report directory is "
                    "replaced as a whole: choose a new or an empty directory"
                )
        parent = out.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f"{_TMP_PREFIX}probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise fail(reason) from None
    return out


def _dir_mode(out: Path) -> int:
    """The mode for the new report directory: the old one's, else 0o777 minus the umask."""
    try:
        return stat.S_IMODE(os.stat(out).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o777 & ~mask


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False when the
    system call is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return rc == 0


def _move_into_place(tmp: Path, out: Path) -> None:
    """Put the finished report directory ``tmp`` at ``out`` in one step.

    ``out`` absent: one ``rename`` (atomic). ``out`` present: on Linux one atomic exchange
    (``renameat2``), then the old report (now at ``tmp``) is deleted; elsewhere the old report
    is renamed aside, the new one renamed in, the old one deleted (a crash between the two
    renames leaves both complete next to ``out``, under ``.expressivity-*`` names).
    """
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=_OLD_PREFIX, dir=out.absolute().parent))
    os.rmdir(old)
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def check_dependencies(formats: Iterable[str]) -> None:
    """Import the optional libraries the formats need; MissingDependency names the pip fix."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "matplotlib", "pip install matplotlib", "the report figures"
        ) from None
    if "pdf" in formats:
        try:
            import typst  # noqa: F401
        except ImportError:
            raise MissingDependency("typst", "pip install typst", "the PDF report") from None


# --------------------------------------------------------------------------- building
def default_report_families(arch) -> list[str]:
    """``nodes`` + ``odd-even`` (+ ``paper`` when the network has hybrid trees); ``halves`` +
    ``odd-even`` when no branch is a tree (overlapping)."""
    from analyzer import structure

    st = structure(arch)
    if all(t is None for t in st.trees):
        return ["halves", "odd-even"]
    fams = ["nodes", "odd-even"]
    if st.hybrid is not None:
        fams.append("paper")
    return fams


def _usable_families(arch, fams: list[str]) -> list[str]:
    """Drop default families that do not apply to this architecture (e.g. ``paper``)."""
    from analyzer import SpecError, structure
    from analyzer.partitions import family

    st = structure(arch)
    out = []
    for f in fams:
        try:
            family(f, st.circuit, st.trees)
        except SpecError:
            continue
        out.append(f)
    return out


@dataclass(frozen=True)
class ReportOptions:
    """What a report runs and writes; the CLI's ``report`` builds one from its flags.

    compare : architecture B (``builtin:NAME``, a spec file or an Architecture) to compare
        against, or None; ``sweep``, ``copies`` and ``search`` go to the comparison
        (:class:`analyzer.compare.CompareOptions`).
    values : symbol values (``{"r": 4}``); verification needs every symbol set.
    partitions, families : as for :func:`analyzer.analyze`; default
        :func:`default_report_families`, capped at ``max_partitions``.
    verify : True: certify ranks (SpecError when symbols are unset); False: bounds only;
        None (default): verify when every symbol has a value, otherwise skip with a note.
    seed, weights, backend, mode, max_k : passed to :func:`verify.verify_architecture`.
    formats : ``"md,pdf"`` or a sequence of them (:data:`FORMATS`).
    limits : the :class:`analyzer.limits.Limits` the specs and values are checked against
        (None: the defaults).
    """

    compare: Any = None
    values: Mapping[str, Any] | None = None
    partitions: tuple = ()
    families: list[str] | None = None
    verify: bool | None = None
    seed: int = 0
    weights: str = "shared"
    backend: str = "numpy"
    mode: str = "both"
    max_k: int | None = None
    sweep: str | tuple[str, list[int]] | None = None
    copies: int = 1
    search: str = "auto"
    formats: str | tuple[str, ...] = FORMATS
    max_partitions: int = MAX_DEFAULT_PARTITIONS
    limits: Any = None


def _options(options: ReportOptions | None, fields: dict) -> ReportOptions:
    """``options`` (default ``ReportOptions()``) with keyword overrides named like its fields."""
    opts = options or ReportOptions()
    if "partitions" in fields:
        fields["partitions"] = tuple(fields["partitions"])
    return replace(opts, **fields) if fields else opts


def equivalent_command(spec: str, options: ReportOptions, out_dir=None) -> str:
    """The ``expressivity report`` command line that reproduces a report."""
    o = options
    args = ["expressivity", "report", str(spec)]
    for k, v in (o.values or {}).items():
        args += ["--set", f"{k}={v}"]
    for p in o.partitions:
        args += ["--partition", p if isinstance(p, str) else ",".join(map(str, p.positions))]
    for f in o.families or []:
        args += ["--partitions", f]
    if o.compare:
        args += ["--compare", str(o.compare)]
        if o.sweep:
            sweep = o.sweep
            args += [
                "--sweep",
                sweep if isinstance(sweep, str) else f"{sweep[0]}=" + ",".join(map(str, sweep[1])),
            ]
        if o.copies != 1:
            args += ["--copies", str(o.copies)]
        if o.search != "auto":
            args += ["--search", o.search]
    if o.verify is not None:
        args.append("--verify" if o.verify else "--no-verify")
    args += ["--seed", str(o.seed)]
    if o.weights != "shared":
        args += ["--weights", o.weights]
    if o.backend != "numpy":
        args += ["--backend", o.backend]
    if o.mode != "both":
        args += ["--mode", o.mode]
    if o.max_k is not None:
        args += ["--max-k", str(o.max_k)]
    args += ["--format", ",".join(parse_formats(o.formats))]
    if out_dir is not None:
        args += ["--out", str(out_dir)]
    return " ".join(shlex.quote(a) for a in args)


def _label(arch_or_ref) -> str | None:
    """How a spec is named on a command line: its reference, else the Architecture's source."""
    if arch_or_ref is None:
        return None
    if isinstance(arch_or_ref, (str, Path)):
        return str(arch_or_ref)
    return arch_or_ref.source or arch_or_ref.name


def build_report(
    spec,
    options: ReportOptions | None = None,
    *,
    progress=None,
    command: str | None = None,
    **fields,
) -> ReportData:
    """Run analysis, verification and comparison and assemble the :class:`ReportData`.

    ``spec``: ``builtin:NAME``, a spec file, or an :class:`analyzer.Architecture`;
    ``options``: :class:`ReportOptions` (keyword arguments named like its fields override it:
    ``build_report(spec, values={"r": 4})``); ``progress``: the verification's callback;
    ``command``: the command line recorded for reproducibility (default: the equivalent one).
    """
    from analyzer import Partition, analyze, load_spec
    from analyzer.circuit import mask_of
    from analyzer.symbols import parse_expr

    o = _options(options, fields)
    t0 = time.perf_counter()
    values = dict(o.values or {})
    arch = load_spec(spec) if isinstance(spec, (str, Path)) else spec
    spec_ref = str(spec) if isinstance(spec, (str, Path)) else (arch.source or arch.name)
    partitions = list(o.partitions)
    families = o.families
    explicit_fams = families is not None and len(families) > 0
    fams = (
        list(families)
        if explicit_fams
        else ([] if partitions else _usable_families(arch, default_report_families(arch)))
    )
    # symbolic analysis (symbols kept) decides the partition list
    sym = analyze(arch, partitions=partitions, families=fams, with_tilings=True)
    omitted = 0
    if not explicit_fams and len(sym.partitions) > o.max_partitions:
        n_explicit = len(partitions)
        keep = sym.partitions[: max(o.max_partitions, n_explicit)]
        omitted = len(sym.partitions) - len(keep)
        parts = [Partition(mask_of(p.I), p.label) for p in keep]
        sym = analyze(arch, partitions=parts, families=[], with_tilings=True)
    parts = [Partition(mask_of(p.I), p.label) for p in sym.partitions]
    num = (
        analyze(arch, partitions=parts, families=[], values=values, with_tilings=True)
        if values
        else sym
    )
    concrete = num.arch.is_concrete

    ver = None
    note = None
    verify = o.verify
    if verify is None:
        verify = concrete
        if not concrete:
            names = ", ".join(num.arch.symbol_names)
            note = (
                f"not verified: the symbols {names} have no values (give them with --set, e.g. "
                f"--set {num.arch.symbol_names[0]}=4); the bounds below are symbolic"
            )
    if verify:
        from verify import VerifyOptions, verify_architecture

        verify_options = VerifyOptions(
            mode=o.mode,
            weights=o.weights,
            seed=o.seed,
            max_k=o.max_k,
            backend=o.backend,
            values={k: parse_expr(v) if isinstance(v, str) else v for k, v in values.items()}
            or None,
        )
        res = verify_architecture(
            arch,
            [",".join(map(str, p.I)) for p in sym.partitions],
            [],
            verify_options,
            progress=progress,
        )
        ver = res.to_dict()
    elif note is None:
        note = "not verified (--no-verify): analyzer bounds only"

    comp = None
    if o.compare is not None:
        from analyzer.compare import CompareOptions, parse_sweep
        from analyzer.compare import compare as run_compare

        B = load_spec(o.compare) if isinstance(o.compare, (str, Path)) else o.compare
        sw = parse_sweep(o.sweep) if isinstance(o.sweep, str) else o.sweep
        # the comparison sweeps one symbol of A (compare's default: A's only symbol over
        # 2, 4, 8, 16); --set values fix A's other symbols
        swept = (
            sw[0]
            if sw is not None
            else (arch.symbol_names[0] if len(arch.symbol_names) == 1 else None)
        )
        compare_options = CompareOptions(
            sweep=sw,
            values_A={k: v for k, v in values.items() if k != swept} or None,
            partitions=tuple(
                p if isinstance(p, str) else ",".join(map(str, p.positions)) for p in partitions
            ),
            families=list(families) if explicit_fams else None,
            copies=o.copies,
            search=o.search,
            seed=o.seed,
        )
        comp = run_compare(arch, B, compare_options)

    if command is None:
        shown = replace(
            o,
            compare=o.compare
            if o.compare is None or isinstance(o.compare, (str, Path))
            else o.compare.source,
            values=values,
            partitions=tuple(partitions),
            verify=verify,
        )
        command = equivalent_command(spec_ref, shown)
    repro = reproducibility_info(
        command=command, verification=ver, seed=o.seed, elapsed_seconds=time.perf_counter() - t0
    )
    return build_report_data(
        num,
        ver,
        comp,
        symbolic=sym,
        description=arch.description or "",
        reproducibility=repro,
        verification_note=note,
        omitted_partitions=omitted,
    )


# --------------------------------------------------------------------------- writing
@dataclass
class ReportFiles:
    data: ReportData
    out_dir: Path
    markdown: Path | None = None
    pdf: Path | None = None
    json: Path | None = None
    figures: list[Path] = field(default_factory=list)


def write_report(
    spec,
    out_dir: str | Path,
    options: ReportOptions | None = None,
    *,
    progress=None,
    **fields,
) -> ReportFiles:
    """Build the report and write ``report.md`` / ``report.pdf`` / ``report.json`` and figures.

    ``options``: :class:`ReportOptions` (keyword arguments named like its fields override it:
    ``write_report(spec, "out", formats="md", seed=4)``); ``progress``: the verification's
    callback.

    Fails fast (before any computation, creating nothing) on a bad spec or values
    (:class:`analyzer.SpecError`), an unknown format, an unwritable ``out_dir`` or a missing
    optional dependency (:class:`ReportError` / :class:`MissingDependency`); the specs and
    values are checked against ``options.limits``.

    Atomic: the files are written into a temporary directory next to ``out_dir`` and moved into
    place in one step (:func:`_move_into_place`); a failed or interrupted run leaves the
    previous report (if any) untouched and no partial files at ``out_dir``.
    """
    o = _options(options, fields)
    fmts = parse_formats(o.formats)
    check_dependencies(fmts)
    from analyzer import load_spec
    from analyzer.limits import DEFAULT_LIMITS

    limits = o.limits or DEFAULT_LIMITS
    if isinstance(spec, (str, Path)):  # validate the spec before anything is created
        spec_ref = str(spec)
        spec = load_spec(spec, limits=limits)
    else:
        spec_ref = spec.source or spec.name
    if o.values:
        spec.substitute(o.values, limits)  # bad values fail here, not later
    compare = o.compare
    if isinstance(compare, (str, Path)):
        compare = load_spec(compare, limits=limits)
    out = check_output_dir(out_dir)
    command = equivalent_command(
        spec_ref,
        replace(o, compare=_label(compare), partitions=tuple(o.partitions), formats=fmts),
        out_dir=out_dir,
    )
    data = build_report(spec, replace(o, compare=compare), progress=progress, command=command)
    files = ReportFiles(data=data, out_dir=out)
    # everything is written into a fresh directory next to OUT, then moved into place in one
    # step: a failed or interrupted run leaves the previous report untouched
    tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=out.absolute().parent))
    try:
        os.chmod(tmp, _dir_mode(out))  # mkdtemp's 0o700 -> the old report's mode, or umask's
        _write_files(data, fmts, tmp)
        _move_into_place(tmp, out)
    except OSError as exc:
        raise ReportError(
            f"cannot write the report to {str(out)!r}: {exc.strerror or exc}"
        ) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    figs = plan_figures(data)
    files.figures = [out / f.filename for f in figs]
    files.markdown = out / "report.md" if "md" in fmts else None
    files.pdf = out / "report.pdf" if "pdf" in fmts else None
    files.json = out / "report.json"
    return files


def _write_files(data: ReportData, fmts: tuple[str, ...], out: Path) -> None:
    """Figures, Markdown, PDF and JSON into ``out`` (a fresh directory)."""
    figs = save_figures(data, out)
    if "md" in fmts:
        (out / "report.md").write_text(render_markdown(data, figs), encoding="utf-8")
    if "pdf" in fmts:
        render_pdf(data, out, figs)
    (out / "report.json").write_text(
        json.dumps(data.to_dict(), indent=1, sort_keys=True, default=str), encoding="utf-8"
    )
