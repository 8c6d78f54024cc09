"""The county-community page in the dashboard: each county in the user's scope with its checklist reasons and
its indicators against their thresholds; nobody sees a county outside their scope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.programmes import county_data as d

from hqd.indicators.compute import compute_period
from hqd.web.app import create_app
from hqd.web.users import add_user

PASSWORD = "correct-horse-9"
USERS = {"admin": ("admin", None), "yixian": ("analyst", "990121"), "jiaqu": ("analyst", "990102"),
         "hosp": ("hospital", d.COUNTY)}  # fmt: skip


@pytest.fixture
def client(wh):
    d.load(wh)
    compute_period(wh.con, "2025")
    for name, (role, scope) in USERS.items():
        add_user(wh.con, name, role, scope, PASSWORD)
    wh.con.close()
    app = create_app()

    def login(user: str) -> TestClient:
        c = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
        assert c.post("/api/login", json={"username": user, "password": PASSWORD}).status_code == 200
        return c

    return login


def test_an_analyst_of_the_county_sees_its_checklist_and_thresholds(client):
    data = client("yixian").get("/api/counties?period=2025").json()["data"]
    assert [c["code"] for c in data] == ["990121"]
    lists = {c["set"]: c for c in data[0]["checklists"]}
    assert (lists["ccm2020"]["verdict"], lists["ccm2020"]["reasons"]) == (
        "未达标",
        ["财务统一管理：部分达标"],
    )
    rows = {r["ident"]: r for r in data[0]["rows"]}
    primary = sum(d.VALUES[o]["total_visits"] for o in (d.CLINIC, d.V1, d.V2))
    share = primary / (primary + d.VALUES[d.COUNTY]["total_visits"]) * 100
    assert rows["ccm2024.07"]["value"] == pytest.approx(share)
    assert (rows["ccm2024.07"]["threshold"], rows["ccm2024.07"]["status"]) == (
        ">= 65",
        "达标" if share >= 65 else "未达标",
    )
    assert "unverified" in rows["ccm2024.07"]["verification"]


@pytest.mark.parametrize(("user", "sees"), [("admin", ["990121"]), ("jiaqu", []), ("hosp", [])])
def test_counties_outside_the_scope_are_not_shown(client, user, sees):
    r = client(user).get("/api/counties?period=2025")
    assert [c["code"] for c in r.json()["data"]] == sees
    if not sees:
        assert "990121" not in r.text


def test_the_page_renders_the_reasons_and_links_each_value_to_its_records(client):
    page = client("yixian").get("/counties?period=2025").text
    assert "乙县" in page and "财务统一管理：部分达标" in page
    assert 'href="/records/ccm2024.07?org=990121&amp;period=2025"' in page or \
        'href="/records/ccm2024.07?org=990121&period=2025"' in page  # fmt: skip


def test_programme_page_labels_unverified_indicators(client):
    c = client("yixian")
    page = c.get("/programmes/ccm2024?period=2025").text
    assert "ccm2024.07" in page and "未核实" in page
    data = c.get("/api/programmes/ccm2024?period=2025").json()["data"]
    assert all("unverified" in i["tag"] for i in data["indicators"])
