-- The audit outbox (issue 21, §1; store/pending_audit.hpp): a row per write made on behalf of a
-- request or a job, inserted in that write's own transaction, naming who changed which dossiers.
-- The audit entry that records the write claims the row, which is then deleted; a row left here
-- at start (the process died between the commit and the entry) becomes an entry of its own.
CREATE TABLE audit_outbox (
  id TEXT PRIMARY KEY,
  context TEXT NOT NULL,
  dossiers TEXT NOT NULL,   -- dossier ids, space-separated
  created_at TEXT NOT NULL
) WITHOUT ROWID;
