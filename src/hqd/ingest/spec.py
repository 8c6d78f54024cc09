"""The field map of one kind of input file, read from catalog/fields/<kind>.yaml and checked on load.

The loader is generic; everything particular to a kind (headers, aliases, types, keys, cross-field checks)
lives in its YAML file. A broken entry fails here, naming the file and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from hqd.catalog import CatalogError, catalog_dir, load_yaml

TYPES = {
    "text",
    "identifier",
    "integer",
    "number",
    "date",
    "datetime",
    "date_or_year",
    "period",
    "code",
    "bool",
    "org_code",
    "region_code",
    "org_or_region",
    "icd10",
    "icd9",
    "id_hash",
    "drop",
    "element",
    "element_value",
}
REFS = {"institution", "region", "institution_or_region"}
OWNER_TYPES = {"org_code", "region_code", "org_or_region"}


@dataclass(frozen=True)
class Alias:
    name: str
    scale: float | None = None


@dataclass(frozen=True)
class Field:
    """One canonical column and the headers users give it."""

    column: str
    header: str
    type: str
    aliases: tuple[Alias, ...] = ()
    required: bool = False
    valueset: str | None = None
    min: float | None = None
    max: float | None = None
    ref: str | None = None
    outside_ok: bool | str = False
    resolve_name: bool = False
    resolved_column: str | None = None
    default: str | None = None
    cost_item: bool = False
    long_only: bool = False
    true_labels: tuple[str, ...] = ()
    false_labels: tuple[str, ...] = ()
    year_flag: str | None = None
    upper: bool = False  # an identifier that is a code (DRG编码): compared and stored upper-case

    @property
    def names(self) -> tuple[Alias, ...]:
        return (Alias(self.header), *self.aliases)

    @property
    def stored(self) -> bool:
        return self.type != "drop"


@dataclass(frozen=True)
class Split:
    """A combined cell ("Ⅰ/甲") that fills several columns of a repeat group."""

    header: str
    aliases: tuple[str, ...]
    sep: str
    into: tuple[str, ...]


@dataclass(frozen=True)
class Repeat:
    """Numbered columns (其他诊断编码1…40) stored as a long child table."""

    table: str
    max: int
    present_when: str
    fields: tuple[Field, ...]
    splits: tuple[Split, ...] = ()


@dataclass(frozen=True)
class Check:
    """A cross-field rule: the row is quarantined when `fail_when` (SQL over canonical columns) is true."""

    rule: str
    field: str
    fail_when: str
    other: str | None = None
    value_sql: str | None = None


@dataclass(frozen=True)
class Derive:
    column: str
    sql: str | None = None
    when_missing: str | None = None
    flag: str | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title_zh: str
    title_en: str
    table: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    repeats: tuple[Repeat, ...] = ()
    checks: tuple[Check, ...] = ()
    derive: tuple[Derive, ...] = ()
    layout: str = "rows"
    history_table: str | None = None
    source: str = ""
    # The field(s) naming the organisation a row belongs to, checked against a scoped writer
    # (hqd.ingest.write_scope); a kind without one is loaded by admins and the command line only.
    owner: tuple[str, ...] = ()

    def field(self, column: str) -> Field:
        for f in self.fields:
            if f.column == column:
                return f
        raise KeyError(column)

    def header_of(self, column: str) -> str:
        return self.field(column).header


def _alias(raw: Any, where: str) -> Alias:
    if isinstance(raw, str):
        return Alias(raw)
    if isinstance(raw, dict) and "name" in raw:
        return Alias(str(raw["name"]), float(raw["scale"]) if raw.get("scale") is not None else None)
    raise CatalogError(f"{where}: 别名格式错误 / malformed alias {raw!r}")


def _field(raw: dict[str, Any], where: str, valuesets: dict[str, Any]) -> Field:
    known = set(Field.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise CatalogError(f"{where}: 未知的属性 {sorted(unknown)} / unknown keys {sorted(unknown)}")
    for required_key in ("column", "header", "type"):
        if required_key not in raw:
            raise CatalogError(f"{where}: 缺少 {required_key} / missing {required_key}")
    where = f"{where} column {raw['column']}"
    if raw["type"] not in TYPES:
        raise CatalogError(f"{where}: 未知类型 {raw['type']} / unknown type {raw['type']}")
    if raw["type"] == "code" and raw.get("valueset") not in valuesets:
        raise CatalogError(
            f"{where}: 取值集 {raw.get('valueset')} 不存在 / unknown value set {raw.get('valueset')}"
        )
    if raw.get("ref") and raw["ref"] not in REFS:
        raise CatalogError(f"{where}: 未知引用 {raw['ref']} / unknown ref {raw['ref']}")
    values = dict(raw)
    values["aliases"] = tuple(_alias(a, where) for a in raw.get("aliases", []))
    values["true_labels"] = tuple(raw.get("true_labels", []))
    values["false_labels"] = tuple(raw.get("false_labels", []))
    values["header"] = str(raw["header"])
    return Field(**values)


@cache
def load_kind(kind: str) -> KindSpec:
    """Read and check catalog/fields/<kind>.yaml."""
    relative = f"fields/{kind}.yaml"
    if not (catalog_dir() / relative).exists():
        raise CatalogError(f"未知的数据类型 {kind} / unknown kind {kind}; known: {', '.join(kinds())}")
    raw = load_yaml(relative)
    valuesets = load_yaml("valuesets.yaml")
    where = relative
    try:
        fields = tuple(_field(f, where, valuesets) for f in raw["fields"])
        repeats = tuple(
            Repeat(
                table=r["table"],
                max=int(r["max"]),
                present_when=r["present_when"],
                fields=tuple(_field(f, f"{where} repeat {r['table']}", valuesets) for f in r["fields"]),
                splits=tuple(
                    Split(s["header"], tuple(s.get("aliases", [])), s["sep"], tuple(s["into"]))
                    for s in r.get("splits", [])
                ),
            )
            for r in raw.get("repeats", [])
        )
        spec = KindSpec(
            kind=raw["kind"],
            title_zh=raw["title_zh"],
            title_en=raw["title_en"],
            table=raw["table"],
            key=tuple(raw["key"]),
            fields=fields,
            repeats=repeats,
            checks=tuple(Check(**c) for c in raw.get("checks", [])),
            derive=tuple(Derive(**d) for d in raw.get("derive", [])),
            layout=raw.get("layout", "rows"),
            history_table=raw.get("history_table"),
            source=relative,
            owner=tuple(raw.get("owner", ())),
        )
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"{where}: 格式错误 / malformed entry: {exc}") from exc
    if spec.kind != kind:
        raise CatalogError(f"{where}: kind 应为 {kind} / kind must be {kind}, not {spec.kind}")
    columns = {f.column for f in fields}
    missing_key = [k for k in spec.key if k not in columns]
    if missing_key:
        raise CatalogError(f"{where}: 主键列 {missing_key} 未定义 / key columns {missing_key} are not fields")
    for column in spec.owner:
        owner = next((f for f in fields if f.column == column), None)
        if owner is None or not owner.required or owner.type not in OWNER_TYPES:
            raise CatalogError(
                f"{where}: owner {column} 应为必填的机构或区划代码字段 / "
                f"owner {column} must be a required institution or region code field"
            )
    headers = {f.header for f in fields}
    for check in spec.checks:
        for name in (check.field, check.other):
            if name and name not in headers:
                raise CatalogError(
                    f"{where}: 校验 {check.rule} 引用了未知表头 {name} / check names unknown header"
                )
    return spec


def kinds() -> list[str]:
    return sorted(p.stem for p in (catalog_dir() / "fields").glob("*.yaml"))
