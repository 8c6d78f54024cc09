-- 0005: the dashboard's local users and the audit log (hqd serve, hqd users).
-- A user has one role: admin (everything), analyst (a region and all under it) or hospital (one institution).
-- The audit log keeps who logged in, uploaded, exported and decided on a signal, and when.

CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1;

CREATE TABLE users (
    user_name     VARCHAR PRIMARY KEY,
    display_name  VARCHAR,
    role          VARCHAR NOT NULL,      -- admin | analyst | hospital
    scope_code    VARCHAR,               -- analyst: a region code; hospital: an institution code; admin: NULL
    password_hash VARCHAR NOT NULL,      -- argon2id, as argon2-cffi writes it
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    TIMESTAMP NOT NULL,
    CHECK (role IN ('admin', 'analyst', 'hospital')),
    CHECK ((role = 'admin') = (scope_code IS NULL))
);

CREATE TABLE audit_log (
    audit_id   INTEGER PRIMARY KEY,
    logged_at  TIMESTAMP NOT NULL,
    user_name  VARCHAR,                  -- NULL for a failed login with an unknown name
    action     VARCHAR NOT NULL,         -- login | login_failed | logout | upload | export | signal_decision | report
    detail     VARCHAR,                  -- JSON: what was uploaded, exported or decided
    client     VARCHAR                   -- the client's address
);
