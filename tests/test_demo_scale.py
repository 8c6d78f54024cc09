"""`hqd demo --discharges N` beyond a million streams the extra discharges into padding files."""

from __future__ import annotations

import csv

import hqd.cli as cli


def test_discharges_beyond_the_detailed_demo_go_to_padding_files_of_bounded_size(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "DEMO_DETAILED", 1000)
    files = cli._benchmark_padding(tmp_path, 2500, seed=7)
    assert [f.kind for f in files] == ["discharges"] * 3
    counts = []
    keys: set[tuple[str, str, str]] = set()
    for f in files:
        with f.path.open(encoding="gbk") as fh:
            rows = list(csv.DictReader(fh))
        counts.append(len(rows))
        keys |= {(r["机构代码"], r["病案号"], r["住院次数"]) for r in rows}
    assert counts == [1000, 1000, 500]
    assert len(keys) == 2500  # distinct keys: every padding row loads as a new discharge
