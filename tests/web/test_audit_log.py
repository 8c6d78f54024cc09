"""The dashboard's audit trail: record and quarantine views and exports, refusals, failed uploads, the source
address behind a trusted proxy, the chain after real requests, the modes of files the server writes and the
temporary files it leaves (none)."""

from __future__ import annotations

import csv
import io
import stat
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import DISCHARGE_HEADER, HOSP, discharge
from tests.web.conftest import log_in
from tests.web.site import PASSWORD
from typer.testing import CliRunner

from hqd.audit import verify
from hqd.cli import app as cli
from hqd.web.app import create_app

RECORDS = f"/api/indicators/gk3.04/records?org={HOSP}&period=2024"


def _log(site, since: int = 0) -> list[tuple]:
    return site.rows(
        "SELECT user_name, action, object, outcome, client FROM audit_log WHERE audit_id > ? ORDER BY audit_id",
        [since],
    )


def _last_id(site) -> int:
    return site.one("SELECT coalesce(max(audit_id), 0) FROM audit_log")


def _csv(rows: list[list[str]]) -> bytes:
    body = io.StringIO()
    csv.writer(body).writerows(rows)
    return body.getvalue().encode("gbk")


def _upload_with_a_bad_row(c: TestClient) -> int:
    bad = discharge("U2", **{"离院方式": "7"})  # not a code of the value set: quarantined
    r = c.post("/api/imports", data={"kind": "discharges"},
               files={"file": ("病案首页.csv", _csv([DISCHARGE_HEADER, discharge("U1"), bad]), "text/csv")})  # fmt: skip
    assert r.status_code == 200 and r.json()["data"]["quarantined"] == 1
    return r.json()["data"]["import_id"]


def test_record_views_and_exports_are_audited_with_their_object(client_for, site):
    c = client_for("hosp")
    start = _last_id(site)
    assert c.get(RECORDS).status_code == 200
    assert c.get(f"/records/gk3.04?org={HOSP}&period=2024").status_code == 200
    assert c.get(f"/api/indicators/gk3.04/records.csv?org={HOSP}&period=2024").status_code == 200
    assert _log(site, start) == [("hosp", "records_view", f"gk3.04@{HOSP}", "ok", "testclient")] * 2 + [
        ("hosp", "export", f"gk3.04@{HOSP}", "ok", "testclient")
    ]


def test_quarantine_views_and_exports_are_audited(client_for, site):
    c = client_for("city")
    iid = _upload_with_a_bad_row(c)
    start = _last_id(site)
    assert c.get(f"/api/imports/{iid}/quarantine").status_code == 200
    assert c.get(f"/api/imports/{iid}/quarantine.csv").status_code == 200
    assert c.get(f"/api/imports/{iid}/quarantine.xlsx").status_code == 200
    assert c.get(f"/imports/{iid}").status_code == 200
    assert [r[1:4] for r in _log(site, start)] == [("quarantine_view", str(iid), "ok"), ("export", str(iid), "ok"),
                                                   ("export", str(iid), "ok"), ("quarantine_view", str(iid), "ok")]  # fmt: skip


def test_refusals_401_and_403_are_audited_with_the_path(client_for, site):
    start = _last_id(site)
    assert client_for(None).get("/api/me").status_code == 401
    assert client_for(None).get("/targets").status_code == 303  # a page sends the stranger to the login form
    hosp = client_for("hosp")
    after_login = _last_id(site)
    assert hosp.get("/api/users").status_code == 403
    assert hosp.get("/api/indicators/gk3.04/records?org=990121&period=2024").status_code == 403
    log = _log(site, start)
    assert log[:2] == [(None, "refused", "/api/me", "refused", "testclient"),
                       (None, "refused", "/targets", "refused", "testclient")]  # fmt: skip
    assert _log(site, after_login) == [("hosp", "refused", "/api/users", "refused", "testclient"),
                                       ("hosp", "refused", "/api/indicators/gk3.04/records", "refused", "testclient")]  # fmt: skip


def test_failed_and_refused_uploads_are_audited(app, client_for, site, monkeypatch):
    c = client_for("city")
    start = _last_id(site)
    assert c.post("/api/imports", data={"kind": "no-such-kind"},
                  files={"file": ("x.csv", b"a,b\n", "text/csv")}).status_code == 404  # fmt: skip
    rejected = c.post("/api/imports", data={"kind": "discharges"},
                      files={"file": ("bad.csv", "甲,乙\n1,2\n".encode("gbk"), "text/csv")})  # fmt: skip
    assert rejected.json()["data"]["status"] == "rejected"
    assert client_for("hosp").post("/api/imports", data={"kind": "institutions"},
                                   files={"file": ("x.csv", b"a,b\n", "text/csv")}).status_code == 403  # fmt: skip

    # a loader that crashes (simulated: no real input is known to crash it, which is the point of the test)
    def crash(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr("hqd.web.imports.load_file", crash)
    crashed = _crash_client(app).post("/api/imports", data={"kind": "discharges"},
                                      files={"file": ("d.csv", _csv([DISCHARGE_HEADER]), "text/csv")})  # fmt: skip
    assert crashed.status_code == 500
    got = [r[:4] for r in _log(site, start) if r[1] != "login"]
    rejected_id = str(rejected.json()["data"]["import_id"])  # a rejected file is still an import, its object
    assert got == [("city", "upload", "x.csv", "refused"), ("city", "upload", rejected_id, "rejected"),
                   ("hosp", "upload_refused", "institutions", "refused"),  # the kind a hospital may not load
                   ("hosp", "refused", "/api/imports", "refused"), ("city", "upload", "d.csv", "failed")]  # fmt: skip


def test_the_chain_verifies_after_real_requests_and_the_cli_names_a_tampered_entry(client_for, site):
    c = client_for("city")
    iid = _upload_with_a_bad_row(c)
    c.get(f"/api/imports/{iid}/quarantine.csv")
    c.get(f"/api/indicators/gk3.04/records.xlsx?org={HOSP}&period=2024")
    client_for("hosp").get("/api/users")
    client_for(None).get("/api/me")
    c.post("/api/logout")
    n = site.one("SELECT count(*) FROM audit_log")
    assert n >= 8
    v = verify(site.con, site.secret)
    assert v.intact and v.checked == n
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0 and f"the chain of {n} entries verifies" in ok.output
    victim = site.one("SELECT audit_id FROM audit_log WHERE action = 'export' ORDER BY audit_id LIMIT 1")
    site.con.execute("UPDATE audit_log SET client = '8.8.8.8' WHERE audit_id = ?", [victim])
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and f"broken at entry {victim}" in " ".join(broken.output.split())


def _crash_client(app) -> TestClient:
    """City's session on a client that answers a crash with 500 as the server does, instead of raising."""
    c = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False, raise_server_exceptions=False)
    log_in(c, "city")
    return c


def _peer_client(app, host: str) -> TestClient:
    c = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False, client=(host, 50000))
    c.__enter__()
    return c


@pytest.mark.parametrize(("trusted", "expected"), [("", "198.51.100.20"), ("198.51.100.0/24", "203.0.113.5")])
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(site, monkeypatch, trusted, expected):
    monkeypatch.setenv("HQD_TRUSTED_PROXIES", trusted)
    c = _peer_client(create_app(), "198.51.100.20")
    try:
        r = c.post("/api/login", json={"username": "city", "password": PASSWORD},
                   headers={"X-Forwarded-For": "203.0.113.5"})  # fmt: skip
        assert r.status_code == 200
    finally:
        c.__exit__(None, None, None)
    assert (
        site.one("SELECT client FROM audit_log WHERE action = 'login' ORDER BY audit_id DESC LIMIT 1")
        == expected
    )


def test_the_warehouse_and_its_wal_are_private_after_a_server_upload(client_for, site):
    db = site.cfg.db_path
    site.con.execute("CHECKPOINT")
    _upload_with_a_bad_row(client_for("city"))
    for path in (db, Path(f"{db}.wal"), site.cfg.secret_path):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_no_temporary_file_is_left_after_uploads_and_exports(app, client_for, site, tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))  # what TMPDIR sets, for this process
    c = client_for("city")
    iid = _upload_with_a_bad_row(c)  # success
    c.post("/api/imports", data={"kind": "discharges"},
           files={"file": ("bad.csv", "甲,乙\n1,2\n".encode("gbk"), "text/csv")})  # fmt: skip  # rejected
    client_for("hosp").post("/api/imports", data={"kind": "institutions"},
                            files={"file": ("x.csv", b"a,b\n", "text/csv")})  # fmt: skip  # refused
    assert c.get(f"/api/imports/{iid}/quarantine.xlsx").status_code == 200
    assert c.get(f"/api/indicators/gk3.04/records.csv?org={HOSP}&period=2024").status_code == 200
    assert client_for("county").get(f"/api/imports/{iid}/quarantine.csv").status_code == 403  # refused export

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash of the loader")

    monkeypatch.setattr("hqd.web.imports.load_file", crash)
    assert _crash_client(app).post("/api/imports", data={"kind": "discharges"},
                  files={"file": ("d.csv", _csv([DISCHARGE_HEADER]), "text/csv")}).status_code == 500  # fmt: skip
    assert [p.name for p in tmp.iterdir() if p.name.startswith("hqd-")] == []
