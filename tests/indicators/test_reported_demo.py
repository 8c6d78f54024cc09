"""The demo region reports what the reported-value indicators read: generated, loaded through the real
loaders and computed for 2025, every indicator of gk3_reported, gk2_reported and tcm has a value for at
least one of the region's hospitals; the one secondary hospital that leaves items out is missing exactly
there, with the items named; and the finance figures add up as a 财务年报 does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import Warehouse, demo_warehouse

from hqd.indicators.catalog import indicators
from hqd.indicators.compute import compute_period
from hqd.ingest.elements import elements

FILES = {"indicators/gk3_reported.yaml", "indicators/gk2_reported.yaml", "indicators/tcm.yaml"}
KINDS = {
    "regions",
    "institutions",
    "codes-icd10",
    "codes-icd9cm3",
    "codes-drg",
    "discharges",
    "values",
    "ratings",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, dict]]:
    with demo_warehouse(tmp_path_factory.mktemp("demo_reported"), 6_000, lambda kind: kind in KINDS) as (
        w,
        m,
    ):
        compute_period(w.con, "2025", only=[i.id for i in indicators() if i.file in FILES])
        yield w, m


def test_every_reported_indicator_has_a_value_in_the_demo(demo: tuple[Warehouse, dict]) -> None:
    w, _ = demo
    ok = {r[0] for r in w.rows(
        "SELECT indicator_id FROM indicator_values WHERE period = '2025' AND org_level = 'institution' "
        "AND status = 'ok'")}  # fmt: skip
    assert sorted({i.id for i in indicators() if i.file in FILES} - ok) == []


def test_the_hospital_that_leaves_items_out_is_missing_with_them_named(demo: tuple[Warehouse, dict]) -> None:
    w, manifest = demo
    (gap,) = manifest["facts"]["values_not_reported"]
    assert gap["name"] == "北岭县人民医院" and len(gap["elements"]) == 3
    by_name = {e.name_zh: e for e in elements()}
    # the items it leaves out, and the secondary indicator reading each of them
    reads = {
        "antibiotic_ddds": "gk2.06",
        "medical_fund_revenue": "gk2.18",
        "high_value_material_revenue": "gk2.10",
    }
    for name in gap["elements"]:
        code = by_name[name].code
        status, reason = w.rows(
            "SELECT status, reason FROM indicator_values WHERE indicator_id = ? AND org_code = ? AND period = '2025'",
            [reads[code], gap["institution"]],
        )[0]
        assert status == "missing" and name in reason and code in reason
        assert w.one("SELECT count(*) FROM reported_values WHERE org_code = ? AND element = ?",
                     [gap["institution"], code]) == 0  # fmt: skip
        # every other secondary hospital of the region reports it
        assert w.one(
            "SELECT count(DISTINCT v.org_code) FROM reported_values v JOIN institutions i USING (org_code) "
            "WHERE i.level = '二级' AND v.element = ? AND v.period = '2025'", [code]) >= 9  # fmt: skip


def test_finance_figures_add_up(demo: tuple[Warehouse, dict]) -> None:
    w, _ = demo
    wide = w.rows("""
        PIVOT (SELECT org_code, period, element, value FROM reported_values
               WHERE element IN ('medical_revenue', 'outpatient_revenue', 'inpatient_revenue', 'drug_revenue',
                                 'outpatient_drug_revenue', 'inpatient_drug_revenue', 'medical_fund_revenue',
                                 'outpatient_fund_revenue', 'inpatient_fund_revenue'))
        ON element USING any_value(value)
        ORDER BY org_code, period""")  # fmt: skip
    cols = [d[0] for d in w.con.description]
    checked = 0
    for row in wide:
        r = dict(zip(cols, row, strict=True))
        # figures are written with two decimals, so each sum may be off by a cent per part
        assert r["medical_revenue"] == pytest.approx(
            r["outpatient_revenue"] + r["inpatient_revenue"], abs=0.02
        )
        if r["outpatient_drug_revenue"] is not None:
            assert r["drug_revenue"] == pytest.approx(
                r["outpatient_drug_revenue"] + r["inpatient_drug_revenue"], abs=0.02
            )
            checked += 1
        if r["medical_fund_revenue"] is not None:
            assert r["medical_fund_revenue"] == pytest.approx(
                r["outpatient_fund_revenue"] + r["inpatient_fund_revenue"], abs=0.02
            )
            assert r["outpatient_fund_revenue"] < r["outpatient_revenue"]
    assert checked >= 14 * 3  # the region's 14 hospitals, 2023–2025
