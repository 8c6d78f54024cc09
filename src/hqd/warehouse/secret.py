"""The per-warehouse secret that keys patient pseudonyms and the audit chain, kept outside the DuckDB file.

身份证号 becomes HMAC-SHA256(secret, normalised id). The secret comes from $HQD_SECRET or from a 0600 file
beside the warehouse; without it the pseudonyms cannot be recomputed or reversed, and two warehouses with
different secrets cannot be linked. So a secret is created only for a warehouse that holds nothing keyed by
one: once pseudonyms (or a sealed audit log) exist, a missing secret is an error, never a reason to make a new
one — a new secret would silently stop every new row linking with the old ones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

_BLOCK = 64  # SHA-256 block size


def load_secret(secret_path: Path, *, create: bool = True) -> bytes:
    env = os.environ.get("HQD_SECRET")
    if env:
        return env.encode("utf-8")
    if secret_path.exists():
        return secret_path.read_bytes().strip()
    if not create:
        raise FileNotFoundError(secret_path)
    value = secrets.token_hex(32).encode()
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value + b"\n")
    return value


class SecretMissing(RuntimeError):
    """The warehouse holds values keyed by its secret, and the secret is gone (one sentence, zh / en)."""


def keyed_columns() -> list[tuple[str, str]]:
    """(table, column) of every pseudonymised identifier: the id_hash fields of the catalog."""
    from hqd.ingest.spec import kinds, load_kind

    found = []
    for kind in kinds():
        spec = load_kind(kind)
        found += [(spec.table, f.column) for f in spec.fields if f.type == "id_hash"]
    return sorted(set(found))


def keyed_rows(con: duckdb.DuckDBPyConnection) -> str | None:
    """The first table holding values keyed by the secret (a pseudonym, a sealed audit entry), or None."""
    present = {
        (t, c)
        for t, c in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
        ).fetchall()
    }
    for table, column in [*keyed_columns(), ("audit_log", "mac")]:
        if (table, column) in present and con.execute(
            f'SELECT 1 FROM "{table}" WHERE "{column}" IS NOT NULL LIMIT 1'
        ).fetchone():
            return table
    return None


def check_secret(con: duckdb.DuckDBPyConnection, secret_path: Path) -> None:
    """Refuse a warehouse whose secret is missing while rows keyed by it exist."""
    if os.environ.get("HQD_SECRET") or secret_path.exists():
        return
    table = keyed_rows(con)
    if table is not None:
        raise SecretMissing(
            f"密钥文件 {secret_path} 不存在，而仓库的 {table} 表已有用该密钥生成的假名或校验码；请从备份恢复密钥"
            f"（新建密钥会使新旧记录无法关联） / the secret {secret_path} is missing while table {table} holds "
            "values keyed by it; restore the secret from the backup (a new secret would silently break the "
            "linkage of new rows with the old ones)"
        )


def normalise_id(value: str) -> str:
    """The form hashed: half-width, no spaces, upper-case X check digit."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def pseudonym(secret: bytes, value: str) -> str:
    """Python reference of the pseudonym (the loader computes the same in SQL)."""
    return hmac.new(secret, normalise_id(value).encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_sql(secret: bytes, expr: str) -> str:
    """HMAC-SHA256 of the SQL text expression `expr` under `secret`, as a DuckDB expression.

    HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key padded to the block size.
    """
    key = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
    key = key.ljust(_BLOCK, b"\0")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    opad = bytes(b ^ 0x5C for b in key).hex()
    inner = f"unhex(sha256(unhex('{ipad}') || encode({expr})))"
    return f"sha256(unhex('{opad}') || {inner})"
