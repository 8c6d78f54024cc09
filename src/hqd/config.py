"""Settings read once from the environment, so every command finds the same warehouse and secret."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the warehouse lives, how much memory DuckDB may use, and how the server and files are guarded."""

    db_path: Path
    memory_limit: str
    threads: int | None
    # HQD_TRUSTED_PROXIES: comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed
    trusted_proxies: str = ""
    # HQD_FILE_GROUP: a group that may read the files hqd writes (0640); without it they are 0600
    file_group: str | None = None

    @property
    def secret_path(self) -> Path:
        """The pseudonymisation secret sits beside the warehouse, never inside it."""
        return self.db_path.with_name(self.db_path.name + ".secret")

    @property
    def file_mode(self) -> int:
        """The mode of every file hqd creates: owner only, or owner + the configured group reading."""
        return 0o640 if self.file_group else 0o600

    @property
    def umask(self) -> int:
        return 0o027 if self.file_group else 0o077


class SettingError(ValueError):
    """An environment setting hqd cannot use; the message is one Chinese + English sentence."""


def settings() -> Settings:
    threads = os.environ.get("HQD_THREADS")
    return Settings(
        db_path=Path(os.environ.get("HQD_DB", "hqd.duckdb")),
        memory_limit=os.environ.get("HQD_MEMORY_LIMIT", "1GB"),
        threads=int(threads) if threads else None,
        trusted_proxies=os.environ.get("HQD_TRUSTED_PROXIES", ""),
        file_group=os.environ.get("HQD_FILE_GROUP") or None,
    )


def restrict_files(cfg: Settings | None = None) -> int:
    """Set the process umask so every file and directory hqd creates from here on (warehouse, WAL, exports,
    reports, uploads, temporary files, the secret) is private to the owner, or readable by the configured
    group. Returns the previous umask."""
    return os.umask((cfg or settings()).umask)
