"""Theory vs practice: certified ranks of sampled matricizations against the analyzer's bounds.

For each partition I | J: sample a K_r x K_c submatrix of [A]_I (``verify.sampling``) from a
network with seeded random weights (``networks``), compute its exact rank over GF(p) (a
certified lower bound on the generic rank) and a floating rank (an estimate), and compare with
the analyzer's interval.

Status per partition:

* ``exact``: certified lower == analyzer upper (the generic rank is known exactly);
* ``not-attained``: certified lower < analyzer upper;
* ``capped``: the sample had K < upper rows or columns (``--max-k``) and was of full rank K:
  the certified result is "at least K";
* ``VIOLATION``: certified lower > analyzer upper, or (per-node weights) certified lower below a
  lower bound the analyzer proved while K was large enough to see it;
* ``below-lower``: with shared weights, certified lower below the analyzer's lower bound
  (those lower bounds are proved for per-node weights; paper footnote 7 says sharing makes
  little difference, so this is reported, not counted as a violation);
* ``not-covered``: relu/max pooling: no bounds to compare with.

A floating estimate that disagrees with the exact rank is a numerical warning, never a violation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analyzer import analyze
from analyzer.analysis import Analysis
from analyzer.spec import Architecture, SpecError
from networks import PRIME, get_xp, random_network, to_numpy
from networks.backend import BackendError

from .ranks import FLOAT_RULE, exact_rank_mod_p, float_rank
from .sampling import sample_partition

__all__ = [
    "DEFAULT_MAX_K",
    "OVERSAMPLE",
    "PartitionVerification",
    "VerifyResult",
    "verify_architecture",
    "sample_matrix",
    "STATUSES",
]

DEFAULT_MAX_K = 1024  # a 1024 x 1024 exact rank takes ~0.3 s and the SVD ~0.3 s on 2 cores
OVERSAMPLE = 8
MEMORY_BYTES = 1 << 30  # working memory of one sampled-matrix evaluation (all live units)
MAX_SINGULAR_VALUES = 4096
STATUSES = ("exact", "not-attained", "capped", "VIOLATION", "below-lower", "not-covered")


@dataclass
class PartitionVerification:
    I: list[int]
    label: str
    upper: int | None
    lower: int | None
    upper_symbolic: str
    lower_symbolic: str
    upper_source: str
    lower_source: str
    K: list[int]
    capped: bool
    certified_lower: int | None
    certified_text: str
    float_rank: int | None
    float_tolerance: float | None
    singular_values: list[float]
    status: str
    warnings: list[str] = field(default_factory=list)
    eval_seconds: float = 0.0
    rank_seconds: float = 0.0
    sampling: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class VerifyResult:
    name: str
    source: str
    seed: int
    prime: int
    backend: str
    weights: str
    mode: str
    max_k: int
    dtype: str
    values: dict
    partitions: list[PartitionVerification]
    elapsed_seconds: float
    float_rule: str = FLOAT_RULE
    notes: list[str] = field(default_factory=list)
    analysis: Analysis | None = field(default=None, repr=False)

    @property
    def violations(self) -> int:
        return sum(p.status == "VIOLATION" for p in self.partitions)

    @property
    def ok(self) -> bool:
        return self.violations == 0

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "seed": self.seed,
            "prime": self.prime,
            "backend": self.backend,
            "weights": self.weights,
            "mode": self.mode,
            "max_k": self.max_k,
            "dtype": self.dtype,
            "values": {k: str(v) for k, v in self.values.items()},
            "float_rule": self.float_rule,
            "elapsed_seconds": self.elapsed_seconds,
            "violations": self.violations,
            "notes": self.notes,
            "partitions": [p.to_dict() for p in self.partitions],
        }


def sample_matrix(net, sample, xp=np) -> np.ndarray:
    """Evaluate the sampled K_r x K_c matrix, in row chunks that bound memory.

    A chunk of rows holds, at worst, every unit of the widest layer at once (units are freed
    after their last use), so rows per chunk = MEMORY_BYTES / (bytes per row of a unit x the
    number of units of the widest layer).
    """
    c = net.circuit
    widths = [int(u.width) for u in c.units]
    per_layer: dict[int, int] = {}
    for u in c.units:
        per_layer[u.layer] = per_layer.get(u.layer, 0) + 1
    live = max(per_layer.values()) + 2
    per_row = max(1, sample.Kc * max(widths) * 8 * live)
    step = max(1, MEMORY_BYTES // per_row)
    parts = []
    for r0 in range(0, sample.Kr, step):
        r1 = min(sample.Kr, r0 + step)
        leaves = sample.leaves(r0, r1)
        out = net.evaluate(leaves, xp)
        out = xp.broadcast_to(out, (r1 - r0, sample.Kc))
        parts.append(to_numpy(out))
    return np.concatenate(parts, axis=0)


def _status(upper, lower, cert, Kmin, weights, sampling: str = "random-product") -> str:
    """Status of one partition (module docstring). A certified rank below the lower bound is
    evidence against it only when the sample reaches the rank of [A]_I: random product inputs
    (rank min(K, rank) w.h.p.) or all templates; a random subset of templates may miss it."""
    if upper is None:
        return "not-covered"
    if cert is None:
        return "not-attained"
    if cert > upper:
        return "VIOLATION"
    if cert == upper:
        return "exact"
    if lower is not None and cert < lower and Kmin >= lower and sampling != "template-subset":
        return "VIOLATION" if weights == "per-node" else "below-lower"
    if Kmin < upper and cert == Kmin:
        return "capped"
    return "not-attained"


def verify_architecture(
    arch: Architecture,
    partitions=(),
    families=(),
    mode: str = "both",
    weights: str = "shared",
    seed: int = 0,
    max_k: int | None = None,
    backend: str = "numpy",
    progress: Callable[[int, int, str], None] | None = None,
    oversample: int = OVERSAMPLE,
    dtype: str = "float64",
    values: dict | None = None,
) -> VerifyResult:
    """Certify ranks of grid-tensor matricizations and hold them against the analyzer's bounds.

    Parameters
    ----------
    arch : a concrete architecture (every width a number; ``values`` may supply them).
    partitions, families : as for :func:`analyzer.analyze` (default: ``nodes``).
    mode : ``exact`` (certified ranks mod p), ``float`` (SVD estimates) or ``both``.
    weights : ``shared`` (a real convolution) or ``per-node`` (the paper's decomposition).
    max_k : cap on the sampled rows and columns (default :data:`DEFAULT_MAX_K`).
    backend : ``numpy`` or ``cupy`` (same code, another array module).
    progress : optional callback ``progress(done, total, label)``.

    References
    ----------
    theory.md sec. 3 (certification); Schwartz-Zippel for the random sampling.
    """
    t0 = time.perf_counter()
    if mode not in ("exact", "float", "both"):
        raise SpecError("--mode", "", f"unknown mode {mode!r} (choose from exact, float, both)")
    if dtype not in ("float64", "float32"):
        raise SpecError("--dtype", "", f"unknown dtype {dtype!r} (float64 or float32)")
    max_k = DEFAULT_MAX_K if max_k is None else int(max_k)
    if max_k < 1:
        raise SpecError("--max-k", "", f"must be >= 1, got {max_k}")
    if values:
        arch = arch.substitute(values)
    if not arch.is_concrete:
        names = ", ".join(arch.symbol_names)
        raise SpecError(
            arch.source,
            "--set",
            f"verification needs numbers: set {names} (e.g. --set {arch.symbol_names[0]}=4)",
        )
    try:
        xp = get_xp(backend)
    except BackendError as exc:
        raise SpecError("--backend", "", str(exc)) from None
    notes: list[str] = []
    do_exact = mode in ("exact", "both")
    do_float = mode in ("float", "both")
    if arch.pooling != "product" and do_exact:
        if mode == "exact":
            raise SpecError(
                arch.source,
                "pooling",
                f"'{arch.pooling}' pooling runs in floating point only: use --mode float",
            )
        do_exact = False
        notes.append(f"'{arch.pooling}' pooling: floating point only, no certified ranks")
    if weights == "per-node":
        notes.append(
            "per-node weights: every tree node has its own weights (the paper's decomposition)"
        )
    fams = list(families) if (partitions or families) else []
    if not partitions and not families:
        fams = ["nodes"] if any(t is not None for t in _trees(arch)) else ["halves", "odd-even"]
    an = analyze(arch, partitions=list(partitions), families=fams)
    c = an.structure.circuit
    multilinear = c.multilinear
    if not multilinear:
        notes.append(
            "the output is not multilinear in the inputs (overlapping circuit or relu/max): rows "
            "and "
            "columns are template configurations, a submatrix of [A]_I"
        )
    M = int(arch.input_channels)
    net_exact = random_network(arch, "exact", weights, seed=seed) if do_exact else None
    net_float = (
        random_network(arch, "float", weights, seed=seed + 1, dtype=dtype) if do_float else None
    )
    fdtype = np.float32 if dtype == "float32" else np.float64
    templates = None
    if arch.pooling != "product":
        templates = np.random.default_rng([seed, 8]).standard_normal((M, M))
        notes.append(
            "relu/max pooling: templates are M seeded random Gaussian vectors (not the standard "
            "basis)"
        )
    results: list[PartitionVerification] = []
    total = len(an.partitions)
    for idx, pb in enumerate(an.partitions):
        if progress:
            progress(idx, total, "{" + ",".join(map(str, pb.I)) + "}")
        I = sum(1 << q for q in pb.I)
        target = (pb.upper + oversample) if pb.upper is not None else max_k
        K = min(target, max_k)
        warnings: list[str] = []
        cert = fr = ftol = None
        svals: list[float] = []
        t_eval = t_rank = 0.0
        Kr = Kc = K
        method = ""
        if net_exact is not None:
            rng = np.random.default_rng([seed, 2, idx])
            s = sample_partition(c, I, K, K, M, "exact", rng, PRIME, multilinear)
            Kr, Kc, method = s.Kr, s.Kc, s.method
            te = time.perf_counter()
            X = sample_matrix(net_exact, s, xp)
            t_eval += time.perf_counter() - te
            tr = time.perf_counter()
            cert = exact_rank_mod_p(X, PRIME)
            t_rank += time.perf_counter() - tr
        if net_float is not None:
            rng = np.random.default_rng([seed, 3, idx])
            s = sample_partition(
                c, I, K, K, M, "float", rng, PRIME, multilinear, dtype=fdtype, templates=templates
            )
            Kr, Kc, method = (Kr, Kc, method) if net_exact is not None else (s.Kr, s.Kc, s.method)
            te = time.perf_counter()
            X = sample_matrix(net_float, s, xp)
            t_eval += time.perf_counter() - te
            tr = time.perf_counter()
            f = float_rank(X)
            t_rank += time.perf_counter() - tr
            if f.rank < 0:
                warnings.append("floating evaluation overflowed (non-finite values): no estimate")
            else:
                fr, ftol = f.rank, f.tol
                svals = [float(v) for v in f.singular_values[:MAX_SINGULAR_VALUES]]
            if fr == 0 and f.singular_values.size and f.singular_values[0] == 0:
                warnings.append(
                    "the sampled matrix is zero: the output vanishes on every sampled input "
                    "(for relu/max a dead output unit; try another --seed)"
                )
            if cert is not None and fr is not None and fr != cert:
                warnings.append(
                    f"float estimate {fr} differs from the certified rank {cert} (numerical, not "
                    "a violation)"
                )
        Kmin = min(Kr, Kc)
        capped = pb.upper is not None and Kmin < pb.upper
        status = _status(pb.upper, pb.lower, cert, Kmin, weights, method)
        if cert is None:
            text = "not computed (float only)" if do_float else "-"
        elif capped and cert == Kmin:
            text = f"at least {cert} (K capped at {Kmin} < upper {pb.upper})"
        else:
            text = f"{cert}"
        if status == "below-lower":
            warnings.append(
                f"certified {cert} is below the analyzer's lower bound {pb.lower} "
                f"({pb.lower_source}), "
                "which is proved for per-node weights: a weight-sharing effect"
            )
        results.append(
            PartitionVerification(
                I=pb.I,
                label=pb.label,
                upper=pb.upper,
                lower=pb.lower,
                upper_symbolic=pb.upper_symbolic,
                lower_symbolic=pb.lower_symbolic,
                upper_source=pb.upper_source,
                lower_source=pb.lower_source,
                K=[Kr, Kc],
                capped=capped,
                certified_lower=cert,
                certified_text=text,
                float_rank=fr,
                float_tolerance=ftol,
                singular_values=svals,
                status=status,
                warnings=warnings,
                eval_seconds=t_eval,
                rank_seconds=t_rank,
                sampling=method,
            )
        )
    if progress:
        progress(total, total, "done")
    return VerifyResult(
        name=arch.name,
        source=arch.source,
        seed=seed,
        prime=PRIME,
        backend=backend,
        weights=weights,
        mode=mode,
        max_k=max_k,
        dtype=dtype,
        values=dict(values or {}),
        partitions=results,
        elapsed_seconds=time.perf_counter() - t0,
        notes=notes + an.structure.notes,
        analysis=an,
    )


def _trees(arch):
    from analyzer.analysis import structure

    return structure(arch).trees
