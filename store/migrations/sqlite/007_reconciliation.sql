-- Identity reconciliation (docs/imports.md): a case is opened when what a partner sends about a
-- person is at odds with the dossiers its identifiers designate; nothing of that person is
-- written. The Département resolves it: the same person (one dossier merged into the other),
-- different people (the contested identifier kept by one of them, or neither), or the
-- source's error. No personal data: dossier ids, identifier kinds, JSON pointers, positions.
CREATE TABLE reconciliation_cases (
  id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  source TEXT NOT NULL,
  position TEXT NOT NULL,
  dossiers TEXT NOT NULL,
  places TEXT NOT NULL,
  contested TEXT NOT NULL,
  status TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT,
  resolution TEXT
);
-- A re-import of the same file finds the case it opened the first time.
CREATE UNIQUE INDEX reconciliation_open_once ON reconciliation_cases (fingerprint)
  WHERE status = 'open';
CREATE INDEX reconciliation_by_status ON reconciliation_cases (status, opened_at);
-- A dossier merged into another answers as gone, pointing to it; its versions stay.
ALTER TABLE dossiers ADD COLUMN merged_into TEXT REFERENCES dossiers(id);
ALTER TABLE dossiers ADD COLUMN merged_at TEXT;
-- The change feed's row for a merge: `dossier_id` merged into `merged_into` (version 0).
ALTER TABLE change_log ADD COLUMN merged_into TEXT;
