-- signal_facts: the early-warning signals sent in the period (created_at), with the county they concern and
-- the regions above it, and the hours from sending to verification (early-warning.md §10.3).
SELECT s.signal_id, s.rule_id, s.algorithm, s.disease,
       s.region_code AS county_code, c.parent_code AS city_code, p.parent_code AS province_code,
       s.created_at, s.verified_at, s.status,
       s.verified_at IS NOT NULL AS verified,
       epoch(s.verified_at - s.created_at) / 3600.0 AS hours_to_verify
FROM ews_signals s
LEFT JOIN regions c ON c.region_code = s.region_code
LEFT JOIN regions p ON p.region_code = c.parent_code
WHERE s.created_at >= {start} AND s.created_at < {end}
