"""Value sets from catalog/valuesets.yaml, compiled to SQL that maps every accepted form to its code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hqd.catalog import load_yaml
from hqd.warehouse.macros import _FULL, _HALF

_TO_HALF = str.maketrans(_FULL, _HALF)


def norm_value(text: str) -> str:
    """The Python twin of the SQL `upper(hqd_norm(x))`, so catalog labels compare like cells."""
    return text.translate(_TO_HALF).strip().upper()


def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ValueSet:
    name: str
    name_zh: str
    values: tuple[tuple[str, str, tuple[str, ...]], ...]  # (code, label, aliases)

    def hint(self) -> str:
        """The allowed values as users read them: 1 医嘱离院、2 医嘱转院 … (or just the labels)."""
        parts = [label if code == label else f"{code} {label}" for code, label, _ in self.values]
        return "、".join(parts)

    def forms(self) -> dict[str, str]:
        """Accepted form -> code, the codes first: most cells hold a code, and CASE stops at the first match."""
        table: dict[str, str] = {norm_value(code): code for code, _, _ in self.values}
        for code, label, aliases in self.values:
            for form in (label, *aliases):
                table.setdefault(norm_value(str(form)), code)
        return table

    def sql(self, n: str) -> str:
        """SQL mapping the normalised cell `n` to its code, or NULL when it is none of the accepted forms."""
        whole = " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v)}" for k, v in self.forms().items())
        codes = " ".join(f"WHEN {sql_str(norm_value(c))} THEN {sql_str(c)}" for c, _, _ in self.values)
        return (
            f"(CASE WHEN {n} IS NULL THEN NULL ELSE (CASE upper({n}) {whole} "
            f"ELSE (CASE upper(hqd_code_prefix_n({n})) {codes} END) END) END)"
        )


@lru_cache(maxsize=1)
def valuesets() -> dict[str, ValueSet]:
    raw = load_yaml("valuesets.yaml")
    return {
        name: ValueSet(
            name,
            entry.get("name_zh", name),
            tuple(
                (str(v["code"]), str(v["label"]), tuple(str(a) for a in v.get("aliases", [])))
                for v in entry["values"]
            ),
        )
        for name, entry in raw.items()
    }
