"""The `hqd` command line: parse the arguments, call the stage that does the work, print the outcome.

Errors a user can cause are one sentence in Chinese and English on stderr with a non-zero exit status,
never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, ClassVar

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hqd.catalog import CatalogError
from hqd.config import SettingError, settings
from hqd.ingest.spec import kinds
from hqd.ingest.summary import Summary
from hqd.terminal import console, err

app = typer.Typer(
    help="hqd — 公立医院高质量发展监测评价平台 / monitoring the high-quality development of public hospitals",
    no_args_is_help=True,
    add_completion=False,
)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(code)


@app.callback()
def _private_files() -> None:
    """Every file a command writes (warehouse, WAL, secret, exports, reports, temporary files) is created
    0600, or 0640 with HQD_FILE_GROUP: the umask is set before any command runs."""
    from hqd.config import restrict_files

    restrict_files()


@app.command()
def init() -> None:
    """创建或升级仓库 / Create or upgrade the warehouse ($HQD_DB, default ./hqd.duckdb)."""
    from hqd.warehouse import migrate
    from hqd.warehouse.connection import WarehouseNotInitialised, connect
    from hqd.warehouse.secret import SecretMissing, check_secret, load_secret

    cfg = settings()
    cfg.db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = connect(cfg)
    except WarehouseNotInitialised as exc:
        raise fail(str(exc)) from None
    try:
        check_secret(con, cfg.secret_path)  # a secret is created only while nothing is keyed by one
    except SecretMissing as exc:
        con.close()
        raise fail(str(exc)) from None
    ran = migrate.upgrade(con)
    version = migrate.current_version(con)
    con.close()
    load_secret(cfg.secret_path)
    if ran:
        console.print(
            f"仓库 {cfg.db_path} 已升级到版本 {version}（执行了 {len(ran)} 个迁移） / "
            f"warehouse {cfg.db_path} upgraded to schema version {version} ({len(ran)} migration(s))"
        )
    else:
        console.print(
            f"仓库 {cfg.db_path} 已是最新版本 {version} / warehouse {cfg.db_path} is up to date "
            f"(schema version {version})"
        )


def _open():
    from hqd.warehouse.connection import WarehouseNotInitialised, open_initialised

    try:
        return open_initialised()
    except WarehouseNotInitialised as exc:
        raise fail(str(exc)) from None


KindArg = Annotated[str, typer.Argument(help="数据类型 / kind: " + ", ".join(kinds()))]
FilesArg = Annotated[list[Path], typer.Argument(help="CSV/TXT/XLSX 文件 / files")]
JsonOpt = Annotated[bool, typer.Option("--json", help="每个文件输出一个JSON对象 / one JSON object per file")]


def _known_kind(kind: str) -> None:
    from hqd.ingest.spec import load_kind

    try:
        load_kind(kind)
    except CatalogError as exc:
        raise fail(str(exc)) from None


@app.command()
def load(
    kind: KindArg,
    files: FilesArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只校验，不写入 / check only, write nothing")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """导入数据文件 / Load files of one kind; exit 1 if any file is rejected."""
    from hqd.ingest.load import load_file
    from hqd.warehouse.secret import load_secret

    _known_kind(kind)
    con = _open()
    secret = load_secret(settings().secret_path)
    rejected = False
    for path in files:
        with _progress(path, quiet=as_json) as advance:
            summary = load_file(con, kind, path, secret=secret, dry_run=dry_run, progress=advance)
        rejected |= summary.status == "rejected"
        if as_json:
            print(json.dumps(summary.as_json(), ensure_ascii=False))
        else:
            print_summary(summary)
    con.close()
    if rejected:
        raise typer.Exit(1)


@app.command()
def stage(
    kind: KindArg,
    files: FilesArg,
    out: Annotated[Path, typer.Option(help="Parquet 暂存目录 / Parquet staging directory")],
    jobs: Annotated[int, typer.Option(help="并行处理的文件数 / files processed at once")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """并行校验并暂存为 Parquet（省级规模）/ Validate files in parallel into Parquet staging for Spark."""
    from hqd.ingest.stage import stage_files
    from hqd.warehouse.secret import load_secret

    _known_kind(kind)
    con = _open()
    try:
        result = stage_files(
            con, kind, files, out, secret=load_secret(settings().secret_path), jobs=jobs,
            on_summary=(lambda s: print(json.dumps(s.as_json(), ensure_ascii=False))) if as_json else print_summary,
        )  # fmt: skip
    finally:
        con.close()
    for import_id, n in sorted(result.replaced.items()):
        console.print(f"导入 {import_id} 的 {n:,} 条记录被后来的文件更新 / {n:,} record(s) of import {import_id} "
                      "were replaced by a later file")  # fmt: skip
    if any(s.status == "rejected" for s in result.summaries) or not result.all_add_up:
        raise typer.Exit(1)


class _progress:
    """A byte/row progress bar on stderr for long loads; silent for small files and JSON output."""

    def __init__(self, path: Path, quiet: bool) -> None:
        size = path.stat().st_size if path.is_file() else 0
        self.enabled = not quiet and size > 20 * 1024 * 1024 and err.is_terminal
        self.size = size
        self.bar: Progress | None = None
        self.path = path

    def __enter__(self):
        if not self.enabled:
            return None
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(f"读取 reading {self.path.name}", total=self.size)
        return self

    _STAGES: ClassVar[dict[str, str]] = {
        "read": "读取 reading",
        "classify": "比对 comparing",
        "write": "写入 writing",
    }

    def advance(self, n: int) -> None:
        self.bar.advance(self.task, n)

    def stage(self, name: str) -> None:
        label = self._STAGES.get(name, "解析校验 parsing and checking")
        self.bar.update(self.task, description=f"{label} {self.path.name}")

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()


def print_summary(s: Summary) -> None:
    status = "[green]已接受 accepted[/green]" if s.status == "accepted" else "[red]已拒绝 rejected[/red]"
    title = f"{s.file} · {s.kind} · {status}" + (f" · 导入号 import {s.import_id}" if s.import_id else "")
    if s.dry_run:
        title += " · 试运行 dry run (未写入 nothing written)"
    console.print(title)
    if s.status == "rejected":
        err.print(f"[red]{s.message}[/red]")
        return
    table = Table(show_header=True, header_style="bold")
    for col in (
        "读取 read",
        "新增 new",
        "更新 updated",
        "未变 unchanged",
        "隔离 quarantined",
        "重复 duplicate",
    ):
        table.add_column(col, justify="right")
    table.add_row(*(str(v) for v in (s.read, s.new, s.updated, s.unchanged, s.quarantined, s.duplicate)))
    console.print(table)
    console.print(s.message)
    for r in s.reasons:
        rows = ", ".join(r.rows) + (" …" if r.count > len(r.rows) else "")
        console.print(f"  · [yellow]{r.rule}[/yellow] {r.field or ''}: {r.count} 行 rows ({rows})")
        console.print(f"    {r.message_zh} / {r.message_en}")
    if s.extra_columns:
        console.print(f"  未使用的列 ignored columns: {'、'.join(s.extra_columns)}")


@app.command()
def imports(
    limit: Annotated[int, typer.Option(help="显示最近几次 / how many recent imports")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """列出历次导入及其汇总 / List past imports with their summaries."""
    con = _open()
    rows = con.execute(
        """
        SELECT import_id, kind, file_name, status, "read", "new", updated, unchanged, quarantined, duplicate,
               encoding, strftime(started_at, '%Y-%m-%d %H:%M:%S'), message
        FROM imports ORDER BY import_id DESC LIMIT ?""",
        [limit],
    ).fetchall()
    con.close()
    keys = [
        "import_id",
        "kind",
        "file",
        "status",
        "read",
        "new",
        "updated",
        "unchanged",
        "quarantined",
        "duplicate",
        "encoding",
        "started_at",
        "message",
    ]
    if as_json:
        for r in rows:
            print(json.dumps(dict(zip(keys, r, strict=True)), ensure_ascii=False, default=str))
        return
    table = Table(
        "导入号 id",
        "类型 kind",
        "文件 file",
        "状态 status",
        "读取 read",
        "新增 new",
        "更新 upd",
        "未变 same",
        "隔离 quar",
        "重复 dup",
        "编码 enc",
        "时间 time",
    )
    for r in rows:
        table.add_row(*(str(x) if x is not None else "" for x in r[:12]))
    console.print(table)


@app.command(name="quarantine")
def quarantine_cmd(
    import_id: Annotated[int, typer.Option("--import", help="导入号 / import id")],
    out: Annotated[Path, typer.Option("--out", help="输出 .xlsx 或 .csv / output file")],
) -> None:
    """导出被隔离的行及原因，供医院更正重报 / Export an import's quarantined rows with their reasons."""
    from hqd.ingest import quarantine

    if out.suffix.lower() not in {".xlsx", ".csv"}:
        raise fail(f"输出文件须为 .xlsx 或 .csv：{out} / the output must be .xlsx or .csv: {out}")
    con = _open()
    try:
        n = quarantine.export(con, import_id, out)
    except LookupError:
        raise fail(f"导入号 {import_id} 不存在 / there is no import {import_id}") from None
    finally:
        con.close()
    console.print(f"已导出 {n} 条隔离记录到 {out} / wrote {n} quarantined record(s) to {out}")


@app.command()
def compute(
    period: Annotated[str, typer.Option(help="统计期 / period: 2024, 2024Q1 or 2024-03")],
    indicator: Annotated[
        list[str] | None, typer.Option(help="只算这些指标 / only these indicator ids")
    ] = None,
    engine: Annotated[str, typer.Option(help="计算引擎 / engine: duckdb | spark")] = "duckdb",
    source: Annotated[
        str | None,
        typer.Option(help="Spark 读取的 Parquet 目录或 hdfs://、s3a:// 地址 / Parquet export (path or URI)"),
    ] = None,
    master: Annotated[
        str, typer.Option(help="Spark master: local[2] | spark://HOST:PORT | yarn")
    ] = "local[2]",
    conf: Annotated[list[str] | None, typer.Option(help="Spark 设置 / Spark setting key=value")] = None,
    out: Annotated[
        Path | None, typer.Option(help="另写一份 Parquet 结果 / also write the values as Parquet here")
    ] = None,
) -> None:
    """计算全部指标 / Compute every catalog indicator for every institution and region level."""
    from hqd.engines.run import EngineUnavailable, compute_on_spark, parse_conf, write_values_parquet
    from hqd.indicators.compute import compute_period
    from hqd.indicators.periods import PeriodError, parse

    if engine not in {"duckdb", "spark"}:
        raise fail(f"--engine 须为 duckdb 或 spark：{engine} / --engine must be duckdb or spark: {engine}")
    if engine == "spark" and source is None:
        raise fail(
            "--engine spark 需要 --source DIR（hqd export parquet 的输出）/ --engine spark needs --source DIR"
        )
    con = _open()
    try:
        if engine == "spark":
            parse(period)  # a bad period is refused before Spark starts
            result = compute_on_spark(
                con, [period], source, master, parse_conf(conf or []), indicator or None
            )[0]
        else:
            result = compute_period(con, period, only=indicator or None)
        if out is not None:
            write_values_parquet(con, result, out)
    except (PeriodError, EngineUnavailable) as exc:
        raise fail(str(exc)) from None
    finally:
        con.close()
    weights = result.notes.get("drg_weights", {})
    console.print(
        f"已计算 {result.period}：{result.stored:,} 个指标值（运行号 {result.run_id}，{engine}）/ computed {result.period}: "
        f"{result.stored:,} values (run {result.run_id}, {engine}); DRG weights: {weights or 'no DRG cases'}"
    )


export_app = typer.Typer(help="导出 / export", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("parquet")
def export_parquet_cmd(
    out: Annotated[Path, typer.Option(help="输出目录 / output directory")],
) -> None:
    """导出 Parquet（按年份、区划分区）/ Export the canonical tables as Parquet partitioned by year and region."""
    from hqd.warehouse.parquet import export_parquet

    con = _open()
    try:
        result = export_parquet(con, out)
    finally:
        con.close()
    rows = sum(result.tables.values())
    console.print(
        f"已导出 {len(result.tables)} 张表、{rows:,} 行到 {out} / wrote {len(result.tables)} tables, {rows:,} rows to {out}"
    )


indicators_app = typer.Typer(help="指标 / indicators", no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("export")
def indicators_export(
    period: Annotated[str, typer.Option(help="统计期 / period")],
    out: Annotated[Path, typer.Option(help="输出 .csv 或 .xlsx / output file")],
    programme: Annotated[str | None, typer.Option(help="项目 / programme, e.g. gk3, gk2, drg")] = None,
) -> None:
    """导出指标值 / Export indicator values: indicator_id, org_code, period, numerator, denominator, value, unit."""
    from hqd.indicators.export import export_values

    if out.suffix.lower() not in {".csv", ".xlsx"}:
        raise fail(f"输出文件须为 .csv 或 .xlsx：{out} / the output must be .csv or .xlsx: {out}")
    con = _open()
    n = export_values(con, period, out, programme)
    con.close()
    if n == 0:
        raise fail(
            f"{period} 没有已计算的指标值，请先运行 hqd compute --period {period} / "
            f"nothing computed for {period}; run hqd compute --period {period} first"
        )
    console.print(f"已导出 {n:,} 行到 {out} / wrote {n:,} rows to {out}")


@app.command()
def explain(
    indicator_id: Annotated[str, typer.Argument(help="指标编号 / indicator id, e.g. gk3.04")],
    org: Annotated[str, typer.Option(help="机构代码或区划代码 / institution or region code")],
    period: Annotated[str, typer.Option(help="统计期 / period")],
    out: Annotated[
        Path | None, typer.Option(help="把记录写入 .csv/.xlsx / write the records to a file")
    ] = None,
    limit: Annotated[int, typer.Option(help="屏幕上显示的记录数 / records shown on screen")] = 20,
) -> None:
    """追溯指标值到记录 / Show an indicator's definition, source and the records behind its parts."""
    from hqd.indicators.explain import explain_value
    from hqd.indicators.periods import PeriodError

    con = _open()
    try:
        explain_value(con, indicator_id, org, period, console, out=out, limit=limit)
    except (PeriodError, LookupError) as exc:
        raise fail(str(exc)) from None
    finally:
        con.close()


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="演示数据目录 / where the demo files are written")] = Path(
        "demo-data"
    ),
    discharges: Annotated[int, typer.Option(help="出院人次 / discharges to generate")] = 200_000,
    seed: Annotated[int, typer.Option(help="随机种子 / seed of the generator")] = 20240101,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="不启动看板 / do not start the dashboard")
    ] = False,
) -> None:
    """生成示例市数据并全部导入 / Generate the demo region (示例市) as the files users send, then load them."""
    from hqd.demo import generate
    from hqd.ingest.batch import load_many
    from hqd.warehouse import migrate
    from hqd.warehouse.connection import connect
    from hqd.warehouse.secret import SecretMissing, check_secret, load_secret

    cfg = settings()
    console.print(
        f"生成示例数据 generating the demo region into {out}/ (seed {seed}, {discharges:,} discharges)"
    )
    files = generate(out, seed=seed, discharges=min(discharges, DEMO_DETAILED))
    files += _benchmark_padding(out, discharges - DEMO_DETAILED, seed)
    con = connect(cfg)
    try:
        check_secret(con, cfg.secret_path)
    except SecretMissing as exc:
        con.close()
        raise fail(str(exc)) from None
    migrate.upgrade(con)
    secret = load_secret(cfg.secret_path)
    console.print(f"导入到仓库 loading into {cfg.db_path}")
    result = load_many(con, [(f.kind, f.path) for f in files], secret=secret, on_summary=_demo_line)
    con.close()
    totals = result.totals()
    console.print(
        "合计 total: "
        + ", ".join(f"{k} {v:,}" for k, v in totals.items())
        + f" · 每个文件均平衡 every file adds up: {'是 yes' if result.all_add_up else '否 NO'}"
    )
    if result.rejected or not result.all_add_up:
        raise typer.Exit(1)
    from hqd.indicators.compute import compute_period
    from hqd.indicators.scorecard import print_scorecards

    con = connect(cfg)
    years = [y for (y,) in con.execute(
        "SELECT DISTINCT CAST(year(discharge_time) AS VARCHAR) FROM discharges ORDER BY 1").fetchall()]  # fmt: skip
    for year in years:
        run = compute_period(con, year)
        console.print(f"已计算 computed {year}: {run.stored:,} 个指标值 values (run {run.run_id})")
    if years:
        print_scorecards(con, years[-1], console)
    from hqd.targets.board import show_board

    show_board(con, console)
    if years:
        from hqd.indicators.periods import parse
        from hqd.programmes.county import print_county_summary

        print_county_summary(con, parse(years[-1]))
        from hqd.programmes.summary import print_summary

        print_summary(con, years[-1], console)
    from hqd.web.demo import finish_demo

    logins = finish_demo(con, out, years, console)
    con.close()
    console.print("演示登录 demo logins: " + " · ".join(f"{u} / {pw} ({role})" for u, pw, role in logins))
    if not no_serve:
        from hqd.web.commands import run_server

        run_server("127.0.0.1", 8000)


DEMO_DETAILED = 1_000_000  # discharges generated with every linked kind; beyond that, padding files


def _benchmark_padding(out: Path, extra: int, seed: int) -> list:
    """Beyond a million discharges (benchmark scale), more discharges of the same institutions are streamed
    into files of a million rows each, so memory stays bounded at 10,000,000 and more."""
    from hqd.demo import DemoFile, write_discharges_csv

    files = []
    for i, start in enumerate(range(0, max(extra, 0), DEMO_DETAILED)):
        path = out / f"病案首页_补充_{seed}_{i + 1:02d}.csv"
        n = min(DEMO_DETAILED, extra - start)
        if not path.exists():
            write_discharges_csv(path, n, seed=seed + 1 + i, serial_start=60_000_000 + start)
        files.append(DemoFile("discharges", path, 0))
    return files


def _demo_line(s: Summary) -> None:
    mark = "✓" if s.adds_up and s.status == "accepted" else "✗"
    console.print(
        f"{mark} {s.kind:<14} {s.file:<44} read {s.read:>7,} = new {s.new:>7,} + updated {s.updated:>5,} "
        f"+ unchanged {s.unchanged:>7,} + quarantined {s.quarantined:>5,} + duplicate {s.duplicate:>4,}"
        + (f"  (import {s.import_id}" + (f", same as {s.same_as})" if s.same_as else ")"))
    )
    if s.status == "rejected":
        err.print(f"  [red]{s.message}[/red]")
    for r in s.reasons[:6]:
        console.print(
            f"    · {r.rule} {r.field or ''}: {r.count} ({', '.join(r.rows[:8])}{' …' if r.count > 8 else ''})"
        )


from hqd.scoring.commands import gap, score  # noqa: E402
from hqd.targets.commands import targets  # noqa: E402

app.command()(score)
app.command()(gap)
app.command()(targets)

from hqd.web.commands import report, serve, users_app  # noqa: E402

app.command()(serve)
app.command()(report)
app.add_typer(users_app, name="users")


audit_app = typer.Typer(help="审计日志 / the audit log", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """校验审计日志链 / Check the audit log's HMAC chain; exit 0 intact, 1 broken (naming the entry)."""
    from hqd.audit import verify
    from hqd.warehouse.secret import load_secret

    con = _open()
    try:
        try:
            secret = load_secret(settings().secret_path, create=False)
        except FileNotFoundError:  # _open refuses a missing secret once an entry is sealed: nothing to check
            secret = b""
        verdict = verify(con, secret)
    finally:
        con.close()
    if not verdict.intact:
        raise fail(verdict.sentence())
    console.print(verdict.sentence(), markup=False, highlight=False)


@audit_app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option(help="最近的条数 / newest entries to show")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="每条一行JSON / one JSON object per line")] = False,
) -> None:
    """列出最近的审计记录 / List the newest audit entries."""
    from hqd.audit import entries

    con = _open()
    try:
        rows = entries(con, limit)
    finally:
        con.close()
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, default=str))
        return
    table = Table("#", "时间 time", "用户 user", "操作 action", "对象 object", "结果 outcome", "来源 source")
    for r in rows:
        table.add_row(str(r["audit_id"]), f"{r['logged_at']:%Y-%m-%d %H:%M:%S}", r["user_name"] or "",
                      r["action"], r["object"] or "", r["outcome"] or "", r["client"] or "")  # fmt: skip
    console.print(table)


def _mount_optional_groups() -> None:
    """Command groups of later stages mount themselves here when their module is present."""
    try:
        from hqd.ews.commands import ews_app
    except ImportError:
        return
    app.add_typer(ews_app, name="ews", help="传染病智能预警 / infectious-disease early warning")
    import hqd.programmes.county
    import hqd.programmes.referrals
    import hqd.programmes.sanming  # noqa: F401
    from hqd.programmes.commands import programme_app

    app.add_typer(programme_app, name="programme", help="改革项目监测 / reform programmes")


_mount_optional_groups()


def main() -> None:
    try:
        app()
    except CatalogError as exc:
        err.print(f"[red]{exc}[/red]")
        sys.exit(1)
    except SettingError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
