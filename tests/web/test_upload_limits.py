"""Hostile uploads against a real `hqd serve` process on 127.0.0.1: each is refused with one sentence and an
audit entry, and the same server process keeps answering; an ordinary workbook still loads end to end."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.conftest import DISCHARGE_HEADER, Warehouse, discharge, write_xlsx
from tests.ingest.test_xlsx_guard import BILLION_LAUGHS, sheet_xml, with_parts, zip_bomb
from tests.web.conftest import log_in
from tests.web.site import PASSWORD

from hqd.web.users import add_user

MiB = 1024 * 1024
LIMIT_MB = 4  # the server's upload limit in this file: the 2 MB zip bomb fits, a 2 GiB body does not
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Server:
    proc: subprocess.Popen
    url: str

    def client(self, user: str | None) -> httpx.Client:
        c = httpx.Client(base_url=self.url, timeout=60)
        if user:
            log_in(c, user)  # an httpx client has the TestClient's post and headers
        return c

    def memory_kib(self, field: str) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise AssertionError(field)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """A warehouse with the test region, an admin and an analyst of the city, served by `hqd serve`."""
    root = tmp_path_factory.mktemp("serve")
    db = root / "hqd.duckdb"
    saved = {k: os.environ.get(k) for k in ("HQD_DB", "HQD_SECRET")}
    os.environ["HQD_DB"] = str(db)
    os.environ.pop("HQD_SECRET", None)
    try:
        w = Warehouse(root).seed()
        add_user(w.con, "admin", "admin", None, PASSWORD)
        add_user(w.con, "city", "analyst", "990100", PASSWORD)
        w.con.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    files = set(root.iterdir())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HQD_DB": str(db), "HQD_MAX_UPLOAD_MB": str(LIMIT_MB), "TMPDIR": str(root)}
    env.pop("HQD_SECRET", None)
    proc = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    srv = Server(proc, f"http://127.0.0.1:{port}")
    try:
        for _ in range(300):
            try:
                if httpx.get(srv.url + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield srv
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    # every temporary file of the uploads is gone: the spool is anonymous, the loader's folder removed
    assert sorted(p.name for p in set(root.iterdir()) - files if not p.name.startswith("hqd.duckdb")) == []


@pytest.fixture(scope="module")
def city(server: Server) -> Iterator[httpx.Client]:
    c = server.client("city")
    yield c
    c.close()


@pytest.fixture(scope="module")
def admin(server: Server) -> Iterator[httpx.Client]:
    c = server.client("admin")
    yield c
    c.close()


def still_answers(server: Server, client: httpx.Client) -> None:
    """The same process answers the liveness route and a page with data after the attack."""
    assert server.proc.poll() is None
    assert httpx.get(server.url + "/api/health", timeout=10).status_code == 200
    page = client.get("/imports")
    assert page.status_code == 200 and "数据导入" in page.text


def audited(admin: httpx.Client, action: str, needle: str) -> dict:
    entries = admin.get("/api/audit", params={"limit": 50}).json()["data"]
    for e in entries:
        detail = e["detail"] if isinstance(e["detail"], str) else json.dumps(e["detail"], ensure_ascii=False)
        if e["action"] == action and needle in detail:
            return e
    raise AssertionError(f"no {action} entry about {needle} in {entries[:5]}")


def refused(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["error_zh"] and body["error_en"]
    assert "Traceback" not in r.text and body["error_en"].count(". ") == 0  # one sentence
    return body


def upload(
    client: httpx.Client, path: Path, kind: str = "discharges", route: str = "/api/imports"
) -> httpx.Response:
    with path.open("rb") as fh:
        return client.post(route, data={"kind": kind}, files={"file": (path.name, fh, XLSX)})


def good_workbook(path: Path, mrns: list[str]) -> Path:
    return write_xlsx(path, {"出院": [DISCHARGE_HEADER] + [discharge(m) for m in mrns]})


def test_an_ordinary_workbook_still_loads_end_to_end(server, city, admin, tmp_path):
    path = good_workbook(tmp_path / "出院_ok.xlsx", ["UL1", "UL2", "UL3"])
    r = upload(city, path)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["status"], data["read"], data["new"], data["quarantined"]) == ("accepted", 3, 3, 0)
    assert city.get(f"/api/imports/{data['import_id']}").json()["data"]["file_name"] == "出院_ok.xlsx"
    audited(admin, "upload", "出院_ok.xlsx")


@pytest.mark.slow
def test_a_zip_bomb_is_refused_and_the_server_keeps_answering(server, city, admin, tmp_path):
    bomb = zip_bomb(good_workbook(tmp_path / "b.xlsx", ["ZB1"]), tmp_path / "bomb.xlsx", 2048 * MiB)
    assert bomb.stat().st_size < 3 * MiB  # two gigabytes of sheet XML in about two megabytes
    body = refused(upload(city, bomb), 422)
    assert "bomb.xlsx" in body["error_en"] and "zip bomb" in body["error_en"]
    assert city.get(f"/api/imports/{body['import_id']}").json()["data"]["status"] == "rejected"
    audited(admin, "upload_rejected", "bomb.xlsx")
    still_answers(server, city)


def test_a_sheet_declaring_a_huge_dimension_is_refused(server, city, admin, tmp_path):
    path = with_parts(good_workbook(tmp_path / "b.xlsx", ["HD1"]), tmp_path / "dimension.xlsx",
                      {"xl/worksheets/sheet1.xml": sheet_xml("", "A1:XFD1048576")})  # fmt: skip
    body = refused(upload(city, path), 422)
    assert "17,179,869,184 cells" in body["error_en"]
    audited(admin, "upload_rejected", "dimension.xlsx")
    still_answers(server, city)


def test_cells_at_opposite_corners_are_refused_by_the_reading_process(server, city, admin, tmp_path):
    """The 1.6 KB file that ended the server: no dimension, A1 and XFD1048576; only the worker dies."""
    body_xml = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = with_parts(good_workbook(tmp_path / "b.xlsx", ["FC1"]), tmp_path / "corners.xlsx",
                      {"xl/worksheets/sheet1.xml": sheet_xml(body_xml)})  # fmt: skip
    assert path.stat().st_size < 8 * 1024
    body = refused(upload(city, path), 422)
    assert "corners.xlsx" in body["error_en"] and "died" in body["error_en"]
    audited(admin, "upload_rejected", "corners.xlsx")
    still_answers(server, city)


def test_a_billion_laughs_part_is_refused_through_the_page_too(server, city, admin, tmp_path):
    path = with_parts(good_workbook(tmp_path / "b.xlsx", ["BL1"]), tmp_path / "laughs.xlsx",
                      {"xl/sharedStrings.xml": BILLION_LAUGHS})  # fmt: skip
    body = refused(upload(city, path), 422)
    assert "<!DOCTYPE" in body["error_en"]
    page = upload(city, path, route="/imports")
    assert page.status_code == 422 and "DTD" in page.text and "laughs.xlsx" in page.text
    audited(admin, "upload_rejected", "laughs.xlsx")
    still_answers(server, city)


def _endless_body(sent: list[int], total: int) -> Iterator[bytes]:
    boundary = b"hqdbound"
    yield (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="kind"\r\n\r\ndischarges\r\n--' + boundary
           + b'\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
           b"Content-Type: text/csv\r\n\r\n")  # fmt: skip
    chunk = b"0" * MiB
    while sent[0] < total:
        sent[0] += len(chunk)
        yield chunk


@pytest.mark.slow
@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "declared-length"])
def test_a_2_gib_body_is_refused_while_it_streams_in(server, city, admin, declared):
    total = 2048 * MiB
    sent = [0]
    headers = {"content-type": "multipart/form-data; boundary=hqdbound"}
    if declared:
        headers["content-length"] = str(total + 200)
    before, peak_before = server.memory_kib("VmRSS"), server.memory_kib("VmHWM")
    r = city.post("/api/imports", content=_endless_body(sent, total), headers=headers)
    body = refused(r, 413)
    assert f"{LIMIT_MB} MiB" in body["error_en"]
    assert sent[0] < 64 * MiB  # the client was stopped after a few megabytes, not two gigabytes
    grown = server.memory_kib("VmRSS") - before
    assert grown < 40 * 1024, f"server RSS grew by {grown} KiB"
    assert server.memory_kib("VmHWM") - peak_before < 40 * 1024  # nor did it peak in between
    audited(admin, "upload_rejected", "declared_bytes" if declared else "received_bytes")
    still_answers(server, city)


def test_a_large_body_to_any_other_route_is_refused_too(server, city):
    r = city.post(
        "/api/login", content=b"{" + b" " * (2 * MiB) + b"}", headers={"content-type": "application/json"}
    )
    assert refused(r, 413)["error_en"].startswith("the request body is larger than the limit")
    still_answers(server, city)


def test_a_csv_with_one_endless_line_is_refused_before_the_load(server, city, admin, tmp_path):
    """The decoder holds a line whole (a 200 MB line cost the loader 1.4 GB): lines over 2 MiB are refused."""
    header = ",".join(DISCHARGE_HEADER) + "\n"
    path = tmp_path / "endless.csv"
    path.write_bytes(header.encode() + ",".join(discharge("EL1")).encode() + b"\n" + b"9" * (3 * MiB))
    body = refused(upload(city, path), 422)
    assert "endless.csv" in body["error_en"] and "2,048 KiB near line 3" in body["error_en"]
    audited(admin, "upload_rejected", "endless.csv")
    ok = tmp_path / "出院.csv"
    ok.write_bytes((header + ",".join(discharge("EL2")) + "\n").encode("gbk"))
    assert upload(city, ok).json()["data"]["new"] == 1  # an ordinary CSV passes the same check
    still_answers(server, city)


def test_the_upload_page_refuses_an_oversized_file_with_a_page(server, city, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"0" * ((LIMIT_MB + 1) * MiB))
    r = upload(city, path, route="/imports")
    assert r.status_code == 413 and f"上传的文件超过上限 {LIMIT_MB} MiB" in r.text
    assert "出错了 (413)" in r.text  # the site's own error page
    still_answers(server, city)


@pytest.mark.parametrize(
    ("text", "fails"),
    [
        (b"a\n" + b"x" * 1024 + b"\nb\n", False),  # a line of exactly the limit
        (b"a\n" + b"x" * 1025 + b"\nb\n", True),  # one byte over, inside one chunk
        (
            b"a\n" * 524_000 + b"x" * 1025 + b"\n" + b"b\n" * 1000,
            True,
        ),  # over, across the first 1 MiB chunk end
        (b"a\n" * 524_000 + b"x" * 1024 + b"\n" + b"b\n" * 1000, False),
        (b"x" * 3 * MiB, True),  # no line end at all, over several chunks
        (b"", False),
    ],
    ids=["at-limit", "over", "over-across-chunks", "at-limit-across-chunks", "endless", "empty"],
)
def test_csv_lines_are_measured_across_chunk_boundaries(text, fails):
    import io

    from hqd.web.upload import UploadRefused, _check_lines

    assert 524_000 * 2 < MiB < 524_000 * 2 + 1024  # the long line of the cross-chunk cases straddles 1 MiB
    if fails:
        with pytest.raises(UploadRefused, match="longer than 1 KiB"):
            _check_lines(io.BytesIO(text), "t.csv", 1024)
    else:
        _check_lines(io.BytesIO(text), "t.csv", 1024)


def test_a_third_workbook_waits_then_is_asked_to_retry_while_two_are_being_read(tmp_path, monkeypatch):
    from hqd.config import settings
    from hqd.web import upload as upload_module

    monkeypatch.setattr(upload_module, "WORKER_WAIT", 0.2)
    path = good_workbook(tmp_path / "third.xlsx", ["TW1"])
    held = [upload_module._workers.acquire(timeout=1) for _ in range(2)]
    try:
        assert held == [True, True]
        with path.open("rb") as fh, pytest.raises(upload_module.UploadRefused) as exc:
            upload_module._preflight(settings(), fh, fh.fileno(), path.name, path.stat().st_size)
        assert exc.value.status == 503 and "third.xlsx" in exc.value.en
    finally:
        for _ in held:
            upload_module._workers.release()
    with path.open("rb") as fh:  # with a reading slot free, the same workbook passes
        upload_module._preflight(settings(), fh, fh.fileno(), path.name, path.stat().st_size)
