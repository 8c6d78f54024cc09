"""The audit log as a hash chain: who did what to which object, from where, with what outcome — and proof
that no entry was altered, removed or slipped in afterwards.

Each entry carries an HMAC-SHA256 over its own content and the previous entry's HMAC, keyed by a key derived
from the warehouse secret (which lives outside the DuckDB file). Someone who can write the DuckDB file but
does not hold the secret cannot change, delete or insert an entry without `verify` naming the first entry
where the chain no longer holds. What a chain cannot show is the loss of its newest entries (truncation of
the tail): compare the count with an earlier `hqd audit list` or a backup for that.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from hqd.config import SettingError

OUTCOMES = ("ok", "refused", "failed", "rejected")
_KEY_LABEL = b"hqd audit chain v1"
# One chain per process: reading the last mac and inserting the next entry must not interleave. DuckDB lets
# only one process write the file, so a process-wide lock is enough; callers in the server also hold
# db.write_lock, which serialises the entry with the write it describes.
_chain_lock = threading.Lock()


def secret_of(con: duckdb.DuckDBPyConnection) -> bytes:
    """The secret of the warehouse `con` is open on: $HQD_SECRET, or the file beside that warehouse (the
    server and the commands open the warehouse only after checking its secret, see connection.py)."""
    from hqd.config import settings
    from hqd.warehouse.secret import load_secret

    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    db_path = Path(row[0]) if row and row[0] else settings().db_path
    return load_secret(db_path.with_name(db_path.name + ".secret"))


def chain_key(secret: bytes) -> bytes:
    """The HMAC key of the chain, derived from the warehouse secret so no second secret has to be kept."""
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def _genesis(key: bytes, legacy_upto: int) -> str:
    """The 'previous mac' of the first chained entry: binds the boundary with the entries before the chain."""
    return hmac.new(key, f"genesis {legacy_upto}".encode(), hashlib.sha256).hexdigest()


def _mac(key: bytes, prev: str, fields: tuple[Any, ...]) -> str:
    audit_id, logged_at, user, action, obj, outcome, detail, client = fields
    content = json.dumps(
        [prev, audit_id, logged_at.isoformat(), user, action, obj, outcome, detail, client],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, content.encode("utf-8"), hashlib.sha256).hexdigest()


def _legacy_upto(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT max(legacy_upto) FROM audit_chain").fetchone()
    return int(row[0] or 0)


def record(con: duckdb.DuckDBPyConnection, secret: bytes, user: str | None, action: str, *,
           obj: str | None = None, outcome: str = "ok", detail: Mapping[str, Any] | None = None,
           client: str | None = None) -> int:  # fmt: skip
    """Append one chained entry; returns its audit_id. Reading the previous mac and inserting are one
    transaction under the process's chain lock, so concurrent requests cannot fork the chain."""
    key = chain_key(secret)
    text = json.dumps(dict(detail or {}), ensure_ascii=False, default=str)
    with _chain_lock:
        own = _begin(con)
        try:
            last = con.execute(
                "SELECT audit_id, mac FROM audit_log ORDER BY audit_id DESC LIMIT 1"
            ).fetchone()
            legacy = _legacy_upto(con)
            prev = last[1] if last is not None and last[0] > legacy else _genesis(key, legacy)
            audit_id = con.execute("SELECT nextval('audit_id_seq')").fetchone()[0]
            if last is not None and audit_id <= last[0]:  # a sequence behind the table (restored backup)
                audit_id = last[0] + 1
            fields = (audit_id, datetime.now(), user, action, obj, outcome, text, client)
            con.execute(
                "INSERT INTO audit_log (audit_id, logged_at, user_name, action, object, outcome, detail, client, "
                "mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*fields, _mac(key, prev, fields)],
            )
            if own:
                con.execute("COMMIT")
        except Exception:
            if own:
                con.execute("ROLLBACK")
            raise
    return audit_id


def _begin(con: duckdb.DuckDBPyConnection) -> bool:
    """Start a transaction unless the caller already holds one (then the entry commits with the caller's)."""
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:
        return False
    return True


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify`: intact, or the first entry where the chain breaks and why."""

    checked: int
    legacy: int
    broken_at: int | None = None
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def sentence(self) -> str:
        if self.intact:
            extra_zh = f"（另有 {self.legacy} 条建链前的记录未纳入）" if self.legacy else ""
            extra_en = f" ({self.legacy} entries written before the chain existed are not covered)" if self.legacy else ""  # fmt: skip
            return (f"审计日志完整：{self.checked} 条记录的链校验通过{extra_zh} / the audit log is intact: "
                    f"the chain of {self.checked} entries verifies{extra_en}")  # fmt: skip
        return (f"审计日志在第 {self.broken_at} 条记录处断开：{self.reason_zh} / the audit log is broken at entry "
                f"{self.broken_at}: {self.reason_en}")  # fmt: skip


def verify(con: duckdb.DuckDBPyConnection, secret: bytes) -> Verdict:
    """Walk the chain in audit_id order and return the first entry whose HMAC does not hold."""
    key = chain_key(secret)
    legacy = _legacy_upto(con)
    rows = con.execute(
        "SELECT audit_id, logged_at, user_name, action, object, outcome, detail, client, mac FROM audit_log "
        "ORDER BY audit_id"
    ).fetchall()
    prev = _genesis(key, legacy)
    checked = n_legacy = 0
    for row in rows:
        audit_id, mac = row[0], row[8]
        if audit_id <= legacy:
            if mac is not None:
                return Verdict(checked, n_legacy, audit_id, "建链前的记录不应带校验码（链的起点被移动）",
                               "an entry from before the chain carries a mac (the chain's start was moved)")  # fmt: skip
            n_legacy += 1
            continue
        if mac is None:
            return Verdict(checked, n_legacy, audit_id, "记录缺少校验码（被插入或篡改）",
                           "the entry has no mac (inserted or altered)")  # fmt: skip
        if not hmac.compare_digest(mac, _mac(key, prev, tuple(row[:8]))):
            return Verdict(checked, n_legacy, audit_id, "校验码不符：该记录被修改、插入，或其前一条被删除",
                           "the mac does not match: this entry was altered or inserted, or the one before it "
                           "was deleted")  # fmt: skip
        prev = mac
        checked += 1
    return Verdict(checked, n_legacy)


def entries(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    """The newest entries first, as the dashboard and `hqd audit list` show them."""
    keys = ("audit_id", "logged_at", "user_name", "action", "object", "outcome", "detail", "client")
    rows = con.execute(
        f"SELECT {', '.join(keys)} FROM audit_log ORDER BY audit_id DESC LIMIT ?", [limit]
    ).fetchall()
    return [dict(zip(keys, r, strict=True)) for r in rows]


# What an action acts on, read from its detail when the caller does not say; the first key present wins.
_OBJECT_KEYS = ("object", "import_id", "quarantine_of", "signal_id", "code", "org", "user", "username", "path",
                "file")  # fmt: skip
_FAILED_ACTIONS = {"login_failed": "refused", "refused": "refused", "upload_failed": "failed",
                  "upload_rejected": "rejected", "request_rejected": "rejected", "upload_refused": "refused",
                  "login_refused_locked": "refused", "login_throttled": "refused", "account_locked": "refused",
                  "password_change_failed": "refused"}  # fmt: skip


def derive_object(action: str, detail: Mapping[str, Any] | None) -> str | None:
    """The object of an entry from its detail: an export names its indicator and institution, an upload its
    import, a decision its signal, a login its user name."""
    d = detail or {}
    if "indicator" in d:
        return f"{d['indicator']}@{d.get('org', '')}"
    for k in _OBJECT_KEYS:
        if d.get(k) is not None:
            return str(d[k])
    return None


def derive_outcome(action: str, detail: Mapping[str, Any] | None) -> str:
    """ok unless the action or the detail says otherwise (a rejected upload, a failed login, an error)."""
    d = detail or {}
    if action in _FAILED_ACTIONS:
        return _FAILED_ACTIONS[action]
    if d.get("outcome") in OUTCOMES:
        return str(d["outcome"])
    if d.get("error"):
        return "failed"
    if d.get("status") == "rejected":
        return "rejected"
    return "ok"


@lru_cache(maxsize=8)
def trusted_networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """HQD_TRUSTED_PROXIES as networks: comma-separated addresses or CIDRs; a bad item is a user error."""
    items = [s.strip() for s in spec.split(",")]
    nets = []
    for item in items:
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingError(
                f"HQD_TRUSTED_PROXIES 中的 {item} 不是地址或网段 / {item} in HQD_TRUSTED_PROXIES is not an "
                "address or a CIDR network"
            ) from None
    return tuple(nets)


def _in(address: str, nets: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in n for n in nets)


def source_address(peer: str | None, forwarded_for: str | None, trusted: tuple) -> str | None:
    """The client's address: the socket's peer, unless that peer is a trusted proxy; then the right-most
    address of X-Forwarded-For that is not itself a trusted proxy (entries left of it are client-supplied
    and could be forged)."""
    if not peer or not forwarded_for or not _in(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: trust nothing the proxy passed on
    return hops[0] if hops else peer
