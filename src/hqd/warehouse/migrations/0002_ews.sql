-- 0002: early-warning signals, the decisions taken on them and the log of rule runs (hqd ews run).
-- Additive: nothing of 0001 changes. Signals are few (thousands a year per city), so unlike the fact
-- tables they carry real key constraints: the UNIQUE key is what makes re-running a period add nothing.

CREATE SEQUENCE IF NOT EXISTS ews_run_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS ews_signal_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS ews_decision_id_seq START 1;

CREATE TABLE ews_runs (
    run_id          INTEGER PRIMARY KEY,
    period          VARCHAR NOT NULL,        -- as given: 2025, 2025Q3 or 2025-07
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    user_name       VARCHAR,
    rules_file      VARCHAR NOT NULL,        -- the rules catalog file the run read
    catalog_version VARCHAR NOT NULL,
    rules           INTEGER NOT NULL DEFAULT 0,
    series          BIGINT NOT NULL DEFAULT 0,   -- rule × disease × county series evaluated
    evaluations     BIGINT NOT NULL DEFAULT 0,   -- (series, time point) pairs that had a threshold
    alarms          BIGINT NOT NULL DEFAULT 0,   -- alarms raised by this run, new or already stored
    new_signals     BIGINT NOT NULL DEFAULT 0    -- alarms not stored before (the rest were kept as they were)
);

CREATE TABLE ews_signals (
    signal_id       INTEGER PRIMARY KEY,
    rule_id         VARCHAR NOT NULL,        -- an id of src/hqd/catalog/ews_rules.yaml
    disease         VARCHAR NOT NULL,        -- idr_cases.disease
    region_code     VARCHAR NOT NULL,        -- the patients' county (idr_cases.residence_code)
    frequency       VARCHAR NOT NULL,        -- daily | weekly
    date_basis      VARCHAR NOT NULL,        -- onset | report: which card date put a case in a period
    window_start    DATE NOT NULL,           -- first day of the observation window that was counted
    time_point      DATE NOT NULL,           -- last day of that window: the day (or week end) evaluated
    observed        DOUBLE NOT NULL,         -- cases in the window
    threshold       DOUBLE,                  -- the algorithm's upperbound the cases were compared with
    algorithm       VARCHAR NOT NULL,        -- a name of hqd.ews.algorithms.REGISTRY
    parameters      VARCHAR NOT NULL,        -- JSON: the control actually used (years after any fallback)
    run_id          INTEGER NOT NULL,        -- the run that first raised it
    catalog_version VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,      -- when the signal was sent: the start of its response time
    status          VARCHAR NOT NULL DEFAULT 'new',
    verified_by     VARCHAR,
    verified_at     TIMESTAMP,
    dismissed_by    VARCHAR,
    dismissed_at    TIMESTAMP,
    confirmed_by    VARCHAR,
    confirmed_at    TIMESTAMP,
    UNIQUE (rule_id, disease, region_code, time_point),
    CHECK (status IN ('new', 'verified', 'dismissed', 'confirmed')),
    CHECK (frequency IN ('daily', 'weekly')),
    CHECK (date_basis IN ('onset', 'report'))
);

CREATE TABLE ews_signal_decisions (      -- every status change, in order: the audit trail
    decision_id INTEGER PRIMARY KEY,
    signal_id   INTEGER NOT NULL,
    from_status VARCHAR NOT NULL,
    to_status   VARCHAR NOT NULL,
    user_name   VARCHAR NOT NULL,
    decided_at  TIMESTAMP NOT NULL,
    note        VARCHAR
);
