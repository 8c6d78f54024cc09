"""`hqd programme ratings`: IT ratings, centre accreditations, key specialties, regional centres and hospital
grades (programmes.md §4–6, §8) — the latest level per institution as of the period's end, placed on the
item's ordered scale (catalog/scales.yaml), the number of institutions per level in each region, and the
targets set on levels.

A level is compared by its position on its scale, never by its text (五级乙等 > 四级甲等, 6级 > 5级); a level
the scale does not list is shown as written and counted apart, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
from rich.console import Console

from hqd.indicators import prepare
from hqd.programmes.pages import LEVEL_ZH, OutOption, PeriodOption, num, org_names, show, write_out
from hqd.targets.scales import scales

LATEST = ["org_code", "org_name", "county_code", "item", "specialty", "level", "ordinal", "scale_top", "rated_on",
          "note"]  # fmt: skip
COUNTS = ["region_code", "region_name", "region_level", "item", "level", "ordinal", "institutions",
          "institutions_at_or_above", "specialties"]  # fmt: skip


@dataclass(frozen=True)
class Held:
    """The latest level of one (institution, item, specialty) on or before a day."""

    org_code: str
    item: str
    specialty: str
    level: str
    rated_on: date
    ordinal: int | None


def latest_levels(con: duckdb.DuckDBPyConnection, before: date) -> list[Held]:
    """Per institution, item and specialty, the rating awarded last before `before` (the period's end)."""
    rows = con.execute(
        "SELECT org_code, item, specialty, arg_max(level, rated_on), max(rated_on) FROM ratings "
        "WHERE rated_on < ? GROUP BY org_code, item, specialty ORDER BY org_code, item, specialty",
        [before],
    ).fetchall()
    known = scales()
    return [Held(o, i, s, lv, d, known[i].ordinal(lv) if i in known else None) for o, i, s, lv, d in rows]


def latest_rows(con: duckdb.DuckDBPyConnection, held: list[Held]) -> list[dict[str, Any]]:
    names = org_names(con)
    county = dict(con.execute("SELECT org_code, region_code FROM institutions").fetchall())
    known = scales()
    out = []
    for h in held:
        scale = known.get(h.item)
        note = "" if h.ordinal is not None else (
            f"“{h.level}”不在 {h.item} 的等级序列中 / not a level of the {h.item} scale (catalog/scales.yaml)")  # fmt: skip
        out.append({"org_code": h.org_code, "org_name": names.get(h.org_code, ""), "county_code": county.get(h.org_code),
                    "item": h.item, "specialty": h.specialty, "level": h.level, "ordinal": h.ordinal,
                    "scale_top": scale.levels[-1][0] if scale else None, "rated_on": h.rated_on.isoformat(),
                    "note": note})  # fmt: skip
    return out


def count_rows(con: duckdb.DuckDBPyConnection, held: list[Held]) -> list[dict[str, Any]]:
    """Per region (county, city, province), item and level: institutions whose best level of the item is that
    level, institutions at or above it, and the specialties (rows) at that level."""
    regions = {org: (county, city, province) for org, county, city, province in con.execute(
        f"SELECT org_code, county_code, city_code, province_code FROM ({prepare.org_levels_sql()})").fetchall()}  # fmt: skip
    names = org_names(con)
    best: dict[tuple[str, str], int | None] = {}
    for h in held:
        key = (h.org_code, h.item)
        if h.ordinal is not None and (best.get(key) is None or h.ordinal > best[key]):  # type: ignore[operator]
            best[key] = h.ordinal
        else:
            best.setdefault(key, None)
    out = []
    known = scales()
    items = sorted(
        {h.item for h in held}, key=lambda i: (i not in known, list(known).index(i) if i in known else 0, i)
    )
    for level_name, index in (("county", 0), ("city", 1), ("province", 2)):
        codes = sorted({r[index] for r in regions.values() if r[index]})
        for code in codes:
            members = {org for org, r in regions.items() if r[index] == code}
            for item in items:
                mine = {org: o for (org, it), o in best.items() if it == item and org in members}
                if not mine:
                    continue
                scale = known.get(item)
                for ordinal, label, _ in scale.levels if scale else ():
                    specialties = sum(
                        1 for h in held if h.item == item and h.org_code in members and h.ordinal == ordinal
                    )
                    at = sum(1 for o in mine.values() if o == ordinal)
                    above = sum(1 for o in mine.values() if o is not None and o >= ordinal)
                    if above:
                        out.append({"region_code": code, "region_name": names.get(code, ""), "region_level": level_name,
                                    "item": item, "level": label, "ordinal": ordinal, "institutions": at,
                                    "institutions_at_or_above": above, "specialties": specialties})  # fmt: skip
                off = sum(1 for o in mine.values() if o is None)
                if off:
                    out.append({"region_code": code, "region_name": names.get(code, ""), "region_level": level_name,
                                "item": item, "level": "（不在等级序列中 not on the scale）", "ordinal": None,
                                "institutions": off, "institutions_at_or_above": None, "specialties": None})  # fmt: skip
    return out


def print_page(
    latest: list[dict], counts: list[dict], targets: list[dict], period: str, console: Console
) -> None:
    show(console, f"评级与认证：各机构最新等级 latest level per institution · 截至 {period} 期末",
         ["机构 institution", "项目 item", "专科 specialty", "等级 level", "序位 position", "评定日期 rated on", "说明 note"],
         [[r["org_name"] or r["org_code"], r["item"], r["specialty"], r["level"],
           f"{r['ordinal']}/{r['scale_top']}" if r["ordinal"] is not None else "—", r["rated_on"], r["note"]]
          for r in latest])  # fmt: skip
    show(console, f"各区域等级分布 institutions per level and region · {period}",
         ["区域 region", "项目 item", "等级 level", "机构数 at level", "达到及以上 at or above", "专科数 specialties"],
         [[f"{r['region_name'] or r['region_code']}（{LEVEL_ZH.get(r['region_level'], '')}）", r["item"], r["level"],
           num(r["institutions"]), num(r["institutions_at_or_above"]), num(r["specialties"])]
          for r in counts if r["region_level"] != "province" and r["institutions"]])  # fmt: skip
    if targets:
        from hqd.targets.board import print_board

        print_board(targets, console)


def rating_targets(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The loaded targets set on a rating item, evaluated on the item's scale."""
    from hqd.targets import board

    return board.rows(con, board.evaluate_all(con, keep=lambda t, m: m is not None and m.kind == "rating"))


def ratings(period: PeriodOption, out: OutOption = None) -> None:
    """评级、认证与重点专科 / IT ratings, accreditations and key specialties: latest levels, counts, targets."""
    from hqd.indicators.periods import parse
    from hqd.scoring.commands import check_out, console, warehouse
    from hqd.targets.board import COLUMNS as TARGET_COLUMNS

    check_out(out)
    with warehouse() as con:
        p = parse(period)
        held = latest_levels(con, p.end)
        latest, counts = latest_rows(con, held), count_rows(con, held)
        targets = rating_targets(con)
    if not held:
        console.print(f"截至 {p.text} 期末没有已导入的评级 / no ratings loaded up to the end of {p.text}")
    print_page(latest, counts, targets, p.text, console)
    write_out(console, out, [
        ("latest", LATEST, ([r[c] for c in LATEST] for r in latest)),
        ("counts", COUNTS, ([r[c] for c in COUNTS] for r in counts)),
        ("targets", TARGET_COLUMNS, ([r[c] for c in TARGET_COLUMNS] for r in targets)),
    ])  # fmt: skip
