-- 0004: scores, grades and ranks (hqd score) and target evaluations (hqd targets), kept so pages and reports
-- read the same numbers the command printed. A new run of a scheme, period and reference replaces the last.

CREATE SEQUENCE IF NOT EXISTS score_run_seq START 1;

CREATE TABLE score_runs (
    run_id          INTEGER PRIMARY KEY,
    scheme          VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,
    reference       VARCHAR NOT NULL,  -- region | national (what was asked; each row says what was used)
    catalog_version VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

CREATE TABLE scores (
    run_id          INTEGER NOT NULL,
    scheme          VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,
    org_code        VARCHAR NOT NULL,
    peer_group      VARCHAR,           -- NULL when not scored
    peers           INTEGER,
    total           DOUBLE,
    rank            INTEGER,           -- within the region's peer group, 1 = best, ties share the better rank
    rank_percentile DOUBLE,            -- 0-100, smaller is better (region: rank / peers; national: estimated)
    grade           VARCHAR,
    grade_basis     VARCHAR,           -- region | national
    reference       VARCHAR,           -- what the institution was compared with, in words
    note            VARCHAR            -- why no grade, or why not scored
);

CREATE TABLE score_items (
    run_id       INTEGER NOT NULL,
    scheme       VARCHAR NOT NULL,
    period       VARCHAR NOT NULL,
    org_code     VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    entry        VARCHAR NOT NULL,     -- the scheme entry (an indicator, or a group such as gk3.10)
    value        DOUBLE,
    status       VARCHAR NOT NULL,     -- ok | na (no eligible cases) | missing | left_out
    method       VARCHAR NOT NULL,
    basis        VARCHAR,              -- region | national
    score        DOUBLE,               -- 0-100
    max_points   DOUBLE NOT NULL,
    points       DOUBLE NOT NULL,
    points_lost  DOUBLE NOT NULL,
    note         VARCHAR
);

CREATE TABLE target_evaluations (
    subject_code    VARCHAR NOT NULL,
    item            VARCHAR NOT NULL,
    deadline        VARCHAR NOT NULL,
    comparator      VARCHAR NOT NULL,
    target_value    VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,  -- met | on_track | at_risk | missed | no_data
    latest_period   VARCHAR,
    latest_value    DOUBLE,
    latest_text     VARCHAR,           -- as shown: 6级, B (50%), 4.70
    projection      DOUBLE,            -- the linear trend at the deadline
    interval_low    DOUBLE,            -- its prediction interval
    interval_high   DOUBLE,
    p_meet          DOUBLE,            -- probability of meeting the target at the deadline under the trend
    periods_used    INTEGER,
    reason_zh       VARCHAR NOT NULL,
    reason_en       VARCHAR NOT NULL,
    evaluated_at    TIMESTAMP NOT NULL,
    catalog_version VARCHAR NOT NULL
);
