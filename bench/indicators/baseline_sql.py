"""The same indicators as hand-written DuckDB SQL: what an analyst would write without hqd's catalog."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from single_disease import RULES

CATALOG = Path(__file__).resolve().parents[2] / "src" / "hqd" / "catalog"


def complication_condition(column: str) -> str:
    with (CATALOG / "codes" / "complications.csv").open(encoding="utf-8") as fh:
        prefixes = [r["prefix"] for r in csv.DictReader(fh)]
    return "(" + " OR ".join(f"starts_with({column}, '{p}')" for p in prefixes) + ")"


SQL = """
WITH d AS (
    SELECT d.*, i.level FROM discharges d JOIN institutions i USING (org_code)
    WHERE discharge_time >= TIMESTAMP '{y}-01-01' AND discharge_time < TIMESTAMP '{y1}-01-01'
), p AS (
    SELECT p.org_code, p.mrn, p.admission_no, max(CASE WHEN p.seq = 1 THEN p.code END) AS principal_proc,
           bool_or(c.category IN ('手术', '介入治疗')) AS surg,
           bool_or(c.minimally_invasive AND c.category IN ('手术', '介入治疗')) AS mini,
           bool_or(c.surgery_level = 4 AND c.category IN ('手术', '介入治疗')) AS g4,
           bool_or(c.surgery_level = 3 AND c.category IN ('手术', '介入治疗')) AS g3,
           bool_or(p.incision_class = '2') AS ci,
           bool_or(p.incision_class = '2' AND p.healing = '3') AS ssi
    FROM discharge_procedures p JOIN d USING (org_code, mrn, admission_no)
    LEFT JOIN codes_icd9cm3 c ON c.code = p.code GROUP BY 1, 2, 3
), x AS (
    SELECT g.org_code, g.mrn, g.admission_no, bool_or(g.poa = '4' AND {comp}) AS comp
    FROM discharge_diagnoses g JOIN d USING (org_code, mrn, admission_no) GROUP BY 1, 2, 3
), grouped AS (
    SELECT * FROM d WHERE drg_code IS NOT NULL AND drg_code NOT IN ('', '0000', '000') AND left(drg_code, 2) <> 'QY'
), ref AS (
    SELECT drg_code, avg(total_cost) AS ref_cost, avg(los_days) AS ref_los FROM grouped GROUP BY 1
), f AS (
    SELECT d.org_code, d.level, d.los_days, d.total_cost, d.discharge_mode = '5' AS died, d.admission_route,
           d.principal_dx, p.principal_proc, d.age,
           coalesce(d.day_surgery, false) AS day, coalesce(p.surg, false) AS surg, coalesce(p.mini, false) AS mini,
           coalesce(p.g4, false) AS g4, coalesce(p.g3, false) AS g3, coalesce(p.ci, false) AS ci,
           coalesce(p.ssi, false) AS ssi, coalesce(x.comp, false) AS comp,
           left(d.principal_dx, 1) IN ('O', 'P') OR (coalesce(d.age, 1) = 0 AND d.age_days <= 28) AS obst,
           d.drg_code IS NOT NULL AND d.drg_code NOT IN ('', '0000', '000') AND left(d.drg_code, 2) <> 'QY' AS grp,
           d.drg_code, w.weight AS rw, w.low_risk, r.ref_cost, r.ref_los
    FROM d LEFT JOIN p USING (org_code, mrn, admission_no) LEFT JOIN x USING (org_code, mrn, admission_no)
    LEFT JOIN codes_drg w ON w.drg_code = d.drg_code LEFT JOIN ref r ON r.drg_code = d.drg_code
)
SELECT org_code, level,
    count_if(surg AND admission_route <> '1' AND day), count_if(surg AND admission_route <> '1'),
    count_if(surg), count(*), count_if(surg AND mini), count_if(surg AND g4),
    count_if(surg AND NOT obst AND comp), count_if(surg AND NOT obst), count_if(ssi), count_if(ci),
    count_if(grp AND low_risk AND died), count_if(grp AND low_risk), count_if(surg AND g3), sum(los_days),
    count(DISTINCT CASE WHEN grp THEN drg_code END),
    sum(CASE WHEN grp AND rw IS NOT NULL THEN rw END), count_if(grp AND rw IS NOT NULL),
    sum(CASE WHEN grp AND ref_los > 0 AND los_days IS NOT NULL THEN los_days / ref_los END),
    count_if(grp AND ref_los > 0 AND los_days IS NOT NULL),
    sum(CASE WHEN grp AND ref_cost > 0 THEN total_cost / ref_cost END), count_if(grp AND ref_cost > 0),
    count_if(surg AND mini), count_if(surg AND NOT obst AND comp), count_if(surg AND NOT obst),
    count_if(grp AND low_risk AND died), count_if(grp AND low_risk){sd}
FROM f GROUP BY org_code, level
"""


def compute(db: Path, year: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET memory_limit = '6GB'")
    y = int(year)
    sd = "".join(f", count_if({r}), sum(CASE WHEN {r} THEN los_days END), sum(CASE WHEN {r} THEN total_cost END), "
                 f"count_if(({r}) AND died)" for r, _ in RULES.values())  # fmt: skip
    rows = con.execute(SQL.format(y=y, y1=y + 1, comp=complication_condition("g.code"), sd=sd)).fetchall()
    out = {}
    for org, level, *v in rows:
        if level == "三级":
            for k, ident in enumerate(["gk3.03", "gk3.04", "gk3.05", "gk3.06", "gk3.08", "gk3.09", "gk3.14"]):
                num, den = {0: (v[0], v[1]), 1: (v[2], v[3]), 2: (v[4], v[2]), 3: (v[5], v[2]), 4: (v[6], v[7]),
                            5: (v[8], v[9]), 6: (v[10], v[11])}[k]  # fmt: skip
                out[f"{ident}|{org}"] = [num, den]
        if level == "二级":
            out[f"gk2.03|{org}"] = [v[12], v[2]]
            out[f"gk2.13|{org}"] = [v[13], v[3]]
        out[f"drg.groups|{org}"] = [v[14], None]
        out[f"drg.cmi|{org}"] = [v[15], v[16]]
        out[f"drg.time_index|{org}"] = [v[17], v[18]]
        out[f"drg.cost_index|{org}"] = [v[19], v[20]]
        out[f"drg.low_risk_mortality|{org}"] = [v[24], v[25]]
        if level == "二级":
            out[f"gk2.01|{org}"] = [v[2], v[3]]
            out[f"gk2.02|{org}"] = [v[21], v[2]]
            out[f"gk2.04|{org}"] = [v[22], v[23]]
            out[f"gk2.05|{org}"] = [v[24], v[25]]
        if level == "三级":
            for k, code in enumerate(RULES):
                n, los, cost, died = v[26 + 4 * k : 30 + 4 * k]
                out[f"gk3.10.{code}.cases|{org}"] = [n, None]
                out[f"gk3.10.{code}.los|{org}"] = [los, n]
                out[f"gk3.10.{code}.cost|{org}"] = [cost, n]
                out[f"gk3.10.{code}.mortality|{org}"] = [died, n]
    return out
