"""千县工程: the county hospitals' self-assessment against the capability standards (one row per item, year),
and the programme goals a city plan sets for them — designed so every status is known in advance."""

from __future__ import annotations

import numpy as np

from hqd.demo.base import Table
from hqd.demo.region import RegionModel
from hqd.ingest.elements import elements

PLAN_TCP = "《示例市“千县工程”县医院综合能力提升工作方案（2021—2025年）》"
# (hospital, year) → the standard items NOT met; None marks an item left unreported that year.
# 东山: every basic item; recommended 8/10 in 2024, all 10 in 2025 (its target is met).
# 西河: no pathology department in 2024 (a mandatory item), recommended 5/10 then 6/10 (target missed).
# 南湖: every basic item; recommended 4/10 then 5/10.
# 北岭: rehabilitation missing in 2024 (90%, not 达标); CT not reported in 2025 (shown as 未报送).
_REC = ("cap.rec.dept_nicu", "cap.rec.dept_cath_lab", "cap.rec.proc_pci", "cap.rec.proc_ivt", "cap.rec.proc_evt",
        "cap.rec.proc_tha", "cap.rec.proc_endoscopic", "cap.rec.proc_lap_colectomy", "cap.rec.eq_mri",
        "cap.rec.eq_dsa")  # fmt: skip
GAPS: dict[tuple[str, int], dict[str, int | None]] = {
    ("东山县人民医院", 2024): {"cap.rec.proc_evt": 0, "cap.rec.proc_lap_colectomy": 0},
    ("东山县人民医院", 2025): {},
    ("西河县人民医院", 2024): {"cap.basic.dept_pathology": 0, **dict.fromkeys(_REC[5:], 0)},
    ("西河县人民医院", 2025): dict.fromkeys(_REC[6:], 0),
    ("南湖县人民医院", 2024): dict.fromkeys(_REC[4:], 0),
    ("南湖县人民医院", 2025): dict.fromkeys(_REC[5:], 0),
    ("北岭县人民医院", 2024): {"cap.basic.dept_rehab": 0, **dict.fromkeys(_REC[3:], 0)},
    ("北岭县人民医院", 2025): {"cap.basic.eq_ct": None, **dict.fromkeys(_REC[4:], 0)},
}


def build_capability(model: RegionModel) -> Table:
    """Long layout (机构代码, 统计期, 数据项, 数值), the items named by their Chinese names."""
    items = [e for e in elements() if e.code.startswith("cap.")]
    cols: dict[str, list[str]] = {"机构代码": [], "统计期": [], "数据项": [], "数值": []}
    for (hospital, year), gaps in GAPS.items():
        for e in items:
            value = gaps.get(e.code, 1)
            if e.code in gaps and value is None:
                continue
            cols["机构代码"].append(model.by_name(hospital).code)
            cols["统计期"].append(str(year))
            cols["数据项"].append(e.name_zh)
            cols["数值"].append(str(value))
    return Table({k: np.asarray(v, dtype=object) for k, v in cols.items()}, numeric={"数值"})


def share(hospital: str, year: int, tier: str) -> float | None:
    """The designed share of a tier's items met (None when an item of the tier is unreported)."""
    codes = [e.code for e in elements() if e.code.startswith(f"cap.{tier}.")]
    gaps = GAPS[(hospital, year)]
    if any(gaps.get(c, 1) is None for c in codes):
        return None
    return sum(1 for c in codes if gaps.get(c, 1) == 1) / len(codes) * 100


def targets(model: RegionModel) -> list[tuple]:
    """The plan's goals: (对象代码, 目标项, 比较, 目标值, 截止期, 基线期, 依据, (expected, evidence))."""
    ds, xh = model.by_name("东山县人民医院").code, model.by_name("西河县人民医院").code
    return [
        (ds, "tcp.recommended_share", ">=", "100", "2025", "2024", PLAN_TCP,
         ("met", f"designed {share('东山县人民医院', 2025, 'rec'):.0f}% of the recommended items in 2025")),
        (xh, "tcp.recommended_share", ">=", "100", "2025", "2024", PLAN_TCP,
         ("not met", f"designed {share('西河县人民医院', 2025, 'rec'):.0f}% of the recommended items in 2025")),
        (ds, "胸痛中心", ">=", "通过认证(标准版)", "2025", "2024", PLAN_TCP,
         ("not met", "胸痛中心 基层版 (2022-05-20) ranks below 标准版")),
        (xh, "卒中中心", ">=", "防治卒中中心", "2025", "2024", PLAN_TCP, ("not met", "no 卒中中心 rating")),
    ]  # fmt: skip
