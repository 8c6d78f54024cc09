-- drg_reference: per DRG of the reference population (the region's discharges of the reference years):
-- the relative weight (RW), the reference mean cost and stay, and the mortality risk level.
-- Weights come from the loaded DRG list (codes_drg.权重) when it has them, otherwise they are derived from
-- the region's own costs after IQR trimming within each DRG (national-assessment.md §4.2). Risk levels
-- come from codes_drg.是否低风险组 when loaded, otherwise from the standard stratification (§4.4):
-- z of ln(DRG mortality) across DRGs with deaths; z < -1 low (1), -1 ≤ z < 0 (2), 0 ≤ z < 1 (3), ≥ 1 (4);
-- DRGs without deaths are level 0. The sample standard deviation is used ([?] in §4.4).
WITH ref AS (
    SELECT drg_code, total_cost, los_days, discharge_mode = '5' AS died
    FROM discharges
    WHERE discharge_time >= {ref_start} AND discharge_time < {ref_end}
      AND drg_code IS NOT NULL AND drg_code NOT IN ('', '0000', '000') AND left(drg_code, 2) <> 'QY'
),
weighted AS (SELECT drg_code FROM codes_drg WHERE weight IS NOT NULL),
bounds AS (  -- trimmed means are needed only when some DRG has no loaded weight
    SELECT drg_code,
           quantile_cont(total_cost, 0.25) - {drg_trim_iqr} * (quantile_cont(total_cost, 0.75) - quantile_cont(total_cost, 0.25)) AS lo,
           quantile_cont(total_cost, 0.75) + {drg_trim_iqr} * (quantile_cont(total_cost, 0.75) - quantile_cont(total_cost, 0.25)) AS hi
    FROM ref WHERE EXISTS (SELECT 1 FROM ref r2 WHERE r2.drg_code NOT IN (SELECT drg_code FROM weighted))
    GROUP BY drg_code
),
trimmed AS (
    SELECT r.* FROM ref r JOIN bounds b ON b.drg_code = r.drg_code WHERE r.total_cost BETWEEN b.lo AND b.hi
),
per_drg AS (
    SELECT drg_code, avg(total_cost) AS trimmed_cost FROM trimmed GROUP BY drg_code
),
stats AS (
    SELECT drg_code, count(*) AS cases, sum(CASE WHEN died THEN 1 ELSE 0 END) AS deaths,
           avg(total_cost) AS ref_cost, avg(los_days) AS ref_los
    FROM ref GROUP BY drg_code
),
overall AS (
    SELECT sum(t.trimmed_cost * s.cases) / sum(s.cases) AS mean_cost
    FROM per_drg t JOIN stats s ON s.drg_code = t.drg_code
),
logm AS (
    SELECT drg_code, ln(deaths * 1.0 / cases) AS x FROM stats WHERE deaths > 0
),
z AS (
    SELECT l.drg_code, (l.x - m.mu) / nullif(m.sigma, 0) AS z
    FROM logm l CROSS JOIN (SELECT avg(x) AS mu, stddev_samp(x) AS sigma FROM logm) m
)
SELECT s.drg_code, s.cases, s.deaths, s.ref_cost, s.ref_los,
       coalesce(c.weight, t.trimmed_cost / o.mean_cost) AS weight,
       CASE WHEN c.weight IS NOT NULL THEN 'codes-drg' ELSE 'derived' END AS weight_source,
       CASE WHEN c.low_risk IS TRUE THEN 1
            WHEN s.deaths = 0 THEN 0
            WHEN z.z < -1 AND c.low_risk IS FALSE THEN 2
            WHEN z.z < -1 THEN 1 WHEN z.z < 0 THEN 2 WHEN z.z < 1 THEN 3 ELSE 4 END AS risk_level,
       CASE WHEN c.low_risk IS NOT NULL THEN 'codes-drg' ELSE 'derived' END AS risk_source
FROM stats s
LEFT JOIN per_drg t ON t.drg_code = s.drg_code
LEFT JOIN z ON z.drg_code = s.drg_code
LEFT JOIN codes_drg c ON c.drg_code = s.drg_code
CROSS JOIN overall o
