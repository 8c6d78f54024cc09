"""Every kind of target item and every status, from files loaded through the real loaders (board_data.py)."""

from __future__ import annotations

import pytest
from tests.conftest import HOSP
from tests.scoring.region import national_reference, region
from tests.targets.board_data import CITY, TARGETS, build

from hqd.targets import board


@pytest.fixture
def board_wh(seeded):
    return build(seeded)


def by_item(table):
    return {(r["subject_code"], r["item"], r["deadline"]): r for r in table}


def test_each_target_gets_the_status_worked_out_by_hand(board_wh):
    table = by_item(board.rows(board_wh.con, board.evaluate_all(board_wh.con)))
    got = {k: r["status"] for k, r in table.items()}
    assert got == {(s, i, d): status for s, i, _, _, d, _, status in TARGETS}


def test_latest_values_and_projections(board_wh):
    table = by_item(board.rows(board_wh.con, board.evaluate_all(board_wh.con)))
    rank = table[(HOSP, "国考排名百分位", "2025")]
    assert (rank["latest_period"], rank["latest_value"]) == ("2025", 10.0)
    assert rank["latest_text"].startswith("A（10.0%")
    assert table[(HOSP, "国考排名百分位", "2026")]["projection"] == pytest.approx(0.0, abs=1e-9)
    assert table[(HOSP, "gk3.04", "2026")]["projection"] == pytest.approx(65.0)
    assert table[(HOSP, "联盟成员单位数", "2025")]["latest_value"] == 5
    assert table[(HOSP, "新技术新项目数", "2026")]["projection"] == pytest.approx(11.0)
    assert table[(HOSP, "培训人次", "2025")]["latest_value"] == 400
    places = table[(CITY, "每千人口托位数", "2025")]
    assert places["latest_value"] == pytest.approx(5.0) and "13,800 / 2,760,000" in places["latest_text"]
    assert table[(HOSP, "门诊人次", "2024")]["latest_value"] == 1080
    emr = table[(HOSP, "电子病历系统应用水平", "2025")]
    assert emr["latest_text"].startswith("6级（2024-11-01）")


def test_reasons_are_bilingual(board_wh):
    for r in board.rows(board_wh.con, board.evaluate_all(board_wh.con)):
        assert r["reason_zh"] and r["reason_en"]
    table = by_item(board.rows(board_wh.con, board.evaluate_all(board_wh.con)))
    assert "not an institution a scoring scheme applies to" in table[(CITY, "国考等级", "2025")]["reason_en"]


def test_one_subject_only_and_the_stored_board(board_wh):
    table = board.rows(board_wh.con, board.evaluate_all(board_wh.con, CITY))
    assert {r["subject_code"] for r in table} == {CITY}
    board.save(board_wh.con, table, CITY)
    board.save(board_wh.con, table, CITY)
    assert board_wh.one("SELECT count(*) FROM target_evaluations") == len(table) == 4


def test_a_grade_target_uses_the_national_reference_where_one_is_loaded(seeded):
    wh = region(seeded)
    national_reference(wh)  # HOSP totals 850 in 2024 = the national P95: top 5%, A+ (test_score_period)
    rows = [["对象代码", "目标项", "比较", "目标值", "截止期"], [HOSP, "国考等级", ">=", "A+", "2024"]]
    assert wh.load("targets", wh.file("t.csv", rows)).quarantined == 0
    (r,) = board.rows(wh.con, board.evaluate_all(wh.con))
    assert r["status"] == "met" and r["latest_text"] == "A+（5.0%，national）"
