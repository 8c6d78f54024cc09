-- centre_case_facts: the five centres' cases (五大中心病例) that arrived in the period (到达医院时间), with the
-- minutes between the timestamps each metric of programmes.md §5 needs. An interval is NULL when either of
-- its timestamps was not recorded: that case leaves the metric and is counted by its completeness indicator
-- (§5: "report separately the cases with missing timestamps; do not silently drop them").
SELECT c.org_code, c.centre_type, c.case_id, c.dx_category, c.arrival_mode, c.outcome, c.iss, c.door_time,
       c.dx_category = 'STEMI' AS stemi,
       c.dx_category = '缺血性卒中' AS ischaemic_stroke,
       -- primary PCI: a wire crossing or a femoral/radial puncture was recorded
       (c.wire_time IS NOT NULL OR c.puncture_time IS NOT NULL) AS pci,
       c.needle_time IS NOT NULL AS thrombolysis,
       c.puncture_time IS NOT NULL AS endovascular,
       c.surgery_time IS NOT NULL AS emergency_surgery,
       coalesce(c.arrival_mode, '') = '转院' AS transferred_in,
       coalesce(c.arrival_mode, '') = '院内发病' AS in_hospital_onset,
       coalesce(c.outcome, '') = '转院' AS transferred_out,
       c.outcome IS NOT NULL AS outcome_known,
       coalesce(c.outcome, '') = '死亡' AS died,
       c.iss IS NOT NULL AS iss_known,
       coalesce(c.iss >= 16, false) AS severe_trauma,
       epoch(c.ecg_time - c.fmc_time) / 60.0 AS fmc_to_ecg,
       epoch(c.wire_time - c.door_time) / 60.0 AS door_to_wire,
       epoch(c.wire_time - c.fmc_time) / 60.0 AS fmc_to_wire,
       epoch(c.needle_time - c.door_time) / 60.0 AS door_to_needle,
       epoch(c.puncture_time - c.door_time) / 60.0 AS door_to_puncture,
       epoch(c.imaging_time - c.door_time) / 60.0 AS door_to_imaging,
       epoch(c.surgery_time - c.door_time) / 60.0 AS door_to_surgery,
       epoch(c.door_out_time - c.door_time) / 60.0 AS door_in_door_out,
       epoch(c.door_time - c.onset_time) / 60.0 AS onset_to_door
FROM centre_cases c
WHERE c.door_time >= {start} AND c.door_time < {end}
