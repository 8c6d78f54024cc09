"""`hqd ews`: the command line of early warning (detect over a file, run rules, signal lifecycle), mounted by the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer

from .algorithms import REGISTRY, EwsParameterError
from .detect_file import DetectInputError, detect

ews_app = typer.Typer(help="传染病早期预警 / infectious-disease early warning", no_args_is_help=True)

_FREQS = (12, 52, 365)
_BOOLS = ("trend", "reweight", "populationOffset", "inclusive")


@ews_app.callback()
def _group() -> None:
    """Keep `detect` a named sub-command even while it is the only one."""


def _opt(name: str, help_text: str) -> Any:
    return typer.Option(f"--{name}", help=help_text, show_default=False)


def _die(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


@ews_app.command("detect", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def detect_cmd(
    ctx: typer.Context,
    counts: Annotated[Path, typer.Option("--counts", help="IN.csv: series,t,date,count[,population]")],
    algorithm: Annotated[str, typer.Option("--algorithm", help="/".join(REGISTRY))],
    freq: Annotated[int, typer.Option("--freq", help="52 周 / 12 月 / 365 日")],
    out: Annotated[Path, typer.Option("--out", help="OUT.csv")],
    range_last: Annotated[int | None, typer.Option("--range-last", help="evaluate the last N points")] = None,
    alpha: Annotated[float | None, _opt("alpha", "significance level")] = None,
    b: Annotated[int | None, _opt("b", "years back (farrington*)")] = None,
    w: Annotated[int | None, _opt("w", "half window (farrington*)")] = None,
    baseline: Annotated[int | None, _opt("baseline", "EARS baseline length")] = None,
    minSigma: Annotated[float | None, _opt("minSigma", "EARS minimum sigma")] = None,
    noPeriods: Annotated[int | None, _opt("noPeriods", "seasonal factor levels")] = None,
    pastWeeksNotIncluded: Annotated[int | None, _opt("pastWeeksNotIncluded", "recent weeks left out")] = None,
    weightsThreshold: Annotated[
        float | None, _opt("weightsThreshold", "Anscombe reweighting threshold")
    ] = None,
    thresholdMethod: Annotated[str | None, _opt("thresholdMethod", "delta/nbPlugin/muan")] = None,
    trend: Annotated[str | None, _opt("trend", "true/false")] = None,
    pThresholdTrend: Annotated[float | None, _opt("pThresholdTrend", "trend significance level")] = None,
    populationOffset: Annotated[
        str | None, _opt("populationOffset", "true/false; needs a population column")
    ] = None,
    limit54: Annotated[str | None, _opt("limit54", "cases,periods e.g. 5,4")] = None,
    reweight: Annotated[str | None, _opt("reweight", "true/false")] = None,
    powertrans: Annotated[str | None, _opt("powertrans", "2/3, 1/2 or none")] = None,
    fitFun: Annotated[str | None, _opt("fitFun", "R fit function name")] = None,
    obsDays: Annotated[int | None, _opt("obsDays", "MPM observation period length")] = None,
    years: Annotated[int | None, _opt("years", "MPM years back")] = None,
    halfPeriods: Annotated[int | None, _opt("halfPeriods", "MPM adjacent periods each side")] = None,
    percentile: Annotated[float | None, _opt("percentile", "MPM percentile, e.g. 50")] = None,
    inclusive: Annotated[str | None, _opt("inclusive", "MPM: signal on >= instead of >")] = None,
    threshold: Annotated[float | None, _opt("threshold", "fixed: cases that trigger a signal")] = None,
) -> None:
    """Run one early-warning algorithm over IN.csv and write OUT.csv (empty cells where R gives NA)."""
    if ctx.args:
        raise _die(
            f"未知选项或多余参数：{' '.join(ctx.args)}；unknown option or extra argument: {' '.join(ctx.args)}"
        )
    if algorithm not in REGISTRY:
        raise _die(
            f"未知算法 {algorithm}（可选 {'/'.join(REGISTRY)}）；"
            f"unknown algorithm {algorithm} (choose {'/'.join(REGISTRY)})"
        )
    if freq not in _FREQS:
        raise _die(f"--freq 只能是 52、12 或 365，收到 {freq}；--freq must be 52, 12 or 365, got {freq}")
    given = {k: v for k, v in locals().items() if k in _CONTROL_KEYS and v is not None}
    control: dict[str, Any] = {}
    for key, value in given.items():
        if key in _BOOLS:
            low = value.strip().lower()
            if low not in ("true", "false"):
                raise _die(
                    f"--{key} 只接受 true 或 false，收到 {value}；--{key} takes true or false, got {value}"
                )
            control[key] = low == "true"
        elif key == "limit54":
            parts = value.split(",")
            try:
                control[key] = tuple(float(p) for p in parts)
            except ValueError:
                control[key] = None
            if control[key] is None or len(parts) != 2:
                raise _die(
                    f"--limit54 需要两个数字，如 5,4，收到 {value}；--limit54 needs two numbers such as 5,4, got {value}"
                )
        else:
            control[key] = value
    try:
        rows = detect(counts, out, algorithm, freq, control, range_last)
    except (DetectInputError, EwsParameterError) as exc:
        raise _die(str(exc)) from None
    typer.echo(f"{rows} 行已写入 {out}；{rows} rows written to {out}", err=True)


_CONTROL_KEYS = (
    "alpha",
    "b",
    "w",
    "baseline",
    "minSigma",
    "noPeriods",
    "pastWeeksNotIncluded",
    "weightsThreshold",
    "thresholdMethod",
    "trend",
    "pThresholdTrend",
    "populationOffset",
    "limit54",
    "reweight",
    "powertrans",
    "fitFun",
    "obsDays",
    "years",
    "halfPeriods",
    "percentile",
    "inclusive",
    "threshold",
)


def _connect() -> duckdb.DuckDBPyConnection:
    from hqd.warehouse.connection import WarehouseNotInitialised, open_initialised

    try:
        return open_initialised()
    except WarehouseNotInitialised as exc:
        raise _die(str(exc)) from None


@ews_app.command("run")
def run_cmd(
    period: Annotated[str, typer.Option("--period", help="2025、2025Q3 或 2025-07 / year, quarter or month")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="规则文件，默认 catalog/ews_rules.yaml / rules file")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="运行人 / who runs it")] = None,
) -> None:
    """按预警规则评估期间内每个时间点并保存信号 / Run every rule over the period and store its signals."""
    from hqd.catalog import CatalogError

    from .runner import PeriodError, RunError, run_period

    con = _connect()
    try:
        s = run_period(con, period, rules_path=rules, user=user)
    except (CatalogError, PeriodError, RunError) as exc:
        raise _die(str(exc)) from None
    finally:
        con.close()
    typer.echo(
        f"预警运行 #{s.run_id}，期间 {s.period}（{s.start} 至 {s.end}）：{s.rules} 条规则，{s.series} 个序列，"
        f"评估 {s.evaluations} 个时间点，报警 {s.alarms} 个，新增信号 {s.new_signals} 个 / "
        f"run #{s.run_id} for {s.period} ({s.start} to {s.end}): {s.rules} rules, {s.series} series, "
        f"{s.evaluations} evaluations, {s.alarms} alarms, {s.new_signals} new signals"
    )
    if s.by_disease:
        typer.echo("疾病 disease\t报警 alarms\t新增 new")
        for disease, alarms, new in s.by_disease:
            typer.echo(f"{disease}\t{alarms}\t{new}")


@ews_app.command("signals")
def signals_cmd(
    status: Annotated[str | None, typer.Option("--status", help="new/verified/dismissed/confirmed")] = None,
    disease: Annotated[str | None, typer.Option("--disease", help="疾病名称 / disease")] = None,
    county: Annotated[str | None, typer.Option("--county", help="区县代码 / county code")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="最多显示条数 / at most N")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="每个信号一个 JSON 对象 / one JSON object a line")
    ] = False,
) -> None:
    """列出预警信号（最近的时间点在前） / List signals, newest time point first."""
    from .lifecycle import LABELS, LifecycleError, list_signals

    con = _connect()
    try:
        rows = list_signals(con, status=status, disease=disease, region=county, limit=limit)
    except LifecycleError as exc:
        raise _die(str(exc)) from None
    finally:
        con.close()
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    typer.echo(
        "ID\t状态 status\t疾病 disease\t区县 county\t时间点 time point\t观察 observed\t阈值 threshold\t规则 rule"
    )
    for r in rows:
        thr = "" if r["threshold"] is None else f"{r['threshold']:g}"
        typer.echo(
            f"{r['signal_id']}\t{LABELS[r['status']]} {r['status']}\t{r['disease']}\t{r['region_code']}\t"
            f"{r['window_start']}~{r['time_point']}\t{r['observed']:g}\t{thr}\t{r['rule_id']}"
        )
    typer.echo(f"共 {len(rows)} 条 / {len(rows)} signals", err=True)


def _decide(signal_id: int, to_status: str, user: str | None, note: str | None) -> None:
    from .lifecycle import LABELS, LifecycleError, decide

    con = _connect()
    try:
        d = decide(con, signal_id, to_status, user=user or "", note=note)
    except LifecycleError as exc:
        raise _die(str(exc)) from None
    finally:
        con.close()
    typer.echo(
        f"信号 {d.signal_id}：{LABELS[d.from_status]} → {LABELS[d.to_status]}（{d.user}，{d.at:%Y-%m-%d %H:%M}） / "
        f"signal {d.signal_id}: {d.from_status} → {d.to_status} by {d.user} at {d.at:%Y-%m-%d %H:%M}"
    )


_USER = typer.Option("--user", help="决定人 / who decides")
_NOTE = typer.Option("--note", help="说明 / note")


@ews_app.command("verify")
def verify_cmd(
    signal_id: Annotated[int, typer.Argument(help="信号 ID / signal id")],
    user: Annotated[str | None, _USER] = None,
    note: Annotated[str | None, _NOTE] = None,
) -> None:
    """初步核实一个新信号 / Verify a new signal (its response time stops here)."""
    _decide(signal_id, "verified", user, note)


@ews_app.command("dismiss")
def dismiss_cmd(
    signal_id: Annotated[int, typer.Argument(help="信号 ID / signal id")],
    user: Annotated[str | None, _USER] = None,
    note: Annotated[str | None, _NOTE] = None,
) -> None:
    """排除一个已核实的信号 / Dismiss a verified signal: no event."""
    _decide(signal_id, "dismissed", user, note)


@ews_app.command("confirm")
def confirm_cmd(
    signal_id: Annotated[int, typer.Argument(help="信号 ID / signal id")],
    user: Annotated[str | None, _USER] = None,
    note: Annotated[str | None, _NOTE] = None,
) -> None:
    """确认一个已核实的信号为疑似事件 / Confirm a verified signal as a (suspected) event."""
    _decide(signal_id, "confirmed", user, note)


if __name__ == "__main__":
    ews_app()
