"""The early-warning rules catalog (catalog/ews_rules.yaml), checked in full so a broken rule fails by name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from hqd.catalog import CatalogError, catalog_dir

from .algorithms import REGISTRY, EwsParameterError

RULES_FILE = "ews_rules.yaml"
FREQUENCIES = {"daily": 365, "weekly": 52}
DATE_BASES = ("onset", "report")
# The control key holding "years of history" per algorithm, and R's default for it: the short-history
# fallback (min_years) steps it down, so only these algorithms accept min_years.
YEARS_KEY = {"mpm": ("years", 3), "farrington": ("b", 5), "farringtonFlexible": ("b", 5)}
_KEYS = {
    "id",
    "title_zh",
    "title_en",
    "algorithm",
    "frequency",
    "date_basis",
    "parameters",
    "min_years",
    "quiet_days",
    "diseases",
    "source",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Rule:
    """One configured rule; parameters are passed to the algorithm unchanged (R's control names)."""

    id: str
    algorithm: str
    frequency: str
    date_basis: str
    diseases: tuple[str, ...]
    source: str
    parameters: dict[str, Any] = field(default_factory=dict)
    min_years: int | None = None
    quiet_days: int = 0
    title_zh: str = ""
    title_en: str = ""

    @property
    def freq(self) -> int:
        """The algorithms' frequency code (365 or 52) for this rule's time axis."""
        return FREQUENCIES[self.frequency]

    @property
    def years(self) -> int | None:
        """Years of history the rule asks for, None for algorithms that do not look back by year."""
        if self.algorithm not in YEARS_KEY:
            return None
        key, default = YEARS_KEY[self.algorithm]
        return int(self.parameters.get(key, default))

    def with_years(self, years: int) -> dict[str, Any]:
        """The control with the years stepped down, as used (and stored) when history is short."""
        key, _ = YEARS_KEY[self.algorithm]
        return {**self.parameters, key: years}


def default_path() -> Path:
    return catalog_dir() / RULES_FILE


def load_rules(path: Path | None = None) -> list[Rule]:
    """Read and check every rule; raises CatalogError naming the file and the rule."""
    path = path or default_path()
    name = path.name if path == default_path() else str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"预警规则文件 {name} 不存在；the rules file {name} does not exist") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f"第 {where.line + 1} 行" if where else ""
        line_en = f" at line {where.line + 1}" if where else ""
        raise CatalogError(
            f"预警规则文件 {name} {line}不是有效的 YAML；the rules file {name} is not valid YAML{line_en}"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list) or not doc["rules"]:
        raise CatalogError(
            f"预警规则文件 {name} 需要一个非空的 rules 列表；the rules file {name} needs a non-empty `rules` list"
        )
    rules: list[Rule] = []
    for i, entry in enumerate(doc["rules"], start=1):
        rule = _rule(name, i, entry)
        if any(r.id == rule.id for r in rules):
            raise _error(name, i, rule.id, "规则 id 重复", "the rule id is used twice")
        for other in rules:
            same = set(other.diseases) & set(rule.diseases)
            if same and (other.algorithm, other.frequency) == (rule.algorithm, rule.frequency):
                d = sorted(same)[0]
                raise _error(
                    name,
                    i,
                    rule.id,
                    f"疾病 {d} 已在规则 {other.id} 中用同一算法和频率监测",
                    f"disease {d} is already monitored by rule {other.id} with the same algorithm and frequency",
                )
        rules.append(rule)
    return rules


def _error(name: str, index: int, rule_id: object, zh: str, en: str) -> CatalogError:
    label = f"{rule_id}" if isinstance(rule_id, str) and rule_id else f"#{index}"
    return CatalogError(
        f"预警规则文件 {name} 第 {index} 条规则（{label}）：{zh}；rules file {name}, rule {index} ({label}): {en}"
    )


def _rule(name: str, index: int, entry: object) -> Rule:
    if not isinstance(entry, dict):
        raise _error(name, index, None, "规则必须是键值映射", "a rule must be a mapping of keys to values")
    rid = entry.get("id")

    def bad(zh: str, en: str) -> CatalogError:
        return _error(name, index, rid, zh, en)

    unknown = sorted(set(map(str, entry)) - _KEYS)
    if unknown:
        raise bad(f"未知的键 {unknown[0]}", f"unknown key {unknown[0]}")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise bad(
            "id 必须是小写字母、数字、- 或 _ 组成的名称",
            "id must be a name of lowercase letters, digits, - or _",
        )
    algorithm = entry.get("algorithm")
    if algorithm not in REGISTRY:
        raise bad(
            f"算法 {algorithm!r} 未注册（可选 {'/'.join(REGISTRY)}）",
            f"algorithm {algorithm!r} is not registered (choose {'/'.join(REGISTRY)})",
        )
    frequency = entry.get("frequency")
    if frequency not in FREQUENCIES:
        raise bad(
            f"frequency={frequency!r} 只能是 daily 或 weekly",
            f"frequency={frequency!r} must be daily or weekly",
        )
    basis = entry.get("date_basis", "onset")
    if basis not in DATE_BASES:
        raise bad(
            f"date_basis={basis!r} 只能是 onset 或 report", f"date_basis={basis!r} must be onset or report"
        )
    diseases = entry.get("diseases")
    if (
        not isinstance(diseases, list)
        or not diseases
        or not all(isinstance(d, str) and d.strip() for d in diseases)
    ):
        raise bad("diseases 必须是非空的病名列表", "diseases must be a non-empty list of disease names")
    dupes = sorted({d for d in diseases if diseases.count(d) > 1})
    if dupes:
        raise bad(f"疾病 {dupes[0]} 重复列出", f"disease {dupes[0]} is listed twice")
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise bad("缺少 source（规则的出处）", "source (where the rule comes from) is missing")
    params = entry.get("parameters") or {}
    if not isinstance(params, dict):
        raise bad("parameters 必须是键值映射", "parameters must be a mapping of keys to values")
    rule = Rule(
        id=rid,
        algorithm=algorithm,
        frequency=frequency,
        date_basis=basis,
        diseases=tuple(d.strip() for d in diseases),
        source=source.strip(),
        parameters=dict(params),
        min_years=entry.get("min_years"),
        quiet_days=int(entry.get("quiet_days", 0) or 0),
        title_zh=str(entry.get("title_zh", "")),
        title_en=str(entry.get("title_en", "")),
    )
    try:
        _probe(rule)
    except (EwsParameterError, TypeError, ValueError) as exc:
        raise bad(f"参数无效：{exc}", f"invalid parameters: {exc}") from None
    if rule.min_years is not None:
        if rule.years is None:
            raise bad(
                f"算法 {algorithm} 不按年回溯，不能设 min_years", f"algorithm {algorithm} takes no min_years"
            )
        if (
            not isinstance(rule.min_years, int)
            or isinstance(rule.min_years, bool)
            or not (1 <= rule.min_years <= rule.years)
        ):
            raise bad(
                f"min_years={rule.min_years!r} 必须是 1 到 {rule.years} 之间的整数",
                f"min_years={rule.min_years!r} must be an integer from 1 to {rule.years}",
            )
    return rule


def _probe(rule: Rule) -> None:
    """Run the algorithm once on zeros, so bad values fail at load time with the algorithm's own message."""
    years = rule.years or 1
    if not 1 <= years <= 30:
        raise EwsParameterError(f"回溯年数 {years} 超出 1..30；years back {years} is outside 1..30")
    step = 1 if rule.frequency == "daily" else 7
    n = (366 * (years + 1) + 120) // step
    dates = np.datetime64("2000-01-02") + np.arange(n) * step
    REGISTRY[rule.algorithm](np.zeros(n), dates=dates, freq=rule.freq, range=[n], control=rule.parameters)
