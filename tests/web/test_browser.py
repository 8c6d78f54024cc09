"""The dashboard in a real Chromium (Debian's /usr/bin/chromium driven by Playwright) against a real
`hqd serve` process on 127.0.0.1: log in, read a scorecard, follow a number down to its records, upload a
file with a bad row, download a report, and a hospital user refused another hospital's page."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from tests.conftest import COUNTY, DISCHARGE_HEADER, HOSP, discharge
from tests.web.site import OPERATED_HOSP, PASSWORD

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(site_file: Path, tmp_path: Path) -> Iterator[str]:
    """`hqd serve` on a copy of the site, in its own process, on a free port; its URL."""
    db = tmp_path / "hqd.duckdb"
    shutil.copy(site_file, db)
    shutil.copy(site_file.with_name(site_file.name + ".secret"), db.with_name(db.name + ".secret"))
    port = _free_port()
    env = {**os.environ, "HQD_DB": str(db)}
    env.pop("HQD_SECRET", None)
    proc = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(
                        proc.stdout.read().decode() if proc.stdout else "server died"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run make setup (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _login(browser, url: str, user: str):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(url + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_analyst_reads_a_scorecard_and_follows_a_number_to_its_records(browser, server):
    page = _login(browser, server, "city")
    assert page.url.endswith("/overview/990100")
    page.goto(f"{server}/org/{HOSP}?period=2024")
    assert "示例市人民医院" in page.inner_text("#org-name")
    row = page.locator("tr[data-indicator='gk3.04']")
    assert row.locator("a.value").inner_text() == "60"  # 3 of 5 discharges operated (site.py)
    row.locator("a.value").click()
    page.wait_for_load_state()
    assert "记录数: 3" in page.inner_text("#total")
    cells = page.locator("#records tr td:nth-child(2)").all_inner_texts()
    assert cells == OPERATED_HOSP
    with page.expect_download() as dl:
        page.click("text=CSV")
    rows = list(csv.reader(Path(dl.value.path()).read_text(encoding="utf-8-sig").splitlines()))
    assert [r[1] for r in rows[1:]] == OPERATED_HOSP


def test_an_uploaded_file_with_a_bad_row_shows_the_row_quarantined(browser, server, tmp_path):
    path = tmp_path / "病案首页_更正.csv"
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(
            [DISCHARGE_HEADER, discharge("B1"), discharge("B2", **{"出院时间": "2024-02-01 10:00"})]
        )
    page = _login(browser, server, "city")
    page.goto(server + "/imports")
    page.select_option("select[name=kind]", "discharges")
    page.set_input_files("input[type=file]", str(path))
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#quarantined") == "1"
    reasons = page.inner_text("#reasons")
    assert "出院时间" in reasons and "3" in reasons  # row 3 of the file: discharged before admission
    with page.expect_download() as dl:
        page.click("#download-xlsx")
    assert Path(dl.value.path()).read_bytes()[:2] == b"PK"


def test_a_hospital_user_is_refused_another_hospitals_page(browser, server):
    page = _login(browser, server, "hosp")
    assert page.url.endswith(f"/org/{HOSP}")
    response = page.goto(f"{server}/org/{COUNTY}")
    assert response is not None and response.status == 403
    assert "无权查看" in page.content() and "乙县人民医院" not in page.content()


def test_the_scorecards_pdf_report_downloads_with_chinese_text(browser, server):
    page = _login(browser, server, "hosp")
    with page.expect_download() as dl:
        page.click("#report-pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(dl.value.path()).pages)
    assert "示例市人民医院 绩效考核报告" in text and "出院患者手术占比" in text


def test_a_signal_is_verified_from_its_page(browser, server):
    page = _login(browser, server, "county")
    page.goto(server + "/ews")
    page.click("#signals a")
    page.wait_for_load_state()
    assert page.locator("#series canvas").count() == 1  # the ECharts chart drew from the vendored file
    page.click("#do-verify")
    page.wait_for_load_state()
    assert page.inner_text("#status") == "已核实"


def test_the_main_pages_run_under_the_content_security_policy_without_a_violation(browser, server):
    page = _login(browser, server, "admin")
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    paths = ["/overview/990100", f"/org/{HOSP}?period=2024", "/explorer", "/targets", "/programmes",
             "/programmes/gk3", "/counties", "/ews?status=all", "/imports", "/users", "/password",
             f"/records/gk3.04?org={HOSP}&period=2024"]  # fmt: skip
    for path in paths:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        assert page.evaluate("window.__csp") == [], path
    page.goto(server + "/ews?status=all")
    page.click("#signals a")
    page.wait_for_load_state("load")
    assert page.locator("#series canvas").count() == 1  # the nonce'd inline chart script ran
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m], (
        console
    )
