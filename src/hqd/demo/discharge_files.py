"""Which hospital sends which 病案首页 file, in which layout and encoding — and the broken rows in each."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hqd.demo.base import DemoFile, Malformed, Table
from hqd.demo.costs import COST_ITEMS
from hqd.demo.episodes import Episodes
from hqd.demo.formats import Style
from hqd.demo.frontsheet import frontsheet_table, header_name
from hqd.demo.ids import uscc
from hqd.demo.malform import (
    Break,
    count_for,
    duplicate,
    inject,
    key_conflict,
    money_like,
    number,
    set_value,
    swap,
)
from hqd.demo.region import COUNTIES, DISTRICTS, RegionModel
from hqd.demo.writers import Sheet, write_csv, write_xlsx

UNKNOWN_INSTITUTION = uscc("990100", "示例市第九人民医院")
KEY = "机构代码+病案号+住院次数"


@dataclass(frozen=True)
class Layout:
    fmt: str = "csv"  # csv | tsv | bom | xlsx_halves | xlsx_dates
    dialect: str = "std"  # std | iface | alias
    style: Style = field(default_factory=Style)
    combined_incision: bool = False
    dx_slots: int = 10
    proc_slots: int = 7


LAYOUTS: dict[tuple[str, int | None], Layout] = {
    ("示例医科大学附属医院", None): Layout(dialect="iface", style=Style(null="NULL")),
    ("示例市中医医院", None): Layout(dialect="alias", style=Style(dates="cn", seconds=False, labels=True)),
    ("示例市妇幼保健院", None): Layout(fmt="bom", style=Style(dates="slash", seconds=False)),
    ("示范区人民医院", None): Layout(
        style=Style(dates="compact", null="-", thousands=True), combined_incision=True
    ),
    ("西河县人民医院", None): Layout(fmt="tsv"),
    ("南湖县中医医院", 2025): Layout(fmt="xlsx_dates", dx_slots=8, proc_slots=5),
    ("北岭县中医医院", 2024): Layout(fmt="xlsx_halves", dx_slots=8, proc_slots=5),
}
PRIMARY_LAYOUT = Layout(dx_slots=5, proc_slots=3)


def _cost_exceeds() -> Break:
    def make(row: dict[str, str], rng: np.random.Generator) -> tuple[dict[str, str], str] | None:
        try:
            total = number(row["总费用"])
            items = sum(number(row[i]) for i in COST_ITEMS if row[i] not in ("", "NULL", "-"))
        except (KeyError, ValueError):
            return None
        extra = round(float(rng.uniform(50, 800)), 2)
        new = dict(row)
        new["西药费"] = money_like(row["西药费"], number(row["西药费"]) + (total - items) + extra)
        return new, f"the 24 cost items sum to {total + extra:.2f}, above 总费用 {total:.2f} by {extra:.2f}"

    return Break("cost_items_exceed_total", "西药费", make)


BREAKS: list[Break] = [
    set_value("bad_date", "入院时间", "2024-13-45 08:30:00", "入院时间 {value} is not a date"),
    swap("discharge_before_admission", "出院时间", "入院时间", "出院时间 {a} is before 入院时间 {b}"),
    set_value(
        "unknown_institution", "机构代码", UNKNOWN_INSTITUTION, "机构代码 {value} is not a known institution"
    ),
    set_value("missing_required", "主要诊断编码", "", "主要诊断编码 is empty"),
    set_value("invalid_code", "离院方式", "7", "离院方式 '7' is not a valid code"),
    set_value("negative_number", "住院次数", "-1", "住院次数 is negative (-1)"),
    set_value("non_numeric", "总费用", "待结算", "总费用 '待结算' is not a number"),
    _cost_exceeds(),
    duplicate(),
    key_conflict("总费用", lambda v, rng: money_like(v, number(v) * 1.05 + 10), KEY),
]

_NOTES = [
    "{name}{year}年出院患者病案首页数据",
    "数据来源：医院病案管理系统导出；每行一份病案首页，上半年、下半年分表。",
    "费用单位：元；日期格式：年-月-日 时:分:秒；切口等级、愈合类别按接口标准代码填写。",
    "本说明页不是数据，请勿导入。",
]


def _broken(
    table: Table,
    layout: Layout,
    rel: str,
    rng: np.random.Generator,
    sheet: str | None = None,
    header_row: int = 1,
) -> tuple[Table, list[Malformed]]:
    """Inject the broken rows (canonical names), then give the columns the file's own headers."""
    mapping = {k: header_name(k, layout.dialect) for k in table.header}
    county_resident = np.isin(np.asarray(table.columns["现住址区划代码"], dtype=object), COUNTIES)
    broken, notes = inject(
        table,
        BREAKS,
        count_for(len(table)),
        rng,
        file=rel,
        sheet=sheet,
        header_row=header_row,
        rename=mapping,
        protect=county_resident,
    )
    return broken.rename(mapping), notes


def write_discharge_files(
    out: Path, ep: Episodes, model: RegionModel, rng: np.random.Generator
) -> tuple[list[DemoFile], list[Malformed], list[dict]]:
    files: list[DemoFile] = []
    malformed: list[Malformed] = []
    summary: list[dict] = []
    insts = model.institutions
    inst_region = np.array([x.region for x in insts], dtype=object)[ep["inst"]]
    primary = np.isin(ep["kind"], ("P_THC", "P_CHC"))
    order = np.argsort(ep["discharge"], kind="stable")
    jobs: list[tuple[str, np.ndarray, Layout, int, str]] = []
    for i, inst in enumerate(insts):
        if inst.kind in ("P_THC", "P_CHC", "P_VIL", "X_HOSP"):
            continue
        for year in (2024, 2025):
            idx = order[(ep["inst"][order] == i) & (ep["year"][order] == year)]
            layout = LAYOUTS.get((inst.name, year)) or LAYOUTS.get((inst.name, None)) or Layout()
            jobs.append((inst.name, idx, layout, year, inst.name))
    for region in DISTRICTS + COUNTIES:
        rname = model.region_name(region)
        for year in (2024, 2025):
            idx = order[primary[order] & (inst_region[order] == region) & (ep["year"][order] == year)]
            jobs.append((f"{rname}基层医疗卫生机构", idx, PRIMARY_LAYOUT, year, rname))
    for label, idx, layout, year, display in jobs:
        if not len(idx):
            continue
        ext = {"csv": "csv", "bom": "csv", "tsv": "txt"}.get(layout.fmt, "xlsx")
        rel = f"discharges/{year}/{label}_{year}年病案首页.{ext}"
        path = out / rel
        if layout.fmt == "xlsx_halves":
            h2 = ep["discharge"][idx] >= np.datetime64(f"{year}-07-01")
            sheets, rows = [], 0
            for part, name, blank in ((idx[~h2], f"{year}年1-6月", 0), (idx[h2], f"{year}年7-12月", 1)):
                t = frontsheet_table(
                    ep,
                    part,
                    model,
                    layout.style,
                    dx_slots=layout.dx_slots,
                    proc_slots=layout.proc_slots,
                    combined_incision=layout.combined_incision,
                )
                broken, notes = _broken(t, layout, rel, rng, name, header_row=1 + blank)
                malformed += notes
                rows += len(broken)
                sheets.append(Sheet(name, broken, blank_rows=blank))
            sheets.append(Sheet("说明", notes=[s.format(name=display, year=year) for s in _NOTES]))
            write_xlsx(path, sheets)
            n_bad = sum(1 for m in malformed if m.file == rel)
        else:
            t = frontsheet_table(
                ep,
                idx,
                model,
                layout.style,
                dx_slots=layout.dx_slots,
                proc_slots=layout.proc_slots,
                combined_incision=layout.combined_incision,
            )
            sheet = "病案首页" if layout.fmt == "xlsx_dates" else None
            table, notes = _broken(t, layout, rel, rng, sheet)
            malformed += notes
            rows, n_bad = len(table), len(notes)
            if layout.fmt == "xlsx_dates":
                write_xlsx(path, [Sheet(sheet or "Sheet1", table)], date_cells=True)
            else:
                write_csv(
                    path,
                    table,
                    encoding="utf-8-sig" if layout.fmt == "bom" else "gbk",
                    delimiter="\t" if layout.fmt == "tsv" else ",",
                )
        files.append(DemoFile("discharges", path, n_bad))
        encoding = {"bom": "utf-8-sig", "csv": "gbk", "tsv": "gbk"}.get(layout.fmt, "xlsx")
        summary.append(
            {
                "file": rel,
                "rows": rows,
                "malformed_rows": n_bad,
                "encoding": encoding,
                "layout": layout.fmt,
                "headers": layout.dialect,
                "year": year,
            }
        )
    return files, malformed, summary
