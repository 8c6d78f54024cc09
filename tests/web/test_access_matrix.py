"""Every role × scope × route: the status is what the scope allows, and no response names an institution or
county the user may not see (a hospital user gets other institutions only as anonymous numbers). Writes
likewise: every upload kind, signal decision and the re-parenting attack, per role and in- or out-of-scope."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest
from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, discharge, table_fingerprint
from tests.web.site import BOOKKEEPING, SEES, USERS, signal_ids

ORGS = [HOSP, COUNTY, CLINIC]
REGIONS = ["990100", "990102", "990121"]
SECRET = {HOSP, COUNTY, CLINIC, "990102", "990121"}  # codes that must not appear outside their scope
OWN_COUNTY = {"hosp": {"990102"}, "countyhosp": {"990121"}}  # a hospital's scorecard names its own county
HAS_VALUE = {("gk3.04", HOSP), ("gk2.01", COUNTY)}


def _expected(user: str, kind: str, target: str | None, extra: str | None = None) -> int:
    role, _ = USERS[user]
    sees = target is None or target in SEES[user]
    if kind in ("users", "audit"):
        return 200 if role == "admin" else 403
    if kind in ("signals",):
        return 403 if role == "hospital" else 200
    if kind == "signal":
        return 403 if role == "hospital" or not sees else 200
    if kind == "overview":
        return 200 if sees else 403
    if kind in ("scorecard", "gap", "org_report"):
        return 200 if sees else 403
    if kind == "records":
        if not sees:
            return 403
        return 200 if (extra, target) in HAS_VALUE else 404
    return 200  # lists filtered to the scope


def _cases(site) -> list[tuple[str, str, str | None, str | None]]:
    sig = signal_ids(site)
    cases: list[tuple[str, str, str | None, str | None]] = []
    for r in REGIONS:
        cases.append(("overview", f"/api/overview/{r}?period=2024", r, None))
    for o in ORGS + REGIONS:
        cases.append(("scorecard", f"/api/scorecard/{o}?period=2024", o, None))
    for o in ORGS:
        cases.append(("gap", f"/api/scorecard/{o}/gap?period=2024", o, None))
        cases.append(("org_report", f"/api/reports/org/{o}?period=2024&format=xlsx", o, None))
        for ind in ("gk3.04", "gk2.01"):
            cases.append(("records", f"/api/indicators/{ind}/records?org={o}&period=2024", o, ind))
            cases.append(("records", f"/api/indicators/{ind}/records.csv?org={o}&period=2024", o, ind))
    for county, sid in sig.items():
        cases.append(("signal", f"/api/signals/{sid}", county, None))
        cases.append(("signal", f"/api/signals/{sid}/series", county, None))
    for path in ("/api/indicators/gk3.04?period=2024", "/api/indicators/gk2.01?period=2024", "/api/targets",
                 "/api/programmes", "/api/programmes/gk3?period=2024", "/api/programmes/gk2?period=2024",
                 "/api/imports", "/api/orgs", "/api/me", "/api/periods", "/api/indicators",
                 "/api/counties?period=2024"):  # fmt: skip
        cases.append(("list", path, None, None))
    cases += [("signals", "/api/signals", None, None), ("users", "/api/users", None, None),
              ("users", "/users", None, None), ("list", "/password", None, None),
              ("audit", "/api/audit", None, None)]  # fmt: skip
    return cases


@pytest.mark.parametrize("user", list(USERS))
def test_every_route_allows_exactly_the_scope_and_leaks_nothing(site, client_for, user):
    c = client_for(user)
    hidden = SECRET - SEES[user] - OWN_COUNTY.get(user, set())
    for kind, path, target, extra in _cases(site):
        r = c.get(path)
        assert r.status_code == _expected(user, kind, target, extra), (user, path, r.text[:300])
        if kind in ("audit", "users"):
            continue  # the admin's own logs name what was asked for
        body = r.text if r.headers.get("content-type", "").startswith(("application/json", "text/")) else ""
        # a refusal may repeat what was asked; county codes are also digits inside institution codes
        leaked = {code for code in hidden - {target} if re.search(rf"(?<![0-9A-Z]){code}(?![0-9A-Z])", body)}
        assert not leaked, (user, path, leaked)


def test_a_hospital_user_sees_peers_only_as_anonymous_numbers(site, client_for):
    c = client_for("hosp")
    d = c.get("/api/indicators/gk2.01?period=2024").json()["data"]
    # gk2.01 is COUNTY's (secondary) indicator: 1 of its 2 discharges operated = 50 %
    assert d["values"] == [] and d["peer_distribution"] == [50.0]
    assert COUNTY not in c.get("/api/indicators/gk2.01?period=2024").text
    assert c.get("/api/indicators/gk2.01?period=2024&level=county").status_code == 403


# ---- writes: every upload kind × role × in-scope / out-of-scope owner, signal decisions, re-parenting ----

# a hospital and a county of a neighbouring city: in nobody's scope, unknown to the site
FOREIGN_ORG = "12990200MB0000001B"
FOREIGN_REGION = "990200"
INSTITUTION_OWNERS = [*ORGS, FOREIGN_ORG]
REGION_OWNERS = ["990000", *REGIONS, FOREIGN_REGION]
EITHER_OWNERS = INSTITUTION_OWNERS + REGION_OWNERS
# kind → (header, row of owner `code` numbered `i`, owners tried, table, owner column); keys are fresh per row
OWNED_KINDS: dict[str, tuple[list[str], Callable[[str, int], list[object]], list[str], str, str]] = {
    "discharges": (DISCHARGE_HEADER, lambda c, i: discharge(f"W{i}", 机构代码=c), INSTITUTION_OWNERS,
                   "discharges", "org_code"),
    "centre-cases": (["中心类型", "机构代码", "病例编号", "诊断分类", "到达医院时间"],
                     lambda c, i: ["胸痛", c, f"W{i}", "STEMI", "2024-03-01 10:00"], INSTITUTION_OWNERS,
                     "centre_cases", "org_code"),
    "ratings": (["机构代码", "项目", "等级", "评定日期"], lambda c, i: [c, "电子病历系统应用水平", "5级", "2019"],
                INSTITUTION_OWNERS, "ratings", "org_code"),
    "referrals": (["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期"],
                  lambda c, i: [f"W{i}", c, HOSP, "上转", "2024-03-01"], INSTITUTION_OWNERS, "referrals", "from_org"),
    "assistance": (["项目名称", "项目类型", "支援单位", "受援单位代码", "统计期"],
                   lambda c, i: ["某院帮扶", "对口帮扶", "上海某医院", c, "2024-03"], INSTITUTION_OWNERS,
                   "assistance", "recipient_org"),
    "values": (["机构代码", "统计期", "数据项", "数值"], lambda c, i: [c, "2019-03", "门诊人次", "100"],
               EITHER_OWNERS, "reported_values", "org_code"),
    "targets": (["对象代码", "目标项", "比较", "目标值", "截止期"], lambda c, i: [c, "gk3.04", ">=", "70", "2030"],
                EITHER_OWNERS, "targets", "subject_code"),
    "idr-cases": (["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期"],
                  lambda c, i: [f"W{i}", "水痘", c, "2019-03-01", "2019-03-02"], REGION_OWNERS, "idr_cases",
                  "residence_code"),
    "claims": (["结算ID", "参保地区划代码", "就医机构代码", "就医地区划代码", "医疗类别", "结算日期", "医疗费用总额",
                "医保基金支付金额"], lambda c, i: [f"W{i}", c, HOSP, "990102", "住院", "2024-03-05", "1000", "800"],
               REGION_OWNERS, "claims", "insured_region"),
}  # fmt: skip
# The files of the re-parenting attack: 甲区 (990102) under 乙县 (990121), and HOSP into 乙县.
REPARENT = {
    "regions": [["区划代码", "区划名称", "上级区划代码"], ["990102", "甲区", "990121"]],
    "institutions": [["机构代码", "机构名称", "区划代码", "机构级别", "机构类别"],
                     [HOSP, "示例市人民医院", "990121", "三级", "综合医院"]],
    "memberships": [["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期"],
                    ["乙县医共体", "紧密型县域医共体", COUNTY, HOSP, "2024-01-01"]],
    "codes-icd10": [["编码", "名称"], ["I21.900", "急性心肌梗死"]],
    "codes-icd9cm3": [["编码", "名称", "类别"], ["36.0601", "冠状动脉支架置入", "介入治疗"]],
    "codes-drg": [["DRG编码", "DRG名称"], ["FM19", "经皮心血管操作"]],
}  # fmt: skip


def _csv(rows: list[list[object]]) -> bytes:
    body = io.StringIO()
    csv.writer(body).writerows(rows)
    return body.getvalue().encode("gbk")


def _post(c, kind: str, rows: list[list[object]], page: bool = False):
    return c.post("/imports" if page else "/api/imports", data={"kind": kind},
                  files={"file": (f"{kind}.csv", _csv(rows), "text/csv")})  # fmt: skip


def _untouched(site) -> dict[str, tuple[int, str]]:
    return {t: v for t, v in table_fingerprint(site.con).items() if t not in BOOKKEEPING}


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize("kind", list(OWNED_KINDS))
def test_every_upload_stores_the_rows_in_scope_and_quarantines_the_others(site, client_for, user, kind):
    header, row, owners, table, column = OWNED_KINDS[kind]
    admin = USERS[user][0] == "admin"
    r = _post(client_for(user), kind, [header] + [row(code, i) for i, code in enumerate(owners)])
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    in_scope = {c for c in owners if c not in (FOREIGN_ORG, FOREIGN_REGION) and (admin or c in SEES[user])}
    out = [i + 2 for i, c in enumerate(owners) if not admin and c not in SEES[user]]  # row numbers
    assert d["status"] == "accepted" and d["adds_up"], d
    stored = {o for (o,) in site.rows(f"SELECT {column} FROM {table} WHERE import_id = ?", [d["import_id"]])}
    assert stored == in_scope, (user, kind)
    assert d["quarantined"] == len(owners) - len(in_scope)
    scoped = [x for x in d["reasons"] if x["rule"] == "out_of_scope"]
    assert [(x["count"], x["rows"]) for x in scoped] == ([(len(out), [str(n) for n in out])] if out else [])


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize("kind", list(REPARENT))
@pytest.mark.parametrize("page", [False, True])
def test_only_admins_load_the_hierarchy_and_the_code_lists(site, client_for, user, kind, page):
    before = _untouched(site)
    r = _post(client_for(user), kind, REPARENT[kind], page=page)
    if USERS[user][0] == "admin":
        assert r.status_code == (303 if page else 200), r.text
        return
    assert r.status_code == 403
    assert _untouched(site) == before
    refused = site.rows("SELECT user_name, detail FROM audit_log WHERE action = 'upload_refused'")
    assert [(u, json.loads(d)["kind"]) for u, d in refused] == [(user, kind)]
    if not page:
        assert r.json()["error_en"] == (
            f"only administrators may load {kind}: it defines the scope hierarchy or a national standard"
        )


@pytest.mark.parametrize("attack", ["institutions", "regions"])
def test_re_parenting_a_foreign_hospital_or_county_changes_nothing_opens_nothing(site, client_for, attack):
    c = client_for("county")  # 乙县's analyst; HOSP and 甲区 lie outside
    records = f"/api/indicators/gk3.04/records?org={HOSP}&period=2024"
    assert c.get(records).status_code == 403
    before = _untouched(site)
    assert _post(c, attack, REPARENT[attack]).status_code == 403
    assert _post(c, attack, REPARENT[attack], page=True).status_code == 403
    assert _untouched(site) == before
    assert site.one("SELECT region_code FROM institutions WHERE org_code = ?", [HOSP]) == "990102"
    assert site.one("SELECT parent_code FROM regions WHERE region_code = '990102'") == "990100"
    for path in (records, f"/api/scorecard/{HOSP}?period=2024", "/api/overview/990102?period=2024"):
        assert c.get(path).status_code == 403, path
    assert HOSP not in c.get("/api/orgs").text


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize("page", [False, True])
def test_signal_decisions_are_checked_against_the_signals_county(site, client_for, user, page):
    c = client_for(user)
    role = USERS[user][0]
    for county, sid in signal_ids(site).items():
        allowed = role != "hospital" and county in SEES[user]
        r = c.post(f"/ews/{sid}/verify", data={"note": ""}) if page else c.post(f"/api/signals/{sid}/verify")
        assert r.status_code == ((303 if page else 200) if allowed else 403), (user, county, r.text[:200])
        status = site.one("SELECT status FROM ews_signals WHERE signal_id = ?", [sid])
        assert status == ("verified" if allowed else "new"), (user, county)


# ---- user administration: admin only, whoever the target user is (in the caller's region or not) ----

NEW_PASSWORD = "Fresh-Harbour-2031!"
USER_WRITES = [  # (route, JSON body or form, page form?)
    ("/api/users/{name}/disable", None, False),
    ("/api/users/{name}/enable", None, False),
    ("/api/users/{name}/unlock", None, False),
    ("/api/users/{name}/reset-password", {"password": NEW_PASSWORD}, False),
    ("/api/users/{name}/role", {"role": "analyst", "scope": "990121"}, False),
    ("/users/{name}/disable", {}, True),
    ("/users/{name}/reset-password", {"password": NEW_PASSWORD}, True),
    ("/users/{name}/role", {"role": "analyst", "scope": "990121"}, True),
]


@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize("target", ["countyhosp", "hosp"])  # inside the county analyst's region, and outside
@pytest.mark.parametrize(("route", "body", "page"), USER_WRITES)
def test_only_admins_change_users(site, client_for, user, target, route, body, page):
    before = site.rows("SELECT * FROM users ORDER BY user_name")
    c = client_for(user)
    path = route.format(name=target)
    r = c.post(path, data=body) if page else c.post(path, json=body)
    if USERS[user][0] == "admin":
        assert r.status_code == (303 if page else 200), r.text
        if not path.endswith(("/enable", "/unlock")):  # the site's users are enabled and unlocked already
            assert site.rows("SELECT * FROM users ORDER BY user_name") != before
        return
    assert r.status_code == 403, (user, path, r.text[:200])
    assert site.rows("SELECT * FROM users ORDER BY user_name") == before
    refused = site.rows("SELECT user_name, object FROM audit_log WHERE action = 'refused'")
    assert (user, path) in refused
