"""The README's coverage table, generated from the catalog so it cannot drift from it.

python -m hqd.indicators.coverage   # prints the Markdown table
"""

from __future__ import annotations

from hqd.indicators.catalog import Indicator, indicators

SOURCES = {
    "discharges": "病案首页",
    "values": "报表数据",
    "ratings": "评级",
    "signals": "预警信号",
    "claims": "医保结算",
    "referrals": "转诊记录",
    "reported": "报表数据（按机构属性汇总）",
    "centre_cases": "五大中心病例",
}


def source_of(ind: Indicator) -> str:
    if ind.growth_of:
        return f"增幅 of {ind.growth_of} (two periods)"
    if ind.ratio_of:
        return f"比值 {ind.ratio_of[0]} / {ind.ratio_of[1]}"
    parts = [p for p in (ind.numerator, ind.denominator) if p is not None]
    kinds = []
    for p in parts:
        label = SOURCES[p.population]
        if p.population == "values":
            label += "：" + "、".join(c for c, _ in p.elements) if p.elements else f"：{p.item}"
        if label not in kinds:
            kinds.append(label)
    return " / ".join(kinds) or "-"


def status_of(ind: Indicator) -> str:
    if ind.status != "computed":
        return f"not computed: {ind.reason}"
    if ind.qualitative:
        return "stored as reported (qualitative)"
    return "computed"


def table() -> str:
    lines = ["| indicator | 名称 | ▲ | source data | status |", "|---|---|---|---|---|"]
    for ind in indicators():
        mark = "▲" if ind.national_monitoring else ""
        lines.append(f"| `{ind.id}` | {ind.name_zh} | {mark} | {source_of(ind)} | {status_of(ind)} |")
    return "\n".join(lines)


START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


def update(path: str) -> None:
    from pathlib import Path

    text = Path(path).read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    Path(path).write_text(f"{head}{START}\n{table()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:
        update(sys.argv[1])
    else:
        print(table())
