-- 0001: the canonical tables for every kind of the input-file contract, the import log and the quarantine.
-- Natural keys are declared in the field catalog (src/hqd/catalog/fields/*.yaml) and kept by the loader,
-- not by DuckDB index constraints: ART indexes on 10^7-row fact tables cost more memory than the loader's
-- own key join. Every stored row carries the import that wrote it (import_id) and a hash of its content.

CREATE SEQUENCE IF NOT EXISTS import_id_seq START 1;

CREATE TABLE imports (
    import_id      INTEGER PRIMARY KEY,
    kind           VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    file_path      VARCHAR,
    sha256         VARCHAR,
    size_bytes     BIGINT,
    file_type      VARCHAR,
    encoding       VARCHAR,
    sheets         VARCHAR,          -- JSON: sheets read and sheets skipped, with their header rows
    extra_columns  VARCHAR,          -- JSON: column headers present in the file but not in the kind's field map
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    user_name      VARCHAR,
    options        VARCHAR,          -- JSON
    status         VARCHAR NOT NULL, -- accepted | rejected
    message        VARCHAR,
    "read"         BIGINT DEFAULT 0,
    "new"          BIGINT DEFAULT 0,
    updated        BIGINT DEFAULT 0,
    unchanged      BIGINT DEFAULT 0,
    quarantined    BIGINT DEFAULT 0,
    duplicate      BIGINT DEFAULT 0,
    same_as        INTEGER,          -- an earlier import of the identical file; its quarantine applies
    catalog_version VARCHAR
);

CREATE TABLE quarantine (
    import_id   INTEGER NOT NULL,
    file_name   VARCHAR NOT NULL,
    sheet       VARCHAR,
    row_number  BIGINT NOT NULL,     -- the row number the user sees in Excel (CSV: the line number)
    field       VARCHAR,             -- the Chinese header as it appears in the file
    value       VARCHAR,
    rule        VARCHAR NOT NULL,
    message_zh  VARCHAR NOT NULL,
    message_en  VARCHAR NOT NULL,
    row_data    VARCHAR              -- JSON of the row's mapped cells, identifiers removed
);

CREATE TABLE import_duplicates (
    import_id    INTEGER NOT NULL,
    sheet        VARCHAR,
    row_number   BIGINT NOT NULL,
    duplicate_of BIGINT NOT NULL     -- row number of the identical row that was kept
);

CREATE TABLE regions (
    region_code  VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    parent_code  VARCHAR,
    level        VARCHAR,            -- province | city | county, from the GB/T 2260 code shape
    population   BIGINT,
    import_id    INTEGER NOT NULL,
    row_hash     VARCHAR NOT NULL
);

CREATE TABLE institutions (
    org_code           VARCHAR NOT NULL,
    name               VARCHAR NOT NULL,
    region_code        VARCHAR NOT NULL,
    level              VARCHAR NOT NULL,   -- 三级 / 二级 / 一级 / 未定级
    grade              VARCHAR,            -- 甲等 / 乙等 / 丙等 / 未定等
    category           VARCHAR NOT NULL,   -- 综合医院, 中医医院, ...
    is_public          BOOLEAN,
    beds               INTEGER,
    county_community   VARCHAR,
    medical_group      VARCHAR,
    is_lead            BOOLEAN,
    is_county_hospital BOOLEAN,
    import_id          INTEGER NOT NULL,
    row_hash           VARCHAR NOT NULL
);

CREATE TABLE discharges (
    org_code          VARCHAR NOT NULL,
    mrn               VARCHAR NOT NULL,   -- 病案号
    admission_no      INTEGER NOT NULL,   -- 住院次数
    sex               VARCHAR NOT NULL,
    birth_date        DATE,
    age               INTEGER,
    age_days          INTEGER,
    birth_weight      INTEGER,
    patient_key       VARCHAR,            -- HMAC-SHA256 of 身份证号 under the warehouse secret
    residence_code    VARCHAR,
    payment_method    VARCHAR,
    admission_route   VARCHAR NOT NULL,
    admit_time        TIMESTAMP NOT NULL,
    admit_dept        VARCHAR,
    discharge_time    TIMESTAMP NOT NULL,
    discharge_dept    VARCHAR,
    los_days          INTEGER,
    los_derived       BOOLEAN,            -- true when 实际住院 was absent and derived from the dates
    principal_dx      VARCHAR NOT NULL,
    principal_dx_name VARCHAR,
    principal_dx_poa  VARCHAR,
    external_cause    VARCHAR,
    pathology_code    VARCHAR,
    day_surgery       BOOLEAN,
    discharge_mode    VARCHAR NOT NULL,
    receiving_org     VARCHAR,
    readmit_plan      VARCHAR,
    icu_days          DOUBLE,
    drg_code          VARCHAR,
    total_cost        DOUBLE NOT NULL,
    self_pay          DOUBLE,
    cost_general_service DOUBLE, cost_general_treatment DOUBLE, cost_nursing DOUBLE, cost_service_other DOUBLE,
    cost_pathology DOUBLE, cost_lab DOUBLE, cost_imaging DOUBLE, cost_clinical_diag DOUBLE,
    cost_nonsurgical DOUBLE, cost_physio DOUBLE, cost_surgical_treatment DOUBLE, cost_anaesthesia DOUBLE,
    cost_surgery DOUBLE, cost_rehab DOUBLE, cost_tcm DOUBLE, cost_western_drug DOUBLE, cost_antibiotic DOUBLE,
    cost_patent_tcm_drug DOUBLE, cost_herbal DOUBLE, cost_blood DOUBLE, cost_albumin DOUBLE, cost_globulin DOUBLE,
    cost_coag_factor DOUBLE, cost_cytokine DOUBLE, cost_material_exam DOUBLE, cost_material_treat DOUBLE,
    cost_material_surgery DOUBLE, cost_other DOUBLE,
    import_id         INTEGER NOT NULL,
    row_hash          VARCHAR NOT NULL
);

CREATE TABLE discharge_diagnoses (     -- 其他诊断 1..40 (the principal diagnosis stays on discharges)
    org_code     VARCHAR NOT NULL,
    mrn          VARCHAR NOT NULL,
    admission_no INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    code         VARCHAR NOT NULL,
    poa          VARCHAR,                -- 入院病情 1 有, 2 临床未确定, 3 情况不明, 4 无
    import_id    INTEGER NOT NULL
);

CREATE TABLE discharge_procedures (    -- 手术及操作 1..41, seq 1 is the principal procedure
    org_code       VARCHAR NOT NULL,
    mrn            VARCHAR NOT NULL,
    admission_no   INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    code           VARCHAR NOT NULL,
    name           VARCHAR,
    op_time        TIMESTAMP,
    entered_level  VARCHAR,              -- 手术级别 as the hospital entered it; 国考 uses codes_icd9cm3
    incision_class VARCHAR,              -- 1 = 0类, 2 = Ⅰ类, 3 = Ⅱ类, 4 = Ⅲ类
    healing        VARCHAR,              -- 1 甲, 2 乙, 3 丙, 9 其他
    anaesthesia    VARCHAR,
    import_id      INTEGER NOT NULL
);

CREATE TABLE reported_values (
    element     VARCHAR NOT NULL,        -- data-element code from catalog/elements.yaml
    org_code    VARCHAR NOT NULL,        -- an institution code or a region code
    period      VARCHAR NOT NULL,        -- 2024 | 2024Q1 | 2024-03
    value       DOUBLE,
    value_text  VARCHAR,                 -- for level/text elements
    import_id   INTEGER NOT NULL,
    row_hash    VARCHAR NOT NULL
);

CREATE TABLE reported_values_history (  -- every value a later file replaced
    element            VARCHAR NOT NULL,
    org_code           VARCHAR NOT NULL,
    period             VARCHAR NOT NULL,
    value              DOUBLE,
    value_text         VARCHAR,
    import_id          INTEGER NOT NULL,
    replaced_by_import INTEGER NOT NULL,
    replaced_at        TIMESTAMP NOT NULL
);

CREATE TABLE referrals (
    referral_id   VARCHAR NOT NULL,
    patient_key   VARCHAR,
    from_org      VARCHAR NOT NULL,
    to_org        VARCHAR NOT NULL,
    direction     VARCHAR NOT NULL,      -- 上转 / 下转 / 平转
    service_type  VARCHAR,               -- 门诊 / 住院 / 检查
    referral_date DATE NOT NULL,
    status        VARCHAR,               -- 已接收 / 拒收 / 待接收
    accept_date   DATE,
    dx_code       VARCHAR,
    import_id     INTEGER NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE TABLE centre_cases (
    centre_type    VARCHAR NOT NULL,     -- 胸痛 / 卒中 / 创伤 / 危重孕产妇 / 危重新生儿
    org_code       VARCHAR NOT NULL,
    case_id        VARCHAR NOT NULL,
    dx_category    VARCHAR NOT NULL,
    arrival_mode   VARCHAR,
    onset_time     TIMESTAMP,
    fmc_time       TIMESTAMP,
    door_time      TIMESTAMP NOT NULL,
    ecg_time       TIMESTAMP,
    wire_time      TIMESTAMP,
    needle_time    TIMESTAMP,
    imaging_time   TIMESTAMP,
    puncture_time  TIMESTAMP,
    surgery_time   TIMESTAMP,
    door_out_time  TIMESTAMP,
    iss            INTEGER,
    outcome        VARCHAR,
    discharge_time TIMESTAMP,
    import_id      INTEGER NOT NULL,
    row_hash       VARCHAR NOT NULL
);

CREATE TABLE idr_cases (
    card_id        VARCHAR NOT NULL,
    disease        VARCHAR NOT NULL,
    case_class     VARCHAR,
    patient_key    VARCHAR,
    sex            VARCHAR,
    age            INTEGER,
    residence_code VARCHAR NOT NULL,
    reporting_org  VARCHAR,
    onset_date     DATE NOT NULL,
    diagnosis_date DATE,
    report_date    DATE NOT NULL,
    audit_status   VARCHAR,              -- 已审核 / 未审核 / 已删除 (deleted cards are kept, excluded from counts)
    import_id      INTEGER NOT NULL,
    row_hash       VARCHAR NOT NULL
);

CREATE TABLE assistance (
    project_name      VARCHAR NOT NULL,
    project_type      VARCHAR NOT NULL,
    support_org       VARCHAR NOT NULL,  -- code or name; may lie outside the region
    recipient_org     VARCHAR NOT NULL,
    specialty         VARCHAR NOT NULL,  -- '' when the row names none (part of the key)
    period            VARCHAR NOT NULL,
    experts           INTEGER,
    onsite_days       INTEGER,
    outpatient_visits INTEGER,
    surgeries         INTEGER,
    level4_surgeries  INTEGER,
    new_techniques    INTEGER,
    firsts            VARCHAR,
    trainees          INTEGER,
    returned_trainees INTEGER,
    import_id         INTEGER NOT NULL,
    row_hash          VARCHAR NOT NULL
);

CREATE TABLE memberships (
    group_name   VARCHAR NOT NULL,       -- 组织名称
    group_type   VARCHAR NOT NULL,       -- 紧密型县域医共体 / 城市医疗集团 / 专科联盟 / 远程医疗协作网
    lead_org     VARCHAR NOT NULL,
    member       VARCHAR NOT NULL,       -- as given: a code or a name
    member_code  VARCHAR,                -- resolved institution code, NULL for members outside the region
    join_date    DATE NOT NULL,
    leave_date   DATE,
    specialty    VARCHAR,
    import_id    INTEGER NOT NULL,
    row_hash     VARCHAR NOT NULL
);

CREATE TABLE ratings (
    org_code   VARCHAR NOT NULL,
    item       VARCHAR NOT NULL,         -- 电子病历系统应用水平, 互联互通标准化成熟度, ...
    level      VARCHAR NOT NULL,         -- as awarded: 6级, 五级乙等, 通过认证(标准版) ...
    specialty  VARCHAR NOT NULL,         -- '' when none (part of the key)
    rated_on   DATE NOT NULL,            -- a year alone is stored as 1 January of that year
    rated_year_only BOOLEAN,
    import_id  INTEGER NOT NULL,
    row_hash   VARCHAR NOT NULL
);

CREATE TABLE targets (
    subject_code  VARCHAR NOT NULL,      -- an institution or a region
    item          VARCHAR NOT NULL,
    comparator    VARCHAR NOT NULL,      -- >=, <=, =, 前%
    target_value  VARCHAR NOT NULL,      -- as written: 90, A+, 6级, 五级乙等
    target_number DOUBLE,                -- the number when the value is numeric
    deadline      VARCHAR NOT NULL,
    baseline      VARCHAR,
    source        VARCHAR,
    import_id     INTEGER NOT NULL,
    row_hash      VARCHAR NOT NULL
);

CREATE TABLE claims (
    settlement_id   VARCHAR NOT NULL,
    patient_key     VARCHAR,
    insured_region  VARCHAR NOT NULL,
    provider_code   VARCHAR NOT NULL,    -- may lie outside the region
    provider_region VARCHAR NOT NULL,
    provider_type   VARCHAR,             -- 医院 / 基层医疗卫生机构 / 药店 / 其他
    care_type       VARCHAR NOT NULL,    -- 门诊 / 急诊 / 住院 / 购药 / 门诊慢特病
    admit_date      DATE,
    settle_date     DATE NOT NULL,
    total_cost      DOUBLE NOT NULL,
    fund_paid       DOUBLE NOT NULL,
    self_paid       DOUBLE,
    import_id       INTEGER NOT NULL,
    row_hash        VARCHAR NOT NULL
);

CREATE TABLE codes_icd10 (
    code      VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,
    import_id INTEGER NOT NULL,
    row_hash  VARCHAR NOT NULL
);

CREATE TABLE codes_icd9cm3 (
    code               VARCHAR NOT NULL,
    name               VARCHAR NOT NULL,
    category           VARCHAR NOT NULL,  -- 手术 / 介入治疗 / 治疗性操作 / 诊断性操作
    surgery_level      INTEGER,
    minimally_invasive BOOLEAN,
    import_id          INTEGER NOT NULL,
    row_hash           VARCHAR NOT NULL
);

CREATE TABLE codes_drg (
    drg_code  VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,
    weight    DOUBLE,
    low_risk  BOOLEAN,
    import_id INTEGER NOT NULL,
    row_hash  VARCHAR NOT NULL
);
