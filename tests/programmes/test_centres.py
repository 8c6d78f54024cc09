"""The five centres' metrics on hand-made cases: every expected number is worked out beside the cases."""

from __future__ import annotations

import csv

import pytest
from tests.conftest import COUNTY, HOSP, run_hqd

from hqd.indicators.catalog import indicators
from hqd.indicators.compute import compute_period
from hqd.programmes.centres import metrics, page_rows

HEADER = ["中心类型", "机构代码", "病例编号", "诊断分类", "来院方式", "发病时间", "首次医疗接触时间", "到达医院时间",
          "首份心电图时间", "导丝通过时间", "溶栓开始时间", "股动脉穿刺时间", "转出时间", "损伤严重度评分", "结局"]  # fmt: skip
D = "2024-03-01 "


def case(centre, org, ident, dx, way, *, fmc="", door="10:00", ecg="", wire="", needle="", puncture="", out="",
         iss="", outcome="存活"):  # fmt: skip
    t = lambda hm: D + hm if hm else ""  # noqa: E731
    return [centre, org, ident, dx, way, t("08:00"), t(fmc), t(door), t(ecg), t(wire), t(needle), t(puncture),
            t(out), iss, outcome]  # fmt: skip


# D2W (direct STEMI PCI) at HOSP: 60, 100, 85 min and one without a wire time (incomplete) → median 85,
#   P25 = 60 + 0.5·25 = 72.5, P75 = 85 + 0.5·15 = 92.5; ≤ 90: 2 of 3; completeness 3 of 4.
# A transferred STEMI (FMC 08:30 → wire 10:50 = 140 min) is out of D2W and in FMC-to-wire (> 120).
# At COUNTY: one STEMI thrombolysed at 25 min (D2N) and transferred out at 45 min (DIDO), one STEMI dead.
# FMC-to-ECG at HOSP: 5, 32, 11, 30 min (cases 1, 2, 4, 6); cases 3 and 5 have no ECG → median (11 + 30) / 2
#   = 20.5, ≤ 10: 1 of 4, completeness 4 of 6. At COUNTY 21 min (case 2) → the city's median of 5, 11, 21, 30,
#   32 is 21 (not the mean of the two hospitals' medians, 20.75).
CASES = [
    case("胸痛", HOSP, "1", "STEMI", "自行来院", fmc="10:00", ecg="10:05", wire="11:00", puncture="10:40"),
    case(
        "胸痛",
        HOSP,
        "2",
        "STEMI",
        "120",
        fmc="09:30",
        ecg="10:02",
        wire="11:40",
        puncture="11:20",
        outcome="死亡",
    ),
    case("胸痛", HOSP, "3", "STEMI", "自行来院", fmc="10:00", puncture="11:00"),  # no wire time, no ECG
    case("胸痛", HOSP, "4", "STEMI", "120", fmc="09:50", ecg="10:01", wire="11:25", puncture="11:10"),
    case("胸痛", HOSP, "5", "STEMI", "转院", fmc="08:30", wire="10:50", puncture="10:30"),
    case("胸痛", HOSP, "6", "NSTEMI", "自行来院", fmc="10:00", ecg="10:30"),
    case("胸痛", COUNTY, "1", "STEMI", "自行来院", needle="10:25", out="10:45", outcome="转院"),
    case("胸痛", COUNTY, "2", "STEMI", "120", fmc="09:40", ecg="10:01", outcome="死亡"),
    # stroke at HOSP: DNT 40 and 70 min (≤ 60: 1 of 2); an ischaemic stroke without thrombolysis
    case("卒中", HOSP, "1", "缺血性卒中", "120", needle="10:40"),
    case("卒中", HOSP, "2", "缺血性卒中", "自行来院", needle="11:10"),
    case("卒中", HOSP, "3", "缺血性卒中", "自行来院", outcome=""),  # outcome not recorded
    # trauma: ISS 25 dead, ISS 9 alive → severe mortality 1/1, mortality 1/2
    case("创伤", HOSP, "1", "严重创伤", "120", iss="25", outcome="死亡"),
    case("创伤", HOSP, "2", "严重创伤", "120", iss="9"),
]


@pytest.fixture
def computed(seeded):
    s = seeded.load("centre-cases", seeded.file("cases.csv", [HEADER, *CASES]))
    assert (s.new, s.quarantined) == (len(CASES), 0)
    compute_period(seeded.con, "2024", only=[i.id for i in indicators() if i.programme == "centres"])
    return seeded


def got(wh, ident, org):
    return wh.rows(
        "SELECT numerator, denominator, value FROM indicator_values WHERE indicator_id = ? AND org_code = ?",
        [ident, org],
    )[0]


def test_door_to_wire_median_iqr_compliance_and_completeness(computed):
    assert got(computed, "chest_pain.d2w.median", HOSP)[2] == 85
    assert got(computed, "chest_pain.d2w.p25", HOSP)[2] == pytest.approx(72.5)
    assert got(computed, "chest_pain.d2w.p75", HOSP)[2] == pytest.approx(92.5)
    assert got(computed, "chest_pain.d2w.compliance", HOSP) == (2, 3, pytest.approx(200 / 3))
    assert got(computed, "chest_pain.d2w.completeness", HOSP) == (3, 4, 75)


def test_transferred_patients_count_from_first_medical_contact(computed):
    assert got(computed, "chest_pain.fmc_to_wire.median", HOSP)[2] == 140
    assert got(computed, "chest_pain.fmc_to_wire.compliance", HOSP)[:2] == (0, 1)


def test_first_ecg_leaves_out_the_cases_without_an_ecg(computed):
    assert got(computed, "chest_pain.fmc_to_ecg.median", HOSP)[2] == 20.5
    assert got(computed, "chest_pain.fmc_to_ecg.compliance", HOSP)[:2] == (1, 4)
    # case 6 (NSTEMI) is a chest-pain patient too: 4 ECG times of 6 cases
    assert got(computed, "chest_pain.fmc_to_ecg.completeness", HOSP)[:2] == (4, 6)


def test_thrombolysis_transfer_and_mortality_at_the_county_hospital(computed):
    assert got(computed, "chest_pain.d2n.median", COUNTY)[2] == 25
    assert got(computed, "chest_pain.dido.median", COUNTY)[2] == 45
    assert got(computed, "chest_pain.dido.compliance", COUNTY)[:2] == (0, 1)  # 45 > 30
    assert got(computed, "chest_pain.stemi_mortality", COUNTY)[:2] == (1, 2)
    assert got(computed, "chest_pain.stemi_reperfusion", COUNTY)[:2] == (1, 2)


def test_region_medians_are_taken_over_all_cases_of_the_region(computed):
    assert got(computed, "chest_pain.fmc_to_ecg.median", COUNTY)[2] == 21
    assert got(computed, "chest_pain.fmc_to_ecg.median", "990100")[2] == 21
    # the city's STEMI mortality is a ratio of sums: (1 + 1) / (5 + 2)
    assert got(computed, "chest_pain.stemi_mortality", "990100")[:2] == (2, 7)


def test_stroke_and_trauma(computed):
    assert got(computed, "stroke.dnt.median", HOSP)[2] == 55
    assert got(computed, "stroke.dnt.compliance", HOSP)[:2] == (1, 2)
    assert got(computed, "stroke.ivt_rate", HOSP)[:2] == (2, 3)
    assert got(computed, "stroke.mortality", HOSP)[:2] == (0, 2)  # the case without an outcome is left out
    assert got(computed, "stroke.outcome_completeness", HOSP)[:2] == (2, 3)
    assert got(computed, "trauma.severe_mortality", HOSP)[:2] == (1, 1)
    assert got(computed, "trauma.mortality", HOSP)[:2] == (1, 2)


def test_an_institution_without_eligible_cases_is_missing_with_a_reason(computed):
    status, reason = computed.rows(
        "SELECT status, reason FROM indicator_values WHERE indicator_id = 'chest_pain.d2w.median' AND org_code = ?",
        [COUNTY],
    )[0]
    assert status == "missing" and "no eligible cases" in reason


def test_every_centre_indicator_carries_a_verification_tag():
    for ind in indicators():
        if ind.programme == "centres":
            assert ind.tag.startswith(("✅", "🟡", "unverified")), ind.id


def test_the_page_groups_the_statistics_of_each_metric(computed):
    rows = {(r["metric_id"], r["org_code"]): r for r in page_rows(computed.con, "2024")}
    d2w = rows[("chest_pain.d2w", HOSP)]
    assert (d2w["eligible"], d2w["with_times"], d2w["missing_times"]) == (4, 3, 1)
    assert (d2w["median"], d2w["p25"], d2w["p75"], d2w["limit_minutes"]) == (85, 72.5, 92.5, 90)
    assert d2w["within_limit"] == 2
    # COUNTY has no trauma cases, so it has no trauma rows
    assert ("trauma.mortality", COUNTY) not in rows and ("trauma.mortality", HOSP) in rows
    limits = {m.key: m.limit for m in metrics() if m.centre == "stroke"}
    assert limits["dnt"] == 60 and limits["dido"] is None


def test_the_cli_prints_and_writes_the_page(computed, tmp_path):
    out = tmp_path / "centres.csv"
    computed.con.close()  # the command opens the warehouse itself
    proc = run_hqd(
        computed.cfg.db_path, "programme", "centres", "--period", "2024", "--out", str(out), check=True
    )
    assert "胸痛中心" in proc.stdout and "85 [72.5–92.5]" in proc.stdout
    with out.open(encoding="utf-8-sig") as fh:
        written = list(csv.DictReader(fh))
    row = next(r for r in written if r["metric_id"] == "chest_pain.d2w" and r["org_code"] == HOSP)
    assert float(row["missing_times"]) == 1 and float(row["compliance_pct"]) == pytest.approx(200 / 3)


def test_the_page_asks_for_a_compute_first(seeded):
    seeded.con.close()
    proc = run_hqd(seeded.cfg.db_path, "programme", "centres", "--period", "2024")
    assert (
        proc.returncode == 1 and "hqd compute --period 2024" in proc.stderr and "Traceback" not in proc.stderr
    )


def test_explain_lists_the_cases_behind_a_quantile(computed, tmp_path):
    out = tmp_path / "cases.csv"
    computed.con.close()
    proc = run_hqd(computed.cfg.db_path, "explain", "chest_pain.d2w.p75", "--org", HOSP, "--period", "2024",
                   "--out", str(out), check=True)  # fmt: skip
    assert "matches the stored value" in proc.stdout
    with out.open(encoding="utf-8-sig") as fh:
        minutes = sorted(float(r["in_numerator"]) for r in csv.DictReader(fh) if r["in_numerator"])
    assert minutes == [60, 85, 100]
