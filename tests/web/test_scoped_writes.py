"""Write scope on the dashboard: a user writes exactly what they read, hospital users upload their own monthly
files, the upload form offers only the kinds the user may load, and no route lets a user change a role or
scope (their own or anyone's) unless they are an admin."""

from __future__ import annotations

import csv
import io
import re

import pytest
from tests.conftest import COUNTY, DISCHARGE_HEADER, HOSP, discharge
from tests.web.site import SEES, USERS

from hqd.ingest.write_scope import create_scope_table
from hqd.web.scope import scope_of
from hqd.web.users import get_user


@pytest.mark.parametrize("user", list(USERS))
def test_a_user_writes_exactly_the_organisations_they_read(site, user):
    scope = scope_of(site.con, get_user(site.con, user))
    if scope.writes is None:
        assert USERS[user][0] == "admin"
        return
    create_scope_table(site.con, scope.writes)
    writes = {c for (c,) in site.rows("SELECT code FROM hqd_write_scope")}
    assert writes == scope.institutions | scope.regions == SEES[user]


def _csv(rows: list[list[object]]) -> bytes:
    body = io.StringIO()
    csv.writer(body).writerows(rows)
    return body.getvalue().encode("gbk")


def test_a_hospital_user_uploads_its_monthly_file_in_the_browser(client_for, site):
    c = client_for("hosp")
    form = c.get("/imports").text
    offered = set(re.findall(r"<option>([^<]+)</option>", form))
    assert "discharges" in offered and not offered & {"regions", "institutions", "memberships", "codes-icd10"}
    rows = [DISCHARGE_HEADER, discharge("M1"), discharge("M2", 机构代码=COUNTY)]
    files = {"file": ("2024-03.csv", _csv(rows), "text/csv")}
    r = c.post("/imports", data={"kind": "discharges"}, files=files)
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert re.search(r'id="quarantined">1<', page)
    assert f"“机构代码”的机构或区划“{COUNTY}”不在您的权限范围" in page
    assert site.rows("SELECT org_code FROM discharges WHERE mrn IN ('M1', 'M2')") == [(HOSP,)]


def test_an_admin_is_offered_every_kind(client_for):
    form = client_for("admin").get("/imports").text
    offered = set(re.findall(r"<option>([^<]+)</option>", form))
    assert {"regions", "institutions", "memberships", "discharges"} <= offered


def _routes(routes: list) -> list:
    """Every route of the application, looking inside included routers (whatever FastAPI wraps them in)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += _routes(inner.routes) if inner is not None else [route]
    return out


def _fill(path: str, name: str) -> str:
    return re.sub(r"\{[^}]+\}", name, path)


@pytest.mark.parametrize("user", [u for u, (role, _) in USERS.items() if role != "admin"])
def test_no_route_lets_a_non_admin_change_a_role_or_scope(app, client_for, site, user):
    """Every state-changing route of the application, tried with a body asking for admin rights over the
    province, must leave every user's role and scope as they were (routes added later are covered too)."""
    before = site.rows("SELECT user_name, role, scope_code, disabled FROM users ORDER BY user_name")
    c = client_for(user)
    ask = {"role": "admin", "scope": "990000", "scope_code": "990000", "name": user, "user": user,
           "username": user}  # fmt: skip
    tried = 0
    for route in _routes(app.routes):
        methods = (getattr(route, "methods", None) or set()) - {"GET", "HEAD", "OPTIONS"}
        path = getattr(route, "path", "")
        if not methods or path.endswith(("/login", "/logout")):
            continue
        for method in methods:
            url = _fill(path, user)
            c.request(method, url, json=ask)
            c.request(method, url, data=ask)
            tried += 1
    assert tried >= 4  # uploads and signal decisions, API and pages
    assert site.rows("SELECT user_name, role, scope_code, disabled FROM users ORDER BY user_name") == before
    assert c.get("/api/me").json()["data"]["role"] == USERS[user][0]
