"""`hqd serve`, `hqd users add|list|disable|enable|unlock|reset-password|role|scope|totp` and `hqd report`:
parse, call, print. Every users command is an admin action on the warehouse and is audited (as user "cli")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hqd.terminal import console, err

users_app = typer.Typer(help="看板用户 / dashboard users", no_args_is_help=True)
LOCAL = "local"  # the source address of a command-line change in the audit log
Name = Annotated[str, typer.Argument(help="用户名 / user name")]


def fail(message: str) -> typer.Exit:
    err.print(message, style="red", markup=False, highlight=False)
    return typer.Exit(1)


def _open():
    from hqd.warehouse.connection import WarehouseNotInitialised, open_initialised

    try:
        return open_initialised()
    except WarehouseNotInitialised as exc:
        raise fail(str(exc)) from None


def cli_actor() -> str:
    """The audit log's actor of a change made on the command line: the operating-system account that ran it."""
    import getpass

    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"


def cli_audit(con, action: str, obj: str, detail: dict, outcome: str) -> None:
    """An audit entry for a refused change made on the command line (accepted changes are audited by the
    users functions themselves); the source is the local machine."""
    from hqd.web.users import audit

    audit(con, cli_actor(), action, {**detail, "via": "cli"}, LOCAL, obj=obj, outcome=outcome)


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
        u = add_user(con, name, role, scope, password, display_name, by=cli_actor(), client=LOCAL)
    except UserError as exc:
        cli_audit(con, "user_add", name, {"role": role, "scope": scope, "error": str(exc)}, "refused")
        raise fail(str(exc)) from None
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
    table = Table("用户 user", "显示名 name", "角色 role", "范围 scope", "停用 disabled", "锁定 locked", "TOTP",
                  "创建 created")  # fmt: skip
    for r in rows:
        table.add_row(r["user_name"], r["display_name"] or "", r["role"], r["scope_code"] or "",
                      "是 yes" if r["disabled"] else "", "是 yes" if r["locked"] else "",
                      "是 yes" if r["totp"] else "", f"{r['created_at']:%Y-%m-%d %H:%M}")  # fmt: skip
    console.print(table)


def _change(done: str, action: str, name: str, call) -> None:
    """Run one users change on the warehouse as the command line's actor; a refusal is audited, one sentence
    and exit status 1."""
    from hqd.web.users import UserError

    con = _open()
    try:
        call(con, cli_actor())
    except UserError as exc:
        cli_audit(con, action, name, {"error": str(exc)}, "refused")
        raise fail(str(exc)) from None
    finally:
        con.close()
    console.print(done)


# The one-argument user changes: (command, audit action, what is printed, the users function, its help).
_SIMPLE_CHANGES = (
    ("disable", "user_disable", "已停用 disabled", "disable_user", "停用用户（其会话立即失效）/ Disable a user; their sessions end at once."),
    ("enable", "user_enable", "已启用 enabled", "enable_user", "启用用户 / Enable a disabled user."),
    ("unlock", "user_unlock", "已解锁 unlocked", "unlock_user",
     "解除登录锁定 / Lift the lock that repeated failed logins put on an account."),
)  # fmt: skip


def _simple_change(command: str, action: str, done: str, function: str, help_text: str) -> None:
    def run(name: Name) -> None:
        from hqd.web import users

        change = getattr(users, function)
        _change(f"{done} {name}", action, name, lambda con, by: change(con, name, by=by, client=LOCAL))

    run.__doc__ = help_text
    users_app.command(command)(run)


for _spec in _SIMPLE_CHANGES:
    _simple_change(*_spec)


@users_app.command("reset-password")
def users_reset_password(
    name: Name,
    password: Annotated[
        str | None, typer.Option(help="新密码；省略时交互输入 / new password; prompted when left out")
    ] = None,
) -> None:
    """重置密码（其会话全部结束）/ Set a new password for a user; all their sessions end."""
    from hqd.web.users import reset_password

    if password is None:
        password = typer.prompt("新密码 new password", hide_input=True, confirmation_prompt=True)
    _change(
        f"已重置密码 password reset for {name}",
        "password_reset",
        name,
        lambda con, by: reset_password(con, name, password, by=by, client=LOCAL),
    )


@users_app.command("role")
def users_role(
    name: Name,
    role: Annotated[str, typer.Argument(help="admin | analyst | hospital")],
    scope: Annotated[
        str | None, typer.Option(help="区划代码（analyst）或机构代码（hospital）/ region or institution code")
    ] = None,
) -> None:
    """修改角色（及范围；其会话全部结束）/ Change a user's role (and scope); all their sessions end."""
    from hqd.web.users import set_role

    _change(f"已修改 changed {name}: {role}{' ' + scope if scope else ''}", "user_role", name,
            lambda con, by: set_role(con, name, role, scope, by=by, client=LOCAL))  # fmt: skip


@users_app.command("scope")
def users_scope(
    name: Name, scope: Annotated[str, typer.Argument(help="区划或机构代码 / region or institution code")]
) -> None:
    """修改范围（角色不变；其会话全部结束）/ Change a user's scope, keeping the role; all their sessions end."""
    from hqd.web.users import UserError, set_role

    def call(con, by: str) -> None:
        row = con.execute("SELECT role FROM users WHERE user_name = ?", [name]).fetchone()
        if row is None:
            raise UserError(f"用户 {name} 不存在 / there is no user {name}")
        set_role(con, name, row[0], scope, by=by, client=LOCAL)

    _change(f"已修改范围 scope of {name}: {scope}", "user_role", name, call)


@users_app.command("totp")
def users_totp(name: Name) -> None:
    """登记动态口令（双因素）；密钥只显示这一次 / Enrol a user in TOTP; the secret is shown this once only."""
    from hqd.warehouse.secret import load_secret
    from hqd.web.users import enrol_totp

    shown: list[tuple[str, str]] = []

    def call(con, by: str) -> None:
        from hqd.config import settings

        shown.append(enrol_totp(con, name, load_secret(settings().secret_path), by=by, client=LOCAL))

    _change(f"已登记动态口令 TOTP enrolled for {name}", "totp_enrol", name, call)
    secret, uri = shown[0]
    console.print(f"密钥 secret: {secret}", markup=False, highlight=False)
    console.print(f"otpauth URI: {uri}", markup=False, highlight=False)
    console.print(
        "请立即录入验证器应用；此密钥不会再显示 / add it to the authenticator app now; it is not shown again"
    )


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
