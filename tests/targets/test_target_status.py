"""Each status a target can have, decided on hand-made series (no warehouse)."""

from __future__ import annotations

import pytest

from hqd.indicators.periods import parse
from hqd.scoring.schemes import load_scheme
from hqd.targets.items import resolve
from hqd.targets.series import Point
from hqd.targets.status import Target, evaluate


def pts(*pairs: tuple[str, float | None]) -> list[Point]:
    return [Point(parse(p), v, "—" if v is None else f"{v:g}") for p, v in pairs]


def target(
    item: str = "gk3.04", cmp: str = ">=", value: str = "30", deadline: str = "2025", baseline=None
) -> Target:
    try:
        number = float(value)
    except ValueError:
        number = None
    return Target("X", item, cmp, value, number, deadline, baseline)


def test_met_when_the_latest_value_meets_the_target():
    ev = evaluate(target(), resolve("gk3.04"), pts(("2023", 25), ("2024", 31)))
    assert ev.status == "met" and ev.latest.period.text == "2024"
    assert ev.reason_en == "2024 meets >= 30" and ev.reason_zh == "2024 已达到 >= 30"


def test_on_track_when_the_trend_reaches_the_target_by_the_deadline():
    # 20, 24, 28 in 2022–2024: +4 a year → 32 in 2025 ≥ 30; residuals 0, so the interval has no width
    ev = evaluate(target(), resolve("gk3.04"), pts(("2022", 20), ("2023", 24), ("2024", 28)))
    assert ev.status == "on_track"
    assert ev.fit.value == pytest.approx(32) and ev.p_meet == pytest.approx(1.0)
    assert "projects 32.00 at 2025" in ev.reason_en


def test_at_risk_when_the_trend_falls_short():
    # 20, 21, 23: slope 1.5, intercept at 2023.5 = 64/3 → 2025.5 gives 64/3 + 3 = 24.33 < 30
    ev = evaluate(target(), resolve("gk3.04"), pts(("2022", 20), ("2023", 21), ("2024", 23)))
    assert ev.status == "at_risk"
    assert ev.fit.value == pytest.approx(64 / 3 + 3)
    assert ev.interval is not None and ev.p_meet < 0.5
    assert "falls short" in ev.reason_en and "达不到" in ev.reason_zh


def test_at_risk_with_a_single_period_short_of_the_target():
    ev = evaluate(target(), resolve("gk3.04"), pts(("2024", 20)))
    assert ev.status == "at_risk" and ev.fit is None and "one period only" in ev.reason_en


def test_missed_when_the_deadline_period_falls_short():
    ev = evaluate(target(), resolve("gk3.04"), pts(("2024", 31), ("2025", 29), ("2026", 40)))
    # 2026 lies after the deadline and is not used; 2025 is the deadline's own period
    assert ev.status == "missed" and ev.latest.period.text == "2025"


def test_lower_is_better_targets():
    ev = evaluate(target("gk3.08", "<=", "1.5"), resolve("gk3.08"), pts(("2024", 1.4)))
    assert ev.status == "met"
    ev = evaluate(target("gk3.08", "<=", "1.5"), resolve("gk3.08"), pts(("2023", 2.0), ("2024", 1.8)))
    # −0.2 a year → 1.6 in 2025 > 1.5
    assert ev.status == "at_risk" and ev.fit.value == pytest.approx(1.6)


def test_the_trend_starts_at_the_baseline():
    # From the 2023 baseline: 10, 20 → 30 in 2025 (on track); from 2020 the trend would be flatter
    series = pts(("2020", 19), ("2021", 19), ("2022", 19), ("2023", 10), ("2024", 20))
    ev = evaluate(target(baseline="2023"), resolve("gk3.04"), series)
    assert ev.status == "on_track" and ev.periods_used == 2 and ev.fit.value == pytest.approx(30)


def test_an_equality_target():
    assert evaluate(target(cmp="=", value="30"), resolve("gk3.04"), pts(("2025", 30))).status == "met"
    assert evaluate(target(cmp="=", value="30"), resolve("gk3.04"), pts(("2025", 31))).status == "missed"


def test_a_grade_target_compares_the_rank_percentile_with_the_grade_cut_point():
    gk3 = load_scheme("gk3")
    t = target("国考等级", ">=", "A+")
    # A+ = top 5%: 4.0% meets it, 8.0% in the deadline year misses it
    assert evaluate(t, resolve("国考等级"), pts(("2025", 4.0)), gk3).status == "met"
    ev = evaluate(t, resolve("国考等级"), pts(("2025", 8.0)), gk3)
    assert ev.status == "missed" and "≤ 5%" in ev.reason_zh


def test_a_top_percent_target_on_the_rank_percentile():
    t = target("国考排名百分位", "前%", "10")
    assert evaluate(t, resolve("国考排名百分位"), pts(("2024", 30), ("2025", 9.5))).status == "met"


def test_a_rating_target_compares_positions_on_the_scale():
    t = target("互联互通标准化成熟度", ">=", "五级乙等")
    m = resolve("互联互通")
    # ordinals: 四级甲等 5, 五级乙等 6, 五级甲等 7
    assert evaluate(t, m, pts(("2024", 5), ("2025", 7))).status == "met"
    assert evaluate(t, m, pts(("2024", 5))).status == "at_risk"


@pytest.mark.parametrize(
    ("t", "item", "series", "reason"),
    [
        (target("县域外某指标"), "县域外某指标", [], "is not an indicator"),
        (target(), "gk3.04", [], "no value up to the deadline 2025"),
        (target("gk3.04", "前%", "10"), "gk3.04", [], "前% applies"),
        (target("国考等级", ">=", "A+++"), "国考等级", [], "is not a grade"),
        (target("电子病历系统应用水平", ">=", "9级"), "电子病历", [], "not a known level"),
        (target("gk3.04", ">=", "很高"), "gk3.04", [], "not a number"),
    ],
)
def test_no_data_says_why(t, item, series, reason):
    ev = evaluate(t, resolve(item), series, load_scheme("gk3"))
    assert ev.status == "no_data" and reason in ev.reason_en and ev.reason_zh


def test_values_that_cannot_be_judged_pass_their_reason_on():
    series = [Point(parse("2025"), None, "第1/2名", "同组仅 2 家 / only 2 peer(s)")]
    ev = evaluate(target("国考等级", ">=", "A"), resolve("国考等级"), series, load_scheme("gk3"))
    assert (ev.status, ev.reason_zh, ev.reason_en) == ("no_data", "同组仅 2 家", "only 2 peer(s)")
