"""The import summary: what happened to every row of a file, in numbers that add up."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

JSON_KEYS = (
    "file",
    "kind",
    "import_id",
    "status",
    "message",
    "read",
    "new",
    "updated",
    "unchanged",
    "quarantined",
    "duplicate",
)


@dataclass
class Reason:
    """One group of quarantine reasons: a rule on a field, with the rows it hit."""

    rule: str
    field: str | None
    count: int
    rows: list[str]
    message_zh: str
    message_en: str


@dataclass
class Summary:
    file: str
    kind: str
    import_id: int | None = None
    status: str = "accepted"
    message: str = ""
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicate: int = 0
    reasons: list[Reason] = field(default_factory=list)
    encoding: str | None = None
    file_type: str | None = None
    sheets: list[dict[str, Any]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    blank_rows: int = 0
    dry_run: bool = False
    same_as: int | None = None

    @property
    def adds_up(self) -> bool:
        return self.read == self.new + self.updated + self.unchanged + self.quarantined + self.duplicate

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: data[k] for k in JSON_KEYS}
