"""`hqd score` and `hqd gap`: parse, call the scoring stage, print; user errors are one bilingual sentence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from hqd.catalog import CatalogError
from hqd.indicators.periods import PeriodError
from hqd.terminal import console, err


def fail(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False, highlight=False)
    return typer.Exit(1)


@contextmanager
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    """The initialised warehouse; user-facing errors of the scoring and target stages become `fail`."""
    from hqd.scoring.period import ScoringError
    from hqd.warehouse.connection import WarehouseNotInitialised, open_initialised

    try:
        con = open_initialised()
    except WarehouseNotInitialised as exc:
        raise fail(str(exc)) from None
    try:
        yield con
    except (CatalogError, PeriodError, ScoringError, LookupError) as exc:
        raise fail(str(exc).strip("'\"")) from None
    finally:
        con.close()


def check_out(out: Path | None) -> None:
    if out is not None and out.suffix.lower() not in {".csv", ".xlsx"}:
        raise fail(f"输出文件须为 .csv 或 .xlsx：{out} / the output must be .csv or .xlsx: {out}")


def _mode(reference: str | None) -> str | None:
    if reference not in (None, "region", "national"):
        raise fail(
            f"--reference 须为 region 或 national：{reference} / --reference must be region or national"
        )
    return reference


UNITS = {"%": "%", "‰": "‰", "days": "天", "yuan": "元", "10k_yuan": "万元", "minutes": "分钟", "score": "分",
         "level": "级", "per100": "/百", "per10k": "/万"}  # fmt: skip


def _f(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{round(x, digits) + 0.0:,.{digits}f}"  # + 0.0: no "-0.00"


def score(
    scheme: Annotated[str, typer.Option(help="评分方案 / scheme: gk3, gk2 or a .yaml file")],
    period: Annotated[str, typer.Option(help="统计期 / period, e.g. 2024")],
    out: Annotated[Path | None, typer.Option(help="输出 .csv 或 .xlsx / write the scores to a file")] = None,
    reference: Annotated[
        str | None,
        typer.Option(help="比较对象 / compare with: region (本地区同组) | national (已导入的全国分布)"),
    ] = None,
) -> None:
    """评分、定级、排名 / Score, grade and rank every institution a scheme applies to."""
    from hqd.scoring import export, store
    from hqd.scoring.period import score_period
    from hqd.scoring.schemes import load_scheme

    check_out(out)
    mode = _mode(reference)
    with warehouse() as con:
        ps = score_period(con, load_scheme(scheme), period, mode)
        run = store.save(con, ps)
    s = ps.scheme
    console.print(
        f"{s.name_zh} · {ps.period} · 满分 {s.scale:,.0f} · 比较对象 reference: {ps.mode} · 运行号 run {run}"
    )
    for group in s.peer_groups:
        members = [x for x in ps.ordered() if x.peer_group == group.id]
        if not members:
            continue
        table = Table(title=f"{group.name_zh} {group.name_en} ({len(members)})", title_justify="left")
        for col in ("名次 rank", "机构代码 org", "名称 name", "总分 total", "失分 lost", "百分位 pct", "等级 grade",
                    "比较对象 reference"):  # fmt: skip
            table.add_column(col)
        for x in members:
            st = x.standing
            table.add_row(f"{st.rank}/{st.peers}", x.org_code, ps.institutions[x.org_code].name, _f(x.total),
                          _f(s.scale - x.total), _f(st.rank_percentile, 1) + "%", st.grade or "—",
                          x.reference if st.graded else f"{x.reference}; {st.note}")  # fmt: skip
        console.print(table)
    if ps.unscored:
        console.print(f"未评分 not scored: {len(ps.unscored)} 家机构 institution(s) —")
        for org, reason in sorted(ps.unscored.items()):
            console.print(f"  · {org} {ps.institutions[org].name}: {reason}")
    if out is not None:
        n = export.write(ps, out)
        console.print(f"已导出 {n} 行到 {out} / wrote {n} row(s) to {out}")


def gap(
    org: Annotated[str, typer.Option(help="机构代码 / institution code")],
    period: Annotated[str, typer.Option(help="统计期 / period")],
    scheme: Annotated[
        str | None, typer.Option(help="评分方案 / scheme (default: by the institution's level)")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="比较对象 / region | national")] = None,
) -> None:
    """距下一等级的差距 / Points needed for the next grade, and the change per indicator that earns them."""
    from hqd.scoring.gap import gap_for
    from hqd.scoring.period import score_period
    from hqd.scoring.schemes import load_scheme, scheme_for_level

    mode = _mode(reference)
    with warehouse() as con:
        row = con.execute("SELECT name, level FROM institutions WHERE org_code = ?", [org.upper()]).fetchone()
        if row is None:
            raise fail(f"机构代码 {org} 不存在 / there is no institution {org}")
        chosen = load_scheme(scheme) if scheme else scheme_for_level(row[1])
        if chosen is None:
            raise fail(f"没有适用于{row[1]}机构的评分方案 / no scoring scheme applies to level {row[1]}")
        g = gap_for(score_period(con, chosen, period, mode), org.upper())
    st = g.scored.standing
    console.print(
        f"{row[0]} {g.org_code} · {chosen.id} · {period} · 总分 total {_f(g.scored.total)} · 名次 rank "
        f"{st.rank}/{st.peers} · 等级 grade {st.grade or '—'} · {g.scored.reference}"
    )
    if st.note:
        console.print(f"  {st.note}")
    if g.goal is None:
        console.print(g.note)
        return
    console.print(
        f"目标 goal: {g.goal.label} · 需达到总分 total to reach {_f(g.goal.threshold)} · "
        f"还差 points needed {_f(g.points_needed)}"
    )
    table = Table(title="逐项改进 per indicator (单项改变、其余不变 / one indicator changed, the rest as they are)",
                  title_justify="left")  # fmt: skip
    for col in ("指标 indicator", "名称 name", "现值 now", "目标值 to", "变化 change", "相对 rel.", "得分 +points",
                "达成 reaches goal", "说明 note"):  # fmt: skip
        table.add_column(col)
    for s in g.steps:
        unit = UNITS.get(s.unit, "")
        table.add_row(s.indicator_id, s.name_zh, f"{_f(s.value)} {unit}", f"{_f(s.target_value)} {unit}",
                      "—" if s.change is None else f"{s.change:+,.2f}",
                      "—" if s.relative_change is None else f"{s.relative_change:.1%}", f"{s.points_gained:+,.2f}",
                      "是 yes" if s.closes else "否 no", s.note)  # fmt: skip
    console.print(table)
    if not g.steps:
        console.print("没有可改进的单项指标 / no single indicator can earn points")
