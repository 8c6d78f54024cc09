"""Server-side sessions: the cookie holds a random id only, the warehouse its hash; logout, a password change,
disabling and a role or scope change end sessions at once; idle and absolute timeouts; a new id at login."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from tests.conftest import HOSP
from tests.web.conftest import log_in
from tests.web.site import PASSWORD

NEW = "Blue-Lantern-77"


def _copy(app, c: TestClient) -> TestClient:
    """Another client carrying a copy of c's session cookie (and its CSRF token): a stolen cookie."""
    thief = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    thief.cookies.set("hqd_session", c.cookies["hqd_session"])
    thief.headers["X-CSRF-Token"] = c.headers["X-CSRF-Token"]
    return thief


def test_the_cookie_holds_a_random_id_and_the_warehouse_only_its_hash(site, client_for):
    c = client_for("city")
    sid = c.cookies["hqd_session"]
    assert len(sid) >= 40 and "city" not in sid
    rows = site.rows("SELECT session_hash, user_name, client FROM sessions")
    assert rows == [(hashlib.sha256(sid.encode()).hexdigest(), "city", "testclient")]
    assert site.one("SELECT count(*) FROM sessions WHERE session_hash = ?", [sid]) == 0


def test_a_cookie_copied_before_logout_is_refused_after_logout(app, client_for):
    c = client_for("city")
    thief = _copy(app, c)
    assert thief.get("/api/me").status_code == 200
    assert c.post("/api/logout").status_code == 200
    assert thief.get("/api/me").status_code == 401
    assert thief.get("/overview/990100").status_code == 303  # the pages send it to the login form


def test_logout_ends_every_session_of_the_user(client_for):
    first, second, other = client_for("city"), client_for("city"), client_for("county")
    assert first.post("/logout").status_code == 303
    assert second.get("/api/me").status_code == 401
    assert other.get("/api/me").status_code == 200


def test_a_password_change_ends_the_users_other_sessions(client_for):
    here, there = client_for("city"), client_for("city")
    assert here.post("/api/password", json={"current": PASSWORD, "new": NEW}).status_code == 200
    assert there.get("/api/me").status_code == 401
    assert here.get("/api/me").status_code == 200


def test_disabling_a_user_ends_their_sessions(client_for):
    victim, admin = client_for("county"), client_for("admin")
    assert admin.post("/api/users/county/disable").status_code == 200
    assert victim.get("/api/me").status_code == 401


def test_a_role_or_scope_change_ends_the_users_sessions(client_for):
    victim, admin = client_for("county"), client_for("admin")
    assert (
        admin.post("/api/users/county/role", json={"role": "analyst", "scope": "990100"}).status_code == 200
    )
    assert victim.get("/api/me").status_code == 401
    again = client_for("county")
    assert again.get("/api/me").json()["data"]["scope"] == "990100"
    assert (
        admin.post("/api/users/countyhosp/role", json={"role": "hospital", "scope": HOSP}).status_code == 200
    )


def test_an_admin_reset_ends_every_session_of_the_user(client_for):
    victim, admin = client_for("hosp"), client_for("admin")
    assert admin.post("/api/users/hosp/reset-password", json={"password": NEW}).status_code == 200
    assert victim.get("/api/me").status_code == 401


def test_an_idle_session_ends_after_thirty_minutes(site, client_for):
    c = client_for("city")
    site.con.execute("UPDATE sessions SET last_seen = now()::TIMESTAMP - INTERVAL 29 MINUTE")
    assert c.get("/api/me").status_code == 200  # used within 30 minutes: alive, and last_seen moves on
    assert site.one("SELECT now()::TIMESTAMP - last_seen < INTERVAL 1 MINUTE FROM sessions")
    site.con.execute("UPDATE sessions SET last_seen = now()::TIMESTAMP - INTERVAL 31 MINUTE")
    assert c.get("/api/me").status_code == 401
    assert site.one("SELECT count(*) FROM sessions") == 0


def test_a_session_ends_eight_hours_after_login_however_busy(site, client_for):
    c = client_for("city")
    site.con.execute(
        "UPDATE sessions SET created_at = now()::TIMESTAMP - INTERVAL 7 HOUR - INTERVAL 59 MINUTE"
    )
    assert c.get("/api/me").status_code == 200
    site.con.execute(
        "UPDATE sessions SET created_at = now()::TIMESTAMP - INTERVAL 8 HOUR - INTERVAL 1 MINUTE"
    )
    assert c.get("/api/me").status_code == 401


def test_the_timeouts_come_from_the_environment(site, monkeypatch):
    from hqd.web.app import create_app

    monkeypatch.setenv("HQD_SESSION_IDLE_MINUTES", "5")
    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        log_in(c, "city")
        site.con.execute("UPDATE sessions SET last_seen = now()::TIMESTAMP - INTERVAL 6 MINUTE")
        assert c.get("/api/me").status_code == 401


def test_the_session_id_changes_at_login_and_a_planted_id_is_not_honoured(site, app, client_for):
    c = client_for(None)
    c.cookies.set("hqd_session", "planted-by-an-attacker", domain="127.0.0.1")
    log_in(c, "city")
    sid = c.cookies["hqd_session"]
    assert sid != "planted-by-an-attacker"
    log_in(c, "city")  # logging in again replaces the session
    assert c.cookies["hqd_session"] != sid
    old = TestClient(app, base_url="http://127.0.0.1")
    old.cookies.set("hqd_session", sid)
    assert old.get("/api/me").status_code == 401
    assert site.one("SELECT count(*) FROM sessions") == 1


def test_the_cookie_is_http_only_strict_and_secure_with_the_switch(site):
    from hqd.web.app import create_app

    for secure in (False, True):
        with TestClient(create_app(secure_cookie=secure), base_url="https://127.0.0.1") as c:
            r = c.post("/api/login", json={"username": "city", "password": PASSWORD})
            cookie = r.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie and ("secure" in cookie) == secure
            assert "city" not in cookie.split(";")[0]
