"""A sample of the broken-file suite (issue 24, item 7): every category and every kind, each file loaded
through the real loader into a copy of a small prepared warehouse; no crash, no accounting violation, no
row lost, no short row stored, no key stored twice, no message without a field. The full set (1,000+ files)
runs in bench/broken/bench_broken.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.ingest.broken_files import (
    KINDS,
    Bench,
    Broken,
    Seed,
    demo_seeds,
    generate_broken,
    run,
    sample,
    short_lines,
    visible_data_rows,
)

SAMPLE = 40


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Iterator[tuple[list[Seed], list[Broken], Bench]]:
    root = tmp_path_factory.mktemp("broken")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQD_DB", str(root / "base.duckdb"))
        mp.delenv("HQD_SECRET", raising=False)
        seeds, reference = demo_seeds(root / "demo")
        files = generate_broken(seeds, root)
        yield seeds, files, Bench(root, reference)


def test_every_kind_has_a_valid_seed_and_every_category_its_files(suite):
    seeds, files, _ = suite
    assert [s.name for s in seeds] == list(KINDS)
    categories = {f.category for f in files}
    assert categories >= {"truncation", "line-endings", "quotes", "byte-flip", "bom", "nul", "cells", "headers",
                          "long-cell", "numbers", "dates", "keys", "xlsx", "control"}  # fmt: skip
    assert len(files) > 600


def test_the_generator_is_deterministic(suite, tmp_path):
    seeds, files, _ = suite
    again = generate_broken(seeds, tmp_path)
    same = [f for f in again if f.suffix == ".csv"]
    assert [(f.name, f.data) for f in same] == [(f.name, f.data) for f in files if f.suffix == ".csv"]


def test_the_counter_sees_rows_as_a_spreadsheet_user_does():
    # worked out by hand: header, two rows, a blank line, a CR-only row, a short row, a row with an open quote
    data = b'a,b,c\r\n1,2,3\r\n4,5,6\r\n,,\r\n7,8,9\r10,11\n"12,13,14\r\n'
    assert visible_data_rows(data) == 5
    assert short_lines(data) == [6, 7]  # "10,11" has 2 cells; the open quote makes line 7 one cell
    assert visible_data_rows(b"\xef\xbb\xbf" + "区划代码,名称\n1,甲".encode("gbk")) == 1
    # a wide values file is read one record per filled element cell; 机构名称 is no element
    wide = "机构代码,机构名称,统计期,门诊人次,急诊人次\r\nX,甲,2024-01,10,\r\nY,乙,2024-01,1,2\r\n".encode(
        "gbk"
    )
    assert visible_data_rows(wide, wide=True) == 3


def test_valid_controls_load_clean(suite):
    _, files, bench = suite
    for f in [f for f in files if f.category == "control"][:4]:
        o = bench.check(f)
        assert (o.status, o.crashed, o.rows_lost, o.rows_extra, o.short_stored) == (
            "accepted",
            False,
            0,
            0,
            0,
        ), o


def test_a_sample_of_broken_files_never_crashes_loses_or_stores_a_damaged_row(suite):
    _, files, bench = suite
    chosen = sample(files, SAMPLE)
    assert {f.category for f in chosen} == {f.category for f in files}
    assert {f.seed for f in chosen} == {f.seed for f in files}
    totals = run(chosen, bench)
    print(totals.report())
    bad = [o for o in totals.outcomes if o.crashed or o.accounting or o.rows_lost or o.short_stored
           or o.key_duplicates or o.no_field]  # fmt: skip
    assert totals.counts() == dict.fromkeys(totals.counts(), 0), "\n".join(map(str, bad))
