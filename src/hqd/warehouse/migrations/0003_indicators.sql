-- 0003: computed indicator values, with their parts, and the compute runs that produced them.
-- (0002 is the early-warning signals migration.)

CREATE SEQUENCE IF NOT EXISTS compute_run_seq START 1;

CREATE TABLE compute_runs (
    run_id          INTEGER PRIMARY KEY,
    period          VARCHAR NOT NULL,
    engine          VARCHAR NOT NULL,
    catalog_version VARCHAR NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    indicators      INTEGER,
    values_stored   BIGINT,
    notes           VARCHAR            -- JSON: e.g. which DRG weights were used
);

CREATE TABLE indicator_values (
    run_id          INTEGER NOT NULL,
    indicator_id    VARCHAR NOT NULL,
    org_code        VARCHAR NOT NULL,  -- an institution code, or a region code for roll-ups
    org_level       VARCHAR NOT NULL,  -- institution | county | city | province
    period          VARCHAR NOT NULL,
    numerator       DOUBLE,
    denominator     DOUBLE,
    value           DOUBLE,
    value_text      VARCHAR,           -- qualitative indicators (a reported level)
    unit            VARCHAR,
    status          VARCHAR NOT NULL,  -- ok | missing
    reason          VARCHAR,           -- why missing, in Chinese and English
    note            VARCHAR,           -- e.g. the DRG weights used
    catalog_version VARCHAR NOT NULL
);
