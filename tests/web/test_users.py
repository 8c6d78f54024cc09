"""Local users: argon2 hashes, roles and scopes checked against the warehouse, `hqd users add|list|disable`."""

from __future__ import annotations

import pytest
from tests.conftest import HOSP, run_hqd

from hqd.web.users import UserError, add_user, authenticate


def test_passwords_are_stored_as_argon2id_hashes_only(seeded):
    add_user(seeded.con, "li", "analyst", "990100", "s3cret-password")
    stored = seeded.one("SELECT password_hash FROM users WHERE user_name = 'li'")
    assert stored.startswith("$argon2id$") and "s3cret-password" not in stored
    assert authenticate(seeded.con, "li", "s3cret-password").scope_code == "990100"
    assert authenticate(seeded.con, "li", "s3cret-passworD") is None


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [("boss", None, "role boss is not admin, analyst or hospital"), ("analyst", None, "needs --scope"),
     ("analyst", "123456", "there is no region 123456"), ("hospital", "990100", "there is no institution 990100")],
)  # fmt: skip
def test_roles_and_scopes_are_checked(seeded, role, scope, message):
    with pytest.raises(UserError, match=message):
        add_user(seeded.con, "x", role, scope, "long-enough-1")


def test_users_cli_adds_lists_and_disables(seeded):
    seeded.con.close()
    db = seeded.cfg.db_path
    assert (
        run_hqd(
            db, "users", "add", "wang", "--role", "hospital", "--scope", HOSP, "--password", "Pw-12345678"
        ).returncode
        == 0
    )
    listed = run_hqd(db, "users", "list", check=True).stdout
    assert "wang" in listed and HOSP in listed
    again = run_hqd(db, "users", "add", "wang", "--role", "admin", "--password", "Pw-12345678")
    assert again.returncode == 1 and "user wang already exists" in again.stderr
    short = run_hqd(db, "users", "add", "zhao", "--role", "admin", "--password", "Short-1")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    assert run_hqd(db, "users", "disable", "wang").returncode == 0
    assert "是 yes" in run_hqd(db, "users", "list", check=True).stdout
    assert run_hqd(db, "users", "disable", "nobody").returncode == 1
