"""Reference files loaded first: 行政区划, 医疗卫生机构 and the three code-list samples."""

from __future__ import annotations

import numpy as np

from hqd.demo import drg
from hqd.demo.base import Table
from hqd.demo.codes import ICD9, ICD10
from hqd.demo.ids import uscc
from hqd.demo.region import RegionModel


def _t(rows: list[tuple], cols: tuple[str, ...], numeric: set[str] | None = None) -> Table:
    return Table(
        {
            c: np.asarray(["" if r[i] is None else str(r[i]) for r in rows], dtype=object)
            for i, c in enumerate(cols)
        },
        numeric=numeric or set(),
    )


def regions_table(model: RegionModel) -> Table:
    rows = [(r.code, r.name, r.parent, r.population) for r in model.regions]
    return _t(rows, ("区划代码", "区划名称", "上级区划代码", "常住人口"), {"常住人口"})


def institutions_table(model: RegionModel) -> Table:
    yn = {True: "是", False: "否"}
    rows = [
        (
            x.code,
            x.name,
            x.region,
            x.level,
            x.grade,
            x.category,
            yn[x.public],
            x.beds,
            x.community,
            x.group,
            yn[x.lead],
            yn[x.county_hospital],
        )
        for x in model.institutions
    ]
    return _t(
        rows,
        (
            "机构代码",
            "机构名称",
            "区划代码",
            "机构级别",
            "机构等次",
            "机构类别",
            "是否公立",
            "实有床位数",
            "所属医共体",
            "所属医疗集团",
            "是否牵头单位",
            "是否县级医院",
        ),
        {"实有床位数"},
    )


# a clinic that was registered without its level: a row the loader must quarantine (never referenced elsewhere)
EXTRA_CLINIC = "北岭县峰口镇峰口村卫生室"


def extra_clinic_row(model: RegionModel) -> dict[str, str]:
    return {
        "机构代码": uscc("990124", EXTRA_CLINIC, kind="52"),
        "机构名称": EXTRA_CLINIC,
        "区划代码": "990124",
        "机构级别": "",
        "机构等次": "未定等",
        "机构类别": "村卫生室",
        "是否公立": "否",
        "实有床位数": "0",
        "所属医共体": "北岭县医共体",
        "所属医疗集团": "",
        "是否牵头单位": "否",
        "是否县级医院": "否",
    }


def icd10_table() -> Table:
    return _t(sorted(ICD10.items()), ("编码", "名称"))


def icd9_table() -> Table:
    rows = [(k, v[0], v[1], v[2], v[3]) for k, v in sorted(ICD9.items())]
    return _t(rows, ("编码", "名称", "类别", "手术级别", "是否微创"), {"手术级别"})


def drg_table() -> Table:
    rows = [
        (k, v, f"{drg.weight(k):.4f}", "是" if k in drg.LOW_RISK else "否")
        for k, v in sorted(drg.DRG_NAMES.items())
    ]
    return _t(rows, ("DRG编码", "DRG名称", "权重", "是否低风险组"), {"权重"})
