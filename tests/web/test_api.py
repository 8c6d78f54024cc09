"""The JSON API: every route refuses without a session (401), answers in one envelope, and returns the
numbers of the hand-made site (tests/web/site.py) worked out by hand."""

from __future__ import annotations

import csv
import io
import json

from tests.conftest import COUNTY, DISCHARGE_HEADER, HOSP, discharge
from tests.web.site import OPERATED_HOSP, PASSWORD, SURGERY, signal_ids

# one concrete path per API route; a new route without an entry here fails the first test
PATHS = {
    "/api/health": "/api/health",
    "/api/login": "/api/login",
    "/api/logout": "/api/logout",
    "/api/me": "/api/me",
    "/api/orgs": "/api/orgs",
    "/api/periods": "/api/periods",
    "/api/overview/{region}": "/api/overview/990100",
    "/api/scorecard/{org}": f"/api/scorecard/{HOSP}",
    "/api/scorecard/{org}/gap": f"/api/scorecard/{HOSP}/gap",
    "/api/indicators": "/api/indicators",
    "/api/indicators/{indicator_id}": "/api/indicators/gk3.04",
    "/api/indicators/{indicator_id}/records": f"/api/indicators/gk3.04/records?org={HOSP}",
    "/api/indicators/{indicator_id}/records.{fmt}": f"/api/indicators/gk3.04/records.csv?org={HOSP}",
    "/api/targets": "/api/targets",
    "/api/programmes": "/api/programmes",
    "/api/programmes/{name}": "/api/programmes/gk3",
    "/api/counties": "/api/counties",
    "/api/signals": "/api/signals",
    "/api/signals/{signal_id}": "/api/signals/1",
    "/api/signals/{signal_id}/series": "/api/signals/1/series",
    "/api/signals/{signal_id}/{decision}": "/api/signals/1/verify",
    "/api/imports": "/api/imports",
    "/api/imports/{import_id}": "/api/imports/1",
    "/api/imports/{import_id}/quarantine": "/api/imports/1/quarantine",
    "/api/imports/{import_id}/quarantine.{fmt}": "/api/imports/1/quarantine.xlsx",
    "/api/reports/org/{org}": f"/api/reports/org/{HOSP}",
    "/api/reports/region/{region}": "/api/reports/region/990100",
    "/api/audit": "/api/audit",
    "/api/users": "/api/users",
    "/api/password": "/api/password",
    "/api/users/{name}/reset-password": "/api/users/hosp/reset-password",
    "/api/users/{name}/role": "/api/users/hosp/role",
    "/api/users/{name}/{action}": "/api/users/hosp/unlock",
}
OPEN = {"/api/health", "/api/login"}


def _routes(app) -> list[tuple[str, str]]:
    """Every API route with its methods, as the OpenAPI schema publishes them."""
    return [(path, m.upper()) for path, item in app.openapi()["paths"].items() for m in item]


def test_every_route_refuses_without_a_session_in_the_error_envelope(app, client_for):
    c = client_for(None)
    routes = _routes(app)
    assert {p for p, _ in routes} == set(PATHS)
    for path, method in routes:
        if path in OPEN:
            continue
        r = c.request(method, PATHS[path], **({"json": {}} if method == "POST" else {}))
        assert r.status_code == 401, (method, path, r.text)
        assert r.json() == {"ok": False, "error_zh": "请先登录", "error_en": "log in first"}


def test_login_sets_a_session_cookie_and_wrong_passwords_are_refused(client_for, site):
    c = client_for(None)
    bad = c.post("/api/login", json={"username": "city", "password": "wrong-password"})
    assert bad.status_code == 401 and bad.json()["error_en"] == "wrong user name or password"
    assert c.post("/api/login", json={"username": "nobody", "password": PASSWORD}).status_code == 401
    good = c.post("/api/login", json={"username": "city", "password": PASSWORD})
    data = good.json()["data"]
    assert good.status_code == 200 and data == {"user": "city", "role": "analyst", "scope": "990100",
                                                "csrf_token": data["csrf_token"]}  # fmt: skip
    assert len(data["csrf_token"]) >= 40
    c.headers["X-CSRF-Token"] = data["csrf_token"]
    cookie = good.headers["set-cookie"].lower()
    assert "hqd_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert c.get("/api/me").json()["data"]["user"] == "city"
    assert c.post("/api/logout").status_code == 200
    assert c.get("/api/me").status_code == 401
    actions = site.rows("SELECT user_name, action FROM audit_log WHERE action LIKE 'log%' ORDER BY audit_id")
    assert actions == [(None, "login_failed"), (None, "login_failed"), ("city", "login"), ("city", "logout")]


def test_a_disabled_user_loses_the_session_at_once(client_for, site):
    from hqd.web.users import disable_user

    c = client_for("city")
    assert c.get("/api/me").status_code == 200
    disable_user(site.con, "city")
    assert c.get("/api/me").status_code == 401


def test_scorecard_shows_the_stored_value_with_its_parts_and_peer_position(client_for):
    d = client_for("city").get(f"/api/scorecard/{HOSP}?period=2024").json()["data"]
    item = next(i for i in d["indicators"] if i["indicator_id"] == "gk3.04")
    # 3 of HOSP's 5 discharges have a 手术/介入治疗 code (site.py); HOSP is the only tertiary hospital
    assert (item["numerator"], item["denominator"], item["value"]) == (3, 5, 60.0)
    assert item["position"]["peers"] == 1 and item["position"]["rank"] == 1
    assert item["trend"] == [{"period": "2024", "value": 60.0}]
    assert d["org"]["name"] == "示例市人民医院" and d["score"] is None


def test_records_behind_a_value_are_paged_and_add_up_to_its_parts(client_for, site):
    c = client_for("city")
    base = f"/api/indicators/gk3.04/records?org={HOSP}&period=2024"
    p1 = c.get(base + "&part=numerator&size=2&page=1").json()["data"]
    p2 = c.get(base + "&part=numerator&size=2&page=2").json()["data"]
    assert p1["total"] == p2["total"] == len(OPERATED_HOSP)
    mrn = p1["columns"].index("mrn")
    assert [r[mrn] for r in p1["rows"] + p2["rows"]] == OPERATED_HOSP
    den = c.get(base + "&part=denominator&size=50").json()["data"]
    assert sorted(r[mrn] for r in den["rows"]) == sorted(m for m in SURGERY if m.startswith("H"))
    exported = c.get(f"/api/indicators/gk3.04/records.csv?org={HOSP}&period=2024&part=numerator")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == OPERATED_HOSP
    detail = json.loads(site.one("SELECT detail FROM audit_log WHERE action = 'export'"))
    assert detail == {"indicator": "gk3.04", "org": HOSP, "period": "2024", "part": "numerator", "rows": 3}


def test_explorer_names_the_institutions_in_scope(client_for):
    d = client_for("city").get("/api/indicators/gk2.01?period=2024").json()["data"]
    assert [(v["org_code"], v["value"]) for v in d["values"]] == [(COUNTY, 50.0)]  # 1 of 2 operated
    county = client_for("city").get("/api/indicators/gk2.01?period=2024&level=county").json()["data"]
    # 甲区 has no secondary hospital: its value is stored as missing, listed last
    assert [(v["org_code"], v["value"]) for v in county["values"]] == [("990121", 50.0), ("990102", None)]


def test_targets_board_is_the_stored_evaluation_of_the_scope(client_for):
    rows = client_for("city").get("/api/targets").json()["data"]
    # HOSP gk3.04 = 60 against ≥ 70 by 2024: missed; COUNTY gk2.01 = 50 against ≥ 40: met
    assert {(r["subject_code"], r["status"]) for r in rows} == {(HOSP, "missed"), (COUNTY, "met")}
    assert [r["subject_code"] for r in client_for("county").get("/api/targets").json()["data"]] == [COUNTY]


def test_overview_counts_targets_at_risk_and_open_signals_of_the_region(client_for):
    d = client_for("city").get("/api/overview/990100?period=2024").json()["data"]
    assert d["institutions"] == 3 and d["open_signals"] == 2
    assert [t["subject_code"] for t in d["targets_at_risk"]] == [HOSP]
    assert [k["indicator_id"] for k in d["key_indicators"]][:1] == ["gk3.04"]
    county = client_for("county").get("/api/overview/990121?period=2024").json()["data"]
    assert county["institutions"] == 2 and county["open_signals"] == 1 and county["targets_at_risk"] == []


def test_signal_series_and_decisions_go_through_the_lifecycle_and_the_audit_log(client_for, site):
    sig = signal_ids(site)
    c = client_for("county")
    series = c.get(f"/api/signals/{sig['990121']}/series").json()["data"]
    point = next(p for p in series["points"] if p["date"] == "2024-07-05")
    # two cards reported 2024-07-05 in 乙县 (FIXED_CARDS); the fixed rule's threshold is 1 everywhere
    assert point == {"date": "2024-07-05", "observed": 2.0, "threshold": 1.0, "signal_id": sig["990121"]}
    assert {p["threshold"] for p in series["points"]} == {1.0}
    r = c.post(f"/api/signals/{sig['990121']}/verify", json={"note": "电话核实"})
    assert r.status_code == 200 and r.json()["data"]["to"] == "verified"
    again = c.post(f"/api/signals/{sig['990121']}/verify")
    assert again.status_code == 409 and "cannot become verified" in again.json()["error_en"]
    assert c.post(f"/api/signals/{sig['990102']}/verify").status_code == 403
    assert site.rows("SELECT status, verified_by FROM ews_signals ORDER BY signal_id") == [
        ("new", None), ("verified", "county")]  # fmt: skip
    assert c.post(f"/api/signals/{sig['990121']}/dismiss").json()["data"]["to"] == "dismissed"
    logged = site.rows("SELECT detail FROM audit_log WHERE action = 'signal_decision' ORDER BY audit_id")
    assert [json.loads(d)["to"] for (d,) in logged] == ["verified", "dismissed"]


def test_an_uploaded_file_with_a_bad_row_is_loaded_and_its_row_quarantined(client_for, site, tmp_path):
    bad = discharge("U2", **{"离院方式": "7"})  # 离院方式 7 is not a code of the value set
    rows = [DISCHARGE_HEADER, discharge("U1"), bad]
    body = io.StringIO()
    csv.writer(body).writerows(rows)
    c = client_for("city")
    r = c.post("/api/imports", data={"kind": "discharges"},
               files={"file": ("病案首页.csv", body.getvalue().encode("gbk"), "text/csv")})  # fmt: skip
    d = r.json()["data"]
    assert r.status_code == 200 and (d["read"], d["new"], d["quarantined"]) == (2, 1, 1)
    assert d["reasons"][0]["field"] == "离院方式" and d["reasons"][0]["rows"] == ["3"]
    iid = d["import_id"]
    assert [i["import_id"] for i in c.get("/api/imports").json()["data"]] == [iid]
    q = c.get(f"/api/imports/{iid}/quarantine").json()["data"]
    assert q["total"] == 1 and q["rows"][0]["row_number"] == 3 and q["rows"][0]["value"] == "7"
    assert "王小明" not in json.dumps(q, ensure_ascii=False)  # names never reach the quarantine
    xlsx = c.get(f"/api/imports/{iid}/quarantine.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client_for("county").get(f"/api/imports/{iid}").status_code == 403  # someone else's upload
    refused = client_for("hosp").post("/api/imports", data={"kind": "institutions"},  # admins only
                                      files={"file": ("x.csv", b"a,b\n", "text/csv")})  # fmt: skip
    assert refused.status_code == 403
    assert site.one("SELECT count(*) FROM discharges WHERE mrn = 'U1'") == 1
    assert site.one("SELECT user_name FROM imports WHERE import_id = ?", [iid]) == "city"
    assert json.loads(site.one("SELECT detail FROM audit_log WHERE action = 'upload'"))["quarantined"] == 1


def test_a_file_the_loader_rejects_says_why(client_for):
    r = client_for("city").post("/api/imports", data={"kind": "discharges"},
                                files={"file": ("bad.csv", "甲,乙\n1,2\n".encode("gbk"), "text/csv")})  # fmt: skip
    d = r.json()["data"]
    assert d["status"] == "rejected" and d["message"]


def test_programme_pages_list_the_catalog_programmes_with_values(client_for):
    c = client_for("county")
    assert {p["programme"] for p in c.get("/api/programmes").json()["data"]} >= {"gk2"}
    d = c.get("/api/programmes/gk2?period=2024").json()["data"]
    orgs = {o["org_code"]: o for o in d["organisations"]}
    assert orgs[COUNTY]["values"]["gk2.01"]["value"] == 50.0 and HOSP not in orgs
    assert c.get("/api/programmes/nope").status_code == 404


def test_reports_download_for_the_scope(client_for, site):
    c = client_for("hosp")
    pdf = c.get(f"/api/reports/org/{HOSP}?period=2024&format=pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert c.get("/api/reports/region/990102?period=2024").status_code == 403
    city = client_for("city").get("/api/reports/region/990100?period=2024&format=xlsx")
    assert city.status_code == 200 and city.content[:2] == b"PK"
    assert site.one("SELECT count(*) FROM audit_log WHERE action = 'report'") == 2


def test_admin_only_routes_and_unknown_things(client_for):
    admin, city = client_for("admin"), client_for("city")
    assert {u["user_name"] for u in admin.get("/api/users").json()["data"]} >= {"admin", "city", "hosp"}
    assert city.get("/api/users").json() == {"ok": False, "error_zh": "您的角色无权使用此功能",
                                             "error_en": "your role (analyst) may not use this"}  # fmt: skip
    newest = admin.get("/api/audit").json()["data"][0]  # city's refusal just before
    assert (newest["user_name"], newest["action"], newest["object"]) == ("city", "refused", "/api/users")
    assert admin.get("/api/indicators/nope").status_code == 404
    assert admin.get(f"/api/scorecard/{HOSP}?period=20x4").status_code == 404
    assert admin.get("/api/scorecard/NOPE").status_code == 403  # outside every scope: not even existence
    assert admin.get("/api/health").json() == {"ok": True, "data": {"status": "up"}}
