"""The entry point: write every file of 示例市's demo data, in load order, plus manifest.json (ground truth)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hqd.demo import (
    assistance,
    capability,
    centres,
    claims,
    county_programme,
    discharge_files,
    idr,
    inpatient,
    memberships,
    national,
    ratings_targets,
    reference,
    referrals,
    values,
)
from hqd.demo.base import DEFAULT_DISCHARGES, DEFAULT_SEED, DemoFile, Malformed, Table
from hqd.demo.costs import COST_ITEMS, SUB_ITEMS
from hqd.demo.formats import Style
from hqd.demo.malform import Break, count_for, inject, insert_row
from hqd.demo.region import COUNTIES, DESIGNED_SHARE, RegionModel, build_region
from hqd.demo.writers import Sheet, write_csv, write_xlsx

MALFORMED_NOTES = {
    "row": "row number as the user sees it: CSV line / Excel row, the header row counted (data start at 2, or at 3 "
    "in a sheet that begins with a blank row); sheet names the XLSX sheet",
    "copies": "every malformed row is an extra copy of a good row with one defect; the good rows are all kept",
    "duplicate_row": "identical to related_row (earlier); a loader keeps one and counts the other as a duplicate",
    "key_conflict": "same natural key as related_row (earlier) with different content; a loader may quarantine "
    "both. related_row is never part of any ground truth here (no outbreak card, no county resident's stay, "
    "no inpatient settlement, no 下转 referral), so every figure in this manifest holds either way",
}
STREAMS = (
    "episodes",
    "discharge_files",
    "claims",
    "referrals",
    "centres",
    "idr",
    "assistance",
    "memberships",
    "values",
    "malform",
)


class _Out:
    """Collects written files and the malformed rows recorded for them."""

    def __init__(self, root: Path, rng: np.random.Generator) -> None:
        self.root, self.rng = root, rng
        self.files: list[DemoFile] = []
        self.malformed: list[Malformed] = []
        self.summary: list[dict] = []

    def csv(
        self,
        kind: str,
        rel: str,
        table: Table,
        breaks: list[Break] | None = None,
        *,
        encoding: str = "gbk",
        rename: dict[str, str] | None = None,
        protect: np.ndarray | None = None,
    ) -> None:
        table, notes = self._break(table, breaks, rel, None, 1, rename, protect)
        write_csv(self.root / rel, table.rename(rename) if rename else table, encoding=encoding)
        self._record(kind, rel, len(table), notes, encoding)

    def xlsx(
        self,
        kind: str,
        rel: str,
        sheets: list[tuple[str, Table, list[Break] | None]],
        *,
        date_cells: bool = False,
        notes_sheet: list[str] | None = None,
    ) -> None:
        out, notes, rows = [], [], 0
        for name, table, breaks in sheets:
            broken, n = self._break(table, breaks, rel, name, 1, None, None)
            out.append(Sheet(name, broken))
            notes += n
            rows += len(broken)
        if notes_sheet:
            out.append(Sheet("说明", notes=notes_sheet))
        write_xlsx(self.root / rel, out, date_cells=date_cells)
        self._record(kind, rel, rows, notes, "xlsx")

    def _break(
        self,
        table: Table,
        breaks: list[Break] | None,
        rel: str,
        sheet: str | None,
        header_row: int,
        rename: dict[str, str] | None,
        protect: np.ndarray | None,
    ) -> tuple[Table, list[Malformed]]:
        if not breaks:
            return table, []
        return inject(
            table,
            breaks,
            count_for(len(table)),
            self.rng,
            file=rel,
            sheet=sheet,
            header_row=header_row,
            rename=rename,
            protect=protect,
        )

    def _record(self, kind: str, rel: str, rows: int, notes: list[Malformed], encoding: str) -> None:
        self.malformed += notes
        self.files.append(DemoFile(kind, self.root / rel, len(notes)))
        self.summary.append(
            {"kind": kind, "file": rel, "rows": rows, "malformed_rows": len(notes), "encoding": encoding}
        )


def generate(
    out_dir: Path, *, seed: int = DEFAULT_SEED, discharges: int = DEFAULT_DISCHARGES
) -> list[DemoFile]:
    """Write the demo region's files into out_dir; returns them in the order they must be loaded."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    model = build_region()
    rng = dict(
        zip(
            STREAMS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS))),
            strict=True,
        )
    )
    scale = discharges / DEFAULT_DISCHARGES
    out = _Out(root, rng["malform"])

    # reference data
    out.csv("regions", "reference/行政区划.csv", reference.regions_table(model))
    inst_table = reference.institutions_table(model)
    inst_table, note = insert_row(
        inst_table,
        reference.extra_clinic_row(model),
        len(inst_table) - 7,
        kind="missing_required",
        column="机构级别",
        detail="机构级别 is empty",
        file="reference/医疗卫生机构.csv",
    )
    write_csv(root / note.file, inst_table)
    out._record("institutions", note.file, len(inst_table), [note], "gbk")
    out.csv("codes-icd10", "reference/疾病分类代码国家临床版2.0_示例.csv", reference.icd10_table())
    out.csv("codes-icd9cm3", "reference/手术操作分类代码国家临床版3.0_示例.csv", reference.icd9_table())
    out.csv("codes-drg", "reference/CHS-DRG分组方案1.1_示例.csv", reference.drg_table(), encoding="utf-8")
    # a national reference distribution, for grades against the nation (invented, see national.py)
    out.csv("regions", "reference/参考分布区划.csv", national.region_table())
    out.csv("values", "reference/国考参考分布_2024-2025.csv", national.values_table())

    # inpatient episodes; the insurer's view decides some patients' 参保地 before the front sheets are written
    ep, design = inpatient.build(model, discharges, rng["episodes"])
    plan = claims.plan_insurance(ep, model, rng["claims"])
    dfiles, dbad, dsum = discharge_files.write_discharge_files(root, ep, model, rng["discharge_files"])
    out.files += dfiles
    out.malformed += dbad
    out.summary += [{"kind": "discharges", **s} for s in dsum]

    # reported values
    out.csv(
        "values",
        "values/门急诊月报_2024-2025.csv",
        values.monthly_table(model, scale, rng["values"]),
        values.MONTHLY_BREAKS,
    )
    finance, reported, reported_facts = values.annual_tables(model, ep, scale, rng["values"])
    out.xlsx("values", "values/财务年报与满意度_2023-2025.xlsx", [("年报", finance, values.ANNUAL_BREAKS)])
    out.csv("values", "values/绩效考核填报_2023-2025.csv", reported, values.REPORTED_BREAKS)
    region_values, values_facts = values.region_table(model)
    out.csv("values", "values/区县年度指标_2023-2025.csv", region_values)
    county_inst, county_region = county_programme.county_tables(model, rng["values"])
    out.csv("values", "values/医共体与三明医改填报_机构_2024-2025.csv", county_inst)
    out.csv("values", "values/医共体监测与评判标准_区县_2024-2025.csv", county_region)

    # referrals
    refs = referrals.build_referrals(ep, model, rng["referrals"])
    year = np.clip(refs["day"].astype("datetime64[Y]").astype(int) + 1970, 2024, 2025)
    for y, style in ((2024, Style()), (2025, Style(dates="slash", seconds=False))):
        idx = np.flatnonzero(year == y)
        out.csv(
            "referrals",
            f"referrals/双向转诊记录_{y}.csv",
            referrals.referral_table(refs, idx, style),
            referrals.BREAKS,
            protect=refs["dir"][idx] == "下转",
        )

    # five centres
    sheets = centres.build_centre_cases(model, scale, rng["centres"])
    out.xlsx(
        "centre-cases",
        "centre-cases/五大中心病例登记_2024-2025.xlsx",
        [
            (f"{c}中心" if not c.startswith("危重") else f"{c}救治中心", t, centres.BREAKS)
            for c, t in sheets.items()
        ],
        date_cells=True,
    )

    # notifiable diseases 2022–2025
    cards = idr.build_cards(model, rng["idr"])
    card_year = cards["reported"].astype("datetime64[Y]").astype(int) + 1970
    for y in idr.IDR_YEARS:
        idx = np.flatnonzero(card_year == y)
        style = Style(dates="slash") if y == 2023 else Style()
        out.csv(
            "idr-cases",
            f"idr-cases/传染病报告卡_{y}.csv",
            idr.cards_table(cards, idx, style),
            idr.BREAKS,
            rename=idr.ALIASES_2025 if y == 2025 else None,
            protect=cards["outbreak"][idx],
        )

    # programmes
    assist_table, assist_facts = assistance.build_assistance(model, rng["assistance"])
    out.csv("assistance", "assistance/对口帮扶与学科共建台账_2024-2025.csv", assist_table, assistance.BREAKS)
    member_table, member_facts = memberships.build_memberships(model, rng["memberships"])
    out.csv("memberships", "memberships/医联体与专科联盟成员_2025.csv", member_table, memberships.BREAKS)
    out.csv("ratings", "ratings/评级认证与重点专科.csv", ratings_targets.build_ratings(model))
    out.csv("values", "values/县医院服务能力自评_2024-2025.csv", capability.build_capability(model))
    target_table, target_facts = ratings_targets.build_targets(
        model, DESIGNED_SHARE, values_facts, assist_facts, member_facts
    )
    out.csv("targets", "targets/发展目标.csv", target_table)

    # insurance settlements
    settle = claims.build_claims(ep, model, plan, rng["claims"])
    settle_year = settle["day"].astype("datetime64[Y]").astype(int) + 1970
    for y in (2024, 2025):
        idx = np.flatnonzero(settle_year == y)
        out.csv(
            "claims",
            f"claims/医保结算清单_{y}.csv",
            claims.claims_table(settle, idx, Style()),
            claims.BREAKS,
            rename=claims.HEADERS_2025 if y == 2025 else None,
            protect=settle["cat"][idx] == "住院",
        )

    manifest = {
        "generator": "hqd.demo",
        "manifest_version": 1,
        "seed": seed,
        "discharges": discharges,
        "region": _region_manifest(model),
        "files": out.summary,
        "malformed_notes": MALFORMED_NOTES,
        "malformed": [
            m.as_dict() for m in sorted(out.malformed, key=lambda m: (m.file, m.sheet or "", m.row))
        ],
        "outbreaks": idr.outbreak_manifest(model),
        "in_county_share": _share_manifest(model, ep, settle, design, plan),
        "targets": target_facts,
        "value_elements": values.value_elements(),
        "cost_items": list(COST_ITEMS),
        "cost_subitems": SUB_ITEMS,
        "facts": {
            "alliance": member_facts,
            "assistance": assist_facts,
            "region_values": values_facts,
            "values_not_reported": reported_facts["not_reported"],
            "referrals_down": _down_referrals(refs),
            "discharge_deaths": int(ep["died"].sum()),
            "discharge_rows_clean": len(ep["inst"]),
        },
    }
    (root / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, default=_json), encoding="utf-8"
    )
    return out.files


def _json(o: object) -> object:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    raise TypeError(type(o))


def _region_manifest(model: RegionModel) -> dict:
    return {
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "parent": r.parent,
                "population": r.population,
                "in_city": r.in_city,
            }
            for r in model.regions
        ],
        "institutions_in_city": sum(1 for x in model.institutions if x.in_city),
        "institutions_outside": [
            {"code": x.code, "name": x.name, "region": x.region} for x in model.institutions if not x.in_city
        ],
    }


def _share_manifest(model: RegionModel, ep: dict, settle: dict, design: dict, plan: dict) -> dict:
    inst_region = np.array([x.region for x in model.institutions], dtype=object)[ep["inst"]]
    s_year = settle["day"].astype("datetime64[Y]").astype(int) + 1970
    counties = []
    for county in COUNTIES:
        entry: dict = {
            "code": county,
            "name": model.region_name(county),
            "designed": {},
            "discharges": {},
            "claims": {},
            "design_counts": design[county],
            "claims_plan": plan[county],
        }
        for y in (2024, 2025):
            entry["designed"][y] = DESIGNED_SHARE[county][y]
            m = (ep["residence"] == county) & (ep["year"] == y)
            entry["discharges"][y] = round(float((inst_region[m] == county).mean()), 4)
            c = (settle["cat"] == "住院") & (settle["insured"] == county) & (s_year == y)
            entry["claims"][y] = round(float((settle["where"][c] == county).mean()), 4)
        counties.append(entry)
    return {
        "indicator": "县域内住院人次占比 / 参保人县域内住院人次占比",
        "claims_definition": "医疗类别=住院 settlements with 参保地区划代码=county: share whose 就医地区划代码=county "
        "(year of 结算日期; malformed rows excluded)",
        "discharges_definition": "discharges with 现住址区划代码=county in the region's files: share treated at an "
        "institution in the county (year of 出院时间; malformed rows excluded). Stays outside "
        "the city appear only in claims.",
        "counties": counties,
    }


def _down_referrals(refs: dict) -> dict:
    year = np.clip(refs["day"].astype("datetime64[Y]").astype(int) + 1970, 2024, 2025)
    out = {y: int(((refs["dir"] == "下转") & (year == y)).sum()) for y in (2024, 2025)}
    out["growth_2025"] = round(out[2025] / out[2024] - 1, 4) if out[2024] else None
    return out
