"""The 评判标准 checklist (catalog/schemes/ccm_criteria.yaml): each county 达标 or 未达标, with the reasons.

A criterion is what the county reported for its text element in the period (the latest sub-period wins, as for
every reported value); the set passes by the scheme's rule, all criteria met by default. Anything not met is a
reason, and so is a criterion not reported or reported in words the scheme does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from hqd.catalog import CatalogError, load_yaml
from hqd.indicators.periods import Period
from hqd.ingest.elements import elements

LABEL = {"met": "达标", "partly": "部分达标", "not_met": "未达标", "missing": "未报送", "unknown": "无法识别"}


@dataclass
class Criterion:
    element: str
    name_zh: str
    dimension: str
    reported: str | None
    status: str  # met | partly | not_met | missing | unknown


@dataclass
class Checklist:
    set_id: str
    name_zh: str
    verification: str
    passed: bool
    items: list[Criterion] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for c in self.items if c.status == "met")

    @property
    def reasons(self) -> list[str]:
        return [f"{c.name_zh}：{LABEL[c.status]}" + (f"（填报“{c.reported}”）" if c.status == "unknown" else "")
                for c in self.items if c.status != "met"]  # fmt: skip

    @property
    def verdict(self) -> str:
        return "达标" if self.passed else "未达标"


def scheme() -> dict:
    raw = load_yaml("schemes/ccm_criteria.yaml") or {}
    if raw.get("rule", "all_met") not in ("all_met", "min_share"):
        raise CatalogError(f"schemes/ccm_criteria.yaml: 未知规则 {raw.get('rule')} / unknown rule")
    return raw


def _status(text: str | None, statuses: dict[str, list[str]]) -> str:
    if text is None or not text.strip():
        return "missing"
    for status, words in statuses.items():
        if text.strip() in words:
            return status
    return "unknown"


def reported_texts(
    con: duckdb.DuckDBPyConnection, org: str, codes: list[str], period: Period
) -> dict[str, str]:
    """The latest reported text of each element for one organisation within the period."""
    subs = period.sub_periods()
    rows = con.execute(
        f"SELECT element, arg_max(value_text, period) FROM reported_values WHERE org_code = ? "
        f"AND element IN ({', '.join('?' * len(codes))}) AND period IN ({', '.join('?' * len(subs))}) "
        "GROUP BY element",
        [org, *codes, *subs],
    ).fetchall()
    return dict(rows)


def evaluate(con: duckdb.DuckDBPyConnection, county: str, period: Period) -> list[Checklist]:
    raw = scheme()
    names = {e.code: e.name_zh for e in elements()}
    out = []
    for set_id, spec in raw["sets"].items():
        codes = [c["element"] for c in spec["criteria"]]
        texts = reported_texts(con, county, codes, period)
        items = [
            Criterion(c["element"], names.get(c["element"], c["element"]), c["dimension"], texts.get(c["element"]),
                      _status(texts.get(c["element"]), raw["statuses"]))
            for c in spec["criteria"]
        ]  # fmt: skip
        met = sum(1 for i in items if i.status == "met")
        if raw.get("rule", "all_met") == "all_met":
            passed = met == len(items)
        else:
            passed = met / len(items) >= float(raw.get("min_share", 1.0))
        out.append(Checklist(set_id, spec["name_zh"], spec.get("verification", ""), passed, items))
    return out
