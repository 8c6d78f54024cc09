-- discharge_facts: one row per discharge of the period (selected by 出院时间, national-assessment.md §1.3),
-- with the flags the 病案首页 indicators count. Procedure category, 微创 and 手术级别 come from the loaded
-- procedure catalogue (codes_icd9cm3), never from the hospital-entered 手术级别. Placeholders in braces
-- are filled by the engine: the period bounds and the switches of catalog/switches.yaml.
WITH base AS (
    SELECT d.*
    FROM discharges d
    WHERE d.discharge_time >= {start} AND d.discharge_time < {end}
),
procs AS (
    SELECT p.org_code, p.mrn, p.admission_no,
           bool_or(c.category IN ('手术', '介入治疗')) AS surgical,
           bool_or(c.minimally_invasive AND ({minimal_requires_surgical} = false OR c.category IN ('手术', '介入治疗'))) AS minimal,
           bool_or(c.surgery_level = 4 AND ({minimal_requires_surgical} = false OR c.category IN ('手术', '介入治疗'))) AS grade4,
           bool_or(c.surgery_level = 3 AND ({minimal_requires_surgical} = false OR c.category IN ('手术', '介入治疗'))) AS grade3,
           bool_or(p.incision_class = '2') AS clean_incision,
           bool_or(p.incision_class = '2' AND p.healing = '3') AS clean_ssi,
           max(CASE WHEN p.seq = 1 THEN p.code END) AS principal_proc
    FROM discharge_procedures p
    JOIN base b ON b.org_code = p.org_code AND b.mrn = p.mrn AND b.admission_no = p.admission_no
    LEFT JOIN codes_icd9cm3 c ON c.code = p.code
    GROUP BY p.org_code, p.mrn, p.admission_no
),
dx AS (
    SELECT g.org_code, g.mrn, g.admission_no,
           bool_or(g.poa = '4' AND ({complication_match})) AS complication_dx
    FROM discharge_diagnoses g
    JOIN base b ON b.org_code = g.org_code AND b.mrn = g.mrn AND b.admission_no = g.admission_no
    GROUP BY g.org_code, g.mrn, g.admission_no
)
SELECT
    b.org_code, b.mrn, b.admission_no, b.discharge_time AS event_time,
    b.admit_time, b.discharge_time, b.los_days, b.total_cost, b.age, b.age_days, b.sex,
    b.principal_dx, b.discharge_mode, b.admission_route, b.residence_code, b.drg_code,
    b.cost_western_drug + coalesce(b.cost_patent_tcm_drug, 0) + coalesce(b.cost_herbal, 0) AS drug_cost,
    b.discharge_mode = '5' AS died,
    coalesce(p.surgical, false) AS surgical,
    coalesce(p.minimal, false) AS minimal,
    coalesce(p.grade4, false) AS grade4,
    coalesce(p.grade3, false) AS grade3,
    coalesce(p.clean_incision, false) AS clean_incision,
    coalesce(p.clean_ssi, false) AS clean_ssi,
    p.principal_proc,
    {day_surgery} AS day_surgery,
    coalesce(p.surgical, false) AND {elective} AS elective_surgery,
    (left(b.principal_dx, 1) IN ('O', 'P') AND {complication_exclusion_principal_only})
        OR (coalesce(b.age, 1) = 0 AND b.age_days <= 28) AS obstetric_or_neonatal,
    coalesce(x.complication_dx, false) AS complication_dx,
    b.drg_code IS NOT NULL AND b.drg_code <> '' AND b.drg_code NOT IN ('0000', '000') AND left(b.drg_code, 2) <> 'QY'
        AS drg_grouped,
    r.weight AS rw, r.ref_cost, r.ref_los, r.risk_level
FROM base b
LEFT JOIN procs p ON p.org_code = b.org_code AND p.mrn = b.mrn AND p.admission_no = b.admission_no
LEFT JOIN dx x ON x.org_code = b.org_code AND x.mrn = b.mrn AND x.admission_no = b.admission_no
LEFT JOIN drg_reference r ON r.drg_code = b.drg_code
