"""CSRF: every state-changing route of the application (enumerated from its routes, not listed by hand) is
refused with 403 from a foreign origin and without the session's token, and nothing in the warehouse changes;
the same requests with the token from the server's own origin go through."""

from __future__ import annotations

import io

import pytest
from fastapi.routing import APIRoute
from tests.conftest import DISCHARGE_HEADER, HOSP, discharge, table_fingerprint
from tests.web.site import BOOKKEEPING, PASSWORD, signal_ids

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# tables a refused request may still touch: the refusal's audit entry, the session's last use, the counters
NEW = "Blue-Lantern-77"


def _csv() -> bytes:
    rows = [DISCHARGE_HEADER, discharge("X1")]
    return "\n".join(",".join(str(c) for c in r) for r in rows).encode("gbk")


def _routes(routes) -> list[APIRoute]:
    """Every route of the application, through the included routers (FastAPI wraps each include)."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):  # an included router (app.include_router without a prefix)
            out += _routes(r.original_router.routes)
    return out


def _requests(app, site) -> list[tuple[str, str, dict]]:
    """One well-formed request per state-changing route: what would change something if it were let in."""
    sig = signal_ids(site)["990121"]
    values = {"signal_id": str(sig), "decision": "verify", "name": "hosp", "action": "disable"}
    out = []
    for route in _routes(app.routes):
        for method in sorted(route.methods & UNSAFE):
            path = route.path
            for param in route.param_convertors:
                assert param in values, f"no test value for {{{param}}} of {method} {route.path}: add one"
                path = path.replace("{" + param + "}", values[param])
            api = path.startswith("/api/")
            if path.endswith("/login"):
                body = {"username": "city", "password": PASSWORD}
                kw = {"json": body} if api else {"data": body}
            elif path.endswith("/imports"):
                kw = {
                    "data": {"kind": "discharges"},
                    "files": {"file": ("d.csv", io.BytesIO(_csv()), "text/csv")},
                }
            elif path.endswith("/password"):
                kw = {"json": {"current": PASSWORD, "new": NEW}} if api else {
                    "data": {"current": PASSWORD, "new": NEW, "again": NEW}}  # fmt: skip
            elif path.endswith("/reset-password"):
                kw = {"json": {"password": NEW}} if api else {"data": {"password": NEW}}
            elif path.endswith("/role"):
                body = {"role": "analyst", "scope": "990100"}
                kw = {"json": body} if api else {"data": body}
            elif "/signals/" in path or "/ews/" in path:
                kw = {"json": {"note": "x"}} if api else {"data": {"note": "x"}}
            else:
                kw = {"json": {}} if api else {"data": {}}
            out.append((method, path, kw))
    return out


def _state(site) -> dict:
    return {k: v for k, v in table_fingerprint(site.con).items() if k not in BOOKKEEPING}


def test_the_enumeration_covers_forms_api_uploads_users_and_login(app, site):
    paths = {p for _, p, _ in _requests(app, site)}
    for expected in (
        "/login",
        "/api/login",
        "/logout",
        "/api/logout",
        "/imports",
        "/api/imports",
        "/password",
        "/api/password",
        "/api/users/hosp/reset-password",
        "/api/users/hosp/disable",
    ):
        assert expected in paths, expected


@pytest.mark.parametrize("attack", ["foreign origin", "foreign referer", "no token", "wrong token"])
def test_every_state_changing_route_refuses_a_cross_site_request_and_changes_nothing(app, site, client_for,
                                                                                    attack):  # fmt: skip
    admin = client_for("admin")  # the admin may do everything: only the CSRF check can refuse
    token = admin.headers["X-CSRF-Token"]
    before = _state(site)
    sessions = site.one("SELECT count(*) FROM sessions")
    for method, path, kw in _requests(app, site):
        headers = {}
        if attack == "foreign origin":
            headers = {"Origin": "http://evil.example", "X-CSRF-Token": token}
        elif attack == "foreign referer":
            headers = {"Referer": "http://127.0.0.1.evil.example/page", "X-CSRF-Token": token}
        elif attack == "wrong token":
            headers = {"X-CSRF-Token": token[:-2] + "xx"}
        else:
            admin.headers.pop("X-CSRF-Token", None)
        if path.endswith("/login") and attack in ("no token", "wrong token"):
            continue  # login needs no token (there is no session yet); its origin is checked above
        r = admin.request(method, path, headers=headers, **kw)
        assert r.status_code == 403, (attack, method, path, r.status_code, r.text[:200])
        admin.headers["X-CSRF-Token"] = token
    assert _state(site) == before
    assert site.one("SELECT count(*) FROM sessions") == sessions  # no logout, no login went through
    assert admin.get("/api/me").status_code == 200


def test_the_same_requests_from_the_own_origin_with_the_token_go_through(site, client_for):
    admin = client_for("admin")
    sig = signal_ids(site)["990121"]
    r = admin.post(f"/api/signals/{sig}/verify", json={"note": "x"}, headers={"Origin": "http://127.0.0.1"})
    assert r.status_code == 200
    page = client_for("county")
    token = page.headers.pop("X-CSRF-Token")
    sig2 = signal_ids(site)["990121"]
    form = page.post(f"/ews/{sig2}/dismiss", data={"note": "", "csrf_token": token},
                     headers={"Referer": f"http://127.0.0.1/ews/{sig2}"})  # fmt: skip
    assert form.status_code == 303  # the form's hidden field is accepted in place of the header


def test_a_login_form_posted_from_another_site_is_refused(site, client_for):
    c = client_for(None)
    r = c.post("/login", data={"username": "city", "password": PASSWORD}, headers={"Origin": "null"})
    assert r.status_code == 403 and "hqd_session" not in r.headers.get("set-cookie", "")
    assert site.one("SELECT count(*) FROM sessions") == 0


def test_the_pages_carry_the_token_in_a_meta_tag_and_in_every_post_form(client_for, site):
    import re

    c = client_for("admin")
    token = c.headers["X-CSRF-Token"]
    sig = signal_ids(site)["990121"]
    for path in ("/imports", f"/ews/{sig}", "/users", "/password", f"/org/{HOSP}"):
        html = c.get(path).text
        assert f'<meta name="csrf-token" content="{token}">' in html, path
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)
        assert forms, path
        for form in forms:
            assert f'name="csrf_token" value="{token}"' in form, (path, form[:120])
