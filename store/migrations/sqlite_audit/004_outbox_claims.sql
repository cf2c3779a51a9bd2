-- The audit outbox rows of the dossiers' database (store/pending_audit.hpp) that an entry
-- recorded, stored with the entry: at start, a row found here is deleted, not recorded twice.
-- Append-only, like the entries.
CREATE TABLE audit_claims (
  outbox_id TEXT PRIMARY KEY,
  idx INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER audit_claims_append_only_update BEFORE UPDATE ON audit_claims
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_claims_append_only_delete BEFORE DELETE ON audit_claims
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
