"""The PDF (reports/pdf.py + templates/report.typ), checked with pypdf."""

from __future__ import annotations

import re

import pytest

pypdf = pytest.importorskip("pypdf")

from .conftest import MALICIOUS  # noqa: E402


def _read(path):
    reader = pypdf.PdfReader(str(path))
    text = "\n".join(p.extract_text() for p in reader.pages)
    return reader, text


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


HEADINGS = (
    "Expressivity report",
    "Summary",
    "Architecture",
    "Rank bounds per partition",
    "Reproducibility",
)


def test_paper_mixed_pdf(paper_mixed_report):
    reader, text = _read(paper_mixed_report.pdf)
    assert 3 <= len(reader.pages) <= 10
    for h in HEADINGS + ("Figures", "Comparison: paper-T against paper-mixed"):
        assert h in text, h
    flat = _flat(text)
    # the paper's N = 16 set; Claim 5 + Theorem 7 at r = 4 with per-edge widths: r^8 = 65536
    assert "{0,2,4,6,8,9,12,13}" in flat
    row = flat[flat.index("0 {0,2,4,6,8,9,12,13}") :]
    assert re.search(r"65536 propagation .*65536 Claim 5 \+ Theorem 7", row[:400])
    # size 16 r^2 = 256 at r = 4; receptive field 16; mixture nodes: the four depth-2 blocks
    # (pypdf's spacing around "=" follows the layout)
    assert re.search(r"= ?256", flat) and re.search(r"𝑁 ?= ?16", flat)
    assert "mixture nodes (4): {0..3}, {4..7}, {8..11}, {12..15}" in flat
    # the comparison's sweep: sizes of A are 16 r^2 = 256 and 1024 at r = 4, 8
    comp = flat[flat.index("Comparison: paper-T") :]
    assert re.search(r"\b4 256\b", comp) and re.search(r"\b8 1024\b", comp)
    assert paper_mixed_report.data.comparison.verdict in comp
    assert "seed: 0" in flat and "prime: " in flat


def test_wavenet_pdf(wavenet_report):
    reader, text = _read(wavenet_report.pdf)
    assert 2 <= len(reader.pages) <= 6
    for h in HEADINGS:
        assert h in text, h
    flat = _flat(text)
    # N = 1 + (1+2+4)*2 = 15; size 6 layers x 2*2*2 = 48; both partitions capped by
    # min(M^|I|, M^|J|) = 2^7 = 128 (M = 2; |I| = 7 for halves, |J| = 7 for odd-even)
    assert "𝑁 = 15" in flat and "parameters: 48" in flat
    assert "kind: overlapping" in flat
    assert "{0..6}" in flat and "{0,2,4,6,8,10,12,14}" in flat
    assert flat.count("128 propagation") == 2


def test_malicious_name_renders_as_text(malicious_report):
    reader, text = _read(malicious_report.pdf)
    flat = _flat(text)
    assert MALICIOUS in flat  # the title line, literally
    assert f"desc {MALICIOUS}" in flat
    assert f"Branch b {MALICIOUS}" in flat
    assert flat.count(MALICIOUS) >= 4


def test_pdf_has_no_date(wavenet_report):
    reader, _ = _read(wavenet_report.pdf)
    meta = reader.metadata or {}
    assert "/CreationDate" not in meta and "/ModDate" not in meta
