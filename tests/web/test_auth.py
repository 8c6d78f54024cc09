"""Authentication fit for 等保三级 (身份鉴别): the password policy, lockout per account and throttling per
address, password change and reset, admin actions on users, and the TOTP second factor of admins."""

from __future__ import annotations

import pyotp
import pytest
from tests.conftest import HOSP, run_hqd
from tests.web.conftest import log_in
from tests.web.site import PASSWORD

from hqd.web.demo import DEMO_USERS, HOSPITAL_USER
from hqd.web.users import UserError, add_user, check_password, common_passwords

NEW = "Blue-Lantern-77"


@pytest.mark.parametrize(
    ("password", "message"),
    [("Ab1-Ab1-x", "at least 10 characters"),  # 9 characters
     ("alllowercase-words", "at least three of"),  # lower and symbol: two classes
     ("ABCDEFGH1234", "at least three of"),  # upper and digit
     ("Li.Wang-2025-x", "must not contain the user name"),  # "wang" inside, any case
     ("Password123!", "common one"),  # in the bundled list (compared lower-case)
     ("P@ssw0rd2025", "common one")],
)  # fmt: skip
def test_the_policy_refuses_weak_passwords(password, message):
    with pytest.raises(UserError, match=message):
        check_password("wang", password)


def test_the_policy_accepts_a_long_mixed_password_and_the_list_has_thousands_of_entries():
    check_password("wang", "Tea-Garden-1987")  # upper, lower, symbol, digit; 15 characters
    check_password("wang", "lanzhou.noodles.42")  # lower, symbol, digit: three classes suffice
    words = common_passwords()
    assert len(words) > 2000 and "qwerty123" in words and "woaini1314" in words


def test_the_policy_applies_to_add_change_and_reset(site, client_for):
    with pytest.raises(UserError, match="at least 10"):
        add_user(site.con, "zhao", "admin", None, "Short-1")
    c = client_for("city")
    weak = c.post("/api/password", json={"current": PASSWORD, "new": "city-City-1234"})
    assert weak.status_code == 400 and "user name" in weak.json()["error_en"]
    admin = client_for("admin")
    r = admin.post("/api/users/hosp/reset-password", json={"password": "qwerty123!@#"})
    assert r.status_code == 400 and "common" in r.json()["error_en"]


def test_every_demo_login_follows_the_policy():
    for name, password, *_ in [*DEMO_USERS, HOSPITAL_USER]:
        check_password(name, password)


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(site, client_for):
    c = client_for(None)
    for _ in range(5):
        r = c.post("/api/login", json={"username": "city", "password": "Wrong-Pass-123"})
        assert r.status_code == 401
    locked = c.post("/api/login", json={"username": "city", "password": PASSWORD})
    assert locked.status_code == 403 and "locked" in locked.json()["error_en"]
    assert "锁定" in locked.json()["error_zh"]
    other = client_for(None).post("/api/login", json={"username": "county", "password": PASSWORD})
    assert other.status_code == 200  # the lock is the account's, not everyone's
    actions = [a for (a,) in site.rows("SELECT action FROM audit_log ORDER BY audit_id")]
    assert actions.count("login_failed") == 5 and actions.count("account_locked") == 1
    assert "login_refused_locked" in actions


def test_an_admin_unlocks_an_account(site, client_for):
    c = client_for(None)
    for _ in range(5):
        c.post("/api/login", json={"username": "county", "password": "Wrong-Pass-123"})
    assert c.post("/api/login", json={"username": "county", "password": PASSWORD}).status_code == 403
    admin = client_for("admin")
    assert admin.get("/api/users").json()["data"][2]["locked"] is True  # admin, city, county, …
    assert admin.post("/api/users/county/unlock").status_code == 200
    assert c.post("/api/login", json={"username": "county", "password": PASSWORD}).status_code == 200
    assert site.rows("SELECT user_name, action FROM audit_log WHERE action = 'user_unlock'") == [
        ("admin", "user_unlock")
    ]


def test_the_lock_expires_after_the_lockout_time(site, client_for):
    c = client_for(None)
    for _ in range(5):
        c.post("/api/login", json={"username": "county", "password": "Wrong-Pass-123"})
    assert c.post("/api/login", json={"username": "county", "password": PASSWORD}).status_code == 403
    # 15 minutes pass: move the lock's end into the past
    site.con.execute("UPDATE login_state SET locked_until = now()::TIMESTAMP - INTERVAL 1 SECOND")
    assert c.post("/api/login", json={"username": "county", "password": PASSWORD}).status_code == 200


def test_a_success_resets_the_failure_count(client_for):
    c = client_for(None)
    for _ in range(4):
        c.post("/api/login", json={"username": "city", "password": "Wrong-Pass-123"})
    assert c.post("/api/login", json={"username": "city", "password": PASSWORD}).status_code == 200
    for _ in range(4):
        c.post("/api/login", json={"username": "city", "password": "Wrong-Pass-123"})
    assert (
        client_for(None).post("/api/login", json={"username": "city", "password": PASSWORD}).status_code
        == 200
    )


def test_twenty_failures_from_one_address_refuse_it_even_with_a_right_password(site, client_for):
    c = client_for(None)
    for i in range(20):  # names that do not exist: no account locks, the address is counted
        assert c.post("/api/login", json={"username": f"nobody{i}", "password": "x"}).status_code == 401
    refused = c.post("/api/login", json={"username": "city", "password": PASSWORD})
    assert refused.status_code == 429 and "this address" in refused.json()["error_en"]
    assert site.one("SELECT count(*) FROM audit_log WHERE action = 'login_throttled'") == 1
    site.con.execute(
        "UPDATE login_failures SET failed_at = failed_at - INTERVAL 16 MINUTE"
    )  # the window passes
    assert c.post("/api/login", json={"username": "city", "password": PASSWORD}).status_code == 200


def test_thresholds_come_from_the_environment(site, monkeypatch):
    from fastapi.testclient import TestClient

    from hqd.web.app import create_app

    monkeypatch.setenv("HQD_LOGIN_MAX_FAILURES", "2")
    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        for _ in range(2):
            c.post("/api/login", json={"username": "city", "password": "Wrong-Pass-123"})
        assert c.post("/api/login", json={"username": "city", "password": PASSWORD}).status_code == 403


def test_the_login_page_says_the_account_is_locked(client_for):
    c = client_for(None)
    for _ in range(5):
        c.post("/login", data={"username": "city", "password": "Wrong-Pass-123"})
    r = c.post("/login", data={"username": "city", "password": PASSWORD})
    assert r.status_code == 403 and "账户已锁定" in r.text


def test_a_user_changes_their_password_with_the_current_one(site, client_for):
    c = client_for("city")
    wrong = c.post("/api/password", json={"current": "Not-The-One-1", "new": NEW})
    assert wrong.status_code == 400 and wrong.json()["error_en"] == "the current password is wrong"
    assert c.post("/api/password", json={"current": PASSWORD, "new": NEW}).status_code == 200
    assert c.get("/api/me").status_code == 200  # the session that changed it stays
    fresh = client_for(None)
    assert fresh.post("/api/login", json={"username": "city", "password": PASSWORD}).status_code == 401
    log_in(fresh, "city", NEW)
    actions = [a for (a,) in site.rows("SELECT action FROM audit_log ORDER BY audit_id")]
    assert "password_change_failed" in actions and "password_change" in actions


def test_the_password_page_changes_the_password(client_for):
    c = client_for("county")
    page = c.get("/password")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    differ = c.post("/password", data={"current": PASSWORD, "new": NEW, "again": NEW + "x"})
    assert differ.status_code == 400 and "differ" in differ.text
    done = c.post("/password", data={"current": PASSWORD, "new": NEW, "again": NEW})
    assert done.status_code == 200 and 'id="password-changed"' in done.text
    log_in(client_for(None), "county", NEW)


def test_an_admin_resets_a_password_and_only_an_admin_may(site, client_for):
    assert (
        client_for("city").post("/api/users/hosp/reset-password", json={"password": NEW}).status_code == 403
    )
    admin = client_for("admin")
    assert admin.post("/api/users/hosp/reset-password", json={"password": NEW}).status_code == 200
    log_in(client_for(None), "hosp", NEW)
    assert site.rows("SELECT user_name FROM audit_log WHERE action = 'password_reset'") == [("admin",)]


def test_admin_changes_role_and_scope_disables_and_enables_from_the_api(site, client_for):
    admin = client_for("admin")
    r = admin.post("/api/users/county/role", json={"role": "hospital", "scope": HOSP})
    assert r.status_code == 200
    assert site.rows("SELECT role, scope_code FROM users WHERE user_name = 'county'") == [("hospital", HOSP)]
    bad = admin.post("/api/users/county/role", json={"role": "analyst", "scope": "123456"})
    assert bad.status_code == 400 and bad.json()["error_en"] == "there is no region 123456"
    assert admin.post("/api/users/county/disable").status_code == 200
    assert (
        client_for(None).post("/api/login", json={"username": "county", "password": PASSWORD}).status_code
        == 401
    )
    assert admin.post("/api/users/county/enable").status_code == 200
    log_in(client_for(None), "county")
    assert admin.post("/api/users/admin/disable").json()["error_en"] == "you cannot disable yourself"
    assert client_for("city").post("/api/users/county/disable").status_code == 403
    audited = [
        a for (a,) in site.rows("SELECT action FROM audit_log WHERE user_name = 'admin' ORDER BY audit_id")
    ]
    assert [a for a in audited if a.startswith("user_")] == ["user_role", "user_disable", "user_enable"]


def test_the_users_page_lists_users_and_unlocks(client_for):
    admin = client_for("admin")
    page = admin.get("/users")
    assert page.status_code == 200 and 'data-user="countyhosp"' in page.text
    assert client_for("city").get("/users").status_code == 403
    assert admin.post("/users/city/reset-password", data={"password": NEW}).status_code == 303
    log_in(client_for(None), "city", NEW)


def _totp_secret(out: str) -> str:
    return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("密钥 secret"))


def test_an_admin_enrolled_in_totp_needs_the_current_code(site):
    from fastapi.testclient import TestClient

    from hqd.web.app import create_app

    site.con.close()
    db = site.cfg.db_path
    out = run_hqd(db, "users", "totp", "admin", check=True).stdout
    secret = _totp_secret(out)
    assert "otpauth://totp/" in out and "admin" in out
    listed = run_hqd(db, "users", "list", check=True).stdout
    assert secret not in listed
    site.con = __import__("duckdb").connect(str(db))  # the fixture closes it at the end
    app = create_app()
    c = TestClient(app, base_url="http://127.0.0.1")
    c2 = TestClient(app, base_url="http://127.0.0.1")
    no_code = c.post("/api/login", json={"username": "admin", "password": PASSWORD})
    assert no_code.status_code == 401 and no_code.json()["needs_totp"] is True
    wrong_code = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    assert (
        c.post("/api/login", json={"username": "admin", "password": PASSWORD, "totp": wrong_code}).status_code
        == 401
    )
    code = pyotp.TOTP(secret).now()
    ok = c.post("/api/login", json={"username": "admin", "password": PASSWORD, "totp": code})
    assert ok.status_code == 200
    again = c2.post("/api/login", json={"username": "admin", "password": PASSWORD, "totp": code})
    assert again.status_code == 401  # a code is accepted once


def test_the_totp_secret_is_stored_sealed(site):
    from hqd.web.users import enrol_totp, verify_totp

    secret, uri = enrol_totp(site.con, "admin", site.secret)
    stored = site.one("SELECT secret_enc FROM user_totp WHERE user_name = 'admin'")
    assert secret not in stored and secret in uri
    assert verify_totp(site.con, "admin", pyotp.TOTP(secret).now(), site.secret)
    with pytest.raises(UserError, match="does not decrypt"):
        verify_totp(site.con, "admin", "123456", b"another warehouse secret")


def test_users_cli_enables_unlocks_resets_and_changes_role_and_scope(site):
    site.con.execute("INSERT INTO login_state VALUES ('city', 0, now()::TIMESTAMP + INTERVAL 10 MINUTE)")
    site.con.close()
    db = site.cfg.db_path
    assert run_hqd(db, "users", "disable", "hosp").returncode == 0
    assert run_hqd(db, "users", "enable", "hosp").returncode == 0
    listed = run_hqd(db, "users", "list", check=True).stdout
    assert "是 yes" in listed  # city is locked
    assert run_hqd(db, "users", "unlock", "city").returncode == 0
    weak = run_hqd(db, "users", "reset-password", "city", "--password", "city-password-1")
    assert weak.returncode == 1 and "user name" in weak.stderr and "Traceback" not in weak.stderr
    assert run_hqd(db, "users", "reset-password", "city", "--password", NEW).returncode == 0
    assert run_hqd(db, "users", "role", "hosp", "analyst", "--scope", "990121").returncode == 0
    assert run_hqd(db, "users", "scope", "hosp", "990100").returncode == 0
    missing = run_hqd(db, "users", "scope", "nobody", "990100")
    assert missing.returncode == 1 and "there is no user nobody" in missing.stderr
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT role, scope_code FROM users WHERE user_name = 'hosp'").fetchall() == [
            ("analyst", "990100")
        ]
        assert con.execute("SELECT count(*) FROM login_state WHERE user_name = 'city'").fetchone()[0] == 0
        actions = [
            a
            for (a,) in con.execute(
                "SELECT action || ' ' || outcome FROM audit_log WHERE user_name LIKE 'os:%' ORDER BY audit_id"
            ).fetchall()
        ]
    finally:
        con.close()
    assert actions == [  # every change, and every refusal, under the operating-system account that ran it
        "user_disable ok",
        "user_enable ok",
        "user_unlock ok",
        "password_reset refused",  # the weak password
        "password_reset ok",
        "user_role ok",
        "user_role ok",
        "user_role refused",  # no such user
    ]
