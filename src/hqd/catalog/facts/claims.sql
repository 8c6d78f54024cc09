-- claim_facts: the insurer's settlements of the period (by 结算日期), attributed to the insured person's county
-- (参保地) and the regions above it; in_county compares where care happened (就医地) with where the person
-- is insured (programmes.md §1.4: these indicators need the care received outside the county too).
SELECT c.settlement_id, CAST(NULL AS VARCHAR) AS org_code, c.insured_region AS county_code, r.parent_code AS city_code, p.parent_code AS province_code,
       c.provider_code, c.provider_region, c.provider_type, c.care_type, c.total_cost, c.fund_paid,
       c.care_type = '住院' AS inpatient,
       c.provider_region = c.insured_region AS in_county,
       coalesce(c.provider_type, '') = '药店' AS pharmacy,
       coalesce(c.provider_type, '') = '基层医疗卫生机构' AS primary_care
FROM claims c
LEFT JOIN regions r ON r.region_code = c.insured_region
LEFT JOIN regions p ON p.region_code = r.parent_code
WHERE c.settle_date >= CAST({start} AS DATE) AND c.settle_date < CAST({end} AS DATE)
