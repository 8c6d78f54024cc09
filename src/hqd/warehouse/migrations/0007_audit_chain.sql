-- 0007: a tamper-evident audit log (hqd audit verify).
-- Every entry now names the object acted on and the outcome, and carries an HMAC-SHA256 (key derived from
-- the warehouse secret) over its own content and the previous entry's HMAC, so altering, deleting or
-- inserting a row breaks the chain from that row on. Entries written before this migration carry no HMAC:
-- audit_chain remembers the last of them, and the first chained entry's HMAC covers that number, so the
-- boundary cannot be moved without breaking the chain.

ALTER TABLE audit_log ADD COLUMN object VARCHAR;    -- what was acted on: an org code, an import id, a user, a path
ALTER TABLE audit_log ADD COLUMN outcome VARCHAR;   -- ok | refused | failed | rejected
ALTER TABLE audit_log ADD COLUMN mac VARCHAR;       -- hex HMAC-SHA256 over the entry and the previous mac

CREATE TABLE audit_chain (
    legacy_upto INTEGER NOT NULL             -- the last audit_id written before the chain existed (0: none)
);
INSERT INTO audit_chain SELECT coalesce(max(audit_id), 0) FROM audit_log;
