"""The per-warehouse secret that keys patient pseudonyms, kept outside the DuckDB file.

身份证号 becomes HMAC-SHA256(secret, normalised id). The secret comes from $HQD_SECRET or from a 0600 file
beside the warehouse, created on first use; without it the pseudonyms cannot be recomputed or reversed,
and two warehouses with different secrets cannot be linked.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

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
