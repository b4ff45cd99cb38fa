"""The verification's K, stopping reason and error probability reach the report rows."""

from analyzer import analyze, load_spec
from reports.markdown import render_markdown
from reports.model import build_report_data
from verify import verify_architecture


def test_stop_and_epsilon_in_rows_and_markdown():
    arch = load_spec("builtin:worked-mix2")
    parts = ["0,2,4,6", "0,1,2,3"]
    an = analyze(arch, partitions=parts).to_dict()
    ver = verify_architecture(arch, partitions=parts, mode="exact").to_dict()
    data = build_report_data(an, ver)
    rows = {tuple(p.I): p for p in data.partitions}
    a, b = rows[(0, 2, 4, 6)], rows[(0, 1, 2, 3)]
    # theory.md worked table: mix2 has rank 34 < the propagation bound on {0,2,4,6}
    assert a.certified_lower == 34 and a.stop == "rank-below-K" and 0 < a.epsilon < 1e-3
    assert (
        "rank-below-K" in a.display()["certification"] and "eps <=" in a.display()["certification"]
    )
    assert b.stop == "upper" and b.epsilon == 0 and "eps 0" in b.display()["certification"]
    md = render_markdown(data)
    assert "K, stop, error probability" in md and "rank-below-K" in md
