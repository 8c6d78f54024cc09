"""`hqd ews detect`: the command-line face of the early-warning algorithms (mounted by the main CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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

if __name__ == "__main__":
    ews_app()
