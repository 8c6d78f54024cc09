"""The loader's write scope: rows whose owner lies outside the caller's institution or region are quarantined
as out_of_scope and counted, in-scope rows are stored, and the hierarchy kinds are refused to a scoped load.

The conftest region: 990100 示例市 with counties 990102 甲区 (HOSP) and 990121 乙县 (COUNTY, CLINIC), under
990000 示例省.
"""

from __future__ import annotations

import json

import pytest
from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, INSTITUTIONS, discharge, table_fingerprint

from hqd.ingest.spec import kinds, load_kind
from hqd.ingest.write_scope import WriteScope

COUNTY_ANALYST = WriteScope.region("990121")
CITY_ANALYST = WriteScope.region("990100")
HOSPITAL = WriteScope.institution(HOSP)
# one discharge of each institution: HOSP (甲区, row 2), COUNTY and CLINIC (乙县, rows 3 and 4)
THREE = [
    DISCHARGE_HEADER,
    discharge("A1"),
    discharge("A2", 机构代码=COUNTY),
    discharge("A3", 机构代码=CLINIC),
]


def _stored_orgs(wh, import_id: int) -> set[str]:
    return {o for (o,) in wh.rows("SELECT org_code FROM discharges WHERE import_id = ?", [import_id])}


def test_a_hospital_writes_its_own_discharges_and_the_others_are_quarantined(seeded):
    s = seeded.load("discharges", seeded.file("d.csv", THREE), scope=HOSPITAL)
    assert (s.read, s.new, s.quarantined) == (3, 1, 2) and s.adds_up
    assert _stored_orgs(seeded, s.import_id) == {HOSP}
    assert seeded.reasons(s.import_id) == [(3, "机构代码", "out_of_scope"), (4, "机构代码", "out_of_scope")]
    [reason] = s.reasons
    assert (reason.rule, reason.count, reason.rows) == ("out_of_scope", 2, ["3", "4"])
    assert COUNTY in reason.message_zh and HOSP in reason.message_zh
    assert "outside your scope" in reason.message_en


def test_an_analyst_writes_the_institutions_of_its_county_only(seeded):
    s = seeded.load("discharges", seeded.file("d.csv", THREE), scope=COUNTY_ANALYST)
    assert (s.new, s.quarantined) == (2, 1)
    assert _stored_orgs(seeded, s.import_id) == {COUNTY, CLINIC}
    assert seeded.reasons(s.import_id) == [(2, "机构代码", "out_of_scope")]


def test_a_city_analyst_writes_every_institution_under_the_city(seeded):
    s = seeded.load("discharges", seeded.file("d.csv", THREE), scope=CITY_ANALYST)
    assert (s.new, s.quarantined) == (3, 0)


def test_the_command_line_without_a_scope_writes_every_row(seeded):
    rows = [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 机构代码=COUNTY)]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert (s.new, s.quarantined) == (2, 0)


VALUES = [["机构代码", "统计期", "数据项", "数值"]] + [
    [code, "2024-03", "门诊人次", "100"] for code in (HOSP, COUNTY, "990000", "990100", "990102", "990121")
]


def test_reported_values_of_regions_count_as_the_analysts_when_under_its_region(seeded):
    s = seeded.load("values", seeded.file("v.csv", VALUES), scope=COUNTY_ANALYST)
    stored = {o for (o,) in seeded.rows("SELECT org_code FROM reported_values")}
    assert stored == {COUNTY, "990121"} and s.quarantined == 4
    # the city and the province lie above the county: outside its scope as much as the neighbouring county
    assert [r for r, _f, _rule in seeded.reasons(s.import_id)] == [2, 4, 5, 6]


def test_a_hospital_writes_no_region_values(seeded):
    s = seeded.load("values", seeded.file("v.csv", VALUES), scope=HOSPITAL)
    assert {o for (o,) in seeded.rows("SELECT org_code FROM reported_values")} == {HOSP}
    assert s.quarantined == 5


def test_target_subjects_are_checked_like_every_other_owner(seeded):
    rows = [["对象代码", "目标项", "比较", "目标值", "截止期"], [HOSP, "gk3.04", ">=", "70", "2025"],
            [COUNTY, "gk2.01", ">=", "40", "2025"], ["990121", "gk2.01", ">=", "40", "2025"]]  # fmt: skip
    s = seeded.load("targets", seeded.file("t.csv", rows), scope=COUNTY_ANALYST)
    assert {o for (o,) in seeded.rows("SELECT subject_code FROM targets")} == {COUNTY, "990121"}
    assert seeded.reasons(s.import_id) == [(2, "对象代码", "out_of_scope")]


def test_claims_belong_to_the_insured_persons_county_wherever_the_care_was(seeded):
    header = ["结算ID", "参保地区划代码", "就医机构代码", "就医地区划代码", "医疗类别", "结算日期", "医疗费用总额",
              "医保基金支付金额"]  # fmt: skip
    rows = [header, ["S1", "990121", HOSP, "990102", "住院", "2024-03-05", "1000", "800"],
            ["S2", "990102", COUNTY, "990121", "住院", "2024-03-05", "1000", "800"]]  # fmt: skip
    s = seeded.load("claims", seeded.file("c.csv", rows), scope=COUNTY_ANALYST)
    assert seeded.rows("SELECT settlement_id FROM claims") == [("S1",)]
    assert seeded.reasons(s.import_id) == [(3, "参保地区划代码", "out_of_scope")]


def test_a_row_cannot_replace_a_stored_row_of_another_institution_by_reusing_its_key(seeded):
    header = ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期"]
    seeded.load("referrals", seeded.file("r0.csv", [header, ["R1", COUNTY, HOSP, "上转", "2024-03-01"]]))
    before = table_fingerprint(seeded.con)["referrals"]
    s = seeded.load("referrals", seeded.file("r1.csv", [header, ["R1", HOSP, COUNTY, "下转", "2024-03-02"]]),
                    scope=HOSPITAL)  # fmt: skip
    assert (s.new, s.updated, s.quarantined) == (0, 0, 1)
    assert seeded.reasons(s.import_id) == [(2, "转出机构代码", "out_of_scope_stored")]
    assert table_fingerprint(seeded.con)["referrals"] == before


@pytest.mark.parametrize("kind", ["regions", "institutions", "memberships", "codes-icd10"])
def test_a_scoped_load_of_a_hierarchy_or_standard_kind_is_rejected_and_changes_nothing(seeded, kind):
    # the institutions file moves HOSP (甲区) under the county analyst's 乙县: the re-parenting attack
    moved = [INSTITUTIONS[0], [HOSP, "示例市人民医院", "990121", "三级", "综合医院", "1200"]]
    before = table_fingerprint(seeded.con)
    s = seeded.load(kind, seeded.file("h.csv", moved), scope=COUNTY_ANALYST)
    assert s.status == "rejected" and f"only administrators may load {kind}" in s.message
    after = table_fingerprint(seeded.con)
    del before["imports"], after["imports"]  # the refusal is logged there
    assert after == before
    assert seeded.one("SELECT region_code FROM institutions WHERE org_code = ?", [HOSP]) == "990102"


def test_the_kinds_without_an_owner_are_exactly_the_hierarchy_and_the_code_lists():
    ownerless = {k for k in kinds() if not load_kind(k).owner}
    hierarchy = {"regions", "institutions", "memberships"}
    assert ownerless == hierarchy | {"codes-icd10", "codes-icd9cm3", "codes-drg"}


def test_an_out_of_scope_row_keeps_its_cells_but_no_identifier(seeded):
    rows = [DISCHARGE_HEADER, discharge("A2", 机构代码=COUNTY)]
    s = seeded.load("discharges", seeded.file("d.csv", rows), scope=HOSPITAL)
    [(row_data,)] = seeded.rows("SELECT row_data FROM quarantine WHERE import_id = ?", [s.import_id])
    cells = json.loads(row_data)
    assert cells["机构代码"] == COUNTY and cells["病案号"] == "A2"
    assert "身份证号" not in cells and "110101196401011234" not in row_data and "王小明" not in row_data


def test_an_identical_file_loaded_within_a_narrower_scope_reports_its_own_quarantine(seeded):
    rows = [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 机构代码=COUNTY)]
    path = seeded.file("d.csv", rows)
    first = seeded.load("discharges", path)
    again = seeded.load("discharges", path, scope=HOSPITAL)
    assert first.quarantined == 0
    assert (again.unchanged, again.quarantined, again.same_as) == (1, 1, None)
    assert seeded.reasons(again.import_id) == [(3, "机构代码", "out_of_scope")]


def test_an_analyst_without_a_region_writes_nothing(seeded):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1")]),
                    scope=WriteScope.region(""))  # fmt: skip
    assert (s.new, s.quarantined) == (0, 1)


def test_an_owner_that_is_not_a_required_organisation_field_is_a_catalog_error(monkeypatch, tmp_path):
    import shutil

    import yaml

    from hqd import catalog
    from hqd.catalog import CatalogError
    from hqd.ingest import spec

    shutil.copytree(catalog.catalog_dir(), tmp_path / "catalog")
    path = tmp_path / "catalog" / "fields" / "referrals.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["owner"] = ["patient_key"]  # a hashed identifier names no organisation
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(catalog, "catalog_dir", lambda: tmp_path / "catalog")
    monkeypatch.setattr(spec, "catalog_dir", lambda: tmp_path / "catalog")
    load_kind.cache_clear()
    try:
        with pytest.raises(CatalogError, match="owner patient_key must be a required institution or region"):
            load_kind("referrals")
    finally:
        load_kind.cache_clear()
