"""The declarative catalog (field maps, value sets, rules, data elements): finding and versioning its files.

Definitions are data so an analyst can review them; this module only locates the files and fingerprints
them, so every stored result can say which catalog produced it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


class CatalogError(ValueError):
    """A catalog file is malformed; the message names the file and the entry."""


def catalog_dir() -> Path:
    return Path(str(resources.files("hqd.catalog")))


def load_yaml(relative: str) -> Any:
    path = catalog_dir() / relative
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(
            f"目录文件 {relative} 不是有效的 YAML / catalog file {relative} is not valid YAML: {exc}"
        ) from exc


@lru_cache(maxsize=1)
def catalog_version() -> str:
    """A short fingerprint of every catalog file, stored with imports and computed values."""
    digest = hashlib.sha256()
    root = catalog_dir()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".sql", ".csv"}:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
