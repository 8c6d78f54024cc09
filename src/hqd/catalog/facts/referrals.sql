-- referral_facts: the two-way referrals of the period (by 转诊日期), one row per referral, counted for the
-- referring institution (转出机构) and its county, city and province (programmes.md §3.2). The receiving
-- side's level and county say whether a referral went up, down, stayed in the county or left it.
SELECT r.referral_id, r.from_org AS org_code, o.county_code, o.city_code, o.province_code,
       o.level, o.category, o.primary_care, o.is_lead, o.county_hospital,
       r.to_org, t.level AS to_level, t.county_code AS to_county,
       r.direction, r.service_type, r.status,
       r.direction = '上转' AS up,
       r.direction = '下转' AS down,
       r.direction = '下转' AND o.level = '三级' AS down_from_tertiary,
       r.status = '已接收' AS accepted,
       r.status = '拒收' AS rejected,
       r.status IS NULL OR r.status = '待接收' AS pending,
       CASE WHEN r.status = '已接收' AND r.accept_date IS NOT NULL
            THEN date_diff('day', r.referral_date, r.accept_date) END AS accept_days,
       t.county_code IS NOT NULL AND t.county_code = o.county_code AS in_county,
       t.org_code IS NULL AS outside_region
FROM referrals r
JOIN org_levels o ON o.org_code = r.from_org
LEFT JOIN org_levels t ON t.org_code = r.to_org
WHERE r.referral_date >= CAST({start} AS DATE) AND r.referral_date < CAST({end} AS DATE)
