"""`hqd serve`, `hqd users add|list|disable` and `hqd report`: parse, call, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hqd.terminal import console, err

users_app = typer.Typer(help="看板用户 / dashboard users", no_args_is_help=True)


def fail(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False, highlight=False)
    return typer.Exit(1)


def _open():
    from hqd.warehouse.connection import WarehouseNotInitialised, open_initialised

    try:
        return open_initialised()
    except WarehouseNotInitialised as exc:
        raise fail(str(exc)) from None


def cli_audit(con, action: str, obj: str, detail: dict, outcome: str) -> None:
    """An audit entry for a change made on the command line: the actor is the operating-system account
    (os:<name>) that ran it, the source is the local machine."""
    import getpass

    from hqd.web.users import audit

    try:
        actor = getpass.getuser()
    except (KeyError, OSError):
        actor = "unknown"
    audit(con, f"os:{actor}", action, {**detail, "via": "cli"}, "local", obj=obj, outcome=outcome)


def serve(
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    secure_cookie: Annotated[
        bool, typer.Option("--secure-cookie", help="会话cookie仅经HTTPS发送 / Secure cookie (behind HTTPS)")
    ] = False,
) -> None:
    """启动看板与API / Serve the dashboard and the JSON API (default http://127.0.0.1:8000)."""
    run_server(host, port, secure_cookie)


def run_server(host: str, port: int, secure_cookie: bool = False) -> None:
    import uvicorn

    from hqd.config import SettingError
    from hqd.warehouse.connection import WarehouseNotInitialised
    from hqd.web.app import create_app

    try:
        app = create_app(secure_cookie=secure_cookie)
    except (WarehouseNotInitialised, SettingError) as exc:
        raise fail(str(exc)) from None
    console.print(f"看板 dashboard: http://{host}:{port}/  · API: http://{host}:{port}/api/openapi.json")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[str, typer.Option(help="角色 / role: admin | analyst | hospital")],
    scope: Annotated[
        str | None, typer.Option(help="区划代码（analyst）或机构代码（hospital）/ region or institution code")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="密码；省略时交互输入 / password; prompted when left out")
    ] = None,
    display_name: Annotated[str | None, typer.Option(help="显示名 / display name")] = None,
) -> None:
    """添加用户 / Add a user with an argon2-hashed password."""
    from hqd.web.users import UserError, add_user

    if password is None:
        password = typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)
    con = _open()
    try:
        u = add_user(con, name, role, scope, password, display_name)
    except UserError as exc:
        cli_audit(con, "user_add", name, {"role": role, "scope": scope, "error": str(exc)}, "refused")
        raise fail(str(exc)) from None
    else:
        cli_audit(con, "user_add", name, {"role": role, "scope": u.scope_code}, "ok")
    finally:
        con.close()
    console.print(f"已添加用户 added {u.name} ({u.role_label}{' · ' + u.scope_code if u.scope_code else ''})")


@users_app.command("list")
def users_list() -> None:
    """列出用户 / List users."""
    from hqd.web.users import list_users

    con = _open()
    rows = list_users(con)
    con.close()
    table = Table("用户 user", "显示名 name", "角色 role", "范围 scope", "停用 disabled", "创建 created")
    for r in rows:
        table.add_row(r["user_name"], r["display_name"] or "", r["role"], r["scope_code"] or "",
                      "是 yes" if r["disabled"] else "", f"{r['created_at']:%Y-%m-%d %H:%M}")  # fmt: skip
    console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="用户名 / user name")]) -> None:
    """停用用户（其会话立即失效）/ Disable a user; their sessions stop working at once."""
    from hqd.web.users import UserError, disable_user

    con = _open()
    try:
        disable_user(con, name)
    except UserError as exc:
        cli_audit(con, "user_disable", name, {"error": str(exc)}, "refused")
        raise fail(str(exc)) from None
    else:
        cli_audit(con, "user_disable", name, {}, "ok")
    finally:
        con.close()
    console.print(f"已停用 disabled {name}")


def report(
    period: Annotated[str, typer.Option(help="统计期 / period, e.g. 2025 or 2025-06")],
    out: Annotated[Path, typer.Option(help="输出文件 / output file")],
    org: Annotated[str | None, typer.Option(help="机构代码：机构考核报告 / institution code")] = None,
    region: Annotated[str | None, typer.Option(help="区划代码：地区监测报告 / region code")] = None,
    format: Annotated[
        str | None, typer.Option(help="xlsx | pdf (默认按扩展名 / default: from --out)")
    ] = None,
) -> None:
    """生成报告 / An institution's assessment report or a region's monitoring report (xlsx or pdf)."""
    from hqd.indicators.periods import PeriodError, parse
    from hqd.reports import build_report
    from hqd.web.orgs import org as find_org
    from hqd.web.scope import Forbidden, NotFound

    if (org is None) == (region is None):
        raise fail("须给出 --org 或 --region 之一 / give exactly one of --org and --region")
    fmt = (format or out.suffix.lstrip(".")).lower()
    if fmt not in ("xlsx", "pdf"):
        raise fail(f"格式须为 xlsx 或 pdf：{fmt or out} / the format must be xlsx or pdf")
    try:
        period = parse(period).text
    except PeriodError as exc:
        raise fail(str(exc)) from None
    con = _open()
    code = (org or region or "").upper()
    try:
        find_org(con, code)
        build_report(con, "org" if org else "region", code, period, fmt, out)
    except (NotFound, Forbidden) as exc:
        raise fail(str(exc)) from None
    finally:
        con.close()
    console.print(f"已生成报告 wrote {out}")
