-- 0006: authentication fit for 等保三级 (issue 13): server-side sessions, login throttling and lockout,
-- the TOTP second factor of admins.
-- A session is known to the server only by the SHA-256 of its random id (the cookie holds the id), so a
-- copy of the warehouse does not hand out live sessions; deleting a user's rows ends their sessions at once.

CREATE TABLE sessions (
    session_hash VARCHAR PRIMARY KEY,     -- hex SHA-256 of the cookie's random session id
    user_name    VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,      -- the absolute timeout counts from here
    last_seen    TIMESTAMP NOT NULL,      -- the idle timeout counts from here
    client       VARCHAR,                 -- the source address at login
    csrf_token   VARCHAR NOT NULL         -- sent back on every state-changing request (form field or header)
);

-- per account: failures since the last success or unlock; a lock until a time (or an admin's unlock)
CREATE TABLE login_state (
    user_name    VARCHAR PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP
);

-- per source address: each failed attempt, kept for the throttling window
CREATE TABLE login_failures (
    failed_at TIMESTAMP NOT NULL,
    client    VARCHAR,
    user_name VARCHAR
);

-- the TOTP secret of an enrolled user, encrypted under a key derived from the warehouse secret
CREATE TABLE user_totp (
    user_name   VARCHAR PRIMARY KEY,
    secret_enc  VARCHAR NOT NULL,
    enrolled_at TIMESTAMP NOT NULL,
    last_step   BIGINT                 -- the last accepted time step: a code is accepted once
);
