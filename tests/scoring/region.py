"""A warehouse region for the scoring and target tests: more tertiary hospitals, and computed values put
straight into indicator_values (the table the indicator stage writes and the scoring stage reads)."""

from __future__ import annotations

from tests.conftest import HOSP, Warehouse

T2 = "12990100MB0000022B"  # tertiary general
T3 = "12990100MB0000033C"  # tertiary general, nothing computed
TCM = "12990100MB0000044D"  # tertiary TCM
ODD = "12990100MB0000055E"  # tertiary, a category in no peer group
MORE = [
    ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别"],
    [T2, "示例市第二人民医院", "990102", "三级", "综合医院"],
    [T3, "示例市第三人民医院", "990102", "三级", "综合医院"],
    [TCM, "示例市中医医院", "990102", "三级", "中医医院"],
    [ODD, "示例市某医院", "990102", "三级", "其他"],
]
# (org, indicator, value, denominator): value None with denominator 0 = no eligible cases
VALUES_2024 = [
    (HOSP, "gk3.04", 40.0, 100.0),
    (HOSP, "gk3.08", 2.0, 100.0),
    (T2, "gk3.04", 30.0, 100.0),
    (T2, "gk3.08", None, 0.0),
    (TCM, "gk3.04", 20.0, 50.0),
]


def put_values(wh: Warehouse, period: str, rows: list[tuple[str, str, float | None, float | None]]) -> None:
    for org, ident, value, den in rows:
        status = "ok" if value is not None else "missing"
        reason = (
            None
            if value is not None
            else ("分母为0 / the denominator is 0" if den == 0 else "未报送 / not reported")
        )
        wh.con.execute(
            "INSERT INTO indicator_values VALUES (1, ?, ?, 'institution', ?, ?, ?, ?, NULL, '%', ?, ?, NULL, 'test')",
            [
                ident,
                org,
                period,
                None if value is None else value * (den or 0) / 100,
                den,
                value,
                status,
                reason,
            ],
        )


def region(wh: Warehouse) -> Warehouse:
    wh.seed()
    assert wh.load("institutions", wh.file("more.csv", MORE)).quarantined == 0
    put_values(wh, "2024", VALUES_2024)
    return wh


def national_reference(wh: Warehouse) -> None:
    """The national distribution of tertiary general hospitals for 2024, loaded as a reference region."""
    regions = [["区划代码", "区划名称", "上级区划代码"], ["100000", "全国（参考分布）", ""]]
    assert wh.load("regions", wh.file("nation.csv", regions)).quarantined == 0
    values = [["机构代码", "统计期", "数据项", "数值"]]
    values += [["100000", "2024", f"ref.gk3.04.p{p}", v] for p, v in ((10, 10), (50, 30), (90, 50))]
    values += [
        ["100000", "2024", f"ref.gk3.total.p{p}", v] for p, v in ((50, 600), (90, 800), (95, 850), (99, 950))
    ]
    summary = wh.load("values", wh.file("ref.csv", values, encoding="utf-8"))
    assert summary.quarantined == 0 and summary.new == 7
