"""Header matching: every header and alias of every kind lands in its column, however it is written."""

from __future__ import annotations

import pytest

from hqd.ingest.headers import build_map
from hqd.ingest.spec import kinds, load_kind


def _alias_cases():
    for kind in kinds():
        spec = load_kind(kind)
        for f in spec.fields:
            for alias in f.names:
                yield pytest.param(kind, alias.name, f.column, id=f"{kind}:{alias.name}")
        for g, rep in enumerate(spec.repeats):
            for f in rep.fields:
                for alias in f.names:
                    for n in (1, rep.max):
                        yield pytest.param(
                            kind,
                            alias.name.replace("{n}", str(n)),
                            f"r{g}_{n}_{f.column}",
                            id=f"{kind}:{alias.name}:{n}",
                        )


@pytest.mark.parametrize(("kind", "header", "slot"), list(_alias_cases()))
def test_every_header_alias_maps_to_its_column(kind, header, slot):
    spec = load_kind(kind)
    partner = {"element": "数值", "value": "数据项"}.get(slot) if spec.layout == "values" else None
    hm = build_map(spec, [header, partner] if partner else [header])  # 数据项 and 数值 come as a pair
    assert slot in hm.columns


@pytest.mark.parametrize(
    "written", ["总费用", " 总费用 ", "总费用(元)", "总费用（元）", "总费用：", "ZFY", "zfy"]
)
def test_headers_ignore_spaces_full_width_forms_units_and_case(written):
    assert build_map(load_kind("discharges"), [written]).columns == {"total_cost": 0}


def test_an_exact_unit_wins_so_months_are_told_from_days():
    hm = build_map(load_kind("discharges"), ["年龄不足1周岁的年龄(月)"])
    assert hm.slots["age_days"].scale == 30
    hm = build_map(load_kind("discharges"), ["年龄不足1周岁的年龄（天）"])
    assert hm.slots["age_days"].scale is None


def test_the_main_header_wins_over_an_alias_and_the_alias_becomes_extra():
    hm = build_map(load_kind("institutions"), ["统一社会信用代码", "机构代码", "备注"])
    assert hm.columns["org_code"] == 1
    assert hm.extra == ["统一社会信用代码", "备注"]


def test_values_layout_is_long_with_item_and_value_columns_and_wide_otherwise():
    spec = load_kind("values")
    assert build_map(spec, ["机构代码", "统计期", "数据项", "数值"]).layout == "long"
    wide = build_map(spec, ["机构代码", "统计期", "门诊人次", "急诊人次(人次)", "备注"])
    assert wide.layout == "wide"
    assert {s.element.code for s in wide.slots.values() if s.element} == {
        "outpatient_visits",
        "emergency_visits",
    }
    assert wide.extra == ["备注"]
