"""`hqd targets` as a user runs it, on the targets of tests/targets/board_data.py."""

from __future__ import annotations

import csv

import pytest
from tests.conftest import run_hqd
from tests.targets.board_data import CITY, TARGETS, build


@pytest.fixture
def db(seeded, warehouse_env):
    build(seeded)
    seeded.con.close()
    return warehouse_env


def test_the_board_prints_and_exports_every_status(db, tmp_path):
    out = tmp_path / "targets.csv"
    run = run_hqd(db, "targets", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "目标看板 targets board" in run.stdout
    assert (
        "已达标 met: 5  按期可达 on track: 3  有风险 at risk: 2  未达标（已到期） missed: 3  无数据 no data: 3"
        in run.stdout
    )
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["subject_code"], r["item"], r["deadline"]): r["status"] for r in rows} == {
        (s, i, d): status for s, i, _, _, d, _, status in TARGETS
    }
    assert all(r["reason_zh"] and r["reason_en"] and r["source"] == "《测试方案》" for r in rows)


def test_one_subject(db):
    run = run_hqd(db, "targets", "--org", CITY)
    assert run.returncode == 0 and "每千人口托位数" in run.stdout and "培训人次" not in run.stdout


def test_a_subject_without_targets_is_a_user_error(db):
    run = run_hqd(db, "targets", "--org", "990121")
    assert (
        run.returncode == 1
        and "no targets are loaded for 990121" in run.stderr
        and "Traceback" not in run.stderr
    )
