"""The server-rendered pages: the same functions as the API, rendered with Jinja, Chinese first (?lang=en)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hqd.indicators.catalog import indicators
from hqd.web import board, counties, imports, scorecard, signals
from hqd.web.api import admin_user_action, log_in, log_out, period_or_default
from hqd.web.orgs import periods, visible_institutions, visible_regions
from hqd.web.records import records
from hqd.web.scope import Forbidden
from hqd.web.session import (
    LANG_COOKIE,
    Ctx,
    clear_session_cookie,
    client_of,
    context,
    csrf_protect,
    lang_of,
    set_session_cookie,
)
from hqd.web.users import ROLES, UserError, change_password, list_users

# csrf_protect runs before every route: state-changing requests need this origin and the session's token
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.policies["json.dumps_kwargs"] = {"default": str, "ensure_ascii": False}
Context = Annotated[Ctx, Depends(context)]
STATUS_LABELS = {
    "met": ("已达标", "met"), "on_track": ("按期可达", "on track"), "at_risk": ("有风险", "at risk"),
    "missed": ("未达标", "missed"), "no_data": ("无数据", "no data"), "new": ("新信号", "new"),
    "verified": ("已核实", "verified"), "dismissed": ("已排除", "dismissed"), "confirmed": ("已确认", "confirmed"),
    "ok": ("正常", "ok"), "missing": ("缺失", "missing"), "accepted": ("已接受", "accepted"),
    "rejected": ("已拒收", "rejected"),
}  # fmt: skip


def fmt(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    if isinstance(x, (int, float)):
        return f"{x:,.0f}" if float(x).is_integer() and abs(x) >= 1 else f"{x:,.{digits}f}"
    return str(x)


def render(
    request: Request, ctx: Ctx | None, template: str, http_status: int = 200, **data: Any
) -> HTMLResponse:
    lang = ctx.lang if ctx else lang_of(request)

    def t(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    def label(status: str | None) -> str:
        zh, en = STATUS_LABELS.get(status or "", (status or "", status or ""))
        return t(zh, en)

    return templates.TemplateResponse(
        request, template,
        {"t": t, "lang": lang, "fmt": fmt, "label": label, "ctx": ctx, "user": ctx.scope.user if ctx else None,
         "roles": ROLES, "path": request.url.path, "quote": quote,
         "csp_nonce": getattr(request.state, "csp_nonce", ""), "csrf_token": ctx.csrf_token if ctx else "", **data},
        status_code=http_status,
    )  # fmt: skip


def error_page(request: Request, status: int, zh: str, en: str) -> HTMLResponse:
    return render(request, None, "error.html", http_status=status, code=status, zh=zh, en=en)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, None, "login.html", next=next, failed=None)


def _safe_next(next: str) -> str:
    return next if next.startswith("/") and not next.startswith("//") and "\\" not in next else "/"


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/", totp: Annotated[str | None, Form()] = None) -> Response:  # fmt: skip
    a, session_id, _ = log_in(request, username, password, totp)
    if a.user is None or session_id is None:
        return render(request, None, "login.html", http_status=a.status, next=next, failed=(a.zh, a.en),
                      needs_code=a.needs_code, username=username if a.needs_code else "")  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, session_id)
    return response


@router.post("/logout")
def logout(request: Request, ctx: Context) -> Response:
    log_out(ctx, request)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/lang/{lang}")
def switch_lang(request: Request, lang: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, "en" if lang == "en" else "zh", samesite="strict", path="/",
                        max_age=365 * 86400)  # fmt: skip
    return response


@router.get("/password")
def password_form(request: Request, ctx: Context) -> HTMLResponse:
    return render(request, ctx, "password.html", message=None, done=False)


@router.post("/password")
def password_change(request: Request, ctx: Context, current: Annotated[str, Form()],
                    new: Annotated[str, Form()], again: Annotated[str, Form()]) -> Response:  # fmt: skip
    try:
        if new != again:
            raise UserError("两次输入的新密码不一致 / the two new passwords differ")
        with ctx.db.write_lock:
            change_password(ctx.con, ctx.scope.user.name, current, new,
                            keep_session=ctx.session.session_hash if ctx.session else None,
                            client=client_of(request))  # fmt: skip
    except UserError as exc:
        return render(request, ctx, "password.html", http_status=400, message=str(exc), done=False)
    return render(request, ctx, "password.html", message=None, done=True)


@router.get("/users")
def users_page(request: Request, ctx: Context) -> HTMLResponse:
    ctx.scope.require("admin")
    return render(request, ctx, "users.html", rows=list_users(ctx.con), message=None)


@router.post("/users/{name}/{action}")
def users_action(request: Request, ctx: Context, name: str, action: str,
                 password: Annotated[str | None, Form()] = None, role: Annotated[str | None, Form()] = None,
                 scope: Annotated[str | None, Form()] = None) -> Response:  # fmt: skip
    ctx.scope.require("admin")
    if action not in ("disable", "enable", "unlock", "reset-password", "role"):
        raise Forbidden("未知的用户操作", f"unknown user action {action}")
    try:
        admin_user_action(ctx, request, name, action, password=password or "", role=role or "", scope=scope)
    except UserError as exc:
        return render(request, ctx, "users.html", http_status=400, rows=list_users(ctx.con), message=str(exc))
    return RedirectResponse("/users", status_code=303)


@router.get("/")
def home(ctx: Context) -> Response:
    home = ctx.scope.home
    if ctx.scope.hospital:
        return RedirectResponse(f"/org/{home}", status_code=303)
    if home is None:
        tops = [
            r for r in visible_regions(ctx.con, ctx.scope) if r.region_code is None and r.code != "100000"
        ]
        home = tops[0].code if tops else None
    if home is None:
        return RedirectResponse("/imports", status_code=303)
    return RedirectResponse(f"/overview/{home}", status_code=303)


@router.get("/overview/{region}")
def overview_page(request: Request, ctx: Context, region: str, period: str | None = None) -> HTMLResponse:
    p = period_or_default(ctx, period)
    data = board.overview(ctx.con, ctx.scope, region, p)
    children = [r for r in visible_regions(ctx.con, ctx.scope) if r.region_code == region]
    insts = [o for o in visible_institutions(ctx.con, ctx.scope) if o.level in ("三级", "二级")]
    return render(request, ctx, "overview.html", d=data, period=p, periods=periods(ctx.con), children=children,
                  institutions=insts)  # fmt: skip


@router.get("/org/{code}")
def org_page(request: Request, ctx: Context, code: str, period: str | None = None) -> HTMLResponse:
    p = period_or_default(ctx, period)
    data = scorecard.scorecard(ctx.con, ctx.scope, code, p)
    gap = scorecard.gap_of(ctx.con, ctx.scope, code, p) if data["score"] else None
    return render(request, ctx, "org.html", d=data, gap=gap, period=p, periods=periods(ctx.con))


@router.get("/explorer")
def explorer_page(request: Request, ctx: Context, indicator: str = "gk3.04", period: str | None = None,
                  level: str = "institution") -> HTMLResponse:  # fmt: skip
    p = period_or_default(ctx, period)
    data = scorecard.explorer(ctx.con, ctx.scope, indicator, p, level)
    return render(request, ctx, "explorer.html", d=data, period=p, periods=periods(ctx.con), level=level,
                  catalog=[i for i in indicators() if i.status == "computed"])  # fmt: skip


@router.get("/records/{indicator}")
def records_page(request: Request, ctx: Context, indicator: str, org: str, period: str | None = None,
                 part: str = "numerator", page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:  # fmt: skip
    if part not in ("numerator", "denominator"):
        part = "numerator"
    p = period_or_default(ctx, period)
    size = 50
    header, rows, total = records(ctx, indicator, org, p, part, size, (page - 1) * size)
    ctx.audit(request, "records_view", {"indicator": indicator, "org": org, "period": p, "part": part, "page": page,
                                        "rows": len(rows)})  # fmt: skip
    from hqd.web.orgs import find_indicator
    from hqd.web.orgs import org as org_of

    return render(request, ctx, "records.html", ind=find_indicator(indicator), org=org_of(ctx.con, org), period=p,
                  part=part, page=page, size=size, total=total, header=header, rows=rows,
                  pages=max(1, math.ceil(total / size)))  # fmt: skip


@router.get("/targets")
def targets_page(request: Request, ctx: Context) -> HTMLResponse:
    rows = board.targets_board(ctx.con, ctx.scope)
    return render(request, ctx, "targets.html", rows=rows, counts=board.target_counts(rows))


@router.get("/programmes")
def programmes_page(request: Request, ctx: Context) -> HTMLResponse:
    return render(
        request, ctx, "programmes.html", items=board.programmes(ctx.con, ctx.scope), d=None, period=None
    )


@router.get("/counties")
def counties_page(request: Request, ctx: Context, period: str | None = None) -> HTMLResponse:
    p = period_or_default(ctx, period)
    return render(request, ctx, "counties.html", pages=counties.county_pages(ctx.con, ctx.scope, p), period=p,
                  periods=periods(ctx.con))  # fmt: skip


@router.get("/programmes/{name}")
def programme_page(request: Request, ctx: Context, name: str, period: str | None = None) -> HTMLResponse:
    p = period_or_default(ctx, period)
    return render(request, ctx, "programmes.html", items=board.programmes(ctx.con, ctx.scope),
                  d=board.programme(ctx.con, ctx.scope, name, p), period=p, periods=periods(ctx.con))  # fmt: skip


@router.get("/ews")
def ews_page(request: Request, ctx: Context, status: str | None = "new") -> HTMLResponse:
    chosen = status if status in ("new", "verified", "dismissed", "confirmed") else None
    return render(request, ctx, "ews.html", rows=signals.signals(ctx.con, ctx.scope, chosen, limit=300),
                  status=chosen)  # fmt: skip


@router.get("/ews/{signal_id}")
def signal_page(request: Request, ctx: Context, signal_id: int) -> HTMLResponse:
    return render(request, ctx, "signal.html", d=signals.series(ctx.con, ctx.scope, signal_id))


@router.post("/ews/{signal_id}/{decision}")
def signal_decide(request: Request, ctx: Context, signal_id: int, decision: str,
                  note: Annotated[str | None, Form()] = None) -> Response:  # fmt: skip
    from hqd.ews.lifecycle import LifecycleError

    with ctx.db.write_lock:
        try:
            d = signals.decide(ctx.con, ctx.scope, signal_id, decision, note)
        except LifecycleError as exc:
            zh, _, en = str(exc).partition("；")
            raise Forbidden(zh, en or zh) from None
    ctx.audit(request, "signal_decision", {"signal_id": signal_id, "from": d.from_status, "to": d.to_status})
    return RedirectResponse(f"/ews/{signal_id}", status_code=303)


@router.get("/imports")
def imports_page(request: Request, ctx: Context) -> HTMLResponse:
    kinds = imports.upload_kinds(ctx.scope)
    return render(request, ctx, "imports.html", rows=imports.list_imports(ctx.con, ctx.scope), kinds=kinds,
                  can_upload=bool(kinds))  # fmt: skip


@router.post("/imports")
async def imports_upload(request: Request, ctx: Context, kind: Annotated[str, Form()],
                         file: Annotated[UploadFile, File()]) -> Response:  # fmt: skip
    from hqd.web.upload import UploadRefused, accept_upload

    try:
        result = await run_in_threadpool(accept_upload, ctx, request, kind, file)
    except UploadRefused as refused:
        return error_page(request, refused.status, refused.zh, refused.en)
    ctx.audit(request, "upload", {"kind": kind, "file": file.filename, "import_id": result["import_id"],
                                  "status": result["status"], "quarantined": result["quarantined"]})  # fmt: skip
    if result["import_id"] is None:
        raise Forbidden(result["message"], result["message"])
    return RedirectResponse(f"/imports/{result['import_id']}", status_code=303)


@router.get("/imports/{import_id}")
def import_page(
    request: Request, ctx: Context, import_id: int, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    d = imports.get_import(ctx.con, ctx.scope, import_id)
    rows, total = imports.quarantined(ctx.con, ctx.scope, import_id, 100, (page - 1) * 100)
    ctx.audit(request, "quarantine_view", {"import_id": import_id, "page": page, "rows": len(rows)})
    return render(request, ctx, "import.html", d=d, rows=rows, total=total, page=page,
                  pages=max(1, math.ceil(total / 100)))  # fmt: skip
