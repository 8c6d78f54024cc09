"""The audit chain (hqd.audit, `hqd audit verify|list`), the source address behind trusted proxies, the modes
of the files hqd writes and the refusal to replace a lost secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import duckdb
import pytest
from tests.conftest import DISCHARGE_HEADER, HOSP, REGIONS, discharge, run_hqd, write_csv

from hqd import audit
from hqd.audit import source_address, trusted_networks, verify
from hqd.config import SettingError
from hqd.web.users import audit as web_audit


def _entries(wh, n: int) -> list[int]:
    return [
        audit.record(wh.con, wh.secret, f"u{i}", "export", obj=f"obj{i}", detail={"i": i}, client="10.0.0.9")
        for i in range(n)
    ]


def test_a_fresh_chain_verifies_and_each_mac_is_an_hmac_over_the_entry_and_the_previous_mac(wh):
    ids = _entries(wh, 3)
    assert verify(wh.con, wh.secret).intact and verify(wh.con, wh.secret).checked == 3
    # the second entry's mac, recomputed by hand from its stored columns and the first entry's mac
    key = hmac.new(wh.secret, b"hqd audit chain v1", hashlib.sha256).digest()
    first_mac, (aid, at, user, action, obj, outcome, detail, client, mac) = (
        wh.one("SELECT mac FROM audit_log WHERE audit_id = ?", [ids[0]]),
        wh.rows("SELECT audit_id, logged_at, user_name, action, object, outcome, detail, client, mac "
                "FROM audit_log WHERE audit_id = ?", [ids[1]])[0],
    )  # fmt: skip
    content = json.dumps([first_mac, aid, at.isoformat(), user, action, obj, outcome, detail, client],
                         ensure_ascii=False, separators=(",", ":"))  # fmt: skip
    assert mac == hmac.new(key, content.encode(), hashlib.sha256).hexdigest()
    assert (user, action, obj, outcome, client) == ("u1", "export", "obj1", "ok", "10.0.0.9")


def test_altering_an_entry_breaks_the_chain_at_that_entry(wh):
    ids = _entries(wh, 4)
    wh.con.execute("UPDATE audit_log SET user_name = 'someone-else' WHERE audit_id = ?", [ids[2]])
    v = verify(wh.con, wh.secret)
    assert not v.intact and v.broken_at == ids[2] and v.checked == 2


def test_deleting_an_entry_breaks_the_chain_at_the_next_one(wh):
    ids = _entries(wh, 4)
    wh.con.execute("DELETE FROM audit_log WHERE audit_id = ?", [ids[1]])
    assert verify(wh.con, wh.secret).broken_at == ids[2]


def test_inserting_an_entry_breaks_the_chain_at_the_inserted_one(wh):
    ids = _entries(wh, 2)
    last_mac = wh.one("SELECT mac FROM audit_log WHERE audit_id = ?", [ids[1]])
    wh.con.execute(
        "INSERT INTO audit_log VALUES (?, now()::TIMESTAMP, 'x', 'login', '{}', NULL, 'x', 'ok', ?)",
        [ids[1] + 1, last_mac],
    )
    assert verify(wh.con, wh.secret).broken_at == ids[1] + 1


def test_a_chain_under_another_secret_does_not_verify(wh):
    ids = _entries(wh, 2)
    assert verify(wh.con, b"another secret").broken_at == ids[0]


def test_entries_from_before_the_chain_are_reported_and_their_boundary_cannot_move(wh):
    # two entries as migration 0005 wrote them, the boundary as migration 0007 would have found it
    wh.con.execute("INSERT INTO audit_log (audit_id, logged_at, user_name, action, detail, client) VALUES "
                   "(nextval('audit_id_seq'), now()::TIMESTAMP, 'old', 'login', '{}', NULL), "
                   "(nextval('audit_id_seq'), now()::TIMESTAMP, 'old', 'logout', '{}', NULL)")  # fmt: skip
    wh.con.execute("UPDATE audit_chain SET legacy_upto = (SELECT max(audit_id) FROM audit_log)")
    ids = _entries(wh, 2)
    v = verify(wh.con, wh.secret)
    assert (
        v.intact and (v.checked, v.legacy) == (2, 2) and "2 entries written before the chain" in v.sentence()
    )
    wh.con.execute("UPDATE audit_chain SET legacy_upto = ?", [ids[0]])  # hide the first chained entry
    assert verify(wh.con, wh.secret).broken_at == ids[0]
    wh.con.execute("UPDATE audit_log SET mac = NULL WHERE audit_id = ?", [ids[0]])
    assert verify(wh.con, wh.secret).broken_at == ids[1]


def test_concurrent_writers_on_separate_cursors_keep_one_chain(wh):
    from concurrent.futures import ThreadPoolExecutor

    def write(i: int) -> None:
        cur = wh.con.cursor()
        try:
            for j in range(10):
                audit.record(cur, wh.secret, f"t{i}", "records_view", obj=f"{i}.{j}")
        finally:
            cur.close()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    v = verify(wh.con, wh.secret)
    assert v.intact and v.checked == 80 == wh.one("SELECT count(DISTINCT object) FROM audit_log")


def test_the_web_wrapper_keeps_its_signature_and_derives_object_and_outcome(wh):
    web_audit(wh.con, "li", "upload", {"kind": "discharges", "import_id": 7, "status": "rejected"}, "1.2.3.4")
    web_audit(wh.con, None, "login_failed", {"username": "zhang"}, "1.2.3.4")
    web_audit(wh.con, "li", "export", {"indicator": "gk3.04", "org": HOSP, "rows": 3})
    web_audit(wh.con, "li", "user_reset", {}, obj="wang", outcome="failed")
    got = wh.rows("SELECT user_name, action, object, outcome, client FROM audit_log ORDER BY audit_id")
    assert got == [("li", "upload", "7", "rejected", "1.2.3.4"), (None, "login_failed", "zhang", "refused", "1.2.3.4"),
                   ("li", "export", f"gk3.04@{HOSP}", "ok", None), ("li", "user_reset", "wang", "failed", None)]  # fmt: skip
    assert verify(wh.con, wh.secret).intact


def test_the_cli_says_intact_or_names_the_broken_entry(wh):
    ids = _entries(wh, 3)
    wh.con.close()
    db = wh.cfg.db_path
    ok = run_hqd(db, "audit", "verify")
    assert ok.returncode == 0 and "the chain of 3 entries verifies" in ok.stdout
    listed = run_hqd(db, "audit", "list", "--json", "--limit", "2", check=True).stdout.splitlines()
    assert [json.loads(x)["audit_id"] for x in listed] == [ids[2], ids[1]]
    con = duckdb.connect(str(db))
    con.execute("UPDATE audit_log SET detail = '{\"i\": 99}' WHERE audit_id = ?", [ids[1]])
    con.close()
    broken = run_hqd(db, "audit", "verify")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert f"broken at entry {ids[1]}" in " ".join(broken.stderr.split())


def test_cli_user_changes_are_audited_with_the_os_user(seeded):
    import getpass

    seeded.con.close()
    db = seeded.cfg.db_path
    run_hqd(db, "users", "add", "wang", "--role", "hospital", "--scope", HOSP, "--password", "Hospital-Pass-2025!",
            check=True)  # fmt: skip
    run_hqd(db, "users", "disable", "wang", check=True)
    assert run_hqd(db, "users", "disable", "nobody").returncode == 1
    con = duckdb.connect(str(db))
    got = con.execute(
        "SELECT user_name, action, object, outcome, client FROM audit_log ORDER BY audit_id"
    ).fetchall()
    con.close()
    me = f"os:{getpass.getuser()}"
    assert got == [(me, "user_add", "wang", "ok", "local"), (me, "user_disable", "wang", "ok", "local"),
                   (me, "user_disable", "nobody", "refused", "local")]  # fmt: skip
    assert run_hqd(db, "audit", "verify").returncode == 0


PROXIES = trusted_networks("10.0.0.1, 192.168.5.0/24")


@pytest.mark.parametrize(
    ("peer", "xff", "expected"),
    [("203.0.113.7", "1.1.1.1", "203.0.113.7"),  # an untrusted peer cannot claim another address
     ("10.0.0.1", "1.1.1.1", "1.1.1.1"),  # the trusted proxy passes the client on
     ("10.0.0.1", "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # a client-supplied hop left of the real one is ignored
     ("10.0.0.1", "1.1.1.1, 192.168.5.3", "1.1.1.1"),  # through two trusted proxies
     ("10.0.0.1", None, "10.0.0.1"),
     ("10.0.0.1", "not-an-address", "10.0.0.1")],
)  # fmt: skip
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(peer, xff, expected):
    assert source_address(peer, xff, PROXIES) == expected


def test_a_malformed_trusted_proxy_setting_is_one_sentence():
    with pytest.raises(SettingError, match=r"proxy\.example in HQD_TRUSTED_PROXIES is not an address"):
        trusted_networks("10.0.0.1,proxy.example")


# -- files and secrets ---------------------------------------------------------------------------------------


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*") if p.is_file()}


def test_files_written_by_init_load_and_export_are_private(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    regions = write_csv(data / "regions.csv", REGIONS)
    store = tmp_path / "store"
    store.mkdir()
    db = store / "hqd.duckdb"
    old = os.umask(0o022)  # as a user's shell would have it
    try:
        run_hqd(db, "init", check=True)
        run_hqd(db, "load", "regions", str(regions), check=True)
        run_hqd(db, "quarantine", "--import", "1", "--out", str(store / "q.xlsx"), check=True)
        run_hqd(db, "quarantine", "--import", "1", "--out", str(store / "q.csv"), check=True)
    finally:
        os.umask(old)
    modes = _modes(store)
    assert {"hqd.duckdb", "hqd.duckdb.secret", "q.xlsx", "q.csv"} <= set(modes)
    assert modes == dict.fromkeys(modes, 0o600)


def test_an_old_world_readable_warehouse_is_made_private_on_open(tmp_path):
    db = tmp_path / "hqd.duckdb"
    run_hqd(db, "init", check=True)
    os.chmod(db, 0o644)
    run_hqd(db, "imports", check=True)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def _pseudonymised(wh) -> Path:
    wh.seed()
    s = wh.load("discharges", wh.file("d.csv", [DISCHARGE_HEADER, discharge("M1")]))
    assert s.status == "accepted" and wh.one("SELECT count(patient_key) FROM discharges") == 1
    wh.con.close()
    wh.cfg.secret_path.unlink()
    return wh.cfg.db_path


@pytest.mark.parametrize("args", [("init",), ("imports",), ("compute", "--period", "2024"),
                                  ("audit", "verify"), ("users", "list")])  # fmt: skip
def test_a_lost_secret_is_refused_by_every_command_and_never_replaced(wh, args):
    db = _pseudonymised(wh)
    proc = run_hqd(db, *args)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        "the secret" in proc.stderr
        and "is missing while table discharges holds values keyed by it" in " ".join(proc.stderr.split())
    )
    assert not wh.cfg.secret_path.exists()


def test_load_refuses_too_when_the_secret_is_lost(wh):
    db = _pseudonymised(wh)
    proc = run_hqd(db, "load", "discharges", str(wh.file("d2.csv", [DISCHARGE_HEADER, discharge("M2")])))
    assert proc.returncode == 1 and "is missing" in proc.stderr and not wh.cfg.secret_path.exists()


def test_the_server_refuses_a_warehouse_whose_secret_is_lost(wh):
    from hqd.warehouse.connection import WarehouseNotInitialised
    from hqd.web.app import create_app

    _pseudonymised(wh)
    with pytest.raises(WarehouseNotInitialised, match="restore the secret from the backup"):
        create_app()
    assert not wh.cfg.secret_path.exists()


def test_init_creates_a_secret_for_a_new_warehouse_only(tmp_path):
    db = tmp_path / "hqd.duckdb"
    run_hqd(db, "init", check=True)
    secret = db.with_name("hqd.duckdb.secret")
    assert secret.exists() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    first = secret.read_bytes()
    run_hqd(db, "init", check=True)
    assert secret.read_bytes() == first  # never replaced


def test_a_warehouse_without_pseudonyms_may_get_a_secret_again(wh):
    wh.seed()  # regions and institutions: nothing keyed by the secret
    wh.con.close()
    wh.cfg.secret_path.unlink()
    run_hqd(wh.cfg.db_path, "init", check=True)
    assert wh.cfg.secret_path.exists()


def test_with_a_file_group_the_files_are_group_readable(tmp_path, monkeypatch):
    import grp

    group = grp.getgrgid(os.getgid()).gr_name  # a group this process may give its files
    monkeypatch.setenv("HQD_FILE_GROUP", group)
    db = tmp_path / "hqd.duckdb"
    run_hqd(db, "init", check=True)
    regions = write_csv(tmp_path / "regions.csv", REGIONS)
    os.chmod(regions, 0o600)
    run_hqd(db, "load", "regions", str(regions), check=True)
    run_hqd(db, "quarantine", "--import", "1", "--out", str(tmp_path / "q.csv"), check=True)
    modes = _modes(tmp_path)
    assert (modes["hqd.duckdb"], modes["q.csv"], modes["hqd.duckdb.secret"]) == (0o640, 0o640, 0o600)
    assert db.stat().st_gid == grp.getgrnam(group).gr_gid
