"""A national reference distribution for the demo, so grades and rank percentiles can be shown.

A city holds four tertiary hospitals; the 国考 grades them against the nation. The demo therefore ships
percentiles of the national peer group as reported values of the reference organisation 100000
全国（参考分布）, the way a commission would load a published distribution. The numbers are invented but
plausible (national-assessment.md gives none); README and the scheme file say so.
"""

from __future__ import annotations

import numpy as np

from hqd.demo.base import Table

REFERENCE_CODE = "100000"
YEARS = ("2024", "2025")
# Per indicator: the values below which 10, 25, 50, 75 and 90% of the national peer group lie.
INDICATORS = {
    "gk3.04": (18.0, 24.0, 31.0, 38.0, 45.0),  # 出院患者手术占比 %
    "gk3.05": (15.0, 22.0, 30.0, 40.0, 50.0),  # 微创手术占比 %
    "gk3.06": (12.0, 18.0, 25.0, 33.0, 42.0),  # 四级手术比例 %
    "gk3.08": (0.3, 0.6, 1.0, 1.6, 2.5),  # 手术患者并发症发生率 %
    "gk3.09": (0.2, 0.4, 0.7, 1.1, 1.6),  # Ⅰ类切口手术部位感染率 %
    "gk3.14": (0.005, 0.01, 0.02, 0.04, 0.08),  # 低风险组病例死亡率 %
    "gk2.01": (8.0, 12.0, 17.0, 22.0, 28.0),
    "gk2.02": (5.0, 9.0, 14.0, 20.0, 27.0),
    "gk2.03": (15.0, 22.0, 30.0, 38.0, 46.0),
    "gk2.04": (0.2, 0.5, 0.9, 1.5, 2.3),
    "gk2.05": (0.005, 0.012, 0.025, 0.05, 0.09),
    "gk2.13": (6.5, 7.5, 8.5, 9.5, 10.8),  # 平均住院日 days
}
PCTS = (10, 25, 50, 75, 90)
# Total scores (out of 1,000) of the national peer group at 10, 25, 50, 75, 90, 95 and 99%.
TOTALS = {"gk3": (520.0, 600.0, 680.0, 760.0, 830.0, 870.0, 920.0),
          "gk2": (500.0, 580.0, 660.0, 740.0, 810.0, 850.0, 900.0)}  # fmt: skip
TOTAL_PCTS = (10, 25, 50, 75, 90, 95, 99)


def region_table() -> Table:
    cols = ("区划代码", "区划名称", "上级区划代码", "常住人口")
    return Table({c: np.asarray([v], dtype=object) for c, v in zip(cols, (REFERENCE_CODE, "全国（参考分布）", "", ""),
                                                                    strict=True)})  # fmt: skip


def values_table() -> Table:
    per_year = [(f"ref.{ident}.p{p:02d}", v) for ident, values in INDICATORS.items()
                for p, v in zip(PCTS, values, strict=True)]  # fmt: skip
    per_year += [(f"ref.{scheme}.total.p{p:02d}", v) for scheme, values in TOTALS.items()
                 for p, v in zip(TOTAL_PCTS, values, strict=True)]  # fmt: skip
    rows = [(year, code, value) for year in YEARS for code, value in per_year]
    return Table({
        "区划代码": np.asarray([REFERENCE_CODE] * len(rows), dtype=object),
        "统计期": np.asarray([r[0] for r in rows], dtype=object),
        "数据项": np.asarray([r[1] for r in rows], dtype=object),
        "数值": np.asarray([f"{r[2]:g}" for r in rows], dtype=object),
    })  # fmt: skip
