"""The JSON API under /api: one success envelope {"ok": true, "data": …} and one error envelope
{"ok": false, "error_zh": …, "error_en": …} on every route; every route checks the caller's scope."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from hqd.indicators.catalog import indicators
from hqd.indicators.periods import PeriodError, parse
from hqd.web import board, counties, imports, scorecard, signals
from hqd.web import records as record_files
from hqd.web.orgs import default_period, periods, visible_institutions, visible_regions
from hqd.web.records import records
from hqd.web.scope import Forbidden, NotFound
from hqd.web.session import (
    SESSION_COOKIE,
    Ctx,
    clear_session_cookie,
    client_of,
    context,
    csrf_protect,
    end_session,
    set_session_cookie,
    start_session,
)
from hqd.web.users import (
    ROLES,
    UserError,
    audit,
    audit_entries,
    change_password,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    set_role,
    unlock_user,
)

# csrf_protect runs before every route: state-changing requests need this origin and the session's token
router = APIRouter(prefix="/api", dependencies=[Depends(csrf_protect)])
Context = Annotated[Ctx, Depends(context)]
PeriodQ = Annotated[str | None, Query(max_length=10, description="统计期 period: 2025, 2025Q1, 2025-03")]
IdPath = Annotated[int, PathParam(ge=0, le=2**31 - 1)]
Part = Literal["numerator", "denominator"]
Fmt = Literal["csv", "xlsx"]


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "data": _clean(jsonable_encoder(data))})


def period_or_default(ctx: Ctx, period: str | None) -> str:
    """A valid period: the one asked for, or the latest year with stored values."""
    if period is None:
        chosen = default_period(ctx.con)
        if chosen is None:
            raise NotFound("仓库中还没有计算过的指标值", "nothing has been computed yet; run hqd compute")
        return chosen
    try:
        return parse(period).text
    except PeriodError:
        raise NotFound(
            f"统计期 {period} 无效", f"{period} is not a period (2025, 2025Q1 or 2025-03)"
        ) from None


class Login(BaseModel):
    username: str
    password: str
    totp: str | None = None  # the one-time code, for a user enrolled in TOTP


def log_in(request: Request, username: str, password: str, code: str | None):
    """Check a login (throttling, lockout, TOTP) and, on success, replace any session of this browser by a
    new one: (attempt, session id or None, session or None)."""
    from hqd.web.login import attempt

    db = request.app.state.db
    with db.cursor() as con, db.write_lock:
        a = attempt(con, username, password, code, client_of(request), db.cfg.auth, db.secret)
        if a.user is None:
            return a, None, None
        end_session(con, request.cookies.get(SESSION_COOKIE))
        session_id, session = start_session(con, a.user.name, client_of(request))
        audit(con, a.user.name, "login", {"username": username[:100]}, client_of(request))
    return a, session_id, session


def log_out(ctx: Ctx, request: Request) -> None:
    """Logout ends every session of the user, on every device."""
    from hqd.web.users import end_sessions

    with ctx.db.write_lock:
        end_sessions(ctx.con, ctx.scope.user.name)
    ctx.audit(request, "logout", {})


def _user_error(exc: UserError, status: int = 400) -> JSONResponse:
    zh, _, en = str(exc).partition(" / ")
    return JSONResponse({"ok": False, "error_zh": zh, "error_en": en or zh}, status_code=status)


@router.get("/health", summary="服务状态 / liveness")
def health() -> JSONResponse:
    return ok({"status": "up"})


@router.post("/login", summary="登录 / log in")
def login(body: Login, request: Request) -> JSONResponse:
    a, session_id, session = log_in(request, body.username, body.password, body.totp)
    if a.user is None or session_id is None or session is None:
        body_ = {"ok": False, "error_zh": a.zh, "error_en": a.en}
        if a.needs_code:
            body_["needs_totp"] = True
        return JSONResponse(body_, status_code=a.status)
    u = a.user
    response = ok({"user": u.name, "role": u.role, "scope": u.scope_code, "csrf_token": session.csrf_token})
    set_session_cookie(request, response, session_id)
    return response


@router.post("/logout", summary="退出 / log out (every session of the user)")
def logout(ctx: Context, request: Request) -> JSONResponse:
    log_out(ctx, request)
    response = ok({"logged_out": True})
    clear_session_cookie(request, response)
    return response


class PasswordChange(BaseModel):
    current: str
    new: str


@router.post("/password", summary="修改本人密码 / change your own password (ends your other sessions)")
def password(ctx: Context, request: Request, body: PasswordChange) -> JSONResponse:
    with ctx.db.write_lock:
        try:
            change_password(ctx.con, ctx.scope.user.name, body.current, body.new,
                            keep_session=ctx.session.session_hash if ctx.session else None,
                            client=client_of(request))  # fmt: skip
        except UserError as exc:
            return _user_error(exc)
    return ok({"changed": True})


class PasswordReset(BaseModel):
    password: str


class RoleChange(BaseModel):
    role: Literal["admin", "analyst", "hospital"]
    scope: str | None = None


UserAction = Literal["disable", "enable", "unlock"]


def admin_user_action(ctx: Ctx, request: Request, name: str, action: str, **kw: Any) -> None:
    """One admin action on a user (audited by hqd.web.users); UserError for a refusal."""
    ctx.scope.require("admin")
    by, client = ctx.scope.user.name, client_of(request)
    with ctx.db.write_lock:
        if action == "disable":
            if name == by:
                raise UserError("不能停用自己 / you cannot disable yourself")
            disable_user(ctx.con, name, by=by, client=client)
        elif action == "enable":
            enable_user(ctx.con, name, by=by, client=client)
        elif action == "unlock":
            unlock_user(ctx.con, name, by=by, client=client)
        elif action == "reset-password":
            reset_password(ctx.con, name, kw["password"], by=by, client=client)
        elif action == "role":
            set_role(ctx.con, name, kw["role"], kw.get("scope"), by=by, client=client)


@router.post("/users/{name}/reset-password", summary="重置密码 / reset a user's password (admin)")
def user_reset(ctx: Context, request: Request, name: str, body: PasswordReset) -> JSONResponse:
    try:
        admin_user_action(ctx, request, name, "reset-password", password=body.password)
    except UserError as exc:
        return _user_error(exc)
    return ok({"user": name, "reset": True})


@router.post("/users/{name}/role", summary="修改角色与范围 / change a user's role and scope (admin)")
def user_role(ctx: Context, request: Request, name: str, body: RoleChange) -> JSONResponse:
    try:
        admin_user_action(ctx, request, name, "role", role=body.role, scope=body.scope)
    except UserError as exc:
        return _user_error(exc)
    return ok({"user": name, "role": body.role, "scope": body.scope if body.role != "admin" else None})


@router.post("/users/{name}/{action}", summary="停用、启用、解锁 / disable, enable or unlock a user (admin)")
def user_action(ctx: Context, request: Request, name: str, action: UserAction) -> JSONResponse:
    try:
        admin_user_action(ctx, request, name, action)
    except UserError as exc:
        return _user_error(exc)
    return ok({"user": name, "action": action})


@router.get("/me", summary="当前用户 / who am I")
def me(ctx: Context) -> JSONResponse:
    u = ctx.scope.user
    return ok({"user": u.name, "display_name": u.display_name, "role": u.role, "role_label": ROLES[u.role],
               "scope": u.scope_code, "csrf_token": ctx.csrf_token})  # fmt: skip


@router.get("/orgs", summary="可见的机构与区划 / organisations in scope")
def orgs(ctx: Context) -> JSONResponse:
    return ok({"institutions": [o.__dict__ for o in visible_institutions(ctx.con, ctx.scope)],
               "regions": [o.__dict__ for o in visible_regions(ctx.con, ctx.scope)]})  # fmt: skip


@router.get("/periods", summary="已计算的统计期 / periods with stored values")
def list_periods(ctx: Context) -> JSONResponse:
    return ok(periods(ctx.con))


@router.get("/overview/{region}", summary="地区总览 / region overview")
def overview(ctx: Context, region: str, period: PeriodQ = None) -> JSONResponse:
    return ok(board.overview(ctx.con, ctx.scope, region, period_or_default(ctx, period)))


@router.get("/scorecard/{org}", summary="机构记分卡 / institution scorecard")
def get_scorecard(ctx: Context, org: str, period: PeriodQ = None) -> JSONResponse:
    return ok(scorecard.scorecard(ctx.con, ctx.scope, org, period_or_default(ctx, period)))


@router.get("/scorecard/{org}/gap", summary="距下一等级 / gap to the next grade")
def get_gap(ctx: Context, org: str, period: PeriodQ = None) -> JSONResponse:
    return ok(scorecard.gap_of(ctx.con, ctx.scope, org, period_or_default(ctx, period)))


@router.get("/indicators", summary="指标目录 / the indicator catalog")
def catalog(ctx: Context) -> JSONResponse:
    return ok([{"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "programme": i.programme,
                "unit": i.unit, "direction": i.direction, "status": i.status} for i in indicators()])  # fmt: skip


@router.get("/indicators/{indicator_id}", summary="指标浏览 / one indicator across organisations and time")
def explore(ctx: Context, indicator_id: str, period: PeriodQ = None,
            level: Literal["institution", "county", "city", "province"] = "institution") -> JSONResponse:  # fmt: skip
    return ok(scorecard.explorer(ctx.con, ctx.scope, indicator_id, period_or_default(ctx, period), level))


@router.get("/indicators/{indicator_id}/records", summary="分子分母背后的记录 / records behind a value")
def get_records(ctx: Context, request: Request, indicator_id: str, org: Annotated[str, Query(max_length=40)],
                part: Part = "numerator", period: PeriodQ = None, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                size: Annotated[int, Query(ge=1, le=500)] = 50) -> JSONResponse:  # fmt: skip
    p = period_or_default(ctx, period)
    header, rows, total = records(ctx, indicator_id, org, p, part, size, (page - 1) * size)
    ctx.audit(request, "records_view", {"indicator": indicator_id, "org": org, "period": p, "part": part,
                                        "page": page, "rows": len(rows)})  # fmt: skip
    return ok({"indicator_id": indicator_id, "org": org, "period": p, "part": part, "page": page, "size": size,
               "total": total, "columns": header, "rows": rows})  # fmt: skip


@router.get("/indicators/{indicator_id}/records.{fmt}", summary="导出记录 / export the records")
def export_records(ctx: Context, request: Request, indicator_id: str, fmt: Fmt,
                   org: Annotated[str, Query(max_length=40)], part: Part = "numerator",
                   period: PeriodQ = None) -> FileResponse:  # fmt: skip
    p = period_or_default(ctx, period)
    with _temp(f".{fmt}") as path:
        total = record_files.export_records(ctx, indicator_id, org, p, part, path)
        ctx.audit(
            request,
            "export",
            {"indicator": indicator_id, "org": org, "period": p, "part": part, "rows": total},
        )
        return _file(path, f"{indicator_id}_{org}_{p}_{part}.{fmt}")


@router.get("/targets", summary="目标看板 / targets board")
def targets(ctx: Context) -> JSONResponse:
    return ok(board.targets_board(ctx.con, ctx.scope))


@router.get("/programmes", summary="改革项目 / programmes with stored values")
def programmes(ctx: Context) -> JSONResponse:
    return ok(board.programmes(ctx.con, ctx.scope))


@router.get("/programmes/{name}", summary="项目页 / one programme's indicators per organisation")
def programme(ctx: Context, name: str, period: PeriodQ = None) -> JSONResponse:
    return ok(board.programme(ctx.con, ctx.scope, name, period_or_default(ctx, period)))


@router.get(
    "/counties", summary="紧密型县域医共体 / county medical community pages: checklist and thresholds"
)
def county_communities(ctx: Context, period: PeriodQ = None) -> JSONResponse:
    return ok(counties.county_pages(ctx.con, ctx.scope, period_or_default(ctx, period)))


@router.get("/signals", summary="预警信号 / early-warning signals in scope")
def list_signals(ctx: Context, status: Literal["new", "verified", "dismissed", "confirmed"] | None = None,
                 disease: Annotated[str | None, Query(max_length=50)] = None) -> JSONResponse:  # fmt: skip
    return ok(signals.signals(ctx.con, ctx.scope, status, disease))


@router.get("/signals/{signal_id}", summary="信号详情 / one signal")
def get_signal(ctx: Context, signal_id: IdPath) -> JSONResponse:
    return ok(signals.signal(ctx.con, ctx.scope, signal_id))


@router.get("/signals/{signal_id}/series", summary="信号序列与阈值 / the series and threshold line")
def signal_series(ctx: Context, signal_id: IdPath) -> JSONResponse:
    return ok(signals.series(ctx.con, ctx.scope, signal_id))


class Decision(BaseModel):
    note: str | None = None


@router.post("/signals/{signal_id}/{decision}", summary="核实/排除/确认信号 / verify, dismiss or confirm")
def decide(ctx: Context, request: Request, signal_id: IdPath,
           decision: Literal["verify", "dismiss", "confirm"], body: Decision | None = None) -> JSONResponse:  # fmt: skip
    from hqd.ews.lifecycle import LifecycleError

    with ctx.db.write_lock:
        try:
            d = signals.decide(ctx.con, ctx.scope, signal_id, decision, body.note if body else None)
        except LifecycleError as exc:
            zh, _, en = str(exc).partition("；")
            return JSONResponse({"ok": False, "error_zh": zh, "error_en": en or zh}, status_code=409)
    ctx.audit(request, "signal_decision", {"signal_id": signal_id, "from": d.from_status, "to": d.to_status})
    return ok({"signal_id": signal_id, "from": d.from_status, "to": d.to_status, "user": d.user, "at": d.at})


@router.get("/imports", summary="导入记录 / imports")
def list_imports(ctx: Context) -> JSONResponse:
    return ok(imports.list_imports(ctx.con, ctx.scope))


@router.post("/imports", summary="上传文件 / upload a file")
async def upload(ctx: Context, request: Request, kind: Annotated[str, Form(max_length=40)],
                 file: Annotated[UploadFile, File()]) -> JSONResponse:  # fmt: skip
    from hqd.web.upload import UploadRefused, accept_upload

    try:
        result = await run_in_threadpool(accept_upload, ctx, request, kind, file)
    except UploadRefused as refused:
        return JSONResponse({"ok": False, "error_zh": refused.zh, "error_en": refused.en,
                             "import_id": refused.import_id}, status_code=refused.status)  # fmt: skip
    ctx.audit(request, "upload", {"kind": kind, "file": file.filename, "import_id": result["import_id"],
                                  "status": result["status"], "quarantined": result["quarantined"]})  # fmt: skip
    return ok(result)


@router.get("/imports/{import_id}", summary="导入汇总 / an import's summary")
def get_import(ctx: Context, import_id: IdPath) -> JSONResponse:
    return ok(imports.get_import(ctx.con, ctx.scope, import_id))


@router.get("/imports/{import_id}/quarantine", summary="隔离行 / quarantined rows")
def quarantine(ctx: Context, request: Request, import_id: IdPath,
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
               size: Annotated[int, Query(ge=1, le=500)] = 50) -> JSONResponse:  # fmt: skip
    rows, total = imports.quarantined(ctx.con, ctx.scope, import_id, size, (page - 1) * size)
    ctx.audit(request, "quarantine_view", {"import_id": import_id, "page": page, "rows": len(rows)})
    return ok({"import_id": import_id, "page": page, "size": size, "total": total, "rows": rows})


@router.get("/imports/{import_id}/quarantine.{fmt}", summary="下载隔离行 / download the quarantined rows")
def quarantine_file(ctx: Context, request: Request, import_id: IdPath,
                    fmt: Fmt) -> FileResponse:  # fmt: skip
    with _temp(f".{fmt}") as path:
        n = imports.export_quarantine(ctx.con, ctx.scope, import_id, path)
        ctx.audit(request, "export", {"quarantine_of": import_id, "rows": n})
        return _file(path, f"隔离行_quarantine_{import_id}.{fmt}")


@router.get("/reports/org/{org}", summary="机构考核报告 / institution assessment report")
def org_report(ctx: Context, request: Request, org: str, period: PeriodQ = None,
               format: Literal["xlsx", "pdf"] = "pdf") -> FileResponse:  # fmt: skip
    return _report(ctx, request, "org", org, period, format)


@router.get("/reports/region/{region}", summary="地区月度监测报告 / region monitoring report")
def region_report(ctx: Context, request: Request, region: str, period: PeriodQ = None,
                  format: Literal["xlsx", "pdf"] = "pdf") -> FileResponse:  # fmt: skip
    return _report(ctx, request, "region", region, period, format)


def _report(ctx: Ctx, request: Request, kind: str, code: str, period: str | None, fmt: str) -> FileResponse:
    from hqd.reports import build_report

    p = period_or_default(ctx, period)
    ctx.scope.check(code)
    if kind == "region" and ctx.scope.hospital:
        raise Forbidden("医院用户无权下载地区报告", "hospital users may not download region reports")
    with _temp(f".{fmt}") as path:
        build_report(ctx.con, kind, code, p, fmt, path, scope=ctx.scope)
        ctx.audit(request, "report", {"kind": kind, "code": code, "period": p, "format": fmt})
        return _file(path, f"{'机构报告' if kind == 'org' else '地区报告'}_{code}_{p}.{fmt}")


@router.get("/audit", summary="审计日志 / audit log (admin)")
def get_audit(ctx: Context, limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> JSONResponse:
    ctx.scope.require("admin")
    return ok(audit_entries(ctx.con, limit))


@router.get("/users", summary="用户 / users (admin)")
def get_users(ctx: Context) -> JSONResponse:
    ctx.scope.require("admin")
    return ok(list_users(ctx.con))


@contextmanager
def _temp(suffix: str) -> Iterator[Path]:
    """A private temporary file for a download: handed to the response, which deletes it once sent; removed
    here at once when building it fails (a refusal, a crash), so no export is left behind in the temp dir."""
    fd, name = tempfile.mkstemp(prefix="hqd-web-", suffix=suffix)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _file(path: Path, filename: str) -> FileResponse:
    return FileResponse(path, filename=filename, background=BackgroundTask(path.unlink, missing_ok=True))
