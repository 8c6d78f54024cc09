"""The standalone benchmark file: streamed in chunks, deterministic, every row loadable, keys unique."""

from __future__ import annotations

from pathlib import Path

from tests.demo import demo_contract as cc

from hqd.demo import write_discharges_csv
from hqd.demo.bigfile import write_in_chunks
from hqd.demo.region import build_region


def test_chunks_stream_into_one_clean_file(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_in_chunks(path, 2_500, seed=7, encoding="gbk", chunk=1_000)
    raw = path.read_bytes()
    raw.decode("gbk")
    _, _, header, rows = cc.read_sheets(path)[0]
    assert len(rows) == 2_500
    assert header.count("机构代码") == 1 and ["机构代码"] not in [r[:1] for r in rows]
    keys = {(r[0], r[2], r[3]) for r in rows}
    assert len(keys) == len(rows)
    model = build_region()
    inst = {x.code for x in model.institutions}
    regions = {r.code for r in model.regions}
    assert cc.check_rows("discharges", header, rows, inst, regions) == {}


def test_same_seed_same_file(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_discharges_csv(a, 1_200, seed=3)
    write_discharges_csv(b, 1_200, seed=3)
    write_discharges_csv(c, 1_200, seed=4, encoding="utf-8-sig")
    assert a.read_bytes() == b.read_bytes()
    assert c.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(c.read_bytes().decode("utf-8-sig").splitlines()) == 1_201
