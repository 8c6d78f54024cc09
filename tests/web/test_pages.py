"""The server-rendered pages: login, every page in Chinese and English, scope refusals as pages, the upload
and signal forms."""

from __future__ import annotations

import csv
import io
import re

from tests.conftest import COUNTY, DISCHARGE_HEADER, HOSP, discharge
from tests.web.site import PASSWORD, signal_ids


def test_pages_ask_for_a_login_and_return_where_they_were_going(client_for):
    c = client_for(None)
    r = c.get(f"/org/{HOSP}")
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/org/{HOSP}"
    wrong = c.post("/login", data={"username": "city", "password": "nope", "next": f"/org/{HOSP}"})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    ok = c.post("/login", data={"username": "city", "password": PASSWORD, "next": f"/org/{HOSP}"})
    assert ok.status_code == 303 and ok.headers["location"] == f"/org/{HOSP}"
    offsite = c.post("/login", data={"username": "city", "password": PASSWORD, "next": "//evil.example"})
    assert offsite.headers["location"] == "/"


def test_home_opens_on_the_users_own_region_or_hospital(client_for):
    assert client_for("city").get("/").headers["location"] == "/overview/990100"
    assert client_for("hosp").get("/").headers["location"] == f"/org/{HOSP}"


def test_every_page_renders_for_an_analyst(client_for, site):
    c = client_for("city")
    sid = signal_ids(site)["990121"]
    pages = {
        "/overview/990100?period=2024": ["示例市", "关键指标", "出院患者手术占比"],
        f"/org/{HOSP}?period=2024": ["示例市人民医院", "记分卡", ">60</a> %"],
        "/explorer?indicator=gk2.01&period=2024": ["乙县人民医院", ">50</a>"],
        f"/records/gk3.04?org={HOSP}&period=2024&part=numerator": ["记录数: 3", "H1", "H5"],
        "/targets": ["目标看板", "未达标", "已达标"],
        "/programmes": ["改革项目"],
        "/programmes/gk2?period=2024": ["乙县人民医院", "gk2.01"],
        "/ews?status=new": ["霍乱", "乙县"],
        f"/ews/{sid}": ["霍乱", "核实"],
        "/imports": ["数据导入", "上传"],
    }
    for path, texts in pages.items():
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        for text in texts:
            assert text in r.text, (path, text)
        assert "http://" not in r.text.replace("http://127.0.0.1", "")  # no outside asset
        assert "/static/echarts.min.js" in r.text


def test_english_is_one_switch_away(client_for):
    c = client_for("city")
    r = c.get("/lang/en?next=/targets")
    assert r.status_code == 303 and r.headers["location"] == "/targets"
    page = c.get("/targets").text
    assert "Targets board" in page and "目标看板" not in page


def test_a_hospital_user_is_refused_another_hospitals_page(client_for):
    c = client_for("hosp")
    r = c.get(f"/org/{COUNTY}")
    assert r.status_code == 403 and "无权查看" in r.text and "乙县人民医院" not in r.text
    assert c.get("/ews").status_code == 403
    assert c.get(f"/org/{HOSP}").status_code == 200


def test_upload_form_shows_the_summary_and_the_quarantined_row(client_for):
    body = io.StringIO()
    csv.writer(body).writerows([DISCHARGE_HEADER, discharge("P1"), discharge("P2", **{"总费用": "abc"})])
    c = client_for("city")
    r = c.post("/imports", data={"kind": "discharges"},
               files={"file": ("首页.csv", body.getvalue().encode("gbk"), "text/csv")})  # fmt: skip
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert re.search(r'id="quarantined">1<', page) and "总费用" in page and "abc" in page


def test_signal_form_verifies_as_the_logged_in_user(client_for, site):
    sid = signal_ids(site)["990121"]
    c = client_for("county")
    r = c.post(f"/ews/{sid}/verify", data={"note": ""})
    assert r.status_code == 303
    assert site.one("SELECT verified_by FROM ews_signals WHERE signal_id = ?", [sid]) == "county"
    assert "已核实" in c.get(f"/ews/{sid}").text
